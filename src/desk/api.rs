//! The Desk API: every command and query the TUI and the CLI can make, as
//! data. `Local` answers them against the store; `Remote` sends them to the
//! server, which answers them with its own `Local`. One vocabulary, two roads.

use super::casework::Swept;
use crate::domain::escalation::Thresholds;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ledger::{ImportBatch, ImportReport, LedgerFilter};
use super::ops::{Change, Op};
use crate::domain::dispute::{Dispute, NewDispute};
use crate::domain::lists::{PersonCategory, PersonGrade};
use crate::domain::officer::Officer;
use crate::domain::period::SensitivePeriod;
use crate::domain::person::{KeyPerson, NewPerson};
use crate::domain::person_rules::PersonRules;
use crate::domain::record::Touched;
use crate::domain::reports::{PersonCounts, Report, Spec};
use crate::domain::risk::RiskWeights;
use crate::domain::rollcall::{NewRollcall, RollcallSettings, RollcallSheet};
use crate::domain::settings::Settings;
use crate::domain::summary::Summary;
use crate::domain::DomainError;
use crate::store::StoreError;

/// A change to a dispute names the revision the officer saw (`seen`), so a
/// change made meanwhile by someone else is refused instead of overwritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Whoami,
    /// Presence: what this connection's officer has open now (None: no
    /// case). Not a write: the server keeps it per connection, drops it when
    /// the connection goes, and pushes everyone's to the desks
    /// (`ServerMsg::Presence`).
    Looking {
        at: Option<Looking>,
    },
    Summaries,
    /// A window of a view, computed on the server's read model and scoped
    /// to the officer: positions `from..from + limit` (at most `MAX_WINDOW`).
    /// With `watch`, the server remembers the window under that slot for
    /// this connection and pushes what changes in it (`ServerMsg::View`).
    View {
        query: crate::desk::views::ViewQuery,
        from: u32,
        limit: u32,
        watch: Option<u8>,
    },
    /// 我的 for the caller: the section counts and a window of its rows.
    Mine {
        from: u32,
        limit: u32,
    },
    /// The open case a registration would duplicate: same village, a
    /// party of the same name or pinyin (`views::same_parties`).
    Duplicate {
        village: String,
        parties: Vec<String>,
    },
    /// The score a case would have once triaged as the form says so far.
    Preview {
        id: String,
        draft: crate::desk::views::TriageDraft,
    },
    /// The 四定 the township's history suggests for a case (交办).
    AssignHint {
        id: String,
    },
    /// How many cases each list holds, and 督办's by colour.
    Tally,
    /// 编号 of cases that hold `part` or are the partial number it names
    /// (`3001`, `2026-3001`), newest first, at most 50: `:go` and its
    /// completion.
    Ids {
        part: String,
    },
    /// Where case `id` stands in what `query` lists (from 0), or None: the
    /// desk's cursor follows a case re-ranked out of the rows it holds.
    Locate {
        query: crate::desk::views::ViewQuery,
        id: String,
    },
    /// Stops the pushes for one watched window.
    Unwatch {
        slot: u8,
    },
    /// The current summaries of some disputes (after a change notice).
    SummariesOf {
        ids: Vec<String>,
    },
    Dispute {
        id: String,
    },
    Persons {
        include_ended: bool,
    },
    /// One key person. Outside the officer's scope only with a typed
    /// `reason` (break the glass), recorded and marked in the audit log.
    Person {
        id: String,
        reason: Option<String>,
    },
    /// How many key persons stand where (在册, 逾期未访, 失访, 待复核):
    /// counts only, for 只读 and the status line.
    PersonCounts,
    /// The register's rules: visit cadence, 失访, retention, access flags.
    PersonRules,
    /// Changes the register's rules (管理员), recorded in the audit log.
    SetPersonRules {
        edit: RulesEdit,
    },
    Officers,
    Lists,
    Audit {
        since: Option<NaiveDate>,
    },
    Check,
    /// A backup into the server's backup directory: a bare file name, or
    /// None for a timestamped one.
    Backup {
        name: Option<String>,
    },

    Register {
        new: NewDispute,
    },
    /// One of the operations in `ops` on an existing dispute or key person.
    /// `seen` is the revision the officer saw.
    Change {
        id: String,
        seen: Option<u64>,
        change: Change,
    },

    AddPerson {
        new: NewPerson,
    },
    RosterAdd {
        officer: Officer,
    },
    ListAdd {
        list: ListName,
        value: String,
        /// Added even when it reads as an entry already there (东河村委会
        /// beside 东河村), which is refused otherwise.
        #[serde(default)]
        force: bool,
    },

    /// The caller's own last change, if it can still be undone.
    LastAction,
    /// Undoes the caller's own last change (within 10 minutes) with a
    /// compensating change; the audit log keeps both.
    Undo,

    /// Keep (or with None, drop) one of the caller's drafts. For the form
    /// slot, `form` is the operation the form submits (None: the roll-call
    /// report); a draft is kept only for an officer who may submit it, and
    /// only up to `limits::MAX_DRAFT_BYTES`.
    SaveDraft {
        slot: DraftSlot,
        form: Option<Op>,
        value: Option<String>,
    },
    Draft {
        slot: DraftSlot,
    },

    /// The ledger (台账) for export: full records, phones masked by role;
    /// recorded as 导出台账. The client writes the file.
    ExportLedger {
        filter: LedgerFilter,
    },
    /// The key-person register for export; recorded as 导出重点人员.
    ExportPersons {
        include_ended: bool,
        /// 通报: only the persons whose household is in this township.
        notify: Option<String>,
    },
    /// Rows of an imported ledger, sent in batches that fit a frame; the
    /// batch with `finish` checks them all and writes them in one transaction.
    ImportLedger {
        batch: ImportBatch,
    },

    /// The live risk weights and the sensitive periods active today: what a
    /// client needs to rank the queue and show the 敏感时期 banner.
    RiskSetup,
    /// Changes one risk weight (管理员); `key` is its key or Chinese name.
    SetWeight {
        key: String,
        value: i32,
    },
    /// Puts every risk weight back to the built-in default (管理员).
    ResetWeights,
    /// Every defined sensitive period.
    Periods,
    AddPeriod {
        period: SensitivePeriod,
    },
    /// Removes a period by name (and start, when the name recurs).
    RemovePeriod {
        name: String,
        from: Option<NaiveDate>,
    },
    /// One day's roll-call (today when not given): reported, missing, flagged.
    Rollcall {
        date: Option<NaiveDate>,
    },
    /// Records a village's or unit's daily report on its behalf.
    RecordRollcall {
        new: NewRollcall,
    },
    /// The roll-call's due hour and whether it runs outside sensitive periods (管理员).
    SetRollcall {
        due_hour: Option<u32>,
        every_day: Option<bool>,
    },
    /// A report (日报, 月度台账, 研判会, 交接班): text and figures.
    Report {
        spec: Spec,
    },
    /// The days overdue from which a case turns 橙牌 and 红牌 (管理员).
    SetEscalation {
        orange_from: Option<u32>,
        red_from: Option<u32>,
    },
    /// Resume due 中止 cases, 挂牌督办 new 红牌 ones (the server does it
    /// every minute by itself).
    Sweep,
}

