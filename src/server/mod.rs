//! `desk serve`: owns the one database, serves the Desk API on a Unix socket,
//! learns each caller from the socket's peer credentials, and pushes a change
//! notice to every connected client after each commit. `limits` bounds the
//! connections; a change's request key makes its retry safe (`handle_keyed`).

mod limits;
mod outbox;
mod presence;
mod watches;

pub use limits::Limits;

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::socket::{setsockopt, sockopt::ReceiveTimeout};
use nix::sys::time::TimeVal;

use limits::Admission;
use outbox::Outbox;

use crate::desk::api::{DeskError, Notice, Request, Response, Viewer};
use crate::desk::ledger::ImportsOf;
use crate::desk::need_to_know::Links;
use crate::desk::wire::{
    read_frame, write_frame, ClientMsg, FrameError, ServerMsg, MAX_CLIENT_FRAME, PROTOCOL_VERSION,
};
use crate::desk::{clock, identity, paths, peer, Caller, Local};
use crate::domain::officer::Officer;
use crate::private_fs;

pub struct ServeOptions {
    pub db: PathBuf,
    pub socket: PathBuf,
    /// Serve a database that fails `desk check` (logged and audited).
    pub accept_damaged: bool,
    /// Where backups go; None: `backups/` beside the database.
    pub backup_dir: Option<PathBuf>,
    pub limits: Limits,
}

/// How often the accept loop wakes to hand back memory.
const TRIM_EVERY: Duration = Duration::from_secs(2);

struct Shared {
    local: Local,
    db: String,
    subscribers: Mutex<Vec<Subscriber>>,
    /// Presence: the case each connection's officer has open, by connection.
    presence: Mutex<std::collections::BTreeMap<u64, Viewer>>,
    admission: Arc<Admission>,
    /// Refusals, logged once a minute per account (`limits::Refusals`).
    refusals: limits::Refusals,
    lose_reply: LoseReply,
    /// What the background check found, once it found damage.
    damage: std::sync::OnceLock<String>,
}

/// A connection taking notices, and what is still to be written to it.
struct Subscriber {
    conn: u64,
    outbox: Arc<Outbox>,
    /// Who listens (None: the database's owner, not on the roster).
    officer: Option<Officer>,
    /// The key persons this officer may hear of, as of a revision: a
    /// 责任人's change when cases are assigned to them.
    links: Option<(u64, Links)>,
    /// The windows this desk holds, told what changes in them.
    watches: Vec<watches::Watch>,
}

impl Subscriber {
    fn links(&mut self, local: &Local, revision: u64) -> &Links {
        if self.links.as_ref().is_none_or(|(r, _)| *r != revision) {
            let links = match &self.officer {
                // Unworkable links are none: a push never names too much.
                Some(me) => Links::of(local, me).unwrap_or(Links::None),
                None => Links::None,
            };
            self.links = Some((revision, links));
        }
        &self.links.as_ref().expect("set above").1
    }
}

impl Shared {
    fn broadcast(&self, notice: &Notice) {
        let names_persons = notice
            .touched
            .iter()
            .any(|t| t.kind == crate::domain::record::RecordKind::Person);
        self.push(names_persons, |links| {
            let mut n = notice.clone();
            links.touched(&mut n.touched);
            ServerMsg::Notice(n)
        });
        let cases: Vec<String> = notice
            .touched
            .iter()
            .filter(|t| t.kind == crate::domain::record::RecordKind::Dispute)
            .map(|t| t.id.clone())
            .collect();
        self.push_views(Some(&cases));
    }

