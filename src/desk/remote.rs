//! `Remote`: the Desk API over the server's Unix socket. Replies are matched
//! to calls by id; change notices that arrive meanwhile are queued. A call
//! whose connection drops is sent again once after reconnecting, a change
//! with the same request key (see `Resend`), so a saved change is never
//! reported lost and never applied twice.

use std::collections::VecDeque;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::api::{Desk, DeskError, Notice, Request, Resend, Response, Viewer};
use super::wire::{
    read_frame, read_frame_bytes, summary_blob_reply, write_frame, ClientMsg, FrameError,
    ServerMsg, MAX_SERVER_FRAME, PROTOCOL_VERSION,
};
use crate::domain::officer::Officer;
use crate::store::RequestKey;

/// What the server pushes on a connection that takes notices.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    Change(Notice),
    Presence(Vec<Viewer>),
    /// The server's check found the database damaged: writes are stopped.
    Damaged(String),
    /// What changed in one of the windows this desk watches.
    View(crate::desk::views::WindowDelta),
}

pub struct Remote {
    socket: PathBuf,
    stream: UnixStream,
    want_notices: bool,
    next_id: u64,
    /// Pushes that arrived while a call waited for its reply.
    notices: VecDeque<Pushed>,
    /// Who the server sees us as (or why we may not use the desk).
    pub officer: Result<Officer, DeskError>,
    /// The database the server owns.
    pub db: String,
    /// The store revision at connect time.
    pub revision: u64,
    /// The server process, as the kernel names it (checked at connect).
    pub server: super::peer::Peer,
    /// How long a call waits for its reply (None: as long as it takes).
    reply_timeout: Option<Duration>,
}

/// How long a command-line call waits for its reply: the largest export or
/// import of a county's ledger answers well within it (`DESK_REPLY_TIMEOUT`
/// in seconds sets another).
pub const CLI_REPLY_TIMEOUT: Duration = Duration::from_secs(120);

