//! The case lists as windows of the server's views (`desk::views`): the
//! desk holds the rows around the cursor, asks for the next ones before the
//! cursor reaches them, and takes the server's pushed changes to the list on
//! screen (slot 0) and to the 预警 strip (slot 1). It never holds every case.

use super::app::{App, Out, View, Want};
use crate::desk::api::Request;
use crate::desk::local::MAX_WINDOW;
use crate::desk::views::{MyWork, Row, ViewQuery, Window, WindowDelta};
use crate::domain::reports::{Kind, Spec};
use crate::domain::screens::Screen;

/// The watch slot of the list on screen.
pub const LIST_SLOT: u8 = 0;
/// The watch slot of the 预警 strip.
pub const ALERT_SLOT: u8 = 1;
/// Alerts the strip holds (it shows the newest and the count).
const ALERT_ROWS: u32 = 20;

/// One case list's window, as last answered.
#[derive(Debug, Default)]
pub struct Win {
    pub window: Option<Window>,
    /// The query the window answers (None for 我的).
    pub query: Option<ViewQuery>,
    /// The window's length as asked.
    pub limit: u32,
    /// The newest request for this list: an older answer is dropped.
    pub asked: u64,
    pub waiting: bool,
    /// The query changed (a search, a sort): its answer starts at the top
    /// instead of following the case under the cursor.
    pub requeried: bool,
}

impl Win {
    pub fn total(&self) -> usize {
        self.window.as_ref().map_or(0, |w| w.total as usize)
    }

    /// The row at position `pos` of the whole list, when held.
    pub fn row(&self, pos: usize) -> Option<&Row> {
        let w = self.window.as_ref()?;
        w.rows.get(pos.checked_sub(w.from as usize)?)
    }

    /// Where `id` stands in the list, when held.
    fn position(&self, id: &str) -> Option<usize> {
        let w = self.window.as_ref()?;
        let i = w.rows.iter().position(|r| r.case.id == id)?;
        Some(w.from as usize + i)
    }

    /// Whether rows `from..to` are all held.
    fn holds(&self, from: usize, to: usize) -> bool {
        self.window.as_ref().is_some_and(|w| {
            let (a, b) = (w.from as usize, w.from as usize + w.rows.len());
            a <= from && to <= b
        })
    }
}

impl View {
    /// The server's screen a case list shows; 我的 is per officer.
    pub fn screen(self) -> Option<Screen> {
        match self {
            View::Inbox => Some(Screen::Inbox),
            View::Queue => Some(Screen::Queue),
            View::Supervision => Some(Screen::Supervision),
            View::FollowUps => Some(Screen::FollowUps),
            View::Mine | View::Watchlist | View::Dashboard | View::Rollcall => None,
        }
    }

    /// Whether the view lists cases (as windows of the server's views).
    pub fn lists_cases(self) -> bool {
        self == View::Mine || self.screen().is_some()
    }
}

impl App {
    /// What a case list asks the server for: its screen, or with a filter
    /// the 在办 or 全部 cases searched; 我的 unfiltered is `Request::Mine`.
    pub fn query_of(&self, view: View) -> Option<ViewQuery> {
        let l = &self.lists[view.index()];
        let searched = !l.filter.is_empty();
        let screen = match (searched, l.everything, view.screen()) {
            (true, true, _) => Screen::All,
            (_, _, Some(s)) => s,
            // 我的 searched: its officer's cases are among the 在办 ones.
            (true, false, None) if view == View::Mine => Screen::Queue,
            (_, _, None) => return None,
        };
        Some(ViewQuery {
            screen,
            search: l.filter.text(),
            sort: l.sort,
        })
    }

    /// The rows one window asks for: four screens, the cursor's in the second.
    fn window_limit(&self) -> u32 {
        (self.page as u32 * 4).clamp(60, MAX_WINDOW)
    }

    /// Asks for `view`'s rows from position `from`.
    pub(super) fn ask_window(&mut self, view: View, from: usize) {
        if !view.lists_cases() {
            return;
        }
        self.window_gen += 1;
        let gen = self.window_gen;
        let limit = self.window_limit();
        let from = from as u32;
        let win = &mut self.data.wins[view.index()];
        win.asked = gen;
        win.waiting = true;
        match self.query_of(view) {
            Some(query) => self.out.push(Out::Request(
                Want::Window {
                    view,
                    gen,
                    query: query.clone(),
                    limit,
                },
                Request::View {
                    query,
                    from,
                    limit,
                    watch: Some(LIST_SLOT),
                },
            )),
            None => self.out.push(Out::Request(
                Want::Mine { gen, limit },
                Request::Mine { from, limit },
            )),
        }
    }

    /// The list on screen asked again from where the cursor is (a new
    /// screen, a search, a sort, a reconnect).
    pub(super) fn refresh_view(&mut self) {
        let view = self.view;
        let l = &self.lists[view.index()];
        let from = l.offset.saturating_sub(self.page);
        match view {
            View::Dashboard => self.ask_dashboard(),
            _ if view.lists_cases() => self.ask_window(view, from),
            _ => {}
        }
    }

