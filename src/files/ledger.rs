//! The ledger file, client side. Export: ask the desk for the records, lay
//! them out in the ledger's columns, write xlsx or CSV. Import: find the
//! header in each sheet (under any title rows, by any of the names offices
//! give a column), turn the rows beneath into `LedgerRow`s and send them to
//! the desk, which checks and writes them.

use std::collections::HashMap;
use std::path::Path;

use super::progress::Progress;
use super::{read_file, write_table, Format, Sheet, Table};
use crate::desk::api::unexpected;
use crate::desk::ledger::{ImportBatch, ImportFinish, ImportReport, LedgerFilter, RowProblem};
use crate::desk::{Desk, DeskExt, Request, Response};
use crate::domain::ledger::{column_bits, ledger_row, Column, LedgerRow};
use crate::domain::limits::{
    size_text, MAX_CELL_BYTES, MAX_IMPORT_ROWS, MAX_ROW_CELLS, MAX_SHEET_ROWS, MAX_TEXT_CHARS,
};
use crate::domain::text::clean_line;

/// The names township ledgers give each column. Compared after dropping
/// spaces, line breaks and `*` marks, and again without any bracketed part
/// (排查时间（年月日） is 排查时间).
const SYNONYMS: &[(Column, &[&str])] = &[
    (
        Column::Date,
        &[
            "排查时间",
            "排查日期",
            "登记时间",
            "登记日期",
            "受理时间",
            "受理日期",
            "发现时间",
            "发生时间",
            "上报时间",
            "时间",
            "日期",
        ],
    ),
    (
        Column::Village,
        &[
            "村名",
            "村(社区)",
            "所属村",
            "所属村(社区)",
            "所在村",
            "村居",
            "村别",
            "村社区",
            "村/社区",
            "行政村",
            "社区",
            "村(居)",
            "所属村居",
            "村",
        ],
    ),
    (
        Column::ScreenedBy,
        &[
            "排查单位或排查人",
            "排查单位或个人",
            "排查单位(人)",
            "排查单位",
            "排查人",
            "登记人",
            "上报人",
            "上报单位",
            "排查单位/排查人",
        ],
    ),
    (
        Column::Situation,
        &[
            "矛盾情况",
            "纠纷情况",
            "矛盾纠纷情况",
            "矛盾纠纷基本情况",
            "基本情况",
            "简要情况",
            "矛盾纠纷简要情况",
            "矛盾纠纷内容",
            "纠纷内容",
            "主要矛盾",
            "事由",
            "纠纷事由",
            "情况简介",
            "矛盾纠纷",
            "主要情况",
        ],
    ),
    (
        Column::Measures,
        &[
            "化解措施",
            "调处措施",
            "处置措施",
            "工作措施",
            "稳控措施",
            "化解方案",
            "采取措施",
            "化解稳控措施",
            "措施",
        ],
    ),
    (Column::Remarks, &["备注", "附注"]),
    (
        Column::Id,
        &["编号", "台账编号", "案件编号", "纠纷编号", "登记编号"],
    ),
    (
        Column::Category,
        &[
            "类型",
            "纠纷类型",
            "矛盾类型",
            "矛盾纠纷类型",
            "类别",
            "纠纷类别",
            "矛盾类别",
        ],
    ),
    (
        Column::Parties,
        &[
            "当事人",
            "当事人姓名",
            "双方当事人",
            "当事人及联系方式",
            "当事人信息",
            "涉及人员",
            "当事人(联系方式)",
        ],
    ),
    (
        Column::Risk,
        &[
            "风险等级",
            "风险级别",
            "风险评估等级",
            "风险研判等级",
            "预警等级",
            "等级",
        ],
    ),
    (
        Column::Leader,
        &["牵头领导", "包案领导", "包保领导", "责任领导", "分管领导"],
    ),
    (
        Column::Unit,
        &[
            "责任单位",
            "承办单位",
            "牵头单位",
            "主办单位",
            "化解单位",
            "调处单位",
        ],
    ),
    (
        Column::Person,
        &["责任人", "承办人", "具体责任人", "经办人", "调解员"],
    ),
    (
        Column::Deadline,
        &[
            "化解时限",
            "办结时限",
            "完成时限",
            "化解期限",
            "办理时限",
            "时限",
        ],
    ),
    (
        Column::Progress,
        &[
            "进展",
            "进展情况",
            "化解进展",
            "调处进展",
            "工作进展",
            "调处情况",
            "化解进度",
        ],
    ),
    (
        Column::Result,
        &[
            "结果",
            "化解结果",
            "调处结果",
            "处理结果",
            "办理结果",
            "化解情况",
        ],
    ),
    (
        Column::ClosedOn,
        &[
            "销号时间",
            "销号日期",
            "化解时间",
            "化解日期",
            "办结时间",
            "办结日期",
            "结案时间",
        ],
    ),
    (
        Column::FollowUps,
        &["回访情况", "回访", "回访记录", "回访结果"],
    ),
    (
        Column::Source,
        &["来源", "线索来源", "纠纷来源", "信息来源"],
    ),
    (Column::Flags, &["预警情形", "预警情况", "风险点"]),
    (Column::Tier, &["调处层级", "层级", "调处级别"]),
    (
        Column::People,
        &["涉及人数", "人数", "涉及人员数", "涉事人数"],
    ),
    (
        Column::Amount,
        &["涉及金额", "涉案金额", "金额", "标的额", "争议金额"],
    ),
    (Column::Status, &["状态", "办理状态", "案件状态"]),
    (Column::Packaged, &["领导包案", "包案", "是否包案"]),
    (Column::Supervised, &["挂牌督办", "督办", "是否督办"]),
];

