//! Issue 13, point 8: hostile import files. A workbook whose one cell (or
//! shared string) unpacks to a GiB is refused without being inflated, and the
//! importing process stays small. Alone in its test binary, so the peak
//! resident set of this process's children is the importer's.

mod common;

use std::io::Write;
use std::path::Path;

use common::cli::Cli;
use zip::write::SimpleFileOptions;

const GIB: u64 = 1 << 30;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>排查时间</t></is></c><c r="B1" t="inlineStr"><is><t>村名</t></is></c><c r="C1" t="inlineStr"><is><t>矛盾情况</t></is></c></row>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// Where the bomb goes: one cell of the sheet, or the one shared string a
/// cell points to.
#[derive(Clone, Copy)]
enum Bomb {
    Cell,
    SharedString,
}

/// Writes `bytes` of one repeated text through the zip writer a MiB at a
/// time, so neither this test nor the file holds them.
fn pour(zip: &mut zip::ZipWriter<std::fs::File>, bytes: u64) {
    let chunk = "纠纷".repeat(1 << 18).into_bytes(); // 1.5 MiB, whole characters
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        let n = n - n % 3;
        let n = if n == 0 { 3 } else { n };
        zip.write_all(&chunk[..n]).unwrap();
        left = left.saturating_sub(n as u64);
    }
}

/// An xlsx whose one cell (or shared string) unpacks to `bytes`, packed at
/// the highest compression.
fn bomb_xlsx(path: &Path, bomb: Bomb, bytes: u64) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", opts).unwrap();
    zip.write_all(
        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>",
    )
    .unwrap();
    if let Bomb::SharedString = bomb {
        pour(&mut zip, bytes);
    }
    zip.write_all(b"</t></si></sst>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(SHEET_HEAD.as_bytes()).unwrap();
    let village = r#"<row r="2"><c r="A2"><v>46000</v></c><c r="B2" t="inlineStr"><is><t>东河村</t></is></c>"#;
    zip.write_all(village.as_bytes()).unwrap();
    match bomb {
        Bomb::Cell => {
            zip.write_all(b"<c r=\"C2\" t=\"inlineStr\"><is><t>")
                .unwrap();
            pour(&mut zip, bytes);
            zip.write_all(b"</t></is></c>").unwrap();
        }
        Bomb::SharedString => zip.write_all(b"<c r=\"C2\" t=\"s\"><v>0</v></c>").unwrap(),
    }
    zip.write_all(b"</row>").unwrap();
    zip.write_all(SHEET_TAIL.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// The largest resident set any finished child of this test process
/// reached, in bytes.
fn children_peak_rss() -> u64 {
    use nix::sys::resource::{getrusage, UsageWho};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap();
    // Linux reports kilobytes.
    usage.max_rss() as u64 * 1024
}

/// An xlsx whose first data row sits at `row`.
fn far_row_xlsx(path: &Path, row: u32) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default();
    let far = format!(
        r#"<row r="{row}"><c r="A{row}"><v>46000</v></c><c r="B{row}" t="inlineStr"><is><t>东河村</t></is></c><c r="C{row}" t="inlineStr"><is><t>邻里纠纷</t></is></c></row>"#
    );
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("xl/workbook.xml", WORKBOOK.to_string()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
        ("xl/sharedStrings.xml", "<sst/>".to_string()),
        (
            "xl/worksheets/sheet1.xml",
            format!("{SHEET_HEAD}{far}{SHEET_TAIL}"),
        ),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_row_past_excels_last_is_refused() {
    let cli = Cli::with_roster();
    let path = cli.dir.path().join("远.xlsx");
    far_row_xlsx(&path, 4_000_000_000);
    let e = cli.fails(&["import", "ledger", path.to_str().unwrap()]);
    assert!(e.contains("工作表“台账”超过 Excel 的 1048576 行"), "{e}");
    // At Excel's last row, the row is read.
    far_row_xlsx(&path, 1_048_576);
    let v = cli.json(&["import", "ledger", path.to_str().unwrap(), "--dry-run"]);
    assert_eq!(v["rows"], 1, "{v}");
}

/// An xlsx whose one data row, under a normal header, holds `cells` tiny
/// cells after its three real ones (issue 25: 10 million in 1.5 MB took
/// 903 MB to read).
fn wide_row_xlsx(path: &Path, cells: u64) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/sharedStrings.xml", "<sst/>"),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(SHEET_HEAD.as_bytes()).unwrap();
    let real = r#"<row r="2"><c r="A2"><v>46000</v></c><c r="B2" t="inlineStr"><is><t>东河村</t></is></c><c r="C2" t="inlineStr"><is><t>邻里纠纷</t></is></c>"#;
    zip.write_all(real.as_bytes()).unwrap();
    // No `r`: each cell takes the next column.
    let chunk = "<c><v>1</v></c>".repeat(100_000).into_bytes();
    for _ in 0..cells / 100_000 {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</row>").unwrap();
    zip.write_all(SHEET_TAIL.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_row_of_millions_of_cells_is_refused_within_256_mb() {
    let cli = Cli::with_roster();
    let path = cli.dir.path().join("宽.xlsx");
    wide_row_xlsx(&path, 10_000_000);
    eprintln!(
        "wide-row workbook: {} KB",
        std::fs::metadata(&path).unwrap().len() >> 10
    );
    let e = cli.fails(&["import", "ledger", path.to_str().unwrap(), "--dry-run"]);
    assert!(
        e.contains("工作表“台账”第 2 行超过 256 列（台账只有几十列）"),
        "{e}"
    );
    let peak = children_peak_rss();
    eprintln!("importer's peak resident set: {} MB", peak >> 20);
    assert!(
        peak < 256 << 20,
        "a child of this test reached {} MB",
        peak >> 20
    );
}

fn disputes(cli: &Cli) -> usize {
    cli.json(&["list", "disputes"])
        .as_array()
        .map_or(0, |a| a.len())
}

#[test]
fn zip_bombs_are_refused_without_being_inflated() {
    let cli = Cli::with_roster();
    for (bomb, bytes, says) in [
        (Bomb::Cell, GIB, "工作表“台账”第 2 行有单元格超过 32 KB"),
        (Bomb::SharedString, GIB / 4, "共享字符串第 1 条超过 32 KB"),
    ] {
        let path = cli.dir.path().join("炸弹.xlsx");
        bomb_xlsx(&path, bomb, bytes);
        let packed = std::fs::metadata(&path).unwrap().len();
        assert!(
            packed < bytes / 100,
            "the file packs {bytes} bytes into {packed}"
        );
        let e = cli.fails(&["import", "ledger", path.to_str().unwrap()]);
        assert!(e.contains(says), "{e}");
        assert!(!e.is_ascii(), "{e}");
        let peak = children_peak_rss();
        eprintln!("importer's peak resident set: {} MB", peak >> 20);
        assert!(
            peak < 256 << 20,
            "a child of this test reached {} MB",
            peak >> 20
        );
    }
    assert_eq!(disputes(&cli), 0);
}
