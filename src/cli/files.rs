//! File import and export on the command line: the 矛盾纠纷台账 both ways,
//! the 重点人员 list out. The work is in `crate::files`.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::{dates, today, Printed};
use crate::desk::ledger::LedgerFilter;
use crate::desk::Desk;
use crate::domain::workflow::Status;
use crate::files::ledger::{report_text, ImportOptions};
use crate::files::{self, Format};

#[derive(Subcommand)]
pub enum ExportCmd {
    /// 导出矛盾纠纷台账（排查表各列在前）；电话按角色打码，记入操作日志
    Ledger {
        /// 文件格式（不填按 --out 的扩展名）
        #[arg(long, value_name = "xlsx|csv")]
        format: Option<String>,
        #[arg(long, value_name = "文件")]
        out: PathBuf,
        /// 排查时间从哪天起（含）
        #[arg(long, value_name = "日期")]
        from: Option<String>,
        /// 排查时间到哪天止（含）
        #[arg(long, value_name = "日期")]
        to: Option<String>,
        #[arg(long, value_name = "村(社区)")]
        village: Option<String>,
        #[arg(long, value_name = "状态")]
        status: Option<String>,
    },
    /// 导出重点人员名单；电话、身份证号按角色打码，每次导出记入操作日志
    Persons {
        #[arg(long, value_name = "xlsx|csv")]
        format: Option<String>,
        #[arg(long, value_name = "文件")]
        out: PathBuf,
        /// 包括已解除列管的人员
        #[arg(long)]
        all: bool,
        /// 人户分离：只导出户籍在该乡镇的人员，作为给该乡镇的通报名单
        #[arg(long, value_name = "乡镇名")]
        notify: Option<String>,
    },
}

pub fn export(desk: &mut dyn Desk, cmd: ExportCmd) -> anyhow::Result<Printed> {
    let (what, out, n) = match cmd {
        ExportCmd::Ledger {
            format,
            out,
            from,
            to,
            village,
            status,
        } => {
            let format = Format::choose(format.as_deref(), &out)?;
            let filter = LedgerFilter {
                from: dates(from.as_deref())?,
                to: dates(to.as_deref())?,
                village,
                status: status.as_deref().map(Status::parse).transpose()?,
                ids: Vec::new(),
            };
            let n = files::ledger::export(desk, format, &out, filter)?;
            ("件案件", out, n)
        }
        ExportCmd::Persons {
            format,
            out,
            all,
            notify,
        } => {
            let format = Format::choose(format.as_deref(), &out)?;
            let n = files::persons::export(desk, format, &out, all, notify, today())?;
            ("名重点人员", out, n)
        }
    };
    Ok(Printed::new(
        json!({"out": out, "rows": n}),
        format!("已导出 {n} {what}到 {}", out.display()),
    ))
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// 导入台账：有错误的行一行都不写入，除非加 --skip-bad；重复导入不会重复登记
    Ledger {
        /// 台账文件：xlsx、xls 或 CSV（UTF-8 或 GBK）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 只检查、不写入
        #[arg(long)]
        dry_run: bool,
        /// 跳过有错误的行，导入其余的行
        #[arg(long)]
        skip_bad: bool,
        /// CSV 的编码（不填自动识别）
        #[arg(long, value_name = "gbk|utf-8")]
        encoding: Option<String>,
    },
}

/// Prints the import report; rows with errors and nothing written make the
/// command fail after printing.
pub fn import(desk: &mut dyn Desk, cmd: ImportCmd) -> anyhow::Result<Printed> {
    let ImportCmd::Ledger {
        file,
        dry_run,
        skip_bad,
        encoding,
    } = cmd;
    let opts = ImportOptions {
        dry_run,
        skip_bad,
        encoding,
    };
    let (sheets, report) = files::ledger::import(desk, &file, &opts)?;
    let printed = Printed::new(
        serde_json::to_value(&report)?,
        report_text(&sheets, &report),
    );
    // With --skip-bad the real import would go through, so the trial does too.
    if report.dry_run && !skip_bad && !report.bad.is_empty() {
        return Ok(printed.then_fail(format!("试导入发现 {} 行有错误", report.bad.len())));
    }
    if !report.dry_run && !report.written && !report.bad.is_empty() {
        return Ok(printed.then_fail(format!("导入未完成：有 {} 行有错误", report.bad.len())));
    }
    Ok(printed)
}
