//! The ledger (台账) in and out, on the desk's side: export hands out full
//! records (masked by role) and records who took them; import receives rows
//! in batches, checks every one, and writes them all in one transaction —
//! or nothing, when a row is bad and the officer did not ask to skip it.

mod rebuild;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::api::{DeskError, Response};
use super::local::{committed, sees_contacts, Local, Reply};
use crate::domain::dispute::{Dispute, HistoryEntry, Time};
use crate::domain::ledger::{same_dispute_key, Column, LedgerRow};
use crate::domain::limits::{size_text, MAX_IMPORT_ROWS, MAX_STAGED_BYTES};
use crate::domain::officer::{check, Capability, Officer};
use crate::domain::record::Read;
use crate::domain::text::{clean_line, mask_digits};
use crate::domain::workflow::Status;
use crate::store::{StoreError, Tx};

/// Which disputes an export takes. Dates are 排查时间, both ends included.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub village: Option<String>,
    pub status: Option<Status>,
    /// Only these 编号 (a 移送 packet); all when empty.
    #[serde(default)]
    pub ids: Vec<String>,
}

impl LedgerFilter {
    fn keeps(&self, d: &Dispute) -> bool {
        let day = d.registered_at.date_naive();
        self.from.is_none_or(|f| day >= f)
            && self.to.is_none_or(|t| day <= t)
            && self.village.as_deref().is_none_or(|v| d.village == v)
            && self.status.is_none_or(|st| d.status == st)
            && (self.ids.is_empty() || self.ids.contains(&d.id))
    }

    /// For the audit log: what was asked for.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = self.from {
            parts.push(format!("自 {f}"));
        }
        if let Some(t) = self.to {
            parts.push(format!("至 {t}"));
        }
        if let Some(v) = &self.village {
            parts.push(format!("村(社区) {v}"));
        }
        if let Some(s) = self.status {
            parts.push(format!("状态 {}", s.label()));
        }
        if parts.is_empty() {
            "全部".to_string()
        } else {
            parts.join("，")
        }
    }
}

/// One batch of import rows. `token` ties the batches of one import together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub token: u64,
    pub rows: Vec<LedgerRow>,
    pub finish: Option<ImportFinish>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFinish {
    /// The file's name, for the audit log and the cases' history.
    pub source: String,
    pub skip_bad: bool,
    pub dry_run: bool,
}

/// A row the import refused, skipped or wants the officer to know about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowProblem {
    pub sheet: String,
    pub row: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows received.
    pub rows: u64,
    /// Rows that are good and new: imported, or would be on a dry run.
    pub accepted: u64,
    /// The 编号 written (empty unless `written`).
    pub ids: Vec<String>,
    pub duplicates: Vec<RowProblem>,
    pub bad: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
    pub dry_run: bool,
    pub written: bool,
    /// Of the rows accepted: 当事人 marked 待补录.
    #[serde(default)]
    pub pending_parties: u64,
    /// Of the rows accepted: the category read from the 矛盾情况.
    #[serde(default)]
    pub categories_from_text: u64,
    /// Of the rows accepted: warning signs read from the 矛盾情况.
    #[serde(default)]
    pub flags_from_text: u64,
}

/// Unfinished imports kept at once; the oldest is dropped past this.
const MAX_STAGED: usize = 16;

/// Unfinished imports older than this are dropped (a client that died or
/// gave up half-way never sends its last batch).
const STAGED_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// An unfinished import. Each batch is checked and rebuilt as it arrives,
/// so that work overlaps the client reading the rest of its file; the
/// context the rows were built against is kept, and the rows themselves in
/// case the lists or roster change before the last batch.
struct Pending {
    key: (String, u64),
    /// Batch by batch (one vector growing to 100 000 records would be
    /// copied over and over as it grew).
    rows: Vec<Vec<LedgerRow>>,
    built: Vec<Vec<BuiltRow>>,
    count: usize,
    /// What the rows hold, as `held_bytes` counts it.
    bytes: usize,
    ctx: rebuild::Context,
    /// A batch was built against a different context than the first.
    mixed: bool,
    since: std::time::Instant,
}

