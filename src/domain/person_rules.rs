//! The township's rules for the key-person register, editable by 管理员:
//! the visit cadence (category × grade → days), when failed visits mean
//! 失访, how long an ended entry keeps its personal fields, and what the
//! access report calls unusual. Stored as one value beside the settings.

use serde::{Deserialize, Serialize};

use super::lists::{PersonCategory, PersonGrade, RiskLevel};
use super::DomainError;

/// One line of the cadence table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadenceRow {
    pub category: PersonCategory,
    pub grade: PersonGrade,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRules {
    /// Overrides of the default cadence; a pair not listed keeps its default.
    #[serde(default)]
    pub cadence: Vec<CadenceRow>,
    /// Failed visits in a row that raise 失访.
    #[serde(default = "default_lost_after")]
    pub lost_after: u32,
    /// Days after an entry ends before its personal fields are masked.
    #[serde(default = "default_retention")]
    pub retention_days: u32,
    /// Duty hours [start, end) in Beijing time; reads outside are flagged.
    #[serde(default = "default_duty_hours")]
    pub duty_hours: (u32, u32),
    /// More than `burst_persons` distinct persons read within
    /// `burst_minutes` by one officer is flagged.
    #[serde(default = "default_burst_persons")]
    pub burst_persons: u32,
    #[serde(default = "default_burst_minutes")]
    pub burst_minutes: u32,
}

fn default_lost_after() -> u32 {
    3
}
fn default_retention() -> u32 {
    365
}
fn default_duty_hours() -> (u32, u32) {
    (8, 18)
}
fn default_burst_persons() -> u32 {
    20
}
fn default_burst_minutes() -> u32 {
    10
}

impl Default for PersonRules {
    fn default() -> Self {
        PersonRules {
            cadence: Vec::new(),
            lost_after: default_lost_after(),
            retention_days: default_retention(),
            duty_hours: default_duty_hours(),
            burst_persons: default_burst_persons(),
            burst_minutes: default_burst_minutes(),
        }
    }
}

/// The default visit interval: the public health service norm for
/// 严重精神障碍 (0级 every 3 months, 1–2级 and 3–5级 within 2 weeks; at
/// least 4 a year, so never over 90 days), and 低 3 months, 中 monthly,
/// 高 weekly for the others.
pub fn default_days(category: PersonCategory, grade: PersonGrade) -> u32 {
    use PersonGrade as G;
    match (category, grade) {
        (_, G::G0) => 90,
        (_, G::G1 | G::G2 | G::G3 | G::G4 | G::G5) => 14,
        (_, G::Low) => 90,
        (_, G::Medium) => 30,
        (_, G::High) => 7,
    }
}

impl PersonGrade {
    /// The grades that fit a category: 0–5 for 严重精神障碍患者, 低/中/高 else.
    pub fn grades_for(category: PersonCategory) -> &'static [PersonGrade] {
        use PersonGrade as G;
        if category.uses_health_grades() {
            &[G::G0, G::G1, G::G2, G::G3, G::G4, G::G5]
        } else {
            &[G::Low, G::Medium, G::High]
        }
    }

    pub fn fits(self, category: PersonCategory) -> bool {
        Self::grades_for(category).contains(&self)
    }

    /// Checks the grade against the category, in the officers' words.
    pub fn check(self, category: PersonCategory) -> Result<PersonGrade, DomainError> {
        if self.fits(category) {
            return Ok(self);
        }
        let ok: Vec<&str> = Self::grades_for(category)
            .iter()
            .map(|g| g.label())
            .collect();
        Err(DomainError::invalid(format!(
            "{}的危险等级应为 {}，不能是“{}”",
            category.label(),
            ok.join("、"),
            self.label()
        )))
    }

    /// 3–5级: unstable; the desk alerts 值班员 and 领导.
    pub fn is_unstable(self) -> bool {
        use PersonGrade as G;
        match self {
            G::G3 | G::G4 | G::G5 => true,
            G::G0 | G::G1 | G::G2 | G::Low | G::Medium | G::High => false,
        }
    }

    /// The grade an entry registered before grades existed is read as.
    pub fn from_risk(category: PersonCategory, risk: RiskLevel) -> PersonGrade {
        use PersonGrade as G;
        match (category.uses_health_grades(), risk) {
            (true, RiskLevel::Low) => G::G0,
            (true, RiskLevel::Medium) => G::G1,
            (true, RiskLevel::High) => G::G3,
            (true, RiskLevel::Critical) => G::G4,
            (false, RiskLevel::Low) => G::Low,
            (false, RiskLevel::Medium) => G::Medium,
            (false, RiskLevel::High | RiskLevel::Critical) => G::High,
        }
    }
}

