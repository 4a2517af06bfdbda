//! 敏感时期: named date ranges (春节, 全国两会, 国庆, 村级换届选举 …) set by
//! the 管理员. While one is active the desk shows a banner, default deadlines
//! of new assignments tighten, the risk score's sensitive share applies and
//! the daily roll-call runs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::limits::MAX_NAME_CHARS;
use super::text::{clean_line, fullwidth_to_ascii, required_line};
use super::DomainError;

/// Default share of the usual deadline while a period is active.
pub const DEFAULT_DEADLINE_PERCENT: u32 = 50;
/// A period longer than this is almost surely a typo in a year.
const MAX_SPAN_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivePeriod {
    pub name: String,
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// New assignments get this percent of the usual default deadline.
    #[serde(default = "default_percent")]
    pub deadline_percent: u32,
}

fn default_percent() -> u32 {
    DEFAULT_DEADLINE_PERCENT
}

impl SensitivePeriod {
    pub fn new(
        name: &str,
        from: NaiveDate,
        to: NaiveDate,
        deadline_percent: Option<u32>,
    ) -> Result<SensitivePeriod, DomainError> {
        let name = required_line("时期名称", name, MAX_NAME_CHARS)?;
        if to < from {
            return Err(DomainError::invalid(format!(
                "“{name}”的结束日期 {to} 早于开始日期 {from}"
            )));
        }
        if (to - from).num_days() >= MAX_SPAN_DAYS {
            return Err(DomainError::invalid(format!(
                "“{name}”从 {from} 到 {to} 超过一年，请检查年份"
            )));
        }
        let deadline_percent = deadline_percent.unwrap_or(DEFAULT_DEADLINE_PERCENT);
        if !(10..=100).contains(&deadline_percent) {
            return Err(DomainError::invalid(format!(
                "时限系数应在 0.1 到 1 之间（10% 到 100%），不能是 {deadline_percent}%"
            )));
        }
        Ok(SensitivePeriod {
            name,
            from,
            to,
            deadline_percent,
        })
    }

