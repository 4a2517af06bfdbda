//! Which fields each flow's form has, what they offer and what they start
//! with (a case's current risk, the default deadline, today's date).

use super::*;

pub(super) fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Options {
    Options::Fixed(all.iter().map(|v| label(*v).to_string()).collect())
}

const SATISFACTION: [&str; 3] = ["满意", "基本满意", "不满意"];
pub(super) const DECISIONS: [&str; 2] = ["同意", "不同意"];
pub(super) const REVIEWS: [&str; 2] = ["延期列管", "解除列管"];

/// A required choice that starts on `default`.
fn choice(key: &str, label: &str, options: Options, default: &str) -> Field {
    Field::new(key, label, true, FieldKind::Choice(options)).value(default)
}

pub(super) fn party_fields(n: usize) -> Vec<Field> {
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
                    choice(
                        "source",
                        "来源",
                        labels(Source::ALL, Source::label),
                        Source::Visit.label(),
                    ),
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
                choice(
                    "kind",
                    "方式",
                    labels(ContactKind::ALL, ContactKind::label),
                    ContactKind::Visit.label(),
                ),
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
                choice(
                    "outcome",
                    "化解结果",
                    labels(Outcome::ALL, Outcome::label),
                    Outcome::WrittenAgreement.label(),
                ),
                Field::new("summary", "化解情况", true, FieldKind::Text),
            ],
            FormKind::Approve => vec![
                choice(
                    "decision",
                    "审批意见",
                    Options::Fixed(owned(&DECISIONS)),
                    DECISIONS[0],
                ),
                Field::new("comment", "批示", false, FieldKind::Text),
            ],
            FormKind::Extend => vec![
                Field::new("deadline", "延至", true, FieldKind::Date),
                Field::new("reason", "延期理由", true, FieldKind::Text),
            ],
            FormKind::Visit => vec![
                choice(
                    "method",
                    "回访方式",
                    labels(VisitMethod::ALL, VisitMethod::label),
                    VisitMethod::Home.label(),
                ),
                Field::new("honoured", "协议是否履行", true, FieldKind::Toggle).value(YES),
                choice(
                    "satisfaction",
                    "当事人满意度",
                    Options::Fixed(owned(&SATISFACTION)),
                    SATISFACTION[0],
                ),
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
                choice(
                    "method",
                    "方式",
                    labels(VisitMethod::ALL, VisitMethod::label),
                    VisitMethod::Home.label(),
                ),
                Field::new("finding", "走访情况", true, FieldKind::Text),
            ],
            FormKind::PersonReview => vec![
                choice(
                    "decision",
                    "复核结论",
                    Options::Fixed(owned(&REVIEWS)),
                    REVIEWS[0],
                ),
                Field::new("reason", "理由", true, FieldKind::Text),
                Field::new("next", "下次复核日期", false, FieldKind::Date).hint(
                    person
                        .map(|p| format!("延期列管时必填；本次复核日期 {}", p.review_date))
                        .unwrap_or_else(|| "延期列管时必填".into()),
                ),
            ],
            FormKind::Rollcall => vec![
                Field::new(
                    "unit",
                    "村(社区)/单位",
                    true,
                    FieldKind::Choice(Options::Reporters),
                ),
                choice(
                    "kind",
                    "报告类型",
                    labels(RollcallKind::ALL, RollcallKind::label),
                    RollcallKind::Zero.label(),
                ),
                choice(
                    "channel",
                    "报告方式",
                    labels(Channel::ALL, Channel::label),
                    Channel::Phone.label(),
                ),
                Field::new("text", "报告内容", false, FieldKind::Text)
                    .hint("有情况时必填：说了什么"),
            ],
        };
        Form::with(kind, targets, fields)
    }
}

fn officer_text(ctx: &Ctx, login: &str) -> String {
    match ctx.officers.get(login) {
        Some(o) => format!("{}（{}）", o.name, o.login),
        None => login.to_string(),
    }
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("、")
}