/// Headers that are known but carry nothing to import.
const IGNORED: &[&str] = &["序号", "序"];

/// Footer lines under the table: who filled it in, totals, notes.
const FOOTERS: &[&str] = &[
    "填表人",
    "填报人",
    "审核人",
    "负责人",
    "制表",
    "合计",
    "小计",
    "总计",
    "注：",
    "注:",
    "说明",
];

fn normalise(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '\u{3000}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect::<String>()
        .trim_end_matches([':', '：'])
        .to_string()
}

fn without_brackets(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in h.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    Col(Column),
    Ignored,
}

struct Synonyms(HashMap<String, Column>);

impl Synonyms {
    fn new() -> Synonyms {
        let mut map = HashMap::new();
        for (col, names) in SYNONYMS {
            for n in *names {
                map.entry(normalise(n)).or_insert(*col);
            }
        }
        Synonyms(map)
    }

    fn header(&self, cell: &str) -> Option<Header> {
        let n = normalise(cell);
        if n.is_empty() {
            return None;
        }
        if IGNORED.contains(&n.as_str()) {
            return Some(Header::Ignored);
        }
        self.0
            .get(&n)
            .or_else(|| self.0.get(&without_brackets(&n)))
            .map(|c| Header::Col(*c))
    }
}

/// Where a sheet's header is and which file column feeds which ledger column.
struct Layout {
    /// Index (in `Sheet::rows`) of the first data row.
    data_from: usize,
    columns: Vec<(usize, Column)>,
    ignored: Vec<usize>,
    header_row: u32,
    year_hint: Option<i32>,
}

fn matches(syn: &Synonyms, row: &[String]) -> Vec<(usize, Header)> {
    row.iter()
        .enumerate()
        .filter_map(|(i, c)| syn.header(c).map(|h| (i, h)))
        .collect()
}

