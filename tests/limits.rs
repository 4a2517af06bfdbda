//! Issue 13, points 9 and 11: the limits of `domain::limits` hold through the
//! Desk API (whatever a client sends) and through the CLI; names lose their
//! invisible characters; drafts are kept only for those who may submit the
//! form, and only so large.

mod common;

use common::cli::{add_dispute_args, Cli};
use common::fixture;
use duty_desk::desk::api::{DraftSlot, Request, Response};
use duty_desk::desk::ops::{self, CaseOp, Op};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::limits::{MAX_DRAFT_BYTES, MAX_PARTIES};
use duty_desk::domain::lists::{PartyRole, RiskLevel, Source};
use duty_desk::domain::reports::{Figures, Kind, Spec};

fn party(name: &str) -> Party {
    // Built raw, as a hostile client could send it.
    Party {
        name: name.into(),
        role: PartyRole::Applicant,
        phone: None,
        person_id: None,
    }
}

fn dispute(parties: Vec<Party>) -> NewDispute {
    NewDispute {
        village: "东河村".into(),
        category: "邻里".into(),
        source: Some(Source::Visit),
        summary: "两家因宅前排水沟堵塞发生争吵".into(),
        parties,
        ..Default::default()
    }
}

#[test]
fn amounts_people_and_parties_past_the_limits_are_refused_through_the_api() {
    let f = fixture();
    let refuse = |new: NewDispute| {
        f.call("zb1", Request::Register { new })
            .unwrap_err()
            .to_string()
    };
    let mut new = dispute(vec![party("王五")]);
    new.amount = Some(u64::MAX);
    let e = refuse(new);
    assert!(
        e.contains("涉及金额过大") && e.contains("最多 1,000,000,000元"),
        "{e}"
    );

    let mut new = dispute(vec![party("王五")]);
    new.people_involved = u32::MAX;
    let e = refuse(new);
    assert!(
        e.contains("涉及人数过大") && e.contains("最多 100,000人"),
        "{e}"
    );

    let many: Vec<Party> = (0..20_000).map(|i| party(&format!("当事人{i}"))).collect();
    let e = refuse(dispute(many));
    assert!(
        e.contains("当事人过多（20000 名）") && e.contains("最多 200 名"),
        "{e}"
    );

    let e = refuse(dispute(vec![party(&"张".repeat(51))]));
    assert_eq!(e, "当事人姓名过长（51 个字），最多 50 个字");
    let mut new = dispute(vec![party("王五")]);
    new.summary = "情".repeat(5001);
    assert!(refuse(new).contains("矛盾情况过长（5001 个字），最多 5000 个字"));

    // At the limits, all is taken.
    let at: Vec<Party> = (0..MAX_PARTIES)
        .map(|i| party(&format!("代表{i}")))
        .collect();
    let mut new = dispute(at);
    new.amount = Some(1_000_000_000);
    new.people_involved = 100_000;
    let id = f.call("zb1", Request::Register { new }).unwrap();
    let Response::Created(id) = id else {
        panic!("{id:?}")
    };
    let Response::Dispute(d) = f.call("zb1", Request::Dispute { id }).unwrap() else {
        panic!()
    };
    assert_eq!(
        (d.parties.len(), d.amount, d.people_involved),
        (200, Some(1_000_000_000), 100_000)
    );
}

