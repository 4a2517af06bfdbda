//! Synthetic demo and benchmark data: generated Chinese names, a dozen
//! villages, categories in realistic proportion, cases spread over every state.
//! Deterministic for a given seed and "today". No real person appears here.

use chrono::{Days, Duration, NaiveDate, TimeZone};

use crate::desk::clock::china;
use crate::domain::dispute::{Dispute, NewDispute, Party, PlanStep, Time};
use crate::domain::lists::{
    ContactKind, Outcome, PartyRole, PersonCategory, RiskLevel, Role, Source, Tier, VisitMethod,
    WarningFlag, DEFAULT_CATEGORIES, DEFAULT_UNITS,
};
use crate::domain::officer::Officer;
use crate::domain::person::{KeyPerson, NewPerson};
use crate::domain::settings::Settings;
use crate::store::{Store, StoreError, Tx};

/// SplitMix64: small, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// Picks by weight from (item, weight) pairs.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, w) in items {
            if roll < *w {
                return item;
            }
            roll -= w;
        }
        &items[0].0
    }
}

pub const VILLAGES: &[&str] = &[
    "东河村",
    "西岗村",
    "赵庄村",
    "李家湾村",
    "柳树屯村",
    "石桥村",
    "王楼村",
    "青山村",
    "马集村",
    "南湾社区",
    "新华社区",
    "杨柳社区",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "桂兰", "春生", "玉梅", "德华", "志强", "丽娟", "海涛", "凤英", "国庆", "红梅",
    "振华", "淑珍", "明亮", "金花", "宝山", "翠兰", "永福", "晓燕", "大勇", "小芳", "文斌", "雪梅",
    "长江", "桂芝", "士杰", "秋菊", "立新", "美玲", "卫东", "素琴", "家宝", "彩霞", "树林", "爱华",
];

pub fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// Phone numbers in a range no carrier hands out to people (199 0000 xxxx).
fn phone(rng: &mut Rng) -> String {
    format!("1990000{:04}", rng.below(10_000))
}

/// Categories in the proportions township ledgers show: neighbours, family and land first.
const CATEGORY_WEIGHTS: &[(&str, u64)] = &[
    ("邻里", 18),
    ("婚姻家庭", 15),
    ("房屋宅基地", 12),
    ("经济债务/借贷", 10),
    ("山林土地", 8),
    ("劳资/欠薪", 8),
    ("土地承包流转", 6),
    ("交通事故/损害赔偿", 5),
    ("恋爱情感", 3),
    ("征地拆迁", 3),
    ("物业", 3),
    ("生产经营/合同", 3),
    ("环境污染", 2),
    ("医疗卫生(医患)", 2),
    ("村务管理", 2),
    ("其他", 2),
];

/// How an officer's note goes on: most add nothing alarming; some note the
/// mood or the history (积怨, 上访), a few a threat or a scuffle. The desk
/// reads the flags from these words, as it does from any officer's text.
const SIGNALS: &[(&str, u64)] = &[
    ("", 820),
    ("，双方情绪激动，言语冲突", 50),
    ("，双方积怨已久，多次调解未果", 45),
    ("，{a}已多次上访反映此事", 35),
    ("，曾发生推搡", 25),
    ("，{a}扬言要讨个说法，不解决就去上访", 15),
    ("，{a}扬言要找{b}算账", 6),
    ("，{a}情绪失控，称活不下去了", 4),
];

/// The milder signs a fresh call often carries (情绪激烈, 积怨较深, 重复信访).
const MILD_SIGNALS: &[(&str, u64)] = &[
    ("，双方情绪激动，言语冲突", 40),
    ("，双方积怨已久，多次调解未果", 35),
    ("，{a}已多次上访反映此事", 25),
];

