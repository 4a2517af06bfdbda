//! One ledger row back into a dispute. The columns are checked against the
//! lists and the roster, then the case is walked through the same workflow
//! moves an officer would make (研判, 交办, 签收, 包案, 进展, 销号, 回访), dated
//! by the row, so an imported case is in the state its columns describe and
//! no state the workflow forbids can come in.

use chrono::{NaiveDate, TimeZone};

use crate::desk::api::Lists;
use crate::desk::clock::china;
use crate::domain::deadline::default_deadline;
use crate::domain::dispute::PENDING_PARTY;
use crate::domain::dispute::{Dispute, NewDispute, Party, Time};
use crate::domain::ledger::{
    parse_flags, parse_ledger_date, parse_notes, parse_parties, parse_result, parse_risk,
    parse_tier, parse_visits, parse_yes, Column, LedgerRow, ResultCell, VisitCell,
};
use crate::domain::limits::{MAX_AMOUNT_YUAN, MAX_PEOPLE};
use crate::domain::lists::{ContactKind, Outcome, PartyRole, RiskLevel, Source, Tier};
use crate::domain::names::{self, How};
use crate::domain::officer::{resolve as resolve_officer, Officer};
use crate::domain::period::{self, SensitivePeriod};
use crate::domain::reading::{self, read, Phrases};
use crate::domain::text::{clean_line, clean_text, parse_amount, parse_people};
use crate::domain::workflow::Status;
use crate::domain::DomainError;

#[derive(Clone, PartialEq)]
pub(super) struct Context {
    pub lists: Lists,
    pub officers: Vec<Officer>,
    /// Every sensitive period: a row without a deadline gets the default of
    /// the day it was registered, tightened if a period ran then.
    pub periods: Vec<SensitivePeriod>,
    pub me: String,
    pub today: NaiveDate,
}

pub(super) struct Built {
    pub dispute: Dispute,
    /// (编号, year, number) when the row carries one of the desk's own numbers.
    pub own_id: Option<(String, i32, u64)>,
    pub warnings: Vec<String>,
    /// What the row's own cells lacked and its 矛盾情况 supplied.
    pub from_text: FromText,
}

/// What an import took from the text of a row (the 排查表 has no 当事人,
/// 类型 or 预警 columns), for the import report's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FromText {
    /// No party could be named: marked 待补录.
    pub pending_parties: bool,
    pub category: bool,
    pub flags: bool,
}

/// The desk's own numbers: MD-2024-000123.
fn own_id(text: &str) -> Option<(String, i32, u64)> {
    let t = text.trim().to_uppercase();
    let (y, n) = crate::domain::record::parse_dispute_id(&t)?;
    Some((t, y, n))
}

fn at(day: NaiveDate, hour: u32) -> Time {
    china()
        .from_local_datetime(&day.and_hms_opt(hour, 0, 0).expect("valid time"))
        .single()
        .expect("fixed offset")
}

/// A village or category cell as the list names it: 东河村委会 → 东河村,
/// 邻里纠纷 → 邻里, 劳资 → 劳资/欠薪 (the one resolver, `domain::names`).
fn listed(list: &[String], what: &str, value: &str) -> Result<String, String> {
    if list.is_empty() {
        return Err(crate::desk::ops::empty_list(what));
    }
    names::pick(what, list, &[], value, false).map(|(i, _)| list[i].clone())
}

/// A roster login for a name or login in the ledger; the text itself (and a
/// warning) when nobody on the roster has it, as for a county leader.
fn officer(officers: &[Officer], what: &str, text: &str, warnings: &mut Vec<String>) -> String {
    let t = clean_line(text);
    if t.is_empty() {
        return t;
    }
    // Only a login or a whole name: a county leader named in a ledger must
    // not become the roster's officer who shares part of the name.
    let all: Vec<&Officer> = officers.iter().collect();
    match resolve_officer(&all, &t) {
        Ok((i, How::Exact | How::Alias)) => all[i].login.clone(),
        Ok((_, How::Part | How::Pinyin)) | Err(_) => {
            warnings.push(format!("{what}“{t}”不在值班名册中，按原文保存"));
            t
        }
    }
}

