//! Drawing the list views (待处理, 风险队列, 督办, 重点人员, 回访): their
//! columns, rows with the search marks, and the wide screen's preview pane.

use std::collections::BTreeSet;

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use super::app::{doc_of, person_doc, App, View};
use super::keymap::{Action, Layer};
use super::views::{accent, block, cell, fit, warn};
use crate::desk::views::Row;
use crate::domain::escalation::Colour;
use crate::domain::summary::Summary;
use crate::domain::text::clean_line;
use crate::domain::workflow::Status;

pub(super) struct Column {
    pub title: &'static str,
    pub width: usize,
}

pub(super) fn columns(view: View, total: usize) -> Vec<Column> {
    let fixed: &[(&'static str, usize)] = match view {
        // 状态 holds its longest word whole: 中止申请中 (转办退回 on 待处理).
        View::Mine => &[("编号", 14), ("状态", 10), ("时限", 8), ("村(社区)", 10)],
        View::Inbox => &[
            ("编号", 14),
            ("状态", 8),
            ("风险", 6),
            ("村(社区)", 10),
            ("类型", 10),
            ("登记时间", 11),
        ],
        View::Queue => &[
            ("分值", 4),
            ("编号", 14),
            ("风险", 6),
            ("村(社区)", 10),
            ("主要原因", 22),
        ],
        View::Supervision => &[
            ("督办", 6),
            ("编号", 14),
            ("化解时限", 10),
            ("剩余", 8),
            ("责任人", 8),
        ],
        View::Watchlist => &[
            ("编号", 9),
            ("姓名", 8),
            ("村(社区)", 10),
            ("类别", 14),
            ("等级", 4),
            ("下次走访", 10),
        ],
        View::FollowUps => &[
            ("编号", 14),
            ("回访日期", 10),
            ("剩余", 8),
            ("村(社区)", 10),
        ],
        View::Dashboard | View::Rollcall => &[],
    };
    let last = match view {
        View::Watchlist => "提示",
        View::FollowUps => "标题",
        _ => "标题",
    };
    // Mark column (2) + one space between columns.
    let used: usize = 2 + fixed.iter().map(|(_, w)| w + 1).sum::<usize>();
    let mut cols: Vec<Column> = fixed
        .iter()
        .map(|(t, w)| Column {
            title: t,
            width: *w,
        })
        .collect();
    let mut rest = total.saturating_sub(used);
    // On a wide screen the reasons take the room beyond a title's usual
    // width ("郑爱华与朱德华邻里纠纷"), up to 60 columns.
    if let Some(reasons) = cols.iter_mut().find(|c| c.title == "主要原因") {
        let more = rest.saturating_sub(24).min(60 - reasons.width);
        reasons.width += more;
        rest -= more;
    }
    cols.push(Column {
        title: last,
        width: rest.max(4),
    });
    cols
}

fn days_text(days: i64) -> String {
    match days {
        d if d < 0 => format!("逾期{}天", -d),
        0 => "今天".into(),
        d => format!("{d}天"),
    }
}

/// A cell's text, its search marks (char indices) and its style.
type Cell = (String, Vec<usize>, Style);

/// What one list line shows: a key person (index into the register held)
/// or a case's row from the server's window.
#[derive(Clone, Copy)]
pub(super) enum Item<'a> {
    Person(usize),
    Case(&'a Row),
}

/// The cells of one row, with the search marks mapped onto the columns that
/// came from the searched text.
fn row_cells(app: &App, view: View, item: Item, marks: &[usize]) -> Vec<Cell> {
    match item {
        Item::Person(i) => person_cells(app, i, marks),
        Item::Case(row) => dispute_cells(app, view, row, marks),
    }
}

fn person_cells(app: &App, i: usize, marks: &[usize]) -> Vec<Cell> {
    let today = app.today();
    let plain = Style::default();
    {
        let p = &app.data.persons[i];
        let due = p.next_visit_due();
        let mut tip = Vec::new();
        if p.past_review(today) {
            tip.push("待复核".into());
        }
        if p.lost_contact() {
            tip.push("失访".into());
        }
        if p.visit_overdue(today) {
            tip.push(format!("逾期未访{}天", (today - due).num_days()));
        }
        let style = if tip.is_empty() { plain } else { warn() };
        let name_marks: Vec<usize> = marks
            .iter()
            .copied()
            .filter(|m| *m < p.name.chars().count())
            .collect();
        let vstart = p.name.chars().count() + 1;
        let v_marks: Vec<usize> = marks
            .iter()
            .filter(|m| **m >= vstart)
            .map(|m| m - vstart)
            .collect();
        vec![
            (p.id.clone(), vec![], plain),
            (p.name.clone(), name_marks, plain),
            (p.village.clone(), v_marks, plain),
            (p.category.label().into(), vec![], plain),
            (p.grade().label().into(), vec![], plain),
            (due.format("%m-%d").to_string(), vec![], style),
            (tip.join("，"), vec![], style),
        ]
    }
}

fn dispute_cells(app: &App, view: View, row: &Row, marks: &[usize]) -> Vec<Cell> {
    let today = app.today();
    let plain = Style::default();
    let s = &row.case;
    // Offsets of the fields inside the searched text (see `doc_of`).
    let parties = s.parties.join(" ");
    let p_len = parties.chars().count();
    let v_start = p_len + 1;
    let c_start = v_start + s.village.chars().count() + 1;
    let id_start = c_start + s.category.chars().count() + 1;
    let t_start = id_start + s.id.chars().count() + 1;
    let slice = |start: usize, len: usize| -> Vec<usize> {
        marks
            .iter()
            .filter(|m| **m >= start && **m < start + len)
            .map(|m| m - start)
            .collect()
    };
    let id_marks = slice(id_start, s.id.chars().count());
    let v_marks = slice(v_start, s.village.chars().count());
    let t_marks = slice(t_start, s.title.chars().count());
    let c_marks = slice(c_start, s.category.chars().count());
    let risk = s.risk.map(|r| r.label()).unwrap_or("未研判").to_string();
    let risk_style = match s.risk {
        Some(crate::domain::lists::RiskLevel::Critical)
        | Some(crate::domain::lists::RiskLevel::High) => warn(),
        _ => plain,
    };
    match view {
        View::Inbox => vec![
            (s.id.clone(), id_marks, plain),
            (stage_word(s).into(), vec![], plain),
            (risk, vec![], risk_style),
            (s.village.clone(), v_marks, plain),
            (s.category.clone(), c_marks, plain),
            (
                s.registered_at.format("%m-%d %H:%M").to_string(),
                vec![],
                plain,
            ),
            reason_or_title(s, t_marks),
        ],
        View::Queue => {
            let sc = row.score();
            vec![
                (
                    sc.total.to_string(),
                    vec![],
                    if sc.total >= 100 { warn() } else { plain },
                ),
                (s.id.clone(), id_marks, plain),
                (risk, vec![], risk_style),
                (s.village.clone(), v_marks, plain),
                (sc.brief(3), vec![], plain),
                (s.title.clone(), t_marks, plain),
            ]
        }
        View::Supervision => {
            let days = s.deadline.map(|d| (d - today).num_days()).unwrap_or(99);
            let style = if days < 0 { warn() } else { plain };
            let colour = s.colour(today, &app.thresholds());
            let person = s
                .person
                .as_ref()
                .map(|p| {
                    app.data
                        .officers
                        .get(p)
                        .map(|o| o.name.clone())
                        .unwrap_or(p.clone())
                })
                .unwrap_or_default();
            vec![
                (
                    supervision_mark(s, colour, app.ascii),
                    vec![],
                    colour_style(colour),
                ),
                (s.id.clone(), id_marks, plain),
                (
                    s.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    vec![],
                    style,
                ),
                (days_text(days), vec![], style),
                (person, vec![], plain),
                (s.title.clone(), t_marks, plain),
            ]
        }
        View::FollowUps => {
            let due = s.next_follow_up.unwrap_or(today);
            let days = (due - today).num_days();
            let style = if days < 0 { warn() } else { plain };
            vec![
                (s.id.clone(), id_marks, plain),
                (due.to_string(), vec![], style),
                (days_text(days), vec![], style),
                (s.village.clone(), v_marks, plain),
                (s.title.clone(), t_marks, plain),
            ]
        }
        View::Mine => {
            let days = s.deadline.map(|d| (d - today).num_days());
            let style = if days.is_some_and(|d| d < 0) && s.clock_runs() {
                warn()
            } else {
                plain
            };
            vec![
                (s.id.clone(), id_marks, plain),
                (stage_word(s).into(), vec![], plain),
                (days.map(days_text).unwrap_or_default(), vec![], style),
                (s.village.clone(), v_marks, plain),
                reason_or_title(s, t_marks),
            ]
        }
        View::Watchlist | View::Dashboard | View::Rollcall => Vec::new(),
    }
}

/// The 状态 cell: a transfer or an unsigned assignment says what it waits for.
fn stage_word(s: &Summary) -> &'static str {
    if s.alert_note.is_some() && s.status.is_open() {
        "转办退回"
    } else if s.transferring {
        "转办"
    } else if s.status == Status::Assigned && !s.accepted {
        "待签收"
    } else {
        s.status_label()
    }
}

