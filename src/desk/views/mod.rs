//! Views computed once on the server: a desk asks for a window of a typed
//! query (screen, 在办/全部, search text; a position and a limit) and gets
//! the rows as the screen shows them, scoped to its officer, with the total
//! and the state they are as of (as JMAP's `query`). A desk that watches a
//! window is told after each commit only what changed in it (removed ids,
//! added rows with positions, the new total), as JMAP's `queryChanges`.

mod model;

pub use model::{Inputs, ReadModel};

use serde::{Deserialize, Serialize};

use crate::domain::screens::Screen;
use crate::domain::summary::Summary;
use crate::search::Doc;

/// What a desk looks at: one of the case lists, narrowed by a search.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ViewQuery {
    pub screen: Screen,
    /// Search text as typed (Chinese, pinyin, initials, 编号); empty: none.
    /// A search lists the best matches first.
    pub search: String,
    /// A column's order instead of the screen's (or the search's) own.
    pub sort: Option<crate::domain::screens::Sort>,
}

impl ViewQuery {
    /// A screen as it stands: no search, its own order.
    pub fn of(screen: Screen) -> ViewQuery {
        ViewQuery {
            screen,
            search: String::new(),
            sort: None,
        }
    }
}

/// How many cases each list holds, and 督办's cases by colour (红牌 3 ·
/// 橙牌 5 · 黄牌 2), for the tabs and the 督办 title.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub totals: Vec<(Screen, u32)>,
    pub colours: Vec<(crate::domain::escalation::Colour, u32)>,
}

impl Tally {
    pub fn total(&self, screen: Screen) -> Option<u32> {
        self.totals.iter().find(|(s, _)| *s == screen).map(|t| t.1)
    }
}

/// One row as a list shows it: the case, and its danger with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub case: Summary,
    pub danger: i32,
    pub lateness: i32,
    /// Danger's reasons, largest first.
    pub reasons: Vec<(String, i32)>,
    /// Lateness's reasons (逾期3天, 2天内到期).
    pub late_reasons: Vec<(String, i32)>,
}

impl Row {
    /// Danger and lateness with their reasons, as the desk shows them.
    pub fn score(&self) -> crate::domain::risk::Score {
        crate::domain::risk::Score {
            total: self.danger,
            lateness: self.lateness,
            reasons: self.reasons.clone(),
            late_reasons: self.late_reasons.clone(),
        }
    }
}

/// A window of a view: `rows` stand at positions `from..from + rows.len()`
/// of a list `total` long, as of `state` (the database revision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub state: u64,
    pub total: u32,
    pub from: u32,
    pub rows: Vec<Row>,
}

/// 我的 for one officer: how many rows each section holds, in order, and
/// a window of the sections' rows one after another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyWork {
    pub groups: Vec<(crate::domain::mine::Group, u32)>,
    pub window: Window,
}

/// What changed in a watched window since the desk's last state: remove
/// `removed`, then put each of `added` at its position (ascending), and the
/// window is the server's again. A changed row is removed and added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowDelta {
    /// Which of the desk's watched windows.
    pub slot: u8,
    pub state: u64,
    pub total: u32,
    pub from: u32,
    pub removed: Vec<String>,
    pub added: Vec<(u32, Row)>,
}

impl WindowDelta {
    /// Applies the delta to the desk's copy of the window; `limit` is the
    /// window's length as asked.
    pub fn apply(&self, window: &mut Window, limit: u32) {
        window.rows.retain(|r| !self.removed.contains(&r.case.id));
        for (at, row) in &self.added {
            let i = (at.saturating_sub(self.from) as usize).min(window.rows.len());
            window.rows.insert(i, row.clone());
        }
        window.rows.truncate(limit as usize);
        window.state = self.state;
        window.total = self.total;
        window.from = self.from;
    }
}

/// The registration's duplicate rule: an open case in the same village
/// with a party of the same name or the same pinyin (章三 / 张三 typed in a
/// hurry). `keys` are the typed names' `pinyin_key`s.
pub fn same_parties(s: &Summary, village: &str, keys: &[String]) -> bool {
    s.village == village
        && s.status.is_open()
        && s.parties
            .iter()
            .any(|p| keys.contains(&crate::search::pinyin_key(p)))
}

/// A 研判 as its form holds it so far, for the live score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageDraft {
    pub risk: Option<crate::domain::lists::RiskLevel>,
    /// None: the tier as the case has it.
    pub tier: Option<crate::domain::lists::Tier>,
    pub flags: Vec<crate::domain::lists::WarningFlag>,
}

impl TriageDraft {
    /// The case as it would stand once triaged so.
    pub fn applied_to(&self, s: &Summary) -> Summary {
        let mut s = s.clone();
        s.risk = self.risk;
        if let Some(tier) = self.tier {
            s.tier = tier;
        }
        s.flags = self.flags.clone();
        s
    }
}

