//! How each flow's checked values become Desk API requests.

use super::fields::{DECISIONS, REVIEWS};
use super::*;

impl Form {
    /// The request builder for this form's values, checked; None on a problem.
    #[allow(clippy::type_complexity)]
    pub(super) fn build(&mut self, ctx: &Ctx) -> Option<Box<dyn Fn(&Target) -> Request>> {
        let id = |t: &Target| t.id.clone();
        Some(match self.kind {
            FormKind::Register => {
                let new = self.new_dispute(ctx)?;
                Box::new(move |_| Request::Register { new: new.clone() })
            }
            FormKind::Triage => {
                let risk = self.choice("risk", RiskLevel::parse)?;
                let tier = self.choice("tier", Tier::parse)?;
                let flags = self.flags()?;
                Box::new(move |t| Request::Triage {
                    id: id(t),
                    seen: t.seen,
                    risk,
                    flags: flags.clone(),
                    tier: Some(tier),
                })
            }
            FormKind::Assign => {
                let deadline = self.date("deadline", ctx).ok()?;
                if let Some(d) = deadline.filter(|d| *d < ctx.today) {
                    self.fail(
                        "deadline",
                        format!("化解时限 {d} 已过，请填今天或以后的日期"),
                    );
                    return None;
                }
                let (leader, unit, person) = (
                    login_of(&self.get("leader")),
                    self.get("unit"),
                    login_of(&self.get("person")),
                );
                Box::new(move |t| Request::Assign {
                    id: id(t),
                    seen: t.seen,
                    leader: leader.clone(),
                    unit: unit.clone(),
                    person: person.clone(),
                    deadline,
                })
            }
            FormKind::Reject => {
                let reason = self.lines("reason");
                Box::new(move |t| Request::Reject {
                    id: id(t),
                    seen: t.seen,
                    reason: reason.clone(),
                })
            }
            FormKind::Package => {
                let deadline = self.date("deadline", ctx).ok()?;
                let plan = self.plan(ctx)?;
                let leader = login_of(&self.get("leader"));
                let team: Vec<String> = split_multi(&self.get("team"))
                    .iter()
                    .map(|t| login_of(t))
                    .collect();
                let deadline = deadline?;
                Box::new(move |t| Request::Package {
                    id: id(t),
                    seen: t.seen,
                    leader: leader.clone(),
                    team: team.clone(),
                    plan: plan.clone(),
                    deadline,
                })
            }
            FormKind::Note => {
                let kind = self.choice("kind", ContactKind::parse)?;
                let text = self.lines("text");
                Box::new(move |t| Request::Note {
                    id: id(t),
                    seen: t.seen,
                    kind,
                    text: text.clone(),
                })
            }
            FormKind::Escalate => {
                let to = self.choice("to", Tier::parse)?;
                let reason = self.get("reason");
                Box::new(move |t| Request::ChangeTier {
                    id: id(t),
                    seen: t.seen,
                    to,
                    reason: reason.clone(),
                })
            }
            FormKind::Close => {
                let outcome = self.choice("outcome", Outcome::parse)?;
                let summary = self.lines("summary");
                Box::new(move |t| Request::Close {
                    id: id(t),
                    seen: t.seen,
                    outcome,
                    summary: summary.clone(),
                })
            }
            FormKind::Approve => {
                let approve = self.get("decision") == DECISIONS[0];
                let comment = self.get("comment");
                Box::new(move |t| Request::Decide {
                    id: id(t),
                    seen: t.seen,
                    approve,
                    comment: comment.clone(),
                })
            }
            FormKind::Extend => {
                let deadline = self.date("deadline", ctx).ok()??;
                let reason = self.get("reason");
                Box::new(move |t| Request::Extend {
                    id: id(t),
                    seen: t.seen,
                    deadline,
                    reason: reason.clone(),
                })
            }
            FormKind::Visit => {
                let method = self.choice("method", VisitMethod::parse)?;
                let (honoured, rebound, reopen) = (
                    self.get("honoured") == YES,
                    self.get("rebound") == YES,
                    self.get("reopen") == YES,
                );
                let satisfaction = self.get("satisfaction");
                let finding = self.lines("finding");
                Box::new(move |t| Request::FollowUp {
                    id: id(t),
                    seen: t.seen,
                    method,
                    honoured,
                    satisfaction: satisfaction.clone(),
                    rebound: rebound || reopen,
                    finding: finding.clone(),
                    reopen,
                })
            }
            FormKind::PersonAdd => {
                let category = self.choice("category", PersonCategory::parse)?;
                let risk = self.choice("risk", RiskLevel::parse)?;
                let review = self.date("review", ctx).ok()?;
                if let Some(d) = review.filter(|d| *d <= ctx.today) {
                    self.fail("review", format!("复核日期 {d} 须在今天以后"));
                    return None;
                }
                let opt = |s: String| (!s.is_empty()).then_some(s);
                let new = NewPerson {
                    name: self.get("name"),
                    village: self.get("village"),
                    category,
                    risk,
                    officer: login_of(&self.get("officer")),
                    interval_days: None,
                    reason: self.lines("reason"),
                    review_date: review,
                    phone: opt(self.get("phone")),
                    id_number: opt(self.get("id_number")),
                };
                Box::new(move |_| Request::AddPerson { new: new.clone() })
            }
            FormKind::PersonVisit => {
                let date = self.date("date", ctx).ok()??;
                let method = self.choice("method", VisitMethod::parse)?;
                let finding = self.lines("finding");
                Box::new(move |t| Request::VisitPerson {
                    id: id(t),
                    seen: t.seen,
                    date,
                    method,
                    finding: finding.clone(),
                })
            }
            FormKind::Rollcall => {
                let new = NewRollcall {
                    unit: self.get("unit"),
                    date: None,
                    kind: self.choice("kind", RollcallKind::parse)?,
                    channel: self.choice("channel", Channel::parse)?,
                    text: self.get("text"),
                };
                if new.kind == RollcallKind::News && new.text.is_empty() {
                    self.fail("text", "报告“有情况”须写明情况");
                    return None;
                }
                Box::new(move |_| Request::RecordRollcall { new: new.clone() })
            }
            FormKind::PersonReview => {
                let extend = self.get("decision") == REVIEWS[0];
                let next = self.date("next", ctx).ok()?;
                if extend && next.is_none() {
                    self.fail("next", "延期列管须填下次复核日期");
                    return None;
                }
                let next = if extend { next } else { None };
                let reason = self.get("reason");
                Box::new(move |t| Request::ReviewPerson {
                    id: id(t),
                    seen: t.seen,
                    reason: reason.clone(),
                    next_review: next,
                })
            }
        })
    }

