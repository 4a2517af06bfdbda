//! The reports the township sends up and hands over: 日报 / 零报告, 月度台账更新,
//! 研判会 analysis and 交接班. Pure functions of the data and a date, so the
//! desk answers them over the API and the TUI can show the same text.
//! (They live in `domain`, not `report`, because the desk itself builds them;
//! `report` is the client side that writes files.)

pub mod access;
pub mod analysis;
pub mod daily;
pub mod handover;
pub mod monthly;

use crate::domain::escalation::{Colour, Thresholds};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::dispute::Time;
use super::lists::{RiskLevel, WarningFlag};
use super::period::SensitivePeriod;
use super::risk::{rank, score, RiskContext, RiskWeights};
use super::rollcall::RollcallSheet;
use super::summary::Summary;
use super::text::clean_line;
use super::workflow::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Daily,
    Monthly,
    Analysis,
    Handover,
    /// 查阅情况: who read which key persons (管理员, 领导).
    Access,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Daily => "日报",
            Kind::Monthly => "月度台账更新",
            Kind::Analysis => "研判会分析",
            Kind::Handover => "交接班",
            Kind::Access => "重点人员查阅情况",
        }
    }

    /// What reading this report needs, and the words for a refusal: the
    /// handover (who changed what this shift) is for the desk's own staff,
    /// the access report (who looked at whom) for leaders; the others are
    /// for all.
    pub fn needs(self) -> Option<(super::officer::Capability, &'static str)> {
        use super::officer::Capability;
        match self {
            Kind::Handover => Some((Capability::Desk, "查看交接班")),
            Kind::Access => Some((Capability::Lead, "查看重点人员查阅情况")),
            Kind::Daily | Kind::Monthly | Kind::Analysis => None,
        }
    }

    /// Whether `role` may read this report (see `needs`).
    pub fn readable_by(self, role: super::lists::Role) -> bool {
        self.needs()
            .is_none_or(|(cap, _)| super::officer::allows(role, cap, false))
    }

    /// `daily`, `日报` …, as the CLI takes them.
    pub fn parse(text: &str) -> Result<Kind, super::DomainError> {
        match text.trim() {
            "daily" | "日报" | "零报告" => Ok(Kind::Daily),
            "monthly" | "月报" | "台账" | "月度台账更新" => Ok(Kind::Monthly),
            "analysis" | "研判" | "研判会" => Ok(Kind::Analysis),
            "handover" | "交接班" | "交班" => Ok(Kind::Handover),
            "access" | "查阅" | "查阅情况" => Ok(Kind::Access),
            other => Err(super::DomainError::invalid(format!(
                "没有“{other}”这种报表，可选：daily（日报）、monthly（月度台账）、analysis（研判会）、handover（交接班）、access（重点人员查阅情况）"
            ))),
        }
    }
}

/// A key-person visit, as much as a report needs: no names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitRow {
    pub date: NaiveDate,
    pub person_id: String,
    pub village: String,
}

/// The register's standing, as counts (no names): what the daily report
/// and the handover say about key persons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCounts {
    /// 逾期未访: on the active watchlist, past the next visit's due date.
    pub overdue: u32,
    /// 失访 alerts not yet acknowledged.
    pub lost: u32,
    /// 待复核: past the review date, awaiting a decision.
    pub review_due: u32,
}