fn situation(rng: &mut Rng, category: &str, a: &str, b: &str, signals: &[(&str, u64)]) -> String {
    let texts: &[&str] = match category {
        "邻里" => &[
            "{a}与{b}因房后排水沟堵塞发生争吵，双方互不相让",
            "{a}与{b}因院墙滴水问题多次口角",
            "{a}家树木遮挡{b}家采光，协商未果",
        ],
        "婚姻家庭" => &[
            "{a}与{b}夫妻感情不和，因离婚财产分割发生纠纷",
            "{a}与儿媳{b}因赡养老人问题矛盾激化",
            "{a}与{b}因子女抚养费问题争执",
        ],
        "房屋宅基地" => &[
            "{a}与{b}因宅基地界址不清发生争议",
            "{a}翻建房屋占用{b}家通道，双方争执",
        ],
        "经济债务/借贷" => &[
            "{b}借{a}款项到期未还，{a}多次催讨无果",
            "{a}与{b}合伙经营后结算分歧",
        ],
        "山林土地" => &[
            "{a}与{b}因山林界线不清发生争议",
            "{a}与{b}因承包地边界发生纠纷",
        ],
        "劳资/欠薪" => &[
            "{a}等工人反映{b}拖欠工资，情绪激动",
            "{a}在{b}处务工受伤，赔偿未谈妥",
        ],
        "土地承包流转" => &["{a}与{b}因土地流转租金支付问题发生纠纷"],
        "交通事故/损害赔偿" => &["{a}与{b}发生交通事故，赔偿金额分歧较大"],
        _ => &["{a}与{b}因{c}问题发生纠纷，需调解"],
    };
    let text = format!("{}{}", rng.pick(texts), rng.weighted(signals));
    text.replace("{a}", a)
        .replace("{b}", b)
        .replace("{c}", category)
}

/// The categories the desk reads against (the default list the demo keeps).
fn categories() -> &'static [String] {
    static CATEGORIES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect());
    &CATEGORIES
}

/// A case in its first three days waits at the desk this often (%): about
/// 1–2% of the open cases are fresh, untriaged calls with mild signs, the
/// competition a new threat must beat to the top of 风险队列.
const FRESH_UNTRIAGED: u64 = 15;

const SOURCE_WEIGHTS: &[(Source, u64)] = &[
    (Source::Screening, 30),
    (Source::GridReport, 25),
    (Source::Visit, 18),
    (Source::Call, 12),
    (Source::Online, 5),
    (Source::HigherAssigned, 4),
    (Source::DepartmentReferral, 3),
    (Source::Petition, 3),
];

/// The demo roster: a few leaders, duty officers, people who do the work, an inspector.
pub fn roster(admin_login: &str) -> Vec<Officer> {
    let mut rng = Rng::new(7);
    let mut list = vec![
        ("ld1", "镇党委", Role::Leader),
        ("ld2", "镇政府", Role::Leader),
        ("ld3", "派出所", Role::Leader),
        ("zb1", "综治中心", Role::DutyOfficer),
        ("zb2", "综治中心", Role::DutyOfficer),
        ("zb3", "派出所", Role::DutyOfficer),
        ("tj1", "司法所", Role::Responsible),
        ("tj2", "司法所", Role::Responsible),
        ("mj1", "派出所", Role::Responsible),
        ("mj2", "派出所", Role::Responsible),
        ("wg1", "村(社区)调委会", Role::Responsible),
        ("wg2", "村(社区)调委会", Role::Responsible),
        ("ck1", "县综治中心", Role::ReadOnly),
    ]
    .into_iter()
    .map(|(login, unit, role)| Officer {
        login: login.to_string(),
        name: name(&mut rng),
        unit: unit.to_string(),
        role,
        active: true,
    })
    .collect::<Vec<_>>();
    if !list.iter().any(|o| o.login == admin_login) {
        list.push(Officer {
            login: admin_login.to_string(),
            name: "系统管理员".to_string(),
            unit: "综治中心".to_string(),
            role: Role::Admin,
            active: true,
        });
    }
    list
}

const LEADERS: &[&str] = &["ld1", "ld2", "ld3"];
const WORKERS: &[&str] = &["tj1", "tj2", "mj1", "mj2", "wg1", "wg2"];
const DESK: &[&str] = &["zb1", "zb2", "zb3"];

