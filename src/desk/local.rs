//! `Local`: the Desk API answered against the store. The server runs one and
//! passes each caller's identity; the CLI runs one directly when no server
//! serves the database. Permissions, validation and masking all live here, so
//! both roads enforce the same rules.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::api::{CheckResult, DeskError, DraftSlot, ListName, Lists, Notice, Request, Response};
use super::clock;
use super::ops::Cx;
use super::ops::{Entry, Op};
use super::routine;
use crate::domain::access::{scope, Scope};
use crate::domain::dispute::{Dispute, Time};
use crate::domain::limits::{size_text, MAX_DRAFT_BYTES, MAX_NAME_CHARS};
use crate::domain::lists::{Role, DEFAULT_CATEGORIES, DEFAULT_UNITS};
use crate::domain::officer::{check, Capability, Officer};
use crate::domain::person::KeyPerson;
use crate::domain::settings::Settings;
use crate::domain::text::{clean_line, mask_digits, required_line};
use crate::store::codec::{decode, encode};
use crate::store::{Before, RequestKey, Store, StoreError, Tx};

/// Who is calling: the login the OS vouches for (peer credentials or own uid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub login: String,
    pub uid: u32,
}

pub struct Reply {
    pub response: Response,
    pub notice: Option<Notice>,
}

impl Reply {
    pub(crate) fn plain(response: Response) -> Reply {
        Reply {
            response,
            notice: None,
        }
    }
}

pub struct Local {
    store: Store,
    /// Import rows waiting for their last batch.
    pub(crate) imports: super::ledger::Staging,
    /// The read model the server keeps current (see `views::Views`).
    pub views: std::sync::Arc<super::views::Views>,
    /// Decoded summaries for the reports, refreshed from the stored bytes.
    pub(crate) report_summaries: super::report_summaries::ReportSummaries,
    /// The only directory backups are written to.
    backup_dir: PathBuf,
}

impl Local {
    pub fn open(path: &Path) -> Result<Local, DeskError> {
        Ok(Local::over(path, Store::open(path)?))
    }

    /// A desk over the file opened read-only (`desk check` without a
    /// server): it answers reads and refuses every change.
    pub fn open_read_only(path: &Path) -> Result<Local, DeskError> {
        Ok(Local::over(path, Store::open_read_only(path)?))
    }

    fn over(path: &Path, store: Store) -> Local {
        Local {
            store,
            imports: Default::default(),
            report_summaries: Default::default(),
            views: Default::default(),
            backup_dir: crate::store::backup_dir(path),
        }
    }

