//! Key persons on a need-to-know basis (issue 16), through the Desk API:
//! scope per role, every look names whom, break the glass, the access
//! report, cadence by grade, 失访, and the 通报 export.

mod common;

use common::fixture;
use duty_desk::desk::api::LogEntry;
use duty_desk::desk::api::{RegisterCounts, Request, Response, RulesEdit};
use duty_desk::desk::ops::{self, CaseOp, PersonOp};
use duty_desk::desk::DeskError;
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{
    FailReason, PartyRole, PersonCategory, PersonGrade, RiskLevel, Source, VisitMethod,
};
use duty_desk::domain::person::{KeyPerson, NewPerson};
use duty_desk::domain::record::{target_ids, Read};
use duty_desk::domain::reports::{Figures, Kind, Spec};

fn in_days(n: u64) -> chrono::NaiveDate {
    duty_desk::desk::clock::now().date_naive() + chrono::Days::new(n)
}

fn person(name: &str, officer: &str, category: PersonCategory) -> NewPerson {
    NewPerson {
        name: name.into(),
        village: "西岗村".into(),
        category,
        risk: RiskLevel::Medium,
        officer: officer.into(),
        interval_days: None,
        reason: "需定期走访帮扶".into(),
        review_date: Some(in_days(180)),
        phone: None,
        id_number: None,
        grade: None,
        household: None,
    }
}

fn add(f: &common::Fixture, new: NewPerson) -> String {
    match f.call("zb1", Request::AddPerson { new }).unwrap() {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    }
}

fn list(f: &common::Fixture, who: &str) -> Result<Vec<String>, DeskError> {
    match f.call(
        who,
        Request::Persons {
            include_ended: false,
        },
    )? {
        Response::Persons(p) => Ok(p.into_iter().map(|p| p.id).collect()),
        other => panic!("{other:?}"),
    }
}

