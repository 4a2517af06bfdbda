//! The keyboard forms of the flows: which fields each has, their values as
//! text, checking them into Desk API requests, and drafts. Pure: no drawing,
//! no I/O. Every value is kept as the text the officer sees, so a draft is
//! just (field, text) pairs and survives any change of the form's shape.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::input::Input;
use crate::desk::api::{Lists, Request};
use crate::domain::dispute::{NewDispute, Party, PlanStep};
use crate::domain::lists::{
    ContactKind, Outcome, PartyRole, PersonCategory, RiskLevel, Role, Source, Tier, VisitMethod,
    WarningFlag,
};
use crate::domain::officer::Officer;
use crate::domain::person::{KeyPerson, NewPerson};
use crate::domain::summary::Summary;
use crate::domain::text::{clean_line, parse_amount, parse_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormKind {
    Register,
    Triage,
    Assign,
    Reject,
    Package,
    Note,
    Escalate,
    Close,
    Approve,
    Extend,
    Visit,
    PersonAdd,
    PersonVisit,
    PersonReview,
}

impl FormKind {
    pub fn title(self) -> &'static str {
        match self {
            FormKind::Register => "登记矛盾纠纷",
            FormKind::Triage => "研判",
            FormKind::Assign => "交办（四定）",
            FormKind::Reject => "退回",
            FormKind::Package => "领导包案（一案一策）",
            FormKind::Note => "添加进展",
            FormKind::Escalate => "上报 / 交办下级",
            FormKind::Close => "化解销号",
            FormKind::Approve => "包案领导审批",
            FormKind::Extend => "申请延期",
            FormKind::Visit => "回访",
            FormKind::PersonAdd => "登记重点人员",
            FormKind::PersonVisit => "走访重点人员",
            FormKind::PersonReview => "复核重点人员",
        }
    }

    /// The word for the status line once done (已交办 …).
    pub fn done_word(self) -> &'static str {
        match self {
            FormKind::Register => "已登记",
            FormKind::Triage => "已研判",
            FormKind::Assign => "已交办",
            FormKind::Reject => "已退回",
            FormKind::Package => "已包案",
            FormKind::Note => "已添加进展",
            FormKind::Escalate => "已调整层级",
            FormKind::Close => "已提交销号",
            FormKind::Approve => "已审批",
            FormKind::Extend => "已申请延期",
            FormKind::Visit => "已记录回访",
            FormKind::PersonAdd => "已登记重点人员",
            FormKind::PersonVisit => "已记录走访",
            FormKind::PersonReview => "已复核",
        }
    }

    /// Whether the form acts on a key person rather than a dispute.
    pub fn on_person(self) -> bool {
        matches!(self, FormKind::PersonVisit | FormKind::PersonReview)
    }
}

/// Where a choice's options come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Options {
    Fixed(Vec<String>),
    Villages,
    Categories,
    Units,
    /// 领导 and 管理员: 牵头领导, 包案领导.
    Leaders,
    /// Everyone but 只读: 责任人, 包案工作组, 联系干部.
    Workers,
    /// Key persons on the register (to link as parties).
    Persons,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// Several lines: Enter starts a new line.
    Lines,
    Date,
    Number,
    /// One value from a list; Enter opens the picker, ←/→ step through.
    Choice(Options),
    /// Several values from a list, shown joined by 、.
    Multi(Options),
    /// 是 / 否.
    Toggle,
    /// A row that adds another party.
    AddParty,
    Submit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    pub label: String,
    pub required: bool,
    pub kind: FieldKind,
    pub input: Input,
    pub error: Option<String>,
    /// Grey help shown after the label (default deadline, format …).
    pub hint: Option<String>,
}

impl Field {
    fn new(key: &str, label: &str, required: bool, kind: FieldKind) -> Field {
        Field {
            key: key.to_string(),
            label: label.to_string(),
            required,
            kind,
            input: Input::default(),
            error: None,
            hint: None,
        }
    }

