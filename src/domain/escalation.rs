//! 黄牌 / 橙牌 / 红牌: how far an open case is past its 化解时限. The one
//! place the colour of a case is decided; the 督办 screen, the reports, the
//! 我的 counts and the automatic 挂牌督办 all ask `colour`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DomainError;

/// The escalation colour of an overdue case, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Colour {
    Yellow,
    Orange,
    Red,
}

impl Colour {
    /// Worst first, the order 督办 groups and reports count in.
    pub const WORST_FIRST: [Colour; 3] = [Colour::Red, Colour::Orange, Colour::Yellow];

    pub fn label(self) -> &'static str {
        match self {
            Colour::Yellow => "黄牌",
            Colour::Orange => "橙牌",
            Colour::Red => "红牌",
        }
    }
}

/// Days overdue from which a case turns 橙牌 and 红牌 (黄牌 from the first
/// day). Editable by 管理员; defaults 4 and 8 (漯河 practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    #[serde(default = "default_orange")]
    pub orange_from: u32,
    #[serde(default = "default_red")]
    pub red_from: u32,
}

fn default_orange() -> u32 {
    4
}

fn default_red() -> u32 {
    8
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            orange_from: default_orange(),
            red_from: default_red(),
        }
    }
}

impl Thresholds {
    pub fn check(&self) -> Result<(), DomainError> {
        if self.orange_from < 2 || self.red_from <= self.orange_from || self.red_from > 365 {
            return Err(DomainError::invalid(format!(
                "橙牌从逾期第 {} 天、红牌从第 {} 天起不合理：须 2 ≤ 橙牌 < 红牌 ≤ 365",
                self.orange_from, self.red_from
            )));
        }
        Ok(())
    }

    /// 黄牌 1–3 天 / 橙牌 4–7 天 / 红牌 8 天以上, with the numbers in force.
    pub fn describe(&self) -> String {
        format!(
            "黄牌 逾期 1–{} 天，橙牌 {}–{} 天，红牌 {} 天以上",
            self.orange_from - 1,
            self.orange_from,
            self.red_from - 1,
            self.red_from
        )
    }
}

/// The colour of a case whose clock runs (`open`, not 中止) with `deadline`,
/// on `today`; None when it is not overdue.
pub fn colour(
    open: bool,
    paused: bool,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    t: &Thresholds,
) -> Option<Colour> {
    let deadline = deadline.filter(|_| open && !paused)?;
    let late = (today - deadline).num_days();
    let late = u32::try_from(late).ok().filter(|d| *d > 0)?;
    Some(if late >= t.red_from {
        Colour::Red
    } else if late >= t.orange_from {
        Colour::Orange
    } else {
        Colour::Yellow
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, n).unwrap()
    }

    #[test]
    fn days_overdue_give_the_colour_at_each_boundary() {
        let t = Thresholds::default();
        let c = |today| colour(true, false, Some(day(10)), today, &t);
        assert_eq!(c(day(10)), None, "due today is not overdue");
        assert_eq!(c(day(11)), Some(Colour::Yellow));
        assert_eq!(c(day(13)), Some(Colour::Yellow));
        assert_eq!(c(day(14)), Some(Colour::Orange));
        assert_eq!(c(day(17)), Some(Colour::Orange));
        assert_eq!(c(day(18)), Some(Colour::Red));
        assert_eq!(c(day(30)), Some(Colour::Red));
    }

    #[test]
    fn paused_closed_or_undated_cases_carry_no_colour() {
        let t = Thresholds::default();
        assert_eq!(colour(true, true, Some(day(1)), day(20), &t), None);
        assert_eq!(colour(false, false, Some(day(1)), day(20), &t), None);
        assert_eq!(colour(true, false, None, day(20), &t), None);
    }

    #[test]
    fn edited_thresholds_move_the_boundaries_and_are_checked() {
        let t = Thresholds {
            orange_from: 2,
            red_from: 3,
        };
        assert_eq!(
            colour(true, false, Some(day(10)), day(12), &t),
            Some(Colour::Orange)
        );
        assert_eq!(
            colour(true, false, Some(day(10)), day(13), &t),
            Some(Colour::Red)
        );
        assert!(t.check().is_ok());
        assert!(Thresholds {
            orange_from: 5,
            red_from: 5
        }
        .check()
        .is_err());
        assert!(Thresholds {
            orange_from: 1,
            red_from: 5
        }
        .check()
        .is_err());
    }
}