/// Import batches waiting for their last one, oldest first.
#[derive(Default)]
pub struct Staging(Mutex<Vec<Pending>>);

impl Staging {
    /// Adds rows (built against `ctx`); returns the count so far, or the
    /// whole import when `take`.
    fn add(
        &self,
        login: &str,
        token: u64,
        (rows, built, ctx): (Vec<LedgerRow>, Vec<BuiltRow>, rebuild::Context),
        take: bool,
    ) -> Result<(u64, Option<Pending>), DeskError> {
        let mut staged = self.0.lock().unwrap_or_else(|p| p.into_inner());
        staged.retain(|p| p.since.elapsed() < STAGED_FOR);
        let key = (login.to_string(), token);
        let pos = match staged.iter().position(|p| p.key == key) {
            Some(p) => p,
            None => {
                if staged.len() >= MAX_STAGED {
                    staged.remove(0);
                }
                staged.push(Pending {
                    key,
                    rows: Vec::new(),
                    built: Vec::new(),
                    count: 0,
                    bytes: 0,
                    ctx: ctx.clone(),
                    mixed: false,
                    since: std::time::Instant::now(),
                });
                staged.len() - 1
            }
        };
        let bytes = held_bytes(&rows);
        let officer_holds: usize = staged
            .iter()
            .filter(|p| p.key.0 == login)
            .map(|p| p.bytes)
            .sum();
        let held = &mut staged[pos];
        if held.count + rows.len() > MAX_IMPORT_ROWS {
            staged.remove(pos);
            return Err(DeskError::Invalid(format!(
                "一次最多导入 {MAX_IMPORT_ROWS} 行，请把文件拆开分批导入"
            )));
        }
        if officer_holds + bytes > MAX_STAGED_BYTES {
            staged.remove(pos);
            return Err(DeskError::Invalid(format!(
                "您暂存的导入数据超过 {}（每名值班员的上限），本次导入已放弃；请把文件拆开分批导入",
                size_text(MAX_STAGED_BYTES as u64)
            )));
        }
        held.mixed |= held.ctx != ctx;
        held.bytes += bytes;
        held.count += rows.len();
        held.rows.push(rows);
        held.built.push(built);
        let count = held.count as u64;
        if take {
            return Ok((count, Some(staged.remove(pos))));
        }
        Ok((count, None))
    }
}

impl Staging {
    /// Drops `login`'s unfinished imports with these tokens (their
    /// connection closed: no last batch can come).
    pub(crate) fn drop_tokens(&self, login: &str, tokens: &[u64]) {
        let mut staged = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let gone: Vec<Pending> = {
            let (gone, kept) = std::mem::take(&mut *staged)
                .into_iter()
                .partition(|p| p.key.0 == login && tokens.contains(&p.key.1));
            *staged = kept;
            gone
        };
        drop(staged);
        drop_later(gone);
    }
}

/// The unfinished imports one connection started: dropped when it closes,
/// so a client killed half-way does not leave its rows held for half an hour.
pub struct ImportsOf<'a> {
    local: &'a Local,
    login: String,
    tokens: Vec<u64>,
}

impl<'a> ImportsOf<'a> {
    pub fn new(local: &'a Local, login: &str) -> Self {
        ImportsOf {
            local,
            login: login.to_string(),
            tokens: Vec::new(),
        }
    }

    /// Notes the import a request stages, if it is one.
    pub fn note(&mut self, req: &super::api::Request) {
        if let super::api::Request::ImportLedger { batch } = req {
            if !self.tokens.contains(&batch.token) {
                self.tokens.push(batch.token);
            }
        }
    }
}

impl Drop for ImportsOf<'_> {
    fn drop(&mut self) {
        if !self.tokens.is_empty() {
            self.local.imports.drop_tokens(&self.login, &self.tokens);
        }
    }
}

