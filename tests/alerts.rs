//! 预警 through the Desk API: a threat typed in the text is read and flagged,
//! raises an alert that stays until someone on the desk acknowledges it, and
//! who acknowledged it goes into the case history and the audit log.

mod common;

use common::fixture;
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::desk::DeskError;
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Source, WarningFlag};

fn register_text(f: &common::Fixture, summary: &str) -> String {
    let new = NewDispute {
        village: "东河村".into(),
        category: "邻里".into(),
        source: Some(Source::Call),
        summary: summary.into(),
        parties: vec![Party::new("甲某", PartyRole::Applicant, None).unwrap()],
        ..Default::default()
    };
    match f.call("zb1", Request::Register { new }).unwrap() {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    }
}

fn dispute(f: &common::Fixture, id: &str) -> duty_desk::domain::dispute::Dispute {
    match f
        .call("admin1", Request::Dispute { id: id.into() })
        .unwrap()
    {
        Response::Dispute(d) => *d,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_threat_in_the_text_is_flagged_and_alerts_until_acknowledged() {
    let f = fixture();
    let id = register_text(&f, "来电称对方拖欠货款不还，扬言要喝农药和对方同归于尽");
    let d = dispute(&f, &id);
    assert!(
        d.flags.contains(&WarningFlag::ThreatExtreme),
        "{:?}",
        d.flags
    );
    let alert = d.open_alert().expect("an open alert");
    assert!(alert.flags.contains(&WarningFlag::ThreatExtreme));
    let why = d
        .history
        .iter()
        .find(|h| h.what.starts_with("预警："))
        .map(|h| h.what.clone())
        .unwrap_or_default();
    assert!(
        why.contains("由文字识别") && why.contains("扬言极端"),
        "{why}"
    );

    // A 责任人 may not acknowledge it; the desk may.
    let e = f.call("tj1", ops::AckAlert.on(&id, None)).unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)), "{e:?}");
    f.call("ld2", ops::AckAlert.on(&id, None)).unwrap();
    let d = dispute(&f, &id);
    assert!(d.open_alert().is_none());
    assert_eq!(d.alerts[0].acked_by.as_deref(), Some("ld2"));
    assert!(d.history.last().unwrap().what.starts_with("签收预警"));
    let Response::Audit(events) = f.call("admin1", Request::Audit { since: None }).unwrap() else {
        panic!()
    };
    assert!(events
        .iter()
        .any(|e| e.actor == "ld2" && e.action == "签收预警" && e.target == id));
    // Nothing left to acknowledge.
    let e = f.call("zb1", ops::AckAlert.on(&id, None)).unwrap_err();
    assert!(e.to_string().contains("没有待签收的预警"), "{e}");
}

#[test]
fn calm_text_raises_nothing_and_a_later_note_can() {
    let f = fixture();
    let id = register_text(&f, "双方因排水沟堵塞争吵，经调解无过激言行，情绪稳定");
    let d = dispute(&f, &id);
    assert!(d.open_alert().is_none(), "{:?}", d.flags);
    f.call(
        "zb1",
        ops::Note {
            kind: duty_desk::domain::lists::ContactKind::Phone,
            text: "回访时甲某称再不解决就拿刀去砍对方".into(),
        }
        .on(&id, None),
    )
    .unwrap();
    let d = dispute(&f, &id);
    assert!(d.open_alert().is_some(), "{:?}", d.flags);
    assert!(d.flags.iter().any(|f| f.is_alarm()));
}

#[test]
fn the_daily_report_and_the_handover_list_alerts_still_waiting() {
    use duty_desk::domain::reports::{Kind, Spec};
    let f = fixture();
    let id = register_text(&f, "村民甲某扬言要放火烧了对方的房子");
    let report = |kind| match f
        .call(
            "zb1",
            Request::Report {
                spec: Spec {
                    kind,
                    date: None,
                    from: None,
                    since: None,
                    to: None,
                    officer: None,
                },
            },
        )
        .unwrap()
    {
        Response::Report(r) => r.text,
        other => panic!("{other:?}"),
    };
    for kind in [Kind::Daily, Kind::Handover] {
        let text = report(kind);
        assert!(text.contains("未签收预警1件"), "{text}");
        assert!(text.contains(&id), "{text}");
    }
    f.call("zb1", ops::AckAlert.on(&id, None)).unwrap();
    assert!(!report(Kind::Daily).contains("未签收预警"));
}

/// Issue 24, tried as a new user: on a demo database with its backlog, a
/// call describing two groups squaring up, with no flag ticked and without
/// the word 群体, lands in the top 5 of 风险队列 with 可能引发群体性事件
/// read, and the words that raised it in the case's history.
#[test]
fn two_groups_squaring_up_reach_the_top_of_the_queue_without_a_ticked_flag() {
    use common::cli::Cli;
    const NOW: &str = "2026-11-20T10:00:00+08:00";
    let cli = Cli::new();
    let run = |args: &[&str]| -> String {
        let out = cli.cmd().env("DESK_NOW", NOW).args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "desk {args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    run(&[
        "demo",
        "--disputes",
        "2000",
        "--persons",
        "60",
        "--seed",
        "24",
        "--today",
        "2026-11-20",
    ]);
    let list: serde_json::Value =
        serde_json::from_str(&run(&["list", "disputes", "--json"])).unwrap();
    let village = list[0]["village"].as_str().unwrap().to_string();
    let text = "来电：东头张家和西头李家为放水灌田的事吵起来，两家各叫了十几个亲戚，在渠边对峙，村干部劝不住";
    let id = run(&[
        "add",
        "dispute",
        "--village",
        &village,
        "--category",
        "涉农",
        "--source",
        "来电",
        "--summary",
        text,
        "--party",
        "张某",
    ])
    .trim()
    .to_string();
    let queue: serde_json::Value =
        serde_json::from_str(&run(&["queue", "--limit", "5", "--json"])).unwrap();
    let top: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(top.contains(&id.as_str()), "{id} not in the top 5: {queue}");
    let shown: serde_json::Value = serde_json::from_str(&run(&["show", &id, "--json"])).unwrap();
    assert!(
        shown["flags"].to_string().contains("可能引发群体性事件"),
        "{shown}"
    );
    let history = shown["history"].to_string();
    assert!(
        history.contains("由文字识别") && history.contains("对峙 → 可能引发群体性事件"),
        "{history}"
    );
}