impl PersonCategory {
    /// Only 严重精神障碍患者 carry the health system's 0–5 grade.
    pub fn uses_health_grades(self) -> bool {
        match self {
            PersonCategory::MentalDisorder => true,
            PersonCategory::Released
            | PersonCategory::CommunityCorrection
            | PersonCategory::ThreeLossOneBias
            | PersonCategory::HighRiskPetitioner
            | PersonCategory::Hardship
            | PersonCategory::Floating => false,
        }
    }
}

impl PersonRules {
    /// The visit interval in days for a category and grade.
    pub fn interval(&self, category: PersonCategory, grade: PersonGrade) -> u32 {
        self.cadence
            .iter()
            .find(|r| r.category == category && r.grade == grade)
            .map_or_else(|| default_days(category, grade), |r| r.days)
    }

    /// Sets one cadence entry (管理员).
    pub fn set_interval(
        &mut self,
        category: PersonCategory,
        grade: PersonGrade,
        days: u32,
    ) -> Result<(), DomainError> {
        grade.check(category)?;
        if !(1..=365).contains(&days) {
            return Err(DomainError::invalid(
                "走访周期应在 1 到 365 天之间".to_string(),
            ));
        }
        self.cadence
            .retain(|r| !(r.category == category && r.grade == grade));
        self.cadence.push(CadenceRow {
            category,
            grade,
            days,
        });
        Ok(())
    }

    /// Every category × grade with its interval, for the table an officer reads.
    pub fn table(&self) -> Vec<CadenceRow> {
        PersonCategory::ALL
            .iter()
            .flat_map(|&category| {
                PersonGrade::grades_for(category)
                    .iter()
                    .map(move |&grade| (category, grade))
            })
            .map(|(category, grade)| CadenceRow {
                category,
                grade,
                days: self.interval(category, grade),
            })
            .collect()
    }

    /// Checks the thresholds an administrator set.
    pub fn check(&self) -> Result<(), DomainError> {
        let (a, b) = self.duty_hours;
        if a >= b || b > 24 {
            return Err(DomainError::invalid(format!(
                "值班时间 {a}-{b} 不对，应写成 8-18 这样（开始早于结束，不超过 24）"
            )));
        }
        if self.lost_after == 0 || self.burst_persons == 0 || self.burst_minutes == 0 {
            return Err(DomainError::invalid(
                "失访次数、短时查阅人数和分钟数都应大于 0".to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_norm_and_edits_apply() {
        let mut r = PersonRules::default();
        let m = PersonCategory::MentalDisorder;
        assert_eq!(r.interval(m, PersonGrade::G0), 90);
        assert_eq!(r.interval(m, PersonGrade::G2), 14);
        assert_eq!(r.interval(m, PersonGrade::G5), 14);
        let p = PersonCategory::HighRiskPetitioner;
        assert_eq!(r.interval(p, PersonGrade::Low), 90);
        assert_eq!(r.interval(p, PersonGrade::Medium), 30);
        assert_eq!(r.interval(p, PersonGrade::High), 7);
        assert!(r.set_interval(m, PersonGrade::High, 5).is_err());
        r.set_interval(p, PersonGrade::High, 5).unwrap();
        assert_eq!(r.interval(p, PersonGrade::High), 5);
        assert!(r.table().iter().all(|row| row.grade.fits(row.category)));
        assert!(r.table().iter().all(|row| row.days <= 90), "≥ 4 a year");
    }
}
