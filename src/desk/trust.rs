//! Which server a client talks to. Anyone who can put a socket where the
//! client looks could answer as the desk and collect what officers type, so
//! before saying anything the client checks the answering process's uid
//! (from the kernel) against the expected service account: the owner of the
//! socket's directory, root or the client's own account; or, when
//! `DESK_SERVER_USER` names one, that account alone. The personal runtime
//! directory in /tmp must moreover be this user's own (see
//! `paths::check_runtime_dir`).

use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::api::DeskError;
use super::identity::{current_uid, login_of_uid};
use super::peer::{self, Peer};

/// The environment variable naming the one service account a client accepts.
pub const SERVER_USER_VAR: &str = "DESK_SERVER_USER";

fn named(uid: u32) -> String {
    match login_of_uid(uid) {
        Some(login) => format!("{login}（uid {uid}）"),
        None => format!("uid {uid}"),
    }
}

/// The uids a client accepts as its server, each with how it is expected.
/// With `DESK_SERVER_USER` set, that account alone: an administrator who
/// names the service account means no other (not the directory's owner,
/// not root, not the client itself).
fn expected(socket: &Path) -> Result<Vec<(u32, String)>, String> {
    if let Some(login) = std::env::var(SERVER_USER_VAR)
        .ok()
        .filter(|v| !v.is_empty())
    {
        return match nix::unistd::User::from_name(&login) {
            Ok(Some(u)) => Ok(vec![(
                u.uid.as_raw(),
                format!("{SERVER_USER_VAR} 指定的 {}", named(u.uid.as_raw())),
            )]),
            _ => Err(format!(
                "{SERVER_USER_VAR} 指定的服务账号“{}”在本机不存在，已拒绝连接，什么也没有发送。请向管理员核对",
                crate::domain::text::clean_line(&login)
            )),
        };
    }
    let dir = match socket.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let me = current_uid();
    let mut list = Vec::new();
    if let Ok(m) = std::fs::metadata(dir) {
        list.push((
            m.uid(),
            format!("目录 {} 的所有者 {}", dir.display(), named(m.uid())),
        ));
    }
    list.push((0, "root".into()));
    list.push((me, format!("本账号 {}", named(me))));
    Ok(list)
}

/// The server on `stream` (connected to `socket`), if it is one we expect;
/// otherwise a refusal naming what answered and what was expected.
pub fn check_server(stream: &UnixStream, socket: &Path) -> Result<Peer, DeskError> {
    let peer = peer::of(stream).map_err(|e| {
        DeskError::Refused(format!(
            "读不到套接字 {} 上服务端的身份（{}），已拒绝连接",
            socket.display(),
            crate::private_fs::describe(&e)
        ))
    })?;
    let expected = expected(socket).map_err(DeskError::Refused)?;
    if expected.iter().any(|(uid, _)| *uid == peer.uid) {
        return Ok(peer);
    }
    let wanted: Vec<&str> = expected.iter().map(|(_, why)| why.as_str()).collect();
    Err(DeskError::Refused(format!(
        "套接字 {} 上应答的服务端以账号 {} 运行，不是预期的服务账号（{}）。\
         可能有人冒充服务端，已拒绝连接，什么也没有发送。请报告管理员；\
         若服务端确实以这个账号运行，可设置 {SERVER_USER_VAR}=该账号",
        socket.display(),
        named(peer.uid),
        wanted.join("、")
    )))
}
