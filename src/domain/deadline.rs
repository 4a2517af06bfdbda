//! The default 化解时限 when an officer assigns a case without one: the
//! days for its risk level, tightened while a sensitive period runs. One
//! rule, used by the server, the ledger import and the assign form's hint.

use chrono::{Days, NaiveDate};

use super::lists::RiskLevel;
use super::period::{self, SensitivePeriod};
use super::settings::Settings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultDeadline {
    pub date: NaiveDate,
    /// The days the risk level gives outside sensitive periods.
    pub usual_days: u32,
    /// The days that apply (fewer while a period tightens them).
    pub days: u32,
    /// The periods that tightened it (春节、全国两会), when any did.
    pub tightened_by: Option<String>,
}

/// The default deadline counted from `from`, for a case of `risk` (none
/// yet: the lowest level's days), with the periods `active` on that day.
pub fn default_deadline(
    settings: &Settings,
    risk: Option<RiskLevel>,
    active: &[SensitivePeriod],
    from: NaiveDate,
) -> DefaultDeadline {
    let usual_days = risk
        .map(|r| settings.deadline_days_for(r))
        .unwrap_or(settings.deadline_days[0]);
    let percent = period::deadline_percent(active);
    let days = if percent < 100 {
        period::tighten(usual_days, percent)
    } else {
        usual_days
    };
    DefaultDeadline {
        date: from + Days::new(u64::from(days)),
        usual_days,
        days,
        tightened_by: (days < usual_days).then(|| period::banner(active).unwrap_or_default()),
    }
}

impl DefaultDeadline {
    /// What the case history adds when a period tightened the deadline.
    pub fn history_note(&self) -> String {
        match &self.tightened_by {
            Some(periods) => format!(
                "（敏感时期{periods}：时限从严，{}天改为{}天）",
                self.usual_days, self.days
            ),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_tighten_the_risk_levels_days() {
        let s = Settings::default();
        let day = NaiveDate::from_ymd_opt(2026, 2, 10).unwrap();
        let plain = default_deadline(&s, Some(RiskLevel::High), &[], day);
        assert_eq!((plain.days, plain.history_note()), (7, String::new()));
        assert_eq!(plain.date, NaiveDate::from_ymd_opt(2026, 2, 17).unwrap());
        let spring = SensitivePeriod {
            name: "春节".into(),
            from: day,
            to: day,
            deadline_percent: 50,
        };
        let tight = default_deadline(&s, Some(RiskLevel::High), &[spring], day);
        assert_eq!(tight.days, 4);
        assert_eq!(
            tight.history_note(),
            "（敏感时期春节：时限从严，7天改为4天）"
        );
        assert_eq!(default_deadline(&s, None, &[], day).days, 30);
    }
}