/// What staged rows hold in memory as received: their text and cells (the
/// records built from them add about as much again).
fn held_bytes(rows: &[LedgerRow]) -> usize {
    let string = std::mem::size_of::<String>();
    let one = |r: &LedgerRow| {
        std::mem::size_of::<LedgerRow>()
            + r.sheet.len()
            + r.cells.iter().map(|c| c.len() + string).sum::<usize>()
    };
    rows.iter().map(one).sum::<usize>()
}

/// `ExportLedger`: every role may take the ledger; phones are masked as on screen.
pub(crate) fn export(
    local: &Local,
    me: &Officer,
    filter: LedgerFilter,
    now: Time,
) -> Result<Reply, DeskError> {
    let mut filter = filter;
    filter.village = filter
        .village
        .map(|v| clean_line(&v))
        .filter(|v| !v.is_empty());
    let mut t = crate::timing::Phases::new("export(desk)");
    let mut disputes = local.store().disputes()?;
    t.mark("store.disputes");
    disputes.retain(|d| filter.keeps(d));
    t.mark("filter");
    for d in &mut disputes {
        if !sees_contacts(me, d.is_assignee(&me.login)) {
            for p in &mut d.parties {
                p.phone = p.phone.as_deref().map(|x| mask_digits(x, 3, 4));
            }
        }
    }
    local.store().write(&me.login, now, |tx| {
        tx.audit(
            "导出台账",
            "",
            &format!("{} 件（{}）", disputes.len(), filter.describe()),
        );
        Ok::<_, StoreError>(())
    })?;
    Ok(Reply {
        response: Response::Disputes(disputes),
        notice: None,
    })
}

/// `ExportPersons`: the register leaves the desk only with a desk role and
/// within the officer's scope; every export names the persons it wrote. With
/// `notify` it is the 通报 list for another township (人户分离).
pub(crate) fn export_persons(
    local: &Local,
    me: &Officer,
    include_ended: bool,
    notify: Option<String>,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Desk, false, "导出重点人员名单")?;
    let notify = notify.map(|t| clean_line(&t)).filter(|t| !t.is_empty());
    let persons = local.persons_in_scope(
        me,
        |p| {
            (include_ended || p.is_active())
                && notify
                    .as_ref()
                    .is_none_or(|t| p.household.as_deref() == Some(t.as_str()))
        },
        now,
    )?;
    let ids: Vec<String> = persons.iter().map(|p| p.id.clone()).collect();
    let detail = match &notify {
        Some(t) => format!("通报{t} {} 人", ids.len()),
        None if include_ended => format!("{} 人（含已解除列管）", ids.len()),
        None => format!("{} 人", ids.len()),
    };
    local.log_read(me, Read::Export, &ids, &detail, now)?;
    Ok(Reply {
        response: Response::Persons(persons),
        notice: None,
    })
}

/// `ImportLedger`: stages a batch, or with the last one checks and writes all.
pub(crate) fn import(
    local: &Local,
    me: &Officer,
    batch: ImportBatch,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Desk, false, "导入台账")?;
    if let Some(bad) = batch
        .rows
        .iter()
        .find(|r| r.cells.len() != Column::ALL.len())
    {
        return Err(DeskError::Invalid(format!(
            "第 {} 行的列数不对（{} 列，应为 {} 列），客户端与服务端版本可能不一致",
            bad.row,
            bad.cells.len(),
            Column::ALL.len()
        )));
    }
    let finish = batch.finish;
    let ctx = context(local, me, now)?;
    let mut rows = batch.rows;
    // Sheet names come from the file: clean them before they reach the
    // history, the report and a terminal.
    for r in &mut rows {
        r.sheet = clean_line(&r.sheet);
    }
    let built = build_all(&rows, &ctx);
    let (count, all) =
        local
            .imports
            .add(&me.login, batch.token, (rows, built, ctx), finish.is_some())?;
    let (Some(finish), Some(pending)) = (finish, all) else {
        return Ok(Reply {
            response: Response::Staged(count),
            notice: None,
        });
    };
    run_import(local, me, pending, finish, now)
}

