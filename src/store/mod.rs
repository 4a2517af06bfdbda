//! The redb store. Only this module touches redb. Every change is one write
//! transaction that writes the records, their summaries and the audit event
//! together, durably.
//!
//! - `schema`: the tables, the schema version and migrations at open.
//! - `write`: the write transaction (`Tx`); `bulk`: an import's many records.
//! - `read`: records, lists, drafts, undo entries and the audit log.
//! - `summaries`: summaries as stored, and the server's kept copy of them.
//! - `requests`: applied change requests by the client's key, for retries.
//! - `check` (`desk check`) and `backup`.

pub mod audit;
mod backup;
mod bulk;
mod check;
pub mod codec;
mod read;
mod requests;
mod schema;
mod summaries;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use redb::Database;
use serde::Serialize;

use crate::domain::dispute::{Dispute, Time};
use crate::domain::person::KeyPerson;
use crate::domain::record::RecordKind;
use crate::domain::DomainError;

pub use check::CheckReport;
pub use requests::{Answered, RequestKey};
pub use schema::SCHEMA_VERSION;
pub use summaries::decode_summary_blob;
pub use write::Tx;

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
    pub kind: RecordKind,
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

pub struct Store {
    db: Database,
    path: PathBuf,
    /// Held from the start of a write transaction until the kept summaries
    /// have taken its changes, so they follow commits in order.
    writing: Mutex<()>,
    /// Every summary's stored bytes, kept by a server once primed: each
    /// client start-up asks for all of them.
    stored_summaries: Mutex<Option<summaries::StoredSummaries>>,
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
            writing: Mutex::new(()),
            stored_summaries: Mutex::new(None),
        };
        store.prepare()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
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

#[cfg(test)]
mod tests;