    fn value(mut self, text: &str) -> Field {
        self.input.set(text);
        self
    }

    fn hint(mut self, text: impl Into<String>) -> Field {
        self.hint = Some(text.into());
        self
    }

    pub fn text(&self) -> String {
        self.input.text()
    }

    /// Whether the field takes typed text directly.
    pub fn is_typed(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Text | FieldKind::Lines | FieldKind::Date | FieldKind::Number
        )
    }
}

/// A record a form acts on, with the revision the officer saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub seen: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    /// Empty for a registration; several for a bulk action.
    pub targets: Vec<Target>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The server's refusal, shown under the form; the form stays open.
    pub error: Option<String>,
    /// Live lines: the risk score while triaging, a duplicate warning.
    pub live: Vec<String>,
    /// An open dispute with the same party in the same village.
    pub duplicate: Option<String>,
    /// Requests sent and not yet answered.
    pub pending: usize,
    pub failures: Vec<String>,
    pub successes: Vec<String>,
    /// Changed since the draft was last sent.
    pub dirty: bool,
}

/// What the form needs to know about the desk.
pub struct Ctx<'a> {
    pub today: NaiveDate,
    pub lists: &'a Lists,
    pub officers: &'a HashMap<String, Officer>,
    pub persons: &'a [KeyPerson],
}

fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Options {
    Options::Fixed(all.iter().map(|v| label(*v).to_string()).collect())
}

const SATISFACTION: [&str; 3] = ["满意", "基本满意", "不满意"];
const DECISIONS: [&str; 2] = ["同意", "不同意"];
const REVIEWS: [&str; 2] = ["延期列管", "解除列管"];
pub const YES: &str = "是";
pub const NO: &str = "否";

fn party_fields(n: usize) -> Vec<Field> {
    let role = if n == 1 {
        PartyRole::Applicant
    } else {
        PartyRole::Respondent
    };
    vec![
        Field::new(
            &format!("party{n}.name"),
            &format!("当事人{n} 姓名"),
            n == 1,
            FieldKind::Text,
        ),
        Field::new(
            &format!("party{n}.role"),
            &format!("当事人{n} 身份"),
            false,
            FieldKind::Choice(labels(PartyRole::ALL, PartyRole::label)),
        )
        .value(role.label()),
        Field::new(
            &format!("party{n}.phone"),
            &format!("当事人{n} 电话"),
            false,
            FieldKind::Text,
        )
        .hint("可不填"),
    ]
}

impl Form {
    fn with(kind: FormKind, targets: Vec<Target>, mut fields: Vec<Field>) -> Form {
        fields.push(Field::new("submit", "提交", false, FieldKind::Submit));
        Form {
            kind,
            targets,
            fields,
            focus: 0,
            error: None,
            live: Vec::new(),
            duplicate: None,
            pending: 0,
            failures: Vec::new(),
            successes: Vec::new(),
            dirty: false,
        }
    }