/// Collects field errors so one report line names everything wrong in a row.
struct Errors(Vec<String>);

impl Errors {
    fn take<T>(&mut self, what: &str, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = e.to_string();
                self.0.push(if msg.contains(what) {
                    msg
                } else {
                    format!("{what}：{msg}")
                });
                None
            }
        }
    }
}

/// Parties from the 矛盾情况, for the 排查表, which has no 当事人 column:
/// whoever the reader finds named, with the side the text gives, else the
/// side their order implies (first 申请方, second 被申请方).
fn parties_from_situation(summary: &str) -> Option<Vec<Party>> {
    let read = reading::read_parties(summary, Phrases::shared());
    if read.is_empty() {
        return None;
    }
    read.iter()
        .enumerate()
        .map(|(i, p)| {
            let role = p.value.role.unwrap_or(match i {
                0 => PartyRole::Applicant,
                1 => PartyRole::Respondent,
                _ => PartyRole::Other,
            });
            Party::new(&p.value.name, role, None).ok()
        })
        .collect()
}

/// One row into its case, or every problem the row has in one message.
pub(super) fn build(row: &LedgerRow, ctx: &Context) -> Result<Built, String> {
    let mut warnings = Vec::new();
    let mut errs = Errors(Vec::new());
    let mut from_text = FromText::default();
    let case = read_case(row, ctx, &mut errs, &mut warnings)
        .map(|c| from_the_text(c, row, ctx, &mut from_text, &mut warnings));
    let plan = read_plan(row, ctx, case.as_ref(), &mut errs, &mut warnings);
    let (Some(case), Some(plan), true) = (case, plan, errs.0.is_empty()) else {
        return Err(errs.0.join("；"));
    };
    let flags = case.new.flags.clone();
    let mut d = register(row, ctx, case)?;
    plan.replay(&mut d, flags, ctx, &mut warnings)?;
    let own = own_id(row.get(Column::Id));
    let foreign = clean_line(row.get(Column::Id));
    if own.is_none() && !foreign.is_empty() {
        d.history.push(crate::domain::dispute::HistoryEntry {
            at: d.registered_at,
            by: ctx.me.clone(),
            what: format!("原台账编号：{foreign}"),
        });
    }
    Ok(Built {
        dispute: d,
        own_id: own,
        warnings,
        from_text,
    })
}

/// Fills what the row's cells left empty from its 矛盾情况, with the words
/// that gave each away: the category, the warning signs, the number of
/// people and the amount.
fn from_the_text(
    mut case: Case,
    row: &LedgerRow,
    ctx: &Context,
    from_text: &mut FromText,
    warnings: &mut Vec<String>,
) -> Case {
    // Only what the file has no column for: a cell left empty in a column
    // the file has keeps its meaning (类型 其他, no flags).
    let missing = |c: Column| !row.has(c);
    let pending = case
        .new
        .parties
        .first()
        .is_some_and(|p| p.name == PENDING_PARTY);
    from_text.pending_parties |= pending;
    // A ledger with every one of these columns (the desk's own) needs no
    // reading: it was most of an import's work.
    let wanted = [
        Column::Category,
        Column::Flags,
        Column::People,
        Column::Amount,
    ];
    if !wanted.into_iter().any(missing) {
        return case;
    }
    let reading = read(&case.new.summary, Phrases::shared(), &ctx.lists.categories);
    if missing(Column::Category) {
        if let Some(c) = &reading.category {
            warnings.retain(|w| !w.starts_with("没有填纠纷类型"));
            warnings.push(format!("类型按文字“{}”定为 {}", c.because, c.value));
            case.new.category = c.value.clone();
            from_text.category = true;
        }
    }
    if missing(Column::Flags) && !reading.flags.is_empty() {
        let said: Vec<String> = reading
            .flags
            .iter()
            .map(|f| format!("“{}”→{}", f.because, f.value.label()))
            .collect();
        warnings.push(format!("预警情形按文字定为：{}", said.join("、")));
        case.new.flags = reading.flag_values();
        from_text.flags = true;
    }
    if missing(Column::People) {
        // A number read from the text beyond the limits is not a count.
        if let Some(p) = reading.people.as_ref().filter(|p| p.value <= MAX_PEOPLE) {
            case.new.people_involved = case.new.people_involved.max(p.value);
        }
    }
    if missing(Column::Amount) && case.new.amount.is_none() {
        case.new.amount = reading
            .amount_yuan
            .as_ref()
            .map(|a| a.value)
            .filter(|a| *a <= MAX_AMOUNT_YUAN);
    }
    case
}

