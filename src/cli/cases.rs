//! 矛盾纠纷 on the command line: register, triage, assign, accept, reject,
//! package, note, supervise, escalate, close, approve, extend, follow-up,
//! reopen, and the list and show that read them back. Each command parses
//! its arguments into one operation's parameters (`desk::ops`) and says
//! what it did in that operation's words.

use clap::{Args, Subcommand};
use serde_json::json;

use super::suggest::category_of;
use super::understood::Understood;
use super::{date, dates, today, Printed};
use crate::desk::ops::{self, Change};
use crate::desk::{Desk, DeskError, DeskExt, Request};
use crate::domain::dispute::{NewDispute, Party, PlanStep};
use crate::domain::lists::{
    ContactKind, Outcome, PartyRole, RiskLevel, Source, Tier, VisitMethod, WarningFlag,
};
use crate::domain::officer::Names;
use crate::domain::record::RecordKind;
use crate::domain::text::parse_amount;
use crate::domain::workflow::Status;
use crate::print::{
    dispute_json, dispute_text, disputes_listing, person_json, person_text, persons_listing,
    summary_json,
};

#[derive(Subcommand)]
pub enum AddCmd {
    /// 登记矛盾纠纷，输出编号
    Dispute(Register),
}

/// "可选：a、b、c" for an option's help, from the vocabulary itself.
pub(super) fn choices<T: Copy + std::fmt::Display>(all: &[T]) -> String {
    let all: Vec<String> = all.iter().map(|v| v.to_string()).collect();
    format!(
        "可选：{}（可简写，如写前几个字或拼音首字母）",
        all.join("、")
    )
}

#[derive(Args)]
pub struct Register {
    /// 村(社区)，须在名录中；可简写（东河 → 东河村）或写拼音（dh）。名录用 desk lists show 查看
    #[arg(long, value_name = "村(社区)")]
    village: String,
    /// 纠纷类型，须在名录中，可简写（经济债务 → 经济债务/借贷）；不填时按矛盾情况的文字认定，并说明依据
    #[arg(long, value_name = "纠纷类型")]
    category: Option<String>,
    /// 来源
    #[arg(long, value_name = "来源", help = format!("来源。{}", choices(Source::ALL)))]
    source: String,
    /// 矛盾情况：谁和谁因什么事起了纠纷
    #[arg(long, value_name = "矛盾情况")]
    summary: String,
    /// 当事人：姓名，或 姓名/身份/电话；第一位默认申请方，第二位被申请方（可重复）
    #[arg(long = "party", value_name = "姓名", required = true)]
    parties: Vec<String>,
    /// 涉及人数：数字或中文（5、5人、十、二十余）；负数会被拒绝并说明
    #[arg(long, value_name = "人数", allow_hyphen_values = true)]
    people: Option<String>,
    /// 涉及金额：30000、3万、3.5万元；负数会被拒绝并说明
    #[arg(long, value_name = "金额", allow_hyphen_values = true)]
    amount: Option<String>,
    /// 预警情形（可重复）
    #[arg(long = "flag", value_name = "预警情形", help = format!("预警情形（可重复）。{}", choices(WarningFlag::ALL)))]
    flags: Vec<String>,
    /// 调处层级（不填为村）
    #[arg(long, value_name = "村|镇|县")]
    tier: Option<String>,
    /// 第一位当事人是在册重点人员（编号）
    #[arg(long, value_name = "RY-…")]
    link: Option<String>,
}

fn parties(a: &Register, u: &mut Understood) -> Vec<Party> {
    let mut parties = Vec::new();
    for (i, spec) in a.parties.iter().enumerate() {
        let mut parts = spec.split(['/', '／']);
        let name = parts.next().unwrap_or_default();
        let role = match parts.next().filter(|s| !s.trim().is_empty()) {
            Some(r) => u.label(r, PartyRole::understand(r)),
            None if i == 0 => Some(PartyRole::Applicant),
            None if i == 1 => Some(PartyRole::Respondent),
            None => Some(PartyRole::Other),
        };
        let Some(mut party) = u.check(Party::new(
            name,
            role.unwrap_or(PartyRole::Other),
            parts.next(),
        )) else {
            continue;
        };
        if i == 0 {
            party.person_id = a.link.as_deref().map(|s| s.trim().to_uppercase());
        }
        parties.push(party);
    }
    parties
}

