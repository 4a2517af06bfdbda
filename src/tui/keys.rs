//! What a key does: the keymap turns it into an action for the top layer;
//! the overlay on top takes what it owns (see `overlay`), and the view under
//! it the rest.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, NoteKind, View, VIEWS};
use super::input::Input;
use super::keymap::{Action, Key, Layer};
use super::overlay::command::CommandLine;
use super::overlay::help::Help;
use super::overlay::{Handled, Overlay};

impl App {
    /// Layers consulted for a key, top overlay first.
    pub fn layers(&self) -> Vec<Layer> {
        match self.overlays.last() {
            Some(o) => o.layers(),
            None if self.lists[self.view.index()].editing => vec![Layer::Search],
            None if self.view == View::Dashboard => vec![Layer::Global],
            None if self.view == View::Rollcall => vec![Layer::Rollcall, Layer::Global],
            None if self.view == View::Watchlist => vec![Layer::List, Layer::Person, Layer::Global],
            None => vec![Layer::List, Layer::Case, Layer::Global],
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        self.at_work = true;
        self.take_key(key);
        // The rows around the cursor are held before it gets there.
        self.ensure_window();
    }

    fn take_key(&mut self, key: KeyEvent) {
        let layers = self.layers();
        if let Some(a) = self.keymap.lookup(&layers, &Key::from_event(&key)) {
            return self.act(a);
        }
        // Over a slow SSH link Esc and the next key arrive together and read
        // as Alt+key. Nothing binds Alt+key by default, so it is split here,
        // before any overlay's text field could take it as typing.
        if key.modifiers.contains(KeyModifiers::ALT) {
            if let KeyCode::Char(c) = key.code {
                self.take_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
                return self.take_key(KeyEvent::new(
                    KeyCode::Char(c),
                    key.modifiers - KeyModifiers::ALT,
                ));
            }
        }
        // Text fields take printable keys their layer does not bind.
        if self.overlay_key(&key) == Handled::Yes {
            return;
        }
        if layers[0] == Layer::Search {
            self.type_filter(&key);
        }
    }

    /// A key typed into the list's filter line.
    fn type_filter(&mut self, key: &KeyEvent) {
        let view = self.view;
        let l = &mut self.lists[view.index()];
        if l.filter.edit(key) {
            if l.filter.is_empty() {
                l.filtered = None;
                l.searching = false;
            }
            self.run_search(view);
        }
    }

    fn list_len(&self) -> usize {
        if self.view.lists_cases() {
            self.list_total(self.view)
        } else {
            self.visible_rows(self.view).len()
        }
    }

    fn move_cursor(&mut self, delta: i64) {
        if self.overlays.last_mut().is_some_and(|o| o.move_by(delta)) {
            return;
        }
        let n = self.list_len();
        let l = &mut self.lists[self.view.index()];
        l.following = None;
        if n == 0 {
            l.selected = 0;
            return;
        }
        l.selected = (l.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
    }

    pub fn act(&mut self, action: Action) {
        self.status = None;
        let copied_last = std::mem::take(&mut self.copied);
        if self.overlay_act(action) == Handled::Yes {
            return;
        }
        let page = self.page.max(1) as i64;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlays.push(Overlay::Help(Help::default())),
            Action::Command => self.overlays.push(Overlay::Command(CommandLine::default())),
            Action::Back => self.clear_filter(),
            Action::Up => self.move_cursor(-1),
            Action::Down => self.move_cursor(1),
            Action::PageUp => self.move_cursor(-page),
            Action::PageDown => self.move_cursor(page),
            Action::Top => self.move_cursor(i64::MIN / 2),
            Action::Bottom => self.move_cursor(i64::MAX / 2),
            Action::Open if self.view == View::Rollcall => self.flow(Action::Register),
            Action::Search if matches!(self.view, View::Rollcall | View::Dashboard) => {
                self.say("这一屏不能筛选", true)
            }
            Action::Open => {
                if let Some(id) = self.selected_id() {
                    self.open_detail(&id);
                }
            }
            Action::Search => {
                let l = &mut self.lists[self.view.index()];
                l.editing = true;
            }
            // Enter on the filter line ends typing into it.
            Action::Confirm => self.lists[self.view.index()].editing = false,
            // Only the command line completes.
            Action::Complete => {}
            Action::ToggleMark => {
                if let Some(id) = self.selected_id() {
                    let l = &mut self.lists[self.view.index()];
                    if !l.marks.remove(&id) {
                        l.marks.insert(id);
                    }
                    // A list marks and moves on, so Space Space marks two
                    // rows (as in a file manager); a picker ticks in place.
                    self.move_cursor(1);
                }
            }
            Action::NextView => self.switch((self.view.index() + 1) % VIEWS),
            Action::PrevView => self.switch((self.view.index() + VIEWS - 1) % VIEWS),
            Action::ViewMine => self.switch(0),
            Action::ViewInbox => self.switch(1),
            Action::ViewQueue => self.switch(2),
            Action::ViewSupervision => self.switch(3),
            Action::ViewWatchlist => self.switch(4),
            Action::ViewFollowups => self.switch(5),
            Action::ViewDashboard => self.switch(6),
            Action::ViewRollcall => self.switch(7),
            Action::Refresh => {
                self.load();
                self.note("正在刷新…", NoteKind::Refreshing);
            }
            Action::NextField => self.move_cursor(1),
            Action::PrevField => self.move_cursor(-1),
            Action::OpenExisting => self.open_existing(),
            Action::AcceptSuggestions => self.accept_suggestions(),
            // Only a form with flags offers it (see `Overlay::offers`).
            Action::PickFlags => {}
            Action::Copy => self.copy_screen(copied_last),
            Action::CopyDaily => self.copy_daily(),
            Action::CycleSort => self.cycle_sort(),
            Action::ToggleScope => {
                let all = !self.lists[self.view.index()].everything;
                self.set_scope(all);
            }
            flow => self.flow(flow),
        }
    }

    pub(super) fn switch(&mut self, i: usize) {
        self.overlays.retain(|o| !matches!(o, Overlay::Detail(_)));
        self.view = View::ALL[i];
        if self.view == View::Watchlist {
            self.want_persons();
        }
        // Fresh rows from the server (the list watched is this one now).
        self.refresh_view();
    }

    /// Esc with nothing over the list: the filter goes.
    fn clear_filter(&mut self) {
        let l = &mut self.lists[self.view.index()];
        if l.editing || !l.filter.is_empty() {
            l.editing = false;
            l.filter = Input::default();
            l.filtered = None;
            l.searching = false;
            self.run_search(self.view);
        }
    }
}
