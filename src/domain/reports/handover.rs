//! 交接班: what changed this shift, what falls due in the next 24 hours,
//! who has not reported, and the cases most at risk, with their reasons.

use chrono::{Days, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    active_names, context, counts, counts_line, md_cn, top_risks, CaseLine, Change, Count, Data,
    Figures, Kind, Report, Sections,
};
use crate::domain::dispute::Time;
use crate::domain::text::clean_line;

/// A shift without a stated start: the last 12 hours.
pub const DEFAULT_SHIFT_HOURS: i64 = 12;
/// Change lines written out; the rest are counted.
const LISTED: usize = 40;
/// Cases listed under 风险最高.
pub const TOP: usize = 5;
/// Longest detail shown on a change line.
const DETAIL_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverFigures {
    pub from: Time,
    pub to: Time,
    pub periods: Vec<String>,
    pub changes_total: u32,
    pub by_action: Vec<Count>,
    pub changes: Vec<Change>,
    /// Open cases due today or tomorrow.
    pub due_soon: Vec<CaseLine>,
    pub overdue: u32,
    /// Today's roll-call, when it runs: who is missing.
    pub rollcall_missing: Option<Vec<String>>,
    pub rollcall_due_hour: u32,
    pub top_risks: Vec<CaseLine>,
    /// Alerts the next shift inherits unacknowledged.
    #[serde(default)]
    pub open_alerts: Vec<CaseLine>,
    #[serde(default)]
    pub persons: super::PersonCounts,
}

/// The changes of a shift: reads (查阅…) are not changes.
pub fn is_change(c: &Change) -> bool {
    crate::domain::record::Read::of_action(&c.action).is_none()
}

pub fn figures(since: Option<Time>, data: &Data) -> HandoverFigures {
    let to = data.now;
    let from = since.unwrap_or(to - Duration::hours(DEFAULT_SHIFT_HOURS));
    let today = to.date_naive();
    let tomorrow: NaiveDate = today + Days::new(1);
    let changes: Vec<Change> = data
        .changes
        .iter()
        .filter(|c| c.at >= from && c.at <= to && is_change(c))
        .map(|c| Change {
            actor: data.names.name(&c.actor).to_string(),
            target: data.names.target(&c.target),
            detail: data.names.in_text(&c.detail),
            ..c.clone()
        })
        .collect();
    let ctx = context(data, today);
    let mut due: Vec<CaseLine> = data
        .summaries
        .iter()
        .filter(|s| s.status.is_open())
        .filter(|s| s.deadline.is_some_and(|d| today <= d && d <= tomorrow))
        .map(|s| CaseLine::of(s, &ctx))
        .map(|c| CaseLine {
            person: c.person.as_deref().map(|p| data.names.name(p).to_string()),
            ..c
        })
        .collect();
    due.sort_by(|a, b| (a.deadline, -a.score, &a.id).cmp(&(b.deadline, -b.score, &b.id)));
    HandoverFigures {
        from,
        to,
        periods: active_names(data.periods, today),
        changes_total: changes.len() as u32,
        by_action: counts(changes.iter().map(|c| c.action.as_str())),
        changes,
        due_soon: due,
        overdue: data
            .summaries
            .iter()
            .filter(|s| s.is_overdue(today))
            .count() as u32,
        rollcall_missing: data
            .rollcall
            .filter(|r| r.running && r.date == today)
            .map(|r| r.missing.clone()),
        rollcall_due_hour: data.rollcall.map(|r| r.due_hour).unwrap_or(17),
        top_risks: top_risks(data, &ctx, TOP),
        open_alerts: super::daily::open_alerts(today, data),
        persons: data.persons,
    }
}

fn when(t: &Time, today: NaiveDate) -> String {
    if t.date_naive() == today {
        t.format("%H:%M").to_string()
    } else {
        format!("{} {}", md_cn(t.date_naive()), t.format("%H:%M"))
    }
}

