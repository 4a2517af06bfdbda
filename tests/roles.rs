//! The role table is the code: the README's table is the one the
//! operations' rules make, and every operation is tried by every role
//! against the real server core, each on its own fresh record.

mod common;

use chrono::Days;
use common::{fixture, Fixture, ROSTER};
use duty_desk::desk::api::{ListName, Request, Response};
use duty_desk::desk::clock;
use duty_desk::desk::ops::{self, roles, CaseOp, Change, Op, PersonOp, TransferTo};
use duty_desk::desk::DeskError;
use duty_desk::domain::lists::{
    ContactKind, Outcome, PersonCategory, RiskLevel, Role, Tier, VisitMethod,
};
use duty_desk::domain::person::NewPerson;

fn in_days(n: u64) -> chrono::NaiveDate {
    clock::now().date_naive() + Days::new(n)
}

/// A case assigned to tj1 under ld1; accepted unless `fresh`.
fn case(f: &Fixture, accepted: bool) -> String {
    let id = f.register("zb1", "东河村", &["王建国"]).unwrap();
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
        deadline: Some(in_days(10)),
    };
    f.call("zb1", assign.on(id.clone(), None)).unwrap();
    if accepted {
        f.call("tj1", ops::Accept.on(id.clone(), None)).unwrap();
    }
    id
}

/// A key person tj1 is the 联系干部 of, as the desk registers one.
fn new_person(name: &str) -> NewPerson {
    NewPerson {
        name: name.into(),
        village: "东河村".into(),
        category: PersonCategory::Hardship,
        risk: RiskLevel::Low,
        officer: "tj1".into(),
        interval_days: None,
        reason: "困难帮扶".into(),
        review_date: Some(in_days(300)),
        phone: None,
        id_number: None,
        grade: None,
        household: None,
    }
}

/// A key person tj1 is the 联系干部 of, registered.
fn person(f: &Fixture) -> String {
    match f
        .call(
            "zb1",
            Request::AddPerson {
                new: new_person("李某"),
            },
        )
        .unwrap()
    {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    }
}