/// A date in one of the row's cells.
fn row_date(row: &LedgerRow, ctx: &Context, text: &str) -> Result<NaiveDate, DomainError> {
    parse_ledger_date(text, ctx.today, row.year_hint)
}

/// The columns that register and assess a case (登记, 研判).
struct Case {
    registered: NaiveDate,
    risk: Option<RiskLevel>,
    tier: Tier,
    new: NewDispute,
}

/// Reads the registering columns, noting what is wrong in `errs`; `None`
/// when something is.
fn read_case(
    row: &LedgerRow,
    ctx: &Context,
    errs: &mut Errors,
    warnings: &mut Vec<String>,
) -> Option<Case> {
    let get = |c: Column| row.get(c);
    let registered = match clean_line(get(Column::Date)).as_str() {
        "" => {
            errs.0.push("排查时间不能为空".to_string());
            None
        }
        text => errs.take("排查时间", row_date(row, ctx, text)),
    };
    let village = read_village(ctx, get(Column::Village), errs);
    let category = read_category(ctx, get(Column::Category), errs, warnings);
    let summary = clean_text(get(Column::Situation));
    if summary.is_empty() {
        errs.0.push("矛盾情况不能为空".to_string());
    }
    let parties = read_parties(get(Column::Parties), &summary, errs, warnings);
    let source = match clean_line(get(Column::Source)).as_str() {
        "" => Some(Source::Screening),
        s => errs.take("来源", Source::parse(s)),
    };
    let flags = errs.take("预警情形", parse_flags(get(Column::Flags)));
    let risk = errs.take("风险等级", parse_risk(get(Column::Risk)));
    let tier = errs.take("调处层级", parse_tier(get(Column::Tier)));
    let people = errs.take("涉及人数", parse_people(get(Column::People)));
    let amount = match clean_line(get(Column::Amount)).as_str() {
        "" | "0" | "无" => Some(None),
        a => errs.take("涉及金额", parse_amount(a)).map(Some),
    };
    let tier = tier?.unwrap_or(Tier::Village);
    Some(Case {
        registered: registered?,
        risk: risk?,
        tier,
        new: NewDispute {
            village: village?,
            category: category?,
            source: Some(source?),
            summary,
            parties: parties?,
            people_involved: people?,
            amount: amount?,
            flags: flags?,
            tier: Some(tier),
        },
    })
}

fn read_village(ctx: &Context, cell: &str, errs: &mut Errors) -> Option<String> {
    match clean_line(cell).as_str() {
        "" => {
            errs.0.push("村名不能为空".to_string());
            None
        }
        v => listed(&ctx.lists.villages, "村(社区)", v)
            .map_err(|e| errs.0.push(e))
            .ok(),
    }
}

fn read_category(
    ctx: &Context,
    cell: &str,
    errs: &mut Errors,
    warnings: &mut Vec<String>,
) -> Option<String> {
    match clean_line(cell).as_str() {
        "" => {
            warnings.push("没有填纠纷类型，按“其他”导入".to_string());
            Some("其他".to_string())
        }
        c => listed(&ctx.lists.categories, "纠纷类型", c)
            .map_err(|e| errs.0.push(e))
            .ok(),
    }
}

