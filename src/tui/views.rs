//! Drawing, purely from `App`. Every text from the store goes through
//! `clean_line` again here, so nothing in a record can drive the terminal.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::{doc_of, person_doc, App, Overlay, Record, View};
use super::keymap::{Action, Layer};
use super::{form_view, routine_view};
use crate::cli::print;
use crate::domain::summary::Summary;
use crate::domain::text::clean_line;
use crate::domain::workflow::Status;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// At this width the list gets a preview pane beside it.
const SPLIT_WIDTH: u16 = 140;

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub(super) fn block<'a>(app: &App, title: impl Into<Line<'a>>) -> Block<'a> {
    let b = Block::default().borders(Borders::ALL).title(title);
    if app.ascii {
        b.border_set(ASCII_BORDER)
    } else {
        b.border_set(border::PLAIN)
    }
}

pub(super) fn accent() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub(super) fn warn() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

fn hl() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// Cuts `text` to `width` columns with `…`, padding to exactly `width`;
/// chars at `marks` (char indices) are highlighted.
pub(super) fn cell(text: &str, width: usize, marks: &[usize], style: Style) -> Vec<Span<'static>> {
    let text = clean_line(text);
    let fits = text.width() <= width;
    let mut spans = Vec::new();
    let mut used = 0;
    let mut run = String::new();
    let mut run_hl = false;
    for (i, c) in text.chars().enumerate() {
        let w = c.width().unwrap_or(0);
        if !fits && used + w + 1 > width {
            break;
        }
        if used + w > width {
            break;
        }
        let is_hl = marks.contains(&i);
        if is_hl != run_hl && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_hl { style.patch(hl()) } else { style },
            ));
        }
        run_hl = is_hl;
        run.push(c);
        used += w;
    }
    if !fits {
        if !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                if run_hl { style.patch(hl()) } else { style },
            ));
        }
        run.push('…');
        run_hl = false;
        used += 1;
    }
    run.push_str(&" ".repeat(width.saturating_sub(used)));
    spans.push(Span::styled(
        run,
        if run_hl { style.patch(hl()) } else { style },
    ));
    spans
}

pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "窗口太小：至少需要 {MIN_WIDTH}×{MIN_HEIGHT}，现在是 {}×{}。\n请把终端窗口拉大。",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [crumbs, tabs, body, hints, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_crumbs(f, app, crumbs);
    draw_tabs(f, app, tabs);
    // Rows of the list body: border and header take three.
    app.page = body.height.saturating_sub(3).max(1) as usize;
    match app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail(d) => Some(d.clone()),
        _ => None,
    }) {
        Some(d) => draw_detail(f, app, &d, body),
        None if app.view == View::Dashboard => routine_view::draw_dashboard(f, app, body),
        None if app.view == View::Rollcall => routine_view::draw_rollcall(f, app, body),
        None if body.width >= SPLIT_WIDTH => {
            let [list, side] =
                Layout::horizontal([Constraint::Percentage(62), Constraint::Fill(1)]).areas(body);
            draw_list(f, app, list);
            draw_preview(f, app, side);
        }
        None => draw_list(f, app, body),
    }
    let form_at = app
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Form(_)));
    let detail_at = app
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Detail(_)));
    if let Some(i) = form_at.filter(|i| detail_at.is_none_or(|d| d < *i)) {
        if let Overlay::Form(form) = &app.overlays[i] {
            form_view::draw_form(f, app, form, body);
        }
    }
    match app.overlays.last() {
        Some(Overlay::Picker(p)) => form_view::draw_picker(f, app, p, body),
        Some(Overlay::Ask(a)) => form_view::draw_ask(f, app, a, body),
        Some(Overlay::Report {
            title,
            text,
            scroll,
        }) => routine_view::draw_report(f, app, title, text, *scroll, body),
        Some(Overlay::Help { .. }) => draw_help(f, app, body),
        Some(Overlay::Message(m)) => draw_message(f, app, m, body),
        Some(Overlay::Command { .. }) => draw_command(f, app, hints),
        _ => {}
    }
    if !matches!(app.overlays.last(), Some(Overlay::Command { .. })) {
        draw_hints(f, app, hints);
    }
    draw_status(f, app, status);
}