/// What rows are checked against: the lists, the roster, the sensitive
/// periods, the importer, today.
fn context(local: &Local, me: &Officer, now: Time) -> Result<rebuild::Context, DeskError> {
    Ok(rebuild::Context {
        lists: local.lists()?,
        officers: local.store().officers()?,
        periods: local.periods()?,
        me: me.login.clone(),
        today: now.date_naive(),
    })
}

/// A checked row ready to write: its record and where it came from.
struct Ready {
    dispute: crate::domain::dispute::Dispute,
    /// The row's own 编号 when it is one of ours (MD-2024-000123).
    own_id: Option<(String, i32, u64)>,
    sheet: String,
    row: u32,
}

/// Frees a large value on another thread, off the import's critical path.
fn drop_later<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread to be had: the value was moved into the failed closure
        // and is dropped here all the same.
    }
}

/// A rebuilt row and its `same_dispute_key`.
type BuiltRow = Result<(rebuild::Built, String), String>;

fn build_one(row: &LedgerRow, ctx: &rebuild::Context) -> BuiltRow {
    let built = rebuild::build(row, ctx)?;
    let d = &built.dispute;
    let names: Vec<String> = d.parties.iter().map(|p| p.name.clone()).collect();
    let key = same_dispute_key(&d.village, d.registered_at.date_naive(), &names, &d.summary);
    Ok((built, key))
}

/// Checks and rebuilds every row, on a few threads for a large file: the
/// rows are independent and this is most of an import's work.
fn build_all(rows: &[LedgerRow], ctx: &rebuild::Context) -> Vec<BuiltRow> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if threads < 2 || rows.len() < 2000 {
        return rows.iter().map(|r| build_one(r, ctx)).collect();
    }
    let per = rows.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|r| build_one(r, ctx)).collect::<Vec<_>>())
            })
            .collect();
        workers
            .into_iter()
            .zip(rows.chunks(per))
            .flat_map(|(w, chunk)| {
                w.join().unwrap_or_else(|_| {
                    chunk
                        .iter()
                        .map(|_| Err("内部错误：检查这一行时出错".to_string()))
                        .collect()
                })
            })
            .collect()
    })
}

/// With the last batch: checks the rows once more, leaves out duplicates, and
/// writes the rest in one transaction — unless a dry run or a bad row stops it.
fn run_import(
    local: &Local,
    me: &Officer,
    pending: Pending,
    finish: ImportFinish,
    now: Time,
) -> Result<Reply, DeskError> {
    let mut t = crate::timing::Phases::new("run_import");
    let source = clean_line(&finish.source);
    let ctx = context(local, me, now)?;
    let count = pending.count;
    let (mut rows, built) = checked_against(pending, &ctx);
    t.mark("context+rebuild");
    let existing = Existing::read(local)?;
    t.mark("existing");
    let mut report = ImportReport {
        rows: count as u64,
        dry_run: finish.dry_run,
        ..Default::default()
    };
    free_cells_later(&mut rows);
    let ready = sort_rows(rows, built, &existing, &mut report);
    report.accepted = ready.len() as u64;
    t.mark("dedupe");
    if finish.dry_run || (!report.bad.is_empty() && !finish.skip_bad) || ready.is_empty() {
        return Ok(Reply {
            response: Response::Imported(Box::new(report)),
            notice: None,
        });
    }
    let c = local.store().write(&me.login, now, |tx| {
        let (ids, raced) = number_and_stamp(tx, ready, &me.login, &source, &mut t)?;
        tx.audit(
            "导入台账",
            "",
            &format!(
                "{source}：{} 行，导入 {} 件，重复 {} 行，跳过有错误的 {} 行",
                report.rows,
                ids.len(),
                report.duplicates.len() + raced.len(),
                report.bad.len()
            ),
        );
        Ok::<_, DeskError>((ids, raced))
    })?;
    t.mark("commit");
    let (ids, raced) = c.value;
    report.accepted = ids.len() as u64;
    report.ids = ids;
    report.duplicates.extend(raced);
    report.written = true;
    Ok(committed(
        Response::Imported(Box::new(report)),
        "导入台账",
        &me.login,
        c.revision,
        c.touched,
    ))
}

