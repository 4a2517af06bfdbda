//! The append-only audit log. Each event carries the hash of the one before,
//! so an edited, inserted or deleted entry breaks the chain and `desk check`
//! finds it. The head (last sequence and hash) is kept in `meta` so a
//! truncated tail is found too.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::dispute::Time;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: u64,
    pub at: Time,
    /// Login of the officer who acted.
    pub actor: String,
    /// What was done, in the officers' words (登记, 交办, 查阅重点人员 …).
    pub action: String,
    /// The record acted on: a 编号, a person id, a login, or empty.
    pub target: String,
    pub detail: String,
    /// Store revision the change produced (reads leave it unchanged).
    pub revision: u64,
    pub prev: String,
    pub hash: String,
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditEvent {
    /// The hash over every field but `hash` itself.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.seq.to_string().as_str(),
            &self.at.to_rfc3339(),
            &self.actor,
            &self.action,
            &self.target,
            &self.detail,
            &self.revision.to_string(),
            &self.prev,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    #[test]
    fn hash_covers_every_field() {
        let at = FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
            .unwrap();
        let e = AuditEvent {
            seq: 1,
            at,
            actor: "zb1".into(),
            action: "登记".into(),
            target: "MD-2026-000001".into(),
            detail: "东河村 邻里".into(),
            revision: 3,
            prev: GENESIS.into(),
            hash: String::new(),
        };
        let base = e.compute_hash();
        let mut changed = e.clone();
        changed.detail = "东河村 邻里 ".into();
        assert_ne!(changed.compute_hash(), base);
        let mut moved = e.clone();
        moved.actor = "zb".into();
        moved.action = "1登记".into();
        assert_ne!(
            moved.compute_hash(),
            base,
            "field boundaries are part of the hash"
        );
    }
}
