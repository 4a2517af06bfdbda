//! The running server: who answers on the socket, whether the database
//! passes its check, whether it runs the installed program, and whether the
//! roster has a 管理员.

use super::{accounts, Finding, Viewer};
use crate::deploy::Layout;
use crate::desk::api::{DeskError, Request, Response};
use crate::desk::remote::Remote;
use crate::desk::Desk;
use crate::domain::lists::Role;

/// The server on the layout's socket, as this account reaches it.
pub type Reached = Result<Remote, DeskError>;

pub fn reach(layout: &Layout) -> Reached {
    Remote::connect(&layout.socket(), false)
}

/// Whether the server knows the caller as an active 管理员.
pub fn is_admin(reached: &Reached) -> bool {
    matches!(reached, Ok(r) if r.officer.as_ref().is_ok_and(|o| o.active && o.role == Role::Admin))
}

/// What an officer may know: whether the server lets them in, and as what.
pub fn as_officer(layout: &Layout, reached: &Reached) -> Finding {
    match reached {
        Ok(remote) => match &remote.officer {
            Ok(o) => Finding::ok(format!(
                "能连上服务端，您在名册中：{}（{}）",
                o.name,
                o.role.label()
            )),
            Err(e) => Finding::fail(
                format!("服务端不让您使用值班台：{e}"),
                "请联系综治中心管理员",
            ),
        },
        Err(e) => Finding::fail(
            format!("连不上服务端（{}）：{e}", layout.socket().display()),
            "请告诉综治中心管理员",
        ),
    }
}

/// Root, the service account and a 管理员: the server, in full.
pub fn check(layout: &Layout, reached: &mut Reached, viewer: Viewer) -> Vec<Finding> {
    let remote = match reached {
        Ok(remote) => remote,
        Err(e) => return vec![unreachable(layout, e)],
    };
    let mut found = vec![who_serves(layout, remote)];
    if let Some(f) = program_replaced(layout, remote.server.pid, viewer) {
        found.push(f);
    }
    found.push(health(remote));
    found.push(admins(remote));
    found
}

fn unreachable(layout: &Layout, e: &DeskError) -> Finding {
    let fix = if layout.db().exists() {
        "systemctl start duty-desk；不成功时 systemctl status duty-desk、journalctl -u duty-desk 查看原因"
    } else {
        "第一次使用：desk setup 登录名 --name 姓名（以 root 运行）：建库并启动服务"
    };
    match e {
        DeskError::Connection(_) => Finding::fail(format!("服务端没有应答：{e}"), fix),
        DeskError::Refused(_) => Finding::fail(
            format!("套接字上的服务端不可信：{e}"),
            "查明是谁在运行它；systemctl restart duty-desk",
        ),
        DeskError::Invalid(_)
        | DeskError::Forbidden(_)
        | DeskError::NotFound(_)
        | DeskError::Conflict { .. }
        | DeskError::NotOnRoster(_)
        | DeskError::Store(_) => Finding::fail(format!("服务端拒绝了连接：{e}"), fix),
    }
}

/// The answering process runs as the service account, on the packaged
/// database, and matches `DESK_SERVER_USER` where this session sets it.
fn who_serves(layout: &Layout, remote: &Remote) -> Finding {
    let user = &layout.service_user;
    let uid = remote.server.uid;
    let runs_as = crate::desk::identity::login_of_uid(uid).unwrap_or_else(|| format!("uid {uid}"));
    if accounts::uid_of(user) != Some(uid) {
        return Finding::fail(
            format!(
                "套接字 {} 上的服务端以 {runs_as} 运行，不是服务账号 {user}",
                layout.socket().display()
            ),
            format!("停止它，改由 systemctl start duty-desk 以 {user} 运行"),
        );
    }
    let var = crate::desk::trust::SERVER_USER_VAR;
    if let Ok(named) = std::env::var(var) {
        if !named.is_empty() && named != *user {
            return Finding::fail(
                format!("本会话的 {var}={named}，与服务账号 {user} 不一致：值班台会拒绝连接"),
                format!("在 sshd 的 SetEnv 里写 {var}={user}（见 desk setup sshd）"),
            );
        }
    }
    if remote.db != layout.db().to_string_lossy() {
        return Finding::warn(
            format!(
                "服务端用的数据库是 {}，不是 {}",
                remote.db,
                layout.db().display()
            ),
            "确认这是有意的；软件包的单元用 /var/lib/duty-desk/desk.redb",
        );
    }
    Finding::ok(format!(
        "服务端（进程 {}）以 {user} 运行，套接字 {}，数据版本号 {}",
        remote.server.pid,
        layout.socket().display(),
        remote.revision
    ))
}