/// The drafts an officer has, one each: nothing else is kept per officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DraftSlot {
    /// The unsent form (whichever form it is).
    Form,
    /// When the officer last opened the desk (for the handover).
    Shift,
    /// The officer's saved views (`:save 名称`): filter and sort by name.
    /// Not audited: a way of looking, like a draft; it changes no record.
    Views,
}

impl DraftSlot {
    /// The slot's name in the store's key (`login:form`, `login:shift`).
    pub fn name(self) -> &'static str {
        match self {
            DraftSlot::Form => "form",
            DraftSlot::Shift => "shift",
            DraftSlot::Views => "views",
        }
    }
}

/// A case an officer has open, reading its detail or filling a form on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Looking {
    pub id: String,
    pub editing: bool,
}

/// Who has which case open now, by connection (see `Request::Looking`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub login: String,
    /// The roster's name: what the desk shows ("王海燕正在编辑").
    pub name: String,
    pub at: Looking,
}

impl Request {
    /// Whether the request changes the database (for the CLI's read-only paths).
    pub fn is_query(&self) -> bool {
        matches!(
            self,
            Request::Whoami
                | Request::Looking { .. }
                | Request::Summaries
                | Request::View { .. }
                | Request::Mine { .. }
                | Request::Duplicate { .. }
                | Request::Preview { .. }
                | Request::AssignHint { .. }
                | Request::Tally
                | Request::Ids { .. }
                | Request::Locate { .. }
                | Request::Unwatch { .. }
                | Request::SummariesOf { .. }
                | Request::Dispute { .. }
                | Request::Officers
                | Request::Lists
                | Request::Audit { .. }
                | Request::Check
                | Request::Draft { .. }
                | Request::LastAction
                | Request::RiskSetup
                | Request::Periods
                | Request::Rollcall { .. }
                | Request::Report { .. }
                | Request::PersonCounts
                | Request::PersonRules
        )
    }
}

