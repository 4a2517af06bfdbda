//! 重点人员 on the command line: register a person, record a visit, review
//! the listing (extend or end it).

use clap::{Args, Subcommand};
use serde_json::json;

use super::cases::change;
use super::{date, dates, today, Printed};
use crate::desk::api::{RegisterCounts, RulesEdit};
use crate::desk::ops;
use crate::desk::{Desk, DeskExt, Request};
use crate::domain::lists::{FailReason, PersonCategory, PersonGrade, RiskLevel, VisitMethod};
use crate::domain::person::NewPerson;
use crate::domain::person_rules::PersonRules;

#[derive(Subcommand)]
pub enum PersonCmd {
    /// 登记重点人员（必须写明列管理由和复核日期）
    Add(AddPerson),
    /// 登记一次走访
    Visit(Visit),
    /// 复核：--until 新复核日期 延期，或 --end 解除列管
    Review(Review),
    /// 签收重点人员预警（失访须写 --plan 措施）
    Ack(Ack),
    /// 人户分离：标注户籍所在乡镇（--clear 取消）
    Household(Household),
    /// 重点人员规则：走访周期表、失访次数、保存期、查阅异常的标准（修改须管理员）
    Rules(Rules),
    /// 统计数字（不含任何人员信息）：在册、逾期未访、失访、待复核
    Count,
}

pub fn run(desk: &mut dyn Desk, cmd: PersonCmd) -> anyhow::Result<Printed> {
    match cmd {
        PersonCmd::Add(args) => add(desk, args),
        PersonCmd::Visit(args) => visit(desk, args),
        PersonCmd::Review(args) => review(desk, args),
        PersonCmd::Ack(a) => change(desk, &a.id, ops::AckPersonAlert { plan: a.plan }.into()),
        PersonCmd::Household(a) => household(desk, a),
        PersonCmd::Rules(a) => rules(desk, a),
        PersonCmd::Count => count(desk),
    }
}

#[derive(Args)]
pub struct AddPerson {
    #[arg(long)]
    name: String,
    #[arg(long, value_name = "村(社区)")]
    village: String,
    #[arg(long, value_name = "人员类别")]
    category: String,
    #[arg(long, value_name = "低|中|高|极高")]
    risk: String,
    /// 危险等级：严重精神障碍患者 0级–5级，其他 低|中|高（不写按风险等级）；走访周期按周期表
    #[arg(long, value_name = "等级")]
    grade: Option<String>,
    /// 人户分离：户籍所在乡镇
    #[arg(long, value_name = "乡镇名")]
    household: Option<String>,
    #[arg(long, value_name = "登录名")]
    officer: String,
    #[arg(long, value_name = "列管理由")]
    reason: String,
    #[arg(long, value_name = "复核日期")]
    review: String,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long, value_name = "身份证号")]
    id_number: Option<String>,
}

pub fn add(desk: &mut dyn Desk, a: AddPerson) -> anyhow::Result<Printed> {
    let new = NewPerson {
        name: a.name,
        village: a.village,
        category: PersonCategory::parse(&a.category)?,
        risk: RiskLevel::parse(&a.risk)?,
        officer: a.officer,
        interval_days: None,
        reason: a.reason,
        review_date: Some(date(&a.review)?),
        phone: a.phone,
        id_number: a.id_number,
        grade: a.grade.as_deref().map(grade).transpose()?,
        household: a.household,
    };
    let id = desk.create(Request::AddPerson { new })?;
    Ok(Printed::new(json!({"id": id}), id))
}

#[derive(Args)]
pub struct Visit {
    id: String,
    #[arg(long, value_name = "入户|电话|到所")]
    method: String,
    #[arg(long, value_name = "走访情况")]
    finding: Option<String>,
    #[arg(long, value_name = "日期")]
    date: Option<String>,
    /// 未见到本人（须写 --reason）
    #[arg(long, requires = "reason")]
    failed: bool,
    /// 未见面原因
    #[arg(
        long,
        value_name = "外出务工|拒绝见面|下落不明|其他",
        requires = "failed"
    )]
    reason: Option<String>,
    /// 本次评估的危险等级（改走访周期）
    #[arg(long, value_name = "等级")]
    grade: Option<String>,
}

/// `3`, `3级`, `低` …
fn grade(text: &str) -> anyhow::Result<PersonGrade> {
    let t = text.trim();
    let t = if t.len() == 1 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{t}级")
    } else {
        t.to_string()
    };
    Ok(PersonGrade::parse(&t)?)
}

