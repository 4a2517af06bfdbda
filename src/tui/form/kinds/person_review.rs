//! 复核重点人员: 延期列管 (with the next review date) or 解除列管.

use super::{choice, owned, Built, Start};
use crate::desk::ops::ReviewPerson;
use crate::tui::form::{Ctx, Field, FieldKind, Form, Key, Options};

const REVIEWS: [&str; 2] = ["延期列管", "解除列管"];

pub(super) fn fields(s: &Start) -> Vec<Field> {
    vec![
        choice(
            Key::Decision,
            "复核结论",
            Options::Fixed(owned(&REVIEWS)),
            REVIEWS[0],
        ),
        Field::new(Key::Reason, "理由", true, FieldKind::Text),
        Field::new(Key::Next, "下次复核日期", false, FieldKind::Date).hint(
            s.person
                .map(|p| format!("延期列管时必填；本次复核日期 {}", p.review_date))
                .unwrap_or_else(|| "延期列管时必填".into()),
        ),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let extend = f.get(Key::Decision) == REVIEWS[0];
    let next = f.date(Key::Next, ctx).ok()?;
    if extend && next.is_none() {
        f.fail(Key::Next, "延期列管须填下次复核日期");
        return None;
    }
    Some(Built::PerTarget(
        ReviewPerson {
            reason: f.get(Key::Reason),
            next_review: if extend { next } else { None },
        }
        .into(),
    ))
}
