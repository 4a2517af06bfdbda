//! The client side of the duty routine for the CLI: risk weights, sensitive
//! periods, the roll-call, the ranked queue and the reports, printed as
//! text or JSON. Everything goes through the Desk API.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::{date, dates, today, Printed};
use crate::desk::api::{unexpected, Desk, DeskExt, Request, Response};
use crate::desk::clock;
use crate::desk::local::MAX_WINDOW;
use crate::desk::views::{ViewQuery, Window};
use crate::domain::lists::{Channel, RollcallKind};
use crate::domain::period::{parse_factor, SensitivePeriod};
use crate::domain::reports::{Figures, Kind, Report, Spec};
use crate::domain::risk::Score;
use crate::domain::rollcall::{sheet_text, NewRollcall};
use crate::domain::screens::Screen;
use crate::domain::text::parse_time;
use crate::print::table;

#[derive(Args)]
pub struct Weights {
    #[command(subcommand)]
    cmd: Option<WeightsCmd>,
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

/// `desk weights [show|set|reset]`; show by default.
pub fn weights(desk: &mut dyn Desk, a: Weights) -> anyhow::Result<Printed> {
    match a.cmd.unwrap_or(WeightsCmd::Show) {
        WeightsCmd::Show => weights_show(desk),
        WeightsCmd::Set { key, value } => weights_set(desk, &key, &value),
        WeightsCmd::Reset => weights_reset(desk),
    }
}

pub fn weights_show(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    let setup = desk.risk_setup()?;
    let entries = setup.weights.entries();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(k, v)| {
            vec![
                k.name.to_string(),
                v.to_string(),
                k.key.to_string(),
                k.help.to_string(),
            ]
        })
        .collect();
    let mut text = table(
        &[("名称", 20), ("分值", 6), ("键", 22), ("说明", 30)],
        &rows,
    );
    text.push_str(
        "说明里标“时限压力”的几项只在危险分相同时分先后，督办屏按它们排；其余各项相加为危险分，决定风险队列的先后\n",
    );
    text.push_str("管理员可用 desk weights set 名称 分值 修改，desk weights reset 恢复默认");
    let json: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(k, v)| (k.key.to_string(), json!(v)))
        .collect();
    Ok(Printed::new(Value::Object(json), text))
}

pub fn weights_set(desk: &mut dyn Desk, key: &str, value: &str) -> anyhow::Result<Printed> {
    let value: i32 = value
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("分值“{}”应为整数", value.trim()))?;
    desk.call(Request::SetWeight {
        key: key.to_string(),
        value,
    })?;
    let (_, k) = crate::domain::risk::RiskWeights::find(key)?;
    Ok(Printed::new(
        json!({"key": k.key, "name": k.name, "value": value}),
        format!("已将“{}”设为 {value}", k.name),
    ))
}

pub fn weights_reset(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    desk.call(Request::ResetWeights)?;
    Ok(Printed::new(
        json!({"reset": true}),
        "风险权重已恢复为内置默认值",
    ))
}