/// One line of the audit log, for the handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub at: Time,
    /// Who made the change, as the audit log has it (a login); the
    /// handover names it from `Data::names` (the login itself only when
    /// not on the roster).
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Everything a report may draw on. Each builder takes what it needs.
pub struct Data<'a> {
    pub summaries: &'a [Summary],
    pub weights: &'a RiskWeights,
    /// Every defined sensitive period; each report picks those active on its date.
    pub periods: &'a [SensitivePeriod],
    pub visits: &'a [VisitRow],
    /// The roll-call of the report's date.
    pub rollcall: Option<&'a RollcallSheet>,
    /// Audit lines of the shift (handover only).
    pub changes: &'a [Change],
    pub now: Time,
    /// Name of the officer the report is made for (signs the daily report).
    pub by: String,
    /// 黄牌 / 橙牌 / 红牌 thresholds in force.
    pub escalation: Thresholds,
    pub persons: PersonCounts,
    /// Looks at the register in the period (access report only).
    pub looks: &'a [access::Look],
    pub person_rules: &'a crate::domain::person_rules::PersonRules,
    /// The roster's names, for the officers a report names (交接班's
    /// 责任人, who made each change, logins in a change's detail).
    pub names: &'a crate::domain::officer::Names,
}

/// What a report asks for. `date` defaults to today; `from` starts an
/// analysis period; `since` starts a shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub kind: Kind,
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub since: Option<Time>,
    /// The access report's last day (with `from`).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// The access report for one officer's reads only.
    #[serde(default)]
    pub officer: Option<String>,
}

impl Spec {
    /// A report of `kind` as of today, with nothing else chosen.
    pub fn of(kind: Kind) -> Spec {
        Spec {
            kind,
            date: None,
            from: None,
            since: None,
            to: None,
            officer: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub kind: Kind,
    pub title: String,
    /// Plain text, ready to paste (WeChat for the daily report).
    pub text: String,
    pub figures: Figures,
}

impl Report {
    /// The text as `desk report` prints it and `y` copies it: one function,
    /// so what reaches WeChat from either road is the same.
    pub fn plain(&self) -> &str {
        self.text.trim_end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Figures {
    Daily(daily::DailyFigures),
    Monthly(monthly::MonthlyFigures),
    Analysis(analysis::AnalysisFigures),
    Handover(handover::HandoverFigures),
    Access(access::AccessFigures),
}

/// Builds the report `spec` asks for.
pub fn build(spec: &Spec, data: &Data) -> Report {
    let date = spec.date.unwrap_or_else(|| data.now.date_naive());
    match spec.kind {
        Kind::Daily => daily::build(date, data),
        Kind::Monthly => monthly::build(date, data),
        Kind::Analysis => analysis::build(spec.from, date, data),
        Kind::Handover => handover::build(spec.since, data),
        Kind::Access => {
            let (from, to) = access::period(spec, date);
            access::build(from, to, data.looks, data.person_rules, data.names)
        }
    }
}

/// A count under a name (类型, 村, 状态 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub name: String,
    pub n: u32,
}

/// Counts by key, largest first; equal counts in name order, so the text is stable.
pub fn counts<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<Count> {
    let mut map: std::collections::BTreeMap<&str, u32> = Default::default();
    for k in keys {
        *map.entry(k).or_insert(0) += 1;
    }
    let mut out: Vec<Count> = map
        .into_iter()
        .map(|(name, n)| Count {
            name: name.to_string(),
            n,
        })
        .collect();
    out.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.name.cmp(&b.name)));
    out
}

/// 邻里2件、婚姻家庭1件.
pub fn counts_line(counts: &[Count], unit: &str) -> String {
    counts
        .iter()
        .map(|c| format!("{}{}{unit}", clean_line(&c.name), c.n))
        .collect::<Vec<_>>()
        .join("、")
}

/// Overdue cases by colour, 红牌 first, colours with none left out.
pub fn by_colour<'a>(
    cases: impl Iterator<Item = &'a Summary>,
    date: NaiveDate,
    t: &Thresholds,
) -> Vec<Count> {
    let colours: Vec<Colour> = cases.filter_map(|s| s.colour(date, t)).collect();
    Colour::WORST_FIRST
        .iter()
        .map(|c| Count {
            name: c.label().to_string(),
            n: colours.iter().filter(|x| *x == c).count() as u32,
        })
        .filter(|c| c.n > 0)
        .collect()
}

/// A percentage to one decimal; `None` when nothing to divide by.
pub fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