pub fn register(desk: &mut dyn Desk, a: Register) -> anyhow::Result<Printed> {
    let lists = desk.lists()?;
    let mut u = Understood::default();
    let village = u.listed("村(社区)", &lists.villages, &a.village);
    let read = match &a.category {
        Some(_) => None,
        None => u.check(category_of(&a.summary, &lists.categories)),
    };
    let category = match (&a.category, &read) {
        (Some(c), _) => u.listed("纠纷类型", &lists.categories, c),
        (None, r) => r.as_ref().map(|r| r.value.clone()).unwrap_or_default(),
    };
    let source = u.label(&a.source, Source::understand(&a.source));
    let parties = parties(&a, &mut u);
    let people_involved = u.people(a.people.as_deref());
    let amount = u.check(a.amount.as_deref().map(parse_amount).transpose());
    let flags = warning_flags(&a.flags, &mut u);
    let tier = a.tier.as_deref().map(|t| u.label(t, Tier::understand(t)));
    let note = u.finish()?;
    let new = NewDispute {
        village,
        category,
        source,
        summary: a.summary,
        parties,
        people_involved,
        amount: amount.flatten(),
        flags,
        tier: tier.flatten(),
    };
    let id = desk.create(Request::Register { new })?;
    let read = read.map(|r| (format!("类型按文字“{}”定为 {}", r.because, r.value), r));
    Ok(Printed::render(move |as_json| {
        Ok(if as_json {
            let mut out = json!({"id": id, "understood": u.notes});
            if let Some((_, r)) = &read {
                out["category_read"] = json!({"value": r.value, "because": r.because});
            }
            serde_json::to_string_pretty(&out)?
        } else {
            // The id stays alone on stdout for scripts; the notes go beside.
            for line in note.iter().chain(read.as_ref().map(|(n, _)| n)) {
                eprintln!("{line}");
            }
            id
        })
    }))
}

fn warning_flags(flags: &[String], u: &mut Understood) -> Vec<WarningFlag> {
    flags
        .iter()
        .filter_map(|f| u.label(f, WarningFlag::understand(f)))
        .collect()
}

#[derive(Args)]
pub struct Triage {
    id: String,
    /// 风险等级
    #[arg(long, value_name = "低|中|高|极高")]
    risk: String,
    #[arg(long = "flag", value_name = "预警情形", help = format!("预警情形（可重复）。{}", choices(WarningFlag::ALL)))]
    flags: Vec<String>,
    /// 调处层级
    #[arg(long, value_name = "村|镇|县")]
    #[arg(long, value_name = "村|镇|县")]
    tier: Option<String>,
}

pub fn triage(desk: &mut dyn Desk, a: Triage) -> anyhow::Result<Printed> {
    let mut u = Understood::default();
    let risk = u.label(&a.risk, RiskLevel::understand(&a.risk));
    let flags = warning_flags(&a.flags, &mut u);
    let tier = a.tier.as_deref().map(|t| u.label(t, Tier::understand(t)));
    let note = u.finish()?;
    let (Some(risk), Some(tier)) = (risk, tier.map_or(Some(None), |t| t.map(Some))) else {
        unreachable!("finish reports every value that was not understood")
    };
    said(
        note,
        change(desk, &a.id, ops::Triage { risk, flags, tier }.into()),
    )
}

