//! Drawing 我的: each section's title with its count, then its cases; the
//! duty desk's sections end with the units missing from today's roll-call.
//! The sections themselves are `domain::mine`; the cursor moves over the
//! cases only (the titles are not rows).

use ratatui::text::{Line, Span};

use super::app::{App, View};
use super::list_view::{list_line, Column, Item};
use super::views::{accent, fit, warn};
use crate::domain::mine::sees_rollcall;

/// What one screen line of 我的 shows.
enum Entry {
    Title(String, bool),
    /// Position in the sections' rows one after another.
    Case(usize),
}

/// The section titles and the case positions, in order. Positions far
/// from the cursor are listed without their rows: only a window is held.
fn entries(app: &App) -> Vec<Entry> {
    let mut out = Vec::new();
    // While the roll-call runs, who has not reported heads the desk's
    // 我的: below a long list it would be off the screen.
    let duty = app.me.as_ref().is_some_and(|o| sees_rollcall(o.role));
    if let (true, Some(sheet)) = (duty, app.data.rollcall.as_ref().filter(|s| s.running)) {
        let missing = &sheet.missing;
        out.push(Entry::Title(
            format!("点名未报（{}）：{}", missing.len(), missing.join("、")),
            !missing.is_empty(),
        ));
    }
    let mut at = 0;
    for &(group, n) in &app.data.mine {
        let n = n as usize;
        out.push(Entry::Title(format!("{}（{n}）", group.label()), n > 0));
        out.extend((at..at + n).map(Entry::Case));
        at += n;
    }
    out
}

/// The lines for a body `height` rows high, scrolled so the cursor shows.
pub(super) fn lines(app: &App, cols: &[Column], height: usize) -> Vec<Line<'static>> {
    let l = &app.lists[View::Mine.index()];
    let all = entries(app);
    let at = all
        .iter()
        .position(|e| matches!(e, Entry::Case(pos) if *pos == l.selected))
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
            Entry::Case(pos) => match app.row_at(View::Mine, *pos) {
                Some(row) => list_line(
                    app,
                    View::Mine,
                    cols,
                    Item::Case(row),
                    "",
                    &l.marks,
                    *pos == l.selected,
                ),
                None => Line::raw("  …"),
            },
        })
        .collect()
}
