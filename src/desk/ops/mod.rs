//! Every operation an officer can do to a dispute or a key person, each
//! described once in its own file: its parameters, its Chinese words, who may
//! do it and the rule it applies. The server runs them here; the CLI's
//! arguments and the forms build the same parameter types, and every screen
//! and printout takes its words from the same `Spec`.
//!
//! Adding an operation: a file here with its parameter type, its `SPEC` and
//! its `CaseOp`/`PersonOp` impl; one line in `operations!` and one variant in
//! `Change` (the compiler then names `Change::op` and `run`). The README's
//! design section has the whole recipe.

mod accept;
mod ack_alert;
mod ack_person_alert;
mod add_person;
mod assign;
mod change_tier;
mod close;
mod context;
mod decide;
mod extend;
mod follow_up;
mod mark_household;
mod note;
mod package;
mod pause;
mod register;
mod reject;
mod reopen;
mod resume;
mod review_person;
pub mod roles;
mod supervise;
mod transfer;
mod triage;
mod visit_person;

pub use accept::Accept;
pub use ack_alert::AckAlert;
pub use ack_person_alert::AckPersonAlert;
pub use assign::Assign;
pub use change_tier::ChangeTier;
pub use close::Close;
pub(crate) use context::empty_list;
pub(crate) use context::last_history;
pub use context::Cx;
pub use decide::Decide;
pub use extend::Extend;
pub use follow_up::FollowUp;
pub use mark_household::MarkHousehold;
pub use note::Note;
pub use package::Package;
pub use pause::Pause;
pub use reject::Reject;
pub use reopen::Reopen;
pub use resume::Resume;
pub use review_person::ReviewPerson;
pub use supervise::Supervise;
pub use transfer::{Transfer, TransferTo};
pub use triage::Triage;
pub use visit_person::VisitPerson;

use serde::{Deserialize, Serialize};

use super::api::{DeskError, Request};
use super::local::{Local, Reply};
use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::{check, Capability, Officer};
use crate::domain::person::KeyPerson;
use crate::domain::workflow::Move;

/// Who may do an operation. Roles decide the first two; the others also
/// let the officer the record is assigned to do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// 值班员, 领导, 管理员.
    Desk,
    /// 领导, 管理员.
    Lead,
    /// The 责任人 the case is handed to, alone (签收, 退回).
    AssignedPerson,
    /// The desk, or anyone working the case: 牵头领导, 责任人, 包案工作组.
    Assignee,
    /// The desk, or the key person's 联系干部.
    PersonOfficer,
}

/// What the officer is allowed to touch, for the checks that depend on it.
pub enum Record<'a> {
    Dispute(&'a Dispute),
    Person(&'a KeyPerson),
}

impl Who {
    /// Whether the rule needs the record (so it is checked once it is read).
    fn needs_record(self) -> bool {
        match self {
            Who::Desk | Who::Lead => false,
            Who::AssignedPerson | Who::Assignee | Who::PersonOfficer => true,
        }
    }

    /// The one permission check of every operation. `record` is None before
    /// the record is read; rules that need it wait for it.
    pub fn permit(self, me: &Officer, record: Option<Record>, verb: &str) -> Result<(), DeskError> {
        let own = match (self, record) {
            (Who::Desk, None) => return Ok(check(me, Capability::Desk, false, verb)?),
            (Who::Lead, None) => return Ok(check(me, Capability::Lead, false, verb)?),
            (Who::Desk | Who::Lead, Some(_)) => return Ok(()),
            (Who::AssignedPerson | Who::Assignee | Who::PersonOfficer, None) => return Ok(()),
            (Who::AssignedPerson, Some(Record::Dispute(d))) => {
                d.assignment.as_ref().is_some_and(|a| a.person == me.login)
            }
            (Who::Assignee, Some(Record::Dispute(d))) => d.is_assignee(&me.login),
            (Who::PersonOfficer, Some(Record::Person(p))) => p.officer == me.login,
            (Who::AssignedPerson | Who::Assignee, Some(Record::Person(_)))
            | (Who::PersonOfficer, Some(Record::Dispute(_))) => false,
        };
        Ok(check(me, self.capability(), own, verb)?)
    }

    fn capability(self) -> Capability {
        match self {
            Who::Desk => Capability::Desk,
            Who::Lead => Capability::Lead,
            Who::AssignedPerson => Capability::Receive,
            Who::Assignee | Who::PersonOfficer => Capability::CaseWork,
        }
    }

    /// Whether `role` may do it: on any record, or (`own`) on one assigned
    /// to the officer.
    pub fn allows(self, role: crate::domain::lists::Role, own: bool) -> bool {
        crate::domain::officer::allows(role, self.capability(), own && self.needs_record())
    }

    /// Whether `me` may do it at all, on some record (for hints and tests).
    pub fn may_ever(self, me: &Officer) -> bool {
        crate::domain::officer::allows(me.role, self.capability(), self.needs_record())
    }

    /// As `may_ever`, refusing in the officer's words what `what` names.
    pub fn permit_ever(self, me: &Officer, what: &str) -> Result<(), DeskError> {
        Ok(check(me, self.capability(), self.needs_record(), what)?)
    }
}

/// How an officer starts an operation in the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A form with this title.
    Form(&'static str),
    /// One key, no form (签收, 督办).
    OneKey,
    /// Only on the command line: rare and deliberate (重新打开).
    CliOnly,
}

/// An operation, described once.
#[derive(Debug)]
pub struct Spec {
    pub op: Op,
    /// The word the case history, the audit log and notices use (交办).
    pub action: &'static str,
    /// What "无权…" names when the officer may not (交办).
    pub verb: &'static str,
    /// What the officer is told once it is done (已交办).
    pub done: &'static str,
    /// The CLI subcommand.
    pub cli: &'static str,
    pub entry: Entry,
    pub who: Who,
}

/// Lists every operation once: the `Op` enum, `Op::ALL` and `Op::spec`
/// derive from this list.
macro_rules! operations {
    ($($op:ident => $ty:ty),* $(,)?) => {
        /// Every operation, for tables, tests and the TUI's forms.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Op { $($op),* }

        impl Op {
            pub const ALL: &[Op] = &[$(Op::$op),*];

            pub fn spec(self) -> &'static Spec {
                match self { $(Op::$op => &<$ty>::SPEC),* }
            }
        }
    };
}

