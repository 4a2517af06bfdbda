//! The desk's screen as text, drawn on a TestBackend, and its searches.

use duty_desk::search::Index;
use std::collections::HashMap;

use duty_desk::desk::api::{DeskError, Request, Response};
use duty_desk::desk::views::{ViewQuery, WindowDelta};
use duty_desk::tui::app::{App, Out};
use duty_desk::tui::views;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// One line per row, each wide char once.
pub fn render(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            let c = &buf[(x, y)];
            if skip == 0 {
                out.push_str(c.symbol());
            }
            skip = skip
                .max(unicode_width::UnicodeWidthStr::width(c.symbol()))
                .saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// What the desk's search thread and the server's pushes do, done in
/// place for tests: keeps the key-person index and answers its searches,
/// and remembers the watched windows to push their changes after a commit.
#[derive(Default)]
pub struct Searches {
    persons: Index,
    /// Slot → the watched query, its position and length, the ids shown.
    watched: HashMap<u8, (ViewQuery, u32, u32, Vec<String>)>,
}

impl Searches {
    /// Takes an index update or a search; any other effect comes back.
    pub fn take(&mut self, app: &mut App, o: Out) -> Option<Out> {
        match o {
            Out::Index(docs) => self.persons = Index::new(docs),
            Out::Search { gen, query, scope } => {
                app.on_search(gen, self.persons.search(&query, Some(&scope)));
            }
            other => return Some(other),
        }
        None
    }

    /// Notes a watched window as it is asked for, and what it showed.
    pub fn note(&mut self, req: &Request, answer: &Result<Response, DeskError>) {
        if let (
            Request::View {
                query,
                from,
                limit,
                watch: Some(slot),
            },
            Ok(Response::Window(w)),
        ) = (req, answer)
        {
            let ids = w.rows.iter().map(|r| r.case.id.clone()).collect();
            self.watched
                .insert(*slot, (query.clone(), *from, *limit, ids));
        }
    }

    /// After a commit: each watched window worked out again and its change
    /// pushed to the desk, as the server does.
    pub fn push(&mut self, app: &mut App, ask: impl Fn(Request) -> Result<Response, DeskError>) {
        for (slot, (query, from, limit, shown)) in self.watched.iter_mut() {
            let req = Request::View {
                query: query.clone(),
                from: *from,
                limit: *limit,
                watch: None,
            };
            let Ok(Response::Window(w)) = ask(req) else {
                continue;
            };
            let delta = WindowDelta {
                slot: *slot,
                state: w.state,
                total: w.total,
                from: w.from,
                removed: std::mem::take(shown),
                added: w
                    .rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (w.from + i as u32, r.clone()))
                    .collect(),
            };
            *shown = w.rows.iter().map(|r| r.case.id.clone()).collect();
            app.on_view_delta(delta);
        }
    }
}

/// The 编号 of the rows a case list holds, in order.
pub fn held_ids(app: &App, view: duty_desk::tui::app::View) -> Vec<String> {
    app.data.wins[view.index()]
        .window
        .as_ref()
        .map(|w| w.rows.iter().map(|r| r.case.id.clone()).collect())
        .unwrap_or_default()
}
