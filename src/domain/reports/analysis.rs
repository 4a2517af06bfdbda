//! 研判会 (the half-monthly analysis meeting): counts by category, village,
//! tier and status, 化解率, 调解成功率, overdue, the top risks with their
//! reasons, and the trend over the last half-months.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    active_names, context, counts, counts_line, is_mediated, is_resolved, md_cn, rate, rate_text,
    top_risks, CaseLine, Count, Data, Figures, Kind, Report, Sections,
};
use crate::domain::lists::{Tier, WarningFlag};
use crate::domain::summary::Summary;
use crate::domain::workflow::Status;

/// Cases listed under 重点风险.
pub const TOP: usize = 10;
/// Half-months in the trend, the current one last.
pub const TREND: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 2026年11月下半月, or the dates when the period was given.
    pub label: String,
    pub periods: Vec<String>,
    pub new_total: u32,
    /// Of the period's new cases, resolved by now.
    pub new_resolved: u32,
    /// 化解率 = new_resolved ÷ new_total.
    pub resolution_rate: Option<f64>,
    /// 销号 in the period, and of those 调解成功.
    pub closed_total: u32,
    pub mediated_total: u32,
    /// 调解成功率 = mediated_total ÷ closed_total.
    pub mediation_rate: Option<f64>,
    pub by_category: Vec<Count>,
    pub by_village: Vec<Count>,
    /// Open cases now.
    pub open_total: u32,
    pub open_by_tier: Vec<Count>,
    pub open_by_status: Vec<Count>,
    pub overdue: u32,
    pub supervised: u32,
    pub packaged: u32,
    /// Open cases with 民转刑倾向 (the plans' target is 0).
    pub criminal_tendency: u32,
    pub top_risks: Vec<CaseLine>,
    pub trend: Vec<TrendRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendRow {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub new: u32,
    pub resolved: u32,
}

/// The half-month holding `d`: (first day, last day, 11月上半月).
pub fn half_month(d: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    let first = d.with_day(1).expect("day 1");
    if d.day() <= 15 {
        let end = first + Days::new(14);
        (first, end, format!("{}月上半月", d.month()))
    } else {
        let next_month = (first + Days::new(32)).with_day(1).expect("day 1");
        (
            first + Days::new(15),
            next_month - Days::new(1),
            format!("{}月下半月", d.month()),
        )
    }
}

pub fn figures(from: Option<NaiveDate>, to: NaiveDate, data: &Data) -> AnalysisFigures {
    let (half_from, _, half_label) = half_month(to);
    let (from, label) = match from {
        Some(f) => (f.min(to), format!("{}至{}", md_cn(f.min(to)), md_cn(to))),
        None => (
            half_from,
            format!(
                "{}年{half_label}（{}至{}）",
                to.year(),
                md_cn(half_from),
                md_cn(to)
            ),
        ),
    };
    let in_period = |d: NaiveDate| from <= d && d <= to;
    let new: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| in_period(s.registered_at.date_naive()))
        .collect();
    let closed: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| s.closed_on.is_some_and(in_period) && s.outcome.is_some())
        .collect();
    let open: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| s.status.is_open())
        .collect();
    let new_resolved = new.iter().filter(|s| is_resolved(s)).count() as u32;
    let mediated_total = closed.iter().filter(|s| is_mediated(s)).count() as u32;
    let ctx = context(data, to);
    // Tiers and statuses in their own order, not by count: a meeting reads them that way.
    let open_by_tier = Tier::ALL
        .iter()
        .map(|t| Count {
            name: t.label().to_string(),
            n: open.iter().filter(|s| s.tier == *t).count() as u32,
        })
        .filter(|c| c.n > 0)
        .collect();
    let open_by_status = Status::ALL
        .iter()
        .map(|st| Count {
            name: st.label().to_string(),
            n: open.iter().filter(|s| s.status == *st).count() as u32,
        })
        .filter(|c| c.n > 0)
        .collect();
    AnalysisFigures {
        from,
        to,
        label,
        periods: active_names(data.periods, to),
        new_total: new.len() as u32,
        new_resolved,
        resolution_rate: rate(new_resolved, new.len() as u32),
        closed_total: closed.len() as u32,
        mediated_total,
        mediation_rate: rate(mediated_total, closed.len() as u32),
        by_category: counts(new.iter().map(|s| s.category.as_str())),
        by_village: counts(new.iter().map(|s| s.village.as_str())),
        open_total: open.len() as u32,
        open_by_tier,
        open_by_status,
        overdue: open.iter().filter(|s| s.is_overdue(to)).count() as u32,
        supervised: open.iter().filter(|s| s.supervised).count() as u32,
        packaged: open.iter().filter(|s| s.packaged).count() as u32,
        criminal_tendency: open
            .iter()
            .filter(|s| s.flags.contains(&WarningFlag::CriminalTendency))
            .count() as u32,
        top_risks: top_risks(data, &ctx, TOP),
        trend: trend(to, data.summaries),
    }
}

