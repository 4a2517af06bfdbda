//! 台账: the ledger as township offices keep it in Excel. Its columns, the
//! grammar of its composite cells (当事人, 进展, 结果, 回访情况) and the
//! mapping of a dispute to one ledger row. Pure: the file formats live in
//! `report`, the import checks and the write in `desk::ledger`.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::dispute::{Dispute, FollowUp, Note, Party};
use super::lists::{ContactKind, Outcome, PartyRole, RiskLevel, Tier, VisitMethod, WarningFlag};
use super::text::{clean_line, clean_text, parse_date};
use super::DomainError;

macro_rules! columns {
    ($($variant:ident => $label:literal),+ $(,)?) => {
        /// A ledger column, in export order: the 排查表 columns first, then
        /// the full ledger's, then what the desk adds so nothing is lost.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Column { $($variant),+ }

        impl Column {
            pub const ALL: &'static [Column] = &[$(Column::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $(Column::$variant => $label),+ }
            }
        }
    };
}

columns! {
    Date => "排查时间",
    Village => "村名",
    ScreenedBy => "排查单位或排查人",
    Situation => "矛盾情况",
    Measures => "化解措施",
    Remarks => "备注",
    Id => "编号",
    Category => "类型",
    Parties => "当事人",
    Risk => "风险等级",
    Leader => "牵头领导",
    Unit => "责任单位",
    Person => "责任人",
    Deadline => "化解时限",
    Progress => "进展",
    Result => "结果",
    ClosedOn => "销号时间",
    FollowUps => "回访情况",
    Source => "来源",
    Flags => "预警情形",
    Tier => "调处层级",
    People => "涉及人数",
    Amount => "涉及金额",
    Status => "状态",
    Packaged => "领导包案",
    Supervised => "挂牌督办",
}

impl Column {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Columns holding dates, written as date cells in xlsx.
    pub fn is_date(self) -> bool {
        matches!(self, Column::Date | Column::Deadline | Column::ClosedOn)
    }
}

/// One data row of an imported file, as text, sent from the client to the
/// desk, which checks it. `cells` has one entry per `Column::ALL`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub sheet: String,
    /// The row number the spreadsheet shows (1-based).
    pub row: u32,
    /// A year named in the sheet's title, for dates written without one.
    pub year_hint: Option<i32>,
    pub cells: Vec<String>,
    /// Which columns the file has, a bit per `Column::index`; 0 when not
    /// said (taken as all). A 排查表 has no 当事人, 类型 or 预警 column: those
    /// are then read from its 矛盾情况.
    #[serde(default)]
    pub columns: u64,
}

impl LedgerRow {
    pub fn get(&self, c: Column) -> &str {
        self.cells.get(c.index()).map(|s| s.as_str()).unwrap_or("")
    }

    /// Whether the file this row came from has column `c`.
    pub fn has(&self, c: Column) -> bool {
        self.columns == 0 || self.columns & (1 << c.index()) != 0
    }
}

/// The `LedgerRow::columns` bits of a file with these columns.
pub fn column_bits(columns: impl IntoIterator<Item = Column>) -> u64 {
    columns.into_iter().fold(0, |bits, c| bits | 1 << c.index())
}

/// A cell of an exported row: xlsx writes dates and numbers as such.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Number(u64),
    Empty,
}

