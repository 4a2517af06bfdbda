//! 月度台账更新 (due by the 28th): new this month, the year's cumulative
//! figures, and how the cases still open from earlier months are getting on.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    context_for, counts, counts_line, day_cn, is_mediated, is_resolved, md_cn, rate, rate_text,
    CaseLine, Count, Data, Figures, Kind, Report, Sections,
};
use crate::domain::summary::Summary;

/// The ledger goes up by this day of the month.
pub const DUE_DAY: u32 = 28;
/// Earlier open cases listed one by one in the text; the rest are counted.
const LISTED: usize = 20;
/// Earlier open cases carried in the figures (a large township has thousands).
const CARRIED: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyFigures {
    /// First day of the month and the day counted to.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub due: NaiveDate,
    pub new_total: u32,
    pub new_by_category: Vec<Count>,
    pub new_by_village: Vec<Count>,
    pub new_resolved: u32,
    pub new_open: u32,
    pub year_from: NaiveDate,
    pub year_total: u32,
    pub year_resolved: u32,
    /// 化解率: resolved ÷ found, this year.
    pub resolution_rate: Option<f64>,
    pub year_closed: u32,
    pub year_mediated: u32,
    /// 调解成功率: mediated ÷ closed, this year.
    pub mediation_rate: Option<f64>,
    /// Registered before this month and still open at its start.
    pub earlier_open_at_start: u32,
    pub earlier_resolved: u32,
    pub earlier_still_open: u32,
    pub earlier_overdue: u32,
    /// Every open case overdue at the month's end, by colour.
    #[serde(default)]
    pub overdue_by_colour: Vec<Count>,
    /// The earlier cases still open, soonest deadline first (at most 100).
    pub earlier_cases: Vec<CaseLine>,
}

pub fn figures(to: NaiveDate, data: &Data) -> MonthlyFigures {
    let from = to.with_day(1).expect("day 1 exists");
    let year_from = to.with_ordinal(1).expect("day 1 exists");
    let day = |s: &Summary| s.registered_at.date_naive();
    let new: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| (from..=to).contains(&day(s)))
        .collect();
    let year: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| (year_from..=to).contains(&day(s)))
        .collect();
    let closed_by = |s: &Summary| s.closed_on.is_some_and(|c| c <= to);
    let year_closed: Vec<&&Summary> = year.iter().filter(|s| closed_by(s)).collect();
    // Open at the month's start: registered before it, not closed before it.
    let earlier: Vec<&Summary> = data
        .summaries
        .iter()
        .filter(|s| day(s) < from && s.closed_on.is_none_or(|c| c >= from))
        .filter(|s| s.status.is_open() || s.closed_on.is_some())
        .collect();
    let still_open: Vec<&&Summary> = earlier.iter().filter(|s| s.status.is_open()).collect();
    let mut soonest = still_open.clone();
    soonest.sort_by(|a, b| {
        (a.deadline.is_none(), a.deadline, &a.id).cmp(&(b.deadline.is_none(), b.deadline, &b.id))
    });
    let carried: Vec<&Summary> = soonest.iter().take(CARRIED).map(|s| **s).collect();
    let ctx = context_for(data, to, &carried);
    let earlier_cases: Vec<CaseLine> = carried.iter().map(|s| CaseLine::of(s, &ctx)).collect();
    let year_resolved = year
        .iter()
        .filter(|s| closed_by(s) && is_resolved(s))
        .count() as u32;
    let year_mediated = year_closed.iter().filter(|s| is_mediated(s)).count() as u32;
    MonthlyFigures {
        from,
        to,
        due: to.with_day(DUE_DAY).expect("every month has a 28th"),
        new_total: new.len() as u32,
        new_by_category: counts(new.iter().map(|s| s.category.as_str())),
        new_by_village: counts(new.iter().map(|s| s.village.as_str())),
        new_resolved: new
            .iter()
            .filter(|s| closed_by(s) && is_resolved(s))
            .count() as u32,
        new_open: new.iter().filter(|s| s.status.is_open()).count() as u32,
        year_from,
        year_total: year.len() as u32,
        year_resolved,
        resolution_rate: rate(year_resolved, year.len() as u32),
        year_closed: year_closed.len() as u32,
        year_mediated,
        mediation_rate: rate(year_mediated, year_closed.len() as u32),
        earlier_open_at_start: earlier.len() as u32,
        earlier_resolved: earlier
            .iter()
            .filter(|s| s.closed_on.is_some_and(|c| c >= from && c <= to) && is_resolved(s))
            .count() as u32,
        earlier_still_open: still_open.len() as u32,
        earlier_overdue: still_open.iter().filter(|s| s.is_overdue(to)).count() as u32,
        overdue_by_colour: super::by_colour(
            data.summaries.iter().filter(|s| s.status.is_open()),
            to,
            &data.escalation,
        ),
        earlier_cases,
    }
}

