//! Which cases each list screen holds and in what order: the one home of
//! these rules, used by the server's read model and by the desk.

use std::cmp::{Ordering, Reverse};

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::escalation::Thresholds;
use super::record::id_order;
use super::risk::Rank;
use super::summary::Summary;
use super::workflow::Status;

/// The case lists every desk shows the same way (我的 is per officer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Screen {
    /// 待处理: new, triaged, returned, and assigned but not yet accepted.
    Inbox,
    /// 风险队列: open cases, most dangerous first.
    Queue,
    /// 督办: running clocks under supervision or due within three days,
    /// 红牌 first.
    Supervision,
    /// 回访: follow-ups due within a week.
    FollowUps,
    /// 全部: every case, in 编号 order (what a 全部 search looks through).
    All,
    /// The 预警 strip: cases whose alert nobody has acknowledged, the
    /// newest sign first.
    Alerts,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Inbox,
        Screen::Queue,
        Screen::Supervision,
        Screen::FollowUps,
        Screen::All,
        Screen::Alerts,
    ];

    pub fn index(self) -> usize {
        match self {
            Screen::Inbox => 0,
            Screen::Queue => 1,
            Screen::Supervision => 2,
            Screen::FollowUps => 3,
            Screen::All => 4,
            Screen::Alerts => 5,
        }
    }

    pub fn holds(self, s: &Summary, today: NaiveDate) -> bool {
        match self {
            Screen::Inbox => {
                matches!(
                    s.status,
                    Status::Registered | Status::Triaged | Status::Returned
                ) || (s.status == Status::Assigned && !s.accepted)
                    // A refused 转办 waits here until its sender has read why.
                    || s.alert_note.is_some()
            }
            Screen::Queue => s.status.is_open(),
            // A 中止 case leaves 督办 while its clock stands still.
            Screen::Supervision => {
                s.clock_runs()
                    && (s.supervised || s.deadline.is_some_and(|dl| dl <= today + Days::new(3)))
            }
            Screen::FollowUps => s.next_follow_up.is_some_and(|f| f <= today + Days::new(7)),
            Screen::All => true,
            Screen::Alerts => s.alert,
        }
    }

    /// The list's order. Keys borrow the 编号: sorting 10⁶ rows must not
    /// clone strings.
    pub fn cmp(
        self,
        (a, ra): (&Summary, Rank),
        (b, rb): (&Summary, Rank),
        today: NaiveDate,
        t: &Thresholds,
    ) -> Ordering {
        match self {
            Screen::Inbox => a
                .inbox_key()
                .cmp(&b.inbox_key())
                .then_with(|| id_order(&a.id, &b.id)),
            Screen::Queue => rb.cmp(&ra).then_with(|| id_order(&a.id, &b.id)),
            Screen::Supervision => {
                let key = |s: &Summary| {
                    (
                        Reverse(s.colour(today, t)),
                        s.deadline.unwrap_or(NaiveDate::MAX),
                        !s.supervised,
                    )
                };
                key(a).cmp(&key(b)).then_with(|| id_order(&a.id, &b.id))
            }
            Screen::FollowUps => a
                .next_follow_up
                .cmp(&b.next_follow_up)
                .then_with(|| id_order(&a.id, &b.id)),
            Screen::All => id_order(&a.id, &b.id),
            Screen::Alerts => b
                .signal_on
                .cmp(&a.signal_on)
                .then_with(|| id_order(&b.id, &a.id)),
        }
    }
}

/// A column an officer sorts a list by (k9s): `:sort 列名`, or `S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A list in a column's order instead of the screen's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// The order of two cases by the column; ties in 编号 order. 责任人
    /// sorts by login: the server ranks for every desk alike.
    pub fn cmp(self, (x, rx): (&Summary, Rank), (y, ry): (&Summary, Rank)) -> Ordering {
        let o = match self.key {
            SortKey::Id => id_order(&x.id, &y.id),
            SortKey::Status => x.status_label().cmp(y.status_label()),
            SortKey::Risk => x.risk.cmp(&y.risk),
            SortKey::Village => x.village.cmp(&y.village),
            SortKey::Category => x.category.cmp(&y.category),
            SortKey::Registered => x.registered_at.cmp(&y.registered_at),
            SortKey::Deadline => x.deadline.cmp(&y.deadline),
            SortKey::Person => x.person.cmp(&y.person),
            SortKey::Score => rx.danger.cmp(&ry.danger),
        };
        let o = if self.descending { o.reverse() } else { o };
        o.then_with(|| id_order(&x.id, &y.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_puts_danger_first_and_ties_in_id_order() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let t = Thresholds::default();
        let (a, b) = (Summary::sample("MD-1"), Summary::sample("MD-2"));
        let low = Rank {
            danger: 10,
            lateness: 0,
        };
        let high = Rank {
            danger: 50,
            lateness: 0,
        };
        assert_eq!(
            Screen::Queue.cmp((&a, low), (&b, high), today, &t),
            Ordering::Greater
        );
        assert_eq!(
            Screen::Queue.cmp((&a, low), (&b, low), today, &t),
            Ordering::Less
        );
        assert!(Screen::All.holds(&a, today));
    }

    #[test]
    fn columns_are_named_by_heading_or_part_of_it() {
        assert_eq!(SortKey::parse("化解时限"), Some(SortKey::Deadline));
        assert_eq!(SortKey::parse("时限"), Some(SortKey::Deadline));
        assert_eq!(SortKey::parse("村"), Some(SortKey::Village));
        assert_eq!(SortKey::parse("登记"), Some(SortKey::Registered));
        assert_eq!(SortKey::parse("无此列"), None);
    }
}
