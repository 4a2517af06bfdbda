//! The key-person register on a need-to-know basis: every read goes through
//! the scope (`domain::access`), names whom it showed in the audit log, and
//! is masked by role and retention. The register's rules live here too.

use std::collections::HashSet;

use super::api::{DeskError, RegisterCounts, Response, RulesEdit};
use super::local::{committed, sees_contacts, Local, Reply};
use crate::domain::access::{masked_by_retention, may_see, scope, Scope};
use crate::domain::dispute::{Dispute, Time};
use crate::domain::limits::MAX_LINE_CHARS;
use crate::domain::officer::{check, Capability, Officer};
use crate::domain::person::{KeyPerson, Standing};
use crate::domain::person_rules::PersonRules;
use crate::domain::record::{ids_target, target_ids, Read, RecordKind};
use crate::domain::reports::access::Look;
use crate::domain::text::{clean_line, mask_digits, meaningful_reason};
use crate::store::audit::AuditEvent;
use crate::store::StoreError;

const RULES_KEY: &str = "person_rules";

/// What an officer is told when the register is not theirs to see.
fn counts_only(me: &Officer) -> DeskError {
    DeskError::Forbidden(format!(
        "无权查看重点人员名单：“{}”账号只能看统计数字（desk list persons --count）",
        me.role.label()
    ))
}

impl Local {
    pub fn person_rules(&self) -> Result<PersonRules, DeskError> {
        Ok(self.store().list(RULES_KEY)?.unwrap_or_default())
    }

    /// Persons linked to open cases assigned to `me` (as 责任人 or 牵头领导).
    pub(crate) fn linked_to_my_cases(&self, me: &Officer) -> Result<HashSet<String>, DeskError> {
        if scope(me.role) != Scope::Own {
            return Ok(HashSet::new());
        }
        let linked = |all: &[crate::domain::summary::Summary]| -> HashSet<String> {
            all.iter()
                .filter(|s| s.status.is_open())
                .filter(|s| {
                    // A 转办 not yet signed for opens nothing to its receiver.
                    let mine = s.person.as_deref() == Some(me.login.as_str()) && !s.transferring;
                    mine || s.leader.as_deref() == Some(me.login.as_str())
                })
                .flat_map(|s| s.person_ids.iter().cloned())
                .collect()
        };
        self.with_summaries(linked)
    }

    /// The persons `me` may see, masked for `me`.
    pub(crate) fn persons_in_scope(
        &self,
        me: &Officer,
        keep: impl Fn(&KeyPerson) -> bool,
        now: Time,
    ) -> Result<Vec<KeyPerson>, DeskError> {
        if scope(me.role) == Scope::Counts {
            return Err(counts_only(me));
        }
        let linked = self.linked_to_my_cases(me)?;
        let rules = self.person_rules()?;
        let mut persons = self.store().persons()?;
        persons.retain(|p| keep(p) && may_see(me, p, &linked));
        for p in &mut persons {
            mask_person(me, p, &rules, now);
        }
        Ok(persons)
    }

    /// Writes one look at the register, naming whom.
    pub(crate) fn log_read(
        &self,
        me: &Officer,
        read: Read,
        ids: &[String],
        detail: &str,
        now: Time,
    ) -> Result<(), DeskError> {
        // An export is logged even when empty: the file was still written.
        if ids.is_empty() && read != Read::Export {
            return Ok(());
        }
        self.store().write(&me.login, now, |tx| {
            tx.audit(read.action(), &ids_target(ids), detail);
            Ok::<_, StoreError>(())
        })?;
        Ok(())
    }

    /// The list: in scope only, and every person shown named in the log.
    pub(crate) fn read_persons(
        &self,
        me: &Officer,
        include_ended: bool,
        now: Time,
    ) -> Result<Reply, DeskError> {
        let persons = self.persons_in_scope(me, |p| include_ended || p.is_active(), now)?;
        let ids: Vec<String> = persons.iter().map(|p| p.id.clone()).collect();
        self.log_read(me, Read::Persons, &ids, &format!("{} 人", ids.len()), now)?;
        Ok(Reply::plain(Response::Persons(persons)))
    }

