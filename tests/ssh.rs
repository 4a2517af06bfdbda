//! Two officers log in through a real sshd on 127.0.0.1; the SSH login is the
//! desk identity and one officer's change reaches the other's screen.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::server::{account, can_make_accounts, Server};

struct Sshd {
    child: Child,
    port: u16,
    dir: PathBuf,
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
fn start_sshd(s: &Server, users: &[&str], forced: (&str, &str)) -> Sshd {
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
    fn ssh(&self, user: &str, command: &str) -> Command {
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

    fn run(&self, user: &str, command: &str) -> Output {
        self.ssh(user, command)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

#[test]
fn two_officers_over_ssh_get_their_own_identity_and_each_others_changes() {
    if !can_make_accounts() {
        return;
    }
    let zb = account("desktest_zb");
    let tj = account("desktest_tj");
    let stranger = account("desktest_no");
    let mut s = Server::start();
    for (a, name, role) in [(&zb, "宋雪梅", "值班员"), (&tj, "冯志强", "责任人")] {
        let out = s
            .desk(&[
                "roster",
                "add",
                &a.login,
                "--name",
                name,
                "--unit",
                "派出所",
                "--role",
                role,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    s.share_with_group(zb.gid);
    let desk = s.bin().display().to_string();
    let forced = format!("{desk} watch --json");
    let sshd = start_sshd(
        &s,
        &[&zb.login, &tj.login, &stranger.login],
        (&tj.login, &forced),
    );

    let out = sshd.run(&zb.login, &format!("{desk} whoami"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "desktest_zb  宋雪梅  派出所  值班员"
    );

    let out = sshd.run(&stranger.login, &format!("{desk} whoami"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不在值班名册中"));

    // tj's account is forced into the live change stream.
    let mut watch = sshd
        .ssh(&tj.login, "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut err = BufReader::new(watch.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(first.starts_with("正在接收变更"), "{first}");

    let out = sshd.run(
        &zb.login,
        &format!("{desk} add dispute --village 西岗村 --category 劳资/欠薪 --source 网格员上报 --summary '工地拖欠工资，工人情绪激动' --party 韩大勇 --party 某建筑公司"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let line = lines.next().unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["actor"], "desktest_zb");
    assert_eq!(v["action"], "登记");
    assert_eq!(v["ids"][0], id.as_str());

    // The record names the SSH account that registered it.
    let out = sshd.run(&zb.login, &format!("{desk} show {id} --json"));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["registered_by"], "desktest_zb");

    // A killed SSH session leaves the server serving everyone else.
    let _ = watch.kill();
    let _ = watch.wait();
    let out = sshd.run(&zb.login, &format!("{desk} whoami"));
    assert!(out.status.success());
    let check = s.desk(&["check"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
