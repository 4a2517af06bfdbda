//! Excel: written with rust_xlsxwriter (frozen header, widths by display
//! width so Chinese fits, real date cells), read with calamine (xlsx and the
//! old xls, every sheet, merged regions filled in).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, Reader, Sheets};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use unicode_width::UnicodeWidthStr;

mod guard;

use super::ledger::RowReader;
use super::Table;
use crate::domain::ledger::Cell;
use crate::domain::text::clean_text;

/// Widest a column gets, in character units; longer text wraps.
const MAX_WIDTH: usize = 48;
const MIN_WIDTH: usize = 6;
/// Excel's own limit on one cell's text.
const MAX_CELL_CHARS: usize = 32_767;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow::anyhow!("写 Excel 文件失败：{e}")
}

/// Display width of the widest line: a Chinese character takes two columns.
fn width_of(text: &str) -> usize {
    text.lines().map(|l| l.width()).max().unwrap_or(0)
}

pub fn write(path: &Path, table: &Table) -> anyhow::Result<()> {
    let mut t = crate::timing::Phases::new("xlsx::write");
    let mut book = Workbook::new();
    // Level 1 deflate: a 100 000-row ledger saves in a third of the time,
    // for a file a few percent larger.
    book.set_zip_compression_level(1);
    let formats = Formats::new();
    // Rows go straight to the sheet's XML as they are written instead of
    // being held as cells until the save. "Low memory" rather than
    // "constant memory" mode: strings still go through the shared-string
    // table, which costs the export a little and saves an import of the
    // file more (villages, types and names repeat on every row).
    let sheet = book.add_worksheet_with_low_memory().map_err(xlsx_err)?;
    sheet.set_name(&table.sheet).map_err(xlsx_err)?;
    let kinds = column_kinds(table);
    for (c, k) in kinds.iter().enumerate() {
        sheet
            .set_column_format(c as u16, formats.of(*k))
            .map_err(xlsx_err)?;
    }
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.width() + 2).collect();
    widths.resize(kinds.len(), 0);
    for (c, h) in table.header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &formats.header)
            .map_err(xlsx_err)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        write_row(sheet, r as u32 + 1, row, &kinds, &formats, &mut widths)?;
    }
    finish_sheet(sheet, table, &widths)?;
    t.mark("cells");
    let r = super::save_workbook(&mut book, path);
    t.mark("save");
    // Dropping the workbook's tables takes a while; the file is written.
    std::thread::spawn(move || drop(book));
    r
}

/// How a column's cells are formatted.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    Wrap,
    Plain,
}

/// The header's format and one per column kind.
struct Formats {
    header: Format,
    date: Format,
    wrap: Format,
    plain: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xDDEBF7)
                .set_border(FormatBorder::Thin),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Top),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            plain: Format::new().set_align(FormatAlign::Top),
        }
    }

    fn of(&self, k: Kind) -> &Format {
        match k {
            Kind::Date => &self.date,
            Kind::Wrap => &self.wrap,
            Kind::Plain => &self.plain,
        }
    }
}

/// Each column's own format, so most cells are written without one: a
/// format passed per cell is hashed per cell. A column of dates (its first
/// filled cell is one) takes the date format, the others wrap or not.
fn column_kinds(table: &Table) -> Vec<Kind> {
    let columns = table
        .header
        .len()
        .max(table.rows.iter().map(|r| r.len()).max().unwrap_or(0));
    (0..columns)
        .map(|c| {
            let first = table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .find(|cell| !matches!(cell, Cell::Empty));
            if matches!(first, Some(Cell::Date(_))) {
                Kind::Date
            } else if table.wrap.get(c).copied().unwrap_or(false) {
                Kind::Wrap
            } else {
                Kind::Plain
            }
        })
        .collect()
}