operations! {
    Register => register::Register,
    Triage => Triage,
    Assign => Assign,
    Accept => Accept,
    Reject => Reject,
    Package => Package,
    Note => Note,
    Supervise => Supervise,
    ChangeTier => ChangeTier,
    Close => Close,
    Decide => Decide,
    Extend => Extend,
    FollowUp => FollowUp,
    Reopen => Reopen,
    AckAlert => AckAlert,
    Transfer => Transfer,
    Pause => Pause,
    Resume => Resume,
    AddPerson => add_person::AddPerson,
    VisitPerson => VisitPerson,
    ReviewPerson => ReviewPerson,
    AckPersonAlert => AckPersonAlert,
    MarkHousehold => MarkHousehold,
}

impl Op {
    /// The step of the case's workflow this operation takes, when the form
    /// cannot change which (the desk checks it before opening the form, so
    /// a form never opens for a case whose state refuses it). None: it is
    /// no workflow step, or which one depends on what the form says.
    pub fn step(self) -> Option<Move> {
        match self {
            Op::Triage => Some(Move::Triage),
            Op::Assign => Some(Move::Assign),
            Op::Accept => Some(Move::Accept),
            Op::Reject => Some(Move::Reject),
            Op::Package => Some(Move::Package),
            Op::Note => Some(Move::Note),
            Op::Supervise => Some(Move::Supervise),
            Op::ChangeTier => Some(Move::Escalate { to_county: false }),
            Op::Close => Some(Move::Close { packaged: false }),
            Op::Extend => Some(Move::RequestExtension),
            Op::FollowUp => Some(Move::FollowUpVisit { last: false }),
            Op::Reopen => Some(Move::Reopen),
            Op::Pause => Some(Move::Pause),
            Op::Resume => Some(Move::Resume),
            // 转办 or 移送 (allowed in different states), the approval's
            // kind, and what is not a step of the case.
            Op::Transfer
            | Op::Decide
            | Op::AckAlert
            | Op::Register
            | Op::AddPerson
            | Op::VisitPerson
            | Op::ReviewPerson
            | Op::AckPersonAlert
            | Op::MarkHousehold => None,
        }
    }
}

/// An operation's description, on its parameter type.
pub trait Described {
    const SPEC: Spec;
}

/// A change to one existing dispute.
pub trait CaseOp: Described + Into<Change> {
    /// Checks made before the record is read: names against the roster and
    /// the lists. They may normalise the parameters.
    fn prepare(&mut self, _cx: &Cx) -> Result<(), DeskError> {
        Ok(())
    }

    /// The move itself, on the record read in the transaction. Returns the
    /// detail the audit log keeps.
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError>;

    /// The history and audit word, when it depends on the parameters.
    fn action(&self) -> &'static str {
        Self::SPEC.action
    }

    /// A request for this change to `id`, seen at revision `seen`.
    fn on(self, id: impl Into<String>, seen: Option<u64>) -> Request {
        self.into().on(id, seen)
    }
}