    /// Sets (or with None, drops) what connection `conn` has open, and tells
    /// every desk when that changed who is on which case.
    fn set_presence(&self, conn: u64, viewer: Option<Viewer>) {
        let all: Vec<Viewer> = {
            let mut map = self.presence.lock().unwrap_or_else(|p| p.into_inner());
            let before = map.get(&conn).cloned();
            if before == viewer {
                return;
            }
            match viewer {
                Some(v) => map.insert(conn, v),
                None => map.remove(&conn),
            };
            map.values().cloned().collect()
        };
        let names_persons = all.iter().any(|v| {
            crate::domain::record::RecordKind::of_id(&v.at.id)
                != crate::domain::record::RecordKind::Dispute
        });
        // Only the latest is kept for each desk: a flood replaces one frame.
        let everyone = if names_persons {
            None
        } else {
            outbox::frame(&ServerMsg::Presence(all.clone()))
        };
        let revision = self.local.store().revision().unwrap_or(0);
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        for s in subs.iter_mut() {
            let frame = match &everyone {
                Some(f) => Some(Arc::clone(f)),
                None => outbox::frame(&ServerMsg::Presence(
                    s.links(&self.local, revision).presence(&all),
                )),
            };
            if let Some(f) = frame {
                s.outbox.set_presence(f);
            }
        }
    }

    /// Sends each subscriber what `make` makes of the change for what its
    /// officer may know. Only a push that names persons (`scoped`) works
    /// out each officer's links: a 责任人's take a pass over the cases.
    /// A push the same for everyone is encoded once and shared.
    fn push(&self, scoped: bool, make: impl Fn(&Links) -> ServerMsg) {
        let revision = self.local.store().revision().unwrap_or(0);
        let everyone = if scoped {
            None
        } else {
            outbox::frame(&make(&Links::All))
        };
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain_mut(|s| {
            let frame = match &everyone {
                Some(f) => Some(Arc::clone(f)),
                None if scoped => outbox::frame(&make(s.links(&self.local, revision))),
                None => None,
            };
            let kept = frame.is_none_or(|f| s.outbox.send(f));
            if !kept {
                log(&format!("连接 #{} 接收变更过慢，停止向其推送", s.conn));
            }
            kept
        });
    }

    /// Logs `line` unless `uid` was refused so already this minute (then
    /// it is summed, `limits::Refusals`).
    fn log_refusal(&self, uid: u32, kind: &'static str, line: &str) {
        let (now, over) = self.refusals.note(uid, kind, Instant::now());
        for l in over {
            log(&l);
        }
        if now {
            log(line);
        }
    }

    fn unsubscribe(&self, conn: u64) {
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|s| {
                if s.conn == conn {
                    s.outbox.close();
                }
                s.conn != conn
            });
    }
}

pub fn log(msg: &str) {
    eprintln!("{} {msg}", clock::now().format("%Y-%m-%d %H:%M:%S"));
}

/// The lock that makes sure one server serves a socket. Held for the server's life.
pub fn lock_path(socket: &Path) -> PathBuf {
    let mut name = socket
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    socket.with_file_name(name)
}

/// The lock is held while the returned value lives.
fn take_lock(socket: &Path) -> anyhow::Result<Flock<File>> {
    let path = lock_path(socket);
    let file = private_fs::open_lock(&path).map_err(|e| {
        anyhow::anyhow!(
            "无法创建锁文件 {}：{}",
            path.display(),
            private_fs::describe(&e)
        )
    })?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock)
        .map_err(|_| anyhow::anyhow!("已有服务端在运行（锁文件 {} 被占用）", path.display()))
}

/// The socket's directory, created when missing (private, or open to the
/// group to enter in the deployed layout). The /tmp runtime directory must
/// be this user's alone. A directory where others may delete or replace the
/// socket (group or world writable, no sticky bit) is refused: whoever can
/// replace the socket can answer as the desk.
fn socket_dir(socket: &Path) -> anyhow::Result<()> {
    paths::check_runtime_dir(socket, true).map_err(anyhow::Error::msg)?;
    let dir = match socket.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    private_fs::create_dirs(dir).map_err(|e| {
        anyhow::anyhow!(
            "无法创建目录 {}：{}",
            dir.display(),
            private_fs::describe(&e)
        )
    })?;
    match private_fs::others_may_replace(dir) {
        Ok(None) => Ok(()),
        Ok(Some(mode)) => anyhow::bail!(
            "套接字所在目录 {} 的权限是 {mode:04o}：同组或其他账号可以在里面删除、替换套接字，\
             冒充服务端。服务端拒绝在这里启动。请改为 0750（chmod 0750 {}），\
             值班员经目录的组进入、连接套接字，但不能删除或替换它",
            dir.display(),
            dir.display()
        ),
        Err(e) => anyhow::bail!(
            "无法读取目录 {}：{}",
            dir.display(),
            private_fs::describe(&e)
        ),
    }
}

