//! 申请延期: the new deadline and why.

use super::{Built, Start};
use crate::desk::ops::Extend;
use crate::tui::form::{Ctx, Field, FieldKind, Form, Key};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        Field::new(Key::Deadline, "延至", true, FieldKind::Date),
        Field::new(Key::Reason, "延期理由", true, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let deadline = f.date(Key::Deadline, ctx).ok()??;
    Some(Built::PerTarget(
        Extend {
            deadline,
            reason: f.get(Key::Reason),
        }
        .into(),
    ))
}
