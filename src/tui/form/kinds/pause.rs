//! 中止: why, and the expected resume date (a month from today unless
//! changed, so pausing is the key, the reason and Ctrl-S).

use super::{Built, Start};
use crate::desk::ops::Pause;
use crate::tui::form::{Ctx, Field, FieldKind, Form, Key};

/// How far ahead the resume date starts.
const DEFAULT_DAYS: u64 = 30;

pub(super) fn fields(s: &Start) -> Vec<Field> {
    let until = s.ctx.today + chrono::Days::new(DEFAULT_DAYS);
    vec![
        Field::new(Key::Reason, "中止理由", true, FieldKind::Text)
            .hint("诉讼中、仲裁中、等待鉴定、当事人外出……"),
        Field::new(Key::Date, "预计恢复日期", true, FieldKind::Date)
            .value(&until.to_string())
            .hint("到期自动恢复办理，时限顺延中止的天数"),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let until = f.date(Key::Date, ctx).ok()??;
    if until <= ctx.today {
        f.fail(Key::Date, format!("预计恢复日期 {until} 须在今天以后"));
        return None;
    }
    Some(Built::PerTarget(
        Pause {
            reason: f.lines(Key::Reason),
            until,
        }
        .into(),
    ))
}