pub fn rate_text(r: Option<f64>) -> String {
    match r {
        Some(r) => format!("{r:.1}%"),
        None => "—（无数据）".to_string(),
    }
}

/// 2026年11月20日.
pub fn day_cn(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// 11月20日.
pub fn md_cn(d: NaiveDate) -> String {
    d.format("%-m月%-d日").to_string()
}

pub fn weekday_cn(d: NaiveDate) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][d.weekday().num_days_from_monday() as usize]
}

/// One case as reports list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: String,
    pub village: String,
    pub category: String,
    pub title: String,
    pub status: Status,
    pub risk: Option<RiskLevel>,
    pub flags: Vec<WarningFlag>,
    pub deadline: Option<NaiveDate>,
    pub person: Option<String>,
    /// The danger score (风险分): what orders 风险队列.
    pub score: i32,
    /// (reason, points): the danger's, largest first; they add up to `score`.
    pub reasons: Vec<(String, i32)>,
    /// Deadline pressure (时限压力), kept apart from the danger score.
    #[serde(default)]
    pub lateness: i32,
    /// Its reasons (今天到期, 逾期3天): never listed under 风险分.
    #[serde(default)]
    pub late_reasons: Vec<(String, i32)>,
}

impl CaseLine {
    pub fn of(s: &Summary, ctx: &RiskContext) -> CaseLine {
        let sc = score(s, ctx);
        CaseLine {
            id: s.id.clone(),
            village: s.village.clone(),
            category: s.category.clone(),
            title: s.title.clone(),
            status: s.status,
            risk: s.risk,
            flags: s.flags.clone(),
            deadline: s.deadline,
            person: s.person.clone(),
            score: sc.total,
            reasons: sc.reasons,
            lateness: sc.lateness,
            late_reasons: sc.late_reasons,
        }
    }

    /// MD-2026-000012 东河村 邻里
    pub fn head(&self) -> String {
        format!(
            "{} {} {}",
            self.id,
            clean_line(&self.village),
            clean_line(&self.category)
        )
    }

    /// 风险高、民转刑倾向 (no names: fit for the WeChat group).
    pub fn risk_text(&self) -> String {
        let mut parts = vec![match self.risk {
            Some(r) => format!("风险{}", r.label()),
            None => "未研判".to_string(),
        }];
        parts.extend(self.flags.iter().map(|f| f.label().to_string()));
        parts.join("，")
    }

    /// 风险高+50、民转刑倾向+40: the danger's first `n` reasons only.
    pub fn reasons_text(&self, n: usize) -> String {
        points_text(&self.reasons, n)
    }

    /// 今天到期+30: the deadline pressure's reasons, empty when none.
    pub fn late_text(&self) -> String {
        points_text(&self.late_reasons, usize::MAX)
    }

    /// 风险分30：风险中+25、敏感时期+5；时限压力30：今天到期+30. The two
    /// scores apart, as the detail screen shows them (`risk::score`'s split):
    /// a deadline item is never listed under 风险分.
    pub fn score_text(&self, n: usize) -> String {
        let mut t = format!("风险分{}", self.score);
        if !self.reasons.is_empty() {
            t.push_str(&format!("：{}", self.reasons_text(n)));
        }
        if self.lateness > 0 {
            t.push_str(&format!(
                "；时限压力{}：{}",
                self.lateness,
                self.late_text()
            ));
        }
        t
    }

    /// 时限11月15日，逾期5天 / 时限11月25日 / 未定时限
    pub fn deadline_text(&self, today: NaiveDate) -> String {
        match self.deadline {
            Some(d) if d < today && self.status.is_open() => {
                format!("时限{}，逾期{}天", md_cn(d), (today - d).num_days())
            }
            Some(d) => format!("时限{}", md_cn(d)),
            None => "未定时限".to_string(),
        }
    }
}

