//! 挂牌督办 / 撤销督办. One key, no form: it toggles.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supervise {
    /// On: 挂牌督办; off: 撤销督办.
    pub on: bool,
}

impl Described for Supervise {
    const SPEC: Spec = Spec {
        op: Op::Supervise,
        action: "挂牌督办",
        verb: "挂牌督办",
        done: "已挂牌督办",
        cli: "supervise",
        entry: Entry::OneKey,
        who: Who::Desk,
    };
}

impl Supervise {
    pub fn done(&self) -> &'static str {
        if self.on {
            Self::SPEC.done
        } else {
            "已撤销督办"
        }
    }
}

impl CaseOp for Supervise {
    fn action(&self) -> &'static str {
        if self.on {
            Self::SPEC.action
        } else {
            "撤销督办"
        }
    }

    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.supervise(self.on, cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<Supervise> for Change {
    fn from(c: Supervise) -> Change {
        Change::Supervise(c)
    }
}
