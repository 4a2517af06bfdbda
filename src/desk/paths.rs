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
        None => std::env::temp_dir()
            .join(format!("duty-desk-{}", super::identity::current_uid()))
            .join("desk.sock"),
    }
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
