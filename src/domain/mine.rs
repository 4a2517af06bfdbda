//! 我的: the work waiting for one officer, grouped by what it asks of them.
//! The one home of these groups: the TUI's first screen and its tab count
//! read them from here.

use chrono::{Days, NaiveDate};

use super::escalation::{Colour, Thresholds};
use super::lists::Role;
use super::summary::Summary;
use super::workflow::Status;

/// One section of 我的.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Group {
    /// 责任人: assigned or transferred to them, not yet 签收.
    ToAccept,
    /// 责任人: the deadline is within three days.
    DueSoon,
    /// 责任人: past the deadline with the clock running.
    Overdue,
    /// 责任人: a 回访 due today or earlier on their cases.
    VisitsDue,
    /// 责任人: the rest of their signed, open cases (nothing pressing), so
    /// a case signed for does not vanish from 我的.
    InWork,
    /// A casework alert for them (转办被退回 to its sender, and the like).
    Refused,
    /// 领导: a request (销号, 延期, 中止) waits for their approval.
    Approvals,
    /// 领导: open cases they lead as 包案领导.
    Packaged,
    /// 领导: 红牌 on cases they lead.
    Red,
    /// 值班员: open cases nobody has been given yet.
    Unassigned,
    /// 值班员: alerts nobody has acknowledged.
    Alerts,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::ToAccept => "待签收",
            Group::DueSoon => "三天内到期",
            Group::Overdue => "已逾期",
            Group::VisitsDue => "待回访",
            Group::InWork => "在办",
            Group::Refused => "转办被退回",
            Group::Approvals => "待审批",
            Group::Packaged => "包案",
            Group::Red => "红牌",
            Group::Unassigned => "未交办",
            Group::Alerts => "未确认预警",
        }
    }

    /// The sections a role sees, in order.
    pub fn for_role(role: Role) -> &'static [Group] {
        match role {
            Role::Responsible => &[
                Group::ToAccept,
                Group::Refused,
                Group::Overdue,
                Group::DueSoon,
                Group::VisitsDue,
                Group::InWork,
            ],
            Role::Leader => &[
                Group::Approvals,
                Group::Refused,
                Group::Red,
                Group::Packaged,
            ],
            // 只读 sees what the desk is waiting on, without acting on it.
            Role::DutyOfficer | Role::Admin => &[Group::Unassigned, Group::Refused, Group::Alerts],
            Role::ReadOnly => &[Group::Unassigned, Group::Alerts],
        }
    }

    /// Where this section's cases are to be found: among the officer's own
    /// (责任人, leader, refused-to or approver), or all on one screen.
    pub fn among(self) -> Among {
        match self {
            Group::ToAccept
            | Group::DueSoon
            | Group::Overdue
            | Group::VisitsDue
            | Group::InWork
            | Group::Refused
            | Group::Approvals
            | Group::Packaged
            | Group::Red => Among::Own,
            // Every unassigned case is on 待处理; every alert on the strip.
            Group::Unassigned => Among::Screen(crate::domain::screens::Screen::Inbox),
            Group::Alerts => Among::Screen(crate::domain::screens::Screen::Alerts),
        }
    }

    /// Whether case `s` belongs in this section for officer `me`.
    pub fn holds(self, s: &Summary, me: &str, today: NaiveDate, t: &Thresholds) -> bool {
        // Asked only where needed: each reads a name's text.
        let mine = || s.person.as_deref() == Some(me);
        let led = || s.leader.as_deref() == Some(me);
        match self {
            Group::ToAccept => {
                mine()
                    && s.status.is_open()
                    && (s.transferring || (s.status == Status::Assigned && !s.accepted))
            }
            Group::DueSoon => {
                mine()
                    && s.clock_runs()
                    && s.deadline
                        .is_some_and(|d| d >= today && d <= today + Days::new(3))
            }
            Group::Overdue => mine() && s.is_overdue(today),
            Group::VisitsDue => mine() && s.next_follow_up.is_some_and(|f| f <= today),
            // One section each: what the sections above hold is not repeated.
            Group::InWork => {
                mine()
                    && s.status.is_open()
                    && s.accepted
                    && !s.transferring
                    && [Group::Overdue, Group::DueSoon, Group::VisitsDue]
                        .iter()
                        .all(|g| !g.holds(s, me, today, t))
            }
            Group::Refused => s.alert_to.as_deref() == Some(me) && s.alert_note.is_some(),
            Group::Approvals => s.approval_for.as_deref() == Some(me),
            Group::Packaged => led() && s.packaged && s.status.is_open(),
            Group::Red => led() && s.colour(today, t) == Some(Colour::Red),
            Group::Unassigned => matches!(
                s.status,
                Status::Registered | Status::Triaged | Status::Returned
            ),
            Group::Alerts => s.alert,
        }
    }
}

/// Where a section's cases are (`Group::among`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    /// Cases naming the officer: as 责任人, leader, the one a refusal
    /// alerts, or the approver.
    Own,
    Screen(crate::domain::screens::Screen),
}

/// Whether case `s` names officer `me` (`Among::Own`).
pub fn names(s: &Summary, me: &str) -> bool {
    [&s.person, &s.leader, &s.alert_to, &s.approval_for]
        .iter()
        .any(|who| who.as_deref() == Some(me))
}

/// The duty desk's 我的 also lists the units missing from today's roll-call.
pub fn sees_rollcall(role: Role) -> bool {
    match role {
        Role::DutyOfficer | Role::Admin | Role::ReadOnly => true,
        Role::Responsible | Role::Leader => false,
    }
}

