//! The socket protocol between `desk serve` and its clients: frames of a
//! 4-byte big-endian length and a postcard payload. The first frame each way
//! is a hello carrying the protocol version; a size limit guards every frame.

use std::io::{self, Read, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::api::{DeskError, Notice, Request, Response, Viewer};
use crate::domain::officer::Officer;
use crate::store::RequestKey;

/// Bumped whenever a message shape changes; client and server must agree.
/// 4: a change notice names record kinds by enum (`RecordKind`), not by text.
/// Also 4: case and person changes travel as `Request::Change`; ledger rows
/// say which columns their file has.
/// 5: audit events carry the records they wrote (`written`); a backup is
/// asked for by file name and answered with the file written (`BackedUp`);
/// a change carries the client's request key (`Call::key`); a refused
/// connection gets `Bye` instead of `Welcome`.
/// 7: audit events carry the request key and reply they kept (`request`).
/// 8: the server says when its background check found damage (`Damaged`);
/// views are asked for by window and watched (`Request::View`, `View`).
/// 10: a report's case line carries its deadline pressure apart from the
/// danger score (`CaseLine::lateness`, `late_reasons`).
pub const PROTOCOL_VERSION: u32 = 11;

/// Requests are small; a larger frame from a client is hostile or broken.
pub const MAX_CLIENT_FRAME: usize = 1 << 20;
/// Replies can carry every summary of a large database.
pub const MAX_SERVER_FRAME: usize = 512 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello {
        version: u32,
        notices: bool,
    },
    /// `key`: made by the client for a change (`Resend::WithKey`), the same
    /// when the change is sent again after a lost reply.
    /// `req` is boxed: requests vary widely in size.
    Call {
        id: u64,
        req: Box<Request>,
        key: Option<RequestKey>,
    },
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
    /// Who has which case open now (pushed whenever it changes), as far as
    /// the receiving officer may know (`need_to_know::Links::presence`).
    Presence(Vec<Viewer>),
    /// The background check found the database damaged: writes are
    /// stopped; said in Chinese, for every desk's status line.
    Damaged(String),
    /// What changed in a window this desk watches (`Request::View`).
    View(crate::desk::views::WindowDelta),
    /// The server refuses or ends the connection (version mismatch, not on
    /// the roster, too many connections, idle too long), saying why.
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
    w.write_all(&encode_frame(msg)?)?;
    w.flush()
}

/// A frame as it goes on the wire: its length, then the message.
pub fn encode_frame<T: Serialize>(msg: &T) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; 4];
    postcard::to_io(msg, &mut buf).map_err(|e| io::Error::other(e.to_string()))?;
    let len = (buf.len() - 4) as u32;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    Ok(buf)
}

pub fn read_frame<T: DeserializeOwned>(r: &mut impl Read, limit: usize) -> Result<T, FrameError> {
    let body = read_frame_bytes(r, limit)?;
    postcard::from_bytes(&body).map_err(|e| FrameError::Malformed(e.to_string()))
}

/// A frame's payload, not yet decoded.
pub fn read_frame_bytes(r: &mut impl Read, limit: usize) -> Result<Vec<u8>, FrameError> {
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
    // Read into spare capacity: a 25 MB reply is not zeroed first.
    let mut body = Vec::with_capacity(len);
    r.take(len as u64).read_to_end(&mut body)?;
    if body.len() < len {
        return Err(FrameError::Malformed("帧被截断".into()));
    }
    Ok(body)
}

/// Writes `Reply { id, Ok(SummaryBlob { revision, count, blob }) }` as
/// `write_frame` would, without first copying the blob into the message.
pub fn write_summary_blob_reply(
    w: &mut impl Write,
    id: u64,
    revision: u64,
    count: u64,
    blob: &[u8],
) -> io::Result<()> {
    let head = ServerMsg::Reply {
        id,
        result: Ok(Response::SummaryBlob {
            revision,
            count,
            blob: Vec::new(),
        }),
    };
    let mut head = postcard::to_allocvec(&head).map_err(|e| io::Error::other(e.to_string()))?;
    // The empty blob's length is the last byte; put the real one there.
    head.pop();
    let mut n = blob.len();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            head.push(b);
            break;
        }
        head.push(b | 0x80);
    }
    let len = u32::try_from(head.len() + blob.len())
        .map_err(|_| io::Error::other("reply larger than a frame"))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(&head)?;
    w.write_all(blob)?;
    w.flush()
}

/// Reads a varint as postcard writes integers and enum variants.
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// When a reply frame is `Reply { id, Ok(SummaryBlob { .. }) }`: the id,
/// the revision, the count and where the blob lies in the frame, so the
/// summaries decode straight from the frame without copying 25 MB first.
pub fn summary_blob_reply(body: &[u8]) -> Option<(u64, u64, u64, std::ops::Range<usize>)> {
    use std::sync::OnceLock;
    // The variant numbers, from postcard itself.
    static TAGS: OnceLock<Option<(u64, u64)>> = OnceLock::new();
    let tags = *TAGS.get_or_init(|| {
        let probe = ServerMsg::Reply {
            id: 0,
            result: Ok(Response::SummaryBlob {
                revision: 0,
                count: 0,
                blob: Vec::new(),
            }),
        };
        let bytes = postcard::to_allocvec(&probe).ok()?;
        let mut at = 0;
        let reply = varint(&bytes, &mut at)?;
        let (_id, ok) = (varint(&bytes, &mut at)?, varint(&bytes, &mut at)?);
        let blob = varint(&bytes, &mut at)?;
        (ok == 0).then_some((reply, blob))
    });
    let (reply, blob) = tags?;
    let mut at = 0;
    if varint(body, &mut at)? != reply {
        return None;
    }
    let id = varint(body, &mut at)?;
    if varint(body, &mut at)? != 0 || varint(body, &mut at)? != blob {
        return None;
    }
    let revision = varint(body, &mut at)?;
    let count = varint(body, &mut at)?;
    let len = usize::try_from(varint(body, &mut at)?).ok()?;
    (at.checked_add(len)? == body.len()).then(|| (id, revision, count, at..at + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_blob_replies_are_read_in_place() {
        let msg = ServerMsg::Reply {
            id: 300,
            result: Ok(Response::SummaryBlob {
                revision: 1 << 40,
                count: 2,
                blob: vec![1, 2, 3, 200],
            }),
        };
        let body = postcard::to_allocvec(&msg).unwrap();
        let (id, revision, count, range) = summary_blob_reply(&body).unwrap();
        assert_eq!((id, revision, count), (300, 1 << 40, 2));
        assert_eq!(&body[range], &[1, 2, 3, 200]);
        let other = postcard::to_allocvec(&ServerMsg::Reply {
            id: 1,
            result: Ok(Response::Created("x".into())),
        })
        .unwrap();
        assert!(summary_blob_reply(&other).is_none());
        // Written in place, the frame is the one write_frame makes.
        let blob: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let msg = ServerMsg::Reply {
            id: 9,
            result: Ok(Response::SummaryBlob {
                revision: 3,
                count: 1,
                blob: blob.clone(),
            }),
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_frame(&mut a, &msg).unwrap();
        write_summary_blob_reply(&mut b, 9, 3, 1, &blob).unwrap();
        assert_eq!(a, b);
        assert!(summary_blob_reply(&body[..body.len() - 1]).is_none());
    }

    #[test]
    fn frames_round_trip_and_limits_hold() {
        let msg = ClientMsg::Call {
            id: 7,
            req: Box::new(Request::Dispute {
                id: "MD-2026-000001".into(),
            }),
            key: Some([7; 16]),
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