fn short(text: &str) -> String {
    let text = clean_line(text);
    if text.chars().count() > DETAIL_CHARS {
        let mut s: String = text.chars().take(DETAIL_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        text
    }
}

pub fn build(since: Option<Time>, data: &Data) -> Report {
    let f = figures(since, data);
    let today = f.to.date_naive();
    let title = "交接班".to_string();
    let mut t = format!(
        "【{title}】\n本班：{} {} 至 {} {}\n",
        md_cn(f.from.date_naive()),
        f.from.format("%H:%M"),
        md_cn(today),
        f.to.format("%H:%M")
    );
    if !f.periods.is_empty() {
        t.push_str(&format!("敏感时期：{}\n", f.periods.join("、")));
    }
    let mut sec = Sections::default();
    if f.changes.is_empty() {
        t.push_str(&sec.next("本班无改动"));
    } else {
        t.push_str(&sec.next(&format!("本班改动{}条", f.changes_total)));
        t.push_str(&format!("{}\n", counts_line(&f.by_action, "")));
        for c in f.changes.iter().take(LISTED) {
            let mut line = format!(
                "{} {} {}",
                when(&c.at, today),
                clean_line(&c.actor),
                clean_line(&c.action)
            );
            for part in [&c.target, &c.detail] {
                if !part.is_empty() {
                    line.push(' ');
                    line.push_str(&short(part));
                }
            }
            t.push_str(&line);
            t.push('\n');
        }
        if f.changes.len() > LISTED {
            t.push_str(&format!(
                "……另有{}条，见 desk log\n",
                f.changes.len() - LISTED
            ));
        }
    }
    let overdue = if f.overdue > 0 {
        format!("（另有逾期{}件）", f.overdue)
    } else {
        String::new()
    };
    if f.due_soon.is_empty() {
        t.push_str(&sec.next(&format!("今明两天无到期案件{overdue}")));
    } else {
        t.push_str(&sec.next(&format!("今明两天到期{}件{overdue}", f.due_soon.len())));
        for c in &f.due_soon {
            let day = match c.deadline {
                Some(d) if d == today => "今天到期".to_string(),
                _ => "明天到期".to_string(),
            };
            let who = c
                .person
                .as_deref()
                .map(|p| format!("，责任人{}", clean_line(p)))
                .unwrap_or_default();
            t.push_str(&format!("{} {}{who}\n", c.head(), day));
        }
    }
    if let Some(missing) = &f.rollcall_missing {
        if missing.is_empty() {
            t.push_str(&sec.next("今日点名已全部报告"));
        } else {
            t.push_str(&sec.next(&format!(
                "今日点名未报{}个（{}:00截止）",
                missing.len(),
                f.rollcall_due_hour
            )));
            t.push_str(&format!("{}\n", missing.join("、")));
        }
    }
    if !f.open_alerts.is_empty() {
        t.push_str(&sec.next(&format!("未签收预警{}件", f.open_alerts.len())));
        super::daily::alert_lines(&f.open_alerts, &mut t);
    }
    if let Some(line) = super::daily::persons_line(&f.persons) {
        t.push_str(&sec.next(&line));
    }
    if f.persons.review_due > 0 {
        t.push_str(&sec.next(&format!("重点人员待复核{}人", f.persons.review_due)));
    }
    if !f.top_risks.is_empty() {
        t.push_str(&sec.next(&format!("风险最高的{}件", f.top_risks.len())));
        for c in &f.top_risks {
            t.push_str(&format!(
                "{} {} {}\n",
                c.head(),
                c.deadline_text(today),
                c.score_text(3)
            ));
        }
    }
    if !data.by.is_empty() {
        t.push_str(&format!("交班人：{}\n", clean_line(&data.by)));
    }
    Report {
        kind: Kind::Handover,
        title,
        text: t,
        figures: Figures::Handover(f),
    }
}
