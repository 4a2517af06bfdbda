//! 领导包案（一案一策）: leader, team, the plan line by line, deadline.

use super::{Built, Start};
use crate::desk::ops::Package;
use crate::domain::dispute::PlanStep;
use crate::domain::text::parse_date;
use crate::tui::form::{login_of, split_multi, Ctx, Field, FieldKind, Form, Key, Options};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        Field::new(
            Key::Leader,
            "包案领导",
            true,
            FieldKind::Choice(Options::Leaders),
        ),
        Field::new(
            Key::Team,
            "工作专班",
            false,
            FieldKind::Multi(Options::Workers),
        ),
        Field::new(Key::Plan, "一案一策", false, FieldKind::Lines)
            .hint("每行一步：日期 内容，如 11月28日 召开联合调解会"),
        Field::new(Key::Deadline, "包案时限", true, FieldKind::Date),
    ]
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let deadline = f.date(Key::Deadline, ctx).ok()?;
    let plan = plan(f, ctx)?;
    let leader = login_of(&f.get(Key::Leader));
    let team = split_multi(&f.get(Key::Team))
        .iter()
        .map(|t| login_of(t))
        .collect();
    Some(Built::PerTarget(
        Package {
            leader,
            team,
            plan,
            deadline: deadline?,
        }
        .into(),
    ))
}

/// Each line of the plan: a date, then what happens.
fn plan(f: &mut Form, ctx: &Ctx) -> Option<Vec<PlanStep>> {
    let mut steps = Vec::new();
    for (n, line) in f.lines(Key::Plan).lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, text) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match parse_date(date, ctx.today) {
            Ok(date) if !text.trim().is_empty() => steps.push(PlanStep {
                date,
                text: text.trim().to_string(),
                done: false,
            }),
            Ok(_) => {
                f.fail(Key::Plan, format!("第 {} 行只有日期，没有内容", n + 1));
                return None;
            }
            Err(e) => {
                f.fail(
                    Key::Plan,
                    format!("第 {} 行：{e}（每行：日期 内容）", n + 1),
                );
                return None;
            }
        }
    }
    Some(steps)
}
