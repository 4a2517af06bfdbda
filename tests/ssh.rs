//! Two officers log in through a real sshd on 127.0.0.1; the SSH login is the
//! desk identity and one officer's change reaches the other's screen.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::server::{account, can_make_accounts, Server};
use common::sshd::{start_sshd, tty_login};
use common::tmux::Tmux;

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
