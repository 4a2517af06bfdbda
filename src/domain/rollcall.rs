//! 每日点名 (一天一排查、一天一汇总、一天一上报): every village and unit owes
//! the centre a daily report while a sensitive period runs — 有情况 with what
//! was found, or 零报告. The duty officer records each report on the
//! village's behalf; whoever is still missing at the due hour is flagged for 督办.

use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};

use super::dispute::Time;
use super::limits::MAX_LINE_CHARS;
use super::lists::{Channel, RollcallKind};
use super::names;
use super::period::SensitivePeriod;
use super::text::{check_len, clean_line};
use super::DomainError;

/// The centre itself collects the reports; it does not owe one.
pub const COLLECTOR: &str = "综治中心";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollcallEntry {
    /// The village or unit that reported.
    pub unit: String,
    pub kind: RollcallKind,
    pub channel: Channel,
    /// What was said (required for 有情况).
    #[serde(default)]
    pub text: String,
    /// Login of the officer who took the report.
    pub by: String,
    pub at: Time,
}

/// What an officer fills in for one village's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRollcall {
    pub unit: String,
    /// The day reported for; today when not given.
    pub date: Option<NaiveDate>,
    pub kind: RollcallKind,
    pub channel: Channel,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RollcallSettings {
    /// Villages still missing at this hour are flagged for 督办.
    pub due_hour: u32,
    /// Run the roll-call every day, not only in sensitive periods.
    pub every_day: bool,
}

impl Default for RollcallSettings {
    fn default() -> Self {
        RollcallSettings {
            due_hour: 17,
            every_day: false,
        }
    }
}

impl RollcallSettings {
    pub fn check(&self) -> Result<(), DomainError> {
        if self.due_hour > 23 {
            return Err(DomainError::invalid(format!(
                "截止时刻应在 0 到 23 点之间，不能是 {} 点",
                self.due_hour
            )));
        }
        Ok(())
    }
}

/// Who owes a daily report: every village, then every unit but the centre.
pub fn expected(villages: &[String], units: &[String]) -> Vec<String> {
    villages
        .iter()
        .chain(units.iter().filter(|u| u.as_str() != COLLECTOR))
        .cloned()
        .collect()
}

impl RollcallEntry {
    /// Checks a report against the expected reporters; `date` is the day it is for.
    pub fn new(
        new: &NewRollcall,
        expected: &[String],
        by: &str,
        now: Time,
    ) -> Result<RollcallEntry, DomainError> {
        let unit = clean_line(&new.unit);
        let unit = match names::resolve(expected, &unit) {
            names::Resolved::Found { index, .. } => Some(expected[index].clone()),
            names::Resolved::Ambiguous(_) | names::Resolved::Unknown(_) => None,
        }
        .ok_or_else(|| {
            DomainError::invalid(format!(
                "“{unit}”不在村(社区)和责任单位名录中，不能登记点名。应报的有：{}",
                expected.join("、")
            ))
        })?;
        if new.date.is_some_and(|d| d > now.date_naive()) {
            return Err(DomainError::invalid(
                "不能为以后的日期登记点名报告".to_string(),
            ));
        }
        let text = clean_line(&new.text);
        check_len("报告内容", &text, MAX_LINE_CHARS)?;
        if new.kind == RollcallKind::News && text.is_empty() {
            return Err(DomainError::invalid(format!(
                "{unit}报告“有情况”，请写明情况（--news 后面的文字）"
            )));
        }
        Ok(RollcallEntry {
            unit,
            kind: new.kind,
            channel: new.channel,
            text,
            by: by.to_string(),
            at: now,
        })
    }
}

/// Adds a day's report; a second report from the same unit replaces the
/// first (the audit log keeps both). Returns whether one was replaced.
pub fn record(day: &mut Vec<RollcallEntry>, entry: RollcallEntry) -> bool {
    match day.iter_mut().find(|e| e.unit == entry.unit) {
        Some(old) => {
            *old = entry;
            true
        }
        None => {
            day.push(entry);
            false
        }
    }
}