/// The first row (among the first 30) that names 矛盾情况 and two more
/// columns; a second header row of sub-columns under merged group headers
/// (四定: 牵头领导 …) is taken in too.
fn layout(syn: &Synonyms, sheet: &Sheet) -> Option<Layout> {
    let limit = sheet.rows.len().min(30);
    for i in 0..limit {
        let top = matches(syn, &sheet.rows[i]);
        if top.is_empty() {
            continue;
        }
        let below = sheet
            .rows
            .get(i + 1)
            .map(|r| matches(syn, r))
            .unwrap_or_default();
        let two_rows = below.iter().filter(|(_, h)| *h != Header::Ignored).count() >= 2;
        let mut by_col: HashMap<usize, Header> = top.into_iter().collect();
        if two_rows {
            by_col.extend(below);
        }
        let mut cols: Vec<(usize, Header)> = by_col.into_iter().collect();
        cols.sort_by_key(|(i, _)| *i);
        let mut columns: Vec<(usize, Column)> = Vec::new();
        let mut ignored = Vec::new();
        for (i, h) in cols {
            match h {
                Header::Col(c) if !columns.iter().any(|(_, have)| *have == c) => {
                    columns.push((i, c))
                }
                Header::Col(_) => {}
                Header::Ignored => ignored.push(i),
            }
        }
        if columns.len() >= 3 && columns.iter().any(|(_, c)| *c == Column::Situation) {
            let year_hint = std::iter::once(sheet.name.as_str())
                .chain(sheet.rows[..i].iter().flatten().map(|s| s.as_str()))
                .find_map(year_in);
            return Some(Layout {
                data_from: i + if two_rows { 2 } else { 1 },
                columns,
                ignored,
                header_row: sheet.first_row + i as u32 + 1,
                year_hint,
            });
        }
    }
    None
}

/// A year a title names: "2024年11月矛盾纠纷排查表" → 2024.
fn year_in(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[4] == '年' && w[..4].iter().all(|c| c.is_ascii_digit()))
            .then(|| digits.parse::<i32>().ok())
            .flatten()
            .filter(|y| (1990..=2200).contains(y))
    })
}

/// What was found in one sheet, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetInfo {
    pub name: String,
    /// The header's row number, or None when the sheet has no ledger header.
    pub header_row: Option<u32>,
    pub rows: usize,
    /// Lines under the table that were passed over (totals, notes).
    pub passed_over: Vec<u32>,
}

fn is_blank(cells: &[String], ignored: &[usize]) -> bool {
    cells
        .iter()
        .enumerate()
        .all(|(i, c)| c.trim().is_empty() || ignored.contains(&i))
}

/// A footer, or a note merged across the row ("本月无新增矛盾纠纷").
fn is_note_row(cells: &[String]) -> bool {
    let filled: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let footer = filled
        .iter()
        .all(|c| FOOTERS.iter().any(|f| c.starts_with(f)));
    let merged_note = filled.len() >= 3 && filled.iter().all(|c| *c == filled[0]);
    !filled.is_empty() && (footer || merged_note)
}

/// Turns the rows of a file, as they are read, into ledger rows: finds each
/// sheet's header in its first rows, then maps every data row beneath.
/// The rows of a sheet arrive in order, gaps included.
pub struct RowReader<'a> {
    syn: Synonyms,
    sheet: Option<SheetState>,
    /// Data rows of the sheets already ended (the import limit counts all).
    before: usize,
    infos: Vec<SheetInfo>,
    out: &'a mut dyn FnMut(LedgerRow) -> anyhow::Result<()>,
}

struct SheetState {
    name: String,
    first_row: u32,
    /// Rows until the header is found (a header is looked for in the first
    /// 30 rows, and the row under it may be a second header row).
    prefix: Vec<Vec<String>>,
    /// Once decided: the layout, or None when the sheet has no header.
    layout: Option<Option<Layout>>,
    /// Index of the next row fed, counted from `first_row`.
    next: usize,
    info: SheetInfo,
}

/// Rows enough to decide the header as the whole sheet would.
const PREFIX_ROWS: usize = 31;

