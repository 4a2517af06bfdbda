//! How records look outside the program: JSON views with English keys and the
//! officers' values, and plain-text tables aligned by display width. Every
//! text from the store is sanitised again here before it reaches a terminal.

use chrono::NaiveDate;
use serde_json::{json, Value};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::desk::api::LogEntry;
use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::{Names, Officer};
use crate::domain::person::KeyPerson;
use crate::domain::summary::Summary;
use crate::domain::text::{clean_line, clean_text};

pub fn time(t: &Time) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map(|d| Value::String(d.to_string()))
        .unwrap_or(Value::Null)
}

pub fn summary_json(s: &Summary, today: NaiveDate) -> Value {
    json!({
        "id": s.id,
        "title": s.title,
        "summary": s.summary,
        "village": s.village,
        "category": s.category,
        "source": s.source.label(),
        "status": s.status.label(),
        "risk_level": s.risk.map(|r| r.label()),
        "tier": s.tier.label(),
        "flags": s.flags.iter().map(|f| f.label()).collect::<Vec<_>>(),
        "deadline": date(s.deadline),
        "overdue": s.is_overdue(today),
        "parties": s.parties,
        "person": s.person,
        "leader": s.leader,
        "accepted": s.accepted,
        "supervised": s.supervised,
        "packaged": s.packaged,
        "awaiting_approval": s.awaiting_approval,
        "next_follow_up": date(s.next_follow_up),
        "registered_at": time(&s.registered_at),
        "rev": s.rev,
    })
}

/// The full record: the stored shape (English keys, Chinese values) with the
/// list view's names for the fields officers filter on.
/// A case as JSON: the record's own fields (logins stay, for scripts),
/// and each history entry's words as an officer reads them (`text`, `by_name`).
pub fn dispute_json(d: &Dispute, today: NaiveDate, names: &Names) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(history) = v.get_mut("history").and_then(Value::as_array_mut) {
        for (h, e) in history.iter_mut().zip(&d.history) {
            if let Some(o) = h.as_object_mut() {
                o.insert("by_name".into(), Value::from(names.name(&e.by)));
                o.insert("text".into(), Value::from(names.in_text(&e.what)));
            }
        }
    }
    if let Some(obj) = v.as_object_mut() {
        if let Some(risk) = obj.remove("risk") {
            obj.insert("risk_level".into(), risk);
        }
        obj.insert("deadline".into(), date(d.deadline()));
        obj.insert("overdue".into(), Value::Bool(d.is_overdue(today)));
        obj.insert(
            "registered_at".into(),
            Value::String(time(&d.registered_at)),
        );
    }
    v
}

pub fn person_json(p: &KeyPerson, today: NaiveDate) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        if let Some(risk) = obj.remove("risk") {
            obj.insert("risk_level".into(), risk);
        }
        obj.insert(
            "next_visit_due".into(),
            Value::String(p.next_visit_due().to_string()),
        );
        obj.insert("visit_overdue".into(), Value::Bool(p.visit_overdue(today)));
        obj.insert("past_review".into(), Value::Bool(p.past_review(today)));
        obj.insert("active".into(), Value::Bool(p.is_active()));
        obj.insert("standing".into(), Value::from(p.standing(today).label()));
        obj.insert("grade".into(), Value::from(p.grade().label()));
        obj.insert("lost_contact".into(), Value::Bool(p.lost_contact()));
    }
    v
}