    /// The list's query changed: its cursor goes to the top.
    pub(super) fn requery(&mut self, view: View) {
        let l = &mut self.lists[view.index()];
        l.selected = 0;
        l.offset = 0;
        l.searching = !l.filter.is_empty();
        self.data.wins[view.index()].requeried = true;
        if view == self.view {
            self.ask_window(view, 0);
        } else {
            // Asked when the officer comes to it.
            self.data.wins[view.index()].window = None;
        }
    }

    /// Keeps the rows around the cursor held: when the cursor nears the
    /// held window's edge, the window around it is asked for ahead.
    pub(super) fn ensure_window(&mut self) {
        let view = self.view;
        if !view.lists_cases() || self.data.wins[view.index()].waiting {
            return;
        }
        let page = self.page.max(1);
        let win = &self.data.wins[view.index()];
        let Some(w) = &win.window else {
            return self.ask_window(view, 0);
        };
        let total = w.total as usize;
        let l = &self.lists[view.index()];
        // Where the screen will start once drawn (the cursor kept on it).
        let top = if l.selected < l.offset {
            l.selected
        } else if l.selected >= l.offset + page {
            l.selected + 1 - page
        } else {
            l.offset
        };
        let from = top.saturating_sub(page);
        let to = (top + 2 * page).min(total);
        // Asking for the window already held would only bring it again.
        if !win.holds(from.min(to), to) && w.from as usize != from {
            self.ask_window(view, from);
        }
    }

    /// The row at `pos` of a case list, when held.
    pub fn row_at(&self, view: View, pos: usize) -> Option<&Row> {
        self.data.wins[view.index()].row(pos)
    }

    /// How long a case list is (0 until its first window).
    pub fn list_total(&self, view: View) -> usize {
        self.data.wins[view.index()].total()
    }

    /// A case as the desk holds it: in a list's window, the strip, or an
    /// open detail.
    pub fn case(&self, id: &str) -> Option<crate::domain::summary::Summary> {
        let held = self
            .data
            .wins
            .iter()
            .filter_map(|w| w.window.as_ref())
            .chain(self.data.alerts.as_ref())
            .flat_map(|w| w.rows.iter())
            .find(|r| r.case.id == id)
            .map(|r| r.case.clone());
        held.or_else(|| {
            self.overlays.iter().rev().find_map(|o| match o {
                super::app::Overlay::Detail(d) => match &d.record {
                    Some(super::app::Record::Dispute(x)) if x.id == id => {
                        Some(crate::domain::summary::Summary::of(x))
                    }
                    _ => None,
                },
                _ => None,
            })
        })
    }

    /// A window came: kept when it answers the newest request; the cursor
    /// stays on the case it was on (a re-ranked case is followed).
    pub(super) fn on_window(
        &mut self,
        view: View,
        gen: u64,
        query: Option<ViewQuery>,
        w: Window,
        limit: u32,
    ) {
        let vi = view.index();
        if self.data.wins[vi].asked != gen {
            return;
        }
        let on = self.selected_in(view);
        let win = &mut self.data.wins[vi];
        let on = on.filter(|_| !std::mem::take(&mut win.requeried));
        win.window = Some(w);
        win.query = query;
        win.limit = limit;
        win.waiting = false;
        self.data.loaded = true;
        self.lists[vi].searching = false;
        if self
            .status
            .as_ref()
            .is_some_and(|n| n.kind == super::app::NoteKind::Refreshing)
        {
            self.status = None;
        }
        if view != View::Mine || self.query_of(View::Mine).is_some() {
            self.data.watching = Some(view);
        }
        self.follow(view, on);
        self.ask_elsewhere(view);
        // The cursor may have moved on while this was on its way.
        self.ensure_window();
    }

    /// A search that finds nothing among the cases 在办: asks how many of
    /// all cases it finds, to tell the officer 全部 has them.
    fn ask_elsewhere(&mut self, view: View) {
        let l = &self.lists[view.index()];
        let search = l.filter.text();
        let nothing = self.data.wins[view.index()]
            .window
            .as_ref()
            .is_some_and(|w| w.total == 0);
        if !nothing || l.everything || search.trim().is_empty() || !view.lists_cases() {
            return;
        }
        let query = ViewQuery {
            screen: Screen::All,
            search: search.clone(),
            sort: None,
        };
        self.out.push(Out::Request(
            Want::Elsewhere { view, search },
            Request::View {
                query,
                from: 0,
                limit: 0,
                watch: None,
            },
        ));
    }

    pub(super) fn on_mine(&mut self, gen: u64, mine: MyWork, limit: u32) {
        self.data.mine = mine.groups;
        self.on_window(View::Mine, gen, None, mine.window, limit);
    }

