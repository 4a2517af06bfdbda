//! Files in and out: the ledger (台账) and the key-person register as Excel
//! and CSV, in the shapes township offices already use. Everything here runs
//! in the client: it talks to the desk through the Desk API and never opens
//! the store, so an export or import works the same through `desk serve`.

pub mod analysis_xlsx;
pub mod csv;
pub mod ledger;
pub mod persons;
mod progress;
pub mod xlsx;

use std::path::Path;

use crate::domain::ledger::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// The format asked for, else the one the file name says.
    pub fn choose(given: Option<&str>, path: &Path) -> anyhow::Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match given.map(|g| g.trim().to_ascii_lowercase()).as_deref() {
            Some("xlsx" | "excel") => Ok(Format::Xlsx),
            Some("csv") => Ok(Format::Csv),
            Some(other) => anyhow::bail!("不支持的格式“{other}”，可选：xlsx、csv"),
            None => match ext.as_deref() {
                Some("xlsx") => Ok(Format::Xlsx),
                Some("csv") => Ok(Format::Csv),
                _ => anyhow::bail!("请用 --format xlsx 或 --format csv 指定格式"),
            },
        }
    }
}

/// A table to write: one sheet, a header row, typed cells.
pub struct Table {
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns of long text that wrap in Excel rather than widen.
    pub wrap: Vec<bool>,
}

pub fn write_table(format: Format, path: &Path, table: &Table) -> anyhow::Result<()> {
    match format {
        Format::Xlsx => xlsx::write(path, table),
        Format::Csv => csv::write(path, table),
    }
}

/// Saves a workbook into a private file (see `private_fs`): exports hold
/// names and phones.
pub fn save_workbook(book: &mut rust_xlsxwriter::Workbook, path: &Path) -> anyhow::Result<()> {
    let fail = |why: String| anyhow::anyhow!("无法写入 {}：{why}", path.display());
    let file = crate::private_fs::create_or_replace(path)
        .map_err(|e| fail(crate::private_fs::describe(&e)))?;
    let mut out = std::io::BufWriter::new(file);
    book.save_to_writer(&mut out)
        .map_err(|e| fail(e.to_string()))?;
    out.into_inner()
        .map_err(|e| fail(crate::private_fs::describe(e.error())))?;
    Ok(())
}

/// A sheet read from a file: text cells, merged regions already filled in.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    /// The spreadsheet's row index (0-based) of `rows[0]`.
    pub first_row: u32,
}

/// Reads every sheet of an xlsx/xls workbook, or a CSV file as one sheet,
/// into `rows` as it goes; `estimate` hears how many rows to expect.
/// The content decides, not the file name: offices rename files freely.
/// The file's bytes, refused past the import limit (a file that keeps
/// growing, or a device, is cut off there rather than read on).
fn read_capped(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let cap = crate::domain::limits::MAX_IMPORT_FILE_BYTES;
    let fail = |e: std::io::Error| anyhow::anyhow!("无法读取文件 {}：{e}", path.display());
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > cap {
        anyhow::bail!(
            "文件 {} 超过 {}，不能一次导入，请把文件拆开分批导入",
            path.display(),
            crate::domain::limits::size_text(cap)
        );
    }
    Ok(bytes)
}

pub fn read_file(
    path: &Path,
    encoding: Option<&str>,
    rows: &mut ledger::RowReader,
    estimate: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    let bytes = read_capped(path)?;
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole {
        xlsx::read_into(&bytes, rows, estimate)
    } else {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "CSV".into());
        csv::read_into(&bytes, encoding, &name, rows, estimate)
    }
}