pub fn visit(desk: &mut dyn Desk, a: Visit) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::VisitPerson {
            date: dates(a.date.as_deref())?.unwrap_or_else(today),
            method: VisitMethod::parse(&a.method)?,
            finding: a.finding.unwrap_or_default(),
            failed: a.reason.as_deref().map(FailReason::parse).transpose()?,
            grade: a.grade.as_deref().map(grade).transpose()?,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Review {
    id: String,
    #[arg(long, value_name = "理由")]
    reason: String,
    #[arg(long, value_name = "日期", conflicts_with = "end")]
    until: Option<String>,
    #[arg(long)]
    end: bool,
}

pub fn review(desk: &mut dyn Desk, a: Review) -> anyhow::Result<Printed> {
    if a.until.is_none() && !a.end {
        anyhow::bail!("复核需要 --until 新的复核日期（继续列管）或 --end（解除列管）");
    }
    change(
        desk,
        &a.id,
        ops::ReviewPerson {
            reason: a.reason,
            next_review: dates(a.until.as_deref())?,
        }
        .into(),
    )
}

#[derive(Args)]
pub struct Ack {
    id: String,
    /// 措施（签收失访预警时必填）
    #[arg(long, value_name = "措施", default_value = "")]
    plan: String,
}

#[derive(Args)]
pub struct Household {
    id: String,
    /// 户籍所在乡镇
    #[arg(value_name = "乡镇名", required_unless_present = "clear")]
    township: Option<String>,
    #[arg(long, conflicts_with = "township")]
    clear: bool,
}

fn household(desk: &mut dyn Desk, a: Household) -> anyhow::Result<Printed> {
    let township = if a.clear { None } else { a.township };
    change(desk, &a.id, ops::MarkHousehold { township }.into())
}

#[derive(Args)]
pub struct Rules {
    /// 改走访周期：类别 等级 天数（如 严重精神障碍患者 3级 7）
    #[arg(long, num_args = 3, value_names = ["类别", "等级", "天数"])]
    cadence: Option<Vec<String>>,
    /// 连续几次未见面为失访
    #[arg(long, value_name = "次数")]
    lost_after: Option<u32>,
    /// 解除列管后几天屏蔽个人信息
    #[arg(long, value_name = "天数")]
    retention: Option<u32>,
    /// 值班时间（如 8-18），之外的查阅标为异常
    #[arg(long, value_name = "时-时")]
    duty_hours: Option<String>,
    /// 短时间查阅多人的标准（如 20/10：10 分钟内超过 20 人）
    #[arg(long, value_name = "人数/分钟")]
    burst: Option<String>,
}

fn rules(desk: &mut dyn Desk, a: Rules) -> anyhow::Result<Printed> {
    let mut edits = Vec::new();
    if let Some(c) = &a.cadence {
        let days: u32 = c[2]
            .trim_end_matches('天')
            .parse()
            .map_err(|_| anyhow::anyhow!("天数“{}”看不懂，请写数字", c[2]))?;
        edits.push(RulesEdit::Cadence {
            category: PersonCategory::parse(&c[0])?,
            grade: grade(&c[1])?,
            days,
        });
    }
    if let Some(n) = a.lost_after {
        edits.push(RulesEdit::LostAfter(n));
    }
    if let Some(n) = a.retention {
        edits.push(RulesEdit::RetentionDays(n));
    }
    if let Some(h) = &a.duty_hours {
        let (x, y) = pair(h, '-', "值班时间应写成 8-18")?;
        edits.push(RulesEdit::DutyHours(x, y));
    }
    if let Some(b) = &a.burst {
        let (persons, minutes) = pair(b, '/', "短时查阅标准应写成 20/10（人数/分钟）")?;
        edits.push(RulesEdit::Burst { persons, minutes });
    }
    for edit in edits {
        desk.call(Request::SetPersonRules { edit })?;
    }
    let r: PersonRules = desk.ask(Request::PersonRules)?;
    let mut text = String::from("走访周期（天）：\n");
    for row in r.table() {
        text.push_str(&format!(
            "  {} {}：{}\n",
            row.category.label(),
            row.grade.label(),
            row.days
        ));
    }
    text.push_str(&format!(
        "连续 {} 次未见面为失访；解除列管 {} 天后屏蔽个人信息；值班时间 {}:00-{}:00；{} 分钟内查阅超过 {} 人标为异常",
        r.lost_after, r.retention_days, r.duty_hours.0, r.duty_hours.1, r.burst_minutes, r.burst_persons
    ));
    Ok(Printed::new(
        json!({"cadence": r.table(), "lost_after": r.lost_after, "retention_days": r.retention_days,
               "duty_hours": [r.duty_hours.0, r.duty_hours.1], "burst_persons": r.burst_persons,
               "burst_minutes": r.burst_minutes}),
        text,
    ))
}

fn pair(text: &str, sep: char, hint: &str) -> anyhow::Result<(u32, u32)> {
    let (a, b) = text
        .split_once(sep)
        .ok_or_else(|| anyhow::anyhow!("{hint}"))?;
    let n = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| anyhow::anyhow!("{hint}"))
    };
    Ok((n(a)?, n(b)?))
}

fn count(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    let c: RegisterCounts = desk.ask(Request::PersonCounts)?;
    Ok(Printed::new(
        json!({"active": c.active, "overdue": c.standing.overdue, "lost": c.standing.lost,
               "review_due": c.standing.review_due}),
        format!(
            "在册 {} 人，逾期未访 {} 人，失访 {} 人，待复核 {} 人",
            c.active, c.standing.overdue, c.standing.lost, c.standing.review_due
        ),
    ))
}
