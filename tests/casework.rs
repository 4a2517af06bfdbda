//! Casework through the Desk API (`Local`): 转办 with 签收 or 退回, 中止 and
//! 恢复办理 (by hand and on the date), 黄橙红牌 with 红牌 挂牌督办, the
//! thresholds, and no 销号 over a pending approval.

mod common;

use chrono::Days;
use common::fixture;
use duty_desk::desk::api::{ListName, Request, Response};
use duty_desk::desk::casework::{sweep, sweeper};
use duty_desk::desk::ops::{self, CaseOp, TransferTo};
use duty_desk::desk::{clock, DeskError};
use duty_desk::domain::dispute::Dispute;
use duty_desk::domain::escalation::{Colour, Thresholds};
use duty_desk::domain::lists::{Outcome, RiskLevel, Tier};
use duty_desk::domain::summary::Summary;
use duty_desk::domain::workflow::Status;

fn today() -> chrono::NaiveDate {
    clock::now().date_naive()
}

fn in_days(n: u64) -> chrono::NaiveDate {
    today() + Days::new(n)
}

fn dispute(f: &common::Fixture, id: &str) -> Dispute {
    match f
        .call("admin1", Request::Dispute { id: id.into() })
        .unwrap()
    {
        Response::Dispute(d) => *d,
        other => panic!("{other:?}"),
    }
}

fn summary(f: &common::Fixture, id: &str) -> Summary {
    let all = f.local.store().summaries().unwrap();
    all.into_iter().find(|s| s.id == id).unwrap()
}

fn audit(f: &common::Fixture) -> Vec<(String, String, String)> {
    match f.call("admin1", Request::Audit { since: None }).unwrap() {
        Response::Audit(events) => events
            .into_iter()
            .map(|e| (e.actor, e.action, e.target))
            .collect(),
        other => panic!("{other:?}"),
    }
}

/// A case assigned to tj1 (司法所) under ld1, accepted, due in `days`.
fn working_case(f: &common::Fixture, days: u64) -> String {
    let id = f.register("zb1", "东河村", &["王建国", "刘桂兰"]).unwrap();
    let triage = ops::Triage {
        risk: RiskLevel::Medium,
        flags: vec![],
        tier: Some(Tier::Township),
    };
    f.call("zb1", triage.on(id.clone(), None)).unwrap();
    let assign = ops::Assign {
        leader: "ld1".into(),
        unit: "司法所".into(),
        person: "tj1".into(),
        deadline: Some(in_days(days)),
    };
    f.call("zb1", assign.on(id.clone(), None)).unwrap();
    f.call("tj1", ops::Accept.on(id.clone(), None)).unwrap();
    id
}

fn to_tj2(reason: &str) -> ops::Transfer {
    ops::Transfer {
        to: TransferTo::Unit {
            unit: "派出所".into(),
            person: "tj2".into(),
        },
        reason: reason.into(),
    }
}

#[test]
fn a_transfer_is_accepted_by_its_receiver_with_one_signature() {
    let f = fixture();
    let id = working_case(&f, 10);
    f.call("zb1", to_tj2("涉及治安，派出所主办").on(id.clone(), None))
        .unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.status, Status::Assigned);
    let a = d.assignment.as_ref().unwrap();
    assert_eq!((a.unit.as_str(), a.person.as_str()), ("派出所", "tj2"));
    assert!(summary(&f, &id).transferring);

    // The sender cannot sign for the receiver.
    let err = f.call("tj1", ops::Accept.on(id.clone(), None)).unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)), "{err:?}");
    f.call("tj2", ops::Accept.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.status, Status::InProgress);
    assert!(d.transfer.is_none());
    assert!(d.assignment.unwrap().accepted_at.is_some());
    let history: Vec<&str> = d.history.iter().map(|h| h.what.as_str()).collect();
    assert!(history
        .iter()
        .any(|h| h.starts_with("转办：司法所 tj1 → 派出所 tj2，理由：涉及治安")));
    assert!(history.iter().any(|h| h.starts_with("签收转办")));
    let log = audit(&f);
    assert!(log.contains(&("zb1".into(), "转办".into(), id.clone())));
    assert!(log.contains(&("tj2".into(), "签收".into(), id.clone())));
}