/// Generates one dispute registered at `at`, moved through the workflow by
/// `now` to a state that depends on its age.
pub fn dispute(rng: &mut Rng, id: String, at: Time, now: Time, settings: &Settings) -> Dispute {
    let fresh = (now - at).num_days() < 3 && rng.chance(FRESH_UNTRIAGED);
    let new = new_dispute(rng, if fresh { MILD_SIGNALS } else { SIGNALS });
    let desk = rng.pick(DESK).to_string();
    let mut d = Dispute::register(id, new, &desk, at).expect("generated dispute is valid");
    // Registered as the desk registers: the signs in the text are read.
    let text = d.summary.clone();
    d.read_flags(&text, categories(), &desk, at);
    if fresh {
        return d;
    }
    let mut walk = Walk {
        rng,
        t: at,
        now,
        age_days: (now - at).num_days(),
        desk,
        settings,
    };
    walk.work_through(&mut d);
    // A desk acknowledges an alert within the hour; only the last two days'
    // are still waiting, as on a working desk.
    if let Some(raised) = d.open_alert().map(|a| a.raised_at) {
        if (now - raised).num_days() >= 2 {
            let by = d.registered_by.clone();
            let _ = d.ack_alerts(&by, raised + chrono::Duration::minutes(20));
        }
    }
    d
}

/// What an officer registers: village, category, parties, the situation.
fn new_dispute(rng: &mut Rng, signals: &[(&str, u64)]) -> NewDispute {
    let village = rng.pick(VILLAGES).to_string();
    let category = rng.weighted(CATEGORY_WEIGHTS).to_string();
    let a = name(rng);
    // Two different people: a dispute with oneself reads as a mistake.
    let b = std::iter::repeat_with(|| name(rng))
        .find(|b| *b != a)
        .expect("names vary");
    let parties = parties(rng, &a, &b);
    let labor = category == "劳资/欠薪";
    NewDispute {
        village,
        category: category.clone(),
        source: Some(*rng.weighted(SOURCE_WEIGHTS)),
        summary: situation(rng, &category, &a, &b, signals),
        parties,
        people_involved: if labor {
            3 + rng.below(30) as u32
        } else {
            2 + rng.below(3) as u32
        },
        amount: rng.chance(45).then(|| (1 + rng.below(60)) * 1000),
        flags: vec![],
        tier: None,
    }
}

/// Applicant `a`, respondent `b`, now and then a third party.
fn parties(rng: &mut Rng, a: &str, b: &str) -> Vec<Party> {
    let mut parties = vec![
        Party {
            name: a.to_string(),
            role: PartyRole::Applicant,
            phone: rng.chance(60).then(|| phone(rng)),
            person_id: None,
        },
        Party {
            name: b.to_string(),
            role: PartyRole::Respondent,
            phone: rng.chance(40).then(|| phone(rng)),
            person_id: None,
        },
    ];
    if rng.chance(10) {
        parties.push(Party {
            name: name(rng),
            role: PartyRole::Other,
            phone: None,
            person_id: None,
        });
    }
    parties
}

/// A generated case on its way through the workflow: the clock `t` moves
/// on a random number of hours per step, and the case stops where a step
/// passes `now`. Each stage returns `None` where the case stops.
struct Walk<'a> {
    rng: &'a mut Rng,
    t: Time,
    now: Time,
    age_days: i64,
    /// The duty officer who registered the case.
    desk: String,
    settings: &'a Settings,
}

