//! Files and directories desk creates hold names, phones and reasons of
//! vulnerable people, so they are private: files 0600 and directories 0700,
//! or 0640 / 0750 inside a setgid directory (the deployed layout, where the
//! directory's group is the service group). Logs, locks and new files are
//! opened without following a symlink, so nobody can point them elsewhere.
//! This module depends on nothing of ours: the store, the server and the
//! file exports all use it.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

const SETGID: u32 = 0o2000;
const STICKY: u32 = 0o1000;

/// Whether `dir` is setgid: the deployed layout, whose group may read.
fn group_shared(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.mode() & SETGID != 0)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The mode of a file desk creates in `dir`.
pub fn file_mode(dir: &Path) -> u32 {
    if group_shared(dir) {
        0o640
    } else {
        0o600
    }
}

/// The mode of a directory desk creates under `parent`.
pub fn dir_mode(parent: &Path) -> u32 {
    if group_shared(parent) {
        0o750
    } else {
        0o700
    }
}

/// Creates `dir` and any missing parents, private by the rule above (taken
/// from the nearest directory that exists).
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let existing = dir
        .ancestors()
        .skip(1)
        .find(|a| a.as_os_str().is_empty() || a.is_dir())
        .filter(|a| !a.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(dir_mode(existing))
        .create(dir)
}

fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
    o.custom_flags(libc::O_NOFOLLOW)
}

/// A new file (it must not exist yet), readable and writable, private.
pub fn create_new(path: &Path) -> io::Result<File> {
    no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(file_mode(parent(path))),
    )
    .open(path)
}

/// A file to write from the start (an export): created private, or an
/// existing one emptied and made private.
pub fn create_or_replace(path: &Path) -> io::Result<File> {
    let mode = file_mode(parent(path));
    let file = no_follow(
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode),
    )
    .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(file)
}

/// A log to append to: created private, never through a symlink.
pub fn open_log(path: &Path) -> io::Result<File> {
    no_follow(
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(file_mode(parent(path))),
    )
    .open(path)
}

/// A lock file: created private, never through a symlink, never emptied.
pub fn open_lock(path: &Path) -> io::Result<File> {
    no_follow(
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600),
    )
    .open(path)
}

/// Whether accounts other than the owner may delete or replace entries of
/// `dir`: group or world writable without the sticky bit.
pub fn others_may_replace(dir: &Path) -> io::Result<Option<u32>> {
    let mode = std::fs::metadata(dir)?.mode() & 0o7777;
    Ok((mode & 0o022 != 0 && mode & STICKY == 0).then_some(mode))
}

/// What is wrong with a directory that must be this user's alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotPrivate {
    Symlink,
    NotADirectory,
    Owner(u32),
    Mode(u32),
    /// Could not be created or read (the OS error's kind, in Chinese).
    Unusable(String),
}

impl NotPrivate {
    /// The problem in an officer's words.
    pub fn describe(&self) -> String {
        match self {
            NotPrivate::Symlink => "是一个符号链接".into(),
            NotPrivate::NotADirectory => "不是目录".into(),
            NotPrivate::Owner(uid) => format!("属于别的账号（uid {uid}）"),
            NotPrivate::Mode(mode) => format!("权限是 {mode:04o}，别的账号也能进入"),
            NotPrivate::Unusable(why) => why.clone(),
        }
    }
}

/// Creates `dir` as this user's private directory (0700; mkdir does not
/// follow a symlink), then checks what is there, new or old: a real
/// directory, owned by `uid`, closed to everyone else.
pub fn private_dir(dir: &Path, uid: u32, create: bool) -> Result<(), NotPrivate> {
    if create {
        match std::fs::DirBuilder::new().mode(0o700).create(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(NotPrivate::Unusable(describe(&e))),
        }
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| NotPrivate::Unusable(describe(&e)))?;
    if meta.file_type().is_symlink() {
        return Err(NotPrivate::Symlink);
    }
    if !meta.is_dir() {
        return Err(NotPrivate::NotADirectory);
    }
    if meta.uid() != uid {
        return Err(NotPrivate::Owner(meta.uid()));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(NotPrivate::Mode(mode));
    }
    Ok(())
}

/// An OS error in Chinese (the library's English text never reaches an
/// officer).
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "不存在".into(),
        io::ErrorKind::PermissionDenied => "没有权限".into(),
        io::ErrorKind::AlreadyExists => "已经存在".into(),
        io::ErrorKind::ConnectionRefused => "没有服务端应答".into(),
        io::ErrorKind::StorageFull => "磁盘已满".into(),
        io::ErrorKind::ReadOnlyFilesystem => "所在的文件系统只读".into(),
        _ if e.raw_os_error() == Some(libc::ELOOP) => "是符号链接，为安全起见不跟随".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("读写失败（系统错误 {code}）"),
            None => "读写失败".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
    }

    #[test]
    fn new_files_and_directories_are_private() {
        let d = tempfile::tempdir().unwrap();
        let deep = d.path().join("a/b");
        create_dirs(&deep).unwrap();
        assert_eq!(mode(&d.path().join("a")), 0o700);
        assert_eq!(mode(&deep), 0o700);
        create_new(&deep.join("x")).unwrap();
        assert_eq!(mode(&deep.join("x")), 0o600);
        std::fs::write(deep.join("old"), "x").unwrap();
        std::fs::set_permissions(deep.join("old"), std::fs::Permissions::from_mode(0o644)).unwrap();
        create_or_replace(&deep.join("old")).unwrap();
        assert_eq!(mode(&deep.join("old")), 0o600);
    }

    #[test]
    fn a_setgid_directory_shares_with_its_group() {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o2750)).unwrap();
        create_dirs(&d.path().join("sub")).unwrap();
        // mkdir keeps the setgid bit inside a setgid directory.
        assert_eq!(mode(&d.path().join("sub")) & 0o777, 0o750);
        open_log(&d.path().join("log")).unwrap();
        assert_eq!(mode(&d.path().join("log")), 0o640);
    }

    #[test]
    fn symlinks_are_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("victim");
        std::fs::write(&target, "secret").unwrap();
        let link = d.path().join("desk-serve.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = open_log(&link).unwrap_err();
        assert_eq!(describe(&e), "是符号链接，为安全起见不跟随");
        assert!(open_lock(&link).is_err());
        assert!(create_or_replace(&link).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "secret");
    }

    #[test]
    fn a_private_directory_is_checked_new_or_old() {
        let d = tempfile::tempdir().unwrap();
        let me = nix::unistd::geteuid().as_raw();
        let fresh = d.path().join("duty-desk-x");
        private_dir(&fresh, me, true).unwrap();
        assert_eq!(mode(&fresh), 0o700);
        private_dir(&fresh, me, true).unwrap();
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(private_dir(&fresh, me, true), Err(NotPrivate::Mode(0o777)));
        assert_eq!(
            private_dir(&fresh, me + 1, false),
            Err(NotPrivate::Owner(me))
        );
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&fresh, &link).unwrap();
        assert_eq!(private_dir(&link, me, true), Err(NotPrivate::Symlink));
    }
}
