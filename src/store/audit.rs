//! The append-only audit log. Each event carries the hash of the one before,
//! so an edited, inserted or deleted entry breaks the chain and `desk check`
//! finds it. The head (last sequence and hash) is kept in `meta` so a
//! truncated tail is found too.
//!
//! The last event of each transaction also lists every record (dispute, key
//! person, roster entry, list or setting) the transaction wrote, with the
//! SHA-256 of its stored bytes, so `desk check` can tell a record edited in
//! the file from one the desk wrote. When the transaction answered a client's
//! keyed request, that event also keeps the key and the reply (see
//! `requests`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::dispute::Time;
use crate::domain::record::RecordKind;

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
    /// The records the transaction wrote, as written (see the module note).
    /// Empty in events stored before schema 3 (serde default). Always
    /// serialised: the wire's postcard has no optional fields.
    #[serde(default)]
    pub written: Vec<Written>,
    /// The keyed request the transaction answered, with its reply (absent
    /// in events stored before keys were kept here).
    #[serde(default)]
    pub request: Option<KeptRequest>,
}

/// A client's request key and the reply the change gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptRequest {
    pub key: [u8; 16],
    /// The desk's encoded reply; None when the change gave none to keep.
    pub reply: Option<Vec<u8>>,
}

/// One record as a transaction left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub kind: RecordKind,
    pub key: String,
    /// SHA-256 (hex) of the stored bytes; None: the record was removed.
    pub hash: Option<String>,
}

/// SHA-256 of a record's stored bytes, in hex.
pub fn record_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
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
        // Events written before records were hashed have none, and their
        // hash stays what it was.
        for w in &self.written {
            let hash = w.hash.as_deref().unwrap_or("");
            for part in [w.kind.as_str(), w.key.as_str(), hash] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        // Likewise an event with no request hashes as before. "-" (never a
        // hex digit) for no reply, so no reply and an empty one differ.
        if let Some(r) = &self.request {
            let reply = r.reply.as_deref().map_or_else(|| "-".to_string(), hex);
            for part in ["request", hex(&r.key).as_str(), reply.as_str()] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        hex(&h.finalize())
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
            written: Vec::new(),
            request: None,
        };
        let base = e.compute_hash();
        // Events stored before records were hashed keep their hash: the
        // format over the eight fields alone.
        let mut old = Sha256::new();
        for part in [
            "1",
            &at.to_rfc3339(),
            "zb1",
            "登记",
            "MD-2026-000001",
            "东河村 邻里",
            "3",
            GENESIS,
        ] {
            old.update((part.len() as u64).to_le_bytes());
            old.update(part.as_bytes());
        }
        assert_eq!(base, hex(&old.finalize()));
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
        let mut wrote = e.clone();
        wrote.written.push(Written {
            kind: RecordKind::Officer,
            key: "zb1".into(),
            hash: Some(record_hash(b"role")),
        });
        let with_record = wrote.compute_hash();
        assert_ne!(
            with_record, base,
            "the records written are part of the hash"
        );
        wrote.written[0].hash = Some(record_hash(b"rolf"));
        assert_ne!(wrote.compute_hash(), with_record);
        let mut asked = e.clone();
        asked.request = Some(KeptRequest {
            key: [7; 16],
            reply: Some(b"created".to_vec()),
        });
        let with_request = asked.compute_hash();
        assert_ne!(with_request, base, "the request is part of the hash");
        asked.request.as_mut().unwrap().reply = Some(b"createe".to_vec());
        assert_ne!(asked.compute_hash(), with_request, "and so is its reply");
        asked.request.as_mut().unwrap().reply = None;
        let no_reply = asked.compute_hash();
        asked.request.as_mut().unwrap().reply = Some(Vec::new());
        assert_ne!(
            asked.compute_hash(),
            no_reply,
            "no reply is not an empty one"
        );
    }
}
