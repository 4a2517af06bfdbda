//! 交办（四定）: leader, unit, person, deadline. The deadline's hint is the
//! default the server will use (`domain::deadline`), sensitive periods
//! included.

use super::{officer_text, Built, Start};
use crate::desk::ops::Assign;
use crate::domain::assign_hint::AssignHint;
use crate::domain::deadline::default_deadline;
use crate::tui::form::{login_of, Ctx, Field, FieldKind, Form, Key, Options};

/// The deadline field's hint: what leaving it empty gives.
pub(in crate::tui) fn deadline_hint(s: &Start) -> String {
    let ctx = s.ctx;
    let Some(risk) = s.summary.and_then(|s| s.risk) else {
        return "不填按风险等级默认".into();
    };
    let dl = default_deadline(&ctx.lists.settings, Some(risk), ctx.periods, ctx.today);
    let tightened = match &dl.tightened_by {
        Some(periods) => format!("（敏感时期{periods}从严）"),
        None => String::new(),
    };
    format!(
        "不填按风险等级“{}”默认 {} 天{tightened}：{}",
        risk.label(),
        dl.days,
        dl.date
    )
}

/// 四定, the person first: choosing the 责任人 fills the unit from the
/// roster (see `App::picked`), so a wrong suggestion costs one choice.
pub(super) fn fields(s: &Start) -> Vec<Field> {
    vec![
        Field::new(
            Key::Person,
            "责任人",
            true,
            FieldKind::Choice(Options::Workers),
        ),
        Field::new(
            Key::Unit,
            "责任单位",
            true,
            FieldKind::Choice(Options::Units),
        ),
        Field::new(
            Key::Leader,
            "牵头领导",
            true,
            FieldKind::Choice(Options::Leaders),
        )
        .value(
            &s.summary
                .and_then(|s| s.leader.clone())
                .map(|l| officer_text(s.ctx, &l))
                .unwrap_or_default(),
        ),
        Field::new(Key::Deadline, "化解时限", false, FieldKind::Date).hint(deadline_hint(s)),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let deadline = f.date(Key::Deadline, ctx).ok()?;
    if let Some(d) = deadline.filter(|d| *d < ctx.today) {
        f.fail(
            Key::Deadline,
            format!("化解时限 {d} 已过，请填今天或以后的日期"),
        );
        return None;
    }
    Some(Built::PerTarget(
        Assign {
            leader: login_of(&f.get(Key::Leader)),
            unit: f.get(Key::Unit),
            person: login_of(&f.get(Key::Person)),
            deadline,
        }
        .into(),
    ))
}

/// The 四定 the township's history suggests for a case, as its fields
/// show them; the rule is `domain::assign_hint`.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub leader: Option<String>,
    pub unit: String,
    pub person: Option<String>,
    pub reason: String,
}

impl Offer {
    /// The server's suggestion (`Request::AssignHint`) as the form words it.
    pub(in crate::tui) fn of(ctx: &Ctx, hint: AssignHint) -> Offer {
        Offer {
            leader: hint.leader.map(|l| officer_text(ctx, &l)),
            unit: hint.unit,
            person: hint.person.map(|p| officer_text(ctx, &p)),
            reason: hint.reason,
        }
    }

    /// (field, value) pairs the offer fills.
    pub fn values(&self) -> Vec<(Key, &str)> {
        let mut out = Vec::new();
        out.extend(self.leader.as_deref().map(|l| (Key::Leader, l)));
        out.push((Key::Unit, self.unit.as_str()));
        out.extend(self.person.as_deref().map(|p| (Key::Person, p)));
        out
    }
}