impl Walk<'_> {
    fn step(&mut self, max_hours: u64) -> bool {
        self.t += Duration::hours(1 + self.rng.below(max_hours) as i64);
        self.t <= self.now
    }

    fn work_through(&mut self, d: &mut Dispute) -> Option<()> {
        let risk = self.triage(d)?;
        let (leader, worker, days) = self.assign(d, risk)?;
        self.accept(d, &leader, &worker, days)?;
        self.add_notes(d, &worker)?;
        self.supervise_if_overdue(d);
        self.close(d, &leader, &worker)?;
        self.follow_up(d, &worker);
        Some(())
    }

    /// 研判: most cases within a day.
    fn triage(&mut self, d: &mut Dispute) -> Option<RiskLevel> {
        // Only this month's cases may still wait at the desk.
        if !(self.step(20) && (self.age_days > 30 || self.rng.chance(96))) {
            return None;
        }
        let risk = *self.rng.weighted(&[
            (RiskLevel::Low, 45),
            (RiskLevel::Medium, 33),
            (RiskLevel::High, 17),
            (RiskLevel::Critical, 5),
        ]);
        // The desk keeps what the text gave away, and adds what it finds.
        let mut flags = self.flags(risk);
        flags.extend(d.flags.iter().copied());
        let tier = if matches!(risk, RiskLevel::High | RiskLevel::Critical) {
            Tier::Township
        } else {
            Tier::Village
        };
        d.triage(risk, flags, Some(tier), &self.desk, self.t)
            .expect("triage");
        Some(risk)
    }

    /// Warning flags, likelier the higher the risk.
    fn flags(&mut self, risk: RiskLevel) -> Vec<WarningFlag> {
        let flag_odds = match risk {
            RiskLevel::Low => 3,
            RiskLevel::Medium => 12,
            RiskLevel::High => 35,
            RiskLevel::Critical => 70,
        };
        let mut flags = Vec::new();
        for f in WarningFlag::ALL {
            if self.rng.chance(flag_odds) {
                flags.push(*f);
            }
        }
        flags
    }

    /// 交办; returns the leader, the worker and the days given.
    fn assign(&mut self, d: &mut Dispute, risk: RiskLevel) -> Option<(String, String, u32)> {
        if !(self.step(30) && (self.age_days > 30 || self.rng.chance(93))) {
            return None;
        }
        let leader = self.rng.pick(LEADERS).to_string();
        let worker = self.rng.pick(WORKERS).to_string();
        let unit = self.rng.pick(&DEFAULT_UNITS[1..]).to_string();
        // Desks give a little more than the default, rarely less.
        let days = self.settings.deadline_days_for(risk) + 3 + self.rng.below(10) as u32;
        let deadline = self.t.date_naive() + Days::new(u64::from(days));
        d.assign(&leader, &unit, &worker, deadline, &self.desk, self.t)
            .expect("assign");
        Some((leader, worker, days))
    }

    /// 签收 (or 退回, or not yet), and 包案 for some.
    fn accept(&mut self, d: &mut Dispute, leader: &str, worker: &str, days: u32) -> Option<()> {
        if !self.step(24) {
            return None;
        }
        // A 退回 is put right within weeks: only recent ones are still waiting.
        if self.age_days < 20 && self.rng.chance(6) {
            d.reject("不属于本单位职责范围", worker, self.t)
                .expect("reject");
            return None;
        }
        if self.rng.chance(4) && self.age_days < 3 {
            return None; // still waiting for 签收
        }
        d.accept(worker, self.t).expect("accept");
        if self.rng.chance(25) || flags_need_package(d) {
            self.package(d, leader, worker, days);
        }
        Some(())
    }

    fn package(&mut self, d: &mut Dispute, leader: &str, worker: &str, days: u32) {
        let t = self.t;
        let plan = vec![
            PlanStep {
                date: t.date_naive() + Days::new(2),
                text: "包案领导约谈双方当事人".into(),
                done: false,
            },
            PlanStep {
                date: t.date_naive() + Days::new(5),
                text: "召开联合调解会".into(),
                done: false,
            },
        ];
        let pdl = t.date_naive() + Days::new(u64::from(days.max(10)));
        d.package(leader, vec![worker.to_string()], plan, pdl, leader, t)
            .expect("package");
    }

    /// Up to three progress notes.
    fn add_notes(&mut self, d: &mut Dispute, worker: &str) -> Option<()> {
        let notes = self.rng.below(4);
        for _ in 0..notes {
            // Worked every day or two, so most finish before the deadline.
            if !self.step(48) {
                return None;
            }
            let kind = *self.rng.pick(&[
                ContactKind::Visit,
                ContactKind::Phone,
                ContactKind::MediationMeeting,
                ContactKind::JointMediation,
            ]);
            let text = *self.rng.pick(&[
                "入户走访，了解双方诉求",
                "电话联系当事人，情绪已平稳",
                "组织双方到村委会面对面调解",
                "联合司法所、派出所共同调解",
            ]);
            d.add_note(kind, text, worker, self.t).expect("note");
        }
        Some(())
    }

    fn deadline_passed(&self, d: &Dispute) -> bool {
        d.deadline().is_some_and(|dl| dl < self.now.date_naive())
    }

    fn supervise_if_overdue(&mut self, d: &mut Dispute) {
        let now = self.now;
        if d.deadline().is_some_and(|dl| dl < now.date_naive()) && self.rng.chance(30) {
            d.supervise(true, &self.desk, self.t.max(now - Duration::hours(2)))
                .ok();
        }
    }

    /// 销号, approved by the leader for a packaged case.
    fn close(&mut self, d: &mut Dispute, leader: &str, worker: &str) -> Option<()> {
        // Older cases are mostly closed; young ones mostly open. A case past
        // its deadline is nearly always closed by now: a newcomer's desk
        // shows a few late cases, not a wall of red.
        let (odds, most_hours) = if self.deadline_passed(d) {
            (if self.age_days > 45 { 100 } else { 98 }, 24 * 3)
        } else {
            ((self.age_days * 100 / 45).clamp(5, 88) as u64, 24 * 12)
        };
        if !(self.step(most_hours) && self.rng.chance(odds)) {
            if self.rng.chance(3) && d.tier != Tier::County {
                let t = self.t.min(self.now);
                d.change_tier(Tier::County, "涉及多部门，需县级协调", &self.desk, t)
                    .ok();
            }
            return None;
        }
        let outcome = *self.rng.weighted(&[
            (Outcome::WrittenAgreement, 45),
            (Outcome::OralAgreement, 30),
            (Outcome::JudicialConfirmation, 6),
            (Outcome::Litigation, 7),
            (Outcome::Arbitration, 2),
            (Outcome::Declined, 4),
            (Outcome::Unresolved, 6),
        ]);
        let follow_up_days = &self.settings.follow_up_days;
        d.close(
            outcome,
            "经调解双方达成一致，已履行",
            follow_up_days,
            worker,
            self.t,
        )
        .expect("close");
        if d.package.is_some() {
            // Recent packaged closings are often still on the leader's desk.
            if !self.step(48) || (self.age_days < 30 && self.rng.chance(50)) {
                return None;
            }
            d.decide(
                true,
                "同意销号",
                &self.settings.follow_up_days,
                leader,
                self.t,
            )
            .expect("approve");
        }
        Some(())
    }

    /// Follow-ups that have come due.
    fn follow_up(&mut self, d: &mut Dispute, worker: &str) {
        while let Some(due) = d.next_follow_up() {
            let visit_at = china()
                .from_local_datetime(&due.and_hms_opt(10, 0, 0).expect("valid time"))
                .single()
                .expect("fixed offset")
                + Duration::days(self.rng.below(3) as i64);
            if visit_at > self.now || self.rng.chance(15) {
                break;
            }
            // A flare-up found at a 回访 reopens the case under its old
            // deadline; older ones have long been dealt with again.
            let rebound = (self.now - visit_at).num_days() < 10 && self.rng.chance(3);
            d.follow_up(
                VisitMethod::Home,
                !rebound,
                "满意",
                rebound,
                "回访双方，协议履行正常",
                rebound,
                worker,
                visit_at,
            )
            .expect("follow-up");
            if rebound {
                break;
            }
        }
    }
}