/// What a client may do with a request whose reply was lost with the
/// connection (see `Remote::call`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// A read: sent again as it is.
    Freely,
    /// A change: sent with a key the client made, and sent again once with
    /// the same key; the server applies a key at most once.
    WithKey,
    /// Not sent again: the server keeps its state per connection (import
    /// batches) or it writes outside the database (a backup file).
    Never,
}

impl Request {
    pub fn resend(&self) -> Resend {
        match self {
            Request::Whoami
            | Request::Looking { .. }
            | Request::Summaries
            | Request::View { .. }
            | Request::Mine { .. }
            | Request::Duplicate { .. }
            | Request::Preview { .. }
            | Request::AssignHint { .. }
            | Request::Tally
            | Request::Ids { .. }
            | Request::Locate { .. }
            | Request::Unwatch { .. }
            | Request::SummariesOf { .. }
            | Request::Dispute { .. }
            | Request::Persons { .. }
            | Request::Person { .. }
            | Request::Officers
            | Request::Lists
            | Request::Audit { .. }
            | Request::Check
            | Request::Draft { .. }
            | Request::LastAction
            | Request::ExportLedger { .. }
            | Request::ExportPersons { .. }
            | Request::RiskSetup
            | Request::Periods
            | Request::Rollcall { .. }
            | Request::Report { .. }
            | Request::PersonCounts
            | Request::PersonRules => Resend::Freely,
            Request::Register { .. }
            | Request::Change { .. }
            | Request::AddPerson { .. }
            | Request::RosterAdd { .. }
            | Request::ListAdd { .. }
            | Request::Undo
            | Request::SaveDraft { .. }
            | Request::SetWeight { .. }
            | Request::ResetWeights
            | Request::AddPeriod { .. }
            | Request::RemovePeriod { .. }
            | Request::RecordRollcall { .. }
            | Request::SetRollcall { .. }
            | Request::SetEscalation { .. }
            | Request::Sweep
            | Request::SetPersonRules { .. } => Resend::WithKey,
            Request::Backup { .. } | Request::ImportLedger { .. } => Resend::Never,
        }
    }
}

/// One change to the register's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RulesEdit {
    Cadence {
        category: PersonCategory,
        grade: PersonGrade,
        days: u32,
    },
    LostAfter(u32),
    RetentionDays(u32),
    DutyHours(u32, u32),
    Burst {
        persons: u32,
        minutes: u32,
    },
}

/// The register in numbers, naming nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCounts {
    /// On the active watchlist.
    pub active: u32,
    pub standing: PersonCounts,
    /// Persons with an unacknowledged alert (失访, 危险等级): by id only, and
    /// only to those who watch for alerts (值班员, 领导, 管理员).
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListName {
    Villages,
    Units,
    Categories,
    /// The county's other townships: where a case may be 移送.
    Townships,
}

impl ListName {
    pub fn key(self) -> &'static str {
        match self {
            ListName::Villages => "villages",
            ListName::Units => "units",
            ListName::Categories => "categories",
            ListName::Townships => "townships",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListName::Villages => "村(社区)",
            ListName::Units => "责任单位",
            ListName::Categories => "纠纷类型",
            ListName::Townships => "乡镇(街道)",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lists {
    pub villages: Vec<String>,
    pub units: Vec<String>,
    pub categories: Vec<String>,
    /// Where a case may be 移送 (none until the 管理员 adds them).
    #[serde(default)]
    pub townships: Vec<String>,
    pub settings: Settings,
}

/// What ranking needs from the desk: the weights in force and the periods
/// active today (the TUI shows `banner()` on every screen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskSetup {
    pub weights: RiskWeights,
    pub today: NaiveDate,
    pub active: Vec<SensitivePeriod>,
    pub rollcall: RollcallSettings,
    /// 黄牌 / 橙牌 / 红牌 thresholds in force.
    #[serde(default)]
    pub escalation: Thresholds,
}

impl RiskSetup {
    /// 春节、全国两会 while periods are active.
    pub fn banner(&self) -> Option<String> {
        crate::domain::period::banner(&self.active)
    }

