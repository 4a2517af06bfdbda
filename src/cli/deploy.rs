//! The packaged deployment's commands: `desk setup` (first start, as root),
//! `desk setup sshd` (the Match block to review), `desk doctor` (is the
//! deployment right), and the hidden `desk gen-docs` the package build runs
//! for the man pages and shell completions.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;

use super::Printed;
use crate::deploy::doctor::{self, Status};
use crate::deploy::{setup, Layout, SSHD_EXAMPLE};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Setup {
    #[command(subcommand)]
    what: Option<SetupCmd>,
    /// 成为管理员的登录名（本机已有的账号，会被加入 desk 组）
    #[arg(value_name = "登录名")]
    login: Option<String>,
    /// 管理员的姓名
    #[arg(long, value_name = "姓名")]
    name: Option<String>,
}

#[derive(Subcommand)]
enum SetupCmd {
    /// 打印 sshd 的设置（desk 组只能进值班台），供审阅后写入；不改动任何文件
    Sshd,
}

pub fn setup(a: Setup) -> anyhow::Result<Printed> {
    if let Some(SetupCmd::Sshd) = a.what {
        return Ok(Printed::new(
            json!({"sshd_config": SSHD_EXAMPLE}),
            SSHD_EXAMPLE.trim_end(),
        ));
    }
    let (Some(login), Some(name)) = (a.login, a.name) else {
        anyhow::bail!("请写明谁当管理员：desk setup 登录名 --name 姓名（以 root 运行）");
    };
    let program = std::env::current_exe().map_err(|e| {
        anyhow::anyhow!("找不到 desk 程序本身：{}", crate::private_fs::describe(&e))
    })?;
    let text = setup::run(&Layout::packaged(), &program, &login, &name)?;
    Ok(Printed::new(json!({"admin": login, "said": text}), text))
}

/// Runs every check this account may see; fails when any finding is wrong.
pub fn doctor() -> anyhow::Result<Printed> {
    let report = doctor::run(&Layout::packaged());
    let failed = report.count(Status::Fail);
    let mut text = format!(
        "desk doctor：以 {} 身份（{}）检查综治中心值班台的部署\n",
        report.viewer.label(),
        report.login
    );
    for f in &report.findings {
        text.push_str(&format!("{} {}\n", f.status.mark(), f.what));
        if let Some(fix) = f.fix.as_ref().filter(|_| f.status != Status::Ok) {
            text.push_str(&format!("    修复：{fix}\n"));
        }
    }
    let warned = report.count(Status::Warn);
    text.push_str(&match (failed, warned) {
        (0, 0) => "结论：部署正常".to_string(),
        (0, w) => format!("结论：没有错误，{w} 处提醒（!）"),
        (f, w) => format!("结论：{f} 处问题（✗），{w} 处提醒（!）"),
    });
    let printed = Printed::new(serde_json::to_value(&report)?, text);
    Ok(if failed > 0 {
        printed.then_fail(format!("部署有 {failed} 处问题，见上面每条的“修复”"))
    } else {
        printed
    })
}

/// The man pages (one for `desk`, one per command) and the bash, zsh and
/// fish completions, written into `dir` for the packages to install.
pub fn gen_docs(dir: &Path) -> anyhow::Result<Printed> {
    let io = |what: &Path, e: std::io::Error| {
        anyhow::anyhow!(
            "无法写 {}：{}",
            what.display(),
            crate::private_fs::describe(&e)
        )
    };
    let man = dir.join("man");
    let completions = dir.join("completions");
    for d in [&man, &completions] {
        std::fs::create_dir_all(d).map_err(|e| io(d, e))?;
    }
    let cmd = super::parse::command().name("desk").bin_name("desk");
    let mut written: Vec<PathBuf> = Vec::new();
    let mut pages = vec![("desk".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("desk-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let path = man.join(format!("{name}.1"));
        let mut roff = Vec::new();
        clap_mangen::Man::new(page)
            .render(&mut roff)
            .map_err(|e| io(&path, e))?;
        std::fs::write(&path, chinese_headings(&String::from_utf8_lossy(&roff)))
            .map_err(|e| io(&path, e))?;
        written.push(path);
    }
    use clap_complete::Shell;
    for (shell, file) in [
        (Shell::Bash, "desk"),
        (Shell::Zsh, "_desk"),
        (Shell::Fish, "desk.fish"),
    ] {
        let path = completions.join(file);
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "desk", &mut out);
        std::fs::write(&path, out).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    Ok(Printed::new(
        json!({"written": written}),
        format!("已写出 {} 个文件到 {}", written.len(), dir.display()),
    ))
}

/// clap_mangen's section headings are English; the pages are read by
/// Chinese administrators.
fn chinese_headings(roff: &str) -> String {
    const HEADINGS: [(&str, &str); 7] = [
        (".SH NAME", ".SH 名称"),
        (".SH SYNOPSIS", ".SH 用法"),
        (".SH DESCRIPTION", ".SH 说明"),
        (".SH OPTIONS", ".SH 选项"),
        (".SH SUBCOMMANDS", ".SH 命令"),
        (".SH VERSION", ".SH 版本"),
        (".SH AUTHORS", ".SH 作者"),
    ];
    roff.lines()
        .map(|l| {
            HEADINGS
                .iter()
                .find(|(en, _)| l == *en)
                .map_or(l, |(_, zh)| zh)
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
