//! Views from the server's read model, over a real server and socket: 50
//! desks each watching their own windows hear only what changed in them; a
//! fresh threat tops every desk's 风险队列 window at once; a reconnected
//! desk asks for its window again, not for every case.

mod common;

use std::time::{Duration, Instant};

use common::server::Server;
use duty_desk::desk::api::Request;
use duty_desk::desk::remote::{Pushed, Remote};
use duty_desk::desk::views::{ViewQuery, Window, WindowDelta};
use duty_desk::desk::{Desk, DeskExt, Response};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Source, WarningFlag};
use duty_desk::domain::screens::Screen;

const DESKS: usize = 50;

/// A name no other desk's name shares a character with.
fn name(k: usize) -> String {
    let c = |n: u32| char::from_u32(0x9AD8 + n).unwrap();
    format!("{}{}", c(2 * k as u32), c(2 * k as u32 + 1))
}

fn register(party: &str, flags: Vec<WarningFlag>) -> Request {
    register_in("东河村", party, flags)
}

fn register_in(village: &str, party: &str, flags: Vec<WarningFlag>) -> Request {
    Request::Register {
        new: NewDispute {
            village: village.into(),
            category: "邻里".into(),
            source: Some(Source::Call),
            summary: "因排水沟起争执".into(),
            parties: vec![Party {
                name: party.into(),
                role: PartyRole::Applicant,
                phone: None,
                person_id: None,
            }],
            flags,
            ..Default::default()
        },
    }
}

fn view(r: &mut Remote, query: ViewQuery, limit: u32, watch: Option<u8>) -> Window {
    r.ask(Request::View {
        query,
        from: 0,
        limit,
        watch,
    })
    .unwrap()
}

fn queue() -> ViewQuery {
    ViewQuery {
        screen: Screen::Queue,
        search: String::new(),
        sort: None,
    }
}

fn search(k: usize) -> ViewQuery {
    ViewQuery {
        screen: Screen::Queue,
        search: name(k),
        sort: None,
    }
}

/// Every window delta a desk receives until `quiet` passes with none after
/// the change notice of revision `rev` arrived.
fn deltas_after(r: &mut Remote, rev: u64, quiet: Duration) -> Vec<WindowDelta> {
    let mut out = Vec::new();
    let mut noticed = false;
    let start = Instant::now();
    loop {
        match r.next_pushed(Some(Duration::from_millis(50))).unwrap() {
            Some(Pushed::Change(n)) if n.revision >= rev => noticed = true,
            Some(Pushed::View(d)) => out.push(d),
            Some(_) => {}
            None if noticed && start.elapsed() > quiet => return out,
            None => assert!(start.elapsed() < Duration::from_secs(20), "no notice"),
        }
    }
}

