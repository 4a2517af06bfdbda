//! The commands that change disputes and key persons: permission check,
//! validation against the roster and lists, then one domain move, in one
//! transaction with its audit event.

use super::api::{DeskError, Request, Response};
use super::local::{committed, Local, Reply};
use chrono::Datelike;

use crate::domain::dispute::{Dispute, Time};
use crate::domain::lists::Role;
use crate::domain::officer::{check, Capability, Officer};
use crate::domain::person::KeyPerson;
use crate::domain::text::clean_line;
use crate::store::Before;

pub(crate) fn run(
    local: &Local,
    me: &Officer,
    req: Request,
    now: Time,
) -> Result<Reply, DeskError> {
    let lists = local.lists()?;
    let officers = Roster(local.store().officers()?);
    let today = now.date_naive();
    match req {
        Request::Register { mut new } => {
            check(me, Capability::Desk, false, "登记矛盾纠纷")?;
            new.village = in_list(&lists.villages, "村(社区)", &new.village)?;
            new.category = in_list(&lists.categories, "纠纷类型", &new.category)?;
            let year = now.format("%Y").to_string();
            let by = me.login.clone();
            let c = local.store().write(&me.login, now, |tx| {
                for p in &new.parties {
                    if let Some(pid) = &p.person_id {
                        tx.person(pid)?;
                    }
                }
                let n = tx.next_seq(&format!("dispute:{year}"))?;
                let id = crate::domain::record::dispute_id(now.year(), n);
                let mut d = Dispute::register(id.clone(), new, &by, now)?;
                tx.put_dispute(&mut d)?;
                tx.remember_undo("登记", &id, Before::Dispute(None))?;
                tx.audit(
                    "登记",
                    &id,
                    &format!("{} {} {}", d.village, d.category, d.title),
                );
                Ok::<_, DeskError>(id)
            })?;
            Ok(committed(
                Response::Created(c.value),
                "登记",
                &me.login,
                c.revision,
                c.touched,
            ))
        }
        Request::Triage {
            id,
            seen,
            risk,
            flags,
            tier,
        } => {
            check(me, Capability::Desk, false, "研判")?;
            local.change_dispute(me, &id, seen, "研判", now, |d| {
                d.triage(risk, flags, tier, &me.login, now)?;
                Ok(last_history(d))
            })
        }
        Request::Assign {
            id,
            seen,
            leader,
            unit,
            person,
            deadline,
        } => {
            check(me, Capability::Desk, false, "交办")?;
            let leader = officers.leader(&leader)?;
            let person = officers.worker(&person)?;
            let unit = in_list(&lists.units, "责任单位", &unit)?;
            local.change_dispute(me, &id, seen, "交办", now, |d| {
                let (deadline, note) = match deadline {
                    Some(given) => (given, String::new()),
                    None => super::routine::assignment_deadline(local, &lists.settings, d, today)?,
                };
                d.assign(&leader, &unit, &person, deadline, &me.login, now)?;
                if let Some(h) = d.history.last_mut() {
                    h.what.push_str(&note);
                }
                Ok(last_history(d))
            })
        }
        Request::Accept { id, seen } => local.change_dispute(me, &id, seen, "签收", now, |d| {
            check(me, Capability::CaseWork, is_assigned_person(d, me), "签收")?;
            d.accept(&me.login, now)?;
            Ok(last_history(d))
        }),
        Request::Reject { id, seen, reason } => {
            local.change_dispute(me, &id, seen, "退回", now, |d| {
                check(me, Capability::CaseWork, is_assigned_person(d, me), "退回")?;
                d.reject(&reason, &me.login, now)?;
                Ok(last_history(d))
            })
        }
        Request::Package {
            id,
            seen,
            leader,
            team,
            plan,
            deadline,
        } => {
            check(me, Capability::Lead, false, "包案")?;
            let leader = officers.leader(&leader)?;
            let team = team
                .iter()
                .map(|t| officers.worker(t))
                .collect::<Result<Vec<_>, _>>()?;
            local.change_dispute(me, &id, seen, "包案", now, |d| {
                d.package(&leader, team, plan, deadline, &me.login, now)?;
                Ok(last_history(d))
            })
        }
        Request::Note {
            id,
            seen,
            kind,
            text,
        } => local.change_dispute(me, &id, seen, "添加进展", now, |d| {
            check(
                me,
                Capability::CaseWork,
                d.is_assignee(&me.login),
                "添加进展",
            )?;
            d.add_note(kind, &text, &me.login, now)?;
            Ok(format!("{}：{}", kind.label(), preview(&text)))
        }),
        Request::Supervise { id, seen, on } => {
            check(me, Capability::Desk, false, "挂牌督办")?;
            local.change_dispute(
                me,
                &id,
                seen,
                if on { "挂牌督办" } else { "撤销督办" },
                now,
                |d| {
                    d.supervise(on, &me.login, now)?;
                    Ok(last_history(d))
                },
            )
        }
        Request::ChangeTier {
            id,
            seen,
            to,
            reason,
        } => {
            check(me, Capability::Desk, false, "上报或交办下级")?;
            local.change_dispute(me, &id, seen, "调整层级", now, |d| {
                d.change_tier(to, &reason, &me.login, now)?;
                Ok(last_history(d))
            })
        }
        Request::Close {
            id,
            seen,
            outcome,
            summary,
        } => local.change_dispute(me, &id, seen, "销号", now, |d| {
            check(me, Capability::CaseWork, d.is_assignee(&me.login), "销号")?;
            d.close(
                outcome,
                &summary,
                &lists.settings.follow_up_days,
                &me.login,
                now,
            )?;
            Ok(last_history(d))
        }),
        Request::Decide {
            id,
            seen,
            approve,
            comment,
        } => {
            check(me, Capability::Lead, false, "审批")?;
            local.change_dispute(me, &id, seen, "审批", now, |d| {
                let leader = d
                    .package
                    .as_ref()
                    .map(|p| p.leader.clone())
                    .unwrap_or_default();
                if leader != me.login && me.role != Role::Admin {
                    return Err(DeskError::Forbidden(format!(
                        "无权审批：本案的包案领导是 {}，只有包案领导本人可以审批",
                        officers.name(&leader)
                    )));
                }
                d.decide(
                    approve,
                    &comment,
                    &lists.settings.follow_up_days,
                    &me.login,
                    now,
                )?;
                Ok(last_history(d))
            })
        }
        Request::Extend {
            id,
            seen,
            deadline,
            reason,
        } => local.change_dispute(me, &id, seen, "申请延期", now, |d| {
            check(
                me,
                Capability::CaseWork,
                d.is_assignee(&me.login),
                "申请延期",
            )?;
            d.request_extension(deadline, &reason, &me.login, now)?;
            Ok(last_history(d))
        }),
        Request::FollowUp {
            id,
            seen,
            method,
            honoured,
            satisfaction,
            rebound,
            finding,
            reopen,
        } => local.change_dispute(me, &id, seen, "回访", now, |d| {
            check(me, Capability::CaseWork, d.is_assignee(&me.login), "回访")?;
            d.follow_up(
                method,
                honoured,
                &satisfaction,
                rebound,
                &finding,
                reopen,
                &me.login,
                now,
            )?;
            Ok(format!("{}：{}", method.label(), preview(&finding)))
        }),
        Request::Reopen { id, seen, reason } => {
            check(me, Capability::Desk, false, "重新打开")?;
            local.change_dispute(me, &id, seen, "重新打开", now, |d| {
                d.reopen(&reason, &me.login, now)?;
                Ok(last_history(d))
            })
        }
        Request::AddPerson { mut new } => {
            check(me, Capability::Desk, false, "登记重点人员")?;
            new.village = in_list(&lists.villages, "村(社区)", &new.village)?;
            new.officer = officers.worker(&new.officer)?;
            let c = local.store().write(&me.login, now, |tx| {
                let n = tx.next_seq("person")?;
                let id = crate::domain::record::person_id(n);
                let mut p = KeyPerson::register(id.clone(), new, &me.login, now)?;
                tx.put_person(&mut p)?;
                tx.remember_undo("登记重点人员", &id, Before::Person(None))?;
                tx.audit(
                    "登记重点人员",
                    &id,
                    &format!(
                        "{} {} 理由：{} 复核日期 {}",
                        p.name,
                        p.category.label(),
                        p.reason,
                        p.review_date
                    ),
                );
                Ok::<_, DeskError>(id)
            })?;
            Ok(committed(
                Response::Created(c.value),
                "登记重点人员",
                &me.login,
                c.revision,
                c.touched,
            ))
        }
        Request::VisitPerson {
            id,
            seen,
            date,
            method,
            finding,
        } => local.change_person(me, &id, seen, "走访重点人员", now, |p| {
            check(me, Capability::CaseWork, p.officer == me.login, "登记走访")?;
            p.visit(date, method, &finding, &me.login, now)?;
            Ok(format!(
                "{} {} {}：{}",
                p.name,
                date,
                method.label(),
                preview(&finding)
            ))
        }),
        Request::ReviewPerson {
            id,
            seen,
            reason,
            next_review,
        } => {
            check(me, Capability::Desk, false, "复核重点人员")?;
            let action = if next_review.is_some() {
                "复核延期"
            } else {
                "解除列管"
            };
            local.change_person(me, &id, seen, action, now, |p| {
                p.review(&reason, next_review, &me.login, now)?;
                Ok(format!("{} 理由：{}", p.name, clean_line(&reason)))
            })
        }
        other => Err(DeskError::Invalid(format!("不支持的操作：{other:?}"))),
    }
}