/// Binds the socket: a stale file from a dead server is removed, a live one refused.
fn bind(socket: &Path) -> anyhow::Result<UnixListener> {
    if socket.exists() {
        if UnixStream::connect(socket).is_ok() {
            anyhow::bail!("已有服务端在 {} 上运行", socket.display());
        }
        std::fs::remove_file(socket)
            .with_context(|| format!("无法删除残留的套接字 {}", socket.display()))?;
    }
    let listener =
        UnixListener::bind(socket).with_context(|| format!("无法监听 {}", socket.display()))?;
    // Officers reach the socket through its group (the server user's group, or
    // the directory's when it is setgid, as /run/duty-desk is).
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o660))?;
    Ok(listener)
}

/// The socket file this server listens on, as (device, inode): should it be
/// removed or replaced, no client reaches this server again.
struct BoundSocket(u64, u64);

impl BoundSocket {
    fn of(socket: &Path) -> anyhow::Result<BoundSocket> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::symlink_metadata(socket)
            .with_context(|| format!("读不到刚建好的套接字 {}", socket.display()))?;
        Ok(BoundSocket(m.dev(), m.ino()))
    }

    /// Why the socket is no longer this server's, if it is not.
    fn lost(&self, socket: &Path) -> Option<String> {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(socket) {
            Ok(m) if (m.dev(), m.ino()) == (self.0, self.1) => None,
            Ok(_) => Some(format!("套接字 {} 已换成别的文件", socket.display())),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Some(format!("套接字 {} 已被删除", socket.display()))
            }
            // Unreadable for a moment (a permission change): not proof it is gone.
            Err(_) => None,
        }
    }
}

/// Opens the database: a file that is not a desk database, or whose pages
/// redb cannot read, is refused here; every record is checked afterwards,
/// while the server serves (see `check_in_background`).
fn open_db(opts: &ServeOptions) -> anyhow::Result<Local> {
    Local::open(&opts.db).with_context(|| format!("无法打开数据库 {}", opts.db.display()))
}

/// The faults as the log and the 管理员 read them: the first twenty.
fn listed(faults: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut listed = faults
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    if faults.len() > SHOWN {
        listed.push_str(&format!("\n……另有 {} 处", faults.len() - SHOWN));
    }
    listed
}

/// Builds the read model and runs `desk check` over every record once the
/// server serves. A file that fails stops
/// taking writes and every desk is told, unless the owner passed
/// `--accept-damaged` (then the log and the audit log say so, as before).
fn check_in_background(shared: Arc<Shared>, accept_damaged: bool) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("check".into())
        .spawn(move || {
            let t = Instant::now();
            // The one read model every desk's views come from (desks hold
            // windows of it; no copy of the stored summaries is kept).
            let views = match shared.local.view_inputs(clock::now()) {
                Ok(inputs) => shared
                    .local
                    .views
                    .start(shared.local.store(), inputs)
                    .map_err(DeskError::from),
                Err(e) => Err(e),
            };
            match views {
                Ok(()) => log(&format!("视图已就绪（{} 毫秒）", t.elapsed().as_millis())),
                Err(e) => log(&format!("无法建立视图：{e}")),
            }
            let faults = match shared.local.store().check() {
                Ok(report) => report.faults,
                Err(e) => vec![e.to_string()],
            };
            // Stopping closes the file under the check: that is no damage.
            if STOPPING.load(Ordering::SeqCst) {
                return;
            }
            if faults.is_empty() {
                log(&format!(
                    "数据库检查通过（{} 毫秒）",
                    t.elapsed().as_millis()
                ));
                return;
            }
            damaged(&shared, &faults, accept_damaged);
        })
        .context("无法创建检查线程")?;
    Ok(())
}

