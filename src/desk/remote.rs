//! `Remote`: the Desk API over the server's Unix socket. Replies are matched
//! to calls by id; change notices that arrive meanwhile are queued.

use std::collections::VecDeque;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::api::{Desk, DeskError, Notice, Request, Response};
use super::wire::{
    read_frame, read_frame_bytes, summary_blob_reply, write_frame, ClientMsg, FrameError,
    ServerMsg, MAX_SERVER_FRAME, PROTOCOL_VERSION,
};
use crate::domain::officer::Officer;

pub struct Remote {
    socket: PathBuf,
    stream: UnixStream,
    want_notices: bool,
    next_id: u64,
    notices: VecDeque<Notice>,
    /// Who the server sees us as (or why we may not use the desk).
    pub officer: Result<Officer, DeskError>,
    /// The database the server owns.
    pub db: String,
    /// The store revision at connect time.
    pub revision: u64,
    /// The server process, as the kernel names it (checked at connect).
    pub server: super::peer::Peer,
}

fn lost(e: impl std::fmt::Display) -> DeskError {
    DeskError::Connection(format!("连接中断：{e}"))
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
        write_frame(
            &mut stream,
            &ClientMsg::Hello {
                version: PROTOCOL_VERSION,
                notices,
            },
        )
        .map_err(lost)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(lost)?;
        let welcome = read_frame::<ServerMsg>(&mut stream, MAX_SERVER_FRAME).map_err(lost)?;
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
            }),
            ServerMsg::Welcome { version, .. } => Err(DeskError::Connection(format!(
                "服务端协议版本 {version} 与本程序（{PROTOCOL_VERSION}）不同，请把 desk 升级到同一版本"
            ))),
            ServerMsg::Bye { reason } => Err(DeskError::Connection(format!("服务端拒绝连接：{reason}"))),
            _ => Err(DeskError::Connection("服务端应答不合协议".into())),
        }
    }

    /// Connects again to the same socket, keeping queued notices.
    pub fn reconnect(&mut self) -> Result<(), DeskError> {
        let fresh = Remote::connect(&self.socket, self.want_notices)?;
        let queued = std::mem::take(&mut self.notices);
        *self = Remote {
            notices: queued,
            ..fresh
        };
        Ok(())
    }

    /// The next change notice, waiting up to `timeout` (forever when `None`).
    pub fn next_notice(&mut self, timeout: Option<Duration>) -> Result<Option<Notice>, DeskError> {
        if let Some(n) = self.notices.pop_front() {
            return Ok(Some(n));
        }
        self.stream.set_read_timeout(timeout).map_err(lost)?;
        let frame = read_frame::<ServerMsg>(&mut self.stream, MAX_SERVER_FRAME);
        self.stream.set_read_timeout(None).map_err(lost)?;
        match frame {
            Ok(ServerMsg::Notice(n)) => Ok(Some(n)),
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
                req: Request::Summaries,
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
                ServerMsg::Notice(n) => self.notices.push_back(n),
                ServerMsg::Bye { reason } => return Err(lost(reason)),
                ServerMsg::Welcome { .. } => return Err(lost("服务端应答不合协议")),
            }
        }
    }
}

impl Desk for Remote {
    fn call(&mut self, req: Request) -> Result<Response, DeskError> {
        let id = self.next_id;
        self.next_id += 1;
        write_frame(&mut self.stream, &ClientMsg::Call { id, req }).map_err(lost)?;
        loop {
            match read_frame::<ServerMsg>(&mut self.stream, MAX_SERVER_FRAME).map_err(lost)? {
                ServerMsg::Reply { id: got, result } if got == id => return result,
                ServerMsg::Reply { .. } => continue,
                ServerMsg::Notice(n) => self.notices.push_back(n),
                ServerMsg::Bye { reason } => return Err(lost(reason)),
                ServerMsg::Welcome { .. } => return Err(lost("服务端应答不合协议")),
            }
        }
    }
}
