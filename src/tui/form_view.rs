//! Drawing the forms, pickers and questions. The focused field keeps the real
//! terminal cursor at its caret, so an input method's candidate window
//! appears where the officer types.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::app::App;
use super::flows::Ask;
use super::form::{Field, FieldKind, Form};
use super::picker::Picker;
use super::views::{accent, block, cell, centered, clear_popup, warn};
use crate::domain::text::clean_line;

/// Rows a multi-line field shows at most.
const LINES_SHOWN: usize = 4;

fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The part of `chars` that fits `width` columns with the caret in view, and
/// the caret's column in it.
fn window(chars: &[char], caret: usize, width: usize) -> (String, u16) {
    let w = |c: &char| c.width().unwrap_or(0);
    let mut start = 0;
    while chars[start..caret].iter().map(w).sum::<usize>() + 1 > width && start < caret {
        start += 1;
    }
    let mut used = 0;
    let mut out = String::new();
    for c in &chars[start..] {
        if used + w(c) > width {
            break;
        }
        used += w(c);
        out.push(*c);
    }
    let col = chars[start..caret].iter().map(w).sum::<usize>() as u16;
    (out, col)
}

struct Row {
    line: Line<'static>,
    field: usize,
    /// Caret column in the value area, when the caret is on this row.
    caret: Option<u16>,
}

/// Where a field's rows go: the label column, the value column, the theme.
struct Place {
    i: usize,
    focused: bool,
    ascii: bool,
    label_w: usize,
    value_w: usize,
}

fn field_rows(
    app: &App,
    i: usize,
    field: &Field,
    focused: bool,
    label_w: usize,
    value_w: usize,
) -> Vec<Row> {
    let at = Place {
        i,
        focused,
        ascii: app.ascii,
        label_w,
        value_w,
    };
    let mut rows = match &field.kind {
        FieldKind::Submit => return vec![submit_row(&at)],
        FieldKind::AddParty => return vec![add_party_row(&at, field)],
        FieldKind::Lines => lines_rows(&at, field),
        kind => vec![value_row(&at, field, kind)],
    };
    if let Some(e) = &field.error {
        let arrow = if at.ascii { "->" } else { "↳" };
        rows.push(Row {
            line: Line::from(vec![
                Span::raw(" ".repeat(label_w)),
                Span::styled(format!("{arrow} {}", clean_line(e)), warn()),
            ]),
            field: i,
            caret: None,
        });
    }
    rows
}

fn marker(at: &Place) -> &'static str {
    match (at.focused, at.ascii) {
        (true, true) => ">",
        (true, false) => "›",
        (false, _) => " ",
    }
}

/// The label cell: focus marker, required star, label, padded.
fn head(at: &Place, field: &Field) -> Vec<Span<'static>> {
    let star = if field.required { "*" } else { " " };
    let label_style = if at.focused {
        accent()
    } else {
        Style::default()
    };
    let label = format!("{}{star}{}", marker(at), field.label);
    vec![Span::styled(
        format!(
            "{label}{}",
            " ".repeat(at.label_w.saturating_sub(label.width()))
        ),
        label_style,
    )]
}

fn submit_row(at: &Place) -> Row {
    let b = if at.focused {
        "[ 提交 ]  Enter 或 Ctrl-S"
    } else {
        "[ 提交 ]  Ctrl-S"
    };
    let style = if at.focused {
        accent().add_modifier(Modifier::REVERSED)
    } else {
        accent()
    };
    Row {
        line: Line::from(Span::styled(format!("  {b}"), style)),
        field: at.i,
        caret: None,
    }
}

fn add_party_row(at: &Place, field: &Field) -> Row {
    Row {
        line: Line::from(Span::styled(
            format!(" {}{}", marker(at), field.label),
            if at.focused { accent() } else { dim() },
        )),
        field: at.i,
        caret: None,
    }
}