fn show(
    f: &common::Fixture,
    who: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<KeyPerson, DeskError> {
    match f.call(
        who,
        Request::Person {
            id: id.into(),
            reason: reason.map(str::to_string),
        },
    )? {
        Response::Person(p) => Ok(*p),
        other => panic!("{other:?}"),
    }
}

fn events(f: &common::Fixture) -> Vec<LogEntry> {
    match f.call("admin1", Request::Audit { since: None }).unwrap() {
        Response::Audit(e) => e,
        other => panic!("{other:?}"),
    }
}

/// The reads (action, ids) an officer's looks wrote, in order.
fn reads_by(f: &common::Fixture, who: &str) -> Vec<(Read, Vec<String>)> {
    events(f)
        .into_iter()
        .filter(|e| e.actor == who)
        .filter_map(|e| Some((Read::of_action(&e.action)?, target_ids(&e.target))))
        .collect()
}

/// Three persons: P1 (tj1's), P2 and P3 (tj2's); a case assigned to tj1
/// names P3 as a party.
fn register_world(f: &common::Fixture) -> (String, String, String, String) {
    let p1 = add(f, person("甲某", "tj1", PersonCategory::Hardship));
    let p2 = add(f, person("乙某", "tj2", PersonCategory::Released));
    let p3 = add(f, person("丙某", "tj2", PersonCategory::HighRiskPetitioner));
    let mut party = Party::new("丙某", PartyRole::Applicant, None).unwrap();
    party.person_id = Some(p3.clone());
    let new = NewDispute {
        village: "西岗村".into(),
        category: "邻里".into(),
        source: Some(Source::Visit),
        summary: "院墙漏雨引发争执".into(),
        parties: vec![party],
        ..Default::default()
    };
    let case = match f.call("zb1", Request::Register { new }).unwrap() {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    f.call(
        "zb1",
        ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
            tier: None,
        }
        .on(case.clone(), None),
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
        .on(case.clone(), None),
    )
    .unwrap();
    (p1, p2, p3, case)
}

#[test]
fn each_role_sees_whom_it_must_and_every_look_names_whom() {
    let f = fixture();
    let (p1, p2, p3, case) = register_world(&f);
    // The register for the desk roles; own and linked persons for a 责任人.
    assert_eq!(
        list(&f, "zb1").unwrap(),
        vec![p1.clone(), p2.clone(), p3.clone()]
    );
    assert_eq!(list(&f, "ld1").unwrap().len(), 3);
    assert_eq!(list(&f, "tj1").unwrap(), vec![p1.clone(), p3.clone()]);
    assert_eq!(list(&f, "tj2").unwrap(), vec![p2.clone(), p3.clone()]);
    // 只读: counts, not people.
    assert!(matches!(list(&f, "ck1"), Err(DeskError::Forbidden(_))));
    assert!(matches!(
        show(&f, "ck1", &p1, Some("看看")),
        Err(DeskError::Forbidden(_))
    ));
    let counts: RegisterCounts = match f.call("ck1", Request::PersonCounts).unwrap() {
        Response::PersonCounts(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(counts.active, 3);
    // Each list read names exactly the persons it showed.
    assert_eq!(
        reads_by(&f, "tj1"),
        vec![(Read::Persons, vec![p1.clone(), p3.clone()])]
    );
    assert_eq!(reads_by(&f, "ck1"), vec![], "a refused look shows no one");

    // A case detail that shows a linked person is a look at that person.
    f.call("zb1", Request::Dispute { id: case.clone() })
        .unwrap();
    assert_eq!(
        reads_by(&f, "zb1").last().unwrap(),
        &(Read::Linked, vec![p3.clone()])
    );

    // Exports obey the role and name the persons written.
    assert!(matches!(
        f.call(
            "tj1",
            Request::ExportPersons {
                include_ended: false,
                notify: None
            }
        ),
        Err(DeskError::Forbidden(_))
    ));
    f.call(
        "ld1",
        Request::ExportPersons {
            include_ended: false,
            notify: None,
        },
    )
    .unwrap();
    assert_eq!(
        reads_by(&f, "ld1").last().unwrap(),
        &(Read::Export, vec![p1.clone(), p2.clone(), p3.clone()])
    );
}

#[test]
fn out_of_scope_only_with_a_reason_recorded_and_marked() {
    let f = fixture();
    let (p1, p2, p3, _) = register_world(&f);
    assert_eq!(show(&f, "tj1", &p1, None).unwrap().name, "甲某");
    assert_eq!(
        show(&f, "tj1", &p3, None).unwrap().name,
        "丙某",
        "linked to tj1's case"
    );
    let err = show(&f, "tj1", &p2, None).unwrap_err();
    assert!(
        matches!(&err, DeskError::Forbidden(m) if m.contains("--reason")),
        "{err}"
    );
    // A reason in form only is none: refused, and nothing is shown or logged.
    for empty in [".", "\u{200b}", "。。？！", " \u{200b}a\u{200d} "] {
        let err = show(&f, "tj1", &p2, Some(empty)).unwrap_err();
        assert!(
            matches!(&err, DeskError::Invalid(m) if m.contains("至少写 4 个字")),
            "{empty:?}: {err}"
        );
    }
    let p = show(&f, "tj1", &p2, Some("当事人来电称其扬言报复，核实身份")).unwrap();
    assert_eq!(p.name, "乙某");
    let glass: Vec<LogEntry> = events(&f)
        .into_iter()
        .filter(|e| e.action == Read::BreakGlass.action())
        .collect();
    assert_eq!(glass.len(), 1);
    assert_eq!(glass[0].actor, "tj1");
    assert_eq!(glass[0].target, p2);
    assert!(glass[0].detail.contains("【破格】") && glass[0].detail.contains("扬言报复"));

    // The access report: 领导 and 管理员 only; the break-the-glass read is flagged.
    let spec = Spec {
        kind: Kind::Access,
        date: None,
        from: None,
        since: None,
        to: None,
        officer: Some("tj1".into()),
    };
    assert!(matches!(
        f.call("zb1", Request::Report { spec: spec.clone() }),
        Err(DeskError::Forbidden(_))
    ));
    let r = match f.call("ld1", Request::Report { spec }).unwrap() {
        Response::Report(r) => r,
        other => panic!("{other:?}"),
    };
    let Figures::Access(a) = &r.figures else {
        panic!("{r:?}")
    };
    assert_eq!(a.officers.len(), 1, "only tj1's reads: {:?}", a.officers);
    assert!(a.flags.iter().any(|fl| fl.kind
        == duty_desk::domain::reports::access::FlagKind::BreakGlass
        && fl.persons == vec![p2.clone()]));
    assert!(r.text.contains("破格查阅"), "{}", r.text);
}

#[test]
fn cadence_follows_the_grade_and_the_table_is_the_admins() {
    let f = fixture();
    let mut new = person("丁某", "tj1", PersonCategory::MentalDisorder);
    new.grade = Some(PersonGrade::G0);
    let id = add(&f, new);
    assert_eq!(show(&f, "zb1", &id, None).unwrap().interval_days, 90);
    // 低/中/高 do not fit 严重精神障碍患者.
    let mut bad = person("戊某", "tj1", PersonCategory::MentalDisorder);
    bad.grade = Some(PersonGrade::High);
    assert!(matches!(
        f.call("zb1", Request::AddPerson { new: bad }),
        Err(DeskError::Invalid(_))
    ));
    let edit = RulesEdit::Cadence {
        category: PersonCategory::MentalDisorder,
        grade: PersonGrade::G0,
        days: 60,
    };
    assert!(matches!(
        f.call("zb1", Request::SetPersonRules { edit: edit.clone() }),
        Err(DeskError::Forbidden(_))
    ));
    f.call("admin1", Request::SetPersonRules { edit }).unwrap();
    let p = show(&f, "zb1", &id, None).unwrap();
    assert_eq!(p.interval_days, 60, "the change reaches the register");
    assert_eq!(
        p.next_visit_due(),
        p.registered_at.date_naive() + chrono::Days::new(60)
    );
    assert!(events(&f)
        .iter()
        .any(|e| e.action == "修改重点人员规则" && e.actor == "admin1"));

    // A grade of 4 at a visit: within two weeks, and an alert.
    f.call(
        "tj1",
        ops::VisitPerson {
            date: in_days(0),
            method: VisitMethod::Home,
            finding: "砸家中物品，劝说不停".into(),
            failed: None,
            grade: Some(PersonGrade::G4),
        }
        .on(id.clone(), None),
    )
    .unwrap();
    let p = show(&f, "zb1", &id, None).unwrap();
    assert_eq!(p.interval_days, 14);
    assert_eq!(p.next_visit_due(), in_days(14));
    assert_eq!(p.open_alerts().count(), 1);
}

#[test]
fn three_failed_visits_raise_lost_contact_acknowledged_with_a_plan() {
    let f = fixture();
    let id = add(&f, person("己某", "tj1", PersonCategory::Released));
    let failed = |who: &str| {
        f.call(
            who,
            ops::VisitPerson {
                date: in_days(0),
                method: VisitMethod::Home,
                finding: String::new(),
                failed: Some(FailReason::Away),
                grade: None,
            }
            .on(id.clone(), None),
        )
    };
    assert!(matches!(failed("tj2"), Err(DeskError::Forbidden(_))));
    failed("tj1").unwrap();
    failed("tj1").unwrap();
    let counts = |f: &common::Fixture| match f.call("ck1", Request::PersonCounts).unwrap() {
        Response::PersonCounts(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(counts(&f).standing.lost, 0);
    failed("tj1").unwrap();
    assert_eq!(counts(&f).standing.lost, 1);
    let p = show(&f, "zb1", &id, None).unwrap();
    assert!(p.lost_contact());
    assert_eq!(p.last_visit(), None, "no successful visit yet");
    assert!(events(&f).iter().any(|e| e.detail.contains("预警：失访")));

    let ack = |who: &str, plan: &str| {
        f.call(
            who,
            ops::AckPersonAlert { plan: plan.into() }.on(id.clone(), None),
        )
    };
    assert!(matches!(
        ack("tj1", "联系家属"),
        Err(DeskError::Forbidden(_))
    ));
    assert!(matches!(ack("zb1", " "), Err(DeskError::Invalid(_))));
    ack("zb1", "联系务工地派出所协查，家属每周报平安").unwrap();
    let p = show(&f, "ld1", &id, None).unwrap();
    assert!(!p.lost_contact());
    assert_eq!(
        p.alerts[0].plan.as_deref(),
        Some("联系务工地派出所协查，家属每周报平安")
    );
    assert_eq!(counts(&f).standing.lost, 0);
}

#[test]
fn the_notify_export_lists_another_townships_persons_and_logs_their_ids() {
    let f = fixture();
    let (p1, _, p3, _) = register_world(&f);
    for id in [&p1, &p3] {
        f.call(
            "zb1",
            ops::MarkHousehold {
                township: Some("临河镇".into()),
            }
            .on(id.to_string(), None),
        )
        .unwrap();
    }
    f.call(
        "zb1",
        ops::MarkHousehold { township: None }.on(p3.clone(), None),
    )
    .unwrap();
    let out = match f
        .call(
            "zb1",
            Request::ExportPersons {
                include_ended: false,
                notify: Some("临河镇".into()),
            },
        )
        .unwrap()
    {
        Response::Persons(p) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].id, p1);
    assert_eq!(out[0].household.as_deref(), Some("临河镇"));
    let export = events(&f)
        .into_iter()
        .rfind(|e| e.action == Read::Export.action())
        .unwrap();
    assert_eq!(export.target, p1);
    assert_eq!(export.detail, "通报临河镇 1 人");
}

#[test]
fn a_transfer_opens_the_linked_persons_to_its_receiver_only_once_signed_for() {
    let f = fixture();
    register_world(&f);
    // A person of tj1's, named in a case of tj1's: not tj2's to see.
    let p4 = add(&f, person("丁某", "tj1", PersonCategory::Hardship));
    let mut party = Party::new("丁某", PartyRole::Respondent, None).unwrap();
    party.person_id = Some(p4.clone());
    let new = NewDispute {
        village: "西岗村".into(),
        category: "邻里".into(),
        source: Some(Source::Visit),
        summary: "排水沟堵塞".into(),
        parties: vec![party],
        ..Default::default()
    };
    let second = match f.call("zb1", Request::Register { new }).unwrap() {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let triage = ops::Triage {
        risk: RiskLevel::Low,
        flags: vec![],
        tier: None,
    };
    f.call("zb1", triage.on(second.clone(), None)).unwrap();
    let assign = ops::Assign {
        leader: "ld1".into(),
        unit: "司法所".into(),
        person: "tj1".into(),
        deadline: None,
    };
    f.call("zb1", assign.on(second.clone(), None)).unwrap();
    f.call("tj1", ops::Accept.on(second.clone(), None)).unwrap();
    assert!(show(&f, "tj2", &p4, None).is_err(), "not tj2's");
    let transfer = ops::Transfer {
        to: ops::TransferTo::Unit {
            unit: "司法所".into(),
            person: "tj2".into(),
        },
        reason: "由唐秀英接办".into(),
    };
    f.call("zb1", transfer.on(second.clone(), None)).unwrap();
    // Sent, not yet signed for: nothing opens to the receiver.
    let err = show(&f, "tj2", &p4, None).unwrap_err();
    assert!(
        matches!(&err, DeskError::Forbidden(m) if m.contains("--reason")),
        "{err}"
    );
    f.call("tj2", ops::Accept.on(second.clone(), None)).unwrap();
    assert_eq!(show(&f, "tj2", &p4, None).unwrap().name, "丁某");
}
