//! A real `desk serve` process on a temp database and socket, plus system
//! accounts for the identity tests.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::cli::{bench_bin, BIN};

pub struct Server {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
}

impl Server {
    /// A database with the current login as 管理员, then a server on it.
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        // Other accounts must be able to reach the socket.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut s = Server { dir, child: None };
        assert!(s.desk(&["init"]).output().unwrap().status.success());
        for v in ["东河村", "西岗村", "赵庄村"] {
            assert!(s
                .desk(&["lists", "add", "village", v])
                .output()
                .unwrap()
                .status
                .success());
        }
        s.restart();
        s
    }

    /// A copy of the binary other accounts can run (the build tree may sit
    /// in a private directory). One copy per build, shared by every test
    /// process: copied under a temporary name and renamed, because writing an
    /// executable while other threads fork makes exec fail with ETXTBSY (and
    /// a copy per process filled /tmp).
    pub fn bin(&self) -> PathBuf {
        self.runnable(Path::new(BIN))
    }

    /// A copy of `program` that every account may run, made once per build.
    pub fn runnable(&self, program: &Path) -> PathBuf {
        static COPIES: std::sync::Mutex<Vec<(PathBuf, PathBuf)>> =
            std::sync::Mutex::new(Vec::new());
        let mut copies = COPIES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, copy)) = copies.iter().find(|(p, _)| p == program) {
            return copy.clone();
        }
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(program).unwrap();
        let name = program.file_name().unwrap().to_string_lossy();
        let build = format!("{}-{}-{}", meta.ino(), meta.size(), meta.mtime_nsec());
        let root = std::env::temp_dir().join("desk-test-bin");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = root.join(format!("{name}-{build}"));
        if !path.exists() {
            prune_old_copies(&root);
            let part = root.join(format!(".{name}-{build}-{}", std::process::id()));
            std::fs::copy(program, &part).unwrap();
            std::fs::rename(&part, &path).unwrap();
        }
        copies.push((program.to_path_buf(), path.clone()));
        path
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("desk.redb")
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run/desk.sock")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// `desk` as the current user, against this server's socket and database.
    pub fn desk(&self, args: &[&str]) -> Command {
        let mut c = Command::new(self.bin());
        c.args(args)
            .env("DESK_DB", self.db())
            .env("DESK_SOCKET", self.socket())
            .env("HOME", self.dir.path())
            .env_remove("DESK_NOW");
        c
    }

    /// `desk-bench` as the current user, against this server's socket and
    /// database, as `desk` would reach them.
    pub fn bench(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bench_bin());
        c.args(args)
            .env("DESK_DB", self.db())
            .env("DESK_SOCKET", self.socket())
            .env("HOME", self.dir.path())
            .env_remove("DESK_NOW");
        c
    }

    /// `desk` as another account: no DESK_DB, so only the server is reachable.
    pub fn desk_as(&self, user: &Account, args: &[&str]) -> Command {
        use std::os::unix::process::CommandExt;
        let mut c = Command::new(self.bin());
        c.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("DESK_SOCKET", self.socket())
            .env("HOME", self.dir.path().join("nohome"))
            .uid(user.uid)
            .gid(user.gid);
        c
    }

    pub fn restart(&mut self) {
        self.restart_with(&[], &[]);
    }

    /// Restarts the server with extra `desk serve` options and environment.
    pub fn restart_with(&mut self, args: &[&str], env: &[(&str, &str)]) {
        self.kill9();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("serve.log"))
            .unwrap();
        let mut serve = vec!["serve"];
        serve.extend_from_slice(args);
        let child = self
            .desk(&serve)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        wait_for_socket(&self.socket());
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(c.id() as i32, libc::SIGKILL) };
            c.wait().unwrap();
        }
    }

    /// Lets accounts of `group` reach the socket: the socket directory is
    /// setgid to that group, so the socket the server creates belongs to it.
    pub fn share_with_group(&mut self, gid: u32) {
        self.kill9();
        let run = self.dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        std::os::unix::fs::chown(&run, Some(0), Some(gid)).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o2750)).unwrap();
        std::fs::create_dir_all(self.dir.path().join("nohome")).unwrap();
        self.restart();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn wait_for_socket(socket: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server did not come up on {}", socket.display());
}

#[derive(Debug, Clone)]
/// A system account made for one test, removed (with its home) when the
/// test is done with it. Each test uses logins of its own.
pub struct Account {
    pub login: String,
    pub uid: u32,
    pub gid: u32,
}

impl Drop for Account {
    fn drop(&mut self) {
        // Its processes first: userdel refuses an account still running.
        for pid in processes_of(self.uid) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = Command::new("userdel")
            .args(["-r", &self.login])
            .stderr(Stdio::null())
            .status();
    }
}

pub const GROUP: &str = "desktest";

/// The pids of the processes running as `uid`, read from /proc.
pub fn processes_of(uid: u32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status")).is_ok_and(|st| {
                st.lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u32>().ok())
                    == Some(uid)
            })
        })
        .collect()
}

/// Whether this run may create system accounts (root only): identity tests
/// need real accounts. Not root: the test fails, unless skipping is allowed
/// (`super::require`).
pub fn can_make_accounts() -> bool {
    super::require(super::is_root(), "需要 root 才能创建测试账号")
}

/// Creates (once) a group and a system account in it; returns its ids.
pub fn account(login: &str) -> Account {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let _ = Command::new("groupadd").arg("-f").arg(GROUP).status();
    if id_of(login).is_none() {
        let ok = Command::new("useradd")
            .args(["-m", "-N", "-g", GROUP, "-s", "/bin/bash", login])
            .status()
            .unwrap()
            .success();
        assert!(ok || id_of(login).is_some(), "useradd {login} failed");
        // Not locked (sshd refuses '!' accounts) but no password login either.
        Command::new("usermod")
            .args(["-p", "*", login])
            .status()
            .unwrap();
    }
    let (uid, gid) = id_of(login).unwrap();
    Account {
        login: login.to_string(),
        uid,
        gid,
    }
}

fn id_of(login: &str) -> Option<(u32, u32)> {
    let out = Command::new("id").arg("-u").arg(login).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let uid = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let out = Command::new("id").arg("-g").arg(login).output().ok()?;
    let gid = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some((uid, gid))
}

/// Copies of earlier builds, untouched for an hour, are no longer run by anyone.
fn prune_old_copies(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