impl<'a> RowReader<'a> {
    pub fn new(out: &'a mut dyn FnMut(LedgerRow) -> anyhow::Result<()>) -> RowReader<'a> {
        RowReader {
            syn: Synonyms::new(),
            sheet: None,
            before: 0,
            infos: Vec::new(),
            out,
        }
    }

    /// Starts a sheet whose first row is the spreadsheet's row `first_row`
    /// (0-based).
    pub fn start_sheet(&mut self, name: &str, first_row: u32) -> anyhow::Result<()> {
        self.end_sheet()?;
        if first_row >= MAX_SHEET_ROWS {
            anyhow::bail!(
                "工作表“{}”从第 {} 行才开始，超过 Excel 的 {MAX_SHEET_ROWS} 行，文件可能已损坏",
                clean_line(name),
                u64::from(first_row) + 1
            );
        }
        self.sheet = Some(SheetState {
            name: name.to_string(),
            first_row,
            prefix: Vec::new(),
            layout: None,
            next: 0,
            info: SheetInfo {
                name: clean_line(name),
                header_row: None,
                rows: 0,
                passed_over: vec![],
            },
        });
        Ok(())
    }

    pub fn row(&mut self, cells: Vec<String>) -> anyhow::Result<()> {
        let Some(sheet) = self.sheet.as_mut() else {
            anyhow::bail!("内部错误：没有工作表就读到了行");
        };
        let number = u64::from(sheet.first_row) + sheet.next as u64 + 1;
        if number > u64::from(MAX_SHEET_ROWS) {
            anyhow::bail!(
                "工作表“{}”超过 Excel 的 {MAX_SHEET_ROWS} 行，文件可能已损坏",
                clean_line(&sheet.name)
            );
        }
        // xls, ods and csv rows arrive whole; an xlsx row is held to this
        // as it streams (`xlsx::CellBounds`).
        let width = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        if width > MAX_ROW_CELLS as usize {
            anyhow::bail!(
                "工作表“{}”第 {number} 行超过 {MAX_ROW_CELLS} 列（台账只有几十列），文件可能有问题，拒绝导入",
                clean_line(&sheet.name)
            );
        }
        if cells.iter().any(|c| c.len() > MAX_CELL_BYTES) {
            anyhow::bail!(
                "工作表“{}”第 {number} 行有单元格超过 {}，拒绝导入",
                clean_line(&sheet.name),
                size_text(MAX_CELL_BYTES as u64)
            );
        }
        match &sheet.layout {
            None => {
                sheet.prefix.push(cells);
                sheet.next += 1;
                if sheet.prefix.len() >= PREFIX_ROWS {
                    Self::decide(&self.syn, sheet, self.before, self.out)?;
                }
            }
            Some(Some(_)) => {
                let i = sheet.next;
                sheet.next += 1;
                Self::data_row(sheet, i, cells, self.before, self.out)?;
            }
            Some(None) => sheet.next += 1,
        }
        Ok(())
    }

    fn decide(
        syn: &Synonyms,
        sheet: &mut SheetState,
        before: usize,
        out: &mut dyn FnMut(LedgerRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let whole = Sheet {
            name: sheet.name.clone(),
            rows: std::mem::take(&mut sheet.prefix),
            first_row: sheet.first_row,
        };
        let Some(layout) = layout(syn, &whole) else {
            sheet.layout = Some(None);
            return Ok(());
        };
        for needed in [Column::Date, Column::Village] {
            if !layout.columns.iter().any(|(_, c)| *c == needed) {
                anyhow::bail!(
                    "工作表“{}”第 {} 行的表头里没有“{}”列（也没有它的别名），无法导入",
                    clean_line(&whole.name),
                    layout.header_row,
                    needed.label()
                );
            }
        }
        sheet.info.header_row = Some(layout.header_row);
        let data_from = layout.data_from;
        sheet.layout = Some(Some(layout));
        for (i, cells) in whole.rows.into_iter().enumerate().skip(data_from) {
            Self::data_row(sheet, i, cells, before, out)?;
        }
        Ok(())
    }

    fn data_row(
        sheet: &mut SheetState,
        i: usize,
        mut cells: Vec<String>,
        before: usize,
        out: &mut dyn FnMut(LedgerRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let Some(Some(layout)) = &sheet.layout else {
            return Ok(());
        };
        let number = sheet.first_row + i as u32 + 1;
        if is_blank(&cells, &layout.ignored) {
            return Ok(());
        }
        if is_note_row(&cells) {
            sheet.info.passed_over.push(number);
            return Ok(());
        }
        let mut row = vec![String::new(); Column::ALL.len()];
        // Each file column feeds one ledger column: the text moves over.
        for (src, col) in &layout.columns {
            if let Some(text) = cells.get_mut(*src) {
                // Longer than any field may be: cut, and the desk says so.
                row[col.index()] = if text.len() <= MAX_TEXT_CHARS {
                    std::mem::take(text)
                } else {
                    text.chars().take(MAX_TEXT_CHARS + 1).collect()
                };
            }
        }
        sheet.info.rows += 1;
        if before + sheet.info.rows > MAX_IMPORT_ROWS {
            anyhow::bail!(
                "工作表“{}”第 {number} 行：一次最多导入 {MAX_IMPORT_ROWS} 行，请把文件拆开分批导入",
                clean_line(&sheet.name)
            );
        }
        out(LedgerRow {
            sheet: sheet.name.clone(),
            row: number,
            year_hint: layout.year_hint,
            cells: row,
            columns: column_bits(layout.columns.iter().map(|(_, c)| *c)),
        })
    }

    fn end_sheet(&mut self) -> anyhow::Result<()> {
        if let Some(mut sheet) = self.sheet.take() {
            if sheet.layout.is_none() {
                Self::decide(&self.syn, &mut sheet, self.before, self.out)?;
            }
            self.before += sheet.info.rows;
            self.infos.push(sheet.info);
        }
        Ok(())
    }

    /// Ends the file: what each sheet held.
    pub fn finish(mut self) -> anyhow::Result<Vec<SheetInfo>> {
        self.end_sheet()?;
        if self.infos.iter().all(|i| i.header_row.is_none()) {
            anyhow::bail!(
                "文件里没有找到台账表头：表头应包含“矛盾情况”以及“排查时间”“村名”等列（可在标题行之下）"
            );
        }
        Ok(self.infos)
    }
}

/// The ledger as a table, one row per dispute.
pub fn ledger_table(desk: &mut dyn Desk, filter: LedgerFilter) -> anyhow::Result<Table> {
    let mut t = crate::timing::Phases::new("ledger_table");
    let disputes = match desk.call(Request::ExportLedger { filter })? {
        Response::Disputes(d) => d,
        other => return Err(unexpected(other).into()),
    };
    t.mark("ExportLedger call");
    let names: HashMap<String, String> = desk
        .officers()?
        .into_iter()
        .map(|o| (o.login, o.name))
        .collect();
    let name_of = |login: &str| {
        names
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_string())
    };
    Ok(Table {
        sheet: "矛盾纠纷台账".to_string(),
        header: Column::ALL.iter().map(|c| c.label().to_string()).collect(),
        rows: disputes.iter().map(|d| ledger_row(d, &name_of)).collect(),
        wrap: Column::ALL
            .iter()
            .map(|c| {
                matches!(
                    c,
                    Column::Situation
                        | Column::Measures
                        | Column::Remarks
                        | Column::Parties
                        | Column::Progress
                        | Column::Result
                        | Column::FollowUps
                )
            })
            .collect(),
    })
}

/// `desk export ledger`: returns the number of rows written.
pub fn export(
    desk: &mut dyn Desk,
    format: Format,
    out: &Path,
    filter: LedgerFilter,
) -> anyhow::Result<usize> {
    let mut t = crate::timing::Phases::new("export");
    let table = ledger_table(desk, filter)?;
    t.mark("ledger_table");
    write_table(format, out, &table)?;
    t.mark("write_table");
    Ok(table.rows.len())
}

pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_bad: bool,
    pub encoding: Option<String>,
}

/// Frames to the server are capped at 1 MiB; batches stay well under.
const BATCH_BYTES: usize = 512 * 1024;

fn row_bytes(r: &LedgerRow) -> usize {
    r.sheet.len() + r.cells.iter().map(|c| c.len() + 2).sum::<usize>() + 16
}

/// What the file reader hands the sender: rows, or a better guess of how
/// many there will be (for the progress bar).
enum Read {
    Rows(Vec<LedgerRow>),
    Estimate(u64),
}

/// `desk import ledger`: reads the file on one thread and sends its rows in
/// batches from this one as they come, so the desk checks a batch while the
/// next is read; the desk writes all in one transaction (or nothing) when
/// the last batch is in.
pub fn import(
    desk: &mut dyn Desk,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<(Vec<SheetInfo>, ImportReport)> {
    let mut t = crate::timing::Phases::new("import");
    let (send, receive) = std::sync::mpsc::sync_channel::<Read>(8);
    let encoding = opts.encoding.clone();
    let (infos, report) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> anyhow::Result<Vec<SheetInfo>> {
            let mut batch = Vec::new();
            let mut bytes = 0;
            let closed = || anyhow::anyhow!("导入已中止");
            let mut push = |r: LedgerRow| -> anyhow::Result<()> {
                bytes += row_bytes(&r);
                batch.push(r);
                if bytes >= BATCH_BYTES {
                    bytes = 0;
                    send.send(Read::Rows(std::mem::take(&mut batch)))
                        .map_err(|_| closed())?;
                }
                Ok(())
            };
            let mut rows = RowReader::new(&mut push);
            read_file(path, encoding.as_deref(), &mut rows, &mut |n| {
                let _ = send.send(Read::Estimate(n));
            })?;
            let infos = rows.finish()?;
            if !batch.is_empty() {
                send.send(Read::Rows(batch)).map_err(|_| closed())?;
            }
            Ok(infos)
        });
        // The receiver goes with the batches: should sending fail, the
        // reader's next send fails too and it stops.
        send_batches(desk, receive.into_iter(), path, opts, || {
            reader
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("读取文件的线程崩溃")))
        })
    })?;
    t.mark("read and send");
    Ok((infos, report))
}

