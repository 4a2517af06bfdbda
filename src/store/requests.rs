//! Change requests already applied, by the key the client made for each.
//! A client that lost the reply (the connection or the server died right
//! after the commit) sends the same request again with the same key; the
//! reply kept here answers it instead of a second change.
//!
//! The key and the reply go in the change's own last audit event (see
//! `audit::KeptRequest`), so a kept key always means the change is on disk,
//! a change on disk always has its key, and remembering costs a commit no
//! page it does not write anyway (each page a commit touches is written and
//! synced). The server looks keys up in memory: an index of the requests in
//! the most recent audit events, read from the log when first asked and
//! kept up to date by each commit.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::audit::{AuditEvent, KeptRequest};
use super::codec::decode;
use super::schema::AUDIT;
use super::{Store, StoreError};

/// Where schema 3's first files kept requests, before the audit log did:
/// removed when such a file is opened (a retry across that upgrade is not
/// recognised, which costs at most one duplicate the officer is warned of).
const OLD_REQUESTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("requests");
const OLD_ORDER: TableDefinition<u64, &[u8]> = TableDefinition::new("request_order");

/// How many applied requests are remembered, and how many audit events are
/// read back for them at start. A retry comes seconds after the request;
/// ten thousand changes are days of a township desk's work.
const KEEP: usize = 10_000;

/// A 128-bit key made by the client for one change request.
pub type RequestKey = [u8; 16];

/// What a kept request was: who sent it and the reply it got (the desk's
/// encoded reply; `None` when the change gave none to keep).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub login: String,
    pub answer: Option<Vec<u8>>,
}

/// The remembered requests: by key, and in the order they came, so the
/// oldest are forgotten first.
#[derive(Default)]
pub(super) struct Remembered {
    by_key: HashMap<RequestKey, Answered>,
    order: VecDeque<RequestKey>,
}

impl Remembered {
    /// Remembers one answered request, forgetting the oldest past `KEEP`.
    fn note(&mut self, key: RequestKey, answered: Answered) {
        if self.by_key.insert(key, answered).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > KEEP {
            if let Some(old) = self.order.pop_front() {
                self.by_key.remove(&old);
            }
        }
    }

    /// Remembers the request an event answered, if any.
    fn note_event(&mut self, e: &AuditEvent) {
        if let Some(r) = &e.request {
            let answered = Answered {
                login: e.actor.clone(),
                answer: r.reply.clone(),
            };
            self.note(r.key, answered);
        }
    }
}

thread_local! {
    /// The key of the request this thread is handling. A thread-local rather
    /// than a parameter: every change handler's write would otherwise have
    /// to carry it, and the server handles one request per thread at a time.
    static PENDING: Cell<Option<RequestKey>> = const { Cell::new(None) };
}

/// Clears the pending key when the request is done, even on a panic.
struct Pending;

impl Drop for Pending {
    fn drop(&mut self) {
        PENDING.with(|p| p.set(None));
    }
}

impl Store {
    /// The kept request with this key, if any.
    pub fn answered(&self, key: &RequestKey) -> Result<Option<Answered>, StoreError> {
        let mut kept = self.lock_requests();
        if kept.is_none() {
            *kept = Some(self.read_requests()?);
        }
        Ok(kept.as_ref().and_then(|k| k.by_key.get(key).cloned()))
    }

    /// Runs `f` (the handling of one request) so that the first change it
    /// writes keeps `key` and its reply in the same transaction.
    pub fn keyed<T>(&self, key: RequestKey, f: impl FnOnce() -> T) -> T {
        PENDING.with(|p| p.set(Some(key)));
        let _clear = Pending;
        f()
    }

    /// After a commit, its writer still holding the write lock: the index,
    /// once read, takes the request the commit answered. Should the index
    /// be read meanwhile, this waits for it; noting a request twice is
    /// harmless.
    pub(super) fn remember(&self, request: KeptRequest, login: &str) {
        if let Some(kept) = self.lock_requests().as_mut() {
            let answered = Answered {
                login: login.to_string(),
                answer: request.reply,
            };
            kept.note(request.key, answered);
        }
    }

