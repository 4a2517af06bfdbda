//! 化解销号: the outcome and how it was reached.

use super::{choice, labels, Built, Start};
use crate::desk::ops::Close;
use crate::domain::lists::Outcome;
use crate::tui::form::{Field, FieldKind, Form, Key};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        choice(
            Key::Outcome,
            "化解结果",
            labels(Outcome::ALL, Outcome::label),
            Outcome::WrittenAgreement.label(),
        ),
        Field::new(Key::Summary, "化解情况", true, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let outcome = f.choice(Key::Outcome, Outcome::parse)?;
    Some(Built::PerTarget(
        Close {
            outcome,
            summary: f.lines(Key::Summary),
        }
        .into(),
    ))
}
