//! The keyboard forms of the flows: fields, focus, checking and drafts.
//! Each form's fields and request are described in `kinds`; fields are
//! named by the typed `Key`. Pure: no drawing, no I/O. Every value is kept
//! as the text the officer sees, so a draft is just (field, text) pairs and
//! survives any change of the form's shape.

mod key;
mod kinds;
mod reading;

pub use key::{Key, PartyPart};
use kinds::{party_fields, Start};
pub use kinds::{Built, Offer};
pub use reading::ReadState;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::input::Input;
use crate::desk::api::{Lists, Request};
use crate::desk::ops::{Entry, Op};
use crate::domain::lists::{Role, WarningFlag};
use crate::domain::officer::Officer;
use crate::domain::period::SensitivePeriod;
use crate::domain::person::KeyPerson;
use crate::domain::summary::Summary;
use crate::domain::text::{clean_line, parse_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormKind {
    Register,
    Triage,
    Assign,
    Reject,
    Package,
    Note,
    Escalate,
    Close,
    Approve,
    Extend,
    Visit,
    PersonAdd,
    PersonVisit,
    PersonReview,
    /// 签收 a key person's alerts; 失访 needs the plan (措施).
    PersonAck,
    /// A village's or unit's daily report, taken by the duty officer.
    Rollcall,
    Transfer,
    Pause,
}

impl FormKind {
    /// The operation the form makes; None for the roll-call report, which
    /// is the routine's, not a case's.
    pub fn op(self) -> Option<Op> {
        Some(match self {
            FormKind::Register => Op::Register,
            FormKind::Triage => Op::Triage,
            FormKind::Assign => Op::Assign,
            FormKind::Reject => Op::Reject,
            FormKind::Package => Op::Package,
            FormKind::Note => Op::Note,
            FormKind::Escalate => Op::ChangeTier,
            FormKind::Close => Op::Close,
            FormKind::Approve => Op::Decide,
            FormKind::Extend => Op::Extend,
            FormKind::Visit => Op::FollowUp,
            FormKind::PersonAdd => Op::AddPerson,
            FormKind::PersonVisit => Op::VisitPerson,
            FormKind::PersonReview => Op::ReviewPerson,
            FormKind::Transfer => Op::Transfer,
            FormKind::Pause => Op::Pause,
            FormKind::PersonAck => Op::AckPersonAlert,
            FormKind::Rollcall => return None,
        })
    }

    /// The form of an operation; None for those without one (签收, 督办 are
    /// one key; 重新打开 is on the command line).
    pub fn of(op: Op) -> Option<FormKind> {
        let kind = match op {
            Op::Register => FormKind::Register,
            Op::Triage => FormKind::Triage,
            Op::Assign => FormKind::Assign,
            Op::Reject => FormKind::Reject,
            Op::Package => FormKind::Package,
            Op::Note => FormKind::Note,
            Op::ChangeTier => FormKind::Escalate,
            Op::Close => FormKind::Close,
            Op::Decide => FormKind::Approve,
            Op::Extend => FormKind::Extend,
            Op::FollowUp => FormKind::Visit,
            Op::AddPerson => FormKind::PersonAdd,
            Op::VisitPerson => FormKind::PersonVisit,
            Op::ReviewPerson => FormKind::PersonReview,
            Op::Transfer => FormKind::Transfer,
            Op::Pause => FormKind::Pause,
            Op::AckPersonAlert => FormKind::PersonAck,
            Op::Accept
            | Op::Supervise
            | Op::AckAlert
            | Op::Resume
            | Op::Reopen
            | Op::MarkHousehold => return None,
        };
        Some(kind)
    }

    pub fn title(self) -> &'static str {
        match self.op().map(|op| op.spec().entry) {
            Some(Entry::Form(title)) => title,
            Some(Entry::OneKey | Entry::CliOnly) | None => "登记点名上报",
        }
    }

    /// Whether the form acts on a key person rather than a dispute.
    pub fn on_person(self) -> bool {
        matches!(
            self,
            FormKind::PersonVisit | FormKind::PersonReview | FormKind::PersonAck
        )
    }
}