/// A change to one key person on the register.
pub trait PersonOp: Described + Into<Change> {
    fn apply(self, cx: &Cx, p: &mut KeyPerson) -> Result<String, DeskError>;

    fn action(&self) -> &'static str {
        Self::SPEC.action
    }

    fn on(self, id: impl Into<String>, seen: Option<u64>) -> Request {
        self.into().on(id, seen)
    }
}

/// The parameters of a change to an existing record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Triage(Triage),
    Assign(Assign),
    Accept(Accept),
    Reject(Reject),
    Package(Package),
    Note(Note),
    Supervise(Supervise),
    ChangeTier(ChangeTier),
    Close(Close),
    Decide(Decide),
    Extend(Extend),
    FollowUp(FollowUp),
    Reopen(Reopen),
    AckAlert(AckAlert),
    Transfer(Transfer),
    Pause(Pause),
    Resume(Resume),
    VisitPerson(VisitPerson),
    ReviewPerson(ReviewPerson),
    AckPersonAlert(AckPersonAlert),
    MarkHousehold(MarkHousehold),
}

impl Change {
    /// The request for this change to `id`, seen at revision `seen`.
    pub fn on(self, id: impl Into<String>, seen: Option<u64>) -> Request {
        Request::Change {
            id: id.into(),
            seen,
            change: self,
        }
    }

    pub fn op(&self) -> Op {
        self.spec().op
    }

    pub fn spec(&self) -> &'static Spec {
        match self {
            Change::Triage(_) => &Triage::SPEC,
            Change::Assign(_) => &Assign::SPEC,
            Change::Accept(_) => &Accept::SPEC,
            Change::Reject(_) => &Reject::SPEC,
            Change::Package(_) => &Package::SPEC,
            Change::Note(_) => &Note::SPEC,
            Change::Supervise(_) => &Supervise::SPEC,
            Change::ChangeTier(_) => &ChangeTier::SPEC,
            Change::Close(_) => &Close::SPEC,
            Change::Decide(_) => &Decide::SPEC,
            Change::Extend(_) => &Extend::SPEC,
            Change::FollowUp(_) => &FollowUp::SPEC,
            Change::Reopen(_) => &Reopen::SPEC,
            Change::AckAlert(_) => &AckAlert::SPEC,
            Change::Transfer(_) => &Transfer::SPEC,
            Change::Pause(_) => &Pause::SPEC,
            Change::Resume(_) => &Resume::SPEC,
            Change::VisitPerson(_) => &VisitPerson::SPEC,
            Change::ReviewPerson(_) => &ReviewPerson::SPEC,
            Change::AckPersonAlert(_) => &AckPersonAlert::SPEC,
            Change::MarkHousehold(_) => &MarkHousehold::SPEC,
        }
    }

    /// What the officer is told once it is done; the CLI and the TUI both
    /// say this.
    pub fn done(&self) -> &'static str {
        match self {
            Change::Supervise(s) => s.done(),
            Change::Decide(d) => d.done(),
            Change::ReviewPerson(r) => r.done(),
            Change::Transfer(t) => t.done(),
            Change::Triage(_)
            | Change::Assign(_)
            | Change::Accept(_)
            | Change::Reject(_)
            | Change::Package(_)
            | Change::Note(_)
            | Change::ChangeTier(_)
            | Change::Close(_)
            | Change::Extend(_)
            | Change::FollowUp(_)
            | Change::Reopen(_)
            | Change::AckAlert(_)
            | Change::Pause(_)
            | Change::Resume(_)
            | Change::VisitPerson(_)
            | Change::AckPersonAlert(_)
            | Change::MarkHousehold(_) => self.spec().done,
        }
    }
}

/// Runs one change for `me`.
pub(crate) fn run(
    local: &Local,
    me: &Officer,
    id: &str,
    seen: Option<u64>,
    change: Change,
    now: Time,
) -> Result<Reply, DeskError> {
    let cx = Cx::new(local, me, now)?;
    match change {
        Change::Triage(c) => case(&cx, id, seen, c),
        Change::Assign(c) => case(&cx, id, seen, c),
        Change::Accept(c) => case(&cx, id, seen, c),
        Change::Reject(c) => case(&cx, id, seen, c),
        Change::Package(c) => case(&cx, id, seen, c),
        Change::Note(c) => case(&cx, id, seen, c),
        Change::Supervise(c) => case(&cx, id, seen, c),
        Change::ChangeTier(c) => case(&cx, id, seen, c),
        Change::Close(c) => case(&cx, id, seen, c),
        Change::Decide(c) => case(&cx, id, seen, c),
        Change::Extend(c) => case(&cx, id, seen, c),
        Change::FollowUp(c) => case(&cx, id, seen, c),
        Change::Reopen(c) => case(&cx, id, seen, c),
        Change::AckAlert(c) => case(&cx, id, seen, c),
        Change::Transfer(c) => case(&cx, id, seen, c),
        Change::Pause(c) => case(&cx, id, seen, c),
        Change::Resume(c) => case(&cx, id, seen, c),
        Change::VisitPerson(c) => person(&cx, id, seen, c),
        Change::ReviewPerson(c) => person(&cx, id, seen, c),
        Change::AckPersonAlert(c) => person(&cx, id, seen, c),
        Change::MarkHousehold(c) => person(&cx, id, seen, c),
    }
}

