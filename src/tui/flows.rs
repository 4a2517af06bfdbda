//! What the flow keys do: open a form or picker, take keys into it, submit
//! it as Desk API requests, and handle the answers; drafts, bulk actions on
//! marked rows, and undo. The forms themselves are in `form`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use chrono::NaiveDate;

use super::app::{App, Data, Out, Overlay, View, Want};
use super::form::{
    login_of, officer_choice, option_values, split_multi, Ctx, Draft, FieldKind, Form, FormKind,
    Key, LiveAsk, Offer, Target,
};
use super::keymap::Action;
use super::picker::Picker;
use crate::desk::api::{DeskError, DraftSlot, Request, Response, UndoInfo};
use crate::desk::ops::{self, Change, Entry, Op, Who};
use crate::domain::lists::{RiskLevel, Role, Tier, WarningFlag};
use crate::domain::record::RecordKind;

/// The form's line while some field is red; it goes once none is.
const FIX_MARKED: &str = "有几项需要修改，见标红处";

/// The server keeps one unsent form per officer under this name.

#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub text: String,
    pub yes: AskYes,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AskYes {
    ResumeDraft(Box<Draft>),
    CancelForm,
    Undo,
}

/// Replies still expected for a one-key action on several rows (签收, 督办).
#[derive(Debug, Default)]
pub struct Batch {
    /// What the officer is told of the rows done (已签收).
    pub done: &'static str,
    pub pending: usize,
    pub ok: Vec<String>,
    pub failed: Vec<String>,
}

/// The officer's own change moved the record on: its new revision is the
/// one the next change names, even before the change notice brings the rest.
fn fresh_rev(data: &mut Data, id: &str, reply: &Response) {
    let &Response::Changed { rev } = reply else {
        return;
    };
    match RecordKind::of_id(id) {
        RecordKind::Person => {
            if let Some(p) = data.persons.iter_mut().find(|p| p.id == id) {
                p.rev = p.rev.max(rev);
            }
        }
        RecordKind::Dispute | RecordKind::Officer | RecordKind::List => {
            let held = data
                .wins
                .iter_mut()
                .filter_map(|w| w.window.as_mut())
                .chain(data.alerts.as_mut());
            for r in held
                .flat_map(|w| w.rows.iter_mut())
                .filter(|r| r.case.id == id)
            {
                r.case.rev = r.case.rev.max(rev);
            }
        }
    }
}

/// Operations that may act on every marked row at once (one 进展 for
/// several cases met in the same visit, too).
fn bulk(op: Op) -> bool {
    matches!(op, Op::Assign | Op::ChangeTier | Op::Supervise | Op::Note)
}

/// The operations a flow key asks for: on a dispute, on a key person.
/// None: not a flow key.
pub fn flow_ops(action: Action) -> Option<(Option<Op>, Option<Op>)> {
    use Action as A;
    Some(match action {
        A::Register => (Some(Op::Register), Some(Op::AddPerson)),
        A::Triage => (Some(Op::Triage), None),
        A::Assign => (Some(Op::Assign), None),
        A::Accept => (Some(Op::Accept), None),
        A::Reject => (Some(Op::Reject), None),
        A::Package => (Some(Op::Package), None),
        A::Note => (Some(Op::Note), None),
        A::Supervise => (Some(Op::Supervise), None),
        A::Escalate => (Some(Op::ChangeTier), None),
        A::Close => (Some(Op::Close), None),
        A::Visit => (Some(Op::FollowUp), Some(Op::VisitPerson)),
        A::Approve => (Some(Op::Decide), None),
        A::Extend => (Some(Op::Extend), None),
        A::AckAlert => (Some(Op::AckAlert), Some(Op::AckPersonAlert)),
        A::Transfer => (Some(Op::Transfer), None),
        A::Pause => (Some(Op::Pause), None),
        A::Resume => (Some(Op::Resume), None),
        A::Review => (None, Some(Op::ReviewPerson)),
        A::Quit
        | A::Help
        | A::Command
        | A::Search
        | A::Refresh
        | A::Back
        | A::Up
        | A::Down
        | A::PageUp
        | A::PageDown
        | A::Top
        | A::Bottom
        | A::Open
        | A::ToggleMark
        | A::CycleSort
        | A::ToggleScope
        | A::NextView
        | A::PrevView
        | A::ViewMine
        | A::ViewInbox
        | A::ViewQueue
        | A::ViewSupervision
        | A::ViewWatchlist
        | A::ViewFollowups
        | A::ViewDashboard
        | A::ViewRollcall
        | A::Undo
        | A::OpenExisting
        | A::AcceptSuggestions
        | A::PickFlags
        | A::Copy
        | A::CopyDaily
        | A::Confirm
        | A::Complete
        | A::NextField
        | A::PrevField => return None,
    })
}

