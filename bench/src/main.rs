//! `desk-bench`: figures measured on generated data, kept out of the product
//! library (as redb keeps `redb-bench`). `desk bench …` runs this binary with
//! the same arguments. It drives the real `desk` found beside it for the
//! server and the full screen, and is also its own helper process
//! (`commit-loop`, `load`) where a measurement or a test needs one.

mod desks;
mod helpers;
mod ledger;
mod measure;
mod pty;
mod routine;
mod screen;
mod search;
mod suggest;
mod train;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// The figures measured in this process (load, commit, search, report,
/// ledger) must see the allocator `desk` ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "desk-bench",
    about = "性能测试（生成数据，输出分位数）",
    help_template = "{about-with-newline}\n用法：{usage}\n\n{all-args}",
    disable_help_subcommand = true,
    disable_help_flag = true,
    next_help_heading = "选项"
)]
struct Cli {
    /// 显示帮助
    #[arg(short, long, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// 只跑 1 万件的小规模
    #[arg(long)]
    quick: bool,
    /// 以 JSON 输出（一个对象，键为指标名）
    #[arg(long)]
    json: bool,
    /// 只测其中几组，逗号分隔：load、commit、search、report、served、screen、ledger、suggest、views
    /// （ledger 还可细分为 xlsx、csv、export、import，如 ledger-xlsx、import-csv）
    #[arg(long, value_name = "组")]
    only: Option<String>,
    /// 生成的库放在这个目录并保留，下次直接复用（省去生成时间）
    #[arg(long, value_name = "目录")]
    keep: Option<PathBuf>,
    /// The `load` mode under its old spelling (`desk bench --load 文件`).
    #[arg(long, hide = true, value_name = "文件")]
    load: Option<PathBuf>,
    #[command(subcommand)]
    mode: Option<Mode>,
}

/// Helper processes: started by the bench itself or by tests, not by officers.
#[derive(Subcommand)]
enum Mode {
    /// Registers disputes one by one through the desk (the server when one
    /// serves the database, else the file), printing each 编号 once its
    /// commit returned; the crash tests kill it mid-loop.
    #[command(hide = true)]
    CommitLoop {
        #[arg(long, default_value_t = 100_000)]
        count: u64,
        /// 数据库文件（默认取 DESK_DB）
        #[arg(long, value_name = "文件")]
        db: Option<PathBuf>,
        /// 服务端套接字（默认取 DESK_SOCKET）
        #[arg(long, value_name = "路径")]
        socket: Option<PathBuf>,
    },
    /// One client start-up (open + load every summary) in this fresh
    /// process; prints "rows milliseconds".
    #[command(hide = true)]
    Load {
        #[arg(value_name = "文件")]
        db: PathBuf,
    },
    /// The `views` figures on an existing database (say one made by
    /// `desk demo --disputes 1000000`), named with `--tag`.
    #[command(hide = true)]
    Views {
        #[arg(long, value_name = "文件")]
        db: PathBuf,
        #[arg(long, default_value = "1m")]
        tag: String,
    },
    /// Trains the reader's category model on the dev half of the corpus,
    /// printing the cross-validated comparison, and writes the model file.
    #[command(hide = true)]
    TrainReader {
        #[arg(long, value_name = "文件", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../src/domain/reading/model.tsv"))]
        out: PathBuf,
    },
    /// Connects as whoever runs it, asks for the summaries and one case,
    /// then prints every message the connection receives, decoded, one a
    /// line, for `--listen` milliseconds (the wire scope test reads it).
    #[command(hide = true)]
    Probe {
        #[arg(long, value_name = "路径")]
        socket: PathBuf,
        #[arg(long, value_name = "编号")]
        case: String,
        #[arg(long, value_name = "毫秒", default_value_t = 3000)]
        listen: u64,
    },
}

fn main() -> ExitCode {
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: with the terminal gone it would panic.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

/// clap with Chinese messages, in the words `desk` uses.
fn parse_cli() -> Result<Cli, ExitCode> {
    use clap::error::{ContextKind, ErrorKind};
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| {
        if !e.use_stderr() {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        let what = match e.kind() {
            ErrorKind::UnknownArgument => "不认识的参数",
            ErrorKind::InvalidSubcommand => "没有这个命令",
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => "参数值不对",
            ErrorKind::MissingRequiredArgument => "缺少必填参数",
            _ => "命令行有误",
        };
        let detail = [ContextKind::InvalidArg, ContextKind::InvalidValue]
            .iter()
            .filter_map(|k| e.get(*k).map(|v| v.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        eprintln!("错误：{what} {detail}\n用 desk bench --help 查看用法");
        ExitCode::from(2)
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(db) = cli.load {
        return helpers::load_once(&db);
    }
    match cli.mode {
        Some(Mode::CommitLoop { count, db, socket }) => helpers::commit_loop(count, db, socket),
        Some(Mode::Load { db }) => helpers::load_once(&db),
        Some(Mode::Views { db, tag }) => {
            let mut figures = measure::Figures::new();
            let socket =
                std::env::temp_dir().join(format!("desk-views-{}.sock", std::process::id()));
            views::measure(&db, &socket, &tag, &mut figures)?;
            println!("{}", serde_json::to_string_pretty(&figures)?);
            Ok(())
        }
        Some(Mode::TrainReader { out }) => train::train_reader(&out),
        Some(Mode::Probe {
            socket,
            case,
            listen,
        }) => helpers::probe(&socket, &case, listen),
        None => measure::run(
            measure::Plan {
                quick: cli.quick,
                only: cli.only.as_deref().map(measure::Only::parse).transpose()?,
                keep: cli.keep,
            },
            cli.json,
        ),
    }
}
