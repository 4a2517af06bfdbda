//! 查阅情况 (`desk report access`): who looked at which key persons, per
//! officer and per person, with what stands out: reads outside duty hours,
//! many persons read one by one in a short time, and break-the-glass reads.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};

use super::{day_cn, Figures, Kind, Report};
use crate::domain::dispute::Time;
use crate::domain::person_rules::PersonRules;
use crate::domain::record::Read;

/// One logged look at the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Look {
    pub at: Time,
    /// Login of the officer who looked.
    pub by: String,
    pub read: Read,
    pub ids: Vec<String>,
    /// The reason typed for a break-the-glass read.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerReads {
    pub officer: String,
    pub reads: u32,
    pub persons: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonReads {
    pub person: String,
    pub reads: u32,
    pub officers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlagKind {
    OffHours,
    Burst,
    BreakGlass,
}

impl FlagKind {
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::OffHours => "值班时间外查阅",
            FlagKind::Burst => "短时间查阅多人",
            FlagKind::BreakGlass => "破格查阅",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub officer: String,
    pub at: Time,
    pub persons: Vec<String>,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub officers: Vec<OfficerReads>,
    pub persons: Vec<PersonReads>,
    pub flags: Vec<Flag>,
}

/// The report's days: `from`..=`to`, by default the 30 days up to `date`.
pub fn period(spec: &super::Spec, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let to = spec.to.unwrap_or(date);
    (spec.from.unwrap_or(to - chrono::Days::new(30)), to)
}

/// Looks are taken as given (the desk picks the period and the officer).
pub fn build(
    from: NaiveDate,
    to: NaiveDate,
    looks: &[Look],
    rules: &PersonRules,
    names: &crate::domain::officer::Names,
) -> Report {
    let mut by_officer: BTreeMap<&str, (u32, BTreeSet<&str>)> = BTreeMap::new();
    let mut by_person: BTreeMap<&str, (u32, BTreeSet<&str>)> = BTreeMap::new();
    let mut flags = Vec::new();
    let (start, end) = rules.duty_hours;
    for l in looks {
        let o = by_officer.entry(&l.by).or_default();
        o.0 += 1;
        for id in &l.ids {
            o.1.insert(id);
            let p = by_person.entry(id).or_default();
            p.0 += 1;
            p.1.insert(&l.by);
        }
        let hour = l.at.hour();
        if hour < start || hour >= end {
            flags.push(Flag {
                kind: FlagKind::OffHours,
                officer: l.by.clone(),
                at: l.at,
                persons: l.ids.clone(),
                why: format!("{}（{:02}:{:02}）", l.read.action(), hour, l.at.minute()),
            });
        }
        if l.read == Read::BreakGlass {
            flags.push(Flag {
                kind: FlagKind::BreakGlass,
                officer: l.by.clone(),
                at: l.at,
                persons: l.ids.clone(),
                why: format!("理由：{}", l.reason.as_deref().unwrap_or("（未写）")),
            });
        }
    }
    flags.extend(bursts(looks, rules));
    flags.sort_by(|a, b| a.at.cmp(&b.at).then(a.officer.cmp(&b.officer)));
    let officers: Vec<OfficerReads> = by_officer
        .into_iter()
        .map(|(o, (reads, ids))| OfficerReads {
            officer: o.to_string(),
            reads,
            persons: ids.len() as u32,
        })
        .collect();
    let persons: Vec<PersonReads> = by_person
        .into_iter()
        .map(|(p, (reads, who))| PersonReads {
            person: p.to_string(),
            reads,
            officers: who.into_iter().map(str::to_string).collect(),
        })
        .collect();
    let f = AccessFigures {
        from,
        to,
        officers,
        persons,
        flags,
    };
    Report {
        kind: Kind::Access,
        title: format!("重点人员查阅情况（{}至{}）", day_cn(from), day_cn(to)),
        text: text(&f, names),
        figures: Figures::Access(f),
    }
}

/// One officer opening more than `burst_persons` persons one by one within
/// `burst_minutes`. Lists and exports are bulk by nature and not counted.
fn bursts(looks: &[Look], rules: &PersonRules) -> Vec<Flag> {
    let window = chrono::Duration::minutes(i64::from(rules.burst_minutes));
    let mut by_officer: BTreeMap<&str, Vec<&Look>> = BTreeMap::new();
    for l in looks.iter().filter(|l| match l.read {
        Read::Person | Read::BreakGlass | Read::Linked => true,
        Read::Persons | Read::Export | Read::Log => false,
    }) {
        by_officer.entry(&l.by).or_default().push(l);
    }
    let mut out = Vec::new();
    for (officer, mut ls) in by_officer {
        ls.sort_by_key(|l| l.at);
        let mut i = 0;
        while i < ls.len() {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut j = i;
            while j < ls.len() && ls[j].at - ls[i].at <= window {
                seen.extend(ls[j].ids.iter().map(String::as_str));
                j += 1;
            }
            if seen.len() as u32 > rules.burst_persons {
                out.push(Flag {
                    kind: FlagKind::Burst,
                    officer: officer.to_string(),
                    at: ls[i].at,
                    persons: seen.iter().map(|s| s.to_string()).collect(),
                    why: format!("{} 分钟内查阅 {} 人", rules.burst_minutes, seen.len()),
                });
                i = j;
            } else {
                i += 1;
            }
        }
    }
    out
}

/// The report as read: officers by name (the figures keep the logins).
fn text(f: &AccessFigures, names: &crate::domain::officer::Names) -> String {
    let mut t = format!(
        "重点人员查阅情况（{}至{}）\n\n按查阅人：\n",
        day_cn(f.from),
        day_cn(f.to)
    );
    if f.officers.is_empty() {
        t.push_str("  （期间无人查阅）\n");
    }
    for o in &f.officers {
        t.push_str(&format!(
            "  {}：查阅 {} 次，涉及 {} 人\n",
            names.name(&o.officer),
            o.reads,
            o.persons
        ));
    }
    t.push_str("\n按被查阅人员：\n");
    for p in &f.persons {
        t.push_str(&format!(
            "  {}：被查阅 {} 次（{}）\n",
            p.person,
            p.reads,
            p.officers
                .iter()
                .map(|o| names.name(o))
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    t.push_str(&format!("\n异常 {} 条：\n", f.flags.len()));
    for fl in &f.flags {
        t.push_str(&format!(
            "  【{}】{} {} {} {}\n",
            fl.kind.label(),
            fl.at.format("%Y-%m-%d %H:%M"),
            names.name(&fl.officer),
            crate::domain::record::ids_target(&fl.persons),
            fl.why
        ));
    }
    t
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

    fn look(h: u32, m: u32, by: &str, read: Read, ids: &[u64]) -> Look {
        Look {
            at: at(h, m),
            by: by.into(),
            read,
            ids: ids
                .iter()
                .map(|&n| crate::domain::record::person_id(n))
                .collect(),
            reason: (read == Read::BreakGlass).then(|| "核查来电".into()),
        }
    }

    #[test]
    fn each_anomaly_is_flagged() {
        let rules = PersonRules {
            burst_persons: 3,
            ..PersonRules::default()
        };
        let mut looks = vec![
            look(9, 0, "zb", Read::Persons, &[1, 2, 3, 4, 5, 6]),
            look(22, 5, "zr", Read::Person, &[1]),
            look(10, 0, "zr", Read::BreakGlass, &[9]),
        ];
        for n in 0..5 {
            looks.push(look(14, n as u32, "zb", Read::Person, &[10 + n]));
        }
        let d = at(0, 0).date_naive();
        let r = build(
            d,
            d,
            &looks,
            &rules,
            &crate::domain::officer::Names::default(),
        );
        let Figures::Access(f) = &r.figures else {
            panic!("access figures")
        };
        let kinds: Vec<FlagKind> = f.flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![FlagKind::BreakGlass, FlagKind::Burst, FlagKind::OffHours]
        );
        assert_eq!(f.flags[1].persons.len(), 5);
        let zb = f.officers.iter().find(|o| o.officer == "zb").unwrap();
        assert_eq!((zb.reads, zb.persons), (6, 11));
        let p1 = f.persons.iter().find(|p| p.person == "RY-000001").unwrap();
        assert_eq!(p1.officers, vec!["zb".to_string(), "zr".to_string()]);
        assert!(r.text.contains("破格查阅") && r.text.contains("理由：核查来电"));
    }
}
