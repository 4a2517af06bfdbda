//! Who is on the other end of a Unix socket, as the kernel vouches: the
//! server learns its callers this way, and a client its server.

use std::io;
use std::os::unix::net::UnixStream;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};

/// The peer's uid and pid from SO_PEERCRED.
pub struct Peer {
    pub uid: u32,
    pub pid: i32,
}

pub fn of(stream: &UnixStream) -> io::Result<Peer> {
    let c = getsockopt(stream, PeerCredentials)?;
    Ok(Peer {
        uid: c.uid(),
        pid: c.pid(),
    })
}
