//! 矛盾纠纷: the record and the rules that change it. Every change goes through
//! `workflow::next`, so an illegal move can never be written.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::limits::{
    check_amount, check_parties, check_people, MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_PHONE_DIGITS,
    MAX_TEXT_CHARS, MIN_PHONE_DIGITS,
};
use super::lists::{
    ContactKind, Outcome, PartyRole, RiskLevel, Source, Tier, VisitMethod, WarningFlag,
};
use super::text::{check_len, clean_line, clean_text, required_line, required_name};
use super::workflow::{next, Move, Status};
use super::DomainError;

pub type Time = DateTime<FixedOffset>;

/// The party of a case whose ledger row named nobody: visible in lists and
/// in the detail, found by searching 待补录, counted in the daily report.
pub const PENDING_PARTY: &str = "待补录";

/// 当事人.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub role: PartyRole,
    #[serde(default)]
    pub phone: Option<String>,
    /// Link to a 重点人员 record, when the party is on the register.
    #[serde(default)]
    pub person_id: Option<String>,
}

impl Party {
    pub fn new(name: &str, role: PartyRole, phone: Option<&str>) -> Result<Party, DomainError> {
        let name = required_name("当事人姓名", name)?;
        let phone = match phone.map(clean_line).filter(|p| !p.is_empty()) {
            Some(p) => Some(check_phone(&p)?),
            None => None,
        };
        Ok(Party {
            name,
            role,
            phone,
            person_id: None,
        })
    }
}

pub fn check_phone(phone: &str) -> Result<String, DomainError> {
    let digits: String = phone.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let n = digits.len();
    if !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&n)
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return Err(DomainError::invalid(format!(
            "电话“{phone}”格式不对，应为 {MIN_PHONE_DIGITS} 到 {MAX_PHONE_DIGITS} 位数字"
        )));
    }
    Ok(digits)
}

/// 四定: 牵头领导, 责任单位, 责任人, 化解时限, plus 签收.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub leader: String,
    pub unit: String,
    pub person: String,
    pub deadline: NaiveDate,
    #[serde(with = "super::iso_time")]
    pub assigned_at: Time,
    pub assigned_by: String,
    #[serde(default, with = "super::iso_time::option")]
    pub accepted_at: Option<Time>,
}

/// One dated step of 一案一策.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    pub date: NaiveDate,
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// 领导包案.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub leader: String,
    #[serde(default)]
    pub team: Vec<String>,
    #[serde(default)]
    pub plan: Vec<PlanStep>,
    pub deadline: NaiveDate,
    #[serde(with = "super::iso_time")]
    pub packaged_at: Time,
    pub packaged_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalKind {
    #[serde(rename = "延期")]
    Extension,
    #[serde(rename = "销号")]
    Closing,
    /// 中止 of a packaged case; `new_deadline` holds the expected resume date.
    #[serde(rename = "中止")]
    Pause,
}

impl ApprovalKind {
    pub fn label(self) -> &'static str {
        match self {
            ApprovalKind::Extension => "延期",
            ApprovalKind::Closing => "销号",
            ApprovalKind::Pause => "中止",
        }
    }
}

/// A request to the package leader and its answer; all are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub kind: ApprovalKind,
    pub requested_by: String,
    #[serde(with = "super::iso_time")]
    pub requested_at: Time,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub new_deadline: Option<NaiveDate>,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default, with = "super::iso_time::option")]
    pub decided_at: Option<Time>,
    #[serde(default)]
    pub approved: Option<bool>,
    #[serde(default)]
    pub comment: String,
}

/// 进展: a dated contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    #[serde(with = "super::iso_time")]
    pub at: Time,
    pub by: String,
    pub kind: ContactKind,
    pub text: String,
}

/// 销号.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closing {
    pub outcome: Outcome,
    pub summary: String,
    #[serde(with = "super::iso_time")]
    pub requested_at: Time,
    pub requested_by: String,
    #[serde(default, with = "super::iso_time::option")]
    pub closed_at: Option<Time>,
}

/// 回访: one scheduled follow-up and, once made, what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub due: NaiveDate,
    #[serde(default)]
    pub visit: Option<FollowUpVisit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpVisit {
    #[serde(with = "super::iso_time")]
    pub at: Time,
    pub by: String,
    pub method: VisitMethod,
    pub honoured: bool,
    #[serde(default)]
    pub satisfaction: String,
    #[serde(default)]
    pub rebound: bool,
    pub finding: String,
}