#[derive(Args)]
pub struct Period {
    #[command(subcommand)]
    cmd: Option<PeriodCmd>,
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

/// `desk period [add|list|remove]`; list by default.
pub fn period(desk: &mut dyn Desk, a: Period) -> anyhow::Result<Printed> {
    match a.cmd.unwrap_or(PeriodCmd::List) {
        PeriodCmd::Add {
            name,
            from,
            to,
            deadline_factor,
        } => period_add(
            desk,
            &name,
            date(&from)?,
            date(&to)?,
            deadline_factor.as_deref().map(parse_factor).transpose()?,
        ),
        PeriodCmd::List => period_list(desk, today()),
        PeriodCmd::Remove { name, from } => period_remove(desk, &name, dates(from.as_deref())?),
    }
}

pub fn period_add(
    desk: &mut dyn Desk,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
    percent: Option<u32>,
) -> anyhow::Result<Printed> {
    let p = SensitivePeriod::new(name, from, to, percent)?;
    desk.call(Request::AddPeriod { period: p.clone() })?;
    Ok(Printed::new(
        serde_json::to_value(&p)?,
        format!(
            "已设置敏感时期：{}，期间新交办案件的默认时限按 {}%",
            p.describe(),
            p.deadline_percent
        ),
    ))
}

pub fn period_list(desk: &mut dyn Desk, today: NaiveDate) -> anyhow::Result<Printed> {
    let periods = match desk.call(Request::Periods)? {
        Response::Periods(p) => p,
        other => return Err(unexpected(other).into()),
    };
    let state = |p: &SensitivePeriod| {
        if p.is_active(today) {
            "进行中"
        } else if p.from > today {
            "未开始"
        } else {
            "已结束"
        }
    };
    let rows: Vec<Vec<String>> = periods
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.from.to_string(),
                p.to.to_string(),
                format!("{}%", p.deadline_percent),
                state(p).to_string(),
            ]
        })
        .collect();
    let text = if periods.is_empty() {
        "还没有设置敏感时期。管理员可用 desk period add 名称 --from 日期 --to 日期 设置".into()
    } else {
        let mut t = table(
            &[
                ("名称", 16),
                ("开始", 10),
                ("结束", 10),
                ("时限系数", 8),
                ("状态", 6),
            ],
            &rows,
        );
        let active: Vec<&str> = periods
            .iter()
            .filter(|p| p.is_active(today))
            .map(|p| p.name.as_str())
            .collect();
        t.push_str(&if active.is_empty() {
            "今天不在敏感时期".to_string()
        } else {
            format!("今天处于敏感时期：{}", active.join("、"))
        });
        t
    };
    let json: Vec<Value> = periods
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
            if let Value::Object(o) = &mut v {
                o.insert("active".into(), json!(p.is_active(today)));
            }
            v
        })
        .collect();
    Ok(Printed::new(Value::Array(json), text))
}

pub fn period_remove(
    desk: &mut dyn Desk,
    name: &str,
    from: Option<NaiveDate>,
) -> anyhow::Result<Printed> {
    desk.call(Request::RemovePeriod {
        name: name.to_string(),
        from,
    })?;
    Ok(Printed::new(
        json!({"removed": name.trim()}),
        format!("已删除敏感时期：{}", name.trim()),
    ))
}