/// Writes one data row, widening `widths` to fit it.
fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &[Cell],
    kinds: &[Kind],
    formats: &Formats,
    widths: &mut [usize],
) -> anyhow::Result<()> {
    for (c, cell) in row.iter().enumerate() {
        let column = kinds[c];
        let wanted = match cell {
            Cell::Empty => continue,
            Cell::Text(_) if column == Kind::Date => Kind::Plain,
            Cell::Text(_) => column,
            Cell::Date(_) => Kind::Date,
            Cell::Number(_) => Kind::Plain,
        };
        // The column's format applies to a cell written without one.
        let fmt = (wanted != column).then(|| formats.of(wanted));
        // Past the widest a column gets, widths need not be measured.
        let measure = widths[c] < MAX_WIDTH;
        let w = write_cell(sheet, (r, c as u16), cell, fmt, measure)?;
        if let Some(slot) = widths.get_mut(c) {
            *slot = (*slot).max(w + 2);
        }
    }
    Ok(())
}

/// Writes one cell; returns its display width (0 when not `measure`d).
fn write_cell(
    sheet: &mut Worksheet,
    (r, col): (u32, u16),
    cell: &Cell,
    fmt: Option<&Format>,
    measure: bool,
) -> anyhow::Result<usize> {
    Ok(match cell {
        Cell::Empty => 0,
        Cell::Text(s) => {
            let mut s = clean_text(s);
            if s.len() > MAX_CELL_CHARS {
                s = s.chars().take(MAX_CELL_CHARS).collect();
            }
            let w = if measure { width_of(&s) } else { 0 };
            match fmt {
                Some(f) => sheet.write_string_with_format(r, col, s, f),
                None => sheet.write_string(r, col, s),
            }
            .map_err(xlsx_err)?;
            w
        }
        Cell::Date(d) => {
            use chrono::Datelike;
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                .map_err(xlsx_err)?;
            match fmt {
                Some(f) => sheet.write_datetime_with_format(r, col, &dt, f),
                None => sheet.write_datetime(r, col, &dt),
            }
            .map_err(xlsx_err)?;
            10
        }
        Cell::Number(n) => {
            match fmt {
                Some(f) => sheet.write_number_with_format(r, col, *n as f64, f),
                None => sheet.write_number(r, col, *n as f64),
            }
            .map_err(xlsx_err)?;
            n.to_string().len()
        }
    })
}

