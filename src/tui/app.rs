//! The desk's model: what it holds (views, lists, overlays, loaded data)
//! and the queue of effects (`out`) the loop carries out. No terminal I/O.
//! What keys, replies and notices do to it is in `keys`, `reply`, `notice`
//! and `data`; each overlay's own keys and drawing are in `overlay`.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::flows::Batch;
use super::form::FormKind;
use super::input::Input;
use super::keymap::Keymap;
use crate::desk::api::DraftSlot;
use crate::desk::api::{Lists, Request, RiskSetup};
use crate::domain::dispute::Time;
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::reports::analysis::AnalysisFigures;
use crate::domain::risk::RiskWeights;
use crate::domain::rollcall::RollcallSheet;
use crate::search::Doc;

pub use super::overlay::detail::{Detail, Record};
pub use super::overlay::Overlay;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// 我的: what waits for this officer, grouped (see `domain::mine`).
    Mine,
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
pub const VIEWS: usize = 8;

impl View {
    pub const ALL: [View; VIEWS] = [
        View::Mine,
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
            View::Mine => "我的",
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
    /// A window of a case list (`gen`: the newest asked for that list is
    /// kept); `query` is what was asked.
    Window {
        view: View,
        gen: u64,
        query: crate::desk::views::ViewQuery,
        limit: u32,
    },
    /// A window of 我的.
    Mine {
        gen: u64,
        limit: u32,
    },
    /// The 预警 strip's window.
    Alerts,
    /// How many cases each list holds (the tabs, the 督办 title).
    Tally,
    /// The 研判 dashboard's figures (the 研判会 report's own).
    Dashboard,
    /// 编号 for `:go` (open the newest) or for its completion.
    Ids {
        part: String,
        open: bool,
    },
    /// Where the case under the cursor went once re-ranked out of the rows
    /// held: the cursor follows it there.
    Locate {
        view: View,
        id: String,
    },
    /// How many of all cases a search finds that found none 在办.
    Elsewhere {
        view: View,
        search: String,
    },
    /// An open detail's score, as the server ranks the case.
    Score(String),
    /// A form's live line from the server: the duplicate check, the
    /// triage preview, the 四定 suggestion.
    Live(super::form::LiveAsk),
    Persons,
    /// The register in numbers (只读 sees no people).
    PersonCounts,
    /// Which persons carry an open alert (ids only), for the 预警 strip.
    PersonAlerts,
    Officers,
    Lists,
    /// The record behind an open detail (a dispute or a key person).
    Record(String),
    Draft,
    SaveDraft,
    LastAction,
    Undo,
    /// A form's request for one target (empty for a registration).
    /// A form's request for one target; `done` is what to say once it is done.
    Flow {
        kind: FormKind,
        target: String,
        done: &'static str,
    },
    /// A one-key action (签收, 督办) on one record.
    Direct(String),
    RiskSetup,
    Rollcall,
    /// A report asked for with `:report`.
    Report,
    /// The handover a new shift starts with: it arrives unasked, a moment
    /// after the desk opens, so it never covers what the officer opened.
    Handover,
    /// When this officer last opened the desk (a new shift gets the handover).
    ShiftMark,
    /// The officer's saved views (`:save`, `:view`).
    SavedViews,
    /// Presence told to the server (the answer is only an acknowledgement).
    Looking,
}

pub enum Out {
    Request(Want, Request),
    /// Write the ledger or the key-person register to a file.
    Export(super::client::ExportJob),
    /// Rebuild the key-person search index from these docs (same order
    /// as the register held). Cases are searched on the server.
    Index(Vec<Doc>),
    Search {
        gen: u64,
        query: String,
        scope: Vec<usize>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    /// The case the cursor is following beyond the rows held (asked of
    /// the server); forgotten once the officer moves the cursor.
    pub following: Option<String>,
    /// A search that found nothing 在办: how many 全部 holds (closed,
    /// archived), so the officer is told where it is.
    pub elsewhere: Option<(String, u32)>,
    pub offset: usize,
    pub filter: Input,
    pub editing: bool,
    /// Key persons matching the filter (indexes into the register held),
    /// when filtering the watchlist; case lists are filtered on the server.
    pub filtered: Option<Vec<usize>>,
    pub searching: bool,
    /// The newest search sent for this list; older results are dropped.
    pub gen: u64,
    pub marks: BTreeSet<String>,
    /// The filter searches every case (全部: closed and archived too), not
    /// only the rows this list shows (在办).
    pub everything: bool,
    /// The column the officer sorted by (`:sort`, S), if any.
    pub sort: Option<super::sort::Sort>,
}

/// Everything loaded from the server, plus what is derived from it.
#[derive(Default)]
pub struct Data {
    pub loaded: bool,
    /// Each case list's window of the server's view (by `View::index`).
    pub wins: [super::windows::Win; VIEWS],
    /// The list view whose window the server pushes changes of (slot 0).
    pub watching: Option<View>,
    /// The 预警 strip's window (slot 1).
    pub alerts: Option<crate::desk::views::Window>,
    /// How many cases each list holds, and 督办's by colour.
    pub tally: crate::desk::views::Tally,
    /// 编号 the server gave for the `:go` text last completed.
    pub ids: Option<(String, Vec<String>)>,
    pub persons: Vec<KeyPerson>,
    /// Whether the register was asked for this session: people are fetched
    /// only once the watchlist is opened, never at start or reconnect.
    pub persons_asked: bool,
    /// Persons with an open alert (ids only; no one's details are read).
    pub person_alerts: Vec<String>,
    pub officers: HashMap<String, Officer>,
    /// Logins to names, for what is read (detail, history).
    pub names: crate::domain::officer::Names,
    /// Villages, units, categories and settings, for the forms.
    pub lists: Lists,
    /// 我的's sections and how many rows each holds, in order.
    pub mine: Vec<(crate::domain::mine::Group, u32)>,
    /// Rows of the lists the desk orders itself: the watchlist (indexes
    /// into `persons`) and the roll-call; the case lists are windows.
    pub rows: [Vec<usize>; VIEWS],
    /// The weights in force, today's sensitive periods, the roll-call's rules.
    pub setup: Option<RiskSetup>,
    /// Today's roll-call, when loaded.
    pub rollcall: Option<RollcallSheet>,
    /// The 研判 figures, as the server last worked them out.
    pub analysis: Option<AnalysisFigures>,
}

/// A message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub kind: NoteKind,
    /// When it was said (the desk's clock, to the minute).
    pub at: Time,
}

impl Note {
    /// An information line gives the status line back (to the 敏感时期
    /// banner) after a minute or two; an error stays until the next key.
    pub fn stands(&self, now: Time) -> bool {
        match self.kind {
            NoteKind::Info => now - self.at < chrono::Duration::minutes(2),
            NoteKind::Error | NoteKind::Generating | NoteKind::Refreshing => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Info,
    Error,
    /// "正在生成…": a report is on its way, and its arrival clears this.
    Generating,
    /// "正在刷新": everything is being loaded again, and its arrival clears this.
    Refreshing,
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
    /// The status line's message.
    pub status: Option<Note>,
    pub sensitive: Option<String>,
    /// The server's check found the database damaged: nothing is saved.
    pub damaged: Option<String>,
    pub weights: RiskWeights,
    pub out: Vec<Out>,
    pub quit: bool,
    /// The connection was up once and then dropped.
    pub(super) dropped: bool,
    /// Body rows visible, for paging (set by the draw code's layout).
    pub page: usize,
    pub(super) search_gen: u64,
    /// Requests for windows so far (each list keeps its newest).
    pub(super) window_gen: u64,
    /// Replies expected for a one-key action on several rows.
    pub(super) batch: Option<Batch>,
    /// Cases this officer just changed: an alert on them is no news to them.
    pub(super) own_changes: std::collections::HashSet<String>,
    /// A draft is on the server (cleared when its form is sent or dropped).
    pub(super) draft_saved: bool,
    asked_draft: bool,
    /// `y` hands text to the terminal's clipboard (OSC 52); off
    /// (`DESK_CLIPBOARD=off`), it shows the text for the mouse instead.
    pub osc52: bool,
    /// Text for the clipboard, written with the next frame.
    pub clipboard: Option<String>,
    /// The last action was a copy: `y` again shows the text instead.
    pub(super) copied: bool,
    /// The officer has pressed a key since the desk opened: a reply that
    /// comes later (the handover) no longer opens over the screen.
    pub(super) at_work: bool,
    /// The report on its way goes to the clipboard too (`Y`).
    pub(super) copy_report: bool,
    /// This officer's saved views, as the server keeps them.
    pub saved_views: super::saved_views::SavedViews,
    /// The case last told to the server as open here (presence).
    pub(super) told_looking: Option<crate::desk::api::Looking>,
    /// Who has which case open, as the server last pushed it.
    pub viewers: Vec<crate::desk::api::Viewer>,
}

pub use crate::desk::views::case_doc as doc_of;

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
            view: View::Mine,
            lists: Default::default(),
            overlays: Vec::new(),
            keymap,
            ascii,
            me: None,
            online: false,
            now,
            status: None,
            sensitive: None,
            damaged: None,
            weights: RiskWeights::default(),
            out: Vec::new(),
            quit: false,
            dropped: false,
            osc52: true,
            clipboard: None,
            copied: false,
            at_work: false,
            copy_report: false,
            page: 10,
            search_gen: 0,
            window_gen: 0,
            batch: None,
            own_changes: Default::default(),
            draft_saved: false,
            asked_draft: false,
            saved_views: Default::default(),
            told_looking: None,
            viewers: Vec::new(),
        }
    }

