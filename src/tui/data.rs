//! What arriving data does to the model: summaries and persons taken in,
//! scores and the rows of each list derived from them, and searches.

use super::app::{doc_of, person_doc, App, Corpus, NoteKind, Out, View, VIEWS};
use super::id_index::IdIndex;
use crate::domain::mine::my_work;
use crate::domain::person::KeyPerson;
use crate::domain::risk::{rank_of, RiskContext};
use crate::domain::screens::Screen;
use crate::domain::summary::Summary;

impl App {
    pub fn set_summaries(&mut self, revision: u64, items: Vec<Summary>) {
        self.data.revision = revision;
        self.data.summaries = items;
        self.data.by_id = IdIndex::of(&self.data.summaries);
        self.data.loaded = true;
        if self
            .status
            .as_ref()
            .is_some_and(|n| n.kind == NoteKind::Refreshing)
        {
            self.status = None;
        }
        self.rescore();
        // The search index is built after the first frame with data is drawn.
        self.index_pending = true;
    }

    /// Work that may wait until the screen is drawn; true when some was queued.
    pub fn deferred(&mut self) -> bool {
        if !std::mem::take(&mut self.index_pending) {
            return false;
        }
        let docs = self.data.summaries.iter().map(doc_of).collect();
        self.out.push(Out::Index(Corpus::Disputes, docs));
        self.refresh_filters();
        true
    }

    /// Upserts changed summaries (after a notice); an asked-for id missing
    /// from the answer was removed (an undone registration).
    pub fn merge_summaries(&mut self, asked: &[String], items: Vec<Summary>) {
        let gone: Vec<&String> = asked
            .iter()
            .filter(|id| self.data.by_id.contains_key(id) && !items.iter().any(|s| &s.id == *id))
            .collect();
        if !gone.is_empty() {
            self.data.summaries.retain(|s| !gone.contains(&&s.id));
            self.data.by_id = IdIndex::of(&self.data.summaries);
            for l in &mut self.lists {
                l.filtered = None;
            }
            let docs = self.data.summaries.iter().map(doc_of).collect();
            self.out.push(Out::Index(Corpus::Disputes, docs));
        }
        let mut raised = Vec::new();
        for s in items {
            let doc = doc_of(&s);
            let had_alert = self
                .data
                .by_id
                .get(&s.id)
                .is_some_and(|&i| self.data.summaries[i].alert);
            let own = self.own_changes.remove(&s.id);
            if s.alert && !had_alert && !own {
                raised.push(s.clone());
            }
            let i = match self.data.by_id.get(&s.id) {
                Some(&i) => {
                    self.data.summaries[i] = s;
                    i
                }
                None => {
                    self.data.by_id.insert(&s.id, self.data.summaries.len());
                    self.data.summaries.push(s);
                    self.data.summaries.len() - 1
                }
            };
            self.out.push(Out::IndexSet(Corpus::Disputes, i, doc));
        }
        self.rescore();
        self.refresh_filters();
        self.announce_alerts(&raised);
    }

    pub fn set_persons(&mut self, persons: Vec<KeyPerson>) {
        self.data.persons = persons;
        let docs = self.data.persons.iter().map(person_doc).collect();
        self.out.push(Out::Index(Corpus::Persons, docs));
        self.rebuild_rows();
        self.refresh_filters();
    }

    /// Re-ranks after the weights or the sensitive periods changed.
    pub(super) fn rescore_all(&mut self) {
        self.rescore();
        self.refresh_filters();
    }

    /// Re-ranks every case; the inputs of one case's score include the
    /// others (repeat parties), so all are recomputed.
    pub(super) fn rescore(&mut self) {
        let today = self.today();
        let ctx = RiskContext::new(
            &self.data.summaries,
            today,
            &self.weights,
            self.sensitive.is_some(),
        );
        self.data.scores = self
            .data
            .summaries
            .iter()
            .map(|s| rank_of(s, &ctx))
            .collect();
        self.data.risk = Some(ctx);
        self.rebuild_rows();
    }

    pub fn rebuild_rows(&mut self) {
        let today = self.today();
        let d = &self.data;
        let s = &d.summaries;
        let t = self.thresholds();
        let list = |screen: Screen| {
            let mut rows: Vec<usize> = (0..s.len())
                .filter(|&i| screen.holds(&s[i], today))
                .collect();
            rows.sort_by(|&a, &b| {
                screen.cmp((&s[a], d.scores[a]), (&s[b], d.scores[b]), today, &t)
            });
            rows
        };
        let inbox = list(Screen::Inbox);
        let queue = list(Screen::Queue);
        let supervision = list(Screen::Supervision);
        let follow = list(Screen::FollowUps);
        let p = &d.persons;
        // 待复核 entries left the active watchlist: listed first, marked, until decided.
        let mut watch: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_active()).collect();
        watch.sort_by_key(|&i| {
            (
                !p[i].past_review(today),
                p[i].next_visit_due(),
                p[i].id.as_str(),
            )
        });
        let rollcall = (0..self.rollcall_rows().len()).collect();
        let groups = match &self.me {
            Some(me) => my_work(me.role, &me.login, s, today, &t),
            None => Vec::new(),
        };
        self.data.mine = groups.iter().map(|(g, rows)| (*g, rows.len())).collect();
        let mine = groups.into_iter().flat_map(|(_, rows)| rows).collect();
        self.data.rows = [
            mine,
            inbox,
            queue,
            supervision,
            watch,
            follow,
            Vec::new(),
            rollcall,
        ];
        self.data.analysis = None;
        for v in View::ALL {
            self.apply_sort(v);
        }
        for (i, l) in self.lists.iter_mut().enumerate() {
            let n = l
                .filtered
                .as_ref()
                .map_or(self.data.rows[i].len(), |f| f.len());
            l.selected = l.selected.min(n.saturating_sub(1));
        }
    }

    pub(super) fn refresh_filters(&mut self) {
        for v in View::ALL {
            if !self.lists[v.index()].filter.is_empty() {
                self.run_search(v);
            }
        }
    }

    fn corpus(view: View) -> Corpus {
        if view == View::Watchlist {
            Corpus::Persons
        } else {
            Corpus::Disputes
        }
    }

    pub(super) fn run_search(&mut self, view: View) {
        self.search_gen += 1;
        let l = &mut self.lists[view.index()];
        l.searching = true;
        l.gen = self.search_gen;
        self.out.push(Out::Search {
            gen: self.search_gen * VIEWS as u64 + view.index() as u64,
            corpus: App::corpus(view),
            query: l.filter.text(),
            scope: if l.everything && App::corpus(view) == Corpus::Disputes {
                (0..self.data.summaries.len()).collect()
            } else {
                self.data.rows[view.index()].clone()
            },
        });
    }

    /// `/` then Tab, or `:scope 全部`: the filter looks at 在办 cases only
    /// or at 全部 (closed and archived too). Key persons keep their list.
    pub(super) fn set_scope(&mut self, all: bool) {
        let view = self.view;
        if App::corpus(view) == Corpus::Persons {
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

    /// A search result; only the newest for its view is kept.
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
        self.apply_sort(view);
    }
}
