//! 走访重点人员: when, how, what was found.

use super::{choice, labels, Built, Start};
use crate::desk::ops::VisitPerson;
use crate::domain::lists::VisitMethod;
use crate::tui::form::{Ctx, Field, FieldKind, Form, Key};

pub(super) fn fields(s: &Start) -> Vec<Field> {
    vec![
        Field::new(Key::Date, "走访日期", true, FieldKind::Date).value(&s.ctx.today.to_string()),
        choice(
            Key::Method,
            "方式",
            labels(VisitMethod::ALL, VisitMethod::label),
            VisitMethod::Home.label(),
        ),
        Field::new(Key::Finding, "走访情况", true, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let date = f.date(Key::Date, ctx).ok()??;
    let method = f.choice(Key::Method, VisitMethod::parse)?;
    Some(Built::PerTarget(
        VisitPerson {
            date,
            method,
            finding: f.lines(Key::Finding),
        }
        .into(),
    ))
}
