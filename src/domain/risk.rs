//! The explainable risk score: a list of (reason, points) whose sum ranks the
//! queue. Officers see every reason, so the order is never a mystery.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lists::{RiskLevel, Tier, WarningFlag};
use super::summary::Summary;

/// Points per input; a township's 管理员 may change them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskWeights {
    /// 未研判, 低, 中, 高, 极高.
    pub level: [i32; 5],
    /// In the order of `WarningFlag::ALL`.
    pub flags: [i32; 7],
    pub key_person: i32,
    pub people_5: i32,
    pub people_30: i32,
    pub amount_50k: i32,
    pub amount_500k: i32,
    pub tier_township: i32,
    pub tier_county: i32,
    pub repeat_each: i32,
    pub repeat_max: i32,
    pub due_in_3_days: i32,
    pub due_in_7_days: i32,
    pub overdue_base: i32,
    pub overdue_per_day: i32,
    pub overdue_max: i32,
    /// Percent added to the total while a sensitive period is active.
    pub sensitive_percent: i32,
}

impl Default for RiskWeights {
    fn default() -> Self {
        RiskWeights {
            level: [15, 10, 25, 50, 80],
            // 民转刑倾向, 扬言极端 weigh most.
            flags: [40, 40, 30, 10, 10, 15, 15],
            key_person: 20,
            people_5: 10,
            people_30: 25,
            amount_50k: 5,
            amount_500k: 15,
            tier_township: 5,
            tier_county: 10,
            repeat_each: 10,
            repeat_max: 30,
            due_in_3_days: 15,
            due_in_7_days: 5,
            overdue_base: 30,
            overdue_per_day: 2,
            overdue_max: 80,
            sensitive_percent: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub total: i32,
    /// Largest first.
    pub reasons: Vec<(String, i32)>,
}

impl Score {
    /// The top reasons as one short line for a list column.
    pub fn brief(&self, n: usize) -> String {
        self.reasons
            .iter()
            .take(n)
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// What the score needs beyond the case itself.
pub struct RiskContext {
    pub today: NaiveDate,
    pub weights: RiskWeights,
    pub sensitive: bool,
    /// hash(village, party name) → number of disputes with that party there.
    /// Hashed, not cloned: a client ranks 100 000 cases at start.
    party_counts: HashMap<u64, u32, BuildHasherDefault<Fx>>,
}

/// A fast, non-cryptographic hash (the Fx hash of rustc): the keys are our
/// own names and the counts only rank cases, so nobody gains by colliding
/// them, and SipHash was a tenth of ranking 100 000 cases.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn party_key(village: &str, party: &str) -> u64 {
    let mut h = Fx::default();
    village.hash(&mut h);
    party.hash(&mut h);
    h.finish()
}

impl RiskContext {
    pub fn new(
        items: &[Summary],
        today: NaiveDate,
        weights: &RiskWeights,
        sensitive: bool,
    ) -> Self {
        let mut party_counts =
            HashMap::with_capacity_and_hasher(items.len() * 2, BuildHasherDefault::default());
        for s in items {
            for p in &s.parties {
                *party_counts.entry(party_key(&s.village, p)).or_insert(0) += 1;
            }
        }
        RiskContext {
            today,
            weights: weights.clone(),
            sensitive,
            party_counts,
        }
    }
}

/// The total alone, for ranking every case without building the reasons.
pub fn total(s: &Summary, ctx: &RiskContext) -> i32 {
    score_with(s, ctx, None)
}

pub fn score(s: &Summary, ctx: &RiskContext) -> Score {
    let mut reasons = Vec::new();
    let total = score_with(s, ctx, Some(&mut reasons));
    reasons.retain(|(_, p)| *p != 0);
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    Score { total, reasons }
}

/// Adds up the points; the reason texts are only formatted when wanted.
fn score_with(s: &Summary, ctx: &RiskContext, mut out: Option<&mut Vec<(String, i32)>>) -> i32 {
    let mut total = 0;
    // Adds points (with their reason when wanted) and returns the running total.
    let mut add = |why: &dyn Fn() -> String, pts: i32| -> i32 {
        total += pts;
        if let Some(r) = out.as_deref_mut() {
            r.push((why(), pts));
        }
        total
    };
    let w = &ctx.weights;
    match s.risk {
        None => {
            add(&|| "尚未研判".to_string(), w.level[0]);
        }
        Some(r) => {
            let i = 1 + RiskLevel::ALL.iter().position(|x| *x == r).unwrap_or(0);
            add(&|| format!("风险{}", r.label()), w.level[i]);
        }
    }
    for f in &s.flags {
        let i = WarningFlag::ALL.iter().position(|x| x == f).unwrap_or(0);
        add(&|| f.label().to_string(), w.flags[i]);
    }
    if !s.person_ids.is_empty() {
        add(&|| "当事人为重点人员".to_string(), w.key_person);
    }
    let people = s.people_involved;
    if people >= 30 {
        add(&|| format!("涉及{people}人"), w.people_30);
    } else if people >= 5 {
        add(&|| format!("涉及{people}人"), w.people_5);
    }
    match s.amount {
        Some(a) if a >= 500_000 => {
            add(&|| format!("涉及金额{}万元", a / 10_000), w.amount_500k);
        }
        Some(a) if a >= 50_000 => {
            add(&|| format!("涉及金额{}万元", a / 10_000), w.amount_50k);
        }
        _ => {}
    }
    match s.tier {
        Tier::County => {
            add(&|| "县级调处".to_string(), w.tier_county);
        }
        Tier::Township => {
            add(&|| "镇级调处".to_string(), w.tier_township);
        }
        Tier::Village => {}
    }
    let repeats: u32 = s
        .parties
        .iter()
        .map(|p| {
            ctx.party_counts
                .get(&party_key(&s.village, p))
                .copied()
                .unwrap_or(1)
                .saturating_sub(1)
        })
        .max()
        .unwrap_or(0);
    if repeats > 0 {
        let pts = (repeats as i32 * w.repeat_each).min(w.repeat_max);
        add(&|| format!("同一当事人另有{repeats}件纠纷"), pts);
    }
    if let Some(d) = s.deadline.filter(|_| s.status.is_open()) {
        let days = (d - ctx.today).num_days();
        if days < 0 {
            let late = -days as i32;
            let pts = (w.overdue_base + late * w.overdue_per_day).min(w.overdue_max);
            add(&|| format!("逾期{late}天"), pts);
        } else if days <= 3 {
            add(&|| format!("{days}天内到期"), w.due_in_3_days);
        } else if days <= 7 {
            add(&|| format!("{days}天后到期"), w.due_in_7_days);
        }
    }
    if ctx.sensitive {
        // The share is of what was added so far; `add` holds `total` until here.
        let so_far = add(&String::new, 0);
        let extra = so_far * w.sensitive_percent / 100;
        add(&|| "敏感时期".to_string(), extra);
    }
    add(&String::new, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Status;
    use chrono::{FixedOffset, TimeZone};

    fn case(
        id: &str,
        risk: Option<RiskLevel>,
        flags: Vec<WarningFlag>,
        deadline: Option<NaiveDate>,
    ) -> Summary {
        Summary {
            id: id.into(),
            rev: 1,
            title: "测试".into(),
            summary: String::new(),
            village: "东河村".into(),
            category: "邻里".into(),
            source: crate::domain::lists::Source::Call,
            status: Status::InProgress,
            risk,
            tier: Tier::Village,
            flags,
            parties: vec![format!("当事人{id}")],
            person_ids: vec![],
            registered_at: FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
                .unwrap(),
            deadline,
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
        }
    }

    #[test]
    fn a_fixed_set_of_cases_ranks_in_a_pinned_order() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let d = |n: i64| Some(today + chrono::Duration::days(n));
        let mut items = vec![
            case("A-低", Some(RiskLevel::Low), vec![], d(20)),
            case(
                "B-民转刑",
                Some(RiskLevel::Medium),
                vec![WarningFlag::CriminalTendency],
                d(10),
            ),
            case("C-极高", Some(RiskLevel::Critical), vec![], d(10)),
            case("D-逾期", Some(RiskLevel::Medium), vec![], d(-10)),
            case("E-未研判", None, vec![], None),
            case(
                "F-扬言极端逾期",
                Some(RiskLevel::High),
                vec![WarningFlag::ThreatExtreme],
                d(-1),
            ),
        ];
        let mut repeat = case("G-重复", Some(RiskLevel::Low), vec![], d(20));
        repeat.parties = vec!["当事人A-低".into()];
        items.push(repeat);
        let w = RiskWeights::default();
        let ctx = RiskContext::new(&items, today, &w, false);
        let mut ranked: Vec<(i32, &str)> = items
            .iter()
            .map(|s| (score(s, &ctx).total, s.id.as_str()))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let order: Vec<&str> = ranked.iter().map(|(_, id)| *id).collect();
        assert_eq!(
            order,
            vec![
                "F-扬言极端逾期",
                "C-极高",
                "D-逾期",
                "B-民转刑",
                "A-低",
                "G-重复",
                "E-未研判"
            ]
        );
        let f = score(&items[5], &ctx);
        assert_eq!(f.total, 50 + 40 + 32);
        assert_eq!(f.brief(3), "风险高、扬言极端、逾期1天");
        assert!(score(&items[6], &ctx)
            .reasons
            .contains(&("同一当事人另有1件纠纷".to_string(), 10)));
    }

    #[test]
    fn sensitive_period_adds_its_share_visibly() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let items = vec![case("A", Some(RiskLevel::High), vec![], None)];
        let w = RiskWeights::default();
        let calm = score(&items[0], &RiskContext::new(&items, today, &w, false));
        let tense = score(&items[0], &RiskContext::new(&items, today, &w, true));
        assert_eq!(calm.total, 50);
        assert_eq!(tense.total, 60);
        assert!(tense.reasons.contains(&("敏感时期".to_string(), 10)));
    }
}
