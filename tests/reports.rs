//! The reports against a fixed dataset: exact figures and golden text
//! (insta snapshots in tests/snapshots/reports__*.snap). The dataset is
//! synthetic: placeholder names, no real person.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};

use duty_desk::domain::lists::{
    Channel, Outcome, RiskLevel, Role, RollcallKind, Source, Tier, WarningFlag,
};
use duty_desk::domain::officer::{Names, Officer};
use duty_desk::domain::period::SensitivePeriod;
use duty_desk::domain::reports::{build, Change, Data, Figures, Kind, Report, Spec, VisitRow};
use duty_desk::domain::risk::RiskWeights;
use duty_desk::domain::rollcall::{self, RollcallEntry, RollcallSettings, RollcallSheet};
use duty_desk::domain::summary::Summary;
use duty_desk::domain::workflow::Status;

fn at(m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, m, d, h, min, 0)
        .unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A case with plain defaults; each fixture line changes what it needs.
fn case(n: u32, village: &str, category: &str, registered: DateTime<FixedOffset>) -> Summary {
    Summary {
        id: format!("MD-{}-{n:06}", registered.format("%Y")),
        rev: 1,
        title: format!("甲{n}与乙{n}{category}纠纷"),
        summary: String::new(),
        village: village.into(),
        category: category.into(),
        source: Source::Screening,
        status: Status::Registered,
        risk: None,
        tier: Tier::Village,
        flags: vec![],
        parties: vec![format!("甲{n}"), format!("乙{n}")],
        person_ids: vec![],
        registered_at: registered,
        deadline: None,
        person: None,
        leader: None,
        accepted: false,
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
        transferring: false,
        pause_asked: false,
        approval_for: None,
    }
}

fn closed(mut s: Summary, outcome: Outcome, on: NaiveDate, status: Status) -> Summary {
    s.status = status;
    s.outcome = Some(outcome);
    s.closed_on = Some(on);
    s.risk.get_or_insert(RiskLevel::Low);
    s
}

fn working(
    mut s: Summary,
    status: Status,
    risk: RiskLevel,
    deadline: NaiveDate,
    person: &str,
) -> Summary {
    s.status = status;
    s.risk = Some(risk);
    s.deadline = Some(deadline);
    s.person = Some(person.into());
    s.accepted = status != Status::Assigned;
    s
}

/// Twelve cases over 2025-12 … 2026-11-20, the day the reports are made.
fn summaries() -> Vec<Summary> {
    let mut v = Vec::new();
    // An earlier-year case, due today.
    let mut s = case(90, "西岗村", "山林土地", at(1, 1, 0, 0));
    s.id = "MD-2025-000090".into();
    s.registered_at = FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, 12, 20, 10, 0, 0)
        .unwrap();
    v.push(working(
        s,
        Status::InProgress,
        RiskLevel::Medium,
        day(11, 20),
        "tj1",
    ));
    // 民转刑倾向, overdue five days, supervised.
    let mut s = working(
        case(1, "东河村", "邻里", at(9, 3, 9, 0)),
        Status::InProgress,
        RiskLevel::High,
        day(11, 15),
        "tj1",
    );
    s.flags = vec![WarningFlag::CriminalTendency];
    s.supervised = true;
    s.tier = Tier::Township;
    v.push(s);
    // Resolved today by written agreement.
    v.push(closed(
        case(2, "西岗村", "婚姻家庭", at(10, 10, 11, 0)),
        Outcome::WrittenAgreement,
        day(11, 20),
        Status::FollowUp,
    ));
    // Due tomorrow, 8万元, packaged.
    let mut s = working(
        case(3, "赵庄村", "经济债务/借贷", at(10, 25, 15, 0)),
        Status::InProgress,
        RiskLevel::Medium,
        day(11, 21),
        "tj2",
    );
    s.amount = Some(80_000);
    s.packaged = true;
    v.push(s);
    // This month, closed on the 10th orally.
    v.push(closed(
        case(4, "东河村", "房屋宅基地", at(11, 2, 9, 30)),
        Outcome::OralAgreement,
        day(11, 10),
        Status::FollowUp,
    ));
    // Assigned, not yet accepted; twelve people, township tier.
    let mut s = working(
        case(5, "南湾社区", "劳资/欠薪", at(11, 5, 10, 0)),
        Status::Assigned,
        RiskLevel::Low,
        day(12, 5),
        "tj2",
    );
    s.people_involved = 12;
    s.tier = Tier::Township;
    v.push(s);
    // Declined with explanation on the 18th: resolved, not mediated.
    v.push(closed(
        case(6, "西岗村", "邻里", at(11, 12, 16, 0)),
        Outcome::Declined,
        day(11, 18),
        Status::Resolved,
    ));
    // Closed unresolved under watch on the 19th: closed, not resolved.
    v.push(closed(
        case(7, "东河村", "邻里", at(11, 16, 8, 0)),
        Outcome::Unresolved,
        day(11, 19),
        Status::Archived,
    ));
    // Today: a repeat party of case 1 in the same village.
    let mut s = case(8, "东河村", "邻里", at(11, 20, 9, 10));
    s.parties = vec!["甲1".into(), "丙8".into()];
    s.title = "甲1与丙8邻里纠纷".into();
    v.push(s);
    // Today: 扬言极端, triaged high.
    let mut s = case(9, "赵庄村", "婚姻家庭", at(11, 20, 10, 30));
    s.status = Status::Triaged;
    s.risk = Some(RiskLevel::High);
    s.flags = vec![WarningFlag::ThreatExtreme];
    v.push(s);
    // Today, not yet triaged.
    v.push(case(10, "东河村", "土地承包流转", at(11, 20, 14, 0)));
    v
}

