//! 复核重点人员: keep the person on the register until a later review date
//! (延期), or end the listing (解除列管) — either with a reason.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Change, Cx, Described, Entry, Op, PersonOp, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::person::KeyPerson;
use crate::domain::text::clean_line;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPerson {
    pub reason: String,
    /// None ends the listing.
    pub next_review: Option<NaiveDate>,
}

impl Described for ReviewPerson {
    const SPEC: Spec = Spec {
        op: Op::ReviewPerson,
        action: "复核延期",
        verb: "复核重点人员",
        done: "已复核：延长列管",
        cli: "person review",
        entry: Entry::Form("复核重点人员"),
        who: Who::Desk,
    };
}

impl ReviewPerson {
    pub fn done(&self) -> &'static str {
        if self.next_review.is_some() {
            Self::SPEC.done
        } else {
            "已复核：解除列管"
        }
    }
}

impl PersonOp for ReviewPerson {
    fn action(&self) -> &'static str {
        if self.next_review.is_some() {
            Self::SPEC.action
        } else {
            "解除列管"
        }
    }

    fn apply(self, cx: &Cx, p: &mut KeyPerson) -> Result<String, DeskError> {
        p.review(&self.reason, self.next_review, cx.by(), cx.now)?;
        Ok(format!("{} 理由：{}", p.name, clean_line(&self.reason)))
    }
}

impl From<ReviewPerson> for Change {
    fn from(c: ReviewPerson) -> Change {
        Change::ReviewPerson(c)
    }
}
