//! The duty routine through the Desk API: risk weights, sensitive periods,
//! the daily roll-call and the reports. Configuration lives in the `lists`
//! table beside the other settings, one JSON value per key; each roll-call
//! day is one value (`rollcall:2026-11-20`).

use chrono::NaiveDate;

use super::api::{DeskError, Response, RiskSetup};
use super::local::{committed, keep_reply, Local, Reply};
use super::persons::register_counts;
use crate::domain::dispute::Time;
use crate::domain::officer::{check, Capability, Names, Officer};
use crate::domain::period::{self, SensitivePeriod};
use crate::domain::reports::{self, Change, Data, Kind, VisitRow};
use crate::domain::risk::RiskWeights;
use crate::domain::rollcall::{self, NewRollcall, RollcallEntry, RollcallSettings, RollcallSheet};
use crate::store::StoreError;

const WEIGHTS: &str = "risk_weights";
const PERIODS: &str = "periods";
const ROLLCALL: &str = "rollcall_settings";

fn rollcall_key(date: NaiveDate) -> String {
    format!("rollcall:{date}")
}

fn plain(response: Response) -> Reply {
    Reply {
        response,
        notice: None,
    }
}

impl Local {
    /// The weights in force (the built-in default until a 管理员 changes one).
    pub fn weights(&self) -> Result<RiskWeights, DeskError> {
        Ok(self.store().list(WEIGHTS)?.unwrap_or_default())
    }

    pub fn periods(&self) -> Result<Vec<SensitivePeriod>, DeskError> {
        Ok(self.store().list(PERIODS)?.unwrap_or_default())
    }

    pub fn rollcall_settings(&self) -> Result<RollcallSettings, DeskError> {
        Ok(self.store().list(ROLLCALL)?.unwrap_or_default())
    }

    pub fn risk_setup(&self, today: NaiveDate) -> Result<RiskSetup, DeskError> {
        Ok(RiskSetup {
            weights: self.weights()?,
            today,
            active: period::active_on(&self.periods()?, today),
            rollcall: self.rollcall_settings()?,
            escalation: self.escalation()?,
        })
    }

    /// One day's roll-call as of `now`.
    pub fn rollcall_sheet(&self, date: NaiveDate, now: Time) -> Result<RollcallSheet, DeskError> {
        let lists = self.lists()?;
        let expected = rollcall::expected(&lists.villages, &lists.units);
        let entries: Vec<RollcallEntry> =
            self.store().list(&rollcall_key(date))?.unwrap_or_default();
        let active = period::active_on(&self.periods()?, date);
        Ok(rollcall::sheet(
            date,
            &expected,
            &entries,
            &self.rollcall_settings()?,
            &active,
            now,
        ))
    }
}

pub(crate) fn set_weight(
    local: &Local,
    me: &Officer,
    key: &str,
    value: i32,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "修改风险权重")?;
    let mut w = local.weights()?;
    let (k, old) = w.set(key, value)?;
    let detail = format!("{}：{old} → {value}", k.name);
    write_config(local, me, now, "修改风险权重", k.key, &detail, WEIGHTS, &w)
}

pub(crate) fn reset_weights(local: &Local, me: &Officer, now: Time) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "修改风险权重")?;
    let w = RiskWeights::default();
    write_config(
        local,
        me,
        now,
        "恢复默认风险权重",
        WEIGHTS,
        "全部权重恢复为内置默认值",
        WEIGHTS,
        &w,
    )
}

pub(crate) fn add_period(
    local: &Local,
    me: &Officer,
    p: SensitivePeriod,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "设置敏感时期")?;
    // Checked again here: a client may send anything.
    let p = SensitivePeriod::new(&p.name, p.from, p.to, Some(p.deadline_percent))?;
    let mut all = local.periods()?;
    period::check_new(&all, &p)?;
    let detail = format!(
        "{} 至 {}，新交办案件默认时限按{}%",
        p.from, p.to, p.deadline_percent
    );
    let name = p.name.clone();
    all.push(p);
    all.sort_by(|a, b| (a.from, &a.name).cmp(&(b.from, &b.name)));
    write_config(
        local,
        me,
        now,
        "设置敏感时期",
        &name,
        &detail,
        PERIODS,
        &all,
    )
}

pub(crate) fn remove_period(
    local: &Local,
    me: &Officer,
    name: &str,
    from: Option<NaiveDate>,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "删除敏感时期")?;
    let mut all = local.periods()?;
    let i = period::find(&all, name, from)?;
    let gone = all.remove(i);
    let detail = format!("{} 至 {}", gone.from, gone.to);
    write_config(
        local,
        me,
        now,
        "删除敏感时期",
        &gone.name,
        &detail,
        PERIODS,
        &all,
    )
}

pub(crate) fn record_rollcall(
    local: &Local,
    me: &Officer,
    new: NewRollcall,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Desk, false, "登记点名报告")?;
    let lists = local.lists()?;
    let expected = rollcall::expected(&lists.villages, &lists.units);
    let entry = RollcallEntry::new(&new, &expected, &me.login, now)?;
    let date = new.date.unwrap_or(now.date_naive());
    let key = rollcall_key(date);
    let c = local.store().write(&me.login, now, |tx| {
        let mut day: Vec<RollcallEntry> = tx.list(&key)?.unwrap_or_default();
        let detail = format!(
            "{date} {}（{}）{}",
            entry.kind.label(),
            entry.channel.label(),
            if entry.text.is_empty() {
                String::new()
            } else {
                format!("：{}", entry.text)
            }
        );
        let unit = entry.unit.clone();
        let action = if rollcall::record(&mut day, entry) {
            "更正点名报告"
        } else {
            "点名登记"
        };
        tx.put_list(&key, &day)?;
        tx.audit(action, &unit, &detail);
        keep_reply(tx, &Response::Done);
        Ok::<_, DeskError>(action)
    })?;
    Ok(committed(
        Response::Done,
        c.value,
        &me.login,
        c.revision,
        c.touched,
    ))
}

