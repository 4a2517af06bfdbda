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
//! - `handle`: the redb handle, reopened after a failed write (full disk),
//!   and the file checks at open (empty, foreign, damaged → refused).
//! - `failure`: redb's errors as officers read them, and panics on damaged
//!   pages caught into errors.

pub mod audit;
mod backup;
mod bulk;
mod check;
pub mod codec;
mod failure;
mod handle;
mod read;
mod requests;
mod schema;
mod summaries;
mod write;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, RwLock};

use redb::Database;
use serde::Serialize;

use crate::domain::dispute::{Dispute, Time};
use crate::domain::person::KeyPerson;
use crate::domain::DomainError;

pub use backup::{backup_dir, backup_name, backup_time, prune_backups, timed_backups};
pub use check::CheckReport;
pub use failure::quiet_panics;
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
    /// The file is open in another process; holds where (for the message).
    #[error("数据库文件正被另一个程序使用（多半是 desk serve）{0}")]
    Busy(String),
    #[error("{0}")]
    Io(String),
    /// The file is empty, another program's, truncated or has damaged pages.
    #[error("不是值班台数据库或已损坏：{0}")]
    Damaged(String),
    /// Writes are stopped because a check found damage (`Store::stop_writes`).
    #[error("数据库检查发现损坏，服务端已停止保存任何修改（查看不受影响）：{0}。请管理员处理（desk check 查看详情，可用备份恢复）")]
    Stopped(String),
    /// A write could not reach the disk; nothing of it was saved.
    #[error("磁盘已满，未保存：{0}。请清理磁盘后重试")]
    DiskFull(String),
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        failure::io_error(&e)
    }
}

/// Takes a commit's revision and the summaries it wrote (None: removed).
pub type SummaryObserver = Box<dyn Fn(u64, &[(String, Option<Vec<u8>>)]) + Send + Sync>;

pub use crate::domain::record::Touched;

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
    /// None only while being reopened after a failed write (see `handle`),
    /// and in a store opened read-only.
    db: RwLock<Option<Database>>,
    /// The handle of a store opened read-only (`open_read_only`): it
    /// neither repairs, migrates nor writes, and refuses every write.
    read_only: Option<redb::ReadOnlyDatabase>,
    /// The process's redb I/O failure count when this store last looked.
    io_failures_seen: AtomicU64,
    path: PathBuf,
    /// Held from the start of a write transaction until the kept summaries
    /// have taken its changes, so they follow commits in order.
    writing: Mutex<()>,
    /// Every summary's stored bytes, kept by a server once primed: each
    /// client start-up asks for all of them.
    stored_summaries: Mutex<Option<summaries::StoredSummaries>>,
    /// Requests already answered, read from the audit log when first asked
    /// (see `requests`).
    requests: Mutex<Option<requests::Remembered>>,
    /// Told each commit's written summaries, in commit order, under the
    /// writing lock (the server's read model; see `observe_summaries`).
    observer: Mutex<Option<SummaryObserver>>,
    /// Why writes are stopped (a check found damage), once they are.
    stopped: std::sync::OnceLock<String>,
}

impl Store {
    /// Opens (or creates) the database file, creating tables and running
    /// migrations in one transaction. An existing file must be a desk
    /// database in good order (see `handle::open_db`); a new file is made
    /// private first (see `private_fs`), so it is never readable by others,
    /// not even for a moment.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let busy = |e: StoreError| match e {
            StoreError::Busy(_) => StoreError::Busy(format!("：{}", path.display())),
            other => other,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private_fs::create_dirs(dir).map_err(|e| fs_error(dir, &e))?;
        }
        let (db, existed) = handle::open_db(path).map_err(busy)?;
        let store = Store::with_handles(path, Some(db), None);
        failure::guarded("打开数据库", || {
            if existed {
                store.require_desk_file()?;
            }
            store.prepare()
        })?;
        Ok(store)
    }

    /// Opens an existing database file for reading only (`desk check`):
    /// nothing is created, repaired, migrated or written, so the file's
    /// bytes are the same afterwards. A file left open by a process that
    /// died needs redb's recovery first, which writes: refused, saying so.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let db = handle::open_read_only(path).map_err(|e| match e {
            StoreError::Busy(_) => StoreError::Busy(format!("：{}", path.display())),
            other => other,
        })?;
        let store = Store::with_handles(path, None, Some(db));
        failure::guarded("打开数据库", || {
            store.require_desk_file()?;
            store.require_current_schema()
        })?;
        Ok(store)
    }

    fn with_handles(
        path: &Path,
        db: Option<Database>,
        read_only: Option<redb::ReadOnlyDatabase>,
    ) -> Store {
        Store {
            db: RwLock::new(db),
            read_only,
            io_failures_seen: AtomicU64::new(failure::io_failures()),
            path: path.to_path_buf(),
            writing: Mutex::new(()),
            stored_summaries: Mutex::new(None),
            requests: Mutex::new(None),
            stopped: std::sync::OnceLock::new(),
            observer: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses every write from now on, saying `why`: a check found damage,
    /// and nothing must be built on it until someone has looked.
    pub fn stop_writes(&self, why: String) {
        let _ = self.stopped.set(why);
    }

    /// Why writes are stopped, when they are.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.get().map(String::as_str)
    }
}

/// A file or directory the store could not create, in Chinese.
pub(crate) fn fs_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io(format!(
        "无法创建 {}：{}",
        path.display(),
        crate::private_fs::describe(e)
    ))
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
