//! `desk serve`: owns the one database, serves the Desk API on a Unix socket,
//! learns each caller from the socket's peer credentials, and pushes a change
//! notice to every connected client after each commit.

mod peer;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{SigSet, Signal};

use crate::desk::api::{DeskError, Notice, Request, Response};
use crate::desk::wire::{
    read_frame, write_frame, write_summary_blob_reply, ClientMsg, FrameError, ServerMsg,
    MAX_CLIENT_FRAME, PROTOCOL_VERSION,
};
use crate::desk::{clock, identity, Caller, Local};

/// Notices a slow client may fall behind by before it is dropped from the stream.
const NOTICE_BACKLOG: usize = 4096;

pub struct ServeOptions {
    pub db: PathBuf,
    pub socket: PathBuf,
}

struct Shared {
    local: Local,
    db: String,
    subscribers: Mutex<Vec<(u64, SyncSender<Notice>)>>,
}

impl Shared {
    fn broadcast(&self, notice: &Notice) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|(conn, tx)| match tx.try_send(notice.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                log(&format!("连接 #{conn} 接收变更过慢，停止向其推送"));
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    fn unsubscribe(&self, conn: u64) {
        self.subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(c, _)| *c != conn);
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
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("无法创建锁文件 {}", path.display()))?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock)
        .map_err(|_| anyhow::anyhow!("已有服务端在运行（锁文件 {} 被占用）", path.display()))
}

/// The socket's directory, created when missing (group may enter, others not).
fn socket_dir(socket: &Path) -> anyhow::Result<()> {
    if let Some(dir) = socket
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(dir)
            .with_context(|| format!("无法创建目录 {}", dir.display()))?;
    }
    Ok(())
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

/// Runs the server in the foreground until SIGINT, SIGTERM or SIGHUP.
pub fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    socket_dir(&opts.socket)?;
    let _lock = take_lock(&opts.socket)?;
    let local =
        Local::open(&opts.db).with_context(|| format!("无法打开数据库 {}", opts.db.display()))?;
    // Every client start-up asks for all summaries: keep them in memory.
    local.store().keep_summaries().context("无法读取案件摘要")?;
    let listener = bind(&opts.socket)?;
    stop_on_signals(opts.socket.clone())?;
    let db = crate::desk::paths::absolute(&opts.db)
        .to_string_lossy()
        .into_owned();
    log(&format!(
        "服务端已启动：数据库 {db}，套接字 {}",
        opts.socket.display()
    ));
    let shared = Arc::new(Shared {
        local,
        db,
        subscribers: Mutex::new(Vec::new()),
    });
    start_sweeper(Arc::clone(&shared))?;
    let next_conn = AtomicU64::new(1);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let conn = next_conn.fetch_add(1, Ordering::Relaxed);
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("conn-{conn}"))
                    .spawn(move || connection(&shared, stream, conn))
                    .context("无法创建连接线程")?;
            }
            Err(e) => log(&format!("接受连接失败：{e}")),
        }
    }
    Ok(())
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
fn stop_on_signals(socket: PathBuf) -> anyhow::Result<()> {
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
            let _ = std::fs::remove_file(&socket);
            std::process::exit(0);
        })?;
    Ok(())
}

fn connection(shared: &Shared, stream: UnixStream, conn: u64) {
    let caller = match peer::uid(&stream) {
        Ok(uid) => Caller {
            login: identity::login_of_uid(uid).unwrap_or_else(|| format!("uid{uid}")),
            uid,
        },
        Err(e) => {
            log(&format!("连接 #{conn}：读不到对方身份（{e}），断开"));
            return;
        }
    };
    let who = format!("连接 #{conn}（{}）", caller.login);
    match session(shared, stream, conn, &caller) {
        Ok(()) => {}
        Err(FrameError::Closed) => {}
        Err(e) => log(&format!("{who}：{e}，断开此连接")),
    }
    shared.unsubscribe(conn);
}

fn session(
    shared: &Shared,
    stream: UnixStream,
    conn: u64,
    caller: &Caller,
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
    reader.set_read_timeout(None)?;
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
    let revision = shared.local.store().revision().unwrap_or(0);
    send(&ServerMsg::Welcome {
        version: PROTOCOL_VERSION,
        db: shared.db.clone(),
        officer,
        revision,
    })?;

    if notices {
        let (tx, rx) = sync_channel::<Notice>(NOTICE_BACKLOG);
        shared
            .subscribers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((conn, tx));
        let writer = Arc::clone(&writer);
        std::thread::Builder::new()
            .name(format!("notices-{conn}"))
            .spawn(move || {
                for n in rx {
                    let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
                    if write_frame(&mut *w, &ServerMsg::Notice(n)).is_err() {
                        break;
                    }
                }
            })?;
    }

    loop {
        match read_frame::<ClientMsg>(&mut reader, MAX_CLIENT_FRAME)? {
            ClientMsg::Call { id, req } => {
                if matches!(req, Request::Summaries) {
                    // Every client start: the kept summaries go out as they are.
                    if let Ok(Some((revision, count, blob))) = shared.local.kept_summaries(caller) {
                        let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
                        write_summary_blob_reply(&mut *w, id, revision, count, &blob)?;
                        continue;
                    }
                }
                let result = shared.local.handle(caller, req);
                let (result, notice) = match result {
                    Ok(reply) => (Ok(reply.response), reply.notice),
                    Err(e) => (Err(e), None),
                };
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

/// Starts `desk serve` in the background unless a server already answers on
/// `socket`; returns once one answers. Two officers starting at once get one
/// server: the lock file lets only one of the twins run.
pub fn ensure_running(db: &Path, socket: &Path) -> anyhow::Result<()> {
    if UnixStream::connect(socket).is_ok() {
        return Ok(());
    }
    let exe = std::env::current_exe().context("找不到 desk 程序本身")?;
    socket_dir(socket)?;
    let log_path = socket.with_file_name("desk-serve.log");
    let log_file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)?;
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
    let mut child = cmd.spawn().context("无法启动 desk serve")?;
    for _ in 0..200 {
        if UnixStream::connect(socket).is_ok() {
            return Ok(());
        }
        // The twin that lost the lock exits at once; the winner will answer.
        if let Ok(Some(_)) = child.try_wait() {
            if UnixStream::connect(socket).is_ok() {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    anyhow::bail!("服务端 5 秒内没有启动，请查看 {}", log_path.display())
}