    /// Backups go to `dir` instead of `backups/` beside the database.
    pub fn set_backup_dir(&mut self, dir: PathBuf) {
        self.backup_dir = dir;
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Answers one request for `caller`.
    pub fn handle(&self, caller: &Caller, req: Request) -> Result<Reply, DeskError> {
        self.handle_at(caller, req, clock::now())
    }

    /// Answers one request for `caller` as of `now` (a desk's own clock in
    /// tests of its screens).
    pub fn handle_at(&self, caller: &Caller, req: Request, now: Time) -> Result<Reply, DeskError> {
        // The roster can be bootstrapped before anyone is on it.
        if let Request::RosterAdd { officer } = req {
            return self.roster_add(caller, officer);
        }
        // The database's owner maintains it without being on the roster.
        if self.is_db_owner(caller) {
            if req == Request::Check {
                return self.check();
            }
            if let Request::Backup { name } = &req {
                return self.backup(&caller.login, name.as_deref());
            }
            // Who is on the roster, as it keeps it (`desk doctor` asks
            // whether anyone is 管理员); the file itself is theirs to read.
            if req == Request::Officers {
                return Ok(Reply::plain(Response::Officers(self.store.officers()?)));
            }
        }
        let me = self.officer(caller)?;
        // Nothing leaves for an officer but what need-to-know allows.
        super::need_to_know::scope_result(self, &me, self.answer(&me, req, now))
    }

    /// Answers one request for `me`, before the need-to-know filter.
    fn answer(&self, me: &Officer, req: Request, now: Time) -> Result<Reply, DeskError> {
        let me = me.clone();
        match req {
            Request::Whoami => Ok(Reply::plain(Response::Officer(me))),
            // In one process there is nobody else to tell; the server keeps it.
            Request::Looking { .. } => Ok(Reply::plain(Response::Done)),
            Request::Summaries => self.summaries_for(&me),
            Request::View {
                query,
                from,
                limit,
                watch: _,
            } => self.view(&me, &query, from, limit, now),
            Request::Mine { from, limit } => self.mine(&me, from, limit, now),
            Request::Duplicate { village, parties } => {
                self.row(&me, now, |m, links| m.duplicate(&village, &parties, links))
            }
            Request::Preview { id, draft } => {
                self.row(&me, now, |m, links| m.preview(&id, &draft, links))
            }
            Request::AssignHint { id } => self.assign_hint(&me, &id, now),
            Request::Tally => {
                let tally = self.with_model(now, |m| m.tally())?;
                Ok(Reply::plain(Response::Tally(Box::new(tally))))
            }
            Request::Ids { part } => {
                let ids = self.with_model(now, |m| m.ids(&part, 50))?;
                Ok(Reply::plain(Response::Ids(ids)))
            }
            Request::Locate { query, id } => {
                let at = self.with_model(now, |m| m.locate(&query, &id))?;
                Ok(Reply::plain(Response::Located(at)))
            }
            // Watches are the server's, per connection.
            Request::Unwatch { .. } => Ok(Reply::plain(Response::Done)),
            Request::SummariesOf { ids } => {
                let revision = self.store.revision()?;
                let items = self.store.summaries_of(&ids)?;
                Ok(Reply::plain(Response::Summaries { revision, items }))
            }
            Request::Dispute { id } => self.read_dispute(&me, &id, now),
            Request::Persons { include_ended } => self.read_persons(&me, include_ended, now),
            Request::Person { id, reason } => self.read_person(&me, &id, reason, now),
            Request::PersonCounts => Ok(Reply::plain(Response::PersonCounts(
                self.person_counts(Some(&me), now)?,
            ))),
            Request::PersonRules => Ok(Reply::plain(Response::PersonRules(Box::new(
                self.person_rules()?,
            )))),
            Request::SetPersonRules { edit } => self.set_person_rules(&me, edit, now),
            Request::Officers => Ok(Reply::plain(Response::Officers(self.store.officers()?))),
            Request::Lists => Ok(Reply::plain(Response::Lists(self.lists()?))),
            Request::Audit { since } => self.audit_log(&me, since, now),
            Request::Check => {
                check(&me, Capability::Admin, false, "检查或备份数据库")?;
                self.check()
            }
            Request::Backup { name } => {
                check(&me, Capability::Admin, false, "检查或备份数据库")?;
                self.backup(&me.login, name.as_deref())
            }
            Request::Draft { slot } => Ok(Reply::plain(Response::Draft(
                self.store.draft(&draft_key(&me, slot))?,
            ))),
            Request::SaveDraft { slot, form, value } => self.save_draft(&me, slot, form, value),
            Request::ListAdd { list, value, force } => self.list_add(&me, list, &value, force, now),
            Request::RosterAdd { .. } => unreachable!("handled above"),
            Request::ExportLedger { filter } => super::ledger::export(self, &me, filter, now),
            Request::ExportPersons {
                include_ended,
                notify,
            } => super::ledger::export_persons(self, &me, include_ended, notify, now),
            Request::ImportLedger { batch } => super::ledger::import(self, &me, batch, now),
            Request::LastAction => Ok(Reply::plain(Response::Undoable(super::undo::last_action(
                self, &me, now,
            )?))),
            Request::Undo => super::undo::undo(self, &me, now),
            Request::RiskSetup => Ok(Reply::plain(Response::RiskSetup(Box::new(
                self.risk_setup(now.date_naive())?,
            )))),
            Request::SetWeight { key, value } => routine::set_weight(self, &me, &key, value, now),
            Request::ResetWeights => routine::reset_weights(self, &me, now),
            Request::Periods => Ok(Reply::plain(Response::Periods(self.periods()?))),
            Request::AddPeriod { period } => routine::add_period(self, &me, period, now),
            Request::RemovePeriod { name, from } => {
                routine::remove_period(self, &me, &name, from, now)
            }
            Request::Rollcall { date } => Ok(Reply::plain(Response::Rollcall(Box::new(
                self.rollcall_sheet(date.unwrap_or(now.date_naive()), now)?,
            )))),
            Request::RecordRollcall { new } => routine::record_rollcall(self, &me, new, now),
            Request::SetRollcall {
                due_hour,
                every_day,
            } => routine::set_rollcall(self, &me, due_hour, every_day, now),
            Request::Report { spec } => routine::report(self, &me, &spec, now),
            Request::SetEscalation {
                orange_from,
                red_from,
            } => super::casework::set_escalation(self, &me, orange_from, red_from, now),
            Request::Sweep => super::casework::sweep_request(self, &me, now),
            Request::Register { new } => super::ops::register(&Cx::new(self, &me, now)?, new),
            Request::AddPerson { new } => super::ops::add_person(&Cx::new(self, &me, now)?, new),
            Request::Change { id, seen, change } => {
                super::ops::run(self, &me, &id, seen, change, now)
            }
        }
    }

    /// Every summary, as stored; decoded to be filtered for whoever may
    /// not see every link.
    fn summaries_for(&self, me: &Officer) -> Result<Reply, DeskError> {
        let mut t = crate::timing::Phases::new("serve Summaries");
        let (revision, count, blob) = self.store.current_summary_blob()?;
        t.mark("blob");
        let blob = Response::SummaryBlob {
            revision,
            count,
            blob,
        };
        // Stored bytes carry every link: decoded to be filtered.
        Ok(Reply::plain(if scope(me.role) == Scope::Register {
            blob
        } else {
            super::api::decode_blob(blob)?
        }))
    }

    /// A case, with the linked person's look logged and phones masked by role.
    fn read_dispute(&self, me: &Officer, id: &str, now: Time) -> Result<Reply, DeskError> {
        let mut d = self.store.dispute(id)?;
        self.log_linked(me, &d, now)?;
        if !sees_contacts(me, d.is_assignee(&me.login)) {
            for p in &mut d.parties {
                p.phone = p.phone.as_deref().map(|x| mask_digits(x, 3, 4));
            }
        }
        Ok(Reply::plain(Response::Dispute(Box::new(d))))
    }

    /// The audit log since a day, as this officer may read it.
    fn audit_log(
        &self,
        me: &Officer,
        since: Option<chrono::NaiveDate>,
        now: Time,
    ) -> Result<Reply, DeskError> {
        check(me, Capability::Desk, false, "查看操作日志")?;
        let mut events = self.store.audit(0)?;
        if let Some(since) = since {
            events.retain(|e| e.at.date_naive() >= since);
        }
        let events = self.audit_for(me, events, now)?;
        Ok(Reply::plain(Response::Audit(
            events.into_iter().map(Into::into).collect(),
        )))
    }

    /// Answers a change request that carries the client's key. A key kept
    /// already means the change was applied and its reply lost on the way:
    /// the kept reply answers it again, and nothing is applied twice.
    pub fn handle_keyed(
        &self,
        caller: &Caller,
        key: RequestKey,
        req: Request,
    ) -> Result<Reply, DeskError> {
        let Some(kept) = self.store.answered(&key)? else {
            return self.store.keyed(key, || self.handle(caller, req));
        };
        if kept.login != caller.login {
            return Err(DeskError::Refused(
                "请求编号与他人的请求相同，未执行；请再操作一次".into(),
            ));
        }
        match kept.answer {
            Some(bytes) => Ok(Reply::plain(decode("保存过的应答", &bytes)?)),
            None => Err(DeskError::Refused(
                "这项操作已经保存过，没有重复执行；请核对后再继续".into(),
            )),
        }
    }

    fn officer(&self, caller: &Caller) -> Result<Officer, DeskError> {
        match self.store.officer(&caller.login)? {
            Some(o) if o.active => Ok(o),
            Some(_) => Err(DeskError::NotOnRoster(format!(
                "账号 {} 已停用，请联系管理员",
                caller.login
            ))),
            // The file's owner may add people without being on the roster:
            // told to add themselves as 管理员, the first user can go on to
            // add villages and units (as 值班员 they could not).
            None if self.is_db_owner(caller) => Err(DeskError::NotOnRoster(format!(
                "您的账号 {} 不在值班名册中。您是数据库的所有者，可以把自己登记为管理员：\
                 “desk roster add {} --name 姓名 --unit 综治中心 --role 管理员”，\
                 再添加村(社区)和责任单位（desk lists add village 村名）",
                caller.login, caller.login
            ))),
            None => Err(DeskError::NotOnRoster(format!(
                "您的账号 {} 不在值班名册中，不能使用值班台。请联系综治中心管理员用 \
                 “desk roster add {} --name 姓名 --unit 单位 --role 值班员”添加",
                caller.login, caller.login
            ))),
        }
    }

    /// The database file's owner (the service account) and root may maintain
    /// it and bootstrap the roster without being on it.
    pub fn is_db_owner(&self, caller: &Caller) -> bool {
        caller.uid == 0 || std::fs::metadata(self.store.path()).is_ok_and(|m| m.uid() == caller.uid)
    }

    fn check(&self) -> Result<Reply, DeskError> {
        let r = self.store.check()?;
        Ok(Reply::plain(Response::Check(CheckResult {
            disputes: r.disputes,
            persons: r.persons,
            audit_events: r.audit_events,
            faults: r.faults,
        })))
    }

    /// Only into the backup directory; the backup is audited.
    fn backup(&self, actor: &str, name: Option<&str>) -> Result<Reply, DeskError> {
        let now = clock::now();
        let name = crate::store::backup_name(name, now)?;
        let (file, bytes) = self.store.backup(&self.backup_dir, &name)?;
        self.store.write(actor, now, |tx| {
            tx.audit("备份", &name, &format!("{} 字节", bytes));
            Ok::<_, StoreError>(())
        })?;
        Ok(Reply::plain(Response::BackedUp {
            file: file.to_string_lossy().into_owned(),
            bytes,
        }))
    }

    fn roster_add(&self, caller: &Caller, officer: Officer) -> Result<Reply, DeskError> {
        if !self.is_db_owner(caller) {
            let me = self.officer(caller)?;
            check(&me, Capability::Admin, false, "管理值班名册")?;
        }
        let officer = Officer::new(&officer.login, &officer.name, &officer.unit, officer.role)?;
        if officer.login == crate::domain::officer::SYSTEM_LOGIN {
            return Err(DeskError::Invalid(format!(
                "登录名“{}”留给系统自动操作，请换一个",
                officer.login
            )));
        }
        let c = self.store.write(&caller.login, clock::now(), |tx| {
            let action = if tx.officer(&officer.login)?.is_some() {
                "修改名册"
            } else {
                "加入名册"
            };
            tx.put_officer(&officer)?;
            tx.audit(
                action,
                &officer.login,
                &format!("{} {} {}", officer.name, officer.unit, officer.role.label()),
            );
            keep_reply(tx, &Response::Done);
            Ok::<_, DeskError>(action)
        })?;
        Ok(committed(
            Response::Done,
            c.value,
            &caller.login,
            c.revision,
            c.touched,
        ))
    }

    pub fn lists(&self) -> Result<Lists, DeskError> {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Ok(Lists {
            villages: self.store.list("villages")?.unwrap_or_default(),
            units: self
                .store
                .list("units")?
                .unwrap_or_else(|| owned(DEFAULT_UNITS)),
            categories: self
                .store
                .list("categories")?
                .unwrap_or_else(|| owned(DEFAULT_CATEGORIES)),
            townships: self.store.list("townships")?.unwrap_or_default(),
            settings: self.store.list::<Settings>("settings")?.unwrap_or_default(),
        })
    }

    fn list_add(
        &self,
        me: &Officer,
        list: ListName,
        value: &str,
        force: bool,
        now: Time,
    ) -> Result<Reply, DeskError> {
        check(me, Capability::Admin, false, "维护名录")?;
        let value = required_line(list.label(), value, MAX_NAME_CHARS)?;
        let lists = self.lists()?;
        let mut items = match list {
            ListName::Villages => lists.villages,
            ListName::Units => lists.units,
            ListName::Categories => lists.categories,
            ListName::Townships => lists.townships,
        };
        if items.contains(&value) {
            return Err(DeskError::Invalid(format!(
                "{}“{value}”已在名录中",
                list.label()
            )));
        }
        // A name the resolver already reads as another entry would make
        // that entry's shorthand ambiguous (东河村委会 beside 东河村: `dh`).
        if let (false, crate::domain::names::Resolved::Found { index, .. }) =
            (force, crate::domain::names::resolve(&items, &value))
        {
            return Err(DeskError::Invalid(format!(
                "“{value}”和名录里的“{}”会被当成同一个（简写、拼音将分不清）；\
                 若确是另一个{}，请加 --force 再加",
                items[index],
                list.label()
            )));
        }
        items.push(value.clone());
        let c = self.store.write(&me.login, now, |tx| {
            tx.put_list(list.key(), &items)?;
            tx.audit(
                "维护名录",
                list.label(),
                &format!("新增{}：{value}", list.label()),
            );
            keep_reply(tx, &Response::Done);
            Ok::<_, DeskError>(())
        })?;
        Ok(committed(
            Response::Done,
            "维护名录",
            &me.login,
            c.revision,
            c.touched,
        ))
    }

    /// Reads, changes and writes one dispute in one transaction, refusing the
    /// change when the record moved on since the officer saw it.
    pub(crate) fn change_dispute(
        &self,
        me: &Officer,
        id: &str,
        seen: Option<u64>,
        action: &str,
        now: Time,
        f: impl FnOnce(&mut Dispute) -> Result<String, DeskError>,
    ) -> Result<Reply, DeskError> {
        let id = clean_line(id).to_uppercase();
        let c = self.store.write(&me.login, now, |tx| {
            let mut d = tx.dispute(&id)?;
            if let Some(seen) = seen.filter(|s| *s != d.rev) {
                return Err(DeskError::Conflict {
                    message: format!(
                        "案件 {id} 在您查看之后已被他人修改（您看到的是第 {seen} 版，现在是第 {} 版），\
                         本次{action}没有保存。请查看最新情况后再操作",
                        d.rev
                    ),
                    fresh: Some(Box::new(d)),
                });
            }
            let before = d.clone();
            let detail = f(&mut d)?;
            tx.put_dispute(&mut d)?;
            tx.remember_undo(action, &id, Before::Dispute(Some(Box::new(before))))?;
            tx.audit(action, &id, &detail);
            keep_reply(tx, &Response::Changed { rev: d.rev });
            Ok(d.rev)
        })?;
        Ok(committed(
            Response::Changed { rev: c.value },
            action,
            &me.login,
            c.revision,
            c.touched,
        ))
    }

    pub(crate) fn change_person(
        &self,
        me: &Officer,
        id: &str,
        seen: Option<u64>,
        action: &str,
        now: Time,
        f: impl FnOnce(&mut KeyPerson) -> Result<String, DeskError>,
    ) -> Result<Reply, DeskError> {
        let id = clean_line(id).to_uppercase();
        let c = self.store.write(&me.login, now, |tx| {
            let mut p = tx.person(&id)?;
            if seen.is_some_and(|s| s != p.rev) {
                return Err(DeskError::Conflict {
                    message: format!("重点人员 {id} 在您查看之后已被他人修改，本次{action}没有保存，请刷新后再操作"),
                    fresh: None,
                });
            }
            let before = p.clone();
            let detail = f(&mut p)?;
            tx.put_person(&mut p)?;
            tx.remember_undo(action, &id, Before::Person(Some(Box::new(before))))?;
            tx.audit(action, &id, &detail);
            keep_reply(tx, &Response::Changed { rev: p.rev });
            Ok(p.rev)
        })?;
        Ok(committed(
            Response::Changed { rev: c.value },
            action,
            &me.login,
            c.revision,
            c.touched,
        ))
    }
}

/// The reply to a committed change, with the notice every client gets.
pub(crate) fn committed(
    response: Response,
    action: &str,
    actor: &str,
    revision: u64,
    touched: Vec<crate::store::Touched>,
) -> Reply {
    Reply {
        response,
        notice: notice(action, actor, revision, touched),
    }
}

fn notice(
    action: &str,
    actor: &str,
    revision: u64,
    touched: Vec<crate::store::Touched>,
) -> Option<Notice> {
    (!touched.is_empty()).then(|| Notice {
        revision,
        action: action.to_string(),
        actor: actor.to_string(),
        touched,
    })
}

/// Keeps `reply` with the key of the request being handled, in the change's
/// own transaction, so a retry of that request gets it back (`handle_keyed`).
pub(crate) fn keep_reply(tx: &mut Tx<'_>, reply: &Response) {
    if tx.answers_request() {
        tx.keep_answer(encode(reply));
    }
}

impl Local {
    fn save_draft(
        &self,
        me: &Officer,
        slot: DraftSlot,
        form: Option<Op>,
        value: Option<String>,
    ) -> Result<Reply, DeskError> {
        if let Some(text) = &value {
            may_keep_draft(me, slot, form, text)?;
        }
        self.store
            .save_draft(&draft_key(me, slot), value.as_deref())?;
        Ok(Reply::plain(Response::Done))
    }
}

fn draft_key(me: &Officer, slot: DraftSlot) -> String {
    format!("{}:{}", me.login, slot.name())
}

/// Drafts are unaudited, so they are kept only for an officer who could
/// submit the form, and only so large: otherwise a 只读 account could fill
/// the disk with them.
fn may_keep_draft(
    me: &Officer,
    slot: DraftSlot,
    form: Option<Op>,
    text: &str,
) -> Result<(), DeskError> {
    let what = match slot {
        DraftSlot::Form | DraftSlot::Shift => "草稿",
        DraftSlot::Views => "保存的视图",
    };
    if text.len() > MAX_DRAFT_BYTES {
        return Err(DeskError::Invalid(format!(
            "{what}过大（{}），最多 {}，未保存；请精简后再填",
            size_text(text.len() as u64),
            size_text(MAX_DRAFT_BYTES as u64)
        )));
    }
    match (slot, form) {
        // Anyone on the roster keeps their own; the size cap bounds the disk.
        (DraftSlot::Shift | DraftSlot::Views, _) => Ok(()),
        (DraftSlot::Form, Some(op)) => {
            let spec = op.spec();
            let title = match spec.entry {
                Entry::Form(title) => title,
                Entry::OneKey | Entry::CliOnly => spec.verb,
            };
            spec.who.permit_ever(me, &format!("保存「{title}」草稿"))
        }
        // The roll-call report: whoever may record one.
        (DraftSlot::Form, None) => Ok(check(me, Capability::Desk, false, "保存「点名报告」草稿")?),
    }
}

/// 领导 and 管理员 see phones and ID numbers in full; others only on their own cases.
pub(crate) fn sees_contacts(me: &Officer, own: bool) -> bool {
    matches!(me.role, Role::Admin | Role::Leader) || own
}

/// The most rows one window may hold: a screen, with room to scroll.
pub const MAX_WINDOW: u32 = 500;

impl Local {
    /// Runs `f` over every case summary: the server's read model when it
    /// is built (one decoded copy for views, reports and scope), else the
    /// reports' own copy refreshed from the store.
    pub(crate) fn with_summaries<R>(
        &self,
        f: impl FnOnce(&[crate::domain::summary::Summary]) -> R,
    ) -> Result<R, DeskError> {
        let mut f = Some(f);
        if let Some(r) = self
            .views
            .read_if_built(|m| f.take().map(|f| f(m.cases())))
            .flatten()
        {
            return Ok(r);
        }
        let f = f.take().expect("not run above");
        Ok(self.report_summaries.with(self.store(), f)?)
    }

