//! 领导包案（一案一策）: a leader takes the case with a team and a plan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::last_history;
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::{Dispute, PlanStep};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub leader: String,
    pub team: Vec<String>,
    pub plan: Vec<PlanStep>,
    pub deadline: NaiveDate,
}

impl Described for Package {
    const SPEC: Spec = Spec {
        op: Op::Package,
        action: "包案",
        verb: "包案",
        done: "已包案",
        cli: "package",
        entry: Entry::Form("领导包案（一案一策）"),
        who: Who::Lead,
    };
}

impl CaseOp for Package {
    fn prepare(&mut self, cx: &Cx) -> Result<(), DeskError> {
        self.leader = cx.roster.leader(&self.leader)?;
        self.team = self
            .team
            .iter()
            .map(|t| cx.roster.worker(t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(())
    }

    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.package(
            &self.leader,
            self.team,
            self.plan,
            self.deadline,
            cx.by(),
            cx.now,
        )?;
        Ok(last_history(d))
    }
}

impl From<Package> for Change {
    fn from(c: Package) -> Change {
        Change::Package(c)
    }
}
