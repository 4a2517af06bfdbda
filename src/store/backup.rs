//! A consistent copy of the database file.

use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, ReadableTable};

use super::schema::{AUDIT, STR_TABLES};
use super::{Store, StoreError};

impl Store {
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
            // Private from the start, like the database itself.
            let file =
                crate::private_fs::create_new(&tmp).map_err(|e| super::fs_error(&tmp, &e))?;
            let dst =
                Database::builder().create_with_backend(redb::backends::FileBackend::new(file)?)?;
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
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, out)?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(std::fs::metadata(out)?.len())
    }
}