    /// The ranking inputs in force now.
    pub fn view_inputs(&self, now: Time) -> Result<super::views::Inputs, DeskError> {
        let setup = self.risk_setup(now.date_naive())?;
        Ok(super::views::Inputs {
            today: setup.today,
            sensitive: setup.sensitive(),
            weights: setup.weights,
            thresholds: setup.escalation,
        })
    }

    /// Runs `f` over the read model: the server's, or one built here for a
    /// process without a server.
    fn with_model<R>(
        &self,
        now: Time,
        f: impl FnOnce(&super::views::ReadModel) -> R,
    ) -> Result<R, DeskError> {
        let inputs = self.view_inputs(now)?;
        self.views.set_inputs(inputs.clone());
        let mut f = Some(f);
        if let Some(r) = self.views.read(|m| f.take().map(|f| f(m))).flatten() {
            return Ok(r);
        }
        let (revision, count, blob) = self.store.current_summary_blob()?;
        let cases = crate::store::decode_summary_blob(&blob, count)?;
        let f = f.take().expect("not run above");
        Ok(f(&super::views::ReadModel::build(revision, cases, inputs)))
    }

    /// One row of the read model for `me` (a duplicate, a preview), or none.
    fn row(
        &self,
        me: &Officer,
        now: Time,
        f: impl FnOnce(
            &super::views::ReadModel,
            &super::need_to_know::Links,
        ) -> Option<super::views::Row>,
    ) -> Result<Reply, DeskError> {
        let links = super::need_to_know::Links::of(self, me)?;
        let row = self.with_model(now, |m| f(m, &links))?;
        Ok(Reply::plain(Response::Row(row.map(Box::new))))
    }

