//! Many officers at once: a real `desk serve` process, real socket, real file.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::time::Duration;

use common::server::{account, can_make_accounts, Server, GROUP};
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::desk::remote::Remote;
use duty_desk::desk::{Desk, DeskError, DeskExt};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, RiskLevel, Source};

fn new_dispute(summary: &str) -> NewDispute {
    NewDispute {
        village: "赵庄村".into(),
        category: "邻里".into(),
        source: Some(Source::GridReport),
        summary: summary.into(),
        parties: vec![Party {
            name: "孙宝山".into(),
            role: PartyRole::Applicant,
            phone: None,
            person_id: None,
        }],
        ..Default::default()
    }
}

fn register(r: &mut Remote, summary: &str) -> Result<String, DeskError> {
    r.create(Request::Register {
        new: new_dispute(summary),
    })
}

#[test]
fn two_clients_see_each_others_changes() {
    let s = Server::start();
    let mut a = Remote::connect(&s.socket(), true).unwrap();
    let mut b = Remote::connect(&s.socket(), true).unwrap();
    let id = register(&mut b, "乙登记的纠纷").unwrap();
    let n = a
        .next_notice(Some(Duration::from_secs(5)))
        .unwrap()
        .expect("a notice");
    assert_eq!(n.action, "登记");
    assert_eq!(n.touched[0].id, id);
    a.call(
        ops::Triage {
            risk: RiskLevel::High,
            flags: vec![],
            tier: None,
        }
        .on(id.clone(), None),
    )
    .unwrap();
    // b sees its own registration first, then a's triage.
    let mut seen = Vec::new();
    while let Some(n) = b.next_notice(Some(Duration::from_secs(5))).unwrap() {
        seen.push(n.action.clone());
        if n.action == "研判" {
            break;
        }
    }
    assert_eq!(seen, vec!["登记", "研判"]);
    assert_eq!(b.dispute(&id).unwrap().risk, Some(RiskLevel::High));
}

