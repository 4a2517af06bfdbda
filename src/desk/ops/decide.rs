//! 审批: the 包案领导 approves or refuses a packaged case's 销号, 延期 or
//! 中止; the desk decides a 责任人's 中止 request on any other case.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::Role;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decide {
    pub approve: bool,
    pub comment: String,
}

impl Described for Decide {
    const SPEC: Spec = Spec {
        op: Op::Decide,
        action: "审批",
        verb: "审批",
        done: "已审批",
        cli: "approve",
        entry: Entry::Form("审批"),
        who: Who::Desk,
    };
}

impl Decide {
    pub fn done(&self) -> &'static str {
        if self.approve {
            "已审批：同意"
        } else {
            "已审批：不同意"
        }
    }
}

impl CaseOp for Decide {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        // A packaged case: only its own 包案领导 decides (or 管理员).
        let leader = d.package.as_ref().map(|p| p.leader.clone());
        if leader.as_ref().is_some_and(|l| *l != cx.me.login) && cx.me.role != Role::Admin {
            let leader = leader.unwrap_or_default();
            return Err(DeskError::Forbidden(format!(
                "无权审批：本案的包案领导是 {}，只有包案领导本人可以审批",
                cx.roster.name(&leader)
            )));
        }
        d.decide(
            self.approve,
            &self.comment,
            &cx.lists.settings.follow_up_days,
            cx.by(),
            cx.now,
        )?;
        Ok(last_history(d))
    }
}

impl From<Decide> for Change {
    fn from(c: Decide) -> Change {
        Change::Decide(c)
    }
}