/// Fits `text` into `width` terminal columns, cutting with `…`.
pub fn fit(text: &str, width: usize) -> String {
    let text = clean_line(text);
    if text.width() <= width {
        let pad = width - text.width();
        return format!("{text}{}", " ".repeat(pad));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

/// A plain table: header and rows, each column `width` columns wide.
pub fn table(columns: &[(&str, usize)], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(columns)
            .map(|(c, (_, w))| fit(c, *w))
            .collect();
        parts.join(" ").trim_end().to_string()
    };
    out.push_str(&line(columns.iter().map(|(h, _)| h.to_string()).collect()));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

pub fn disputes_table(items: &[&Summary], today: NaiveDate) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|s| {
            let mut deadline = s.deadline.map(|d| d.to_string()).unwrap_or_default();
            if s.is_overdue(today) {
                deadline.push_str(" 逾期");
            }
            vec![
                s.id.clone(),
                s.status.label().to_string(),
                s.risk.map(|r| r.label()).unwrap_or("未研判").to_string(),
                s.village.clone(),
                s.category.clone(),
                deadline,
                s.title.clone(),
            ]
        })
        .collect();
    table(
        &[
            ("编号", 14),
            ("状态", 6),
            ("风险", 6),
            ("村(社区)", 10),
            ("类型", 14),
            ("化解时限", 15),
            ("标题", 28),
        ],
        &rows,
    )
}

/// `desk list disputes` as printed, and what `y` copies from a case list.
pub fn disputes_listing(items: &[&Summary], today: NaiveDate) -> String {
    format!("{}共 {} 件", disputes_table(items, today), items.len())
}

/// `desk list persons` as printed, and what `y` copies from the 重点人员 list.
pub fn persons_listing(items: &[KeyPerson], today: NaiveDate) -> String {
    format!("{}共 {} 人", persons_table(items, today), items.len())
}

pub fn persons_table(items: &[KeyPerson], today: NaiveDate) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|p| {
            let mut due = p.next_visit_due().to_string();
            if p.lost_contact() {
                due.push_str(" 失访");
            } else if p.visit_overdue(today) {
                due.push_str(" 逾期未访");
            }
            let review = if p.past_review(today) {
                format!("{} 待复核", p.review_date)
            } else {
                p.review_date.to_string()
            };
            vec![
                p.id.clone(),
                p.name.clone(),
                p.village.clone(),
                p.category.label().to_string(),
                p.grade().label().to_string(),
                due,
                review,
            ]
        })
        .collect();
    table(
        &[
            ("编号", 9),
            ("姓名", 8),
            ("村(社区)", 10),
            ("类别", 16),
            ("等级", 4),
            ("下次走访", 20),
            ("复核日期", 18),
        ],
        &rows,
    )
}

pub fn officers_table(items: &[Officer]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|o| {
            vec![
                o.login.clone(),
                o.name.clone(),
                o.unit.clone(),
                o.role.label().to_string(),
                if o.active { "在用" } else { "停用" }.to_string(),
            ]
        })
        .collect();
    table(
        &[
            ("登录名", 12),
            ("姓名", 8),
            ("单位", 16),
            ("角色", 6),
            ("状态", 4),
        ],
        &rows,
    )
}

/// `desk log`: who by name; logins in a target or detail as names too.
pub fn audit_lines(events: &[LogEntry], names: &Names) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&format!(
            "#{:<6} {} {:<8} {} {} {}\n",
            e.seq,
            time(&e.at),
            clean_line(names.name(&e.actor)),
            clean_line(&e.action),
            clean_line(&names.target(&e.target)),
            lines_in(&names.in_text(&e.detail), "        ")
        ));
    }
    out
}

fn or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.is_empty())
        .unwrap_or_else(|| "—".to_string())
}