/// Sends each batch as it comes; once the rows end and `done` says the
/// whole file was read, sends the last (empty) batch that makes the desk
/// check and write. A file that failed half-way is never finished: the desk
/// drops its batches.
fn send_batches<T>(
    desk: &mut dyn Desk,
    reads: impl Iterator<Item = Read>,
    path: &Path,
    opts: &ImportOptions,
    done: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<(T, ImportReport)> {
    let token = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 32);
    let finish = ImportFinish {
        source: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        skip_bad: opts.skip_bad,
        dry_run: opts.dry_run,
    };
    let mut progress = Progress::new("导入", 0);
    let mut sent = 0u64;
    let mut call = |rows: Vec<LedgerRow>, last: bool| -> anyhow::Result<Option<ImportReport>> {
        let req = Request::ImportLedger {
            batch: ImportBatch {
                token,
                rows,
                finish: last.then(|| finish.clone()),
            },
        };
        match desk.call(req)? {
            Response::Staged(_) if !last => Ok(None),
            Response::Imported(r) if last => Ok(Some(*r)),
            other => Err(unexpected(other).into()),
        }
    };
    for read in reads {
        match read {
            Read::Estimate(n) => progress.set_total(n.max(sent)),
            Read::Rows(rows) => {
                sent += rows.len() as u64;
                call(rows, false)?;
                progress.set(sent);
            }
        }
    }
    let value = done()?;
    let report = call(Vec::new(), true)?.expect("the last batch answers with a report");
    progress.set_total(sent);
    progress.set(sent);
    progress.finish();
    Ok((value, report))
}

