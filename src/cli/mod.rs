//! The command line: the clap definitions, the dispatch, and one way of
//! printing results. Each topic file carries its commands' arguments beside
//! the functions that run them; every command returns a [`Printed`], printed
//! here according to `--json`.

pub mod admin;
pub mod bench;
pub mod cases;
pub mod casework;
pub mod deploy;
pub mod files;
pub mod parse;
pub mod persons;
pub mod routine;
pub mod suggest;
pub mod understood;

pub use parse::parse;

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use serde_json::Value;

use crate::desk::{clock, paths, Desk};
use crate::domain::text::parse_date;
use crate::{connect, server};

#[derive(Parser)]
#[command(
    name = "desk",
    version,
    about = "综治中心值班台：矛盾纠纷排查化解、重点人员走访帮扶"
)]
pub struct Cli {
    /// 数据库文件（默认取 DESK_DB，或 ~/.local/share/duty-desk/desk.redb）
    #[arg(long, global = true, value_name = "文件")]
    db: Option<PathBuf>,
    /// 服务端套接字（默认取 DESK_SOCKET，或 $XDG_RUNTIME_DIR/duty-desk/desk.sock）
    #[arg(long, global = true, value_name = "路径")]
    socket: Option<PathBuf>,
    /// 以 JSON 输出（键名为英文，取值与界面一致）
    #[arg(long, global = true)]
    json: bool,
    /// 全屏界面：键位文件（或 vim 用内置的 vim 风格），默认 ~/.config/duty-desk/keymap.toml
    #[arg(long, value_name = "文件")]
    keymap: Option<String>,
    /// 全屏界面：用 ASCII 字符画边框（适合把制表符显示成双宽的 SSH 客户端）
    #[arg(long)]
    ascii: bool,
    /// 不带命令时打开全屏值班台
    #[command(subcommand)]
    command: Option<Cmd>,
}

// The variants' doc comments are the subcommands' help; the argument
// structs beside each topic's commands carry none, so these win.
#[derive(Subcommand)]
enum Cmd {
    /// 新建空数据库，写入默认名录，并把当前账号登记为管理员
    Init(admin::Init),
    /// 向空数据库写入演示数据（全部为虚构人员）
    Demo(admin::Demo),
    /// 登记
    #[command(subcommand)]
    Add(cases::AddCmd),
    /// 研判：风险等级、预警情形、调处层级
    Triage(cases::Triage),
    /// 交办（四定）：牵头领导、责任单位、责任人、化解时限
    Assign(cases::Assign),
    /// 签收交办的案件
    Accept(cases::Accept),
    /// 签收预警：确认已看到本案的预警（民转刑倾向、扬言极端、群体性），记入经过与操作日志
    Ack(cases::AckAlert),
    /// 撤销本人最近一次操作（10 分钟内，操作日志两条都保留）
    Undo(admin::Undo),
    /// 退回交办的案件
    Reject(cases::Reject),
    /// 领导包案（一案一策）
    Package(cases::Package),
    /// 添加进展
    Note(cases::Note),
    /// 挂牌督办（--off 撤销）
    Supervise(cases::Supervise),
    /// 上报或交办下级：调整调处层级
    Escalate(cases::Escalate),
    /// 销号（包案案件需包案领导审批）
    Close(cases::Close),
    /// 审批销号或延期申请（--reject 不同意）
    Approve(cases::Approve),
    /// 申请延长化解时限
    Extend(cases::Extend),
    /// 回访已销号的案件
    Visit(cases::FollowUp),
    /// 重新打开已销号的案件
    Reopen(cases::Reopen),
    /// 转办到另一责任单位和责任人（对方 accept 签收或 reject 退回），或 --township 移送到另一乡镇
    Transfer(casework::Transfer),
    /// 中止：写明理由和预计恢复日期，时限停止计算，到期自动恢复（包案案件须包案领导审批）
    Pause(casework::Pause),
    /// 恢复办理中止的案件：时限顺延中止的天数
    Resume(casework::Resume),
    /// 黄牌/橙牌/红牌：不带参数时显示，--orange/--red 修改逾期天数（须管理员）
    Escalation(casework::Escalation),
    /// 立即做一次自动处理：到期的中止恢复办理，新的红牌挂牌督办（服务端每分钟自动做）
    Sweep,
    /// 重点人员：登记、走访、复核
    #[command(subcommand)]
    Person(persons::PersonCmd),
    /// 列表：disputes（矛盾纠纷）或 persons（重点人员）
    List(cases::List),
    /// 查看一件案件（MD-…）或一名重点人员（RY-…）
    Show(cases::Show),
    /// 操作日志
    Log(admin::Log),
    /// 检查数据库：记录、摘要、审计链；有问题时以非零退出
    Check,
    /// 备份数据库到新文件
    Backup(admin::Backup),
    /// 值班名册
    #[command(subcommand)]
    Roster(admin::RosterCmd),
    /// 名录：村(社区)、责任单位、纠纷类型
    #[command(subcommand)]
    Lists(admin::ListsCmd),
    /// 显示当前身份
    Whoami,
    /// 运行服务端（前台）：独占数据库，通过套接字为所有值班员服务
    Serve(admin::Serve),
    /// 安装软件包后第一次启动（以 root，一次）：以服务账号建库、登记管理员、启动服务；setup sshd 打印 sshd 的设置
    Setup(deploy::Setup),
    /// 检查部署：账号、目录权限、服务端、备份、磁盘、sshd、名册；每条问题附修复办法，有问题时以非零退出
    Doctor,
    /// 为软件包写出手册页和命令补全（打包时用）
    #[command(hide = true)]
    GenDocs {
        #[arg(value_name = "目录")]
        dir: PathBuf,
    },
    /// 实时显示其他值班员的改动（每条一行；--json 时每行一个 JSON 对象）
    Watch,
    /// 导出：ledger（矛盾纠纷台账）或 persons（重点人员名单），Excel 或 CSV
    #[command(subcommand)]
    Export(files::ExportCmd),
    /// 导入：ledger（台账，xlsx/xls 或 CSV）
    #[command(subcommand)]
    Import(files::ImportCmd),
    /// 风险权重：show 查看（默认）、set 名称 分值 修改、reset 恢复默认（修改须管理员）
    Weights(routine::Weights),
    /// 敏感时期：add 设置、list 列出（默认）、remove 删除（设置和删除须管理员）
    Period(routine::Period),
    /// 每日点名：不带子命令时显示当天谁已报（有情况/零报告）、谁未报；record 代村(单位)登记报告
    Rollcall(routine::Rollcall),
    /// 报表：daily 日报/零报告、monthly 月度台账更新、analysis 研判会分析、handover 交接班
    Report(routine::ReportArgs),
    /// 风险队列：在办案件按风险分排序，列出每项得分原因
    Queue(routine::Queue),
    /// 从矛盾情况的文字读出建议：纠纷类型、预警情形、人数、金额、当事人、来源，各附依据
    Suggest(suggest::Suggest),
    /// 性能测试（生成数据，输出分位数；参数见 desk bench --help）
    #[command(disable_help_flag = true)]
    Bench {
        /// 交给 desk-bench 的参数：--quick、--json、--only 组,…、--keep 目录
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "参数"
        )]
        args: Vec<std::ffi::OsString>,
    },
}