fn visits() -> Vec<VisitRow> {
    let row = |d: NaiveDate, id: &str, village: &str| VisitRow {
        date: d,
        person_id: id.into(),
        village: village.into(),
    };
    vec![
        row(day(11, 20), "RY-000001", "东河村"),
        row(day(11, 20), "RY-000002", "西岗村"),
        row(day(11, 20), "RY-000001", "东河村"),
        row(day(11, 19), "RY-000003", "赵庄村"),
    ]
}

fn periods() -> Vec<SensitivePeriod> {
    vec![
        SensitivePeriod::new("村级换届选举", day(11, 16), day(11, 30), None).unwrap(),
        SensitivePeriod::new("国庆", day(10, 1), day(10, 7), None).unwrap(),
    ]
}

fn expected() -> Vec<String> {
    rollcall::expected(
        &["东河村", "西岗村", "赵庄村", "南湾社区"].map(String::from),
        &["综治中心", "派出所", "司法所"].map(String::from),
    )
}

fn entry(
    unit: &str,
    kind: RollcallKind,
    channel: Channel,
    text: &str,
    t: DateTime<FixedOffset>,
) -> RollcallEntry {
    RollcallEntry {
        unit: unit.into(),
        kind,
        channel,
        text: text.into(),
        by: "zb1".into(),
        at: t,
    }
}

fn sheet_20(now: DateTime<FixedOffset>) -> RollcallSheet {
    let entries = vec![
        entry(
            "东河村",
            RollcallKind::News,
            Channel::Phone,
            "两户因排水沟再起争执，已登记",
            at(11, 20, 9, 20),
        ),
        entry(
            "西岗村",
            RollcallKind::Zero,
            Channel::WeChat,
            "",
            at(11, 20, 9, 40),
        ),
        entry(
            "赵庄村",
            RollcallKind::News,
            Channel::Phone,
            "一户扬言到县上访，已稳控",
            at(11, 20, 10, 45),
        ),
        entry(
            "派出所",
            RollcallKind::Zero,
            Channel::InPerson,
            "",
            at(11, 20, 11, 0),
        ),
    ];
    let active: Vec<_> = periods()
        .into_iter()
        .filter(|p| p.is_active(day(11, 20)))
        .collect();
    rollcall::sheet(
        day(11, 20),
        &expected(),
        &entries,
        &RollcallSettings::default(),
        &active,
        now,
    )
}

