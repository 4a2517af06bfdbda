//! Drawing 我的: each section's title with its count, then its cases; the
//! duty desk's sections end with the units missing from today's roll-call.
//! The sections themselves are `domain::mine`; the cursor moves over the
//! cases only (the titles are not rows).

use ratatui::text::{Line, Span};

use super::app::{App, View};
use super::list_view::{list_line, Column};
use super::views::{accent, fit, warn};
use crate::domain::mine::sees_rollcall;

/// What one screen line of 我的 shows.
enum Entry {
    Title(String, bool),
    /// Position in the flat rows, and the summary's index.
    Case(usize, usize),
}

fn entries(app: &App) -> Vec<Entry> {
    let rows = &app.data.rows[View::Mine.index()];
    let mut out = Vec::new();
    let mut at = 0;
    for &(group, n) in &app.data.mine {
        out.push(Entry::Title(format!("{}（{n}）", group.label()), n > 0));
        out.extend(
            rows.iter()
                .enumerate()
                .skip(at)
                .take(n)
                .map(|(pos, &i)| Entry::Case(pos, i)),
        );
        at += n;
    }
    let duty = app.me.as_ref().is_some_and(|o| sees_rollcall(o.role));
    if let (true, Some(sheet)) = (duty, &app.data.rollcall) {
        let missing = &sheet.missing;
        out.push(Entry::Title(
            format!("点名未报（{}）：{}", missing.len(), missing.join("、")),
            !missing.is_empty(),
        ));
    }
    out
}

/// The lines for a body `height` rows high, scrolled so the cursor shows.
pub(super) fn lines(app: &App, cols: &[Column], height: usize) -> Vec<Line<'static>> {
    let l = &app.lists[View::Mine.index()];
    let all = entries(app);
    let at = all
        .iter()
        .position(|e| matches!(e, Entry::Case(pos, _) if *pos == l.selected))
        .unwrap_or(0);
    let start = (at + 1).saturating_sub(height.max(1));
    let width = cols.iter().map(|c| c.width + 1).sum::<usize>() + 2;
    all.iter()
        .skip(start)
        .take(height)
        .map(|e| match e {
            Entry::Title(text, busy) => {
                let style = if *busy { warn() } else { accent() };
                Line::from(Span::styled(fit(text, width), style))
            }
            Entry::Case(pos, i) => {
                list_line(app, View::Mine, cols, *i, "", &l.marks, *pos == l.selected)
            }
        })
        .collect()
}
