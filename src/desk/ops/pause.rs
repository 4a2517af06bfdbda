//! 中止: the case waits on something outside the desk (诉讼中, 仲裁中, 等待
//! 鉴定, 当事人外出…); its clock stops until the expected resume date. A
//! packaged case asks its 包案领导, and a 责任人 asks the desk (decided
//! with 审批); the clock runs until then.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::casework::pause_asks;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: String,
    pub until: NaiveDate,
}

impl Described for Pause {
    const SPEC: Spec = Spec {
        op: Op::Pause,
        action: "中止",
        verb: "中止",
        done: "已中止",
        cli: "pause",
        entry: Entry::Form("中止"),
        who: Who::Assignee,
    };
}

impl CaseOp for Pause {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        let ask = pause_asks(cx.me.role, d.package.is_some());
        d.request_pause(&self.reason, self.until, ask, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Pause> for Change {
    fn from(c: Pause) -> Change {
        Change::Pause(c)
    }
}
