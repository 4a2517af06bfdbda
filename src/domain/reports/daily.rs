//! 日报 / 零报告: plain text for the WeChat work group — short lines, no
//! tables, no party names. With nothing new, a correct 零报告.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    active_names, context_for, counts, counts_line, day_cn, is_resolved, weekday_cn, CaseLine,
    Count, Data, Figures, Kind, Report, Sections,
};
use crate::domain::dispute::PENDING_PARTY;
use crate::domain::lists::{RiskLevel, RollcallKind, WarningFlag};
use crate::domain::summary::Summary;
use crate::domain::text::clean_line;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyFigures {
    pub date: NaiveDate,
    pub periods: Vec<String>,
    pub new_total: u32,
    pub new_by_category: Vec<Count>,
    pub new_by_village: Vec<Count>,
    pub new_high_risk: Vec<CaseLine>,
    /// 销号 today with a resolving outcome.
    pub resolved_total: u32,
    pub resolved_by_outcome: Vec<Count>,
    pub person_visits: u32,
    pub persons_visited: u32,
    pub open_total: u32,
    pub overdue_total: u32,
    /// The overdue by colour: 红牌, 橙牌, 黄牌.
    #[serde(default)]
    pub overdue_by_colour: Vec<Count>,
    pub rollcall: Option<RollcallFigures>,
    /// Nothing new today: the text is a 零报告.
    pub zero_report: bool,
    /// Cases whose 预警 nobody has acknowledged yet.
    #[serde(default)]
    pub open_alerts: Vec<CaseLine>,
    /// Open cases whose parties are still to be entered (imported 排查表).
    #[serde(default)]
    pub pending_parties: u32,
    /// Key persons 逾期未访 and 失访: counts only, the text names nobody.
    #[serde(default)]
    pub persons: super::PersonCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollcallFigures {
    pub expected: u32,
    /// (village, what was said).
    pub news: Vec<(String, String)>,
    pub zero: Vec<String>,
    pub missing: Vec<String>,
}

/// Worth a line of its own in the daily report: 高/极高, or the flags the
/// plans single out.
pub fn is_high_risk(s: &Summary) -> bool {
    matches!(s.risk, Some(RiskLevel::High | RiskLevel::Critical))
        || s.flags.iter().any(|f| {
            matches!(
                f,
                WarningFlag::CriminalTendency | WarningFlag::ThreatExtreme
            )
        })
}

pub fn figures(date: NaiveDate, data: &Data) -> DailyFigures {
    let new: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| s.registered_at.date_naive() == date)
        .collect();
    let resolved: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| s.closed_on == Some(date) && is_resolved(s))
        .collect();
    let visits: Vec<_> = data.visits.iter().filter(|v| v.date == date).collect();
    let mut visited: Vec<&str> = visits.iter().map(|v| v.person_id.as_str()).collect();
    visited.sort_unstable();
    visited.dedup();
    let open = data.summaries.iter().filter(|s| s.status.is_open());
    let rollcall = data
        .rollcall
        .filter(|r| r.running || !r.reported.is_empty())
        .map(|r| RollcallFigures {
            expected: r.expected,
            news: r
                .reported
                .iter()
                .filter(|e| e.kind == RollcallKind::News)
                .map(|e| (e.unit.clone(), e.text.clone()))
                .collect(),
            zero: r
                .reported
                .iter()
                .filter(|e| e.kind == RollcallKind::Zero)
                .map(|e| e.unit.clone())
                .collect(),
            missing: r.missing.clone(),
        });
    DailyFigures {
        date,
        periods: active_names(data.periods, date),
        new_total: new.len() as u32,
        new_by_category: counts(new.iter().map(|s| s.category.as_str())),
        new_by_village: counts(new.iter().map(|s| s.village.as_str())),
        new_high_risk: high_risk(&new, date, data),
        resolved_total: resolved.len() as u32,
        resolved_by_outcome: counts(resolved.iter().filter_map(|s| s.outcome.map(|o| o.label()))),
        person_visits: visits.len() as u32,
        persons_visited: visited.len() as u32,
        persons: data.persons,
        open_total: open.clone().count() as u32,
        overdue_total: open.clone().filter(|s| s.is_overdue(date)).count() as u32,
        overdue_by_colour: super::by_colour(open, date, &data.escalation),
        rollcall,
        zero_report: new.is_empty(),
        open_alerts: open_alerts(date, data),
        pending_parties: data
            .summaries
            .iter()
            .filter(|s| s.status.is_open() && s.parties.iter().any(|p| p == PENDING_PARTY))
            .count() as u32,
    }
}

/// The cases whose alert is still waiting for someone to acknowledge it.
pub fn open_alerts(date: NaiveDate, data: &Data) -> Vec<CaseLine> {
    let waiting: Vec<&Summary> = data.summaries.iter().filter(|s| s.alert).collect();
    let ctx = context_for(data, date, &waiting);
    waiting.into_iter().map(|s| CaseLine::of(s, &ctx)).collect()
}

/// The alerts still waiting, one line each, for the daily and handover text.
pub fn alert_lines(alerts: &[CaseLine], t: &mut String) {
    for c in alerts {
        let signs: Vec<&str> = c
            .flags
            .iter()
            .filter(|f| f.is_alarm())
            .map(|f| f.label())
            .collect();
        t.push_str(&format!("{}，{}，未签收\n", c.head(), signs.join("、")));
    }
}

/// The new high-risk cases with their scores; repeat parties are counted
/// for these cases only.
fn high_risk(new: &[&Summary], date: NaiveDate, data: &Data) -> Vec<CaseLine> {
    let high: Vec<&Summary> = new.iter().copied().filter(|s| is_high_risk(s)).collect();
    let ctx = context_for(data, date, &high);
    high.into_iter().map(|s| CaseLine::of(s, &ctx)).collect()
}

