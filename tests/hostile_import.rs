//! Issue 13, point 8, on the server's side: it bounds what it holds of
//! unfinished imports per officer and drops them with their connection.
//! (Hostile files themselves: `tests/zip_bomb.rs`.)

mod common;

use common::fixture;
use common::server::Server;
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::ledger::{ImportBatch, ImportFinish};
use duty_desk::desk::remote::Remote;
use duty_desk::desk::Desk;
use duty_desk::domain::ledger::{Column, LedgerRow};
use duty_desk::domain::limits::MAX_STAGED_BYTES;

/// A row whose bulk is in the columns the desk only keeps (化解措施, 备注).
fn row(n: u32, text: &str) -> LedgerRow {
    let mut cells = vec![String::new(); Column::ALL.len()];
    cells[Column::Date.index()] = "2026-11-01".into();
    cells[Column::Village.index()] = "东河村".into();
    cells[Column::Situation.index()] = "邻里纠纷".into();
    for c in [Column::Measures, Column::Remarks] {
        cells[c.index()] = text.into();
    }
    LedgerRow {
        sheet: "台账".into(),
        row: n,
        year_hint: None,
        cells,
        columns: 0,
    }
}

fn batch(token: u64, rows: Vec<LedgerRow>) -> Request {
    Request::ImportLedger {
        batch: ImportBatch {
            token,
            rows,
            finish: None,
        },
    }
}

#[test]
fn the_server_bounds_staged_rows_per_officer() {
    let f = fixture();
    let text = "纠".repeat(5000);
    let per_batch = 200;
    let batch_bytes = per_batch * 2 * text.len();
    let mut refused = None;
    // Enough batches to pass the limit on the text alone.
    for b in 0..(MAX_STAGED_BYTES / batch_bytes + 2) as u32 {
        let rows = (0..per_batch as u32)
            .map(|i| row(b * 1000 + i, &text))
            .collect();
        match f.call("zb1", batch(7, rows)) {
            Ok(Response::Staged(_)) => {}
            Ok(other) => panic!("{other:?}"),
            Err(e) => {
                refused = Some(e.to_string());
                break;
            }
        }
    }
    let e = refused.expect("refused before the loop ends");
    assert!(e.contains("暂存的导入数据超过 256 MB"), "{e}");
    // The refused import is gone: finishing it finds no rows.
    let done = Request::ImportLedger {
        batch: ImportBatch {
            token: 7,
            rows: vec![],
            finish: Some(ImportFinish {
                source: "台账.xlsx".into(),
                skip_bad: false,
                dry_run: true,
            }),
        },
    };
    match f.call("zb1", done) {
        Ok(Response::Imported(r)) => assert_eq!(r.rows, 0),
        other => panic!("{other:?}"),
    }
    // Another officer stages as before.
    assert!(matches!(
        f.call("admin1", batch(8, vec![row(2, "邻里纠纷")])),
        Ok(Response::Staged(1))
    ));
}

#[test]
fn staged_rows_go_when_their_connection_closes() {
    let s = Server::start();
    let staged = |r: &mut Remote, token: u64, rows: Vec<LedgerRow>| match r.call(batch(token, rows))
    {
        Ok(Response::Staged(n)) => n,
        other => panic!("{other:?}"),
    };
    let mut first = Remote::connect(&s.socket(), false).unwrap();
    assert_eq!(staged(&mut first, 41, vec![row(2, "甲"), row(3, "乙")]), 2);
    // While the connection lives, its rows are held.
    assert_eq!(staged(&mut first, 41, vec![]), 2);
    drop(first);
    // A new connection staging under the same token starts from nothing
    // once the server has seen the old one close.
    let mut second = Remote::connect(&s.socket(), false).unwrap();
    let mut held = staged(&mut second, 41, vec![]);
    for _ in 0..200 {
        if held == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
        held = staged(&mut second, 41, vec![]);
    }
    assert_eq!(held, 0, "the closed connection's rows are still held");
    // And the finished import finds none of them.
    let done = Request::ImportLedger {
        batch: ImportBatch {
            token: 41,
            rows: vec![],
            finish: Some(ImportFinish {
                source: "台账.xlsx".into(),
                skip_bad: false,
                dry_run: true,
            }),
        },
    };
    match second.call(done) {
        Ok(Response::Imported(r)) => assert_eq!(r.rows, 0),
        other => panic!("{other:?}"),
    }
}