#[test]
fn fifty_desks_hear_only_what_changed_in_their_own_windows() {
    let mut s = Server::start();
    s.restart_with(&["--max-per-user", "64"], &[]);
    let mut me = Remote::connect(&s.socket(), false).unwrap();
    for k in 0..DESKS {
        me.create(register(&name(k), Vec::new())).unwrap();
    }
    // Each desk: the top of 风险队列, a search for its own party, and the
    // 预警 strip (empty so far).
    let alerts = || ViewQuery {
        screen: Screen::Alerts,
        search: String::new(),
        sort: None,
    };
    let mut desks: Vec<(Remote, Window, Window)> = (0..DESKS)
        .map(|k| {
            let mut r = Remote::connect(&s.socket(), true).unwrap();
            let top = view(&mut r, queue(), 10, Some(0));
            let own = view(&mut r, search(k), 20, Some(1));
            assert_eq!(own.total, 1, "{}", name(k));
            assert_eq!(view(&mut r, alerts(), 5, Some(2)).total, 0);
            (r, top, own)
        })
        .collect();
    assert!(desks
        .iter()
        .all(|d| d.1.rows.len() == 10 && d.1.total == DESKS as u32));

    // A case of desk 40's party in another village (no repeat party, so no
    // rank moves): only desk 40's search window changes; it lands at the
    // end of 风险队列, outside everyone's top ten.
    let id = me
        .create(register_in("西岗村", &name(40), Vec::new()))
        .unwrap();
    let rev = s_revision(&mut me);
    for (k, (r, top, own)) in desks.iter_mut().enumerate() {
        let deltas = deltas_after(r, rev, Duration::from_millis(60));
        if k == 40 {
            let d = deltas
                .iter()
                .find(|d| d.slot == 1)
                .expect("its search moved");
            assert_eq!((d.slot, d.total), (1, 2));
            assert!(d.added.iter().any(|(_, row)| row.case.id == id));
            d.apply(own, 20);
            let fresh = view(r, search(40), 20, None);
            assert_eq!(own.rows, fresh.rows);
        } else {
            // Nothing of theirs changed: the queue's top ten stayed, and
            // only its new length is told.
            assert!(
                deltas.iter().all(|d| d.slot == 0
                    && d.total == DESKS as u32 + 1
                    && d.removed.is_empty()
                    && d.added.is_empty()),
                "desk {k}: {deltas:?}"
            );
        }
        for d in deltas.iter().filter(|d| d.slot == 0) {
            d.apply(top, 10);
        }
    }

    // A fresh threat tops every desk's 风险队列 window at once.
    let threat = me
        .create(register("闻某", vec![WarningFlag::ALL[0]]))
        .unwrap();
    let rev = s_revision(&mut me);
    for (k, (r, top, _)) in desks.iter_mut().enumerate() {
        let deltas = deltas_after(r, rev, Duration::from_millis(60));
        let d = deltas
            .iter()
            .find(|d| d.slot == 0)
            .unwrap_or_else(|| panic!("desk {k} heard nothing: {deltas:?}"));
        assert_eq!(
            d.added.first().map(|(at, row)| (*at, row.case.id.as_str())),
            Some((0, threat.as_str()))
        );
        d.apply(top, 10);
        assert_eq!(top.rows[0].case.id, threat);
        assert_eq!(top.rows.len(), 10);
        // And its 预警 strip now holds the threat.
        let strip = deltas
            .iter()
            .find(|d| d.slot == 2)
            .unwrap_or_else(|| panic!("desk {k}: no alert pushed: {deltas:?}"));
        assert_eq!(strip.total, 1);
        assert_eq!(strip.added[0].1.case.id, threat);
    }
    // What the desk holds is what it would be sent afresh.
    let (r, top, _) = &mut desks[7];
    assert_eq!(top.rows, view(r, queue(), 10, None).rows);
}

fn s_revision(me: &mut Remote) -> u64 {
    match me.call(Request::View {
        query: queue(),
        from: 0,
        limit: 0,
        watch: None,
    }) {
        Ok(Response::Window(w)) => w.state,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reconnected_desk_asks_for_its_window_again_not_for_every_case() {
    let s = Server::start();
    let mut me = Remote::connect(&s.socket(), false).unwrap();
    for k in 0..30 {
        me.create(register(&name(k), Vec::new())).unwrap();
    }
    let mut desk = Remote::connect(&s.socket(), true).unwrap();
    let before = view(&mut desk, queue(), 5, Some(0));
    drop(desk);
    // Meanwhile, with the desk away, a threat comes in.
    let threat = me
        .create(register("闻某", vec![WarningFlag::ALL[0]]))
        .unwrap();
    let mut desk = Remote::connect(&s.socket(), true).unwrap();
    let after = view(&mut desk, queue(), 5, Some(0));
    assert!(after.state > before.state);
    assert_eq!(after.total, before.total + 1);
    assert_eq!(after.rows.len(), 5, "only the window comes back");
    assert_eq!(after.rows[0].case.id, threat);
    // The watch holds on the new connection: the next change is pushed.
    me.create(register("闻某", Vec::new())).unwrap();
    let rev = s_revision(&mut me);
    let deltas = deltas_after(&mut desk, rev, Duration::from_millis(200));
    assert!(deltas.iter().any(|d| d.slot == 0), "{deltas:?}");
    // A window watched on a connection that takes no pushes is refused.
    let err = me
        .call(Request::View {
            query: queue(),
            from: 0,
            limit: 5,
            watch: Some(0),
        })
        .unwrap_err();
    assert!(err.to_string().contains("不接收推送"), "{err}");
}

#[test]
fn my_work_comes_from_the_server_with_its_counts() {
    use duty_desk::desk::views::MyWork;
    use duty_desk::domain::mine::{my_work, Group};
    let f = common::fixture();
    for (party, flags) in [
        ("甲某", vec![]),
        ("乙某", vec![WarningFlag::ALL[1]]),
        ("丙某", vec![]),
    ] {
        let Response::Created(_) = f.call("zb1", register(party, flags)).unwrap() else {
            panic!()
        };
    }
    let Response::Mine(mine) = f.call("zb1", Request::Mine { from: 0, limit: 10 }).unwrap() else {
        panic!()
    };
    let mine: MyWork = *mine;
    let counts: Vec<(Group, u32)> = mine.groups.clone();
    assert!(counts.contains(&(Group::Unassigned, 3)), "{counts:?}");
    assert!(counts.contains(&(Group::Alerts, 1)), "{counts:?}");
    // The same as the desk works out from every summary.
    let Response::SummaryBlob { count, blob, .. } = f.call("zb1", Request::Summaries).unwrap()
    else {
        panic!()
    };
    let all = duty_desk::store::decode_summary_blob(&blob, count).unwrap();
    let today = duty_desk::desk::clock::now().date_naive();
    let local = my_work(
        duty_desk::domain::lists::Role::DutyOfficer,
        "zb1",
        &all,
        today,
        &Default::default(),
    );
    let ids: Vec<&str> = local
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|&i| all[i].id.as_str()))
        .collect();
    let got: Vec<&str> = mine
        .window
        .rows
        .iter()
        .map(|r| r.case.id.as_str())
        .collect();
    assert_eq!(got, ids);
    assert_eq!(mine.window.total as usize, ids.len());
}

