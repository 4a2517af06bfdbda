//! 退回: the 责任人 sends the case back, with a reason.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    pub reason: String,
}

impl Described for Reject {
    const SPEC: Spec = Spec {
        op: Op::Reject,
        action: "退回",
        verb: "退回",
        done: "已退回",
        cli: "reject",
        entry: Entry::Form("退回"),
        who: Who::AssignedPerson,
    };
}

impl CaseOp for Reject {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        // A refused 转办 goes back to its sender, not to the 待处理 inbox.
        if d.transfer.is_some() {
            d.refuse_transfer(&self.reason, cx.by(), cx.now)?;
        } else {
            d.reject(&self.reason, cx.by(), cx.now)?;
        }
        Ok(last_history(d))
    }
}

impl From<Reject> for Change {
    fn from(c: Reject) -> Change {
        Change::Reject(c)
    }
}
