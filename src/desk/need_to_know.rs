//! What of the key-person links an officer may receive: the one filter every
//! reply, push and presence passes before it leaves the server. A case names
//! its linked persons (`RY-…` beside a party); an officer who may not see a
//! person must not learn from a case that the party is one.

use std::collections::HashSet;

use super::api::{DeskError, Response, Viewer};
use super::local::{Local, Reply};
use crate::domain::access::{scope, Scope};
use crate::domain::dispute::Dispute;
use crate::domain::officer::Officer;
use crate::domain::record::RecordKind;
use crate::domain::summary::Summary;
use crate::store::Touched;

/// The key persons an officer may see, as the links a reply may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Links {
    /// 管理员, 领导, 值班员: the whole register.
    All,
    /// 责任人: the persons `access::may_see` allows (their own, and those
    /// linked to open cases assigned to them).
    Some(HashSet<String>),
    /// 只读: counts only, no person.
    None,
}

/// Whether a reply names cases with their linked persons. Every variant
/// is named: a new reply that carries cases must be decided here.
fn carries_links(r: &Response) -> bool {
    match r {
        Response::Summaries { .. }
        | Response::SummaryBlob { .. }
        | Response::Dispute(_)
        | Response::Disputes(_) => true,
        // Made by the read model for this officer (`ReadModel::row`).
        Response::Window(_) | Response::Mine(_) | Response::Row(_) => false,
        Response::AssignHint(_) | Response::Tally(_) | Response::Ids(_) | Response::Located(_) => {
            false
        }
        Response::Done
        | Response::Changed { .. }
        | Response::Created(_)
        | Response::Officer(_)
        | Response::Persons(_)
        | Response::Person(_)
        | Response::Officers(_)
        | Response::Lists(_)
        | Response::Audit(_)
        | Response::Check(_)
        | Response::BackedUp { .. }
        | Response::Draft(_)
        | Response::Staged(_)
        | Response::Imported(_)
        | Response::RiskSetup(_)
        | Response::Periods(_)
        | Response::Rollcall(_)
        | Response::Report(_)
        | Response::Undoable(_)
        | Response::Undone(_)
        | Response::Escalation(_)
        | Response::Swept(_)
        | Response::PersonCounts(_)
        | Response::PersonRules(_) => false,
    }
}

/// A reply or error as `me` may receive it. The links are worked out only
/// for a reply that names cases (a 责任人's take a pass over the cases).
pub fn scope_result(
    local: &Local,
    me: &Officer,
    result: Result<Reply, DeskError>,
) -> Result<Reply, DeskError> {
    if scope(me.role) == Scope::Register {
        return result;
    }
    match result {
        Ok(mut reply) if carries_links(&reply.response) => {
            if let Response::SummaryBlob { .. } = reply.response {
                // Stored bytes hold every link; `Local` decodes them for
                // anyone who is not to see the whole register.
                return Err(DeskError::Store("案件摘要未按权限过滤，未发送".into()));
            }
            Links::of(local, me)?.response(&mut reply.response);
            Ok(reply)
        }
        Ok(reply) => Ok(reply),
        Err(mut e @ DeskError::Conflict { .. }) => {
            Links::of(local, me)?.error(&mut e);
            Err(e)
        }
        Err(e) => Err(e),
    }
}

impl Links {
    pub fn of(local: &Local, me: &Officer) -> Result<Links, DeskError> {
        Ok(match scope(me.role) {
            Scope::Register => Links::All,
            Scope::Counts => Links::None,
            Scope::Own => {
                let mut ids = local.linked_to_my_cases(me)?;
                ids.extend(
                    local
                        .store()
                        .persons()?
                        .into_iter()
                        .filter(|p| p.officer == me.login)
                        .map(|p| p.id),
                );
                Links::Some(ids)
            }
        })
    }

    pub fn sees(&self, person: &str) -> bool {
        match self {
            Links::All => true,
            Links::Some(ids) => ids.contains(person),
            Links::None => false,
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Links::All)
    }

    pub fn summary(&self, s: &mut Summary) {
        if !self.is_all() {
            s.person_ids.retain(|p| self.sees(p));
        }
    }

    pub fn dispute(&self, d: &mut Dispute) {
        for p in &mut d.parties {
            if p.person_id.as_deref().is_some_and(|id| !self.sees(id)) {
                p.person_id = None;
            }
        }
    }

    /// A reply as this officer may receive it.
    pub fn response(&self, r: &mut Response) {
        if self.is_all() {
            return;
        }
        match r {
            Response::Summaries { items, .. } => items.iter_mut().for_each(|s| self.summary(s)),
            Response::Dispute(d) => self.dispute(d),
            Response::Disputes(ds) => ds.iter_mut().for_each(|d| self.dispute(d)),
            _ => {}
        }
    }

    /// An error as this officer may receive it: a conflict carries the case.
    pub fn error(&self, e: &mut DeskError) {
        if let DeskError::Conflict {
            fresh: Some(d),
            message: _,
        } = e
        {
            self.dispute(d);
        }
    }

    /// A change notice: a person the officer may not see is told as "a
    /// person changed" (the counts move), without naming whom.
    pub fn touched(&self, touched: &mut [Touched]) {
        for t in touched {
            if t.kind == RecordKind::Person && !self.sees(&t.id) {
                t.id.clear();
            }
        }
    }

    /// Who has what open, as this officer may be told: a key person's
    /// record only to those who may see that person.
    pub fn presence(&self, all: &[Viewer]) -> Vec<Viewer> {
        all.iter()
            .filter(|v| RecordKind::of_id(&v.at.id) != RecordKind::Person || self.sees(&v.at.id))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::api::Looking;

    fn viewer(id: &str) -> Viewer {
        Viewer {
            login: "zb1".into(),
            name: "值班甲".into(),
            at: Looking {
                id: id.into(),
                editing: false,
            },
        }
    }

    #[test]
    fn each_scope_keeps_only_its_links() {
        let mut s = Summary::sample("MD-2026-000001");
        s.person_ids = vec!["RY-000001".into(), "RY-000002".into()];
        let mine = Links::Some(["RY-000002".to_string()].into());
        let mut t = s.clone();
        mine.summary(&mut t);
        assert_eq!(t.person_ids, vec!["RY-000002".to_string()]);
        let mut t = s.clone();
        Links::None.summary(&mut t);
        assert!(t.person_ids.is_empty());
        let mut t = s.clone();
        Links::All.summary(&mut t);
        assert_eq!(t.person_ids.len(), 2);

        let all = [viewer("RY-000001"), viewer("MD-2026-000001")];
        assert_eq!(Links::None.presence(&all), vec![viewer("MD-2026-000001")]);
        assert_eq!(Links::All.presence(&all).len(), 2);

        let mut touched = vec![
            Touched {
                kind: RecordKind::Person,
                id: "RY-000001".into(),
            },
            Touched {
                kind: RecordKind::Person,
                id: "RY-000002".into(),
            },
        ];
        mine.touched(&mut touched);
        assert_eq!(touched[0].id, "");
        assert_eq!(touched[1].id, "RY-000002");
    }
}
