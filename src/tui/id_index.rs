//! The 编号 → row table of the summaries the desk holds.

use std::collections::HashMap;
use std::ops::Index;

use crate::domain::record::parse_dispute_id;
use crate::domain::summary::Summary;

/// Built whole whenever the summaries are replaced, so every reader may rely
/// on it. Ids in the standard form (MD-2026-000123) are kept as numbers:
/// 100 000 of them go in without a string copied, which keeps the table off
/// the first frame's bill (copying the ids was a quarter of taking the
/// summaries in). Any other id (an old import's) is kept as text.
#[derive(Debug, Default)]
pub struct IdIndex {
    numbered: HashMap<u64, usize>,
    other: HashMap<String, usize>,
}

/// MD-2026-000123 → 2026_000123.
fn number(id: &str) -> Option<u64> {
    let (year, n) = parse_dispute_id(id)?;
    Some(u64::try_from(year).ok()? * 1_000_000 + n)
}

impl IdIndex {
    pub fn of(summaries: &[Summary]) -> IdIndex {
        let mut ids = IdIndex {
            numbered: HashMap::with_capacity(summaries.len()),
            other: HashMap::new(),
        };
        for (i, s) in summaries.iter().enumerate() {
            ids.insert(&s.id, i);
        }
        ids
    }

    pub fn get(&self, id: &str) -> Option<&usize> {
        match number(id) {
            Some(n) => self.numbered.get(&n),
            None => self.other.get(id),
        }
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn insert(&mut self, id: &str, row: usize) {
        match number(id) {
            Some(n) => self.numbered.insert(n, row),
            None => self.other.insert(id.to_string(), row),
        };
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
        assert!(!ids.contains_key("MD-2026-123"));
    }
}
