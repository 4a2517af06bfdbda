//! Drawing the roll-call screen and the 研判 dashboard.

use chrono::Datelike;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, View};
use super::views::{accent, block, cell, fit, warn};
use crate::domain::lists::RollcallKind;
use crate::domain::reports::{rate_text, Count};
use crate::domain::text::clean_line;

fn bold() -> Style {
    Style::default().add_modifier(Modifier::BOLD)
}

pub fn draw_rollcall(f: &mut Frame, app: &mut App, area: Rect) {
    let title = match &app.data.rollcall {
        None => " 点名 ".to_string(),
        Some(s) => {
            let state = if !s.periods.is_empty() {
                format!("敏感时期：{}", s.periods.join("、"))
            } else if s.running {
                "每日点名".into()
            } else {
                "不在敏感时期，点名未启用，仍可登记".into()
            };
            format!(
                " 点名 {}：已报 {}/{}（有情况 {}，零报告 {}），未报 {}；{}:00 截止；{state} ",
                s.date.format("%m-%d"),
                s.reported.len(),
                s.expected,
                s.count(RollcallKind::News),
                s.count(RollcallKind::Zero),
                s.missing.len(),
                s.due_hour
            )
        }
    };
    let title = fit(&clean_line(&title), area.width.saturating_sub(2) as usize);
    let outer = block(app, Span::styled(title, accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let widths = [14usize, 10, 4, 5, 8];
    let rest =
        (inner.width as usize).saturating_sub(2 + widths.iter().map(|w| w + 1).sum::<usize>());
    let mut header = vec![Span::raw("  ")];
    for (t, w) in [
        "村(社区)/单位",
        "状态",
        "方式",
        "时间",
        "登记人",
        "报告内容",
    ]
    .iter()
    .zip(widths.iter().copied().chain([rest.max(4)]))
    {
        header.extend(cell(t, w, &[], bold()));
        header.push(Span::raw(" "));
    }
    f.render_widget(Paragraph::new(Line::from(header)), head);

    let height = body.height as usize;
    let n = app.rollcall_rows().len();
    let l = &mut app.lists[View::Rollcall.index()];
    l.selected = l.selected.min(n.saturating_sub(1));
    if l.selected < l.offset {
        l.offset = l.selected;
    } else if height > 0 && l.selected >= l.offset + height {
        l.offset = l.selected + 1 - height;
    }
    let (offset, selected) = (l.offset, l.selected);
    if app.data.rollcall.is_none() {
        f.render_widget(Paragraph::new("正在载入…"), body);
        return;
    }
    if n == 0 {
        f.render_widget(
            Paragraph::new("（名录中没有村(社区)或责任单位，请管理员先维护名录）"),
            body,
        );
        return;
    }
    let officers = &app.data.officers;
    let mut lines = Vec::new();
    for (pos, r) in app
        .rollcall_rows()
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
    {
        let (state, style) = match (r.entry, r.flagged) {
            (Some(e), _) if e.kind == RollcallKind::News => ("有情况", warn()),
            (Some(_), _) => ("零报告", Style::default().fg(Color::Green)),
            (None, true) => ("未报·督办", warn()),
            (None, false) => ("未报", Style::default().fg(Color::Yellow)),
        };
        let cells = match r.entry {
            Some(e) => [
                e.channel.label().to_string(),
                e.at.format("%H:%M").to_string(),
                officers
                    .get(&e.by)
                    .map(|o| o.name.clone())
                    .unwrap_or(e.by.clone()),
                e.text.clone(),
            ],
            None => Default::default(),
        };
        let pointer = match (pos == selected, app.ascii) {
            (true, false) => "▶ ",
            (true, true) => "> ",
            _ => "  ",
        };
        let mut spans = vec![Span::raw(pointer)];
        spans.extend(cell(r.unit, widths[0], &[], Style::default()));
        spans.push(Span::raw(" "));
        spans.extend(cell(state, widths[1], &[], style));
        for (text, w) in cells
            .iter()
            .zip(widths[2..].iter().copied().chain([rest.max(4)]))
        {
            spans.push(Span::raw(" "));
            spans.extend(cell(text, w, &[], Style::default()));
        }
        let mut line = Line::from(spans);
        if pos == selected {
            line = line.style(Style::default().add_modifier(Modifier::REVERSED));
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), body);
}

fn count_lines(title: &str, counts: &[Count], n: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(title.to_string(), bold())];
    if counts.is_empty() {
        out.push(Line::raw("  无"));
    }
    for c in counts.iter().take(n) {
        out.push(Line::raw(format!("  {} {}", clean_line(&c.name), c.n)));
    }
    out
}

/// Sections stacked in `height` rows: each whole while it fits; the first
/// that does not is cut to its heading and the rows that fit (two at the
/// least), and the rest left off, so no heading stands without rows.
fn stack(sections: Vec<Vec<Line<'static>>>, height: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for s in sections {
        let room = height.saturating_sub(out.len());
        if s.len() <= room {
            out.extend(s);
        } else {
            if room >= 2 {
                out.extend(s.into_iter().take(room));
            }
            break;
        }
    }
    out
}