    pub fn sensitive(&self) -> bool {
        !self.active.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub disputes: u64,
    pub persons: u64,
    pub audit_events: u64,
    pub faults: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    Done,
    /// A dispute or key person changed; `rev` is its revision now, so the
    /// officer's next change to it is not taken for someone else's.
    Changed {
        rev: u64,
    },
    /// Every summary, still encoded as stored (see `Store::summary_blob`);
    /// the client decodes it. `DeskExt::summaries` does that for callers.
    SummaryBlob {
        revision: u64,
        count: u64,
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
    },
    /// A new record's id (编号).
    Created(String),
    Officer(Officer),
    Summaries {
        revision: u64,
        items: Vec<Summary>,
    },
    Dispute(Box<Dispute>),
    Window(Box<crate::desk::views::Window>),
    Mine(Box<crate::desk::views::MyWork>),
    AssignHint(Option<crate::domain::assign_hint::AssignHint>),
    Tally(Box<crate::desk::views::Tally>),
    Ids(Vec<String>),
    Located(Option<u32>),
    /// A case's row (`Duplicate`, `Preview`), or None.
    Row(Option<Box<crate::desk::views::Row>>),
    Persons(Vec<KeyPerson>),
    Person(Box<KeyPerson>),
    Officers(Vec<Officer>),
    Lists(Lists),
    Audit(Vec<LogEntry>),
    Check(CheckResult),
    /// A backup written: where, and its size.
    BackedUp {
        file: String,
        bytes: u64,
    },
    /// A saved form, as the JSON text the client stored.
    Draft(Option<String>),
    Disputes(Vec<Dispute>),
    /// Import rows received so far.
    Staged(u64),
    Imported(Box<ImportReport>),
    RiskSetup(Box<RiskSetup>),
    Periods(Vec<SensitivePeriod>),
    Rollcall(Box<RollcallSheet>),
    Report(Box<Report>),
    /// What `Undo` would undo (None: nothing).
    Undoable(Option<UndoInfo>),
    Undone(UndoInfo),
    Escalation(Thresholds),
    Swept(Swept),
    PersonCounts(RegisterCounts),
    PersonRules(Box<PersonRules>),
}

/// One entry of the operation log as an officer reads it (`desk log`): who
/// did what to which record, when. The chain's hashes and what each
/// transaction wrote stay in the store, for `desk check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    pub at: crate::domain::dispute::Time,
    /// Login of the officer who acted.
    pub actor: String,
    /// What was done (登记, 交办, 查阅重点人员 …).
    pub action: String,
    /// The record acted on: a 编号, a person id, a login, or empty.
    pub target: String,
    pub detail: String,
    /// The database revision the change produced.
    pub revision: u64,
}

impl From<crate::store::audit::AuditEvent> for LogEntry {
    fn from(e: crate::store::audit::AuditEvent) -> LogEntry {
        LogEntry {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            detail: e.detail,
            revision: e.revision,
        }
    }
}

/// An undoable (or undone) change, as the officer is told about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoInfo {
    pub action: String,
    pub target: String,
    pub at: crate::domain::dispute::Time,
    /// Why it can no longer be undone, when it cannot.
    pub blocked: Option<String>,
}

/// What a committed change touched; the server pushes it to every client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub revision: u64,
    /// What was done (登记, 交办 …).
    pub action: String,
    pub actor: String,
    pub touched: Vec<Touched>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum DeskError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Someone changed the record since the officer saw it; `fresh` is its state now.
    #[error("{message}")]
    Conflict {
        message: String,
        fresh: Option<Box<Dispute>>,
    },
    #[error("{0}")]
    NotOnRoster(String),
    #[error("{0}")]
    Store(String),
    #[error("{0}")]
    Connection(String),
}

impl From<DomainError> for DeskError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(m) => DeskError::Invalid(m),
            DomainError::Refused(m) => DeskError::Refused(m),
            DomainError::Forbidden(m) => DeskError::Forbidden(m),
        }
    }
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound(m) => DeskError::NotFound(m),
            other => DeskError::Store(other.to_string()),
        }
    }
}

/// The Desk API as one call. `Local` and `Remote` both implement it.
pub trait Desk {
    fn call(&mut self, req: Request) -> Result<Response, DeskError>;
}

/// A reply of one shape: what a typed call expects back.
pub trait FromReply: Sized {
    fn from_reply(r: Response) -> Result<Self, DeskError>;
}