/// What the server does with a file that failed the check.
fn damaged(shared: &Shared, faults: &[String], accept_damaged: bool) {
    let listed = listed(faults);
    if accept_damaged {
        log(&format!(
            "数据库未通过检查（{} 处问题），因 --accept-damaged 仍然照常服务：\n{listed}",
            faults.len()
        ));
        let me = identity::current_caller();
        let detail = format!("{} 处问题，首条：{}", faults.len(), faults[0]);
        let audited = shared.local.store().write(&me.login, clock::now(), |tx| {
            tx.audit("带损坏启动", "", &detail);
            Ok::<_, crate::store::StoreError>(())
        });
        if let Err(e) = audited {
            log(&format!("未能把 --accept-damaged 记入操作日志：{e}"));
        }
        return;
    }
    let why = format!("{} 处问题，首条：{}", faults.len(), faults[0]);
    shared.local.store().stop_writes(why.clone());
    log(&format!(
        "数据库 {} 未通过检查（{} 处问题），已停止保存修改，只供查看：\n{listed}\n\
         请先查明原因（可用备份恢复）；确需照常服务，可加 --accept-damaged 重新启动，此事会记入日志",
        shared.db,
        faults.len()
    ));
    let _ = shared.damage.set(why);
    shared.push(false, |_| ServerMsg::Damaged(damage_notice(&shared.damage)));
}

/// What every desk is told once the check found damage.
fn damage_notice(damage: &std::sync::OnceLock<String>) -> String {
    format!(
        "数据库未通过检查，服务端已停止保存修改（查看不受影响）：{}。请管理员处理",
        damage.get().map_or("", String::as_str)
    )
}

/// Runs the server in the foreground until SIGINT, SIGTERM or SIGHUP.
pub fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    if !opts.db.exists() {
        anyhow::bail!(
            "数据库文件 {} 不存在。服务端不新建数据库：请先用 desk --db {} init 新建\
             （或 desk demo 写入演示数据），再启动服务端",
            opts.db.display(),
            opts.db.display()
        );
    }
    socket_dir(&opts.socket)?;
    let _lock = take_lock(&opts.socket)?;
    let fit = limits::raise_fd_limit();
    let limits = Limits {
        total: opts.limits.total.min(fit).max(1),
        ..opts.limits
    };
    let mut local = open_db(&opts)?;
    if let Some(dir) = &opts.backup_dir {
        local.set_backup_dir(crate::desk::paths::absolute(dir));
    }
    let listener = bind(&opts.socket)?;
    let bound = BoundSocket::of(&opts.socket)?;
    // accept() wakes this often, so the main thread can hand memory back
    // after connections close (see `memory::release`).
    setsockopt(
        &listener,
        ReceiveTimeout,
        &TimeVal::new(TRIM_EVERY.as_secs() as i64, 0),
    )
    .context("无法设置监听超时")?;
    let db = crate::desk::paths::absolute(&opts.db)
        .to_string_lossy()
        .into_owned();
    log(&format!(
        "服务端已启动：数据库 {db}，套接字 {}；每个账号最多 {} 个连接，共 {} 个，不接收变更的连接空闲 {} 秒断开",
        opts.socket.display(),
        limits.per_uid,
        limits.total,
        limits.idle.as_secs()
    ));
    let shared = Arc::new(Shared {
        local,
        db,
        subscribers: Mutex::new(Vec::new()),
        presence: Mutex::new(Default::default()),
        admission: Admission::new(limits),
        refusals: limits::Refusals::default(),
        lose_reply: LoseReply::from_env(),
        damage: std::sync::OnceLock::new(),
    });
    stop_on_signals(opts.socket.clone(), Arc::clone(&shared))?;
    check_in_background(Arc::clone(&shared), opts.accept_damaged)?;
    start_sweeper(Arc::clone(&shared))?;
    let mut next_conn = 1;
    let mut trimmed = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                admit(&shared, stream, next_conn);
                next_conn += 1;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => {
                log(&format!("接受连接失败：{e}"));
                // Out of descriptors: wait for some to close rather than spin.
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let stopping = STOPPING.load(Ordering::SeqCst);
        if let Some(why) = bound.lost(&opts.socket).filter(|_| !stopping) {
            // Nobody can reach this server any more, yet it holds the
            // database: a desk started after a logout (which empties the
            // runtime directory) could not start its own. Exit non-zero, so
            // a service unit's Restart=on-failure serves the socket again.
            log(&format!("{why}，没有人能再连上本服务端，退出并放开数据库"));
            std::process::exit(1);
        }
        for line in shared.refusals.over(Instant::now()) {
            log(&line);
        }
        // On the main thread, at most every few seconds: it also takes back
        // what exited connection threads left behind.
        if trimmed.elapsed() >= TRIM_EVERY && shared.admission.take_closed() {
            crate::memory::release();
            trimmed = Instant::now();
        }
    }
}