/// Where a choice's options come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Options {
    Fixed(Vec<String>),
    Villages,
    Categories,
    Units,
    /// 领导 and 管理员: 牵头领导, 包案领导.
    Leaders,
    /// Everyone but 只读: 责任人, 包案工作组, 联系干部.
    Workers,
    /// Key persons on the register (to link as parties).
    Persons,
    /// Villages and units that owe the daily report.
    Reporters,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// Several lines: Enter starts a new line.
    Lines,
    Date,
    Number,
    /// One value from a list; Enter opens the picker, ←/→ step through.
    Choice(Options),
    /// Several values from a list, shown joined by 、.
    Multi(Options),
    /// 是 / 否.
    Toggle,
    /// A row that adds another party.
    AddParty,
    Submit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: Key,
    pub label: String,
    pub required: bool,
    pub kind: FieldKind,
    pub input: Input,
    pub error: Option<String>,
    /// Grey help shown after the label (default deadline, format …).
    pub hint: Option<String>,
    /// What the text reader suggests for the field, with its reason; shown
    /// beside the value, in the hint's place.
    pub note: Option<String>,
}

impl Field {
    fn new(key: Key, label: &str, required: bool, kind: FieldKind) -> Field {
        Field {
            key,
            label: label.to_string(),
            required,
            kind,
            input: Input::default(),
            error: None,
            hint: None,
            note: None,
        }
    }

    fn value(mut self, text: &str) -> Field {
        self.input.set(text);
        self
    }

    fn hint(mut self, text: impl Into<String>) -> Field {
        self.hint = Some(text.into());
        self
    }

    pub fn text(&self) -> String {
        self.input.text()
    }

    /// Whether the field takes typed text directly.
    pub fn is_typed(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Text | FieldKind::Lines | FieldKind::Date | FieldKind::Number
        )
    }
}

/// A record a form acts on, with the revision the officer saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub seen: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    /// Empty for a registration; several for a bulk action.
    pub targets: Vec<Target>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The server's refusal, shown under the form; the form stays open.
    pub error: Option<String>,
    /// Live lines: the risk score while triaging, a duplicate warning.
    pub live: Vec<String>,
    /// An open dispute with the same party in the same village.
    pub duplicate: Option<String>,
    /// The server's line for this form (the duplicate warning, the score
    /// a triage would give), and the inputs it answers.
    pub server_line: Option<String>,
    pub asked: Option<LiveAsk>,
    /// Requests sent and not yet answered.
    pub pending: usize,
    /// What the officer is told once the sent requests are done (已交办).
    pub done: &'static str,
    pub failures: Vec<String>,
    pub successes: Vec<String>,
    /// Changed since the draft was last sent.
    pub dirty: bool,
    /// Anything typed or chosen since the form opened (a cancel asks first).
    /// Unlike `dirty`, sending the draft does not clear it.
    pub edited: bool,
    /// What the reader made of the 矛盾情况 (登记, 研判).
    pub read: ReadState,
    /// 交办: the leader, unit and person the history suggests.
    pub offer: Option<Offer>,
    /// The form that opens on the same case once this one is done (研判
    /// before 交办 on a case not yet triaged).
    pub then: Option<FormKind>,
}

/// What a form asked the server to work out, by the inputs it was asked
/// with: an answer to inputs since changed is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveAsk {
    /// The village and parties typed (登记).
    Duplicate(String),
    /// The case and the triage as drafted (研判).
    Preview(String),
    /// The case to suggest 四定 for (交办).
    Hint(String),
    /// The case whose waiting request an approval decides (审批).
    Pending(String),
}

/// What the form needs to know about the desk.
pub struct Ctx<'a> {
    pub today: NaiveDate,
    pub lists: &'a Lists,
    pub officers: &'a HashMap<String, Officer>,
    pub persons: &'a [KeyPerson],
    /// The sensitive periods active today (they shorten default deadlines).
    pub periods: &'a [SensitivePeriod],
}

pub const YES: &str = "是";
pub const NO: &str = "否";

impl Form {
    /// A new form. `summary` is the dispute a form acts on (the first, for a
    /// bulk action), `person` the key person.
    pub fn new(
        kind: FormKind,
        targets: Vec<Target>,
        summary: Option<&Summary>,
        person: Option<&KeyPerson>,
        ctx: &Ctx,
    ) -> Form {
        let mut fields = kind.fields(&Start {
            summary,
            person,
            ctx,
        });
        fields.push(Field::new(Key::Submit, "提交", false, FieldKind::Submit));
        Form {
            kind,
            targets,
            fields,
            focus: 0,
            error: None,
            live: Vec::new(),
            duplicate: None,
            server_line: None,
            asked: None,
            pending: 0,
            done: "",
            failures: Vec::new(),
            successes: Vec::new(),
            dirty: false,
            edited: false,
            read: ReadState::default(),
            offer: None,
            then: None,
        }
    }

