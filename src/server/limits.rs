//! How many connections the server holds, and for how long: a cap per uid
//! and in all (each connection is a thread, and two file descriptors), an
//! idle timeout for connections that do not take change notices, and the
//! file-descriptor limit raised as far as the system allows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::resource::{getrlimit, setrlimit, Resource};

/// The server's connection limits (`desk serve` options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections one uid may hold at once. An officer's desk uses three
    /// (calls, summaries, notices) and each CLI command one, briefly.
    pub per_uid: usize,
    /// Connections in all: bounds the threads (two per connection at most)
    /// and the file descriptors.
    pub total: usize,
    /// A connection that does not take change notices and sends nothing for
    /// this long is closed (a CLI command is done in seconds; a desk's
    /// calls reconnect by themselves).
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_uid: 16,
            total: 256,
            idle: Duration::from_secs(300),
        }
    }
}

/// Raises the soft file-descriptor limit to the hard one, and returns how
/// many connections fit in it: each holds two descriptors (the socket and
/// its clone for writing), and the database, log and listener need a few.
pub fn raise_fd_limit() -> usize {
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return usize::MAX;
    };
    let now = if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        hard
    } else {
        soft
    };
    usize::try_from(now.saturating_sub(64) / 2).unwrap_or(usize::MAX)
}

/// The open connections, by uid.
pub struct Admission {
    limits: Limits,
    open: Mutex<HashMap<u32, usize>>,
    /// A connection closed since the allocator was last trimmed.
    closed: AtomicBool,
}

/// One admitted connection; dropping it frees its place.
pub struct Ticket {
    admission: Arc<Admission>,
    uid: u32,
}

impl Admission {
    pub fn new(limits: Limits) -> Arc<Admission> {
        Arc::new(Admission {
            limits,
            open: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A place for one more connection of `uid`, or why there is none.
    pub fn admit(self: &Arc<Self>, uid: u32) -> Result<Ticket, String> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(&uid).copied().unwrap_or(0);
        if mine >= self.limits.per_uid {
            return Err(format!(
                "您的账号已有 {mine} 个连接，达到上限 {}；请关闭不用的值班台窗口后再试",
                self.limits.per_uid
            ));
        }
        if total >= self.limits.total {
            return Err(format!(
                "服务端连接已满（{total} 个），请稍后再试；如持续出现请联系管理员"
            ));
        }
        *open.entry(uid).or_insert(0) += 1;
        Ok(Ticket {
            admission: Arc::clone(self),
            uid,
        })
    }

    /// Whether a connection closed since the last call (then memory freed
    /// by it can be handed back).
    pub fn take_closed(&self) -> bool {
        self.closed.swap(false, Ordering::Relaxed)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.uid) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.uid);
            }
        }
        self.admission.closed.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uid_at_its_cap_is_refused_while_others_get_in() {
        let a = Admission::new(Limits {
            per_uid: 2,
            total: 3,
            idle: Duration::from_secs(1),
        });
        let t1 = a.admit(1000).unwrap();
        let _t2 = a.admit(1000).unwrap();
        assert!(a.admit(1000).err().unwrap().contains("达到上限 2"));
        let _t3 = a.admit(1001).unwrap();
        assert!(a.admit(1002).err().unwrap().contains("连接已满"));
        assert!(!a.take_closed());
        drop(t1);
        assert!(a.take_closed());
        assert!(a.admit(1000).is_ok());
    }
}
