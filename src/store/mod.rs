//! The redb store: tables, indexes, the audit log, integrity check and backup.
//! Only this module touches redb. Every change is one write transaction that
//! writes the records, their indexes and the audit event together, durably.

pub mod audit;
pub mod codec;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use redb::{
    Database, Durability, MultimapTableDefinition, ReadableDatabase, ReadableMultimapTable,
    ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::summary::Summary;
use crate::domain::DomainError;
use audit::{AuditEvent, GENESIS};
use codec::{decode, decode_compact, encode, encode_compact};

pub const SCHEMA_VERSION: u64 = 1;
/// Version of the compact summary encoding; a change rebuilds the table.
const SUMMARY_FORMAT: u64 = 3;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const DISPUTES: TableDefinition<&str, &[u8]> = TableDefinition::new("disputes");
const SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("summaries");
const PERSONS: TableDefinition<&str, &[u8]> = TableDefinition::new("persons");
const OFFICERS: TableDefinition<&str, &[u8]> = TableDefinition::new("officers");
/// Named lists (villages, units, categories) and settings, one JSON value each.
const LISTS: TableDefinition<&str, &[u8]> = TableDefinition::new("lists");
/// Per-officer unsent form drafts.
const DRAFTS: TableDefinition<&str, &[u8]> = TableDefinition::new("drafts");
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
const IDX_STATUS: MultimapTableDefinition<&str, &str> = MultimapTableDefinition::new("idx_status");
const IDX_VILLAGE: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("idx_village");
const IDX_DEADLINE: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("idx_deadline");
const IDX_PERSON: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("idx_person_disputes");

const STR_TABLES: [TableDefinition<&str, &[u8]>; 7] =
    [META, DISPUTES, SUMMARIES, PERSONS, OFFICERS, LISTS, DRAFTS];
const INDEXES: [MultimapTableDefinition<&str, &str>; 4] =
    [IDX_STATUS, IDX_VILLAGE, IDX_DEADLINE, IDX_PERSON];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(String),
    #[error("数据损坏：{0}")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("数据库文件正被另一个程序使用（多半是 desk serve）：{0}")]
    Busy(String),
    #[error("{0}")]
    Io(String),
}

macro_rules! db_errors {
    ($($t:ty),+) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Db(e.to_string()) }
        }
    )+};
}
db_errors!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl From<redb::DatabaseError> for StoreError {
    fn from(e: redb::DatabaseError) -> Self {
        match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Busy(e.to_string()),
            other => StoreError::Db(other.to_string()),
        }
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(format!("文件读写失败：{e}"))
    }
}

/// What a committed change touched, for change notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Touched {
    pub kind: String,
    pub id: String,
}

/// The state a record had before an officer's last change, kept so that
/// change can be undone (a compensating change; the audit log keeps both).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct UndoEntry {
    pub at: Time,
    /// What was done (交办, 登记 …).
    pub action: String,
    pub target: String,
    /// The record's revision right after the change: undo is refused once
    /// anyone changed it again.
    pub after_rev: u64,
    pub before: Before,
}

/// `None`: the change created the record.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub enum Before {
    Dispute(Option<Box<Dispute>>),
    Person(Option<Box<KeyPerson>>),
}

pub struct Committed<R> {
    pub value: R,
    pub revision: u64,
    pub touched: Vec<Touched>,
}

/// One row of a `&str → &[u8]` table, as redb's iterators yield it.
type RowResult<'a> = Result<
    (
        redb::AccessGuard<'a, &'static str>,
        redb::AccessGuard<'a, &'static [u8]>,
    ),
    redb::StorageError,
>;

pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database file, creating tables and running
    /// migrations in one transaction.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let db = Database::create(path)?;
        let store = Store {
            db,
            path: path.to_path_buf(),
        };
        store.prepare()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&self) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        for def in STR_TABLES {
            txn.open_table(def)?;
        }
        for def in INDEXES {
            txn.open_multimap_table(def)?;
        }
        txn.open_table(AUDIT)?;
        {
            let mut meta = txn.open_table(META)?;
            let version = match meta.get("schema_version")? {
                Some(v) => decode::<u64>("数据库版本", v.value())?,
                None => 0,
            };
            if version > SCHEMA_VERSION {
                return Err(StoreError::Corrupt(format!(
                    "数据库版本 {version} 比本程序（{SCHEMA_VERSION}）新，请升级 desk"
                )));
            }
            // Migrations from older schema versions go here, in order.
            if version < SCHEMA_VERSION {
                meta.insert("schema_version", encode(&SCHEMA_VERSION).as_slice())?;
            }
        }
        if meta_get::<u64>(&txn, "summary_format")? != Some(SUMMARY_FORMAT) {
            rebuild_summaries(&txn)?;
            meta_put(&txn, "summary_format", &SUMMARY_FORMAT)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Runs `f` in one durable write transaction. Every change must record at
    /// least one audit event; the revision only moves when records changed.
    pub fn write<R, E: From<StoreError>>(
        &self,
        actor: &str,
        now: Time,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<Committed<R>, E> {
        let mut txn = self.db.begin_write().map_err(StoreError::from)?;
        txn.set_durability(Durability::Immediate)
            .map_err(StoreError::from)?;
        let current: u64 = meta_get(&txn, "revision")?.unwrap_or(0);
        let mut tx = Tx {
            txn: &txn,
            revision: current + 1,
            actor: actor.to_string(),
            now,
            events: Vec::new(),
            touched: Vec::new(),
            touched_keys: Default::default(),
        };
        let value = f(&mut tx)?;
        let (events, touched) = (
            std::mem::take(&mut tx.events),
            std::mem::take(&mut tx.touched),
        );
        if events.is_empty() {
            return Err(StoreError::Db("内部错误：改动没有写审计记录".into()).into());
        }
        let revision = if touched.is_empty() {
            current
        } else {
            current + 1
        };
        append_audit(&txn, events, revision)?;
        if revision != current {
            meta_put(&txn, "revision", &revision)?;
        }
        txn.commit().map_err(StoreError::from)?;
        Ok(Committed {
            value,
            revision,
            touched,
        })
    }

    /// The officer's undoable action, if any.
    pub fn undo_entry(&self, login: &str) -> Result<Option<UndoEntry>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(META)?;
        t.get(undo_key(login).as_str())?
            .map(|v| decode("撤销记录", v.value()))
            .transpose()
    }

    pub fn revision(&self) -> Result<u64, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(META)?;
        Ok(match t.get("revision")? {
            Some(v) => decode("版本号", v.value())?,
            None => 0,
        })
    }

    pub fn dispute(&self, id: &str) -> Result<Dispute, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(DISPUTES)?;
        let v = t.get(id)?.ok_or_else(|| not_found_dispute(id))?;
        decode(&format!("案件 {id} "), v.value())
    }

    pub fn person(&self, id: &str) -> Result<KeyPerson, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(PERSONS)?;
        let v = t.get(id)?.ok_or_else(|| not_found_person(id))?;
        decode(&format!("重点人员 {id} "), v.value())
    }

    /// Every dispute summary, in 编号 order.
    pub fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        let (count, blob) = self.summary_blob()?;
        decode_summary_blob(&blob, count)
    }

    /// Every summary's stored bytes, each behind a 4-byte length, without
    /// decoding: the server sends this to clients as it is.
    pub fn summary_blob(&self) -> Result<(u64, Vec<u8>), StoreError> {
        let r = self.db.begin_read()?;
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
    }

    /// Summaries of the given ids; ids that do not exist are skipped.
    pub fn summaries_of(&self, ids: &[String]) -> Result<Vec<Summary>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(SUMMARIES)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = t.get(id.as_str())? {
                out.push(decode_compact("案件摘要", v.value())?);
            }
        }
        Ok(out)
    }

    pub fn persons(&self) -> Result<Vec<KeyPerson>, StoreError> {
        self.all(PERSONS, "重点人员")
    }

    /// Every dispute record, in 编号 order (ledger export). Decoded by two
    /// threads from both ends of the table, as `summaries` is.
    pub fn disputes(&self) -> Result<Vec<Dispute>, StoreError> {
        let r = self.db.begin_read()?;
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
            let back = scope.spawn(|| decode_rows(&mut t.iter()?.rev(), n - n / 2));
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

    pub fn officers(&self) -> Result<Vec<Officer>, StoreError> {
        self.all(OFFICERS, "人员名册")
    }

    pub fn officer(&self, login: &str) -> Result<Option<Officer>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(OFFICERS)?;
        let v = t.get(login)?;
        v.map(|v| decode("人员名册", v.value())).transpose()
    }

    fn all<T: DeserializeOwned>(
        &self,
        def: TableDefinition<&str, &[u8]>,
        what: &str,
    ) -> Result<Vec<T>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(def)?;
        let mut out = Vec::with_capacity(t.len()? as usize);
        for row in t.iter()? {
            let (_, v) = row?;
            out.push(decode(what, v.value())?);
        }
        Ok(out)
    }

    /// A named list or setting (villages, units, categories, settings).
    pub fn list<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(LISTS)?;
        let v = t.get(name)?;
        v.map(|v| decode(name, v.value())).transpose()
    }

    pub fn draft(&self, key: &str) -> Result<Option<String>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(DRAFTS)?;
        let v = t.get(key)?;
        v.map(|v| decode("草稿", v.value())).transpose()
    }

    /// Drafts are an officer's private working state, not records: saved
    /// durably but outside the audit log, which would otherwise fill with keystrokes.
    pub fn save_draft(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write()?;
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
    }

    /// Ids with the given status, from the status index.
    pub fn ids_by_status(&self, status: &str) -> Result<Vec<String>, StoreError> {
        self.index_get(IDX_STATUS, status)
    }

    pub fn ids_by_village(&self, village: &str) -> Result<Vec<String>, StoreError> {
        self.index_get(IDX_VILLAGE, village)
    }

    pub fn ids_by_person(&self, person_id: &str) -> Result<Vec<String>, StoreError> {
        self.index_get(IDX_PERSON, person_id)
    }

    /// Open disputes whose deadline is on or before `date` (YYYY-MM-DD), oldest first.
    pub fn ids_due_by(&self, date: &str) -> Result<Vec<String>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_multimap_table(IDX_DEADLINE)?;
        let mut out = Vec::new();
        for row in t.range::<&str>(..=date)? {
            let (_, ids) = row?;
            for id in ids {
                out.push(id?.value().to_string());
            }
        }
        Ok(out)
    }

    fn index_get(
        &self,
        def: MultimapTableDefinition<&str, &str>,
        key: &str,
    ) -> Result<Vec<String>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_multimap_table(def)?;
        let mut out = Vec::new();
        for id in t.get(key)? {
            out.push(id?.value().to_string());
        }
        Ok(out)
    }

    /// Audit events from `since_seq` on, oldest first.
    pub fn audit(&self, since_seq: u64) -> Result<Vec<AuditEvent>, StoreError> {
        let r = self.db.begin_read()?;
        let t = r.open_table(AUDIT)?;
        let mut out = Vec::new();
        for row in t.range(since_seq..)? {
            let (_, v) = row?;
            out.push(decode("审计记录", v.value())?);
        }
        Ok(out)
    }

    /// Audit events at or after `since`, oldest first. Read from the end of
    /// the log backwards (events are appended in time order), so a shift's
    /// worth costs the shift, not the whole history.
    pub fn audit_since_time(&self, since: Time) -> Result<Vec<AuditEvent>, StoreError> {
        let r = self.db.begin_read()?;
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
    }

    /// Checks tables, indexes and the audit chain. Returns every fault found.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let r = self.db.begin_read()?;
        let mut report = CheckReport::default();
        let faults = &mut report.faults;

        let disputes = r.open_table(DISPUTES)?;
        let summaries = r.open_table(SUMMARIES)?;
        let mut expected: [BTreeSet<(String, String)>; 4] = Default::default();
        for row in disputes.iter()? {
            let (k, v) = row?;
            let id = k.value().to_string();
            report.disputes += 1;
            let d: Dispute = match decode(&format!("案件 {id} "), v.value()) {
                Ok(d) => d,
                Err(e) => {
                    faults.push(e.to_string());
                    continue;
                }
            };
            if d.id != id {
                faults.push(format!("案件键 {id} 与记录中的编号 {} 不符", d.id));
            }
            let summary = Summary::of(&d);
            match summaries.get(id.as_str())? {
                Some(s) if s.value() == encode_compact(&summary).as_slice() => {}
                Some(_) => faults.push(format!("案件 {id} 的摘要与记录不一致")),
                None => faults.push(format!("案件 {id} 缺少摘要")),
            }
            for (set, key) in expected.iter_mut().zip(index_keys(&summary)) {
                for k in key {
                    set.insert((k, id.clone()));
                }
            }
        }
        if summaries.len()? != report.disputes {
            faults.push(format!(
                "摘要表有 {} 条，案件表有 {} 条",
                summaries.len()?,
                report.disputes
            ));
        }
        let names = ["状态索引", "村(社区)索引", "时限索引", "重点人员索引"];
        for ((def, want), name) in INDEXES.iter().zip(expected.iter()).zip(names) {
            let t = r.open_multimap_table(*def)?;
            let mut got = BTreeSet::new();
            for row in t.iter()? {
                let (k, ids) = row?;
                for id in ids {
                    got.insert((k.value().to_string(), id?.value().to_string()));
                }
            }
            for (k, id) in want.difference(&got) {
                faults.push(format!("{name}缺少 {k} → {id}"));
            }
            for (k, id) in got.difference(want) {
                faults.push(format!("{name}多出 {k} → {id}"));
            }
        }

        for row in r.open_table(PERSONS)?.iter()? {
            let (k, v) = row?;
            report.persons += 1;
            if let Err(e) = decode::<KeyPerson>("重点人员", v.value()) {
                faults.push(format!("重点人员 {}：{e}", k.value()));
            }
        }
        for row in r.open_table(OFFICERS)?.iter()? {
            let (k, v) = row?;
            if let Err(e) = decode::<Officer>("人员名册", v.value()) {
                faults.push(format!("人员名册 {}：{e}", k.value()));
            }
        }

        let audit = r.open_table(AUDIT)?;
        let mut prev = GENESIS.to_string();
        let mut expect_seq = 1u64;
        for row in audit.iter()? {
            let (k, v) = row?;
            let seq = k.value();
            report.audit_events += 1;
            let e: AuditEvent = match decode("审计记录", v.value()) {
                Ok(e) => e,
                Err(err) => {
                    faults.push(format!("审计记录 #{seq}：{err}"));
                    expect_seq = seq + 1;
                    continue;
                }
            };
            if seq != expect_seq {
                faults.push(format!(
                    "审计记录不连续：缺少 #{expect_seq} 到 #{}",
                    seq - 1
                ));
            }
            if e.seq != seq {
                faults.push(format!("审计记录 #{seq} 的序号被改为 {}", e.seq));
            }
            if e.prev != prev {
                faults.push(format!(
                    "审计记录 #{seq} 与上一条衔接不上（前一条被改动或删除）"
                ));
            }
            if e.compute_hash() != e.hash {
                faults.push(format!("审计记录 #{seq} 的内容被改动（校验值不符）"));
            }
            prev = e.hash.clone();
            expect_seq = seq + 1;
        }
        let meta = r.open_table(META)?;
        let head: Option<(u64, String)> = match meta.get("audit_head")? {
            Some(v) => Some(decode("审计链头", v.value())?),
            None => None,
        };
        match head {
            Some((seq, hash)) if seq != expect_seq - 1 || hash != prev => faults.push(format!(
                "审计链尾不符：应到 #{seq}，实际到 #{}（末尾记录被删除或改动）",
                expect_seq - 1
            )),
            None if expect_seq > 1 => faults.push("审计链头丢失".to_string()),
            _ => {}
        }
        Ok(report)
    }

    /// Writes a consistent copy of the database to `out`: read transaction →
    /// new file → fsync → rename. Never copies the live file.
    pub fn backup(&self, out: &Path) -> Result<u64, StoreError> {
        let tmp = out.with_file_name(format!(
            ".{}.tmp",
            out.file_name().and_then(|n| n.to_str()).unwrap_or("backup")
        ));
        let _ = std::fs::remove_file(&tmp);
        let r = self.db.begin_read()?;
        {
            let dst = Database::create(&tmp)?;
            let mut w = dst.begin_write()?;
            w.set_durability(Durability::Immediate)?;
            for def in STR_TABLES {
                let src = r.open_table(def)?;
                let mut t = w.open_table(def)?;
                for row in src.iter()? {
                    let (k, v) = row?;
                    t.insert(k.value(), v.value())?;
                }
            }
            for def in INDEXES {
                let src = r.open_multimap_table(def)?;
                let mut t = w.open_multimap_table(def)?;
                for row in src.iter()? {
                    let (k, vs) = row?;
                    for v in vs {
                        t.insert(k.value(), v?.value())?;
                    }
                }
            }
            let src = r.open_table(AUDIT)?;
            let mut t = w.open_table(AUDIT)?;
            for row in src.iter()? {
                let (k, v) = row?;
                t.insert(k.value(), v.value())?;
            }
            drop(t);
            w.commit()?;
        }
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, out)?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(std::fs::metadata(out)?.len())
    }
}