    fn flags(&mut self) -> Option<Vec<WarningFlag>> {
        let mut out = Vec::new();
        for name in split_multi(&self.get("flags")) {
            out.push(self.choice_text("flags", &name, WarningFlag::parse)?);
        }
        Some(out)
    }

    fn plan(&mut self, ctx: &Ctx) -> Option<Vec<PlanStep>> {
        let mut steps = Vec::new();
        for (n, line) in self.lines("plan").lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (date, text) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            match parse_date(date, ctx.today) {
                Ok(date) if !text.trim().is_empty() => steps.push(PlanStep {
                    date,
                    text: text.trim().to_string(),
                    done: false,
                }),
                Ok(_) => {
                    self.fail("plan", format!("第 {} 行只有日期，没有内容", n + 1));
                    return None;
                }
                Err(e) => {
                    self.fail("plan", format!("第 {} 行：{e}（每行：日期 内容）", n + 1));
                    return None;
                }
            }
        }
        Some(steps)
    }

    fn new_dispute(&mut self, ctx: &Ctx) -> Option<NewDispute> {
        let mut ok = true;
        let source = self.choice("source", Source::parse);
        let mut parties = Vec::new();
        let groups: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.key.starts_with("party") && f.key.ends_with(".name"))
            .map(|f| f.key.trim_end_matches(".name").to_string())
            .collect();
        for g in groups {
            let name = self.get(&format!("{g}.name"));
            let phone = self.get(&format!("{g}.phone"));
            if name.is_empty() {
                if !phone.is_empty() {
                    self.fail(&format!("{g}.name"), "填了电话，请同时填姓名");
                    ok = false;
                }
                continue;
            }
            let role =
                PartyRole::parse(&self.get(&format!("{g}.role"))).unwrap_or(PartyRole::Other);
            match Party::new(&name, role, (!phone.is_empty()).then_some(phone.as_str())) {
                Ok(p) => parties.push(p),
                Err(e) => {
                    let key = if e.to_string().contains("电话") {
                        "phone"
                    } else {
                        "name"
                    };
                    self.fail(&format!("{g}.{key}"), e.to_string());
                    ok = false;
                }
            }
        }
        for pick in split_multi(&self.get("persons")) {
            let pid = login_of(&pick);
            let Some(p) = ctx.persons.iter().find(|p| p.id == pid) else {
                self.fail("persons", format!("重点人员名单中没有“{pick}”"));
                ok = false;
                continue;
            };
            match parties.iter_mut().find(|x| x.name == p.name) {
                Some(x) => x.person_id = Some(p.id.clone()),
                None => parties.push(Party {
                    name: p.name.clone(),
                    role: PartyRole::Other,
                    phone: None,
                    person_id: Some(p.id.clone()),
                }),
            }
        }
        let people = self.get("people");
        let people_involved = if people.is_empty() {
            0
        } else {
            match people.parse::<u32>() {
                Ok(n) if n <= 100_000 => n,
                _ => {
                    self.fail("people", format!("涉及人数“{people}”应为整数，如 5"));
                    ok = false;
                    0
                }
            }
        };
        let amount_text = self.get("amount");
        let amount = if amount_text.is_empty() {
            None
        } else {
            match parse_amount(&amount_text) {
                Ok(a) => Some(a),
                Err(e) => {
                    self.fail("amount", e.to_string());
                    ok = false;
                    None
                }
            }
        };
        let flags = self.flags();
        let (source, flags) = (source?, flags?);
        if !ok {
            return None;
        }
        Some(NewDispute {
            village: self.get("village"),
            category: self.get("category"),
            source: Some(source),
            summary: self.lines("summary"),
            parties,
            people_involved,
            amount,
            flags,
            tier: None,
        })
    }
}
