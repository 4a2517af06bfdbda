//! A report's text (日报, 交接班 …) over the view, scrollable.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::reports::Report;
use crate::domain::text::clean_line;
use crate::tui::app::{App, NoteKind, Overlay};
use crate::tui::views::{accent, clear_popup, fit};

impl App {
    /// The handover of a new shift: shown when the officer has opened
    /// nothing yet; otherwise announced, so the next Esc still closes what
    /// the officer meant to close.
    pub(in crate::tui) fn on_handover(&mut self, r: Report) {
        // Opened only on a desk the officer has not started on: a key
        // already pressed was meant for something else.
        if self.overlays.is_empty() && !self.at_work {
            return self.show_report(r);
        }
        self.say("交接班已生成：输入 :report 交接班 查看", false);
    }

    /// A report asked for: shown, unless the officer has meanwhile started
    /// typing somewhere (a form, a choice, the command line); then it waits,
    /// announced (what `Y` asked for is on the clipboard all the same).
    pub(in crate::tui) fn on_report(&mut self, r: Report) {
        let typing = matches!(
            self.overlays.last(),
            Some(Overlay::Form(_) | Overlay::Picker(_) | Overlay::Ask(_) | Overlay::Command(_))
        );
        if !typing {
            return self.show_report(r);
        }
        let copied = std::mem::take(&mut self.copy_report);
        if copied {
            self.clipboard = Some(r.plain().to_string());
            self.copied = true;
        }
        let how = if copied {
            "已复制到剪贴板；"
        } else {
            ""
        };
        self.say(
            format!(
                "{}已生成，{how}输入 :report {} 查看",
                r.title,
                r.kind.label()
            ),
            false,
        );
    }

    pub(in crate::tui) fn show_report(&mut self, r: Report) {
        self.overlays
            .retain(|o| !matches!(o, Overlay::Report { .. }));
        if std::mem::take(&mut self.copy_report) {
            self.clipboard = Some(r.plain().to_string());
            self.copied = true;
        }
        self.overlays.push(Overlay::Report {
            text: r.plain().to_string(),
            title: r.title,
            scroll: 0,
        });
        // The "正在生成…" note is done; anything else (a keymap warning) stays.
        if self
            .status
            .as_ref()
            .is_some_and(|n| n.kind == NoteKind::Generating)
        {
            self.status = None;
            if self.copied {
                self.say(
                    "日报已复制到剪贴板；终端不支持时按 y 显示纯文本，用鼠标选取",
                    false,
                );
            }
        }
    }
}

/// The report over the body, unboxed: a title line, then the text as it
/// is, so a mouse selection takes no border characters.
pub fn draw(f: &mut Frame, title: &str, text: &str, scroll: u16, area: Rect) {
    clear_popup(f, area);
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let head_text = format!("{}（↑↓ 翻看，y 复制，Esc 关闭）", clean_line(title));
    f.render_widget(
        Paragraph::new(Span::styled(fit(&head_text, head.width as usize), accent())),
        head,
    );
    let lines: Vec<Line> = text.lines().map(|l| Line::raw(clean_line(l))).collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
}

/// The text alone over the whole screen, for the mouse (`y` twice).
pub fn draw_plain(f: &mut Frame, text: &str, scroll: u16) {
    let area = f.area();
    f.render_widget(Clear, area);
    let lines: Vec<Line> = text.lines().map(|l| Line::raw(clean_line(l))).collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}
