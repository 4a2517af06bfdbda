//! 转办 / 移送: the case goes to another unit and 责任人 (who 签收 or 退回
//! it with `desk accept` / `desk reject`), or to another township by name.

use serde::{Deserialize, Serialize};

use super::context::{in_list, last_history};
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;

/// Where the case goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TransferTo {
    /// 转办 within the township: a 责任单位 from the list and a 责任人.
    Unit { unit: String, person: String },
    /// 移送 to another township (its ledger packet is written by the client).
    Township { name: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub to: TransferTo,
    pub reason: String,
}

impl Described for Transfer {
    const SPEC: Spec = Spec {
        op: Op::Transfer,
        action: "转办",
        verb: "转办",
        done: "已转办",
        cli: "transfer",
        entry: Entry::Form("转办 / 移送"),
        // Where a case goes is the desk's decision, not its 责任人's.
        who: Who::Desk,
    };
}

impl CaseOp for Transfer {
    fn prepare(&mut self, cx: &Cx) -> Result<(), DeskError> {
        match &mut self.to {
            TransferTo::Unit { unit, person } => {
                *person = cx.roster.worker(person)?;
                *unit = in_list(&cx.lists.units, "责任单位", unit)?;
            }
            TransferTo::Township { name } => {
                if cx.lists.townships.is_empty() {
                    return Err(DeskError::Invalid(
                        "还没有可移送的乡镇(街道)：请管理员先添加（desk lists add township 乡镇名）"
                            .into(),
                    ));
                }
                *name = in_list(&cx.lists.townships, "乡镇(街道)", name)?;
            }
        }
        Ok(())
    }

    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        match &self.to {
            TransferTo::Unit { unit, person } => {
                d.transfer(unit, person, &self.reason, cx.by(), cx.now)?
            }
            TransferTo::Township { name } => d.move_out(name, &self.reason, cx.by(), cx.now)?,
        }
        Ok(last_history(d))
    }

    fn action(&self) -> &'static str {
        match self.to {
            TransferTo::Unit { .. } => "转办",
            TransferTo::Township { .. } => "移送",
        }
    }
}

impl Transfer {
    pub fn done(&self) -> &'static str {
        match self.to {
            TransferTo::Unit { .. } => "已转办，等对方签收",
            TransferTo::Township { .. } => "已移送",
        }
    }
}

impl From<Transfer> for Change {
    fn from(c: Transfer) -> Change {
        Change::Transfer(c)
    }
}