/// One day's roll-call: who reported, who has not, who is flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollcallSheet {
    pub date: NaiveDate,
    /// A sensitive period is active (or the roll-call runs every day).
    pub running: bool,
    /// Names of the active sensitive periods.
    pub periods: Vec<String>,
    pub due_hour: u32,
    /// The due hour of `date` has passed.
    pub past_due: bool,
    pub expected: u32,
    /// In the order of the expected list; reports from units no longer
    /// listed come last.
    pub reported: Vec<RollcallEntry>,
    pub missing: Vec<String>,
    /// Missing after the due hour while the roll-call runs: for 督办.
    pub flagged: Vec<String>,
}

impl RollcallSheet {
    pub fn count(&self, kind: RollcallKind) -> usize {
        self.reported.iter().filter(|e| e.kind == kind).count()
    }
}

pub fn sheet(
    date: NaiveDate,
    expected: &[String],
    entries: &[RollcallEntry],
    settings: &RollcallSettings,
    active: &[SensitivePeriod],
    now: Time,
) -> RollcallSheet {
    let today = now.date_naive();
    let past_due = date < today || (date == today && now.hour() >= settings.due_hour);
    let running = settings.every_day || !active.is_empty();
    let mut reported: Vec<RollcallEntry> = expected
        .iter()
        .filter_map(|u| entries.iter().find(|e| e.unit == *u).cloned())
        .collect();
    reported.extend(
        entries
            .iter()
            .filter(|e| !expected.contains(&e.unit))
            .cloned(),
    );
    let missing: Vec<String> = expected
        .iter()
        .filter(|u| !entries.iter().any(|e| e.unit == **u))
        .cloned()
        .collect();
    let flagged = if running && past_due {
        missing.clone()
    } else {
        Vec::new()
    };
    RollcallSheet {
        date,
        running,
        periods: active.iter().map(|p| p.name.clone()).collect(),
        due_hour: settings.due_hour,
        past_due,
        expected: expected.len() as u32,
        reported,
        missing,
        flagged,
    }
}

