//! 回访: after 销号, ask the parties whether the agreement holds.

use serde::{Deserialize, Serialize};

use super::context::{flags_from_text, preview};
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::VisitMethod;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub method: VisitMethod,
    pub honoured: bool,
    pub satisfaction: String,
    pub rebound: bool,
    pub finding: String,
    pub reopen: bool,
}

impl Described for FollowUp {
    const SPEC: Spec = Spec {
        op: Op::FollowUp,
        action: "回访",
        verb: "回访",
        done: "已记录回访",
        cli: "visit",
        entry: Entry::Form("回访"),
        who: Who::Assignee,
    };
}

impl CaseOp for FollowUp {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.follow_up(
            self.method,
            self.honoured,
            &self.satisfaction,
            self.rebound,
            &self.finding,
            self.reopen,
            cx.by(),
            cx.now,
        )?;
        flags_from_text(cx, d, &self.finding);
        Ok(format!(
            "{}：{}",
            self.method.label(),
            preview(&self.finding)
        ))
    }
}

impl From<FollowUp> for Change {
    fn from(c: FollowUp) -> Change {
        Change::FollowUp(c)
    }
}