fn flags_need_package(d: &Dispute) -> bool {
    d.flags.contains(&WarningFlag::CriminalTendency) || d.risk == Some(RiskLevel::Critical)
}

pub fn person(rng: &mut Rng, id: String, now: Time) -> KeyPerson {
    let category = *rng.pick(PersonCategory::ALL);
    let risk = *rng.weighted(&[
        (RiskLevel::Low, 30),
        (RiskLevel::Medium, 40),
        (RiskLevel::High, 22),
        (RiskLevel::Critical, 8),
    ]);
    let reason = match category {
        PersonCategory::MentalDisorder => "卫生院登记在册，需定期随访服药情况",
        PersonCategory::Released => "刑满释放未满五年，落实安置帮教",
        PersonCategory::CommunityCorrection => "社区矫正期间，配合司法所监管",
        PersonCategory::ThreeLossOneBias => "生活失意、情绪低落，需心理疏导",
        PersonCategory::HighRiskPetitioner => "反复信访，诉求未解决，情绪激烈",
        PersonCategory::Hardship => "重大疾病致贫，需帮扶救助",
        PersonCategory::Floating => "新迁入务工人员，需走访登记",
    };
    let registered = now - Duration::days(20 + rng.below(300) as i64);
    let review = registered.date_naive() + Days::new(180 + rng.below(200));
    let new = NewPerson {
        name: name(rng),
        village: rng.pick(VILLAGES).to_string(),
        category,
        risk,
        officer: rng.pick(WORKERS).to_string(),
        interval_days: None,
        reason: reason.to_string(),
        review_date: Some(review.max(registered.date_naive() + Days::new(1))),
        phone: rng.chance(70).then(|| phone(rng)),
        id_number: rng.chance(50).then(|| {
            format!(
                "{:06}19{:02}0101{:04}",
                990000 + rng.below(9999),
                50 + rng.below(50),
                rng.below(10000)
            )
        }),
        grade: None,
        household: None,
    };
    let rules = crate::domain::person_rules::PersonRules::default();
    let mut p =
        KeyPerson::register(id, new, &rules, "zb1", registered).expect("generated person is valid");
    let mut day = registered.date_naive();
    loop {
        // Visits roughly on schedule, sometimes late, the last one sometimes missed.
        day = day + Days::new(u64::from(p.interval_days) + rng.below(8)) - Days::new(3);
        if day >= now.date_naive() {
            break;
        }
        if rng.chance(10) {
            continue; // a missed visit
        }
        let method = *rng.pick(VisitMethod::ALL);
        let finding = *rng.pick(&[
            "情绪稳定，生活正常",
            "按时服药，家属配合",
            "诉求仍未解决，已做解释",
            "帮助申请临时救助",
        ]);
        let officer = p.officer.clone();
        let at = now.min(
            china()
                .from_local_datetime(&day.and_hms_opt(16, 0, 0).expect("time"))
                .single()
                .expect("fixed"),
        );
        let visit = crate::domain::person::VisitEntry {
            date: day,
            method,
            finding: finding.to_string(),
            failed: None,
            grade: None,
        };
        p.visit(visit, &rules, &officer, at).expect("visit");
    }
    p
}

