//! Each form, described once in its own file: its fields, what they start
//! with, and how its checked values become a request. The titles and
//! done-words come from the operation's description in `desk::ops`.

mod approve;
mod assign;
pub use assign::Offer;
mod close;
mod escalate;
mod extend;
mod follow_up;
mod note;
mod package;
mod pause;
mod person_ack;
mod person_add;
mod person_review;
mod person_visit;
mod register;
mod reject;
mod rollcall;
mod transfer;
mod triage;

pub(in crate::tui) use register::party_fields;

use super::{Ctx, Field, FieldKind, Form, FormKind, Key, Options};
use crate::desk::api::Request;
use crate::desk::ops::Change;
use crate::domain::person::KeyPerson;
use crate::domain::summary::Summary;

/// What a form starts from: the case it acts on (the first, for a bulk
/// action) or the key person, and the desk's lists.
pub struct Start<'a> {
    pub summary: Option<&'a Summary>,
    pub person: Option<&'a KeyPerson>,
    pub ctx: &'a Ctx<'a>,
}

/// A checked form's request: one (a registration, a roll-call report), or
/// one change for each target.
pub enum Built {
    Once {
        request: Request,
        done: &'static str,
    },
    PerTarget(Change),
}

impl FormKind {
    pub(super) fn fields(self, s: &Start) -> Vec<Field> {
        match self {
            FormKind::Register => register::fields(s),
            FormKind::Triage => triage::fields(s),
            FormKind::Assign => assign::fields(s),
            FormKind::Reject => reject::fields(s),
            FormKind::Package => package::fields(s),
            FormKind::Note => note::fields(s),
            FormKind::Escalate => escalate::fields(s),
            FormKind::Close => close::fields(s),
            FormKind::Approve => approve::fields(s),
            FormKind::Extend => extend::fields(s),
            FormKind::Visit => follow_up::fields(s),
            FormKind::PersonAdd => person_add::fields(s),
            FormKind::PersonVisit => person_visit::fields(s),
            FormKind::PersonReview => person_review::fields(s),
            FormKind::PersonAck => person_ack::fields(s),
            FormKind::Rollcall => rollcall::fields(s),
            FormKind::Transfer => transfer::fields(s),
            FormKind::Pause => pause::fields(s),
        }
    }

    pub(super) fn build(self, f: &mut Form, ctx: &Ctx) -> Option<Built> {
        match self {
            FormKind::Register => register::build(f, ctx),
            FormKind::Triage => triage::build(f),
            FormKind::Assign => assign::build(f, ctx),
            FormKind::Reject => reject::build(f),
            FormKind::Package => package::build(f, ctx),
            FormKind::Note => note::build(f),
            FormKind::Escalate => escalate::build(f),
            FormKind::Close => close::build(f),
            FormKind::Approve => approve::build(f),
            FormKind::Extend => extend::build(f, ctx),
            FormKind::Visit => follow_up::build(f),
            FormKind::PersonAdd => person_add::build(f, ctx),
            FormKind::PersonVisit => person_visit::build(f, ctx),
            FormKind::PersonReview => person_review::build(f, ctx),
            FormKind::PersonAck => person_ack::build(f),
            FormKind::Rollcall => rollcall::build(f),
            FormKind::Transfer => transfer::build(f),
            FormKind::Pause => pause::build(f, ctx),
        }
    }
}

/// A closed list's labels as a choice's options.
pub(super) fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Options {
    Options::Fixed(all.iter().map(|v| label(*v).to_string()).collect())
}

/// A required choice that starts on `default`.
fn choice(key: Key, label: &str, options: Options, default: &str) -> Field {
    Field::new(key, label, true, FieldKind::Choice(options)).value(default)
}

fn officer_text(ctx: &Ctx, login: &str) -> String {
    match ctx.officers.get(login) {
        Some(o) => crate::tui::form::officer_choice(o),
        None => login.to_string(),
    }
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