impl Cell {
    /// The text form (CSV, and what the import reads back).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

fn yes(b: bool) -> Cell {
    if b {
        Cell::Text("是".into())
    } else {
        Cell::Empty
    }
}

/// One dispute as a ledger row, in `Column::ALL` order. `name_of` turns a
/// login into the officer's name (the ledger shows people, not accounts).
pub fn ledger_row(d: &Dispute, name_of: &dyn Fn(&str) -> String) -> Vec<Cell> {
    let leader = d
        .package
        .as_ref()
        .map(|p| p.leader.as_str())
        .or(d.assignment.as_ref().map(|a| a.leader.as_str()))
        .unwrap_or("");
    let measures = if d.measures.is_empty() {
        d.package
            .as_ref()
            .map(|p| {
                p.plan
                    .iter()
                    .map(|s| format!("{} {}", s.date, s.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    } else {
        d.measures.clone()
    };
    let closed_on = d
        .closing
        .as_ref()
        .and_then(|c| c.closed_at)
        .map(|t| t.date_naive());
    let row: Vec<Cell> = Column::ALL
        .iter()
        .map(|c| match c {
            Column::Date => Cell::Date(d.registered_at.date_naive()),
            Column::Village => text(&d.village),
            Column::ScreenedBy => text(&name_of(&d.registered_by)),
            Column::Situation => text(&d.summary),
            Column::Measures => text(&measures),
            Column::Remarks => text(&d.remarks),
            Column::Id => text(&d.id),
            Column::Category => text(&d.category),
            Column::Parties => text(&format_parties(&d.parties)),
            Column::Risk => text(d.risk.map(|r| r.label()).unwrap_or("")),
            Column::Leader => {
                if leader.is_empty() {
                    Cell::Empty
                } else {
                    text(&name_of(leader))
                }
            }
            Column::Unit => text(d.assignment.as_ref().map_or("", |a| a.unit.as_str())),
            Column::Person => match &d.assignment {
                Some(a) if !a.person.is_empty() => text(&name_of(&a.person)),
                _ => Cell::Empty,
            },
            Column::Deadline => d.deadline().map(Cell::Date).unwrap_or(Cell::Empty),
            Column::Progress => text(&format_notes(&d.notes)),
            Column::Result => d
                .closing
                .as_ref()
                .map(|c| text(&format_result(c.outcome, &c.summary)))
                .unwrap_or(Cell::Empty),
            Column::ClosedOn => closed_on.map(Cell::Date).unwrap_or(Cell::Empty),
            Column::FollowUps => text(&format_visits(&d.follow_ups)),
            Column::Source => text(d.source.label()),
            Column::Flags => text(
                &d.flags
                    .iter()
                    .map(|f| f.label())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            Column::Tier => text(d.tier.label()),
            Column::People => Cell::Number(u64::from(d.people_involved)),
            Column::Amount => d.amount.map(Cell::Number).unwrap_or(Cell::Empty),
            Column::Status => text(d.status.label()),
            Column::Packaged => yes(d.package.is_some()),
            Column::Supervised => yes(d.supervised),
        })
        .collect();
    debug_assert_eq!(row.len(), Column::ALL.len());
    row
}

/// The role a party has by position when the ledger does not say.
fn default_role(i: usize) -> PartyRole {
    match i {
        0 => PartyRole::Applicant,
        1 => PartyRole::Respondent,
        _ => PartyRole::Other,
    }
}

/// 王建国（19900001234）、刘桂兰（被申请方）: the role only when it is not the
/// one its position implies, the phone when there is one.
pub fn format_parties(parties: &[Party]) -> String {
    parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut extra = Vec::new();
            if p.role != default_role(i) {
                extra.push(p.role.label().to_string());
            }
            if let Some(phone) = &p.phone {
                extra.push(phone.clone());
            }
            if extra.is_empty() {
                p.name.clone()
            } else {
                format!("{}（{}）", p.name, extra.join("，"))
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Splits on `seps` outside brackets.
fn split_outside_brackets(text: &str, seps: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                cur.push(c);
            }
            ')' | '）' | ']' | '】' => {
                depth = (depth - 1).max(0);
                cur.push(c);
            }
            c if depth == 0 && seps.contains(&c) => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The parties as ledgers write them: `王建国、刘桂兰`, `王建国（19900001234）`,
/// `刘桂兰（被申请方，139…）`, `王建国 13900001111`, `王建国/申请方/139…`.
/// A masked phone (`199****1234`, from an export by a role that may not see
/// it) is dropped, and `masked` says so.
pub fn parse_parties(text: &str) -> Result<(Vec<Party>, bool), DomainError> {
    let mut parties = Vec::new();
    let mut masked = false;
    // 与 joins two parties as often as 、 does ("王建国与刘桂兰").
    for (i, item) in split_outside_brackets(text, &['、', '；', ';', '，', ',', '\n', '与'])
        .iter()
        .enumerate()
    {
        let (name, inner) = match item.find(['（', '(']) {
            Some(pos) => {
                let inner = item[pos..]
                    .trim_start_matches(['（', '('])
                    .trim_end_matches(['）', ')']);
                (item[..pos].to_string(), inner.to_string())
            }
            None => match item.split_once('/') {
                Some((n, rest)) => (n.to_string(), rest.replace('/', "，")),
                None => {
                    // 王建国 13900001111 or 王建国13900001111.
                    let cut = item
                        .char_indices()
                        .find(|(_, c)| c.is_ascii_digit() || *c == '*')
                        .map(|(p, _)| p)
                        .unwrap_or(item.len());
                    (item[..cut].to_string(), item[cut..].to_string())
                }
            },
        };
        let mut role = default_role(i);
        let mut phone = None;
        for token in inner
            .split(['，', ',', ' ', '；', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if token.contains('*') {
                masked = true;
            } else if token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                phone = Some(token.to_string());
            } else {
                role = PartyRole::parse(token.trim_end_matches('人'))
                    .or_else(|_| PartyRole::parse(token))
                    .map_err(|_| {
                        DomainError::invalid(format!(
                            "当事人“{}”后的“{token}”看不懂，应为身份（申请方、被申请方、其他）或电话",
                            clean_line(&name)
                        ))
                    })?;
            }
        }
        parties.push(Party::new(&name, role, phone.as_deref())?);
    }
    Ok((parties, masked))
}

/// Progress notes, one per line: `2026-11-20 电话：联系双方…`. A note's own
/// line breaks stay; a line starting with a date begins the next note.
pub fn format_notes(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| format!("{} {}：{}", n.at.date_naive(), n.kind.label(), n.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A progress note read back; `date` is None when the line names none.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteCell {
    pub date: Option<NaiveDate>,
    pub kind: ContactKind,
    pub text: String,
}

/// Splits a leading date token (`2026-11-20 …`, `11月20日 …`) off a line.
fn leading_date<'a>(
    line: &'a str,
    date: &dyn Fn(&str) -> Option<NaiveDate>,
) -> Option<(NaiveDate, &'a str)> {
    let line = line.trim_start();
    let end = line
        .find(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '，' | ','))
        .unwrap_or(line.len());
    let token = &line[..end];
    // A date is short and starts with a digit; anything else is text.
    if token.is_empty()
        || !token.starts_with(|c: char| c.is_ascii_digit())
        || !token.contains(['-', '/', '.', '年', '月'])
        || token.len() > 20
    {
        return None;
    }
    date(token).map(|d| {
        (
            d,
            line[end..].trim_start_matches([' ', '：', ':', '，', ',']),
        )
    })
}

pub fn parse_notes(text: &str, date: &dyn Fn(&str) -> Option<NaiveDate>) -> Vec<NoteCell> {
    let mut notes: Vec<NoteCell> = Vec::new();
    for line in clean_text(text).lines() {
        if let Some((d, rest)) = leading_date(line, date) {
            let (kind, body) = match rest.split_once(['：', ':']) {
                Some((k, body)) => match ContactKind::parse(k) {
                    Ok(kind) => (kind, body),
                    Err(_) => (ContactKind::Other, rest),
                },
                None => (ContactKind::Other, rest),
            };
            notes.push(NoteCell {
                date: Some(d),
                kind,
                text: body.trim().to_string(),
            });
        } else if let Some(last) = notes.last_mut() {
            last.text.push('\n');
            last.text.push_str(line);
        } else if !line.trim().is_empty() {
            notes.push(NoteCell {
                date: None,
                kind: ContactKind::Other,
                text: line.trim().to_string(),
            });
        }
    }
    notes.retain(|n| !n.text.trim().is_empty());
    notes
}

/// 结果: `调解成功-书面协议：签订书面协议`.
pub fn format_result(outcome: Outcome, summary: &str) -> String {
    if summary.is_empty() || summary == outcome.label() {
        outcome.label().to_string()
    } else {
        format!("{}：{summary}", outcome.label())
    }
}

/// What a 结果 cell says.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultCell {
    Empty,
    /// Still being worked (化解中, 未化解, 调处中 …).
    Open,
    Closed(Outcome, String),
}

/// Words ledgers use for an outcome, most specific first.
const OUTCOME_WORDS: &[(&str, Outcome)] = &[
    ("暂无法化解", Outcome::Unresolved),
    ("稳控", Outcome::Unresolved),
    ("不予受理", Outcome::Declined),
    ("司法确认", Outcome::JudicialConfirmation),
    ("书面", Outcome::WrittenAgreement),
    ("口头", Outcome::OralAgreement),
    ("仲裁", Outcome::Arbitration),
    ("复议", Outcome::AdministrativeReview),
    ("诉讼", Outcome::Litigation),
    ("起诉", Outcome::Litigation),
    ("调解成功", Outcome::OralAgreement),
    ("化解成功", Outcome::OralAgreement),
    ("已化解", Outcome::OralAgreement),
    ("已调解", Outcome::OralAgreement),
    ("已解决", Outcome::OralAgreement),
    ("已办结", Outcome::OralAgreement),
];

const OPEN_WORDS: &[&str] = &[
    "化解中",
    "调处中",
    "调解中",
    "未化解",
    "处理中",
    "办理中",
    "正在",
    "跟进",
    "待",
];

pub fn parse_result(text: &str) -> ResultCell {
    let text = clean_line(text);
    if text.is_empty() {
        return ResultCell::Empty;
    }
    for o in Outcome::ALL {
        if let Some(rest) = text.strip_prefix(o.label()) {
            let rest = rest.trim_start_matches(['：', ':', '，', ',', ' ']).trim();
            let summary = if rest.is_empty() { o.label() } else { rest };
            return ResultCell::Closed(*o, summary.to_string());
        }
    }
    if OPEN_WORDS.iter().any(|w| text.starts_with(w)) {
        return ResultCell::Open;
    }
    match OUTCOME_WORDS.iter().find(|(w, _)| text.contains(w)) {
        Some((_, o)) => ResultCell::Closed(*o, text),
        None => ResultCell::Open,
    }
}

/// 回访情况, one visit per line:
/// `2026-12-01 入户，协议已履行，满意：双方关系正常`; `，纠纷反弹` marks a rebound.
pub fn format_visits(follow_ups: &[FollowUp]) -> String {
    follow_ups
        .iter()
        .filter_map(|f| f.visit.as_ref())
        .map(|v| {
            let mut head = vec![
                v.method.label().to_string(),
                if v.honoured { HONOURED } else { NOT_HONOURED }.to_string(),
            ];
            if !v.satisfaction.is_empty() {
                head.push(v.satisfaction.replace(['：', ':'], " "));
            }
            if v.rebound {
                head.push(REBOUND.to_string());
            }
            format!("{} {}：{}", v.at.date_naive(), head.join("，"), v.finding)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const HONOURED: &str = "协议已履行";
const NOT_HONOURED: &str = "协议未履行";
const REBOUND: &str = "纠纷反弹";

#[derive(Debug, Clone, PartialEq)]
pub struct VisitCell {
    pub date: Option<NaiveDate>,
    pub method: VisitMethod,
    pub honoured: bool,
    pub satisfaction: String,
    pub rebound: bool,
    pub finding: String,
}

pub fn parse_visits(text: &str, date: &dyn Fn(&str) -> Option<NaiveDate>) -> Vec<VisitCell> {
    let mut visits: Vec<VisitCell> = Vec::new();
    for line in clean_text(text).lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (d, rest) = match leading_date(line, date) {
            Some((d, rest)) => (Some(d), rest),
            None => (None, line),
        };
        let mut v = VisitCell {
            date: d,
            method: VisitMethod::Home,
            honoured: true,
            satisfaction: String::new(),
            rebound: false,
            finding: rest.to_string(),
        };
        if let Some((head, finding)) = rest.split_once(['：', ':']) {
            let parts: Vec<&str> = head.split(['，', ',']).map(str::trim).collect();
            if let Ok(m) = VisitMethod::parse(parts[0]) {
                v.method = m;
                let mut sat = Vec::new();
                for p in &parts[1..] {
                    match *p {
                        HONOURED => v.honoured = true,
                        NOT_HONOURED => v.honoured = false,
                        REBOUND => v.rebound = true,
                        other => sat.push(other),
                    }
                }
                v.satisfaction = sat.join("，");
                v.finding = finding.trim().to_string();
            }
        }
        if d.is_none() && v.finding == line {
            // Free text with no date or method: one visit, unless it continues the last.
            if let Some(last) = visits.last_mut().filter(|l| l.date.is_none()) {
                last.finding.push('\n');
                last.finding.push_str(line);
                continue;
            }
        }
        visits.push(v);
    }
    visits
}

/// Dates as ledgers hold them: Excel serial numbers (from CSV), `2024-11-28`,
/// `2024.11.28`, `2024年11月28日`, `2024-11-28 00:00:00`, and `11月28日` —
/// which takes the sheet title's year when there is one, else the most recent
/// such day not after `today`.
pub fn parse_ledger_date(
    input: &str,
    today: NaiveDate,
    year_hint: Option<i32>,
) -> Result<NaiveDate, DomainError> {
    let text = clean_line(input);
    // Date-time text: keep the date part.
    let text = match text.split_once([' ', 'T']) {
        Some((d, t)) if t.contains(':') => d.to_string(),
        _ => text,
    };
    if text.len() == 5 && text.chars().all(|c| c.is_ascii_digit()) {
        let serial: u64 = text.parse().unwrap_or(0);
        if (20_000..80_000).contains(&serial) {
            // Excel's 1900 system, past its phantom 1900-02-29.
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
            return Ok(epoch + Days::new(serial));
        }
    }
    if let Some(serial) = text.strip_suffix(".0") {
        if serial.len() == 5 {
            return parse_ledger_date(serial, today, year_hint);
        }
    }
    let no_year = text.contains('月') && !text.contains('年');
    let parsed = parse_date(&text, today)?;
    if no_year {
        let with = |y: i32| NaiveDate::from_ymd_opt(y, parsed.month(), parsed.day());
        let date = match year_hint {
            Some(y) => with(y),
            None if parsed > today => with(today.year() - 1),
            None => Some(parsed),
        };
        return date.ok_or_else(|| DomainError::invalid(format!("日期“{text}”在所属年份不存在")));
    }
    Ok(parsed)
}

/// 风险等级 as ledgers write it: 低/中/高/极高, with or without 风险/级, and
/// the 重大/较大/一般 grading (红/橙/黄/蓝) many counties use.
pub fn parse_risk(text: &str) -> Result<Option<RiskLevel>, DomainError> {
    let t = clean_line(text);
    let t = t
        .trim_end_matches("风险")
        .trim_end_matches('级')
        .trim_end_matches("风险");
    Ok(Some(match t {
        "" => return Ok(None),
        "重大" | "红" | "红色" | "特别重大" => RiskLevel::Critical,
        "较大" | "橙" | "橙色" => RiskLevel::High,
        "一般" | "黄" | "黄色" => RiskLevel::Medium,
        "较低" | "蓝" | "蓝色" | "轻微" => RiskLevel::Low,
        other => RiskLevel::parse(other)?,
    }))
}

pub fn parse_tier(text: &str) -> Result<Option<Tier>, DomainError> {
    let t = clean_line(text);
    let t = t.trim_end_matches("调处").trim_end_matches('级');
    if t.is_empty() {
        return Ok(None);
    }
    Tier::parse(t).map(Some)
}

pub fn parse_flags(text: &str) -> Result<Vec<WarningFlag>, DomainError> {
    split_outside_brackets(&clean_line(text), &['、', '，', ',', '；', ';', ' '])
        .iter()
        .filter(|t| *t != "无")
        .map(|t| WarningFlag::parse(t))
        .collect()
}

/// 是/否 columns: 是, √, Y, 1 … are yes; empty, 否, 无 are no.
pub fn parse_yes(what: &str, text: &str) -> Result<bool, DomainError> {
    match clean_line(text).as_str() {
        "" | "否" | "无" | "不" | "N" | "n" | "no" | "0" | "×" => Ok(false),
        "是" | "√" | "✓" | "Y" | "y" | "yes" | "1" | "有" => Ok(true),
        other => Err(DomainError::invalid(format!(
            "{what}“{other}”看不懂，请写“是”或留空"
        ))),
    }
}

/// 涉及人数 wherever it is asked (CLI, forms, import): `5`, `5人`, `5.0`,
/// or in Chinese: 十, 二十余, 三十多人 (the stated base).
pub fn parse_people(text: &str) -> Result<u32, DomainError> {
    let t = clean_line(text);
    let t = t.strip_suffix(".0").unwrap_or(&t);
    if t.is_empty() {
        return Ok(0);
    }
    super::reading::count(t)
        .filter(|n| *n <= 100_000)
        .map(|n| n as u32)
        .ok_or_else(|| {
            DomainError::invalid(format!("涉及人数“{t}”应为整数，如 5、5人、十、二十余"))
        })
}

/// The key that says two rows are the same dispute when neither carries a
/// 编号: village, day, parties (in any order) and the first 80 characters of
/// the situation — what the summary table keeps.
pub fn same_dispute_key(
    village: &str,
    date: NaiveDate,
    parties: &[String],
    summary: &str,
) -> String {
    let mut names: Vec<&str> = parties.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    let summary: String = summary.chars().take(80).collect();
    format!(
        "{village}\u{1f}{date}\u{1f}{}\u{1f}{summary}",
        names.join("、")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn parties_round_trip_and_take_the_forms_ledgers_use() {
        let parties = vec![
            Party::new("王建国", PartyRole::Applicant, Some("19900001234")).unwrap(),
            Party::new("刘桂兰", PartyRole::Applicant, None).unwrap(),
            Party::new("赵春生", PartyRole::Other, None).unwrap(),
        ];
        let text = format_parties(&parties);
        assert_eq!(text, "王建国（19900001234）、刘桂兰（申请方）、赵春生");
        assert_eq!(parse_parties(&text).unwrap(), (parties, false));

        let (p, masked) = parse_parties("孙秀英 19900005678，周德华(199****1111)").unwrap();
        assert!(masked);
        assert_eq!(p[0].name, "孙秀英");
        assert_eq!(p[0].phone.as_deref(), Some("19900005678"));
        assert_eq!(p[1].role, PartyRole::Respondent);
        assert_eq!(p[1].phone, None);
        let (p, _) = parse_parties("马玉梅/被申请方/19900002222").unwrap();
        assert_eq!(p[0].role, PartyRole::Respondent);
        let err = parse_parties("林海涛（邻居）").unwrap_err().to_string();
        assert!(err.contains("“邻居”看不懂"), "{err}");
    }

    #[test]
    fn ledger_dates_take_serials_titles_and_chinese_forms() {
        let today = d(2026, 11, 22);
        let p = |s: &str, hint| parse_ledger_date(s, today, hint).unwrap();
        assert_eq!(p("45624", None), d(2024, 11, 28));
        assert_eq!(p("2024.11.28", None), d(2024, 11, 28));
        assert_eq!(p("2024年11月28日", None), d(2024, 11, 28));
        assert_eq!(p("2024-11-28 00:00:00", None), d(2024, 11, 28));
        assert_eq!(p("11月28日", Some(2024)), d(2024, 11, 28));
        // No title year: the most recent 11月28日, which is last year's.
        assert_eq!(p("11月28日", None), d(2025, 11, 28));
        assert_eq!(p("11月20日", None), d(2026, 11, 20));
        assert!(parse_ledger_date("去年", today, None).is_err());
    }

    #[test]
    fn results_notes_and_visits_read_back() {
        assert_eq!(
            parse_result(&format_result(Outcome::WrittenAgreement, "签订协议")),
            ResultCell::Closed(Outcome::WrittenAgreement, "签订协议".into())
        );
        assert_eq!(
            parse_result("司法确认"),
            ResultCell::Closed(Outcome::JudicialConfirmation, "司法确认".into())
        );
        assert_eq!(
            parse_result("已化解，双方握手言和"),
            ResultCell::Closed(Outcome::OralAgreement, "已化解，双方握手言和".into())
        );
        assert_eq!(parse_result("化解中"), ResultCell::Open);
        assert_eq!(parse_result(" "), ResultCell::Empty);

        let date = |s: &str| parse_ledger_date(s, d(2026, 11, 22), Some(2026)).ok();
        let notes = parse_notes(
            "2026-11-20 电话：约双方周五调解\n第二行说明\n11月21日 入户了解情况",
            &date,
        );
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].kind, ContactKind::Phone);
        assert_eq!(notes[0].text, "约双方周五调解\n第二行说明");
        assert_eq!(notes[1].date, Some(d(2026, 11, 21)));
        assert_eq!(notes[1].kind, ContactKind::Other);

        let visits = parse_visits(
            "2026-12-01 入户，协议未履行，不满意，纠纷反弹：对方拒付余款\n电话回访，情况稳定",
            &date,
        );
        assert_eq!(visits.len(), 2);
        assert!(visits[0].rebound && !visits[0].honoured);
        assert_eq!(visits[0].satisfaction, "不满意");
        assert_eq!(visits[0].finding, "对方拒付余款");
        assert_eq!(visits[1].date, None);
        assert_eq!(visits[1].finding, "电话回访，情况稳定");
    }

    #[test]
    fn small_columns_accept_ledger_words() {
        assert_eq!(parse_risk("较大").unwrap(), Some(RiskLevel::High));
        assert_eq!(parse_risk("高风险").unwrap(), Some(RiskLevel::High));
        assert_eq!(parse_risk("").unwrap(), None);
        assert!(parse_risk("很高").is_err());
        assert_eq!(parse_tier("镇级").unwrap(), Some(Tier::Township));
        assert_eq!(
            parse_flags("民转刑倾向、情绪激烈").unwrap(),
            vec![WarningFlag::CriminalTendency, WarningFlag::Agitated]
        );
        assert!(parse_yes("挂牌督办", "√").unwrap());
        assert!(parse_yes("挂牌督办", "也许").is_err());
        assert_eq!(parse_people("12人").unwrap(), 12);
        assert_eq!(
            same_dispute_key("东河村", d(2026, 1, 2), &["乙".into(), "甲".into()], "x"),
            same_dispute_key("东河村", d(2026, 1, 2), &["甲".into(), "乙".into()], "x")
        );
    }
}
