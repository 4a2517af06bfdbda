//! 上报 / 交办下级: the tier, starting one above the case's own.

use super::{labels, Built, Start};
use crate::desk::ops::ChangeTier;
use crate::domain::lists::Tier;
use crate::tui::form::{Field, FieldKind, Form, Key};

pub(super) fn fields(s: &Start) -> Vec<Field> {
    vec![
        Field::new(
            Key::To,
            "调整到",
            true,
            FieldKind::Choice(labels(Tier::ALL, Tier::label)),
        )
        .value(
            s.summary
                .map(|s| match s.tier {
                    Tier::Village => Tier::Township,
                    _ => Tier::County,
                })
                .unwrap_or(Tier::Township)
                .label(),
        ),
        Field::new(Key::Reason, "理由", true, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let to = f.choice(Key::To, Tier::parse)?;
    Some(Built::PerTarget(
        ChangeTier {
            to,
            reason: f.get(Key::Reason),
        }
        .into(),
    ))
}
