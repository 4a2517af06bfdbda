//! Excel: written with rust_xlsxwriter (frozen header, widths by display
//! width so Chinese fits, real date cells), read with calamine (xlsx and the
//! old xls, every sheet, merged regions filled in).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, Reader, ReaderRef, Sheets};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};
use unicode_width::UnicodeWidthStr;

use super::{Sheet, Table};
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
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin);
    let date = Format::new()
        .set_num_format("yyyy-mm-dd")
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let plain = Format::new().set_align(FormatAlign::Top);
    // Rows go straight to the sheet's XML as they are written (inline
    // strings, no shared-string table held in memory): a 100 000-row ledger
    // writes in about half the time.
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_err)?;
    sheet.set_name(&table.sheet).map_err(xlsx_err)?;
    // Each column's own format, so most cells are written without one: a
    // format passed per cell is hashed per cell. A column of dates (its first
    // filled cell is one) takes the date format, the others wrap or not.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Date,
        Wrap,
        Plain,
    }
    let columns = table.header.len().max(table.rows.iter().map(|r| r.len()).max().unwrap_or(0));
    let kinds: Vec<Kind> = (0..columns)
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
        .collect();
    let format_of = |k: Kind| match k {
        Kind::Date => &date,
        Kind::Wrap => &wrap,
        Kind::Plain => &plain,
    };
    for (c, k) in kinds.iter().enumerate() {
        sheet
            .set_column_format(c as u16, format_of(*k))
            .map_err(xlsx_err)?;
    }
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.width() + 2).collect();
    widths.resize(columns, 0);
    for (c, h) in table.header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &header)
            .map_err(xlsx_err)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let column = kinds[c];
            let wanted = match cell {
                Cell::Empty => continue,
                Cell::Text(_) if column == Kind::Date => Kind::Plain,
                Cell::Text(_) => column,
                Cell::Date(_) => Kind::Date,
                Cell::Number(_) => Kind::Plain,
            };
            // The column's format applies to a cell written without one.
            let fmt = (wanted != column).then(|| format_of(wanted));
            // Past the widest a column gets, widths need not be measured.
            let measure = widths[c] < MAX_WIDTH;
            let w = match cell {
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
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
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
            };
            if let Some(slot) = widths.get_mut(c) {
                *slot = (*slot).max(w + 2);
            }
        }
    }
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
    t.mark("cells");
    let r = book
        .save(path)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()));
    t.mark("save");
    // Dropping the workbook's tables takes a while; the file is written.
    std::thread::spawn(move || drop(book));
    r
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

fn grid<RS: std::io::Read + std::io::Seek>(
    book: &mut Sheets<RS>,
    name: &str,
) -> anyhow::Result<Grid> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("无法读取工作表“{name}”：{e}");
    match book {
        Sheets::Xlsx(x) => {
            let range = x.worksheet_range_ref(name).map_err(|e| fail(&e))?;
            let rows = range
                .rows()
                .map(|row| row.iter().map(ref_text).collect())
                .collect();
            Ok((range.start(), rows))
        }
        other => {
            let range = other.worksheet_range(name).map_err(|e| fail(&e))?;
            let rows = range
                .rows()
                .map(|row| row.iter().map(cell_text).collect())
                .collect();
            Ok((range.start(), rows))
        }
    }
}

pub fn read(bytes: Vec<u8>) -> anyhow::Result<Vec<Sheet>> {
    let open = |bytes: Vec<u8>| {
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| anyhow::anyhow!("无法打开 Excel 文件（文件损坏或不是 xlsx/xls）：{e}"))
    };
    let mut t = crate::timing::Phases::new("xlsx::read");
    let mut book = open(bytes.clone())?;
    let names = book.sheet_names();
    t.mark("open");
    // calamine finds merged regions by parsing each sheet a second time; on
    // a large file that pass runs on its own thread, beside the cell reading.
    let (ranges, merges) = std::thread::scope(|scope| {
        let merges = scope.spawn(|| -> anyhow::Result<Vec<Vec<Dimensions>>> {
            let mut book = open(bytes)?;
            Ok(names
                .iter()
                .map(|name| match &mut book {
                    Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
                    Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
                    _ => Vec::new(),
                })
                .collect())
        });
        let ranges: anyhow::Result<Vec<Grid>> =
            names.iter().map(|name| grid(&mut book, name)).collect();
        let merges = merges
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("读取合并单元格时出错")));
        (ranges, merges)
    });
    t.mark("cells+merges");
    let mut out = Vec::new();
    for ((name, (start, mut rows)), merges) in names.iter().zip(ranges?).zip(merges?) {
        let name = name.clone();
        let Some((r0, c0)) = start else {
            out.push(Sheet {
                name,
                ..Default::default()
            });
            continue;
        };
        fill_merged(&mut rows, (r0, c0), &merges);
        out.push(Sheet {
            name,
            rows,
            first_row: r0,
        });
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

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