/// The detail of one dispute as readable text.
pub fn dispute_text(d: &Dispute, today: NaiveDate, names: &Names) -> String {
    let c = clean_line;
    let who = |login: &str| c(names.name(login));
    let mut o = String::new();
    o.push_str(&format!("{}  {}\n", d.id, c(&d.title)));
    o.push_str(&format!(
        "状态：{}    风险：{}    层级：{}级{}{}\n",
        // As the lists say it (中止, 中止申请中): one home, the summary.
        crate::domain::summary::Summary::of(d).status_label(),
        d.risk.map(|r| r.label()).unwrap_or("未研判"),
        d.tier.label(),
        if d.supervised {
            "    【挂牌督办】"
        } else {
            ""
        },
        if d.is_overdue(today) {
            "    【已逾期】"
        } else {
            ""
        },
    ));
    for line in d.casework_lines() {
        o.push_str(&c(&names.in_text(&line)));
        o.push('\n');
    }
    o.push_str(&format!(
        "村(社区)：{}    类型：{}    来源：{}\n",
        c(&d.village),
        c(&d.category),
        d.source.label()
    ));
    o.push_str(&format!(
        "登记：{} {}\n",
        time(&d.registered_at),
        who(&d.registered_by)
    ));
    o.push_str(&format!("矛盾情况：{}\n", lines_in(&d.summary, "  ")));
    // 化解措施 and 备注 come from imported ledgers.
    if !d.measures.is_empty() {
        o.push_str(&format!("化解措施：{}\n", c(&d.measures)));
    }
    if !d.remarks.is_empty() {
        o.push_str(&format!("备注：{}\n", c(&d.remarks)));
    }
    o.push_str("当事人：\n");
    for p in &d.parties {
        o.push_str(&format!(
            "  {} （{}）{}{}\n",
            c(&p.name),
            p.role.label(),
            p.phone
                .as_deref()
                .map(|x| format!(" 电话 {x}"))
                .unwrap_or_default(),
            p.person_id
                .as_deref()
                .map(|x| format!(" 重点人员 {x}"))
                .unwrap_or_default()
        ));
    }
    o.push_str(&format!(
        "涉及人数：{}    涉及金额：{}\n",
        d.people_involved,
        d.amount
            .map(|a| format!("{a} 元"))
            .unwrap_or_else(|| "—".into())
    ));
    if !d.flags.is_empty() {
        o.push_str(&format!(
            "预警情形：{}\n",
            d.flags
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    dispute_work_text(d, names, &mut o);
    o
}

/// Multi-line text (a note typed over several lines) kept as lines, each
/// after the first indented by `indent`, so it still reads as one entry.
fn lines_in(text: &str, indent: &str) -> String {
    clean_text(text)
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// What was done about a case: 四定, 包案, 销号, 回访, and its history.
fn dispute_work_text(d: &Dispute, names: &Names, o: &mut String) {
    let c = clean_line;
    let who = |login: &str| c(names.name(login));
    if let Some(a) = d.open_note() {
        o.push_str(&format!("【待处理】{}\n", c(&a.note)));
    }
    if let Some(a) = &d.assignment {
        // Who signed, from the history: the 签收 is that person's word.
        let signer = d
            .history
            .iter()
            .rev()
            .find(|h| h.what == "签收" || h.what == "签收转办")
            .map(|h| format!("{} ", who(&h.by)));
        o.push_str(&format!(
            "四定：牵头领导 {}  责任单位 {}  责任人 {}  化解时限 {}  签收 {}\n",
            who(&a.leader),
            c(&a.unit),
            who(&a.person),
            a.deadline,
            or_dash(a.accepted_at.as_ref().map(|t| format!(
                "{}{}",
                signer.unwrap_or_default(),
                time(t)
            )))
        ));
    }
    if let Some(p) = &d.package {
        o.push_str(&format!(
            "包案：领导 {}  专班 {}  时限 {}\n",
            who(&p.leader),
            or_dash(Some(
                p.team.iter().map(|t| who(t)).collect::<Vec<_>>().join("、")
            )),
            p.deadline
        ));
        for s in &p.plan {
            o.push_str(&format!(
                "  {} {}{}\n",
                s.date,
                c(&s.text),
                if s.done { "（已完成）" } else { "" }
            ));
        }
    }
    if let Some(cl) = &d.closing {
        o.push_str(&format!(
            "销号：{}  {}  {}\n",
            cl.outcome.label(),
            c(&cl.summary),
            or_dash(cl.closed_at.as_ref().map(time))
        ));
    }
    for f in &d.follow_ups {
        match &f.visit {
            Some(v) => o.push_str(&format!(
                "回访 {}：{} {} {}，{}\n",
                f.due,
                time(&v.at),
                v.method.label(),
                if v.honoured {
                    "协议履行"
                } else {
                    "协议未履行"
                },
                c(&v.finding)
            )),
            None => o.push_str(&format!("回访 {}：待回访\n", f.due)),
        }
    }
    if !d.notes.is_empty() || !d.history.is_empty() {
        o.push_str("经过：\n");
        let mut lines: Vec<(Time, String)> = d
            .history
            .iter()
            .map(|h| {
                (
                    h.at,
                    format!("{} {}", who(&h.by), c(&names.in_text(&h.what))),
                )
            })
            .chain(d.notes.iter().map(|n| {
                (
                    n.at,
                    format!(
                        "{} 【{}】{}",
                        who(&n.by),
                        n.kind.label(),
                        lines_in(&n.text, "    ")
                    ),
                )
            }))
            .collect();
        lines.sort_by_key(|(t, _)| *t);
        for (t, line) in lines {
            o.push_str(&format!("  {} {}\n", time(&t), line));
        }
    }
}

pub fn person_text(p: &KeyPerson, today: NaiveDate, names: &Names) -> String {
    let c = clean_line;
    let who = |login: &str| c(names.name(login));
    let mut o = String::new();
    o.push_str(&format!(
        "{}  {}  {}{}\n",
        p.id,
        c(&p.name),
        p.category.label(),
        match p.standing(today) {
            crate::domain::person::Standing::Active => String::new(),
            s => format!("  【{}】", s.label()),
        }
    ));
    o.push_str(&format!(
        "村(社区)：{}    危险等级：{}    联系干部：{}    走访周期：{} 天\n",
        c(&p.village),
        p.grade().label(),
        who(&p.officer),
        p.interval_days
    ));
    if let Some(h) = &p.household {
        o.push_str(&format!("人户分离：户籍在{}\n", c(h)));
    }
    o.push_str(&format!("列管理由：{}\n", c(&p.reason)));
    o.push_str(&format!(
        "复核日期：{}{}    下次走访：{}{}\n",
        p.review_date,
        if p.past_review(today) {
            "（已过复核日期）"
        } else {
            ""
        },
        p.next_visit_due(),
        if p.visit_overdue(today) {
            "（逾期未访）"
        } else {
            ""
        }
    ));
    for a in p.open_alerts() {
        o.push_str(&format!(
            "【预警：{}】{}（desk person ack {} --plan 措施）\n",
            a.kind.label(),
            c(&a.detail),
            p.id
        ));
    }
    if let Some(x) = &p.phone {
        o.push_str(&format!("电话：{x}\n"));
    }
    if let Some(x) = &p.id_number {
        o.push_str(&format!("身份证号：{x}\n"));
    }
    for v in &p.visits {
        let met = v
            .failed
            .map(|f| format!(" 未见面（{}）", f.label()))
            .unwrap_or_default();
        o.push_str(&format!(
            "  走访 {} {} {}{met}：{}\n",
            v.date,
            v.method.label(),
            who(&v.by),
            lines_in(&v.finding, "    ")
        ));
    }
    for r in &p.reviews {
        o.push_str(&format!(
            "  复核 {} {}：{}{}\n",
            time(&r.at),
            who(&r.by),
            c(&r.reason),
            r.next_review
                .map(|d| format!("，下次复核 {d}"))
                .unwrap_or_else(|| "，解除列管".into())
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_display_width() {
        assert_eq!(fit("张三李四", 6), "张三… ");
        assert_eq!(fit("ab张", 6), "ab张  ");
        assert_eq!(fit("张三李四王五", 8).width(), 8);
        assert_eq!(fit("\u{1b}[31m红色", 6), "红色  ");
    }

    #[test]
    fn table_columns_line_up_with_mixed_text() {
        let t = table(
            &[("编号", 6), ("名称", 8)],
            &[
                vec!["A1".into(), "赵庄村".into()],
                vec!["长长长长".into(), "x".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[1], "A1     赵庄村");
        assert_eq!(lines[2], "长长…  x");
    }
}