/// Fills a database: roster, lists, `persons` key persons and `disputes`
/// disputes registered over the last `span_days` days before `today`.
pub struct DemoPlan {
    pub disputes: u64,
    pub persons: u64,
    pub seed: u64,
    pub today: NaiveDate,
    pub span_days: u64,
    pub admin_login: String,
}

pub fn fill(store: &Store, plan: &DemoPlan) -> Result<(), StoreError> {
    let now = china()
        .from_local_datetime(&plan.today.and_hms_opt(9, 0, 0).expect("time"))
        .single()
        .expect("fixed offset");
    let settings = Settings::default();
    let actor = plan.admin_login.as_str();
    store.write(actor, now, |tx| {
        seed_lists(tx, &plan.admin_login, true)?;
        tx.audit(
            "生成演示数据",
            "",
            &format!("名册、村(社区)与名录，种子 {}", plan.seed),
        );
        Ok::<_, StoreError>(())
    })?;
    let mut rng = Rng::new(plan.seed);
    let mut person_ids = Vec::new();
    store.write(actor, now, |tx| {
        for _ in 0..plan.persons {
            let n = tx.next_seq("person")?;
            let mut p = person(&mut rng, crate::domain::record::person_id(n), now);
            tx.put_person(&mut p)?;
            person_ids.push((p.id.clone(), p.name.clone()));
        }
        tx.audit("生成演示数据", "", &format!("重点人员 {} 人", plan.persons));
        Ok::<_, StoreError>(())
    })?;
    // Registration times, oldest first, so 编号 follow the calendar.
    let span = plan.span_days.max(1) * 24 * 60;
    let mut times: Vec<i64> = (0..plan.disputes).map(|_| rng.below(span) as i64).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    const BATCH: usize = 2000;
    for chunk in times.chunks(BATCH) {
        store.write(actor, now, |tx| {
            for minutes_ago in chunk {
                let at = now - Duration::minutes(*minutes_ago);
                let year = at.format("%Y").to_string();
                let n = tx.next_seq(&format!("dispute:{year}"))?;
                let mut d = dispute(&mut rng, format!("MD-{year}-{n:06}"), at, now, &settings);
                if !person_ids.is_empty() && rng.chance(4) {
                    let (pid, pname) = rng.pick(&person_ids).clone();
                    link_key_person(&mut d, &pid, &pname);
                }
                tx.put_dispute(&mut d)?;
            }
            tx.audit("生成演示数据", "", &format!("矛盾纠纷 {} 件", chunk.len()));
            Ok::<_, StoreError>(())
        })?;
    }
    Ok(())
}