/// Each reply type, once: the variant that carries it.
macro_rules! replies {
    ($($ty:ty => $variant:ident $(($unbox:tt))?),* $(,)?) => {$(
        impl FromReply for $ty {
            fn from_reply(r: Response) -> Result<Self, DeskError> {
                match r {
                    Response::$variant(v) => Ok(replies!(@take v $($unbox)?)),
                    other => Err(unexpected(other)),
                }
            }
        }
    )*};
    (@take $v:ident box) => { *$v };
    (@take $v:ident) => { $v };
}

replies! {
    Dispute => Dispute(box),
    crate::desk::views::Window => Window(box),
    crate::desk::views::MyWork => Mine(box),
    crate::desk::views::Tally => Tally(box),
    KeyPerson => Person(box),
    Vec<KeyPerson> => Persons,
    RegisterCounts => PersonCounts,
    PersonRules => PersonRules(box),
    Officer => Officer,
    Vec<Officer> => Officers,
    Lists => Lists,
    RiskSetup => RiskSetup(box),
    Report => Report(box),
    RollcallSheet => Rollcall(box),
    Vec<LogEntry> => Audit,
    Vec<SensitivePeriod> => Periods,
    CheckResult => Check,
    Option<UndoInfo> => Undoable,
    UndoInfo => Undone,
    Thresholds => Escalation,
    Swept => Swept,
}

/// A new record's 编号.
pub struct Created(pub String);

impl FromReply for Created {
    fn from_reply(r: Response) -> Result<Self, DeskError> {
        match r {
            Response::Created(id) => Ok(Created(id)),
            other => Err(unexpected(other)),
        }
    }
}

/// Typed helpers over `call`, so callers need not match responses.
pub trait DeskExt: Desk {
    /// A call whose reply has one shape.
    fn ask<T: FromReply>(&mut self, req: Request) -> Result<T, DeskError> {
        T::from_reply(self.call(req)?)
    }

    fn summaries(&mut self) -> Result<(u64, Vec<Summary>), DeskError> {
        match decode_blob(self.call(Request::Summaries)?)? {
            Response::Summaries { revision, items } => Ok((revision, items)),
            other => Err(unexpected(other)),
        }
    }

    fn dispute(&mut self, id: &str) -> Result<Dispute, DeskError> {
        self.ask(Request::Dispute { id: id.to_string() })
    }

    fn person(&mut self, id: &str) -> Result<KeyPerson, DeskError> {
        self.ask(Request::Person {
            id: id.to_string(),
            reason: None,
        })
    }

    fn persons(&mut self, include_ended: bool) -> Result<Vec<KeyPerson>, DeskError> {
        self.ask(Request::Persons { include_ended })
    }

    fn whoami(&mut self) -> Result<Officer, DeskError> {
        self.ask(Request::Whoami)
    }

    fn officers(&mut self) -> Result<Vec<Officer>, DeskError> {
        self.ask(Request::Officers)
    }

    fn lists(&mut self) -> Result<Lists, DeskError> {
        self.ask(Request::Lists)
    }

    fn risk_setup(&mut self) -> Result<RiskSetup, DeskError> {
        self.ask(Request::RiskSetup)
    }

    fn report(&mut self, spec: Spec) -> Result<Report, DeskError> {
        self.ask(Request::Report { spec })
    }

    fn rollcall(&mut self, date: Option<NaiveDate>) -> Result<RollcallSheet, DeskError> {
        self.ask(Request::Rollcall { date })
    }

    /// A command that creates a record; returns its id.
    fn create(&mut self, req: Request) -> Result<String, DeskError> {
        self.ask::<Created>(req).map(|c| c.0)
    }
}

impl<T: Desk + ?Sized> DeskExt for T {}

/// Turns a `SummaryBlob` into `Summaries`; other responses pass through.
pub fn decode_blob(r: Response) -> Result<Response, DeskError> {
    match r {
        Response::SummaryBlob {
            revision,
            count,
            blob,
        } => Ok(Response::Summaries {
            revision,
            items: crate::store::decode_summary_blob(&blob, count)?,
        }),
        other => Ok(other),
    }
}

pub fn unexpected(r: Response) -> DeskError {
    let kind = format!("{r:?}");
    DeskError::Connection(format!(
        "服务端返回了意外的应答（{}），客户端与服务端版本可能不一致",
        kind.chars().take(40).collect::<String>()
    ))
}