    /// The 黄橙红牌 thresholds in force (the default until the desk says).
    pub fn thresholds(&self) -> crate::domain::escalation::Thresholds {
        self.data
            .setup
            .as_ref()
            .map(|s| s.escalation)
            .unwrap_or_default()
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// The first requests of a session (and of a reconnect).
    pub fn load(&mut self) {
        self.out.push(Out::Request(Want::Whoami, Request::Whoami));
        // The screen's own rows first (the calls are answered in order),
        // then the strip and the counts: never every case.
        self.refresh_view();
        self.ask_alerts();
        self.ask_tally();
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
                    slot: DraftSlot::Shift,
                },
            ));
            self.out.push(Out::Request(
                Want::Draft,
                Request::Draft {
                    slot: DraftSlot::Form,
                },
            ));
            self.ask_saved_views();
        }
        // Which persons carry alerts (ids only); the people themselves wait
        // until the watchlist is opened (`want_persons`).
        self.out
            .push(Out::Request(Want::PersonAlerts, Request::PersonCounts));
    }

    /// The watchlist was opened: fetch the people in the officer's scope
    /// once (the desk logs whom it showed); 只读 gets counts only.
    pub fn want_persons(&mut self) {
        let counts_only = self
            .me
            .as_ref()
            .is_some_and(|m| m.role == crate::domain::lists::Role::ReadOnly);
        if counts_only {
            self.out
                .push(Out::Request(Want::PersonCounts, Request::PersonCounts));
        } else if !std::mem::replace(&mut self.data.persons_asked, true) {
            self.out.push(Out::Request(
                Want::Persons,
                Request::Persons {
                    include_ended: false,
                },
            ));
        }
    }

    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        let kind = if error {
            NoteKind::Error
        } else {
            NoteKind::Info
        };
        self.note(text, kind);
    }

    pub fn note(&mut self, text: impl Into<String>, kind: NoteKind) {
        self.status = Some(Note {
            text: text.into(),
            kind,
            at: self.now,
        });
    }

    /// The rows of a list the desk orders itself (the watchlist, filtered
    /// or not; the roll-call). Case lists are windows (`row_at`).
    pub fn visible_rows(&self, view: View) -> &[usize] {
        let l = &self.lists[view.index()];
        l.filtered
            .as_deref()
            .unwrap_or(&self.data.rows[view.index()])
    }

    /// The record under the cursor: a 编号.
    pub fn selected_id(&self) -> Option<String> {
        let selected = self.lists[self.view.index()].selected;
        if self.view.lists_cases() {
            return self.row_at(self.view, selected).map(|r| r.case.id.clone());
        }
        let i = *self.visible_rows(self.view).get(selected)?;
        match self.view {
            View::Watchlist => self.data.persons.get(i).map(|p| p.id.clone()),
            _ => None,
        }
    }
}
