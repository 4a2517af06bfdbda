//! 交办（四定）: a lead leader, a unit, a person and a deadline. Without a
//! deadline the case gets the default one (`domain::deadline`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::{in_list, last_history};
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::deadline::default_deadline;
use crate::domain::dispute::Dispute;
use crate::domain::period;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assign {
    pub leader: String,
    pub unit: String,
    pub person: String,
    pub deadline: Option<NaiveDate>,
}

impl Described for Assign {
    const SPEC: Spec = Spec {
        op: Op::Assign,
        action: "交办",
        verb: "交办",
        done: "已交办",
        cli: "assign",
        entry: Entry::Form("交办（四定）"),
        who: Who::Desk,
    };
}

impl CaseOp for Assign {
    fn prepare(&mut self, cx: &Cx) -> Result<(), DeskError> {
        self.leader = cx.roster.leader(&self.leader)?;
        self.person = cx.roster.worker(&self.person)?;
        self.unit = in_list(&cx.lists.units, "责任单位", &self.unit)?;
        Ok(())
    }

    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        let (deadline, note) = match self.deadline {
            Some(given) => (given, String::new()),
            None => {
                let active = period::active_on(&cx.local.periods()?, cx.today());
                let dl = default_deadline(&cx.lists.settings, d.risk, &active, cx.today());
                (dl.date, dl.history_note())
            }
        };
        d.assign(
            &self.leader,
            &self.unit,
            &self.person,
            deadline,
            cx.by(),
            cx.now,
        )?;
        if let Some(h) = d.history.last_mut() {
            h.what.push_str(&note);
        }
        Ok(last_history(d))
    }
}

impl From<Assign> for Change {
    fn from(c: Assign) -> Change {
        Change::Assign(c)
    }
}
