//! Shared fixtures: a temp database with a synthetic roster and villages.
#![allow(dead_code)]

use duty_desk::desk::api::{ListName, Request, Response};
use duty_desk::desk::{Caller, DeskError, Local};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Role, Source};
use duty_desk::domain::officer::Officer;

/// Set by a developer's quick local run to let tests that need what the
/// machine lacks (root, mount) pass without running; `.ci/run` never sets it.
pub const ALLOW_SKIP: &str = "DESK_TEST_ALLOW_SKIP";

/// Whether a test that needs `what` may go on: true when `have`. Without it
/// the test fails naming what it needs, unless the run allows skipping
/// (`DESK_TEST_ALLOW_SKIP`), when it says so and the test stops there.
pub fn require(have: bool, what: &str) -> bool {
    if have {
        return true;
    }
    if std::env::var_os(ALLOW_SKIP).is_some() {
        eprintln!("跳过（{ALLOW_SKIP} 已设）：{what}");
        return false;
    }
    panic!("这个测试在这里不能运行：{what}。请以 root 运行（CI 就是这样），或设 {ALLOW_SKIP}=1 明确允许跳过");
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Waits for `cond`, checking every 20 ms, failing after `secs` seconds.
pub fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(secs),
            "{secs} 秒内没有等到：{what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub local: Local,
}

pub fn caller(login: &str) -> Caller {
    // Not root and not the file owner: the roster decides.
    Caller {
        login: login.to_string(),
        uid: 4_000_000,
    }
}

pub const ROSTER: &[(&str, &str, &str, Role)] = &[
    ("admin1", "林晓燕", "综治中心", Role::Admin),
    ("ld1", "郑国庆", "镇党委", Role::Leader),
    ("ld2", "韩立新", "派出所", Role::Leader),
    ("zb1", "宋雪梅", "综治中心", Role::DutyOfficer),
    ("tj1", "冯志强", "司法所", Role::Responsible),
    ("tj2", "唐秀英", "司法所", Role::Responsible),
    ("ck1", "董文斌", "县综治中心", Role::ReadOnly),
];

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let local = Local::open(&dir.path().join("desk.redb")).unwrap();
    let root = Caller {
        login: "root".into(),
        uid: 0,
    };
    for (login, name, unit, role) in ROSTER {
        let officer = Officer::new(login, name, unit, *role).unwrap();
        local.handle(&root, Request::RosterAdd { officer }).unwrap();
    }
    for v in ["东河村", "西岗村", "赵庄村"] {
        local
            .handle(
                &caller("admin1"),
                Request::ListAdd {
                    list: ListName::Villages,
                    value: v.into(),
                    force: false,
                },
            )
            .unwrap();
    }
    Fixture { dir, local }
}

impl Fixture {
    pub fn call(&self, who: &str, req: Request) -> Result<Response, DeskError> {
        self.local.handle(&caller(who), req).map(|r| r.response)
    }

    pub fn register(
        &self,
        who: &str,
        village: &str,
        parties: &[&str],
    ) -> Result<String, DeskError> {
        let new = new_dispute(village, parties);
        match self.call(who, Request::Register { new })? {
            Response::Created(id) => Ok(id),
            other => panic!("unexpected {other:?}"),
        }
    }
}
pub mod cli;
pub mod screen;
pub mod server;
pub mod sshd;
pub mod tmux;

/// A 邻里 dispute in `village` between `parties`, built raw as a client
/// could send it (the desk must validate).
pub fn new_dispute(village: &str, parties: &[&str]) -> NewDispute {
    NewDispute {
        village: village.into(),
        category: "邻里".into(),
        source: Some(Source::Visit),
        summary: "两家因宅前排水沟堵塞发生争吵，情绪激动".into(),
        parties: parties
            .iter()
            .enumerate()
            // Built raw, as a client could send it: the desk must validate.
            .map(|(i, n)| Party {
                name: n.to_string(),
                role: if i == 0 {
                    PartyRole::Applicant
                } else {
                    PartyRole::Respondent
                },
                phone: Some("19900001234".into()),
                person_id: None,
            })
            .collect(),
        ..Default::default()
    }
}