fn changes() -> Vec<Change> {
    let c = |t, actor: &str, action: &str, target: &str, detail: &str| Change {
        at: t,
        actor: actor.into(),
        action: action.into(),
        target: target.into(),
        detail: detail.into(),
    };
    vec![
        c(
            at(11, 20, 7, 30),
            "宋雪梅",
            "添加进展",
            "MD-2026-000001",
            "上一班的改动，不在本班",
        ),
        c(
            at(11, 20, 8, 5),
            "宋雪梅",
            "查阅重点人员",
            "RY-000001",
            "读，不算改动",
        ),
        c(
            at(11, 20, 9, 12),
            "宋雪梅",
            "登记",
            "MD-2026-000008",
            "东河村 邻里 甲1与丙8邻里纠纷",
        ),
        c(
            at(11, 20, 9, 20),
            "宋雪梅",
            "点名登记",
            "东河村",
            "2026-11-20 有情况（电话）：两户因排水沟再起争执，已登记",
        ),
        c(
            at(11, 20, 10, 31),
            "宋雪梅",
            "登记",
            "MD-2026-000009",
            "赵庄村 婚姻家庭 甲9与乙9婚姻家庭纠纷",
        ),
        c(
            at(11, 20, 11, 0),
            "宋雪梅",
            "研判",
            "MD-2026-000009",
            "研判：风险高，扬言极端（登记 → 已研判）",
        ),
        c(
            at(11, 20, 14, 2),
            "郑国庆",
            "登记",
            "MD-2026-000010",
            "东河村 土地承包流转 甲10与乙10土地承包流转纠纷",
        ),
        c(
            at(11, 20, 15, 20),
            "冯志强",
            "销号",
            "MD-2026-000002",
            "调解成功-书面协议：双方签订协议，已履行首期款项并当场确认无其他争议",
        ),
    ]
}

struct World {
    summaries: Vec<Summary>,
    weights: RiskWeights,
    periods: Vec<SensitivePeriod>,
    visits: Vec<VisitRow>,
    changes: Vec<Change>,
    persons: duty_desk::domain::reports::PersonCounts,
}

fn world() -> World {
    World {
        summaries: summaries(),
        weights: RiskWeights::default(),
        periods: periods(),
        visits: visits(),
        changes: changes(),
        persons: Default::default(),
    }
}

/// The roster the reports name officers from.
fn roster_names() -> Names {
    let tj1 = Officer::new("tj1", "韩立新", "司法所", Role::Responsible).unwrap();
    let tj2 = Officer::new("tj2", "许振华", "司法所", Role::Responsible).unwrap();
    Names::of([&tj1, &tj2])
}

fn report(
    w: &World,
    kind: Kind,
    date: NaiveDate,
    now: DateTime<FixedOffset>,
    sheet: Option<&RollcallSheet>,
    since: Option<DateTime<FixedOffset>>,
) -> Report {
    let rules = duty_desk::domain::person_rules::PersonRules::default();
    let data = Data {
        summaries: &w.summaries,
        weights: &w.weights,
        periods: &w.periods,
        visits: &w.visits,
        rollcall: sheet,
        changes: &w.changes,
        now,
        by: "宋雪梅".into(),
        escalation: Default::default(),
        persons: w.persons,
        looks: &[],
        person_rules: &rules,
        names: &roster_names(),
    };
    build(
        &Spec {
            kind,
            date: Some(date),
            from: None,
            since,
            to: None,
            officer: None,
        },
        &data,
    )
}

#[test]
fn daily_report_with_news() {
    let w = world();
    let now = at(11, 20, 18, 30);
    let sheet = sheet_20(now);
    let r = report(&w, Kind::Daily, day(11, 20), now, Some(&sheet), None);
    let Figures::Daily(f) = &r.figures else {
        panic!("{r:?}")
    };
    assert!(!f.zero_report);
    assert_eq!(f.new_total, 3);
    assert_eq!(f.new_by_village[0].name, "东河村");
    assert_eq!(f.new_by_village[0].n, 2);
    assert_eq!(f.new_high_risk.len(), 1);
    assert_eq!(f.new_high_risk[0].id, "MD-2026-000009");
    assert_eq!(f.resolved_total, 1);
    assert_eq!((f.person_visits, f.persons_visited), (3, 2));
    // Open: 000090, 1, 3, 5, 8, 9, 10; overdue as of the 20th: only case 1.
    assert_eq!((f.open_total, f.overdue_total), (7, 1));
    let rc = f.rollcall.as_ref().unwrap();
    assert_eq!(rc.expected, 6);
    assert_eq!(rc.missing, ["南湾社区", "司法所"]);
    insta::assert_snapshot!("daily_news", r.text);
}

