//! 重点人员: people the centre must visit and support. Sensitive: every entry
//! has a stated reason and a review date; ended entries keep their history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dispute::Time;
use super::limits::{MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use super::lists::{FailReason, PersonCategory, PersonGrade, RiskLevel, VisitMethod};
use super::person_rules::PersonRules;
use super::text::{clean_line, required_line, required_name};
use super::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonVisit {
    pub date: NaiveDate,
    pub method: VisitMethod,
    pub by: String,
    pub finding: String,
    pub recorded_at: Time,
    /// Set when the visit did not meet the person (未见面).
    #[serde(default)]
    pub failed: Option<FailReason>,
    /// The grade assessed at this visit, when one was.
    #[serde(default)]
    pub grade: Option<PersonGrade>,
}

/// A visit as the officer records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitEntry {
    pub date: NaiveDate,
    pub method: VisitMethod,
    pub finding: String,
    /// None: the person was met.
    #[serde(default)]
    pub failed: Option<FailReason>,
    #[serde(default)]
    pub grade: Option<PersonGrade>,
}

/// What a person's alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonAlertKind {
    /// 失访: N failed visits in a row.
    LostContact,
    /// 3–5级: an unstable 严重精神障碍患者.
    Unstable,
}

impl PersonAlertKind {
    pub fn label(self) -> &'static str {
        match self {
            PersonAlertKind::LostContact => "失访",
            PersonAlertKind::Unstable => "危险等级",
        }
    }
}

/// An alert on a key person: shown to 值班员 and 领导 until acknowledged;
/// a 失访 alert is acknowledged only with a plan (措施).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonAlert {
    pub kind: PersonAlertKind,
    pub raised_at: Time,
    pub detail: String,
    #[serde(default)]
    pub acked_by: Option<String>,
    #[serde(default)]
    pub acked_at: Option<Time>,
    #[serde(default)]
    pub plan: Option<String>,
}

