//! A consistent copy of the database file, written only into the backup
//! directory, never over an existing file and never over the live database.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use redb::backends::FileBackend;
use redb::{Database, Durability, ReadableTable};

use super::schema::{AUDIT, STR_TABLES};
use super::{Store, StoreError};
use crate::domain::dispute::Time;
use crate::domain::DomainError;

/// Where backups go unless the server is told otherwise: `backups/` beside
/// the database.
pub fn backup_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

/// The backup's file name: the one asked for, which must be a bare name
/// (no directory), or `desk-20261120-093000.redb` from the time.
pub fn backup_name(asked: Option<&str>, now: Time) -> Result<String, StoreError> {
    let Some(name) = asked.map(str::trim) else {
        return Ok(format!("desk-{}.redb", now.format("%Y%m%d-%H%M%S")));
    };
    let refuse = |why: &str| {
        Err(StoreError::Domain(DomainError::Invalid(format!(
            "备份文件名“{name}”不能用：{why}。只写文件名，备份一律放在备份目录里"
        ))))
    };
    if name.is_empty() {
        return refuse("是空的");
    }
    if name.contains('/') || name.contains('\0') {
        return refuse("不能带目录");
    }
    if name.starts_with('.') {
        return refuse("不能以“.”开头");
    }
    if name.chars().any(char::is_control) || name.len() > 200 {
        return refuse("含控制字符或太长");
    }
    Ok(name.to_string())
}

impl Store {
    /// Writes a consistent copy of the database as `dir/name` (created 0700
    /// when missing): read transaction → new hidden file (0600) → fsync →
    /// hard link to the name, which fails rather than replace anything.
    /// Returns the file written and its size.
    pub fn backup(&self, dir: &Path, name: &str) -> Result<(PathBuf, u64), StoreError> {
        if !dir.exists() {
            crate::private_fs::create_dirs(dir).map_err(|e| super::fs_error(dir, &e))?;
        }
        let out = dir.join(name);
        let live = std::fs::canonicalize(&self.path)?;
        if std::fs::canonicalize(dir)?.join(name) == live {
            return Err(refused("不能备份到正在使用的数据库文件上"));
        }
        if out.symlink_metadata().is_ok() {
            return Err(exists(name));
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        let _ = std::fs::remove_file(&tmp);
        let result = super::failure::guarded("备份", || self.copy_to(&tmp)).and_then(|()| {
            std::fs::hard_link(&tmp, &out).map_err(|e| match e.kind() {
                ErrorKind::AlreadyExists => exists(name),
                _ => StoreError::from(e),
            })
        });
        let _ = std::fs::remove_file(&tmp);
        result?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok((out.clone(), std::fs::metadata(&out)?.len()))
    }

    /// Every table, copied in one read transaction into a new file at `tmp`.
    fn copy_to(&self, tmp: &Path) -> Result<(), StoreError> {
        // Private from the start, like the database itself.
        let file = crate::private_fs::create_new(tmp).map_err(|e| super::fs_error(tmp, &e))?;
        let r = self.begin_read()?;
        {
            let dst = Database::builder().create_with_backend(FileBackend::new(file)?)?;
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
            let src = r.open_table(AUDIT)?;
            let mut t = w.open_table(AUDIT)?;
            for row in src.iter()? {
                let (k, v) = row?;
                t.insert(k.value(), v.value())?;
            }
            drop(t);
            w.commit()?;
        }
        std::fs::File::open(tmp)?.sync_all()?;
        Ok(())
    }
}

fn refused(why: &str) -> StoreError {
    StoreError::Domain(DomainError::Refused(format!("{why}，未备份")))
}

fn exists(name: &str) -> StoreError {
    refused(&format!("备份目录里已有“{name}”，不覆盖；请换一个名字"))
}