/// The reply time-out of command-line calls, `DESK_REPLY_TIMEOUT` or the default.
pub fn cli_reply_timeout() -> Duration {
    std::env::var("DESK_REPLY_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&n| n > 0)
        .map_or(CLI_REPLY_TIMEOUT, Duration::from_secs)
}

fn lost(e: impl std::fmt::Display) -> DeskError {
    DeskError::Connection(format!("连接中断：{e}"))
}

/// When a call got no reply because the server fell silent past the
/// time-out: saying so ("服务端 N 秒内没有应答").
fn silent(e: &FrameError, timeout: Option<Duration>) -> Option<String> {
    match (e, timeout) {
        (FrameError::Io(io), Some(t))
            if matches!(
                io.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Some(format!("服务端 {} 秒内没有应答", t.as_secs()))
        }
        _ => None,
    }
}

impl Remote {
    /// Connects and says hello. `notices`: also receive every change notice.
    /// No server answering is `DeskError::Connection`; a server that is not
    /// the expected service account (see `trust`) is `DeskError::Refused`,
    /// and is told nothing.
    pub fn connect(socket: &Path, notices: bool) -> Result<Remote, DeskError> {
        super::paths::check_runtime_dir(socket, false).map_err(DeskError::Refused)?;
        let mut stream = UnixStream::connect(socket).map_err(|e| {
            DeskError::Connection(format!(
                "连不上服务端 {}：{}",
                socket.display(),
                crate::private_fs::describe(&e)
            ))
        })?;
        let server = super::trust::check_server(&stream, socket)?;
        let hello = write_frame(
            &mut stream,
            &ClientMsg::Hello {
                version: PROTOCOL_VERSION,
                notices,
            },
        );
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(lost)?;
        // A server that refuses says why and closes at once, maybe before
        // the hello arrives: its reason is still there to read.
        let welcome = read_frame::<ServerMsg>(&mut stream, MAX_SERVER_FRAME);
        let welcome = match (hello, welcome) {
            (_, Ok(msg @ ServerMsg::Bye { .. })) | (Ok(()), Ok(msg)) => msg,
            (Err(e), _) => return Err(lost(e)),
            (Ok(()), Err(e)) => return Err(lost(e)),
        };
        stream.set_read_timeout(None).map_err(lost)?;
        match welcome {
            ServerMsg::Welcome { version, db, officer, revision } if version == PROTOCOL_VERSION => Ok(Remote {
                socket: socket.to_path_buf(),
                stream,
                want_notices: notices,
                next_id: 1,
                notices: VecDeque::new(),
                officer,
                db,
                revision,
                server,
                reply_timeout: None,
            }),
            ServerMsg::Welcome { version, .. } => Err(DeskError::Connection(format!(
                "服务端协议版本 {version} 与本程序（{PROTOCOL_VERSION}）不同，请把 desk 升级到同一版本"
            ))),
            ServerMsg::Bye { reason } => Err(DeskError::Refused(reason)),
            _ => Err(DeskError::Connection("服务端应答不合协议".into())),
        }
    }

    /// Connects again to the same socket, keeping queued notices.
    /// The connection itself, once greeted: for a client that reads
    /// replies and pushes on one thread and writes calls on another.
    pub fn into_stream(self) -> UnixStream {
        self.stream
    }

    pub fn reconnect(&mut self) -> Result<(), DeskError> {
        let fresh = Remote::connect(&self.socket, self.want_notices)?;
        let queued = std::mem::take(&mut self.notices);
        *self = Remote {
            notices: queued,
            reply_timeout: self.reply_timeout,
            ..fresh
        };
        Ok(())
    }

    /// Calls wait at most `t` for their reply (the command line's calls).
    pub fn with_reply_timeout(mut self, t: Duration) -> Remote {
        self.reply_timeout = Some(t);
        self
    }

    /// The next change notice, waiting up to `timeout` (forever when `None`);
    /// presence pushes are passed over (None).
    pub fn next_notice(&mut self, timeout: Option<Duration>) -> Result<Option<Notice>, DeskError> {
        Ok(match self.next_pushed(timeout)? {
            Some(Pushed::Change(n)) => Some(n),
            Some(Pushed::Presence(_) | Pushed::Damaged(_) | Pushed::View(_)) | None => None,
        })
    }

    /// The next thing the server pushes: a change notice or who is on which case.
    pub fn next_pushed(&mut self, timeout: Option<Duration>) -> Result<Option<Pushed>, DeskError> {
        if let Some(p) = self.notices.pop_front() {
            return Ok(Some(p));
        }
        self.stream.set_read_timeout(timeout).map_err(lost)?;
        let frame = read_frame::<ServerMsg>(&mut self.stream, MAX_SERVER_FRAME);
        self.stream.set_read_timeout(None).map_err(lost)?;
        match frame {
            Ok(ServerMsg::Notice(n)) => Ok(Some(Pushed::Change(n))),
            Ok(ServerMsg::Presence(v)) => Ok(Some(Pushed::Presence(v))),
            Ok(ServerMsg::Damaged(why)) => Ok(Some(Pushed::Damaged(why))),
            Ok(ServerMsg::View(d)) => Ok(Some(Pushed::View(d))),
            Ok(ServerMsg::Bye { reason }) => Err(lost(reason)),
            Ok(_) => Ok(None),
            Err(FrameError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(lost(e)),
        }
    }
}

impl Remote {
    /// Every summary, decoded straight from the reply frame (the start-up
    /// load of the full-screen desk: 100 000 summaries are 25 MB).
    pub fn load_summaries(&mut self) -> Result<Response, DeskError> {
        let id = self.next_id;
        self.next_id += 1;
        write_frame(
            &mut self.stream,
            &ClientMsg::Call {
                id,
                req: Box::new(Request::Summaries),
                key: None,
            },
        )
        .map_err(lost)?;
        loop {
            let body = read_frame_bytes(&mut self.stream, MAX_SERVER_FRAME).map_err(lost)?;
            if let Some((got, revision, count, blob)) = summary_blob_reply(&body) {
                if got != id {
                    continue;
                }
                crate::timing::since_start("load: frame read");
                let items = crate::store::decode_summary_blob(&body[blob], count)?;
                return Ok(Response::Summaries { revision, items });
            }
            let msg: ServerMsg = postcard::from_bytes(&body)
                .map_err(|e| lost(FrameError::Malformed(e.to_string())))?;
            match msg {
                ServerMsg::Reply { id: got, result } if got == id => {
                    return result.and_then(super::api::decode_blob)
                }
                ServerMsg::Reply { .. } => continue,
                ServerMsg::Notice(n) => self.notices.push_back(Pushed::Change(n)),
                ServerMsg::View(d) => self.notices.push_back(Pushed::View(d)),
                // Who is looking at what matters to the desk's own stream only.
                ServerMsg::Presence(_) | ServerMsg::Damaged(_) => {}
                ServerMsg::Bye { reason } => return Err(lost(reason)),
                ServerMsg::Welcome { .. } => return Err(lost("服务端应答不合协议")),
            }
        }
    }
}

impl Desk for Remote {
    fn call(&mut self, req: Request) -> Result<Response, DeskError> {
        let resend = req.resend();
        let key = match resend {
            Resend::WithKey => Some(new_key()),
            Resend::Freely | Resend::Never => None,
        };
        let lost_first = match self.exchange(&req, key) {
            Ok(answer) => return answer,
            Err(e) => e,
        };
        let timeout = self.reply_timeout;
        let after_loss = |e: FrameError| match (resend, silent(&e, timeout)) {
            (Resend::Freely, Some(why)) => DeskError::Connection(format!("{why}，请稍后再试")),
            (Resend::Freely, None) => lost(e),
            (Resend::WithKey | Resend::Never, why) => {
                maybe_saved(&req, why.as_deref().unwrap_or("连接中断"))
            }
        };
        if resend == Resend::Never || self.reconnect_soon().is_err() {
            return Err(after_loss(lost_first));
        }
        // Once, with the same key: a change the server kept comes back with
        // its first reply instead of being applied again.
        self.exchange(&req, key)
            .unwrap_or_else(|e| Err(after_loss(e)))
    }
}

impl Remote {
    /// One request and its reply. The outer error: the connection failed
    /// before the reply came (the request may or may not have been applied).
    fn exchange(
        &mut self,
        req: &Request,
        key: Option<RequestKey>,
    ) -> Result<Result<Response, DeskError>, FrameError> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = ClientMsg::Call {
            id,
            req: Box::new(req.clone()),
            key,
        };
        write_frame(&mut self.stream, &msg)?;
        self.stream.set_read_timeout(self.reply_timeout)?;
        loop {
            match read_frame::<ServerMsg>(&mut self.stream, MAX_SERVER_FRAME)? {
                ServerMsg::Reply { id: got, result } if got == id => return Ok(result),
                ServerMsg::Reply { .. } => continue,
                ServerMsg::Notice(n) => self.notices.push_back(Pushed::Change(n)),
                ServerMsg::View(d) => self.notices.push_back(Pushed::View(d)),
                // Who is looking at what matters to the desk's own stream
                // only; so does damage (a refused write says it too).
                ServerMsg::Presence(_) | ServerMsg::Damaged(_) => {}
                // Said before closing (idle too long, server stopping).
                ServerMsg::Bye { reason } => return Err(FrameError::Malformed(reason)),
                ServerMsg::Welcome { .. } => {
                    return Err(FrameError::Malformed("服务端应答不合协议".into()))
                }
            }
        }
    }

    /// Reconnects, giving a restarting server a few seconds to come back
    /// (a silent one costs one greeting's time-out, not one per try).
    fn reconnect_soon(&mut self) -> Result<(), DeskError> {
        let until = std::time::Instant::now() + RECONNECT_FOR;
        loop {
            let last = self.reconnect();
            if last.is_ok() || std::time::Instant::now() >= until {
                return last;
            }
            std::thread::sleep(RECONNECT_PAUSE);
        }
    }
}

/// How long a lost call waits for the server to come back, trying every 250 ms.
const RECONNECT_FOR: Duration = Duration::from_secs(3);
const RECONNECT_PAUSE: Duration = Duration::from_millis(250);

/// A random 128-bit request key. Random rather than uid + time + counter:
/// an officer's CLI commands and desks are separate processes that would
/// have to share a counter, and a clock can step back; 128 random bits
/// need no coordination and do not repeat in practice.
pub(crate) fn new_key() -> RequestKey {
    use std::io::Read;
    let mut key = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if random.is_err() {
        // No /dev/urandom (a broken chroot): time, process and a counter
        // still tell this process's requests apart from any other's.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        key[..8].copy_from_slice(&(t ^ u64::from(std::process::id()) << 40).to_le_bytes());
        key[8..].copy_from_slice(&n.to_le_bytes());
    }
    key
}

/// A change whose reply never came, even after reconnecting: it may have
/// been saved. The officer is told why (`why`: the server fell silent, the
/// connection broke) and what to check before doing it again.
pub(crate) fn maybe_saved(req: &Request, why: &str) -> DeskError {
    let check = if let Request::Change { id, .. } = req {
        format!("请核对 编号 {id} 的最新情况")
    } else if let Request::Register { .. } = req {
        "请在案件列表中核对最近登记的案件，不要直接重新登记".to_string()
    } else if let Request::AddPerson { .. } = req {
        "请在重点人员名单中核对，不要直接重新列管".to_string()
    } else if let Request::ImportLedger { .. } = req {
        "请在台账中核对是否已导入，再决定是否重新导入".to_string()
    } else {
        "请核对后再决定是否重做".to_string()
    };
    DeskError::Connection(format!("{why}，无法确认结果：可能已保存，{check}"))
}
