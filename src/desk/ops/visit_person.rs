//! 走访重点人员: the person's 联系干部 records a visit — met, or not met with
//! the reason (未见面); a grade assessed at the visit resets the cadence.
//! Failed visits in a row raise 失访; an unstable grade raises an alert.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::context::preview;
use super::{Change, Cx, Described, Entry, Op, PersonOp, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::lists::{FailReason, PersonGrade, VisitMethod};
use crate::domain::person::{KeyPerson, VisitEntry};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitPerson {
    pub date: NaiveDate,
    pub method: VisitMethod,
    pub finding: String,
    /// Set when the person was not met.
    pub failed: Option<FailReason>,
    pub grade: Option<PersonGrade>,
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
        let rules = cx.local.person_rules()?;
        let (date, method, failed, grade) = (self.date, self.method, self.failed, self.grade);
        let raised = p.visit(
            VisitEntry {
                date,
                method,
                finding: self.finding,
                failed,
                grade,
            },
            &rules,
            cx.by(),
            cx.now,
        )?;
        let mut detail = format!("{} {} {}", p.name, date, method.label());
        if let Some(f) = failed {
            detail.push_str(&format!(" 未见面（{}）", f.label()));
        }
        if let Some(g) = grade {
            detail.push_str(&format!(" 危险等级 {}", g.label()));
        }
        let last = p.visits.last().map(|v| v.finding.as_str()).unwrap_or("");
        detail.push_str(&format!("：{}", preview(last)));
        for kind in raised {
            detail.push_str(&format!("；预警：{}", kind.label()));
        }
        Ok(detail)
    }
}

impl From<VisitPerson> for Change {
    fn from(c: VisitPerson) -> Change {
        Change::VisitPerson(c)
    }
}