/// 风险高+50、民转刑倾向+40: the first `n` of `reasons`.
fn points_text(reasons: &[(String, i32)], n: usize) -> String {
    reasons
        .iter()
        .take(n)
        .map(|(r, p)| format!("{}+{p}", clean_line(r)))
        .collect::<Vec<_>>()
        .join("、")
}

/// The risk context of `day`: the live weights, the sensitive share when a
/// period is active that day.
pub fn context(data: &Data, day: NaiveDate) -> RiskContext {
    let sensitive = data.periods.iter().any(|p| p.is_active(day));
    RiskContext::new(data.summaries, day, data.weights, sensitive)
}

/// A context for scoring only `cases` (see `RiskContext::for_cases`).
pub fn context_for(data: &Data, day: NaiveDate, cases: &[&Summary]) -> RiskContext {
    let sensitive = data.periods.iter().any(|p| p.is_active(day));
    RiskContext::for_cases(data.summaries, cases, day, data.weights, sensitive)
}

/// The `n` open cases with the highest score, with their reasons.
pub fn top_risks(data: &Data, ctx: &RiskContext, n: usize) -> Vec<CaseLine> {
    rank(data.summaries, ctx)
        .into_iter()
        .take(n)
        .map(|(i, _)| CaseLine::of(&data.summaries[i], ctx))
        .collect()
}

/// Names of the periods active on `day`.
pub fn active_names(periods: &[SensitivePeriod], day: NaiveDate) -> Vec<String> {
    periods
        .iter()
        .filter(|p| p.is_active(day))
        .map(|p| p.name.clone())
        .collect()
}

/// 一、二、三 … for numbered sections.
pub fn section(n: usize) -> &'static str {
    const NUMS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    NUMS.get(n.saturating_sub(1)).copied().unwrap_or("十")
}

/// Numbers sections as they are added, so an omitted one leaves no gap.
#[derive(Default)]
pub struct Sections {
    n: usize,
}

impl Sections {
    pub fn next(&mut self, title: &str) -> String {
        self.n += 1;
        format!("{}、{title}\n", section(self.n))
    }
}

/// The resolved / closed counts of a set of summaries.
pub fn is_resolved(s: &Summary) -> bool {
    s.outcome.is_some_and(|o| o.is_resolved())
}

