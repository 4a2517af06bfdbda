//! 恢复办理: a paused case runs again; its deadline moves by the paused days.
//! One key, no form. On the resume date the desk does it by itself
//! (`Local::sweep`).

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resume;

impl Described for Resume {
    const SPEC: Spec = Spec {
        op: Op::Resume,
        action: "恢复办理",
        verb: "恢复办理",
        done: "已恢复办理",
        cli: "resume",
        entry: Entry::OneKey,
        who: Who::Assignee,
    };
}

impl CaseOp for Resume {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.resume(false, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Resume> for Change {
    fn from(c: Resume) -> Change {
        Change::Resume(c)
    }
}
