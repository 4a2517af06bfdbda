//! One ledger row back into a dispute. The columns are checked against the
//! lists and the roster, then the case is walked through the same workflow
//! moves an officer would make (研判, 交办, 签收, 包案, 进展, 销号, 回访), dated
//! by the row, so an imported case is in the state its columns describe and
//! no state the workflow forbids can come in.

use chrono::{NaiveDate, TimeZone};

use crate::desk::api::Lists;
use crate::desk::clock::china;
use crate::domain::dispute::{Dispute, NewDispute, Party, Time};
use crate::domain::ledger::{
    parse_flags, parse_ledger_date, parse_notes, parse_parties, parse_people, parse_result,
    parse_risk, parse_tier, parse_visits, parse_yes, Column, LedgerRow, ResultCell, VisitCell,
};
use crate::domain::lists::{ContactKind, Outcome, PartyRole, RiskLevel, Source, Tier};
use crate::domain::officer::Officer;
use crate::domain::text::{clean_line, clean_text, parse_amount};
use crate::domain::workflow::Status;
use crate::domain::DomainError;

#[derive(Clone, PartialEq)]
pub(super) struct Context {
    pub lists: Lists,
    pub officers: Vec<Officer>,
    pub me: String,
    pub today: NaiveDate,
}

pub(super) struct Built {
    pub dispute: Dispute,
    /// (编号, year, number) when the row carries one of the desk's own numbers.
    pub own_id: Option<(String, i32, u64)>,
    pub warnings: Vec<String>,
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

/// Ledger names for villages and categories often carry a suffix the list
/// does not (东河村委会, 邻里纠纷); these forms compare equal.
fn village_forms(v: &str) -> String {
    let v = v.replace(['（', '）'], "");
    let v = v.replace(['(', ')'], "");
    let mut v = v.as_str();
    for suffix in ["村民委员会", "居民委员会", "村委会", "居委会", "委会"] {
        v = v.strip_suffix(suffix).map(|s| s.trim_end()).unwrap_or(v);
    }
    v.trim_end_matches("社区")
        .trim_end_matches('村')
        .to_string()
}

fn category_forms(item: &str) -> Vec<String> {
    let mut forms = vec![item.to_string()];
    let bare: String = match item.find(['(', '（']) {
        Some(p) => {
            let inner = item[p..].trim_matches(['(', '（', ')', '）']).to_string();
            forms.push(inner);
            item[..p].to_string()
        }
        None => item.to_string(),
    };
    forms.extend(bare.split('/').map(str::to_string));
    forms.push(bare);
    forms
}

fn match_village(list: &[String], value: &str) -> Result<String, String> {
    if list.is_empty() || list.iter().any(|v| v == value) {
        return Ok(value.to_string());
    }
    let want = village_forms(value);
    let hits: Vec<&String> = list.iter().filter(|v| village_forms(v) == want).collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(format!(
            "村(社区)“{value}”不在名录中，{}",
            crate::search::not_listed_hint(list, value)
        )),
    }
}

fn match_category(list: &[String], value: &str) -> Result<String, String> {
    if list.iter().any(|v| v == value) {
        return Ok(value.to_string());
    }
    let mut want = value;
    for suffix in ["纠纷", "矛盾", "类", "问题"] {
        want = want.strip_suffix(suffix).unwrap_or(want);
    }
    let hits: Vec<&String> = list
        .iter()
        .filter(|item| category_forms(item).iter().any(|f| f == want))
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(format!(
            "纠纷类型“{value}”不在名录中，{}",
            crate::search::not_listed_hint(list, want)
        )),
    }
}