/// How a case is searched: names (people, place, type) get pinyin; the
/// 编号, the title and the 矛盾情况 as written. The title is made of the
/// parties and the type ("张三与李四邻里纠纷"), so it adds no pinyin but
/// 纠纷's `jiufen`, which every case has and `fen` would match.
pub fn case_doc(s: &Summary) -> Doc {
    Doc {
        names: format!("{} {} {}", s.parties.join(" "), s.village, s.category),
        rest: format!("{} {} {}", s.id, s.title, s.summary),
    }
}

/// The server's read model and how it follows commits: built once in the
/// background from the kept summaries, then told each commit's summaries by
/// the store (`Store::observe_summaries`), in commit order.
#[derive(Default)]
pub struct Views {
    model: std::sync::RwLock<Option<ReadModel>>,
    /// Commits that land while the model is being built (Some then).
    pending: std::sync::Mutex<Option<Vec<Commit>>>,
    built: std::sync::Condvar,
}

/// One commit's summaries: written (decoded) and removed ids.
struct Commit {
    revision: u64,
    changed: Vec<Summary>,
    removed: Vec<String>,
}

impl Commit {
    fn of(revision: u64, written: &[(String, Option<Vec<u8>>)]) -> Commit {
        let mut c = Commit {
            revision,
            changed: Vec::new(),
            removed: Vec::new(),
        };
        for (id, bytes) in written {
            match bytes
                .as_deref()
                .map(|b| crate::store::codec::decode_compact::<Summary>("案件摘要", b))
            {
                Some(Ok(s)) => c.changed.push(s),
                // Unreadable bytes are left to `desk check`; the case
                // leaves the lists rather than show stale.
                Some(Err(_)) | None => c.removed.push(id.clone()),
            }
        }
        c
    }
}

impl Views {
    /// Builds the model from the store's kept summaries and follows every
    /// commit from then on. Runs on the server's background thread.
    pub fn start(
        self: &std::sync::Arc<Views>,
        store: &crate::store::Store,
        inputs: model::Inputs,
    ) -> Result<(), crate::store::StoreError> {
        let built = self.build(store, inputs);
        if built.is_err() {
            // Nobody waits for a model that will not come.
            *self.lock_pending() = None;
            self.built.notify_all();
        }
        built
    }

    fn build(
        self: &std::sync::Arc<Views>,
        store: &crate::store::Store,
        inputs: model::Inputs,
    ) -> Result<(), crate::store::StoreError> {
        *self.lock_pending() = Some(Vec::new());
        let me = std::sync::Arc::clone(self);
        store.observe_summaries(Box::new(move |revision, written| {
            me.take_in(Commit::of(revision, written));
        }));
        let (revision, count, blob) = match store.kept_summary_blob()? {
            Some(kept) => kept,
            None => {
                let (revision, count, blob) = store.current_summary_blob()?;
                (revision, count, std::sync::Arc::new(blob))
            }
        };
        let cases = crate::store::decode_summary_blob(&blob, count)?;
        drop(blob);
        let mut model = ReadModel::build(revision, cases, inputs);
        // The server searches at every keystroke: built before the first.
        model.index();
        let mut pending = self.lock_pending();
        for c in pending.take().unwrap_or_default() {
            if c.revision > model.revision() {
                model.apply(c.revision, c.changed, &c.removed);
            }
        }
        *self.model.write().unwrap_or_else(|p| p.into_inner()) = Some(model);
        drop(pending);
        self.built.notify_all();
        Ok(())
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Option<Vec<Commit>>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_in(&self, c: Commit) {
        let mut pending = self.lock_pending();
        if let Some(queue) = pending.as_mut() {
            queue.push(c);
            return;
        }
        if let Some(m) = self
            .model
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            m.apply(c.revision, c.changed, &c.removed);
        }
    }

    /// Runs `f` over the model once it is built (waiting for the build);
    /// None when no build was started.
    pub fn read<R>(&self, f: impl FnOnce(&ReadModel) -> R) -> Option<R> {
        let mut pending = self.lock_pending();
        while pending.is_some() {
            pending = self.built.wait(pending).unwrap_or_else(|p| p.into_inner());
        }
        drop(pending);
        let model = self.model.read().unwrap_or_else(|p| p.into_inner());
        model.as_ref().map(f)
    }

    /// Runs `f` over the model when it is built now, without waiting.
    pub fn read_if_built<R>(&self, f: impl FnOnce(&ReadModel) -> R) -> Option<R> {
        if self.lock_pending().is_some() {
            return None;
        }
        let model = self.model.read().unwrap_or_else(|p| p.into_inner());
        model.as_ref().map(f)
    }

    /// New ranking inputs (a new day, new weights): applied once for all.
    pub fn set_inputs(&self, inputs: model::Inputs) {
        let stale = self.read(|m| *m.inputs() != inputs).unwrap_or(false);
        if stale {
            if let Some(m) = self
                .model
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .as_mut()
            {
                m.set_inputs(inputs);
            }
        }
    }

    /// A model of its own for one process without a server (the CLI).
    pub fn built_now(model: ReadModel) -> Views {
        Views {
            model: std::sync::RwLock::new(Some(model)),
            ..Default::default()
        }
    }
}
