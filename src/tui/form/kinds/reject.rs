//! 退回: the reason.

use super::{Built, Start};
use crate::desk::ops::Reject;
use crate::tui::form::{Field, FieldKind, Form, Key};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![Field::new(Key::Reason, "退回理由", true, FieldKind::Text)]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    Some(Built::PerTarget(
        Reject {
            reason: f.lines(Key::Reason),
        }
        .into(),
    ))
}
