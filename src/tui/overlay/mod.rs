//! The popups over a view. Each owns what an action does while it is on top,
//! the keymap layers it answers to (so its hint bar), and its drawing; a
//! form's fields and a picker's list keep their own files (`flows`, `form`,
//! `form_view`, `picker`). Every match here names every overlay, so a new one
//! is a compile error in each place it must be taught.

pub mod command;
pub mod detail;
pub mod help;
pub mod report;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::app::App;
use super::flows::Ask;
use super::form::Form;
use super::form::Key;
use super::form_view;
use super::keymap::{Action, Layer};
use super::picker::Picker;
use crate::domain::record::RecordKind;
use crate::domain::text::clean_line;
use command::CommandLine;
use detail::Detail;
use help::Help;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Detail(Detail),
    Help(Help),
    Command(CommandLine),
    Form(Box<Form>),
    Picker(Picker),
    Ask(Ask),
    /// A report's text (日报, 交接班 …), scrollable.
    Report {
        title: String,
        text: String,
        scroll: u16,
    },
    /// Text alone over the whole screen, for a mouse selection (`y` twice).
    Plain {
        text: String,
        scroll: u16,
    },
}

/// Whether the overlay on top took an action or key; `No` leaves it to the
/// view underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Yes,
    No,
}

impl Overlay {
    /// The keymap layers consulted while this overlay is on top, first first.
    pub fn layers(&self) -> Vec<Layer> {
        match self {
            Overlay::Help(_) => vec![Layer::Help],
            Overlay::Command(_) => vec![Layer::Command],
            Overlay::Detail(d) => match RecordKind::of_id(&d.id) {
                RecordKind::Person => vec![Layer::Detail, Layer::Person, Layer::Global],
                RecordKind::Dispute | RecordKind::Officer | RecordKind::List => {
                    vec![Layer::Detail, Layer::Case, Layer::Global]
                }
            },
            Overlay::Form(_) => vec![Layer::Form],
            Overlay::Picker(_) => vec![Layer::Picker],
            Overlay::Ask(_) => vec![Layer::Ask],
            Overlay::Report { .. } | Overlay::Plain { .. } => vec![Layer::Detail, Layer::Global],
        }
    }

    /// Whether the hint bar offers `action` right now.
    pub fn offers(&self, action: Action) -> bool {
        match self {
            // F3 only means something while the form warns of a duplicate,
            // F4 while the text suggests something the fields do not hold.
            Overlay::Form(f) => match action {
                Action::OpenExisting => f.duplicate.is_some(),
                Action::AcceptSuggestions => !f.open_suggestions().is_empty(),
                Action::PickFlags => f.field(Key::Flags).is_some(),
                _ => true,
            },
            // Space ticks only in a multi-choice.
            Overlay::Picker(p) => p.multi || action != Action::ToggleMark,
            Overlay::Detail(_)
            | Overlay::Help(_)
            | Overlay::Command(_)
            | Overlay::Ask(_)
            | Overlay::Report { .. }
            | Overlay::Plain { .. } => true,
        }
    }

    /// The overlay draws in the hint bar's place.
    pub fn owns_hint_bar(&self) -> bool {
        match self {
            Overlay::Command(_) => true,
            Overlay::Detail(_)
            | Overlay::Help(_)
            | Overlay::Form(_)
            | Overlay::Picker(_)
            | Overlay::Ask(_)
            | Overlay::Report { .. }
            | Overlay::Plain { .. } => false,
        }
    }

    /// Its step in the breadcrumbs.
    pub fn crumb(&self) -> String {
        match self {
            Overlay::Detail(d) => format!("{} 详情", d.id),
            Overlay::Help(_) => "帮助".into(),
            Overlay::Command(_) => "命令行".into(),
            Overlay::Form(form) => form.kind.title().into(),
            Overlay::Picker(p) => format!("选择{}", p.title),
            Overlay::Ask(_) => "确认".into(),
            Overlay::Report { title, .. } => clean_line(title),
            Overlay::Plain { .. } => "纯文本".into(),
        }
    }

