//! `desk`: the command line. Each subcommand is a thin call into the Desk API.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde_json::json;

use duty_desk::cli::print as output;
use duty_desk::desk::api::{unexpected, ListName, UndoInfo};
use duty_desk::desk::remote::Remote;
use duty_desk::desk::{clock, paths, Desk, DeskError, DeskExt, Request, Response};
use duty_desk::domain::dispute::{NewDispute, Party, PlanStep};
use duty_desk::domain::lists::{
    ContactKind, Outcome, PartyRole, PersonCategory, RiskLevel, Role, Source, Tier, VisitMethod,
    WarningFlag,
};
use duty_desk::domain::officer::Officer;
use duty_desk::domain::person::NewPerson;
use duty_desk::domain::text::{parse_amount, parse_date};
use duty_desk::domain::workflow::Status;
use duty_desk::{connect, server};

/// Loading 100 000 summaries is allocation-bound; mimalloc halves it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "desk",
    about = "综治中心值班台：矛盾纠纷排查化解、重点人员走访帮扶"
)]
struct Cli {
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

#[derive(Subcommand)]
enum Cmd {
    /// 新建空数据库，写入默认名录，并把当前账号登记为管理员
    Init {
        /// 管理员姓名
        #[arg(long, default_value = "系统管理员")]
        name: String,
    },
    /// 向空数据库写入演示数据（全部为虚构人员）
    Demo {
        #[arg(long, default_value_t = 300, value_name = "件数")]
        disputes: u64,
        #[arg(long, default_value_t = 40, value_name = "人数")]
        persons: u64,
        #[arg(long, default_value_t = 1, value_name = "种子")]
        seed: u64,
        /// 以哪天为“今天”生成（默认今天）
        #[arg(long, value_name = "日期")]
        today: Option<String>,
        /// 库里已有数据时什么也不做（不报错）
        #[arg(long)]
        if_empty: bool,
    },
    /// 登记
    #[command(subcommand)]
    Add(AddCmd),
    /// 研判：风险等级、预警情形、调处层级
    Triage {
        id: String,
        #[arg(long, value_name = "低|中|高|极高")]
        risk: String,
        #[arg(long = "flag", value_name = "预警情形")]
        flags: Vec<String>,
        #[arg(long, value_name = "村|镇|县")]
        tier: Option<String>,
    },
    /// 交办（四定）：牵头领导、责任单位、责任人、化解时限
    Assign {
        id: String,
        #[arg(long, value_name = "登录名")]
        leader: String,
        #[arg(long, value_name = "单位")]
        unit: String,
        #[arg(long, value_name = "登录名")]
        person: String,
        /// 化解时限（不填按风险等级默认）
        #[arg(long, value_name = "日期")]
        deadline: Option<String>,
    },
    /// 签收交办的案件
    Accept { id: String },
    /// 撤销本人最近一次操作（10 分钟内，操作日志两条都保留）
    Undo {
        /// 只查看可以撤销什么，不撤销
        #[arg(long)]
        show: bool,
    },
    /// 退回交办的案件
    Reject {
        id: String,
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 领导包案（一案一策）
    Package {
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
    },
    /// 添加进展
    Note {
        id: String,
        text: String,
        #[arg(
            long,
            default_value = "走访",
            value_name = "走访|电话|调解会|联合调解|其他"
        )]
        kind: String,
    },
    /// 挂牌督办（--off 撤销）
    Supervise {
        id: String,
        #[arg(long)]
        off: bool,
    },
    /// 上报或交办下级：调整调处层级
    Escalate {
        id: String,
        #[arg(long, value_name = "村|镇|县")]
        to: String,
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 销号（包案案件需包案领导审批）
    Close {
        id: String,
        #[arg(long, value_name = "化解结果")]
        outcome: String,
        #[arg(long, value_name = "化解情况")]
        summary: String,
    },
    /// 审批销号或延期申请（--reject 不同意）
    Approve {
        id: String,
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "", value_name = "意见")]
        comment: String,
    },
    /// 申请延长化解时限
    Extend {
        id: String,
        #[arg(long, value_name = "日期")]
        deadline: String,
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 回访已销号的案件
    Visit {
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
    },
    /// 重新打开已销号的案件
    Reopen {
        id: String,
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 重点人员：登记、走访、复核
    #[command(subcommand)]
    Person(PersonCmd),
    /// 列表：disputes（矛盾纠纷）或 persons（重点人员）
    List {
        #[arg(value_name = "disputes|persons")]
        what: String,
        #[arg(long, value_name = "状态")]
        status: Option<String>,
        #[arg(long, value_name = "村(社区)")]
        village: Option<String>,
        /// 包括已解除列管的人员
        #[arg(long)]
        all: bool,
    },
    /// 查看一件案件（MD-…）或一名重点人员（RY-…）
    Show { id: String },
    /// 操作日志
    Log {
        #[arg(long, value_name = "日期")]
        since: Option<String>,
    },
    /// 检查数据库：表、索引、审计链；有问题时以非零退出
    Check,
    /// 备份数据库到新文件
    Backup {
        #[arg(long, value_name = "文件")]
        out: PathBuf,
    },
    /// 值班名册
    #[command(subcommand)]
    Roster(RosterCmd),
    /// 名录：村(社区)、责任单位、纠纷类型
    #[command(subcommand)]
    Lists(ListsCmd),
    /// 显示当前身份
    Whoami,
    /// 运行服务端（前台）：独占数据库，通过套接字为所有值班员服务
    Serve {
        /// 若没有服务端在运行，则在后台启动一个，然后返回
        #[arg(long)]
        detach: bool,
    },
    /// 实时显示其他值班员的改动（每条一行；--json 时每行一个 JSON 对象）
    Watch,
    /// 导出：ledger（矛盾纠纷台账）或 persons（重点人员名单），Excel 或 CSV
    #[command(subcommand)]
    Export(ExportCmd),
    /// 导入：ledger（台账，xlsx/xls 或 CSV）
    #[command(subcommand)]
    Import(ImportCmd),
    /// 风险权重：show 查看（默认）、set 名称 分值 修改、reset 恢复默认（修改须管理员）
    Weights {
        #[command(subcommand)]
        cmd: Option<WeightsCmd>,
    },
    /// 敏感时期：add 设置、list 列出（默认）、remove 删除（设置和删除须管理员）
    Period {
        #[command(subcommand)]
        cmd: Option<PeriodCmd>,
    },
    /// 每日点名：不带子命令时显示当天谁已报（有情况/零报告）、谁未报；record 代村(单位)登记报告
    Rollcall {
        #[command(subcommand)]
        cmd: Option<RollcallCmd>,
        /// 哪一天（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
    },
    /// 报表：daily 日报/零报告、monthly 月度台账更新、analysis 研判会分析、handover 交接班
    Report {
        #[arg(value_name = "daily|monthly|analysis|handover")]
        kind: String,
        /// 统计到哪一天（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
        /// 研判会：统计期间从哪天起（默认本半月的第一天）
        #[arg(long, value_name = "日期")]
        from: Option<String>,
        /// 交接班：本班从何时起（如 08:00、昨天 20:00；默认 12 小时前）
        #[arg(long, value_name = "时间")]
        since: Option<String>,
        /// 研判会：另存为 Excel 文件
        #[arg(long, value_name = "文件")]
        xlsx: Option<PathBuf>,
    },
    /// 风险队列：在办案件按风险分排序，列出每项得分原因
    Queue {
        #[arg(long, default_value_t = 20, value_name = "件数")]
        limit: usize,
    },
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

#[derive(Subcommand)]
enum AddCmd {
    /// 登记矛盾纠纷，输出编号
    Dispute {
        #[arg(long, value_name = "村(社区)")]
        village: String,
        #[arg(long, value_name = "纠纷类型")]
        category: String,
        #[arg(long, value_name = "来源")]
        source: String,
        #[arg(long, value_name = "矛盾情况")]
        summary: String,
        /// 当事人：姓名，或 姓名/身份/电话；第一位默认申请方，第二位被申请方
        #[arg(long = "party", value_name = "姓名", required = true)]
        parties: Vec<String>,
        #[arg(long, value_name = "人数")]
        people: Option<u32>,
        #[arg(long, value_name = "金额")]
        amount: Option<String>,
        #[arg(long = "flag", value_name = "预警情形")]
        flags: Vec<String>,
        #[arg(long, value_name = "村|镇|县")]
        tier: Option<String>,
        /// 第一位当事人是在册重点人员（编号）
        #[arg(long, value_name = "RY-…")]
        link: Option<String>,
    },
}

#[derive(Subcommand)]
enum PersonCmd {
    /// 登记重点人员（必须写明列管理由和复核日期）
    Add {
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
    },
    /// 登记一次走访
    Visit {
        id: String,
        #[arg(long, value_name = "入户|电话|到所")]
        method: String,
        #[arg(long, value_name = "走访情况")]
        finding: String,
        #[arg(long, value_name = "日期")]
        date: Option<String>,
    },
    /// 复核：--until 新复核日期 延期，或 --end 解除列管
    Review {
        id: String,
        #[arg(long, value_name = "理由")]
        reason: String,
        #[arg(long, value_name = "日期", conflicts_with = "end")]
        until: Option<String>,
        #[arg(long)]
        end: bool,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
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
    },
}

#[derive(Subcommand)]
enum ImportCmd {
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

#[derive(Subcommand)]
enum RosterCmd {
    /// 加入或修改名册（数据库所有者、root 或管理员可用）
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
        #[arg(long, value_name = "管理员|领导|值班员|责任人|只读")]
        role: String,
    },
    /// 列出名册
    List,
}

#[derive(Subcommand)]
enum WeightsCmd {
    /// 列出全部权重：名称、分值、键、说明
    Show,
    /// 修改一项权重（管理员）：名称可写中文名或英文键，如 desk weights set 风险高 60
    Set {
        #[arg(value_name = "名称")]
        key: String,
        #[arg(value_name = "分值", allow_hyphen_values = true)]
        value: String,
    },
    /// 全部恢复为内置默认值（管理员）
    Reset,
}

#[derive(Subcommand)]
enum PeriodCmd {
    /// 设置敏感时期（管理员），如 desk period add 春节 --from 2027-02-01 --to 2027-02-20
    Add {
        #[arg(value_name = "名称")]
        name: String,
        #[arg(long, value_name = "日期")]
        from: String,
        #[arg(long, value_name = "日期")]
        to: String,
        /// 期间新交办案件的默认化解时限乘以此系数（0.1–1，或 50%；默认 0.5）
        #[arg(long, value_name = "系数")]
        deadline_factor: Option<String>,
    },
    /// 列出敏感时期，标明今天哪些在进行中
    List,
    /// 删除敏感时期（管理员）；同名的有几个时用 --from 指明
    Remove {
        #[arg(value_name = "名称")]
        name: String,
        #[arg(long, value_name = "日期")]
        from: Option<String>,
    },
}

#[derive(Subcommand)]
enum RollcallCmd {
    /// 代村(社区)或单位登记当天报告：--zero 零报告，或 --news 情况
    Record {
        #[arg(value_name = "村(社区)或单位")]
        unit: String,
        /// 零报告（今日无新增矛盾纠纷）
        #[arg(long)]
        zero: bool,
        /// 有情况：报告的内容
        #[arg(long, value_name = "情况")]
        news: Option<String>,
        /// 零报告时的补充说明
        #[arg(long, value_name = "说明")]
        note: Option<String>,
        #[arg(long, default_value = "电话", value_name = "电话|微信|当面")]
        channel: String,
        /// 补登哪一天的报告（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
    },
    /// 点名设置（管理员）：截止时刻、是否在敏感时期以外也每天点名；不带参数时显示当前设置
    Setup {
        /// 过了几点仍未报的标为督办（0–23，默认 17）
        #[arg(long, value_name = "时")]
        hour: Option<u32>,
        #[arg(long, value_name = "yes|no")]
        every_day: Option<String>,
    },
}

#[derive(Subcommand)]
enum ListsCmd {
    /// 新增一项：village|unit|category 名称
    Add {
        #[arg(value_name = "village|unit|category")]
        list: String,
        value: String,
    },
    /// 显示名录
    Show,
}

fn main() -> ExitCode {
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // A CLI piped into `head` should end quietly, as Unix tools do; the
    // long-running socket users keep Rust's default (ignore, and see EPIPE).
    if !matches!(
        cli.command,
        None | Some(Cmd::Serve { .. }) | Some(Cmd::Watch)
    ) {
        // SAFETY: setting a signal disposition has no memory effects.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: with the terminal gone (SSH dropped) it would panic.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// clap with Chinese headings and messages.
fn parse_cli() -> Result<Cli, ExitCode> {
    fn localise(cmd: clap::Command) -> clap::Command {
        // `bench` hands --help on to desk-bench, which prints its own.
        let own_help = !cmd.is_disable_help_flag_set();
        let cmd = cmd
            .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
            .subcommand_help_heading("命令")
            .subcommand_value_name("命令")
            .disable_help_subcommand(true)
            .disable_help_flag(true);
        let cmd = if own_help {
            cmd.arg(
                clap::Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(clap::ArgAction::Help)
                    .help("显示帮助"),
            )
        } else {
            cmd
        };
        let cmd = cmd.mut_args(|a| {
            if a.is_positional() {
                a.help_heading("参数")
            } else if a.get_help_heading().is_none() {
                a.help_heading("选项")
            } else {
                a
            }
        });
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        names
            .into_iter()
            .fold(cmd, |cmd, name| cmd.mut_subcommand(name, localise))
    }
    let cmd = localise(Cli::command());
    let matches = cmd.try_get_matches().map_err(|e| {
        use clap::error::{ContextKind, ErrorKind};
        if matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        let what = match e.kind() {
            ErrorKind::MissingRequiredArgument => "缺少必填参数",
            ErrorKind::UnknownArgument => "不认识的参数",
            ErrorKind::InvalidSubcommand => "没有这个命令",
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => "参数值不对",
            ErrorKind::ArgumentConflict => "参数不能同时使用",
            ErrorKind::MissingSubcommand => "缺少命令",
            ErrorKind::TooManyValues => "参数太多",
            _ => "命令行有误",
        };
        let detail = [
            ContextKind::InvalidArg,
            ContextKind::InvalidSubcommand,
            ContextKind::InvalidValue,
        ]
        .iter()
        .filter_map(|k| e.get(*k).map(|v| v.to_string()))
        .collect::<Vec<_>>()
        .join(" ");
        eprintln!("错误：{what} {detail}\n用 desk --help 或 desk 命令 --help 查看用法");
        ExitCode::from(2)
    })?;
    Cli::from_arg_matches(&matches).map_err(|e| {
        eprintln!("错误：{e}");
        ExitCode::from(2)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let explicit_db =
        cli.db.is_some() || std::env::var_os("DESK_DB").is_some_and(|v| !v.is_empty());
    let db = paths::database(cli.db.clone());
    let json = cli.json;
    let today = clock::now().date_naive();
    let date = |s: &str| parse_date(s, today);
    let Some(command) = cli.command else {
        return duty_desk::tui::run(duty_desk::tui::Options {
            db,
            socket: paths::socket(cli.socket.clone()),
            keymap: cli.keymap,
            ascii: cli.ascii,
        });
    };
    match command {
        Cmd::Bench { args } => match duty_desk::cli::bench::exec(args, json)? {},
        Cmd::Serve { detach } => {
            let socket = paths::socket(cli.socket.clone());
            if detach {
                server::ensure_running(&db, &socket)?;
                return say(
                    json,
                    json!({"socket": socket}),
                    &format!("服务端已在运行：{}", socket.display()),
                );
            }
            return server::serve(server::ServeOptions { db, socket });
        }
        Cmd::Watch => return watch(&paths::socket(cli.socket.clone()), json),
        Cmd::Init { name } => {
            let created = connect::init(&db, &name, false)?;
            return say(json, json!({"db": db, "created": created}), &format!(
                "{}数据库：{}\n已写入默认名录，当前账号为管理员。下一步：desk lists add village 村名",
                if created { "已新建" } else { "已在用" },
                db.display()
            ));
        }
        Cmd::Demo {
            disputes,
            persons,
            seed,
            today: day,
            if_empty,
        } => {
            let day = match day {
                Some(d) => date(&d)?,
                None => today,
            };
            if let Some(existing) = connect::demo(&db, disputes, persons, seed, day, if_empty)? {
                let text = format!(
                    "数据库 {} 里已有 {existing} 件案件，未写入演示数据",
                    db.display()
                );
                return say(json, json!({"db": db, "existing": existing}), &text);
            }
            return say(json, json!({"db": db, "disputes": disputes, "persons": persons}), &format!(
                "已写入演示数据：矛盾纠纷 {disputes} 件，重点人员 {persons} 人（种子 {seed}）\n数据库：{}",
                db.display()
            ));
        }
        _ => {}
    }
    let mut desk = connect::open(&db, explicit_db, cli.socket.clone())?;
    let desk = desk.as_mut();
    match command {
        Cmd::Init { .. }
        | Cmd::Demo { .. }
        | Cmd::Bench { .. }
        | Cmd::Serve { .. }
        | Cmd::Watch => {
            unreachable!("handled above")
        }
        Cmd::Add(AddCmd::Dispute {
            village,
            category,
            source,
            summary,
            parties,
            people,
            amount,
            flags,
            tier,
            link,
        }) => {
            let mut list = Vec::new();
            for (i, spec) in parties.iter().enumerate() {
                let mut parts = spec.split(['/', '／']);
                let name = parts.next().unwrap_or_default();
                let role = match parts.next().filter(|s| !s.trim().is_empty()) {
                    Some(r) => PartyRole::parse(r)?,
                    None if i == 0 => PartyRole::Applicant,
                    None if i == 1 => PartyRole::Respondent,
                    None => PartyRole::Other,
                };
                let mut party = Party::new(name, role, parts.next())?;
                if i == 0 {
                    party.person_id = link.as_deref().map(|s| s.trim().to_uppercase());
                }
                list.push(party);
            }
            let new = NewDispute {
                village,
                category,
                source: Some(Source::parse(&source)?),
                summary,
                parties: list,
                people_involved: people.unwrap_or(0),
                amount: amount.as_deref().map(parse_amount).transpose()?,
                flags: flags
                    .iter()
                    .map(|f| WarningFlag::parse(f))
                    .collect::<Result<_, _>>()?,
                tier: tier.as_deref().map(Tier::parse).transpose()?,
            };
            let id = desk.create(Request::Register { new })?;
            say(json, json!({"id": id}), &id)
        }
        Cmd::Triage {
            id,
            risk,
            flags,
            tier,
        } => done(
            desk,
            json,
            &id,
            "已研判",
            Request::Triage {
                id: id.clone(),
                seen: None,
                risk: RiskLevel::parse(&risk)?,
                flags: flags
                    .iter()
                    .map(|f| WarningFlag::parse(f))
                    .collect::<Result<_, _>>()?,
                tier: tier.as_deref().map(Tier::parse).transpose()?,
            },
        ),
        Cmd::Assign {
            id,
            leader,
            unit,
            person,
            deadline,
        } => done(
            desk,
            json,
            &id,
            "已交办",
            Request::Assign {
                id: id.clone(),
                seen: None,
                leader,
                unit,
                person,
                deadline: deadline.as_deref().map(date).transpose()?,
            },
        ),
        Cmd::Accept { id } => done(
            desk,
            json,
            &id,
            "已签收",
            Request::Accept {
                id: id.clone(),
                seen: None,
            },
        ),
        Cmd::Reject { id, reason } => done(
            desk,
            json,
            &id,
            "已退回",
            Request::Reject {
                id: id.clone(),
                seen: None,
                reason,
            },
        ),
        Cmd::Package {
            id,
            leader,
            team,
            steps,
            deadline,
        } => {
            let plan = steps
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
            done(
                desk,
                json,
                &id,
                "已包案",
                Request::Package {
                    id: id.clone(),
                    seen: None,
                    leader,
                    team: team.into_iter().filter(|t| !t.trim().is_empty()).collect(),
                    plan,
                    deadline: date(&deadline)?,
                },
            )
        }
        Cmd::Note { id, text, kind } => done(
            desk,
            json,
            &id,
            "已添加进展",
            Request::Note {
                id: id.clone(),
                seen: None,
                kind: ContactKind::parse(&kind)?,
                text,
            },
        ),
        Cmd::Supervise { id, off } => done(
            desk,
            json,
            &id,
            if off {
                "已撤销督办"
            } else {
                "已挂牌督办"
            },
            Request::Supervise {
                id: id.clone(),
                seen: None,
                on: !off,
            },
        ),
        Cmd::Escalate { id, to, reason } => done(
            desk,
            json,
            &id,
            "已调整层级",
            Request::ChangeTier {
                id: id.clone(),
                seen: None,
                to: Tier::parse(&to)?,
                reason,
            },
        ),
        Cmd::Close {
            id,
            outcome,
            summary,
        } => done(
            desk,
            json,
            &id,
            "已提交销号",
            Request::Close {
                id: id.clone(),
                seen: None,
                outcome: Outcome::parse(&outcome)?,
                summary,
            },
        ),
        Cmd::Approve {
            id,
            reject,
            comment,
        } => done(
            desk,
            json,
            &id,
            if reject { "已驳回" } else { "已批准" },
            Request::Decide {
                id: id.clone(),
                seen: None,
                approve: !reject,
                comment,
            },
        ),
        Cmd::Extend {
            id,
            deadline,
            reason,
        } => done(
            desk,
            json,
            &id,
            "已申请延期",
            Request::Extend {
                id: id.clone(),
                seen: None,
                deadline: date(&deadline)?,
                reason,
            },
        ),
        Cmd::Visit {
            id,
            method,
            honoured,
            finding,
            satisfaction,
            reopen,
        } => done(
            desk,
            json,
            &id,
            "已登记回访",
            Request::FollowUp {
                id: id.clone(),
                seen: None,
                method: VisitMethod::parse(&method)?,
                honoured: yes_no(&honoured)?,
                satisfaction,
                rebound: reopen,
                finding,
                reopen,
            },
        ),
        Cmd::Reopen { id, reason } => done(
            desk,
            json,
            &id,
            "已重新打开",
            Request::Reopen {
                id: id.clone(),
                seen: None,
                reason,
            },
        ),
        Cmd::Person(PersonCmd::Add {
            name,
            village,
            category,
            risk,
            officer,
            reason,
            review,
            interval,
            phone,
            id_number,
        }) => {
            let new = NewPerson {
                name,
                village,
                category: PersonCategory::parse(&category)?,
                risk: RiskLevel::parse(&risk)?,
                officer,
                interval_days: interval,
                reason,
                review_date: Some(date(&review)?),
                phone,
                id_number,
            };
            let id = desk.create(Request::AddPerson { new })?;
            say(json, json!({"id": id}), &id)
        }
        Cmd::Person(PersonCmd::Visit {
            id,
            method,
            finding,
            date: day,
        }) => done(
            desk,
            json,
            &id,
            "已登记走访",
            Request::VisitPerson {
                id: id.clone(),
                seen: None,
                date: match day {
                    Some(d) => date(&d)?,
                    None => today,
                },
                method: VisitMethod::parse(&method)?,
                finding,
            },
        ),
        Cmd::Person(PersonCmd::Review {
            id,
            reason,
            until,
            end,
        }) => {
            if until.is_none() && !end {
                anyhow::bail!("复核需要 --until 新的复核日期（继续列管）或 --end（解除列管）");
            }
            done(
                desk,
                json,
                &id,
                if end {
                    "已解除列管"
                } else {
                    "已延长列管"
                },
                Request::ReviewPerson {
                    id: id.clone(),
                    seen: None,
                    reason,
                    next_review: until.as_deref().map(date).transpose()?,
                },
            )
        }
        Cmd::List {
            what,
            status,
            village,
            all,
        } => list(desk, json, &what, status, village, all, today),
        Cmd::Show { id } => {
            let id = id.trim().to_uppercase();
            if id.starts_with("RY-") {
                let p = desk.person(&id)?;
                say(
                    json,
                    output::person_json(&p, today),
                    output::person_text(&p, today).trim_end(),
                )
            } else {
                let d = desk.dispute(&id)?;
                say(
                    json,
                    output::dispute_json(&d, today),
                    output::dispute_text(&d, today).trim_end(),
                )
            }
        }
        Cmd::Log { since } => {
            let since = since.as_deref().map(date).transpose()?;
            match desk.call(Request::Audit { since })? {
                Response::Audit(events) => say(
                    json,
                    serde_json::to_value(&events)?,
                    output::audit_lines(&events).trim_end(),
                ),
                other => Err(duty_desk::desk::api::unexpected(other).into()),
            }
        }
        Cmd::Check => match desk.call(Request::Check)? {
            Response::Check(r) => {
                let ok = r.faults.is_empty();
                let text = if ok {
                    format!(
                        "检查通过：案件 {} 件，重点人员 {} 人，审计记录 {} 条，审计链完整",
                        r.disputes, r.persons, r.audit_events
                    )
                } else {
                    format!("发现 {} 处问题：\n{}", r.faults.len(), r.faults.join("\n"))
                };
                say(json, serde_json::to_value(&r)?, &text)?;
                if ok {
                    Ok(())
                } else {
                    anyhow::bail!("数据库检查未通过")
                }
            }
            other => Err(duty_desk::desk::api::unexpected(other).into()),
        },
        Cmd::Backup { out } => {
            let out = paths::absolute(&out);
            match desk.call(Request::Backup {
                out: out.to_string_lossy().into_owned(),
            })? {
                Response::Bytes(n) => say(
                    json,
                    json!({"out": out, "bytes": n}),
                    &format!("已备份到 {}（{} 字节）", out.display(), n),
                ),
                other => Err(duty_desk::desk::api::unexpected(other).into()),
            }
        }
        Cmd::Roster(RosterCmd::Add {
            login,
            name,
            unit,
            role,
        }) => {
            let officer = Officer {
                login: login.clone(),
                name,
                unit,
                role: Role::parse(&role)?,
                active: true,
            };
            desk.call(Request::RosterAdd { officer })?;
            say(
                json,
                json!({"login": login}),
                &format!("已加入名册：{login}"),
            )
        }
        Cmd::Roster(RosterCmd::List) => {
            let officers = desk.officers()?;
            say(
                json,
                serde_json::to_value(&officers)?,
                output::officers_table(&officers).trim_end(),
            )
        }
        Cmd::Lists(ListsCmd::Add { list, value }) => {
            let list = match list.as_str() {
                "village" | "村" => ListName::Villages,
                "unit" | "单位" => ListName::Units,
                "category" | "类型" => ListName::Categories,
                other => anyhow::bail!("没有名录“{other}”，可选：village、unit、category"),
            };
            desk.call(Request::ListAdd {
                list,
                value: value.clone(),
            })?;
            say(
                json,
                json!({"added": value}),
                &format!("已加入{}：{value}", list.label()),
            )
        }
        Cmd::Lists(ListsCmd::Show) => {
            let l = desk.lists()?;
            say(
                json,
                serde_json::to_value(&l)?,
                &format!(
                    "村(社区)：{}\n责任单位：{}\n纠纷类型：{}",
                    l.villages.join("、"),
                    l.units.join("、"),
                    l.categories.join("、")
                ),
            )
        }
        Cmd::Weights { cmd } => {
            use duty_desk::cli::routine;
            let p = match cmd.unwrap_or(WeightsCmd::Show) {
                WeightsCmd::Show => routine::weights_show(desk)?,
                WeightsCmd::Set { key, value } => routine::weights_set(desk, &key, &value)?,
                WeightsCmd::Reset => routine::weights_reset(desk)?,
            };
            say(json, p.json, &p.text)
        }
        Cmd::Period { cmd } => {
            use duty_desk::cli::routine;
            let p = match cmd.unwrap_or(PeriodCmd::List) {
                PeriodCmd::Add {
                    name,
                    from,
                    to,
                    deadline_factor,
                } => routine::period_add(
                    desk,
                    &name,
                    date(&from)?,
                    date(&to)?,
                    deadline_factor
                        .as_deref()
                        .map(duty_desk::domain::period::parse_factor)
                        .transpose()?,
                )?,
                PeriodCmd::List => routine::period_list(desk, today)?,
                PeriodCmd::Remove { name, from } => {
                    routine::period_remove(desk, &name, from.as_deref().map(date).transpose()?)?
                }
            };
            say(json, p.json, &p.text)
        }
        Cmd::Rollcall { cmd, date: day } => {
            use duty_desk::cli::routine;
            let day = day.as_deref().map(date).transpose()?;
            let p = match cmd {
                None => routine::rollcall_show(desk, day)?,
                Some(RollcallCmd::Record {
                    unit,
                    zero,
                    news,
                    note,
                    channel,
                    date: when,
                }) => {
                    let when = when.as_deref().map(date).transpose()?.or(day);
                    routine::rollcall_record(desk, &unit, zero, news, note, &channel, when)?
                }
                Some(RollcallCmd::Setup { hour, every_day }) => {
                    let every_day = match every_day.as_deref().map(str::trim) {
                        None => None,
                        Some("yes" | "y" | "是") => Some(true),
                        Some("no" | "n" | "否") => Some(false),
                        Some(other) => {
                            anyhow::bail!("--every-day 只能是 yes 或 no（是/否），不是“{other}”")
                        }
                    };
                    routine::rollcall_setup(desk, hour, every_day)?
                }
            };
            say(json, p.json, &p.text)
        }
        Cmd::Report {
            kind,
            date: day,
            from,
            since,
            xlsx,
        } => {
            let spec = duty_desk::domain::reports::Spec {
                kind: duty_desk::domain::reports::Kind::parse(&kind)?,
                date: day.as_deref().map(date).transpose()?,
                from: from.as_deref().map(date).transpose()?,
                since: since
                    .as_deref()
                    .map(|s| duty_desk::domain::text::parse_time(s, clock::now()))
                    .transpose()?,
            };
            let p = duty_desk::cli::routine::report(desk, spec, xlsx.as_deref())?;
            say(json, p.json, &p.text)
        }
        Cmd::Queue { limit } => {
            let p = duty_desk::cli::routine::queue(desk, limit)?;
            say(json, p.json, &p.text)
        }
        Cmd::Export(cmd) => export_cmd(desk, json, cmd, today),
        Cmd::Import(cmd) => import_cmd(desk, json, cmd),
        Cmd::Undo { show: true } => match desk.call(Request::LastAction)? {
            Response::Undoable(info) => {
                let text = match &info {
                    None => "没有可以撤销的操作".to_string(),
                    Some(i) => undo_line(i),
                };
                say(json, json!({ "undoable": info }), &text)
            }
            other => Err(unexpected(other).into()),
        },
        Cmd::Undo { show: false } => match desk.call(Request::Undo).map_err(explain)? {
            Response::Undone(i) => say(
                json,
                json!({"id": i.target, "result": "已撤销", "action": i.action}),
                &format!(
                    "已撤销 {} 的「{}」：{}",
                    i.at.format("%H:%M"),
                    i.action,
                    i.target
                ),
            ),
            other => Err(unexpected(other).into()),
        },
        Cmd::Whoami => {
            let me = desk.whoami()?;
            say(
                json,
                serde_json::to_value(&me)?,
                &format!(
                    "{}  {}  {}  {}",
                    me.login,
                    me.name,
                    me.unit,
                    me.role.label()
                ),
            )
        }
    }
}

fn list(
    desk: &mut dyn Desk,
    json: bool,
    what: &str,
    status: Option<String>,
    village: Option<String>,
    all: bool,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    match what {
        "disputes" | "纠纷" | "案件" => {
            let status = status.as_deref().map(Status::parse).transpose()?;
            let (_, items) = desk.summaries()?;
            let items: Vec<_> = items
                .iter()
                .filter(|s| status.is_none_or(|st| s.status == st))
                .filter(|s| village.as_deref().is_none_or(|v| s.village == v.trim()))
                .collect();
            if json {
                let rows: Vec<_> = items
                    .iter()
                    .map(|s| output::summary_json(s, today))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print!("{}", output::disputes_table(&items, today));
                println!("共 {} 件", items.len());
            }
            Ok(())
        }
        "persons" | "重点人员" => {
            if status.is_some() {
                anyhow::bail!("重点人员列表不按状态筛选；已解除列管的人员用 --all 一并列出");
            }
            let mut items = desk.persons(all)?;
            if let Some(v) = village.as_deref() {
                items.retain(|p| p.village == v.trim());
            }
            items.sort_by_key(|p| (p.next_visit_due(), p.id.clone()));
            if json {
                let rows: Vec<_> = items
                    .iter()
                    .map(|p| output::person_json(p, today))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print!("{}", output::persons_table(&items, today));
                println!("共 {} 人", items.len());
            }
            Ok(())
        }
        other => {
            anyhow::bail!("不能列出“{other}”，可选：disputes（矛盾纠纷）或 persons（重点人员）")
        }
    }
}

/// Prints change notices as they come; on a lost connection says so and
/// reconnects when the server is back.
fn watch(socket: &std::path::Path, json: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let mut remote = Remote::connect(socket, true)?;
    if let Err(e) = &remote.officer {
        anyhow::bail!("{e}");
    }
    eprintln!(
        "正在接收变更（第 {} 版起），按 Ctrl-C 退出",
        remote.revision
    );
    loop {
        match remote.next_notice(None) {
            Ok(Some(n)) => {
                let kind = n
                    .touched
                    .first()
                    .map(|t| t.kind.clone())
                    .unwrap_or_default();
                let ids: Vec<&str> = n.touched.iter().map(|t| t.id.as_str()).collect();
                let line = if json {
                    json!({"revision": n.revision, "action": n.action, "actor": n.actor, "kind": kind, "ids": ids}).to_string()
                } else {
                    format!("#{} {} {} {}", n.revision, n.actor, n.action, ids.join(" "))
                };
                let mut out = std::io::stdout().lock();
                writeln!(out, "{line}")?;
                out.flush()?;
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("{e}，正在重连…");
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    if remote.reconnect().is_ok() {
                        eprintln!("已重新连接（第 {} 版）", remote.revision);
                        break;
                    }
                }
            }
        }
    }
}

fn export_cmd(
    desk: &mut dyn Desk,
    json: bool,
    cmd: ExportCmd,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use duty_desk::files::{self, Format};
    let date = |s: &str| parse_date(s, today);
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
            let filter = duty_desk::desk::ledger::LedgerFilter {
                from: from.as_deref().map(date).transpose()?,
                to: to.as_deref().map(date).transpose()?,
                village,
                status: status.as_deref().map(Status::parse).transpose()?,
            };
            let n = files::ledger::export(desk, format, &out, filter)?;
            ("件案件", out, n)
        }
        ExportCmd::Persons { format, out, all } => {
            let format = Format::choose(format.as_deref(), &out)?;
            let n = files::persons::export(desk, format, &out, all, today)?;
            ("名重点人员", out, n)
        }
    };
    say(
        json,
        json!({"out": out, "rows": n}),
        &format!("已导出 {n} {what}到 {}", out.display()),
    )
}

fn import_cmd(desk: &mut dyn Desk, json: bool, cmd: ImportCmd) -> anyhow::Result<()> {
    use duty_desk::files::ledger::{import, report_text, ImportOptions};
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
    let (sheets, report) = import(desk, &file, &opts)?;
    say(
        json,
        serde_json::to_value(&report)?,
        &report_text(&sheets, &report),
    )?;
    if !report.dry_run && !report.written && !report.bad.is_empty() {
        anyhow::bail!("导入未完成：有 {} 行有错误", report.bad.len());
    }
    Ok(())
}

fn yes_no(s: &str) -> anyhow::Result<bool> {
    match s.trim() {
        "yes" | "y" | "是" | "履行" => Ok(true),
        "no" | "n" | "否" | "未履行" => Ok(false),
        other => anyhow::bail!("--honoured 只能是 yes 或 no（是/否），不是“{other}”"),
    }
}

fn undo_line(i: &UndoInfo) -> String {
    let head = format!("{} 的「{}」：{}", i.at.format("%H:%M"), i.action, i.target);
    match &i.blocked {
        None => format!("可以撤销 {head}（desk undo）"),
        Some(why) => format!("不能撤销：{why}"),
    }
}

fn done(desk: &mut dyn Desk, json: bool, id: &str, what: &str, req: Request) -> anyhow::Result<()> {
    desk.call(req).map_err(explain)?;
    let id = id.trim().to_uppercase();
    say(
        json,
        json!({"id": id, "result": what}),
        &format!("{what}：{id}"),
    )
}

/// A conflict also shows the fresh state, so the officer sees what changed.
fn explain(e: DeskError) -> anyhow::Error {
    if let DeskError::Conflict {
        message,
        fresh: Some(d),
    } = &e
    {
        let today = clock::now().date_naive();
        return anyhow::anyhow!(
            "{message}\n\n最新情况：\n{}",
            output::dispute_text(d, today)
        );
    }
    e.into()
}

fn say(json: bool, value: serde_json::Value, text: &str) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{text}");
    }
    Ok(())
}