/// Gives the connection a thread, or tells it why not and closes it.
fn admit(shared: &Arc<Shared>, stream: UnixStream, conn: u64) {
    let uid = match peer::of(&stream).map(|p| p.uid) {
        Ok(uid) => uid,
        Err(e) => {
            log(&format!("连接 #{conn}：读不到对方身份（{e}），断开"));
            return;
        }
    };
    let ticket = match shared.admission.admit(uid) {
        Ok(ticket) => ticket,
        Err(reason) => {
            shared.log_refusal(
                uid,
                "拒绝连接",
                &format!("拒绝连接 #{conn}（uid {uid}）：{reason}"),
            );
            refuse(stream, reason);
            return;
        }
    };
    let owned = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name(format!("conn-{conn}"))
        .spawn(move || {
            let _ticket = ticket;
            connection(&owned, stream, uid, conn);
        });
    if let Err(e) = spawned {
        log(&format!("无法为连接 #{conn} 创建线程（{e}），断开"));
    }
}

/// Says why the connection is refused, without waiting on the client.
fn refuse(mut stream: UnixStream, reason: String) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = write_frame(&mut stream, &ServerMsg::Bye { reason });
}

/// Once a minute the desk resumes 中止 cases whose date came and puts new
/// 红牌 cases under 挂牌督办; every change is pushed like an officer's.
fn start_sweeper(shared: Arc<Shared>) -> anyhow::Result<()> {
    let me = crate::desk::casework::sweeper();
    std::thread::Builder::new()
        .name("sweep".into())
        .spawn(move || loop {
            // First after a minute: a server started for one command does not sweep.
            std::thread::sleep(std::time::Duration::from_secs(60));
            match crate::desk::casework::sweep(&shared.local, &me, clock::now()) {
                Ok((_, replies)) => {
                    for n in replies.into_iter().filter_map(|r| r.notice) {
                        shared.broadcast(&n);
                    }
                }
                Err(e) => log(&format!("自动恢复与督办未完成：{e}")),
            }
        })
        .context("无法创建自动督办线程")?;
    Ok(())
}

/// A thread waits for the stop signals (blocked everywhere else) and leaves
/// cleanly: every acknowledged change is already on disk.
/// Set when a signal stops the server: the socket it then removes is not
/// "lost" (see `BoundSocket`), and the exit stays a clean one.
static STOPPING: AtomicBool = AtomicBool::new(false);

fn stop_on_signals(socket: PathBuf, shared: Arc<Shared>) -> anyhow::Result<()> {
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    // Cannot fail: the set holds only valid signals.
    let _ = set.thread_block();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let sig = set.wait().map_or(0, |s| s as i32);
            log(&format!("收到信号 {sig}，服务端退出"));
            STOPPING.store(true, Ordering::SeqCst);
            let _ = std::fs::remove_file(&socket);
            let _no_writes = shared.local.store().close();
            std::process::exit(0);
        })?;
    Ok(())
}

fn connection(shared: &Shared, stream: UnixStream, uid: u32, conn: u64) {
    let caller = Caller {
        login: identity::login_of_uid(uid).unwrap_or_else(|| format!("uid{uid}")),
        uid,
    };
    let who = format!("连接 #{conn}（{}）", caller.login);
    match session(shared, stream, conn, &caller, &who) {
        Ok(()) | Err(FrameError::Closed) => {}
        Err(e) => shared.log_refusal(
            uid,
            "因请求不合协议被断开",
            &format!("{who}：{e}，断开此连接"),
        ),
    }
    shared.unsubscribe(conn);
    shared.set_presence(conn, None);
}

