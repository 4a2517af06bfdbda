//! Risk weights, sensitive periods, the roll-call and reports through the
//! Desk API (`Local`): permissions, validation, audit events, and the
//! effects of a period on deadlines and scores.

mod common;

use chrono::Days;
use common::fixture;
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::desk::{clock, DeskError};
use duty_desk::domain::lists::{Channel, RiskLevel, RollcallKind, WarningFlag};
use duty_desk::domain::period::SensitivePeriod;
use duty_desk::domain::reports::{Figures, Kind, Spec};
use duty_desk::domain::rollcall::NewRollcall;

fn today() -> chrono::NaiveDate {
    clock::now().date_naive()
}

fn last_audit(f: &common::Fixture) -> (String, String, String, String) {
    match f.call("admin1", Request::Audit { since: None }).unwrap() {
        Response::Audit(events) => {
            let e = events.last().unwrap().clone();
            (e.actor, e.action, e.target, e.detail)
        }
        other => panic!("{other:?}"),
    }
}

fn setup(f: &common::Fixture, who: &str) -> duty_desk::desk::api::RiskSetup {
    match f.call(who, Request::RiskSetup).unwrap() {
        Response::RiskSetup(s) => *s,
        other => panic!("{other:?}"),
    }
}

fn period(name: &str, from: i64, to: i64) -> SensitivePeriod {
    let at = |n: i64| {
        if n >= 0 {
            today() + Days::new(n as u64)
        } else {
            today() - Days::new((-n) as u64)
        }
    };
    SensitivePeriod::new(name, at(from), at(to), None).unwrap()
}

#[test]
fn weights_are_stored_changed_by_the_admin_only_and_audited() {
    let f = fixture();
    assert_eq!(setup(&f, "ck1").weights.level[3], 50);
    let e = f
        .call(
            "zb1",
            Request::SetWeight {
                key: "风险高".into(),
                value: 70,
            },
        )
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "无权修改风险权重：需要管理员角色，您当前是“值班员”。如需调整请联系管理员"
    );
    f.call(
        "admin1",
        Request::SetWeight {
            key: "风险高".into(),
            value: 70,
        },
    )
    .unwrap();
    assert_eq!(setup(&f, "zb1").weights.level[3], 70);
    assert_eq!(
        last_audit(&f),
        (
            "admin1".into(),
            "修改风险权重".into(),
            "level_high".into(),
            "风险高：50 → 70".into()
        )
    );
    let e = f
        .call(
            "admin1",
            Request::SetWeight {
                key: "逾期上限".into(),
                value: 5,
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "“逾期上限”（5）不能小于“逾期基础分”（30）");
    f.call("admin1", Request::ResetWeights).unwrap();
    assert_eq!(setup(&f, "zb1").weights.level[3], 50);
    assert_eq!(last_audit(&f).1, "恢复默认风险权重");
}

