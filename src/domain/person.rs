//! 重点人员: people the centre must visit and support. Sensitive: every entry
//! has a stated reason and a review date; ended entries keep their history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dispute::Time;
use super::limits::{MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::lists::{PersonCategory, RiskLevel, VisitMethod};
use super::text::{clean_line, required_line, required_name};
use super::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonVisit {
    pub date: NaiveDate,
    pub method: VisitMethod,
    pub by: String,
    pub finding: String,
    pub recorded_at: Time,
}

/// 复核: the entry was extended with a new reason, or ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub at: Time,
    pub by: String,
    pub reason: String,
    /// The new review date; `None` when the entry was ended.
    pub next_review: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPerson {
    /// e.g. RY-000042.
    pub id: String,
    #[serde(default)]
    pub rev: u64,
    pub name: String,
    pub village: String,
    pub category: PersonCategory,
    pub risk: RiskLevel,
    /// Login of the 责任人 who visits.
    pub officer: String,
    pub interval_days: u32,
    pub reason: String,
    pub review_date: NaiveDate,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    pub registered_at: Time,
    pub registered_by: String,
    #[serde(default)]
    pub visits: Vec<PersonVisit>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Set when the entry was ended at review; it leaves the watchlist.
    #[serde(default)]
    pub ended_at: Option<Time>,
}

/// What an officer fills in to put someone on the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPerson {
    pub name: String,
    pub village: String,
    pub category: PersonCategory,
    pub risk: RiskLevel,
    pub officer: String,
    #[serde(default)]
    pub interval_days: Option<u32>,
    pub reason: String,
    pub review_date: Option<NaiveDate>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
}

/// Default visit interval from the risk grade.
pub fn default_interval(risk: RiskLevel) -> u32 {
    match risk {
        RiskLevel::Critical => 7,
        RiskLevel::High => 15,
        RiskLevel::Medium => 30,
        RiskLevel::Low => 90,
    }
}

pub fn check_id_number(id: &str) -> Result<String, DomainError> {
    let id = id.trim().to_uppercase();
    let ok = id.len() == 18
        && id[..17].chars().all(|c| c.is_ascii_digit())
        && id[17..].chars().all(|c| c.is_ascii_digit() || c == 'X');
    if !ok {
        return Err(DomainError::invalid(format!(
            "身份证号“{id}”格式不对，应为 18 位（最后一位可为 X）"
        )));
    }
    Ok(id)
}