/// The sections of 我的 with the rows (indexes into `summaries`) of each,
/// most urgent first inside a section (earliest deadline, then 编号).
pub fn my_work(
    role: Role,
    me: &str,
    summaries: &[Summary],
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<(Group, Vec<usize>)> {
    let all: Vec<usize> = (0..summaries.len()).collect();
    my_work_among(role, me, summaries, &all, today, t)
}

/// `my_work` over `candidates` only (a superset of every section's cases,
/// see `Group::among`).
pub fn my_work_among(
    role: Role,
    me: &str,
    summaries: &[Summary],
    candidates: &[usize],
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<(Group, Vec<usize>)> {
    Group::for_role(role)
        .iter()
        .map(|&g| {
            let mut rows: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&i| g.holds(&summaries[i], me, today, t))
                .collect();
            // Keys made once per row: comparing in place would read two
            // cases (and their 编号's text) at every step.
            rows.sort_by_cached_key(|&i| {
                let s = &summaries[i];
                let number = crate::domain::record::parse_dispute_id(&s.id);
                (s.deadline.unwrap_or(NaiveDate::MAX), number, i)
            });
            (g, rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
    }

    fn case(id: &str) -> Summary {
        Summary {
            registered_at: FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
                .unwrap(),
            ..Summary::sample(id)
        }
    }

    fn ids(groups: &[(Group, Vec<usize>)], g: Group, all: &[Summary]) -> Vec<String> {
        groups
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, rows)| rows.iter().map(|&i| all[i].id.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_responsible_officer_sees_only_their_own_work() {
        let t = Thresholds::default();
        let mut all = Vec::new();
        let mut a = case("MD-2026-000001"); // assigned to tj1, not signed
        a.person = Some("tj1".into());
        a.status = Status::Assigned;
        a.accepted = false;
        all.push(a);
        let mut b = case("MD-2026-000002"); // tj1's, overdue by two days
        b.person = Some("tj1".into());
        b.deadline = Some(today() - Days::new(2));
        all.push(b);
        let mut c = case("MD-2026-000003"); // tj1's, due in three days, 回访 due
        c.person = Some("tj1".into());
        c.deadline = Some(today() + Days::new(3));
        c.next_follow_up = Some(today());
        all.push(c);
        let mut d = case("MD-2026-000004"); // someone else's, overdue
        d.person = Some("tj2".into());
        d.deadline = Some(today() - Days::new(9));
        all.push(d);
        let mut e = case("MD-2026-000005"); // refused transfer back to tj1
        e.person = Some("tj1".into());
        e.alert_to = Some("tj1".into());
        e.alert_note = Some("转办被退回：不属我单位".into());
        all.push(e);
        let mut f = case("MD-2026-000006"); // 中止: not due, not overdue
        f.person = Some("tj1".into());
        f.deadline = Some(today() - Days::new(1));
        f.paused_until = Some(today() + Days::new(5));
        all.push(f);
        let mut h = case("MD-2026-000007"); // signed, nothing pressing
        h.person = Some("tj1".into());
        h.accepted = true;
        h.deadline = Some(today() + Days::new(20));
        all.push(h);
        let g = my_work(Role::Responsible, "tj1", &all, today(), &t);
        let order: Vec<Group> = g.iter().map(|(x, _)| *x).collect();
        assert_eq!(order, Group::for_role(Role::Responsible));
        assert_eq!(ids(&g, Group::ToAccept, &all), ["MD-2026-000001"]);
        assert_eq!(ids(&g, Group::Overdue, &all), ["MD-2026-000002"]);
        assert_eq!(ids(&g, Group::DueSoon, &all), ["MD-2026-000003"]);
        assert_eq!(ids(&g, Group::VisitsDue, &all), ["MD-2026-000003"]);
        assert_eq!(ids(&g, Group::Refused, &all), ["MD-2026-000005"]);
        // A signed case stays in 我的; what is pressing is not listed twice.
        let in_work = ids(&g, Group::InWork, &all);
        assert!(
            in_work.contains(&"MD-2026-000007".to_string()),
            "{in_work:?}"
        );
        assert!(!in_work
            .iter()
            .any(|i| i == "MD-2026-000002" || i == "MD-2026-000003"));
    }

    #[test]
    fn a_leader_sees_approvals_packages_and_red_cards() {
        let t = Thresholds::default();
        let mut a = case("MD-2026-000001");
        a.leader = Some("ld1".into());
        a.packaged = true;
        a.approval_for = Some("ld1".into());
        let mut b = case("MD-2026-000002");
        b.leader = Some("ld1".into());
        b.deadline = Some(today() - Days::new(20));
        let mut c = case("MD-2026-000003"); // red, but another leader's
        c.leader = Some("ld2".into());
        c.deadline = Some(today() - Days::new(20));
        let all = vec![a, b, c];
        let g = my_work(Role::Leader, "ld1", &all, today(), &t);
        assert_eq!(ids(&g, Group::Approvals, &all), ["MD-2026-000001"]);
        assert_eq!(ids(&g, Group::Packaged, &all), ["MD-2026-000001"]);
        assert_eq!(ids(&g, Group::Red, &all), ["MD-2026-000002"]);
    }

    #[test]
    fn the_duty_desk_sees_unassigned_cases_and_open_alerts() {
        let t = Thresholds::default();
        let mut a = case("MD-2026-000001");
        a.status = Status::Registered;
        let mut b = case("MD-2026-000002");
        b.alert = true;
        let c = case("MD-2026-000003");
        let all = vec![a, b, c];
        for role in [Role::DutyOfficer, Role::Admin] {
            let g = my_work(role, "zb1", &all, today(), &t);
            assert_eq!(ids(&g, Group::Unassigned, &all), ["MD-2026-000001"]);
            assert_eq!(ids(&g, Group::Alerts, &all), ["MD-2026-000002"]);
        }
    }
}
