//! 签收重点人员预警: 失访 is acknowledged only with the plan (措施) the
//! desk will follow; an unstable-grade alert may be acknowledged without.

use super::{Built, Start};
use crate::desk::ops::AckPersonAlert;
use crate::domain::person::PersonAlertKind;
use crate::tui::form::{Field, FieldKind, Form, Key};

pub(super) fn fields(s: &Start) -> Vec<Field> {
    let lost = s.person.is_some_and(|p| {
        p.open_alerts()
            .any(|a| a.kind == PersonAlertKind::LostContact)
    });
    vec![Field::new(Key::Plan, "措施", lost, FieldKind::Text)
        .hint("失访须写明措施：如何恢复联系、谁负责")]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    Some(Built::PerTarget(
        AckPersonAlert {
            plan: f.lines(Key::Plan),
        }
        .into(),
    ))
}
