//! 转办 (another unit and 责任人 takes the case, after 签收 or 退回), 移送
//! (another township), 中止 (the clock stops) and the 红牌 that sets
//! 挂牌督办 by itself: the case-working moves beyond the plain workflow.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::alert::{Alert, AlertKind};
use super::dispute::{Approval, ApprovalKind, Dispute, HistoryEntry, Time};
use super::limits::{MAX_LINE_CHARS, MAX_NAME_CHARS};
use super::text::required_line;
use super::workflow::{Move, Status};
use super::DomainError;

/// A 转办 on its way: who had the case, so a 退回 gives it back to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub from_unit: String,
    pub from_person: String,
    /// The status the case goes back to on 退回.
    pub from_status: Status,
    #[serde(default, with = "super::iso_time::option")]
    pub from_accepted_at: Option<Time>,
    pub reason: String,
    #[serde(with = "super::iso_time")]
    pub at: Time,
    pub by: String,
}

/// 中止: why, since when, and the day it is expected to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: String,
    pub since: NaiveDate,
    pub until: NaiveDate,
    pub by: String,
}

/// Whether a 中止 by `role` is only asked for: on a packaged case (its
/// 包案领导 decides) or by a 责任人 (the desk decides); the clock runs until then.
pub fn pause_asks(role: super::lists::Role, packaged: bool) -> bool {
    use super::officer::{allows, Capability};
    packaged || !allows(role, Capability::Desk, false)
}

/// What the officer is told once a 中止 by `role` is sent.
pub fn pause_said(role: super::lists::Role, packaged: bool) -> &'static str {
    match (pause_asks(role, packaged), packaged) {
        (false, _) => "已中止",
        (true, true) => "已申请中止，待包案领导审批",
        (true, false) => "已申请中止，待牵头领导或值班员审批",
    }
}

impl Dispute {
    /// 转办: the case goes to `unit` and `person`, who must 签收 it.
    pub fn transfer(
        &mut self,
        unit: &str,
        person: &str,
        reason: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let unit = required_line("转办单位", unit, MAX_NAME_CHARS)?;
        let reason = required_line("转办理由", reason, MAX_LINE_CHARS)?;
        if self.transfer.is_some() {
            return Err(DomainError::refused(
                "不能转办：上一次转办对方还没有签收或退回".to_string(),
            ));
        }
        let Some(a) = self.assignment.clone() else {
            return Err(DomainError::refused(
                "不能转办：案件尚未交办，请先交办".to_string(),
            ));
        };
        if a.person == person && a.unit == unit {
            return Err(DomainError::invalid(
                "转办的单位和责任人与现在的相同".to_string(),
            ));
        }
        let from_status = self.status;
        self.apply(
            Move::Transfer,
            by,
            now,
            format!(
                "转办：{} {} → {unit} {person}，理由：{reason}",
                a.unit, a.person
            ),
        )?;
        self.transfer = Some(Transfer {
            from_unit: a.unit,
            from_person: a.person,
            from_status,
            from_accepted_at: a.accepted_at,
            reason,
            at: now,
            by: by.to_string(),
        });
        if let Some(a) = self.assignment.as_mut() {
            a.unit = unit;
            a.person = person.to_string();
            a.accepted_at = None;
        }
        Ok(())
    }

    /// 退回 of a 转办: the case goes back to the sender, with an alert
    /// carrying the reason, so nothing falls between two desks.
    pub fn refuse_transfer(
        &mut self,
        reason: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let reason = required_line("退回理由", reason, MAX_LINE_CHARS)?;
        let Some(t) = self.transfer.take() else {
            return Err(DomainError::refused("本案没有待签收的转办".to_string()));
        };
        let back_to_work = t.from_status == Status::InProgress;
        self.apply(
            Move::RefuseTransfer { back_to_work },
            by,
            now,
            format!(
                "退回转办：{reason}（回到 {} {}）",
                t.from_unit, t.from_person
            ),
        )?;
        if let Some(a) = self.assignment.as_mut() {
            a.unit = t.from_unit.clone();
            a.person = t.from_person.clone();
            a.accepted_at = t.from_accepted_at;
        }
        self.alerts.push(Alert::note(
            AlertKind::TransferRefused,
            format!("转办被退回：{reason}"),
            // The one who sent it hears why, and decides what next.
            Some(t.by.clone()),
            by,
            now,
        ));
        Ok(())
    }

    /// 签收 of a 转办.
    pub fn accept_transfer(&mut self, by: &str, now: Time) -> Result<(), DomainError> {
        if self.transfer.is_none() {
            return Err(DomainError::refused("本案没有待签收的转办".to_string()));
        }
        self.apply(Move::Accept, by, now, "签收转办".to_string())?;
        self.transfer = None;
        if let Some(a) = self.assignment.as_mut() {
            a.accepted_at = Some(now);
        }
        Ok(())
    }

    /// 移送: the case leaves for another township; it is kept here, archived,
    /// with the township named.
    pub fn move_out(
        &mut self,
        township: &str,
        reason: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let township = required_line("移送乡镇", township, MAX_NAME_CHARS)?;
        let reason = required_line("移送理由", reason, MAX_LINE_CHARS)?;
        self.apply(Move::MoveOut, by, now, format!("移送 {township}：{reason}"))?;
        self.moved_to = Some(township);
        self.transfer = None;
        self.pause = None;
        Ok(())
    }