/// New and resolved per half-month, the last `TREND` ending with `to`'s.
fn trend(to: NaiveDate, summaries: &[Summary]) -> Vec<TrendRow> {
    let mut halves = Vec::with_capacity(TREND);
    let mut d = to;
    for _ in 0..TREND {
        let (from, end, label) = half_month(d);
        halves.push(TrendRow {
            label,
            from,
            to: end.min(to),
            new: 0,
            resolved: 0,
        });
        d = from - Days::new(1);
    }
    halves.reverse();
    let slot = |d: NaiveDate| halves.iter().position(|h| h.from <= d && d <= h.to);
    let mut new = vec![0u32; halves.len()];
    let mut resolved = vec![0u32; halves.len()];
    for s in summaries {
        if let Some(i) = slot(s.registered_at.date_naive()) {
            new[i] += 1;
        }
        if let Some(i) = s.closed_on.filter(|_| is_resolved(s)).and_then(slot) {
            resolved[i] += 1;
        }
    }
    for (i, h) in halves.iter_mut().enumerate() {
        h.new = new[i];
        h.resolved = resolved[i];
    }
    halves
}

pub fn build(from: Option<NaiveDate>, to: NaiveDate, data: &Data) -> Report {
    let f = figures(from, to, data);
    let title = "矛盾纠纷研判会分析".to_string();
    let mut t = format!("【{title}】\n{}\n", f.label);
    if !f.periods.is_empty() {
        t.push_str(&format!("敏感时期：{}\n", f.periods.join("、")));
    }
    let mut sec = Sections::default();
    t.push_str(&sec.next("总体情况"));
    t.push_str(&format!(
        "本期新增{}件，其中已化解{}件，化解率{}\n",
        f.new_total,
        f.new_resolved,
        rate_text(f.resolution_rate)
    ));
    t.push_str(&format!(
        "本期销号{}件，其中调解成功{}件，调解成功率{}\n",
        f.closed_total,
        f.mediated_total,
        rate_text(f.mediation_rate)
    ));
    t.push_str(&format!(
        "在办{}件：逾期{}件，挂牌督办{}件，领导包案{}件，民转刑倾向{}件\n",
        f.open_total, f.overdue, f.supervised, f.packaged, f.criminal_tendency
    ));
    if f.new_total > 0 {
        t.push_str(&sec.next("本期新增分类"));
        t.push_str(&format!("类型：{}\n", counts_line(&f.by_category, "件")));
        t.push_str(&format!("村(社区)：{}\n", counts_line(&f.by_village, "件")));
    }
    if f.open_total > 0 {
        t.push_str(&sec.next("在办案件"));
        t.push_str(&format!("层级：{}\n", counts_line(&f.open_by_tier, "件")));
        t.push_str(&format!("状态：{}\n", counts_line(&f.open_by_status, "件")));
    }
    if !f.top_risks.is_empty() {
        t.push_str(&sec.next(&format!("风险最高的{}件", f.top_risks.len())));
        for (i, c) in f.top_risks.iter().enumerate() {
            t.push_str(&format!(
                "{}. {} {} {}\n",
                i + 1,
                c.head(),
                c.status.label(),
                c.score_text(4)
            ));
        }
    }
    t.push_str(&sec.next("趋势（每半月新增/化解）"));
    for r in &f.trend {
        t.push_str(&format!("{} 新增{} 化解{}\n", r.label, r.new, r.resolved));
    }
    if let [.., prev, cur] = f.trend.as_slice() {
        let diff = cur.new as i64 - prev.new as i64;
        let partial = if cur.to < half_month(cur.to).1 {
            "（本期未满）"
        } else {
            ""
        };
        t.push_str(&match diff {
            0 => format!("本期新增与上期持平{partial}\n"),
            d if d > 0 => format!("本期新增比上期多{d}件{partial}\n"),
            d => format!("本期新增比上期少{}件{partial}\n", -d),
        });
    }
    Report {
        kind: Kind::Analysis,
        title,
        text: t,
        figures: Figures::Analysis(f),
    }
}