    /// The 四定 the township's history suggests for a case (desk roles).
    fn assign_hint(&self, me: &Officer, id: &str, now: Time) -> Result<Reply, DeskError> {
        check(me, Capability::Desk, false, "查看交办建议")?;
        let units: std::collections::HashMap<String, String> = self
            .store
            .officers()?
            .into_iter()
            .map(|o| (o.login, o.unit))
            .collect();
        let hint = self.with_model(now, |m| {
            m.assign_hint(id, |login| units.get(login).cloned())
        })?;
        Ok(Reply::plain(Response::AssignHint(hint)))
    }

    /// 我的 for `me`, from the read model.
    fn mine(&self, me: &Officer, from: u32, limit: u32, now: Time) -> Result<Reply, DeskError> {
        let links = super::need_to_know::Links::of(self, me)?;
        let mine = self.with_model(now, |m| m.my_work(me, from, limit.min(MAX_WINDOW), &links))?;
        Ok(Reply::plain(Response::Mine(Box::new(mine))))
    }

    /// A window of a view for `me`, from the read model (built here for a
    /// process without a server).
    fn view(
        &self,
        me: &Officer,
        query: &super::views::ViewQuery,
        from: u32,
        limit: u32,
        now: Time,
    ) -> Result<Reply, DeskError> {
        let limit = limit.min(MAX_WINDOW);
        let links = super::need_to_know::Links::of(self, me)?;
        let window = self.with_model(now, |m| m.window_for(query, from, limit, &links))?;
        Ok(Reply::plain(Response::Window(Box::new(window))))
    }
}