/// A line of the case's own history: status moves and the reasons given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(with = "super::iso_time")]
    pub at: Time,
    pub by: String,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// 编号, e.g. MD-2026-000123.
    pub id: String,
    /// Store revision of the last change; a change must name the revision it saw.
    #[serde(default)]
    pub rev: u64,
    #[serde(with = "super::iso_time")]
    pub registered_at: Time,
    pub registered_by: String,
    pub source: Source,
    pub village: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub parties: Vec<Party>,
    #[serde(default)]
    pub people_involved: u32,
    /// 涉及金额, in yuan.
    #[serde(default)]
    pub amount: Option<u64>,
    #[serde(default)]
    pub flags: Vec<WarningFlag>,
    #[serde(default)]
    pub risk: Option<RiskLevel>,
    pub tier: Tier,
    pub status: Status,
    /// 挂牌督办.
    #[serde(default)]
    pub supervised: bool,
    #[serde(default)]
    pub assignment: Option<Assignment>,
    #[serde(default)]
    pub package: Option<Package>,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(default)]
    pub closing: Option<Closing>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// 化解措施 and 备注 as the paper ledger (排查表) keeps them: free text an
    /// imported ledger brings, kept so the ledger goes back out as it came in.
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub remarks: String,
    /// When the case last gained a warning sign: danger fades from here.
    #[serde(default, with = "super::iso_time::option")]
    pub signal_at: Option<Time>,
    /// 预警 raised on the case, acknowledged or not.
    #[serde(default)]
    pub alerts: Vec<super::alert::Alert>,
    /// 转办 waiting for the receiving 责任人's 签收 or 退回.
    #[serde(default)]
    pub transfer: Option<super::casework::Transfer>,
    /// 中止: the clock is stopped until the case resumes.
    #[serde(default)]
    pub pause: Option<super::casework::Pause>,
    /// 移送: the township the case was handed to, with its ledger packet.
    #[serde(default)]
    pub moved_to: Option<String>,
}

/// What an officer fills in at 登记.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDispute {
    pub village: String,
    pub category: String,
    pub source: Option<Source>,
    pub summary: String,
    pub parties: Vec<Party>,
    #[serde(default)]
    pub people_involved: u32,
    #[serde(default)]
    pub amount: Option<u64>,
    #[serde(default)]
    pub flags: Vec<WarningFlag>,
    #[serde(default)]
    pub tier: Option<Tier>,
}

impl Dispute {
    /// Builds a freshly registered dispute. `id` comes from the store's sequence.
    pub fn register(
        id: String,
        new: NewDispute,
        by: &str,
        now: Time,
    ) -> Result<Dispute, DomainError> {
        let village = required_line("村(社区)", &new.village, MAX_NAME_CHARS)?;
        let category = required_line("纠纷类型", &new.category, MAX_NAME_CHARS)?;
        let source = new
            .source
            .ok_or_else(|| DomainError::invalid("来源不能为空".to_string()))?;
        let summary = required_line("矛盾情况", &new.summary, MAX_TEXT_CHARS)?;
        if new.parties.is_empty() {
            return Err(DomainError::invalid("至少填写一名当事人".to_string()));
        }
        check_parties(new.parties.len())?;
        check_people(u64::from(new.people_involved))?;
        if let Some(yuan) = new.amount {
            check_amount(yuan)?;
        }
        let mut parties = Vec::with_capacity(new.parties.len());
        for p in new.parties {
            let mut party = Party::new(&p.name, p.role, p.phone.as_deref())?;
            party.person_id = p.person_id;
            parties.push(party);
        }
        let people_involved = new.people_involved.max(parties.len() as u32);
        let title = make_title(&parties, &category);
        let mut d = Dispute {
            id,
            rev: 0,
            registered_at: now,
            registered_by: by.to_string(),
            source,
            village,
            category,
            title,
            summary,
            parties,
            people_involved,
            amount: new.amount,
            flags: Vec::new(),
            risk: None,
            tier: new.tier.unwrap_or(Tier::Village),
            status: Status::Registered,
            supervised: false,
            assignment: None,
            package: None,
            approvals: Vec::new(),
            notes: Vec::new(),
            closing: None,
            follow_ups: Vec::new(),
            history: Vec::new(),
            measures: String::new(),
            remarks: String::new(),
            signal_at: None,
            alerts: Vec::new(),
            transfer: None,
            pause: None,
            moved_to: None,
        };
        d.set_flags(new.flags, "登记", by, now);
        Ok(d)
    }

