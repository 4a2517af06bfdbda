//! The desk's own decoded copy of every summary, for the reports. Decoding
//! 100 000 summaries costs more than a report's whole budget, while reading
//! their stored bytes costs a tenth of it; so each refresh reads the bytes,
//! keeps every summary whose bytes did not change, and decodes only the
//! rest. Nothing else needs to tell the cache what changed.

use std::sync::Mutex;

use crate::domain::summary::Summary;
use crate::store::codec::decode_compact;
use crate::store::{decode_summary_blob, Store, StoreError};

#[derive(Default)]
pub(crate) struct ReportSummaries {
    inner: Mutex<Option<Cached>>,
}

struct Cached {
    blob: Vec<u8>,
    /// (offset, length) of each row in `blob`, in 编号 order.
    rows: Vec<(usize, usize)>,
    items: Vec<Summary>,
}

/// Splits a `summary_blob` into its rows.
fn rows_of(blob: &[u8]) -> Result<Vec<(usize, usize)>, StoreError> {
    let mut rows = Vec::new();
    let mut at = 0;
    while at < blob.len() {
        let bad = || StoreError::Corrupt("案件摘要数据被截断".into());
        let len = u32::from_le_bytes(
            blob.get(at..at + 4)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?,
        ) as usize;
        if at + 4 + len > blob.len() {
            return Err(bad());
        }
        rows.push((at + 4, len));
        at += 4 + len;
    }
    Ok(rows)
}

/// The 编号 at the front of a stored summary: magic, a varint length, the text.
fn id_of(row: &[u8]) -> &[u8] {
    let mut len: usize = 0;
    let mut shift = 0;
    let mut i = 2;
    while let Some(b) = row.get(i) {
        len |= usize::from(b & 0x7f) << shift;
        i += 1;
        if b & 0x80 == 0 || shift > 28 {
            break;
        }
        shift += 7;
    }
    row.get(i..i + len).unwrap_or(&[])
}

impl ReportSummaries {
    /// Runs `f` over every summary as stored now. Reports run one at a time
    /// over the one copy.
    pub(crate) fn with<R>(
        &self,
        store: &Store,
        f: impl FnOnce(&[Summary]) -> R,
    ) -> Result<R, StoreError> {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (count, blob) = store.summary_blob()?;
        let rows = rows_of(&blob)?;
        let items = match guard.take() {
            None => decode_summary_blob(&blob, count)?,
            Some(old) => refresh(old, &blob, &rows)?,
        };
        let cached = guard.insert(Cached { blob, rows, items });
        Ok(f(&cached.items))
    }
}

/// Brings the decoded summaries up to date with the stored rows.
fn refresh(
    mut old: Cached,
    blob: &[u8],
    rows: &[(usize, usize)],
) -> Result<Vec<Summary>, StoreError> {
    // The usual case: the same cases, some changed, maybe new ones after
    // them (编号 only grow). Updated in place, without moving the rest.
    let aligned = rows.len() >= old.rows.len()
        && old.rows.iter().zip(rows).all(|(&(oa, ol), &(na, nl))| {
            let (o, n) = (&old.blob[oa..oa + ol], &blob[na..na + nl]);
            o == n || id_of(o) == id_of(n)
        });
    if aligned {
        let mut items = std::mem::take(&mut old.items);
        for (i, &(at, len)) in rows.iter().enumerate() {
            let row = &blob[at..at + len];
            if i < old.rows.len() {
                let (oa, ol) = old.rows[i];
                if &old.blob[oa..oa + ol] != row {
                    items[i] = decode_compact("案件摘要", row)?;
                }
            } else {
                items.push(decode_compact("案件摘要", row)?);
            }
        }
        return Ok(items);
    }
    merge(old, blob, rows)
}

/// Walks old and new rows together in 编号 order: an unchanged row keeps its
/// decoded summary, a changed or new one is decoded, a gone one is dropped.
fn merge(old: Cached, blob: &[u8], rows: &[(usize, usize)]) -> Result<Vec<Summary>, StoreError> {
    let old_row = |j: usize| {
        let (at, len) = old.rows[j];
        &old.blob[at..at + len]
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut olds = old.items.into_iter().enumerate().peekable();
    for &(at, len) in rows {
        let row = &blob[at..at + len];
        let id = id_of(row);
        while olds.peek().is_some_and(|(j, _)| id_of(old_row(*j)) < id) {
            olds.next();
        }
        match olds.peek() {
            Some((j, _)) if old_row(*j) == row => {
                let (_, s) = olds.next().expect("peeked");
                out.push(s);
            }
            _ => out.push(decode_compact("案件摘要", row)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{fill, DemoPlan};
    use chrono::TimeZone;

    #[test]
    fn a_refresh_equals_a_fresh_decode_after_changes_and_additions() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.redb")).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let plan = |seed| DemoPlan {
            disputes: 300,
            persons: 5,
            seed,
            today,
            span_days: 90,
            admin_login: "admin1".into(),
        };
        fill(&store, &plan(1)).unwrap();
        let cache = ReportSummaries::default();
        let first = cache.with(&store, |s| s.to_vec()).unwrap();
        assert_eq!(first, store.summaries().unwrap());
        assert_eq!(
            id_of(&crate::store::codec::encode_compact(&first[7]))[..],
            *first[7].id.as_bytes()
        );

        // Change a few records and add more (the new ones sort after).
        let now = crate::desk::clock::china()
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .unwrap();
        store
            .write("admin1", now, |tx| {
                for id in [&first[0].id, &first[150].id, &first[299].id] {
                    let mut d = tx.dispute(id)?;
                    d.supervised = !d.supervised;
                    tx.put_dispute(&mut d)?;
                }
                tx.audit("测试", "", "");
                Ok::<_, StoreError>(())
            })
            .unwrap();
        fill(&store, &plan(2)).unwrap();
        let second = cache.with(&store, |s| s.to_vec()).unwrap();
        assert_eq!(second.len(), 600);
        assert_eq!(second, store.summaries().unwrap());
        assert_ne!(second[150].supervised, first[150].supervised);

        // An imported case with an earlier 编号 lands in the middle: merged.
        store
            .write("admin1", now, |tx| {
                let mut d = tx.dispute(&first[10].id)?;
                d.id = format!("{}A", first[10].id);
                tx.put_dispute(&mut d)?;
                tx.audit("测试", "", "");
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let third = cache.with(&store, |s| s.to_vec()).unwrap();
        assert_eq!(third.len(), 601);
        assert_eq!(third, store.summaries().unwrap());
    }
}