#[derive(Args)]
pub struct Assign {
    id: String,
    /// 牵头领导：登录名或姓名（可写拼音首字母）
    #[arg(long, value_name = "领导")]
    leader: String,
    /// 责任单位，须在名录中，可简写（派出 → 派出所）
    #[arg(long, value_name = "单位")]
    unit: String,
    /// 责任人：登录名或姓名（可写拼音首字母）
    #[arg(long, value_name = "责任人")]
    person: String,
    /// 化解时限（不填按风险等级默认）
    #[arg(long, value_name = "日期")]
    deadline: Option<String>,
}

pub fn assign(desk: &mut dyn Desk, a: Assign) -> anyhow::Result<Printed> {
    let (lists, officers) = (desk.lists()?, desk.officers()?);
    let mut u = Understood::default();
    let leader = u.officer("牵头领导", &officers, &a.leader);
    let unit = u.listed("责任单位", &lists.units, &a.unit);
    let person = u.officer("责任人", &officers, &a.person);
    let deadline = u.check(dates(a.deadline.as_deref()));
    let note = u.finish()?;
    let assign = ops::Assign {
        leader,
        unit,
        person,
        deadline: deadline.flatten(),
    };
    said(note, change(desk, &a.id, assign.into()))
}

/// Says what was understood (on stderr, beside the result) once the
/// change went through.
fn said(note: Option<String>, done: anyhow::Result<Printed>) -> anyhow::Result<Printed> {
    let done = done?;
    if let Some(note) = note {
        eprintln!("{note}");
    }
    Ok(done)
}

#[derive(Args)]
pub struct Accept {
    id: String,
}

pub fn accept(desk: &mut dyn Desk, a: Accept) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::Accept.into())
}

#[derive(Args)]
pub struct AckAlert {
    id: String,
}

pub fn ack_alert(desk: &mut dyn Desk, a: AckAlert) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::AckAlert.into())
}

#[derive(Args)]
pub struct Reject {
    id: String,
    #[arg(long, value_name = "理由")]
    reason: String,
}

pub fn reject(desk: &mut dyn Desk, a: Reject) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::Reject { reason: a.reason }.into())
}

#[derive(Args)]
pub struct Package {
    id: String,
    #[arg(long, value_name = "登录名")]
    leader: String,
    /// 专班成员，逗号分隔
    #[arg(long, value_delimiter = ',', value_name = "登录名,…")]
    team: Vec<String>,
    /// 方案步骤，如 "2026-11-25 约谈双方"
    #[arg(long = "step", value_name = "日期 内容")]
    steps: Vec<String>,
    #[arg(long, value_name = "日期")]
    deadline: String,
}

