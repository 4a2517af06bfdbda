//! 签收: the 责任人 takes the case on. One key, no form.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accept;

impl Described for Accept {
    const SPEC: Spec = Spec {
        op: Op::Accept,
        action: "签收",
        verb: "签收",
        done: "已签收",
        cli: "accept",
        entry: Entry::OneKey,
        who: Who::AssignedPerson,
    };
}

impl CaseOp for Accept {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        // The same 签收 takes on a 转办 as a 交办.
        if d.transfer.is_some() {
            d.accept_transfer(cx.by(), cx.now)?;
        } else {
            d.accept(cx.by(), cx.now)?;
        }
        Ok(last_history(d))
    }
}

impl From<Accept> for Change {
    fn from(c: Accept) -> Change {
        Change::Accept(c)
    }
}
