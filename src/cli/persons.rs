//! 重点人员 on the command line: register a person, record a visit, review
//! the listing (extend or end it).

use clap::{Args, Subcommand};
use serde_json::json;

use super::cases::change;
use super::{date, dates, today, Printed};
use crate::desk::ops;
use crate::desk::{Desk, DeskExt, Request};
use crate::domain::lists::{PersonCategory, RiskLevel, VisitMethod};
use crate::domain::person::NewPerson;

#[derive(Subcommand)]
pub enum PersonCmd {
    /// 登记重点人员（必须写明列管理由和复核日期）
    Add(AddPerson),
    /// 登记一次走访
    Visit(Visit),
    /// 复核：--until 新复核日期 延期，或 --end 解除列管
    Review(Review),
}

pub fn run(desk: &mut dyn Desk, cmd: PersonCmd) -> anyhow::Result<Printed> {
    match cmd {
        PersonCmd::Add(args) => add(desk, args),
        PersonCmd::Visit(args) => visit(desk, args),
        PersonCmd::Review(args) => review(desk, args),
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
    #[arg(long, value_name = "登录名")]
    officer: String,
    #[arg(long, value_name = "列管理由")]
    reason: String,
    #[arg(long, value_name = "复核日期")]
    review: String,
    #[arg(long, value_name = "天数")]
    interval: Option<u32>,
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
        interval_days: a.interval,
        reason: a.reason,
        review_date: Some(date(&a.review)?),
        phone: a.phone,
        id_number: a.id_number,
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
    finding: String,
    #[arg(long, value_name = "日期")]
    date: Option<String>,
}

pub fn visit(desk: &mut dyn Desk, a: Visit) -> anyhow::Result<Printed> {
    change(
        desk,
        &a.id,
        ops::VisitPerson {
            date: dates(a.date.as_deref())?.unwrap_or_else(today),
            method: VisitMethod::parse(&a.method)?,
            finding: a.finding,
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