/// The staged rows and their rebuilt records, checked again against `ctx`
/// when the lists, the roster or the day changed while the batches came in.
fn checked_against(
    pending: Pending,
    ctx: &rebuild::Context,
) -> (Vec<Vec<LedgerRow>>, Vec<Vec<BuiltRow>>) {
    let Pending {
        rows,
        built,
        ctx: built_with,
        mixed,
        ..
    } = pending;
    if mixed || built_with != *ctx {
        let all: Vec<LedgerRow> = rows.into_iter().flatten().collect();
        let built = vec![build_all(&all, ctx)];
        return (vec![all], built);
    }
    (rows, built)
}

/// What the store already holds, to tell a new case from one imported before.
struct Existing {
    /// `same_dispute_key` of every case.
    keys: HashSet<String>,
    ids: HashSet<String>,
}

impl Existing {
    fn read(local: &Local) -> Result<Existing, DeskError> {
        let mut existing = Existing {
            keys: HashSet::new(),
            ids: HashSet::new(),
        };
        for s in local.store().summaries()? {
            existing.keys.insert(same_dispute_key(
                &s.village,
                s.registered_at.date_naive(),
                &s.parties,
                &s.summary,
            ));
            existing.ids.insert(s.id);
        }
        Ok(existing)
    }
}

/// Millions of cell strings: freed beside the rest of the import.
fn free_cells_later(rows: &mut [Vec<LedgerRow>]) {
    let cells: Vec<Vec<String>> = rows
        .iter_mut()
        .flatten()
        .map(|r| std::mem::take(&mut r.cells))
        .collect();
    drop_later(cells);
}

/// Puts each row in the report as bad or a duplicate, or returns it ready
/// to write; warnings go in the report either way.
fn sort_rows(
    rows: Vec<Vec<LedgerRow>>,
    built: Vec<Vec<BuiltRow>>,
    existing: &Existing,
    report: &mut ImportReport,
) -> Vec<Ready> {
    let count = report.rows as usize;
    // Keys of the rows taken so far, and where each was.
    let mut seen: HashMap<String, (String, u32)> = HashMap::with_capacity(2 * count);
    let mut ready = Vec::with_capacity(count);
    for (row, built) in rows.into_iter().flatten().zip(built.into_iter().flatten()) {
        let problem = |reason: String| RowProblem {
            sheet: row.sheet.clone(),
            row: row.row,
            reason,
        };
        let (built, key) = match built {
            Ok(b) => b,
            Err(reason) => {
                report.bad.push(problem(reason));
                continue;
            }
        };
        report
            .warnings
            .extend(built.warnings.iter().map(|w| problem(w.clone())));
        let id_key = built.own_id.as_ref().map(|(id, ..)| format!("#{id}"));
        let own = built.own_id.as_ref().map(|(id, ..)| id.as_str());
        if let Some(reason) = duplicate_of(own, &key, id_key.as_deref(), existing, &seen) {
            report.duplicates.push(problem(reason));
            continue;
        }
        for k in id_key.into_iter().chain([key]) {
            seen.insert(k, (row.sheet.clone(), row.row));
        }
        report.pending_parties += u64::from(built.from_text.pending_parties);
        report.categories_from_text += u64::from(built.from_text.category);
        report.flags_from_text += u64::from(built.from_text.flags);
        ready.push(Ready {
            dispute: built.dispute,
            own_id: built.own_id,
            sheet: row.sheet,
            row: row.row,
        });
    }
    ready
}

/// Why a row is not a new case: its 编号 or its content is in the store
/// already, or an earlier row of this import is the same case.
fn duplicate_of(
    own_id: Option<&str>,
    key: &str,
    id_key: Option<&str>,
    existing: &Existing,
    seen: &HashMap<String, (String, u32)>,
) -> Option<String> {
    if let Some(id) = own_id.filter(|id| existing.ids.contains(*id)) {
        return Some(format!("编号 {id} 已在库中，未重复导入"));
    }
    if existing.keys.contains(key) {
        return Some("库中已有同一村、同一天、同样当事人和矛盾情况的案件，未重复导入".to_string());
    }
    let (sheet, n) = id_key.into_iter().chain([key]).find_map(|k| seen.get(k))?;
    Some(format!("与工作表“{sheet}”第 {n} 行是同一件，只导入一次"))
}

