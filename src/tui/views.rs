//! Drawing, purely from `App`: the frame (breadcrumbs, tabs, body, hint bar,
//! status line) and the pieces the other drawing files share. The lists are
//! in `list_view`, the overlays in `overlay`. Every text from the store goes
//! through `clean_line` again, so nothing in a record can drive the terminal.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::{App, NoteKind, Overlay, View};
use super::list_view::{draw_list, draw_preview};
use super::overlay::{self, detail};
use super::{alert_strip, form_view, routine_view};
use crate::domain::text::clean_line;

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

pub(in crate::tui) fn block<'a>(app: &App, title: impl Into<Line<'a>>) -> Block<'a> {
    let b = Block::default().borders(Borders::ALL).title(title);
    if app.ascii {
        b.border_set(ASCII_BORDER)
    } else {
        b.border_set(border::PLAIN)
    }
}

pub(in crate::tui) fn accent() -> Style {
    Style::default()
        .fg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub(in crate::tui) fn warn() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

fn hl() -> Style {
    Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// Cuts `text` to `width` columns with `…`, padding to exactly `width`;
/// chars at `marks` (char indices) are highlighted.
pub(in crate::tui) fn cell(
    text: &str,
    width: usize,
    marks: &[usize],
    style: Style,
) -> Vec<Span<'static>> {
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

/// Cuts a line of spans to `width` columns, ending in `…` where it is cut;
/// the one way text is shortened outside table cells (tabs, status line).
pub(in crate::tui) fn fit_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        return spans;
    }
    let mut kept = Vec::new();
    let mut used = 0;
    for s in spans {
        let w = s.content.width();
        if used + w < width {
            used += w;
            kept.push(s);
        } else {
            // Something always follows (the total is too wide), so even a
            // span that would just fit is cut to make room for the `…`.
            // `cell` pads to the width it is given; the padding goes.
            let more = format!("{}…", s.content);
            let cut: String = cell(&more, width - used, &[], s.style)
                .iter()
                .map(|p| p.content.as_ref())
                .collect();
            kept.push(Span::styled(cut.trim_end().to_string(), s.style));
            break;
        }
    }
    kept
}

/// `text` cut to `width` columns with `…` (a block title, a heading).
pub(in crate::tui) fn fit(text: &str, width: usize) -> String {
    fit_spans(vec![Span::raw(text.to_string())], width)
        .into_iter()
        .map(|s| s.content.into_owned())
        .collect()
}

/// Clears `area` for a popup. A double-width character just left of it
/// would cover the popup's left border on the terminal (ratatui skips the
/// cell a wide character covers), so that character becomes a space.
pub(in crate::tui) fn clear_popup(f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
    let buf = f.buffer_mut();
    if area.x <= buf.area.x {
        return;
    }
    for y in area.top()..area.bottom() {
        let cell = &mut buf[(area.x - 1, y)];
        if cell.symbol().width() > 1 {
            cell.set_symbol(" ");
        }
    }
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
    if let Some(Overlay::Plain { text, scroll }) = app.overlays.last() {
        return overlay::report::draw_plain(f, text, *scroll);
    }
    let [crumbs, tabs, alerts, body, hints, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(alert_strip::height(app)),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_crumbs(f, app, crumbs);
    draw_tabs(f, app, tabs);
    alert_strip::draw(f, app, alerts);
    // Rows of the list body: border and header take three.
    app.page = body.height.saturating_sub(3).max(1) as usize;
    match app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail(d) => Some(d.clone()),
        _ => None,
    }) {
        Some(d) => detail::draw(f, app, &d, body),
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
    overlay::draw_top(f, app, body, hints);
    if !app.overlays.last().is_some_and(|o| o.owns_hint_bar()) {
        draw_hints(f, app, hints);
    }
    draw_status(f, app, status);
}