    /// A new form. `summary` is the dispute a form acts on (the first, for a
    /// bulk action), `person` the key person.
    pub fn new(
        kind: FormKind,
        targets: Vec<Target>,
        summary: Option<&Summary>,
        person: Option<&KeyPerson>,
        ctx: &Ctx,
    ) -> Form {
        let risk = labels(RiskLevel::ALL, RiskLevel::label);
        let tiers = labels(Tier::ALL, Tier::label);
        let fields = match kind {
            FormKind::Register => {
                let mut f = vec![
                    Field::new(
                        "village",
                        "村(社区)",
                        true,
                        FieldKind::Choice(Options::Villages),
                    ),
                    Field::new(
                        "category",
                        "纠纷类型",
                        true,
                        FieldKind::Choice(Options::Categories),
                    ),
                    Field::new(
                        "source",
                        "来源",
                        true,
                        FieldKind::Choice(labels(Source::ALL, Source::label)),
                    )
                    .value(Source::Visit.label()),
                    Field::new("summary", "矛盾情况", true, FieldKind::Text),
                ];
                f.extend(party_fields(1));
                f.extend(party_fields(2));
                f.push(Field::new(
                    "add_party",
                    "＋ 再添一位当事人",
                    false,
                    FieldKind::AddParty,
                ));
                f.extend([
                    Field::new(
                        "persons",
                        "涉及重点人员",
                        false,
                        FieldKind::Multi(Options::Persons),
                    )
                    .hint("当事人在重点人员名单上时关联"),
                    Field::new("people", "涉及人数", false, FieldKind::Number),
                    Field::new("amount", "涉及金额", false, FieldKind::Text)
                        .hint("如 3万元、12000"),
                    Field::new(
                        "flags",
                        "预警情形",
                        false,
                        FieldKind::Multi(labels(WarningFlag::ALL, WarningFlag::label)),
                    ),
                ]);
                f
            }
            FormKind::Triage => {
                let s = summary;
                vec![
                    Field::new("risk", "风险等级", true, FieldKind::Choice(risk))
                        .value(s.and_then(|s| s.risk).unwrap_or(RiskLevel::Medium).label()),
                    Field::new(
                        "flags",
                        "预警情形",
                        false,
                        FieldKind::Multi(labels(WarningFlag::ALL, WarningFlag::label)),
                    )
                    .value(
                        &s.map(|s| join(s.flags.iter().map(|f| f.label())))
                            .unwrap_or_default(),
                    ),
                    Field::new("tier", "化解层级", true, FieldKind::Choice(tiers))
                        .value(s.map(|s| s.tier).unwrap_or(Tier::Village).label()),
                ]
            }
            FormKind::Assign => {
                let days = summary
                    .and_then(|s| s.risk)
                    .map(|r| (r, ctx.lists.settings.deadline_days_for(r)));
                let hint = match days {
                    Some((r, d)) => format!(
                        "不填按风险等级“{}”默认 {} 天：{}",
                        r.label(),
                        d,
                        ctx.today + chrono::Days::new(u64::from(d))
                    ),
                    None => "不填按风险等级默认".into(),
                };
                vec![
                    Field::new(
                        "leader",
                        "牵头领导",
                        true,
                        FieldKind::Choice(Options::Leaders),
                    )
                    .value(
                        &summary
                            .and_then(|s| s.leader.clone())
                            .map(|l| officer_text(ctx, &l))
                            .unwrap_or_default(),
                    ),
                    Field::new("unit", "责任单位", true, FieldKind::Choice(Options::Units)),
                    Field::new(
                        "person",
                        "责任人",
                        true,
                        FieldKind::Choice(Options::Workers),
                    ),
                    Field::new("deadline", "化解时限", false, FieldKind::Date).hint(hint),
                ]
            }
            FormKind::Reject => vec![Field::new("reason", "退回理由", true, FieldKind::Text)],
            FormKind::Package => vec![
                Field::new(
                    "leader",
                    "包案领导",
                    true,
                    FieldKind::Choice(Options::Leaders),
                ),
                Field::new(
                    "team",
                    "工作专班",
                    false,
                    FieldKind::Multi(Options::Workers),
                ),
                Field::new("plan", "一案一策", false, FieldKind::Lines)
                    .hint("每行一步：日期 内容，如 11月28日 召开联合调解会"),
                Field::new("deadline", "包案时限", true, FieldKind::Date),
            ],
            FormKind::Note => vec![
                Field::new(
                    "kind",
                    "方式",
                    true,
                    FieldKind::Choice(labels(ContactKind::ALL, ContactKind::label)),
                )
                .value(ContactKind::Visit.label()),
                Field::new("text", "进展情况", true, FieldKind::Lines),
            ],
            FormKind::Escalate => vec![
                Field::new("to", "调整到", true, FieldKind::Choice(tiers)).value(
                    summary
                        .map(|s| match s.tier {
                            Tier::Village => Tier::Township,
                            _ => Tier::County,
                        })
                        .unwrap_or(Tier::Township)
                        .label(),
                ),
                Field::new("reason", "理由", true, FieldKind::Text),
            ],
            FormKind::Close => vec![
                Field::new(
                    "outcome",
                    "化解结果",
                    true,
                    FieldKind::Choice(labels(Outcome::ALL, Outcome::label)),
                )
                .value(Outcome::WrittenAgreement.label()),
                Field::new("summary", "化解情况", true, FieldKind::Text),
            ],
            FormKind::Approve => vec![
                Field::new(
                    "decision",
                    "审批意见",
                    true,
                    FieldKind::Choice(Options::Fixed(owned(&DECISIONS))),
                )
                .value(DECISIONS[0]),
                Field::new("comment", "批示", false, FieldKind::Text),
            ],
            FormKind::Extend => vec![
                Field::new("deadline", "延至", true, FieldKind::Date),
                Field::new("reason", "延期理由", true, FieldKind::Text),
            ],
            FormKind::Visit => vec![
                Field::new(
                    "method",
                    "回访方式",
                    true,
                    FieldKind::Choice(labels(VisitMethod::ALL, VisitMethod::label)),
                )
                .value(VisitMethod::Home.label()),
                Field::new("honoured", "协议是否履行", true, FieldKind::Toggle).value(YES),
                Field::new(
                    "satisfaction",
                    "当事人满意度",
                    true,
                    FieldKind::Choice(Options::Fixed(owned(&SATISFACTION))),
                )
                .value(SATISFACTION[0]),
                Field::new("rebound", "有无反弹迹象", true, FieldKind::Toggle).value(NO),
                Field::new("finding", "回访情况及所做工作", true, FieldKind::Text),
                Field::new("reopen", "重新办理", true, FieldKind::Toggle)
                    .value(NO)
                    .hint("纠纷反弹时选“是”，案件回到调处中"),
            ],
            FormKind::PersonAdd => vec![
                Field::new("name", "姓名", true, FieldKind::Text),
                Field::new(
                    "village",
                    "村(社区)",
                    true,
                    FieldKind::Choice(Options::Villages),
                ),
                Field::new(
                    "category",
                    "人员类别",
                    true,
                    FieldKind::Choice(labels(PersonCategory::ALL, PersonCategory::label)),
                ),
                Field::new("risk", "风险等级", true, FieldKind::Choice(risk))
                    .value(RiskLevel::Medium.label()),
                Field::new(
                    "officer",
                    "联系干部",
                    true,
                    FieldKind::Choice(Options::Workers),
                ),
                Field::new("reason", "列管理由", true, FieldKind::Text),
                Field::new("review", "复核日期", true, FieldKind::Date)
                    .hint("到期须复核：延期或解除"),
                Field::new("phone", "电话", false, FieldKind::Text),
                Field::new("id_number", "身份证号", false, FieldKind::Text),
            ],
            FormKind::PersonVisit => vec![
                Field::new("date", "走访日期", true, FieldKind::Date).value(&ctx.today.to_string()),
                Field::new(
                    "method",
                    "方式",
                    true,
                    FieldKind::Choice(labels(VisitMethod::ALL, VisitMethod::label)),
                )
                .value(VisitMethod::Home.label()),
                Field::new("finding", "走访情况", true, FieldKind::Text),
            ],
            FormKind::PersonReview => vec![
                Field::new(
                    "decision",
                    "复核结论",
                    true,
                    FieldKind::Choice(Options::Fixed(owned(&REVIEWS))),
                )
                .value(REVIEWS[0]),
                Field::new("reason", "理由", true, FieldKind::Text),
                Field::new("next", "下次复核日期", false, FieldKind::Date).hint(
                    person
                        .map(|p| format!("延期列管时必填；本次复核日期 {}", p.review_date))
                        .unwrap_or_else(|| "延期列管时必填".into()),
                ),
            ],
        };
        Form::with(kind, targets, fields)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn get(&self, key: &str) -> String {
        self.field(key)
            .map(|f| clean_line(&f.text()))
            .unwrap_or_default()
    }

    /// A multi-line value: lines kept, each cleaned.
    fn lines(&self, key: &str) -> String {
        self.field(key)
            .map(|f| {
                f.text()
                    .split('\n')
                    .map(clean_line)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string()
            })
            .unwrap_or_default()
    }

    pub fn set(&mut self, key: &str, text: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.input.set(text);
            f.error = None;
            self.dirty = true;
        }
    }