/// The 研判 screen: the 研判会 figures of the current half-month, drawn.
pub fn draw_dashboard(f: &mut Frame, app: &mut App, area: Rect) {
    let Some(a) = app.data.analysis.clone() else {
        let outer = block(app, Span::styled(" 研判 ", accent()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        return f.render_widget(Paragraph::new("正在统计…"), inner);
    };
    let mut title = format!(" 研判：{} ", a.label);
    if !a.periods.is_empty() {
        title.push_str(&format!("【敏感时期：{}】 ", a.periods.join("、")));
    }
    let title = fit(&clean_line(&title), area.width.saturating_sub(2) as usize);
    let outer = block(app, Span::styled(title, accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    // A short window gives the figures the room and the trend one line of
    // numbers; a tall one draws the trend as bars.
    let bars = inner.height >= 30;
    let [top, chart] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(if bars { 10 } else { 3 }),
    ])
    .areas(inner);
    let [left, mid, right] = Layout::horizontal([
        Constraint::Percentage(34),
        Constraint::Percentage(30),
        Constraint::Fill(1),
    ])
    .areas(top);
    let flag = |n: u32| if n > 0 { warn() } else { Style::default() };
    let l = vec![
        Line::styled(format!("本期新登记 {}", a.new_total), accent()),
        Line::raw(match a.resolution_rate {
            Some(_) => format!(
                "化解率 {}（{}/{}）",
                rate_text(a.resolution_rate),
                a.new_resolved,
                a.new_total
            ),
            None => "化解率 —（本期无新登记）".into(),
        }),
        Line::raw(match a.mediation_rate {
            Some(_) => format!(
                "调解成功率 {}（{}/{}）",
                rate_text(a.mediation_rate),
                a.mediated_total,
                a.closed_total
            ),
            None => "调解成功率 —（本期无销号）".into(),
        }),
        Line::styled(format!("在办 {}", a.open_total), bold()),
        Line::styled(format!("  逾期未化解 {}", a.overdue), flag(a.overdue)),
        Line::raw(format!("  挂牌督办 {}", a.supervised)),
        Line::raw(format!("  领导包案 {}", a.packaged)),
        Line::styled(
            format!("  民转刑倾向 {}", a.criminal_tendency),
            flag(a.criminal_tendency),
        ),
    ];
    let height = top.height as usize;
    let tiers = count_lines("在办按层级", &a.open_by_tier, 4);
    f.render_widget(Paragraph::new(stack(vec![l, tiers], height)), left);
    let m = stack(
        vec![
            count_lines("在办按状态", &a.open_by_status, 9),
            count_lines("本期按类型（前 5）", &a.by_category, 5),
        ],
        height,
    );
    f.render_widget(Paragraph::new(m), mid);
    let mut risks = vec![Line::styled("重点风险（前 5）", bold())];
    let width = right.width as usize;
    for c in a.top_risks.iter().take(5) {
        // As the queue's 主要原因: the period's share is the same on every row.
        let reasons: Vec<&str> = c
            .reasons
            .iter()
            .map(|(r, _)| r.as_str())
            .filter(|r| *r != crate::domain::risk::SENSITIVE_REASON)
            .take(2)
            .collect();
        let text = format!("  {} {}分 {}", c.id, c.score, reasons.join("、"));
        risks.push(Line::from(cell(&text, width, &[], Style::default())));
    }
    // The cases to act on before the places they are in.
    let villages = count_lines("本期按村(社区)（前 5）", &a.by_village, 5);
    f.render_widget(Paragraph::new(stack(vec![risks, villages], height)), right);
    draw_trend(f, &a, chart, bars);
}

/// New and resolved per half-month, the current one last: bars when there
/// is the height, else one line of numbers ("11月上 34/6").
fn draw_trend(
    f: &mut Frame,
    a: &crate::domain::reports::analysis::AnalysisFigures,
    chart: Rect,
    bars: bool,
) {
    if !bars {
        let pairs: Vec<String> = a
            .trend
            .iter()
            .map(|t| {
                let half = if t.from.day() <= 15 { "上" } else { "下" };
                format!("{}月{half} {}/{}", t.from.month(), t.new, t.resolved)
            })
            .collect();
        let lines = vec![
            Line::styled("近几个半月 新登记/化解", bold()),
            Line::raw(pairs.join("  ")),
        ];
        return f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), chart);
    }
    // The trend: new and resolved per half-month, the current one last.
    let groups: Vec<BarGroup> = a
        .trend
        .iter()
        .map(|t| {
            // 11月上 / 11月下: six columns, the width of a group.
            let half = if t.from.day() <= 15 { "上" } else { "下" };
            BarGroup::default()
                .label(Line::raw(format!("{}月{half}", t.from.month())))
                .bars(&[
                    Bar::default()
                        .value(u64::from(t.new))
                        .style(Style::default().fg(Color::Cyan)),
                    Bar::default()
                        .value(u64::from(t.resolved))
                        .style(Style::default().fg(Color::Green)),
                ])
        })
        .collect();
    let mut chart_widget = BarChart::default()
        .block(Block::default().title("近几个半月：新登记（青）与化解（绿）"))
        .bar_width(3)
        // A column between the two bars keeps their numbers apart.
        .bar_gap(1)
        .group_gap(2);
    for g in groups {
        chart_widget = chart_widget.data(g);
    }
    f.render_widget(chart_widget, chart);
}