impl Cli {
    /// Whether this run keeps a socket open for long (the TUI, the server,
    /// `watch`): those keep Rust's SIGPIPE default, the rest end quietly.
    pub fn keeps_running(&self) -> bool {
        matches!(self.command, None | Some(Cmd::Serve(_)) | Some(Cmd::Watch))
    }
}

/// What a command prints: JSON for `--json`, else the text. Every command
/// returns one, and [`Printed::print`] is the one place results reach stdout.
pub struct Printed {
    /// Renders the form asked for (`true`: JSON), so a long list builds
    /// only that one.
    render: Box<dyn FnOnce(bool) -> anyhow::Result<String>>,
    /// Printed first, then the command still fails with this (a check that
    /// found faults, an import that wrote nothing).
    failure: Option<String>,
}

impl Printed {
    pub fn new(json: Value, text: impl Into<String>) -> Printed {
        let text = text.into();
        Printed::render(move |as_json| {
            Ok(if as_json {
                serde_json::to_string_pretty(&json)?
            } else {
                text
            })
        })
    }

    /// Builds the JSON or the text only when asked, for output that is
    /// costly to build twice (a list of 100 000 cases).
    pub fn render(render: impl FnOnce(bool) -> anyhow::Result<String> + 'static) -> Printed {
        Printed {
            render: Box::new(render),
            failure: None,
        }
    }

    /// Prints as usual, then exits non-zero with `why`.
    pub fn then_fail(mut self, why: impl Into<String>) -> Printed {
        self.failure = Some(why.into());
        self
    }

    pub fn print(self, json: bool) -> anyhow::Result<()> {
        println!("{}", (self.render)(json)?);
        match self.failure {
            Some(why) => Err(anyhow::anyhow!(why)),
            None => Ok(()),
        }
    }
}

/// Today on the desk's clock (China time, or `DESK_NOW`).
fn today() -> NaiveDate {
    clock::now().date_naive()
}

/// A date as officers type it (2026-11-25, 11-25, 今天, …).
fn date(s: &str) -> anyhow::Result<NaiveDate> {
    Ok(parse_date(s, today())?)
}