    /// 中止 until `until`. A packaged case asks its 包案领导 first.
    pub fn request_pause(
        &mut self,
        reason: &str,
        until: NaiveDate,
        ask: bool,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let reason = required_line("中止理由", reason, MAX_LINE_CHARS)?;
        let today = now.date_naive();
        if until <= today {
            return Err(DomainError::invalid(format!(
                "预计恢复日期 {until} 须在今天以后"
            )));
        }
        if self.pause.is_some() {
            return Err(DomainError::refused("案件已经中止".to_string()));
        }
        if self.pending_approval().is_some() {
            return Err(DomainError::invalid(
                "已有待审批的申请，请等审批后再提".to_string(),
            ));
        }
        if ask {
            self.apply(
                Move::Pause,
                by,
                now,
                format!("申请中止至 {until}：{reason}"),
            )?;
            self.approvals.push(Approval {
                kind: ApprovalKind::Pause,
                requested_by: by.to_string(),
                requested_at: now,
                reason,
                new_deadline: Some(until),
                decided_by: None,
                decided_at: None,
                approved: None,
                comment: String::new(),
            });
            return Ok(());
        }
        self.apply(Move::Pause, by, now, format!("中止至 {until}：{reason}"))?;
        self.start_pause(reason, until, by, today);
        Ok(())
    }

    fn start_pause(&mut self, reason: String, until: NaiveDate, by: &str, since: NaiveDate) {
        self.pause = Some(Pause {
            reason,
            since,
            until,
            by: by.to_string(),
        });
    }

    /// The 包案领导's answer to a 中止 request (called from `decide`).
    pub(super) fn decide_pause(
        &mut self,
        approve: bool,
        a: &Approval,
        comment: &str,
        by: &str,
        now: Time,
    ) {
        let verdict = if approve { "同意" } else { "不同意" };
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: format!("中止审批：{verdict} {comment}")
                .trim_end()
                .to_string(),
        });
        let today = now.date_naive();
        if let Some(until) = a.new_deadline.filter(|u| approve && *u > today) {
            self.start_pause(a.reason.clone(), until, &a.requested_by, today);
        }
    }

    /// 恢复办理: the deadline moves on by the days the clock stood still.
    /// `auto` when the resume date came (an alert says so).
    pub fn resume(&mut self, auto: bool, by: &str, now: Time) -> Result<(), DomainError> {
        let Some(p) = self.pause.clone() else {
            return Err(DomainError::refused("案件没有中止，不需要恢复".to_string()));
        };
        let today = now.date_naive();
        let days = (today - p.since).num_days().max(0) as u64;
        let moved = self.deadline().map(|d| d + chrono::Days::new(days));
        let when = if auto {
            "到期自动恢复办理"
        } else {
            "恢复办理"
        };
        let deadline = moved
            .map(|d| format!("，时限顺延至 {d}"))
            .unwrap_or_default();
        self.apply(
            Move::Resume,
            by,
            now,
            format!("{when}（中止 {days} 天{deadline}）"),
        )?;
        if let Some(d) = moved {
            self.set_deadline(d);
        }
        self.pause = None;
        if auto {
            let to = self.assignment.as_ref().map(|a| a.person.clone());
            self.alerts.push(Alert::note(
                AlertKind::Resumed,
                format!("中止到期，已恢复办理{deadline}"),
                to,
                by,
                now,
            ));
        }
        Ok(())
    }

    /// Whether the resume date has come.
    pub fn pause_is_due(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.pause.as_ref().is_some_and(|p| p.until <= today)
    }

    /// 红牌: 挂牌督办 set by itself, with an alert to the 牵头领导. False
    /// when already supervised (nothing to do).
    pub fn red_card(&mut self, days_late: i64, by: &str, now: Time) -> bool {
        if self.supervised {
            return false;
        }
        self.supervised = true;
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: format!("红牌：逾期 {days_late} 天，自动挂牌督办"),
        });
        let leader = self
            .package
            .as_ref()
            .map(|p| p.leader.clone())
            .or_else(|| self.assignment.as_ref().map(|a| a.leader.clone()));
        self.alerts.push(Alert::note(
            AlertKind::RedCard,
            format!("红牌：逾期 {days_late} 天，已挂牌督办"),
            leader,
            by,
            now,
        ));
        true
    }
}

impl Dispute {
    /// The casework state in words, for the detail on every screen:
    /// 中止 (since, until, why), a 转办 waiting for 签收, a 移送.
    pub fn casework_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(p) = &self.pause {
            lines.push(format!(
                "【中止】自 {} 起，预计 {} 恢复：{}（时限停止计算）",
                p.since, p.until, p.reason
            ));
        }
        if let (Some(t), Some(a)) = (&self.transfer, &self.assignment) {
            lines.push(format!(
                "【转办待签收】{} {} → {} {}：{}",
                t.from_unit, t.from_person, a.unit, a.person, t.reason
            ));
        }
        if let Some(town) = &self.moved_to {
            lines.push(format!("【已移送】{town}"));
        }
        lines.extend(self.pending_line());
        lines
    }

    /// The request waiting for approval, as the approver must read it
    /// before deciding: what, by whom, why, and the date it asks for.
    pub fn pending_line(&self) -> Option<String> {
        use super::dispute::ApprovalKind;
        let a = self.pending_approval()?;
        let date = match (a.kind, a.new_deadline) {
            (ApprovalKind::Extension, Some(d)) => format!("，时限延至 {d}"),
            (ApprovalKind::Pause, Some(d)) => format!("，预计 {d} 恢复"),
            (ApprovalKind::Closing, _) | (_, None) => String::new(),
        };
        let why = match (a.kind, &self.closing) {
            (ApprovalKind::Closing, Some(c)) => format!("{}：{}", c.outcome.label(), c.summary),
            _ => a.reason.clone(),
        };
        Some(format!(
            "【待审批】{}申请（{} {}）：{why}{date}",
            a.kind.label(),
            a.requested_by,
            a.requested_at.format("%m-%d %H:%M")
        ))
    }
}
