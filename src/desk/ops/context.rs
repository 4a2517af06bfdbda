//! What every operation may consult: the caller, the clock, the lists and
//! the roster, read once per request; and the checks several share.

use chrono::NaiveDate;

use super::super::api::{DeskError, Lists};
use super::super::local::Local;
use crate::domain::dispute::{Dispute, Time};
use crate::domain::lists::Role;
use crate::domain::names;
use crate::domain::officer::Officer;
use crate::domain::text::{clean_line, clean_text};

pub struct Cx<'a> {
    pub local: &'a Local,
    pub me: &'a Officer,
    pub now: Time,
    pub lists: Lists,
    pub roster: Roster,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(local: &'a Local, me: &'a Officer, now: Time) -> Result<Cx<'a>, DeskError> {
        Ok(Cx {
            local,
            me,
            now,
            lists: local.lists()?,
            roster: Roster(local.store().officers()?),
        })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    pub fn by(&self) -> &str {
        &self.me.login
    }
}

/// Warning signs read from an officer's text that the case does not yet
/// carry are added, with the words that gave them away in the history: a
/// threat the desk reads is applied and shown, never silently dropped.
pub(crate) fn flags_from_text(cx: &Cx, d: &mut Dispute, text: &str) {
    d.read_flags(text, &cx.lists.categories, cx.by(), cx.now);
}

/// A value must come from its list, when the township keeps one.
pub(crate) fn in_list(list: &[String], what: &str, value: &str) -> Result<String, DeskError> {
    let value = clean_line(value);
    if value.is_empty() {
        return Err(DeskError::Invalid(format!("{what}不能为空")));
    }
    if list.is_empty() {
        return Err(DeskError::Invalid(empty_list(what)));
    }
    names::pick(what, list, &[], &value, false)
        .map(|(i, _)| list[i].clone())
        .map_err(DeskError::Invalid)
}

/// A list with nothing in it accepts nothing (a new desk has no villages
/// until the 管理员 adds them): what to say instead.
pub(crate) fn empty_list(what: &str) -> String {
    format!("名录里还没有任何{what}，不能登记。请管理员先用“desk lists add”添加{what}")
}

/// The case history's newest line: what the audit log keeps for most moves.
pub(crate) fn last_history(d: &Dispute) -> String {
    d.history.last().map(|h| h.what.clone()).unwrap_or_default()
}

/// A long text's first 60 characters, for the audit log.
pub(crate) fn preview(text: &str) -> String {
    cut(clean_line(text))
}

/// A note's first 60 characters for the audit log, its line breaks kept
/// (`desk log` prints the later lines indented).
pub(crate) fn preview_lines(text: &str) -> String {
    cut(clean_text(text))
}

fn cut(text: String) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// The roster as the operations check names against it.
pub struct Roster(pub Vec<Officer>);

impl Roster {
    /// An active officer by login, name, or what the resolver makes of
    /// either (an unambiguous part of the name, its pinyin).
    fn find(&self, login: &str) -> Result<&Officer, DeskError> {
        let active: Vec<&Officer> = self.0.iter().filter(|o| o.active).collect();
        let (i, _) = crate::domain::officer::resolve(&active, login).map_err(DeskError::Invalid)?;
        Ok(active[i])
    }

    /// 牵头领导 / 包案领导 must hold the 领导 role.
    pub fn leader(&self, login: &str) -> Result<String, DeskError> {
        let o = self.find(login)?;
        if !matches!(o.role, Role::Leader | Role::Admin) {
            return Err(DeskError::Invalid(format!(
                "{}（{}）是“{}”，牵头或包案领导须为“领导”角色",
                o.name,
                o.login,
                o.role.label()
            )));
        }
        Ok(o.login.clone())
    }

    /// Someone who can do the work: anyone on the roster but 只读.
    pub fn worker(&self, login: &str) -> Result<String, DeskError> {
        let o = self.find(login)?;
        if o.role == Role::ReadOnly {
            return Err(DeskError::Invalid(format!(
                "{}（{}）是只读账号，不能承办案件",
                o.name, o.login
            )));
        }
        Ok(o.login.clone())
    }

    pub fn name(&self, login: &str) -> String {
        self.0
            .iter()
            .find(|o| o.login == login)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| login.to_string())
    }
}
