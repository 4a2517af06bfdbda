//! 研判: rate the case's risk, its warning signs and the tier that handles it.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::{RiskLevel, Tier, WarningFlag};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    pub risk: RiskLevel,
    pub flags: Vec<WarningFlag>,
    pub tier: Option<Tier>,
}

impl Described for Triage {
    const SPEC: Spec = Spec {
        op: Op::Triage,
        action: "研判",
        verb: "研判",
        done: "已研判",
        cli: "triage",
        entry: Entry::Form("研判"),
        who: Who::Desk,
    };
}

impl CaseOp for Triage {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.triage(self.risk, self.flags, self.tier, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Triage> for Change {
    fn from(c: Triage) -> Change {
        Change::Triage(c)
    }
}