    fn fail(&mut self, key: &str, message: impl Into<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.error = Some(message.into());
        }
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn focused_mut(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }

    /// The next field; from 提交 round to the first.
    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    /// Whether anything was typed or chosen (a cancel then asks first).
    pub fn touched(&self) -> bool {
        self.dirty
    }

    /// Adds a party's three rows before the add-party row and moves there.
    pub fn add_party(&mut self) {
        let Some(at) = self
            .fields
            .iter()
            .position(|f| f.kind == FieldKind::AddParty)
        else {
            return;
        };
        let n = self
            .fields
            .iter()
            .filter(|f| f.key.starts_with("party") && f.key.ends_with(".name"))
            .count()
            + 1;
        for (i, f) in party_fields(n).into_iter().enumerate() {
            self.fields.insert(at + i, f);
        }
        self.focus = at;
        self.dirty = true;
    }

    /// Steps a choice or toggle by `delta` through its options.
    pub fn step(&mut self, delta: i64, ctx: &Ctx) {
        let f = &self.fields[self.focus];
        let options = match &f.kind {
            FieldKind::Choice(o) => option_values(o, ctx),
            FieldKind::Toggle => vec![YES.to_string(), NO.to_string()],
            _ => return,
        };
        if options.is_empty() {
            return;
        }
        let text = f.text();
        let n = options.len() as i64;
        let next = match options.iter().position(|o| *o == text) {
            Some(i) => (i as i64 + delta).rem_euclid(n),
            None if delta > 0 => 0,
            None => n - 1,
        };
        let value = options[next as usize].clone();
        let key = f.key.clone();
        self.set(&key, &value);
    }

