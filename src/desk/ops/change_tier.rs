//! 上报 / 交办下级: move the case to another tier (村, 镇, 县), with a reason.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::Tier;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeTier {
    pub to: Tier,
    pub reason: String,
}

impl Described for ChangeTier {
    const SPEC: Spec = Spec {
        op: Op::ChangeTier,
        action: "调整层级",
        verb: "上报或交办下级",
        done: "已调整层级",
        cli: "escalate",
        entry: Entry::Form("上报 / 交办下级"),
        who: Who::Desk,
    };
}

impl CaseOp for ChangeTier {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.change_tier(self.to, &self.reason, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<ChangeTier> for Change {
    fn from(c: ChangeTier) -> Change {
        Change::ChangeTier(c)
    }
}
