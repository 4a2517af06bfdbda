//! 签收重点人员预警: 失访 or an unstable grade. Acknowledging 失访 needs
//! the plan (措施) the desk will follow; who, when and the plan are kept.

use serde::{Deserialize, Serialize};

use super::{Change, Cx, Described, Entry, Op, PersonOp, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::person::KeyPerson;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckPersonAlert {
    /// 措施; required when a 失访 alert is among those acknowledged.
    pub plan: String,
}

impl Described for AckPersonAlert {
    const SPEC: Spec = Spec {
        op: Op::AckPersonAlert,
        action: "签收重点人员预警",
        verb: "签收重点人员预警",
        done: "已签收重点人员预警",
        cli: "person ack",
        entry: Entry::Form("签收重点人员预警"),
        who: Who::Desk,
    };
}

impl PersonOp for AckPersonAlert {
    fn apply(self, cx: &Cx, p: &mut KeyPerson) -> Result<String, DeskError> {
        Ok(p.ack_alerts(&self.plan, cx.by(), cx.now)?)
    }
}

impl From<AckPersonAlert> for Change {
    fn from(c: AckPersonAlert) -> Change {
        Change::AckPersonAlert(c)
    }
}
