//! The server's one read model: every case's summary and rank, each list
//! screen's order, and the search index (pinyin included), kept current at
//! each commit and shared by every connection. A commit re-ranks only the
//! cases it touched and those sharing a party with them (the repeat-party
//! term), and moves just those in each list.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{case_doc, MyWork, Row, ViewQuery, Window};
use crate::desk::need_to_know::Links;
use crate::domain::escalation::Thresholds;
use crate::domain::mine::{my_work_among, names, Among, Group};
use crate::domain::officer::Officer;
use crate::domain::risk::{party_keys, rank_of, score, Rank, RiskContext, RiskWeights};
use crate::domain::screens::Screen;
use crate::domain::summary::Summary;
use crate::search::Index;

/// What ranks and lists depend on besides the cases: they change by the
/// day, or when the 管理员 changes weights, periods or thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub today: NaiveDate,
    pub weights: RiskWeights,
    pub sensitive: bool,
    pub thresholds: Thresholds,
}

/// A commit that writes more cases than this rebuilds the model.
const REBUILD_FROM: usize = 2_000;

pub struct ReadModel {
    /// The database revision the model is as of.
    revision: u64,
    inputs: Inputs,
    cases: Vec<Summary>,
    by_id: HashMap<String, usize>,
    ranks: Vec<Rank>,
    ctx: RiskContext,
    /// Cases by (village, party) key: who is re-ranked when a party recurs.
    parties: HashMap<u64, Vec<usize>>,
    /// Built at the first search (`index`): a one-off command that only
    /// lists need not pay for the pinyin of every case.
    search: std::sync::OnceLock<Index>,
    /// Each screen's cases (indexes into `cases`), in its order.
    lists: [Vec<usize>; Screen::ALL.len()],
    /// The last searches' matches: a keystroke that extends one searches
    /// only among its matches. Cleared whenever a list changes.
    recent: std::sync::Mutex<Vec<Recent>>,
    /// 我的's sections lately worked out, by the sections and (for those
    /// that look at the officer's own cases) the login.
    sections: std::sync::Mutex<Vec<(SectionsKey, Sections)>>,
    /// The counts, once worked out.
    tally: std::sync::Mutex<Option<super::Tally>>,
}