#[derive(Args)]
pub struct Rollcall {
    #[command(subcommand)]
    cmd: Option<RollcallCmd>,
    /// 哪一天（默认今天）
    #[arg(long, value_name = "日期")]
    date: Option<String>,
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

/// `desk rollcall [record|setup]`; the day's sheet by default.
pub fn rollcall(desk: &mut dyn Desk, a: Rollcall) -> anyhow::Result<Printed> {
    let day = dates(a.date.as_deref())?;
    match a.cmd {
        None => rollcall_show(desk, day),
        Some(RollcallCmd::Record {
            unit,
            zero,
            news,
            note,
            channel,
            date: when,
        }) => {
            let when = dates(when.as_deref())?.or(day);
            rollcall_record(desk, &unit, zero, news, note, &channel, when)
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
            rollcall_setup(desk, hour, every_day)
        }
    }
}

pub fn rollcall_show(desk: &mut dyn Desk, date: Option<NaiveDate>) -> anyhow::Result<Printed> {
    let sheet = desk.rollcall(date)?;
    let names = crate::domain::officer::Names::of(&desk.officers().unwrap_or_default());
    let text = sheet_text(&sheet, &names);
    Ok(Printed::new(
        serde_json::to_value(&sheet)?,
        text.trim_end().to_string(),
    ))
}

#[allow(clippy::too_many_arguments)]
pub fn rollcall_record(
    desk: &mut dyn Desk,
    unit: &str,
    zero: bool,
    news: Option<String>,
    note: Option<String>,
    channel: &str,
    date: Option<NaiveDate>,
) -> anyhow::Result<Printed> {
    let (kind, text) = match (zero, news) {
        (true, None) => (RollcallKind::Zero, note.unwrap_or_default()),
        (false, Some(n)) => (RollcallKind::News, n),
        (true, Some(_)) => anyhow::bail!("--zero（零报告）和 --news（有情况）只能选一个"),
        (false, None) => {
            anyhow::bail!("请说明报告类型：--zero（零报告）或 --news 情况（有情况）")
        }
    };
    let new = NewRollcall {
        unit: unit.to_string(),
        date,
        kind,
        channel: Channel::parse(channel)?,
        text,
    };
    desk.call(Request::RecordRollcall { new })?;
    Ok(Printed::new(
        json!({"unit": unit.trim(), "kind": kind.label(), "channel": channel.trim()}),
        format!("已登记点名报告（{}）：{}", kind.label(), unit.trim()),
    ))
}

pub fn rollcall_setup(
    desk: &mut dyn Desk,
    hour: Option<u32>,
    every_day: Option<bool>,
) -> anyhow::Result<Printed> {
    if hour.is_none() && every_day.is_none() {
        let s = desk.risk_setup()?.rollcall;
        return Ok(Printed::new(
            serde_json::to_value(&s)?,
            format!(
                "每日点名：{}:00 截止，{}",
                s.due_hour,
                if s.every_day {
                    "每天点名"
                } else {
                    "仅在敏感时期点名"
                }
            ),
        ));
    }
    desk.call(Request::SetRollcall {
        due_hour: hour,
        every_day,
    })?;
    rollcall_setup(desk, None, None)
}

#[derive(Args)]
pub struct Queue {
    #[arg(long, default_value_t = 20, value_name = "件数")]
    limit: usize,
}

pub fn queue_cmd(desk: &mut dyn Desk, a: Queue) -> anyhow::Result<Printed> {
    queue(desk, a.limit)
}

fn reasons_text(reasons: &[(String, i32)]) -> String {
    reasons
        .iter()
        .map(|(r, p)| format!("{r}+{p}"))
        .collect::<Vec<_>>()
        .join("、")
}

/// The open cases by danger, with every reason and the deadline pressure
/// apart: the queue the TUI shows.
pub fn queue(desk: &mut dyn Desk, limit: usize) -> anyhow::Result<Printed> {
    let setup = desk.risk_setup()?;
    // Ranked on the server's read model, a window at a time.
    let mut listed = Vec::new();
    let mut total = 0;
    while listed.len() < limit {
        let w: Window = desk.ask(Request::View {
            query: ViewQuery {
                screen: Screen::Queue,
                search: String::new(),
                sort: None,
            },
            from: listed.len() as u32,
            limit: (limit - listed.len()).min(MAX_WINDOW as usize) as u32,
            watch: None,
        })?;
        total = w.total;
        if w.rows.is_empty() {
            break;
        }
        listed.extend(w.rows);
    }
    let mut rows = Vec::new();
    let mut json = Vec::new();
    for row in &listed {
        let s = &row.case;
        let sc = Score {
            total: row.danger,
            lateness: row.lateness,
            reasons: row.reasons.clone(),
            late_reasons: row.late_reasons.clone(),
        };
        rows.push(vec![
            sc.total.to_string(),
            s.id.clone(),
            s.risk.map(|r| r.label()).unwrap_or("未研判").to_string(),
            s.village.clone(),
            reasons_text(&sc.reasons),
            reasons_text(&sc.late_reasons),
        ]);
        let listed = |r: &[(String, i32)]| {
            r.iter()
                .map(|(r, p)| json!({"reason": r, "points": p}))
                .collect::<Vec<_>>()
        };
        json.push(json!({
            "id": s.id,
            "score": sc.total,
            "lateness": sc.lateness,
            "risk": s.risk.map(|r| r.label()),
            "village": s.village,
            "reasons": listed(&sc.reasons),
            "late_reasons": listed(&sc.late_reasons),
        }));
    }
    let mut text = String::new();
    if let Some(b) = setup.banner() {
        text.push_str(&format!("【敏感时期：{b}】\n"));
    }
    text.push_str(&table(
        &[
            ("分值", 5),
            ("编号", 14),
            // 未研判 whole, and the desk's own word for the reasons.
            ("风险", 6),
            ("村(社区)", 10),
            ("主要原因", 44),
            ("时限", 12),
        ],
        &rows,
    ));
    text.push_str(&format!("在办 {total} 件，列出前 {}", rows.len()));
    Ok(Printed::new(Value::Array(json), text))
}

#[derive(Args)]
pub struct ReportArgs {
    #[arg(value_name = "daily|monthly|analysis|handover|access")]
    kind: String,
    /// 统计到哪一天（默认今天）
    #[arg(long, value_name = "日期")]
    date: Option<String>,
    /// 研判会：统计期间从哪天起（默认本半月的第一天）；查阅情况：从哪天起（默认 30 天前）
    #[arg(long, value_name = "日期")]
    from: Option<String>,
    /// 查阅情况：统计到哪一天（默认今天）
    #[arg(long, value_name = "日期")]
    to: Option<String>,
    /// 查阅情况：只看这位值班员的查阅
    #[arg(long, value_name = "登录名")]
    officer: Option<String>,
    /// 交接班：本班从何时起（如 08:00、昨天 20:00；默认 12 小时前）
    #[arg(long, value_name = "时间")]
    since: Option<String>,
    /// 研判会：另存为 Excel 文件
    #[arg(long, value_name = "文件")]
    xlsx: Option<PathBuf>,
}

/// `desk report KIND`: parses the period, then [`report`].
pub fn report_cmd(desk: &mut dyn Desk, a: ReportArgs) -> anyhow::Result<Printed> {
    let spec = Spec {
        kind: Kind::parse(&a.kind)?,
        date: dates(a.date.as_deref())?,
        from: dates(a.from.as_deref())?,
        since: a
            .since
            .as_deref()
            .map(|s| parse_time(s, clock::now()))
            .transpose()?,
        to: dates(a.to.as_deref())?,
        officer: a.officer,
    };
    report(desk, spec, a.xlsx.as_deref())
}

pub fn report(desk: &mut dyn Desk, spec: Spec, xlsx: Option<&Path>) -> anyhow::Result<Printed> {
    if xlsx.is_some() && spec.kind != Kind::Analysis {
        anyhow::bail!("--xlsx 只用于研判会分析（desk report analysis --xlsx 文件）");
    }
    let r = desk.report(spec)?;
    let mut text = r.plain().to_string();
    if let (Some(path), Figures::Analysis(f)) = (xlsx, &r.figures) {
        crate::files::analysis_xlsx::write(path, f)?;
        text.push_str(&format!("\n（已另存为 {}）", path.display()));
    }
    Ok(Printed::new(report_json(&r)?, text))
}

pub fn report_json(r: &Report) -> anyhow::Result<Value> {
    let figures = match &r.figures {
        Figures::Daily(f) => serde_json::to_value(f)?,
        Figures::Monthly(f) => serde_json::to_value(f)?,
        Figures::Analysis(f) => serde_json::to_value(f)?,
        Figures::Handover(f) => serde_json::to_value(f)?,
        Figures::Access(f) => serde_json::to_value(f)?,
    };
    let kind = match r.kind {
        Kind::Daily => "daily",
        Kind::Monthly => "monthly",
        Kind::Analysis => "analysis",
        Kind::Handover => "handover",
        Kind::Access => "access",
    };
    Ok(json!({"kind": kind, "title": r.title, "text": r.text, "figures": figures}))
}