/// What a form needs, borrowed from the data alone, so the overlays (where
/// the form lives) can be borrowed mutably at the same time.
fn ctx_of(data: &Data, today: NaiveDate) -> Ctx<'_> {
    Ctx {
        today,
        lists: &data.lists,
        officers: &data.officers,
        persons: &data.persons,
        periods: data.setup.as_ref().map_or(&[], |s| s.active.as_slice()),
    }
}

impl App {
    fn ctx(&self) -> Ctx<'_> {
        ctx_of(&self.data, self.today())
    }

    /// The record a flow key acts on: the open detail, else the row under
    /// the cursor.
    fn current_target(&self) -> Option<String> {
        match self.overlays.last() {
            Some(Overlay::Detail(d)) => Some(d.id.clone()),
            _ => self.selected_id(),
        }
    }

    fn target(&self, id: &str) -> Target {
        let seen = match RecordKind::of_id(id) {
            RecordKind::Person => self.data.persons.iter().find(|p| p.id == id).map(|p| p.rev),
            RecordKind::Dispute | RecordKind::Officer | RecordKind::List => {
                self.case(id).map(|s| s.rev)
            }
        };
        Target {
            id: id.to_string(),
            seen,
        }
    }

    /// The marked rows of the current list, or the current record.
    fn targets(&self, allow_bulk: bool) -> Vec<Target> {
        let marks = &self.lists[self.view.index()].marks;
        let detail_open = matches!(self.overlays.last(), Some(Overlay::Detail(_)));
        if allow_bulk && !detail_open && !marks.is_empty() {
            return marks.iter().map(|id| self.target(id)).collect();
        }
        self.current_target()
            .map(|id| vec![self.target(&id)])
            .unwrap_or_default()
    }

    /// A flow key.
    pub fn flow(&mut self, action: Action) {
        let on_person = match self.overlays.last() {
            Some(Overlay::Detail(d)) => RecordKind::of_id(&d.id) == RecordKind::Person,
            _ => self.view == View::Watchlist,
        };
        if self.view == View::Rollcall && self.overlays.is_empty() {
            if action == Action::Register {
                return self.open_rollcall_form();
            }
            return self.say("点名屏只能登记上报：按 n 或 Enter", true);
        }
        if action == Action::Undo {
            self.out
                .push(Out::Request(Want::LastAction, Request::LastAction));
            return;
        }
        let Some((on_case, on_key_person)) = flow_ops(action) else {
            return;
        };
        let op = match (on_person, on_case, on_key_person) {
            (false, Some(op), _) | (true, _, Some(op)) => op,
            (true, _, None) => {
                return self.say("这一操作针对矛盾纠纷，请在案件列表中选择案件", true);
            }
            (false, None, _) => {
                return self.say("这一操作针对重点人员，请在重点人员屏中选择", true)
            }
        };
        // Refused before a form is filled in, not after: a 只读 account
        // pressing n learns at once that it cannot register. Short, to fit
        // the status line at 80 columns; the server's refusal says more.
        if let Some(me) = self.me.as_ref().filter(|me| !op.spec().who.may_ever(me)) {
            let msg = format!(
                "您是“{}”，不能{}；如需调整请联系管理员",
                me.role.label(),
                op.spec().verb
            );
            return self.say(msg, true);
        }
        // One case at hand: refused now, in one line, before any form.
        if let [one] = &self.targets(bulk(op))[..] {
            if let Some(why) = self.refusal_now(op, &one.id) {
                return self.say(why, true);
            }
        }
        match (op.spec().entry, FormKind::of(op)) {
            (Entry::OneKey, _) => self.direct(op),
            (Entry::Form(_), Some(kind)) => self.start_form(op, kind),
            (Entry::Form(_) | Entry::CliOnly, None) | (Entry::CliOnly, Some(_)) => {
                self.say(format!("“{}”请在命令行中办理", op.spec().action), true)
            }
        }
    }

    /// Whether the hint bar offers `action` now: the officer may do it, and
    /// on the case at hand nothing refuses it (`refusal_now`).
    pub fn may_now(&self, action: Action) -> bool {
        if !self.may_ever(action) {
            return false;
        }
        match (flow_ops(action), self.current_target()) {
            (Some((Some(op), _)), Some(id)) => self.refusal_now(op, &id).is_none(),
            _ => true,
        }
    }

    /// Why `op` cannot be done on case `id` now, in one short line: its
    /// state refuses the step, or it is not this officer's to do (签收 only
    /// by the person it was handed to). 交办 on a case not yet triaged is
    /// not refused: it opens 研判 first.
    fn refusal_now(&self, op: Op, id: &str) -> Option<String> {
        use crate::domain::workflow::{next, Move, Status};
        let (s, me) = (self.case(id)?, self.me.as_ref()?);
        // Whose it is first: a 责任人 told "尚未研判" would think it theirs to do.
        let mine = s.person.as_deref() == Some(me.login.as_str());
        let own = match op.spec().who {
            Who::AssignedPerson => mine,
            // The summary does not name the 包案工作组: a packaged case may be theirs.
            Who::Assignee => mine || s.leader.as_deref() == Some(me.login.as_str()) || s.packaged,
            Who::Desk | Who::Lead | Who::PersonOfficer => false,
        };
        if !op.spec().who.allows(me.role, own) {
            return Some(match op.spec().who {
                Who::AssignedPerson => format!("只能由交办给的责任人本人{}", op.spec().verb),
                Who::Assignee | Who::Desk | Who::Lead | Who::PersonOfficer => {
                    format!("这件不是交办给您的，不能{}", op.spec().verb)
                }
            });
        }
        if let Some(why) = waiting_refuses(op, &s) {
            return Some(why.to_string());
        }
        // The desk's 转办 (移送 is the CLI's): its own step.
        let step = match op {
            Op::Transfer => Some(Move::Transfer),
            _ => op.step(),
        };
        match step {
            Some(Move::Assign) if s.status == Status::Registered => None,
            Some(step) => next(s.status, step).err().map(|why| why.to_string()),
            None => None,
        }
    }

    /// Whether the officer may ever do what `action` starts (on a case or a
    /// key person): the hint bar offers only those.
    pub fn may_ever(&self, action: Action) -> bool {
        let (Some((on_case, on_person)), Some(me)) = (flow_ops(action), &self.me) else {
            return true;
        };
        [on_case, on_person]
            .into_iter()
            .flatten()
            .any(|op| op.spec().who.may_ever(me))
    }

    fn start_form(&mut self, op: Op, kind: FormKind) {
        let targets = match op {
            Op::Register | Op::AddPerson => Vec::new(),
            _ => {
                let t = self.targets(bulk(op));
                if t.is_empty() {
                    let what = if kind.on_person() {
                        "一位重点人员"
                    } else {
                        "一件案件"
                    };
                    return self.say(format!("请先选择{what}"), true);
                }
                t
            }
        };
        // 交办 on a case not yet triaged: 研判 first, then 交办, one flow.
        if let ([t], Op::Assign) = (&targets[..], op) {
            let untriaged = self
                .case(&t.id)
                .is_some_and(|s| s.status == crate::domain::workflow::Status::Registered);
            if untriaged
                && self
                    .me
                    .as_ref()
                    .is_some_and(|me| Op::Triage.spec().who.may_ever(me))
            {
                self.open_form(FormKind::Triage, targets);
                if let Some(Overlay::Form(f)) = self.overlays.last_mut() {
                    f.then = Some(FormKind::Assign);
                }
                return self.say("这件尚未研判：先研判，提交后接着交办", false);
            }
        }
        self.open_form(kind, targets);
    }

    /// 点名: the report of the village (unit) under the cursor.
    fn open_rollcall_form(&mut self) {
        let unit = self.selected_unit();
        let mut form = Form::new(FormKind::Rollcall, Vec::new(), None, None, &self.ctx());
        if let Some(u) = unit {
            form.set(Key::Unit, &u);
            form.focus = 1;
            form.dirty = false;
            form.edited = false;
        }
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    fn open_form(&mut self, kind: FormKind, targets: Vec<Target>) {
        let first = targets.first().map(|t| t.id.clone()).unwrap_or_default();
        let summary = self.case(&first);
        let person = self.data.persons.iter().find(|p| p.id == first);
        let mut form = Form::new(kind, targets, summary.as_ref(), person, &self.ctx());
        // 审批 says what is decided: the request as the record has it.
        if kind == FormKind::Approve && form.targets.len() == 1 {
            let ask = LiveAsk::Pending(first.clone());
            form.asked = Some(ask.clone());
            self.out.push(Out::Request(
                Want::Live(ask),
                Request::Dispute { id: first.clone() },
            ));
        }
        if kind == FormKind::Assign && form.targets.len() == 1 {
            let ask = LiveAsk::Hint(first.clone());
            form.asked = Some(ask.clone());
            self.out.push(Out::Request(
                Want::Live(ask),
                Request::AssignHint { id: first },
            ));
        }
        // 包案 starts on the leader taking it, when that is this officer.
        if let (FormKind::Package, Some(me)) = (kind, &self.me) {
            if matches!(me.role, Role::Leader | Role::Admin) {
                form.set(Key::Leader, &officer_choice(me));
                form.dirty = false;
                form.edited = false;
            }
        }
        self.refresh_live(&mut form);
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    /// 签收 and 督办 need no form: one key, every marked row (督办 toggles).
    fn direct(&mut self, op: Op) {
        let targets = self.targets(bulk(op));
        if targets.is_empty() {
            return self.say("请先选择一件案件", true);
        }
        let mut done = op.spec().done;
        let pending = targets.len();
        for t in targets {
            let on = self.case(&t.id).is_none_or(|s| !s.supervised);
            let change: Change = match op {
                Op::Accept => ops::Accept.into(),
                Op::Supervise => ops::Supervise { on }.into(),
                Op::AckAlert => ops::AckAlert.into(),
                Op::Resume => ops::Resume.into(),
                Op::Register
                | Op::Triage
                | Op::Assign
                | Op::Reject
                | Op::Package
                | Op::Note
                | Op::ChangeTier
                | Op::Close
                | Op::Decide
                | Op::Extend
                | Op::FollowUp
                | Op::Reopen
                | Op::Transfer
                | Op::Pause
                | Op::AddPerson
                | Op::VisitPerson
                | Op::ReviewPerson
                | Op::AckPersonAlert
                | Op::MarkHousehold => return self.say("这一操作需要填写表单", true),
            };
            done = change.done();
            let req = change.on(t.id.clone(), t.seen);
            self.out.push(Out::Request(Want::Direct(t.id), req));
        }
        self.batch = Some(Batch {
            done,
            pending,
            ..Default::default()
        });
        self.say(format!("正在{}…", op.spec().verb), false);
    }

    pub(super) fn on_direct(&mut self, id: String, result: Result<Response, DeskError>) {
        let Some(b) = self.batch.as_mut() else {
            return;
        };
        b.pending = b.pending.saturating_sub(1);
        match result {
            Ok(reply) => {
                fresh_rev(&mut self.data, &id, &reply);
                b.ok.push(id)
            }
            Err(e) => b.failed.push(format!("{id}：{e}")),
        }
        if b.pending > 0 {
            return;
        }
        let b = self.batch.take().unwrap_or_default();
        self.lists[self.view.index()].marks.clear();
        if b.failed.is_empty() {
            self.say(format!("{} {}", b.done, b.ok.join(" ")), false);
        } else {
            let head = if b.ok.is_empty() {
                String::new()
            } else {
                format!("{} {} 件；", b.done, b.ok.len())
            };
            self.say(format!("{head}未成功：{}", b.failed.join("；")), true);
        }
    }

    /// Keys a form does not bind go to its focused field.
    pub(super) fn form_key(&mut self, key: &KeyEvent) {
        let ctx = ctx_of(&self.data, self.now.date_naive());
        let Some(Overlay::Form(form)) = self.overlays.last_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let kind = form.focused().kind.clone();
        match (&kind, key.code) {
            (FieldKind::Submit, KeyCode::Enter) => return self.submit(),
            (FieldKind::AddParty, KeyCode::Enter | KeyCode::Char(' ')) => form.add_party(),
            (FieldKind::Lines, KeyCode::Enter) => {
                form.focused_mut().input.newline();
                form.changed();
            }
            (FieldKind::Text | FieldKind::Date | FieldKind::Number, KeyCode::Enter) => form.next(),
            (
                FieldKind::Toggle,
                KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right,
            ) => form.step(1, &ctx),
            (FieldKind::Choice(_), KeyCode::Left | KeyCode::Right) => {
                form.step(if key.code == KeyCode::Left { -1 } else { 1 }, &ctx);
            }
            (FieldKind::Choice(_) | FieldKind::Multi(_), KeyCode::Backspace | KeyCode::Delete) => {
                let k = form.focused().key;
                form.set(k, "");
            }
            (FieldKind::Choice(_) | FieldKind::Multi(_), KeyCode::Enter) => {
                return self.open_picker(None)
            }
            (FieldKind::Choice(_) | FieldKind::Multi(_), KeyCode::Char(c)) if !ctrl => {
                return self.open_picker(Some(c))
            }
            (FieldKind::Text | FieldKind::Lines | FieldKind::Date | FieldKind::Number, _) => {
                let f = form.focused_mut();
                if f.input.edit(key) {
                    f.error = None;
                    form.changed();
                }
            }
            _ => return,
        }
        self.after_form_change();
    }

    /// Live lines after any change: the risk score while triaging, the
    /// duplicate warning while registering.
    pub(super) fn after_form_change(&mut self) {
        let Some(Overlay::Form(mut form)) = self.overlays.pop() else {
            return;
        };
        // "见标红处" goes with the last red field.
        if form.error.as_deref() == Some(FIX_MARKED)
            && form.fields.iter().all(|f| f.error.is_none())
        {
            form.error = None;
        }
        self.refresh_live(&mut form);
        self.overlays.push(Overlay::Form(form));
    }

    /// The form's live lines after a change; what the server works out
    /// (the duplicate check, the triage's score) is asked for when its
    /// inputs changed, and its answer shows when it comes (`on_live`).
    pub(super) fn refresh_live(&mut self, form: &mut Form) {
        match form.kind {
            FormKind::Triage => {
                self.read_form(form);
                self.ask_preview(form);
            }
            FormKind::Register => {
                self.read_form(form);
                self.ask_duplicate(form);
            }
            _ => {}
        }
        self.compose_live(form);
    }

    fn compose_live(&self, form: &mut Form) {
        let server = form.server_line.clone();
        form.live = match form.kind {
            FormKind::Triage => server.into_iter().chain(form.reading_line()).collect(),
            FormKind::Register => server
                .into_iter()
                .chain(self.suggestions_line(form))
                .collect(),
            FormKind::Assign => self.suggestions_line(form).into_iter().collect(),
            FormKind::Approve => server.into_iter().collect(),
            FormKind::Reject
            | FormKind::Package
            | FormKind::Note
            | FormKind::Escalate
            | FormKind::Close
            | FormKind::Extend
            | FormKind::Visit
            | FormKind::PersonAdd
            | FormKind::PersonVisit
            | FormKind::PersonReview
            | FormKind::PersonAck
            | FormKind::Rollcall
            | FormKind::Transfer
            | FormKind::Pause => Vec::new(),
        };
    }

    /// The score the case would have with the form's values (on the server).
    fn ask_preview(&mut self, form: &mut Form) {
        let Some(t) = form.targets.first() else {
            return;
        };
        let draft = crate::desk::views::TriageDraft {
            risk: RiskLevel::parse(&form.get(Key::Risk)).ok(),
            tier: Tier::parse(&form.get(Key::Tier)).ok(),
            flags: split_multi(&form.get(Key::Flags))
                .iter()
                .filter_map(|f| WarningFlag::parse(f).ok())
                .collect(),
        };
        let ask = LiveAsk::Preview(format!("{} {draft:?}", t.id));
        if form.asked.as_ref() == Some(&ask) {
            return;
        }
        form.asked = Some(ask.clone());
        let id = t.id.clone();
        self.out.push(Out::Request(
            Want::Live(ask),
            Request::Preview { id, draft },
        ));
    }

    /// An open dispute in the same village with a party of the same name,
    /// or of the same pinyin (章三 / 张三 typed in a hurry), on the server.
    fn ask_duplicate(&mut self, form: &mut Form) {
        let village = form.get(Key::Village);
        let parties: Vec<String> = form.party_names();
        let ask = LiveAsk::Duplicate(format!("{village} {parties:?}"));
        if form.asked.as_ref() == Some(&ask) {
            return;
        }
        form.asked = Some(ask.clone());
        if village.is_empty() || parties.is_empty() {
            form.duplicate = None;
            form.server_line = None;
            return;
        }
        self.out.push(Out::Request(
            Want::Live(ask),
            Request::Duplicate { village, parties },
        ));
    }

    /// The server's answer for a form's live line: taken when the form is
    /// still open with the same inputs.
    pub(super) fn on_live(&mut self, ask: LiveAsk, result: Result<Response, DeskError>) {
        let Some(at) = self
            .overlays
            .iter()
            .rposition(|o| matches!(o, Overlay::Form(f) if f.asked.as_ref() == Some(&ask)))
        else {
            return;
        };
        let Overlay::Form(mut form) = self.overlays.remove(at) else {
            unreachable!("position of a form")
        };
        match (&ask, result) {
            (LiveAsk::Duplicate(_), Ok(Response::Row(row))) => {
                form.duplicate = row.as_ref().map(|r| r.case.id.clone());
                form.server_line = row.map(|r| {
                    let s = &r.case;
                    format!(
                        "注意：{} 已有未办结的 {}（{}）涉及同一当事人。按 F3 打开该件；继续填写则另立新案",
                        s.village, s.id, s.title
                    )
                });
            }
            (LiveAsk::Preview(_), Ok(Response::Row(row))) => {
                form.server_line = row.map(|r| {
                    let reasons: Vec<String> = r
                        .reasons
                        .iter()
                        .map(|(r, p)| format!("{r} {p:+}"))
                        .collect();
                    format!("风险分 {}：{}", r.danger, reasons.join("、"))
                });
            }
            (LiveAsk::Hint(_), Ok(Response::AssignHint(hint))) => {
                form.offer = hint.map(|h| Offer::of(&self.ctx(), h));
            }
            (LiveAsk::Pending(_), Ok(Response::Dispute(d))) => {
                form.server_line = d.pending_line().map(|l| self.data.names.in_text(&l));
            }
            // A live line is a help, not a step: without it the form works.
            (
                LiveAsk::Duplicate(_)
                | LiveAsk::Preview(_)
                | LiveAsk::Hint(_)
                | LiveAsk::Pending(_),
                _,
            ) => {}
        }
        self.compose_live(&mut form);
        self.overlays.insert(at, Overlay::Form(form));
    }

    pub(super) fn open_existing(&mut self) {
        let dup = match self.overlays.last() {
            Some(Overlay::Form(f)) => f.duplicate.clone(),
            _ => None,
        };
        match dup {
            Some(id) => {
                self.overlays
                    .push(Overlay::Detail(super::app::Detail::new(&id)));
                self.fetch(&id);
            }
            None => self.say("没有发现同村同当事人的未办结案件", false),
        }
    }

    /// The 预警情形 choice, opened from whichever field the officer is in.
    pub(super) fn pick_flags(&mut self) {
        let Some(Overlay::Form(form)) = self.overlays.last_mut() else {
            return;
        };
        let Some(at) = form.fields.iter().position(|f| f.key == Key::Flags) else {
            return;
        };
        form.focus = at;
        self.open_picker(None);
    }

    fn open_picker(&mut self, first: Option<char>) {
        let Some(Overlay::Form(form)) = self.overlays.last() else {
            return;
        };
        let f = form.focused();
        let (options, multi) = match &f.kind {
            FieldKind::Choice(o) => (option_values(o, &self.ctx()), false),
            FieldKind::Multi(o) => (option_values(o, &self.ctx()), true),
            _ => return,
        };
        if options.is_empty() {
            // No list kept (e.g. no villages entered yet): the field is typed.
            let msg = format!(
                "{}没有可选项，请管理员先用 desk lists add 维护名录",
                f.label
            );
            return self.say(msg, true);
        }
        let current = if multi {
            split_multi(&f.text())
        } else {
            vec![f.text()]
        };
        let options = people_of_unit_first(form, f.key, options, &self.data.officers);
        let mut p = Picker::new(&f.label, form.focus, options, multi, &current);
        if let Some(c) = first {
            p.filter.insert(c);
            p.refilter();
        }
        self.overlays.push(Overlay::Picker(p));
    }

    pub(super) fn picker_confirm(&mut self) {
        let Some(Overlay::Picker(p)) = self.overlays.pop() else {
            return;
        };
        let values = p.result();
        if values.is_empty() {
            self.overlays.push(Overlay::Picker(p));
            return self.say("没有匹配的选项，请改一改输入", true);
        }
        if let Some(Overlay::Form(form)) = self.overlays.last_mut() {
            let key = form.fields[p.field].key;
            if key == Key::Category {
                form.read.category_filled = None;
            }
            form.set(key, &values.join("、"));
            if key == Key::Person {
                unit_of_person(form, &self.data.officers, &self.data.lists.units);
            }
            form.focus = p.field;
            form.next();
        }
        self.after_form_change();
    }

    /// Ctrl-S: check the form and send its requests.
    pub(super) fn submit(&mut self) {
        let ctx = ctx_of(&self.data, self.now.date_naive());
        let Some(Overlay::Form(form)) = self.overlays.last_mut() else {
            return;
        };
        if form.pending > 0 {
            return;
        }
        let Some(reqs) = form.requests(&ctx) else {
            form.error = Some(FIX_MARKED.into());
            if let Some(i) = form.fields.iter().position(|f| f.error.is_some()) {
                form.focus = i;
            }
            return;
        };
        form.pending = reqs.len();
        form.failures.clear();
        let (kind, mut done) = (form.kind, form.done);
        let targets: Vec<String> = form.targets.iter().map(|t| t.id.clone()).collect();
        // A 中止 may only be asked for: said as it will stand.
        if let (FormKind::Pause, Some(me), [id]) = (kind, &self.me, &targets[..]) {
            let packaged = self.case(id).is_some_and(|s| s.packaged);
            done = crate::domain::casework::pause_said(me.role, packaged);
        }
        for (target, req) in reqs {
            self.out
                .push(Out::Request(Want::Flow { kind, target, done }, req));
        }
        self.say("正在提交…", false);
    }

    pub(super) fn on_flow(
        &mut self,
        (kind, target, done_word): (FormKind, String, &'static str),
        result: Result<Response, DeskError>,
    ) {
        let Some(pos) = self
            .overlays
            .iter()
            .rposition(|o| matches!(o, Overlay::Form(f) if f.kind == kind && f.pending > 0))
        else {
            return match result {
                Ok(_) => self.say(format!("{done_word} {target}"), false),
                Err(e) => self.say(e.to_string(), true),
            };
        };
        let Overlay::Form(form) = &mut self.overlays[pos] else {
            return;
        };
        form.pending -= 1;
        match result {
            Ok(Response::Created(id)) => form.successes.push(id),
            Ok(reply) => {
                fresh_rev(&mut self.data, &target, &reply);
                form.successes.push(target.clone());
                form.targets.retain(|t| t.id != target);
            }
            Err(e) => {
                // A stale form may be sent again over the fresh state.
                if let DeskError::Conflict { fresh: Some(d), .. } = &e {
                    for t in &mut form.targets {
                        if t.id == d.id {
                            t.seen = Some(d.rev);
                        }
                    }
                }
                let who = if target.is_empty() {
                    String::new()
                } else {
                    format!("{target}：")
                };
                form.failures.push(format!("{who}{e}"));
            }
        }
        if form.pending > 0 {
            return;
        }
        let done = std::mem::take(&mut form.successes);
        if form.failures.is_empty() {
            let then = form.then.take();
            self.overlays.remove(pos);
            self.lists[self.view.index()].marks.clear();
            self.clear_draft();
            self.say(format!("{done_word} {}", done.join(" ")), false);
            if let (FormKind::Register, [id]) = (kind, &done[..]) {
                self.follow_new(id);
            }
            if let (Some(kind), [id]) = (then, &done[..]) {
                let target = self.target(id);
                self.open_form(kind, vec![target]);
                self.say(format!("{done_word} {id}，接着{}", kind.title()), false);
            }
        } else {
            let mut text = form.failures.join("\n");
            if !done.is_empty() {
                text = format!(
                    "{done_word} {} 件；以下未成功，可修改后再提交：\n{text}",
                    done.len()
                );
            }
            form.error = Some(text);
            self.say("未能全部完成，见表单下方说明", true);
        }
    }

    /// Esc on a form: a filled-in form asks first.
    pub(super) fn cancel_form(&mut self) {
        let touched = matches!(self.overlays.last(), Some(Overlay::Form(f)) if f.touched());
        if touched {
            self.overlays.push(Overlay::Ask(Ask {
                text: "放弃这张表？已填的内容不保存。\n\nEnter 放弃　Esc 继续填写".into(),
                yes: AskYes::CancelForm,
            }));
        } else {
            self.overlays.pop();
            self.clear_draft();
        }
    }

    pub(super) fn ask_yes(&mut self) {
        let Some(Overlay::Ask(ask)) = self.overlays.pop() else {
            return;
        };
        match ask.yes {
            AskYes::CancelForm => {
                if matches!(self.overlays.last(), Some(Overlay::Form(_))) {
                    self.overlays.pop();
                }
                self.clear_draft();
            }
            AskYes::ResumeDraft(d) => {
                let first = d.targets.first().map(|t| t.id.clone()).unwrap_or_default();
                let summary = self.case(&first);
                let person = self.data.persons.iter().find(|p| p.id == first);
                let mut form = Form::from_draft(&d, summary.as_ref(), person, &self.ctx());
                self.refresh_live(&mut form);
                self.overlays.push(Overlay::Form(Box::new(form)));
            }
            AskYes::Undo => self.out.push(Out::Request(Want::Undo, Request::Undo)),
        }
    }

    fn clear_draft(&mut self) {
        if self.draft_saved {
            self.draft_saved = false;
            self.out.push(Out::Request(
                Want::SaveDraft,
                Request::SaveDraft {
                    slot: DraftSlot::Form,
                    form: None,
                    value: None,
                },
            ));
        }
    }

    /// Whether a form changed since its draft was last sent.
    pub fn draft_pending(&self) -> bool {
        self.overlays
            .iter()
            .any(|o| matches!(o, Overlay::Form(f) if f.dirty))
    }

    /// The unsent form to keep on the server, if it changed since last time.
    /// The loop calls this a few times a second at most while the officer types.
    pub fn draft_request(&mut self) -> Option<Request> {
        let form = self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Form(f) if f.dirty => Some(f),
            _ => None,
        })?;
        form.dirty = false;
        let op = form.kind.op();
        // The desk keeps drafts only of forms the officer may submit.
        let may = match (op, &self.me) {
            (Some(op), Some(me)) => op.spec().who.may_ever(me),
            (None, _) | (_, None) => true,
        };
        if !may {
            return None;
        }
        let value = serde_json::to_string(&form.draft()).ok()?;
        self.draft_saved = true;
        Some(Request::SaveDraft {
            slot: DraftSlot::Form,
            form: op,
            value: Some(value),
        })
    }

    /// A draft found at start: offer to continue it.
    pub(super) fn on_draft(&mut self, text: Option<String>) {
        let Some(d) = text.and_then(|t| serde_json::from_str::<Draft>(&t).ok()) else {
            return;
        };
        if d.is_empty() {
            return;
        }
        self.draft_saved = true;
        let target = d
            .targets
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        self.overlays.push(Overlay::Ask(Ask {
            text: format!(
                "上次有一张没有提交的「{}」{}，内容已由值班台保存。\n\n\
                 Enter 继续填写　Esc 暂不处理（草稿保留到下次开表）",
                d.kind.title(),
                if target.is_empty() {
                    String::new()
                } else {
                    format!("（{target}）")
                }
            ),
            yes: AskYes::ResumeDraft(Box::new(d)),
        }));
    }

    pub(super) fn on_last_action(&mut self, info: Option<UndoInfo>) {
        match info {
            None => self.say("没有可以撤销的操作：只能撤销本人最近一次的操作", true),
            Some(UndoInfo {
                blocked: Some(why), ..
            }) => self.say(why, true),
            Some(i) => self.overlays.push(Overlay::Ask(Ask {
                text: format!(
                    "撤销您 {} 的「{}」{}？\n记录回到操作之前；操作日志两条都保留。\n\nEnter 撤销　Esc 不撤销",
                    i.at.format("%H:%M"),
                    i.action,
                    i.target
                ),
                yes: AskYes::Undo,
            })),
        }
    }
}

