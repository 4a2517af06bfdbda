//! A report's text (日报, 交接班 …) over the view, scrollable.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::reports::Report;
use crate::domain::text::clean_line;
use crate::tui::app::{App, NoteKind, Overlay};
use crate::tui::views::{accent, block};

impl App {
    pub(in crate::tui) fn show_report(&mut self, r: Report) {
        self.overlays
            .retain(|o| !matches!(o, Overlay::Report { .. }));
        self.overlays.push(Overlay::Report {
            title: r.title,
            text: r.text,
            scroll: 0,
        });
        // The "正在生成…" note is done; anything else (a keymap warning) stays.
        if self
            .status
            .as_ref()
            .is_some_and(|n| n.kind == NoteKind::Generating)
        {
            self.status = None;
        }
    }
}

pub fn draw(f: &mut Frame, app: &App, title: &str, text: &str, scroll: u16, area: Rect) {
    f.render_widget(Clear, area);
    let outer = block(
        app,
        Span::styled(
            format!(" {}（↑↓ 翻看，Esc 关闭） ", clean_line(title)),
            accent(),
        ),
    );
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let lines: Vec<Line> = text.lines().map(|l| Line::raw(clean_line(l))).collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