#[test]
fn a_person_past_the_limits_is_refused_through_the_api() {
    use duty_desk::domain::lists::PersonCategory;
    use duty_desk::domain::person::NewPerson;
    let f = fixture();
    let person = |name: &str, reason: &str| NewPerson {
        name: name.into(),
        village: "西岗村".into(),
        category: PersonCategory::HighRiskPetitioner,
        risk: RiskLevel::High,
        officer: "tj1".into(),
        interval_days: None,
        reason: reason.into(),
        review_date: Some(duty_desk::desk::clock::now().date_naive() + chrono::Days::new(90)),
        phone: None,
        id_number: None,
        grade: None,
        household: None,
    };
    let e = f
        .call(
            "zb1",
            Request::AddPerson {
                new: person("周德华", &"访".repeat(501)),
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "列管理由过长（501 个字），最多 500 个字");
    let e = f
        .call(
            "zb1",
            Request::AddPerson {
                new: person(&"周".repeat(60), "反复信访"),
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "姓名过长（60 个字），最多 50 个字");
    // A name made of invisible characters is no name.
    let e = f
        .call(
            "zb1",
            Request::AddPerson {
                new: person("\u{200b}\u{200d}\u{feff}", "反复信访"),
            },
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "姓名不能为空");
    let Response::Created(id) = f
        .call(
            "zb1",
            Request::AddPerson {
                new: person("周\u{200c}德华", "反复信访"),
            },
        )
        .unwrap()
    else {
        panic!()
    };
    let Response::Person(p) = f.call("zb1", Request::Person { id, reason: None }).unwrap() else {
        panic!()
    };
    assert_eq!(p.name, "周德华");
}

#[test]
fn a_zero_width_joiner_does_not_hide_a_repeat_party() {
    let f = fixture();
    let first = f.register("zb1", "东河村", &["王五"]).unwrap();
    let second = f
        .register("zb1", "东河村", &["王\u{200d}五", "赵\u{200b}六"])
        .unwrap();
    let Response::Dispute(d) = f
        .call("zb1", Request::Dispute { id: second.clone() })
        .unwrap()
    else {
        panic!()
    };
    let names: Vec<&str> = d.parties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["王五", "赵六"]);
    assert_eq!(d.title, "王五与赵六邻里纠纷");
    // The risk ranking counts the same party's other case.
    for id in [&first, &second] {
        f.local
            .handle(
                &common::caller("zb1"),
                ops::Triage {
                    risk: RiskLevel::High,
                    flags: vec![],
                    tier: None,
                }
                .on(id.to_string(), None),
            )
            .unwrap();
    }
    let spec = Spec {
        kind: Kind::Analysis,
        date: None,
        from: None,
        since: None,
        to: None,
        officer: None,
    };
    let Response::Report(r) = f.call("zb1", Request::Report { spec }).unwrap() else {
        panic!()
    };
    let Figures::Analysis(a) = &r.figures else {
        panic!()
    };
    let line = a.top_risks.iter().find(|l| l.id == second).expect("ranked");
    assert!(
        line.reasons
            .iter()
            .any(|(why, _)| why == "同一当事人另有1件纠纷"),
        "{:?}",
        line.reasons
    );
}

#[test]
fn the_cli_refuses_amounts_and_people_past_the_limits_in_chinese() {
    let cli = Cli::with_roster();
    let add = |extra: &[&str]| {
        let mut args = add_dispute_args("东河村", "群众来访", "邻里排水纠纷", "王五");
        args.extend_from_slice(extra);
        cli.fails(&args)
    };
    let e = add(&["--amount", "1e10"]);
    assert!(
        e.contains("涉及金额过大") && e.contains("最多 1,000,000,000元"),
        "{e}"
    );
    let e2 = add(&["--amount", "9999999999万元"]);
    assert!(
        e2.contains("涉及金额过大") && e2.contains("最多 1,000,000,000元"),
        "{e2}"
    );
    let e = add(&["--amount", "-5万元"]);
    assert!(e.contains("涉及金额不能为负数"), "{e}");
    assert!(!e.contains("不认识") && !e.contains("unexpected"), "{e}");
    let e = add(&["--people", "4294967295"]);
    assert!(
        e.contains("涉及人数过大") && e.contains("最多 100,000人"),
        "{e}"
    );
    let e = add(&["--people", "-3"]);
    assert!(e.contains("涉及人数不能为负数"), "{e}");
    let long = "张".repeat(51);
    let e = cli.fails(&add_dispute_args(
        "东河村",
        "群众来访",
        "邻里排水纠纷",
        &long,
    ));
    assert!(e.contains("当事人姓名过长（51 个字），最多 50 个字"), "{e}");
    // Inside the limits, and a name with a zero-width space, all is taken.
    let mut args = add_dispute_args("东河村", "群众来访", "邻里排水纠纷", "王\u{200b}五");
    args.extend_from_slice(&["--amount", "3.5万元", "--people", "12人"]);
    let v = cli.json(&args);
    let id = v["id"].as_str().unwrap().to_string();
    let shown = cli.ok(&["show", &id]);
    assert!(
        shown.contains("王五") && !shown.contains('\u{200b}'),
        "{shown}"
    );
}

fn save(
    f: &common::Fixture,
    who: &str,
    form: Option<Op>,
    value: String,
) -> Result<Response, String> {
    f.call(
        who,
        Request::SaveDraft {
            slot: DraftSlot::Form,
            form,
            value: Some(value),
        },
    )
    .map_err(|e| e.to_string())
}

fn draft(f: &common::Fixture, who: &str, slot: DraftSlot) -> Option<String> {
    match f.call(who, Request::Draft { slot }).unwrap() {
        Response::Draft(d) => d,
        other => panic!("{other:?}"),
    }
}

#[test]
fn drafts_only_for_who_may_submit_the_form_and_only_so_large() {
    let f = fixture();
    // 只读 may submit no form: no draft either.
    let e = save(&f, "ck1", Some(Op::Register), "{}".into()).unwrap_err();
    assert!(
        e.starts_with("无权保存「登记矛盾纠纷」草稿") && e.contains("只读"),
        "{e}"
    );
    assert_eq!(draft(&f, "ck1", DraftSlot::Form), None);
    let e = save(&f, "ck1", None, "{}".into()).unwrap_err();
    assert!(e.contains("无权保存「点名报告」草稿"), "{e}");
    // 责任人 may write a progress note (on their cases) but not register.
    assert!(save(&f, "tj1", Some(Op::Note), "{\"n\":1}".into()).is_ok());
    let e = save(&f, "tj1", Some(Op::Register), "{}".into()).unwrap_err();
    assert!(e.contains("无权保存「登记矛盾纠纷」草稿"), "{e}");
    // Anyone on the roster keeps the shift mark.
    f.call(
        "ck1",
        Request::SaveDraft {
            slot: DraftSlot::Shift,
            form: None,
            value: Some("2026-11-20T08:00:00+08:00".into()),
        },
    )
    .unwrap();
    assert_eq!(
        draft(&f, "ck1", DraftSlot::Shift).as_deref(),
        Some("2026-11-20T08:00:00+08:00")
    );

    // One slot per officer: the next form's draft replaces the last.
    save(&f, "zb1", Some(Op::Register), "第一张".into()).unwrap();
    save(&f, "zb1", Some(Op::Assign), "第二张".into()).unwrap();
    assert_eq!(draft(&f, "zb1", DraftSlot::Form).as_deref(), Some("第二张"));
    // Past the size limit: refused, the kept draft untouched.
    let e = save(
        &f,
        "zb1",
        Some(Op::Register),
        "x".repeat(MAX_DRAFT_BYTES + 1),
    )
    .unwrap_err();
    assert!(e.contains("草稿过大") && e.contains("最多 64 KB"), "{e}");
    assert_eq!(draft(&f, "zb1", DraftSlot::Form).as_deref(), Some("第二张"));
    save(&f, "zb1", Some(Op::Register), "x".repeat(MAX_DRAFT_BYTES)).unwrap();
    // Dropping one's own draft needs no right.
    f.call(
        "zb1",
        Request::SaveDraft {
            slot: DraftSlot::Form,
            form: None,
            value: None,
        },
    )
    .unwrap();
    assert_eq!(draft(&f, "zb1", DraftSlot::Form), None);
}

#[test]
fn saved_views_are_kept_per_officer_for_anyone_and_only_so_large() {
    let f = fixture();
    let keep = |who: &str, value: String| {
        f.call(
            who,
            Request::SaveDraft {
                slot: DraftSlot::Views,
                form: None,
                value: Some(value),
            },
        )
        .map_err(|e| e.to_string())
    };
    // Even 只读 may keep a way of looking at the lists.
    keep("ck1", r#"{"逾期":{"screen":"督办","filter":""}}"#.into()).unwrap();
    keep(
        "zb1",
        r#"{"东河":{"screen":"风险队列","filter":"东河村"}}"#.into(),
    )
    .unwrap();
    assert_eq!(
        draft(&f, "ck1", DraftSlot::Views).as_deref(),
        Some(r#"{"逾期":{"screen":"督办","filter":""}}"#)
    );
    assert!(draft(&f, "zb1", DraftSlot::Views)
        .unwrap()
        .contains("东河村"));
    assert_eq!(draft(&f, "tj1", DraftSlot::Views), None);
    // Views are not a draft: the form's slot is untouched.
    assert_eq!(draft(&f, "zb1", DraftSlot::Form), None);
    let e = keep("zb1", "x".repeat(MAX_DRAFT_BYTES + 1)).unwrap_err();
    assert!(e.contains("保存的视图过大"), "{e}");
    assert!(draft(&f, "zb1", DraftSlot::Views)
        .unwrap()
        .contains("东河村"));
}