    pub(super) fn apply(
        &mut self,
        mv: Move,
        by: &str,
        now: Time,
        what: String,
    ) -> Result<(), DomainError> {
        let to = next(self.status, mv)?;
        let line = if to != self.status {
            format!("{}（{} → {}）", what, self.status.label(), to.label())
        } else {
            what
        };
        self.status = to;
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what: line,
        });
        // A refused 转办's notice has done its work once the case moves on
        // (交办 again, 转办 again, 签收 …): it leaves 待处理 and 我的.
        if !matches!(mv, Move::RefuseTransfer { .. }) {
            for a in &mut self.alerts {
                if a.kind == super::alert::AlertKind::TransferRefused && a.acked_at.is_none() {
                    a.acked_by = Some(by.to_string());
                    a.acked_at = Some(now);
                }
            }
        }
        Ok(())
    }

    /// 研判: risk level, warning flags, tier.
    pub fn triage(
        &mut self,
        risk: RiskLevel,
        flags: Vec<WarningFlag>,
        tier: Option<Tier>,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let mut flags = flags;
        flags.sort();
        flags.dedup();
        let flag_text = if flags.is_empty() {
            "无预警情形".to_string()
        } else {
            flags
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join("、")
        };
        let tier = tier.unwrap_or(self.tier);
        self.set_flags(flags.clone(), "研判", by, now);
        self.apply(
            Move::Triage,
            by,
            now,
            format!(
                "研判：风险{}，{}，{}级调处",
                risk.label(),
                flag_text,
                tier.label()
            ),
        )?;
        self.risk = Some(risk);
        self.tier = tier;
        Ok(())
    }

    /// 交办 (四定). The deadline may not be in the past.
    pub fn assign(
        &mut self,
        leader: &str,
        unit: &str,
        person: &str,
        deadline: NaiveDate,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let unit = required_line("责任单位", unit, MAX_NAME_CHARS)?;
        if deadline < now.date_naive() {
            return Err(DomainError::invalid(format!(
                "化解时限 {deadline} 已经过去，请选择今天或以后的日期"
            )));
        }
        self.apply(
            Move::Assign,
            by,
            now,
            format!("交办：牵头领导 {leader}，责任单位 {unit}，责任人 {person}，时限 {deadline}"),
        )?;
        self.assignment = Some(Assignment {
            leader: leader.to_string(),
            unit,
            person: person.to_string(),
            deadline,
            assigned_at: now,
            assigned_by: by.to_string(),
            accepted_at: None,
        });
        Ok(())
    }

    pub fn accept(&mut self, by: &str, now: Time) -> Result<(), DomainError> {
        self.apply(Move::Accept, by, now, "签收".to_string())?;
        if let Some(a) = self.assignment.as_mut() {
            a.accepted_at = Some(now);
        }
        Ok(())
    }

    pub fn reject(&mut self, reason: &str, by: &str, now: Time) -> Result<(), DomainError> {
        let reason = required_line("退回理由", reason, MAX_LINE_CHARS)?;
        self.apply(Move::Reject, by, now, format!("退回：{reason}"))
    }

    /// 领导包案 (一案一策).
    pub fn package(
        &mut self,
        leader: &str,
        team: Vec<String>,
        plan: Vec<PlanStep>,
        deadline: NaiveDate,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        if deadline < now.date_naive() {
            return Err(DomainError::invalid(format!(
                "包案时限 {deadline} 已经过去，请选择今天或以后的日期"
            )));
        }
        let mut steps = Vec::with_capacity(plan.len());
        for step in plan {
            let text = required_line("方案步骤", &step.text, MAX_LINE_CHARS)?;
            steps.push(PlanStep {
                date: step.date,
                text,
                done: step.done,
            });
        }
        steps.sort_by_key(|s| s.date);
        self.apply(
            Move::Package,
            by,
            now,
            format!(
                "包案：包案领导 {leader}，{} 个步骤，时限 {deadline}",
                steps.len()
            ),
        )?;
        self.package = Some(Package {
            leader: leader.to_string(),
            team,
            plan: steps,
            deadline,
            packaged_at: now,
            packaged_by: by.to_string(),
        });
        Ok(())
    }

    pub fn add_note(
        &mut self,
        kind: ContactKind,
        text: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let text = clean_text(text);
        if text.is_empty() {
            return Err(DomainError::invalid("进展内容不能为空".to_string()));
        }
        check_len("进展内容", &text, MAX_TEXT_CHARS)?;
        next(self.status, Move::Note)?;
        self.notes.push(Note {
            at: now,
            by: by.to_string(),
            kind,
            text,
        });
        Ok(())
    }

    /// 挂牌督办 on or off.
    pub fn supervise(&mut self, on: bool, by: &str, now: Time) -> Result<(), DomainError> {
        if self.supervised == on {
            return Err(DomainError::invalid(if on {
                "该案件已在挂牌督办".to_string()
            } else {
                "该案件没有挂牌督办".to_string()
            }));
        }
        let what = if on {
            "挂牌督办"
        } else {
            "撤销挂牌督办"
        };
        self.apply(Move::Supervise, by, now, what.to_string())?;
        self.supervised = on;
        Ok(())
    }

    /// 上报 or 交办下级: move to another tier, with a reason.
    pub fn change_tier(
        &mut self,
        to: Tier,
        reason: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let reason = required_line("理由", reason, MAX_LINE_CHARS)?;
        let mv = match to.rank().cmp(&self.tier.rank()) {
            std::cmp::Ordering::Greater => Move::Escalate {
                to_county: to == Tier::County,
            },
            std::cmp::Ordering::Less => Move::SendDown,
            std::cmp::Ordering::Equal => {
                return Err(DomainError::invalid(format!(
                    "案件已在{}级调处",
                    to.label()
                )))
            }
        };
        let verb = if matches!(mv, Move::SendDown) {
            "交办下级"
        } else {
            "上报"
        };
        self.apply(
            mv,
            by,
            now,
            format!(
                "{verb}：{}级 → {}级，理由：{reason}",
                self.tier.label(),
                to.label()
            ),
        )?;
        self.tier = to;
        Ok(())
    }

    /// 销号. A packaged case waits for its leader (待销号); others close at once
    /// and get follow-ups at `follow_up_days` after today.
    pub fn close(
        &mut self,
        outcome: Outcome,
        summary: &str,
        follow_up_days: &[u32],
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let summary = required_line("化解情况", summary, MAX_TEXT_CHARS)?;
        // GLPI's lesson: a case is not closed over an approval still waiting.
        if let Some(a) = self.pending_approval() {
            return Err(DomainError::refused(format!(
                "不能销号：本案的{}申请还在等{}审批，审批后才能销号",
                a.kind.label(),
                self.approver_title()
            )));
        }
        if self.pause.is_some() {
            return Err(DomainError::refused(
                "不能销号：案件已中止，请先恢复办理".to_string(),
            ));
        }
        let packaged = self.package.is_some();
        self.apply(
            Move::Close { packaged },
            by,
            now,
            format!("销号申请：{}", outcome.label()),
        )?;
        self.closing = Some(Closing {
            outcome,
            summary,
            requested_at: now,
            requested_by: by.to_string(),
            closed_at: None,
        });
        if packaged {
            self.approvals.push(Approval {
                kind: ApprovalKind::Closing,
                requested_by: by.to_string(),
                requested_at: now,
                reason: outcome.label().to_string(),
                new_deadline: None,
                decided_by: None,
                decided_at: None,
                approved: None,
                comment: String::new(),
            });
        } else {
            self.finish_closing(follow_up_days, now);
        }
        Ok(())
    }

    fn finish_closing(&mut self, follow_up_days: &[u32], now: Time) {
        if let Some(c) = self.closing.as_mut() {
            c.closed_at = Some(now);
        }
        let today = now.date_naive();
        self.follow_ups = follow_up_days
            .iter()
            .map(|d| FollowUp {
                due: today + chrono::Days::new(u64::from(*d)),
                visit: None,
            })
            .collect();
    }

    /// The package leader asks for a later deadline.
    pub fn request_extension(
        &mut self,
        new_deadline: NaiveDate,
        reason: &str,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let reason = required_line("延期理由", reason, MAX_LINE_CHARS)?;
        if self.pending_approval().is_some() {
            return Err(DomainError::invalid(
                "已有待审批的申请，请等审批后再提".to_string(),
            ));
        }
        let current = self.deadline();
        if current.is_some_and(|d| new_deadline <= d) {
            return Err(DomainError::invalid(format!(
                "延期后的时限 {new_deadline} 必须晚于现在的时限 {}",
                current.unwrap_or(new_deadline)
            )));
        }
        self.apply(
            Move::RequestExtension,
            by,
            now,
            format!("申请延期至 {new_deadline}：{reason}"),
        )?;
        if self.package.is_some() {
            self.approvals.push(Approval {
                kind: ApprovalKind::Extension,
                requested_by: by.to_string(),
                requested_at: now,
                reason,
                new_deadline: Some(new_deadline),
                decided_by: None,
                decided_at: None,
                approved: None,
                comment: String::new(),
            });
        } else {
            self.set_deadline(new_deadline);
        }
        Ok(())
    }

    pub fn pending_approval(&self) -> Option<&Approval> {
        self.approvals.iter().find(|a| a.approved.is_none())
    }

    /// Who decides a request: the 包案领导 of a packaged case; otherwise
    /// the desk, the case's 牵头领导 first (a 责任人's 中止).
    pub fn approver(&self) -> Option<&str> {
        match &self.package {
            Some(p) => Some(&p.leader),
            None => self.assignment.as_ref().map(|a| a.leader.as_str()),
        }
    }

    /// The approver's title as the officer reads it.
    pub fn approver_title(&self) -> &'static str {
        if self.package.is_some() {
            "包案领导"
        } else {
            "牵头领导或值班员"
        }
    }

    /// The package leader answers the pending request (延期 or 销号).
    pub fn decide(
        &mut self,
        approve: bool,
        comment: &str,
        follow_up_days: &[u32],
        by: &str,
        now: Time,
    ) -> Result<ApprovalKind, DomainError> {
        let comment = clean_line(comment);
        check_len("审批意见", &comment, MAX_LINE_CHARS)?;
        let idx = self
            .approvals
            .iter()
            .position(|a| a.approved.is_none())
            .ok_or_else(|| DomainError::refused("该案件没有待审批的申请".to_string()))?;
        let kind = self.approvals[idx].kind;
        let verdict = if approve { "同意" } else { "不同意" };
        match kind {
            ApprovalKind::Closing => {
                let mv = if approve {
                    Move::ApproveClose
                } else {
                    Move::RejectClose
                };
                self.apply(
                    mv,
                    by,
                    now,
                    format!("销号审批：{verdict} {comment}")
                        .trim_end()
                        .to_string(),
                )?;
                if approve {
                    self.finish_closing(follow_up_days, now);
                } else {
                    self.closing = None;
                }
            }
            ApprovalKind::Extension => {
                let new_deadline = self.approvals[idx].new_deadline;
                self.history.push(HistoryEntry {
                    at: now,
                    by: by.to_string(),
                    what: format!("延期审批：{verdict} {comment}")
                        .trim_end()
                        .to_string(),
                });
                if approve {
                    if let Some(d) = new_deadline {
                        self.set_deadline(d);
                    }
                }
            }
            ApprovalKind::Pause => {
                let a = self.approvals[idx].clone();
                self.decide_pause(approve, &a, &comment, by, now);
            }
        }
        let a = &mut self.approvals[idx];
        a.approved = Some(approve);
        a.decided_by = Some(by.to_string());
        a.decided_at = Some(now);
        a.comment = comment;
        Ok(kind)
    }

    pub(super) fn set_deadline(&mut self, d: NaiveDate) {
        if let Some(p) = self.package.as_mut() {
            p.deadline = d;
        }
        if let Some(a) = self.assignment.as_mut() {
            a.deadline = d;
        }
    }

    /// 回访: records the next due follow-up; `reopen` when the dispute flares again.
    #[allow(clippy::too_many_arguments)]
    pub fn follow_up(
        &mut self,
        method: VisitMethod,
        honoured: bool,
        satisfaction: &str,
        rebound: bool,
        finding: &str,
        reopen: bool,
        by: &str,
        now: Time,
    ) -> Result<(), DomainError> {
        let finding = required_line("回访情况", finding, MAX_TEXT_CHARS)?;
        let satisfaction = clean_line(satisfaction);
        check_len("满意度", &satisfaction, MAX_NAME_CHARS)?;
        let pending = self.follow_ups.iter().filter(|f| f.visit.is_none()).count();
        let last = pending <= 1 && !reopen;
        self.apply(
            Move::FollowUpVisit { last },
            by,
            now,
            format!(
                "回访（{}）：{}",
                method.label(),
                if honoured {
                    "协议履行"
                } else {
                    "协议未履行"
                }
            ),
        )?;
        let visit = FollowUpVisit {
            at: now,
            by: by.to_string(),
            method,
            honoured,
            satisfaction,
            rebound,
            finding,
        };
        match self.follow_ups.iter_mut().find(|f| f.visit.is_none()) {
            Some(slot) => slot.visit = Some(visit),
            None => self.follow_ups.push(FollowUp {
                due: now.date_naive(),
                visit: Some(visit),
            }),
        }
        if reopen {
            self.reopen("回访发现纠纷反弹", by, now)?;
        }
        Ok(())
    }

    /// 重新打开 a closed case; its unvisited follow-ups are dropped.
    pub fn reopen(&mut self, reason: &str, by: &str, now: Time) -> Result<(), DomainError> {
        let reason = required_line("重新打开理由", reason, MAX_LINE_CHARS)?;
        self.apply(Move::Reopen, by, now, format!("重新打开：{reason}"))?;
        self.follow_ups.retain(|f| f.visit.is_some());
        self.closing = None;
        Ok(())
    }

    /// 化解时限: the package deadline when packaged, else the assignment's.
    /// Undo: every field back as it was before `action`, except the history,
    /// which keeps the undone step and records that it was undone.
    pub fn revert_to(&mut self, before: Dispute, action: &str, by: &str, now: Time) {
        let history = std::mem::take(&mut self.history);
        let from = self.status;
        *self = before;
        self.history = history;
        let what = if from != self.status {
            format!(
                "撤销「{action}」（{} → {}）",
                from.label(),
                self.status.label()
            )
        } else {
            format!("撤销「{action}」")
        };
        self.history.push(HistoryEntry {
            at: now,
            by: by.to_string(),
            what,
        });
    }

    pub fn deadline(&self) -> Option<NaiveDate> {
        self.package
            .as_ref()
            .map(|p| p.deadline)
            .or_else(|| self.assignment.as_ref().map(|a| a.deadline))
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.pause.is_none() && self.deadline().is_some_and(|d| d < today)
    }

    /// The next follow-up visit not yet made.
    pub fn next_follow_up(&self) -> Option<NaiveDate> {
        if self.status.is_open() {
            return None;
        }
        self.follow_ups
            .iter()
            .find(|f| f.visit.is_none())
            .map(|f| f.due)
    }

    /// Who may act on the case as its 责任人 (the assignee or the package team).
    pub fn is_assignee(&self, login: &str) -> bool {
        self.assignment
            .as_ref()
            .is_some_and(|a| a.person == login || a.leader == login)
            || self
                .package
                .as_ref()
                .is_some_and(|p| p.leader == login || p.team.iter().any(|t| t == login))
    }

    pub fn party_names(&self) -> String {
        self.parties
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// 张三与李四邻里纠纷.
fn make_title(parties: &[Party], category: &str) -> String {
    let names: Vec<&str> = parties.iter().take(2).map(|p| p.name.as_str()).collect();
    let more = if parties.len() > 2 { "等" } else { "" };
    let category = category.split('/').next().unwrap_or(category);
    format!("{}{more}{category}纠纷", names.join("与"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Time {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, day, 9, 0, 0)
            .unwrap()
    }

    fn sample() -> Dispute {
        let new = NewDispute {
            village: "东河村".into(),
            category: "邻里".into(),
            source: Some(Source::Visit),
            summary: "两户因排水沟堵塞发生争吵".into(),
            parties: vec![
                Party::new("王建国", PartyRole::Applicant, Some("13900001111")).unwrap(),
                Party::new("刘桂兰", PartyRole::Respondent, None).unwrap(),
            ],
            ..Default::default()
        };
        Dispute::register("MD-2026-000001".into(), new, "zhiban1", at(1)).unwrap()
    }

    #[test]
    fn registration_validates_and_titles() {
        let d = sample();
        assert_eq!(d.title, "王建国与刘桂兰邻里纠纷");
        assert_eq!(d.status, Status::Registered);
        assert_eq!(d.people_involved, 2);
        let mut bad = NewDispute {
            village: "东河村".into(),
            category: "邻里".into(),
            source: Some(Source::Call),
            summary: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            Dispute::register("X".into(), bad.clone(), "a", at(1))
                .unwrap_err()
                .to_string(),
            "至少填写一名当事人"
        );
        bad.summary = "  ".into();
        assert_eq!(
            Dispute::register("X".into(), bad, "a", at(1))
                .unwrap_err()
                .to_string(),
            "矛盾情况不能为空"
        );
        assert!(Party::new("张三", PartyRole::Other, Some("12ab")).is_err());
    }

    #[test]
    fn packaged_case_needs_approval_to_close_and_gets_follow_ups() {
        let mut d = sample();
        d.triage(
            RiskLevel::High,
            vec![WarningFlag::Agitated, WarningFlag::Agitated],
            Some(Tier::Township),
            "zb",
            at(1),
        )
        .unwrap();
        assert_eq!(d.flags, vec![WarningFlag::Agitated]);
        let deadline = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        d.assign("ld", "司法所", "tj", deadline, "zb", at(2))
            .unwrap();
        d.accept("tj", at(2)).unwrap();
        d.package(
            "ld",
            vec!["tj".into()],
            vec![PlanStep {
                date: deadline,
                text: "召开调解会".into(),
                done: false,
            }],
            deadline,
            "ld",
            at(3),
        )
        .unwrap();
        d.add_note(
            ContactKind::MediationMeeting,
            "双方到场\n初步达成一致",
            "tj",
            at(4),
        )
        .unwrap();
        d.close(
            Outcome::WrittenAgreement,
            "签订书面协议",
            &[7, 30, 90],
            "tj",
            at(5),
        )
        .unwrap();
        assert_eq!(d.status, Status::PendingClose);
        assert!(d.follow_ups.is_empty());
        assert_eq!(
            d.decide(true, "同意销号", &[7, 30, 90], "ld", at(6))
                .unwrap(),
            ApprovalKind::Closing
        );
        assert_eq!(d.status, Status::Resolved);
        assert_eq!(d.follow_ups.len(), 3);
        assert_eq!(d.next_follow_up(), NaiveDate::from_ymd_opt(2026, 11, 13));
        d.follow_up(
            VisitMethod::Home,
            true,
            "满意",
            false,
            "协议已履行",
            false,
            "tj",
            at(13),
        )
        .unwrap();
        assert_eq!(d.status, Status::FollowUp);
        d.follow_up(
            VisitMethod::Phone,
            false,
            "不满意",
            true,
            "对方拒付余款",
            true,
            "tj",
            at(20),
        )
        .unwrap();
        assert_eq!(d.status, Status::InProgress);
        assert_eq!(
            d.follow_ups.len(),
            2,
            "unvisited follow-ups dropped on reopen"
        );
        assert!(d.history.iter().any(|h| h.what.contains("重新打开")));
    }

    #[test]
    fn deadlines_in_the_past_are_refused() {
        let mut d = sample();
        d.triage(RiskLevel::Low, vec![], None, "zb", at(5)).unwrap();
        let past = NaiveDate::from_ymd_opt(2026, 11, 4).unwrap();
        let err = d
            .assign("ld", "司法所", "tj", past, "zb", at(5))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "化解时限 2026-11-04 已经过去，请选择今天或以后的日期");
    }

    #[test]
    fn extension_without_package_applies_at_once() {
        let mut d = sample();
        d.triage(RiskLevel::Low, vec![], None, "zb", at(1)).unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        d.assign("ld", "司法所", "tj", first, "zb", at(1)).unwrap();
        assert!(d
            .request_extension(first, "需要更多时间", "tj", at(2))
            .is_err());
        let later = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        d.request_extension(later, "当事人外出务工", "tj", at(2))
            .unwrap();
        assert_eq!(d.deadline(), Some(later));
        assert!(d.is_overdue(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
    }
}
