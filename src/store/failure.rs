//! redb's errors as officers read them (no English library text reaches
//! them), and panics on damaged pages turned into errors.
//!
//! redb trusts its pages: a flipped byte in a branch page can make it index
//! out of bounds and panic. Every entry point of the store (opening,
//! reading, writing, checking, closing) runs under `guarded`, which catches
//! such a panic and reports the file as damaged. A panic in our own code is
//! a bug, not damage: it goes on unwinding to the caller's boundary.

use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

use super::StoreError;

/// Runs `f`, turning a panic raised outside our own code (inside redb, or
/// the standard library under it) into "不是值班台数据库或已损坏".
pub(super) fn guarded<T>(
    what: &str,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    guarded_as(what, f)
}

/// `guarded` for work whose error is the caller's own (a write's closure).
pub(super) fn guarded_as<T, E: From<StoreError>>(
    what: &str,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let was = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    match result {
        Ok(r) => r,
        // Without the hook (a library user, a unit test) every caught panic
        // is taken for damage, as nothing tells where it came from.
        Err(_) if FROM_FILE.with(|f| f.replace(false)) || !HOOKED.load(Ordering::Relaxed) => {
            Err(StoreError::Damaged(damage_text(what)).into())
        }
        Err(payload) => resume_unwind(payload),
    }
}

/// What a caught panic tells the officer: where it happened and what to do.
pub(super) fn damage_text(what: &str) -> String {
    format!("{what}时读到损坏的数据页。请运行 desk check 查看详情，或用备份恢复")
}

thread_local! {
    /// Set while `guarded` runs on this thread: its panics are reported as errors.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// Set by the hook when a guarded panic came from outside our code.
    static FROM_FILE: Cell<bool> = const { Cell::new(false) };
}

/// Set once `quiet_panics` installed the hook that tells where a panic was.
static HOOKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a panic at `file` is in this crate's own source (a bug) rather
/// than in redb or the standard library (a damaged page read).
fn ours(file: &str) -> bool {
    let root = file!().strip_suffix("store/failure.rs").unwrap_or("src/");
    file.starts_with(root)
}

/// Installs (once; the `desk` binary does at start) a panic hook that says
/// nothing for the panics `guarded` turns into errors and, for any other,
/// prints a Chinese line instead of Rust's English message and backtrace.
/// `DESK_DEBUG_PANICS` set: Rust's own report too, for a developer; an
/// officer's `RUST_BACKTRACE` changes nothing.
pub fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map_or("", |l| l.file());
            if GUARDED.with(|g| g.get()) && !ours(file) {
                FROM_FILE.with(|f| f.set(true));
                return;
            }
            if std::env::var_os("DESK_DEBUG_PANICS").is_some() {
                before(info);
                return;
            }
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "错误：程序内部出错（{at}）。若刚读过数据库，它可能已损坏，请运行 desk check"
            );
        }));
        HOOKED.store(true, Ordering::Relaxed);
    });
}

/// redb I/O failures seen by this process. After one, redb fails reads as
/// well as writes until the database is reopened; a store that sees this
/// count move checks its handle before the next transaction (see `handle`).
static IO_FAILURES: AtomicU64 = AtomicU64::new(0);

pub(super) fn io_failures() -> u64 {
    IO_FAILURES.load(Ordering::Relaxed)
}

/// An I/O error as an officer reads it: a full disk says so.
pub(super) fn io_error(e: &std::io::Error) -> StoreError {
    match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => StoreError::DiskFull("本次改动".into()),
        Some(n) => StoreError::Io(format!(
            "磁盘读写失败（错误号 {n}），未保存，请检查磁盘后重试"
        )),
        None => StoreError::Io("磁盘读写失败，未保存，请检查磁盘后重试".into()),
    }
}

fn storage(e: redb::StorageError) -> StoreError {
    match e {
        redb::StorageError::Io(io) => {
            IO_FAILURES.fetch_add(1, Ordering::Relaxed);
            io_error(&io)
        }
        redb::StorageError::PreviousIo => {
            IO_FAILURES.fetch_add(1, Ordering::Relaxed);
            StoreError::DiskFull("上一次写入磁盘失败，数据库正在重新打开".into())
        }
        redb::StorageError::Corrupted(_) => StoreError::Damaged("数据页校验不符".into()),
        redb::StorageError::ValueTooLarge(n) => {
            StoreError::Db(format!("一条记录太大（{n} 字节），未保存"))
        }
        // Closed, poisoned lock, backend: nothing an officer can act on but retry.
        _ => StoreError::Db("数据库内部错误，未保存，请重试；仍不行请联系管理员".into()),
    }
}

impl From<redb::StorageError> for StoreError {
    fn from(e: redb::StorageError) -> Self {
        storage(e)
    }
}

impl From<redb::DatabaseError> for StoreError {
    fn from(e: redb::DatabaseError) -> Self {
        match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Busy("文件已加锁".into()),
            redb::DatabaseError::Storage(s) => storage(s),
            redb::DatabaseError::UpgradeRequired(v) => {
                StoreError::Damaged(format!("文件格式版本 {v} 与本程序不符"))
            }
            redb::DatabaseError::RepairAborted => StoreError::Damaged("修复被中止".into()),
            _ => StoreError::Db("无法打开数据库文件".into()),
        }
    }
}

impl From<redb::TransactionError> for StoreError {
    fn from(e: redb::TransactionError) -> Self {
        match e {
            redb::TransactionError::Storage(s) => storage(s),
            _ => StoreError::Db("数据库正忙，请重试".into()),
        }
    }
}

impl From<redb::TableError> for StoreError {
    fn from(e: redb::TableError) -> Self {
        match e {
            redb::TableError::Storage(s) => storage(s),
            // A table of ours with another shape: the file is not ours.
            _ => StoreError::Damaged("表结构与值班台不符".into()),
        }
    }
}

impl From<redb::CommitError> for StoreError {
    fn from(e: redb::CommitError) -> Self {
        match e {
            redb::CommitError::Storage(s) => storage(s),
            _ => StoreError::Db("提交失败，未保存，请重试".into()),
        }
    }
}

impl From<redb::SetDurabilityError> for StoreError {
    fn from(_: redb::SetDurabilityError) -> Self {
        StoreError::Db("内部错误：无法设置落盘方式".into())
    }
}