/// An upgraded package replaces the program; a server started before
/// runs the old one (and its schema) until restarted.
fn program_replaced(layout: &Layout, pid: i32, viewer: Viewer) -> Option<Finding> {
    match viewer {
        Viewer::Root | Viewer::Service => {}
        Viewer::Admin | Viewer::Other => return None,
    }
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    let exe = exe.to_string_lossy();
    if exe.ends_with(" (deleted)") {
        return Some(Finding::fail(
            "服务端还在运行升级前的程序（文件已被新版替换）",
            "systemctl restart duty-desk（新版启动时升级数据库结构）",
        ));
    }
    if exe != layout.program.to_string_lossy() {
        return Some(Finding::warn(
            format!(
                "服务端运行的是 {exe}，不是软件包装的 {}",
                layout.program.display()
            ),
            "确认这是有意的；软件包的单元运行 /usr/bin/desk",
        ));
    }
    Some(Finding::ok(format!(
        "服务端运行的是 {exe}（本版本，数据库结构第 {} 版）",
        crate::store::SCHEMA_VERSION
    )))
}

/// The server's own check of the database it holds.
fn health(remote: &mut Remote) -> Finding {
    match remote.call(Request::Check) {
        Ok(Response::Check(r)) if r.faults.is_empty() => Finding::ok(format!(
            "数据库检查通过：案件 {} 件，重点人员 {} 人，审计记录 {} 条，审计链完整",
            r.disputes, r.persons, r.audit_events
        )),
        Ok(Response::Check(r)) => Finding::fail(
            format!(
                "数据库检查发现 {} 处问题，例如：{}",
                r.faults.len(),
                r.faults
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("；")
            ),
            "desk check 列出全部问题；用备份恢复见 README“篡改与损坏”",
        ),
        Ok(other) => Finding::fail(
            format!(
                "服务端对检查的应答不对：{}",
                crate::desk::api::unexpected(other)
            ),
            "systemctl restart duty-desk",
        ),
        Err(e) => Finding::fail(
            format!("服务端没能检查数据库：{e}"),
            "journalctl -u duty-desk 查看原因",
        ),
    }
}

/// Someone must be able to keep the roster and the lists.
fn admins(remote: &mut Remote) -> Finding {
    let officers = match remote.call(Request::Officers) {
        Ok(Response::Officers(o)) => o,
        Ok(other) => {
            return Finding::fail(
                format!(
                    "服务端对名册的应答不对：{}",
                    crate::desk::api::unexpected(other)
                ),
                "systemctl restart duty-desk",
            )
        }
        Err(e) => {
            return Finding::fail(
                format!("读不到名册：{e}"),
                "journalctl -u duty-desk 查看原因",
            )
        }
    };
    let admins: Vec<&str> = officers
        .iter()
        .filter(|o| o.active && o.role == Role::Admin)
        .map(|o| o.login.as_str())
        .collect();
    if admins.is_empty() {
        return Finding::fail(
            format!("名册里 {} 人，没有一个在职的管理员：没人能加人、加村", officers.len()),
            "desk setup 登录名 --name 姓名（以 root 运行），或 desk roster add 登录名 --name 姓名 --unit 综治中心 --role 管理员",
        );
    }
    Finding::ok(format!(
        "名册 {} 人，管理员 {}",
        officers.len(),
        admins.join("、")
    ))
}