    /// Moves the cursor or scrolls by `delta`; false when this overlay has
    /// nothing to move, and the list underneath moves instead.
    pub fn move_by(&mut self, delta: i64) -> bool {
        let scroll = |s: &mut u16| *s = (*s as i64 + delta).clamp(0, u16::MAX as i64) as u16;
        match self {
            Overlay::Picker(p) => p.move_by(delta),
            Overlay::Form(f) => {
                if delta < 0 {
                    f.prev()
                } else {
                    f.next()
                }
            }
            Overlay::Detail(d) => scroll(&mut d.scroll),
            Overlay::Report { scroll: s, .. } | Overlay::Plain { scroll: s, .. } => scroll(s),
            Overlay::Help(h) => scroll(&mut h.scroll),
            Overlay::Command(_) | Overlay::Ask(_) => return false,
        }
        true
    }
}

impl App {
    /// An action while an overlay is on top: the overlay's own keys.
    pub(super) fn overlay_act(&mut self, action: Action) -> Handled {
        use Action as A;
        let Some(top) = self.overlays.last() else {
            return Handled::No;
        };
        match (top, action) {
            (Overlay::Form(_), A::Back) => self.cancel_form(),
            (Overlay::Form(_), A::Confirm) => self.submit(),
            (Overlay::Form(f), A::PickFlags) if f.field(Key::Flags).is_some() => self.pick_flags(),
            (Overlay::Form(_), _) => return Handled::No,
            (Overlay::Picker(_), A::Confirm) => self.picker_confirm(),
            (Overlay::Picker(_), A::ToggleMark) => {
                if let Some(Overlay::Picker(p)) = self.overlays.last_mut() {
                    // Ticks in place: the officer sees what changed.
                    p.toggle();
                }
            }
            (Overlay::Ask(_), A::Confirm) => self.ask_yes(),
            (Overlay::Command(_), A::Confirm) => self.run_command_line(),
            (Overlay::Command(_), A::Complete) => self.complete(),
            (
                Overlay::Detail(_)
                | Overlay::Help(_)
                | Overlay::Command(_)
                | Overlay::Picker(_)
                | Overlay::Ask(_)
                | Overlay::Report { .. }
                | Overlay::Plain { .. },
                A::Back,
            ) => {
                self.overlays.pop();
            }
            (
                Overlay::Detail(_)
                | Overlay::Help(_)
                | Overlay::Command(_)
                | Overlay::Picker(_)
                | Overlay::Ask(_)
                | Overlay::Report { .. }
                | Overlay::Plain { .. },
                _,
            ) => return Handled::No,
        }
        Handled::Yes
    }

    /// A key no layer binds: the overlay's text field takes it.
    pub(super) fn overlay_key(&mut self, key: &KeyEvent) -> Handled {
        match self.overlays.last_mut() {
            None => return Handled::No,
            Some(Overlay::Form(_)) => self.form_key(key),
            Some(Overlay::Help(h)) => h.type_key(key),
            Some(Overlay::Command(c)) => c.type_key(key),
            Some(Overlay::Picker(p)) => {
                if p.filter.edit(key) {
                    p.refilter();
                }
            }
            Some(
                Overlay::Detail(_)
                | Overlay::Ask(_)
                | Overlay::Report { .. }
                | Overlay::Plain { .. },
            ) => return Handled::No,
        }
        Handled::Yes
    }
}

/// Draws the overlay on top over the body (`bar` is the hint bar's row).
pub fn draw_top(f: &mut Frame, app: &App, body: Rect, bar: Rect) {
    match app.overlays.last() {
        None => {}
        Some(Overlay::Picker(p)) => form_view::draw_picker(f, app, p, body),
        Some(Overlay::Ask(a)) => form_view::draw_ask(f, app, a, body),
        Some(Overlay::Report {
            title,
            text,
            scroll,
        }) => report::draw(f, title, text, *scroll, body),
        Some(Overlay::Help(h)) => h.draw(f, app, body),
        Some(Overlay::Command(c)) => c.draw(f, bar),
        // These are drawn as the body (see `views::draw`), under anything on
        // top; plain text is drawn by `views::draw` over everything.
        Some(Overlay::Detail(_) | Overlay::Form(_) | Overlay::Plain { .. }) => {}
    }
}
