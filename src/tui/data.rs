//! What arriving data does to the model: the key-person register taken in,
//! the rows of the lists the desk orders itself (the watchlist, the
//! roll-call), and searches. Case lists are windows (`windows`).

use super::app::{person_doc, App, Out, View, VIEWS};
use crate::domain::person::KeyPerson;

impl App {
    pub fn set_persons(&mut self, persons: Vec<KeyPerson>) {
        self.data.persons = persons;
        let docs = self.data.persons.iter().map(person_doc).collect();
        self.out.push(Out::Index(docs));
        self.rebuild_rows();
        self.refresh_filters();
    }

    /// The watchlist and roll-call rows, in display order.
    pub fn rebuild_rows(&mut self) {
        let today = self.today();
        let p = &self.data.persons;
        // 待复核 entries left the active watchlist: listed first, marked, until decided.
        let mut watch: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_active()).collect();
        watch.sort_by_key(|&i| {
            (
                !p[i].past_review(today),
                p[i].next_visit_due(),
                p[i].id.as_str(),
            )
        });
        self.data.rows[View::Watchlist.index()] = watch;
        self.data.rows[View::Rollcall.index()] = (0..self.rollcall_rows().len()).collect();
        for v in [View::Watchlist, View::Rollcall] {
            let l = &mut self.lists[v.index()];
            let n = l
                .filtered
                .as_ref()
                .map_or(self.data.rows[v.index()].len(), |f| f.len());
            l.selected = l.selected.min(n.saturating_sub(1));
        }
    }

    pub(super) fn refresh_filters(&mut self) {
        if !self.lists[View::Watchlist.index()].filter.is_empty() {
            self.run_search(View::Watchlist);
        }
    }

    /// A filter typed or changed: the watchlist is searched here, a case
    /// list on the server (each keystroke one request; the newest wins).
    pub(super) fn run_search(&mut self, view: View) {
        if view.lists_cases() {
            return self.requery(view);
        }
        self.search_gen += 1;
        let l = &mut self.lists[view.index()];
        l.searching = true;
        l.gen = self.search_gen;
        self.out.push(Out::Search {
            gen: self.search_gen * VIEWS as u64 + view.index() as u64,
            query: l.filter.text(),
            scope: self.data.rows[view.index()].clone(),
        });
    }

    /// `/` then Tab, or `:scope 全部`: the filter looks at 在办 cases only
    /// or at 全部 (closed and archived too). Key persons keep their list.
    pub(super) fn set_scope(&mut self, all: bool) {
        let view = self.view;
        if !view.lists_cases() {
            return self.say("重点人员的筛选只在在列人员中查找", true);
        }
        let l = &mut self.lists[view.index()];
        l.everything = all;
        let refilter = !l.filter.is_empty();
        if refilter {
            self.run_search(view);
        }
        self.say(
            if all {
                "筛选范围：全部案件（含已办结、已归档）"
            } else {
                "筛选范围：在办案件"
            },
            false,
        );
    }

    /// A key-person search result; only the newest is kept.
    pub fn on_search(&mut self, gen: u64, rows: Vec<usize>) {
        let view = View::ALL[(gen % VIEWS as u64) as usize];
        if gen / VIEWS as u64 != self.lists[view.index()].gen {
            return;
        }
        let l = &mut self.lists[view.index()];
        l.searching = false;
        l.filtered = if l.filter.is_empty() {
            None
        } else {
            Some(rows)
        };
        l.selected = 0;
        l.offset = 0;
    }
}
