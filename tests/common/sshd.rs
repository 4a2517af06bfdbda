//! A real sshd on 127.0.0.1 with its own host and client keys: officers
//! log in as their own accounts, as they do from the police station.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::server::Server;

pub struct Sshd {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// sshd with its own host key and config; `tj` may only ever run `desk watch`.
pub fn start_sshd(s: &Server, users: &[&str], forced: (&str, &str)) -> Sshd {
    let dir = s.dir.path().join("ssh");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    keygen(&dir.join("host_key"));
    keygen(&dir.join("client_key"));
    let auth = dir.join("authorized_keys");
    std::fs::copy(dir.join("client_key.pub"), &auth).unwrap();
    std::fs::set_permissions(&auth, std::fs::Permissions::from_mode(0o644)).unwrap();
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\nPidFile {dir}/sshd.pid\n\
         AuthorizedKeysFile {auth}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
         PubkeyAuthentication yes\nUsePAM no\nStrictModes no\nAllowUsers {users}\n\
         SetEnv DESK_SOCKET={socket}\nMatch User {forced_user}\n  ForceCommand {forced_cmd}\n",
        dir = dir.display(),
        auth = auth.display(),
        users = users.join(" "),
        socket = s.socket().display(),
        forced_user = forced.0,
        forced_cmd = forced.1,
    );
    let cfg = dir.join("sshd_config");
    std::fs::write(&cfg, config).unwrap();
    let child = Command::new("/usr/sbin/sshd")
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(&cfg)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
        .spawn()
        .expect("sshd (openssh-server) is installed by .ci/run");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "sshd did not start: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Sshd { child, port, dir }
}

impl Sshd {
    pub fn ssh(&self, user: &str, command: &str) -> Command {
        let mut c = Command::new("ssh");
        c.args([
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-i",
        ])
        .arg(self.dir.join("client_key"))
        .arg("-p")
        .arg(self.port.to_string())
        .arg(format!("{user}@127.0.0.1"));
        if !command.is_empty() {
            c.arg(command);
        }
        c
    }

    pub fn run(&self, user: &str, command: &str) -> Output {
        self.ssh(user, command)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

/// The desk's full screen over `ssh -tt`, as an officer at the police
/// station runs it, for tmux to host.
pub fn tty_login(sshd: &Sshd, user: &str, desk: &str) -> String {
    format!(
        "ssh -tt -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
         -o BatchMode=yes -o LogLevel=ERROR -i {} -p {} {user}@127.0.0.1 {desk}",
        sshd.dir.join("client_key").display(),
        sshd.port
    )
}
