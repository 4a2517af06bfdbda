//! Running the real `desk` binary against a temp database.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_desk");

/// `desk-bench` (the `bench/` workspace member), built beside `desk`; its
/// `commit-loop` helper is what the crash tests kill. Cargo builds it for
/// `cargo test` at the workspace root, as the bench crate has tests of its own.
pub fn bench_bin() -> PathBuf {
    let bin = Path::new(BIN).with_file_name("desk-bench");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build` at the workspace root first",
        bin.display()
    );
    bin
}

pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("desk.redb")
    }

    pub fn cmd(&self) -> Command {
        self.with_env(Command::new(BIN))
    }

    /// `desk-bench` with the same database and environment as `cmd`.
    pub fn bench_cmd(&self) -> Command {
        self.with_env(Command::new(bench_bin()))
    }

    fn with_env(&self, mut c: Command) -> Command {
        c.env("DESK_DB", self.db())
            .env("HOME", self.dir.path())
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .env("DESK_SOCKET", self.dir.path().join("desk.sock"))
            .env_remove("DESK_NOW");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "desk {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "desk {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// A database with the default lists, three villages and a small roster.
    pub fn with_roster() -> Cli {
        let cli = Cli::new();
        cli.ok(&["init"]);
        for v in ["东河村", "西岗村", "赵庄村"] {
            cli.ok(&["lists", "add", "village", v]);
        }
        for (login, name, role) in [
            ("ld1", "郑国庆", "领导"),
            ("zb1", "宋雪梅", "值班员"),
            ("tj1", "冯志强", "责任人"),
        ] {
            cli.ok(&[
                "roster",
                "add",
                login,
                "--name",
                name,
                "--unit",
                "司法所",
                "--role",
                role,
            ]);
        }
        cli
    }
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// `desk add dispute` arguments for a 邻里 dispute with one party.
pub fn add_dispute_args<'a>(
    village: &'a str,
    source: &'a str,
    summary: &'a str,
    party: &'a str,
) -> Vec<&'a str> {
    vec![
        "add",
        "dispute",
        "--village",
        village,
        "--category",
        "邻里",
        "--source",
        source,
        "--summary",
        summary,
        "--party",
        party,
    ]
}

/// Stops the server answering on `socket` (found by the kernel's peer
/// credentials, not by a name pattern), waiting until it has gone.
pub fn stop_server(socket: &Path) {
    let Ok(stream) = std::os::unix::net::UnixStream::connect(socket) else {
        return;
    };
    let peer = duty_desk::desk::peer::of(&stream).unwrap();
    drop(stream);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(peer.pid),
        nix::sys::signal::Signal::SIGTERM,
    );
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(socket).is_ok()
        && start.elapsed() < Duration::from_secs(5)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command that should end by itself (a refused `serve` too); kills
/// it and fails the test if it is still running after a minute.
pub fn run_bounded(cmd: &mut Command) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as i32;
    let start = Instant::now();
    let watchdog = std::thread::spawn(move || {
        while start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
            // SAFETY: signal 0 only asks whether our child still exists.
            if unsafe { libc::kill(pid, 0) } != 0 {
                return false;
            }
        }
        // SAFETY: kill(2) on our own child that overstayed.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        true
    });
    let out = child.wait_with_output().unwrap();
    assert!(
        !watchdog.join().unwrap(),
        "the command did not end by itself"
    );
    out
}