pub fn build(date: NaiveDate, data: &Data) -> Report {
    let f = figures(date, data);
    let title = if f.zero_report {
        "矛盾纠纷排查日报·零报告"
    } else {
        "矛盾纠纷排查日报"
    };
    let mut t = format!("【{title}】\n{} {}\n", day_cn(date), weekday_cn(date));
    if !f.periods.is_empty() {
        t.push_str(&format!("敏感时期：{}\n", f.periods.join("、")));
    }
    if f.zero_report {
        zero_text(&f, &mut t);
    } else {
        news_text(&f, &mut t);
    }
    if !data.by.is_empty() {
        t.push_str(&format!("值班员：{}\n", clean_line(&data.by)));
    }
    Report {
        kind: Kind::Daily,
        title: title.to_string(),
        text: t,
        figures: Figures::Daily(f),
    }
}

fn news_text(f: &DailyFigures, t: &mut String) {
    let mut sec = Sections::default();
    t.push_str(&sec.next(&format!("新增矛盾纠纷{}件", f.new_total)));
    t.push_str(&format!(
        "类型：{}\n",
        counts_line(&f.new_by_category, "件")
    ));
    t.push_str(&format!(
        "村(社区)：{}\n",
        counts_line(&f.new_by_village, "件")
    ));
    if !f.new_high_risk.is_empty() {
        t.push_str(&sec.next(&format!("新增高风险{}件", f.new_high_risk.len())));
        for c in &f.new_high_risk {
            t.push_str(&format!("{}，{}\n", c.head(), c.risk_text()));
        }
    }
    if f.resolved_total > 0 {
        t.push_str(&sec.next(&format!(
            "今日化解{}件（{}）",
            f.resolved_total,
            counts_line(&f.resolved_by_outcome, "件")
        )));
    }
    if f.person_visits > 0 {
        t.push_str(&sec.next(&visits_line(f)));
    }
    if let Some(line) = persons_line(&f.persons) {
        t.push_str(&sec.next(&line));
    }
    t.push_str(&sec.next(&open_line(f)));
    if !f.open_alerts.is_empty() {
        t.push_str(&sec.next(&format!("未签收预警{}件", f.open_alerts.len())));
        alert_lines(&f.open_alerts, t);
    }
    if let Some(r) = &f.rollcall {
        t.push_str(&sec.next(&format!("村(社区)和单位报告（应报{}个）", r.expected)));
        rollcall_lines(r, t);
    }
}

fn zero_text(f: &DailyFigures, t: &mut String) {
    t.push_str("今日排查无新增矛盾纠纷，零报告。\n");
    if f.resolved_total > 0 {
        t.push_str(&format!(
            "今日化解{}件（{}）。\n",
            f.resolved_total,
            counts_line(&f.resolved_by_outcome, "件")
        ));
    }
    if f.person_visits > 0 {
        t.push_str(&format!("{}。\n", visits_line(f)));
    }
    if let Some(line) = persons_line(&f.persons) {
        t.push_str(&format!("{line}。\n"));
    }
    t.push_str(&format!("{}。\n", open_line(f)));
    if !f.open_alerts.is_empty() {
        t.push_str(&format!("未签收预警{}件：\n", f.open_alerts.len()));
        alert_lines(&f.open_alerts, t);
    }
    if let Some(r) = &f.rollcall {
        t.push_str(&format!("村(社区)和单位报告：应报{}个\n", r.expected));
        rollcall_lines(r, t);
    }
}

/// 重点人员逾期未访2人、失访1人 (counts, never names); None when all is in order.
pub fn persons_line(c: &super::PersonCounts) -> Option<String> {
    let mut parts = Vec::new();
    if c.overdue > 0 {
        parts.push(format!("逾期未访{}人", c.overdue));
    }
    if c.lost > 0 {
        parts.push(format!("失访{}人", c.lost));
    }
    (!parts.is_empty()).then(|| format!("重点人员{}", parts.join("、")))
}

fn visits_line(f: &DailyFigures) -> String {
    if f.person_visits == f.persons_visited {
        format!("走访重点人员{}人次", f.person_visits)
    } else {
        format!(
            "走访重点人员{}人次（{}人）",
            f.person_visits, f.persons_visited
        )
    }
}

fn open_line(f: &DailyFigures) -> String {
    let mut line = if f.overdue_total == 0 {
        format!("在办矛盾纠纷{}件，无逾期", f.open_total)
    } else {
        format!(
            "在办矛盾纠纷{}件，其中逾期{}件（{}）",
            f.open_total,
            f.overdue_total,
            counts_line(&f.overdue_by_colour, "件")
        )
    };
    if f.pending_parties > 0 {
        line.push_str(&format!("，当事人待补录{}件", f.pending_parties));
    }
    line
}

fn rollcall_lines(r: &RollcallFigures, t: &mut String) {
    if !r.news.is_empty() {
        t.push_str(&format!("有情况{}个：\n", r.news.len()));
        for (unit, said) in &r.news {
            t.push_str(&format!("{}：{}\n", clean_line(unit), clean_line(said)));
        }
    }
    if !r.zero.is_empty() {
        t.push_str(&format!(
            "零报告{}个：{}\n",
            r.zero.len(),
            r.zero.join("、")
        ));
    }
    if r.missing.is_empty() {
        t.push_str("未报：无\n");
    } else {
        t.push_str(&format!(
            "未报{}个：{}\n",
            r.missing.len(),
            r.missing.join("、")
        ));
    }
}