/// A value must come from its list, when the township keeps one.
fn in_list(list: &[String], what: &str, value: &str) -> Result<String, DeskError> {
    let value = clean_line(value);
    if value.is_empty() {
        return Err(DeskError::Invalid(format!("{what}不能为空")));
    }
    if list.is_empty() || list.contains(&value) {
        return Ok(value);
    }
    let near: Vec<&str> = list
        .iter()
        .filter(|v| v.chars().any(|c| value.contains(c)))
        .take(5)
        .map(|v| v.as_str())
        .collect();
    let hint = if near.is_empty() {
        "请先由管理员加入名录".to_string()
    } else {
        format!("是不是：{}", near.join("、"))
    };
    Err(DeskError::Invalid(format!(
        "{what}“{value}”不在名录中，{hint}"
    )))
}

fn is_assigned_person(d: &Dispute, me: &Officer) -> bool {
    d.assignment.as_ref().is_some_and(|a| a.person == me.login)
}

fn last_history(d: &Dispute) -> String {
    d.history.last().map(|h| h.what.clone()).unwrap_or_default()
}

fn preview(text: &str) -> String {
    let one = clean_line(text);
    let mut s: String = one.chars().take(60).collect();
    if one.chars().count() > 60 {
        s.push('…');
    }
    s
}