type Officers = std::collections::HashMap<String, crate::domain::officer::Officer>;

/// A 责任人 chosen on a form that also asks for the unit fills it with the
/// unit the roster gives (when that unit is on the list).
fn unit_of_person(form: &mut Form, officers: &Officers, units: &[String]) {
    if form.field(Key::Unit).is_none() {
        return;
    }
    let login = login_of(&form.get(Key::Person));
    if let Some(o) = officers.get(&login).filter(|o| units.contains(&o.unit)) {
        form.set(Key::Unit, &o.unit);
    }
}

/// The 责任人 choice on a form whose unit is chosen: that unit's people first.
fn people_of_unit_first(
    form: &Form,
    key: Key,
    mut options: Vec<String>,
    officers: &Officers,
) -> Vec<String> {
    let unit = form.get(Key::Unit);
    if key != Key::Person || unit.is_empty() {
        return options;
    }
    let of_unit = |o: &String| officers.get(&login_of(o)).is_some_and(|o| o.unit == unit);
    // Stable: within each group the roster's order stays.
    options.sort_by_key(|o| !of_unit(o));
    options
}

/// What a case's waits refuse before any form: a request while another
/// waits for approval, casework while it stands 中止, 恢复 when it does
/// not, an approval or an alert with none open. The server checks the same
/// on the record; this reads the list's summary so the form never opens.
fn waiting_refuses(op: Op, s: &crate::domain::summary::Summary) -> Option<&'static str> {
    let paused = s.paused_until.is_some();
    match op {
        Op::Pause | Op::Close | Op::Extend if s.awaiting_approval => {
            Some("已有待审批的申请，请等审批后再提")
        }
        Op::Pause if paused => Some("案件已经中止"),
        Op::Close | Op::Extend if paused => Some("案件已中止，请先恢复办理"),
        Op::Resume if !paused => Some("案件没有中止，不需要恢复"),
        Op::Decide if !s.awaiting_approval => Some("这件没有等待审批的申请"),
        Op::AckAlert if !s.alert && s.alert_note.is_none() => Some("这件没有待签收的预警"),
        Op::Pause
        | Op::Close
        | Op::Extend
        | Op::Resume
        | Op::Decide
        | Op::AckAlert
        | Op::Register
        | Op::Triage
        | Op::Assign
        | Op::Accept
        | Op::Reject
        | Op::Package
        | Op::Note
        | Op::Supervise
        | Op::ChangeTier
        | Op::FollowUp
        | Op::Reopen
        | Op::Transfer
        | Op::AddPerson
        | Op::VisitPerson
        | Op::ReviewPerson
        | Op::AckPersonAlert
        | Op::MarkHousehold => None,
    }
}