fn session(
    shared: &Shared,
    stream: UnixStream,
    conn: u64,
    caller: &Caller,
    who: &str,
) -> Result<(), FrameError> {
    let mut reader = stream.try_clone()?;
    let writer = Arc::new(Mutex::new(stream));
    let send = |msg: &ServerMsg| -> Result<(), FrameError> {
        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
        write_frame(&mut *w, msg).map_err(FrameError::Io)
    };

    // A client has a few seconds to say hello; a silent one is not held open.
    reader.set_read_timeout(Some(Duration::from_secs(10)))?;
    let hello = read_frame::<ClientMsg>(&mut reader, MAX_CLIENT_FRAME)?;
    let notices = match hello {
        ClientMsg::Hello { version, notices } if version == PROTOCOL_VERSION => notices,
        ClientMsg::Hello { version, .. } => {
            send(&ServerMsg::Bye {
                reason: format!("协议版本 {version} 与服务端（{PROTOCOL_VERSION}）不同，请把 desk 升级到同一版本"),
            })?;
            return Err(FrameError::Malformed(format!("协议版本 {version} 不符")));
        }
        ClientMsg::Call { .. } => return Err(FrameError::Malformed("未先问候就发送请求".into())),
    };
    let officer = match shared.local.handle(caller, Request::Whoami) {
        Ok(r) => match r.response {
            Response::Officer(o) => Ok(o),
            _ => Err(DeskError::Store("名册应答异常".into())),
        },
        Err(e) => Err(e),
    };
    // Told why and let go at once; the database's owner stays, to set up
    // the roster and to check or back up the file.
    if let Err(DeskError::NotOnRoster(reason)) = &officer {
        if !shared.local.is_db_owner(caller) {
            // Logged first: the client may be gone the moment it reads why.
            shared.log_refusal(
                caller.uid,
                "因不在值班名册中被拒绝",
                &format!("{who}：不在值班名册中，已告知并断开"),
            );
            send(&ServerMsg::Bye {
                reason: reason.clone(),
            })?;
            return Ok(());
        }
    }
    let revision = shared.local.store().revision().unwrap_or(0);
    let name = officer
        .as_ref()
        .map_or_else(|_| caller.login.clone(), |o| o.name.clone());
    send(&ServerMsg::Welcome {
        version: PROTOCOL_VERSION,
        db: shared.db.clone(),
        officer: officer.clone(),
        revision,
    })?;

    // A connection that takes notices is a desk waiting for them; any
    // other that falls silent is let go after the idle timeout.
    let idle = shared.admission.limits().idle;
    reader.set_read_timeout((!notices).then_some(idle))?;
    let officer = officer.ok();
    if notices {
        subscribe(shared, conn, officer.clone(), Arc::clone(&writer))?;
    }
    let me = Viewing {
        conn,
        name: &name,
        officer: officer.as_ref(),
    };
    calls(shared, reader, &writer, caller, who, me)
}

/// The connection and its officer, for presence.
struct Viewing<'a> {
    conn: u64,
    name: &'a str,
    /// None: the database's owner, not on the roster.
    officer: Option<&'a Officer>,
}

