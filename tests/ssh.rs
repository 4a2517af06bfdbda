//! Two officers log in through a real sshd on 127.0.0.1; the SSH login is the
//! desk identity and one officer's change reaches the other's screen.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::server::{account, can_make_accounts, Server};
use common::tmux::Tmux;

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
    // Read on threads of their own: a line that never comes fails the
    // test after a time-out instead of hanging it.
    let lines = lines_of(watch.stdout.take().unwrap());
    let err = lines_of(watch.stderr.take().unwrap());
    let first = err
        .recv_timeout(READ_WAIT)
        .expect("desk watch said nothing");
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
    let line = lines
        .recv_timeout(READ_WAIT)
        .expect("no change came through desk watch");
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

/// The desk's full screen over `ssh -tt`, as an officer at the police
/// station runs it, for tmux to host.
/// How long a read of a line from a child may take before the test fails.
const READ_WAIT: Duration = Duration::from_secs(30);

/// The lines `from` writes, read on a thread of their own.
fn lines_of(from: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn tty_login(sshd: &Sshd, user: &str, desk: &str) -> String {
    format!(
        "ssh -tt -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
         -o BatchMode=yes -o LogLevel=ERROR -i {} -p {} {user}@127.0.0.1 {desk}",
        sshd.dir.join("client_key").display(),
        sshd.port
    )
}

#[test]
fn a_killed_ssh_session_mid_registration_keeps_the_form_for_the_next_login() {
    if !can_make_accounts() {
        return;
    }
    let zb = account("desktest_zb2");
    let mut s = Server::start();
    let out = s
        .desk(&[
            "roster",
            "add",
            &zb.login,
            "--name",
            "宋雪梅",
            "--unit",
            "派出所",
            "--role",
            "值班员",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    s.share_with_group(zb.gid);
    let desk = s.bin().display().to_string();
    let sshd = start_sshd(&s, &[&zb.login], ("nobody", "true"));
    let login = tty_login(&sshd, &zb.login, &desk);

    let t = Tmux::run((100, 30), &login);
    t.past_handover();
    t.wait_for("宋雪梅（值班员）");
    t.keys(&["n", "Enter"]);
    t.text("西岗");
    // Village, then past 来源 to the text; the type after it.
    t.keys(&["Enter", "Tab"]);
    t.text("工地拖欠三个月工资，工人聚集讨薪");
    t.keys(&["Tab", "Enter"]);
    t.text("劳资");
    t.keys(&["Enter", "Tab"]);
    t.text("韩大勇");
    t.wait_for("韩大勇");
    // The link drops: the SSH client dies without a word to the server.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(t.pid()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    drop(t);
    // The server side notices, and the desk there saves the draft and ends.
    common::wait_until(30, "the officer's SSH session ended", || {
        common::server::processes_of(zb.uid).is_empty()
    });

    let again = Tmux::run((100, 30), &login);
    let offer = again.wait_for("没有提交的「登记矛盾纠纷」");
    assert!(offer.contains("Enter 继续填写"), "{offer}");
    again.keys(&["Enter"]);
    let form = again.wait_for("韩大勇");
    assert!(
        form.contains("西岗村") && form.contains("工地拖欠三个月工资"),
        "{form}"
    );
    again.keys(&["C-s"]);
    let done = again.wait_for("已登记 MD-");
    let at = done.find("已登记 MD-").unwrap() + "已登记 ".len();
    let id = &done[at..at + "MD-2026-000000".len()];
    again.keys(&["q"]);
    let out = s.desk(&["show", id, "--json"]).output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["registered_by"], zb.login.as_str());
    assert_eq!(shown["category"], "劳资/欠薪");
}