/// A plausible request for `op`, made on a fresh record.
fn request(f: &Fixture, op: Op) -> Request {
    let on_case = |c: Change| c.on(case(f, true), None);
    match op {
        Op::Register => Request::Register {
            new: common::new_dispute("东河村", &["张某"]),
        },
        Op::AddPerson => Request::AddPerson {
            new: new_person("赵某"),
        },
        Op::Triage => {
            let id = f.register("zb1", "东河村", &["王某"]).unwrap();
            ops::Triage {
                risk: RiskLevel::High,
                flags: vec![],
                tier: Some(Tier::Township),
            }
            .on(id, None)
        }
        Op::Assign => {
            let id = f.register("zb1", "东河村", &["王某"]).unwrap();
            let triage = ops::Triage {
                risk: RiskLevel::Low,
                flags: vec![],
                tier: Some(Tier::Township),
            };
            f.call("zb1", triage.on(id.clone(), None)).unwrap();
            ops::Assign {
                leader: "ld1".into(),
                unit: "司法所".into(),
                person: "tj1".into(),
                deadline: Some(in_days(10)),
            }
            .on(id, None)
        }
        Op::Accept => ops::Accept.on(case(f, false), None),
        Op::Reject => ops::Reject {
            reason: "不属于本单位".into(),
        }
        .on(case(f, false), None),
        Op::Package => on_case(
            ops::Package {
                leader: "ld1".into(),
                team: vec!["tj1".into()],
                plan: vec![],
                deadline: in_days(20),
            }
            .into(),
        ),
        Op::Note => on_case(
            ops::Note {
                kind: ContactKind::Phone,
                text: "电话联系双方".into(),
            }
            .into(),
        ),
        Op::Supervise => on_case(ops::Supervise { on: true }.into()),
        Op::ChangeTier => on_case(
            ops::ChangeTier {
                to: Tier::County,
                reason: "涉及多个乡镇".into(),
            }
            .into(),
        ),
        Op::Close => on_case(
            ops::Close {
                outcome: Outcome::OralAgreement,
                summary: "双方口头和解".into(),
            }
            .into(),
        ),
        Op::Decide => {
            // A request waiting: the 责任人 asked for 中止.
            let id = case(f, true);
            let pause = ops::Pause {
                reason: "当事人外出".into(),
                until: in_days(30),
            };
            f.call("tj1", pause.on(id.clone(), None)).unwrap();
            ops::Decide {
                approve: true,
                comment: "同意".into(),
            }
            .on(id, None)
        }
        Op::Extend => on_case(
            ops::Extend {
                deadline: in_days(40),
                reason: "等待鉴定结果".into(),
            }
            .into(),
        ),
        Op::FollowUp => {
            let id = case(f, true);
            let close = ops::Close {
                outcome: Outcome::OralAgreement,
                summary: "双方口头和解".into(),
            };
            f.call("zb1", close.on(id.clone(), None)).unwrap();
            ops::FollowUp {
                method: VisitMethod::Phone,
                honoured: true,
                satisfaction: "满意".into(),
                rebound: false,
                finding: "协议已履行".into(),
                reopen: false,
            }
            .on(id, None)
        }
        Op::Reopen => on_case(
            ops::Reopen {
                reason: "纠纷反弹".into(),
            }
            .into(),
        ),
        Op::AckAlert => on_case(ops::AckAlert.into()),
        Op::Transfer => on_case(
            ops::Transfer {
                to: TransferTo::Unit {
                    unit: "派出所".into(),
                    person: "tj2".into(),
                },
                reason: "涉及治安".into(),
            }
            .into(),
        ),
        Op::Pause => on_case(
            ops::Pause {
                reason: "诉讼中".into(),
                until: in_days(30),
            }
            .into(),
        ),
        Op::Resume => {
            let id = case(f, true);
            let pause = ops::Pause {
                reason: "诉讼中".into(),
                until: in_days(30),
            };
            f.call("zb1", pause.on(id.clone(), None)).unwrap();
            ops::Resume.on(id, None)
        }
        Op::VisitPerson => ops::VisitPerson {
            date: in_days(0),
            method: VisitMethod::Home,
            finding: "生活稳定".into(),
            failed: None,
            grade: None,
        }
        .on(person(f), None),
        Op::ReviewPerson => ops::ReviewPerson {
            reason: "仍需帮扶".into(),
            next_review: Some(in_days(200)),
        }
        .on(person(f), None),
        Op::AckPersonAlert => ops::AckPersonAlert {
            plan: "每周电话联系".into(),
        }
        .on(person(f), None),
        Op::MarkHousehold => ops::MarkHousehold {
            township: Some("北关镇".into()),
        }
        .on(person(f), None),
    }
}

#[test]
fn the_readme_role_table_is_the_one_the_operations_make() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = roles::table();
    assert!(
        readme.contains(&table),
        "README 的角色表与代码不同，请换成：\n{table}"
    );
    // Where a case goes, and whether it stops, are the desk's decisions.
    let responsible = table.lines().find(|l| l.starts_with("| 责任人")).unwrap();
    assert!(!responsible.contains("转办"), "{responsible}");
}

#[test]
fn every_operation_by_every_role_is_refused_exactly_where_the_table_says() {
    let f = fixture();
    f.call(
        "admin1",
        Request::ListAdd {
            list: ListName::Townships,
            value: "北关镇".into(),
            force: false,
        },
    )
    .unwrap();
    let mut tried = 0;
    for &op in Op::ALL {
        for &(login, _, _, role) in ROSTER {
            // tj1 works every record made here; tj2 none of them.
            let own = login == "tj1";
            let allowed = op.spec().who.allows(role, own);
            let got = f.call(login, request(&f, op));
            let refused = matches!(got, Err(DeskError::Forbidden(_)));
            assert_eq!(
                refused,
                !allowed,
                "{op:?} by {login} ({}): {got:?}",
                role.label()
            );
            if allowed {
                // Allowed and well-formed: done, or at worst "not now".
                assert!(
                    matches!(got, Ok(_) | Err(DeskError::Refused(_))),
                    "{op:?} by {login}: {got:?}"
                );
            }
            tried += 1;
        }
    }
    assert_eq!(tried, Op::ALL.len() * ROSTER.len());
    // The rules the walk met, by role: nobody but the desk and the
    // record's own people acts.
    assert!(!Op::ALL
        .iter()
        .any(|op| op.spec().who.allows(Role::ReadOnly, true)));
}
