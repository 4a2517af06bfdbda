//! What each role's connection receives, read off the wire: a real server, a
//! real account per role, and every reply and push decoded. 只读 and a
//! 责任人 out of scope must never receive a key person's id; the 责任人 in
//! scope and the 值班员 must (so the probe can tell the difference).

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use common::cli::bench_bin;
use common::server::{account, can_make_accounts, Account, Server};
use duty_desk::desk::api::{Looking, Request};
use duty_desk::desk::remote::Remote;
use duty_desk::desk::{Desk, DeskExt};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, PersonCategory, RiskLevel, Source};
use duty_desk::domain::person::NewPerson;

fn roster_add(s: &Server, a: &Account, name: &str, role: &str) {
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
            role,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn person(name: &str, officer: &str) -> Request {
    Request::AddPerson {
        new: NewPerson {
            name: name.into(),
            village: "东河村".into(),
            category: PersonCategory::Hardship,
            risk: RiskLevel::Low,
            officer: officer.into(),
            interval_days: None,
            reason: "困难帮扶".into(),
            review_date: chrono::NaiveDate::from_ymd_opt(2099, 1, 1),
            phone: None,
            id_number: None,
            grade: None,
            household: None,
        },
    }
}

fn linked_case(party: &str, person: &str) -> Request {
    Request::Register {
        new: NewDispute {
            village: "东河村".into(),
            category: "邻里".into(),
            source: Some(Source::GridReport),
            summary: "宅基地边界争执".into(),
            parties: vec![Party {
                name: party.into(),
                role: PartyRole::Applicant,
                phone: None,
                person_id: Some(person.into()),
            }],
            ..Default::default()
        },
    }
}

/// `desk-bench probe` as `user`, from a copy every account may run.
fn probe(s: &Server, user: &Account, case: &str) -> Child {
    let bin = s.runnable(&bench_bin());
    Command::new(bin)
        .args(["probe", "--socket"])
        .arg(s.socket())
        .args(["--case", case, "--listen", "2500"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", s.dir.path().join("nohome"))
        .uid(user.uid)
        .gid(user.gid)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Everything the probe printed; returns once it said "ready".
fn until_ready(child: &mut Child) -> BufReader<std::process::ChildStdout> {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("probe ended early: {err}");
        }
        if line.trim() == "ready" {
            return out;
        }
        // A role may be refused a read (its words are judged below); a
        // broken connection is a failure of the probe.
        assert!(!line.starts_with("reply Err(Connection"), "{line}");
    }
}

#[test]
fn each_role_receives_only_the_key_persons_it_may_see() {
    if !can_make_accounts() {
        return;
    }
    let s = Server::start();
    let ro = account("wireck");
    let zr_in = account("wirezr1");
    let zr_out = account("wirezr2");
    let zb = account("wirezb");
    let mut s = s;
    s.share_with_group(zb.gid);
    roster_add(&s, &ro, "只读甲", "只读");
    roster_add(&s, &zr_in, "责任甲", "责任人");
    roster_add(&s, &zr_out, "责任乙", "责任人");
    roster_add(&s, &zb, "值班甲", "值班员");

    let mut me = Remote::connect(&s.socket(), false).unwrap();
    let pid = me.create(person("甲某", &zr_in.login)).unwrap();
    let case = me.create(linked_case("甲某", &pid)).unwrap();

    let who = [&ro, &zr_out, &zr_in, &zb];
    let mut children: Vec<Child> = who.iter().map(|u| probe(&s, u, &case)).collect();
    let mut readers: Vec<_> = children.iter_mut().map(until_ready).collect();
    let mut seen: Vec<String> = Vec::new();
    // Replies so far: the lines before "ready" were read; gather all text.
    // Pushes: a look at the person, a new linked case, a new person.
    me.call(Request::Looking {
        at: Some(Looking {
            id: pid.clone(),
            editing: false,
        }),
    })
    .unwrap();
    me.create(linked_case("甲某", &pid)).unwrap();
    me.create(person("乙某", &zr_in.login)).unwrap();
    for (child, reader) in children.iter_mut().zip(readers.iter_mut()) {
        let mut rest = String::new();
        for line in reader.lines() {
            rest.push_str(&line.unwrap());
            rest.push('\n');
        }
        assert!(child.wait().unwrap().success());
        seen.push(rest);
    }
    // The pushes after "ready" are in `seen`; the replies are asked again
    // below so that both are judged.
    let replies: Vec<String> = who
        .iter()
        .map(|u| {
            let out = Command::new(s.runnable(&bench_bin()))
                .args(["probe", "--socket"])
                .arg(s.socket())
                .args(["--case", &case, "--listen", "0"])
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", s.dir.path().join("nohome"))
                .uid(u.uid)
                .gid(u.gid)
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect();

    // Replies cover lists, windows, 我的, counts, completion, the triage
    // preview, the 四定 suggestion, the log, the ledger export, the reports
    // and an error about the case.
    for (i, name) in ["只读", "责任人（不负责此人）"].iter().enumerate() {
        assert!(
            !replies[i].contains("当事人为重点人员") && !seen[i].contains("当事人为重点人员"),
            "{name} was told the case names a key person:\nreplies: {}",
            replies[i]
        );
        assert!(
            !replies[i].contains("RY-") && !seen[i].contains("RY-"),
            "{name} received a key person's id:\nreplies: {}\npushes: {}",
            replies[i],
            seen[i]
        );
        assert!(
            seen[i].contains("notice"),
            "{name} heard no change: {}",
            seen[i]
        );
    }
    // The 责任人 in charge of the person sees the link in replies and hears
    // of the look at the person; so does the 值班员.
    for (i, name) in [(2, "责任人（负责此人）"), (3, "值班员")] {
        assert!(replies[i].contains(&pid), "{name}: {}", replies[i]);
        assert!(
            seen[i].contains("presence") && seen[i].contains(&pid),
            "{name} was not told who has the person open: {}",
            seen[i]
        );
    }
    // `desk queue --json` as 只读 names no key person, not even as a reason.
    let out = s.desk_as(&ro, &["queue", "--json"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains(&case), "{out:?}");
    assert!(
        !text.contains("RY-") && !text.contains("重点人员"),
        "{text}"
    );
}
