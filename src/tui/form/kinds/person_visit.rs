//! 走访重点人员: when, how, whether the person was met, what was found.

use super::{choice, labels, Built, Start};
use crate::desk::ops::VisitPerson;
use crate::domain::lists::{FailReason, VisitMethod};
use crate::tui::form::{Ctx, Field, FieldKind, Form, Key, Options};

/// The 见面 choice's first option; the others are the reasons for not meeting.
const MET: &str = "见到本人";

pub(super) fn fields(s: &Start) -> Vec<Field> {
    let mut met = vec![MET.to_string()];
    met.extend(
        FailReason::ALL
            .iter()
            .map(|r| format!("未见面：{}", r.label())),
    );
    vec![
        Field::new(Key::Date, "走访日期", true, FieldKind::Date).value(&s.ctx.today.to_string()),
        choice(
            Key::Method,
            "方式",
            labels(VisitMethod::ALL, VisitMethod::label),
            VisitMethod::Home.label(),
        ),
        choice(Key::Met, "是否见面", Options::Fixed(met), MET),
        Field::new(Key::Finding, "走访情况", false, FieldKind::Text)
            .hint("见到本人时必填；未见面可补充说明"),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let date = f.date(Key::Date, ctx).ok()??;
    let method = f.choice(Key::Method, VisitMethod::parse)?;
    let met = f.get(Key::Met);
    let failed = match met.strip_prefix("未见面：") {
        Some(reason) => Some(FailReason::parse(reason).ok()?),
        None => None,
    };
    let finding = f.lines(Key::Finding);
    if failed.is_none() && finding.trim().is_empty() {
        f.fail(Key::Finding, "见到本人时须填写走访情况".to_string());
        return None;
    }
    Some(Built::PerTarget(
        VisitPerson {
            date,
            method,
            finding,
            failed,
            grade: None,
        }
        .into(),
    ))
}