#[test]
fn an_active_period_shows_tightens_deadlines_and_weighs_in() {
    let f = fixture();
    assert_eq!(setup(&f, "zb1").banner(), None);
    let e = f
        .call(
            "zb1",
            Request::AddPeriod {
                period: period("春节", -1, 5),
            },
        )
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)));
    f.call(
        "admin1",
        Request::AddPeriod {
            period: period("春节", -1, 5),
        },
    )
    .unwrap();
    f.call(
        "admin1",
        Request::AddPeriod {
            period: period("国庆", 30, 36),
        },
    )
    .unwrap();
    let (_, action, target, detail) = last_audit(&f);
    assert_eq!((action.as_str(), target.as_str()), ("设置敏感时期", "国庆"));
    assert!(detail.ends_with("新交办案件默认时限按50%"), "{detail}");
    let dup = f
        .call(
            "admin1",
            Request::AddPeriod {
                period: period("春节", -1, 3),
            },
        )
        .unwrap_err();
    assert!(dup.to_string().starts_with("已有从"), "{dup}");
    let s = setup(&f, "zb1");
    assert_eq!(s.banner().as_deref(), Some("春节"));
    assert!(s.sensitive());

    // 高 → 7 days usually; half in the period, rounded up: 4.
    let id = f.register("zb1", "东河村", &["王某", "李某"]).unwrap();
    f.call(
        "zb1",
        ops::Triage {
            risk: RiskLevel::High,
            flags: vec![WarningFlag::Agitated],
            tier: None,
        }
        .on(id.clone(), None),
    )
    .unwrap();
    f.call(
        "zb1",
        ops::Assign {
            leader: "ld1".into(),
            unit: "司法所".into(),
            person: "tj1".into(),
            deadline: None,
        }
        .on(id.clone(), None),
    )
    .unwrap();
    let d = match f.call("zb1", Request::Dispute { id: id.clone() }).unwrap() {
        Response::Dispute(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d.deadline(), Some(today() + Days::new(4)));
    assert!(
        d.history
            .last()
            .unwrap()
            .what
            .contains("敏感时期春节：时限从严，7天改为4天"),
        "{:?}",
        d.history.last()
    );

    // The score carries the sensitive share while the period runs.
    let r = match f
        .call(
            "zb1",
            Request::Report {
                spec: Spec {
                    kind: Kind::Analysis,
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
        Response::Report(r) => r,
        other => panic!("{other:?}"),
    };
    let Figures::Analysis(a) = &r.figures else {
        panic!()
    };
    assert!(a.top_risks[0]
        .reasons
        .iter()
        .any(|(why, _)| why == "敏感时期"));

    // Removing it ends all of that.
    let e = f
        .call(
            "admin1",
            Request::RemovePeriod {
                name: "元旦".into(),
                from: None,
            },
        )
        .unwrap_err();
    assert!(e.to_string().starts_with("没有名为“元旦”的敏感时期"));
    f.call(
        "admin1",
        Request::RemovePeriod {
            name: "春节".into(),
            from: None,
        },
    )
    .unwrap();
    assert_eq!(setup(&f, "zb1").banner(), None);
    match f.call("ck1", Request::Periods).unwrap() {
        Response::Periods(p) => assert_eq!(p.len(), 1),
        other => panic!("{other:?}"),
    }
}

fn rollcall(f: &common::Fixture) -> duty_desk::domain::rollcall::RollcallSheet {
    match f.call("ck1", Request::Rollcall { date: None }).unwrap() {
        Response::Rollcall(s) => *s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn roll_call_records_reports_on_a_village_s_behalf() {
    let f = fixture();
    f.call(
        "admin1",
        Request::AddPeriod {
            period: period("村级换届选举", 0, 10),
        },
    )
    .unwrap();
    let s = rollcall(&f);
    assert!(s.running);
    // Three villages and every unit but the centre.
    assert_eq!(s.expected, 3 + 13);
    assert!(s.reported.is_empty());
    let new = |unit: &str, kind, text: &str| NewRollcall {
        unit: unit.into(),
        date: None,
        kind,
        channel: Channel::Phone,
        text: text.into(),
    };
    f.call(
        "zb1",
        Request::RecordRollcall {
            new: new("东河", RollcallKind::News, "两户争执，已调解"),
        },
    )
    .unwrap();
    assert_eq!(
        last_audit(&f),
        (
            "zb1".into(),
            "点名登记".into(),
            "东河村".into(),
            format!("{} 有情况（电话）：两户争执，已调解", today())
        )
    );
    f.call(
        "zb1",
        Request::RecordRollcall {
            new: new("西岗村", RollcallKind::Zero, ""),
        },
    )
    .unwrap();
    f.call(
        "zb1",
        Request::RecordRollcall {
            new: new("东河村", RollcallKind::Zero, "更正：已化解"),
        },
    )
    .unwrap();
    assert_eq!(last_audit(&f).1, "更正点名报告");
    let s = rollcall(&f);
    assert_eq!(s.reported.len(), 2);
    assert_eq!(s.count(RollcallKind::Zero), 2);
    assert!(s.missing.contains(&"赵庄村".to_string()));

    let e = f
        .call(
            "zb1",
            Request::RecordRollcall {
                new: new("北山村", RollcallKind::Zero, ""),
            },
        )
        .unwrap_err();
    assert!(e
        .to_string()
        .starts_with("“北山村”不在村(社区)和责任单位名录中"));
    let e = f
        .call(
            "ck1",
            Request::RecordRollcall {
                new: new("赵庄村", RollcallKind::Zero, ""),
            },
        )
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)));
    let e = f
        .call(
            "zb1",
            Request::SetRollcall {
                due_hour: Some(16),
                every_day: None,
            },
        )
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)));
    f.call(
        "admin1",
        Request::SetRollcall {
            due_hour: Some(16),
            every_day: Some(true),
        },
    )
    .unwrap();
    assert_eq!(rollcall(&f).due_hour, 16);
    assert!(f
        .call(
            "admin1",
            Request::SetRollcall {
                due_hour: Some(25),
                every_day: None,
            },
        )
        .is_err());
}

#[test]
fn reports_through_the_api() {
    let f = fixture();
    f.register("zb1", "东河村", &["王某"]).unwrap();
    let get = |kind, who: &str| {
        f.call(
            who,
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
    };
    let daily = match get(Kind::Daily, "ck1").unwrap() {
        Response::Report(r) => r,
        other => panic!("{other:?}"),
    };
    assert!(daily.text.contains("一、新增矛盾纠纷1件"), "{}", daily.text);
    assert!(daily.text.ends_with("值班员：董文斌\n"), "{}", daily.text);
    // The handover shows the audit log: 只读 may not.
    assert!(matches!(
        get(Kind::Handover, "ck1").unwrap_err(),
        DeskError::Forbidden(_)
    ));
    let handover = match get(Kind::Handover, "zb1").unwrap() {
        Response::Report(r) => r,
        other => panic!("{other:?}"),
    };
    assert!(
        handover.text.contains("宋雪梅 登记 MD-"),
        "{}",
        handover.text
    );
    let future = f
        .call(
            "zb1",
            Request::Report {
                spec: Spec {
                    kind: Kind::Daily,
                    date: Some(today() + Days::new(1)),
                    from: None,
                    since: None,
                    to: None,
                    officer: None,
                },
            },
        )
        .unwrap_err();
    assert!(future.to_string().contains("还没到"), "{future}");
}
