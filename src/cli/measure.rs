//! Measuring hooks: `desk bench` (and its hidden `--load` probe) and the
//! hidden `commit-loop` the crash test drives. They print as they go, not
//! through `Printed`. Kept apart so the measuring crate can replace this file.

use std::path::PathBuf;

use clap::Args;

use crate::bench;
use crate::desk::{Desk, DeskExt, Request};
use crate::domain::dispute::{NewDispute, Party};
use crate::domain::lists::{PartyRole, Source};

#[derive(Args)]
pub struct Bench {
    /// 只跑 1 万件的小规模
    #[arg(long)]
    quick: bool,
    /// 只测其中几组，逗号分隔：load、commit、search、report、served、screen、ledger
    /// （ledger 还可细分为 xlsx、csv、export、import，如 ledger-xlsx、import-csv）
    #[arg(long, value_name = "组")]
    only: Option<String>,
    /// 生成的库放在这个目录并保留，下次直接复用（省去生成时间）
    #[arg(long, value_name = "目录")]
    keep: Option<PathBuf>,
    /// Measures one client start-up (open + load every summary) in this
    /// fresh process and prints milliseconds; used by the bench itself.
    #[arg(long, hide = true, value_name = "文件")]
    load: Option<PathBuf>,
}

pub fn bench(a: Bench, json: bool) -> anyhow::Result<()> {
    if let Some(path) = a.load {
        return bench::load_once(&path);
    }
    bench::run(
        bench::Plan {
            quick: a.quick,
            only: a.only.as_deref().map(bench::Only::parse).transpose()?,
            keep: a.keep,
        },
        json,
    )
}

#[derive(Args)]
pub struct CommitLoop {
    #[arg(long, default_value_t = 100_000)]
    count: u64,
}

/// Registers disputes one by one, printing each 编号 once its commit returned.
pub fn commit_loop(desk: &mut dyn Desk, a: CommitLoop) -> anyhow::Result<()> {
    use std::io::Write;
    let village = desk
        .lists()?
        .villages
        .first()
        .cloned()
        .unwrap_or_else(|| "东河村".into());
    let mut out = std::io::stdout().lock();
    for i in 0..a.count {
        let new = NewDispute {
            village: village.clone(),
            category: "邻里".into(),
            source: Some(Source::Screening),
            summary: format!("压力测试第{i}件"),
            parties: vec![Party::new("测试甲", PartyRole::Applicant, None)?],
            ..Default::default()
        };
        let id = desk.create(Request::Register { new })?;
        writeln!(out, "{id}")?;
        out.flush()?;
    }
    Ok(())
}
