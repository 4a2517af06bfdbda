//! 回访: how, whether the agreement holds, satisfaction, any rebound.

use super::{choice, labels, owned, Built, Start};
use crate::desk::ops::FollowUp;
use crate::domain::lists::VisitMethod;
use crate::tui::form::{Field, FieldKind, Form, Key, Options, NO, YES};

const SATISFACTION: [&str; 3] = ["满意", "基本满意", "不满意"];

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        choice(
            Key::Method,
            "回访方式",
            labels(VisitMethod::ALL, VisitMethod::label),
            VisitMethod::Home.label(),
        ),
        Field::new(Key::Honoured, "协议是否履行", true, FieldKind::Toggle).value(YES),
        choice(
            Key::Satisfaction,
            "当事人满意度",
            Options::Fixed(owned(&SATISFACTION)),
            SATISFACTION[0],
        ),
        Field::new(Key::Rebound, "有无反弹迹象", true, FieldKind::Toggle).value(NO),
        Field::new(Key::Finding, "回访情况及所做工作", true, FieldKind::Text),
        Field::new(Key::Reopen, "重新办理", true, FieldKind::Toggle)
            .value(NO)
            .hint("纠纷反弹时选“是”，案件回到调处中"),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let method = f.choice(Key::Method, VisitMethod::parse)?;
    let reopen = f.get(Key::Reopen) == YES;
    Some(Built::PerTarget(
        FollowUp {
            method,
            honoured: f.get(Key::Honoured) == YES,
            satisfaction: f.get(Key::Satisfaction),
            // Reopening means it rebounded.
            rebound: f.get(Key::Rebound) == YES || reopen,
            finding: f.lines(Key::Finding),
            reopen,
        }
        .into(),
    ))
}
