//! The real binary in a real terminal: a tmux server per test.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

use super::cli::{Cli, BIN};

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// The desk on `cli`'s database, with `extra` arguments.
    pub fn start(cli: &Cli, size: (u16, u16), extra: &str) -> Tmux {
        let cmd = format!(
            "env DESK_DB={} DESK_SOCKET={} HOME={} {BIN} {extra}",
            cli.db().display(),
            cli.dir.path().join("desk.sock").display(),
            cli.dir.path().display()
        );
        Tmux::run(size, &cmd)
    }

    /// Any command in a fresh tmux server of its own.
    pub fn run(size: (u16, u16), cmd: &str) -> Tmux {
        let t = Tmux {
            socket: format!(
                "desk-test-{}-{}-{}",
                std::process::id(),
                size.0,
                NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            ),
        };
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "new-session",
                "-d",
                "-s",
                "desk",
                "-x",
                &size.0.to_string(),
                "-y",
                &size.1.to_string(),
                cmd,
            ])
            .status()
            .expect("tmux is installed by .ci/run")
            .success();
        assert!(ok);
        t
    }

    /// The process the terminal runs (the desk, or the ssh client).
    pub fn pid(&self) -> i32 {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "display-message",
                "-p",
                "-t",
                "desk",
                "#{pane_pid}",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "desk", k])
                .status()
                .unwrap();
            // Separate keys, as a person types: Esc followed at once by a key reads as Alt+key.
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types text as it is (Chinese included), not as key names.
    pub fn text(&self, text: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "desk", "-l", text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Kills the terminal under the desk, as a dropped SSH session does
    /// (the desk gets SIGHUP), and waits until the desk has ended (it saves
    /// the form it had open first).
    pub fn hang_up(&self) {
        let pid = self.pid();
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
        super::wait_until(15, "the desk ended after its terminal went", || {
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
        });
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "desk"])
            .stderr(std::process::Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "screen never showed “{text}”:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new shift opens on the handover report: read, then put away.
    pub fn past_handover(&self) {
        self.wait_for("交接班（↑↓ 翻看，y 复制，Esc 关闭）");
        self.keys(&["Escape"]);
    }

    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "desk"])
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}
