//! The casework's settings and the sweep: 黄橙红牌 thresholds (管理员,
//! audited, a `lists` value beside the other settings), and what the desk
//! does by itself each day — a 中止 whose date came resumes with an alert,
//! a case turning 红牌 gets 挂牌督办 and alerts its 牵头领导. The server
//! sweeps once a minute; `desk sweep` does it at once.

use serde::{Deserialize, Serialize};

use super::api::{DeskError, Response};
use super::local::{Local, Reply};
use super::routine::write_config;
use crate::domain::dispute::Time;
use crate::domain::escalation::{Colour, Thresholds};
use crate::domain::lists::Role;
use crate::domain::officer::{check, Capability, Officer};

const ESCALATION: &str = "escalation";

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Swept {
    pub resumed: Vec<String>,
    pub red: Vec<String>,
}

impl Local {
    /// The thresholds in force (the default until a 管理员 changes them).
    pub fn escalation(&self) -> Result<Thresholds, DeskError> {
        Ok(self.store().list(ESCALATION)?.unwrap_or_default())
    }
}

pub(crate) fn set_escalation(
    local: &Local,
    me: &Officer,
    orange_from: Option<u32>,
    red_from: Option<u32>,
    now: Time,
) -> Result<Reply, DeskError> {
    check(me, Capability::Admin, false, "设置黄橙红牌")?;
    let mut t = local.escalation()?;
    if let Some(o) = orange_from {
        t.orange_from = o;
    }
    if let Some(r) = red_from {
        t.red_from = r;
    }
    t.check()?;
    let mut reply = write_config(
        local,
        me,
        now,
        "设置黄橙红牌",
        "黄橙红牌",
        &t.describe(),
        ESCALATION,
        &t,
    )?;
    reply.response = Response::Escalation(t);
    Ok(reply)
}

/// The officer the server sweeps as: the audit log says the desk did it.
pub fn sweeper() -> Officer {
    use crate::domain::officer::{SYSTEM_LOGIN, SYSTEM_NAME};
    Officer::new(SYSTEM_LOGIN, SYSTEM_NAME, "综治中心", Role::Admin)
        .expect("a valid built-in officer")
}

/// Resumes due pauses and 挂牌督办 new 红牌 cases, as `me`. Each case is
/// its own change (own audit event and notice); the notices are returned
/// for the server to broadcast.
pub fn sweep(local: &Local, me: &Officer, now: Time) -> Result<(Swept, Vec<Reply>), DeskError> {
    check(me, Capability::Desk, false, "自动恢复与督办")?;
    let today = now.date_naive();
    let t = local.escalation()?;
    let mut swept = Swept::default();
    let mut replies = Vec::new();
    for s in local.store().summaries()? {
        if s.status.is_open() && s.paused_until.is_some_and(|u| u <= today) {
            let r = local.change_dispute(me, &s.id, None, "恢复办理", now, |d| {
                d.resume(true, &me.login, now)?;
                Ok(super::ops::last_history(d))
            })?;
            swept.resumed.push(s.id.clone());
            replies.push(r);
        } else if !s.supervised && s.colour(today, &t) == Some(Colour::Red) {
            let late = s.deadline.map(|d| (today - d).num_days()).unwrap_or(0);
            let r = local.change_dispute(me, &s.id, None, "红牌督办", now, |d| {
                d.red_card(late, &me.login, now);
                Ok(format!("红牌：逾期 {late} 天，自动挂牌督办"))
            })?;
            swept.red.push(s.id.clone());
            replies.push(r);
        }
    }
    Ok((swept, replies))
}

/// `Request::Sweep`: one notice names every case the sweep touched, at its
/// last revision.
pub(crate) fn sweep_request(local: &Local, me: &Officer, now: Time) -> Result<Reply, DeskError> {
    let (swept, replies) = sweep(local, me, now)?;
    let notice = replies
        .into_iter()
        .filter_map(|r| r.notice)
        .reduce(|mut all, n| {
            all.revision = n.revision;
            all.touched.extend(n.touched);
            all
        });
    Ok(Reply {
        response: Response::Swept(swept),
        notice,
    })
}
