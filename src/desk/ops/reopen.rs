//! 重新打开: a closed case comes back, with a reason.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reopen {
    pub reason: String,
}

impl Described for Reopen {
    const SPEC: Spec = Spec {
        op: Op::Reopen,
        action: "重新打开",
        verb: "重新打开",
        done: "已重新打开",
        cli: "reopen",
        entry: Entry::CliOnly,
        who: Who::Desk,
    };
}

impl CaseOp for Reopen {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.reopen(&self.reason, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Reopen> for Change {
    fn from(c: Reopen) -> Change {
        Change::Reopen(c)
    }
}