#[test]
fn daily_zero_report() {
    let w = world();
    let now = at(11, 19, 20, 0);
    let active: Vec<_> = w
        .periods
        .iter()
        .filter(|p| p.is_active(day(11, 19)))
        .cloned()
        .collect();
    let entries: Vec<RollcallEntry> = expected()
        .iter()
        .enumerate()
        .map(|(i, u)| {
            entry(
                u,
                RollcallKind::Zero,
                Channel::WeChat,
                "",
                at(11, 19, 9, i as u32),
            )
        })
        .collect();
    let sheet = rollcall::sheet(
        day(11, 19),
        &expected(),
        &entries,
        &RollcallSettings::default(),
        &active,
        now,
    );
    let r = report(&w, Kind::Daily, day(11, 19), now, Some(&sheet), None);
    let Figures::Daily(f) = &r.figures else {
        panic!("{r:?}")
    };
    assert!(f.zero_report);
    assert_eq!(f.new_total, 0);
    // Case 7 was closed that day, but unresolved: no 化解.
    assert_eq!(f.resolved_total, 0);
    assert_eq!(f.person_visits, 1);
    assert!(r.text.contains("今日排查无新增矛盾纠纷，零报告。"));
    assert!(!r.text.contains("新增矛盾纠纷0件"));
    insta::assert_snapshot!("daily_zero", r.text);

    // Outside a period with no roll-call kept: the bare 零报告.
    let quiet = report(&w, Kind::Daily, day(11, 14), at(11, 14, 20, 0), None, None);
    insta::assert_snapshot!("daily_zero_quiet", quiet.text);
}

#[test]
fn monthly_ledger_update() {
    let w = world();
    let r = report(
        &w,
        Kind::Monthly,
        day(11, 20),
        at(11, 20, 18, 30),
        None,
        None,
    );
    let Figures::Monthly(f) = &r.figures else {
        panic!("{r:?}")
    };
    // November: cases 4, 5, 6, 7, 8, 9, 10.
    assert_eq!(f.new_total, 7);
    assert_eq!((f.new_resolved, f.new_open), (2, 4));
    // 2026: cases 1–10; resolved 2, 4, 6 (7 is unresolved); closed 2, 4, 6, 7.
    assert_eq!((f.year_total, f.year_resolved), (10, 3));
    assert_eq!(f.resolution_rate, Some(30.0));
    assert_eq!((f.year_closed, f.year_mediated), (4, 2));
    assert_eq!(f.mediation_rate, Some(50.0));
    // Open on 11-01 from earlier: 000090, 1, 2, 3; case 2 resolved today.
    assert_eq!(
        (
            f.earlier_open_at_start,
            f.earlier_resolved,
            f.earlier_still_open,
            f.earlier_overdue
        ),
        (4, 1, 3, 1)
    );
    let ids: Vec<&str> = f.earlier_cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["MD-2026-000001", "MD-2025-000090", "MD-2026-000003"]);
    insta::assert_snapshot!("monthly", r.text);
}

#[test]
fn half_monthly_analysis() {
    let w = world();
    let r = report(
        &w,
        Kind::Analysis,
        day(11, 20),
        at(11, 20, 18, 30),
        None,
        None,
    );
    let Figures::Analysis(f) = &r.figures else {
        panic!("{r:?}")
    };
    assert_eq!((f.from, f.to), (day(11, 16), day(11, 20)));
    // 16–20: cases 7, 8, 9, 10 new; case 7 closed unresolved.
    assert_eq!((f.new_total, f.new_resolved), (4, 0));
    assert_eq!(f.resolution_rate, Some(0.0));
    // Closed 16–20: 2 (written), 6 (declined), 7 (unresolved).
    assert_eq!((f.closed_total, f.mediated_total), (3, 1));
    assert_eq!(f.mediation_rate, Some(33.3));
    assert_eq!(
        (f.open_total, f.overdue, f.supervised, f.packaged),
        (7, 1, 1, 1)
    );
    assert_eq!(f.criminal_tendency, 1);
    // Danger first: today's threat (9) before the older, overdue case (1).
    assert_eq!(f.top_risks[0].id, "MD-2026-000009");
    assert_eq!(f.trend.len(), 6);
    assert_eq!(f.trend[5].label, "11月下半月");
    assert_eq!((f.trend[4].new, f.trend[4].resolved), (3, 1));
    insta::assert_snapshot!("analysis", r.text);
}

