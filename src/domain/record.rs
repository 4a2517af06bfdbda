//! What kind of record an id or a change names. The id formats (编号) live
//! here and nowhere else: MD-2026-000001 for a dispute, RY-000001 for a key
//! person.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKind {
    Dispute,
    Person,
    Officer,
    /// A village, unit or category list, or a setting stored beside them.
    List,
}

/// A record a committed change touched, as change notices name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    pub kind: RecordKind,
    pub id: String,
}

const DISPUTE_PREFIX: &str = "MD-";
const PERSON_PREFIX: &str = "RY-";

impl RecordKind {
    /// The kind's name where scripts read it (`desk watch --json`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Dispute => "dispute",
            RecordKind::Person => "person",
            RecordKind::Officer => "officer",
            RecordKind::List => "list",
        }
    }

    /// The kind an officer-facing id (编号) names; officers and lists have no
    /// 编号, so any other text is taken as a dispute's.
    pub fn of_id(id: &str) -> RecordKind {
        if id.starts_with(PERSON_PREFIX) {
            RecordKind::Person
        } else {
            RecordKind::Dispute
        }
    }
}

/// A look at the register that the audit log records (every look is
/// logged, naming whom: the event's target holds the person ids, see
/// [`ids_target`]). Reads are not changes: the handover leaves them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Read {
    /// A list of key persons (the watchlist, `desk list persons`).
    Persons,
    /// One key person.
    Person,
    /// One key person outside the officer's scope, with a stated reason.
    BreakGlass,
    /// Key persons linked to a case whose detail was shown.
    Linked,
    /// The register, or part of it, written to a file.
    Export,
    /// Key-person details shown in the operation log.
    Log,
}

impl Read {
    pub const ALL: [Read; 6] = [
        Read::Persons,
        Read::Person,
        Read::BreakGlass,
        Read::Linked,
        Read::Export,
        Read::Log,
    ];

    /// The audit log's word for it.
    pub fn action(self) -> &'static str {
        match self {
            Read::Persons => "查阅重点人员名单",
            Read::Person => "查阅重点人员",
            Read::BreakGlass => "破格查阅重点人员",
            Read::Linked => "查阅案件所涉重点人员",
            Read::Export => "导出重点人员",
            Read::Log => "查阅日志所涉重点人员",
        }
    }

    /// The read an audit action records, if it records one.
    pub fn of_action(action: &str) -> Option<Read> {
        Read::ALL.into_iter().find(|r| r.action() == action)
    }
}

/// Person ids written compactly for an audit target: sorted, runs of
/// consecutive numbers as `RY-000003~000007`, joined by `,`.
pub fn ids_target(ids: &[String]) -> String {
    let mut nums: Vec<u64> = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    for id in ids {
        match id
            .strip_prefix(PERSON_PREFIX)
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(n) => nums.push(n),
            None => other.push(id),
        }
    }
    nums.sort_unstable();
    nums.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let mut j = i;
        while j + 1 < nums.len() && nums[j + 1] == nums[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}~{:06}", person_id(nums[i]), nums[j])
        } else if j == i + 1 {
            format!("{},{}", person_id(nums[i]), person_id(nums[j]))
        } else {
            person_id(nums[i])
        });
        i = j + 1;
    }
    parts.extend(other.into_iter().map(str::to_string));
    parts.join(",")
}

/// The person ids an audit target names (the inverse of [`ids_target`]).
pub fn target_ids(target: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in target.split(',').filter(|p| !p.is_empty()) {
        let range = part.strip_prefix(PERSON_PREFIX).and_then(|r| {
            let (a, b) = r.split_once('~')?;
            Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?))
        });
        match range {
            Some((a, b)) => out.extend((a..=b).map(person_id)),
            None => out.push(part.to_string()),
        }
    }
    out
}

/// The 编号 of the `n`th dispute registered in `year`.
pub fn dispute_id(year: i32, n: u64) -> String {
    format!("{DISPUTE_PREFIX}{year}-{n:06}")
}

/// The 编号 of the `n`th key person registered.
pub fn person_id(n: u64) -> String {
    format!("{PERSON_PREFIX}{n:06}")
}

/// The number in a person id ("RY-000001"): six digits or more.
pub fn parse_person_id(id: &str) -> Option<u64> {
    let n = id.strip_prefix(PERSON_PREFIX)?;
    if n.len() < 6 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|&n| n > 0)
}

