//! 转办: the unit and 责任人 the case goes to, and why. (移送 to another
//! township writes a ledger packet, so it is `desk transfer --township`.)

use super::{Built, Start};
use crate::desk::ops::{Transfer, TransferTo};
use crate::tui::form::{login_of, Field, FieldKind, Form, Key, Options};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        Field::new(
            Key::Unit,
            "转至单位",
            true,
            FieldKind::Choice(Options::Units),
        ),
        Field::new(
            Key::Person,
            "转至责任人",
            true,
            FieldKind::Choice(Options::Workers),
        ),
        Field::new(Key::Reason, "转办理由", true, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    Some(Built::PerTarget(
        Transfer {
            to: TransferTo::Unit {
                unit: f.get(Key::Unit),
                person: login_of(&f.get(Key::Person)),
            },
            reason: f.lines(Key::Reason),
        }
        .into(),
    ))
}
