//! The client side of the duty routine for the CLI: risk weights, sensitive
//! periods, the roll-call, the ranked queue and the reports, printed as
//! text or JSON. Everything goes through the Desk API.

use std::path::Path;

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::cli::print::table;
use crate::desk::api::{unexpected, Desk, DeskExt, Request, Response};
use crate::domain::lists::{Channel, RollcallKind};
use crate::domain::period::SensitivePeriod;
use crate::domain::reports::{Figures, Kind, Report, Spec};
use crate::domain::risk::{rank, score, RiskContext};
use crate::domain::rollcall::{sheet_text, NewRollcall};

/// What a command prints: JSON for `--json`, else the text.
pub struct Printed {
    pub json: Value,
    pub text: String,
}

fn printed(json: Value, text: impl Into<String>) -> Printed {
    Printed {
        json,
        text: text.into(),
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
    text.push_str("管理员可用 desk weights set 名称 分值 修改，desk weights reset 恢复默认");
    let json: serde_json::Map<String, Value> = entries
        .iter()
        .map(|(k, v)| (k.key.to_string(), json!(v)))
        .collect();
    Ok(printed(Value::Object(json), text))
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
    Ok(printed(
        json!({"key": k.key, "name": k.name, "value": value}),
        format!("已将“{}”设为 {value}", k.name),
    ))
}

pub fn weights_reset(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    desk.call(Request::ResetWeights)?;
    Ok(printed(
        json!({"reset": true}),
        "风险权重已恢复为内置默认值",
    ))
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
    Ok(printed(
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
    Ok(printed(Value::Array(json), text))
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
    Ok(printed(
        json!({"removed": name.trim()}),
        format!("已删除敏感时期：{}", name.trim()),
    ))
}

pub fn rollcall_show(desk: &mut dyn Desk, date: Option<NaiveDate>) -> anyhow::Result<Printed> {
    let sheet = desk.rollcall(date)?;
    let text = sheet_text(&sheet);
    Ok(printed(
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
    Ok(printed(
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
        return Ok(printed(
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

/// The open cases by risk score, with every reason: the queue the TUI shows.
pub fn queue(desk: &mut dyn Desk, limit: usize) -> anyhow::Result<Printed> {
    let setup = desk.risk_setup()?;
    let (_, items) = desk.summaries()?;
    let ctx = RiskContext::new(&items, setup.today, &setup.weights, setup.sensitive());
    let ranked = rank(&items, &ctx);
    let mut rows = Vec::new();
    let mut json = Vec::new();
    for (i, _) in ranked.iter().take(limit) {
        let s = &items[*i];
        let sc = score(s, &ctx);
        rows.push(vec![
            sc.total.to_string(),
            s.id.clone(),
            s.risk.map(|r| r.label()).unwrap_or("未研判").to_string(),
            s.village.clone(),
            sc.reasons
                .iter()
                .map(|(r, p)| format!("{r}+{p}"))
                .collect::<Vec<_>>()
                .join("、"),
        ]);
        json.push(json!({
            "id": s.id,
            "score": sc.total,
            "risk": s.risk.map(|r| r.label()),
            "village": s.village,
            "reasons": sc.reasons.iter().map(|(r, p)| json!({"reason": r, "points": p})).collect::<Vec<_>>(),
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
            ("风险", 4),
            ("村(社区)", 10),
            ("得分原因", 60),
        ],
        &rows,
    ));
    text.push_str(&format!("在办 {} 件，列出前 {}", ranked.len(), rows.len()));
    Ok(printed(Value::Array(json), text))
}

pub fn report(desk: &mut dyn Desk, spec: Spec, xlsx: Option<&Path>) -> anyhow::Result<Printed> {
    if xlsx.is_some() && spec.kind != Kind::Analysis {
        anyhow::bail!("--xlsx 只用于研判会分析（desk report analysis --xlsx 文件）");
    }
    let r = desk.report(spec)?;
    let mut text = r.text.trim_end().to_string();
    if let (Some(path), Figures::Analysis(f)) = (xlsx, &r.figures) {
        crate::files::analysis_xlsx::write(path, f)?;
        text.push_str(&format!("\n（已另存为 {}）", path.display()));
    }
    Ok(printed(report_json(&r)?, text))
}

pub fn report_json(r: &Report) -> anyhow::Result<Value> {
    let figures = match &r.figures {
        Figures::Daily(f) => serde_json::to_value(f)?,
        Figures::Monthly(f) => serde_json::to_value(f)?,
        Figures::Analysis(f) => serde_json::to_value(f)?,
        Figures::Handover(f) => serde_json::to_value(f)?,
    };
    let kind = match r.kind {
        Kind::Daily => "daily",
        Kind::Monthly => "monthly",
        Kind::Analysis => "analysis",
        Kind::Handover => "handover",
    };
    Ok(json!({"kind": kind, "title": r.title, "text": r.text, "figures": figures}))
}
