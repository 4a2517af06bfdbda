//! 走访重点人员: the person's 联系干部 records a visit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::preview;
use super::{Change, Cx, Described, Entry, Op, PersonOp, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::lists::VisitMethod;
use crate::domain::person::KeyPerson;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitPerson {
    pub date: NaiveDate,
    pub method: VisitMethod,
    pub finding: String,
}

impl Described for VisitPerson {
    const SPEC: Spec = Spec {
        op: Op::VisitPerson,
        action: "走访重点人员",
        verb: "登记走访",
        done: "已记录走访",
        cli: "person visit",
        entry: Entry::Form("走访重点人员"),
        who: Who::PersonOfficer,
    };
}

impl PersonOp for VisitPerson {
    fn apply(self, cx: &Cx, p: &mut KeyPerson) -> Result<String, DeskError> {
        p.visit(self.date, self.method, &self.finding, cx.by(), cx.now)?;
        Ok(format!(
            "{} {} {}：{}",
            p.name,
            self.date,
            self.method.label(),
            preview(&self.finding)
        ))
    }
}

impl From<VisitPerson> for Change {
    fn from(c: VisitPerson) -> Change {
        Change::VisitPerson(c)
    }
}
