//! 化解销号: the outcome and a summary; a packaged case waits for its
//! leader's approval (审批).

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::Outcome;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Close {
    pub outcome: Outcome,
    pub summary: String,
}

impl Described for Close {
    const SPEC: Spec = Spec {
        op: Op::Close,
        action: "销号",
        verb: "销号",
        done: "已提交销号",
        cli: "close",
        entry: Entry::Form("化解销号"),
        who: Who::Assignee,
    };
}

impl CaseOp for Close {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.close(
            self.outcome,
            &self.summary,
            &cx.lists.settings.follow_up_days,
            cx.by(),
            cx.now,
        )?;
        Ok(last_history(d))
    }
}

impl From<Close> for Change {
    fn from(c: Close) -> Change {
        Change::Close(c)
    }
}