#[test]
fn a_refused_transfer_goes_back_to_its_sender_with_an_alert_carrying_the_reason() {
    let f = fixture();
    let id = working_case(&f, 10);
    f.call("zb1", to_tj2("涉及治安").on(id.clone(), None))
        .unwrap();
    let reject = ops::Reject {
        reason: "不属于治安案件".into(),
    };
    f.call("tj2", reject.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.status, Status::InProgress, "back at work with its sender");
    let a = d.assignment.as_ref().unwrap();
    assert_eq!((a.unit.as_str(), a.person.as_str()), ("司法所", "tj1"));
    assert!(a.accepted_at.is_some(), "the sender had signed for it");
    let s = summary(&f, &id);
    assert!(!s.transferring);
    assert_eq!(s.alert_note.as_deref(), Some("转办被退回：不属于治安案件"));
    // The officer who sent it hears why, not the 责任人 it went back to.
    assert_eq!(s.alert_to.as_deref(), Some("zb1"));
    assert!(
        !s.alert,
        "a casework alert is not a danger alert on the strip"
    );
    assert!(audit(&f).contains(&("tj2".into(), "退回".into(), id.clone())));

    // The desk acknowledges it (签收预警 stays theirs); the note is gone,
    // the history keeps it.
    f.call("zb1", ops::AckAlert.on(id.clone(), None)).unwrap();
    assert_eq!(summary(&f, &id).alert_note, None);
    let d = dispute(&f, &id);
    assert!(d
        .history
        .iter()
        .any(|h| h.what == "签收预警：转办被退回：不属于治安案件"));
}

#[test]
fn a_transfer_needs_an_assigned_case_a_listed_unit_and_a_reason() {
    let f = fixture();
    let fresh = f.register("zb1", "东河村", &["王建国"]).unwrap();
    let err = f.call("zb1", to_tj2("试试").on(fresh, None)).unwrap_err();
    assert!(err.to_string().contains("不能转办"), "{err}");
    let id = working_case(&f, 10);
    let bad_unit = ops::Transfer {
        to: TransferTo::Unit {
            unit: "不存在的单位".into(),
            person: "tj2".into(),
        },
        reason: "x".into(),
    };
    let err = f.call("zb1", bad_unit.on(id.clone(), None)).unwrap_err();
    assert!(err.to_string().contains("责任单位"), "{err}");
    let err = f.call("zb1", to_tj2(" ").on(id.clone(), None)).unwrap_err();
    assert!(err.to_string().contains("转办理由"), "{err}");
    // Where a case goes is the desk's decision: not its own 责任人's, not
    // another's.
    for who in ["tj1", "tj2"] {
        let err = f
            .call(who, to_tj2("抢案").on(id.clone(), None))
            .unwrap_err();
        assert!(matches!(err, DeskError::Forbidden(_)), "{err:?}");
    }
}

#[test]
fn a_move_to_another_township_archives_the_case_here_with_the_township_named() {
    let f = fixture();
    let id = working_case(&f, 10);
    let to = |name: &str| ops::Transfer {
        to: TransferTo::Township { name: name.into() },
        reason: "当事人均居住在北关镇".into(),
    };
    // Only to a township on the list, never free text.
    let err = f
        .call("zb1", to("北关镇").on(id.clone(), None))
        .unwrap_err();
    assert!(err.to_string().contains("还没有可移送的乡镇"), "{err}");
    f.call(
        "admin1",
        Request::ListAdd {
            list: ListName::Townships,
            value: "北关镇".into(),
            force: false,
        },
    )
    .unwrap();
    let err = f
        .call("zb1", to("外星镇").on(id.clone(), None))
        .unwrap_err();
    assert!(err.to_string().contains("乡镇(街道)"), "{err}");
    let err = f
        .call("tj1", to("北关镇").on(id.clone(), None))
        .unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)), "{err:?}");
    let out = ops::Transfer {
        to: TransferTo::Township {
            name: "北关镇".into(),
        },
        reason: "当事人均居住在北关镇".into(),
    };
    f.call("zb1", out.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.status, Status::Archived);
    assert_eq!(d.moved_to.as_deref(), Some("北关镇"));
    assert!(audit(&f).contains(&("zb1".into(), "移送".into(), id)));
}

#[test]
fn a_pause_stops_the_clock_and_its_date_resumes_it_with_the_deadline_moved() {
    let f = fixture();
    let id = working_case(&f, 2);
    let pause = ops::Pause {
        reason: "诉讼中".into(),
        until: in_days(5),
    };
    f.call("zb1", pause.on(id.clone(), None)).unwrap();
    let s = summary(&f, &id);
    assert_eq!(s.status_label(), "中止");
    assert_eq!(s.paused_until, Some(in_days(5)));
    // Ten days on, the case would be long overdue; paused, it is not.
    let later = in_days(4);
    assert!(!s.is_overdue(later));
    assert_eq!(s.colour(in_days(12), &Thresholds::default()), None);

    // On the date the sweep resumes it: paused 5 days, deadline +5.
    let now = clock::now() + Days::new(5);
    let (swept, _) = sweep(&f.local, &sweeper(), now).unwrap();
    assert_eq!(swept.resumed, vec![id.clone()]);
    let d = dispute(&f, &id);
    assert!(d.pause.is_none());
    assert_eq!(d.deadline(), Some(in_days(7)));
    let s = summary(&f, &id);
    assert_eq!(s.alert_to.as_deref(), Some("tj1"));
    assert!(s.alert_note.unwrap().contains("时限顺延至"));
    assert!(audit(&f).contains(&("desk".into(), "恢复办理".into(), id.clone())));
    // Nothing left to sweep.
    let (again, _) = sweep(&f.local, &sweeper(), now).unwrap();
    assert!(again.resumed.is_empty());
}

