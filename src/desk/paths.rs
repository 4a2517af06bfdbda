//! Where the database and the socket live by default.

use std::path::PathBuf;

/// `--db`, else `DESK_DB`, else `$XDG_DATA_HOME/duty-desk/desk.redb`
/// (`~/.local/share/duty-desk/desk.redb`).
pub fn database(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("DESK_DB").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    data_home().join("duty-desk").join("desk.redb")
}

fn data_home() -> PathBuf {
    if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    home().join(".local").join("share")
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

pub const SYSTEM_SOCKET: &str = "/run/duty-desk/desk.sock";

/// `--socket`, else `DESK_SOCKET`, else `$XDG_RUNTIME_DIR/duty-desk/desk.sock`
/// (without a runtime dir, `/tmp/duty-desk-UID/desk.sock`);
/// but when that personal socket does not exist and the system service's
/// `/run/duty-desk/desk.sock` does, the system one (officers logging in over
/// SSH get an XDG_RUNTIME_DIR of their own, yet should find the centre's server).
pub fn socket(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("DESK_SOCKET").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let system = PathBuf::from(SYSTEM_SOCKET);
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let personal = PathBuf::from(dir).join("duty-desk").join("desk.sock");
            if !personal.exists() && system.exists() {
                system
            } else {
                personal
            }
        }
        // No runtime dir (a plain su/cron session): the system server if it
        // runs, else a private directory of this user's in /tmp.
        None if system.exists() => system,
        None => tmp_runtime_dir().join("desk.sock"),
    }
}

/// The personal runtime directory without `XDG_RUNTIME_DIR`:
/// `/tmp/duty-desk-UID`. Anyone may create that name in /tmp first, so it is
/// only used once checked (`check_runtime_dir`).
pub fn tmp_runtime_dir() -> PathBuf {
    std::env::temp_dir().join(format!("duty-desk-{}", super::identity::current_uid()))
}

/// When `socket` lies in the /tmp runtime directory: creates it (`create`,
/// 0700, not following a symlink) and checks it is a directory of this
/// user's alone, new or old. A client does not create it: no directory, no
/// server.
pub fn check_runtime_dir(socket: &std::path::Path, create: bool) -> Result<(), String> {
    let dir = tmp_runtime_dir();
    if socket.parent() != Some(dir.as_path()) {
        return Ok(());
    }
    if !create && std::fs::symlink_metadata(&dir).is_err() {
        return Ok(());
    }
    crate::private_fs::private_dir(&dir, super::identity::current_uid(), create).map_err(|why| {
        format!(
            "运行目录 {} {}，可能有人想冒充服务端，已拒绝使用。\
             请删除它（rm -r {}）后重试，或设置 XDG_RUNTIME_DIR",
            dir.display(),
            why.describe(),
            dir.display()
        )
    })
}

/// The name this program was started as (`desk`, or what it was installed
/// as), for the commands its messages tell an officer to type.
pub fn program() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "desk".to_string())
}

/// What to say when the database file is missing: only `desk init` and
/// `desk demo` create one. `silent`: nothing answered on a socket that is
/// there, a server restarting (or stopped); creating a new database would
/// be the wrong advice, so the officer is told to wait.
pub fn missing_database(db: &std::path::Path, socket: &std::path::Path, silent: bool) -> String {
    let me = program();
    if silent {
        return format!(
            "服务端暂时没有应答（可能正在重启），请稍等片刻再试。\n\
             服务端套接字：{}\n\
             一分钟后仍不行，请联系管理员检查服务端（{me} doctor）。",
            socket.display()
        );
    }
    format!(
        "没有找到服务端，也没有找到数据库。\n\
         查找的服务端套接字：{}（没有服务端应答）\n\
         查找的数据库文件：{}（不存在）\n\
         第一次使用：{me} init 新建空库，您成为管理员，再添加村(社区)和责任单位；\n\
         \x20 或 {me} demo 写入演示数据先看看。\n\
         已有服务端或数据库：用 --socket 指定服务端的套接字，或用 --db 指定数据库文件。",
        socket.display(),
        db.display()
    )
}

/// An absolute form of `p` for comparing and for sending to a server whose
/// working directory differs from ours.
pub fn absolute(p: &std::path::Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    if p.is_absolute() {
        return p.to_path_buf();
    }
    std::env::current_dir()
        .map(|d| d.join(p))
        .unwrap_or_else(|_| p.to_path_buf())
}