#[test]
fn the_duplicate_check_and_the_triage_preview_are_asked_of_the_server() {
    use duty_desk::desk::views::TriageDraft;
    use duty_desk::domain::lists::RiskLevel;
    let f = common::fixture();
    let Response::Created(id) = f.call("zb1", register("甲某", vec![])).unwrap() else {
        panic!()
    };
    let dup = |village: &str, party: &str| match f
        .call(
            "zb1",
            Request::Duplicate {
                village: village.into(),
                parties: vec![party.into()],
            },
        )
        .unwrap()
    {
        Response::Row(row) => row.map(|r| r.case.id),
        other => panic!("{other:?}"),
    };
    // Same name, or the same sound typed in a hurry; not another village.
    assert_eq!(dup("东河村", "甲某"), Some(id.clone()));
    assert_eq!(dup("东河村", "假某"), Some(id.clone()));
    assert_eq!(dup("西岗村", "甲某"), None);
    assert_eq!(dup("东河村", "乙某"), None);

    let preview = |draft: TriageDraft| match f
        .call(
            "zb1",
            Request::Preview {
                id: id.clone(),
                draft,
            },
        )
        .unwrap()
    {
        Response::Row(Some(row)) => *row,
        other => panic!("{other:?}"),
    };
    let calm = preview(TriageDraft {
        risk: Some(RiskLevel::Low),
        tier: None,
        flags: vec![],
    });
    let threat = preview(TriageDraft {
        risk: Some(RiskLevel::High),
        tier: None,
        flags: vec![WarningFlag::ALL[0]],
    });
    assert!(
        threat.danger > calm.danger,
        "{} {}",
        threat.danger,
        calm.danger
    );
    assert!(
        threat.reasons.iter().any(|(r, _)| r.contains("民转刑倾向")),
        "{:?}",
        threat.reasons
    );
}

#[test]
fn the_assignment_hint_comes_from_the_townships_history_on_the_server() {
    use duty_desk::desk::ops::{self, CaseOp};
    use duty_desk::domain::lists::{RiskLevel, Tier};
    let f = common::fixture();
    for _ in 0..2 {
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
            deadline: None,
        };
        f.call("zb1", assign.on(id, None)).unwrap();
    }
    let new = f.register("zb1", "东河村", &["李四"]).unwrap();
    let hint = match f.call("zb1", Request::AssignHint { id: new }).unwrap() {
        Response::AssignHint(Some(h)) => h,
        other => panic!("{other:?}"),
    };
    assert_eq!(hint.person.as_deref(), Some("tj1"));
    assert_eq!(hint.unit, "司法所");
    assert!(hint.reason.contains("东河村"), "{}", hint.reason);
    // 只读 is not offered whom to give cases to.
    assert!(f
        .call(
            "ck1",
            Request::AssignHint {
                id: "MD-2026-000001".into()
            }
        )
        .is_err());
}
