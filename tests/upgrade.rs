//! A database written by the release the packages first shipped (0.1.0,
//! committed as `tests/data/release-0.1.0.redb`: `desk init`, `desk demo
//! --disputes 50 --persons 6 --seed 7`, then a case registered, triaged,
//! assigned and noted, a key person visited and looked at, a village and an
//! officer added) opens with this build — migrating if the schema moved —
//! with every record, the roster, the lists and the audit chain intact, and
//! takes new work. When a release changes the schema, this is the test that
//! says the package upgrade keeps the township's data.

mod common;

use std::path::PathBuf;

use common::cli::BIN;
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::{Caller, Local};
use duty_desk::domain::lists::Role;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/release-0.1.0.redb");

fn copy_of_fixture(dir: &tempfile::TempDir) -> PathBuf {
    let db = dir.path().join("desk.redb");
    std::fs::copy(FIXTURE, &db).unwrap();
    db
}

fn root() -> Caller {
    Caller {
        login: "root".into(),
        uid: 0,
    }
}

fn call(local: &Local, req: Request) -> Response {
    local.handle(&root(), req).unwrap().response
}

#[test]
fn the_first_release_database_opens_with_everything_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_fixture(&dir);
    let local = Local::open(&db).unwrap();

    let Response::Check(check) = call(&local, Request::Check) else {
        panic!("check")
    };
    assert!(check.faults.is_empty(), "{:?}", check.faults);
    assert_eq!((check.disputes, check.persons), (51, 6));
    // A schema migration adds one audited event of its own; nothing is lost.
    assert!(check.audit_events >= 13, "{}", check.audit_events);

    let Response::Dispute(d) = call(
        &local,
        Request::Dispute {
            id: "MD-2026-000051".into(),
        },
    ) else {
        panic!("dispute")
    };
    assert_eq!(d.village, "赵庄村");
    assert_eq!(d.amount, Some(30_000));
    assert_eq!(d.people_involved, 2);
    let parties: Vec<(&str, Option<&str>)> = d
        .parties
        .iter()
        .map(|p| (p.name.as_str(), p.phone.as_deref()))
        .collect();
    assert_eq!(parties, [("王五", Some("19900001234")), ("赵六", None)]);
    let a = d.assignment.as_ref().expect("assigned");
    assert_eq!((a.leader.as_str(), a.person.as_str()), ("ld1", "tj1"));
    assert_eq!(d.status.label(), "已交办");

    let Response::Officers(officers) = call(&local, Request::Officers) else {
        panic!("officers")
    };
    let role = |login: &str| officers.iter().find(|o| o.login == login).map(|o| o.role);
    assert_eq!(role("root"), Some(Role::Admin));
    assert_eq!(role("zb9"), Some(Role::DutyOfficer));
    assert_eq!(officers.len(), 15, "{officers:?}");

    let Response::Lists(lists) = call(&local, Request::Lists) else {
        panic!("lists")
    };
    assert!(lists.villages.iter().any(|v| v == "北岗村"));

    let Response::Audit(log) = call(&local, Request::Audit { since: None }) else {
        panic!("audit")
    };
    let actions: Vec<&str> = log.iter().take(13).map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "初始化",
            "生成演示数据",
            "生成演示数据",
            "生成演示数据",
            "查阅重点人员名单",
            "登记",
            "研判",
            "交办",
            "添加进展",
            "走访重点人员",
            "查阅重点人员",
            "维护名录",
            "加入名册"
        ]
    );
}

#[test]
fn the_first_release_database_takes_new_work_and_still_checks() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of_fixture(&dir);
    {
        let local = Local::open(&db).unwrap();
        let new = common::new_dispute("北岗村", &["钱七", "孙八"]);
        let Response::Created(id) = call(&local, Request::Register { new }) else {
            panic!("register")
        };
        assert_eq!(id, "MD-2026-000052");
    }
    // `desk check` reads the file as the upgraded program left it.
    let out = std::process::Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "check"])
        .env("HOME", dir.path())
        .env("DESK_SOCKET", dir.path().join("none.sock"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("检查通过：案件 52 件，重点人员 6 人"),
        "{said}"
    );
}
