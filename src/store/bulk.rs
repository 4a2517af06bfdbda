//! Many disputes written at once (a ledger import), on two threads. The
//! records (JSON) and their summaries are separate tables, so one thread
//! writes each. Encoding the records is the larger half of the work, so it
//! goes a chunk at a time to whichever thread is free, and the records
//! thread inserts the chunks in order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use redb::WriteTransaction;

use super::audit::record_hash;
use super::codec::{encode, encode_compact};
use super::schema::{DISPUTES, SUMMARIES};
use super::StoreError;
use crate::domain::dispute::Dispute;
use crate::domain::summary::Summary;

/// Records per chunk: enough that handing one over costs nothing, few
/// enough that neither thread waits long on the other's.
const CHUNK: usize = 256;
/// Below this one thread does it all: a second costs more than it saves.
const PARALLEL_FROM: usize = 2000;

/// Summaries written (None: removed), in order, for the store's kept copy.
pub(super) type Written = Vec<(String, Option<Vec<u8>>)>;

/// Writes `ds` (revisions already set) to the records and summary tables.
/// Returns the summaries written when `keep`, and each record's hash (for
/// the audit event), in order.
pub(super) fn put_disputes(
    txn: &WriteTransaction,
    ds: &[Dispute],
    keep: bool,
) -> Result<(Written, Vec<String>), StoreError> {
    let chunks = Chunks {
        ds,
        next: AtomicUsize::new(0),
        state: Mutex::new(State::default()),
        ready: Condvar::new(),
    };
    if ds.len() < PARALLEL_FROM {
        let written = write_summaries(txn, ds, keep)?;
        chunks.helper_left();
        let hashes = write_records(txn, &chunks)?;
        return Ok((written, hashes));
    }
    std::thread::scope(|scope| {
        let records = scope.spawn(|| write_records(txn, &chunks));
        let summaries = {
            let _left = HelperLeaves(&chunks);
            let mut t = crate::timing::Phases::new("put_disputes");
            let written = write_summaries(txn, ds, keep);
            t.mark("summaries thread");
            while written.is_ok() && chunks.encode_next() {}
            t.mark("helping");
            written
        };
        let records = records
            .join()
            .unwrap_or_else(|_| Err(StoreError::Db("写入案件的线程崩溃".into())));
        Ok((summaries?, records?))
    })
}

fn write_summaries(
    txn: &WriteTransaction,
    ds: &[Dispute],
    keep: bool,
) -> Result<Written, StoreError> {
    let mut written = Vec::with_capacity(if keep { ds.len() } else { 0 });
    let mut summaries = txn.open_table(SUMMARIES)?;
    for d in ds {
        let compact = encode_compact(&Summary::of(d));
        summaries.insert(d.id.as_str(), compact.as_slice())?;
        if keep {
            written.push((d.id.clone(), Some(compact)));
        }
    }
    Ok(written)
}

fn write_records(txn: &WriteTransaction, chunks: &Chunks) -> Result<Vec<String>, StoreError> {
    let mut t = crate::timing::Phases::new("put_disputes");
    let mut records = txn.open_table(DISPUTES)?;
    let mut hashes = Vec::with_capacity(chunks.ds.len());
    for c in 0..chunks.count() {
        let encoded = chunks.take(c);
        for (d, (bytes, hash)) in chunks.of(c).iter().zip(encoded) {
            records.insert(d.id.as_str(), bytes.as_slice())?;
            hashes.push(hash);
        }
    }
    t.mark("records thread");
    Ok(hashes)
}

/// A record's stored bytes and their hash.
type Encoded = (Vec<u8>, String);

#[derive(Default)]
struct State {
    /// Chunks encoded and not yet inserted, by number.
    encoded: BTreeMap<usize, Vec<Encoded>>,
    /// The helping thread stopped (done, failed or panicked).
    helper_left: bool,
}

struct Chunks<'d> {
    ds: &'d [Dispute],
    /// The lowest chunk nobody has started encoding; chunks go out in order.
    next: AtomicUsize,
    state: Mutex<State>,
    /// Signalled when a chunk is encoded or the helper leaves.
    ready: Condvar,
}

impl Chunks<'_> {
    fn count(&self) -> usize {
        self.ds.len().div_ceil(CHUNK)
    }

    fn of(&self, c: usize) -> &[Dispute] {
        let start = c * CHUNK;
        &self.ds[start..(start + CHUNK).min(self.ds.len())]
    }

    /// Encodes and hashes chunk `c` (the hashing shares the encoding's thread).
    fn encode(&self, c: usize) -> Vec<Encoded> {
        self.of(c)
            .iter()
            .map(|d| {
                let bytes = encode(d);
                let hash = record_hash(&bytes);
                (bytes, hash)
            })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims and encodes the next chunk; false when none is left.
    fn encode_next(&self) -> bool {
        let c = self.next.fetch_add(1, Ordering::Relaxed);
        if c >= self.count() {
            return false;
        }
        let bytes = self.encode(c);
        self.lock().encoded.insert(c, bytes);
        self.ready.notify_all();
        true
    }

    fn helper_left(&self) {
        self.lock().helper_left = true;
        self.ready.notify_all();
    }

    /// Chunk `c`, encoded. The records thread takes chunks in order, so `c`
    /// is either unclaimed (it is `next`), done, or being encoded by the
    /// helper; meanwhile this thread encodes chunks after it.
    fn take(&self, c: usize) -> Vec<Encoded> {
        loop {
            let mut state = self.lock();
            if let Some(bytes) = state.encoded.remove(&c) {
                return bytes;
            }
            if self.next.load(Ordering::Relaxed) < self.count() {
                drop(state);
                self.encode_next();
            } else if state.helper_left {
                // The helper claimed `c` and stopped before finishing it.
                drop(state);
                return self.encode(c);
            } else {
                drop(self.ready.wait(state).unwrap_or_else(|p| p.into_inner()));
            }
        }
    }
}

/// Marks the helper gone however its work ends, so the records thread never
/// waits for a chunk that will not come.
struct HelperLeaves<'c, 'd>(&'c Chunks<'d>);

impl Drop for HelperLeaves<'_, '_> {
    fn drop(&mut self) {
        self.0.helper_left();
    }
}