struct Roster(Vec<Officer>);

impl Roster {
    fn find(&self, login: &str) -> Result<&Officer, DeskError> {
        let login = login.trim();
        self.0
            .iter()
            .find(|o| o.login == login || o.name == login)
            .filter(|o| o.active)
            .ok_or_else(|| {
                DeskError::Invalid(format!(
                    "名册中没有“{login}”，请用 desk roster list 查看登录名"
                ))
            })
    }

    /// 牵头领导 / 包案领导 must hold the 领导 role.
    fn leader(&self, login: &str) -> Result<String, DeskError> {
        let o = self.find(login)?;
        if !matches!(o.role, Role::Leader | Role::Admin) {
            return Err(DeskError::Invalid(format!(
                "{}（{}）是“{}”，牵头或包案领导须为“领导”角色",
                o.name,
                o.login,
                o.role.label()
            )));
        }
        Ok(o.login.clone())
    }

    /// Someone who can do the work: anyone on the roster but 只读.
    fn worker(&self, login: &str) -> Result<String, DeskError> {
        let o = self.find(login)?;
        if o.role == Role::ReadOnly {
            return Err(DeskError::Invalid(format!(
                "{}（{}）是只读账号，不能承办案件",
                o.name, o.login
            )));
        }
        Ok(o.login.clone())
    }

    fn name(&self, login: &str) -> String {
        self.0
            .iter()
            .find(|o| o.login == login)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| login.to_string())
    }
}