fn draw_crumbs(f: &mut Frame, app: &App, area: Rect) {
    let sep = if app.ascii { " > " } else { " › " };
    let mut parts = vec!["综治中心值班台".to_string(), app.view.label().to_string()];
    parts.extend(app.overlays.iter().map(|o| o.crumb()));
    let l = &app.lists[app.view.index()];
    if !l.filter.is_empty() && app.view != View::Dashboard {
        parts.insert(2, format!("筛选“{}”", clean_line(&l.filter.text())));
    }
    let width = area.width as usize;
    let crumbs = parts.join(sep);
    // Presence: who else has this case open, where the officer looks first.
    // On a narrow line the crumbs are cut before it (down to half the line);
    // the gap is its own span, so cutting never runs the two together.
    let mut spans = match app.others_on_case() {
        Some(others) => {
            let room = width.saturating_sub(others.width() + 2).max(width / 2);
            let mut s = fit_spans(vec![Span::styled(crumbs, accent())], room);
            s.push(Span::raw("  "));
            s.push(Span::styled(others, warn()));
            s
        }
        None => vec![Span::styled(crumbs, accent())],
    };
    spans = fit_spans(spans, width);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// How much room the tabs take: padded, tight, or (80 columns with eight
/// tabs) without the key numbers, which the help (?) still lists.
#[derive(Clone, Copy)]
enum TabRoom {
    Wide,
    Tight,
    Bare,
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    // The number is the key that opens the screen: 0 我的, 1 待处理 …
    let tab = |i: usize, v: &View, room: TabRoom| {
        let count = match v {
            View::Dashboard => String::new(),
            View::Rollcall => match &app.data.rollcall {
                Some(s) if !s.missing.is_empty() => format!("(缺{})", s.missing.len()),
                _ => String::new(),
            },
            View::Mine => format!("({})", app.data.mine.iter().map(|(_, n)| n).sum::<u32>()),
            // The register is fetched when the watchlist is first opened.
            View::Watchlist if !app.data.persons_asked => String::new(),
            View::Watchlist => format!("({})", app.data.rows[i].len()),
            View::Inbox | View::Queue | View::Supervision | View::FollowUps => {
                let n = v.screen().and_then(|s| app.data.tally.total(s));
                format!("({})", n.unwrap_or(0))
            }
        };
        match room {
            TabRoom::Wide => format!(" {} {}{} ", i, v.label(), count),
            TabRoom::Tight => format!("{}{}{} ", i, v.label(), count),
            TabRoom::Bare => format!("{}{} ", v.label(), count),
        }
    };
    let width = |room: TabRoom| {
        View::ALL
            .iter()
            .enumerate()
            .map(|(i, v)| tab(i, v, room).width())
            .sum::<usize>()
    };
    let room = [TabRoom::Wide, TabRoom::Tight]
        .into_iter()
        .find(|r| width(*r) <= area.width as usize)
        .unwrap_or(TabRoom::Bare);
    let mut spans = Vec::new();
    for (i, v) in View::ALL.iter().enumerate() {
        let style = if *v == app.view {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::styled(tab(i, v, room), style));
    }
    let spans = fit_spans(spans, area.width as usize);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

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

fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    let layers = app.layers();
    let mut spans = Vec::new();
    let mut used = 0usize;
    let top = app.overlays.last();
    for (action, key, desc) in app.keymap.hints(&layers) {
        if top.is_some_and(|o| !o.offers(action)) || !app.may_now(action) {
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
    let conn = if app.damaged.is_some() {
        Span::styled(format!("{dot_off} 库已损坏，停止保存"), warn())
    } else if app.online {
        Span::styled(
            format!("{dot_on} 已连接"),
            Style::default().fg(Color::Green),
        )
    } else {
        Span::styled(format!("{dot_off} 连接中断"), warn())
    };
    let banner = app
        .sensitive
        .as_ref()
        .map(|p| Span::styled(format!(" 【敏感时期：{}】", clean_line(p)), warn()));
    let room = (area.width as usize).saturating_sub(clock.width() + 1);
    let width = |spans: &[Span]| spans.iter().map(|s| s.content.width()).sum::<usize>();
    let who = Span::raw(format!("{who} "));
    let spans: Vec<Span<'static>> = match app.status.as_ref().filter(|n| n.stands(app.now)) {
        None => [Some(who), Some(conn), banner]
            .into_iter()
            .flatten()
            .collect(),
        Some(note) => {
            let style = match note.kind {
                NoteKind::Error => warn(),
                NoteKind::Info | NoteKind::Generating | NoteKind::Refreshing => {
                    Style::default().fg(Color::Yellow)
                }
            };
            // Its own span: cutting the message must not eat the gap before it.
            let msg = [Span::raw("  "), Span::styled(clean_line(&note.text), style)];
            // A message outranks the banner (the 点名 and 研判 titles name
            // the period too), then the name, then the link: the 编号 or
            // the reason must show whole.
            let full: Vec<Span> = [Some(who), Some(conn.clone()), banner]
                .into_iter()
                .flatten()
                .chain(msg.clone())
                .collect();
            let no_banner: Vec<Span> = full[..2].iter().cloned().chain(msg.clone()).collect();
            let link: Vec<Span> = std::iter::once(conn).chain(msg.clone()).collect();
            [full, no_banner, link]
                .into_iter()
                .find(|s| width(s) <= room)
                .unwrap_or_else(|| msg.to_vec())
        }
    };
    let mut spans = fit_spans(spans, room);
    let used = width(&spans);
    spans.push(Span::raw(
        " ".repeat(area.width as usize - used - clock.width()),
    ));
    spans.push(Span::raw(clock));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
