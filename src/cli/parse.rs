//! Parsing the command line with clap, in Chinese: headings, the help flag,
//! and error messages an officer can act on.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use super::Cli;

/// The parsed command line, or the exit code once help or an error has been
/// printed (0 for help, 2 for a bad command line).
pub fn parse() -> Result<Cli, ExitCode> {
    let me = crate::desk::paths::program();
    let matches = command().bin_name(&me).try_get_matches().map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            // clap's own words in the usage line and defaults, in Chinese.
            let text = e
                .render()
                .to_string()
                .replace("[OPTIONS]", "[选项]")
                .replace("[default: ", "[默认：");
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "错误：{}\n用 {me} --help 或 {me} 命令 --help 查看用法",
            describe(&e)
        );
        ExitCode::from(2)
    })?;
    Cli::from_arg_matches(&matches).map_err(|e| {
        eprintln!("错误：{e}");
        ExitCode::from(2)
    })
}

/// The command line as officers see it: Chinese headings and flags. The
/// man pages and shell completions are generated from this too.
pub fn command() -> clap::Command {
    localise(Cli::command()).disable_version_flag(true).arg(
        clap::Arg::new("version")
            .short('V')
            .long("version")
            .action(clap::ArgAction::Version)
            .help("显示版本")
            .help_heading("选项"),
    )
}

/// Chinese headings and a Chinese help flag, on every subcommand.
fn localise(cmd: clap::Command) -> clap::Command {
    // A command that passes its arguments on (`desk bench`) keeps `--help`
    // for the program it hands them to.
    let own_help = !cmd.is_disable_help_flag_set();
    let mut cmd = cmd
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true);
    if own_help {
        cmd = cmd.arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(clap::ArgAction::Help)
                .help("显示帮助"),
        );
    }
    let cmd = cmd.mut_args(|a| {
        // A value clap would name from the field (<ID>, <LOGIN>) reads in Chinese.
        let id = a.get_id().as_str().to_string();
        let derived = a
            .get_value_names()
            .is_none_or(|v| v.len() == 1 && v[0].as_str() == id.to_uppercase());
        let a = match value_word(&id) {
            Some(word) if derived && a.get_action().takes_values() => a.value_name(word),
            _ => a,
        };
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

/// The Chinese name of a value whose argument sets none, by its field.
fn value_word(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" => "编号",
        "text" => "内容",
        "login" => "登录名",
        "name" => "姓名",
        "unit" => "单位",
        "value" => "名称",
        "phone" => "电话",
        _ => return None,
    })
}

/// "<what went wrong> <the offending words>".
fn describe(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
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
    // clap's own nearest name ("disput" → "dispute"), said in Chinese.
    let near = [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg]
        .iter()
        .find_map(|k| match e.get(*k) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join(" 或 ")),
            _ => None,
        });
    if let Some(near) = near {
        return format!("{what} {detail}，是不是 {near}？");
    }
    format!("{what} {detail}")
}