fn draw_crumbs(f: &mut Frame, app: &App, area: Rect) {
    let sep = if app.ascii { " > " } else { " › " };
    let mut parts = vec!["综治中心值班台".to_string(), app.view.label().to_string()];
    for o in &app.overlays {
        parts.push(match o {
            Overlay::Detail(d) => format!("{} 详情", d.id),
            Overlay::Help { .. } => "帮助".into(),
            Overlay::Command { .. } => "命令行".into(),
            Overlay::Message(_) => "提示".into(),
            Overlay::Form(form) => form.kind.title().into(),
            Overlay::Picker(p) => format!("选择{}", p.title),
            Overlay::Ask(_) => "确认".into(),
            Overlay::Report { title, .. } => clean_line(title),
        });
    }
    let l = &app.lists[app.view.index()];
    if !l.filter.is_empty() && app.view != View::Dashboard {
        parts.insert(2, format!("筛选“{}”", clean_line(&l.filter.text())));
    }
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(parts.join(sep), accent()))),
        area,
    );
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let tab = |i: usize, v: &View, wide: bool| {
        let count = match v {
            View::Dashboard => String::new(),
            View::Rollcall => match &app.data.rollcall {
                Some(s) if !s.missing.is_empty() => format!("(缺{})", s.missing.len()),
                _ => String::new(),
            },
            _ => format!("({})", app.data.rows[i].len()),
        };
        if wide {
            format!(" {} {}{} ", i + 1, v.label(), count)
        } else {
            format!("{}{}{} ", i + 1, v.label(), count)
        }
    };
    // Narrow terminals (80 columns) get the tabs without their spacing.
    let wide = View::ALL
        .iter()
        .enumerate()
        .map(|(i, v)| tab(i, v, true).width())
        .sum::<usize>()
        <= area.width as usize;
    let mut spans = Vec::new();
    for (i, v) in View::ALL.iter().enumerate() {
        let style = if *v == app.view {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::styled(tab(i, v, wide), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

struct Column {
    title: &'static str,
    width: usize,
}

fn columns(view: View, total: usize) -> Vec<Column> {
    let fixed: &[(&'static str, usize)] = match view {
        View::Inbox => &[
            ("编号", 14),
            ("状态", 6),
            ("风险", 6),
            ("村(社区)", 10),
            ("类型", 10),
            ("登记时间", 11),
        ],
        View::Queue => &[
            ("分值", 4),
            ("编号", 14),
            ("风险", 4),
            ("村(社区)", 10),
            ("主要原因", 22),
        ],
        View::Supervision => &[
            ("督办", 4),
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
            ("风险", 4),
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
    cols.push(Column {
        title: last,
        width: total.saturating_sub(used).max(4),
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

/// The cells of one row, with the search marks mapped onto the columns that
/// came from the searched text.
fn row_cells(app: &App, view: View, i: usize, marks: &[usize]) -> Vec<(String, Vec<usize>, Style)> {
    let today = app.today();
    let plain = Style::default();
    if view == View::Watchlist {
        let p = &app.data.persons[i];
        let due = p.next_visit_due();
        let mut tip = Vec::new();
        if p.visit_overdue(today) {
            tip.push(format!("走访逾期{}天", (today - due).num_days()));
        }
        if p.past_review(today) {
            tip.push("已过复核日期".into());
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
        return vec![
            (p.id.clone(), vec![], plain),
            (p.name.clone(), name_marks, plain),
            (p.village.clone(), v_marks, plain),
            (p.category.label().into(), vec![], plain),
            (p.risk.label().into(), vec![], plain),
            (due.format("%m-%d").to_string(), vec![], style),
            (tip.join("，"), vec![], style),
        ];
    }
    let s = &app.data.summaries[i];
    // Offsets of the fields inside the searched text (see `doc_of`).
    let parties = s.parties.join(" ");
    let p_len = parties.chars().count();
    let v_start = p_len + 1;
    let t_start = v_start + s.village.chars().count() + 1;
    let c_start = t_start + s.title.chars().count() + 1;
    let id_start = c_start + s.category.chars().count() + 1;
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
            (
                if s.status == Status::Assigned {
                    "待签收".into()
                } else {
                    s.status.label().into()
                },
                vec![],
                plain,
            ),
            (risk, vec![], risk_style),
            (s.village.clone(), v_marks, plain),
            (s.category.clone(), c_marks, plain),
            (
                s.registered_at.format("%m-%d %H:%M").to_string(),
                vec![],
                plain,
            ),
            (s.title.clone(), t_marks, plain),
        ],
        View::Queue => {
            let sc = app.score_of(i);
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
                    if s.supervised {
                        if app.ascii {
                            "*挂".into()
                        } else {
                            "★挂".into()
                        }
                    } else {
                        String::new()
                    },
                    vec![],
                    warn(),
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
        View::Watchlist | View::Dashboard | View::Rollcall => Vec::new(),
    }
}

fn draw_list(f: &mut Frame, app: &mut App, area: Rect) {
    let view = app.view;
    let vi = view.index();
    let rows = app.visible_rows(view).to_vec();
    let total = app.data.rows[vi].len();
    let l = &app.lists[vi];
    let unit = if view == View::Watchlist {
        "人"
    } else {
        "件"
    };
    let mut title = format!(" {} 共 {} {unit} ", view.label(), total);
    if !l.filter.is_empty() {
        title = format!(
            " {} 筛选“{}”：{} / {} {unit}{} ",
            view.label(),
            clean_line(&l.filter.text()),
            rows.len(),
            total,
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

    if !app.data.loaded {
        f.render_widget(Paragraph::new("正在载入…"), body);
    } else if rows.is_empty() {
        let text = if l.filter.is_empty() {
            "（没有记录）"
        } else {
            "（没有匹配的记录）"
        };
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
    let mut lines = Vec::new();
    for (pos, &i) in rows.iter().enumerate().skip(offset).take(height) {
        let marks = if query.is_empty() {
            Vec::new()
        } else if view == View::Watchlist {
            crate::search::highlight(&person_doc(&app.data.persons[i]), &query)
        } else {
            crate::search::highlight(&doc_of(&app.data.summaries[i]), &query)
        };
        let id = if view == View::Watchlist {
            app.data.persons[i].id.clone()
        } else {
            app.data.summaries[i].id.clone()
        };
        let marked = marks_set.contains(&id);
        let is_sel = pos == selected;
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
        for (c, (text, m, style)) in cols.iter().zip(row_cells(app, view, i, &marks)) {
            spans.extend(cell(&text, c.width, &m, style));
            spans.push(Span::raw(" "));
        }
        let mut line = Line::from(spans);
        if is_sel {
            line = line.style(Style::default().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), body);

    if search_line {
        let l = &app.lists[vi];
        let prefix = "筛选/ ";
        let text = format!("{prefix}{}", l.filter.text());
        f.render_widget(Paragraph::new(Span::styled(text, accent())), foot);
        if l.editing {
            let x = foot.x + prefix.width() as u16 + l.filter.caret_column();
            f.set_cursor_position(Position::new(x.min(foot.right().saturating_sub(1)), foot.y));
        }
    }
}

/// The wide screen's side pane: the selected case's key facts and risk reasons.
fn draw_preview(f: &mut Frame, app: &App, area: Rect) {
    let outer = block(app, " 概要（Enter 看详情） ");
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let Some(&i) = app
        .visible_rows(app.view)
        .get(app.lists[app.view.index()].selected)
    else {
        return;
    };
    let mut lines = Vec::new();
    if app.view == View::Watchlist {
        let p = &app.data.persons[i];
        lines.push(Line::styled(
            format!("{} {}", p.id, clean_line(&p.name)),
            accent(),
        ));
        lines.push(Line::raw(format!(
            "{} · {} · 风险{}",
            clean_line(&p.village),
            p.category.label(),
            p.risk.label()
        )));
        lines.push(Line::raw(format!(
            "下次走访 {} · 复核日期 {}",
            p.next_visit_due(),
            p.review_date
        )));
        lines.push(Line::raw(format!("列管理由：{}", clean_line(&p.reason))));
        lines.push(Line::raw("（查看详情会记入查阅日志）"));
    } else {
        let s = &app.data.summaries[i];
        lines.extend(summary_lines(app, s));
        let sc = app.score_of(i);
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("风险分 {}", sc.total), warn()));
        for (r, p) in &sc.reasons {
            lines.push(Line::raw(format!("  {r} +{p}")));
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
            s.status.label(),
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

fn draw_detail(f: &mut Frame, app: &App, d: &super::app::Detail, area: Rect) {
    let outer = block(app, Span::styled(format!(" {} 详情 ", d.id), accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let today = app.today();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &d.error {
        lines.push(Line::styled(e.clone(), warn()));
    }
    match &d.record {
        None if d.error.is_none() => lines.push(Line::raw("正在读取…")),
        None => {}
        Some(Record::Dispute(dispute)) => {
            if let Some(&i) = app.data.by_id.get(&dispute.id) {
                let sc = app.score_of(i);
                let reasons: Vec<String> = sc
                    .reasons
                    .iter()
                    .map(|(r, p)| format!("{r} +{p}"))
                    .collect();
                lines.push(Line::styled(
                    format!("风险分 {}：{}", sc.total, reasons.join("，")),
                    warn(),
                ));
            }
            for text in print::dispute_text(dispute, today).lines() {
                lines.push(styled_detail_line(text));
            }
        }
        Some(Record::Person(p)) => {
            for text in print::person_text(p, today).lines() {
                lines.push(styled_detail_line(text));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((d.scroll, 0)),
        inner,
    );
}

fn styled_detail_line(text: &str) -> Line<'static> {
    let text = text.to_string();
    if text.contains("【已逾期】") || text.contains("【挂牌督办】") || text.contains("已过复核日期")
    {
        Line::styled(text, warn())
    } else if let Some((head, rest)) = text
        .split_once('：')
        .filter(|(h, _)| !h.starts_with(' ') && h.chars().count() <= 6)
    {
        Line::from(vec![
            Span::styled(
                format!("{head}："),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(rest.to_string()),
        ])
    } else {
        Line::raw(text)
    }
}

/// 研判: counts by status, tier, category and village; overdue; 化解率; trend.
pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let Some(Overlay::Help { filter, scroll }) = app.overlays.last() else {
        return;
    };
    let popup = area;
    f.render_widget(Clear, popup);
    let outer = block(
        app,
        Span::styled(" 帮助：按键一览（输入文字筛选，Esc 关闭） ", accent()),
    );
    let inner = outer.inner(popup);
    f.render_widget(outer, popup);
    let [input, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let prefix = "筛选：";
    f.render_widget(Paragraph::new(format!("{prefix}{}", filter.text())), input);
    f.set_cursor_position(Position::new(
        input.x + prefix.width() as u16 + filter.caret_column(),
        input.y,
    ));
    let q = filter.text().to_lowercase();
    let mut lines = Vec::new();
    for layer in Layer::ALL {
        let rows: Vec<Line> = app
            .keymap
            .bindings(layer)
            .iter()
            .map(|b| {
                (
                    b.keys
                        .iter()
                        .map(|k| k.label())
                        .collect::<Vec<_>>()
                        .join(" / "),
                    b.desc.clone(),
                )
            })
            .filter(|(k, d)| {
                q.is_empty()
                    || d.contains(&q)
                    || k.to_lowercase().contains(&q)
                    || layer.label().contains(&q)
            })
            .map(|(k, d)| {
                Line::from(vec![
                    Span::styled(format!("  {k:<16}"), accent()),
                    Span::raw(d),
                ])
            })
            .collect();
        if !rows.is_empty() {
            lines.push(Line::styled(
                format!("【{}】", layer.label()),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            lines.extend(rows);
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "【命令行 :】",
        Style::default().add_modifier(Modifier::BOLD),
    ));
    for (c, d) in [
        ("go 编号", "打开案件或重点人员"),
        ("village 村名", "风险队列按村筛选"),
        ("person 姓名", "重点人员按姓名筛选"),
        ("view 屏名", "切换到某一屏"),
        (
            "export 文件",
            "导出台账（.xlsx/.csv；风险队列按村筛选时只导该村）",
        ),
        ("export persons 文件", "导出重点人员名单（记入日志）"),
        ("q", "退出"),
    ] {
        if q.is_empty() || c.contains(&q) || d.contains(&q) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {c:<16}"), accent()),
                Span::raw(d),
            ]));
        }
    }
    f.render_widget(Paragraph::new(lines).scroll((*scroll, 0)), body);
}

fn draw_message(f: &mut Frame, app: &App, text: &str, area: Rect) {
    let width = text.lines().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let popup = centered(area, width.max(30), text.lines().count() as u16 + 2);
    f.render_widget(Clear, popup);
    let outer = block(app, Span::styled(" 提示 ", accent()));
    let inner = outer.inner(popup);
    f.render_widget(outer, popup);
    f.render_widget(
        Paragraph::new(text.to_string()).wrap(Wrap { trim: false }),
        inner,
    );
}

fn draw_command(f: &mut Frame, app: &App, area: Rect) {
    let Some(Overlay::Command { input, hint }) = app.overlays.last() else {
        return;
    };
    let text = format!(":{}", input.text());
    let mut spans = vec![Span::styled(text, accent())];
    if let Some(h) = hint {
        spans.push(Span::styled(
            format!("    {h}"),
            Style::default().fg(Color::DarkGray),
        ));
    }
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    f.set_cursor_position(Position::new(area.x + 1 + input.caret_column(), area.y));
}

fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    let layers = app.layers();
    let mut spans = Vec::new();
    let mut used = 0usize;
    // F3 only means something while the form warns of a duplicate.
    let duplicate = matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.duplicate.is_some());
    for (action, key, desc) in app.keymap.hints(&layers) {
        if action == Action::OpenExisting && !duplicate {
            continue;
        }
        let piece = format!("{key} {desc}");
        let w = piece.width() + 2;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(key, accent()));
        spans.push(Span::raw(format!(" {desc}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let clock = app.now.format("%Y-%m-%d %H:%M").to_string();
    let who = match &app.me {
        Some(o) => format!("{}（{}）", clean_line(&o.name), o.role.label()),
        None => "未登录".to_string(),
    };
    let (dot_on, dot_off) = if app.ascii {
        ("*", "x")
    } else {
        ("●", "○")
    };
    let conn = if app.online {
        Span::styled(
            format!("{dot_on} 已连接"),
            Style::default().fg(Color::Green),
        )
    } else {
        Span::styled(format!("{dot_off} 连接中断"), warn())
    };
    let mut spans = vec![Span::raw(format!("{who} ")), conn];
    if let Some(p) = &app.sensitive {
        spans.push(Span::styled(
            format!(" 【敏感时期：{}】", clean_line(p)),
            warn(),
        ));
    }
    if let Some((m, err)) = &app.status {
        // Its own span: cutting the message must not eat the gap before it.
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            clean_line(m),
            if *err {
                warn()
            } else {
                Style::default().fg(Color::Yellow)
            },
        ));
    }
    let left_width: usize = spans.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(clock.width() + 1);
    if left_width > room {
        // Cut the message, never the clock.
        let mut kept = Vec::new();
        let mut used = 0;
        for s in spans {
            let w = s.content.width();
            if used + w <= room {
                used += w;
                kept.push(s);
            } else {
                let cut = cell(&s.content, room.saturating_sub(used), &[], s.style);
                kept.extend(cut);
                used = room;
                break;
            }
        }
        spans = kept;
        spans.push(Span::raw(" ".repeat(room.saturating_sub(used) + 1)));
    } else {
        spans.push(Span::raw(
            " ".repeat(area.width as usize - left_width - clock.width()),
        ));
    }
    spans.push(Span::raw(clock));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
