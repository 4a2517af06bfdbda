//! Flows, permissions, conflicts and bad input through the Desk API (`Local`).

mod common;

use chrono::Days;
use common::{caller, fixture};
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::ops::{self, CaseOp, PersonOp};
use duty_desk::desk::{clock, Desk, DeskError, DeskExt, Session};
use duty_desk::domain::lists::{
    ContactKind, Outcome, PersonCategory, RiskLevel, Tier, VisitMethod, WarningFlag,
};
use duty_desk::domain::person::NewPerson;
use duty_desk::domain::workflow::Status;

fn today() -> chrono::NaiveDate {
    clock::now().date_naive()
}

fn in_days(n: u64) -> chrono::NaiveDate {
    today() + Days::new(n)
}

fn audit_actions(f: &common::Fixture) -> Vec<(String, String, String)> {
    match f.call("admin1", Request::Audit { since: None }).unwrap() {
        Response::Audit(events) => events
            .into_iter()
            .map(|e| (e.actor, e.action, e.target))
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_dispute_goes_from_registration_to_archive() {
    let f = fixture();
    let id = f.register("zb1", "东河村", &["王建国", "刘桂兰"]).unwrap();
    let year = clock::now().format("%Y").to_string();
    assert_eq!(id, format!("MD-{year}-000001"));
    assert_eq!(
        f.register("zb1", "西岗村", &["赵春生"]).unwrap(),
        format!("MD-{year}-000002")
    );

    f.call(
        "zb1",
        ops::Triage {
            risk: RiskLevel::High,
            flags: vec![WarningFlag::CriminalTendency],
            tier: Some(Tier::Township),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    // No deadline given: 高 → 7 days by default.
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
    let mut s = Session {
        local: f.local,
        caller: caller("tj1"),
    };
    assert_eq!(s.dispute(&id).unwrap().deadline(), Some(in_days(7)));
    s.call(ops::Accept.on(id.clone(), None)).unwrap();
    let f = common::Fixture {
        dir: f.dir,
        local: s.local,
    };
    f.call(
        "ld1",
        ops::Package {
            leader: "ld1".into(),
            team: vec!["tj1".into(), "tj2".into()],
            plan: vec![duty_desk::domain::dispute::PlanStep {
                date: in_days(2),
                text: "约谈双方当事人".into(),
                done: false,
            }],
            deadline: in_days(10),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    f.call(
        "tj1",
        ops::Note {
            kind: ContactKind::MediationMeeting,
            text: "组织双方在村委会调解\n初步达成一致".into(),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    f.call(
        "tj1",
        ops::Close {
            outcome: Outcome::WrittenAgreement,
            summary: "签订书面调解协议".into(),
        }
        .on(id.clone(), None),
    )
    .unwrap();

    // Only the package leader approves.
    let err = f
        .call(
            "ld2",
            ops::Decide {
                approve: true,
                comment: String::new(),
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("只有包案领导本人可以审批"),
        "{err}"
    );
    f.call(
        "ld1",
        ops::Decide {
            approve: true,
            comment: "同意销号".into(),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    for i in 0..3 {
        f.call(
            "tj1",
            ops::FollowUp {
                method: VisitMethod::Home,
                honoured: true,
                satisfaction: "满意".into(),
                rebound: false,
                finding: format!("第{}次回访，协议履行正常", i + 1),
                reopen: false,
            }
            .on(id.clone(), None),
        )
        .unwrap();
    }
    let d = match f.call("zb1", Request::Dispute { id: id.clone() }).unwrap() {
        Response::Dispute(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d.status, Status::Archived);
    assert_eq!(d.follow_ups.len(), 3);
    assert!(d.follow_ups.iter().all(|f| f.visit.is_some()));
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.package.as_ref().unwrap().team, vec!["tj1", "tj2"]);

    let actions: Vec<String> = audit_actions(&f)
        .into_iter()
        .filter(|(_, _, target)| target == &id)
        .map(|(actor, action, _)| format!("{actor}:{action}"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "zb1:登记",
            "zb1:研判",
            "zb1:交办",
            "tj1:签收",
            "ld1:包案",
            "tj1:添加进展",
            "tj1:销号",
            "ld1:审批",
            "tj1:回访",
            "tj1:回访",
            "tj1:回访"
        ]
    );
}

#[test]
fn each_role_is_refused_what_it_may_not_do() {
    let f = fixture();
    let err = f.register("ck1", "东河村", &["王建国"]).unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)));
    assert!(err.to_string().contains("您当前是“只读”"), "{err}");
    let err = f.register("tj1", "东河村", &["王建国"]).unwrap_err();
    assert!(
        err.to_string().contains("需要值班员、领导或管理员角色"),
        "{err}"
    );

    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
    f.call(
        "zb1",
        ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
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
            deadline: Some(in_days(5)),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    // tj2 is not on this case.
    let err = f.call("tj2", ops::Accept.on(id.clone(), None)).unwrap_err();
    assert!(
        err.to_string()
            .contains("只能由交办给的责任人本人签收或退回"),
        "{err}"
    );
    // Nor does the desk sign for the person: the receipt is theirs.
    let err = f.call("zb1", ops::Accept.on(id.clone(), None)).unwrap_err();
    assert!(
        err.to_string()
            .contains("只能由交办给的责任人本人签收或退回"),
        "{err}"
    );
    let err = f
        .call(
            "tj2",
            ops::Note {
                kind: ContactKind::Phone,
                text: "电话联系".into(),
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(matches!(err, DeskError::Forbidden(_)));
    f.call("tj1", ops::Accept.on(id.clone(), None)).unwrap();
    // Packaging needs a leader.
    let err = f
        .call(
            "zb1",
            ops::Package {
                leader: "ld1".into(),
                team: vec![],
                plan: vec![],
                deadline: in_days(9),
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(err.to_string().contains("需要领导或管理员角色"), "{err}");
    // The roster and the lists are the administrator's.
    let officer = duty_desk::domain::officer::Officer::new(
        "new1",
        "萧美玲",
        "综治中心",
        duty_desk::domain::lists::Role::DutyOfficer,
    )
    .unwrap();
    let err = f
        .call(
            "zb1",
            Request::RosterAdd {
                officer: officer.clone(),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("需要管理员角色"), "{err}");
    f.call("admin1", Request::RosterAdd { officer }).unwrap();
    // The read-only inspector reads (decoded, to drop the key-person
    // links) but does not see the audit log.
    assert!(matches!(
        f.call("ck1", Request::Summaries).unwrap(),
        Response::Summaries { .. }
    ));
    assert!(f.call("ck1", Request::Audit { since: None }).is_err());
}

#[test]
fn a_login_not_on_the_roster_is_refused_with_whom_to_ask() {
    let f = fixture();
    let err = f.call("stranger", Request::Summaries).unwrap_err();
    assert!(matches!(err, DeskError::NotOnRoster(_)));
    let text = err.to_string();
    assert!(text.contains("您的账号 stranger 不在值班名册中"), "{text}");
    assert!(text.contains("desk roster add stranger"), "{text}");
}

#[test]
fn a_stale_change_is_refused_with_the_fresh_state() {
    let f = fixture();
    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
    let seen = match f.call("zb1", Request::Dispute { id: id.clone() }).unwrap() {
        Response::Dispute(d) => d.rev,
        other => panic!("{other:?}"),
    };
    // Another officer triages first.
    f.call(
        "admin1",
        ops::Triage {
            risk: RiskLevel::High,
            flags: vec![],
            tier: None,
        }
        .on(id.clone(), Some(seen)),
    )
    .unwrap();
    let err = f
        .call(
            "zb1",
            ops::Triage {
                risk: RiskLevel::Low,
                flags: vec![],
                tier: None,
            }
            .on(id.clone(), Some(seen)),
        )
        .unwrap_err();
    match err {
        DeskError::Conflict { message, fresh } => {
            assert!(message.contains("已被他人修改"), "{message}");
            assert_eq!(fresh.unwrap().risk, Some(RiskLevel::High));
        }
        other => panic!("{other:?}"),
    }
    let d = match f.call("zb1", Request::Dispute { id }).unwrap() {
        Response::Dispute(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        d.risk,
        Some(RiskLevel::High),
        "nothing silently overwritten"
    );
}

#[test]
fn bad_input_gets_a_clear_chinese_message_and_saves_nothing() {
    let f = fixture();
    let long = "张".repeat(500);
    let cases: Vec<(Result<String, DeskError>, &str)> = vec![
        (
            f.register("zb1", "东河村", &[long.as_str()]),
            "当事人姓名过长（500 个字），最多 50 个字",
        ),
        (
            f.register("zb1", "不存在村", &["王建国"]),
            "村(社区)“不存在村”不在名录中",
        ),
        (f.register("zb1", "", &["王建国"]), "村(社区)不能为空"),
        (f.register("zb1", "东河村", &[]), "至少填写一名当事人"),
        (
            f.register("zb1", "东河村", &["\u{1b}[2J\u{1b}[0m"]),
            "当事人姓名不能为空",
        ),
    ];
    for (result, expected) in cases {
        let err = result.unwrap_err().to_string();
        assert!(err.contains(expected), "{err} should contain {expected}");
    }
    assert!(matches!(
        f.call("zb1", Request::Summaries).unwrap(),
        Response::SummaryBlob { count: 0, .. }
    ));

    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
    f.call(
        "zb1",
        ops::Triage {
            risk: RiskLevel::Low,
            flags: vec![],
            tier: None,
        }
        .on(id.clone(), None),
    )
    .unwrap();
    let yesterday = today() - Days::new(1);
    let err = f
        .call(
            "zb1",
            ops::Assign {
                leader: "ld1".into(),
                unit: "司法所".into(),
                person: "tj1".into(),
                deadline: Some(yesterday),
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(err.to_string().contains("已经过去"), "{err}");
    let err = f
        .call(
            "zb1",
            ops::Assign {
                leader: "tj2".into(),
                unit: "司法所".into(),
                person: "tj1".into(),
                deadline: None,
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(err.to_string().contains("须为“领导”角色"), "{err}");
    let err = f
        .call(
            "zb1",
            ops::Assign {
                leader: "ld1".into(),
                unit: "司法局".into(),
                person: "tj1".into(),
                deadline: None,
            }
            .on(id.clone(), None),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("责任单位“司法局”不在名录中"),
        "{err}"
    );
    let err = f
        .call("zb1", ops::Accept.on("MD-2026-999999", None))
        .unwrap_err();
    assert_eq!(err.to_string(), "找不到编号为 MD-2026-999999 的案件");
}

#[test]
fn escape_sequences_never_reach_the_store() {
    let f = fixture();
    let new = duty_desk::domain::dispute::NewDispute {
        village: "东河村".into(),
        category: "邻里".into(),
        source: Some(duty_desk::domain::lists::Source::Call),
        summary: "\u{1b}]0;被改的标题\u{7}排水沟\u{1b}[31m纠纷\u{202e}".into(),
        parties: vec![duty_desk::domain::dispute::Party::new(
            "王\u{1b}[1m建国",
            duty_desk::domain::lists::PartyRole::Applicant,
            None,
        )
        .unwrap()],
        ..Default::default()
    };
    let id = match f.call("zb1", Request::Register { new }).unwrap() {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let d = match f.call("zb1", Request::Dispute { id }).unwrap() {
        Response::Dispute(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d.summary, "排水沟纠纷");
    assert_eq!(d.parties[0].name, "王建国");
}

fn new_person(officer: &str) -> NewPerson {
    NewPerson {
        name: "周德华".into(),
        village: "西岗村".into(),
        category: PersonCategory::HighRiskPetitioner,
        risk: RiskLevel::High,
        officer: officer.into(),
        interval_days: None,
        reason: "反复信访，情绪激烈".into(),
        review_date: Some(in_days(180)),
        phone: Some("19900005678".into()),
        id_number: Some("990000198001011234".into()),
        grade: None,
        household: None,
    }
}

#[test]
fn key_persons_need_a_reason_every_read_is_logged_and_contacts_are_masked() {
    let f = fixture();
    let mut bad = new_person("tj1");
    bad.reason = "   ".into();
    let err = f.call("zb1", Request::AddPerson { new: bad }).unwrap_err();
    assert_eq!(err.to_string(), "列管理由不能为空");
    let mut bad = new_person("tj1");
    bad.review_date = None;
    assert_eq!(
        f.call("zb1", Request::AddPerson { new: bad })
            .unwrap_err()
            .to_string(),
        "复核日期不能为空"
    );

    let id = match f
        .call(
            "zb1",
            Request::AddPerson {
                new: new_person("tj1"),
            },
        )
        .unwrap()
    {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(id, "RY-000001");
    let read = |who: &str| match f
        .call(
            who,
            Request::Person {
                id: id.clone(),
                reason: None,
            },
        )
        .unwrap()
    {
        Response::Person(p) => p,
        other => panic!("{other:?}"),
    };
    let for_desk = read("zb1");
    assert_eq!(for_desk.phone.as_deref(), Some("199****5678"));
    assert_eq!(for_desk.id_number.as_deref(), Some("990000********1234"));
    assert_eq!(read("ld1").phone.as_deref(), Some("19900005678"));
    assert_eq!(
        read("tj1").id_number.as_deref(),
        Some("990000198001011234"),
        "the responsible officer sees in full"
    );
    // 只读 sees counts, not people.
    let err = f
        .call(
            "ck1",
            Request::Persons {
                include_ended: false,
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, DeskError::Forbidden(ref m) if m.contains("统计数字")),
        "{err}"
    );
    f.call(
        "zb1",
        Request::Persons {
            include_ended: false,
        },
    )
    .unwrap();

    let reads: Vec<(String, String, String)> = audit_actions(&f)
        .into_iter()
        .filter(|(_, action, _)| action.starts_with("查阅"))
        .collect();
    assert_eq!(
        reads,
        vec![
            ("zb1".into(), "查阅重点人员".into(), id.clone()),
            ("ld1".into(), "查阅重点人员".into(), id.clone()),
            ("tj1".into(), "查阅重点人员".into(), id.clone()),
            ("zb1".into(), "查阅重点人员名单".into(), id.clone()),
        ]
    );

    // Visits by the responsible officer; others on the 责任人 role are refused.
    let visit = |who: &str| {
        f.call(
            who,
            ops::VisitPerson {
                date: today(),
                method: VisitMethod::Home,
                finding: "情绪稳定".into(),
                failed: None,
                grade: None,
            }
            .on(id.clone(), None),
        )
    };
    visit("tj1").unwrap();
    assert!(matches!(visit("tj2").unwrap_err(), DeskError::Forbidden(_)));
    // Ending the entry keeps its history and takes it off the watchlist.
    f.call(
        "zb1",
        ops::ReviewPerson {
            reason: "诉求已解决，解除列管".into(),
            next_review: None,
        }
        .on(id.clone(), None),
    )
    .unwrap();
    match f
        .call(
            "zb1",
            Request::Persons {
                include_ended: false,
            },
        )
        .unwrap()
    {
        Response::Persons(p) => assert!(p.is_empty()),
        other => panic!("{other:?}"),
    }
    let p = read("admin1");
    assert!(!p.is_active());
    assert_eq!(p.visits.len(), 1);
}

#[test]
fn dispute_phones_are_masked_for_those_off_the_case() {
    let f = fixture();
    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
    let phone = |who: &str| match f.call(who, Request::Dispute { id: id.clone() }).unwrap() {
        Response::Dispute(d) => d.parties[0].phone.clone().unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(phone("zb1"), "199****1234");
    assert_eq!(phone("ld1"), "19900001234");
}

fn triage(f: &common::Fixture, who: &str, id: &str) {
    f.call(
        who,
        ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
            tier: None,
        }
        .on(id.to_string(), None),
    )
    .unwrap();
}

fn undo(f: &common::Fixture, who: &str) -> Result<Response, DeskError> {
    f.call(who, Request::Undo)
}

#[test]
fn undo_reverts_the_officers_own_last_change_and_the_log_keeps_both() {
    let f = fixture();
    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
    triage(&f, "zb1", &id);
    f.call(
        "zb1",
        ops::Assign {
            leader: "ld1".into(),
            unit: "司法所".into(),
            person: "tj1".into(),
            deadline: Some(in_days(9)),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    let mut s = Session {
        local: f.local,
        caller: caller("zb1"),
    };
    assert_eq!(s.dispute(&id).unwrap().status, Status::Assigned);
    match s.call(Request::LastAction).unwrap() {
        Response::Undoable(Some(i)) => {
            assert_eq!(
                (i.action.as_str(), i.target.as_str()),
                ("交办", id.as_str())
            );
            assert_eq!(i.blocked, None);
        }
        other => panic!("{other:?}"),
    }
    match s.call(Request::Undo).unwrap() {
        Response::Undone(i) => assert_eq!(i.action, "交办"),
        other => panic!("{other:?}"),
    }
    let d = s.dispute(&id).unwrap();
    assert_eq!(d.status, Status::Triaged);
    assert_eq!(d.assignment, None);
    // The case's own history keeps the step and says it was undone.
    let last = &d.history.last().unwrap().what;
    assert!(last.starts_with("撤销「交办」"), "{last}");
    assert!(d.history.iter().any(|h| h.what.contains("交办")));
    // Only one step back: a second undo has nothing to undo.
    let e = s.call(Request::Undo).unwrap_err();
    assert!(e.to_string().contains("没有可以撤销的操作"), "{e}");
    let f = common::Fixture {
        dir: tempfile::tempdir().unwrap(),
        local: s.local,
    };
    let actions: Vec<String> = audit_actions(&f)
        .into_iter()
        .filter(|(_, _, t)| *t == id)
        .map(|(_, a, _)| a)
        .collect();
    assert_eq!(actions, ["登记", "研判", "交办", "撤销"]);
    assert!(f.local.store().check().unwrap().faults.is_empty());
}

#[test]
fn undoing_a_registration_removes_the_record_and_its_number_is_not_reused() {
    let f = fixture();
    let first = f.register("zb1", "西岗村", &["赵春生"]).unwrap();
    undo(&f, "zb1").unwrap();
    let e = f
        .call("zb1", Request::Dispute { id: first.clone() })
        .unwrap_err();
    assert!(matches!(e, DeskError::NotFound(_)), "{e:?}");
    let second = f.register("zb1", "西岗村", &["赵春生"]).unwrap();
    assert_ne!(first, second);
    let check = f.local.store().check().unwrap();
    assert!(check.faults.is_empty(), "{:?}", check.faults);
    assert_eq!(check.disputes, 1);
    let log = audit_actions(&f);
    assert!(log.contains(&("zb1".into(), "登记".into(), first.clone())));
    assert!(log.contains(&("zb1".into(), "撤销".into(), first)));
}

#[test]
fn undo_is_refused_after_someone_else_changed_the_record_and_is_per_officer() {
    let f = fixture();
    let id = f.register("zb1", "赵庄村", &["孙玉兰"]).unwrap();
    // admin1 has nothing of their own to undo, and cannot undo zb1's change.
    let e = undo(&f, "admin1").unwrap_err();
    assert!(e.to_string().contains("没有可以撤销的操作"), "{e}");
    triage(&f, "admin1", &id);
    let e = undo(&f, "zb1").unwrap_err();
    assert!(e.to_string().contains("新的改动"), "{e}");
    // The refusal changed nothing; admin1 may still undo their own step.
    assert!(f.call("zb1", Request::Dispute { id: id.clone() }).is_ok());
    undo(&f, "admin1").unwrap();
    match f.call("zb1", Request::Dispute { id }).unwrap() {
        Response::Dispute(d) => assert_eq!((d.status, d.risk), (Status::Registered, None)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn undo_reverts_a_key_person_visit() {
    let f = fixture();
    let pid = match f
        .call(
            "zb1",
            Request::AddPerson {
                new: new_person("tj1"),
            },
        )
        .unwrap()
    {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    f.call(
        "tj1",
        ops::VisitPerson {
            date: today(),
            method: VisitMethod::Home,
            finding: "情绪稳定，家中老人身体尚可".into(),
            failed: None,
            grade: None,
        }
        .on(pid.clone(), None),
    )
    .unwrap();
    undo(&f, "tj1").unwrap();
    match f
        .call(
            "admin1",
            Request::Person {
                id: pid.clone(),
                reason: None,
            },
        )
        .unwrap()
    {
        Response::Person(p) => assert!(p.visits.is_empty()),
        other => panic!("{other:?}"),
    }
    // zb1's registration is zb1's last action, but the record has moved on
    // since (a visit and its undoing): refused, the person stays.
    let e = undo(&f, "zb1").unwrap_err();
    assert!(e.to_string().contains("新的改动"), "{e}");
    assert!(f
        .call(
            "admin1",
            Request::Person {
                id: pid,
                reason: None
            }
        )
        .is_ok());
}

#[test]
fn a_change_sent_again_with_its_key_is_answered_again_not_applied_again() {
    let f = fixture();
    let zb = caller("zb1");
    let new = duty_desk::domain::dispute::NewDispute {
        village: "东河村".into(),
        category: "邻里".into(),
        source: Some(duty_desk::domain::lists::Source::Visit),
        summary: "两家因宅前排水沟堵塞发生争吵".into(),
        parties: vec![duty_desk::domain::dispute::Party {
            name: "钱德福".into(),
            role: duty_desk::domain::lists::PartyRole::Applicant,
            phone: None,
            person_id: None,
        }],
        ..Default::default()
    };
    let key = [42u8; 16];
    let register = || Request::Register { new: new.clone() };
    let first = f.local.handle_keyed(&zb, key, register()).unwrap();
    let Response::Created(id) = first.response else {
        panic!("{:?}", first.response)
    };
    assert!(first.notice.is_some());
    // The same key again: the first answer, no second case, no second notice.
    let again = f.local.handle_keyed(&zb, key, register()).unwrap();
    assert_eq!(again.response, Response::Created(id.clone()));
    assert!(again.notice.is_none());
    let registered = audit_actions(&f)
        .into_iter()
        .filter(|(_, action, _)| action == "登记")
        .count();
    assert_eq!(registered, 1);

    // A change that names the revision it saw: sent again, it is not taken
    // for someone else's change (no conflict), and it is applied once.
    let d = f
        .local
        .handle(&zb, Request::Dispute { id: id.clone() })
        .unwrap();
    let Response::Dispute(d) = d.response else {
        panic!()
    };
    let triage = ops::Triage {
        risk: RiskLevel::High,
        flags: vec![],
        tier: None,
    }
    .on(id.clone(), Some(d.rev));
    let key2 = [43u8; 16];
    let once = f.local.handle_keyed(&zb, key2, triage.clone()).unwrap();
    let twice = f.local.handle_keyed(&zb, key2, triage.clone()).unwrap();
    assert_eq!(once.response, twice.response);
    let triaged = audit_actions(&f)
        .into_iter()
        .filter(|(_, action, _)| action == "研判")
        .count();
    assert_eq!(triaged, 1);
    // Without the key the same request is refused as stale: the key is
    // what tells a retry from a second officer's change.
    assert!(matches!(
        f.local.handle(&zb, triage),
        Err(DeskError::Conflict { .. })
    ));

    // Another login sending someone's key gets nothing of theirs.
    let ld = f.local.handle_keyed(&caller("ld1"), key, register());
    assert!(matches!(ld, Err(DeskError::Refused(m)) if m.contains("请求编号与他人的请求相同")));
    // A refused change keeps no key: sent again once it is allowed, it is applied.
    let key3 = [44u8; 16];
    let elsewhere = || {
        let mut new = new.clone();
        new.village = "南湾村".into();
        Request::Register { new }
    };
    assert!(f.local.handle_keyed(&zb, key3, elsewhere()).is_err());
    f.call(
        "admin1",
        Request::ListAdd {
            list: duty_desk::desk::api::ListName::Villages,
            value: "南湾村".into(),
            force: false,
        },
    )
    .unwrap();
    let later = f.local.handle_keyed(&zb, key3, elsewhere()).unwrap();
    assert!(matches!(later.response, Response::Created(ref other) if *other != id));
}