    fn lock_requests(&self) -> std::sync::MutexGuard<'_, Option<Remembered>> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The requests among the last `KEEP` audit events, oldest first.
    fn read_requests(&self) -> Result<Remembered, StoreError> {
        let recent = self.reading("读取操作日志", |r| {
            let t = r.open_table(AUDIT)?;
            let mut recent = Vec::new();
            for row in t.iter()?.rev().take(KEEP) {
                let (_, v) = row?;
                let e: AuditEvent = decode("审计记录", v.value())?;
                if e.request.is_some() {
                    recent.push(e);
                }
            }
            Ok(recent)
        })?;
        let mut kept = Remembered::default();
        recent.iter().rev().for_each(|e| kept.note_event(e));
        Ok(kept)
    }
}

/// The pending key of this thread's request, taken: one change keeps it.
pub(super) fn take_pending(answer: Option<Vec<u8>>) -> Option<KeptRequest> {
    PENDING
        .with(|p| p.take())
        .map(|key| KeptRequest { key, reply: answer })
}

/// Whether this thread's request has a key still to keep.
pub(super) fn is_pending() -> bool {
    PENDING.with(|p| p.get().is_some())
}

/// Removes the tables of files written before the audit log kept requests.
pub(super) fn drop_old_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.delete_table(OLD_REQUESTS)?;
    txn.delete_table(OLD_ORDER)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64, key: Option<u8>) -> AuditEvent {
        AuditEvent {
            seq,
            at: chrono::DateTime::parse_from_rfc3339("2026-03-01T09:00:00+08:00").unwrap(),
            actor: "zb1".into(),
            action: "添加进展".into(),
            target: String::new(),
            detail: String::new(),
            revision: seq,
            prev: String::new(),
            hash: String::new(),
            written: Vec::new(),
            request: key.map(|k| KeptRequest {
                key: [k; 16],
                reply: Some(vec![k]),
            }),
        }
    }

    #[test]
    fn the_oldest_requests_are_forgotten_first() {
        let mut kept = Remembered::default();
        kept.note_event(&event(1, None));
        assert!(kept.order.is_empty(), "an event without a request");
        for n in 0..KEEP + 2 {
            let mut e = event(n as u64 + 2, Some(0));
            e.request.as_mut().unwrap().key = (n as u128).to_be_bytes();
            kept.note_event(&e);
        }
        assert_eq!(kept.by_key.len(), KEEP);
        assert!(!kept.by_key.contains_key(&0u128.to_be_bytes()));
        assert!(!kept.by_key.contains_key(&1u128.to_be_bytes()));
        let last = kept.by_key[&((KEEP + 1) as u128).to_be_bytes()].clone();
        assert_eq!((last.login.as_str(), last.answer), ("zb1", Some(vec![0])));
        // Noting an event twice keeps one entry.
        kept.note_event(&event(99_999, Some(5)));
        kept.note_event(&event(99_999, Some(5)));
        assert_eq!(kept.order.len(), KEEP);
        assert_eq!(kept.by_key[&[5; 16]].answer, Some(vec![5]));
    }

    #[test]
    fn old_request_tables_are_removed_when_the_file_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.redb");
        let store = Store::open(&path).unwrap();
        let txn = store.begin_write().unwrap();
        txn.open_table(OLD_ORDER)
            .unwrap()
            .insert(1, [7u8; 16].as_slice())
            .unwrap();
        txn.open_table(OLD_REQUESTS)
            .unwrap()
            .insert([7u8; 16].as_slice(), b"x".as_slice())
            .unwrap();
        txn.commit().unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let txn = store.begin_write().unwrap();
        assert!(!txn.delete_table(OLD_ORDER).unwrap(), "order table left");
        assert!(!txn.delete_table(OLD_REQUESTS).unwrap(), "requests left");
    }
}