/// Lists problem rows; `limit` cuts long lists of the harmless kinds
/// (re-importing a whole ledger makes every row a duplicate).
fn problems(title: &str, list: &[RowProblem], limit: usize, out: &mut String) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{title}（{} 行）：\n", list.len()));
    for p in list.iter().take(limit) {
        out.push_str(&format!(
            "  工作表“{}”第 {} 行：{}\n",
            p.sheet, p.row, p.reason
        ));
    }
    if list.len() > limit {
        out.push_str(&format!(
            "  ……另有 {} 行（--json 列出全部）\n",
            list.len() - limit
        ));
    }
}

/// Notices grouped by what they say: one line per distinct notice with how
/// many rows gave it and the first few of them (a 500-row ledger naming
/// the same county leader in every row is one line, not 500).
fn notices(list: &[RowProblem], out: &mut String) {
    const LIMIT: usize = 20;
    const ROWS_SHOWN: usize = 3;
    if list.is_empty() {
        return;
    }
    let mut groups: Vec<(&str, Vec<&RowProblem>)> = Vec::new();
    for p in list {
        match groups.iter_mut().find(|(reason, _)| *reason == p.reason) {
            Some((_, rows)) => rows.push(p),
            None => groups.push((&p.reason, vec![p])),
        }
    }
    out.push_str(&format!(
        "提示（{} 行，{} 种）：\n",
        list.len(),
        groups.len()
    ));
    for (reason, rows) in groups.iter().take(LIMIT) {
        let at: Vec<String> = rows
            .iter()
            .take(ROWS_SHOWN)
            .map(|p| format!("“{}”第 {} 行", p.sheet, p.row))
            .collect();
        let more = if rows.len() > ROWS_SHOWN { "等" } else { "" };
        out.push_str(&format!(
            "  {reason}（{} 行：{}{more}）\n",
            rows.len(),
            at.join("、")
        ));
    }
    if groups.len() > LIMIT {
        out.push_str(&format!(
            "  ……另有 {} 种提示（--json 列出全部）\n",
            groups.len() - LIMIT
        ));
    }
}