    /// A pushed change to a watched window.
    pub fn on_view_delta(&mut self, d: WindowDelta) {
        if d.slot == ALERT_SLOT {
            return self.on_alert_delta(d);
        }
        let Some(view) = self.data.watching else {
            return;
        };
        let on = self.selected_in(view);
        let win = &mut self.data.wins[view.index()];
        let limit = win.limit;
        let Some(w) = win.window.as_mut().filter(|w| w.state < d.state) else {
            return;
        };
        d.apply(w, limit);
        self.follow(view, on);
    }

    /// The case under the cursor of `view`, and where it stood.
    fn selected_in(&self, view: View) -> Option<(String, usize)> {
        let at = self.lists[view.index()].selected;
        self.row_at(view, at).map(|r| (r.case.id.clone(), at))
    }

    /// After new rows: the cursor goes where its case went (when held; when
    /// it went beyond the rows held, the server is asked where), and stays
    /// inside the list.
    fn follow(&mut self, view: View, on: Option<(String, usize)>) {
        let vi = view.index();
        let win = &self.data.wins[vi];
        if let Some((id, _)) = on.as_ref().filter(|(id, _)| win.position(id).is_none()) {
            if let Some(query) = self.query_of(view).filter(|_| view != View::Mine) {
                let want = Want::Locate {
                    view,
                    id: id.clone(),
                };
                let id = id.clone();
                self.lists[vi].following = Some(id.clone());
                self.out
                    .push(Out::Request(want, Request::Locate { query, id }));
            }
        }
        let win = &self.data.wins[vi];
        let moved = on.and_then(|(id, was)| win.position(&id).filter(|p| *p != was));
        let total = win.total();
        let l = &mut self.lists[vi];
        if let Some(p) = moved {
            l.offset = (l.offset + p).saturating_sub(l.selected);
            l.selected = p;
        }
        l.selected = l.selected.min(total.saturating_sub(1));
        // The screen stays full: no empty lines above the list's end.
        l.offset = l
            .offset
            .min(l.selected)
            .min(total.saturating_sub(self.page));
    }

    /// A case just registered: the list's cursor goes to it (asked of the
    /// server, which listed it before it answered).
    pub(super) fn follow_new(&mut self, id: &str) {
        let view = self.view;
        let Some(query) = self.query_of(view).filter(|_| view != View::Mine) else {
            return;
        };
        self.lists[view.index()].following = Some(id.to_string());
        let want = Want::Locate {
            view,
            id: id.to_string(),
        };
        let id = id.to_string();
        self.out
            .push(Out::Request(want, Request::Locate { query, id }));
    }

    /// The server says where the followed case stands: the cursor goes
    /// there, unless the officer has moved on meanwhile.
    pub(super) fn on_located(&mut self, view: View, id: &str, at: Option<u32>) {
        let l = &mut self.lists[view.index()];
        if l.following.as_deref() != Some(id) {
            return;
        }
        l.following = None;
        let Some(p) = at.map(|p| p as usize) else {
            return;
        };
        let page = self.page.max(1);
        let l = &mut self.lists[view.index()];
        l.selected = p;
        l.offset = p.saturating_sub(page / 3);
        if view == self.view {
            self.ensure_window();
        }
    }

    /// The 预警 strip's cases, watched.
    pub(super) fn ask_alerts(&mut self) {
        self.out.push(Out::Request(
            Want::Alerts,
            Request::View {
                query: ViewQuery::of(Screen::Alerts),
                from: 0,
                limit: ALERT_ROWS,
                watch: Some(ALERT_SLOT),
            },
        ));
    }

    pub(super) fn on_alerts(&mut self, w: Window) {
        let was: Vec<String> = self
            .data
            .alerts
            .as_ref()
            .map(|a| a.rows.iter().map(|r| r.case.id.clone()).collect())
            .unwrap_or_default();
        let first = self.data.alerts.is_none();
        self.data.alerts = Some(w);
        if !first {
            self.announce_new_alerts(&was);
        }
    }

    fn on_alert_delta(&mut self, d: WindowDelta) {
        let Some(w) = self.data.alerts.as_mut().filter(|w| w.state < d.state) else {
            return;
        };
        let was: Vec<String> = w.rows.iter().map(|r| r.case.id.clone()).collect();
        d.apply(w, ALERT_ROWS);
        self.announce_new_alerts(&was);
    }

    /// A case newly on the strip is said on the status line at once (the
    /// officer's own change excepted: what they were just told stays).
    fn announce_new_alerts(&mut self, was: &[String]) {
        let raised: Vec<crate::domain::summary::Summary> = self
            .data
            .alerts
            .iter()
            .flat_map(|w| w.rows.iter())
            .filter(|r| !was.contains(&r.case.id) && !self.own_changes.contains(&r.case.id))
            .map(|r| r.case.clone())
            .collect();
        self.announce_alerts(&raised);
    }

    pub(super) fn ask_tally(&mut self) {
        self.out.push(Out::Request(Want::Tally, Request::Tally));
    }

    /// The 研判 figures, from the server's 研判会 report: the two agree.
    pub(super) fn ask_dashboard(&mut self) {
        self.out.push(Out::Request(
            Want::Dashboard,
            Request::Report {
                spec: Spec::of(Kind::Analysis),
            },
        ));
    }
}
