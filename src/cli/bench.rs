//! `desk bench`: the measuring code lives in its own binary, `desk-bench`
//! (the workspace member `bench/`), so the product library carries none of
//! it. This entry only finds that binary beside `desk` and runs it with the
//! same arguments, so `desk bench --json` and its figure names stay as they were.

use std::convert::Infallible;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;

/// The name of the measuring binary, built beside `desk`.
pub const BIN: &str = "desk-bench";

/// Where `desk-bench` should be: in the directory of the running `desk`.
pub fn path() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("无法确定 desk 程序所在的位置")?;
    Ok(me.with_file_name(BIN))
}

/// Replaces this process with `desk-bench args…`, so its exit code,
/// signals and output are the command's own; returns only if it could not
/// start. `json` is the desk's global `--json`: clap may take it before the
/// pass-through arguments do, so it is handed on here unless already among them.
pub fn exec(mut args: Vec<OsString>, json: bool) -> anyhow::Result<Infallible> {
    let bin = path()?;
    anyhow::ensure!(
        bin.is_file(),
        "找不到性能测试程序 {}：它与 desk 一起构建，请在源码目录运行 cargo build --release，再用 target/release/desk bench",
        bin.display()
    );
    if json && !args.iter().any(|a| a == "--json") {
        args.insert(0, "--json".into());
    }
    // arg0 makes its usage line read "desk bench", as the officer typed.
    let err = Command::new(&bin).arg0("desk bench").args(&args).exec();
    Err(anyhow::Error::new(err).context(format!("无法启动性能测试程序 {}", bin.display())))
}