type SectionsKey = (&'static [Group], Option<String>);
/// 我的's sections with their rows (indexes into the cases).
type Sections = std::sync::Arc<Vec<(Group, Vec<usize>)>>;

/// One search's matches on one screen's list, in the list's order.
struct Recent {
    screen: Screen,
    query: String,
    matched: std::sync::Arc<crate::search::Places>,
}

/// Searches remembered (one desk typing, a few others at once).
const RECENT: usize = 8;

impl ReadModel {
    pub fn build(revision: u64, cases: Vec<Summary>, inputs: Inputs) -> ReadModel {
        let by_id = cases
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let mut parties: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, s) in cases.iter().enumerate() {
            for k in party_keys(s) {
                parties.entry(k).or_default().push(i);
            }
        }
        let ctx = RiskContext::new(&cases, inputs.today, &inputs.weights, inputs.sensitive);
        let mut m = ReadModel {
            revision,
            inputs,
            cases,
            by_id,
            ranks: Vec::new(),
            ctx,
            parties,
            search: std::sync::OnceLock::new(),
            lists: Default::default(),
            recent: Default::default(),
            sections: Default::default(),
            tally: Default::default(),
        };
        m.rank_all();
        m
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// New inputs (a new day, new weights): every rank and list again.
    pub fn set_inputs(&mut self, inputs: Inputs) -> bool {
        if inputs == self.inputs {
            return false;
        }
        self.ctx = RiskContext::new(&self.cases, inputs.today, &inputs.weights, inputs.sensitive);
        self.inputs = inputs;
        self.rank_all();
        true
    }

    fn rank_all(&mut self) {
        self.forget();
        self.ranks = self.cases.iter().map(|s| rank_of(s, &self.ctx)).collect();
        for screen in Screen::ALL {
            let mut rows: Vec<usize> = (0..self.cases.len())
                .filter(|&i| screen.holds(&self.cases[i], self.inputs.today))
                .collect();
            rows.sort_unstable_by(|&a, &b| self.order(screen, a, b));
            self.lists[screen.index()] = rows;
        }
    }

    fn order(&self, screen: Screen, a: usize, b: usize) -> std::cmp::Ordering {
        screen.cmp(
            (&self.cases[a], self.ranks[a]),
            (&self.cases[b], self.ranks[b]),
            self.inputs.today,
            &self.inputs.thresholds,
        )
    }

    /// Takes in a commit: the summaries it wrote, and the ids it removed
    /// (an undone registration). Returns the ids whose rows changed.
    pub fn apply(
        &mut self,
        revision: u64,
        changed: Vec<Summary>,
        removed: &[String],
    ) -> Vec<String> {
        self.forget();
        self.revision = revision;
        // Rare (an undone registration) or large (an import): rebuilt,
        // which at that size costs less than moving rows one by one.
        if removed.iter().any(|id| self.by_id.contains_key(id)) || changed.len() > REBUILD_FROM {
            let mut cases = std::mem::take(&mut self.cases);
            cases.retain(|s| !removed.contains(&s.id));
            for s in changed {
                match cases.binary_search_by(|c| c.id.cmp(&s.id)) {
                    Ok(i) => cases[i] = s,
                    Err(i) => cases.insert(i, s),
                }
            }
            let ids = removed.to_vec();
            let searched = self.search.get().is_some();
            *self = ReadModel::build(revision, cases, self.inputs.clone());
            if searched {
                self.index();
            }
            return ids;
        }
        let mut t = crate::timing::Phases::new("read model");
        // Every case whose rank may move: the changed and their parties'.
        let mut affected: HashSet<usize> = HashSet::new();
        let mut slots = Vec::with_capacity(changed.len());
        for s in &changed {
            let (slot, new) = match self.by_id.get(&s.id) {
                Some(&i) => (i, false),
                None => {
                    self.by_id.insert(s.id.clone(), self.cases.len());
                    self.cases.push(s.clone());
                    self.ranks.push(Rank::default());
                    (self.cases.len() - 1, true)
                }
            };
            slots.push((slot, new));
            affected.insert(slot);
            for k in party_keys(&self.cases[slot]).chain(party_keys(s)) {
                affected.extend(self.parties.get(&k).into_iter().flatten());
            }
        }
        let affected: Vec<usize> = affected.into_iter().collect();
        // A new case is in no list yet: only the others are looked for.
        let known: Vec<usize> = affected
            .iter()
            .copied()
            .filter(|i| !slots.contains(&(*i, true)))
            .collect();
        let was = self.places(&known);
        t.mark("affected and places");
        for (s, &(slot, new)) in changed.into_iter().zip(&slots) {
            let old = (!new).then(|| std::mem::replace(&mut self.cases[slot], s.clone()));
            self.ctx.replace(old.as_ref(), &s);
            for k in old.iter().flat_map(party_keys) {
                if let Some(v) = self.parties.get_mut(&k) {
                    v.retain(|&i| i != slot);
                }
            }
            for k in party_keys(&s) {
                self.parties.entry(k).or_default().push(slot);
            }
            if let Some(index) = self.search.get_mut() {
                index.set(slot, &case_doc(&s));
            }
        }
        t.mark("context, parties, index");
        for &i in &affected {
            self.ranks[i] = rank_of(&self.cases[i], &self.ctx);
        }
        t.mark("ranks");
        self.reorder(&affected, was);
        t.mark("lists");
        affected.iter().map(|&i| self.cases[i].id.clone()).collect()
    }

    /// Where each affected case already listed stands in every list, by
    /// screen, found by its keys as they stand (before the commit changes them).
    fn places(&self, affected: &[usize]) -> Vec<Vec<(usize, usize)>> {
        Screen::ALL
            .iter()
            .map(|&screen| {
                let list = &self.lists[screen.index()];
                let today = self.inputs.today;
                let mut at: Vec<(usize, usize)> = affected
                    .iter()
                    // A case the screen does not hold is not looked for.
                    .filter(|&&i| screen.holds(&self.cases[i], today))
                    .filter_map(|&i| {
                        list.binary_search_by(|&x| self.order(screen, x, i))
                            .ok()
                            .map(|p| (p, i))
                    })
                    .collect();
                at.sort_unstable();
                at
            })
            .collect()
    }

    /// Moves the affected cases to where their new keys put them in each
    /// list, from the places `places` found.
    fn reorder(&mut self, affected: &[usize], was: Vec<Vec<(usize, usize)>>) {
        for (screen, was) in Screen::ALL.into_iter().zip(was) {
            let today = self.inputs.today;
            // A case still in the list whose new keys keep it between its
            // (unaffected) neighbours stays put: moving a row of 10⁶ is a
            // memmove of megabytes, and most changes do not reorder.
            let stays = |at: usize, i: usize| {
                let list = &self.lists[screen.index()];
                let fits = |x: usize| !affected.contains(&x);
                screen.holds(&self.cases[i], today)
                    && (at == 0 || {
                        let prev = list[at - 1];
                        fits(prev) && self.order(screen, prev, i).is_lt()
                    })
                    && list
                        .get(at + 1)
                        .is_none_or(|&next| fits(next) && self.order(screen, i, next).is_lt())
            };
            let kept: Vec<usize> = was
                .iter()
                .filter(|&&(at, i)| stays(at, i))
                .map(|&(_, i)| i)
                .collect();
            // The rest leave, from the back so the front's places hold.
            for &(at, i) in was.iter().rev() {
                if !kept.contains(&i) {
                    self.lists[screen.index()].remove(at);
                }
            }
            for &i in affected {
                if kept.contains(&i) || !screen.holds(&self.cases[i], today) {
                    continue;
                }
                let list = &self.lists[screen.index()];
                let at = list
                    .binary_search_by(|&x| self.order(screen, x, i))
                    .unwrap_or_else(|e| e);
                self.lists[screen.index()].insert(at, i);
            }
        }
    }

    /// The search index, built the first time it is wanted.
    pub fn index(&self) -> &Index {
        self.search
            .get_or_init(|| Index::new(self.cases.iter().map(case_doc).collect()))
    }

    /// The whole ordered list a query names (indexes into the cases).
    pub fn listing(&self, q: &ViewQuery) -> Vec<usize> {
        let list = &self.lists[q.screen.index()];
        let mut rows = if q.search.trim().is_empty() {
            list.clone()
        } else {
            self.index().search(&q.search, Some(list))
        };
        if let Some(sort) = q.sort {
            let key = |i: usize| (&self.cases[i], self.ranks[i]);
            rows.sort_by(|&a, &b| sort.cmp(key(a), key(b)));
        }
        rows
    }

    /// Rows `from..from + limit` of what `q` lists, as `links` may see them:
    /// a plain list is sliced where it stands, a search orders only the
    /// matches up to the window's end (a sorted one orders them all).
    pub fn window_for(&self, q: &ViewQuery, from: u32, limit: u32, links: &Links) -> Window {
        let list = &self.lists[q.screen.index()];
        if q.sort.is_some() {
            return self.window(&self.listing(q), from, limit, links);
        }
        if q.search.trim().is_empty() {
            return self.window(list, from, limit, links);
        }
        let end = (from as usize).saturating_add(limit as usize);
        let (total, top) = self.search(q.screen, &q.search, end);
        let mut w = self.window(&top, from, limit, links);
        w.total = total as u32;
        w
    }

    /// How many cases a search matches on a screen's list, and the best
    /// `keep`; from the remembered matches of a query it extends when
    /// there is one.
    fn search(&self, screen: Screen, search: &str, keep: usize) -> (usize, Vec<usize>) {
        let query = crate::search::normalize(search);
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let base = recent
            .iter()
            .filter(|r| r.screen == screen && query.starts_with(r.query.as_str()))
            .max_by_key(|r| r.query.len())
            .map(|r| std::sync::Arc::clone(&r.matched));
        drop(recent);
        let base = match base {
            Some(b) => b,
            None => std::sync::Arc::new(crate::search::places(&self.lists[screen.index()])),
        };
        let (matched, best) = self.index().narrow(&query, &base, keep);
        let total = matched.len();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.retain(|r| !(r.screen == screen && r.query == query));
        if recent.len() >= RECENT {
            recent.remove(0);
        }
        recent.push(Recent {
            screen,
            query,
            matched: std::sync::Arc::new(matched),
        });
        (total, best)
    }

    /// The lists changed: remembered matches, sections and counts no longer hold.
    fn forget(&mut self) {
        self.recent
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.sections
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.tally.get_mut().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Where case `id` stands in what `q` lists, from 0.
    pub fn locate(&self, q: &ViewQuery, id: &str) -> Option<u32> {
        let &i = self.by_id.get(id)?;
        let at = if q.search.trim().is_empty() && q.sort.is_none() {
            self.lists[q.screen.index()].iter().position(|&r| r == i)
        } else {
            self.listing(q).iter().position(|&r| r == i)
        };
        at.and_then(|p| u32::try_from(p).ok())
    }

    /// 编号 holding `part`, or the partial number it names, newest first.
    pub fn ids(&self, part: &str, most: usize) -> Vec<String> {
        let up = part.trim().to_uppercase();
        if up.is_empty() {
            return Vec::new();
        }
        let partial = crate::domain::record::PartialId::parse(&up);
        let mut ids: Vec<&String> = self
            .cases
            .iter()
            .map(|s| &s.id)
            .filter(|id| id.contains(&up) || partial.as_ref().is_some_and(|p| p.matches(id)))
            .collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.into_iter().take(most).cloned().collect()
    }

    /// How many cases each list holds, and 督办's by colour; worked out once
    /// for all desks until the lists change.
    pub fn tally(&self) -> super::Tally {
        let mut kept = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        kept.get_or_insert_with(|| self.count()).clone()
    }

    fn count(&self) -> super::Tally {
        use crate::domain::escalation::Colour;
        let totals = [
            Screen::Inbox,
            Screen::Queue,
            Screen::Supervision,
            Screen::FollowUps,
        ]
        .into_iter()
        .map(|s| (s, self.lists[s.index()].len() as u32))
        .collect();
        let mut colours: Vec<(Colour, u32)> = Colour::WORST_FIRST.iter().map(|c| (*c, 0)).collect();
        for &i in &self.lists[Screen::Supervision.index()] {
            let c = self.cases[i].colour(self.inputs.today, &self.inputs.thresholds);
            if let Some(n) = colours.iter_mut().find(|(k, _)| Some(*k) == c) {
                n.1 += 1;
            }
        }
        super::Tally { totals, colours }
    }

    /// Whether a search over `q` may have changed because of these cases.
    pub fn may_touch(&self, q: &ViewQuery, ids: &[String]) -> bool {
        q.search.trim().is_empty()
            || ids.iter().any(|id| {
                self.by_id
                    .get(id)
                    .is_some_and(|&i| !self.index().search(&q.search, Some(&[i])).is_empty())
            })
    }

    /// Rows `from..from + limit` of a listing, as `links` may see them.
    pub fn window(&self, listing: &[usize], from: u32, limit: u32, links: &Links) -> Window {
        let start = (from as usize).min(listing.len());
        let end = start.saturating_add(limit as usize).min(listing.len());
        Window {
            state: self.revision,
            total: listing.len() as u32,
            from: start as u32,
            rows: listing[start..end]
                .iter()
                .map(|&i| self.row(i, links))
                .collect(),
        }
    }

    /// One case as a row: danger as ranked on everything; the reasons from
    /// what the officer may see (只读 is not told a party is a key person).
    pub fn row(&self, i: usize, links: &Links) -> Row {
        let mut case = self.cases[i].clone();
        links.summary(&mut case);
        let sc = score(&case, &self.ctx);
        Row {
            case,
            danger: self.ranks[i].danger,
            lateness: self.ranks[i].lateness,
            reasons: sc.reasons,
            late_reasons: sc.late_reasons,
        }
    }

    /// The first open case a registration would duplicate (`same_parties`).
    pub fn duplicate(&self, village: &str, parties: &[String], links: &Links) -> Option<Row> {
        let keys: Vec<String> = parties
            .iter()
            .map(|n| crate::search::pinyin_key(n))
            .collect();
        if village.is_empty() || keys.is_empty() {
            return None;
        }
        let i = self.lists[Screen::All.index()]
            .iter()
            .copied()
            .find(|&i| super::same_parties(&self.cases[i], village, &keys))?;
        Some(self.row(i, links))
    }

    /// The row a case would have once triaged as `draft` says.
    pub fn preview(&self, id: &str, draft: &super::TriageDraft, links: &Links) -> Option<Row> {
        let &i = self.by_id.get(id)?;
        let mut case = draft.applied_to(&self.cases[i]);
        links.summary(&mut case);
        let sc = score(&case, &self.ctx);
        Some(Row {
            case,
            danger: sc.total,
            lateness: sc.lateness,
            reasons: sc.reasons,
            late_reasons: sc.late_reasons,
        })
    }

    /// The 四定 the township's history suggests for a case
    /// (`domain::assign_hint`); `unit_of` is the roster's unit of a login.
    pub fn assign_hint(
        &self,
        id: &str,
        unit_of: impl Fn(&str) -> Option<String>,
    ) -> Option<crate::domain::assign_hint::AssignHint> {
        let case = &self.cases[*self.by_id.get(id)?];
        let past =
            self.cases
                .iter()
                .filter(|s| s.id != id)
                .map(|s| crate::domain::assign_hint::Past {
                    village: &s.village,
                    category: &s.category,
                    leader: s.leader.as_deref(),
                    person: s.person.as_deref(),
                });
        crate::domain::assign_hint::suggest(past, &case.village, &case.category, unit_of)
    }

    /// 我的 for `me`: its sections by the role, each most urgent first.
    pub fn my_work(&self, me: &Officer, from: u32, limit: u32, links: &Links) -> MyWork {
        let sections = self.sections(me);
        let counts = sections
            .iter()
            .map(|(g, rows)| (*g, rows.len() as u32))
            .collect();
        let rows: Vec<usize> = sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().copied())
            .collect();
        MyWork {
            groups: counts,
            window: self.window(&rows, from, limit, links),
        }
    }

    /// 我的's sections for `me`, remembered until the lists change: every
    /// 值班员's are the same (待交办, 预警), and a desk on 我的 asks again
    /// after each commit.
    fn sections(&self, me: &Officer) -> Sections {
        let groups = Group::for_role(me.role);
        let own = groups.iter().any(|g| g.among() == Among::Own);
        let key = (groups, own.then(|| me.login.clone()));
        let mut kept = self.sections.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, s)) = kept.iter().find(|(k, _)| *k == key) {
            return std::sync::Arc::clone(s);
        }
        drop(kept);
        let sections = std::sync::Arc::new(my_work_among(
            me.role,
            &me.login,
            &self.cases,
            &self.mine_candidates(me),
            self.inputs.today,
            &self.inputs.thresholds,
        ));
        kept = self.sections.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= RECENT {
            kept.remove(0);
        }
        kept.push((key, std::sync::Arc::clone(&sections)));
        sections
    }

    /// Every case one of `me`'s 我的 sections may hold: those naming them
    /// (one pass of comparisons), and whole screens (待处理, 预警) without
    /// looking at the rest.
    fn mine_candidates(&self, me: &Officer) -> Vec<usize> {
        let mut out = Vec::new();
        let mut own = false;
        for g in Group::for_role(me.role) {
            match g.among() {
                Among::Own => own = true,
                Among::Screen(s) => out.extend_from_slice(&self.lists[s.index()]),
            }
        }
        if own {
            out.extend((0..self.cases.len()).filter(|&i| names(&self.cases[i], &me.login)));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn cases(&self) -> &[Summary] {
        &self.cases
    }

    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lists::{RiskLevel, WarningFlag};
    use crate::domain::mine::my_work;
    use crate::domain::workflow::Status;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    fn inputs() -> Inputs {
        Inputs {
            today: today(),
            weights: RiskWeights::default(),
            sensitive: false,
            thresholds: Thresholds::default(),
        }
    }

    /// A small deterministic generator: enough variety to move cases
    /// between every list, and parties that recur.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }

        fn case(&mut self, id: usize) -> Summary {
            let statuses = [
                Status::Registered,
                Status::Triaged,
                Status::Assigned,
                Status::InProgress,
                Status::Returned,
                Status::PendingClose,
                Status::Resolved,
                Status::FollowUp,
            ];
            let mut s = Summary::sample(&format!("MD-2026-{id:06}"));
            s.status = statuses[self.next(statuses.len() as u64) as usize];
            s.accepted = self.next(2) == 0;
            s.supervised = self.next(5) == 0;
            s.parties = vec![
                format!("甲{}", self.next(40)),
                format!("乙{}", self.next(40)),
            ];
            s.village = ["东河村", "西岗村"][self.next(2) as usize].into();
            s.deadline = (self.next(3) > 0)
                .then(|| today() + chrono::Days::new(self.next(10)) - chrono::Days::new(5));
            s.next_follow_up =
                (self.next(4) == 0).then(|| today() + chrono::Days::new(self.next(9)));
            s.risk = [None, Some(RiskLevel::Low), Some(RiskLevel::High)][self.next(3) as usize];
            if self.next(6) == 0 {
                s.flags = vec![WarningFlag::ALL[0]];
                s.signal_on = Some(today());
            }
            s.rev = self.next(1000);
            s
        }
    }

    fn same(a: &ReadModel, b: &ReadModel) {
        let ids = |m: &ReadModel, l: &[usize]| -> Vec<String> {
            l.iter().map(|&i| m.cases[i].id.clone()).collect()
        };
        for screen in Screen::ALL {
            assert_eq!(
                ids(a, &a.lists[screen.index()]),
                ids(b, &b.lists[screen.index()]),
                "{screen:?}"
            );
        }
        for (i, s) in a.cases.iter().enumerate() {
            let j = b.by_id[&s.id];
            assert_eq!(a.ranks[i], b.ranks[j], "{}", s.id);
        }
    }

    #[test]
    fn a_commit_moves_only_what_it_touched_and_matches_a_fresh_build() {
        let mut g = Gen(7);
        let cases: Vec<Summary> = (1..=300).map(|i| g.case(i)).collect();
        let mut m = ReadModel::build(1, cases.clone(), inputs());
        let mut all = cases;
        for step in 0..150u64 {
            let changed: Vec<Summary> = (0..1 + g.next(3))
                .map(|_| {
                    let id = if g.next(4) == 0 {
                        all.len() + 1
                    } else {
                        1 + g.next(all.len() as u64) as usize
                    };
                    g.case(id)
                })
                .collect();
            for s in &changed {
                match all.iter_mut().find(|c| c.id == s.id) {
                    Some(c) => *c = s.clone(),
                    None => all.push(s.clone()),
                }
            }
            m.apply(step + 2, changed, &[]);
            same(&m, &ReadModel::build(step + 2, all.clone(), inputs()));
        }
        // An undone registration leaves every list.
        let gone = all.pop().unwrap().id;
        m.apply(200, Vec::new(), std::slice::from_ref(&gone));
        same(&m, &ReadModel::build(200, all, inputs()));
        assert!(!m.by_id.contains_key(&gone));
    }

    #[test]
    fn a_window_is_scoped_and_a_search_finds_by_pinyin() {
        let mut g = Gen(3);
        let mut cases: Vec<Summary> = (1..=50).map(|i| g.case(i)).collect();
        cases[10].parties = vec!["张三".into()];
        cases[10].person_ids = vec!["RY-000001".into()];
        cases[10].status = Status::InProgress;
        let m = ReadModel::build(9, cases, inputs());
        let q = ViewQuery {
            screen: Screen::Queue,
            search: "zs".into(),
            sort: None,
        };
        let listing = m.listing(&q);
        let w = m.window(&listing, 0, 10, &Links::None);
        assert_eq!(w.rows[0].case.id, "MD-2026-000011");
        assert!(w.rows[0].case.person_ids.is_empty());
        assert!(!w.rows[0]
            .reasons
            .iter()
            .any(|(r, _)| r.contains("重点人员")));
        let w = m.window(&listing, 0, 10, &Links::All);
        assert_eq!(w.rows[0].case.person_ids, vec!["RY-000001".to_string()]);
        assert_eq!((w.state, w.total), (9, listing.len() as u32));
        // A window of a search orders only its own rows, as the full list would.
        for text in [
            "甲1",
            "jia",
            "东",
            "zs",
            "MD-2026-00003",
            "j",
            "z",
            "m",
            "2",
        ] {
            for (from, limit) in [(0, 5), (3, 4), (0, 500)] {
                let q = ViewQuery {
                    screen: Screen::All,
                    search: text.into(),
                    sort: None,
                };
                let listing = m.listing(&q);
                let w = m.window_for(&q, from, limit, &Links::All);
                let want = m.window(&listing, from, limit, &Links::All);
                assert_eq!(w, want, "{text} {from} {limit}");
            }
        }
        // Past the end: empty rows, the total still told.
        let all = m.listing(&ViewQuery {
            screen: Screen::All,
            search: String::new(),
            sort: None,
        });
        let w = m.window(&all, 60, 10, &Links::All);
        assert!(w.rows.is_empty() && w.total == 50);
    }

    #[test]
    fn my_work_from_its_candidates_is_my_work_over_every_case() {
        use crate::domain::lists::Role;
        let mut g = Gen(11);
        let logins = ["zr1", "zr2", "ld1", "zb1"];
        let cases: Vec<Summary> = (1..=400)
            .map(|i| {
                let mut s = g.case(i);
                s.person = Some(logins[g.next(2) as usize].to_string());
                s.leader = (g.next(2) == 0).then(|| "ld1".to_string());
                s.alert = g.next(7) == 0;
                s.approval_for = (g.next(9) == 0).then(|| "ld1".to_string());
                s.alert_to = (g.next(9) == 0).then(|| "zr2".to_string());
                s.alert_note = s.alert_to.as_ref().map(|_| "退回".to_string());
                s
            })
            .collect();
        let m = ReadModel::build(9, cases.clone(), inputs());
        for (login, role) in [
            ("zr1", Role::Responsible),
            ("zr2", Role::Responsible),
            ("ld1", Role::Leader),
            ("zb1", Role::DutyOfficer),
        ] {
            let me = Officer::new(login, "某", "综治中心", role).unwrap();
            let got = m.my_work(&me, 0, 500, &Links::All);
            let want = my_work(role, login, &cases, today(), &inputs().thresholds);
            let counts: Vec<_> = want.iter().map(|(g, r)| (*g, r.len() as u32)).collect();
            assert_eq!(got.groups, counts, "{login}");
            let ids: Vec<&str> = want
                .iter()
                .flat_map(|(_, r)| r.iter().map(|&i| cases[i].id.as_str()))
                .collect();
            let got_ids: Vec<&str> = got.window.rows.iter().map(|r| r.case.id.as_str()).collect();
            assert_eq!(got_ids, ids, "{login}");
            assert!(got.groups.iter().any(|(_, n)| *n > 0), "{login} has work");
        }
        // Remembered, and forgotten at a commit: a new case is 未交办 at once.
        let mut m = m;
        let zb = Officer::new("zb1", "某", "综治中心", Role::DutyOfficer).unwrap();
        let before = m.my_work(&zb, 0, 500, &Links::All).groups;
        let mut new = g.case(401);
        new.status = Status::Registered;
        new.alert = false;
        m.apply(10, vec![new], &[]);
        let after = m.my_work(&zb, 0, 500, &Links::All).groups;
        assert_eq!(after[0].1, before[0].1 + 1, "{before:?} {after:?}");
    }

    #[test]
    fn a_query_typed_on_matches_as_a_fresh_one_and_a_commit_forgets_them() {
        let mut g = Gen(5);
        let cases: Vec<Summary> = (1..=300).map(|i| g.case(i)).collect();
        let mut m = ReadModel::build(9, cases.clone(), inputs());
        let fresh = ReadModel::build(9, cases, inputs());
        let q = |text: &str, screen| ViewQuery {
            screen,
            search: text.into(),
            sort: None,
        };
        // Typed a key at a time, then back (Backspace), then a new start.
        for screen in [Screen::Queue, Screen::All] {
            for text in [
                "j",
                "ji",
                "jia",
                "ji",
                "甲",
                "甲1",
                "m",
                "md-",
                "md-2026-0001",
            ] {
                let typed = m.window_for(&q(text, screen), 0, 20, &Links::All);
                let once = fresh.window_for(&q(text, screen), 0, 20, &Links::All);
                assert_eq!(typed, once, "{text}");
            }
        }
        // A commit: what was remembered is gone, the new case is found.
        let mut new = g.case(301);
        new.parties = vec!["甲新".into()];
        m.apply(10, vec![new], &[]);
        let w = m.window_for(&q("甲新", Screen::All), 0, 20, &Links::All);
        assert_eq!(w.rows[0].case.id, "MD-2026-000301");
    }
}