/// The year and number of a dispute's 编号 (MD-2026-000123 → (2026, 123)).
pub fn parse_dispute_id(id: &str) -> Option<(i32, u64)> {
    let rest = id.strip_prefix(DISPUTE_PREFIX)?;
    let (year, n) = rest.split_once('-')?;
    // Six digits, or more in a year past 999 999 cases.
    if year.len() != 4 || n.len() < 6 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = n.parse().ok()?;
    (n > 0).then_some((year.parse().ok()?, n))
}

/// 编号 in their numbers' order: MD-2026-999999 before MD-2026-1000000
/// (a year past a million cases), each year's in turn. The text after the
/// last '-' is the number; ids without one compare as text.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.rsplit_once('-'), b.rsplit_once('-')) {
        (Some((pa, na)), Some((pb, nb))) => pa
            .cmp(pb)
            .then(na.len().cmp(&nb.len()))
            .then_with(|| na.cmp(nb)),
        _ => a.cmp(b),
    }
}

/// A 编号 as officers type it: the number alone (`3001`), with the year
/// (`2026-3001`), with the prefix in any case (`md-2026-3001`), or whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialId {
    pub year: Option<i32>,
    pub n: u64,
}

impl PartialId {
    pub fn parse(text: &str) -> Option<PartialId> {
        let t = text.trim().to_uppercase();
        let t = t.strip_prefix(DISPUTE_PREFIX).unwrap_or(&t);
        let (year, n) = match t.split_once('-') {
            Some((y, n)) if y.len() == 4 => (Some(y.parse().ok()?), n),
            Some(_) => return None,
            None => (None, t),
        };
        if n.is_empty() || n.len() > 6 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = n.parse().ok()?;
        (n > 0).then_some(PartialId { year, n })
    }

    /// Whether the dispute 编号 `id` is this one.
    pub fn matches(&self, id: &str) -> bool {
        parse_dispute_id(id)
            .is_some_and(|(y, n)| n == self.n && self.year.is_none_or(|want| want == y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_go_in_their_numbers_order_past_a_million_and_by_year() {
        use std::cmp::Ordering::*;
        assert_eq!(id_order("MD-2026-999999", "MD-2026-1000000"), Less);
        assert_eq!(id_order("MD-2026-000002", "MD-2026-000010"), Less);
        assert_eq!(id_order("MD-2025-1000000", "MD-2026-000001"), Less);
        assert_eq!(id_order("MD-2026-000001", "MD-2026-000001"), Equal);
        assert_eq!(parse_dispute_id("MD-2026-1000000"), Some((2026, 1_000_000)));
        assert_eq!(parse_dispute_id("MD-2026-00001x"), None);
    }

    #[test]
    fn a_partial_number_finds_the_case_in_any_of_the_ways_officers_type_it() {
        let id = dispute_id(2026, 3001);
        for typed in [
            "3001",
            "2026-3001",
            "md-2026-3001",
            "MD-2026-003001",
            " 003001 ",
        ] {
            let p = PartialId::parse(typed).unwrap_or_else(|| panic!("{typed}"));
            assert!(p.matches(&id), "{typed}");
        }
        assert!(!PartialId::parse("2025-3001").unwrap().matches(&id));
        assert!(!PartialId::parse("300").unwrap().matches(&id));
        for bad in ["", "abc", "26-3001", "0", "1234567"] {
            assert_eq!(PartialId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn ids_round_trip_and_name_their_kind() {
        assert_eq!(dispute_id(2026, 12), "MD-2026-000012");
        assert_eq!(parse_dispute_id("MD-2026-000012"), Some((2026, 12)));
        assert_eq!(parse_dispute_id("RY-000012"), None);
        assert_eq!(RecordKind::of_id(&person_id(3)), RecordKind::Person);
        assert_eq!(RecordKind::of_id("MD-2026-000001"), RecordKind::Dispute);
    }

    #[test]
    fn read_targets_are_compact_and_name_every_id() {
        let ids: Vec<String> = [1, 2, 3, 4, 7, 9, 10].into_iter().map(person_id).collect();
        let t = ids_target(&ids);
        assert_eq!(t, "RY-000001~000004,RY-000007,RY-000009,RY-000010");
        assert_eq!(target_ids(&t), ids);
        assert_eq!(target_ids(""), Vec::<String>::new());
    }
}