/// The default lists (`desk init`), plus the demo roster and villages when `demo`.
/// Makes a key person the applicant: the title and the situation name
/// them too, so a title never names someone who is not a party.
pub fn link_key_person(d: &mut Dispute, id: &str, name: &str) {
    let old = std::mem::replace(&mut d.parties[0].name, name.to_string());
    d.parties[0].person_id = Some(id.to_string());
    // The applicant comes first in the title ("A与B…纠纷").
    d.title = d.title.replacen(&old, name, 1);
    d.summary = d.summary.replace(&old, name);
}

pub fn seed_lists(tx: &mut Tx<'_>, admin_login: &str, demo: bool) -> Result<(), StoreError> {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if tx.list::<Vec<String>>("categories")?.is_none() {
        tx.put_list("categories", &owned(DEFAULT_CATEGORIES))?;
    }
    if tx.list::<Vec<String>>("units")?.is_none() {
        tx.put_list("units", &owned(DEFAULT_UNITS))?;
    }
    if tx.list::<Settings>("settings")?.is_none() {
        tx.put_list("settings", &Settings::default())?;
    }
    if demo {
        tx.put_list("villages", &owned(VILLAGES))?;
        for o in roster(admin_login) {
            if tx.officer(&o.login)?.is_none() {
                tx.put_officer(&o)?;
            }
        }
    } else if tx.list::<Vec<String>>("villages")?.is_none() {
        tx.put_list("villages", &Vec::<String>::new())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic() {
        let a: Vec<u64> = (0..5)
            .scan(Rng::new(42), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .scan(Rng::new(42), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(
            a,
            (0..5)
                .scan(Rng::new(43), |r, _| Some(r.next_u64()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_newcomer_sees_a_few_late_cases_and_titles_name_parties() {
        let now = china().with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
        let today = now.date_naive();
        let mut rng = Rng::new(7);
        let settings = Settings::default();
        let (mut open, mut late, mut months_late) = (0, 0, 0);
        for i in 0..3000 {
            // Half a year of cases, as `desk demo` makes.
            let at = now - Duration::minutes(rng.below(150 * 24 * 60) as i64);
            let mut d = dispute(&mut rng, format!("MD-2026-{i:06}"), at, now, &settings);
            if i % 25 == 0 {
                link_key_person(&mut d, "RY-000001", "钱小红");
            }
            // The title names exactly the first two parties ("A与B…纠纷").
            let (a, b) = (&d.parties[0].name, &d.parties[1].name);
            assert!(
                d.title.starts_with(&format!("{a}与{b}")),
                "{}: {a}、{b}",
                d.title
            );
            open += usize::from(d.status.is_open());
            late += usize::from(d.is_overdue(today));
            months_late += usize::from(
                d.is_overdue(today) && d.deadline().is_some_and(|dl| (today - dl).num_days() > 60),
            );
        }
        assert!(open > 100, "{open} open");
        assert!(
            late * 100 <= open * 15,
            "{late} of {open} open cases overdue"
        );
        assert!(
            months_late * 100 <= open * 3,
            "{months_late} of {open} months overdue"
        );
    }

    #[test]
    fn generated_cases_cover_every_state() {
        let now = china().with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
        let mut rng = Rng::new(1);
        let settings = Settings::default();
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..2000 {
            let at = now - Duration::minutes(rng.below(120 * 24 * 60) as i64);
            let d = dispute(&mut rng, format!("MD-2026-{i:06}"), at, now, &settings);
            seen.insert(d.status);
        }
        for s in crate::domain::workflow::Status::ALL {
            assert!(seen.contains(s), "no generated case in {s:?}");
        }
    }
}
