//! The desk's state and what keys, replies and notices do to it. No terminal
//! I/O here: effects (requests, searches) are queued in `out` for the loop.

use std::collections::{BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::flows::{Ask, Batch, DRAFT_KEY};
use super::form::{Form, FormKind};
use super::input::Input;
use super::keymap::{Action, Key, Keymap, Layer};
use super::picker::Picker;
use crate::desk::api::{DeskError, Lists, Request, Response, RiskSetup};
use crate::desk::Notice;
use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::record::RecordKind;
use crate::domain::reports::analysis::AnalysisFigures;
use crate::domain::risk::{score, total, RiskContext, RiskWeights, Score};
use crate::domain::rollcall::RollcallSheet;
use crate::domain::summary::Summary;
use crate::domain::workflow::Status;
use crate::search::Doc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Inbox,
    Queue,
    Supervision,
    Watchlist,
    FollowUps,
    Dashboard,
    /// 每日点名: who has reported today.
    Rollcall,
}

/// How many screens there are.
pub const VIEWS: usize = 7;

impl View {
    pub const ALL: [View; VIEWS] = [
        View::Inbox,
        View::Queue,
        View::Supervision,
        View::Watchlist,
        View::FollowUps,
        View::Dashboard,
        View::Rollcall,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Inbox => "待处理",
            View::Queue => "风险队列",
            View::Supervision => "督办",
            View::Watchlist => "重点人员",
            View::FollowUps => "回访",
            View::Dashboard => "研判",
            View::Rollcall => "点名",
        }
    }

    pub fn index(self) -> usize {
        View::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }

    pub(super) fn parse(name: &str) -> Option<View> {
        View::ALL
            .iter()
            .copied()
            .find(|v| v.label() == name || v.label().starts_with(name))
    }
}

/// What a reply answers, echoed back by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Whoami,
    Summaries,
    /// The ids asked for: one missing from the answer was removed.
    SummariesOf(Vec<String>),
    Persons,
    Officers,
    Lists,
    Dispute(String),
    Person(String),
    Draft,
    SaveDraft,
    LastAction,
    Undo,
    /// A form's request for one target (empty for a registration).
    Flow(FormKind, String),
    /// A one-key action (签收, 督办) on one record.
    Direct(String),
    RiskSetup,
    Rollcall,
    /// A report asked for with `:report`.
    Report,
    /// When this officer last opened the desk (a new shift gets the handover).
    ShiftMark,
}

/// Which index a search runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corpus {
    Disputes,
    Persons,
}

