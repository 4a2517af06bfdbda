//! 撤销: an officer's own last change, within ten minutes, undone by a
//! compensating change. The record goes back to what it was; the audit log
//! keeps the change and its undoing, and a case's history says so.

use chrono::Duration;

use super::api::{DeskError, Response, UndoInfo};
use super::local::{committed, keep_reply, Local, Reply};
use crate::domain::dispute::Time;
use crate::domain::officer::Officer;
use crate::store::{Before, UndoEntry};

/// How long a change stays undoable.
pub const UNDO_MINUTES: i64 = 10;

pub(crate) fn last_action(
    local: &Local,
    me: &Officer,
    now: Time,
) -> Result<Option<UndoInfo>, DeskError> {
    let Some(e) = local.store().undo_entry(&me.login)? else {
        return Ok(None);
    };
    let current = match &e.before {
        Before::Dispute(_) => local.store().dispute(&e.target).map(|d| d.rev).ok(),
        Before::Person(_) => local.store().person(&e.target).map(|p| p.rev).ok(),
    };
    Ok(Some(info(&e, blocked(&e, current, now))))
}

pub(crate) fn undo(local: &Local, me: &Officer, now: Time) -> Result<Reply, DeskError> {
    let c = local.store().write(&me.login, now, |tx| {
        let e = tx.take_undo()?.ok_or_else(|| {
            DeskError::Refused("没有可以撤销的操作：只能撤销本人最近一次的操作".into())
        })?;
        match &e.before {
            Before::Dispute(before) => {
                let mut d = tx.dispute(&e.target)?;
                if let Some(why) = blocked(&e, Some(d.rev), now) {
                    return Err(DeskError::Refused(why));
                }
                match before {
                    None => tx.delete_dispute(&e.target)?,
                    Some(before) => {
                        d.revert_to((**before).clone(), &e.action, &me.login, now);
                        tx.put_dispute(&mut d)?;
                    }
                }
            }
            Before::Person(before) => {
                let p = tx.person(&e.target)?;
                if let Some(why) = blocked(&e, Some(p.rev), now) {
                    return Err(DeskError::Refused(why));
                }
                match before {
                    None => tx.delete_person(&e.target)?,
                    Some(before) => tx.put_person(&mut (**before).clone())?,
                }
            }
        }
        tx.audit(
            "撤销",
            &e.target,
            &format!("撤销本人 {} 的「{}」", e.at.format("%H:%M:%S"), e.action),
        );
        let done = info(&e, None);
        keep_reply(tx, &Response::Undone(done.clone()));
        Ok::<_, DeskError>(done)
    })?;
    Ok(committed(
        Response::Undone(c.value),
        "撤销",
        &me.login,
        c.revision,
        c.touched,
    ))
}

fn info(e: &UndoEntry, blocked: Option<String>) -> UndoInfo {
    UndoInfo {
        action: e.action.clone(),
        target: e.target.clone(),
        at: e.at,
        blocked,
    }
}

/// Why `e` can no longer be undone; `current` is the record's revision now.
fn blocked(e: &UndoEntry, current: Option<u64>, now: Time) -> Option<String> {
    let what = format!("{} 的「{}」{}", e.at.format("%H:%M"), e.action, e.target);
    let age = now - e.at;
    if age > Duration::minutes(UNDO_MINUTES) {
        return Some(format!(
            "{what}已过去 {} 分钟，超过 {UNDO_MINUTES} 分钟不能撤销，请按正常流程办理",
            age.num_minutes()
        ));
    }
    match current {
        None => Some(format!("{what}：记录已不存在，不能撤销")),
        Some(rev) if rev != e.after_rev => Some(format!(
            "{what}之后记录又有了新的改动，不能撤销，请按正常流程办理"
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(at: Time) -> UndoEntry {
        UndoEntry {
            at,
            action: "交办".into(),
            target: "MD-2026-000001".into(),
            after_rev: 7,
            before: Before::Dispute(None),
        }
    }

    #[test]
    fn undo_is_allowed_for_ten_minutes_on_an_unchanged_record() {
        let at = crate::desk::clock::china()
            .with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
            .unwrap();
        let e = entry(at);
        assert_eq!(blocked(&e, Some(7), at + Duration::minutes(10)), None);
        let late = blocked(&e, Some(7), at + Duration::minutes(11)).unwrap();
        assert!(late.contains("超过 10 分钟"), "{late}");
        let moved = blocked(&e, Some(8), at + Duration::minutes(1)).unwrap();
        assert!(moved.contains("新的改动"), "{moved}");
        assert!(blocked(&e, None, at).unwrap().contains("已不存在"));
    }
}
