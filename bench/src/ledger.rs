//! The ledger's figures for `desk bench`: the generated database exported
//! as xlsx and CSV, and each file imported into an empty database, all
//! through the Desk API in this process (reading, checking and the one
//! durable transaction included).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use duty_desk::connect;
use duty_desk::desk::ledger::LedgerFilter;
use duty_desk::desk::{clock, identity, DeskExt, Local, Session};
use duty_desk::files::ledger::{export, import, ImportOptions};
use duty_desk::files::Format;

use crate::measure::Plan;

pub fn measure(
    db: &Path,
    dir: &Path,
    plan: &Plan,
    figures: &mut BTreeMap<String, f64>,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let caller = identity::current_caller();
    let mut desk = Session {
        local: Local::open(db)?,
        caller: caller.clone(),
    };
    let (_, all) = desk.summaries()?;
    progress(&format!("导出 {} 件台账（xlsx、CSV）…", all.len()));
    let files = [
        (
            Format::Xlsx,
            "xlsx",
            "export_rows_per_s",
            "import_rows_per_s",
        ),
        (
            Format::Csv,
            "csv",
            "export_csv_rows_per_s",
            "import_csv_rows_per_s",
        ),
    ];
    for (format, ext, name, _) in files {
        let file = dir.join(format!("ledger.{ext}"));
        let wanted = plan.wants_ledger(ext, "export");
        if !wanted && (file.exists() || !plan.wants_ledger(ext, "import")) {
            continue;
        }
        let t = Instant::now();
        let n = export(&mut desk, format, &file, LedgerFilter::default())?;
        anyhow::ensure!(n == all.len(), "导出的行数不对");
        if !wanted {
            continue;
        }
        figures.insert(name.into(), (n as f64 / t.elapsed().as_secs_f64()).round());
    }
    drop(desk);
    let opts = ImportOptions {
        dry_run: false,
        skip_bad: false,
        encoding: None,
    };
    for (_, ext, _, name) in files {
        if !plan.wants_ledger(ext, "import") {
            continue;
        }
        progress(&format!("把台账 {ext} 导入空库…"));
        let fresh = dir.join(format!("import-{ext}.redb"));
        let _ = std::fs::remove_file(&fresh);
        // No server answers on that socket: the file is written directly.
        let args = connect::DemoArgs {
            disputes: 0,
            persons: 0,
            seed: 1,
            today: clock::now().date_naive(),
            if_empty: false,
        };
        connect::demo(&fresh, &dir.join("no-server.sock"), args)?;
        let mut desk = Session {
            local: Local::open(&fresh)?,
            caller: caller.clone(),
        };
        let t = Instant::now();
        let (_, report) = import(&mut desk, &dir.join(format!("ledger.{ext}")), &opts)?;
        let secs = t.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.ids.len() == all.len(),
            "导入的件数不对：{} 件，应为 {} 件",
            report.ids.len(),
            all.len()
        );
        figures.insert(name.into(), (all.len() as f64 / secs).round());
    }
    Ok(())
}