/// Column widths, the frozen header and its filter.
fn finish_sheet(sheet: &mut Worksheet, table: &Table, widths: &[usize]) -> anyhow::Result<()> {
    for (c, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(c as u16, (*w).clamp(MIN_WIDTH, MAX_WIDTH) as f64)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    if !table.header.is_empty() {
        sheet
            .autofilter(0, 0, table.rows.len() as u32, table.header.len() as u16 - 1)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// A number as a ledger shows it: 30000, not 30000.0.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => number_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// As `cell_text`, for xlsx cells read by reference: shared strings are
/// copied once, not cloned into a range and then again into the row.
fn ref_text(d: &DataRef) -> String {
    match d {
        DataRef::SharedString(s) => s.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        DataRef::DateTime(dt) => cell_text(&Data::DateTime(*dt)),
        DataRef::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
    }
}

type Grid = (Option<(u32, u32)>, Vec<Vec<String>>);

/// The whole of a sheet of an xls/ods workbook (read at once).
fn grid<RS: std::io::Read + std::io::Seek>(
    book: &mut Sheets<RS>,
    name: &str,
) -> anyhow::Result<Grid> {
    let range = book
        .worksheet_range(name)
        .map_err(|e| anyhow::anyhow!("无法读取工作表“{name}”：{e}"))?;
    let rows = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    Ok((range.start(), rows))
}

/// Reads every sheet of a workbook into `rows`, merged regions filled in.
/// An xlsx sheet streams row by row; xls and ods sheets are read whole.
pub fn read_into(
    bytes: &[u8],
    rows: &mut RowReader,
    estimate: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    read_bounded(bytes, rows, estimate, CELL_BOUNDS)
}

/// `read_into` with the cell bounds given (tests use small ones).
pub(crate) fn read_bounded(
    bytes: &[u8],
    rows: &mut RowReader,
    estimate: &mut dyn FnMut(u64),
    bounds: CellBounds,
) -> anyhow::Result<()> {
    let mut t = crate::timing::Phases::new("xlsx::read");
    // A zip-packed workbook (xlsx, ods) is unpacked once through the guard
    // before calamine reads any of it; merged regions are listed after a
    // sheet's cells, so that pass finds them too and rows can go out as
    // they are read.
    let mut scanned = if bytes.starts_with(b"PK") {
        merges::scan(bytes)?
    } else {
        None
    };
    t.mark("guard and merges");
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| anyhow::anyhow!("无法打开 Excel 文件（文件损坏或不是 xlsx/xls）：{e}"))?;
    let names = book.sheet_names();
    t.mark("open");
    if let Sheets::Xlsx(x) = &mut book {
        for name in &names {
            // A sheet the scan could not place is read the slow way.
            let regions = match scanned.as_mut().and_then(|m| m.remove(name)) {
                Some(regions) => regions,
                None => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            };
            stream_sheet(x, name, regions, rows, estimate, bounds)?;
        }
        t.mark("cells");
        return Ok(());
    }
    for name in &names {
        let (start, mut grid) = grid(&mut book, name)?;
        let Some((r0, c0)) = start else {
            rows.start_sheet(name, 0)?;
            continue;
        };
        let regions = match &mut book {
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        fill_merged(&mut grid, (r0, c0), &regions);
        estimate(grid.len() as u64);
        rows.start_sheet(name, r0)?;
        for row in grid {
            rows.row(row)?;
        }
    }
    Ok(())
}

/// How many cells a sheet may bring: per row (its widest column) and in all.
#[derive(Clone, Copy)]
pub(crate) struct CellBounds {
    pub row: u32,
    pub sheet: u64,
}

pub(crate) const CELL_BOUNDS: CellBounds = CellBounds {
    row: crate::domain::limits::MAX_ROW_CELLS,
    sheet: crate::domain::limits::MAX_SHEET_CELLS,
};

impl CellBounds {
    /// Refuses the cell at 0-based (`r`, `c`), the `n`th with a value of
    /// the sheet, before the row grows to hold it.
    fn admit(&self, name: &str, (r, c): (u32, u32), n: u64) -> anyhow::Result<()> {
        let name = crate::domain::text::clean_line(name);
        if c >= self.row {
            anyhow::bail!(
                "工作表“{name}”第 {} 行超过 {} 列（台账只有几十列），文件可能有问题，拒绝导入",
                u64::from(r) + 1,
                self.row
            );
        }
        if n > self.sheet {
            anyhow::bail!(
                "工作表“{name}”有值的单元格超过 {} 个，拒绝导入；请把台账分成几个文件导入",
                self.sheet
            );
        }
        Ok(())
    }
}

/// Streams one xlsx sheet's cells into rows. Rows are numbered as the
/// sheet's own used range (from its first row with a value), columns from
/// A; gaps are empty rows; merged regions fill as in `fill_merged`.
fn stream_sheet<RS: std::io::Read + std::io::Seek>(
    x: &mut calamine::Xlsx<RS>,
    name: &str,
    regions: Vec<Dimensions>,
    rows: &mut RowReader,
    estimate: &mut dyn FnMut(u64),
    bounds: CellBounds,
) -> anyhow::Result<()> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("无法读取工作表“{name}”：{e}");
    let mut cells = match x.worksheet_cells_reader(name) {
        Ok(c) => c,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return rows.start_sheet(name, 0),
        Err(e) => return Err(fail(&e)),
    };
    let dim = cells.dimensions();
    estimate(u64::from(dim.end.0.saturating_sub(dim.start.0)) + 1);
    // The sheet's own `<dimension>` is only its word: merged regions fill
    // no wider than a row may be.
    let mut fill = Filler::new(regions, dim.end.1.min(bounds.row.saturating_sub(1)));
    let mut filled: u64 = 0;
    let mut row: Vec<String> = Vec::new();
    let mut at: Option<u32> = None;
    let mut next: Option<u32> = None;
    let mut emit = |r: u32,
                    cells: Vec<String>,
                    fill: &mut Filler,
                    next: &mut Option<u32>|
     -> anyhow::Result<()> {
        let from = match *next {
            Some(n) => n,
            None => {
                rows.start_sheet(name, r)?;
                r
            }
        };
        for gap in from..r {
            let mut empty = Vec::new();
            fill.apply(gap, &mut empty);
            rows.row(empty)?;
        }
        let mut cells = cells;
        fill.apply(r, &mut cells);
        rows.row(cells)?;
        *next = Some(r + 1);
        Ok(())
    };
    while let Some(cell) = cells.next_cell().map_err(|e| fail(&e))? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        filled += 1;
        bounds.admit(name, (r, c), filled)?;
        if at != Some(r) {
            if let Some(prev) = at {
                emit(prev, std::mem::take(&mut row), &mut fill, &mut next)?;
            }
            at = Some(r);
        }
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        fill.widest = fill.widest.max(c as u32);
        row[c] = ref_text(value);
    }
    match at {
        Some(r) => emit(r, row, &mut fill, &mut next)?,
        None => rows.start_sheet(name, 0)?,
    }
    Ok(())
}

/// Fills merged regions into rows as they stream past, as `fill_merged`
/// does for a whole sheet: regions in their listed order, each taking its
/// top-left value when that row goes by.
struct Filler {
    regions: Vec<Dimensions>,
    /// Region indexes by first row.
    order: Vec<usize>,
    added: usize,
    /// Regions covering the current row, in listed order, with their values.
    active: Vec<(usize, Option<String>)>,
    /// The widest column with a value so far (a whole-sheet range is as
    /// wide as its widest row); regions fill no further.
    widest: u32,
}

impl Filler {
    fn new(regions: Vec<Dimensions>, widest: u32) -> Filler {
        let mut order: Vec<usize> = (0..regions.len()).collect();
        order.sort_by_key(|&i| regions[i].start.0);
        Filler {
            regions,
            order,
            added: 0,
            active: Vec::new(),
            widest,
        }
    }

    fn apply(&mut self, r: u32, cells: &mut Vec<String>) {
        if self.regions.is_empty() {
            return;
        }
        let regions = &self.regions;
        self.active.retain(|(i, _)| regions[*i].end.0 >= r);
        let mut grew = false;
        while let Some(&i) = self.order.get(self.added) {
            if regions[i].start.0 > r {
                break;
            }
            self.added += 1;
            if regions[i].end.0 >= r {
                self.active.push((i, None));
                grew = true;
            }
        }
        if grew {
            self.active.sort_by_key(|(i, _)| *i);
        }
        for (i, value) in &mut self.active {
            let m = regions[*i];
            if m.start.0 == r {
                *value = Some(cells.get(m.start.1 as usize).cloned().unwrap_or_default());
            }
            let Some(v) = value else { continue };
            if v.is_empty() {
                continue;
            }
            let last = m.end.1.min(self.widest) as usize;
            if cells.len() <= last {
                cells.resize(last + 1, String::new());
            }
            for cell in &mut cells[m.start.1 as usize..=last] {
                if cell.is_empty() {
                    *cell = v.clone();
                }
            }
        }
    }
}

/// A merged region shows its top-left value in every cell it covers, as a
/// reader of the sheet sees it (村名 merged down over that village's rows).
fn fill_merged(rows: &mut [Vec<String>], origin: (u32, u32), merges: &[Dimensions]) {
    let at = |r: u32, c: u32| -> Option<(usize, usize)> {
        Some((
            r.checked_sub(origin.0)? as usize,
            c.checked_sub(origin.1)? as usize,
        ))
    };
    for m in merges {
        let Some((tr, tc)) = at(m.start.0, m.start.1) else {
            continue;
        };
        let Some(value) = rows.get(tr).and_then(|r| r.get(tc)).cloned() else {
            continue;
        };
        for r in m.start.0..=m.end.0 {
            for c in m.start.1..=m.end.1 {
                if let Some((ri, ci)) = at(r, c) {
                    if let Some(cell) = rows.get_mut(ri).and_then(|row| row.get_mut(ci)) {
                        if cell.is_empty() {
                            *cell = value.clone();
                        }
                    }
                }
            }
        }
    }
}

/// Merged regions found by scanning each worksheet's XML for its
/// `mergeCell` elements, without parsing the cells before them: a tenth of
/// the time of an XML parse of a large sheet.
mod merges {
    use std::collections::HashMap;
    use std::io::{Cursor, Read};

    use calamine::Dimensions;
    use quick_xml::events::Event;

    use super::guard::{self, Guarded, Part};
    use crate::domain::limits::{MAX_XLSX_PART_BYTES, MAX_XLSX_SHEET_BYTES};

    type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

    /// Unpacks every part of the package once through the guard (a refusal
    /// is an error), and returns sheet name → merged regions for every
    /// worksheet the workbook names; None when the layout is unusual (the
    /// caller then asks calamine) or the file is no zip (calamine says so).
    pub fn scan(bytes: &[u8]) -> anyhow::Result<Option<HashMap<String, Vec<Dimensions>>>> {
        let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
            return Ok(None);
        };
        let sheets = match sheet_paths(&mut zip) {
            Ok(s) => Some(s),
            Err(e) if guard::refusal(&e).is_some() => return Err(refused(e)),
            Err(_) => None,
        };
        let mut out = HashMap::new();
        for i in 0..zip.len() {
            let part = zip.by_index(i).map_err(broken)?;
            if part.is_dir() {
                continue;
            }
            let path = part.name().map_err(broken)?.into_owned();
            let sheet = sheets.iter().flatten().find(|(_, p)| *p == path);
            let read = match sheet {
                Some((name, _)) => {
                    let xml = Guarded::new(part, Part::Sheet(name), MAX_XLSX_SHEET_BYTES);
                    merge_cells(xml).map(|regions| {
                        out.insert(name.clone(), regions);
                    })
                }
                None => {
                    let lower = path.to_ascii_lowercase();
                    let what = if lower.ends_with("sharedstrings.xml") {
                        Part::Strings
                    } else if lower.ends_with(".xml") || lower.ends_with(".rels") {
                        Part::Other(&path)
                    } else {
                        Part::Binary(&path)
                    };
                    guard::drain(part, what, MAX_XLSX_PART_BYTES)
                }
            };
            match read {
                Ok(()) => {}
                Err(e) if guard::refusal(&e).is_some() => return Err(refused(e)),
                Err(e) => return Err(broken(e)),
            }
        }
        Ok(sheets.map(|_| out))
    }

    fn refused(e: anyhow::Error) -> anyhow::Error {
        anyhow::anyhow!(guard::refusal(&e).unwrap_or_default())
    }

    fn broken(e: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("无法打开 Excel 文件（文件损坏）：{e}")
    }

    /// (sheet name, part path) of every worksheet the workbook names.
    fn sheet_paths(zip: &mut Zip) -> anyhow::Result<Vec<(String, String)>> {
        let entries: Vec<String> = zip
            .file_names()
            .filter_map(|n| n.ok())
            .map(|n| n.into_owned())
            .collect();
        let find = |path: &str| {
            entries
                .iter()
                .find(|e| e.eq_ignore_ascii_case(path))
                .cloned()
        };
        // The workbook part, from the package relationships.
        let root = read_text(zip, &find("_rels/.rels").ok_or_else(missing)?)?;
        let workbook = relationships(&root)?
            .into_values()
            .find(|(typ, _)| typ.ends_with("/officeDocument"))
            .map(|(_, target)| target.trim_start_matches('/').to_string())
            .ok_or_else(missing)?;
        let (dir, file) = match workbook.rfind('/') {
            Some(p) => (&workbook[..=p], &workbook[p + 1..]),
            None => ("", workbook.as_str()),
        };
        let rels = read_text(
            zip,
            &find(&format!("{dir}_rels/{file}.rels")).ok_or_else(missing)?,
        )?;
        let rels = relationships(&rels)?;
        let book = read_text(zip, &find(&workbook).ok_or_else(missing)?)?;
        let mut out = Vec::new();
        for (name, id) in sheets(&book)? {
            let Some((typ, target)) = rels.get(&id) else {
                continue;
            };
            if !typ.ends_with("/worksheet") {
                continue;
            }
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("{dir}{target}"),
            };
            if let Some(path) = find(&path) {
                out.push((name, path));
            }
        }
        Ok(out)
    }

    fn missing() -> anyhow::Error {
        anyhow::anyhow!("not a standard workbook layout")
    }

    fn read_text(zip: &mut Zip, path: &str) -> anyhow::Result<String> {
        let mut text = String::new();
        let part = zip.by_name(path)?;
        Guarded::new(part, Part::Other(path), MAX_XLSX_PART_BYTES).read_to_string(&mut text)?;
        Ok(text)
    }

    /// (local name, value) of each attribute, values unescaped as calamine does.
    fn attrs(e: &quick_xml::events::BytesStart) -> anyhow::Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for a in e.attributes() {
            let a = a?;
            let key = a.key.local_name().as_ref().to_string();
            let value = quick_xml::escape::unescape(&a.value)?.into_owned();
            out.push((key, value));
        }
        Ok(out)
    }

    /// Id → (type, target).
    fn relationships(xml: &str) -> anyhow::Result<HashMap<String, (String, String)>> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut out = HashMap::new();
        loop {
            match reader.read_event()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                    let a = attrs(&e)?;
                    let get = |k: &str| {
                        a.iter()
                            .find(|(key, _)| key == k)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    out.insert(get("Id"), (get("Type"), get("Target")));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// (name, relationship id) of each sheet, in order.
    fn sheets(xml: &str) -> anyhow::Result<Vec<(String, String)>> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                    let a = attrs(&e)?;
                    let name = a.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone());
                    let id = a.iter().find(|(k, _)| k == "id").map(|(_, v)| v.clone());
                    if let (Some(name), Some(id)) = (name, id) {
                        out.push((name, id));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }

    /// Every `<mergeCell ref="…"/>` (any namespace prefix) in a sheet's XML.
    /// Outside tags `<` is always escaped, so a match that starts a tag is
    /// one.
    pub fn merge_cells(mut xml: impl Read) -> anyhow::Result<Vec<Dimensions>> {
        let finder = memchr::memmem::Finder::new(b"mergeCell");
        let mut out = Vec::new();
        let mut window: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut chunk = vec![0u8; 1 << 18];
        // Where in `window` the search goes on from.
        let mut from = 0;
        loop {
            let n = xml.read(&mut chunk)?;
            let end = n == 0;
            window.extend_from_slice(&chunk[..n]);
            while let Some(hit) = finder.find(&window[from..]) {
                let at = from + hit;
                match tag_at(&window, at) {
                    Tag::Region(d) => {
                        out.push(d);
                        from = at + 9;
                    }
                    Tag::Other => from = at + 9,
                    Tag::Unfinished if !end => break,
                    Tag::Unfinished => from = at + 9,
                }
            }
            if end {
                break;
            }
            if finder.find(&window[from..]).is_none() {
                // Nothing more here, bar the start of a name cut by the read.
                from = from.max(window.len().saturating_sub(8));
            }
            // Keep what follows `from`, and enough before it for a prefix.
            let keep = from.saturating_sub(64);
            window.drain(..keep);
            from -= keep;
        }
        Ok(out)
    }

    enum Tag {
        Region(Dimensions),
        Other,
        Unfinished,
    }

    fn tag_at(w: &[u8], at: usize) -> Tag {
        // `<mergeCell` or `<prefix:mergeCell`.
        let mut i = at;
        if i > 0 && w[i - 1] == b':' {
            i -= 1;
            while i > 0
                && (w[i - 1].is_ascii_alphanumeric() || matches!(w[i - 1], b'_' | b'-' | b'.'))
            {
                i -= 1;
            }
        }
        if i == 0 || w[i - 1] != b'<' {
            return Tag::Other;
        }
        let after = at + 9;
        let Some(&next) = w.get(after) else {
            return Tag::Unfinished;
        };
        if !(next.is_ascii_whitespace() || next == b'/' || next == b'>') {
            return Tag::Other; // mergeCells
        }
        let Some(close) = w[after..].iter().position(|&b| b == b'>') else {
            return Tag::Unfinished;
        };
        let tag = &w[after..after + close];
        match attr(tag, b"ref").and_then(dimension) {
            Some(d) => Tag::Region(d),
            None => Tag::Other,
        }
    }

    pub(super) fn attr<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
        let mut i = 0;
        while let Some(p) = memchr::memmem::find(&tag[i..], name) {
            let at = i + p;
            i = at + name.len();
            if at > 0 && !tag[at - 1].is_ascii_whitespace() {
                continue;
            }
            let mut j = i;
            while tag.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
                j += 1;
            }
            if tag.get(j) != Some(&b'=') {
                continue;
            }
            j += 1;
            while tag.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
                j += 1;
            }
            let quote = *tag.get(j)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let len = tag[j + 1..].iter().position(|&b| b == quote)?;
            return Some(&tag[j + 1..j + 1 + len]);
        }
        None
    }

    /// `A1:C3` or `B2` (0-based rows and columns).
    fn dimension(text: &[u8]) -> Option<Dimensions> {
        let text = std::str::from_utf8(text).ok()?;
        let mut parts = text.split(':');
        let start = cell(parts.next()?)?;
        let end = match parts.next() {
            Some(p) => cell(p)?,
            None => start,
        };
        parts.next().is_none().then(|| Dimensions::new(start, end))
    }

    fn cell(text: &str) -> Option<(u32, u32)> {
        let text = text.trim().trim_start_matches('$');
        let letters = text.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        if letters == 0 || letters > 3 {
            return None;
        }
        let mut col: u32 = 0;
        for b in text[..letters].bytes() {
            col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
        }
        let row: u32 = text[letters..].trim_start_matches('$').parse().ok()?;
        (row > 0).then(|| (row - 1, col - 1))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn finds_merge_cells_in_any_prefix_and_across_reads() {
            let xml = format!(
                "<worksheet><sheetData><row><c><is><t>mergeCell a:mergeCell &lt;mergeCell</t></is></c></row>{}</sheetData>\
                 <mergeCells count=\"2\"><mergeCell ref=\"A2:A4\"/><x:mergeCell  ref='$B$1:D1' /></mergeCells></worksheet>",
                "<row/>".repeat(50_000)
            );
            // One byte at a time is the worst split there is.
            struct Trickle<'a>(&'a [u8]);
            impl Read for Trickle<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.0.len().min(buf.len()).min(7);
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let want = vec![
                Dimensions::new((1, 0), (3, 0)),
                Dimensions::new((0, 1), (0, 3)),
            ];
            assert_eq!(merge_cells(xml.as_bytes()).unwrap(), want);
            assert_eq!(merge_cells(Trickle(xml.as_bytes())).unwrap(), want);
            assert_eq!(cell("AA10"), Some((9, 26)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An xlsx of a ledger header and `rows - 1` rows of `cols` short texts.
    fn workbook(rows: u32, cols: u16) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("台账").unwrap();
        for (c, h) in ["排查时间", "村名", "矛盾情况"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for r in 1..rows {
            for c in 0..cols {
                sheet.write_string(r, c, format!("格{r}-{c}")).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    fn read(bytes: &[u8], bounds: CellBounds) -> anyhow::Result<usize> {
        let mut n = 0;
        let mut out = |_: crate::domain::ledger::LedgerRow| {
            n += 1;
            Ok(())
        };
        let mut rows = RowReader::new(&mut out);
        read_bounded(bytes, &mut rows, &mut |_| {}, bounds)?;
        rows.finish()?;
        Ok(n)
    }

    #[test]
    fn rows_too_wide_and_sheets_with_too_many_cells_are_refused_as_they_stream() {
        // A header of 3 cells and 4 rows of 8: 35 cells.
        let fits = CellBounds { row: 8, sheet: 35 };
        let ok = read(&workbook(5, 8), fits);
        assert_eq!(ok.unwrap(), 4);
        let e = read(&workbook(3, 9), fits).unwrap_err().to_string();
        assert!(e.contains("工作表“台账”第 2 行超过 8 列"), "{e}");
        let e = read(&workbook(6, 8), fits).unwrap_err().to_string();
        assert!(e.contains("有值的单元格超过 35 个"), "{e}");
        assert!(e.contains("分成几个文件"), "{e}");
    }

    #[test]
    fn numbers_read_as_ledgers_show_them() {
        assert_eq!(number_text(30000.0), "30000");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(19900001234.0), "19900001234");
    }

    #[test]
    fn merged_regions_fill_from_their_top_left() {
        let mut rows = vec![
            vec!["东河村".to_string(), "甲".into()],
            vec![String::new(), "乙".into()],
            vec![String::new(), "丙".into()],
        ];
        fill_merged(
            &mut rows,
            (5, 0),
            &[
                Dimensions::new((5, 0), (7, 0)),
                Dimensions::new((1, 0), (2, 0)),
            ],
        );
        assert_eq!(rows[2][0], "东河村");
        assert_eq!(rows[1][1], "乙");
    }
}