/// Answers the connection's calls in order until it closes or falls idle.
fn calls(
    shared: &Shared,
    mut reader: UnixStream,
    writer: &Mutex<UnixStream>,
    caller: &Caller,
    who: &str,
    me: Viewing<'_>,
) -> Result<(), FrameError> {
    let idle = shared.admission.limits().idle;
    let mut imports = ImportsOf::new(&shared.local, &caller.login);
    let mut looks = presence::Looks::new();
    let send = |msg: &ServerMsg| -> Result<(), FrameError> {
        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
        write_frame(&mut *w, msg).map_err(FrameError::Io)
    };
    loop {
        let msg = match read_frame::<ClientMsg>(&mut reader, MAX_CLIENT_FRAME) {
            Ok(msg) => msg,
            Err(FrameError::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                log(&format!("{who}：空闲超时，断开"));
                send(&ServerMsg::Bye {
                    reason: format!("连接空闲超过 {} 秒，已断开", idle.as_secs()),
                })?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        match msg {
            ClientMsg::Call { id, req, key } => {
                let req = *req;
                if let Request::Looking { at } = req {
                    // Kept here, per connection: the desk's store never sees it.
                    let admitted = match &at {
                        Some(at) => looks.admit(&shared.local, me.officer, at),
                        None => Ok(()),
                    };
                    send(&ServerMsg::Reply {
                        id,
                        result: admitted
                            .clone()
                            .map(|()| Response::Done)
                            .map_err(DeskError::Refused),
                    })?;
                    if admitted.is_ok() {
                        let viewer = at.map(|at| Viewer {
                            login: caller.login.clone(),
                            name: me.name.to_string(),
                            at,
                        });
                        shared.set_presence(me.conn, viewer);
                    }
                    continue;
                }
                if let Request::Unwatch { slot } = req {
                    shared.unwatch(me.conn, slot);
                    send(&ServerMsg::Reply {
                        id,
                        result: Ok(Response::Done),
                    })?;
                    continue;
                }
                let watch = match &req {
                    Request::View {
                        query,
                        limit,
                        watch: Some(slot),
                        ..
                    } => Some((*slot, query.clone(), *limit)),
                    _ => None,
                };
                if let Err(why) = limits::bound(&req) {
                    send(&ServerMsg::Reply {
                        id,
                        result: Err(DeskError::Refused(why)),
                    })?;
                    continue;
                }
                imports.note(&req);
                let result = match key {
                    Some(key) => shared.local.handle_keyed(caller, key, req),
                    None => shared.local.handle(caller, req),
                };
                let (mut result, notice) = match result {
                    Ok(reply) => (Ok(reply.response), reply.notice),
                    Err(e) => (Err(e), None),
                };
                if let (Some((slot, query, limit)), Ok(Response::Window(w))) = (watch, &result) {
                    let limit = limit.min(crate::desk::local::MAX_WINDOW);
                    if let Err(why) = shared.watch(me.conn, slot, query, limit, w) {
                        result = Err(DeskError::Refused(why));
                    }
                }
                let committed = key.is_some() && notice.is_some();
                if committed && shared.lose_reply.fires(&reader) {
                    return Ok(());
                }
                // Acknowledge first: the change is durable already.
                let sent = send(&ServerMsg::Reply { id, result });
                if let Some(n) = notice {
                    shared.broadcast(&n);
                }
                sent?;
            }
            ClientMsg::Hello { .. } => return Err(FrameError::Malformed("重复问候".into())),
        }
    }
}

/// Pushes every change notice to this connection from now on, on a thread
/// of its own (a slow client is dropped from the stream, see `broadcast`).
fn subscribe(
    shared: &Shared,
    conn: u64,
    officer: Option<Officer>,
    writer: Arc<Mutex<UnixStream>>,
) -> Result<(), FrameError> {
    let outbox = Arc::new(Outbox::default());
    let mut sub = Subscriber {
        conn,
        outbox: Arc::clone(&outbox),
        officer,
        links: None,
        watches: Vec::new(),
    };
    // A desk starting up hears who already has which case open.
    let open: Vec<Viewer> = {
        let map = shared.presence.lock().unwrap_or_else(|p| p.into_inner());
        let revision = shared.local.store().revision().unwrap_or(0);
        sub.links(&shared.local, revision)
            .presence(&map.values().cloned().collect::<Vec<_>>())
    };
    if let Some(f) = (!open.is_empty())
        .then(|| outbox::frame(&ServerMsg::Presence(open)))
        .flatten()
    {
        outbox.set_presence(f);
    }
    if shared.damage.get().is_some() {
        sub.send(&ServerMsg::Damaged(damage_notice(&shared.damage)));
    }
    shared
        .subscribers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(sub);
    std::thread::Builder::new()
        .name(format!("notices-{conn}"))
        .spawn(move || {
            while let Some(frame) = outbox.next() {
                let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
                if w.write_all(&frame).and_then(|()| w.flush()).is_err() {
                    // Nothing more is queued for a desk that is gone.
                    outbox.close();
                    break;
                }
            }
        })?;
    Ok(())
}

/// A test hook (`DESK_TEST_LOSE_REPLY`): the first change to records (one
/// that sends a notice; a saved draft does not) that carries a request key
/// is committed and then its reply is lost, as when the connection or the
/// server dies between the two. `drop`: the connection is
/// closed; `exit`: the server exits. Unset in service.
enum LoseReply {
    Never,
    Drop(AtomicBool),
    Exit,
}

impl LoseReply {
    fn from_env() -> LoseReply {
        match std::env::var("DESK_TEST_LOSE_REPLY").as_deref() {
            Ok("drop") => LoseReply::Drop(AtomicBool::new(false)),
            Ok("exit") => LoseReply::Exit,
            _ => LoseReply::Never,
        }
    }

    /// Whether the reply is lost now (the connection is then shut).
    fn fires(&self, stream: &UnixStream) -> bool {
        match self {
            LoseReply::Never => false,
            LoseReply::Drop(done) => {
                let first = !done.swap(true, Ordering::Relaxed);
                if first {
                    log("测试：变更已保存，丢掉应答并断开");
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                first
            }
            LoseReply::Exit => {
                log("测试：变更已保存，应答前退出");
                std::process::exit(3)
            }
        }
    }
}

/// Starts `desk serve` in the background unless a server already answers on
/// `socket`; returns once one answers. Two officers starting at once get one
/// server: the lock file lets only one of the twins run. True when this
/// call started it.
pub fn ensure_running(db: &Path, socket: &Path) -> anyhow::Result<bool> {
    // A runtime directory someone else made, or a server run by someone
    // else, is refused exactly as a client refuses it.
    paths::check_runtime_dir(socket, false).map_err(anyhow::Error::msg)?;
    if let Ok(stream) = UnixStream::connect(socket) {
        crate::desk::trust::check_server(&stream, socket)
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        return Ok(false);
    }
    // Only `desk init` and `desk demo` create a database.
    if !db.exists() {
        anyhow::bail!(paths::missing_database(db, socket, socket.exists()));
    }
    let exe = std::env::current_exe().context("找不到 desk 程序本身")?;
    socket_dir(socket)?;
    let log_path = socket.with_file_name("desk-serve.log");
    let log_file = private_fs::open_log(&log_path).map_err(|e| {
        anyhow::anyhow!(
            "无法打开日志 {}：{}",
            log_path.display(),
            private_fs::describe(&e)
        )
    })?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("serve")
        .arg("--db")
        .arg(db)
        .arg("--socket")
        .arg(socket)
        .stdin(std::process::Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    // SAFETY: pre_exec is unsafe because its closure runs in the forked
    // child before exec, where only async-signal-safe calls are allowed;
    // setsid is one, and it only detaches the child from our session. No
    // safe std or crate API starts a child in a new session.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            nix::unistd::setsid()?;
            Ok(())
        });
    }
    let log_start = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let mut child = cmd.spawn().context("无法启动 desk serve")?;
    // A server checks its database before it answers, which takes a while
    // on a large one; a server that refused its database exits at once.
    for _ in 0..1200 {
        if UnixStream::connect(socket).is_ok() {
            return Ok(true);
        }
        if let Ok(Some(status)) = child.try_wait() {
            if UnixStream::connect(socket).is_ok() {
                return Ok(false);
            }
            // The twin that lost the lock exits at once and the winner will
            // answer; when nobody holds the lock, the child itself failed.
            if !status.success() && take_lock(socket).is_ok() {
                anyhow::bail!("服务端没有启动：{}", log_since(&log_path, log_start).trim());
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    anyhow::bail!("服务端 30 秒内没有启动，请查看 {}", log_path.display())
}

/// What the detached server wrote to its log after `from` (its refusal).
fn log_since(path: &Path, from: u64) -> String {
    let all = std::fs::read(path).unwrap_or_default();
    let tail = all.get(from as usize..).unwrap_or_default();
    String::from_utf8_lossy(tail).into_owned()
}
