//! The socket protocol between `desk serve` and its clients: frames of a
//! 4-byte big-endian length and a postcard payload. The first frame each way
//! is a hello carrying the protocol version; a size limit guards every frame.

use std::io::{self, Read, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::api::{DeskError, Notice, Request, Response};
use crate::domain::officer::Officer;

/// Bumped whenever a message shape changes; client and server must agree.
pub const PROTOCOL_VERSION: u32 = 3;

/// Requests are small; a larger frame from a client is hostile or broken.
pub const MAX_CLIENT_FRAME: usize = 1 << 20;
/// Replies can carry every summary of a large database.
pub const MAX_SERVER_FRAME: usize = 512 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello { version: u32, notices: bool },
    Call { id: u64, req: Request },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerMsg {
    Welcome {
        version: u32,
        /// The database this server owns, so a client can tell it is the right one.
        db: String,
        /// Who the server sees calling, or why that login may not use the desk.
        officer: Result<Officer, DeskError>,
        revision: u64,
    },
    Reply {
        id: u64,
        result: Result<Response, DeskError>,
    },
    Notice(Notice),
    /// The server refuses the connection (version mismatch, bad frame).
    Bye {
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("连接已关闭")]
    Closed,
    #[error("帧长 {0} 字节，超过上限 {1} 字节")]
    TooBig(usize, usize),
    #[error("帧内容无法解读：{0}")]
    Malformed(String),
    #[error("读写失败：{0}")]
    Io(#[from] io::Error),
}

pub fn write_frame<T: Serialize>(w: &mut impl Write, msg: &T) -> io::Result<()> {
    let mut buf = vec![0u8; 4];
    postcard::to_io(msg, &mut buf).map_err(|e| io::Error::other(e.to_string()))?;
    let len = (buf.len() - 4) as u32;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    w.write_all(&buf)?;
    w.flush()
}

pub fn read_frame<T: DeserializeOwned>(r: &mut impl Read, limit: usize) -> Result<T, FrameError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > limit {
        return Err(FrameError::TooBig(len, limit));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => FrameError::Malformed("帧被截断".into()),
        _ => FrameError::Io(e),
    })?;
    postcard::from_bytes(&body).map_err(|e| FrameError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_limits_hold() {
        let msg = ClientMsg::Call {
            id: 7,
            req: Request::Dispute {
                id: "MD-2026-000001".into(),
            },
        };
        let mut buf = Vec::new();
        write_frame(&mut buf, &msg).unwrap();
        let back: ClientMsg = read_frame(&mut buf.as_slice(), MAX_CLIENT_FRAME).unwrap();
        assert_eq!(back, msg);
        assert!(matches!(
            read_frame::<ClientMsg>(&mut buf.as_slice(), 3),
            Err(FrameError::TooBig(_, 3))
        ));
        assert!(matches!(
            read_frame::<ClientMsg>(&mut &buf[..buf.len() - 1], 1024),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            read_frame::<ClientMsg>(&mut &b""[..], 1024),
            Err(FrameError::Closed)
        ));
        let garbage = [0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff];
        assert!(matches!(
            read_frame::<ClientMsg>(&mut &garbage[..], 1024),
            Err(FrameError::Malformed(_))
        ));
    }
}