    pub fn is_active(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// 春节（2月10日至2月20日）.
    pub fn describe(&self) -> String {
        format!(
            "{}（{}至{}）",
            self.name,
            self.from.format("%-m月%-d日"),
            self.to.format("%-m月%-d日")
        )
    }
}

/// The periods active on `day`, in the order they were defined.
pub fn active_on(periods: &[SensitivePeriod], day: NaiveDate) -> Vec<SensitivePeriod> {
    periods
        .iter()
        .filter(|p| p.is_active(day))
        .cloned()
        .collect()
}

/// The banner text for the active periods, if any: 春节、全国两会.
pub fn banner(active: &[SensitivePeriod]) -> Option<String> {
    (!active.is_empty()).then(|| {
        active
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    })
}

/// The tightest deadline share among the active periods (100 when none).
pub fn deadline_percent(active: &[SensitivePeriod]) -> u32 {
    active
        .iter()
        .map(|p| p.deadline_percent)
        .min()
        .unwrap_or(100)
}

/// A default deadline of `days` tightened to `percent`, rounded up, at least a day.
pub fn tighten(days: u32, percent: u32) -> u32 {
    (days * percent).div_ceil(100).max(1)
}

/// Parses a deadline factor as officers write it: `0.5`, `50%`, `1`.
pub fn parse_factor(input: &str) -> Result<u32, DomainError> {
    let text: String = clean_line(input)
        .chars()
        .map(|c| {
            if c == '％' {
                '%'
            } else {
                fullwidth_to_ascii(c)
            }
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = || {
        DomainError::invalid(format!(
            "时限系数“{}”不对：应在 0.1 到 1 之间（如 0.5 表示时限减半），也可写 50%",
            clean_line(input)
        ))
    };
    let percent = match text.strip_suffix('%') {
        Some(p) => p.parse::<f64>().map_err(|_| bad())?,
        None => text.parse::<f64>().map_err(|_| bad())? * 100.0,
    };
    if !percent.is_finite() || !(10.0..=100.0).contains(&percent) {
        return Err(bad());
    }
    Ok(percent.round() as u32)
}

/// Checks a new period against the defined ones: the same name may recur
/// (春节 every year) but not twice with the same start.
pub fn check_new(periods: &[SensitivePeriod], new: &SensitivePeriod) -> Result<(), DomainError> {
    if periods
        .iter()
        .any(|p| p.name == new.name && p.from == new.from)
    {
        return Err(DomainError::invalid(format!(
            "已有从 {} 开始的“{}”",
            new.from, new.name
        )));
    }
    Ok(())
}

/// Which defined period `name` (and `from`, when the name recurs) means.
pub fn find(
    periods: &[SensitivePeriod],
    name: &str,
    from: Option<NaiveDate>,
) -> Result<usize, DomainError> {
    let name = clean_line(name);
    let hits: Vec<usize> = periods
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name == name && from.is_none_or(|f| p.from == f))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(DomainError::invalid(format!(
            "没有名为“{name}”的敏感时期{}，可用 desk period list 查看",
            from.map(|f| format!("（从 {f} 开始）")).unwrap_or_default()
        ))),
        _ => Err(DomainError::invalid(format!(
            "有 {} 个名为“{name}”的敏感时期，请用 --from 开始日期 指明是哪一个",
            hits.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    #[test]
    fn active_periods_tighten_deadlines_by_the_tightest_share() {
        let spring = SensitivePeriod::new("春节", day(2, 1), day(2, 20), None).unwrap();
        let npc = SensitivePeriod::new("全国两会", day(2, 15), day(3, 15), Some(70)).unwrap();
        let all = vec![spring.clone(), npc.clone()];
        assert!(active_on(&all, day(1, 31)).is_empty());
        assert_eq!(deadline_percent(&active_on(&all, day(1, 31))), 100);
        assert_eq!(active_on(&all, day(2, 1)), vec![spring.clone()]);
        assert_eq!(active_on(&all, day(2, 20)).len(), 2);
        assert_eq!(
            banner(&active_on(&all, day(2, 16))).as_deref(),
            Some("春节、全国两会")
        );
        assert_eq!(deadline_percent(&active_on(&all, day(2, 16))), 50);
        assert_eq!(deadline_percent(&active_on(&all, day(3, 1))), 70);
        assert_eq!(tighten(7, 50), 4);
        assert_eq!(tighten(3, 50), 2);
        assert_eq!(tighten(30, 100), 30);
        assert_eq!(tighten(1, 10), 1);
        assert_eq!(spring.describe(), "春节（2月1日至2月20日）");
    }

    #[test]
    fn bad_periods_and_factors_are_refused_in_chinese() {
        let e = SensitivePeriod::new("国庆", day(10, 7), day(10, 1), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "“国庆”的结束日期 2027-10-01 早于开始日期 2027-10-07"
        );
        assert!(SensitivePeriod::new(" ", day(1, 1), day(1, 2), None).is_err());
        assert!(SensitivePeriod::new("全年", day(1, 1), day(12, 31), None).is_ok());
        let long = NaiveDate::from_ymd_opt(2028, 1, 2).unwrap();
        assert!(SensitivePeriod::new("太长", day(1, 1), long, None).is_err());
        assert_eq!(parse_factor("0.5").unwrap(), 50);
        assert_eq!(parse_factor("６０％").unwrap(), 60);
        assert_eq!(parse_factor("1").unwrap(), 100);
        let e = parse_factor("2").unwrap_err().to_string();
        assert!(e.starts_with("时限系数“2”不对"), "{e}");
        assert!(parse_factor("一半").is_err());
        assert!(parse_factor("5%").is_err());
    }

    #[test]
    fn recurring_names_need_their_start_to_be_told_apart() {
        let a = SensitivePeriod::new("春节", day(2, 1), day(2, 20), None).unwrap();
        let next = NaiveDate::from_ymd_opt(2028, 1, 20).unwrap();
        let b = SensitivePeriod::new("春节", next, next + chrono::Days::new(15), None).unwrap();
        let all = vec![a.clone(), b];
        assert!(check_new(&all, &a).is_err());
        assert!(find(&all, "春节", None)
            .unwrap_err()
            .to_string()
            .contains("有 2 个名为“春节”"));
        assert_eq!(find(&all, "春节", Some(next)).unwrap(), 1);
        assert!(find(&all, "国庆", None)
            .unwrap_err()
            .to_string()
            .starts_with("没有名为“国庆”的敏感时期"));
    }
}