/// Where an entry stands on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// On the active watchlist.
    Active,
    /// Past its review date: off the watchlist until someone decides (待复核).
    ReviewDue,
    /// Ended at review; the record stays.
    Ended,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Active => "在册",
            Standing::ReviewDue => "待复核",
            Standing::Ended => "已解除",
        }
    }
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
    /// 危险等级; entries from before grades existed read theirs from `risk`.
    #[serde(default)]
    pub grade: Option<PersonGrade>,
    /// 人户分离: the township of the household registration, when not ours.
    #[serde(default)]
    pub household: Option<String>,
    #[serde(default)]
    pub alerts: Vec<PersonAlert>,
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
    #[serde(default)]
    pub grade: Option<PersonGrade>,
    #[serde(default)]
    pub household: Option<String>,
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
        rules: &PersonRules,
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
        let grade = match new.grade {
            Some(g) => g.check(new.category)?,
            None => PersonGrade::from_risk(new.category, new.risk),
        };
        let interval_days = rules.interval(new.category, grade);
        let household = new
            .household
            .map(|h| clean_line(&h))
            .filter(|h| !h.is_empty());
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
        let mut p = KeyPerson {
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
            grade: Some(grade),
            household,
            alerts: Vec::new(),
        };
        p.grade_alert(None, now);
        Ok(p)
    }

    /// Raises the 危险等级 alert when the grade became unstable.
    fn grade_alert(&mut self, before: Option<PersonGrade>, now: Time) {
        let g = self.grade();
        if g.is_unstable() && before.is_none_or(|b| !b.is_unstable()) {
            self.raise(
                PersonAlertKind::Unstable,
                format!("{}危险等级 {}", self.category.label(), g.label()),
                now,
            );
        }
    }

    fn raise(&mut self, kind: PersonAlertKind, detail: String, now: Time) {
        self.alerts.push(PersonAlert {
            kind,
            raised_at: now,
            detail,
            acked_by: None,
            acked_at: None,
            plan: None,
        });
    }

    pub fn grade(&self) -> PersonGrade {
        self.grade
            .unwrap_or_else(|| PersonGrade::from_risk(self.category, self.risk))
    }

    /// Alerts nobody has acknowledged yet.
    pub fn open_alerts(&self) -> impl Iterator<Item = &PersonAlert> {
        self.alerts.iter().filter(|a| a.acked_by.is_none())
    }

    /// Failed visits since the last one that met the person.
    pub fn failed_in_a_row(&self) -> u32 {
        let mut visits: Vec<&PersonVisit> = self.visits.iter().collect();
        visits.sort_by_key(|v| (v.date, v.recorded_at));
        visits
            .iter()
            .rev()
            .take_while(|v| v.failed.is_some())
            .count() as u32
    }

    /// 失访: an unacknowledged lost-contact alert stands.
    pub fn lost_contact(&self) -> bool {
        self.open_alerts()
            .any(|a| a.kind == PersonAlertKind::LostContact)
    }

    pub fn standing(&self, today: NaiveDate) -> Standing {
        if self.ended_at.is_some() {
            Standing::Ended
        } else if self.review_date < today {
            Standing::ReviewDue
        } else {
            Standing::Active
        }
    }

    /// Ended longer ago than the retention period: personal fields are
    /// masked for all but 管理员.
    pub fn past_retention(&self, today: NaiveDate, retention_days: u32) -> bool {
        self.ended_at
            .is_some_and(|e| e.date_naive() + chrono::Days::new(u64::from(retention_days)) < today)
    }

    /// Removes the personal fields, keeping what counts need (编号, 村, 类别).
    pub fn redact(&mut self) {
        const GONE: &str = "（已过保存期）";
        self.name = GONE.to_string();
        self.reason = GONE.to_string();
        self.phone = None;
        self.id_number = None;
        self.household = None;
        for v in &mut self.visits {
            v.finding = GONE.to_string();
        }
        for r in &mut self.reviews {
            r.reason = GONE.to_string();
        }
        for a in &mut self.alerts {
            a.detail = GONE.to_string();
            a.plan = a.plan.as_ref().map(|_| GONE.to_string());
        }
    }

    /// 签收 the open alerts; a 失访 alert needs a plan (措施).
    pub fn ack_alerts(&mut self, plan: &str, by: &str, now: Time) -> Result<String, DomainError> {
        let open: Vec<PersonAlertKind> = self.open_alerts().map(|a| a.kind).collect();
        if open.is_empty() {
            return Err(DomainError::refused("该人员没有待签收的预警".to_string()));
        }
        let plan = clean_line(plan);
        if open.contains(&PersonAlertKind::LostContact) && plan.is_empty() {
            return Err(DomainError::invalid(
                "签收失访预警须写明措施（--plan）".to_string(),
            ));
        }
        let plan = (!plan.is_empty()).then_some(plan);
        for a in self.alerts.iter_mut().filter(|a| a.acked_by.is_none()) {
            a.acked_by = Some(by.to_string());
            a.acked_at = Some(now);
            a.plan = plan.clone();
        }
        let kinds: Vec<&str> = open.iter().map(|k| k.label()).collect();
        Ok(match &plan {
            Some(p) => format!("{} 签收{}预警，措施：{p}", self.name, kinds.join("、")),
            None => format!("{} 签收{}预警", self.name, kinds.join("、")),
        })
    }

    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }

    /// The last visit that met the person.
    pub fn last_visit(&self) -> Option<NaiveDate> {
        self.visits
            .iter()
            .filter(|v| v.failed.is_none())
            .map(|v| v.date)
            .max()
    }

    /// The date the next visit is due: the interval after the last
    /// successful visit, or after registration.
    pub fn next_visit_due(&self) -> NaiveDate {
        let from = self.last_visit().unwrap_or(self.registered_at.date_naive());
        from + chrono::Days::new(u64::from(self.interval_days))
    }

    /// 逾期未访: on the active watchlist and past the due date.
    pub fn visit_overdue(&self, today: NaiveDate) -> bool {
        self.standing(today) == Standing::Active && self.next_visit_due() < today
    }

    pub fn past_review(&self, today: NaiveDate) -> bool {
        self.standing(today) == Standing::ReviewDue
    }

    /// Records a visit. A failed one counts towards 失访; a grade assessed
    /// at the visit resets the cadence and may raise the 危险等级 alert.
    /// Returns the alerts the visit raised.
    pub fn visit(
        &mut self,
        v: VisitEntry,
        rules: &PersonRules,
        by: &str,
        now: Time,
    ) -> Result<Vec<PersonAlertKind>, DomainError> {
        if !self.is_active() {
            return Err(DomainError::refused(
                "该人员已解除列管，不能再登记走访".to_string(),
            ));
        }
        if v.date > now.date_naive() {
            return Err(DomainError::invalid(format!(
                "走访日期 {} 还没到，不能登记",
                v.date
            )));
        }
        let finding = match v.failed {
            Some(reason) => {
                let note = clean_line(&v.finding);
                if note.is_empty() {
                    reason.label().to_string()
                } else {
                    required_line("走访情况", &note, MAX_TEXT_CHARS)?
                }
            }
            None => required_line("走访情况", &v.finding, MAX_TEXT_CHARS)?,
        };
        let grade = v.grade.map(|g| g.check(self.category)).transpose()?;
        let before = self.alerts.len();
        self.visits.push(PersonVisit {
            date: v.date,
            method: v.method,
            by: by.to_string(),
            finding,
            recorded_at: now,
            failed: v.failed,
            grade,
        });
        if let Some(g) = grade {
            let was = self.grade();
            self.grade = Some(g);
            self.interval_days = rules.interval(self.category, g);
            self.grade_alert(Some(was), now);
        }
        let failed = self.failed_in_a_row();
        if failed >= rules.lost_after && !self.lost_contact() {
            self.raise(
                PersonAlertKind::LostContact,
                format!("连续 {failed} 次走访未见到本人"),
                now,
            );
        }
        Ok(self.alerts[before..].iter().map(|a| a.kind).collect())
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
            grade: None,
            household: None,
        }
    }

    fn reg(p: NewPerson) -> Result<KeyPerson, DomainError> {
        KeyPerson::register("RY-1".into(), p, &PersonRules::default(), "a", at(11, 1))
    }

    fn met(d: NaiveDate) -> VisitEntry {
        VisitEntry {
            date: d,
            method: VisitMethod::Home,
            finding: "情绪稳定".into(),
            failed: None,
            grade: None,
        }
    }

    #[test]
    fn reason_and_review_date_are_required() {
        let mut p = new_person();
        p.reason = " ".into();
        assert_eq!(reg(p).unwrap_err().to_string(), "列管理由不能为空");
        let mut p = new_person();
        p.review_date = None;
        assert_eq!(reg(p).unwrap_err().to_string(), "复核日期不能为空");
        let mut p = new_person();
        p.id_number = Some("1234".into());
        assert!(reg(p).is_err());
        let mut p = new_person();
        p.grade = Some(PersonGrade::G3);
        assert!(reg(p).is_err(), "0–5 only for 严重精神障碍患者");
    }

    #[test]
    fn visits_and_reviews_drive_the_watchlist() {
        let rules = PersonRules::default();
        let mut p = reg(new_person()).unwrap();
        assert_eq!(p.grade(), PersonGrade::High);
        assert_eq!(p.interval_days, 7, "高 weekly");
        assert_eq!(p.phone.as_deref(), Some("13900002222"));
        let nov = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(p.next_visit_due(), nov(8));
        assert!(p.visit_overdue(nov(9)));
        p.visit(met(nov(10)), &rules, "wgy1", at(11, 10)).unwrap();
        assert_eq!(p.next_visit_due(), nov(17));
        assert!(p.visit(met(nov(30)), &rules, "wgy1", at(11, 10)).is_err());
        p.review("情况好转，解除列管", None, "zb", at(11, 20))
            .unwrap();
        assert!(!p.is_active());
        assert!(!p.visit_overdue(nov(30)));
        assert_eq!(p.visits.len(), 1, "history stays");
        assert!(p.visit(met(nov(20)), &rules, "wgy1", at(11, 20)).is_err());
    }

    #[test]
    fn grade_sets_cadence_and_unstable_grades_alert() {
        let rules = PersonRules::default();
        let mut n = new_person();
        n.category = PersonCategory::MentalDisorder;
        n.grade = Some(PersonGrade::G0);
        let mut p = reg(n).unwrap();
        assert_eq!(p.interval_days, 90);
        assert_eq!(p.open_alerts().count(), 0);
        let mut v = met(NaiveDate::from_ymd_opt(2026, 11, 5).unwrap());
        v.grade = Some(PersonGrade::G4);
        let raised = p.visit(v, &rules, "wgy1", at(11, 5)).unwrap();
        assert_eq!(raised, vec![PersonAlertKind::Unstable]);
        assert_eq!(p.interval_days, 14);
        assert_eq!(
            p.next_visit_due(),
            NaiveDate::from_ymd_opt(2026, 11, 19).unwrap()
        );
        p.ack_alerts("", "zb", at(11, 5)).unwrap();
        assert_eq!(p.open_alerts().count(), 0);
    }

    #[test]
    fn three_failures_in_a_row_raise_lost_contact() {
        let rules = PersonRules::default();
        let mut p = reg(new_person()).unwrap();
        let nov = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let failed = |d| VisitEntry {
            failed: Some(FailReason::Away),
            finding: String::new(),
            ..met(nov(d))
        };
        p.visit(met(nov(2)), &rules, "w", at(11, 2)).unwrap();
        p.visit(failed(3), &rules, "w", at(11, 3)).unwrap();
        p.visit(failed(4), &rules, "w", at(11, 4)).unwrap();
        assert!(!p.lost_contact());
        assert_eq!(p.next_visit_due(), nov(9), "failed visits do not count");
        let raised = p.visit(failed(5), &rules, "w", at(11, 5)).unwrap();
        assert_eq!(raised, vec![PersonAlertKind::LostContact]);
        assert!(p.lost_contact());
        assert_eq!(p.visits[3].finding, "外出务工");
        assert!(
            p.ack_alerts(" ", "zb", at(11, 5)).is_err(),
            "a plan is needed"
        );
        p.ack_alerts("联系务工地派出所核实", "zb", at(11, 5))
            .unwrap();
        assert!(!p.lost_contact());
    }

    #[test]
    fn review_date_and_retention() {
        let mut p = reg(new_person()).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(p.standing(d(2027, 5, 1)), Standing::Active);
        assert_eq!(p.standing(d(2027, 5, 2)), Standing::ReviewDue);
        assert!(!p.visit_overdue(d(2027, 5, 2)), "off the active watchlist");
        p.review("已稳定", None, "zb", at(11, 20)).unwrap();
        assert!(!p.past_retention(d(2027, 11, 20), 365));
        assert!(p.past_retention(d(2027, 11, 21), 365));
        p.redact();
        assert!(!p.name.contains("周德华") && p.phone.is_none());
    }
}
