//! 转办 / 移送, 中止 / 恢复办理, the 黄橙红牌 thresholds and the daily sweep
//! on the command line. 签收 and 退回 of a 转办 are `desk accept` / `desk
//! reject`, as for a 交办.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::cases::change;
use super::{date, Printed};
use crate::desk::casework::Swept;
use crate::desk::ledger::LedgerFilter;
use crate::desk::ops::{self, TransferTo};
use crate::desk::{Desk, DeskExt, Request};
use crate::domain::escalation::Thresholds;
use crate::files::{self, Format};

#[derive(Args)]
pub struct Transfer {
    id: String,
    /// 转至责任单位（与 --person 一起）
    #[arg(
        long,
        value_name = "单位",
        requires = "person",
        conflicts_with = "township"
    )]
    unit: Option<String>,
    /// 转至责任人（登录名或姓名）
    #[arg(long, value_name = "登录名", requires = "unit")]
    person: Option<String>,
    /// 移送到另一乡镇：写出台账包（xlsx）供对方导入
    #[arg(long, value_name = "乡镇", required_unless_present = "unit")]
    township: Option<String>,
    #[arg(long, value_name = "理由")]
    reason: String,
    /// 移送台账包的文件名（默认 移送-乡镇-编号.xlsx）
    #[arg(long, value_name = "文件")]
    out: Option<PathBuf>,
}

pub fn transfer(desk: &mut dyn Desk, a: Transfer) -> anyhow::Result<Printed> {
    let (Some(unit), Some(person)) = (a.unit, a.person) else {
        let township = a.township.unwrap_or_default();
        return move_out(desk, a.id, township, a.reason, a.out);
    };
    let to = TransferTo::Unit { unit, person };
    change(
        desk,
        &a.id,
        ops::Transfer {
            to,
            reason: a.reason,
        }
        .into(),
    )
}

/// 移送: the packet is written first (the case as it stands), then the
/// case is archived here; a refused move removes the packet again.
fn move_out(
    desk: &mut dyn Desk,
    id: String,
    township: String,
    reason: String,
    out: Option<PathBuf>,
) -> anyhow::Result<Printed> {
    let id = super::cases::case_id(desk, &id)?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("移送-{}-{id}.xlsx", township.trim())));
    let filter = LedgerFilter {
        ids: vec![id.clone()],
        ..Default::default()
    };
    let rows = files::ledger::export(desk, Format::Xlsx, &out, filter)?;
    if rows == 0 {
        let _ = std::fs::remove_file(&out);
        anyhow::bail!("找不到案件 {id}");
    }
    let to = TransferTo::Township {
        name: township.clone(),
    };
    let req = ops::Transfer { to, reason }.into();
    if let Err(e) = change(desk, &id, req) {
        let _ = std::fs::remove_file(&out);
        return Err(e);
    }
    Ok(Printed::new(
        json!({"id": id, "result": "已移送", "township": township, "packet": out}),
        format!(
            "已移送：{id} → {township}；台账包 {}（请交对方用 desk import ledger 导入）",
            out.display()
        ),
    ))
}

#[derive(Args)]
pub struct Pause {
    id: String,
    /// 中止理由：诉讼中、仲裁中、等待鉴定、当事人外出……
    #[arg(long, value_name = "理由")]
    reason: String,
    /// 预计恢复日期：到期自动恢复办理
    #[arg(long, value_name = "日期")]
    until: String,
}

pub fn pause(desk: &mut dyn Desk, a: Pause) -> anyhow::Result<Printed> {
    let until = date(&a.until)?;
    let reason = a.reason;
    let id = super::cases::case_id(desk, &a.id)?;
    change(desk, &id, ops::Pause { reason, until }.into())?;
    // A packaged case, or a 责任人's, only asks: said as it stands.
    let d = match desk.call(Request::Dispute { id: id.clone() })? {
        crate::desk::Response::Dispute(d) => d,
        _ => anyhow::bail!("服务端应答异常"),
    };
    let what = match &d.pause {
        Some(_) => "已中止".to_string(),
        None => format!("已申请中止，待{}审批", d.approver_title()),
    };
    Ok(Printed::new(
        json!({"id": id, "result": what}),
        format!("{what}：{id}"),
    ))
}

#[derive(Args)]
pub struct Resume {
    id: String,
}

pub fn resume(desk: &mut dyn Desk, a: Resume) -> anyhow::Result<Printed> {
    change(desk, &a.id, ops::Resume.into())
}

#[derive(Args)]
pub struct Escalation {
    /// 橙牌从逾期第几天起（管理员）
    #[arg(long, value_name = "天")]
    orange: Option<u32>,
    /// 红牌从逾期第几天起（管理员）
    #[arg(long, value_name = "天")]
    red: Option<u32>,
}

/// Shows the thresholds, or sets them (管理员, audited).
pub fn escalation(desk: &mut dyn Desk, a: Escalation) -> anyhow::Result<Printed> {
    let t: Thresholds = if a.orange.is_none() && a.red.is_none() {
        desk.risk_setup()?.escalation
    } else {
        desk.ask(Request::SetEscalation {
            orange_from: a.orange,
            red_from: a.red,
        })?
    };
    Ok(thresholds_printed(&t))
}

fn thresholds_printed(t: &Thresholds) -> Printed {
    Printed::new(
        json!({"orange_from": t.orange_from, "red_from": t.red_from}),
        t.describe(),
    )
}

/// 到期的中止自动恢复，新的红牌自动挂牌督办（服务端每分钟做一次）.
pub fn sweep(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    let swept: Swept = desk.ask(Request::Sweep)?;
    Ok(Printed::new(
        json!({"resumed": swept.resumed, "red": swept.red}),
        format!(
            "自动恢复办理 {} 件{}；红牌挂牌督办 {} 件{}",
            swept.resumed.len(),
            list(&swept.resumed),
            swept.red.len(),
            list(&swept.red)
        ),
    ))
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!("（{}）", ids.join(" "))
    }
}