/// A multi-line field: the lines around the caret, the label on the first.
fn lines_rows(at: &Place, field: &Field) -> Vec<Row> {
    let text = field.text();
    let chars: Vec<char> = text.chars().collect();
    let mut head = head(at, field);
    let mut rows = Vec::new();
    let lines: Vec<&[char]> = chars.split(|c| *c == '\n').collect();
    let (caret_line, _) = field.input.caret_line_column();
    let first = (caret_line as usize + 1).saturating_sub(LINES_SHOWN);
    let mut offset: usize = lines[..first].iter().map(|l| l.len() + 1).sum();
    for (n, l) in lines.iter().enumerate().skip(first).take(LINES_SHOWN) {
        let here = at.focused && n == caret_line as usize;
        let (shown, col) = if here {
            window(l, field.input.caret() - offset, at.value_w)
        } else {
            (l.iter().collect::<String>(), 0)
        };
        let mut spans = if n == first {
            std::mem::take(&mut head)
        } else {
            vec![Span::raw(" ".repeat(at.label_w))]
        };
        spans.extend(cell(&shown, at.value_w, &[], Style::default()));
        rows.push(Row {
            line: Line::from(spans),
            field: at.i,
            caret: here.then_some(col),
        });
        offset += l.len() + 1;
    }
    if text.is_empty() {
        if let (Some(h), Some(r)) = (&field.hint, rows.first_mut()) {
            r.line = Line::from(vec![
                r.line.spans[0].clone(),
                Span::styled(clean_line(h), dim()),
            ]);
        }
    }
    rows
}

/// A one-line field: typed text with its caret, or a choice or toggle.
fn value_row(at: &Place, field: &Field, kind: &FieldKind) -> Row {
    let text = field.text();
    let chars: Vec<char> = text.chars().collect();
    let typed = field.is_typed();
    let (shown, col) = if typed {
        window(&chars, field.input.caret(), at.value_w.saturating_sub(1))
    } else {
        (text.clone(), 0)
    };
    let mut value = match kind {
        FieldKind::Choice(_) | FieldKind::Multi(_) => {
            let arrow = if at.ascii { " v" } else { " ▾" };
            if shown.is_empty() {
                vec![Span::styled(format!("（请选择）{arrow}"), dim())]
            } else {
                vec![
                    Span::raw(clean_line(&shown)),
                    Span::styled(arrow.to_string(), dim()),
                ]
            }
        }
        FieldKind::Toggle => vec![Span::styled(format!("[{shown}]"), accent())],
        FieldKind::Text
        | FieldKind::Lines
        | FieldKind::Date
        | FieldKind::Number
        | FieldKind::AddParty
        | FieldKind::Submit => vec![Span::raw(shown.clone())],
    };
    if let Some(n) = &field.note {
        value.push(Span::styled(
            format!("  {}", clean_line(n)),
            Style::default().fg(Color::Cyan),
        ));
    } else if text.is_empty() || !typed {
        if let Some(h) = &field.hint {
            if text.is_empty() || matches!(kind, FieldKind::Toggle) {
                value.push(Span::styled(format!("  {}", clean_line(h)), dim()));
            }
        }
    }
    let used: usize = value.iter().map(|s| s.content.width()).sum();
    if used > at.value_w {
        let joined: String = value.iter().map(|s| s.content.as_ref()).collect();
        value = cell(&joined, at.value_w, &[], Style::default());
    }
    let mut line = head(at, field);
    line.extend(value);
    Row {
        line: Line::from(line),
        field: at.i,
        caret: (at.focused && typed).then_some(col),
    }
}