pub fn package(desk: &mut dyn Desk, a: Package) -> anyhow::Result<Printed> {
    let plan = a
        .steps
        .iter()
        .map(|s| {
            let (d, text) = s.trim().split_once([' ', '　']).unwrap_or((s.as_str(), ""));
            Ok(PlanStep {
                date: date(d)?,
                text: text.to_string(),
                done: false,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    change(
        desk,
        &a.id,
        ops::Package {
            leader: a.leader,
            team: a
                .team
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect(),
            plan,
            deadline: date(&a.deadline)?,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Note {
    id: String,
    text: String,
    #[arg(
        long,
        default_value = "走访",
        value_name = "走访|电话|调解会|联合调解|其他"
    )]
    kind: String,
}

pub fn note(desk: &mut dyn Desk, a: Note) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::Note {
            kind: ContactKind::parse(&a.kind)?,
            text: a.text,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Supervise {
    id: String,
    #[arg(long)]
    off: bool,
}

pub fn supervise(desk: &mut dyn Desk, a: Supervise) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::Supervise { on: !a.off }.into())
}

#[derive(Args)]
pub struct Escalate {
    id: String,
    #[arg(long, value_name = "村|镇|县")]
    to: String,
    #[arg(long, value_name = "理由")]
    reason: String,
}

pub fn escalate(desk: &mut dyn Desk, a: Escalate) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::ChangeTier {
            to: Tier::parse(&a.to)?,
            reason: a.reason,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Close {
    id: String,
    #[arg(long, value_name = "化解结果", help = format!("化解结果。{}", choices(Outcome::ALL)))]
    outcome: String,
    #[arg(long, value_name = "化解情况")]
    summary: String,
}

pub fn close(desk: &mut dyn Desk, a: Close) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::Close {
            outcome: Outcome::parse(&a.outcome)?,
            summary: a.summary,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Approve {
    id: String,
    #[arg(long)]
    reject: bool,
    #[arg(long, default_value = "", value_name = "意见")]
    comment: String,
}

pub fn approve(desk: &mut dyn Desk, a: Approve) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::Decide {
            approve: !a.reject,
            comment: a.comment,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Extend {
    id: String,
    #[arg(long, value_name = "日期")]
    deadline: String,
    #[arg(long, value_name = "理由")]
    reason: String,
}

pub fn extend(desk: &mut dyn Desk, a: Extend) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::Extend {
            deadline: date(&a.deadline)?,
            reason: a.reason,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct FollowUp {
    id: String,
    #[arg(long, value_name = "入户|电话|到所")]
    method: String,
    /// 协议是否履行
    #[arg(long, value_name = "yes|no")]
    honoured: String,
    #[arg(long, value_name = "回访情况")]
    finding: String,
    #[arg(long, default_value = "", value_name = "满意度")]
    satisfaction: String,
    /// 纠纷反弹，重新打开案件
    #[arg(long)]
    reopen: bool,
}

pub fn follow_up(desk: &mut dyn Desk, a: FollowUp) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::FollowUp {
            method: VisitMethod::parse(&a.method)?,
            honoured: yes_no(&a.honoured)?,
            satisfaction: a.satisfaction,
            rebound: a.reopen,
            finding: a.finding,
            reopen: a.reopen,
        }
        .into(),
    )
}

fn yes_no(s: &str) -> anyhow::Result<bool> {
    match s.trim() {
        "yes" | "y" | "是" | "履行" => Ok(true),
        "no" | "n" | "否" | "未履行" => Ok(false),
        other => anyhow::bail!("--honoured 只能是 yes 或 no（是/否），不是“{other}”"),
    }
}

#[derive(Args)]
pub struct Reopen {
    id: String,
    #[arg(long, value_name = "理由")]
    reason: String,
}

pub fn reopen(desk: &mut dyn Desk, a: Reopen) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::Reopen { reason: a.reason }.into())
}

/// Sends one change and says "<done-word>：<编号>".
/// Sends one change to case or person `id` and says what was done, in the
/// same words the TUI uses (the operation's description).
pub(super) fn change(desk: &mut dyn Desk, id: &str, change: Change) -> anyhow::Result<Printed> {
    let what = change.done();
    let id = case_id(desk, id)?;
    desk.call(change.on(&id, None)).map_err(explain)?;
    Ok(Printed::new(
        json!({"id": id, "result": what}),
        format!("{what}：{id}"),
    ))
}

/// A conflict also shows the fresh state, so the officer sees what changed.
pub(super) fn explain(e: DeskError) -> anyhow::Error {
    if let DeskError::Conflict {
        message,
        fresh: Some(d),
    } = &e
    {
        return anyhow::anyhow!(
            "{message}\n\n最新情况：\n{}",
            dispute_text(d, today(), &Names::default())
        );
    }
    e.into()
}

#[derive(Args)]
pub struct List {
    #[arg(value_name = "disputes|persons")]
    what: String,
    #[arg(long, value_name = "状态")]
    status: Option<String>,
    #[arg(long, value_name = "村(社区)")]
    village: Option<String>,
    /// 只列当事人中有此人的案件（--party 待补录：导入时没有当事人的）
    #[arg(long, value_name = "姓名")]
    party: Option<String>,
    /// 包括已解除列管的人员
    #[arg(long)]
    all: bool,
}

pub fn list(desk: &mut dyn Desk, a: List) -> anyhow::Result<Printed> {
    let today = today();
    match a.what.as_str() {
        "disputes" | "纠纷" | "案件" => {
            let status = a.status.as_deref().map(Status::parse).transpose()?;
            let (_, mut items) = desk.summaries()?;
            items.retain(|s| {
                status.is_none_or(|st| s.status == st)
                    && a.village.as_deref().is_none_or(|v| s.village == v.trim())
                    && a.party
                        .as_deref()
                        .is_none_or(|p| s.parties.iter().any(|x| x == p.trim()))
            });
            Ok(Printed::render(move |json| {
                let items: Vec<_> = items.iter().collect();
                Ok(if json {
                    let rows: Vec<_> = items.iter().map(|s| summary_json(s, today)).collect();
                    serde_json::to_string_pretty(&rows)?
                } else {
                    disputes_listing(&items, today)
                })
            }))
        }
        "persons" | "重点人员" => {
            if a.status.is_some() {
                anyhow::bail!("重点人员列表不按状态筛选；已解除列管的人员用 --all 一并列出");
            }
            let mut items = desk.persons(a.all)?;
            if let Some(v) = a.village.as_deref() {
                items.retain(|p| p.village == v.trim());
            }
            items.sort_by_key(|p| (p.next_visit_due(), p.id.clone()));
            Ok(Printed::render(move |json| {
                Ok(if json {
                    let rows: Vec<_> = items.iter().map(|p| person_json(p, today)).collect();
                    serde_json::to_string_pretty(&rows)?
                } else {
                    persons_listing(&items, today)
                })
            }))
        }
        other => {
            anyhow::bail!("不能列出“{other}”，可选：disputes（矛盾纠纷）或 persons（重点人员）")
        }
    }
}

#[derive(Args)]
pub struct Show {
    id: String,
    /// 查看不在自己负责范围内的重点人员时须写明理由（记入操作日志）
    #[arg(long, value_name = "理由")]
    reason: Option<String>,
}

/// The 编号 an officer typed, as the TUI's `:go` takes it: whole
/// (MD-2026-003001, RY-12), or its number alone (3001, 2026-3001) when
/// exactly one case has it; several are named for the officer to choose.
pub(super) fn case_id(desk: &mut dyn Desk, typed: &str) -> anyhow::Result<String> {
    use crate::domain::record::{parse_dispute_id, PartialId};
    let up = typed.trim().to_uppercase();
    let whole = parse_dispute_id(&up).is_some() || RecordKind::of_id(&up) == RecordKind::Person;
    let Some(partial) = PartialId::parse(&up).filter(|_| !whole) else {
        return Ok(up);
    };
    let ids = match desk.call(Request::Ids { part: up.clone() })? {
        crate::desk::Response::Ids(ids) => ids,
        other => return Err(crate::desk::api::unexpected(other).into()),
    };
    let found: Vec<&String> = ids.iter().filter(|id| partial.matches(id)).collect();
    match found.as_slice() {
        [] => anyhow::bail!("找不到编号 {}", typed.trim()),
        [one] => Ok(one.to_string()),
        many => anyhow::bail!(
            "编号 {} 不止一件：{}。请写全编号",
            typed.trim(),
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ),
    }
}

/// One case (MD-…) or one key person (RY-…).
pub fn show(desk: &mut dyn Desk, a: Show) -> anyhow::Result<Printed> {
    let today = today();
    // Names, not logins; without the roster (an old server) logins still read.
    let names = Names::of(&desk.officers().unwrap_or_default());
    let id = case_id(desk, &a.id)?;
    match RecordKind::of_id(&id) {
        RecordKind::Person => {
            let p: crate::domain::person::KeyPerson = desk.ask(Request::Person {
                id: id.clone(),
                reason: a.reason,
            })?;
            Ok(Printed::new(
                person_json(&p, today),
                person_text(&p, today, &names).trim_end(),
            ))
        }
        RecordKind::Dispute | RecordKind::Officer | RecordKind::List => {
            let d = desk.dispute(&id)?;
            Ok(Printed::new(
                dispute_json(&d, today, &names),
                dispute_text(&d, today, &names).trim_end(),
            ))
        }
    }
}
