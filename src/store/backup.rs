//! A consistent copy of the database file, written only into the backup
//! directory, never over an existing file and never over the live database.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
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

/// How a backup named from the clock spells its time (China time).
const TIMED_NAME: &str = "%Y%m%d-%H%M%S";

/// The backup's file name: the one asked for, which must be a bare name
/// (no directory), or `desk-20261120-093000.redb` from the time.
pub fn backup_name(asked: Option<&str>, now: Time) -> Result<String, StoreError> {
    let Some(name) = asked.map(str::trim) else {
        return Ok(format!("desk-{}.redb", now.format(TIMED_NAME)));
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

/// The time in a name `backup_name` made from the clock; `None` for a name
/// someone chose (those are never pruned).
pub fn backup_time(name: &str) -> Option<NaiveDateTime> {
    let stamp = name.strip_prefix("desk-")?.strip_suffix(".redb")?;
    // Exactly the shape written: "desk-2026-final.redb" is someone's name.
    if stamp.len() != 15 {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, TIMED_NAME).ok()
}

/// The backups in `dir` named from the clock, oldest first. Hidden files
/// (a backup being written) and names someone chose are left out.
pub fn timed_backups(dir: &Path) -> std::io::Result<Vec<(NaiveDateTime, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(at) = entry.file_name().to_str().and_then(backup_time) else {
            continue;
        };
        if entry.file_type()?.is_file() {
            found.push((at, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// Deletes the backups in `dir` named from the clock more than `keep_days`
/// days before `now` (by the time in the name, which a copy keeps and a
/// touch does not change). `keep` (the backup just written) is never deleted,
/// so at least one backup stays. Returns the files deleted.
pub fn prune_backups(
    dir: &Path,
    keep_days: u32,
    now: Time,
    keep: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    let cutoff = now.naive_local() - chrono::Duration::days(i64::from(keep_days));
    let mut deleted = Vec::new();
    for (at, path) in timed_backups(dir)? {
        if at < cutoff && path.file_name() != keep.file_name() {
            std::fs::remove_file(&path)?;
            deleted.push(path);
        }
    }
    if !deleted.is_empty() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(deleted)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        chrono::DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn only_names_made_from_the_clock_carry_a_time() {
        let now = at("2026-11-20T09:30:00+08:00");
        let name = backup_name(None, now).unwrap();
        assert_eq!(name, "desk-20261120-093000.redb");
        assert_eq!(backup_time(&name), Some(now.naive_local()));
        for chosen in [
            "desk-2026-final.redb",
            "升级前-0.1.0.redb",
            "desk-20261120-093000.redb.bak",
            "desk-20261320-093000.redb",
        ] {
            assert_eq!(backup_time(chosen), None, "{chosen}");
        }
    }

    #[test]
    fn pruning_deletes_old_timed_backups_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "desk-20261101-020000.redb", // 19 days old
            "desk-20261113-020000.redb", // 7 days 7.5 h old
            "desk-20261114-020000.redb", // 6 days 7.5 h old
            "desk-20261120-020000.redb", // today
            "升级前-0.1.0.redb",         // chosen by hand: kept
            ".desk-20261120-093000.redb.tmp",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let now = at("2026-11-20T09:30:00+08:00");
        let keep = dir.path().join("desk-20261120-020000.redb");
        let deleted = prune_backups(dir.path(), 7, now, &keep).unwrap();
        let deleted: Vec<_> = deleted.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(
            deleted,
            ["desk-20261101-020000.redb", "desk-20261113-020000.redb"]
        );
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".desk-20261120-093000.redb.tmp",
                "desk-20261114-020000.redb",
                "desk-20261120-020000.redb",
                "升级前-0.1.0.redb"
            ]
        );
        // Keeping no days still keeps the backup just written.
        let deleted = prune_backups(dir.path(), 0, now, &keep).unwrap();
        assert_eq!(deleted.len(), 1);
        assert!(keep.exists());
    }
}
