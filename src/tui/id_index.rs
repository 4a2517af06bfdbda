//! The 编号 → row table of the summaries the desk holds.

use std::collections::HashMap;
use std::ops::Index;

use crate::domain::record::parse_dispute_id;
use crate::domain::summary::Summary;

/// Built whole whenever the summaries are replaced, so every reader may rely
/// on it. Ids in the standard form (MD-2026-000123) are numbered in order by
/// the server, so they index a dense table per year: 100 000 go in without a
/// string copied or hashed, which keeps the table off the first frame's bill
/// (a map of copied ids cost a quarter of taking the summaries in; this is
/// about a tenth of that). Any other id (an old import's) is kept as text.
#[derive(Debug, Default)]
pub struct IdIndex {
    /// Per year, the row of each number (`NONE` where there is no such id).
    years: Vec<(i32, Vec<usize>)>,
    other: HashMap<String, usize>,
}

const NONE: usize = usize::MAX;

/// MD-2026-000123 → (2026, 123); only digits may make a number, so two
/// different ids never share one.
fn number(id: &str) -> Option<(i32, usize)> {
    let (year, n) = parse_dispute_id(id)?;
    if !id[3..].bytes().all(|b| b == b'-' || b.is_ascii_digit()) {
        return None;
    }
    Some((year, usize::try_from(n).ok()?))
}

impl IdIndex {
    pub fn of(summaries: &[Summary]) -> IdIndex {
        let mut ids = IdIndex::default();
        for (i, s) in summaries.iter().enumerate() {
            ids.insert(&s.id, i);
        }
        ids
    }

    pub fn get(&self, id: &str) -> Option<&usize> {
        match number(id) {
            Some((year, n)) => self
                .years
                .iter()
                .find(|(y, _)| *y == year)
                .and_then(|(_, rows)| rows.get(n))
                .filter(|row| **row != NONE),
            None => self.other.get(id),
        }
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn insert(&mut self, id: &str, row: usize) {
        let Some((year, n)) = number(id) else {
            self.other.insert(id.to_string(), row);
            return;
        };
        let at = match self.years.iter().position(|(y, _)| *y == year) {
            Some(at) => at,
            None => {
                self.years.push((year, Vec::new()));
                self.years.len() - 1
            }
        };
        let rows = &mut self.years[at].1;
        if rows.len() <= n {
            rows.resize(n + 1, NONE);
        }
        rows[n] = row;
    }
}

impl Index<&str> for IdIndex {
    type Output = usize;

    fn index(&self, id: &str) -> &usize {
        self.get(id).expect("an id the table holds")
    }
}

impl Index<&String> for IdIndex {
    type Output = usize;

    fn index(&self, id: &String) -> &usize {
        &self[id.as_str()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_and_other_ids_are_found() {
        let mut ids = IdIndex::default();
        ids.insert("MD-2026-000123", 0);
        ids.insert("MD-2025-000123", 1);
        ids.insert("旧台账-7", 2);
        assert_eq!(ids.get("MD-2026-000123"), Some(&0));
        assert_eq!(ids["MD-2025-000123"], 1);
        assert_eq!(ids[&"旧台账-7".to_string()], 2);
        assert!(!ids.contains_key("MD-2026-000124"));
        assert!(!ids.contains_key("MD-2026-000001"));
        assert!(!ids.contains_key("MD-2024-000123"));
        assert!(!ids.contains_key("MD-2026-123"));
        assert!(!ids.contains_key("MD-2026-+00123"));
    }
}
