//! `y`: what the officer is looking at (a report, a case, a list), as the
//! plain text the command line prints, to the officer's own clipboard
//! through the terminal (OSC 52: Xshell, Windows Terminal, iTerm2, tmux with
//! `set-clipboard on`). Where the terminal cannot take it (`DESK_CLIPBOARD=off`,
//! or a second `y`), the same text is shown unboxed over the whole screen,
//! ready for the mouse. `Y` copies the 日报 from any screen.

use base64::Engine;

use super::app::{App, Overlay, View};
use super::overlay::detail::Record;
use crate::domain::reports::Kind;
use crate::domain::summary::Summary;
use crate::print;

/// The escape sequence that hands `text` to the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{b64}\u{7}")
}

impl App {
    /// The plain text of what is on top, as `desk report` / `show` / `list`
    /// print it; None where there is nothing to copy (yet).
    pub fn screen_text(&self) -> Option<String> {
        let today = self.today();
        match self.overlays.last() {
            Some(Overlay::Report { text, .. } | Overlay::Plain { text, .. }) => Some(text.clone()),
            Some(Overlay::Detail(d)) => match &d.record {
                Some(Record::Dispute(r)) => Some(
                    print::dispute_text(r, today, &self.data.names)
                        .trim_end()
                        .into(),
                ),
                Some(Record::Person(p)) => Some(
                    print::person_text(p, today, &self.data.names)
                        .trim_end()
                        .into(),
                ),
                None => None,
            },
            Some(
                Overlay::Help(_)
                | Overlay::Command(_)
                | Overlay::Form(_)
                | Overlay::Picker(_)
                | Overlay::Ask(_),
            ) => None,
            None => self.list_text(),
        }
    }

    /// The list on screen (filtered as shown), as `desk list` prints it:
    /// the rows the desk holds around the cursor, and how many there are.
    fn list_text(&self) -> Option<String> {
        let rows = self.visible_rows(self.view);
        match self.view {
            View::Mine | View::Inbox | View::Queue | View::Supervision | View::FollowUps => {
                let w = self.data.wins[self.view.index()].window.as_ref()?;
                let items: Vec<&Summary> = w.rows.iter().map(|r| &r.case).collect();
                let mut text = print::disputes_listing(&items, self.today());
                if (w.rows.len() as u32) < w.total {
                    text.push_str(&format!(
                        "\n（第 {}–{} 件，共 {} 件）",
                        w.from + 1,
                        w.from as usize + w.rows.len(),
                        w.total
                    ));
                }
                Some(text)
            }
            View::Watchlist => {
                let items: Vec<_> = rows
                    .iter()
                    .filter_map(|&i| self.data.persons.get(i).cloned())
                    .collect();
                Some(print::persons_listing(&items, self.today()))
            }
            View::Dashboard | View::Rollcall => None,
        }
    }

    /// `y`: to the clipboard; a second `y` straight after (or with the
    /// clipboard switched off) shows the text for the mouse instead.
    pub(super) fn copy_screen(&mut self, again: bool) {
        let Some(text) = self.screen_text() else {
            return self.say("这里没有可复制的文字", true);
        };
        if again || !self.osc52 {
            self.overlays
                .retain(|o| !matches!(o, Overlay::Plain { .. }));
            self.overlays.push(Overlay::Plain { text, scroll: 0 });
            return;
        }
        let lines = text.lines().count();
        self.clipboard = Some(text);
        self.copied = true;
        self.say(
            format!("已复制 {lines} 行到剪贴板；终端不支持时再按 y 显示纯文本，用鼠标选取"),
            false,
        );
    }

    /// `Y`: the 日报 is asked for, shown, and copied when it arrives.
    pub(super) fn copy_daily(&mut self) {
        self.copy_report = true;
        self.ask_report(Kind::Daily.label());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("日报"), "\u{1b}]52;c;5pel5oql\u{7}");
    }
}