/// The 当事人 column, or the parties the 矛盾情况 names when it is empty.
fn read_parties(
    cell: &str,
    summary: &str,
    errs: &mut Errors,
    warnings: &mut Vec<String>,
) -> Option<Vec<Party>> {
    let (p, masked) = errs.take("当事人", parse_parties(cell))?;
    if masked {
        warnings.push("当事人电话已打码，未导入电话".to_string());
    }
    if !p.is_empty() {
        return Some(p);
    }
    match parties_from_situation(summary) {
        Some(p) => {
            warnings.push(format!(
                "没有填当事人，取自矛盾情况：{}",
                p.iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
            Some(p)
        }
        None => {
            warnings.push(format!(
                "没有当事人，也没能从矛盾情况中认出，标为“{PENDING_PARTY}”"
            ));
            Party::new(PENDING_PARTY, PartyRole::Other, None)
                .map(|p| vec![p])
                .map_err(|e| errs.0.push(e.to_string()))
                .ok()
        }
    }
}

/// Reads the columns that say what was done about the case, noting what is
/// wrong in `errs`; `None` when something is, here or in `case`.
fn read_plan(
    row: &LedgerRow,
    ctx: &Context,
    case: Option<&Case>,
    errs: &mut Errors,
    warnings: &mut Vec<String>,
) -> Option<Plan> {
    let get = |c: Column| row.get(c);
    let target = match clean_line(get(Column::Status)).as_str() {
        "" => Some(None),
        s => errs.take("状态", Status::parse(s)).map(Some),
    };
    let packaged = errs.take("领导包案", parse_yes("领导包案", get(Column::Packaged)));
    let supervised = errs.take("挂牌督办", parse_yes("挂牌督办", get(Column::Supervised)));
    let deadline = read_optional_date(row, ctx, "化解时限", Column::Deadline, errs);
    let closed_on = read_optional_date(row, ctx, "销号时间", Column::ClosedOn, errs);
    let leader = officer(&ctx.officers, "牵头领导", get(Column::Leader), warnings);
    let person = officer(&ctx.officers, "责任人", get(Column::Person), warnings);
    let unit = read_unit(ctx, get(Column::Unit), &person, warnings);
    let loose_date = |s: &str| row_date(row, ctx, s).ok();
    let notes = parse_notes(get(Column::Progress), &loose_date);
    let result = parse_result(get(Column::Result));
    let visits = parse_visits(get(Column::FollowUps), &loose_date);
    let (case, target) = (case?, target?);
    Some(Plan {
        registered: case.registered,
        deadline: deadline?,
        closed_on: closed_on?,
        risk: case.risk,
        tier: case.tier,
        target,
        packaged: packaged? || target == Some(Status::PendingClose),
        supervised: supervised?,
        leader,
        unit,
        person,
        notes,
        result,
        visits,
    })
}

/// An optional date column: `Some(None)` when empty, `None` when wrong.
fn read_optional_date(
    row: &LedgerRow,
    ctx: &Context,
    what: &str,
    column: Column,
    errs: &mut Errors,
) -> Option<Option<NaiveDate>> {
    match clean_line(row.get(column)).as_str() {
        "" => Some(None),
        d => errs.take(what, row_date(row, ctx, d)).map(Some),
    }
}

/// The 责任单位, or the person's unit on the roster when the ledger leaves
/// it out.
fn read_unit(ctx: &Context, cell: &str, person: &str, warnings: &mut Vec<String>) -> String {
    let mut unit = clean_line(cell);
    if unit.is_empty() && !person.is_empty() {
        if let Some(o) = ctx.officers.iter().find(|o| o.login == person) {
            unit = o.unit.clone();
        }
    }
    if unit.is_empty() {
        return unit;
    }
    match listed(&ctx.lists.units, "责任单位", &unit) {
        Ok(listed) => listed,
        Err(_) => {
            warnings.push(format!("责任单位“{unit}”不在名录中，按原文保存"));
            unit
        }
    }
}

/// Registers the case as its 排查单位或排查人 (or the importer) did on the
/// day it was found.
fn register(row: &LedgerRow, ctx: &Context, case: Case) -> Result<Dispute, String> {
    let screened_by = officer(
        &ctx.officers,
        "排查单位或排查人",
        row.get(Column::ScreenedBy),
        &mut Vec::new(),
    );
    let by = if screened_by.is_empty() {
        ctx.me.clone()
    } else {
        screened_by
    };
    let mut d = Dispute::register(String::new(), case.new, &by, at(case.registered, 9))
        .map_err(|e| e.to_string())?;
    d.measures = clean_text(row.get(Column::Measures));
    d.remarks = clean_text(row.get(Column::Remarks));
    Ok(d)
}

/// What the columns say happened, to be replayed as workflow moves.
struct Plan {
    registered: NaiveDate,
    deadline: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    risk: Option<RiskLevel>,
    tier: Tier,
    target: Option<Status>,
    packaged: bool,
    supervised: bool,
    leader: String,
    unit: String,
    person: String,
    notes: Vec<crate::domain::ledger::NoteCell>,
    result: ResultCell,
    visits: Vec<VisitCell>,
}

impl Plan {
    fn replay(
        self,
        d: &mut Dispute,
        flags: Vec<crate::domain::lists::WarningFlag>,
        ctx: &Context,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        let e = |e: DomainError| e.to_string();
        let start = at(self.registered, 9);
        let me = ctx.me.as_str();
        let closing = match &self.result {
            ResultCell::Closed(o, s) => Some((*o, s.clone())),
            _ => None,
        };
        if self.closed_on.is_some() && closing.is_none() {
            return Err("有销号时间，但“结果”没有写明化解结果（如 调解成功-书面协议）".into());
        }
        let escalate = match self.target {
            Some(t) => t == Status::Escalated,
            None => self.tier == Tier::County && closing.is_none() && self.assigned(),
        };
        if self.worked(closing.is_some()) {
            self.triage(d, flags, escalate, me, warnings)?;
        }
        let deadline = self.deadline(ctx)?;
        let worker = if self.person.is_empty() {
            me.to_string()
        } else {
            self.person.clone()
        };
        if self.assigned() {
            self.assign(d, deadline, &worker, me)?;
        }
        if self.packaged {
            self.package(d, deadline)?;
        }
        let latest = self.add_notes(d, &worker)?;
        if self.supervised {
            d.supervise(true, me, start).map_err(e)?;
        }
        if escalate {
            d.change_tier(Tier::County, "导入台账：原台账为已上报县级", me, start)
                .map_err(e)?;
        }
        self.close_and_follow_up(d, &closing, latest, &worker, ctx, warnings)?;
        match self.target {
            Some(t) if d.status != t => Err(format!(
                "状态“{}”与其他各列不符：按各列应为“{}”",
                t.label(),
                d.status.label()
            )),
            _ => Ok(()),
        }
    }

    /// A 责任单位 or 责任人 is named: the case was 交办.
    fn assigned(&self) -> bool {
        !self.unit.is_empty() || !self.person.is_empty()
    }

    /// Anything past registering happened, so the case was 研判 first.
    fn worked(&self, closing: bool) -> bool {
        self.risk.is_some()
            || self.assigned()
            || self.packaged
            || self.supervised
            || closing
            || !self.visits.is_empty()
            || self.target.is_some_and(|t| t != Status::Registered)
    }

    /// 研判, at the township when the case goes up to the county later.
    fn triage(
        &self,
        d: &mut Dispute,
        flags: Vec<crate::domain::lists::WarningFlag>,
        escalate: bool,
        me: &str,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        let tier = if escalate && self.tier == Tier::County {
            Tier::Township
        } else {
            self.tier
        };
        let risk = self.risk.unwrap_or(RiskLevel::Low);
        d.triage(risk, flags, Some(tier), me, at(self.registered, 9))
            .map_err(|e| e.to_string())?;
        if self.risk.is_none() {
            warnings.push("没有填风险等级，按“低”导入".to_string());
        }
        Ok(())
    }

    /// The 化解时限 given, else the default rule's (`domain::deadline`) from
    /// the day the case was registered.
    fn deadline(&self, ctx: &Context) -> Result<NaiveDate, String> {
        match self.deadline {
            Some(dl) if dl < self.registered => Err(format!(
                "化解时限 {dl} 早于排查时间 {}，请核对",
                self.registered
            )),
            Some(dl) => Ok(dl),
            None => {
                let active = period::active_on(&ctx.periods, self.registered);
                let dl = default_deadline(&ctx.lists.settings, self.risk, &active, self.registered);
                Ok(dl.date)
            }
        }
    }

    /// 交办, then 签收 or 退回 as the 状态 column says.
    fn assign(
        &self,
        d: &mut Dispute,
        deadline: NaiveDate,
        worker: &str,
        me: &str,
    ) -> Result<(), String> {
        let e = |e: DomainError| e.to_string();
        let start = at(self.registered, 9);
        if self.unit.is_empty() {
            return Err("有责任人但没有责任单位，请填写责任单位".into());
        }
        d.assign(&self.leader, &self.unit, &self.person, deadline, me, start)
            .map_err(e)?;
        match self.target {
            Some(Status::Returned) => d
                .reject("导入台账：原台账为已退回", worker, start)
                .map_err(e),
            Some(Status::Assigned) => Ok(()),
            _ => d.accept(worker, start).map_err(e),
        }
    }

    /// 包案 by the 牵头领导, with the 责任人 on the team.
    fn package(&self, d: &mut Dispute, deadline: NaiveDate) -> Result<(), String> {
        if self.leader.is_empty() {
            return Err("领导包案须填写牵头领导".into());
        }
        let team = if self.person.is_empty() {
            vec![]
        } else {
            vec![self.person.clone()]
        };
        let start = at(self.registered, 9);
        d.package(&self.leader, team, vec![], deadline, &self.leader, start)
            .map_err(|e| e.to_string())
    }

    /// The 进展 notes; returns the latest day they reach.
    fn add_notes(&self, d: &mut Dispute, worker: &str) -> Result<NaiveDate, String> {
        let mut latest = self.registered;
        for n in &self.notes {
            let day = n.date.unwrap_or(self.registered);
            latest = latest.max(day);
            let kind = if n.date.is_some() {
                n.kind
            } else {
                ContactKind::Other
            };
            d.add_note(kind, &n.text, worker, at(day, 10))
                .map_err(|x| format!("进展：{x}"))?;
        }
        Ok(latest)
    }

    /// 销号 and 回访. A visit needs a closed case; a visit that found the
    /// dispute flaring again reopened it, so visits before the last such
    /// one follow an earlier closing the ledger no longer shows.
    fn close_and_follow_up(
        &self,
        d: &mut Dispute,
        closing: &Option<(Outcome, String)>,
        latest: NaiveDate,
        worker: &str,
        ctx: &Context,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        let follow_up_days = ctx.lists.settings.follow_up_days.clone();
        let close = |d: &mut Dispute, outcome: Outcome, summary: &str, day: NaiveDate, approve| {
            let t = at(day, 17);
            d.close(outcome, summary, &follow_up_days, worker, t)
                .map_err(|x| format!("销号：{x}"))?;
            if approve && d.status == Status::PendingClose {
                d.decide(true, "导入台账", &follow_up_days, &self.leader, t)
                    .map_err(|x| format!("销号：{x}"))?;
            }
            Ok::<_, String>(())
        };
        let last_rebound = self.visits.iter().rposition(|v| v.rebound);
        let mut closed = false;
        for (i, v) in self.visits.iter().enumerate() {
            let day = v.date.or(self.closed_on).unwrap_or(latest);
            if d.status.is_open() {
                match (closing, last_rebound.is_none_or(|r| i > r)) {
                    (Some((o, s)), true) => {
                        close(d, *o, s, self.closed_on.unwrap_or(day), true)?;
                        closed = true;
                    }
                    _ => close(
                        d,
                        Outcome::OralAgreement,
                        "导入台账：回访前已销号",
                        day,
                        true,
                    )?,
                }
            }
            follow_up(d, v, worker, day)?;
        }
        if let (Some((o, s)), false) = (closing, closed) {
            let day = match self.closed_on {
                Some(c) => c,
                None if self.packaged => latest,
                None => {
                    warnings.push(format!("没有填销号时间，按 {latest} 销号"));
                    latest
                }
            };
            // A packaged case without a 销号时间 is still waiting for its leader.
            close(d, *o, s, day, self.closed_on.is_some())?;
        }
        Ok(())
    }
}

/// One 回访 from the ledger's 回访情况.
fn follow_up(d: &mut Dispute, v: &VisitCell, worker: &str, day: NaiveDate) -> Result<(), String> {
    d.follow_up(
        v.method,
        v.honoured,
        &v.satisfaction,
        v.rebound,
        &v.finding,
        v.rebound,
        worker,
        at(day, 10),
    )
    .map_err(|x| format!("回访情况：{x}"))
}