/// The import report as the officer reads it.
pub fn report_text(infos: &[SheetInfo], r: &ImportReport) -> String {
    let mut out = String::new();
    for i in infos {
        match i.header_row {
            Some(h) => {
                out.push_str(&format!(
                    "工作表“{}”：表头在第 {h} 行，数据 {} 行",
                    i.name, i.rows
                ));
                if !i.passed_over.is_empty() {
                    let lines: Vec<String> = i.passed_over.iter().map(|n| n.to_string()).collect();
                    out.push_str(&format!(
                        "（第 {} 行是说明或合计，未作数据）",
                        lines.join("、")
                    ));
                }
                out.push('\n');
            }
            None => out.push_str(&format!("工作表“{}”：没有台账表头，已跳过\n", i.name)),
        }
    }
    problems("有错误", &r.bad, usize::MAX, &mut out);
    problems("重复", &r.duplicates, 20, &mut out);
    notices(&r.warnings, &mut out);
    if r.pending_parties + r.categories_from_text + r.flags_from_text > 0 {
        out.push_str(&format!(
            "按文字识别：当事人待补录 {} 件，类型取自文字 {} 件，预警情形取自文字 {} 件\n",
            r.pending_parties, r.categories_from_text, r.flags_from_text
        ));
    }
    let tail = if r.dry_run {
        format!(
            "试导入（--dry-run），未写入任何数据：共 {} 行，可导入 {} 件，重复 {} 行，有错误 {} 行",
            r.rows,
            r.accepted,
            r.duplicates.len(),
            r.bad.len()
        )
    } else if r.written {
        let span = match (r.ids.first(), r.ids.last()) {
            (Some(a), Some(b)) if a != b => format!("（{a} 至 {b}）"),
            (Some(a), _) => format!("（{a}）"),
            _ => String::new(),
        };
        format!(
            "已导入 {} 件{span}；重复未导入 {} 行；跳过有错误的 {} 行",
            r.ids.len(),
            r.duplicates.len(),
            r.bad.len()
        )
    } else if !r.bad.is_empty() {
        format!(
            "有 {} 行有错误，未写入任何数据。请改正后重新导入，或加 --skip-bad 只导入正确的行",
            r.bad.len()
        )
    } else {
        "没有需要导入的新案件，未写入任何数据".to_string()
    };
    out.push_str(&tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// The reader refuses the row past the import limit as it streams,
    /// across sheets, naming the sheet and the row; rows up to it go out.
    #[test]
    fn rows_past_the_import_limit_are_refused_naming_the_row() {
        let mut sent = 0usize;
        let mut out = |_: LedgerRow| -> anyhow::Result<()> {
            sent += 1;
            Ok(())
        };
        let mut rows = RowReader::new(&mut out);
        let header = strings(&["排查时间", "村名", "矛盾情况"]);
        let data = strings(&["2026-11-01", "东河村", "邻里纠纷"]);
        let first = MAX_IMPORT_ROWS / 2;
        rows.start_sheet("上半年", 0).unwrap();
        rows.row(header.clone()).unwrap();
        for _ in 0..first {
            rows.row(data.clone()).unwrap();
        }
        rows.start_sheet("下半年", 0).unwrap();
        rows.row(header).unwrap();
        for _ in first..MAX_IMPORT_ROWS {
            rows.row(data.clone()).unwrap();
        }
        let e = rows.row(data).unwrap_err().to_string();
        let row = MAX_IMPORT_ROWS - first + 2;
        assert_eq!(
            e,
            format!("工作表“下半年”第 {row} 行：一次最多导入 {MAX_IMPORT_ROWS} 行，请把文件拆开分批导入")
        );
        drop(rows);
        assert_eq!(sent, MAX_IMPORT_ROWS);
    }

    #[test]
    fn a_cell_past_the_limit_is_refused_naming_the_row() {
        let mut out = |_: LedgerRow| -> anyhow::Result<()> { Ok(()) };
        let mut rows = RowReader::new(&mut out);
        rows.start_sheet("台账", 4).unwrap();
        rows.row(strings(&["排查时间", "村名", "矛盾情况"]))
            .unwrap();
        let long = "纠".repeat(MAX_CELL_BYTES / 3 + 1);
        let e = rows
            .row(strings(&["2026-11-01", "东河村", &long]))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "工作表“台账”第 6 行有单元格超过 32 KB，拒绝导入");
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "11月".into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            first_row: 0,
        }
    }

    #[test]
    fn header_under_titles_with_synonyms_and_sub_headers() {
        let s = sheet(&[
            &["2024年11月东河镇社会治安矛盾纠纷排查表", "", "", "", "", ""],
            &[
                "序号",
                "排查时间（年月日）",
                "所属村",
                "纠纷情况",
                "四定",
                "四定",
            ],
            &["", "", "", "", "责任单位", "责任人"],
            &["1", "11月3日", "东河村", "邻里纠纷", "司法所", "冯志强"],
        ]);
        let l = layout(&Synonyms::new(), &s).unwrap();
        assert_eq!(l.header_row, 2);
        assert_eq!(l.data_from, 3);
        assert_eq!(l.year_hint, Some(2024));
        assert_eq!(
            l.columns,
            vec![
                (1, Column::Date),
                (2, Column::Village),
                (3, Column::Situation),
                (4, Column::Unit),
                (5, Column::Person)
            ]
        );
        assert_eq!(l.ignored, vec![0]);
    }

    #[test]
    fn notes_and_footers_are_not_data() {
        assert!(is_note_row(&[
            "本月无新增矛盾纠纷".into(),
            "本月无新增矛盾纠纷".into(),
            "本月无新增矛盾纠纷".into()
        ]));
        assert!(is_note_row(&[
            "填表人：宋雪梅".into(),
            "".into(),
            "审核人：林晓燕".into()
        ]));
        assert!(!is_note_row(&["2024-11-03".into(), "东河村".into()]));
        assert!(is_blank(&["3".into(), " ".into()], &[0]));
        assert_eq!(year_in("台账（2025年度）"), Some(2025));
        assert_eq!(year_in("11月"), None);
    }
}
