//! The windows each desk watches, and what is pushed after a commit: only
//! what changed in each watched window (removed ids, added rows with their
//! positions, the new total), computed once on the shared read model.

use super::{outbox, Shared, Subscriber};
use crate::desk::views::{ViewQuery, Window, WindowDelta};
use crate::desk::wire::ServerMsg;

/// One watched window of one connection, and what it last showed.
pub(super) struct Watch {
    slot: u8,
    query: ViewQuery,
    from: u32,
    limit: u32,
    total: u32,
    shown: Vec<Shown>,
}

/// A row as the desk holds it: a new revision or a new rank is a change.
type Shown = (String, u64, i32, i32);

fn shown_of(w: &Window) -> Vec<Shown> {
    w.rows
        .iter()
        .map(|r| (r.case.id.clone(), r.case.rev, r.danger, r.lateness))
        .collect()
}

impl Watch {
    /// What changed since the window last shown; None when nothing did.
    fn delta(&mut self, new: &Window) -> Option<WindowDelta> {
        let now = shown_of(new);
        let removed: Vec<String> = self
            .shown
            .iter()
            .filter(|s| !now.contains(s))
            .map(|s| s.0.clone())
            .collect();
        let added: Vec<(u32, crate::desk::views::Row)> = now
            .iter()
            .zip(&new.rows)
            .enumerate()
            .filter(|(_, (s, _))| !self.shown.contains(s))
            .map(|(i, (_, row))| (new.from + i as u32, row.clone()))
            .collect();
        if removed.is_empty() && added.is_empty() && new.total == self.total {
            return None;
        }
        self.shown = now;
        self.total = new.total;
        Some(WindowDelta {
            slot: self.slot,
            state: new.state,
            total: new.total,
            from: new.from,
            removed,
            added,
        })
    }
}

impl Subscriber {
    /// Queues a push unless the desk is too far behind (then it is dropped
    /// from the stream at the next broadcast, as for notices).
    pub(super) fn send(&self, msg: &ServerMsg) -> bool {
        outbox::frame(msg).is_none_or(|f| self.outbox.send(f))
    }
}

impl Shared {
    /// Remembers a window a desk was just sent, under its slot.
    pub(super) fn watch(
        &self,
        conn: u64,
        slot: u8,
        query: ViewQuery,
        limit: u32,
        window: &Window,
    ) -> Result<(), String> {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        let Some(s) = subs.iter_mut().find(|s| s.conn == conn) else {
            return Err("这个连接不接收推送，不能跟踪视图".into());
        };
        s.watches.retain(|w| w.slot != slot);
        // A desk holds a screen or two and a search: a few slots suffice.
        if s.watches.len() >= MAX_WATCHES {
            return Err(format!("每个连接最多跟踪 {MAX_WATCHES} 个视图"));
        }
        s.watches.push(Watch {
            slot,
            query,
            from: window.from,
            limit,
            total: window.total,
            shown: shown_of(window),
        });
        drop(subs);
        // A commit between the window and its watch was not pushed to it:
        // caught up now, or the desk would wait for the next commit.
        let now = self.local.views.read_if_built(|m| m.revision());
        if now.is_some_and(|r| r > window.state) {
            self.push_views(None);
        }
        Ok(())
    }

    pub(super) fn unwatch(&self, conn: u64, slot: u8) {
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = subs.iter_mut().find(|s| s.conn == conn) {
            s.watches.retain(|w| w.slot != slot);
        }
    }

    /// After a commit: each watched window worked out again on the one
    /// model, and its changes pushed to the desk that holds it. `touched`:
    /// the cases the commit wrote (None: look at every window again).
    pub(super) fn push_views(&self, touched: Option<&[String]>) {
        let revision = self.local.store().revision().unwrap_or(0);
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        // Links first: working them out reads the model too.
        for s in subs.iter_mut().filter(|s| !s.watches.is_empty()) {
            s.links(&self.local, revision);
        }
        self.local.views.read_if_built(|m| {
            for s in subs.iter_mut().filter(|s| !s.watches.is_empty()) {
                let Some((_, links)) = s.links.take() else {
                    continue;
                };
                let mut deltas = Vec::new();
                for w in &mut s.watches {
                    // A searched window moves when a changed case matches
                    // now, or stood in it (and may match no longer).
                    let shown =
                        |ids: &[String]| ids.iter().any(|id| w.shown.iter().any(|s| s.0 == *id));
                    if touched.is_some_and(|ids| !m.may_touch(&w.query, ids) && !shown(ids)) {
                        continue;
                    }
                    let new = m.window_for(&w.query, w.from, w.limit, &links);
                    deltas.extend(w.delta(&new));
                }
                s.links = Some((revision, links));
                for d in deltas {
                    s.send(&ServerMsg::View(d));
                }
            }
        });
    }
}

/// Windows one connection may watch at once.
const MAX_WATCHES: usize = 8;