    pub fn field(&self, key: Key) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn get(&self, key: Key) -> String {
        self.field(key)
            .map(|f| clean_line(&f.text()))
            .unwrap_or_default()
    }

    /// A multi-line value: lines kept, each cleaned.
    fn lines(&self, key: Key) -> String {
        self.field(key)
            .map(|f| {
                f.text()
                    .split('\n')
                    .map(clean_line)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string()
            })
            .unwrap_or_default()
    }

    pub fn set(&mut self, key: Key, text: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.input.set(text);
            f.error = None;
            self.changed();
        }
    }

    fn fail(&mut self, key: Key, message: impl Into<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.error = Some(message.into());
        }
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn focused_mut(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }

    /// The next field; from 提交 round to the first.
    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    /// Whether anything was typed or chosen (a cancel then asks first).
    pub fn touched(&self) -> bool {
        self.edited
    }

    /// Records a change: the draft is due and a cancel will ask.
    pub fn changed(&mut self) {
        self.dirty = true;
        self.edited = true;
    }

    /// Adds a party's three rows before the add-party row and moves there.
    pub fn add_party(&mut self) {
        let Some(at) = self
            .fields
            .iter()
            .position(|f| f.kind == FieldKind::AddParty)
        else {
            return;
        };
        let n = self
            .fields
            .iter()
            .filter(|f| f.key.party_name().is_some())
            .count()
            + 1;
        let n = u8::try_from(n).unwrap_or(u8::MAX);
        for (i, f) in party_fields(n).into_iter().enumerate() {
            self.fields.insert(at + i, f);
        }
        self.focus = at;
        self.changed();
    }

    /// Steps a choice or toggle by `delta` through its options.
    pub fn step(&mut self, delta: i64, ctx: &Ctx) {
        let f = &self.fields[self.focus];
        let options = match &f.kind {
            FieldKind::Choice(o) => option_values(o, ctx),
            FieldKind::Toggle => vec![YES.to_string(), NO.to_string()],
            _ => return,
        };
        if options.is_empty() {
            return;
        }
        let text = f.text();
        let n = options.len() as i64;
        let next = match options.iter().position(|o| *o == text) {
            Some(i) => (i as i64 + delta).rem_euclid(n),
            None if delta > 0 => 0,
            None => n - 1,
        };
        let value = options[next as usize].clone();
        let key = f.key;
        self.set(key, &value);
    }

    /// Checks every field and builds the requests: one per target (one for
    /// a registration). On a problem the fields say what, and None.
    pub fn requests(&mut self, ctx: &Ctx) -> Option<Vec<(String, Request)>> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let missing: Vec<Key> = self
            .fields
            .iter()
            .filter(|f| f.required && clean_line(&f.text()).is_empty())
            .map(|f| f.key)
            .collect();
        for &key in &missing {
            let label = self.field(key).map(|f| f.label.clone()).unwrap_or_default();
            self.fail(key, format!("{label}为必填项"));
        }
        let built = self.kind.build(self, ctx);
        if !missing.is_empty() {
            return None;
        }
        match built? {
            Built::Once { request, done } => {
                self.done = done;
                Some(vec![(String::new(), request)])
            }
            Built::PerTarget(change) => {
                self.done = change.done();
                Some(
                    self.targets
                        .iter()
                        .map(|t| (t.id.clone(), change.clone().on(t.id.clone(), t.seen)))
                        .collect(),
                )
            }
        }
    }

    /// The warning signs chosen, each checked.
    fn flags(&mut self) -> Option<Vec<WarningFlag>> {
        let mut out = Vec::new();
        for name in split_multi(&self.get(Key::Flags)) {
            match WarningFlag::parse(&name) {
                Ok(flag) => out.push(flag),
                Err(e) => {
                    self.fail(Key::Flags, e.to_string());
                    return None;
                }
            }
        }
        Some(out)
    }

    fn date(&mut self, key: Key, ctx: &Ctx) -> Result<Option<NaiveDate>, ()> {
        let text = self.get(key);
        if text.is_empty() {
            return Ok(None);
        }
        match parse_date(&text, ctx.today) {
            Ok(d) => Ok(Some(d)),
            Err(e) => {
                self.fail(key, e.to_string());
                Err(())
            }
        }
    }

    fn choice<T>(
        &mut self,
        key: Key,
        parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    ) -> Option<T> {
        match parse(&self.get(key)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(key, e.to_string());
                None
            }
        }
    }

    /// The parties as typed, for the duplicate check.
    pub fn party_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.key.party_name().is_some())
            .map(|f| clean_line(&f.text()))
            .filter(|n| !n.is_empty())
            .collect()
    }

    pub fn draft(&self) -> Draft {
        Draft {
            kind: self.kind,
            targets: self.targets.clone(),
            values: self
                .fields
                .iter()
                .filter(|f| !matches!(f.kind, FieldKind::Submit | FieldKind::AddParty))
                .map(|f| (f.key.name(), f.text()))
                .collect(),
            focus: self.focus,
        }
    }

    /// A form rebuilt from its draft.
    pub fn from_draft(
        d: &Draft,
        summary: Option<&Summary>,
        person: Option<&KeyPerson>,
        ctx: &Ctx,
    ) -> Form {
        let mut f = Form::new(d.kind, d.targets.clone(), summary, person, ctx);
        let values: Vec<(Key, &str)> = d
            .values
            .iter()
            .filter_map(|(name, value)| Some((Key::parse(name)?, value.as_str())))
            .collect();
        for &(key, _) in &values {
            while f.field(key).is_none()
                && matches!(key, Key::Party(..))
                && f.fields.iter().any(|x| x.kind == FieldKind::AddParty)
            {
                let before = f.fields.len();
                f.add_party();
                if f.fields.len() == before {
                    break;
                }
            }
        }
        for (key, value) in values {
            f.set(key, value);
        }
        f.focus = d.focus.min(f.fields.len() - 1);
        f.dirty = false;
        f.read.from_draft = true;
        f
    }
}