fn dates(s: Option<&str>) -> anyhow::Result<Option<NaiveDate>> {
    s.map(date).transpose()
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let explicit_db =
        cli.db.is_some() || std::env::var_os("DESK_DB").is_some_and(|v| !v.is_empty());
    let db = paths::database(cli.db.clone());
    let socket = paths::socket(cli.socket.clone());
    let json = cli.json;
    let Some(command) = cli.command else {
        return crate::tui::run(crate::tui::Options {
            db,
            socket,
            keymap: cli.keymap,
            ascii: cli.ascii,
        });
    };
    // Commands that need no open desk, or that print as they go.
    let printed = match command {
        Cmd::Bench { args } => match bench::exec(args, json)? {},
        Cmd::Serve(serve) if !serve.detach => {
            return server::serve(server::ServeOptions {
                db,
                socket,
                limits: serve.limits(),
                accept_damaged: serve.accept_damaged,
                backup_dir: serve.backup_dir,
            })
        }
        Cmd::Watch => return admin::watch(&socket, json),
        Cmd::Setup(args) => deploy::setup(args)?,
        Cmd::Doctor => deploy::doctor()?,
        Cmd::GenDocs { dir } => deploy::gen_docs(&dir)?,
        Cmd::Serve(_) => admin::serve_detached(&db, &socket)?,
        Cmd::Init(args) => admin::init(&db, &socket, args)?,
        Cmd::Demo(args) => admin::demo(&db, &socket, args)?,
        // Read-only: a check never changes the file it checks.
        Cmd::Check => {
            let mut desk = connect::open_read_only(&db, explicit_db, cli.socket)?;
            admin::check(desk.as_mut())?
        }
        command => {
            let mut desk = connect::open(&db, explicit_db, cli.socket)?;
            on_desk(desk.as_mut(), command)?
        }
    };
    printed.print(json)
}

/// The commands that talk to an open desk, one call each.
fn on_desk(desk: &mut dyn Desk, command: Cmd) -> anyhow::Result<Printed> {
    match command {
        Cmd::Init(_)
        | Cmd::Demo(_)
        | Cmd::Bench { .. }
        | Cmd::Serve(_)
        | Cmd::Watch
        | Cmd::Setup(_)
        | Cmd::Doctor
        | Cmd::GenDocs { .. } => {
            unreachable!("handled before the desk is opened")
        }
        Cmd::Add(cases::AddCmd::Dispute(args)) => cases::register(desk, args),
        Cmd::Triage(args) => cases::triage(desk, args),
        Cmd::Assign(args) => cases::assign(desk, args),
        Cmd::Accept(args) => cases::accept(desk, args),
        Cmd::Ack(args) => cases::ack_alert(desk, args),
        Cmd::Reject(args) => cases::reject(desk, args),
        Cmd::Package(args) => cases::package(desk, args),
        Cmd::Note(args) => cases::note(desk, args),
        Cmd::Supervise(args) => cases::supervise(desk, args),
        Cmd::Escalate(args) => cases::escalate(desk, args),
        Cmd::Close(args) => cases::close(desk, args),
        Cmd::Approve(args) => cases::approve(desk, args),
        Cmd::Extend(args) => cases::extend(desk, args),
        Cmd::Visit(args) => cases::follow_up(desk, args),
        Cmd::Reopen(args) => cases::reopen(desk, args),
        Cmd::Transfer(args) => casework::transfer(desk, args),
        Cmd::Pause(args) => casework::pause(desk, args),
        Cmd::Resume(args) => casework::resume(desk, args),
        Cmd::Escalation(args) => casework::escalation(desk, args),
        Cmd::Sweep => casework::sweep(desk),
        Cmd::List(args) => cases::list(desk, args),
        Cmd::Show(args) => cases::show(desk, args),
        Cmd::Person(cmd) => persons::run(desk, cmd),
        Cmd::Undo(args) => admin::undo(desk, args),
        Cmd::Log(args) => admin::log(desk, args),
        Cmd::Check => admin::check(desk),
        Cmd::Backup(args) => admin::backup(desk, args),
        Cmd::Roster(cmd) => admin::roster(desk, cmd),
        Cmd::Lists(cmd) => admin::lists(desk, cmd),
        Cmd::Whoami => admin::whoami(desk),
        Cmd::Export(cmd) => files::export(desk, cmd),
        Cmd::Import(cmd) => files::import(desk, cmd),
        Cmd::Weights(args) => routine::weights(desk, args),
        Cmd::Period(args) => routine::period(desk, args),
        Cmd::Rollcall(args) => routine::rollcall(desk, args),
        Cmd::Report(args) => routine::report_cmd(desk, args),
        Cmd::Queue(args) => routine::queue_cmd(desk, args),
        Cmd::Suggest(args) => suggest::suggest(desk, args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
