//! The compact view of a dispute that every client keeps in memory for lists,
//! search and sorting. Derived from the full record; never edited by itself.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dispute::{Dispute, Time};
use super::escalation::{colour, Colour, Thresholds};
use super::lists::{Outcome, RiskLevel, Source, Tier, WarningFlag};
use super::workflow::Status;

/// How much of the 矛盾情况 text a summary keeps for lists and search.
const SUMMARY_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub rev: u64,
    pub title: String,
    pub summary: String,
    pub village: String,
    pub category: String,
    pub source: Source,
    pub status: Status,
    #[serde(default)]
    pub risk: Option<RiskLevel>,
    pub tier: Tier,
    #[serde(default)]
    pub flags: Vec<WarningFlag>,
    pub parties: Vec<String>,
    #[serde(default)]
    pub person_ids: Vec<String>,
    #[serde(with = "compact::time")]
    pub registered_at: Time,
    #[serde(default, with = "compact::date")]
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub leader: Option<String>,
    #[serde(default)]
    pub accepted: bool,
    #[serde(default)]
    pub supervised: bool,
    #[serde(default)]
    pub packaged: bool,
    #[serde(default)]
    pub awaiting_approval: bool,
    #[serde(default, with = "compact::date")]
    pub next_follow_up: Option<NaiveDate>,
    #[serde(default)]
    pub people_involved: u32,
    #[serde(default)]
    pub amount: Option<u64>,
    /// 化解结果 once closed (for 化解率 and 调解成功率).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// 销号 date.
    #[serde(default, with = "compact::date")]
    pub closed_on: Option<NaiveDate>,
    /// The day the case last gained a warning sign (danger fades from it).
    #[serde(default, with = "compact::date")]
    pub signal_on: Option<NaiveDate>,
    /// An alert (预警) nobody has acknowledged yet.
    #[serde(default)]
    pub alert: bool,
    /// What the open alert says when it is about the casework (转办被退回…).
    #[serde(default)]
    pub alert_note: Option<String>,
    /// Whom the open casework alert is for.
    #[serde(default)]
    pub alert_to: Option<String>,
    /// 中止 until this day: the clock is stopped.
    #[serde(default, with = "compact::date")]
    pub paused_until: Option<NaiveDate>,
    /// A 转办 waits for its receiver's 签收 or 退回.
    #[serde(default)]
    pub transferring: bool,
    /// A 中止 asked for and not yet decided: the clock still runs.
    #[serde(default)]
    pub pause_asked: bool,
    /// The 包案领导 has a request (销号, 延期, 中止) waiting.
    #[serde(default)]
    pub approval_for: Option<String>,
}

impl Summary {
    /// The 待处理 order, newest first: the day it was registered (today's
    /// new call above July's 已退回), then the stage that most needs the
    /// desk (退回, 新登记, 已研判, 待签收), then the later time.
    pub fn inbox_key(&self) -> (std::cmp::Reverse<NaiveDate>, u8, std::cmp::Reverse<Time>) {
        let stage = match self.status {
            Status::Returned => 0,
            Status::Registered => 1,
            Status::Triaged => 2,
            Status::Assigned
            | Status::InProgress
            | Status::Escalated
            | Status::PendingClose
            | Status::Resolved
            | Status::FollowUp
            | Status::Archived => 3,
        };
        (
            std::cmp::Reverse(self.registered_at.date_naive()),
            stage,
            std::cmp::Reverse(self.registered_at),
        )
    }