#[test]
fn a_pause_resumed_by_hand_and_bad_pauses_are_refused() {
    let f = fixture();
    let id = working_case(&f, 3);
    let past = ops::Pause {
        reason: "等待鉴定".into(),
        until: today(),
    };
    let err = f.call("tj1", past.on(id.clone(), None)).unwrap_err();
    assert!(err.to_string().contains("预计恢复日期"), "{err}");
    let pause = ops::Pause {
        reason: "等待鉴定".into(),
        until: in_days(20),
    };
    f.call("zb1", pause.on(id.clone(), None)).unwrap();
    let err = f
        .call(
            "tj1",
            ops::Close {
                outcome: Outcome::OralAgreement,
                summary: "口头和解".into(),
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(err.to_string().contains("中止"), "{err}");
    f.call("tj1", ops::Resume.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert!(d.pause.is_none());
    assert_eq!(
        d.deadline(),
        Some(in_days(3)),
        "resumed the same day: no days to add"
    );
    let err = f.call("tj1", ops::Resume.on(id, None)).unwrap_err();
    assert!(err.to_string().contains("没有中止"), "{err}");
}

#[test]
fn a_responsible_persons_pause_is_a_request_the_desk_decides_and_the_clock_runs_meanwhile() {
    let f = fixture();
    let id = working_case(&f, 2);
    let pause = ops::Pause {
        reason: "当事人外出务工".into(),
        until: in_days(30),
    };
    f.call("tj1", pause.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert!(d.pause.is_none(), "asked, not paused");
    let s = summary(&f, &id);
    assert_ne!(s.status_label(), "中止");
    assert!(
        s.is_overdue(in_days(3)),
        "the clock runs until it is decided"
    );
    // The case's 牵头领导 finds it in 我的 → 待审批.
    assert_eq!(s.approval_for.as_deref(), Some("ld1"));
    // The 责任人 cannot approve their own request.
    let approve = ops::Decide {
        approve: true,
        comment: "同意".into(),
    };
    let err = f
        .call("tj1", approve.clone().on(id.clone(), None))
        .unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)), "{err:?}");
    // The desk decides.
    f.call("zb1", approve.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.pause.as_ref().map(|p| p.until), Some(in_days(30)));
    assert_eq!(summary(&f, &id).status_label(), "中止");
}

#[test]
fn a_packaged_case_pauses_only_with_its_leaders_approval_and_cannot_close_meanwhile() {
    let f = fixture();
    let id = working_case(&f, 10);
    let package = ops::Package {
        leader: "ld1".into(),
        team: vec!["tj1".into()],
        plan: vec![],
        deadline: in_days(10),
    };
    f.call("ld1", package.on(id.clone(), None)).unwrap();
    let pause = ops::Pause {
        reason: "仲裁中".into(),
        until: in_days(30),
    };
    f.call("tj1", pause.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert!(d.pause.is_none(), "waits for the 包案领导");
    assert_eq!(summary(&f, &id).approval_for.as_deref(), Some("ld1"));

    // GLPI: no 销号 while an approval is pending, not even by a leader.
    let close = ops::Close {
        outcome: Outcome::WrittenAgreement,
        summary: "书面协议".into(),
    };
    let err = f.call("ld1", close.on(id.clone(), None)).unwrap_err();
    assert!(
        err.to_string().contains("中止申请还在等包案领导审批"),
        "{err}"
    );

    let approve = ops::Decide {
        approve: true,
        comment: "同意".into(),
    };
    f.call("ld1", approve.on(id.clone(), None)).unwrap();
    let d = dispute(&f, &id);
    assert_eq!(d.pause.as_ref().map(|p| p.until), Some(in_days(30)));
    assert!(d.history.iter().any(|h| h.what == "中止审批：同意 同意"));
    assert_eq!(summary(&f, &id).approval_for, None);
}

#[test]
fn overdue_cases_turn_yellow_orange_red_and_red_sets_supervision_for_the_leader() {
    let f = fixture();
    let id = working_case(&f, 1);
    let t = Thresholds::default();
    let s = summary(&f, &id);
    assert_eq!(s.colour(in_days(2), &t), Some(Colour::Yellow));
    assert_eq!(s.colour(in_days(5), &t), Some(Colour::Orange));
    assert_eq!(s.colour(in_days(9), &t), Some(Colour::Red));

    // 橙牌: nothing happens by itself.
    let (swept, _) = sweep(&f.local, &sweeper(), clock::now() + Days::new(5)).unwrap();
    assert!(swept.red.is_empty());
    assert!(!dispute(&f, &id).supervised);
    // 红牌: 挂牌督办, an alert to the 牵头领导, once.
    let (swept, _) = sweep(&f.local, &sweeper(), clock::now() + Days::new(9)).unwrap();
    assert_eq!(swept.red, vec![id.clone()]);
    let d = dispute(&f, &id);
    assert!(d.supervised);
    assert!(d
        .history
        .iter()
        .any(|h| h.what == "红牌：逾期 8 天，自动挂牌督办"));
    let s = summary(&f, &id);
    assert_eq!(s.alert_to.as_deref(), Some("ld1"));
    let (again, _) = sweep(&f.local, &sweeper(), clock::now() + Days::new(10)).unwrap();
    assert!(again.red.is_empty());
}

#[test]
fn only_an_admin_edits_the_thresholds_and_the_change_is_audited() {
    let f = fixture();
    let set = |who: &str, o, r| {
        f.call(
            who,
            Request::SetEscalation {
                orange_from: o,
                red_from: r,
            },
        )
    };
    let err = set("zb1", Some(3), None).unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)), "{err:?}");
    let err = set("admin1", Some(6), Some(5)).unwrap_err();
    assert!(err.to_string().contains("不合理"), "{err}");
    match set("admin1", Some(3), Some(6)).unwrap() {
        Response::Escalation(t) => assert_eq!((t.orange_from, t.red_from), (3, 6)),
        other => panic!("{other:?}"),
    }
    match f.call("tj1", Request::RiskSetup).unwrap() {
        Response::RiskSetup(s) => assert_eq!(s.escalation.red_from, 6),
        other => panic!("{other:?}"),
    }
    assert!(audit(&f)
        .iter()
        .any(|(who, what, _)| who == "admin1" && what == "设置黄橙红牌"));
    // The sweep uses the thresholds in force: 6 days late is now 红牌.
    let id = working_case(&f, 1);
    let (swept, _) = sweep(&f.local, &sweeper(), clock::now() + Days::new(7)).unwrap();
    assert_eq!(swept.red, vec![id]);
}

