//! The real `desk` on a pseudo-terminal, with everything it wrote and when.
//! pty-process opens the pty and makes it the child's controlling terminal
//! (new session, TIOCSCTTY), so crossterm's /dev/tty is this pty and not the
//! terminal the bench runs in.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

/// Everything the desk wrote, chunk by chunk, with when it arrived.
pub type Output = Arc<Mutex<Vec<(Instant, Vec<u8>)>>>;

pub struct Pty {
    pub child: Child,
    master: Arc<pty_process::blocking::Pty>,
    pub output: Output,
}

impl Pty {
    /// Starts `desk --db db --socket socket` on a `cols`×`rows` terminal.
    pub fn spawn(
        desk: &Path,
        db: &Path,
        socket: &Path,
        cols: u16,
        rows: u16,
    ) -> anyhow::Result<Pty> {
        let (master, pts) = pty_process::blocking::open().context("无法创建伪终端")?;
        master
            .resize(pty_process::Size::new(rows, cols))
            .context("无法设置伪终端大小")?;
        let child = pty_process::blocking::Command::new(desk)
            .arg("--db")
            .arg(db)
            .arg("--socket")
            .arg(socket)
            .env("TERM", "xterm-256color")
            .spawn(pts)
            .context("无法启动值班台")?;
        let master = Arc::new(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let (sink, reader) = (Arc::clone(&output), Arc::clone(&master));
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            // Ends with an error (EIO) once the desk has gone.
            while let Ok(n) = (&*reader).read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((Instant::now(), buf[..n].to_vec()));
            }
        });
        Ok(Pty {
            child,
            master,
            output,
        })
    }

    pub fn bytes_since(&self, t: Instant) -> usize {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(at, _)| *at >= t)
            .map(|(_, b)| b.len())
            .sum()
    }

    /// When the output first contained `needle`.
    pub fn wait_for(&self, needle: &[u8], limit: Duration) -> Option<Instant> {
        let start = Instant::now();
        while start.elapsed() < limit {
            {
                let out = self.output.lock().unwrap_or_else(|p| p.into_inner());
                let mut all = Vec::new();
                for (at, chunk) in out.iter() {
                    all.extend_from_slice(chunk);
                    if all.windows(needle.len()).any(|w| w == needle) {
                        return Some(*at);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }

    pub fn send(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        (&*self.master).write_all(bytes)?;
        Ok(())
    }

    /// The desk's resident memory, from /proc.
    pub fn rss_mb(&self) -> f64 {
        rss_mb(self.child.id())
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's resident memory in MB, from /proc (NaN when unreadable).
pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