/// The 标题 cell; a refused 转办 puts its reason first ("退回理由：…"),
/// so the sender reads why without opening the case.
fn reason_or_title(s: &Summary, marks: Vec<usize>) -> Cell {
    match &s.alert_note {
        Some(note) => {
            let why = note.strip_prefix("转办被退回：").unwrap_or(note);
            (
                format!("退回理由：{why}｜{}", s.title),
                Vec::new(),
                Style::default(),
            )
        }
        None => (s.title.clone(), marks, Style::default()),
    }
}

/// ★红牌: supervised or not, and the colour (挂 when supervised, not late).
fn supervision_mark(s: &Summary, colour: Option<Colour>, ascii: bool) -> String {
    let star = match (s.supervised, ascii) {
        (true, true) => "*",
        (true, false) => "★",
        (false, _) => "",
    };
    let word = match colour {
        Some(c) => c.label(),
        None if s.supervised => "挂",
        None => "",
    };
    format!("{star}{word}")
}

/// 红牌 red, 橙牌 orange, 黄牌 yellow; a supervised case not yet late red.
fn colour_style(c: Option<Colour>) -> Style {
    let fg = match c {
        Some(Colour::Red) | None => Color::Red,
        Some(Colour::Orange) => Color::LightRed,
        Some(Colour::Yellow) => Color::Yellow,
    };
    Style::default().fg(fg).add_modifier(Modifier::BOLD)
}