    /// One person; outside the scope only with a reason (break the glass).
    pub(crate) fn read_person(
        &self,
        me: &Officer,
        id: &str,
        reason: Option<String>,
        now: Time,
    ) -> Result<Reply, DeskError> {
        let id = clean_line(id).to_uppercase();
        let mut p = self.store().person(&id)?;
        let linked = self.linked_to_my_cases(me)?;
        let reason = reason.map(|r| clean_line(&r)).filter(|r| !r.is_empty());
        let (read, detail) = if may_see(me, &p, &linked) {
            (Read::Person, String::new())
        } else if scope(me.role) == Scope::Counts {
            return Err(counts_only(me));
        } else if let Some(reason) = reason {
            let reason = meaningful_reason("破格查阅理由", &reason, MAX_LINE_CHARS)?;
            (Read::BreakGlass, format!("【破格】理由：{reason}"))
        } else {
            return Err(DeskError::Forbidden(format!(
                "{id} 不在您负责的范围内。确需查看请写明理由（desk show {id} --reason 理由），\
                 理由记入操作日志并报管理员"
            )));
        };
        self.log_read(me, read, std::slice::from_ref(&id), &detail, now)?;
        mask_person(me, &mut p, &self.person_rules()?, now);
        Ok(Reply::plain(Response::Person(Box::new(p))))
    }

    /// A case detail names its linked persons: that is a look at them.
    pub(crate) fn log_linked(&self, me: &Officer, d: &Dispute, now: Time) -> Result<(), DeskError> {
        let ids: Vec<String> = d
            .parties
            .iter()
            .filter_map(|p| p.person_id.clone())
            .collect();
        self.log_read(me, Read::Linked, &ids, &format!("案件 {}", d.id), now)
    }

    /// The register in numbers; anyone on the roster may ask. The ids of
    /// persons with open alerts go to the desk roles only.
    pub(crate) fn person_counts(
        &self,
        me: Option<&Officer>,
        now: Time,
    ) -> Result<RegisterCounts, DeskError> {
        let watches = me.is_some_and(|m| scope(m.role) == Scope::Register);
        Ok(register_counts(
            &self.store().persons()?,
            watches,
            now.date_naive(),
        ))
    }

    pub(crate) fn set_person_rules(
        &self,
        me: &Officer,
        edit: RulesEdit,
        now: Time,
    ) -> Result<Reply, DeskError> {
        check(me, Capability::Admin, false, "修改重点人员规则")?;
        let c = self.store().write(&me.login, now, |tx| {
            let mut rules: PersonRules = tx.list(RULES_KEY)?.unwrap_or_default();
            let what = match edit {
                RulesEdit::Cadence {
                    category,
                    grade,
                    days,
                } => {
                    rules.set_interval(category, grade, days)?;
                    reapply_cadence(tx, &rules, category, grade)?;
                    format!(
                        "走访周期：{} {} 每 {days} 天",
                        category.label(),
                        grade.label()
                    )
                }
                RulesEdit::LostAfter(n) => {
                    rules.lost_after = n;
                    format!("连续 {n} 次未见面为失访")
                }
                RulesEdit::RetentionDays(n) => {
                    rules.retention_days = n;
                    format!("解除列管 {n} 天后屏蔽个人信息")
                }
                RulesEdit::DutyHours(a, b) => {
                    rules.duty_hours = (a, b);
                    format!("值班时间 {a}:00-{b}:00")
                }
                RulesEdit::Burst { persons, minutes } => {
                    rules.burst_persons = persons;
                    rules.burst_minutes = minutes;
                    format!("{minutes} 分钟内查阅超过 {persons} 人标为异常")
                }
            };
            rules.check()?;
            tx.put_list(RULES_KEY, &rules)?;
            tx.audit("修改重点人员规则", RULES_KEY, &what);
            Ok::<_, DeskError>(())
        })?;
        Ok(committed(
            Response::Done,
            "修改重点人员规则",
            &me.login,
            c.revision,
            c.touched,
        ))
    }

