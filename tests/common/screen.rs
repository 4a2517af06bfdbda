//! The desk's screen as text, drawn on a TestBackend, and its searches.

use duty_desk::search::Index;
use duty_desk::tui::app::{App, Corpus, Out};
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

/// What the desk's search thread does, done in place for tests: keeps the
/// indexes and answers searches.
#[derive(Default)]
pub struct Searches {
    disputes: Index,
    persons: Index,
}

impl Searches {
    /// Takes an index update or a search; any other effect comes back.
    pub fn take(&mut self, app: &mut App, o: Out) -> Option<Out> {
        match o {
            Out::Index(Corpus::Disputes, docs) => self.disputes = Index::new(docs),
            Out::Index(Corpus::Persons, docs) => self.persons = Index::new(docs),
            Out::IndexSet(Corpus::Disputes, i, doc) => self.disputes.set(i, &doc),
            Out::IndexSet(Corpus::Persons, i, doc) => self.persons.set(i, &doc),
            Out::Search {
                gen,
                corpus,
                query,
                scope,
            } => {
                let ix = match corpus {
                    Corpus::Disputes => &self.disputes,
                    Corpus::Persons => &self.persons,
                };
                app.on_search(gen, ix.search(&query, Some(&scope)));
            }
            other => return Some(other),
        }
        None
    }
}