    /// Checks every field and builds the requests: one per target (one for
    /// a registration). On a problem the fields say what, and None.
    pub fn requests(&mut self, ctx: &Ctx) -> Option<Vec<(String, Request)>> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let missing: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.required && clean_line(&f.text()).is_empty())
            .map(|f| f.key.clone())
            .collect();
        for key in &missing {
            let label = self.field(key).map(|f| f.label.clone()).unwrap_or_default();
            self.fail(key, format!("{label}为必填项"));
        }
        let built = self.build(ctx);
        if !missing.is_empty() {
            return None;
        }
        let make = built?;
        if self.targets.is_empty() {
            return Some(vec![(
                String::new(),
                make(&Target {
                    id: String::new(),
                    seen: None,
                }),
            )]);
        }
        Some(
            self.targets
                .iter()
                .map(|t| (t.id.clone(), make(t)))
                .collect(),
        )
    }

    fn date(&mut self, key: &str, ctx: &Ctx) -> Result<Option<NaiveDate>, ()> {
        let text = self.get(key);
        if text.is_empty() {
            return Ok(None);
        }
        match parse_date(&text, ctx.today) {
            Ok(d) => Ok(Some(d)),
            Err(e) => {
                self.fail(key, e.to_string());
                Err(())
            }
        }
    }

    fn choice<T>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    ) -> Option<T> {
        match parse(&self.get(key)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(key, e.to_string());
                None
            }
        }
    }

    /// The request builder for this form's values, checked; None on a problem.
    #[allow(clippy::type_complexity)]
    fn build(&mut self, ctx: &Ctx) -> Option<Box<dyn Fn(&Target) -> Request>> {
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

    fn choice_text<T>(
        &mut self,
        key: &str,
        text: &str,
        parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    ) -> Option<T> {
        match parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(key, e.to_string());
                None
            }
        }
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

    /// The parties as typed, for the duplicate check.
    pub fn party_names(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.key.starts_with("party") && f.key.ends_with(".name"))
            .map(|f| clean_line(&f.text()))
            .filter(|n| !n.is_empty())
            .collect()
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

    pub fn draft(&self) -> Draft {
        Draft {
            kind: self.kind,
            targets: self.targets.clone(),
            values: self
                .fields
                .iter()
                .filter(|f| !matches!(f.kind, FieldKind::Submit | FieldKind::AddParty))
                .map(|f| (f.key.clone(), f.text()))
                .collect(),
            focus: self.focus,
        }
    }

    /// A form rebuilt from its draft.
    pub fn from_draft(
        d: &Draft,
        summary: Option<&Summary>,
        person: Option<&KeyPerson>,
        ctx: &Ctx,
    ) -> Form {
        let mut f = Form::new(d.kind, d.targets.clone(), summary, person, ctx);
        for (key, _) in &d.values {
            while f.field(key).is_none()
                && key.starts_with("party")
                && f.fields.iter().any(|x| x.kind == FieldKind::AddParty)
            {
                let before = f.fields.len();
                f.add_party();
                if f.fields.len() == before {
                    break;
                }
            }
        }
        for (key, value) in &d.values {
            f.set(key, value);
        }
        f.focus = d.focus.min(f.fields.len() - 1);
        f.dirty = false;
        f
    }
}