#[test]
fn shift_handover() {
    let w = world();
    let now = at(11, 20, 18, 30);
    let sheet = sheet_20(now);
    let r = report(
        &w,
        Kind::Handover,
        day(11, 20),
        now,
        Some(&sheet),
        Some(at(11, 20, 8, 0)),
    );
    let Figures::Handover(f) = &r.figures else {
        panic!("{r:?}")
    };
    // The 07:30 note was last shift's; the 08:05 read is not a change.
    assert_eq!(f.changes_total, 6);
    let due: Vec<&str> = f.due_soon.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(due, ["MD-2025-000090", "MD-2026-000003"]);
    assert_eq!(f.overdue, 1);
    assert_eq!(
        f.rollcall_missing.as_deref(),
        Some(&["南湾社区".to_string(), "司法所".to_string()][..])
    );
    assert_eq!(f.top_risks.len(), 5);
    // Officers by name, as the roster has them, not by login.
    assert!(r.text.contains("责任人韩立新"), "{}", r.text);
    assert!(r.text.contains("责任人许振华"), "{}", r.text);
    assert!(
        !r.text.contains("tj1") && !r.text.contains("tj2"),
        "{}",
        r.text
    );
    // Deadline items stand under 时限压力, never under 风险分.
    assert!(
        r.text
            .contains("风险分30：风险中+25、敏感时期+5；时限压力30：今天到期+30"),
        "{}",
        r.text
    );
    insta::assert_snapshot!("handover", r.text);

    // Without a stated start: the last 12 hours (06:30 on).
    let r = report(&w, Kind::Handover, day(11, 20), now, Some(&sheet), None);
    let Figures::Handover(f) = &r.figures else {
        panic!()
    };
    assert_eq!(f.changes_total, 7);
}

#[test]
fn reports_follow_the_live_weights() {
    let mut w = world();
    let now = at(11, 20, 18, 30);
    let top = |w: &World| match report(w, Kind::Analysis, day(11, 20), now, None, None).figures {
        Figures::Analysis(f) => f.top_risks[0].id.clone(),
        _ => unreachable!(),
    };
    assert_eq!(top(&w), "MD-2026-000009");
    w.weights.set("扬言极端", 0).unwrap();
    assert_eq!(top(&w), "MD-2026-000001");
}

#[test]
fn overdue_and_lost_key_persons_are_counted_in_the_daily_report_and_handover_without_names() {
    let mut w = world();
    w.persons = duty_desk::domain::reports::PersonCounts {
        overdue: 2,
        lost: 1,
        review_due: 3,
    };
    let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let now = date
        .and_hms_opt(18, 0, 0)
        .unwrap()
        .and_local_timezone(FixedOffset::east_opt(8 * 3600).unwrap())
        .unwrap();
    let daily = report(&w, Kind::Daily, date, now, None, None);
    assert!(
        daily.text.contains("重点人员逾期未访2人、失访1人"),
        "{}",
        daily.text
    );
    let handover = report(&w, Kind::Handover, date, now, None, None);
    assert!(
        handover.text.contains("重点人员逾期未访2人、失访1人"),
        "{}",
        handover.text
    );
    assert!(
        handover.text.contains("重点人员待复核3人"),
        "{}",
        handover.text
    );
    w.persons = Default::default();
    let quiet = report(&w, Kind::Daily, date, now, None, None);
    assert!(!quiet.text.contains("逾期未访"), "{}", quiet.text);
}