/// Gives each ready row its 编号 and a history line, and writes them.
/// Returns the 编号 written and the rows whose own 编号 was taken meanwhile.
fn number_and_stamp(
    tx: &mut Tx<'_>,
    ready: Vec<Ready>,
    by: &str,
    source: &str,
    t: &mut crate::timing::Phases,
) -> Result<(Vec<String>, Vec<RowProblem>), StoreError> {
    raise_seqs_past_own_ids(tx, &ready)?;
    // Registered by someone else since the check above.
    let taken = tx.disputes_exist(
        ready
            .iter()
            .filter_map(|r| r.own_id.as_ref().map(|(id, ..)| id.as_str())),
    )?;
    let mut taken = taken.into_iter();
    let mut next = reserve_new_ids(tx, &ready)?;
    let now = tx.now();
    let mut ids = Vec::with_capacity(ready.len());
    let mut records = Vec::with_capacity(ready.len());
    let mut raced = Vec::new();
    for r in ready {
        let mut d = r.dispute;
        d.id = match r.own_id {
            Some((id, ..)) => {
                if taken.next().unwrap_or(false) {
                    raced.push(RowProblem {
                        sheet: r.sheet,
                        row: r.row,
                        reason: format!("编号 {id} 已在库中，未重复导入"),
                    });
                    continue;
                }
                id
            }
            None => next_id(&mut next, d.registered_at),
        };
        d.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: format!("导入台账：{source} 工作表“{}”第 {} 行", r.sheet, r.row),
        });
        ids.push(d.id.clone());
        records.push(d);
    }
    t.mark("ids+history");
    tx.put_disputes(&mut records)?;
    t.mark("put_disputes");
    drop_later(records);
    Ok((ids, raced))
}

/// Own numbers brought in move their year's sequence past them.
fn raise_seqs_past_own_ids(tx: &mut Tx<'_>, ready: &[Ready]) -> Result<(), StoreError> {
    let mut highest: HashMap<i32, u64> = HashMap::new();
    for (_, year, n) in ready.iter().filter_map(|r| r.own_id.as_ref()) {
        let h = highest.entry(*year).or_insert(0);
        *h = (*h).max(*n);
    }
    let mut years: Vec<(i32, u64)> = highest.into_iter().collect();
    years.sort_unstable();
    for (year, n) in years {
        tx.raise_seq(&format!("dispute:{year}"), n)?;
    }
    Ok(())
}

/// Reserves the new numbers, per year, for the rows without one of their
/// own; returns each year's first.
fn reserve_new_ids(tx: &mut Tx<'_>, ready: &[Ready]) -> Result<HashMap<String, u64>, StoreError> {
    let mut fresh: HashMap<String, u64> = HashMap::new();
    for r in ready.iter().filter(|r| r.own_id.is_none()) {
        *fresh
            .entry(r.dispute.registered_at.format("%Y").to_string())
            .or_insert(0) += 1;
    }
    let mut next: HashMap<String, u64> = HashMap::new();
    let mut years: Vec<(String, u64)> = fresh.into_iter().collect();
    years.sort_unstable();
    for (year, count) in years {
        let first = tx.reserve_seq(&format!("dispute:{year}"), count)?;
        next.insert(year, first);
    }
    Ok(next)
}

/// The next reserved 编号 of the year a case was registered, in row order.
fn next_id(next: &mut HashMap<String, u64>, registered_at: Time) -> String {
    let year = registered_at.format("%Y").to_string();
    let slot = next.get_mut(&year).expect("reserved above");
    let n = *slot;
    *slot += 1;
    crate::domain::record::dispute_id(registered_at.year(), n)
}
