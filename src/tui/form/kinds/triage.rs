//! 研判: risk level, warning signs, tier; starts from the case's own.

use super::{labels, Built, Start};
use crate::desk::ops::Triage;
use crate::domain::lists::{RiskLevel, Tier, WarningFlag};
use crate::tui::form::{join, Field, FieldKind, Form, Key};

pub(super) fn fields(s: &Start) -> Vec<Field> {
    let s = s.summary;
    vec![
        Field::new(
            Key::Risk,
            "风险等级",
            true,
            FieldKind::Choice(labels(RiskLevel::ALL, RiskLevel::label)),
        )
        .value(s.and_then(|s| s.risk).unwrap_or(RiskLevel::Medium).label()),
        Field::new(
            Key::Flags,
            "预警情形",
            false,
            FieldKind::Multi(labels(WarningFlag::ALL, WarningFlag::label)),
        )
        .value(
            &s.map(|s| join(s.flags.iter().map(|f| f.label())))
                .unwrap_or_default(),
        ),
        Field::new(
            Key::Tier,
            "化解层级",
            true,
            FieldKind::Choice(labels(Tier::ALL, Tier::label)),
        )
        .value(s.map(|s| s.tier).unwrap_or(Tier::Village).label()),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let risk = f.choice(Key::Risk, RiskLevel::parse)?;
    let tier = f.choice(Key::Tier, Tier::parse)?;
    let flags = f.flags()?;
    Some(Built::PerTarget(
        Triage {
            risk,
            flags,
            tier: Some(tier),
        }
        .into(),
    ))
}