    /// `desk log`: events about persons `me` may not see lose their detail,
    /// and the persons whose details are shown are named in a read.
    pub(crate) fn audit_for(
        &self,
        me: &Officer,
        mut events: Vec<AuditEvent>,
        now: Time,
    ) -> Result<Vec<AuditEvent>, DeskError> {
        let rules = self.person_rules()?;
        let linked = self.linked_to_my_cases(me)?;
        let persons: std::collections::HashMap<String, KeyPerson> = self
            .store()
            .persons()?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        let today = now.date_naive();
        let mut shown: HashSet<String> = HashSet::new();
        for e in &mut events {
            if e.detail.is_empty() {
                continue;
            }
            let ids: Vec<String> = if Read::of_action(&e.action).is_some() {
                target_ids(&e.target)
            } else if RecordKind::of_id(&e.target) == RecordKind::Person {
                vec![e.target.clone()]
            } else {
                continue;
            };
            let visible = ids.iter().all(|id| {
                persons.get(id).is_none_or(|p| {
                    may_see(me, p, &linked)
                        && !masked_by_retention(me, p, today, rules.retention_days)
                })
            });
            if visible {
                shown.extend(ids.into_iter().filter(|id| persons.contains_key(id)));
            } else {
                e.detail = "（无权查看）".to_string();
            }
        }
        let mut shown: Vec<String> = shown.into_iter().collect();
        shown.sort();
        self.log_read(me, Read::Log, &shown, &format!("{} 人", shown.len()), now)?;
        Ok(events)
    }

    /// The looks at the register in a period, for the access report.
    pub(crate) fn looks(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        officer: Option<&str>,
    ) -> Result<Vec<Look>, DeskError> {
        Ok(self
            .store()
            .audit(0)?
            .into_iter()
            .filter(|e| (from..=to).contains(&e.at.date_naive()))
            .filter(|e| officer.is_none_or(|o| e.actor == o))
            .filter_map(|e| {
                let read = Read::of_action(&e.action)?;
                let reason = (read == Read::BreakGlass).then(|| {
                    e.detail
                        .strip_prefix("【破格】理由：")
                        .unwrap_or(&e.detail)
                        .to_string()
                });
                Some(Look {
                    at: e.at,
                    by: e.actor,
                    read,
                    ids: target_ids(&e.target),
                    reason,
                })
            })
            .collect())
    }
}

/// A cadence change reaches every active person of that category and grade.
fn reapply_cadence(
    tx: &mut crate::store::Tx,
    rules: &PersonRules,
    category: crate::domain::lists::PersonCategory,
    grade: crate::domain::lists::PersonGrade,
) -> Result<(), DeskError> {
    for mut p in tx.persons()? {
        if p.is_active() && p.category == category && p.grade() == grade {
            p.interval_days = rules.interval(category, grade);
            tx.put_person(&mut p)?;
        }
    }
    Ok(())
}

/// Phones and ID numbers by role; every personal field of an entry past
/// retention for all but 管理员.
pub(crate) fn mask_person(me: &Officer, p: &mut KeyPerson, rules: &PersonRules, now: Time) {
    if masked_by_retention(me, p, now.date_naive(), rules.retention_days) {
        p.redact();
    }
    if !sees_contacts(me, p.officer == me.login) {
        p.phone = p.phone.as_deref().map(|x| mask_digits(x, 3, 4));
        p.id_number = p.id_number.as_deref().map(|x| mask_digits(x, 6, 4));
    }
}

/// The register in numbers, from its records: for the counts screen, and
/// for the reports from the records they read anyway. `watches`: list the
/// ids of persons with open alerts too.
pub(crate) fn register_counts(
    persons: &[KeyPerson],
    watches: bool,
    today: chrono::NaiveDate,
) -> RegisterCounts {
    let mut c = RegisterCounts::default();
    for p in persons {
        if watches && p.is_active() && p.open_alerts().next().is_some() {
            c.alerts.push(p.id.clone());
        }
        match p.standing(today) {
            Standing::Active => c.active += 1,
            Standing::ReviewDue => c.standing.review_due += 1,
            Standing::Ended => {}
        }
        c.standing.overdue += u32::from(p.visit_overdue(today));
        c.standing.lost += u32::from(p.is_active() && p.lost_contact());
    }
    c
}
