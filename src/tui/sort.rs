//! Sorting a case list by any column (k9s): `:sort 列名` (the same column
//! again reverses it), and `S` cycles through the columns. The order holds
//! for the officer's session, across updates, per list; the server sorts
//! (`domain::screens::Sort`).

use super::app::{App, View};
pub use crate::domain::screens::{Sort, SortKey};

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
        // The server orders the list (every row, not just those held).
        self.requery(self.view);
        let way = if sort.descending { "降序" } else { "升序" };
        self.say(format!("按{}{way}排列", sort.key.label()), false);
    }
}