pub enum Out {
    Request(Want, Request),
    /// Write the ledger or the key-person register to a file.
    Export(super::client::ExportJob),
    /// Rebuild a search index from these docs (same order as the data).
    Index(Corpus, Vec<Doc>),
    /// Replace one doc.
    IndexSet(Corpus, usize, Doc),
    Search {
        gen: u64,
        corpus: Corpus,
        query: String,
        scope: Vec<usize>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Dispute(Box<Dispute>),
    Person(Box<KeyPerson>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// 编号 of a dispute (MD-…) or a person (RY-…).
    pub id: String,
    pub record: Option<Record>,
    pub error: Option<String>,
    pub scroll: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Detail(Detail),
    Help {
        filter: Input,
        scroll: u16,
    },
    Command {
        input: Input,
        hint: Option<String>,
    },
    Message(String),
    Form(Box<Form>),
    Picker(Picker),
    Ask(Ask),
    /// A report's text (日报, 交接班 …), scrollable.
    Report {
        title: String,
        text: String,
        scroll: u16,
    },
}

#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub filter: Input,
    pub editing: bool,
    /// Rows matching the filter (indexes into the data), when filtering.
    pub filtered: Option<Vec<usize>>,
    pub searching: bool,
    /// The newest search sent for this list; older results are dropped.
    pub gen: u64,
    pub marks: BTreeSet<String>,
}

/// Everything loaded from the server, plus what is derived from it.
#[derive(Default)]
pub struct Data {
    pub loaded: bool,
    pub revision: u64,
    pub summaries: Vec<Summary>,
    pub by_id: HashMap<String, usize>,
    /// Risk totals, for ranking; the reasons are built for the rows on screen.
    pub scores: Vec<i32>,
    pub risk: Option<RiskContext>,
    pub persons: Vec<KeyPerson>,
    pub officers: HashMap<String, Officer>,
    /// Villages, units, categories and settings, for the forms.
    pub lists: Lists,
    /// Base rows of each list view, in display order.
    pub rows: [Vec<usize>; VIEWS],
    /// The weights in force, today's sensitive periods, the roll-call's rules.
    pub setup: Option<RiskSetup>,
    /// Today's roll-call, when loaded.
    pub rollcall: Option<RollcallSheet>,
    /// The 研判 figures, worked out when the dashboard is drawn after a change.
    pub analysis: Option<AnalysisFigures>,
}

pub struct App {
    pub data: Data,
    pub view: View,
    pub lists: [ListState; VIEWS],
    pub overlays: Vec<Overlay>,
    pub keymap: Keymap,
    pub ascii: bool,
    pub me: Option<Officer>,
    pub online: bool,
    pub now: Time,
    pub status: Option<(String, bool)>,
    pub sensitive: Option<String>,
    pub weights: RiskWeights,
    pub out: Vec<Out>,
    pub quit: bool,
    /// The connection was up once and then dropped.
    dropped: bool,
    index_pending: bool,
    /// `data.by_id` is still to be built (see `set_summaries`).
    by_id_pending: bool,
    /// Body rows visible, for paging (set by the draw code's layout).
    pub page: usize,
    search_gen: u64,
    /// Replies expected for a one-key action on several rows.
    pub(super) batch: Option<Batch>,
    /// A draft is on the server (cleared when its form is sent or dropped).
    pub(super) draft_saved: bool,
    asked_draft: bool,
}

pub fn doc_of(s: &Summary) -> Doc {
    Doc {
        names: format!(
            "{} {} {} {}",
            s.parties.join(" "),
            s.village,
            s.title,
            s.category
        ),
        rest: format!("{} {}", s.id, s.summary),
    }
}

pub fn person_doc(p: &KeyPerson) -> Doc {
    Doc {
        names: format!("{} {} {}", p.name, p.village, p.category.label()),
        rest: format!("{} {}", p.id, p.reason),
    }
}

impl App {
    pub fn new(keymap: Keymap, now: Time, ascii: bool) -> App {
        App {
            data: Data::default(),
            view: View::Queue,
            lists: Default::default(),
            overlays: Vec::new(),
            keymap,
            ascii,
            me: None,
            online: false,
            now,
            status: None,
            sensitive: None,
            weights: RiskWeights::default(),
            out: Vec::new(),
            quit: false,
            dropped: false,
            index_pending: false,
            by_id_pending: false,
            page: 10,
            search_gen: 0,
            batch: None,
            draft_saved: false,
            asked_draft: false,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The first requests of a session (and of a reconnect).
    pub fn load(&mut self) {
        self.out.push(Out::Request(Want::Whoami, Request::Whoami));
        self.out
            .push(Out::Request(Want::Officers, Request::Officers));
        self.out.push(Out::Request(Want::Lists, Request::Lists));
        self.out
            .push(Out::Request(Want::RiskSetup, Request::RiskSetup));
        self.out.push(Out::Request(
            Want::Rollcall,
            Request::Rollcall { date: None },
        ));
        if !std::mem::replace(&mut self.asked_draft, true) {
            self.out.push(Out::Request(
                Want::ShiftMark,
                Request::Draft {
                    key: super::routine::SHIFT_KEY.into(),
                },
            ));
            self.out.push(Out::Request(
                Want::Draft,
                Request::Draft {
                    key: DRAFT_KEY.into(),
                },
            ));
        }
        // The small lists first: the first frame waits only for the summaries.
        self.out.push(Out::Request(
            Want::Persons,
            Request::Persons {
                include_ended: false,
            },
        ));
        self.out
            .push(Out::Request(Want::Summaries, Request::Summaries));
    }

    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some((text.into(), error));
    }

    // ---------- data ----------

    pub fn set_summaries(&mut self, revision: u64, items: Vec<Summary>) {
        self.data.revision = revision;
        // Copying 100 000 ids into the table is a quarter of this call:
        // it waits until the first frame is out (keys and notices build it
        // first if they come sooner).
        self.data.by_id.clear();
        self.by_id_pending = true;
        self.data.summaries = items;
        self.data.loaded = true;
        self.rescore();
        // The search index is built after the first frame with data is drawn.
        self.index_pending = true;
    }

    /// Work that may wait until the screen is drawn; true when some was queued.
    pub fn deferred(&mut self) -> bool {
        self.ensure_by_id();
        if !std::mem::take(&mut self.index_pending) {
            return false;
        }
        let docs = self.data.summaries.iter().map(doc_of).collect();
        self.out.push(Out::Index(Corpus::Disputes, docs));
        self.refresh_filters();
        true
    }

    fn ensure_by_id(&mut self) {
        if std::mem::take(&mut self.by_id_pending) {
            self.data.by_id = self
                .data
                .summaries
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), i))
                .collect();
        }
    }

    /// Upserts changed summaries (after a notice); an asked-for id missing
    /// from the answer was removed (an undone registration).
    pub fn merge_summaries(&mut self, asked: &[String], items: Vec<Summary>) {
        self.ensure_by_id();
        let gone: Vec<&String> = asked
            .iter()
            .filter(|id| self.data.by_id.contains_key(*id) && !items.iter().any(|s| &s.id == *id))
            .collect();
        if !gone.is_empty() {
            self.data.summaries.retain(|s| !gone.contains(&&s.id));
            self.data.by_id = self
                .data
                .summaries
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), i))
                .collect();
            for l in &mut self.lists {
                l.filtered = None;
            }
            let docs = self.data.summaries.iter().map(doc_of).collect();
            self.out.push(Out::Index(Corpus::Disputes, docs));
        }
        for s in items {
            let doc = doc_of(&s);
            let i = match self.data.by_id.get(&s.id) {
                Some(&i) => {
                    self.data.summaries[i] = s;
                    i
                }
                None => {
                    self.data
                        .by_id
                        .insert(s.id.clone(), self.data.summaries.len());
                    self.data.summaries.push(s);
                    self.data.summaries.len() - 1
                }
            };
            self.out.push(Out::IndexSet(Corpus::Disputes, i, doc));
        }
        self.rescore();
        self.refresh_filters();
    }

    pub fn set_persons(&mut self, persons: Vec<KeyPerson>) {
        self.data.persons = persons;
        let docs = self.data.persons.iter().map(person_doc).collect();
        self.out.push(Out::Index(Corpus::Persons, docs));
        self.rebuild_rows();
        self.refresh_filters();
    }

    /// Re-ranks every open case; the inputs of one case's score include the
    /// others (repeat parties), so all are recomputed.
    /// Re-ranks after the weights or the sensitive periods changed.
    pub(super) fn rescore_all(&mut self) {
        self.rescore();
        self.refresh_filters();
    }

    fn rescore(&mut self) {
        let today = self.today();
        let ctx = RiskContext::new(
            &self.data.summaries,
            today,
            &self.weights,
            self.sensitive.is_some(),
        );
        self.data.scores = self.data.summaries.iter().map(|s| total(s, &ctx)).collect();
        self.data.risk = Some(ctx);
        self.rebuild_rows();
    }

    /// The score of summary `i` with its reasons.
    pub fn score_of(&self, i: usize) -> Score {
        match (&self.data.risk, self.data.summaries.get(i)) {
            (Some(ctx), Some(s)) => score(s, ctx),
            _ => Score {
                total: 0,
                reasons: Vec::new(),
            },
        }
    }

    pub fn rebuild_rows(&mut self) {
        let today = self.today();
        let soon = today + Days::new(3);
        let week = today + Days::new(7);
        let d = &self.data;
        let s = &d.summaries;
        let mut inbox: Vec<usize> = (0..s.len())
            .filter(|&i| {
                matches!(
                    s[i].status,
                    Status::Registered | Status::Triaged | Status::Returned
                ) || (s[i].status == Status::Assigned && !s[i].accepted)
            })
            .collect();
        let inbox_rank = |st: Status| match st {
            Status::Returned => 0,
            Status::Registered => 1,
            Status::Triaged => 2,
            _ => 3,
        };
        inbox.sort_by(|&a, &b| {
            inbox_rank(s[a].status)
                .cmp(&inbox_rank(s[b].status))
                .then(s[a].registered_at.cmp(&s[b].registered_at))
        });
        let mut queue: Vec<usize> = (0..s.len()).filter(|&i| s[i].status.is_open()).collect();
        queue.sort_by(|&a, &b| d.scores[b].cmp(&d.scores[a]).then(s[a].id.cmp(&s[b].id)));
        let mut supervision: Vec<usize> = (0..s.len())
            .filter(|&i| {
                s[i].status.is_open()
                    && (s[i].supervised || s[i].deadline.is_some_and(|dl| dl <= soon))
            })
            .collect();
        // Keys borrow the 编号: sorting 100 000 rows must not clone strings.
        supervision.sort_by_key(|&i| {
            (
                s[i].deadline.unwrap_or(NaiveDate::MAX),
                !s[i].supervised,
                s[i].id.as_str(),
            )
        });
        let p = &d.persons;
        let mut watch: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_active()).collect();
        watch.sort_by_key(|&i| (p[i].next_visit_due(), p[i].id.as_str()));
        let mut follow: Vec<usize> = (0..s.len())
            .filter(|&i| s[i].next_follow_up.is_some_and(|f| f <= week))
            .collect();
        follow.sort_by_key(|&i| (s[i].next_follow_up, s[i].id.as_str()));
        let rollcall = (0..self.rollcall_rows().len()).collect();
        self.data.rows = [
            inbox,
            queue,
            supervision,
            watch,
            follow,
            Vec::new(),
            rollcall,
        ];
        self.data.analysis = None;
        for (i, l) in self.lists.iter_mut().enumerate() {
            let n = l
                .filtered
                .as_ref()
                .map_or(self.data.rows[i].len(), |f| f.len());
            l.selected = l.selected.min(n.saturating_sub(1));
        }
    }

    fn refresh_filters(&mut self) {
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
            gen: self.search_gen * 8 + view.index() as u64,
            corpus: App::corpus(view),
            query: l.filter.text(),
            scope: self.data.rows[view.index()].clone(),
        });
    }

    /// A search result; only the newest for its view is kept.
    pub fn on_search(&mut self, gen: u64, rows: Vec<usize>) {
        let view = View::ALL[(gen % 8) as usize % VIEWS];
        if gen / 8 != self.lists[view.index()].gen {
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

    /// The rows the current list shows (filtered or not).
    pub fn visible_rows(&self, view: View) -> &[usize] {
        let l = &self.lists[view.index()];
        l.filtered
            .as_deref()
            .unwrap_or(&self.data.rows[view.index()])
    }

    /// The record under the cursor: a 编号.
    pub fn selected_id(&self) -> Option<String> {
        let rows = self.visible_rows(self.view);
        let i = *rows.get(self.lists[self.view.index()].selected)?;
        if self.view == View::Rollcall {
            None
        } else if self.view == View::Watchlist {
            self.data.persons.get(i).map(|p| p.id.clone())
        } else {
            self.data.summaries.get(i).map(|s| s.id.clone())
        }
    }

    // ---------- events ----------

    pub fn on_reply(&mut self, want: Want, result: Result<Response, DeskError>) {
        match (want, result) {
            (Want::Whoami, Ok(Response::Officer(o))) => self.me = Some(o),
            (Want::Officers, Ok(Response::Officers(list))) => {
                self.data.officers = list.into_iter().map(|o| (o.login.clone(), o)).collect();
            }
            (Want::Summaries, Ok(Response::Summaries { revision, items })) => {
                self.set_summaries(revision, items)
            }
            (Want::SummariesOf(asked), Ok(Response::Summaries { revision, items })) => {
                self.data.revision = self.data.revision.max(revision);
                self.merge_summaries(&asked, items);
            }
            (Want::Lists, Ok(Response::Lists(l))) => self.data.lists = l,
            (Want::Draft, Ok(Response::Draft(d))) => {
                if !self.overlays.iter().any(|o| matches!(o, Overlay::Form(_))) {
                    self.on_draft(d)
                }
            }
            (Want::SaveDraft, Ok(_)) => {}
            (Want::LastAction, Ok(Response::Undoable(info))) => self.on_last_action(info),
            (Want::Undo, Ok(Response::Undone(i))) => {
                self.say(format!("已撤销「{}」{}", i.action, i.target), false)
            }
            (Want::Flow(kind, target), result) => self.on_flow(kind, target, result),
            (Want::RiskSetup, Ok(Response::RiskSetup(setup))) => self.set_setup(*setup),
            (Want::Rollcall, Ok(Response::Rollcall(sheet))) => self.set_rollcall(*sheet),
            (Want::Report, Ok(Response::Report(r))) => self.show_report(*r),
            (Want::ShiftMark, Ok(Response::Draft(mark))) => self.on_shift_mark(mark),
            (Want::Direct(id), result) => self.on_direct(id, result),
            (Want::Persons, Ok(Response::Persons(p))) => self.set_persons(p),
            (Want::Dispute(id), Ok(Response::Dispute(d))) => {
                self.fill_detail(&id, Record::Dispute(d))
            }
            (Want::Person(id), Ok(Response::Person(p))) => self.fill_detail(&id, Record::Person(p)),
            (Want::Dispute(id) | Want::Person(id), Err(e)) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o {
                        if d.id == id {
                            d.error = Some(e.to_string());
                        }
                    }
                }
            }
            (_, Err(e)) => self.say(e.to_string(), true),
            (_, Ok(_)) => self.say("服务端应答异常", true),
        }
    }

    fn fill_detail(&mut self, id: &str, record: Record) {
        for o in &mut self.overlays {
            if let Overlay::Detail(d) = o {
                if d.id == id {
                    d.record = Some(record.clone());
                    d.error = None;
                }
            }
        }
    }

    /// Another officer's change: refetch what it touched.
    pub fn on_notice(&mut self, n: Notice) {
        let disputes: Vec<String> = n
            .touched
            .iter()
            .filter(|t| t.kind == RecordKind::Dispute)
            .map(|t| t.id.clone())
            .collect();
        if !disputes.is_empty() {
            self.out.push(Out::Request(
                Want::SummariesOf(disputes.clone()),
                Request::SummariesOf {
                    ids: disputes.clone(),
                },
            ));
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::Person) {
            self.out.push(Out::Request(
                Want::Persons,
                Request::Persons {
                    include_ended: false,
                },
            ));
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::List) {
            self.out.push(Out::Request(Want::Lists, Request::Lists));
            self.out
                .push(Out::Request(Want::RiskSetup, Request::RiskSetup));
            self.out.push(Out::Request(
                Want::Rollcall,
                Request::Rollcall { date: None },
            ));
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::Officer) {
            self.out
                .push(Out::Request(Want::Officers, Request::Officers));
        }
        // An open detail of a changed record is refreshed too.
        let open: Vec<String> = self
            .overlays
            .iter()
            .filter_map(|o| match o {
                Overlay::Detail(d) if n.touched.iter().any(|t| t.id == d.id) => Some(d.id.clone()),
                _ => None,
            })
            .collect();
        for id in open {
            self.fetch_detail(&id);
        }
        let who = self
            .data
            .officers
            .get(&n.actor)
            .map(|o| o.name.clone())
            .unwrap_or(n.actor.clone());
        // The officer's own change already has its message.
        if self.me.as_ref().is_some_and(|m| m.login == n.actor) {
            return;
        }
        let ids: Vec<&str> = n.touched.iter().map(|t| t.id.as_str()).collect();
        self.say(format!("{who} {} {}", n.action, ids.join(" ")), false);
    }

    pub fn set_online(&mut self, online: bool, why: Option<String>) {
        let was = self.online;
        self.online = online;
        if !online {
            self.say(why.unwrap_or_else(|| "连接中断，正在重连…".into()), true);
        } else if !was && self.dropped {
            // Notices may have been missed while away: load everything again.
            self.say("已重新连接，正在刷新", false);
            self.load();
        }
        self.dropped |= was && !online;
    }

    /// Layers consulted for a key, top overlay first.
    pub fn layers(&self) -> Vec<Layer> {
        match self.overlays.last() {
            Some(Overlay::Help { .. }) => vec![Layer::Help],
            Some(Overlay::Command { .. }) => vec![Layer::Command],
            Some(Overlay::Detail(d)) if d.id.starts_with("RY-") => {
                vec![Layer::Detail, Layer::Person, Layer::Global]
            }
            Some(Overlay::Detail(_)) => vec![Layer::Detail, Layer::Case, Layer::Global],
            Some(Overlay::Message(_)) => vec![Layer::Global],
            Some(Overlay::Form(_)) => vec![Layer::Form],
            Some(Overlay::Picker(_)) => vec![Layer::Picker],
            Some(Overlay::Ask(_)) => vec![Layer::Ask],
            Some(Overlay::Report { .. }) => vec![Layer::Detail, Layer::Global],
            None if self.lists[self.view.index()].editing => vec![Layer::Search],
            None if self.view == View::Dashboard => vec![Layer::Global],
            None if self.view == View::Rollcall => vec![Layer::Rollcall, Layer::Global],
            None if self.view == View::Watchlist => vec![Layer::List, Layer::Person, Layer::Global],
            None => vec![Layer::List, Layer::Case, Layer::Global],
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        self.ensure_by_id();
        let layers = self.layers();
        let action = self.keymap.lookup(&layers, &Key::from_event(&key));
        // Text fields take printable keys their layer does not bind.
        let typing = matches!(
            layers[0],
            Layer::Help | Layer::Command | Layer::Search | Layer::Picker
        );
        match action {
            Some(a) => self.act(a),
            None if layers[0] == Layer::Form => self.form_key(&key),
            None if typing => self.type_key(&key),
            // Over a slow SSH link Esc and the next key arrive together and
            // read as Alt+key; nothing binds Alt+key by default, so undo that.
            None if key.modifiers.contains(KeyModifiers::ALT) => {
                if let KeyCode::Char(c) = key.code {
                    self.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
                    self.on_key(KeyEvent::new(
                        KeyCode::Char(c),
                        key.modifiers - KeyModifiers::ALT,
                    ));
                }
            }
            None => {}
        }
    }

    fn type_key(&mut self, key: &KeyEvent) {
        let view = self.view;
        match self.overlays.last_mut() {
            Some(Overlay::Help { filter, scroll }) => {
                if filter.edit(key) {
                    *scroll = 0;
                }
            }
            Some(Overlay::Command { input, hint }) => {
                if input.edit(key) {
                    *hint = None;
                }
            }
            Some(Overlay::Picker(p)) => {
                if p.filter.edit(key) {
                    p.refilter();
                }
            }
            _ => {
                let l = &mut self.lists[view.index()];
                if l.filter.edit(key) {
                    if l.filter.is_empty() {
                        l.filtered = None;
                        l.searching = false;
                    } else {
                        self.run_search(view);
                    }
                }
            }
        }
    }

    fn list_len(&self) -> usize {
        self.visible_rows(self.view).len()
    }

    fn move_cursor(&mut self, delta: i64) {
        match self.overlays.last_mut() {
            Some(Overlay::Picker(p)) => return p.move_by(delta),
            Some(Overlay::Form(f)) => {
                if delta < 0 {
                    f.prev()
                } else {
                    f.next()
                }
                return;
            }
            _ => {}
        }
        if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
            d.scroll = (d.scroll as i64 + delta).clamp(0, u16::MAX as i64) as u16;
            return;
        }
        if let Some(Overlay::Report { scroll, .. }) = self.overlays.last_mut() {
            *scroll = (*scroll as i64 + delta).clamp(0, u16::MAX as i64) as u16;
            return;
        }
        if let Some(Overlay::Help { scroll, .. }) = self.overlays.last_mut() {
            *scroll = (*scroll as i64 + delta).clamp(0, u16::MAX as i64) as u16;
            return;
        }
        let n = self.list_len();
        let l = &mut self.lists[self.view.index()];
        if n == 0 {
            l.selected = 0;
            return;
        }
        l.selected = (l.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
    }

    pub fn act(&mut self, action: Action) {
        self.status = None;
        let page = self.page.max(1) as i64;
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlays.push(Overlay::Help {
                filter: Input::default(),
                scroll: 0,
            }),
            Action::Command => self.overlays.push(Overlay::Command {
                input: Input::default(),
                hint: None,
            }),
            Action::Back => self.back(),
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
            Action::Confirm => self.confirm(),
            Action::Complete => self.complete(),
            Action::ToggleMark if matches!(self.overlays.last(), Some(Overlay::Picker(_))) => {
                if let Some(Overlay::Picker(p)) = self.overlays.last_mut() {
                    p.toggle();
                    p.move_by(1);
                }
            }
            Action::ToggleMark => {
                if let Some(id) = self.selected_id() {
                    let l = &mut self.lists[self.view.index()];
                    if !l.marks.remove(&id) {
                        l.marks.insert(id);
                    }
                    self.move_cursor(1);
                }
            }
            Action::NextView => self.switch((self.view.index() + 1) % VIEWS),
            Action::PrevView => self.switch((self.view.index() + VIEWS - 1) % VIEWS),
            Action::ViewInbox => self.switch(0),
            Action::ViewQueue => self.switch(1),
            Action::ViewSupervision => self.switch(2),
            Action::ViewWatchlist => self.switch(3),
            Action::ViewFollowups => self.switch(4),
            Action::ViewDashboard => self.switch(5),
            Action::ViewRollcall => self.switch(6),
            Action::Refresh => {
                self.load();
                self.say("正在刷新…", false);
            }
            Action::NextField => self.move_cursor(1),
            Action::PrevField => self.move_cursor(-1),
            Action::OpenExisting => self.open_existing(),
            flow => self.flow(flow),
        }
    }

    pub(super) fn switch(&mut self, i: usize) {
        self.overlays
            .retain(|o| !matches!(o, Overlay::Detail(_) | Overlay::Message(_)));
        self.view = View::ALL[i];
    }

    fn back(&mut self) {
        if matches!(self.overlays.last(), Some(Overlay::Form(_))) {
            return self.cancel_form();
        }
        if self.overlays.pop().is_some() {
            return;
        }
        let view = self.view;
        let l = &mut self.lists[view.index()];
        if l.editing || !l.filter.is_empty() {
            l.editing = false;
            l.filter = Input::default();
            l.filtered = None;
            l.searching = false;
        }
    }

    pub fn open_detail(&mut self, id: &str) {
        self.overlays.retain(|o| !matches!(o, Overlay::Detail(_)));
        self.overlays.push(Overlay::Detail(Detail {
            id: id.to_string(),
            record: None,
            error: None,
            scroll: 0,
        }));
        self.fetch_detail(id);
    }

    pub(super) fn fetch(&mut self, id: &str) {
        self.fetch_detail(id)
    }

    fn fetch_detail(&mut self, id: &str) {
        if id.starts_with("RY-") {
            self.out.push(Out::Request(
                Want::Person(id.to_string()),
                Request::Person { id: id.to_string() },
            ));
        } else {
            self.out.push(Out::Request(
                Want::Dispute(id.to_string()),
                Request::Dispute { id: id.to_string() },
            ));
        }
    }

    fn confirm(&mut self) {
        match self.overlays.last() {
            Some(Overlay::Form(_)) => return self.submit(),
            Some(Overlay::Picker(_)) => return self.picker_confirm(),
            Some(Overlay::Ask(_)) => return self.ask_yes(),
            _ => {}
        }
        if let Some(Overlay::Command { input, .. }) = self.overlays.last() {
            let line = input.text();
            self.overlays.pop();
            self.run_command(&line);
            return;
        }
        let l = &mut self.lists[self.view.index()];
        l.editing = false;
    }
}
