//! 预警: a case gained a sign of coming harm (民转刑倾向, 扬言极端, 可能引发
//! 群体性事件). The alert stays in front of every 值班员 and 领导 until
//! someone acknowledges it (签收预警); who did, and when, stays in the history.

use serde::{Deserialize, Serialize};

use super::dispute::{Dispute, HistoryEntry, Time};
use super::lists::WarningFlag;
use super::DomainError;

/// What raised an alert: a sign of harm, or a step of the casework that
/// someone must see (the note says what).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertKind {
    #[default]
    Danger,
    /// A 转办 was refused; for the sender.
    TransferRefused,
    /// A 中止 ended on its date; for the 责任人.
    Resumed,
    /// 红牌 set 挂牌督办; for the 牵头领导.
    RedCard,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The alarm flags the case gained.
    pub flags: Vec<WarningFlag>,
    #[serde(default)]
    pub kind: AlertKind,
    /// What happened, for alerts that are not about danger signs.
    #[serde(default)]
    pub note: String,
    /// The officer it is meant for, when one is.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(with = "super::iso_time")]
    pub raised_at: Time,
    pub raised_by: String,
    #[serde(default)]
    pub acked_by: Option<String>,
    #[serde(default, with = "super::iso_time::option")]
    pub acked_at: Option<Time>,
}

impl Alert {
    /// An alert about a step of the casework, saying `note`.
    pub fn note(kind: AlertKind, note: String, to: Option<String>, by: &str, now: Time) -> Alert {
        Alert {
            flags: Vec::new(),
            kind,
            note,
            to,
            raised_at: now,
            raised_by: by.to_string(),
            acked_by: None,
            acked_at: None,
        }
    }
}

impl WarningFlag {
    /// The signs that raise an alert and weigh most while fresh.
    pub fn is_alarm(self) -> bool {
        match self {
            WarningFlag::CriminalTendency
            | WarningFlag::ThreatExtreme
            | WarningFlag::MassIncident => true,
            WarningFlag::DeepGrievance
            | WarningFlag::Agitated
            | WarningFlag::RepeatPetition
            | WarningFlag::BypassPetition => false,
        }
    }
}

fn labels(flags: &[WarningFlag]) -> String {
    flags
        .iter()
        .map(|f| f.label())
        .collect::<Vec<_>>()
        .join("、")
}

impl Dispute {
    /// Warning signs read from an officer's `text` that the case does not
    /// yet carry are added, with the words that gave them away in the
    /// history: a threat the desk reads is applied and shown, never dropped.
    /// The desk does this at every text it takes; the demo data the same way.
    pub fn read_flags(&mut self, text: &str, categories: &[String], by: &str, now: Time) {
        use crate::domain::reading::{read, Phrases};
        let reading = read(text, Phrases::shared(), categories);
        let new: Vec<_> = reading
            .flags
            .iter()
            .filter(|s| !self.flags.contains(&s.value))
            .collect();
        if new.is_empty() {
            return;
        }
        let because = new
            .iter()
            .map(|s| format!("{} → {}", s.because, s.value.label()))
            .collect::<Vec<_>>()
            .join("；");
        let mut flags = self.flags.clone();
        flags.extend(new.iter().map(|s| s.value));
        self.set_flags(flags, &format!("由文字识别：{because}"), by, now);
    }

    /// Sets the case's warning flags. Flags it did not have are a fresh
    /// signal (`signal_at`); alarm flags among them raise an alert. `why`
    /// says where they came from (研判, 由文字识别：…), for the history.
    pub fn set_flags(&mut self, mut flags: Vec<WarningFlag>, why: &str, by: &str, now: Time) {
        flags.sort();
        flags.dedup();
        let gained: Vec<WarningFlag> = flags
            .iter()
            .copied()
            .filter(|f| !self.flags.contains(f))
            .collect();
        self.flags = flags;
        if gained.is_empty() {
            return;
        }
        self.signal_at = Some(now);
        let alarm: Vec<WarningFlag> = gained.into_iter().filter(|f| f.is_alarm()).collect();
        if alarm.is_empty() {
            return;
        }
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: format!("预警：{}（{why}）", labels(&alarm)),
        });
        self.alerts.push(Alert {
            flags: alarm,
            kind: AlertKind::Danger,
            note: String::new(),
            to: None,
            raised_at: now,
            raised_by: by.to_string(),
            acked_by: None,
            acked_at: None,
        });
    }

    /// The danger alert nobody has acknowledged yet, if any (the latest):
    /// what the 预警 strip shows every 值班员 and 领导.
    pub fn open_alert(&self) -> Option<&Alert> {
        self.alerts
            .iter()
            .rev()
            .find(|a| a.acked_at.is_none() && a.kind == AlertKind::Danger)
    }

    /// The latest casework alert (转办被退回, 自动恢复, 红牌) not yet
    /// acknowledged: it is for one officer (`to`), in their 我的.
    pub fn open_note(&self) -> Option<&Alert> {
        self.alerts
            .iter()
            .rev()
            .find(|a| a.acked_at.is_none() && a.kind != AlertKind::Danger)
    }

    /// 签收预警: every open alert of the case is acknowledged by `by`.
    pub fn ack_alerts(&mut self, by: &str, now: Time) -> Result<(), DomainError> {
        let mut flags = Vec::new();
        let mut notes = Vec::new();
        for a in self.alerts.iter_mut().filter(|a| a.acked_at.is_none()) {
            a.acked_by = Some(by.to_string());
            a.acked_at = Some(now);
            flags.extend(a.flags.iter().copied());
            if !a.note.is_empty() {
                notes.push(a.note.clone());
            }
        }
        if flags.is_empty() && notes.is_empty() {
            return Err(DomainError::refused(format!(
                "{} 没有待签收的预警",
                self.id
            )));
        }
        flags.sort();
        flags.dedup();
        let mut what = vec![labels(&flags)];
        what.extend(notes);
        what.retain(|w| !w.is_empty());
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: format!("签收预警：{}", what.join("；")),
        });
        Ok(())
    }
}
