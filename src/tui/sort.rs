//! Sorting a case list by any column (k9s): `:sort 列名` (the same column
//! again reverses it), and `S` cycles through the columns. The order holds
//! for the officer's session, across updates, per list.

use super::app::{App, View};
use crate::domain::summary::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Status,
    Risk,
    Village,
    Category,
    Registered,
    Deadline,
    Person,
    Score,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::Score,
        SortKey::Deadline,
        SortKey::Registered,
        SortKey::Risk,
        SortKey::Status,
        SortKey::Village,
        SortKey::Category,
        SortKey::Person,
        SortKey::Id,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Id => "编号",
            SortKey::Status => "状态",
            SortKey::Risk => "风险",
            SortKey::Village => "村(社区)",
            SortKey::Category => "类型",
            SortKey::Registered => "登记时间",
            SortKey::Deadline => "化解时限",
            SortKey::Person => "责任人",
            SortKey::Score => "分值",
        }
    }

    /// A column by its heading, or the start of it (`村`, `时限` too).
    pub fn parse(name: &str) -> Option<SortKey> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        SortKey::ALL
            .iter()
            .copied()
            .find(|k| k.label() == name || k.label().starts_with(name) || k.label().contains(name))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

fn sortable(view: View) -> bool {
    match view {
        View::Inbox | View::Queue | View::Supervision | View::FollowUps => true,
        // 我的 keeps its sections' order.
        View::Mine | View::Watchlist | View::Dashboard | View::Rollcall => false,
    }
}

impl App {
    /// `:sort 列名`.
    pub(super) fn sort_by(&mut self, name: &str) {
        if !sortable(self.view) {
            return self.say("这一屏不能按列排序", true);
        }
        let Some(key) = SortKey::parse(name) else {
            let all: Vec<&str> = SortKey::ALL.iter().map(|k| k.label()).collect();
            return self.say(
                format!("没有“{name}”这一列，可选：{}", all.join("、")),
                true,
            );
        };
        let l = &mut self.lists[self.view.index()];
        let descending = l.sort.is_some_and(|s| s.key == key && !s.descending);
        self.set_sort(Sort { key, descending });
    }

    /// The cycling key: the next column, ascending.
    pub(super) fn cycle_sort(&mut self) {
        if !sortable(self.view) {
            return self.say("这一屏不能按列排序", true);
        }
        let now = self.lists[self.view.index()].sort.map(|s| s.key);
        let next = match now.and_then(|k| SortKey::ALL.iter().position(|x| *x == k)) {
            Some(i) => SortKey::ALL[(i + 1) % SortKey::ALL.len()],
            None => SortKey::ALL[0],
        };
        self.set_sort(Sort {
            key: next,
            descending: false,
        });
    }

    fn set_sort(&mut self, sort: Sort) {
        let vi = self.view.index();
        self.lists[vi].sort = Some(sort);
        self.apply_sort(self.view);
        self.lists[vi].selected = 0;
        self.lists[vi].offset = 0;
        let way = if sort.descending { "降序" } else { "升序" };
        self.say(format!("按{}{way}排列", sort.key.label()), false);
    }

    /// Puts the view's rows (and its filtered rows) in the chosen order.
    pub(super) fn apply_sort(&mut self, view: View) {
        let vi = view.index();
        let Some(sort) = self.lists[vi].sort else {
            return;
        };
        let mut rows = std::mem::take(&mut self.data.rows[vi]);
        let mut filtered = self.lists[vi].filtered.take();
        let d = &self.data;
        let officer = |s: &Summary| {
            s.person
                .as_ref()
                .map(|p| d.officers.get(p).map_or(p.clone(), |o| o.name.clone()))
                .unwrap_or_default()
        };
        let cmp = |&a: &usize, &b: &usize| {
            let (x, y) = (&d.summaries[a], &d.summaries[b]);
            let o = match sort.key {
                SortKey::Id => x.id.cmp(&y.id),
                SortKey::Status => x.status_label().cmp(y.status_label()),
                SortKey::Risk => x.risk.cmp(&y.risk),
                SortKey::Village => x.village.cmp(&y.village),
                SortKey::Category => x.category.cmp(&y.category),
                SortKey::Registered => x.registered_at.cmp(&y.registered_at),
                SortKey::Deadline => x.deadline.cmp(&y.deadline),
                SortKey::Person => officer(x).cmp(&officer(y)),
                SortKey::Score => d.scores[a].danger.cmp(&d.scores[b].danger),
            };
            let o = if sort.descending { o.reverse() } else { o };
            o.then_with(|| x.id.cmp(&y.id))
        };
        rows.sort_by(cmp);
        if let Some(f) = filtered.as_mut() {
            f.sort_by(cmp);
        }
        self.data.rows[vi] = rows;
        self.lists[vi].filtered = filtered;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_by_heading_or_part_of_it() {
        assert_eq!(SortKey::parse("化解时限"), Some(SortKey::Deadline));
        assert_eq!(SortKey::parse("时限"), Some(SortKey::Deadline));
        assert_eq!(SortKey::parse("村"), Some(SortKey::Village));
        assert_eq!(SortKey::parse("登记"), Some(SortKey::Registered));
        assert_eq!(SortKey::parse("无此列"), None);
    }
}
