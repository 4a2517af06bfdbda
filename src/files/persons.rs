//! The key-person register (重点人员) as a file. Phones and ID numbers come
//! from the desk already masked for roles that may not see them, and the
//! desk records every export.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use super::{write_table, Format, Table};
use crate::desk::api::unexpected;
use crate::desk::{Desk, DeskExt, Request, Response};
use crate::domain::ledger::Cell;
use crate::domain::person::{KeyPerson, Standing};

const HEADER: &[&str] = &[
    "编号",
    "姓名",
    "村(社区)",
    "人员类别",
    "风险等级",
    "危险等级",
    "户籍乡镇",
    "责任人",
    "走访周期(天)",
    "列管理由",
    "复核日期",
    "联系电话",
    "身份证号",
    "登记时间",
    "走访次数",
    "最近走访",
    "下次走访",
    "状态",
];

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

fn row(p: &KeyPerson, officer: &str, today: NaiveDate) -> Vec<Cell> {
    let status = match p.standing(today) {
        Standing::Ended => "已解除列管",
        Standing::ReviewDue => "待复核",
        Standing::Active if p.lost_contact() => "失访",
        Standing::Active if p.visit_overdue(today) => "逾期未访",
        Standing::Active => "在管",
    };
    vec![
        text(&p.id),
        text(&p.name),
        text(&p.village),
        text(p.category.label()),
        text(p.risk.label()),
        text(p.grade().label()),
        text(p.household.as_deref().unwrap_or("")),
        text(officer),
        Cell::Number(u64::from(p.interval_days)),
        text(&p.reason),
        Cell::Date(p.review_date),
        text(p.phone.as_deref().unwrap_or("")),
        text(p.id_number.as_deref().unwrap_or("")),
        Cell::Date(p.registered_at.date_naive()),
        Cell::Number(p.visits.len() as u64),
        p.last_visit().map(Cell::Date).unwrap_or(Cell::Empty),
        if p.is_active() {
            Cell::Date(p.next_visit_due())
        } else {
            Cell::Empty
        },
        text(status),
    ]
}

/// `desk export persons`: returns the number of people written.
pub fn export(
    desk: &mut dyn Desk,
    format: Format,
    out: &Path,
    include_ended: bool,
    notify: Option<String>,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let persons = match desk.call(Request::ExportPersons {
        include_ended,
        notify,
    })? {
        Response::Persons(p) => p,
        other => return Err(unexpected(other).into()),
    };
    let names: HashMap<String, String> = desk
        .officers()?
        .into_iter()
        .map(|o| (o.login, o.name))
        .collect();
    let table = Table {
        sheet: "重点人员".to_string(),
        header: HEADER.iter().map(|h| h.to_string()).collect(),
        rows: persons
            .iter()
            .map(|p| row(p, names.get(&p.officer).unwrap_or(&p.officer), today))
            .collect(),
        wrap: HEADER.iter().map(|h| *h == "列管理由").collect(),
    };
    write_table(format, out, &table)?;
    Ok(table.rows.len())
}
