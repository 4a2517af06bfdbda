//! Summaries as stored: the table read as one blob, and the server's copy of
//! every summary's stored bytes kept in memory across commits.

use std::collections::BTreeMap;
use std::sync::Arc;

use redb::{ReadableTable, ReadableTableMetadata};

use super::codec::{decode, decode_compact};
use super::schema::{META, SUMMARIES};
use super::{Store, StoreError};
use crate::domain::summary::Summary;

/// The summary table's stored bytes in memory, as of `revision`.
pub(super) struct StoredSummaries {
    pub(super) revision: u64,
    entries: BTreeMap<String, Vec<u8>>,
    /// `entries` assembled as `summary_blob` lays them out, until a change.
    blob: Option<Arc<Vec<u8>>>,
}

impl StoredSummaries {
    fn blob(&mut self) -> Arc<Vec<u8>> {
        let entries = &self.entries;
        let blob = self.blob.get_or_insert_with(|| {
            let size = entries.values().map(|v| v.len() + 4).sum();
            let mut blob = Vec::with_capacity(size);
            for v in entries.values() {
                blob.extend_from_slice(&(v.len() as u32).to_le_bytes());
                blob.extend_from_slice(v);
            }
            Arc::new(blob)
        });
        Arc::clone(blob)
    }

    /// Takes in a commit's written summaries (None: removed).
    pub(super) fn apply(&mut self, revision: u64, written: Vec<(String, Option<Vec<u8>>)>) {
        self.revision = revision;
        if !written.is_empty() {
            self.blob = None;
        }
        for (id, bytes) in written {
            match bytes {
                Some(b) => self.entries.insert(id, b),
                None => self.entries.remove(&id),
            };
        }
    }
}

impl Store {
    pub(super) fn caching(&self) -> bool {
        self.stored_summaries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Keeps every summary in memory from now on, updated at each commit,
    /// so `current_summary_blob` answers without reading the table. For the
    /// server: clients ask for all of them at every start.
    pub fn keep_summaries(&self) -> Result<(), StoreError> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let (revision, entries) = self.reading("读取案件摘要", |r| {
            let revision = match r.open_table(META)?.get("revision")? {
                Some(v) => decode("版本号", v.value())?,
                None => 0,
            };
            let mut entries = BTreeMap::new();
            for row in r.open_table(SUMMARIES)?.iter()? {
                let (k, v) = row?;
                entries.insert(k.value().to_string(), v.value().to_vec());
            }
            Ok((revision, entries))
        })?;
        let mut c = StoredSummaries {
            revision,
            entries,
            blob: None,
        };
        c.blob();
        *self
            .stored_summaries
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(c);
        Ok(())
    }

    /// Calls `f` after every commit from now on with the summaries it
    /// wrote, in commit order, under the writing lock.
    pub fn observe_summaries(&self, f: super::SummaryObserver) {
        *self.observer.lock().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    /// The kept summaries as of the current revision, shared, when kept.
    #[allow(clippy::type_complexity)]
    pub fn kept_summary_blob(&self) -> Result<Option<(u64, u64, Arc<Vec<u8>>)>, StoreError> {
        if !self.caching() {
            return Ok(None);
        }
        let revision = self.revision()?;
        let mut cache = self
            .stored_summaries
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        Ok(cache
            .as_mut()
            .filter(|c| c.revision == revision)
            .map(|c| (revision, c.entries.len() as u64, c.blob())))
    }

    /// (revision, count, blob): every summary as `summary_blob` lays them
    /// out, and the revision they are as of. From memory when kept.
    pub fn current_summary_blob(&self) -> Result<(u64, u64, Vec<u8>), StoreError> {
        if let Some((revision, count, blob)) = self.kept_summary_blob()? {
            return Ok((revision, count, blob.to_vec()));
        }
        let revision = self.revision()?;
        // A commit is between its end and the cache taking it in, or
        // nothing is kept: read the table. The revision read first means a
        // change landing in between is seen twice by the client, never missed.
        let (count, blob) = self.summary_blob()?;
        Ok((revision, count, blob))
    }

    /// Every dispute summary, in 编号 order.
    pub fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        let (count, blob) = self.summary_blob()?;
        decode_summary_blob(&blob, count)
    }

    /// Every summary's stored bytes, each behind a 4-byte length, without
    /// decoding: the server sends this to clients as it is.
    pub fn summary_blob(&self) -> Result<(u64, Vec<u8>), StoreError> {
        self.reading("读取案件摘要", |r| {
            let t = r.open_table(SUMMARIES)?;
            let mut blob = Vec::with_capacity(t.len()? as usize * 256);
            let mut count = 0;
            for row in t.iter()? {
                let (_, v) = row?;
                let v = v.value();
                blob.extend_from_slice(&(v.len() as u32).to_le_bytes());
                blob.extend_from_slice(v);
                count += 1;
            }
            Ok((count, blob))
        })
    }

    /// Summaries of the given ids; ids that do not exist are skipped.
    pub fn summaries_of(&self, ids: &[String]) -> Result<Vec<Summary>, StoreError> {
        self.reading("读取案件摘要", |r| {
            let t = r.open_table(SUMMARIES)?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(v) = t.get(id.as_str())? {
                    out.push(decode_compact("案件摘要", v.value())?);
                }
            }
            Ok(out)
        })
    }
}

/// Decodes a `summary_blob`. 100 000 rows are most of a client's start-up, so
/// two threads decode the two halves.
pub fn decode_summary_blob(blob: &[u8], count: u64) -> Result<Vec<Summary>, StoreError> {
    let mut rows: Vec<&[u8]> = Vec::with_capacity(count as usize);
    let mut rest = blob;
    while !rest.is_empty() {
        let bad = || StoreError::Corrupt("案件摘要数据被截断".into());
        let len = u32::from_le_bytes(
            rest.get(..4)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        ) as usize;
        rows.push(rest.get(4..4 + len).ok_or_else(bad)?);
        rest = &rest[4 + len..];
    }
    if rows.len() as u64 != count {
        return Err(StoreError::Corrupt(format!(
            "案件摘要条数不符：应有 {count}，实有 {}",
            rows.len()
        )));
    }
    let decode = |part: &[&[u8]]| {
        part.iter()
            .map(|b| decode_compact::<Summary>("案件摘要", b))
            .collect::<Result<Vec<_>, _>>()
    };
    if rows.len() < 2000 {
        return decode(&rows);
    }
    let (a, b) = rows.split_at(rows.len() / 2);
    let (front, back) = std::thread::scope(|scope| {
        let back = scope.spawn(|| decode(b));
        (
            decode(a),
            back.join()
                .unwrap_or_else(|_| Err(StoreError::Db("解码摘要的线程崩溃".into()))),
        )
    });
    let mut out = front?;
    out.extend(back?);
    Ok(out)
}