/// 红牌 3 · 橙牌 5 · 黄牌 2, for the 督办 title (the server counts them).
fn colour_counts(app: &App) -> String {
    let parts: Vec<String> = app
        .data
        .tally
        .colours
        .iter()
        .map(|(c, n)| format!("{} {n}", c.label()))
        .collect();
    parts.join(" · ")
}

/// The list's title: how many, what the filter found (and where), marks.
fn list_title(app: &App, shown: usize, total: usize) -> String {
    let view = app.view;
    let cases = view.lists_cases();
    let l = &app.lists[view.index()];
    let unit = if view == View::Watchlist {
        "人"
    } else {
        "件"
    };
    let mut title = format!(" {} 共 {} {unit} ", view.label(), shown);
    if view == View::Supervision && l.filter.is_empty() {
        title.push_str(&format!("（{}） ", colour_counts(app)));
    }
    if !l.filter.is_empty() {
        // Searching 全部, the screen's own count is no whole to compare with.
        let of = if cases && l.everything {
            "全部案件中 ".to_string()
        } else {
            String::new()
        };
        let whole = if cases && l.everything {
            String::new()
        } else {
            format!("（共 {total} {unit}）")
        };
        title = format!(
            " {} 筛选“{}”：{of}{shown} {unit}{whole}{} ",
            view.label(),
            clean_line(&l.filter.text()),
            if l.searching {
                "（搜索中…）"
            } else {
                ""
            }
        );
    }
    if !l.marks.is_empty() {
        title.push_str(&format!("已标记 {} ", l.marks.len()));
    }
    title
}

/// What an empty list says: nothing at all, or where else to look.
fn empty_text(app: &App, cases: bool) -> String {
    let l = &app.lists[app.view.index()];
    // A closed case is only in 全部: say whether it is there.
    let tab = app
        .keymap
        .key_label(Layer::Search, Action::ToggleScope)
        .unwrap_or_else(|| "Tab".into());
    let elsewhere = l
        .elsewhere
        .as_ref()
        .filter(|(s, _)| *s == l.filter.text())
        .map(|(_, n)| *n);
    match (l.filter.is_empty(), cases, l.everything, elsewhere) {
        (true, _, _, _) => "（没有记录）".to_string(),
        (false, true, false, Some(n)) if n > 0 => {
            format!("（这一屏没有；全部案件（含已化解、归档）中有 {n} 件相近的，按 {tab} 查看）")
        }
        (false, true, false, Some(_)) => "（这一屏和全部案件中都没有匹配的记录）".to_string(),
        (false, true, false, None) => {
            format!("（这一屏没有匹配的记录；按 {tab} 改为在全部案件中查找）")
        }
        (false, _, _, _) => "（没有匹配的记录）".to_string(),
    }
}