pub(crate) use add_person::run as add_person;
pub(crate) use register::run as register;

fn case<C: CaseOp>(cx: &Cx, id: &str, seen: Option<u64>, mut c: C) -> Result<Reply, DeskError> {
    let spec = &C::SPEC;
    spec.who.permit(cx.me, None, spec.verb)?;
    c.prepare(cx)?;
    let action = c.action();
    cx.local
        .change_dispute(cx.me, id, seen, action, cx.now, |d| {
            spec.who
                .permit(cx.me, Some(Record::Dispute(d)), spec.verb)?;
            c.apply(cx, d)
        })
}

fn person<P: PersonOp>(cx: &Cx, id: &str, seen: Option<u64>, p: P) -> Result<Reply, DeskError> {
    let spec = &P::SPEC;
    spec.who.permit(cx.me, None, spec.verb)?;
    let action = p.action();
    cx.local
        .change_person(cx.me, id, seen, action, cx.now, |k| {
            spec.who.permit(cx.me, Some(Record::Person(k)), spec.verb)?;
            p.apply(cx, k)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lists::Role;

    fn dispute() -> Dispute {
        use crate::domain::dispute::{NewDispute, Party};
        use crate::domain::lists::{PartyRole, Source};
        let new = NewDispute {
            village: "东村".into(),
            category: "邻里纠纷".into(),
            source: Some(Source::ALL[0]),
            summary: "排水沟堵塞".into(),
            parties: vec![Party::new("乙某", PartyRole::Applicant, None).unwrap()],
            people_involved: 0,
            amount: None,
            flags: Vec::new(),
            tier: None,
        };
        Dispute::register(
            "MD-2026-000001".into(),
            new,
            "zb",
            crate::desk::clock::now(),
        )
        .unwrap()
    }

    fn officer(role: Role) -> Officer {
        Officer::new("t1", "测试", "综治中心", role).unwrap()
    }

    #[test]
    fn every_operation_is_described_once_and_consistently() {
        let mut cli = std::collections::HashSet::new();
        for &op in Op::ALL {
            let s = op.spec();
            assert_eq!(s.op, op, "{op:?} carries another operation's description");
            assert!(cli.insert(s.cli), "two operations share `desk {}`", s.cli);
            assert!(s.done.starts_with('已'), "{op:?}: done-word {}", s.done);
            // Every rule lets 管理员 act and keeps 只读 out.
            assert!(s.who.may_ever(&officer(Role::Admin)), "{op:?}");
            assert!(!s.who.may_ever(&officer(Role::ReadOnly)), "{op:?}");
        }
    }

    #[test]
    fn own_work_rules_need_the_record() {
        let me = officer(Role::Responsible);
        assert!(Who::Assignee.permit(&me, None, "添加进展").is_ok());
        assert!(Who::Desk.permit(&me, None, "交办").is_err());
        let new = crate::domain::person::NewPerson {
            name: "甲某".into(),
            village: "东村".into(),
            category: crate::domain::lists::PersonCategory::HighRiskPetitioner,
            risk: crate::domain::lists::RiskLevel::High,
            officer: "t1".into(),
            interval_days: None,
            reason: "多次信访".into(),
            review_date: chrono::NaiveDate::from_ymd_opt(2099, 1, 1),
            phone: None,
            id_number: None,
            grade: None,
            household: None,
        };
        let p = KeyPerson::register(
            "RY-000001".into(),
            new,
            &Default::default(),
            "zb",
            crate::desk::clock::now(),
        )
        .unwrap();
        assert!(Who::PersonOfficer
            .permit(
                &officer(Role::Responsible),
                Some(Record::Dispute(&dispute())),
                "登记走访"
            )
            .is_err());
        assert!(Who::PersonOfficer
            .permit(&me, Some(Record::Person(&p)), "登记走访")
            .is_ok());
    }
}
