//! 申请延期: a later deadline, with a reason; a packaged case waits for
//! its leader's approval.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extend {
    pub deadline: NaiveDate,
    pub reason: String,
}

impl Described for Extend {
    const SPEC: Spec = Spec {
        op: Op::Extend,
        action: "申请延期",
        verb: "申请延期",
        done: "已申请延期",
        cli: "extend",
        entry: Entry::Form("申请延期"),
        who: Who::Assignee,
    };
}

impl CaseOp for Extend {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.request_extension(self.deadline, &self.reason, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Extend> for Change {
    fn from(c: Extend) -> Change {
        Change::Extend(c)
    }
}