pub(super) fn draw_list(f: &mut Frame, app: &mut App, area: Rect) {
    let view = app.view;
    let vi = view.index();
    let cases = view.lists_cases();
    let (shown, total) = if cases {
        // A search's total is its matches; the list's own is in the tally.
        let matches = app.list_total(view);
        // 我的 has no screen of its own: its whole is its sections' sum.
        let whole = match view.screen() {
            Some(s) => app.data.tally.total(s).map_or(matches, |n| n as usize),
            None if view == View::Mine => app.data.mine.iter().map(|(_, n)| *n as usize).sum(),
            None => matches,
        };
        (matches, whole)
    } else {
        (app.visible_rows(view).len(), app.data.rows[vi].len())
    };
    let title = list_title(app, shown, total);
    let l = &app.lists[vi];
    let title = fit(&title, area.width.saturating_sub(2) as usize);
    let outer = block(app, Span::styled(title, accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let search_line = l.editing || !l.filter.is_empty();
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(if search_line { 1 } else { 0 }),
    ])
    .areas(inner);
    let cols = columns(view, inner.width as usize);
    let mut header = vec![Span::raw("  ")];
    for c in &cols {
        header.extend(cell(
            c.title,
            c.width,
            &[],
            Style::default().add_modifier(Modifier::BOLD),
        ));
        header.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(header)), head);

    let held = !cases || app.data.wins[vi].window.is_some();
    if held && view == View::Mine && l.filter.is_empty() {
        let lines = super::mine_view::lines(app, &cols, body.height as usize);
        return draw_search_line(f, app, foot, search_line, lines, body);
    }
    if !held {
        f.render_widget(Paragraph::new("正在载入…"), body);
    } else if shown == 0 {
        let text = empty_text(app, cases);
        f.render_widget(Paragraph::new(text), body);
    }
    // Keep the cursor on screen.
    let height = body.height as usize;
    let l = &mut app.lists[vi];
    if l.selected < l.offset {
        l.offset = l.selected;
    } else if height > 0 && l.selected >= l.offset + height {
        l.offset = l.selected + 1 - height;
    }
    let (offset, selected) = (l.offset, l.selected);
    let query = l.filter.text();
    let marks_set = l.marks.clone();
    let app = &*app;
    let lines: Vec<Line> = (offset..shown.min(offset + height))
        .map(|pos| {
            let item = if cases {
                app.row_at(view, pos).map(Item::Case)
            } else {
                app.visible_rows(view).get(pos).map(|&i| Item::Person(i))
            };
            match item {
                Some(item) => {
                    list_line(app, view, &cols, item, &query, &marks_set, pos == selected)
                }
                // Not yet held: the window around it is on its way.
                None => Line::raw("  …"),
            }
        })
        .collect();
    draw_search_line(f, app, foot, search_line, lines, body);
}

/// The list's lines, and the filter line under them while filtering.
fn draw_search_line(
    f: &mut Frame,
    app: &App,
    foot: Rect,
    search_line: bool,
    lines: Vec<Line<'static>>,
    body: Rect,
) {
    f.render_widget(Paragraph::new(lines), body);
    if search_line {
        let l = &app.lists[app.view.index()];
        let scope = if l.everything { "全部" } else { "在办" };
        let prefix = format!("筛选（{scope}）/ ");
        let text = format!("{prefix}{}", l.filter.text());
        f.render_widget(Paragraph::new(Span::styled(text, accent())), foot);
        if l.editing {
            let x = foot.x + prefix.width() as u16 + l.filter.caret_column();
            f.set_cursor_position(Position::new(x.min(foot.right().saturating_sub(1)), foot.y));
        }
    }
}