pub(crate) fn set_rollcall(
    local: &Local,
    me: &Officer,
    due_hour: Option<u32>,
    every_day: Option<bool>,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "设置每日点名")?;
    let mut s = local.rollcall_settings()?;
    if let Some(h) = due_hour {
        s.due_hour = h;
    }
    if let Some(e) = every_day {
        s.every_day = e;
    }
    s.check()?;
    let detail = format!(
        "{}:00 截止，{}",
        s.due_hour,
        if s.every_day {
            "每天点名"
        } else {
            "仅敏感时期点名"
        }
    );
    write_config(
        local,
        me,
        now,
        "设置每日点名",
        "每日点名",
        &detail,
        ROLLCALL,
        &s,
    )
}

/// Writes one configuration value with its audit event.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_config<T: serde::Serialize>(
    local: &Local,
    me: &Officer,
    now: Time,
    action: &str,
    target: &str,
    detail: &str,
    key: &str,
    value: &T,
) -> Result<Reply, DeskError> {
    let c = local.store().write(&me.login, now, |tx| {
        tx.put_list(key, value)?;
        tx.audit(action, target, detail);
        keep_reply(tx, &Response::Done);
        Ok::<_, StoreError>(())
    })?;
    Ok(committed(
        Response::Done,
        action,
        &me.login,
        c.revision,
        c.touched,
    ))
}

/// The looks at the register the access report covers (none for others).
fn access_looks(
    local: &Local,
    spec: &reports::Spec,
    date: chrono::NaiveDate,
) -> Result<Vec<reports::access::Look>, DeskError> {
    if spec.kind != Kind::Access {
        return Ok(Vec::new());
    }
    let (from, to) = reports::access::period(spec, date);
    if from > to {
        return Err(DeskError::Invalid(format!(
            "起始日期 {from} 晚于结束日期 {to}"
        )));
    }
    local.looks(from, to, spec.officer.as_deref())
}

/// Gathers what the report needs (only that: a monthly report reads no
/// audit log) and builds it.
pub(crate) fn report(
    local: &Local,
    me: &Officer,
    spec: &reports::Spec,
    now: Time,
) -> Result<Reply, DeskError> {
    if let Some((capability, what)) = spec.kind.needs() {
        check(me, capability, false, what)?;
    }
    let today = now.date_naive();
    let date = spec.date.unwrap_or(today);
    if date > today {
        return Err(DeskError::Invalid(format!(
            "报表日期 {date} 还没到，只能统计今天（{today}）及以前"
        )));
    }
    let mut weights = local.weights()?;
    // Whether a case names a key person is not told to an officer who may
    // not see the whole register: their report ranks without that weight
    // (the queue scores as their links allow, `need_to_know`).
    if crate::domain::access::scope(me.role) != crate::domain::access::Scope::Register {
        weights.key_person = 0;
    }
    let periods = local.periods()?;
    // Counts only, no names: reading the register for a count is not a
    // 查阅 of anyone. Read once, for the visits and the standing both.
    let register = match spec.kind {
        Kind::Daily | Kind::Handover => local.store().persons()?,
        Kind::Monthly | Kind::Analysis | Kind::Access => Vec::new(),
    };
    let visits: Vec<VisitRow> = if spec.kind == Kind::Daily {
        register
            .iter()
            .flat_map(|p| {
                p.visits.iter().map(|v| VisitRow {
                    date: v.date,
                    person_id: p.id.clone(),
                    village: p.village.clone(),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let rollcall = match spec.kind {
        Kind::Daily => Some(local.rollcall_sheet(date, now)?),
        Kind::Handover => Some(local.rollcall_sheet(today, now)?),
        _ => None,
    };
    let names = Names::of(&local.store().officers()?);
    let changes: Vec<Change> = if spec.kind == Kind::Handover {
        let since = spec
            .since
            .unwrap_or(now - chrono::Duration::hours(reports::handover::DEFAULT_SHIFT_HOURS));
        if since > now {
            return Err(DeskError::Invalid(
                "交接班的开始时间不能晚于现在".to_string(),
            ));
        }
        local
            .store()
            .audit_since_time(since)?
            .into_iter()
            .map(|e| Change {
                actor: e.actor,
                at: e.at,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect()
    } else {
        Vec::new()
    };
    let person_rules = local.person_rules()?;
    let looks = access_looks(local, spec, date)?;
    let persons = register_counts(&register, false, now.date_naive()).standing;
    drop(register);
    let spec = reports::Spec {
        date: Some(date),
        ..spec.clone()
    };
    let escalation = local.escalation()?;
    let report = local.with_summaries(|summaries| {
        reports::build(
            &spec,
            &Data {
                summaries,
                weights: &weights,
                periods: &periods,
                visits: &visits,
                rollcall: rollcall.as_ref(),
                changes: &changes,
                now,
                by: me.name.clone(),
                escalation,
                persons,
                looks: &looks,
                person_rules: &person_rules,
                names: &names,
            },
        )
    })?;
    Ok(plain(Response::Report(Box::new(report))))
}