    pub fn of(d: &Dispute) -> Summary {
        Summary {
            id: d.id.clone(),
            rev: d.rev,
            title: d.title.clone(),
            summary: d.summary.chars().take(SUMMARY_CHARS).collect(),
            village: d.village.clone(),
            category: d.category.clone(),
            source: d.source,
            status: d.status,
            risk: d.risk,
            tier: d.tier,
            flags: d.flags.clone(),
            parties: d.parties.iter().map(|p| p.name.clone()).collect(),
            person_ids: d
                .parties
                .iter()
                .filter_map(|p| p.person_id.clone())
                .collect(),
            registered_at: d.registered_at,
            deadline: d.deadline(),
            person: d.assignment.as_ref().map(|a| a.person.clone()),
            leader: d
                .package
                .as_ref()
                .map(|p| p.leader.clone())
                .or_else(|| d.assignment.as_ref().map(|a| a.leader.clone())),
            accepted: d
                .assignment
                .as_ref()
                .is_some_and(|a| a.accepted_at.is_some()),
            supervised: d.supervised,
            packaged: d.package.is_some(),
            awaiting_approval: d.pending_approval().is_some(),
            next_follow_up: d.next_follow_up(),
            people_involved: d.people_involved,
            amount: d.amount,
            outcome: d
                .closing
                .as_ref()
                .filter(|c| c.closed_at.is_some())
                .map(|c| c.outcome),
            closed_on: d
                .closing
                .as_ref()
                .and_then(|c| c.closed_at)
                .map(|t| t.date_naive()),
            signal_on: d.signal_at.map(|t| t.date_naive()),
            alert: d.open_alert().is_some(),
            alert_note: d.open_note().map(|a| a.note.clone()),
            alert_to: d.open_note().and_then(|a| a.to.clone()),
            paused_until: d.pause.as_ref().map(|p| p.until),
            transferring: d.transfer.is_some(),
            pause_asked: d
                .pending_approval()
                .is_some_and(|a| a.kind == super::dispute::ApprovalKind::Pause),
            approval_for: d.pending_approval().and(d.approver()).map(str::to_string),
        }
    }

    /// Past its deadline with the clock running (a 中止 case is not).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.clock_runs() && self.deadline.is_some_and(|d| d < today)
    }

    /// Open and not 中止: counts for 督办 and lateness.
    pub fn clock_runs(&self) -> bool {
        self.status.is_open() && self.paused_until.is_none()
    }

    /// 黄牌 / 橙牌 / 红牌, or None when not overdue.
    pub fn colour(&self, today: NaiveDate, t: &Thresholds) -> Option<Colour> {
        colour(
            self.status.is_open(),
            self.paused_until.is_some(),
            self.deadline,
            today,
            t,
        )
    }

    /// The status as lists show it: 中止 while paused, 中止申请中 while
    /// a 中止 waits for its approver.
    pub fn status_label(&self) -> &'static str {
        if self.paused_until.is_some() && self.status.is_open() {
            "中止"
        } else if self.pause_asked && self.status.is_open() {
            "中止申请中"
        } else {
            self.status.label()
        }
    }
}

/// Summaries are loaded by the hundred thousand: times and dates travel as
/// integers, not as text to parse.
mod compact {
    pub mod time {
        use chrono::{DateTime, FixedOffset};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            t: &DateTime<FixedOffset>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            s.serialize_i64(t.timestamp())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<DateTime<FixedOffset>, D::Error> {
            let secs = i64::deserialize(d)?;
            let china = FixedOffset::east_opt(8 * 3600).expect("valid offset");
            DateTime::from_timestamp(secs, 0)
                .map(|t| t.with_timezone(&china))
                .ok_or_else(|| serde::de::Error::custom("时间超出范围"))
        }
    }

    pub mod date {
        use chrono::{Datelike, NaiveDate};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_some(&d.num_days_from_ce()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            match Option::<i32>::deserialize(d)? {
                Some(n) => NaiveDate::from_num_days_from_ce_opt(n)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom("日期超出范围")),
                None => Ok(None),
            }
        }
    }
}
/// A case in progress for unit tests; a test states what differs.
#[cfg(test)]
impl Summary {
    pub(crate) fn sample(id: &str) -> Summary {
        use chrono::{FixedOffset, TimeZone};
        Summary {
            id: id.into(),
            rev: 1,
            title: "测试".into(),
            summary: String::new(),
            village: "东河村".into(),
            category: "邻里".into(),
            source: Source::Call,
            status: Status::InProgress,
            risk: None,
            tier: Tier::Village,
            flags: vec![],
            parties: vec![],
            person_ids: vec![],
            registered_at: FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
                .unwrap(),
            deadline: None,
            person: None,
            leader: None,
            accepted: true,
            supervised: false,
            packaged: false,
            awaiting_approval: false,
            next_follow_up: None,
            people_involved: 2,
            amount: None,
            outcome: None,
            closed_on: None,
            signal_on: None,
            alert: false,
            alert_note: None,
            alert_to: None,
            paused_until: None,
            pause_asked: false,
            transferring: false,
            approval_for: None,
        }
    }
}