pub fn draw_form(f: &mut Frame, app: &App, form: &Form, area: Rect) {
    clear_popup(f, area);
    let title = match form.targets.as_slice() {
        [] => form.kind.title().to_string(),
        [one] => format!("{} {}", form.kind.title(), one.id),
        many => format!("{}（批量 {} 件）", form.kind.title(), many.len()),
    };
    let outer = block(app, Span::styled(format!(" {title} "), accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);

    let mut foot: Vec<Line> = form
        .live
        .iter()
        .map(|l| Line::styled(clean_line(l), Style::default().fg(Color::Yellow)))
        .collect();
    if form.pending > 0 {
        foot.push(Line::styled(
            "正在提交…",
            Style::default().fg(Color::Yellow),
        ));
    }
    if let Some(e) = &form.error {
        foot.extend(e.lines().map(|l| Line::styled(clean_line(l), warn())));
    }
    let width = inner.width.max(1) as usize;
    let foot_h: usize = foot
        .iter()
        .map(|l| l.width().div_ceil(width).max(1))
        .sum::<usize>()
        .min(inner.height as usize / 3);
    let [body, footer] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(foot_h as u16)]).areas(inner);

    let label_w = form
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Submit | FieldKind::AddParty))
        .map(|f| f.label.width() + 2)
        .max()
        .unwrap_or(8)
        + 2;
    let value_w = (body.width as usize).saturating_sub(label_w).max(4);
    let rows: Vec<Row> = form
        .fields
        .iter()
        .enumerate()
        .flat_map(|(i, fl)| field_rows(app, i, fl, i == form.focus, label_w, value_w))
        .collect();
    // Scroll so the whole focused field is in view.
    let height = body.height as usize;
    let first = rows.iter().position(|r| r.field == form.focus).unwrap_or(0);
    let last = rows
        .iter()
        .rposition(|r| r.field == form.focus)
        .unwrap_or(0);
    let top = if last + 1 > height {
        (last + 1 - height).min(first)
    } else {
        0
    };
    let mut cursor = None;
    let mut lines = Vec::new();
    for (n, r) in rows.into_iter().enumerate().skip(top).take(height) {
        if let Some(col) = r.caret {
            cursor = Some(Position::new(
                body.x + label_w as u16 + col,
                body.y + (n - top) as u16,
            ));
        }
        lines.push(r.line);
    }
    f.render_widget(Paragraph::new(lines), body);
    f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), footer);
    if let Some(p) = cursor {
        f.set_cursor_position(p);
    }
}

pub fn draw_picker(f: &mut Frame, app: &App, p: &Picker, area: Rect) {
    let hint = if p.multi {
        "空格勾选，Enter 确定"
    } else {
        "Enter 选定"
    };
    let title = format!(" 选择{}（{hint}） ", p.title);
    let longest = p.options.iter().map(|o| o.width()).max().unwrap_or(10) + 8;
    let width = longest.max(title.width() + 4).clamp(30, 70) as u16;
    let height = (p.options.len() as u16 + 3).clamp(6.min(area.height), area.height);
    let popup = centered(area, width, height);
    clear_popup(f, popup);
    let outer = block(app, Span::styled(title, accent()));
    let inner = outer.inner(popup);
    f.render_widget(outer, popup);
    let [input, list] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let prefix = "输入筛选：";
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prefix, dim()),
            Span::raw(p.filter.text()),
        ])),
        input,
    );
    f.set_cursor_position(Position::new(
        input.x + prefix.width() as u16 + p.filter.caret_column(),
        input.y,
    ));
    let rows = list.height as usize;
    let top = (p.selected + 1).saturating_sub(rows);
    let mut lines = Vec::new();
    if p.shown.is_empty() {
        lines.push(Line::styled("没有匹配的选项", dim()));
    }
    for (n, &i) in p.shown.iter().enumerate().skip(top).take(rows) {
        let tick = match (p.multi, p.chosen.contains(&i)) {
            (false, _) => "",
            (true, true) => "[x] ",
            (true, false) => "[ ] ",
        };
        // The cursor row is marked by `›` as well as by colour, which a
        // monochrome terminal or a screen reader may not show.
        let (cursor, style) = if n == p.selected {
            (
                if app.ascii { "> " } else { "› " },
                accent().add_modifier(Modifier::REVERSED),
            )
        } else {
            ("  ", Style::default())
        };
        let mut spans = vec![Span::styled(cursor, style)];
        spans.extend(cell(
            &format!("{tick}{}", p.options[i]),
            (list.width as usize).saturating_sub(2),
            &[],
            style,
        ));
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), list);
}

pub fn draw_ask(f: &mut Frame, app: &App, ask: &Ask, area: Rect) {
    let width = ask.text.lines().map(|l| l.width()).max().unwrap_or(20) as u16 + 4;
    let popup = centered(area, width.max(30), ask.text.lines().count() as u16 + 2);
    clear_popup(f, popup);
    let outer = block(app, Span::styled(" 请确认 ", accent()));
    let inner = outer.inner(popup);
    f.render_widget(outer, popup);
    f.render_widget(
        Paragraph::new(ask.text.clone()).wrap(Wrap { trim: false }),
        inner,
    );
}