#[test]
fn the_daily_and_monthly_reports_count_overdue_cases_by_colour() {
    use duty_desk::domain::reports::{self, Data, Kind, Spec};
    use duty_desk::domain::risk::RiskWeights;
    let f = fixture();
    working_case(&f, 1);
    working_case(&f, 8);
    let paused = working_case(&f, 1);
    let pause = ops::Pause {
        reason: "当事人外出".into(),
        until: in_days(40),
    };
    f.call("zb1", pause.on(paused, None)).unwrap();
    // The report builder over the stored summaries, ten days on (the desk
    // refuses a report for a day still to come).
    let summaries = f.local.store().summaries().unwrap();
    let report = |kind, escalation| {
        let spec = Spec {
            kind,
            date: Some(in_days(10)),
            from: None,
            since: None,
            to: None,
            officer: None,
        };
        let rules = duty_desk::domain::person_rules::PersonRules::default();
        let data = Data {
            summaries: &summaries,
            weights: &RiskWeights::default(),
            periods: &[],
            visits: &[],
            rollcall: None,
            changes: &[],
            now: clock::now() + Days::new(10),
            by: "宋雪梅".into(),
            escalation,
            persons: Default::default(),
            looks: &[],
            names: &Default::default(),
            person_rules: &rules,
        };
        reports::build(&spec, &data).text
    };
    // One 9 days late (红牌), one 2 days late (黄牌), the paused one not at all.
    let t = Thresholds::default();
    let daily = report(Kind::Daily, t);
    assert!(daily.contains("其中逾期2件（红牌1件、黄牌1件）"), "{daily}");
    let monthly = report(Kind::Monthly, t);
    assert!(monthly.contains("逾期案件：红牌1件、黄牌1件"), "{monthly}");
    // The thresholds in force count: with 红牌 from day 10, it is 橙牌.
    let later = Thresholds {
        orange_from: 4,
        red_from: 10,
    };
    let daily = report(Kind::Daily, later);
    assert!(daily.contains("（橙牌1件、黄牌1件）"), "{daily}");
}
