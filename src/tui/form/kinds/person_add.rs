//! 登记重点人员: who, where, why, and when to review.

use super::{labels, Built, Start};
use crate::desk::api::Request;
use crate::desk::ops::Op;
use crate::domain::lists::{PersonCategory, RiskLevel};
use crate::domain::person::NewPerson;
use crate::tui::form::{login_of, Ctx, Field, FieldKind, Form, Key, Options};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        Field::new(Key::Name, "姓名", true, FieldKind::Text),
        Field::new(
            Key::Village,
            "村(社区)",
            true,
            FieldKind::Choice(Options::Villages),
        ),
        Field::new(
            Key::Category,
            "人员类别",
            true,
            FieldKind::Choice(labels(PersonCategory::ALL, PersonCategory::label)),
        ),
        Field::new(
            Key::Risk,
            "风险等级",
            true,
            FieldKind::Choice(labels(RiskLevel::ALL, RiskLevel::label)),
        )
        .value(RiskLevel::Medium.label()),
        Field::new(
            Key::Officer,
            "联系干部",
            true,
            FieldKind::Choice(Options::Workers),
        ),
        Field::new(Key::Reason, "列管理由", true, FieldKind::Text),
        Field::new(Key::Review, "复核日期", true, FieldKind::Date).hint("到期须复核：延期或解除"),
        Field::new(Key::Phone, "电话", false, FieldKind::Text),
        Field::new(Key::IdNumber, "身份证号", false, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let category = f.choice(Key::Category, PersonCategory::parse)?;
    let risk = f.choice(Key::Risk, RiskLevel::parse)?;
    let review = f.date(Key::Review, ctx).ok()?;
    if let Some(d) = review.filter(|d| *d <= ctx.today) {
        f.fail(Key::Review, format!("复核日期 {d} 须在今天以后"));
        return None;
    }
    let opt = |s: String| (!s.is_empty()).then_some(s);
    let new = NewPerson {
        name: f.get(Key::Name),
        village: f.get(Key::Village),
        category,
        risk,
        officer: login_of(&f.get(Key::Officer)),
        interval_days: None,
        reason: f.lines(Key::Reason),
        review_date: review,
        phone: opt(f.get(Key::Phone)),
        id_number: opt(f.get(Key::IdNumber)),
        grade: None,
        household: None,
    };
    Some(Built::Once {
        request: Request::AddPerson { new },
        done: Op::AddPerson.spec().done,
    })
}
