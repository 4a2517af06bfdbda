//! 添加进展: how, and what happened.

use super::{choice, labels, Built, Start};
use crate::desk::ops::Note;
use crate::domain::lists::ContactKind;
use crate::tui::form::{Field, FieldKind, Form, Key};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        choice(
            Key::Kind,
            "方式",
            labels(ContactKind::ALL, ContactKind::label),
            ContactKind::Visit.label(),
        ),
        Field::new(Key::Text, "进展情况", true, FieldKind::Lines),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let kind = f.choice(Key::Kind, ContactKind::parse)?;
    Some(Built::PerTarget(
        Note {
            kind,
            text: f.lines(Key::Text),
        }
        .into(),
    ))
}