/// An unsent form as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub kind: FormKind,
    pub targets: Vec<Target>,
    pub values: Vec<(String, String)>,
    pub focus: usize,
}

impl Draft {
    /// Whether anything was filled in.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(|(_, v)| v.trim().is_empty())
    }
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("、")
}

pub fn split_multi(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；'])
        .map(clean_line)
        .filter(|s| !s.is_empty())
        .collect()
}

/// "郑国庆（ld1）" → "ld1"; text without the bracket is passed on as typed
/// (the server accepts a login or a name).
pub fn login_of(text: &str) -> String {
    match (text.rfind('（'), text.rfind('）')) {
        (Some(a), Some(b)) if b > a => text[a + '（'.len_utf8()..b].trim().to_string(),
        _ => text.trim().to_string(),
    }
}

fn officer_text(ctx: &Ctx, login: &str) -> String {
    match ctx.officers.get(login) {
        Some(o) => format!("{}（{}）", o.name, o.login),
        None => login.to_string(),
    }
}

/// The values a choice offers, as shown and stored in the field.
pub fn option_values(o: &Options, ctx: &Ctx) -> Vec<String> {
    let officers = |keep: fn(&Officer) -> bool| {
        let mut v: Vec<&Officer> = ctx
            .officers
            .values()
            .filter(|o| o.active && keep(o))
            .collect();
        v.sort_by(|a, b| a.login.cmp(&b.login));
        v.into_iter()
            .map(|o| format!("{}（{}）", o.name, o.login))
            .collect()
    };
    match o {
        Options::Fixed(v) => v.clone(),
        Options::Villages => ctx.lists.villages.clone(),
        Options::Categories => ctx.lists.categories.clone(),
        Options::Units => ctx.lists.units.clone(),
        Options::Leaders => officers(|o| matches!(o.role, Role::Leader | Role::Admin)),
        Options::Workers => officers(|o| o.role != Role::ReadOnly),
        Options::Persons => ctx
            .persons
            .iter()
            .filter(|p| p.is_active())
            .map(|p| format!("{} {}（{}）", p.village, p.name, p.id))
            .collect(),
    }
}