pub fn build(to: NaiveDate, data: &Data) -> Report {
    let f = figures(to, data);
    let title = format!("矛盾纠纷排查化解台账·{}更新", to.format("%Y年%-m月"));
    let mut t = format!("【{title}】\n统计至{}\n", day_cn(to));
    let days_left = (f.due - to).num_days();
    t.push_str(&match days_left {
        1.. => format!("本月台账须于{}前报送（还有{days_left}天）\n", md_cn(f.due)),
        0 => "今天是本月台账报送截止日\n".to_string(),
        _ => format!("已过{}报送截止\n", md_cn(f.due)),
    });
    let mut sec = Sections::default();
    t.push_str(&sec.next(&format!("本月新增{}件", f.new_total)));
    if f.new_total > 0 {
        t.push_str(&format!(
            "类型：{}\n",
            counts_line(&f.new_by_category, "件")
        ));
        t.push_str(&format!(
            "村(社区)：{}\n",
            counts_line(&f.new_by_village, "件")
        ));
        t.push_str(&format!(
            "已化解{}件，在办{}件\n",
            f.new_resolved, f.new_open
        ));
    } else {
        t.push_str("本月无新增矛盾纠纷\n");
    }
    t.push_str(&sec.next(&format!("本年累计（{}起）", md_cn(f.year_from))));
    t.push_str(&format!(
        "排查登记{}件，化解{}件，化解率{}\n",
        f.year_total,
        f.year_resolved,
        rate_text(f.resolution_rate)
    ));
    t.push_str(&format!(
        "销号{}件，其中调解成功{}件，调解成功率{}\n",
        f.year_closed,
        f.year_mediated,
        rate_text(f.mediation_rate)
    ));
    if !f.overdue_by_colour.is_empty() {
        t.push_str(&format!(
            "逾期案件：{}\n",
            counts_line(&f.overdue_by_colour, "件")
        ));
    }
    t.push_str(&sec.next("往月在办案件进展"));
    if f.earlier_open_at_start == 0 {
        t.push_str("月初无往月在办案件\n");
    } else {
        let overdue = if f.earlier_overdue > 0 {
            format!("（逾期{}件）", f.earlier_overdue)
        } else {
            String::new()
        };
        t.push_str(&format!(
            "月初在办{}件：本月化解{}件，仍在办{}件{overdue}\n",
            f.earlier_open_at_start, f.earlier_resolved, f.earlier_still_open
        ));
        for c in f.earlier_cases.iter().take(LISTED) {
            t.push_str(&format!(
                "{} {}，{}\n",
                c.head(),
                c.status.label(),
                c.deadline_text(to)
            ));
        }
        let listed = f.earlier_cases.len().min(LISTED) as u32;
        if f.earlier_still_open > listed {
            t.push_str(&format!(
                "……另有{}件，详见台账导出（desk export ledger）\n",
                f.earlier_still_open - listed
            ));
        }
    }
    Report {
        kind: Kind::Monthly,
        title,
        text: t,
        figures: Figures::Monthly(f),
    }
}
