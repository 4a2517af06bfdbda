//! The redb handle: the file checked before it is opened, and reopened in
//! place after a failed write.
//!
//! After an I/O error on commit (a full disk), redb refuses every later write
//! with "Previous I/O error" until the database is closed and opened again.
//! The server must come back by itself once space returns, so a write that
//! finds the handle in that state drops it and opens the file again (redb
//! recovers the last commit), behind the lock every transaction starts under.
//! Nothing acknowledged is lost: a change is acknowledged only after its
//! commit returned.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use redb::{Database, ReadTransaction, ReadableDatabase, TableHandle, WriteTransaction};

use super::failure::{self, guarded};
use super::schema::META;
use super::{Store, StoreError};

/// What every redb file starts with.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

/// Opens `path`, creating it when missing. An existing file must be a redb
/// file (not empty, right header); redb's own open runs guarded. Returns
/// whether the file existed.
pub(super) fn open_db(path: &Path) -> Result<(Database, bool), StoreError> {
    let existed = path.exists();
    if existed {
        check_header(path)?;
    }
    let db = guarded("打开数据库", || {
        Ok(if existed {
            builder().open(path)?
        } else {
            let file =
                crate::private_fs::create_new(path).map_err(|e| super::fs_error(path, &e))?;
            builder().create_with_backend(redb::backends::FileBackend::new(file)?)?
        })
    })?;
    Ok((db, existed))
}

/// Opens an existing `path` read-only: the same header checks as
/// `open_db`, and redb's read-only open, guarded.
pub(super) fn open_read_only(path: &Path) -> Result<redb::ReadOnlyDatabase, StoreError> {
    if !path.exists() {
        return Err(StoreError::NotFound(format!(
            "数据库文件 {} 不存在",
            path.display()
        )));
    }
    check_header(path)?;
    guarded("打开数据库", || {
        builder().open_read_only(path).map_err(|e| match e {
            redb::DatabaseError::RepairAborted => StoreError::Damaged(
                "文件上次没有正常关闭（程序或服务端被强行结束），需要先恢复才能检查；\
                 desk check 只读不写，不做恢复。请先复制一份文件，再启动 desk serve（恢复会改写文件），\
                 然后再运行 desk check"
                    .into(),
            ),
            other => other.into(),
        })
    })
}

/// An existing file must be a redb file: not empty, the right header.
fn check_header(path: &Path) -> Result<(), StoreError> {
    let mut head = [0u8; REDB_MAGIC.len()];
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Err(StoreError::Damaged("文件是空的（0 字节）".into()));
    }
    if file.read_exact(&mut head).is_err() || head != REDB_MAGIC {
        return Err(StoreError::Damaged("文件头不是值班台数据库的格式".into()));
    }
    Ok(())
}

/// redb's page cache: its default (1 GiB) is kept once full, and a server
/// reads every page at start (the read model, the check). The read model
/// holds what the screens need; the cache keeps the B-tree's inner pages
/// and a commit's writes.
const CACHE_BYTES: usize = 128 << 20;

fn builder() -> redb::Builder {
    let mut b = Database::builder();
    b.set_cache_size(CACHE_BYTES);
    b
}

impl Store {
    /// An existing file must have been made by the desk: a redb file of
    /// another program has no `meta` table with a schema version.
    pub(super) fn require_desk_file(&self) -> Result<(), StoreError> {
        let r = self.begin_read()?;
        let ours = r
            .list_tables()?
            .any(|t| t.name() == META.name())
            .then(|| r.open_table(META))
            .transpose()?
            .map(|t| t.get("schema_version").map(|v| v.is_some()))
            .transpose()?
            .unwrap_or(false);
        if ours {
            Ok(())
        } else {
            Err(StoreError::Damaged("文件里没有值班台的数据表".into()))
        }
    }

    pub(super) fn begin_read(&self) -> Result<ReadTransaction, StoreError> {
        if let Some(db) = &self.read_only {
            return Ok(db.begin_read()?);
        }
        self.with_db(|db| Ok(db.begin_read()?))
    }

    /// Runs `f` on a new read transaction, guarded: a panic in redb while
    /// reading a damaged page (in `f`, in an iterator or in the transaction's
    /// drop) is the damage error, said as "`what`时读到损坏的数据页".
    pub(super) fn reading<T>(
        &self,
        what: &str,
        f: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        guarded(what, || {
            let r = self.begin_read()?;
            f(&r)
        })
    }