/// An unsent form as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub kind: FormKind,
    pub targets: Vec<Target>,
    pub values: Vec<(String, String)>,
    pub focus: usize,
}

impl Draft {
    /// Whether anything was filled in.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(|(_, v)| v.trim().is_empty())
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("、")
}

pub fn split_multi(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；'])
        .map(clean_line)
        .filter(|s| !s.is_empty())
        .collect()
}

/// "郑国庆（ld1）" → "ld1"; text without the bracket is passed on as typed
/// (the server accepts a login or a name).
/// An officer as a choice shows and keeps them: "郑国庆（ld1）".
pub fn officer_choice(o: &Officer) -> String {
    format!("{}（{}）", o.name, o.login)
}

pub fn login_of(text: &str) -> String {
    match (text.rfind('（'), text.rfind('）')) {
        (Some(a), Some(b)) if b > a => text[a + '（'.len_utf8()..b].trim().to_string(),
        _ => text.trim().to_string(),
    }
}

/// The values a choice offers, as shown and stored in the field.
pub fn option_values(o: &Options, ctx: &Ctx) -> Vec<String> {
    let officers = |keep: fn(&Officer) -> bool| {
        let mut v: Vec<&Officer> = ctx
            .officers
            .values()
            .filter(|o| o.active && keep(o))
            .collect();
        v.sort_by(|a, b| a.login.cmp(&b.login));
        v.into_iter().map(officer_choice).collect()
    };
    match o {
        Options::Fixed(v) => v.clone(),
        Options::Villages => ctx.lists.villages.clone(),
        Options::Categories => ctx.lists.categories.clone(),
        Options::Units => ctx.lists.units.clone(),
        // 领导 first, then 管理员 (who may stand in).
        Options::Leaders => {
            let mut v: Vec<String> = officers(|o| o.role == Role::Leader);
            v.extend(officers(|o| o.role == Role::Admin));
            v
        }
        Options::Workers => officers(|o| o.role != Role::ReadOnly),
        Options::Reporters => {
            crate::domain::rollcall::expected(&ctx.lists.villages, &ctx.lists.units)
        }
        Options::Persons => ctx
            .persons
            .iter()
            .filter(|p| p.is_active())
            .map(|p| format!("{} {}（{}）", p.village, p.name, p.id))
            .collect(),
    }
}