/// The sheet as lines for the terminal (`desk rollcall`).
pub fn sheet_text(s: &RollcallSheet, names: &super::officer::Names) -> String {
    let mut out = String::new();
    let state = if !s.periods.is_empty() {
        format!("敏感时期：{}", s.periods.join("、"))
    } else if s.running {
        "每日点名".to_string()
    } else {
        "不在敏感时期，点名未启用".to_string()
    };
    out.push_str(&format!(
        "{} 点名（{state}；{}:00 截止）\n",
        s.date.format("%Y-%m-%d"),
        s.due_hour
    ));
    out.push_str(&format!(
        "已报 {}/{}：有情况 {}，零报告 {}\n",
        s.reported.len(),
        s.expected,
        s.count(RollcallKind::News),
        s.count(RollcallKind::Zero)
    ));
    for e in &s.reported {
        let said = if e.text.is_empty() {
            String::new()
        } else {
            format!("：{}", clean_line(&e.text))
        };
        out.push_str(&format!(
            "  {} {} {} {} {}{said}\n",
            e.unit,
            e.kind.label(),
            e.channel.label(),
            e.at.format("%H:%M"),
            names.name(&e.by)
        ));
    }
    if s.missing.is_empty() {
        out.push_str("未报：无\n");
    } else {
        out.push_str(&format!(
            "未报 {}：{}\n",
            s.missing.len(),
            s.missing.join("、")
        ));
    }
    if !s.flagged.is_empty() {
        out.push_str(&format!(
            "已过 {}:00，{} 个未报，请督办\n",
            s.due_hour,
            s.flagged.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn at(h: u32, m: u32) -> Time {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reported_missing_and_flagged_after_the_due_hour() {
        let expected = expected(
            &names(&["东河村", "西岗村", "南湾社区"]),
            &names(&["综治中心", "派出所"]),
        );
        assert_eq!(expected, names(&["东河村", "西岗村", "南湾社区", "派出所"]));
        let new = |unit: &str, kind, text: &str| NewRollcall {
            unit: unit.into(),
            date: None,
            kind,
            channel: Channel::Phone,
            text: text.into(),
        };
        let mut day = Vec::new();
        let e = RollcallEntry::new(
            &new("西岗", RollcallKind::Zero, ""),
            &expected,
            "zb1",
            at(9, 5),
        )
        .unwrap();
        assert_eq!(e.unit, "西岗村");
        // The one resolver: pinyin and a unique part name the reporter too.
        for (typed, unit) in [("xg", "西岗村"), ("pcs", "派出所"), ("南湾", "南湾社区")]
        {
            let got = RollcallEntry::new(
                &new(typed, RollcallKind::Zero, ""),
                &expected,
                "zb1",
                at(9, 5),
            );
            assert_eq!(got.map(|e| e.unit).as_deref(), Ok(unit), "{typed}");
        }
        assert!(!record(&mut day, e));
        let e = RollcallEntry::new(
            &new("南湾社区", RollcallKind::News, "两户因宅基地争执"),
            &expected,
            "zb1",
            at(10, 0),
        )
        .unwrap();
        record(&mut day, e);
        let settings = RollcallSettings::default();
        let spring =
            SensitivePeriod::new("春节", at(0, 0).date_naive(), at(0, 0).date_naive(), None)
                .unwrap();
        let before = sheet(
            at(0, 0).date_naive(),
            &expected,
            &day,
            &settings,
            std::slice::from_ref(&spring),
            at(16, 59),
        );
        assert!(before.running && !before.past_due);
        assert_eq!(before.missing, names(&["东河村", "派出所"]));
        assert!(before.flagged.is_empty());
        let after = sheet(
            at(0, 0).date_naive(),
            &expected,
            &day,
            &settings,
            &[spring],
            at(17, 0),
        );
        assert_eq!(after.flagged, names(&["东河村", "派出所"]));
        assert_eq!(
            sheet_text(&after, &crate::domain::officer::Names::default()),
            "2026-11-20 点名（敏感时期：春节；17:00 截止）\n\
             已报 2/4：有情况 1，零报告 1\n  \
             西岗村 零报告 电话 09:05 zb1\n  \
             南湾社区 有情况 电话 10:00 zb1：两户因宅基地争执\n\
             未报 2：东河村、派出所\n\
             已过 17:00，2 个未报，请督办\n"
        );
        // Outside a period nothing is flagged unless the desk runs it daily.
        let calm = sheet(
            at(0, 0).date_naive(),
            &expected,
            &day,
            &settings,
            &[],
            at(18, 0),
        );
        assert!(!calm.running && calm.flagged.is_empty());
        let daily = RollcallSettings {
            every_day: true,
            ..settings
        };
        assert_eq!(
            sheet(
                at(0, 0).date_naive(),
                &expected,
                &day,
                &daily,
                &[],
                at(18, 0)
            )
            .flagged
            .len(),
            2
        );
        // A second report from the same village replaces the first.
        let again = RollcallEntry::new(
            &new("西岗村", RollcallKind::News, "新情况"),
            &expected,
            "zb1",
            at(11, 0),
        )
        .unwrap();
        assert!(record(&mut day, again));
        assert_eq!(day.len(), 2);
    }

    #[test]
    fn bad_reports_are_refused_in_chinese() {
        let expected = names(&["东河村"]);
        let new = NewRollcall {
            unit: "北山村".into(),
            date: None,
            kind: RollcallKind::Zero,
            channel: Channel::WeChat,
            text: String::new(),
        };
        let e = RollcallEntry::new(&new, &expected, "zb1", at(9, 0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "“北山村”不在村(社区)和责任单位名录中，不能登记点名。应报的有：东河村"
        );
        let news = NewRollcall {
            unit: "东河村".into(),
            kind: RollcallKind::News,
            ..new.clone()
        };
        assert!(RollcallEntry::new(&news, &expected, "zb1", at(9, 0))
            .unwrap_err()
            .to_string()
            .contains("请写明情况"));
        let later = NewRollcall {
            unit: "东河村".into(),
            date: Some(at(0, 0).date_naive() + chrono::Days::new(1)),
            ..new
        };
        assert_eq!(
            RollcallEntry::new(&later, &expected, "zb1", at(9, 0))
                .unwrap_err()
                .to_string(),
            "不能为以后的日期登记点名报告"
        );
        assert!(RollcallSettings {
            due_hour: 24,
            every_day: false
        }
        .check()
        .is_err());
    }
}