    /// Begins a write; a handle that refuses because an earlier write failed
    /// on the disk is reopened and asked again.
    pub(super) fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        // The one gate of every write: closed once a check found damage.
        if let Some(why) = self.stopped() {
            return Err(StoreError::Stopped(why.to_string()));
        }
        if self.read_only.is_some() {
            return Err(StoreError::Db(
                "数据库以只读方式打开（desk check），不保存任何修改".into(),
            ));
        }
        self.with_db(|db| Ok(db.begin_write()?))
    }

    fn with_db<T>(&self, f: impl Fn(&Database) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // An I/O failure anywhere since the last look: redb then fails reads
        // too, inside transactions that began fine, so look before beginning.
        let failures = failure::io_failures();
        if self.io_failures_seen.swap(failures, Ordering::Relaxed) != failures && self.failed() {
            self.reopen()?;
        }
        {
            let db = self.db.read().unwrap_or_else(|p| p.into_inner());
            if let Some(db) = db.as_ref() {
                match f(db) {
                    Err(StoreError::DiskFull(_) | StoreError::Io(_)) => {}
                    other => return other,
                }
            }
        }
        self.reopen()?;
        let db = self.db.read().unwrap_or_else(|p| p.into_inner());
        match db.as_ref() {
            Some(db) => f(db),
            None => Err(reopen_failed()),
        }
    }

    /// Lets go of the file cleanly for a process about to exit: once the
    /// writing lock is held no write is under way, and a database dropped
    /// with no transaction open is marked cleanly shut, so the next open
    /// needs no recovery (5.6 s at 10⁶ cases). Returns the writing lock:
    /// hold it until the exit, so no write reopens the file meanwhile.
    pub fn close(&self) -> std::sync::MutexGuard<'_, ()> {
        let writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let db = self.db.write().unwrap_or_else(|p| p.into_inner()).take();
        // Closing a damaged file can panic (see `Drop`).
        let _ = guarded("关闭数据库", move || {
            drop(db);
            Ok(())
        });
        writing
    }

    /// The schema `desk check` holds the file to must be this program's: a
    /// read-only store cannot migrate an older file (or rebuild its
    /// summaries), and would report every difference as damage.
    pub(super) fn require_current_schema(&self) -> Result<(), StoreError> {
        let (schema, summaries) = self.reading("读取数据库版本", |r| {
            let t = r.open_table(META)?;
            let get = |key: &str| -> Result<Option<u64>, StoreError> {
                t.get(key)?
                    .map(|v| super::codec::decode::<u64>("数据库版本", v.value()))
                    .transpose()
            };
            Ok((get("schema_version")?, get("summary_format")?))
        })?;
        if schema != Some(super::SCHEMA_VERSION) || summaries != Some(super::schema::SUMMARY_FORMAT)
        {
            return Err(StoreError::Corrupt(format!(
                "文件是第 {} 版格式，本程序是第 {} 版；desk check 只读不写，不做升级。\
                 请先启动一次 desk serve（会升级文件），再运行 desk check",
                schema.unwrap_or(0),
                super::SCHEMA_VERSION
            )));
        }
        Ok(())
    }

    /// Whether the handle refuses work after an I/O error (or is gone).
    fn failed(&self) -> bool {
        let db = self.db.read().unwrap_or_else(|p| p.into_inner());
        db.as_ref().is_none_or(|db| db.begin_write().is_err())
    }

    /// Drops the handle and opens the file again. Read transactions still
    /// running keep redb's file lock a moment, so the open is retried briefly.
    fn reopen(&self) -> Result<(), StoreError> {
        let mut slot = self.db.write().unwrap_or_else(|p| p.into_inner());
        if let Some(db) = slot.as_ref() {
            // Another thread reopened it meanwhile.
            if db.begin_write().is_ok() {
                return Ok(());
            }
        }
        *slot = None;
        let mut last = reopen_failed();
        for _ in 0..100 {
            match guarded("重新打开数据库", || Ok(builder().open(&self.path)?)) {
                Ok(db) => {
                    *slot = Some(db);
                    return Ok(());
                }
                Err(StoreError::Busy(_)) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    last = e;
                    break;
                }
            }
        }
        Err(last)
    }
}

fn reopen_failed() -> StoreError {
    StoreError::DiskFull("数据库暂时无法重新打开".into())
}

impl Drop for Store {
    /// Closing writes redb's allocator state back, which on a damaged file
    /// can panic (a mutex poisoned by an earlier caught panic): closed
    /// guarded, so a damaged file still ends in a Chinese report.
    fn drop(&mut self) {
        let slot = self.db.get_mut().unwrap_or_else(|p| p.into_inner());
        let (db, read_only) = (slot.take(), self.read_only.take());
        let _ = guarded("关闭数据库", move || {
            drop((db, read_only));
            Ok(())
        });
    }
}