impl KeyPerson {
    pub fn register(
        id: String,
        new: NewPerson,
        by: &str,
        now: Time,
    ) -> Result<KeyPerson, DomainError> {
        let name = required_name("姓名", &new.name)?;
        let village = required_line("村(社区)", &new.village, MAX_NAME_CHARS)?;
        let reason = required_line("列管理由", &new.reason, MAX_LINE_CHARS)?;
        let officer = required_line("责任人", &new.officer, MAX_NAME_CHARS)?;
        let review_date = new
            .review_date
            .ok_or_else(|| DomainError::invalid("复核日期不能为空".to_string()))?;
        if review_date <= now.date_naive() {
            return Err(DomainError::invalid(format!(
                "复核日期 {review_date} 必须在今天之后"
            )));
        }
        let interval_days = new
            .interval_days
            .unwrap_or_else(|| default_interval(new.risk));
        if !(1..=365).contains(&interval_days) {
            return Err(DomainError::invalid(
                "走访周期应在 1 到 365 天之间".to_string(),
            ));
        }
        let phone = match new.phone.map(|p| clean_line(&p)).filter(|p| !p.is_empty()) {
            Some(p) => Some(super::dispute::check_phone(&p)?),
            None => None,
        };
        let id_number = match new
            .id_number
            .map(|p| clean_line(&p))
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(check_id_number(&p)?),
            None => None,
        };
        Ok(KeyPerson {
            id,
            rev: 0,
            name,
            village,
            category: new.category,
            risk: new.risk,
            officer,
            interval_days,
            reason,
            review_date,
            phone,
            id_number,
            registered_at: now,
            registered_by: by.to_string(),
            visits: Vec::new(),
            reviews: Vec::new(),
            ended_at: None,
        })
    }

    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }

    pub fn last_visit(&self) -> Option<NaiveDate> {
        self.visits.iter().map(|v| v.date).max()
    }

    /// The date the next visit is due: interval after the last visit, or after registration.
    pub fn next_visit_due(&self) -> NaiveDate {
        let from = self.last_visit().unwrap_or(self.registered_at.date_naive());
        from + chrono::Days::new(u64::from(self.interval_days))
    }

    pub fn visit_overdue(&self, today: NaiveDate) -> bool {
        self.is_active() && self.next_visit_due() < today
    }

    pub fn past_review(&self, today: NaiveDate) -> bool {
        self.is_active() && self.review_date < today
    }

    pub fn visit(
        &mut self,
        date: NaiveDate,
        method: VisitMethod,
        finding: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        if !self.is_active() {
            return Err(DomainError::refused(
                "该人员已解除列管，不能再登记走访".to_string(),
            ));
        }
        if date > now.date_naive() {
            return Err(DomainError::invalid(format!(
                "走访日期 {date} 还没到，不能登记"
            )));
        }
        let finding = required_line("走访情况", finding, MAX_TEXT_CHARS)?;
        self.visits.push(PersonVisit {
            date,
            method,
            by: by.to_string(),
            finding,
            recorded_at: now,
        });
        Ok(())
    }

    /// 复核: extend with a new reason and review date, or end the entry (`next_review` None).
    pub fn review(
        &mut self,
        reason: &str,
        next_review: Option<NaiveDate>,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        if !self.is_active() {
            return Err(DomainError::refused("该人员已解除列管".to_string()));
        }
        let reason = required_line("复核理由", reason, MAX_LINE_CHARS)?;
        match next_review {
            Some(d) if d <= now.date_naive() => {
                return Err(DomainError::invalid(format!(
                    "新的复核日期 {d} 必须在今天之后"
                )))
            }
            Some(d) => {
                self.review_date = d;
                self.reason = reason.clone();
            }
            None => self.ended_at = Some(now),
        }
        self.reviews.push(Review {
            at: now,
            by: by.to_string(),
            reason,
            next_review,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn at(m: u32, d: u32) -> Time {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, m, d, 10, 0, 0)
            .unwrap()
    }

    fn new_person() -> NewPerson {
        NewPerson {
            name: "周德华".into(),
            village: "西岗村".into(),
            category: PersonCategory::HighRiskPetitioner,
            risk: RiskLevel::High,
            officer: "wgy1".into(),
            interval_days: None,
            reason: "反复信访，情绪激烈".into(),
            review_date: NaiveDate::from_ymd_opt(2027, 5, 1),
            phone: Some("139-0000-2222".into()),
            id_number: None,
        }
    }

    #[test]
    fn reason_and_review_date_are_required() {
        let mut p = new_person();
        p.reason = " ".into();
        assert_eq!(
            KeyPerson::register("RY-1".into(), p, "a", at(11, 1))
                .unwrap_err()
                .to_string(),
            "列管理由不能为空"
        );
        let mut p = new_person();
        p.review_date = None;
        assert_eq!(
            KeyPerson::register("RY-1".into(), p, "a", at(11, 1))
                .unwrap_err()
                .to_string(),
            "复核日期不能为空"
        );
        let mut p = new_person();
        p.id_number = Some("1234".into());
        assert!(KeyPerson::register("RY-1".into(), p, "a", at(11, 1)).is_err());
    }

    #[test]
    fn visits_and_reviews_drive_the_watchlist() {
        let mut p = KeyPerson::register("RY-1".into(), new_person(), "a", at(11, 1)).unwrap();
        assert_eq!(p.interval_days, 15);
        assert_eq!(p.phone.as_deref(), Some("13900002222"));
        let nov = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(p.next_visit_due(), nov(16));
        assert!(p.visit_overdue(nov(17)));
        p.visit(nov(10), VisitMethod::Home, "情绪稳定", "wgy1", at(11, 10))
            .unwrap();
        assert_eq!(p.next_visit_due(), nov(25));
        assert!(p
            .visit(nov(30), VisitMethod::Home, "x", "wgy1", at(11, 10))
            .is_err());
        p.review("情况好转，解除列管", None, "zb", at(11, 20))
            .unwrap();
        assert!(!p.is_active());
        assert!(!p.visit_overdue(nov(30)));
        assert_eq!(p.visits.len(), 1, "history stays");
        assert!(p
            .visit(nov(20), VisitMethod::Phone, "x", "wgy1", at(11, 20))
            .is_err());
    }
}
