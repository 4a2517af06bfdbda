//! Change requests already applied, by the key the client made for each.
//! A client that lost the reply (the connection or the server died right
//! after the commit) sends the same request again with the same key; the
//! reply kept here answers it instead of a second change. The key and the
//! reply are written in the change's own transaction, so a kept key always
//! means the change is on disk, and a change on disk always has its key.

use std::cell::Cell;

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::codec::{decode, encode};
use super::{Store, StoreError};
use crate::domain::dispute::Time;

/// Request key → `Answered`.
pub(super) const REQUESTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("requests");
/// Arrival order → request key, so the oldest are pruned first.
pub(super) const REQUEST_ORDER: TableDefinition<u64, &[u8]> = TableDefinition::new("request_order");

/// How many applied requests are remembered. A retry comes seconds after
/// the request; ten thousand changes are days of a township desk's work.
const KEEP: u64 = 10_000;

/// A 128-bit key made by the client for one change request.
pub type RequestKey = [u8; 16];

/// What a kept request was: who sent it, when, and the reply it got (the
/// desk's encoded reply; `None` when the change gave none to keep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    pub login: String,
    pub at: Time,
    pub answer: Option<Vec<u8>>,
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
        let txn = self.begin_read()?;
        let t = txn.open_table(REQUESTS)?;
        let v = t.get(key.as_slice())?;
        v.map(|v| decode("请求记录", v.value())).transpose()
    }

    /// Runs `f` (the handling of one request) so that the first change it
    /// writes keeps `key` and its reply in the same transaction.
    pub fn keyed<T>(&self, key: RequestKey, f: impl FnOnce() -> T) -> T {
        PENDING.with(|p| p.set(Some(key)));
        let _clear = Pending;
        f()
    }
}

/// The pending key of this thread's request, taken: one change keeps it.
pub(super) fn take_pending() -> Option<RequestKey> {
    PENDING.with(|p| p.take())
}

/// Whether this thread's request has a key still to keep.
pub(super) fn is_pending() -> bool {
    PENDING.with(|p| p.get().is_some())
}

/// Keeps `key` with its reply and forgets the oldest beyond `KEEP`.
pub(super) fn keep(
    txn: &WriteTransaction,
    key: &RequestKey,
    answered: &Answered,
) -> Result<(), StoreError> {
    keep_at_most(txn, key, answered, KEEP)
}

fn keep_at_most(
    txn: &WriteTransaction,
    key: &RequestKey,
    answered: &Answered,
    limit: u64,
) -> Result<(), StoreError> {
    let mut requests = txn.open_table(REQUESTS)?;
    let mut order = txn.open_table(REQUEST_ORDER)?;
    let next = order.last()?.map_or(1, |(k, _)| k.value() + 1);
    requests.insert(key.as_slice(), encode(answered).as_slice())?;
    order.insert(next, key.as_slice())?;
    while order.len()? > limit {
        let Some((_, old)) = order.pop_first()? else {
            break;
        };
        requests.remove(old.value())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_requests_are_bounded_and_the_oldest_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-01T09:00:00+08:00").unwrap();
        for k in 1..=5u8 {
            let txn = store.begin_write().unwrap();
            let answered = Answered {
                login: "zb1".into(),
                at: now,
                answer: Some(vec![k]),
            };
            keep_at_most(&txn, &[k; 16], &answered, 3).unwrap();
            txn.commit().unwrap();
        }
        for k in 1..=2u8 {
            assert_eq!(store.answered(&[k; 16]).unwrap(), None);
        }
        for k in 3..=5u8 {
            let kept = store.answered(&[k; 16]).unwrap().unwrap();
            assert_eq!(kept.answer, Some(vec![k]));
        }
    }
}
