//! The daily backups (age, integrity, modes) and the room left for them.

use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Finding;
use crate::deploy::Layout;
use crate::domain::dispute::Time;
use crate::store::Store;

/// The timer runs daily: a newest backup older than this means it stopped.
pub const MAX_AGE_HOURS: i64 = 36;

const TIMER_FIX: &str = "systemctl enable --now duty-desk-backup.timer；立即备份一次：\
     systemctl start duty-desk-backup.service；失败原因：journalctl -u duty-desk-backup";

/// The newest backup the timer wrote: recent, intact, private; and no
/// backup in the directory open to others.
pub fn newest(layout: &Layout, now: Time) -> Vec<Finding> {
    let dir = &layout.backup_dir;
    let timed = match crate::store::timed_backups(dir) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return vec![Finding::skipped(format!(
                "备份目录 {}：本账号无权查看",
                dir.display()
            ))]
        }
        Err(e) => {
            return vec![Finding::fail(
                format!(
                    "备份目录 {} 读不了：{}",
                    dir.display(),
                    crate::private_fs::describe(&e)
                ),
                "systemd-tmpfiles --create /usr/lib/tmpfiles.d/duty-desk.conf",
            )]
        }
    };
    let mut found = vec![open_to_others(dir, &layout.service_user)];
    let Some((at, path)) = timed.last() else {
        found.push(Finding::fail(
            format!("备份目录 {} 里还没有每日备份", dir.display()),
            TIMER_FIX,
        ));
        return found;
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let hours = (now.naive_local() - *at).num_hours();
    found.push(if hours > MAX_AGE_HOURS {
        Finding::fail(
            format!("最新的每日备份 {name} 是 {hours} 小时前的（超过 {MAX_AGE_HOURS} 小时）：每日备份停了"),
            TIMER_FIX,
        )
    } else {
        Finding::ok(format!(
            "最新的每日备份 {name}（{hours} 小时前），共 {} 份",
            timed.len()
        ))
    });
    found.push(integrity(path));
    found
}

/// `desk check` on the backup itself, read-only.
pub fn integrity(path: &Path) -> Finding {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let report = Store::open_read_only(path).and_then(|s| s.check());
    match report {
        Ok(r) if r.faults.is_empty() => Finding::ok(format!(
            "备份 {name} 检查通过：案件 {} 件，重点人员 {} 人，审计记录 {} 条（数据库结构第 {} 版）",
            r.disputes,
            r.persons,
            r.audit_events,
            crate::store::SCHEMA_VERSION
        )),
        Ok(r) => Finding::fail(
            format!(
                "备份 {name} 检查发现 {} 处问题，例如：{}",
                r.faults.len(),
                r.faults.first().cloned().unwrap_or_default()
            ),
            format!("desk --db {} check 查看全部；立即另备份一次：systemctl start duty-desk-backup.service", path.display()),
        ),
        Err(e) => Finding::fail(
            format!("备份 {name} 打不开或未通过检查：{e}"),
            "立即另备份一次：systemctl start duty-desk-backup.service，再运行 desk doctor",
        ),
    }
}

/// Every file in the backup directory is the service account's alone (or
/// its group's to read).
fn open_to_others(dir: &Path, owner: &str) -> Finding {
    let owner_uid = super::accounts::uid_of(owner);
    let mut open = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(m) = entry.metadata() else { continue };
        if m.mode() & 0o027 != 0 || Some(m.uid()) != owner_uid {
            open.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    if open.is_empty() {
        return Finding::ok(format!(
            "备份目录 {} 里的文件都只有 {owner} 能读写",
            dir.display()
        ));
    }
    Finding::fail(
        format!(
            "备份目录里有 {} 个文件别的账号能读写或不归 {owner}：{}",
            open.len(),
            open.join("、")
        ),
        format!(
            "chown {owner}:{owner} {dir}/*; chmod 0600 {dir}/*",
            dir = dir.display()
        ),
    )
}

/// Free space where the database and the backups live, against the size
/// of the database (each backup is a copy of it).
pub fn disk(layout: &Layout, db_size: Option<u64>) -> Vec<Finding> {
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for dir in [&layout.data_dir, &layout.backup_dir] {
        let Ok(st) = nix::sys::statvfs::statvfs(dir.as_path()) else {
            continue;
        };
        if seen.contains(&st.filesystem_id()) {
            continue;
        }
        seen.push(st.filesystem_id());
        // fsblkcnt_t and c_ulong are 32 bits on some targets.
        #[allow(clippy::unnecessary_cast)]
        let free = st.blocks_available() as u64 * st.fragment_size() as u64;
        found.push(room(dir, free, db_size));
    }
    found
}

/// Room for the next backup, and some to spare.
pub fn room(dir: &Path, free: u64, db_size: Option<u64>) -> Finding {
    let mib = |b: u64| format!("{:.1} MB", b as f64 / (1024.0 * 1024.0));
    let where_ = dir.display();
    let fix = "清理磁盘，或在 /etc/default/duty-desk 里减少 DESK_BACKUP_KEEP_DAYS（保留的天数）";
    let Some(size) = db_size else {
        return Finding::ok(format!("{where_} 所在磁盘剩余 {}", mib(free)));
    };
    if free < size {
        return Finding::fail(
            format!(
                "{where_} 所在磁盘只剩 {}，不够再写一份备份（数据库 {}）",
                mib(free),
                mib(size)
            ),
            fix,
        );
    }
    if free < 3 * size || free < MIN_FREE {
        return Finding::warn(
            format!(
                "{where_} 所在磁盘剩余 {}，数据库 {}：快满了",
                mib(free),
                mib(size)
            ),
            fix,
        );
    }
    Finding::ok(format!(
        "{where_} 所在磁盘剩余 {}，数据库 {}",
        mib(free),
        mib(size)
    ))
}

/// Below this a disk is nearly full whatever the database's size.
pub const MIN_FREE: u64 = 256 << 20;