#[test]
fn eight_clients_two_hundred_commands_each_lose_and_duplicate_nothing() {
    let s = Server::start();
    let socket = s.socket();
    let threads: Vec<_> = (0..8)
        .map(|c| {
            let socket = socket.clone();
            std::thread::spawn(move || {
                let mut r = Remote::connect(&socket, false).unwrap();
                (0..200)
                    .map(|i| register(&mut r, &format!("客户端{c}第{i}件")).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 1600);
    assert_eq!(unique.len(), 1600, "duplicate 编号 handed out");
    let mut r = Remote::connect(&socket, false).unwrap();
    let (_, items) = r.summaries().unwrap();
    assert_eq!(items.len(), 1600);
    let summaries: BTreeSet<String> = items.iter().map(|s| s.summary.clone()).collect();
    assert_eq!(summaries.len(), 1600, "every command stored exactly once");
    assert!(summaries.contains("客户端7第199件"));
    match r.call(Request::Check).unwrap() {
        Response::Check(c) => assert!(c.faults.is_empty(), "{:?}", c.faults),
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_frames_close_only_that_connection() {
    let s = Server::start();
    let socket = s.socket();
    let closed = |mut c: UnixStream| {
        c.set_read_timeout(Some(Duration::from_secs(12))).unwrap();
        let mut buf = [0u8; 64];
        // The server answers a bad frame by closing: read sees end of stream.
        loop {
            match c.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                // Closed with our bytes still unread: the kernel resets the connection.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    };
    // A frame that claims to be 4 GiB.
    let mut c = UnixStream::connect(&socket).unwrap();
    c.write_all(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3]).unwrap();
    assert!(closed(c));
    // Random bytes of a plausible length.
    let mut c = UnixStream::connect(&socket).unwrap();
    c.write_all(&[0, 0, 0, 6, 0xde, 0xad, 0xbe, 0xef, 0x99, 0x42])
        .unwrap();
    assert!(closed(c));
    // A request before the hello.
    let mut c = UnixStream::connect(&socket).unwrap();
    duty_desk::desk::wire::write_frame(
        &mut c,
        &duty_desk::desk::wire::ClientMsg::Call {
            id: 1,
            req: Box::new(Request::Summaries),
            key: None,
        },
    )
    .unwrap();
    assert!(closed(c));
    // Half a frame, then the client vanishes.
    let mut c = UnixStream::connect(&socket).unwrap();
    c.write_all(&[0, 0, 0, 100, 1, 2]).unwrap();
    drop(c);
    // A wrong protocol version gets a reason.
    let mut c = UnixStream::connect(&socket).unwrap();
    duty_desk::desk::wire::write_frame(
        &mut c,
        &duty_desk::desk::wire::ClientMsg::Hello {
            version: 999,
            notices: false,
        },
    )
    .unwrap();
    let bye: duty_desk::desk::wire::ServerMsg =
        duty_desk::desk::wire::read_frame(&mut c, 1 << 20).unwrap();
    assert!(
        matches!(bye, duty_desk::desk::wire::ServerMsg::Bye { reason } if reason.contains("协议版本 999"))
    );

    // Everyone else is still served.
    let mut r = Remote::connect(&socket, false).unwrap();
    let id = register(&mut r, "坏帧之后登记").unwrap();
    assert_eq!(r.dispute(&id).unwrap().summary, "坏帧之后登记");
    common::wait_until(10, "the first bad frame in the server's log", || {
        s.log().contains("超过上限")
    });
    let log = s.log();
    // The first is logged; the rest from the same account this minute are
    // summed when the minute is over (a flood of garbage cannot fill the log).
    assert!(log.contains("超过上限"), "{log}");
    assert_eq!(log.matches("断开此连接").count(), 1, "{log}");
}

#[test]
fn a_client_killed_mid_request_leaves_the_server_fine() {
    let s = Server::start();
    for _ in 0..3 {
        let mut child = s
            .bench(&["commit-loop"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..20 {
            lines.next().unwrap().unwrap();
        }
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
    }
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    match r.call(Request::Check).unwrap() {
        Response::Check(c) => {
            assert!(c.faults.is_empty(), "{:?}", c.faults);
            assert!(c.disputes >= 60);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn sigkill_of_the_server_loses_no_acknowledged_write() {
    let mut s = Server::start();
    let socket = s.socket();
    let (told, acks) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let mut r = Remote::connect(&socket, false).unwrap();
        let mut acked = Vec::new();
        for i in 0.. {
            match register(&mut r, &format!("断电测试第{i}件")) {
                Ok(id) => {
                    acked.push(id);
                    let _ = told.send(acked.len());
                }
                Err(e) => return (acked, e),
            }
        }
        unreachable!()
    });
    // Killed in the middle of the stream, once 25 writes were acknowledged
    // (however fast the disk is).
    while acks.recv_timeout(Duration::from_secs(30)).unwrap() < 25 {}
    s.kill9();
    let (acked, err) = writer.join().unwrap();
    assert!(acked.len() >= 25, "{} writes before the kill", acked.len());
    assert!(
        matches!(&err, DeskError::Connection(m) if m.starts_with("连接中断")),
        "{err:?}"
    );
    s.restart();
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let (_, items) = r.summaries().unwrap();
    let stored: BTreeSet<String> = items.into_iter().map(|s| s.id).collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged {id} lost");
    }
    match r.call(Request::Check).unwrap() {
        Response::Check(c) => assert!(c.faults.is_empty(), "{:?}", c.faults),
        other => panic!("{other:?}"),
    }
}

#[test]
fn watch_says_the_connection_dropped_and_reconnects() {
    let mut s = Server::start();
    let mut watch = s
        .desk(&["watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(watch.stdout.take().unwrap()).lines();
    let err = watch.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    assert!(rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .starts_with("正在接收变更"));
    s.kill9();
    let dropped = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(dropped.starts_with("连接中断"), "{dropped}");
    s.restart();
    let back = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(back.starts_with("已重新连接"), "{back}");
    let mut r = Remote::connect(&s.socket(), false).unwrap();
    let id = register(&mut r, "重连后登记").unwrap();
    let line = out.next().unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["action"], "登记");
    assert_eq!(v["ids"][0], id.as_str());
    assert_eq!(v["kind"], "dispute");
    let _ = watch.kill();
    let _ = watch.wait();
}

#[test]
fn twins_starting_at_once_get_one_server() {
    let s = Server::start();
    let mut s = s;
    s.kill9();
    // Four officers start the desk at the same moment, no server running.
    let starters: Vec<_> = (0..4)
        .map(|_| {
            s.desk(&["serve", "--detach"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in starters {
        assert!(c.wait().unwrap().success());
    }
    let socket = s.socket();
    let serving = || -> Vec<u32> {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
            .filter(|pid| {
                let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
                cmd.contains(" serve ") && cmd.contains(socket.to_str().unwrap())
            })
            .collect()
    };
    // A twin that lost the lock may still be on its way out for a moment.
    let start = std::time::Instant::now();
    let mut servers = serving();
    while servers.len() > 1 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
        servers = serving();
    }
    assert_eq!(servers.len(), 1, "servers: {servers:?}");
    let mut r = Remote::connect(&socket, false).unwrap();
    register(&mut r, "自动启动的服务端").unwrap();
    // SAFETY: kill(2) on the detached server we started.
    unsafe { libc::kill(servers[0] as i32, libc::SIGTERM) };
}

#[test]
fn identity_comes_from_the_socket_and_roles_hold_in_the_server() {
    if !can_make_accounts() {
        return;
    }
    let zb = account("desktest_zb");
    let tj = account("desktest_tj");
    let ck = account("desktest_ck");
    let stranger = account("desktest_no");
    let mut s = Server::start();
    for (a, name, role) in [
        (&zb, "宋雪梅", "值班员"),
        (&tj, "冯志强", "责任人"),
        (&ck, "董文斌", "只读"),
    ] {
        let ok = s
            .desk(&[
                "roster",
                "add",
                &a.login,
                "--name",
                name,
                "--unit",
                "综治中心",
                "--role",
                role,
            ])
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok);
    }
    let gid = zb.gid;
    assert_eq!(gid, tj.gid, "all in {GROUP}");
    s.share_with_group(gid);

    let run = |a: &common::server::Account, args: &[&str]| s.desk_as(a, args).output().unwrap();
    let out = run(&zb, &["whoami"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "desktest_zb  宋雪梅  综治中心  值班员"
    );

    let out = run(&stranger, &["whoami"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("您的账号 desktest_no 不在值班名册中")
            && err.contains("desk roster add desktest_no"),
        "{err}"
    );

    let add = [
        "add",
        "dispute",
        "--village",
        "东河村",
        "--category",
        "邻里",
        "--source",
        "来电",
        "--summary",
        "值班员登记",
        "--party",
        "王建国",
    ];
    let out = run(&zb, &add);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = run(&ck, &add);
    assert!(String::from_utf8_lossy(&out.stderr).contains("您当前是“只读”"));
    let out = run(&tj, &["triage", &id, "--risk", "高"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("需要值班员、领导或管理员角色"));
    // Nobody but the owner of the database or an administrator touches the roster.
    let out = run(
        &zb,
        &[
            "roster",
            "add",
            "desktest_no",
            "--name",
            "某人",
            "--unit",
            "综治中心",
            "--role",
            "管理员",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("需要管理员角色"));
    // The audit log names the real account behind each change.
    let log =
        String::from_utf8_lossy(&s.desk(&["log", "--json"]).output().unwrap().stdout).to_string();
    let events: serde_json::Value = serde_json::from_str(&log).unwrap();
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor"] == "desktest_zb"
            && e["action"] == "登记"
            && e["target"] == id.as_str()));
}

/// The next presence push, passing over change notices.
fn next_presence(r: &mut Remote) -> Vec<duty_desk::desk::api::Viewer> {
    use duty_desk::desk::remote::Pushed;
    loop {
        match r.next_pushed(Some(Duration::from_secs(10))).unwrap() {
            Some(Pushed::Presence(v)) => return v,
            Some(Pushed::Change(_) | Pushed::Damaged(_) | Pushed::View(_)) => continue,
            None => panic!("no presence pushed"),
        }
    }
}

/// The server's resident memory, in MB.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb / 1024.0
}

#[test]
fn a_presence_flood_is_refused_and_held_in_bounded_memory() {
    use duty_desk::desk::api::Looking;
    let s = Server::start();
    let pid = s.child.as_ref().unwrap().id();
    let mut flooder = Remote::connect(&s.socket(), false).unwrap();
    let a = register(&mut flooder, "甲纠纷").unwrap();
    let b = register(&mut flooder, "乙纠纷").unwrap();
    // Desks that take pushes and never read them.
    let sleepers: Vec<Remote> = (0..3)
        .map(|_| Remote::connect(&s.socket(), true).unwrap())
        .collect();
    let look = |id: &str| Request::Looking {
        at: Some(Looking {
            id: id.to_string(),
            editing: false,
        }),
    };
    let refused = |r: Result<Response, DeskError>| match r {
        Err(DeskError::Refused(why)) => why,
        other => panic!("refused expected, got {other:?}"),
    };
    // Not a record: a 1 MB id, a made-up one, a person that is not there.
    let huge = "M".repeat(1_000_000);
    for id in [huge.as_str(), "MD-2026-999999", "RY-000404", "随便"] {
        assert!(refused(flooder.call(look(id))).contains("没有这条记录"));
    }
    let base = rss_mb(pid);
    let (mut taken, mut slowed) = (0, 0);
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        for id in [&a, &b, &huge] {
            match flooder.call(look(id)) {
                Ok(_) => taken += 1,
                Err(DeskError::Refused(why)) if why.contains("切换太快") => slowed += 1,
                Err(DeskError::Refused(why)) => assert!(why.contains("没有这条记录"), "{why}"),
                Err(e) => panic!("{e:?}"),
            }
        }
    }
    let grown = rss_mb(pid) - base;
    // The burst, then five a second; a malformed id costs nothing.
    assert!((20..=60).contains(&taken), "{taken} looks taken");
    assert!(slowed > 100, "only {slowed} refused for pace");
    assert!(grown < 50.0, "the server grew by {grown:.1} MB");
    drop(sleepers);
    // Another officer is still served at once.
    let mut other = Remote::connect(&s.socket(), false).unwrap();
    assert_eq!(other.call(look(&a)).unwrap(), Response::Done);
}

#[test]
fn a_connection_flood_writes_one_log_line_a_minute_not_one_per_refusal() {
    let mut s = Server::start();
    s.restart_with(&["--max-per-user", "1"], &[]);
    let before = s.log().len();
    // The start-up probe's place is freed when its thread ends.
    let start = std::time::Instant::now();
    let _held = loop {
        match Remote::connect(&s.socket(), false) {
            Ok(r) => break r,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => panic!("{e:?}"),
        }
    };
    let mut refused = 0;
    for _ in 0..2000 {
        match Remote::connect(&s.socket(), false) {
            Err(DeskError::Refused(why)) if why.contains("达到上限 1") => refused += 1,
            other => panic!("{:?}", other.err()),
        }
    }
    assert_eq!(refused, 2000);
    let grown = &s.log()[before..];
    let lines: Vec<&str> = grown.lines().filter(|l| l.contains("拒绝连接")).collect();
    assert_eq!(lines.len(), 1, "{grown}");
    assert!(grown.len() < 1024, "{} bytes logged", grown.len());
}

#[test]
fn who_has_a_case_open_is_pushed_to_the_other_desks_and_goes_with_the_connection() {
    use duty_desk::desk::api::{Looking, Viewer};
    let s = Server::start();
    let mut watcher = Remote::connect(&s.socket(), true).unwrap();
    let mut editor = Remote::connect(&s.socket(), false).unwrap();
    let id = register(&mut editor, "有人正在办的纠纷").unwrap();
    let me = editor.officer.clone().unwrap();
    let revision = |r: &mut Remote| match r.call(Request::Summaries).unwrap() {
        Response::Summaries { revision, .. } | Response::SummaryBlob { revision, .. } => revision,
        other => panic!("{other:?}"),
    };
    let before = revision(&mut editor);
    let at = Looking {
        id: id.clone(),
        editing: true,
    };
    let reply = editor
        .call(Request::Looking {
            at: Some(at.clone()),
        })
        .unwrap();
    assert_eq!(reply, Response::Done);
    // The roster's name, not the login, goes out with the case.
    assert_eq!(
        next_presence(&mut watcher),
        vec![Viewer {
            login: me.login.clone(),
            name: me.name.clone(),
            at,
        }]
    );
    // Not a write: the database did not move.
    assert_eq!(revision(&mut editor), before);
    // Reading the detail instead: pushed again.
    editor
        .call(Request::Looking {
            at: Some(Looking {
                id: id.clone(),
                editing: false,
            }),
        })
        .unwrap();
    let now = next_presence(&mut watcher);
    assert_eq!(now.len(), 1);
    assert!(!now[0].at.editing);
    // A desk that starts now hears it at once.
    let mut late = Remote::connect(&s.socket(), true).unwrap();
    assert_eq!(next_presence(&mut late), now);
    // The editor's desk goes away: its presence goes with it.
    drop(editor);
    assert_eq!(next_presence(&mut late), vec![]);
    assert_eq!(next_presence(&mut watcher), vec![]);
}
