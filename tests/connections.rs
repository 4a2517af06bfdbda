//! Hardening of the server's connections (issue #13, points 7 and 10): a
//! flood of one uid's connections does not lock others out, strangers and
//! idle connections are let go, and a change whose reply was lost is retried
//! into exactly one change. A real `desk serve` process on a real file.

mod common;

use std::os::unix::net::UnixStream;
use std::process::Output;
use std::time::Duration;

use common::cli::{add_dispute_args, Cli, BIN};
use common::server::{account, can_make_accounts, Account, Server};
use common::tmux::Tmux;
use duty_desk::desk::api::Request;
use duty_desk::desk::remote::Remote;
use duty_desk::desk::{DeskError, DeskExt};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Source};

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

fn roster_add(s: &Server, a: &Account, name: &str) {
    let out = s
        .desk(&[
            "roster",
            "add",
            &a.login,
            "--name",
            name,
            "--unit",
            "综治中心",
            "--role",
            "值班员",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
}

/// Every dispute id the database holds, read through the server.
fn dispute_ids(s: &Server) -> Vec<String> {
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let (_, items) = r.summaries().unwrap();
    items.into_iter().map(|d| d.id).collect()
}

fn register(village: &str, summary: &str) -> Request {
    Request::Register {
        new: NewDispute {
            village: village.into(),
            category: "邻里".into(),
            source: Some(Source::GridReport),
            summary: summary.into(),
            parties: vec![Party {
                name: "钱德福".into(),
                role: PartyRole::Applicant,
                phone: None,
                person_id: None,
            }],
            ..Default::default()
        },
    }
}

fn vm_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn four_hundred_idle_connections_of_one_uid_do_not_lock_out_another_officer() {
    if !can_make_accounts() {
        return;
    }
    let other = account("desktest_fl");
    let mut s = Server::start();
    roster_add(&s, &other, "韩晓燕");
    s.share_with_group(other.gid);
    let pid = s.child.as_ref().unwrap().id();
    let before = vm_rss_kb(pid);

    // This uid (the database's owner) opens 400 connections and keeps them:
    // half say hello and take notices (never idle), half never say anything.
    let mut held = Vec::new();
    let mut silent = Vec::new();
    let mut refused = Vec::new();
    for i in 0..400 {
        if i % 2 == 0 {
            match Remote::connect(&s.socket(), true) {
                Ok(r) => held.push(r),
                Err(e) => refused.push(e),
            }
        } else {
            silent.push(UnixStream::connect(s.socket()).unwrap());
        }
    }
    assert!(
        !held.is_empty() && held.len() <= 16,
        "admitted {}",
        held.len()
    );
    assert!(refused.len() >= 200 - 16);
    for e in &refused {
        assert!(
            matches!(e, DeskError::Refused(m) if m.contains("您的账号已有 16 个连接，达到上限 16")),
            "{e:?}"
        );
    }
    eprintln!(
        "RSS before {before} kB, with the flood held {} kB",
        vm_rss_kb(pid)
    );

    // Another officer connects and works meanwhile.
    let out = s.desk_as(&other, &["whoami"]).output().unwrap();
    assert_eq!(text(&out).0, "desktest_fl  韩晓燕  综治中心  值班员");
    let out = s
        .desk_as(
            &other,
            &add_dispute_args("东河村", "来电", "洪水般的连接之中登记", "钱德福"),
        )
        .output()
        .unwrap();
    let (id, err) = text(&out);
    assert!(out.status.success(), "{err}");
    let out = s
        .desk_as(&other, &["list", "disputes", "--json"])
        .output()
        .unwrap();
    assert!(text(&out).0.contains(&id), "{:?}", text(&out));
    assert!(s.log().contains("拒绝连接"), "{}", s.log());

    // Once the flood is gone, this uid gets in again.
    drop(held);
    drop(silent);
    let mut back = None;
    for _ in 0..100 {
        match Remote::connect(&s.socket(), false) {
            Ok(r) => {
                back = Some(r);
                break;
            }
            // The server sees the closes a moment later.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    assert!(back.expect("admitted again").whoami().is_ok());
}

#[test]
fn a_uid_not_on_the_roster_is_told_why_and_disconnected_after_hello() {
    if !can_make_accounts() {
        return;
    }
    let stranger = account("desktest_nr");
    let mut s = Server::start();
    s.share_with_group(stranger.gid);
    let out = s.desk_as(&stranger, &["whoami"]).output().unwrap();
    assert!(!out.status.success());
    let (_, err) = text(&out);
    assert!(err.contains("您的账号 desktest_nr 不在值班名册中"), "{err}");
    // The server let go at once and says so; nothing else went wrong.
    let log = s.log();
    assert!(
        log.contains("（desktest_nr）：不在值班名册中，已告知并断开"),
        "{log}"
    );
    // The owner of the database, not on the roster either in principle,
    // still gets in (it sets up the roster).
    let mut owner = Remote::connect(&s.socket(), false).unwrap();
    assert!(owner.whoami().is_ok());
}

#[test]
fn an_idle_connection_is_let_go_but_a_desk_taking_notices_stays() {
    let mut s = Server::start();
    s.restart_with(&["--idle-timeout", "1"], &[]);
    let mut listener = Remote::connect(&s.socket(), true).unwrap();
    let mut idle = Remote::connect(&s.socket(), false).unwrap();
    // The idle one is told why, after the timeout.
    let bye = idle.next_notice(Some(Duration::from_secs(20)));
    assert!(
        matches!(&bye, Err(DeskError::Connection(m)) if m.contains("连接空闲超过 1 秒，已断开")),
        "{bye:?}"
    );
    // Its next call reconnects by itself.
    assert!(idle.whoami().is_ok());
    // The one taking notices is still there and gets them.
    let id = idle.create(register("东河村", "空闲之后登记")).unwrap();
    let n = listener
        .next_notice(Some(Duration::from_secs(20)))
        .unwrap()
        .expect("a notice");
    assert_eq!(n.touched[0].id, id);
    assert!(s.log().contains("空闲超时，断开"), "{}", s.log());
}

#[test]
fn a_registration_whose_reply_was_lost_is_retried_into_one_case() {
    let mut s = Server::start();
    s.restart_with(&[], &[("DESK_TEST_LOSE_REPLY", "drop")]);
    let out = s
        .desk(&add_dispute_args(
            "西岗村",
            "来电",
            "应答丢失的登记",
            "钱德福",
        ))
        .output()
        .unwrap();
    let (id, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(id.starts_with("MD-"), "{id}");
    assert!(s.log().contains("测试：变更已保存，丢掉应答并断开"));
    assert_eq!(dispute_ids(&s), vec![id.clone()]);
    // The audit log has one registration, not two.
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let events: Vec<_> = r
        .ask::<Vec<duty_desk::desk::api::LogEntry>>(Request::Audit { since: None })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "登记")
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
}

#[test]
fn a_change_applied_through_the_api_is_answered_again_not_applied_again() {
    let mut s = Server::start();
    s.restart_with(&[], &[("DESK_TEST_LOSE_REPLY", "drop")]);
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let id = r.create(register("赵庄村", "经接口登记")).unwrap();
    assert!(s.log().contains("测试：变更已保存，丢掉应答并断开"));
    assert_eq!(dispute_ids(&s), vec![id]);
}

#[test]
fn when_the_server_dies_after_the_commit_the_client_says_it_may_be_saved() {
    let mut s = Server::start();
    let out = s
        .desk(&add_dispute_args("东河村", "来电", "先登记一件", "钱德福"))
        .output()
        .unwrap();
    let (first, _) = text(&out);
    s.restart_with(&[], &[("DESK_TEST_LOSE_REPLY", "exit")]);
    let out = s
        .desk(&["triage", &first, "--risk", "高"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(s.log().contains("测试：变更已保存，应答前退出"));
    let (_, err) = text(&out);
    assert!(
        err.contains("连接中断，无法确认结果：可能已保存，请核对 编号") && err.contains(&first),
        "{err}"
    );
    assert!(!err.contains("连不上"), "{err}");
    // It was saved: the server, back, shows the triage once.
    s.restart();
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let d = r.dispute(&first).unwrap();
    assert_eq!(d.risk, Some(duty_desk::domain::lists::RiskLevel::High));

    // A registration cannot name its 编号 yet: it says where to look.
    s.restart_with(&[], &[("DESK_TEST_LOSE_REPLY", "exit")]);
    let out = s
        .desk(&add_dispute_args(
            "东河村",
            "来电",
            "服务端随即退出",
            "钱德福",
        ))
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(
        err.contains("可能已保存，请在案件列表中核对最近登记的案件，不要直接重新登记"),
        "{err}"
    );
    s.restart();
    assert_eq!(dispute_ids(&s).len(), 2);
}

/// The pid of the `desk serve` the desk started on this database.
fn serve_pid(db: &std::path::Path) -> Option<i32> {
    let want = format!("serve\0--db\0{}\0", db.display());
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline)
            .contains(&want)
            .then_some(pid)
    })
}

#[test]
fn a_registration_in_the_desk_whose_reply_was_lost_is_saved_once_in_tmux() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "5", "--seed", "7"]);
    let before = cli.json(&["list", "disputes"]).as_array().unwrap().len();
    // The desk starts the server, which inherits the hook.
    let t = Tmux::run(
        (100, 30),
        &format!(
            "env DESK_TEST_LOSE_REPLY=drop DESK_DB={} DESK_SOCKET={} HOME={} {BIN}",
            cli.db().display(),
            cli.dir.path().join("desk.sock").display(),
            cli.dir.path().display()
        ),
    );
    t.past_handover();
    t.wait_for("我的 共");
    t.keys(&["n", "Enter"]);
    t.text("赵庄");
    // Village, then past 来源 to the text; the type after it.
    t.keys(&["Enter", "Tab"]);
    t.text("两户因宅前排水沟堵塞争吵，应答丢失");
    t.keys(&["Tab", "Enter"]);
    t.text("邻里");
    t.keys(&["Enter", "Tab"]);
    t.text("陈卫东");
    t.keys(&["C-s"]);
    let screen = t.wait_for("已登记 MD-");
    assert!(!screen.contains("连接中断"), "{screen}");
    t.keys(&["q"]);
    let log = std::fs::read_to_string(cli.dir.path().join("desk-serve.log")).unwrap();
    assert!(log.contains("测试：变更已保存，丢掉应答并断开"), "{log}");
    let after = cli.json(&["list", "disputes"]);
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), before + 1);
    let mine = after
        .iter()
        .filter(|d| d.to_string().contains("应答丢失"))
        .count();
    assert_eq!(mine, 1);
    if let Some(pid) = serve_pid(&cli.db()) {
        // SAFETY: kill(2) on the server this test's desk started.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
}

/// A logout empties the runtime directory, socket and all; a background
/// server left behind would hold the database so that the next desk could
/// not start its own. It notices, says so and lets go.
#[test]
fn a_server_whose_socket_is_removed_exits_and_lets_go_of_the_database() {
    let mut s = Server::start();
    let out = s
        .desk(&add_dispute_args(
            "东河村",
            "来电",
            "套接字被删前登记的",
            "钱德福",
        ))
        .output()
        .unwrap();
    let (id, err) = text(&out);
    assert!(out.status.success(), "{err}");
    std::fs::remove_file(s.socket()).unwrap();
    let mut child = s.child.take().unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the server still runs without its socket"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success(), "exit non-zero, for Restart=on-failure");
    assert!(
        s.log()
            .contains("已被删除，没有人能再连上本服务端，退出并放开数据库"),
        "{}",
        s.log()
    );
    // The database is free again, and what was saved is there.
    s.restart();
    assert_eq!(dispute_ids(&s), vec![id]);
}
