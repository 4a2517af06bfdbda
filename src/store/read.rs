//! Reads outside a write transaction: records, lists, undo entries and the
//! audit log; and drafts, which are saved here too because they are not records.

use redb::{Durability, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::de::DeserializeOwned;

use super::audit::AuditEvent;
use super::codec::{decode, encode};
use super::failure::guarded;
use super::schema::{AUDIT, DISPUTES, DRAFTS, LISTS, META, OFFICERS, PERSONS};
use super::{not_found_dispute, not_found_person, undo_key, Store, StoreError, UndoEntry};
use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;

/// One row of a `&str → &[u8]` table, as redb's iterators yield it.
type RowResult<'a> = Result<
    (
        redb::AccessGuard<'a, &'static str>,
        redb::AccessGuard<'a, &'static [u8]>,
    ),
    redb::StorageError,
>;

impl Store {
    /// The officer's undoable action, if any.
    pub fn undo_entry(&self, login: &str) -> Result<Option<UndoEntry>, StoreError> {
        self.reading("读取撤销记录", |r| {
            let t = r.open_table(META)?;
            t.get(undo_key(login).as_str())?
                .map(|v| decode("撤销记录", v.value()))
                .transpose()
        })
    }

    pub fn revision(&self) -> Result<u64, StoreError> {
        self.reading("读取版本号", |r| {
            let t = r.open_table(META)?;
            Ok(match t.get("revision")? {
                Some(v) => decode("版本号", v.value())?,
                None => 0,
            })
        })
    }

    pub fn dispute(&self, id: &str) -> Result<Dispute, StoreError> {
        self.reading("读取案件", |r| {
            let t = r.open_table(DISPUTES)?;
            let v = t.get(id)?.ok_or_else(|| not_found_dispute(id))?;
            decode(&format!("案件 {id} "), v.value())
        })
    }

    pub fn person(&self, id: &str) -> Result<KeyPerson, StoreError> {
        self.reading("读取重点人员", |r| {
            let t = r.open_table(PERSONS)?;
            let v = t.get(id)?.ok_or_else(|| not_found_person(id))?;
            decode(&format!("重点人员 {id} "), v.value())
        })
    }

    pub fn persons(&self) -> Result<Vec<KeyPerson>, StoreError> {
        self.all(PERSONS, "重点人员")
    }

    /// Every dispute record, in 编号 order (ledger export). Decoded by two
    /// threads from both ends of the table, as `summaries` is.
    pub fn disputes(&self) -> Result<Vec<Dispute>, StoreError> {
        self.reading("读取案件", disputes_in)
    }
}

/// Every dispute of the read transaction `r`, in 编号 order; the back half
/// is read by a second thread, guarded as its own entry point.
fn disputes_in(r: &redb::ReadTransaction) -> Result<Vec<Dispute>, StoreError> {
    let t = r.open_table(DISPUTES)?;
    let n = t.len()? as usize;
    let decode_rows = |rows: &mut dyn Iterator<Item = RowResult>,
                       take: usize|
     -> Result<Vec<Dispute>, StoreError> {
        let mut out = Vec::with_capacity(take);
        for row in rows.take(take) {
            let (k, v) = row?;
            out.push(decode(&format!("案件 {} ", k.value()), v.value())?);
        }
        Ok(out)
    };
    if n < 2000 {
        return decode_rows(&mut t.iter()?, n);
    }
    let (front, back) = std::thread::scope(|scope| {
        let back = scope.spawn(|| {
            guarded("读取案件", || {
                decode_rows(&mut t.iter()?.rev(), n - n / 2)
            })
        });
        let front = t
            .iter()
            .map_err(StoreError::from)
            .and_then(|mut it| decode_rows(&mut it, n / 2));
        (
            front,
            back.join()
                .unwrap_or_else(|_| Err(StoreError::Db("读取案件的线程崩溃".into()))),
        )
    });
    let mut out = front?;
    out.extend(back?.into_iter().rev());
    Ok(out)
}

impl Store {
    pub fn officers(&self) -> Result<Vec<Officer>, StoreError> {
        self.all(OFFICERS, "人员名册")
    }

    pub fn officer(&self, login: &str) -> Result<Option<Officer>, StoreError> {
        self.reading("读取值班名册", |r| {
            let t = r.open_table(OFFICERS)?;
            let v = t.get(login)?;
            v.map(|v| decode("人员名册", v.value())).transpose()
        })
    }

    fn all<T: DeserializeOwned>(
        &self,
        def: TableDefinition<&str, &[u8]>,
        what: &str,
    ) -> Result<Vec<T>, StoreError> {
        self.reading(&format!("读取{what}"), |r| {
            let t = r.open_table(def)?;
            let mut out = Vec::with_capacity(t.len()? as usize);
            for row in t.iter()? {
                let (_, v) = row?;
                out.push(decode(what, v.value())?);
            }
            Ok(out)
        })
    }

    /// A named list or setting (villages, units, categories, settings).
    pub fn list<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        self.reading("读取名录", |r| {
            let t = r.open_table(LISTS)?;
            let v = t.get(name)?;
            v.map(|v| decode(name, v.value())).transpose()
        })
    }

    pub fn draft(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.reading("读取草稿", |r| {
            let t = r.open_table(DRAFTS)?;
            let v = t.get(key)?;
            v.map(|v| decode("草稿", v.value())).transpose()
        })
    }

    /// Drafts are an officer's private working state, not records: saved
    /// durably but outside the audit log, which would otherwise fill with keystrokes.
    pub fn save_draft(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        guarded("保存草稿", || {
            let mut txn = self.begin_write()?;
            txn.set_durability(Durability::Immediate)?;
            {
                let mut t = txn.open_table(DRAFTS)?;
                match value {
                    Some(v) => t.insert(key, encode(v).as_slice())?,
                    None => t.remove(key)?,
                };
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Audit events from `since_seq` on, oldest first.
    pub fn audit(&self, since_seq: u64) -> Result<Vec<AuditEvent>, StoreError> {
        self.reading("读取操作日志", |r| {
            let t = r.open_table(AUDIT)?;
            let mut out = Vec::new();
            for row in t.range(since_seq..)? {
                let (_, v) = row?;
                out.push(decode("审计记录", v.value())?);
            }
            Ok(out)
        })
    }

    /// Audit events at or after `since`, oldest first. Read from the end of
    /// the log backwards (events are appended in time order), so a shift's
    /// worth costs the shift, not the whole history.
    pub fn audit_since_time(&self, since: Time) -> Result<Vec<AuditEvent>, StoreError> {
        self.reading("读取操作日志", |r| {
            let t = r.open_table(AUDIT)?;
            let mut out = Vec::new();
            for row in t.iter()?.rev() {
                let (_, v) = row?;
                let e: AuditEvent = decode("审计记录", v.value())?;
                if e.at < since {
                    break;
                }
                out.push(e);
            }
            out.reverse();
            Ok(out)
        })
    }
}