pub fn is_mediated(s: &Summary) -> bool {
    s.outcome.is_some_and(|o| o.is_mediated())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_largest_first_then_by_name() {
        let c = counts(["邻里", "婚姻家庭", "邻里", "物业"].into_iter());
        assert_eq!(counts_line(&c, "件"), "邻里2件、婚姻家庭1件、物业1件");
        assert_eq!(rate(2, 3), Some(66.7));
        assert_eq!(rate_text(rate(0, 0)), "—（无数据）");
        assert_eq!(Kind::parse("交接班").unwrap(), Kind::Handover);
        assert!(Kind::parse("weekly")
            .unwrap_err()
            .to_string()
            .starts_with("没有“weekly”这种报表"));
        let mut s = Sections::default();
        assert_eq!(s.next("甲"), "一、甲\n");
        assert_eq!(s.next("乙"), "二、乙\n");
    }

    /// Every report's text over cases due today, overdue, due in two and in
    /// five days, made for a shift whose changes name officers by login.
    struct LateCases {
        texts: Vec<(Kind, String)>,
        /// The cases' deadline items, as `risk::score` tells them apart.
        late: Vec<(String, i32)>,
    }

    fn reports_over_late_cases() -> LateCases {
        use crate::domain::lists::Role;
        use crate::domain::officer::{Names, Officer};
        use chrono::{FixedOffset, TimeZone};
        let now = FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, 18, 0, 0)
            .unwrap();
        let today = now.date_naive();
        let case = |id: &str, risk, days: i64| Summary {
            risk: Some(risk),
            deadline: Some(today + chrono::Duration::days(days)),
            person: Some("tj9".into()),
            parties: vec![format!("当事人{id}")],
            ..Summary::sample(id)
        };
        let summaries = vec![
            case("MD-2026-000001", RiskLevel::Medium, 0),
            case("MD-2026-000002", RiskLevel::High, -5),
            case("MD-2026-000003", RiskLevel::Low, 2),
            case("MD-2026-000004", RiskLevel::Critical, 5),
        ];
        let changes = vec![Change {
            at: now - chrono::Duration::hours(1),
            actor: "zb9".into(),
            action: "交办".into(),
            target: "MD-2026-000001".into(),
            detail: "责任人 tj9".into(),
        }];
        let officer = |login, name, role| Officer::new(login, name, "综治中心", role).unwrap();
        let roster = [
            officer("tj9", "王立平", Role::Responsible),
            officer("zb9", "李秀兰", Role::DutyOfficer),
        ];
        let names = Names::of(&roster);
        let weights = RiskWeights::default();
        let rules = crate::domain::person_rules::PersonRules::default();
        let data = Data {
            summaries: &summaries,
            weights: &weights,
            periods: &[],
            visits: &[],
            rollcall: None,
            changes: &changes,
            now,
            by: "李秀兰".into(),
            escalation: Default::default(),
            persons: Default::default(),
            looks: &[],
            person_rules: &rules,
            names: &names,
        };
        let ctx = context(&data, today);
        let late: Vec<(String, i32)> = summaries
            .iter()
            .flat_map(|s| score(s, &ctx).late_reasons)
            .collect();
        assert_eq!(late.len(), 4, "{late:?}");
        let texts = [Kind::Daily, Kind::Monthly, Kind::Analysis, Kind::Handover]
            .into_iter()
            .map(|kind| {
                let spec = Spec {
                    since: Some(now - chrono::Duration::hours(12)),
                    ..Spec::of(kind)
                };
                (kind, build(&spec, &data).text)
            })
            .collect();
        LateCases { texts, late }
    }

    #[test]
    fn no_danger_score_lists_a_deadline_item() {
        let mut shown = 0;
        let LateCases { texts, late } = reports_over_late_cases();
        for (kind, text) in texts {
            for line in text.lines() {
                let Some((_, after)) = line.split_once("风险分") else {
                    continue;
                };
                shown += 1;
                let (danger, pressure) = after.split_once("；时限压力").unwrap_or((after, ""));
                for (reason, _) in &late {
                    assert!(!danger.contains(reason.as_str()), "{kind:?}: {line}");
                }
                for word in ["到期", "逾期"] {
                    assert!(!danger.contains(word), "{kind:?}: {line}");
                }
                // Each case here is late: its pressure stands apart, with points.
                assert!(
                    late.iter()
                        .any(|(r, p)| pressure.contains(&format!("{r}+{p}"))),
                    "{kind:?}: {line}"
                );
            }
        }
        // The analysis and the handover list the four cases with their scores.
        assert_eq!(shown, 8);
    }

    #[test]
    fn the_handover_names_officers_not_logins() {
        let (_, text) = reports_over_late_cases()
            .texts
            .into_iter()
            .find(|(kind, _)| *kind == Kind::Handover)
            .unwrap();
        assert!(text.contains("责任人王立平"), "{text}");
        assert!(
            text.contains("李秀兰 交办 MD-2026-000001 责任人 王立平"),
            "{text}"
        );
        for login in ["tj9", "zb9"] {
            assert!(!text.contains(login), "{login} in:\n{text}");
        }
    }

    #[test]
    fn half_months() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(
            analysis::half_month(d(11, 20)),
            (d(11, 16), d(11, 30), "11月下半月".to_string())
        );
        assert_eq!(analysis::half_month(d(2, 15)).0, d(2, 1));
        assert_eq!(analysis::half_month(d(2, 16)).1, d(2, 28));
        assert_eq!(analysis::half_month(d(12, 31)).1, d(12, 31));
    }
}