#[derive(Debug, Default)]
pub struct CheckReport {
    pub disputes: u64,
    pub persons: u64,
    pub audit_events: u64,
    pub faults: Vec<String>,
}

/// Index keys of a summary, in the order of `INDEXES`.
fn index_keys(s: &Summary) -> [Vec<String>; 4] {
    let deadline = match (s.status.is_open(), s.deadline) {
        (true, Some(d)) => vec![d.to_string()],
        _ => vec![],
    };
    [
        vec![s.status.label().to_string()],
        vec![s.village.clone()],
        deadline,
        s.person_ids.clone(),
    ]
}

fn undo_key(login: &str) -> String {
    format!("undo:{login}")
}

fn not_found_dispute(id: &str) -> StoreError {
    StoreError::NotFound(format!("找不到编号为 {id} 的案件"))
}

fn not_found_person(id: &str) -> StoreError {
    StoreError::NotFound(format!("找不到编号为 {id} 的重点人员"))
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

/// Rewrites every summary from its record (after a summary format change).
fn rebuild_summaries(txn: &WriteTransaction) -> Result<(), StoreError> {
    let disputes = txn.open_table(DISPUTES)?;
    let mut summaries = txn.open_table(SUMMARIES)?;
    for row in disputes.iter()? {
        let (k, v) = row?;
        let d: Dispute = decode("案件", v.value())?;
        summaries.insert(k.value(), encode_compact(&Summary::of(&d)).as_slice())?;
    }
    Ok(())
}

fn meta_get<T: DeserializeOwned>(
    txn: &WriteTransaction,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let t = txn.open_table(META)?;
    let v = t.get(key)?;
    v.map(|v| decode(key, v.value())).transpose()
}

fn meta_put<T: Serialize>(txn: &WriteTransaction, key: &str, value: &T) -> Result<(), StoreError> {
    let mut t = txn.open_table(META)?;
    t.insert(key, encode(value).as_slice())?;
    Ok(())
}

fn append_audit(
    txn: &WriteTransaction,
    events: Vec<PendingEvent>,
    revision: u64,
) -> Result<(), StoreError> {
    let (mut seq, mut prev): (u64, String) =
        meta_get(txn, "audit_head")?.unwrap_or((0, GENESIS.to_string()));
    let mut t = txn.open_table(AUDIT)?;
    for p in events {
        seq += 1;
        let mut e = AuditEvent {
            seq,
            at: p.at,
            actor: p.actor,
            action: p.action,
            target: p.target,
            detail: p.detail,
            revision,
            prev: prev.clone(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        t.insert(seq, encode(&e).as_slice())?;
        prev = e.hash;
    }
    drop(t);
    meta_put(txn, "audit_head", &(seq, prev))
}

struct PendingEvent {
    at: Time,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

/// Records the summaries thread of `put_disputes` encodes for the records
/// thread, claimed from the far end: `claims` is (front, back), the records
/// thread owning the indexes below `front`, the helper those from `back`.
struct Helper {
    claims: Mutex<(usize, usize)>,
    slots: Vec<OnceLock<Vec<u8>>>,
    /// The helper stopped (done, or failed before filling a claimed slot).
    gone: AtomicBool,
}

impl Helper {
    /// The records thread takes index `i` to encode itself, unless the
    /// helper has it.
    fn claim_front(&self, i: usize) -> bool {
        let mut c = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        if i < c.1 {
            c.0 = i + 1;
            true
        } else {
            false
        }
    }

    fn claim_back(&self) -> Option<usize> {
        let mut c = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        (c.1 > c.0).then(|| {
            c.1 -= 1;
            c.1
        })
    }

    /// The helper's encoding of `i`, once there; None if it never will be.
    fn wait(&self, i: usize) -> Option<&[u8]> {
        loop {
            if let Some(b) = self.slots[i].get() {
                return Some(b);
            }
            if self.gone.load(Ordering::Acquire) {
                return self.slots[i].get().map(|b| b.as_slice());
            }
            std::thread::yield_now();
        }
    }
}

/// Marks the helper gone however its thread leaves.
struct HelperGone<'h>(&'h Helper);

impl Drop for HelperGone<'_> {
    fn drop(&mut self) {
        self.0.gone.store(true, Ordering::Release);
    }
}

/// One write transaction in progress.
pub struct Tx<'a> {
    txn: &'a WriteTransaction,
    revision: u64,
    actor: String,
    now: Time,
    events: Vec<PendingEvent>,
    touched: Vec<Touched>,
    /// `touched` as a set: a bulk import touches 100 000 records.
    touched_keys: std::collections::HashSet<(String, String)>,
}

impl Tx<'_> {
    pub fn now(&self) -> Time {
        self.now
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Records an audit event in this transaction.
    pub fn audit(&mut self, action: &str, target: &str, detail: &str) {
        self.events.push(PendingEvent {
            at: self.now,
            actor: self.actor.clone(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
        });
    }

    /// The next number of a per-key sequence; numbers are never reused.
    pub fn next_seq(&mut self, key: &str) -> Result<u64, StoreError> {
        let key = format!("seq:{key}");
        let n: u64 = meta_get(self.txn, &key)?.unwrap_or(0) + 1;
        meta_put(self.txn, &key, &n)?;
        Ok(n)
    }

    /// Reserves `count` consecutive numbers of a sequence at once and
    /// returns the first (a bulk import numbers thousands of records).
    pub fn reserve_seq(&mut self, key: &str, count: u64) -> Result<u64, StoreError> {
        let key = format!("seq:{key}");
        let last: u64 = meta_get(self.txn, &key)?.unwrap_or(0);
        if count > 0 {
            meta_put(self.txn, &key, &(last + count))?;
        }
        Ok(last + 1)
    }

    /// Moves a sequence past `at_least`, so numbers an import brought in
    /// (MD-2024-000123) are never handed out again.
    pub fn raise_seq(&mut self, key: &str, at_least: u64) -> Result<(), StoreError> {
        let key = format!("seq:{key}");
        let n: u64 = meta_get(self.txn, &key)?.unwrap_or(0);
        if at_least > n {
            meta_put(self.txn, &key, &at_least)?;
        }
        Ok(())
    }

    pub fn dispute(&self, id: &str) -> Result<Dispute, StoreError> {
        let t = self.txn.open_table(DISPUTES)?;
        let v = t.get(id)?.ok_or_else(|| not_found_dispute(id))?;
        decode(&format!("案件 {id} "), v.value())
    }

    pub fn dispute_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.txn.open_table(DISPUTES)?.get(id)?.is_some())
    }

    /// `dispute_exists` for many ids, opening the table once.
    pub fn disputes_exist<'i>(
        &self,
        ids: impl IntoIterator<Item = &'i str>,
    ) -> Result<Vec<bool>, StoreError> {
        let t = self.txn.open_table(DISPUTES)?;
        ids.into_iter().map(|id| Ok(t.get(id)?.is_some())).collect()
    }

    /// Writes a dispute with this transaction's revision and keeps summary
    /// and indexes in step.
    pub fn put_dispute(&mut self, d: &mut Dispute) -> Result<(), StoreError> {
        d.rev = self.revision;
        let summary = Summary::of(d);
        let mut summaries = self.txn.open_table(SUMMARIES)?;
        let old: Option<Summary> = match summaries.get(d.id.as_str())? {
            Some(v) => Some(decode_compact("案件摘要", v.value())?),
            None => None,
        };
        summaries.insert(d.id.as_str(), encode_compact(&summary).as_slice())?;
        drop(summaries);
        let new_keys = index_keys(&summary);
        let old_keys = old.as_ref().map(index_keys).unwrap_or_default();
        for ((def, old), new) in INDEXES.iter().zip(old_keys).zip(new_keys) {
            if old == new {
                continue;
            }
            let mut t = self.txn.open_multimap_table(*def)?;
            for k in &old {
                t.remove(k.as_str(), d.id.as_str())?;
            }
            for k in &new {
                t.insert(k.as_str(), d.id.as_str())?;
            }
        }
        self.txn
            .open_table(DISPUTES)?
            .insert(d.id.as_str(), encode(d).as_slice())?;
        self.touch("dispute", &d.id);
        Ok(())
    }

    /// Writes many disputes (a ledger import) as `put_dispute` does, with
    /// each table opened once instead of once per record: at 100 000 rows
    /// the opening was most of the time.
    pub fn put_disputes(&mut self, ds: &mut [Dispute]) -> Result<(), StoreError> {
        for d in ds.iter_mut() {
            d.rev = self.revision;
        }
        let ds: &[Dispute] = ds;
        let txn = self.txn;
        // The records (JSON) and the summaries with their indexes are
        // separate tables: a large import writes them on two threads. The
        // records are the longer half, so the summaries thread, once done,
        // encodes records from the far end for the other to insert.
        let helper = Helper {
            claims: Mutex::new((0, ds.len())),
            slots: (0..ds.len()).map(|_| OnceLock::new()).collect(),
            gone: AtomicBool::new(false),
        };
        let helper = &helper;
        let write_records = move || -> Result<(), StoreError> {
            let mut t = crate::timing::Phases::new("put_disputes");
            let mut records = txn.open_table(DISPUTES)?;
            for (i, d) in ds.iter().enumerate() {
                let mine;
                let bytes: &[u8] = match helper.claim_front(i) {
                    true => {
                        mine = encode(d);
                        &mine
                    }
                    false => match helper.wait(i) {
                        Some(b) => b,
                        None => {
                            mine = encode(d);
                            &mine
                        }
                    },
                };
                records.insert(d.id.as_str(), bytes)?;
            }
            t.mark("records thread");
            Ok(())
        };
        let write_summaries = move || -> Result<(), StoreError> {
            let mut t = crate::timing::Phases::new("put_disputes");
            let _gone = HelperGone(helper);
            let mut summaries = txn.open_table(SUMMARIES)?;
            let mut indexes = Vec::with_capacity(INDEXES.len());
            for def in INDEXES {
                indexes.push(txn.open_multimap_table(def)?);
            }
            for d in ds {
                let summary = Summary::of(d);
                let old: Option<Summary> = match summaries.get(d.id.as_str())? {
                    Some(v) => Some(decode_compact("案件摘要", v.value())?),
                    None => None,
                };
                summaries.insert(d.id.as_str(), encode_compact(&summary).as_slice())?;
                let new_keys = index_keys(&summary);
                let old_keys = old.as_ref().map(index_keys).unwrap_or_default();
                for ((t, old), new) in indexes.iter_mut().zip(old_keys).zip(new_keys) {
                    if old == new {
                        continue;
                    }
                    for k in &old {
                        t.remove(k.as_str(), d.id.as_str())?;
                    }
                    for k in &new {
                        t.insert(k.as_str(), d.id.as_str())?;
                    }
                }
            }
            t.mark("summaries thread");
            while let Some(j) = helper.claim_back() {
                let _ = helper.slots[j].set(encode(&ds[j]));
            }
            t.mark("helping");
            Ok(())
        };
        if ds.len() < 2000 {
            write_summaries()?;
            write_records()?;
        } else {
            std::thread::scope(|scope| -> Result<(), StoreError> {
                let records = scope.spawn(write_records);
                let summaries = write_summaries();
                let records = records
                    .join()
                    .unwrap_or_else(|_| Err(StoreError::Db("写入案件的线程崩溃".into())));
                summaries.and(records)
            })?;
        }
        for d in ds.iter() {
            self.touch("dispute", &d.id);
        }
        Ok(())
    }

    pub fn person(&self, id: &str) -> Result<KeyPerson, StoreError> {
        let t = self.txn.open_table(PERSONS)?;
        let v = t.get(id)?.ok_or_else(|| not_found_person(id))?;
        decode(&format!("重点人员 {id} "), v.value())
    }

    pub fn put_person(&mut self, p: &mut KeyPerson) -> Result<(), StoreError> {
        p.rev = self.revision;
        self.txn
            .open_table(PERSONS)?
            .insert(p.id.as_str(), encode(p).as_slice())?;
        self.touch("person", &p.id);
        Ok(())
    }

    pub fn officer(&self, login: &str) -> Result<Option<Officer>, StoreError> {
        let t = self.txn.open_table(OFFICERS)?;
        let v = t.get(login)?;
        v.map(|v| decode("人员名册", v.value())).transpose()
    }

    pub fn put_officer(&mut self, o: &Officer) -> Result<(), StoreError> {
        self.txn
            .open_table(OFFICERS)?
            .insert(o.login.as_str(), encode(o).as_slice())?;
        self.touch("officer", &o.login);
        Ok(())
    }

    pub fn list<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let t = self.txn.open_table(LISTS)?;
        let v = t.get(name)?;
        v.map(|v| decode(name, v.value())).transpose()
    }

    pub fn put_list<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), StoreError> {
        self.txn
            .open_table(LISTS)?
            .insert(name, encode(value).as_slice())?;
        self.touch("list", name);
        Ok(())
    }

    /// Removes a dispute with its summary and index entries (undoing its
    /// registration). Its 编号 is not handed out again.
    pub fn delete_dispute(&mut self, id: &str) -> Result<(), StoreError> {
        let old: Option<Summary> = match self.txn.open_table(SUMMARIES)?.remove(id)? {
            Some(v) => Some(decode_compact("案件摘要", v.value())?),
            None => None,
        };
        if let Some(old) = old {
            for (def, keys) in INDEXES.iter().zip(index_keys(&old)) {
                let mut t = self.txn.open_multimap_table(*def)?;
                for k in &keys {
                    t.remove(k.as_str(), id)?;
                }
            }
        }
        if self.txn.open_table(DISPUTES)?.remove(id)?.is_none() {
            return Err(not_found_dispute(id));
        }
        self.touch("dispute", id);
        Ok(())
    }

    pub fn delete_person(&mut self, id: &str) -> Result<(), StoreError> {
        if self.txn.open_table(PERSONS)?.remove(id)?.is_none() {
            return Err(not_found_person(id));
        }
        self.touch("person", id);
        Ok(())
    }

    /// Keeps what `target` was before this transaction's change as the
    /// actor's one undoable action, replacing the previous one.
    pub fn remember_undo(
        &mut self,
        action: &str,
        target: &str,
        before: Before,
    ) -> Result<(), StoreError> {
        let entry = UndoEntry {
            at: self.now,
            action: action.to_string(),
            target: target.to_string(),
            after_rev: self.revision,
            before,
        };
        meta_put(self.txn, &undo_key(&self.actor), &entry)
    }

    /// The actor's undoable action, removed (kept if the transaction aborts).
    pub fn take_undo(&mut self) -> Result<Option<UndoEntry>, StoreError> {
        let key = undo_key(&self.actor);
        let entry = meta_get(self.txn, &key)?;
        self.txn.open_table(META)?.remove(key.as_str())?;
        Ok(entry)
    }

    fn touch(&mut self, kind: &str, id: &str) {
        if self.touched_keys.insert((kind.to_string(), id.to_string())) {
            self.touched.push(Touched {
                kind: kind.to_string(),
                id: id.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests;
