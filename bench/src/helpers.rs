//! The helper processes `desk-bench` can be: a commit loop for the crash
//! tests, and one client start-up for the load figure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use duty_desk::connect;
use duty_desk::desk::{paths, DeskExt, Request};
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Source};
use duty_desk::store::Store;

use crate::measure::ms;

/// Registers `count` disputes one at a time, reaching the desk as `desk`
/// does (`--db`/`DESK_DB`, `--socket`/`DESK_SOCKET`), and prints each 编号
/// once its commit returned: a line out means the change is durable.
pub fn commit_loop(count: u64, db: Option<PathBuf>, socket: Option<PathBuf>) -> anyhow::Result<()> {
    let explicit_db = db.is_some() || std::env::var_os("DESK_DB").is_some_and(|v| !v.is_empty());
    let db = paths::database(db);
    let mut desk = connect::open(&db, explicit_db, socket)?;
    let desk = desk.as_mut();
    let village = desk
        .lists()?
        .villages
        .first()
        .cloned()
        .unwrap_or_else(|| "东河村".into());
    let mut out = std::io::stdout().lock();
    for i in 0..count {
        let new = NewDispute {
            village: village.clone(),
            category: "邻里".into(),
            source: Some(Source::Screening),
            summary: format!("压力测试第{i}件"),
            parties: vec![Party::new("测试甲", PartyRole::Applicant, None)?],
            ..Default::default()
        };
        let id = desk.create(Request::Register { new })?;
        writeln!(out, "{id}")?;
        out.flush()?;
    }
    Ok(())
}

/// One client start-up in this process: prints "rows milliseconds".
pub fn load_once(path: &Path) -> anyhow::Result<()> {
    let t = Instant::now();
    let store = Store::open(path)?;
    let items = store.summaries()?;
    println!("{} {:.2}", items.len(), ms(t));
    Ok(())
}

/// What one connection receives, decoded: the replies to the reads a desk
/// makes of cases, then every push, one message a line.
pub fn probe(socket: &Path, case: &str, listen_ms: u64) -> anyhow::Result<()> {
    use duty_desk::desk::api::decode_blob;
    use duty_desk::desk::remote::{Pushed, Remote};
    use duty_desk::desk::Desk;
    use duty_desk::domain::reports::{Kind, Spec};
    let mut r = Remote::connect(socket, true).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("welcome {:?}", r.officer);
    for req in [
        Request::Summaries,
        Request::SummariesOf {
            ids: vec![case.to_string()],
        },
        Request::Dispute {
            id: case.to_string(),
        },
        Request::View {
            query: duty_desk::desk::views::ViewQuery {
                screen: duty_desk::domain::screens::Screen::All,
                search: String::new(),
                sort: None,
            },
            from: 0,
            limit: 50,
            watch: Some(0),
        },
        Request::Mine { from: 0, limit: 50 },
        Request::Duplicate {
            village: "东河村".into(),
            parties: vec!["甲某".into()],
        },
        Request::Tally,
        Request::Ids { part: "MD".into() },
        Request::Preview {
            id: case.to_string(),
            draft: duty_desk::desk::views::TriageDraft {
                risk: None,
                tier: None,
                flags: vec![],
            },
        },
        Request::AssignHint {
            id: case.to_string(),
        },
        Request::Audit { since: None },
        Request::Persons {
            include_ended: true,
        },
        Request::PersonCounts,
        Request::ExportPersons {
            include_ended: true,
            notify: None,
        },
        Request::Rollcall { date: None },
        Request::Officers,
        Request::ExportLedger {
            filter: Default::default(),
        },
        Request::Report {
            spec: Spec::of(Kind::Daily),
        },
        Request::Report {
            spec: Spec::of(Kind::Analysis),
        },
        Request::Report {
            spec: Spec::of(Kind::Handover),
        },
        Request::Report {
            spec: Spec::of(Kind::Access),
        },
        // An error that names the case: what it says of the case's people.
        Request::Change {
            id: case.to_string(),
            seen: Some(0),
            change: duty_desk::desk::ops::Change::Note(duty_desk::desk::ops::Note {
                kind: duty_desk::domain::lists::ContactKind::Phone,
                text: "核实情况".into(),
            }),
        },
    ] {
        println!("reply {:?}", r.call(req).and_then(decode_blob));
    }
    println!("ready");
    std::io::stdout().flush()?;
    let until = Instant::now() + std::time::Duration::from_millis(listen_ms);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match r.next_pushed(Some(left.max(std::time::Duration::from_millis(1)))) {
            Ok(Some(Pushed::Change(n))) => println!("notice {n:?}"),
            Ok(Some(Pushed::Presence(v))) => println!("presence {v:?}"),
            Ok(Some(Pushed::Damaged(why))) => println!("damaged {why}"),
            Ok(Some(Pushed::View(d))) => println!("view {d:?}"),
            Ok(None) => {}
            Err(e) => {
                println!("closed {e}");
                break;
            }
        }
        std::io::stdout().flush()?;
    }
    Ok(())
}
