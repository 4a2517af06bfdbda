//! 签收预警: someone on the desk has seen the alert and takes it on. One
//! key, no form; who and when go into the case history and the audit log.

use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckAlert;

impl Described for AckAlert {
    const SPEC: Spec = Spec {
        op: Op::AckAlert,
        action: "签收预警",
        verb: "签收预警",
        done: "已签收预警",
        cli: "ack",
        entry: Entry::OneKey,
        who: Who::Desk,
    };
}

impl CaseOp for AckAlert {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.ack_alerts(cx.by(), cx.now)?;
        Ok(last_history(d))
    }
}

impl From<AckAlert> for Change {
    fn from(c: AckAlert) -> Change {
        Change::AckAlert(c)
    }
}
