//! The tables, the schema version and the migrations run at open.

use redb::{Durability, MultimapTableDefinition, ReadableTable, TableDefinition, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::audit::{record_hash, Written};
use super::codec::{decode, encode, encode_compact};
use super::write::{append_audit, PendingEvent};
use super::{Store, StoreError};
use crate::domain::dispute::Dispute;
use crate::domain::record::RecordKind;
use crate::domain::summary::Summary;

/// 2: the four secondary indexes (status, village, deadline, person) are
/// gone; nothing read them, and every reader takes all summaries anyway.
/// 3: audit events carry the hash of each record they wrote; the migration
/// stamps every existing record's hash in one audited event.
pub const SCHEMA_VERSION: u64 = 3;
/// Version of the compact summary encoding; a change rebuilds the table.
/// 4: summaries carry the day of the last warning sign and an open alert.
/// 5: 中止, a 转办 waiting, casework alerts and whose approval waits.
pub(super) const SUMMARY_FORMAT: u64 = 6;

pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(super) const DISPUTES: TableDefinition<&str, &[u8]> = TableDefinition::new("disputes");
pub(super) const SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("summaries");
pub(super) const PERSONS: TableDefinition<&str, &[u8]> = TableDefinition::new("persons");
pub(super) const OFFICERS: TableDefinition<&str, &[u8]> = TableDefinition::new("officers");
/// Named lists (villages, units, categories) and settings, one JSON value each.
pub(super) const LISTS: TableDefinition<&str, &[u8]> = TableDefinition::new("lists");
/// Per-officer unsent form drafts.
pub(super) const DRAFTS: TableDefinition<&str, &[u8]> = TableDefinition::new("drafts");
pub(super) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

pub(super) const STR_TABLES: [TableDefinition<&str, &[u8]>; 7] =
    [META, DISPUTES, SUMMARIES, PERSONS, OFFICERS, LISTS, DRAFTS];

/// The tables whose every entry an audit event vouches for (by hash).
pub(super) const RECORD_TABLES: [(RecordKind, TableDefinition<&str, &[u8]>); 4] = [
    (RecordKind::Dispute, DISPUTES),
    (RecordKind::Person, PERSONS),
    (RecordKind::Officer, OFFICERS),
    (RecordKind::List, LISTS),
];

/// Tables of schema version 1, dropped by the migration to 2.
const V1_INDEXES: [MultimapTableDefinition<&str, &str>; 4] = [
    MultimapTableDefinition::new("idx_status"),
    MultimapTableDefinition::new("idx_village"),
    MultimapTableDefinition::new("idx_deadline"),
    MultimapTableDefinition::new("idx_person_disputes"),
];

impl Store {
    /// Creates missing tables and runs migrations, in one transaction.
    pub(super) fn prepare(&self) -> Result<(), StoreError> {
        let mut txn = self.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        for def in STR_TABLES {
            txn.open_table(def)?;
        }
        txn.open_table(AUDIT)?;
        // Request keys live in the audit log now; the tables that held them
        // in the first schema 3 files go.
        super::requests::drop_old_tables(&txn)?;
        let version = match txn.open_table(META)?.get("schema_version")? {
            Some(v) => decode::<u64>("数据库版本", v.value())?,
            None => 0,
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::Corrupt(format!(
                "数据库版本 {version} 比本程序（{SCHEMA_VERSION}）新，请升级 desk"
            )));
        }
        // Migrations from older schema versions, in order. A new file
        // (version 0) has nothing to migrate, and deleting absent tables is a no-op.
        if version < 2 {
            for def in V1_INDEXES {
                txn.delete_multimap_table(def)?;
            }
        }
        if (1..3).contains(&version) {
            stamp_record_hashes(&txn, version)?;
        }
        if version < SCHEMA_VERSION {
            meta_put(&txn, "schema_version", &SCHEMA_VERSION)?;
        }
        if meta_get::<u64>(&txn, "summary_format")? != Some(SUMMARY_FORMAT) {
            rebuild_summaries(&txn)?;
            meta_put(&txn, "summary_format", &SUMMARY_FORMAT)?;
        }
        txn.commit()?;
        Ok(())
    }
}

/// The migration to 3: one audit event vouching for every record as it is
/// now, so `desk check` can hold each to its hash from here on.
fn stamp_record_hashes(txn: &WriteTransaction, from: u64) -> Result<(), StoreError> {
    let mut written = Vec::new();
    for (kind, def) in RECORD_TABLES {
        for row in txn.open_table(def)?.iter()? {
            let (k, v) = row?;
            written.push(Written {
                kind,
                key: k.value().to_string(),
                hash: Some(record_hash(v.value())),
            });
        }
    }
    let revision = meta_get::<u64>(txn, "revision")?.unwrap_or(0);
    let event = PendingEvent {
        // The store has no clock of its own (that is the desk's); UTC+8 as it.
        at: chrono::Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")),
        actor: crate::domain::officer::SYSTEM_LOGIN.into(),
        action: "迁移".into(),
        target: String::new(),
        detail: format!(
            "数据库从第 {from} 版升级到第 {SCHEMA_VERSION} 版：登记现有 {} 条记录的校验值",
            written.len()
        ),
    };
    append_audit(txn, vec![event], revision, written, None)
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

pub(super) fn meta_get<T: DeserializeOwned>(
    txn: &WriteTransaction,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let t = txn.open_table(META)?;
    let v = t.get(key)?;
    v.map(|v| decode(key, v.value())).transpose()
}

pub(super) fn meta_put<T: Serialize>(
    txn: &WriteTransaction,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let mut t = txn.open_table(META)?;
    t.insert(key, encode(value).as_slice())?;
    Ok(())
}