/// A roster login for a name or login in the ledger; the text itself (and a
/// warning) when nobody on the roster has it, as for a county leader.
fn officer(officers: &[Officer], what: &str, text: &str, warnings: &mut Vec<String>) -> String {
    let t = clean_line(text);
    if t.is_empty() {
        return t;
    }
    match officers.iter().find(|o| o.login == t || o.name == t) {
        Some(o) => o.login.clone(),
        None => {
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

/// Parties from a 矛盾情况 that starts "王建国与刘桂兰因…", for the 排查表,
/// which has no 当事人 column.
fn parties_from_situation(summary: &str) -> Option<Vec<Party>> {
    let head = summary.split('因').next()?;
    if head == summary {
        return None;
    }
    let names: Vec<&str> = head.split(['与', '、', '和']).map(str::trim).collect();
    let plausible = |n: &&str| {
        let count = n.chars().count();
        (2..=4).contains(&count) && n.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    };
    if names.len() < 2 || !names.iter().all(plausible) {
        return None;
    }
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let role = match i {
                0 => PartyRole::Applicant,
                1 => PartyRole::Respondent,
                _ => PartyRole::Other,
            };
            Party::new(n, role, None).ok()
        })
        .collect()
}

pub(super) fn build(row: &LedgerRow, ctx: &Context) -> Result<Built, String> {
    let mut warnings = Vec::new();
    let mut errs = Errors(Vec::new());
    let get = |c: Column| row.get(c);
    let date = |s: &str| parse_ledger_date(s, ctx.today, row.year_hint);
    let loose_date = |s: &str| date(s).ok();

    let registered = match clean_line(get(Column::Date)).as_str() {
        "" => {
            errs.0.push("排查时间不能为空".to_string());
            None
        }
        text => errs.take("排查时间", date(text)),
    };
    let village = match clean_line(get(Column::Village)).as_str() {
        "" => {
            errs.0.push("村名不能为空".to_string());
            None
        }
        v => match_village(&ctx.lists.villages, v)
            .map_err(|e| errs.0.push(e))
            .ok(),
    };
    let category = match clean_line(get(Column::Category)).as_str() {
        "" => {
            warnings.push("没有填纠纷类型，按“其他”导入".to_string());
            Some("其他".to_string())
        }
        c => match_category(&ctx.lists.categories, c)
            .map_err(|e| errs.0.push(e))
            .ok(),
    };
    let summary = clean_text(get(Column::Situation));
    if summary.is_empty() {
        errs.0.push("矛盾情况不能为空".to_string());
    }
    let parties = match errs.take("当事人", parse_parties(get(Column::Parties))) {
        Some((p, masked)) => {
            if masked {
                warnings.push("当事人电话已打码，未导入电话".to_string());
            }
            if p.is_empty() {
                match parties_from_situation(&summary) {
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
                        errs.0.push("当事人不能为空".to_string());
                        None
                    }
                }
            } else {
                Some(p)
            }
        }
        None => None,
    };
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
    let target = match clean_line(get(Column::Status)).as_str() {
        "" => Some(None),
        s => errs.take("状态", Status::parse(s)).map(Some),
    };
    let packaged = errs.take("领导包案", parse_yes("领导包案", get(Column::Packaged)));
    let supervised = errs.take("挂牌督办", parse_yes("挂牌督办", get(Column::Supervised)));
    let deadline = match clean_line(get(Column::Deadline)).as_str() {
        "" => Some(None),
        d => errs.take("化解时限", date(d)).map(Some),
    };
    let closed_on = match clean_line(get(Column::ClosedOn)).as_str() {
        "" => Some(None),
        d => errs.take("销号时间", date(d)).map(Some),
    };
    let screened_by = officer(
        &ctx.officers,
        "排查单位或排查人",
        get(Column::ScreenedBy),
        &mut Vec::new(),
    );
    let leader = officer(
        &ctx.officers,
        "牵头领导",
        get(Column::Leader),
        &mut warnings,
    );
    let person = officer(&ctx.officers, "责任人", get(Column::Person), &mut warnings);
    let mut unit = clean_line(get(Column::Unit));
    if unit.is_empty() && !person.is_empty() {
        // The roster knows the person's unit when the ledger leaves it out.
        if let Some(o) = ctx.officers.iter().find(|o| o.login == person) {
            unit = o.unit.clone();
        }
    }
    if !unit.is_empty() && !ctx.lists.units.contains(&unit) {
        warnings.push(format!("责任单位“{unit}”不在名录中，按原文保存"));
    }
    let notes = parse_notes(get(Column::Progress), &loose_date);
    let result = parse_result(get(Column::Result));
    let visits = parse_visits(get(Column::FollowUps), &loose_date);

    let (
        Some(registered),
        Some(village),
        Some(category),
        Some(parties),
        Some(source),
        Some(flags),
        Some(risk),
        Some(tier),
        Some(people),
        Some(amount),
        Some(target),
        Some(packaged),
        Some(supervised),
        Some(deadline),
        Some(closed_on),
        true,
    ) = (
        registered,
        village,
        category,
        parties,
        source,
        flags,
        risk,
        tier,
        people,
        amount,
        target,
        packaged,
        supervised,
        deadline,
        closed_on,
        errs.0.is_empty(),
    )
    else {
        return Err(errs.0.join("；"));
    };

    let plan = Plan {
        registered,
        deadline,
        closed_on,
        risk,
        tier: tier.unwrap_or(Tier::Village),
        target,
        packaged: packaged || target == Some(Status::PendingClose),
        supervised,
        leader,
        unit,
        person,
        notes,
        result,
        visits,
    };
    let new = NewDispute {
        village,
        category,
        source: Some(source),
        summary,
        parties,
        people_involved: people,
        amount,
        flags: flags.clone(),
        tier: Some(plan.tier),
    };
    let by = if screened_by.is_empty() {
        ctx.me.clone()
    } else {
        screened_by
    };
    let mut d =
        Dispute::register(String::new(), new, &by, at(registered, 9)).map_err(|e| e.to_string())?;
    d.measures = clean_text(get(Column::Measures));
    d.remarks = clean_text(get(Column::Remarks));
    plan.replay(&mut d, flags, ctx, &mut warnings)?;
    let own = own_id(get(Column::Id));
    let foreign = clean_line(get(Column::Id));
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
    })
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
        let assigned = !self.unit.is_empty() || !self.person.is_empty();
        let closing = match &self.result {
            ResultCell::Closed(o, s) => Some((*o, s.clone())),
            _ => None,
        };
        if self.closed_on.is_some() && closing.is_none() {
            return Err("有销号时间，但“结果”没有写明化解结果（如 调解成功-书面协议）".into());
        }
        let escalate = match self.target {
            Some(t) => t == Status::Escalated,
            None => self.tier == Tier::County && closing.is_none() && assigned,
        };
        let worked = self.risk.is_some()
            || assigned
            || self.packaged
            || self.supervised
            || closing.is_some()
            || !self.visits.is_empty()
            || self.target.is_some_and(|t| t != Status::Registered);
        if worked {
            let tier = if escalate && self.tier == Tier::County {
                Tier::Township
            } else {
                self.tier
            };
            d.triage(
                self.risk.unwrap_or(RiskLevel::Low),
                flags,
                Some(tier),
                me,
                start,
            )
            .map_err(e)?;
            if self.risk.is_none() {
                warnings.push("没有填风险等级，按“低”导入".to_string());
            }
        }
        let deadline = match self.deadline {
            Some(dl) if dl < self.registered => {
                return Err(format!(
                    "化解时限 {dl} 早于排查时间 {}，请核对",
                    self.registered
                ))
            }
            Some(dl) => dl,
            None => {
                let days = self
                    .risk
                    .map(|r| ctx.lists.settings.deadline_days_for(r))
                    .unwrap_or(ctx.lists.settings.deadline_days[0]);
                self.registered + chrono::Days::new(u64::from(days))
            }
        };
        let worker = if self.person.is_empty() {
            me.to_string()
        } else {
            self.person.clone()
        };
        if assigned {
            if self.unit.is_empty() {
                return Err("有责任人但没有责任单位，请填写责任单位".into());
            }
            d.assign(&self.leader, &self.unit, &self.person, deadline, me, start)
                .map_err(e)?;
            match self.target {
                Some(Status::Returned) => d
                    .reject("导入台账：原台账为已退回", &worker, start)
                    .map_err(e)?,
                Some(Status::Assigned) => {}
                _ => d.accept(&worker, start).map_err(e)?,
            }
        }
        if self.packaged {
            if self.leader.is_empty() {
                return Err("领导包案须填写牵头领导".into());
            }
            let team = if self.person.is_empty() {
                vec![]
            } else {
                vec![self.person.clone()]
            };
            d.package(&self.leader, team, vec![], deadline, &self.leader, start)
                .map_err(e)?;
        }
        let mut latest = self.registered;
        for n in &self.notes {
            let day = n.date.unwrap_or(self.registered);
            latest = latest.max(day);
            let kind = if n.date.is_some() {
                n.kind
            } else {
                ContactKind::Other
            };
            d.add_note(kind, &n.text, &worker, at(day, 10))
                .map_err(|x| format!("进展：{x}"))?;
        }
        if self.supervised {
            d.supervise(true, me, start).map_err(e)?;
        }
        if escalate {
            d.change_tier(Tier::County, "导入台账：原台账为已上报县级", me, start)
                .map_err(e)?;
        }

        // 销号 and 回访. A visit needs a closed case; a visit that found the
        // dispute flaring again reopened it, so visits before the last such
        // one follow an earlier closing the ledger no longer shows.
        let follow_up_days = ctx.lists.settings.follow_up_days.clone();
        let close = |d: &mut Dispute, outcome: Outcome, summary: &str, day: NaiveDate, approve| {
            let t = at(day, 17);
            d.close(outcome, summary, &follow_up_days, &worker, t)
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
                match (&closing, last_rebound.is_none_or(|r| i > r)) {
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
            d.follow_up(
                v.method,
                v.honoured,
                &v.satisfaction,
                v.rebound,
                &v.finding,
                v.rebound,
                &worker,
                at(day, 10),
            )
            .map_err(|x| format!("回访情况：{x}"))?;
        }
        if let (Some((o, s)), false) = (&closing, closed) {
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
        if let Some(t) = self.target {
            if d.status != t {
                return Err(format!(
                    "状态“{}”与其他各列不符：按各列应为“{}”",
                    t.label(),
                    d.status.label()
                ));
            }
        }
        Ok(())
    }
}
