//! How the CLI reaches the desk: through a running server when one serves the
//! database, else by opening the file directly.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::demo;
use crate::desk::remote::Remote;
use crate::desk::{clock, identity, paths, Desk, DeskError, Local, Session};
use crate::store::{Store, StoreError};

/// Opens the desk for this process's user: the server on `socket` when it
/// serves this database, else the file itself. `explicit_db` says the caller
/// named a database (`--db` or `DESK_DB`), which a server must then match.
/// A database is never created here: only `init` and `demo` do that.
pub fn open(
    db: &Path,
    explicit_db: bool,
    socket: Option<PathBuf>,
) -> anyhow::Result<Box<dyn Desk>> {
    open_with(db, explicit_db, socket, Local::open)
}

/// As `open`, but a file opened directly is opened read-only, so nothing is
/// repaired, migrated or written (`desk check`). A running server answers
/// as for any other command: it holds the file, and checks it as it is.
pub fn open_read_only(
    db: &Path,
    explicit_db: bool,
    socket: Option<PathBuf>,
) -> anyhow::Result<Box<dyn Desk>> {
    open_with(db, explicit_db, socket, Local::open_read_only)
}

fn open_with(
    db: &Path,
    explicit_db: bool,
    socket: Option<PathBuf>,
    local: fn(&Path) -> Result<Local, DeskError>,
) -> anyhow::Result<Box<dyn Desk>> {
    let socket = paths::socket(socket);
    let mut silent = false;
    match Remote::connect(&socket, false) {
        Ok(remote) => {
            if !explicit_db || Path::new(&remote.db) == paths::absolute(db) {
                let timeout = crate::desk::remote::cli_reply_timeout();
                return Ok(Box::new(remote.with_reply_timeout(timeout)));
            }
        }
        // No server answers: the file itself, below.
        Err(DeskError::Connection(_)) => silent = socket.exists(),
        // A server we do not trust, an unsafe runtime directory, or a server
        // that answered and said no (not on the roster, too many connections):
        // that is the answer, not a reason to open the file.
        Err(e) => return Err(e.into()),
    }
    if !db.exists() {
        anyhow::bail!(paths::missing_database(db, &socket, silent));
    }
    match local(db) {
        Ok(local) => Ok(Box::new(Session { local, caller: identity::current_caller() })),
        Err(e) if e.to_string().contains("正被另一个程序使用") => anyhow::bail!(
            "数据库 {} 正由服务端使用，但套接字 {} 上没有它的应答；请用 --socket 指定服务端的套接字",
            db.display(),
            socket.display()
        ),
        Err(e) => Err(e).with_context(|| format!("无法打开数据库 {}", db.display())),
    }
}

/// `init` and `demo` write the file themselves. A server of this user's that
/// serves it on `socket` (one the desk started in the background) is stopped
/// for that and started again afterwards; the system service is not.
fn with_file<R>(
    db: &Path,
    socket: &Path,
    work: impl FnOnce(&Store) -> anyhow::Result<R>,
) -> anyhow::Result<R> {
    let stopped = stop_own_server(db, socket)?;
    let result = open_for_writing(db).and_then(|store| work(&store));
    if stopped {
        crate::server::ensure_running(db, socket)?;
    }
    result
}

fn stop_own_server(db: &Path, socket: &Path) -> anyhow::Result<bool> {
    let remote = match Remote::connect(socket, false) {
        Ok(r) => r,
        Err(DeskError::Connection(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if Path::new(&remote.db) != paths::absolute(db) {
        return Ok(false);
    }
    let owner = identity::login_of_uid(remote.server.uid)
        .unwrap_or_else(|| format!("uid {}", remote.server.uid));
    if remote.server.uid != identity::current_uid() || socket == Path::new(paths::SYSTEM_SOCKET) {
        anyhow::bail!(
            "数据库 {} 正由服务端（账号 {owner}，套接字 {}）使用，不能同时直接写入。\
             请先停止服务端（系统服务：systemctl stop duty-desk），再运行一次",
            db.display(),
            socket.display()
        );
    }
    let pid = remote.server.pid;
    drop(remote);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .map_err(|e| {
        let why = crate::private_fs::describe(&std::io::Error::from(e));
        anyhow::anyhow!("无法停止服务端（进程 {pid}）：{why}")
    })?;
    Ok(true)
}

/// Opens the file, waiting (up to 5 s) for a stopping server to let go of it.
fn open_for_writing(db: &Path) -> anyhow::Result<Store> {
    let mut tries = 0;
    loop {
        match Store::open(db) {
            Err(StoreError::Busy(_)) if tries < 200 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(StoreError::Busy(_)) => anyhow::bail!(
                "数据库 {} 正被另一个程序使用（多半是另一个套接字上的 desk serve），请先停止它",
                db.display()
            ),
            other => return other.with_context(|| format!("无法打开数据库 {}", db.display())),
        }
    }
}

/// `desk init`: the default lists and the caller (or `admin`, an account
/// of this machine's: `desk setup` creates the file as the service account
/// for the person named) as 管理员. Returns whether the file was new.
pub fn init(
    db: &Path,
    socket: &Path,
    admin_name: &str,
    admin: Option<&str>,
) -> anyhow::Result<bool> {
    if let Some(login) = admin {
        if !matches!(nix::unistd::User::from_name(login), Ok(Some(_))) {
            anyhow::bail!(
                "本机没有账号“{}”：管理员须是能登录本机的账号（先 useradd -m 登录名）",
                crate::domain::text::clean_line(login)
            );
        }
    }
    let created = !db.exists();
    with_file(db, socket, |store| {
        let me = identity::current_caller();
        let login = admin.unwrap_or(&me.login);
        let officer = crate::domain::officer::Officer::new(
            login,
            admin_name,
            "综治中心",
            crate::domain::lists::Role::Admin,
        )?;
        store.write(&me.login, clock::now(), |tx| {
            demo::seed_lists(tx, &me.login, false)?;
            if tx.officer(login)?.is_none() {
                tx.put_officer(&officer)?;
            }
            tx.audit("初始化", "", &format!("默认名录，管理员 {login}"));
            Ok::<_, StoreError>(())
        })?;
        Ok(created)
    })
}

/// `desk demo`: only into a database without disputes. With `if_empty`, a
/// database that has data is left alone and its size returned.
pub fn demo(db: &Path, socket: &Path, plan: DemoArgs) -> anyhow::Result<Option<usize>> {
    with_file(db, socket, |store| demo_into(store, db, plan))
}

/// What `desk demo` writes.
pub struct DemoArgs {
    pub disputes: u64,
    pub persons: u64,
    pub seed: u64,
    pub today: chrono::NaiveDate,
    pub if_empty: bool,
}

fn demo_into(store: &Store, db: &Path, a: DemoArgs) -> anyhow::Result<Option<usize>> {
    let DemoArgs {
        disputes,
        persons,
        seed,
        today,
        if_empty,
    } = a;
    let existing = store.summaries()?.len();
    if existing > 0 && if_empty {
        return Ok(Some(existing));
    }
    if existing > 0 {
        anyhow::bail!(
            "数据库 {} 里已有 {existing} 件案件，演示数据只写入空数据库；请用 --db 指定一个新文件",
            db.display()
        );
    }
    let plan = demo::DemoPlan {
        disputes,
        persons,
        seed,
        today,
        span_days: 150,
        admin_login: identity::current_caller().login,
    };
    demo::fill(store, &plan)?;
    Ok(None)
}
