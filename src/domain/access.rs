//! Need-to-know for the key-person register: who may see whom. The one
//! rule the desk applies to lists, details, exports, reports and the log.

use std::collections::HashSet;

use super::lists::Role;
use super::officer::Officer;
use super::person::KeyPerson;

/// How much of the register an officer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// 管理员, 领导, 值班员 of the centre: the whole register.
    Register,
    /// 责任人: the persons they are responsible for, and those linked to
    /// cases assigned to them.
    Own,
    /// 只读: counts, no people.
    Counts,
}

pub fn scope(role: Role) -> Scope {
    match role {
        Role::Admin | Role::Leader | Role::DutyOfficer => Scope::Register,
        Role::Responsible => Scope::Own,
        Role::ReadOnly => Scope::Counts,
    }
}

/// Whether `me` may see `p`. `linked` holds the ids of persons linked to
/// cases assigned to `me` (only asked of a 责任人).
pub fn may_see(me: &Officer, p: &KeyPerson, linked: &HashSet<String>) -> bool {
    match scope(me.role) {
        Scope::Register => true,
        Scope::Own => p.officer == me.login || linked.contains(&p.id),
        Scope::Counts => false,
    }
}

/// Whether the personal fields are masked for `me`: an ended entry past
/// the retention period shows its fields to 管理员 only.
pub fn masked_by_retention(
    me: &Officer,
    p: &KeyPerson,
    today: chrono::NaiveDate,
    retention_days: u32,
) -> bool {
    me.role != Role::Admin && p.past_retention(today, retention_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lists::{PersonCategory, RiskLevel};
    use crate::domain::person::NewPerson;
    use crate::domain::person_rules::PersonRules;

    #[test]
    fn each_role_sees_whom_it_must() {
        let new = NewPerson {
            name: "甲某".into(),
            village: "东村".into(),
            category: PersonCategory::Hardship,
            risk: RiskLevel::Low,
            officer: "zr1".into(),
            interval_days: None,
            reason: "困难帮扶".into(),
            review_date: chrono::NaiveDate::from_ymd_opt(2099, 1, 1),
            phone: None,
            id_number: None,
            grade: None,
            household: None,
        };
        use chrono::TimeZone;
        let now = chrono::FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 1, 10, 0, 0)
            .unwrap();
        let p = KeyPerson::register("RY-000001".into(), new, &PersonRules::default(), "zb", now)
            .unwrap();
        let o = |login: &str, role| Officer::new(login, "某", "综治中心", role).unwrap();
        let none = HashSet::new();
        let linked: HashSet<String> = ["RY-000001".to_string()].into();
        assert!(may_see(&o("zb", Role::DutyOfficer), &p, &none));
        assert!(may_see(&o("ld", Role::Leader), &p, &none));
        assert!(may_see(&o("zr1", Role::Responsible), &p, &none));
        assert!(!may_see(&o("zr2", Role::Responsible), &p, &none));
        assert!(may_see(&o("zr2", Role::Responsible), &p, &linked));
        assert!(!may_see(&o("ro", Role::ReadOnly), &p, &linked));
    }
}