/// One row of a list: the pointer and mark, then its cells.
pub(super) fn list_line(
    app: &App,
    view: View,
    cols: &[Column],
    item: Item,
    query: &str,
    marks_set: &BTreeSet<String>,
    is_sel: bool,
) -> Line<'static> {
    let id = match item {
        Item::Person(i) => &app.data.persons[i].id,
        Item::Case(row) => &row.case.id,
    };
    // The searched text is made only while a filter is on.
    let marks = match item {
        _ if query.is_empty() => Vec::new(),
        Item::Person(i) => crate::search::highlight(&person_doc(&app.data.persons[i]), query),
        Item::Case(row) => crate::search::highlight(&doc_of(&row.case), query),
    };
    let marked = marks_set.contains(id);
    let pointer = match (is_sel, marked, app.ascii) {
        (true, true, _) => "▶✓",
        (true, false, false) => "▶ ",
        (true, false, true) => "> ",
        (false, true, false) => " ✓",
        (false, true, true) => " *",
        (false, false, _) => "  ",
    };
    let pointer = if app.ascii {
        pointer.replace('▶', ">").replace('✓', "*")
    } else {
        pointer.to_string()
    };
    let mut spans = vec![Span::raw(pointer)];
    for (c, (text, m, style)) in cols.iter().zip(row_cells(app, view, item, &marks)) {
        spans.extend(cell(&text, c.width, &m, style));
        spans.push(Span::raw(" "));
    }
    let line = Line::from(spans);
    if is_sel {
        line.style(Style::default().add_modifier(Modifier::REVERSED))
    } else {
        line
    }
}

/// The wide screen's side pane: the selected case's key facts and risk reasons.
pub(super) fn draw_preview(f: &mut Frame, app: &App, area: Rect) {
    let outer = block(app, " 概要（Enter 看详情） ");
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let selected = app.lists[app.view.index()].selected;
    let mut lines = Vec::new();
    if app.view == View::Watchlist {
        let Some(&i) = app.visible_rows(app.view).get(selected) else {
            return;
        };
        let p = &app.data.persons[i];
        lines.push(Line::styled(
            format!("{} {}", p.id, clean_line(&p.name)),
            accent(),
        ));
        lines.push(Line::raw(format!(
            "{} · {} · 危险等级{}",
            clean_line(&p.village),
            p.category.label(),
            p.grade().label()
        )));
        lines.push(Line::raw(format!(
            "下次走访 {} · 复核日期 {}",
            p.next_visit_due(),
            p.review_date
        )));
        lines.push(Line::raw(format!("列管理由：{}", clean_line(&p.reason))));
        lines.push(Line::raw("（查看详情会记入查阅日志）"));
    } else {
        let Some(row) = app.row_at(app.view, selected) else {
            return;
        };
        let s = &row.case;
        lines.extend(summary_lines(app, s));
        // A closed case has no risk to weigh: no red score.
        if !s.status.is_open() {
            return f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        let sc = row.score();
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("风险分 {}", sc.total), warn()));
        for (r, p) in &sc.reasons {
            lines.push(Line::raw(format!("  {r} +{p}")));
        }
        if sc.lateness > 0 {
            lines.push(Line::styled(format!("时限压力 {}", sc.lateness), warn()));
            for (r, p) in &sc.late_reasons {
                lines.push(Line::raw(format!("  {r} +{p}")));
            }
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn summary_lines(app: &App, s: &Summary) -> Vec<Line<'static>> {
    let name = |login: &Option<String>| {
        login
            .as_ref()
            .map(|l| {
                app.data
                    .officers
                    .get(l)
                    .map(|o| o.name.clone())
                    .unwrap_or(l.clone())
            })
            .unwrap_or_else(|| "—".into())
    };
    vec![
        Line::styled(format!("{} {}", s.id, clean_line(&s.title)), accent()),
        Line::raw(format!(
            "{} · {} · {} · {}级",
            s.status_label(),
            clean_line(&s.village),
            clean_line(&s.category),
            s.tier.label()
        )),
        Line::raw(format!("当事人：{}", clean_line(&s.parties.join("、")))),
        Line::raw(format!("矛盾情况：{}", clean_line(&s.summary))),
        Line::raw(format!(
            "责任人 {} · 牵头/包案领导 {} · 时限 {}",
            name(&s.person),
            name(&s.leader),
            s.deadline
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into())
        )),
    ]
}
