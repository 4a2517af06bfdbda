//! The explainable risk score, in two parts officers can read apart:
//! **danger** (warning signs, fading with the days since they were last
//! recorded; risk level; a key person; scale; repeat parties; a fresh threat
//! not yet triaged) orders 风险队列; **lateness** (deadline pressure) only
//! breaks ties there, and fully owns 督办. Every part is a list of
//! (reason, points), so the order is never a mystery.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lists::{RiskLevel, Tier, WarningFlag};
use super::summary::Summary;
use super::DomainError;

/// Points per input; a township's 管理员 may change them (`desk weights`).
/// Stored in the database; a field added later reads as its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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
    /// Added for each day closer than 3 days, so urgency keeps rising up to
    /// the deadline and then on into the overdue points.
    pub due_per_day: i32,
    pub overdue_base: i32,
    pub overdue_per_day: i32,
    pub overdue_max: i32,
    /// Percent added to the total while a sensitive period is active.
    pub sensitive_percent: i32,
    /// Days over which a warning sign's points halve (0: they never fade).
    pub signal_half_life_days: i32,
    /// A 民转刑倾向, 扬言极端 or 群体性 sign on a case not yet triaged: it
    /// must reach the top of the queue at once (fading like the sign).
    pub fresh_alarm: i32,
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
            due_per_day: 5,
            overdue_base: 30,
            overdue_per_day: 2,
            overdue_max: 80,
            sensitive_percent: 20,
            signal_half_life_days: 30,
            fresh_alarm: 300,
        }
    }
}

/// One editable weight: its clear key, the Chinese name officers use, and
/// what it scores. Both the key and the name are accepted by `desk weights set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightKey {
    pub key: &'static str,
    pub name: &'static str,
    pub help: &'static str,
    /// Largest value accepted (the smallest is 0).
    pub max: i32,
}

const fn wk(key: &'static str, name: &'static str, help: &'static str, max: i32) -> WeightKey {
    WeightKey {
        key,
        name,
        help,
        max,
    }
}

/// Every weight, in the order `desk weights show` lists them.
pub const WEIGHT_KEYS: &[WeightKey] = &[
    wk("level_none", "未研判", "尚未研判的案件", 500),
    wk("level_low", "风险低", "风险等级低", 500),
    wk("level_medium", "风险中", "风险等级中", 500),
    wk("level_high", "风险高", "风险等级高", 500),
    wk("level_critical", "风险极高", "风险等级极高", 500),
    wk("flag_criminal", "民转刑倾向", "预警情形", 500),
    wk("flag_threat", "扬言极端", "预警情形", 500),
    wk("flag_mass", "可能引发群体性事件", "预警情形", 500),
    wk("flag_grievance", "积怨较深", "预警情形", 500),
    wk("flag_agitated", "情绪激烈", "预警情形", 500),
    wk("flag_repeat_petition", "重复信访", "预警情形", 500),
    wk("flag_bypass_petition", "越级上访", "预警情形", 500),
    wk(
        "key_person",
        "当事人为重点人员",
        "当事人在重点人员名册上",
        500,
    ),
    wk("people_5", "涉及5人以上", "涉及 5 至 29 人", 500),
    wk("people_30", "涉及30人以上", "涉及 30 人及以上", 500),
    wk(
        "amount_50k",
        "金额5万元以上",
        "涉及金额 5 万至 50 万元",
        500,
    ),
    wk(
        "amount_500k",
        "金额50万元以上",
        "涉及金额 50 万元及以上",
        500,
    ),
    wk("tier_township", "镇级调处", "调处层级为镇", 500),
    wk("tier_county", "县级调处", "调处层级为县", 500),
    wk(
        "repeat_each",
        "重复纠纷每件",
        "同一当事人在同村每多一件纠纷",
        500,
    ),
    wk("repeat_max", "重复纠纷上限", "重复纠纷最多计多少分", 500),
    wk(
        "due_in_7_days",
        "7天内到期",
        "时限压力：离化解时限 4 至 7 天",
        500,
    ),
    wk(
        "due_in_3_days",
        "3天内到期",
        "时限压力：离化解时限 3 天以内（含）",
        500,
    ),
    wk(
        "due_per_day",
        "临期每天加分",
        "时限压力：3 天以内每近一天再加",
        500,
    ),
    wk("overdue_base", "逾期基础分", "时限压力：已过化解时限", 500),
    wk(
        "overdue_per_day",
        "逾期每天加分",
        "时限压力：逾期每多一天再加",
        500,
    ),
    wk(
        "overdue_max",
        "逾期上限",
        "时限压力：逾期最多计多少分",
        1000,
    ),
    wk(
        "sensitive_percent",
        "敏感时期加成",
        "敏感时期危险分加百分之几",
        200,
    ),
    wk(
        "signal_half_life_days",
        "预警情形减半天数",
        "预警情形的分数每过这么多天减半（最低留四分之一；0 为不减）",
        365,
    ),
    wk(
        "fresh_alarm",
        "新发现待研判",
        "有民转刑倾向、扬言极端或群体性迹象而尚未研判的案件，排到队列最前",
        1000,
    ),
];

impl RiskWeights {
    fn slot(&mut self, i: usize) -> Option<&mut i32> {
        Some(match i {
            0..=4 => &mut self.level[i],
            5..=11 => &mut self.flags[i - 5],
            12 => &mut self.key_person,
            13 => &mut self.people_5,
            14 => &mut self.people_30,
            15 => &mut self.amount_50k,
            16 => &mut self.amount_500k,
            17 => &mut self.tier_township,
            18 => &mut self.tier_county,
            19 => &mut self.repeat_each,
            20 => &mut self.repeat_max,
            21 => &mut self.due_in_7_days,
            22 => &mut self.due_in_3_days,
            23 => &mut self.due_per_day,
            24 => &mut self.overdue_base,
            25 => &mut self.overdue_per_day,
            26 => &mut self.overdue_max,
            27 => &mut self.sensitive_percent,
            28 => &mut self.signal_half_life_days,
            29 => &mut self.fresh_alarm,
            _ => return None,
        })
    }

    /// Every weight with its current value, in `WEIGHT_KEYS` order.
    pub fn entries(&self) -> Vec<(WeightKey, i32)> {
        let mut copy = self.clone();
        WEIGHT_KEYS
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, copy.slot(i).map(|v| *v).unwrap_or(0)))
            .collect()
    }

    /// Finds a weight by its key or Chinese name.
    pub fn find(name: &str) -> Result<(usize, WeightKey), DomainError> {
        let name = name.trim();
        WEIGHT_KEYS
            .iter()
            .enumerate()
            .find(|(_, k)| k.key.eq_ignore_ascii_case(name) || k.name == name)
            .map(|(i, k)| (i, *k))
            .ok_or_else(|| {
                DomainError::invalid(format!(
                    "没有名为“{name}”的权重。可用的名称（中文名或英文键均可）：{}",
                    WEIGHT_KEYS
                        .iter()
                        .map(|k| k.name)
                        .collect::<Vec<_>>()
                        .join("、")
                ))
            })
    }

    /// Sets one weight; returns its key and the old value. The whole set is
    /// checked afterwards, so a change that makes it inconsistent is refused.
    pub fn set(&mut self, name: &str, value: i32) -> Result<(WeightKey, i32), DomainError> {
        let (i, key) = Self::find(name)?;
        if !(0..=key.max).contains(&value) {
            return Err(DomainError::invalid(format!(
                "“{}”应在 0 到 {} 之间，不能是 {value}",
                key.name, key.max
            )));
        }
        let slot = self.slot(i).expect("index from WEIGHT_KEYS");
        let old = std::mem::replace(slot, value);
        self.validate()?;
        Ok((key, old))
    }

    /// Rules between weights, so the score stays explainable.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (k, v) in self.entries() {
            if !(0..=k.max).contains(&v) {
                return Err(DomainError::invalid(format!(
                    "“{}”应在 0 到 {} 之间，现为 {v}",
                    k.name, k.max
                )));
            }
        }
        if self.overdue_max < self.overdue_base {
            return Err(DomainError::invalid(format!(
                "“逾期上限”（{}）不能小于“逾期基础分”（{}）",
                self.overdue_max, self.overdue_base
            )));
        }
        if self.repeat_max < self.repeat_each {
            return Err(DomainError::invalid(format!(
                "“重复纠纷上限”（{}）不能小于“重复纠纷每件”（{}）",
                self.repeat_max, self.repeat_each
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Score {
    /// Danger: what orders 风险队列 and is shown as 风险分.
    pub total: i32,
    /// Deadline pressure: breaks ties in the queue, orders 督办.
    pub lateness: i32,
    /// Danger's reasons, largest first.
    pub reasons: Vec<(String, i32)>,
    /// Lateness's reasons (逾期3天, 2天内到期).
    pub late_reasons: Vec<(String, i32)>,
}

/// Where a case stands in 风险队列: danger first, lateness only after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Rank {
    pub danger: i32,
    pub lateness: i32,
}

/// The reason a sensitive period adds to every case's danger score.
pub const SENSITIVE_REASON: &str = "敏感时期";

impl Score {
    /// The top danger reasons as one short line for the list column beside
    /// the danger score (lateness has its own column and its own score).
    /// The sensitive period's share is the same on every row and the banner
    /// says it: it would only crowd out what tells the rows apart.
    pub fn brief(&self, n: usize) -> String {
        self.reasons
            .iter()
            .filter(|(r, _)| r != SENSITIVE_REASON)
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

/// The (village, party) keys of a case's parties, as the repeat-party
/// counts know them: a case whose party recurs is re-ranked with its kin.
pub fn party_keys(s: &Summary) -> impl Iterator<Item = u64> + '_ {
    s.parties.iter().map(|p| party_key(&s.village, p))
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

impl RiskContext {
    /// A context that counts repeat parties only for `cases`: a report that
    /// scores a handful of cases need not count every party in the township.
    /// Only the scores of `cases` are right under it.
    pub fn for_cases(
        items: &[Summary],
        cases: &[&Summary],
        today: NaiveDate,
        weights: &RiskWeights,
        sensitive: bool,
    ) -> Self {
        let wanted: std::collections::HashSet<u64> = cases
            .iter()
            .flat_map(|s| s.parties.iter().map(|p| party_key(&s.village, p)))
            .collect();
        let villages: std::collections::HashSet<&str> =
            cases.iter().map(|s| s.village.as_str()).collect();
        let mut party_counts =
            HashMap::with_capacity_and_hasher(wanted.len(), BuildHasherDefault::default());
        for s in items
            .iter()
            .filter(|s| villages.contains(s.village.as_str()))
        {
            for p in &s.parties {
                let k = party_key(&s.village, p);
                if wanted.contains(&k) {
                    *party_counts.entry(k).or_insert(0) += 1;
                }
            }
        }
        RiskContext {
            today,
            weights: weights.clone(),
            sensitive,
            party_counts,
        }
    }

    /// Keeps the repeat-party counts in step after one case changed (`old`
    /// is its previous state, `None` for a new case), so a change costs one
    /// re-rank instead of a rebuild of the counts.
    pub fn replace(&mut self, old: Option<&Summary>, new: &Summary) {
        if let Some(old) = old {
            for p in &old.parties {
                if let Some(n) = self.party_counts.get_mut(&party_key(&old.village, p)) {
                    *n = n.saturating_sub(1);
                }
            }
        }
        for p in &new.parties {
            *self
                .party_counts
                .entry(party_key(&new.village, p))
                .or_insert(0) += 1;
        }
    }
}

/// The open cases ranked: (index into `items`, danger), most dangerous
/// first; equal danger goes to the later deadline pressure, then `items`
/// order (编号 order), so the queue never shuffles.
pub fn rank(items: &[Summary], ctx: &RiskContext) -> Vec<(usize, i32)> {
    let mut out: Vec<(usize, Rank)> = items
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status.is_open())
        .map(|(i, s)| (i, rank_of(s, ctx)))
        .collect();
    out.sort_unstable_by_key(|&(i, r)| (std::cmp::Reverse(r), i));
    out.into_iter().map(|(i, r)| (i, r.danger)).collect()
}

/// Danger and lateness alone, for ranking every case without the reasons.
pub fn rank_of(s: &Summary, ctx: &RiskContext) -> Rank {
    Rank {
        danger: danger(s, ctx, None),
        lateness: lateness(s, ctx, None),
    }
}

/// The danger alone (the 风险分).
pub fn total(s: &Summary, ctx: &RiskContext) -> i32 {
    danger(s, ctx, None)
}

pub fn score(s: &Summary, ctx: &RiskContext) -> Score {
    let mut reasons = Vec::new();
    let mut late_reasons = Vec::new();
    let total = danger(s, ctx, Some(&mut reasons));
    let lateness = lateness(s, ctx, Some(&mut late_reasons));
    for r in [&mut reasons, &mut late_reasons] {
        r.retain(|(_, p)| *p != 0);
        r.sort_by_key(|r| std::cmp::Reverse(r.1));
    }
    Score {
        total,
        lateness,
        reasons,
        late_reasons,
    }
}

/// Adds points, with their reason when reasons are wanted.
struct Tally<'a> {
    total: i32,
    out: Option<&'a mut Vec<(String, i32)>>,
}

impl Tally<'_> {
    fn add(&mut self, why: impl FnOnce() -> String, pts: i32) {
        self.total += pts;
        if let Some(r) = self.out.as_deref_mut() {
            r.push((why(), pts));
        }
    }
}

/// Days since the case last gained a warning sign (registration for cases
/// recorded before the desk kept the day).
fn signal_age(s: &Summary, today: NaiveDate) -> i64 {
    let on = s.signal_on.unwrap_or_else(|| s.registered_at.date_naive());
    (today - on).num_days().max(0)
}

/// `pts` faded by `days` with the weights' half-life, never below a quarter.
fn faded(pts: i32, days: i64, half_life: i32) -> i32 {
    if half_life <= 0 || days <= 0 {
        return pts;
    }
    let share = 0.5f64.powf(days as f64 / f64::from(half_life)).max(0.25);
    (f64::from(pts) * share).round() as i32
}

fn ago(days: i64) -> String {
    if days == 0 {
        "今天".to_string()
    } else {
        format!("{days}天前")
    }
}

fn danger(s: &Summary, ctx: &RiskContext, out: Option<&mut Vec<(String, i32)>>) -> i32 {
    let mut t = Tally { total: 0, out };
    let w = &ctx.weights;
    match s.risk {
        None => t.add(|| "尚未研判".to_string(), w.level[0]),
        Some(r) => {
            let i = 1 + RiskLevel::ALL.iter().position(|x| *x == r).unwrap_or(0);
            t.add(|| format!("风险{}", r.label()), w.level[i]);
        }
    }
    signs(s, ctx, &mut t);
    scale(s, ctx, &mut t);
    if ctx.sensitive {
        let extra = t.total * w.sensitive_percent / 100;
        t.add(|| SENSITIVE_REASON.to_string(), extra);
    }
    t.total
}

/// Warning signs, fading with the days since the last was recorded; an
/// alarm on a case not yet triaged goes to the front.
fn signs(s: &Summary, ctx: &RiskContext, t: &mut Tally) {
    let w = &ctx.weights;
    let days = signal_age(s, ctx.today);
    for f in &s.flags {
        let i = WarningFlag::ALL.iter().position(|x| x == f).unwrap_or(0);
        let pts = faded(w.flags[i], days, w.signal_half_life_days);
        t.add(|| format!("{}（{}）", f.label(), ago(days)), pts);
    }
    let untriaged = s.risk.is_none() || s.status == crate::domain::workflow::Status::Registered;
    if untriaged && s.flags.iter().any(|f| f.is_alarm()) {
        let pts = faded(w.fresh_alarm, days, w.signal_half_life_days);
        t.add(|| format!("新发现，待研判（{}）", ago(days)), pts);
    }
}

/// Who and how much is involved: a key person, people, money, tier, repeats.
fn scale(s: &Summary, ctx: &RiskContext, t: &mut Tally) {
    let w = &ctx.weights;
    if !s.person_ids.is_empty() {
        t.add(|| "当事人为重点人员".to_string(), w.key_person);
    }
    let people = s.people_involved;
    if people >= 30 {
        t.add(|| format!("涉及{people}人"), w.people_30);
    } else if people >= 5 {
        t.add(|| format!("涉及{people}人"), w.people_5);
    }
    match s.amount {
        Some(a) if a >= 500_000 => t.add(|| format!("涉及金额{}万元", a / 10_000), w.amount_500k),
        Some(a) if a >= 50_000 => t.add(|| format!("涉及金额{}万元", a / 10_000), w.amount_50k),
        _ => {}
    }
    match s.tier {
        Tier::County => t.add(|| "县级调处".to_string(), w.tier_county),
        Tier::Township => t.add(|| "镇级调处".to_string(), w.tier_township),
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
        t.add(|| format!("同一当事人另有{repeats}件纠纷"), pts);
    }
}

/// Deadline pressure: soon due, due today, overdue by so many days.
fn lateness(s: &Summary, ctx: &RiskContext, out: Option<&mut Vec<(String, i32)>>) -> i32 {
    let mut t = Tally { total: 0, out };
    let w = &ctx.weights;
    // A 中止 case's clock is stopped: no deadline pressure while it waits.
    let Some(d) = s.deadline.filter(|_| s.clock_runs()) else {
        return 0;
    };
    let days = (d - ctx.today).num_days();
    if days < 0 {
        let late = -days as i32;
        let pts = (w.overdue_base + late * w.overdue_per_day).min(w.overdue_max);
        t.add(|| format!("逾期{late}天"), pts);
    } else if days <= 3 {
        let pts = w.due_in_3_days + (3 - days as i32) * w.due_per_day;
        if days == 0 {
            t.add(|| "今天到期".to_string(), pts);
        } else {
            t.add(|| format!("{days}天内到期"), pts);
        }
    } else if days <= 7 {
        t.add(|| format!("{days}天后到期"), w.due_in_7_days);
    }
    t.total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::Status;

    fn case(
        id: &str,
        risk: Option<RiskLevel>,
        flags: Vec<WarningFlag>,
        deadline: Option<NaiveDate>,
    ) -> Summary {
        Summary {
            risk,
            flags,
            deadline,
            parties: vec![format!("当事人{id}")],
            ..Summary::sample(id)
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
            // Danger orders the queue: being late no longer lifts D above B.
            vec![
                "C-极高",
                "F-扬言极端逾期",
                "B-民转刑",
                "D-逾期",
                "A-低",
                "G-重复",
                "E-未研判"
            ]
        );
        let f = score(&items[5], &ctx);
        // The threat was recorded 21 days ago: 40 faded to 25.
        assert_eq!((f.total, f.lateness), (50 + 25, 32));
        assert_eq!(f.brief(3), "风险高、扬言极端（21天前）");
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
        // Listed in the detail, not in the list's short column.
        assert!(!tense.brief(5).contains("敏感时期"), "{}", tense.brief(5));
    }

    /// One case for each input the score knows, ranked by `rank`.
    fn every_input(today: NaiveDate) -> Vec<Summary> {
        let d = |n: i64| Some(today + chrono::Duration::days(n));
        let mut k = case("K-重点人员", Some(RiskLevel::Medium), vec![], d(5));
        k.person_ids = vec!["RY-000001".into()];
        let mut p = case(
            "P-群体",
            Some(RiskLevel::Low),
            vec![WarningFlag::MassIncident],
            None,
        );
        p.people_involved = 40;
        let mut m = case("M-金额", Some(RiskLevel::Medium), vec![], None);
        m.amount = Some(600_000);
        m.tier = Tier::County;
        let repeat = |id: &str| {
            let mut r = case(id, Some(RiskLevel::Low), vec![], None);
            r.parties = vec!["常来人".into()];
            r
        };
        let mut z = case("Z-已化解", Some(RiskLevel::Critical), vec![], d(-30));
        z.status = Status::Resolved;
        vec![
            k,
            p,
            m,
            repeat("R-重复1"),
            repeat("R-重复2"),
            repeat("R-重复3"),
            case("U-今天到期", Some(RiskLevel::High), vec![], d(0)),
            case("U-两天", Some(RiskLevel::High), vec![], d(2)),
            case("O-逾期20天", Some(RiskLevel::Medium), vec![], d(-20)),
            case(
                "X-民转刑",
                Some(RiskLevel::High),
                vec![WarningFlag::CriminalTendency],
                None,
            ),
            z,
        ]
    }

    fn ranked(items: &[Summary], ctx: &RiskContext) -> Vec<String> {
        rank(items, ctx)
            .into_iter()
            .map(|(i, t)| format!("{} {t}", items[i].id))
            .collect()
    }

    #[test]
    fn every_input_counts_and_the_order_is_pinned() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let items = every_input(today);
        let w = RiskWeights::default();
        let ctx = RiskContext::new(&items, today, &w, false);
        assert_eq!(
            ranked(&items, &ctx),
            vec![
                "X-民转刑 75",
                "P-群体 53",
                "U-今天到期 50",
                "U-两天 50",
                "M-金额 50",
                "K-重点人员 45",
                "R-重复1 30",
                "R-重复2 30",
                "R-重复3 30",
                "O-逾期20天 25",
            ]
        );
        let reasons = |id: &str| {
            let s = items.iter().find(|s| s.id == id).unwrap();
            let sc = score(s, &ctx);
            sc.reasons
                .into_iter()
                .chain(sc.late_reasons)
                .collect::<Vec<_>>()
        };
        assert!(reasons("K-重点人员").contains(&("当事人为重点人员".into(), 20)));
        assert!(reasons("K-重点人员").contains(&("5天后到期".into(), 5)));
        assert!(reasons("P-群体").contains(&("涉及40人".into(), 25)));
        assert!(reasons("M-金额").contains(&("涉及金额60万元".into(), 15)));
        assert!(reasons("M-金额").contains(&("县级调处".into(), 10)));
        assert!(reasons("R-重复2").contains(&("同一当事人另有2件纠纷".into(), 20)));
        assert!(reasons("U-今天到期").contains(&("今天到期".into(), 30)));
        assert!(reasons("U-两天").contains(&("2天内到期".into(), 20)));
        assert!(reasons("O-逾期20天").contains(&("逾期20天".into(), 70)));
        // Urgency rises day by day into the deadline and on past it.
        let mut last = 0;
        for n in [7, 5, 3, 2, 1, 0, -1, -5, -30] {
            let one = vec![case(
                "T",
                Some(RiskLevel::Low),
                vec![],
                Some(today + chrono::Duration::days(n)),
            )];
            let t = rank_of(&one[0], &RiskContext::new(&one, today, &w, false)).lateness;
            assert!(t >= last, "{n} days: {t} < {last}");
            last = t;
        }
    }

    #[test]
    fn changing_a_weight_changes_the_order() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let items = every_input(today);
        let mut w = RiskWeights::default();
        w.set("当事人为重点人员", 100).unwrap();
        let ctx = RiskContext::new(&items, today, &w, false);
        assert_eq!(ranked(&items, &ctx)[0], "K-重点人员 125");

        // Lateness weights move 督办's pressure, not the danger order.
        let before = ranked(
            &items,
            &RiskContext::new(&items, today, &RiskWeights::default(), false),
        );
        let mut w = RiskWeights::default();
        assert_eq!(w.set("overdue_per_day", 0).unwrap().1, 2);
        let ctx = RiskContext::new(&items, today, &w, false);
        assert_eq!(ranked(&items, &ctx), before);
        let late = items.iter().find(|s| s.id == "O-逾期20天").unwrap();
        assert_eq!(rank_of(late, &ctx).lateness, 30);

        // The sensitive share scales every case: the order stays.
        let w = RiskWeights::default();
        let calm = ranked(&items, &RiskContext::new(&items, today, &w, false));
        let tense = ranked(&items, &RiskContext::new(&items, today, &w, true));
        let ids = |v: &[String]| {
            v.iter()
                .map(|s| s.split(' ').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&calm), ids(&tense));
        assert_eq!(tense[0], "X-民转刑 90");
    }

    #[test]
    fn weights_are_found_by_name_or_key_and_checked() {
        let mut w = RiskWeights::default();
        assert_eq!(w.set("风险高", 60).unwrap(), (WEIGHT_KEYS[3], 50));
        assert_eq!(w.level[3], 60);
        assert_eq!(w.set("FLAG_THREAT", 45).unwrap().1, 40);
        assert_eq!(w.flags[1], 45);
        let e = w.set("风险很高", 1).unwrap_err().to_string();
        assert!(e.starts_with("没有名为“风险很高”的权重"), "{e}");
        let e = w.set("风险高", -1).unwrap_err().to_string();
        assert_eq!(e, "“风险高”应在 0 到 500 之间，不能是 -1");
        let e = w.set("逾期上限", 10).unwrap_err().to_string();
        assert_eq!(e, "“逾期上限”（10）不能小于“逾期基础分”（30）");
        assert_eq!(WEIGHT_KEYS.len(), w.entries().len());
        // Every slot is reachable and distinct.
        let mut probe = RiskWeights::default();
        for (i, k) in WEIGHT_KEYS.iter().enumerate() {
            *probe.slot(i).unwrap() = 1000 + i as i32;
            assert_eq!(probe.entries()[i].1, 1000 + i as i32, "{}", k.key);
        }
        assert!(probe.slot(WEIGHT_KEYS.len()).is_none());
        // Stored before a field existed: reads as its default.
        let old: RiskWeights = serde_json::from_str(r#"{"key_person": 33}"#).unwrap();
        assert_eq!(old.key_person, 33);
        assert_eq!(old.due_per_day, 5);
    }

    #[test]
    fn one_change_re_ranks_as_a_rebuild_would() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut items = every_input(today);
        let w = RiskWeights::default();
        let mut ctx = RiskContext::new(&items, today, &w, false);
        let old = items[1].clone();
        items[1].parties = vec!["常来人".into()];
        ctx.replace(Some(&old), &items[1]);
        let fresh = RiskContext::new(&items, today, &w, false);
        assert_eq!(ranked(&items, &ctx), ranked(&items, &fresh));
        assert!(ranked(&items, &ctx).contains(&"R-重复1 40".to_string()));
        // Counting for a few cases scores those cases as the full count does.
        let few: Vec<&Summary> = vec![&items[1], &items[3], &items[8]];
        let part = RiskContext::for_cases(&items, &few, today, &w, false);
        for s in few {
            assert_eq!(score(s, &part), score(s, &fresh), "{}", s.id);
        }
    }

    #[test]
    fn a_fresh_threat_outranks_old_critical_and_overdue_cases() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut items = Vec::new();
        // Old cases: 极高, both alarm flags recorded months ago, long overdue.
        for n in 0..50 {
            let mut old = case(
                &format!("OLD-{n:02}"),
                Some(RiskLevel::Critical),
                vec![WarningFlag::CriminalTendency, WarningFlag::ThreatExtreme],
                Some(today - chrono::Duration::days(90)),
            );
            old.signal_on = Some(today - chrono::Duration::days(150));
            old.people_involved = 40;
            old.tier = Tier::County;
            items.push(old);
        }
        let mut fresh = case("NEW", None, vec![WarningFlag::ThreatExtreme], None);
        fresh.status = crate::domain::workflow::Status::Registered;
        fresh.signal_on = Some(today);
        items.push(fresh);
        let ctx = RiskContext::new(&items, today, &RiskWeights::default(), false);
        assert_eq!(items[rank(&items, &ctx)[0].0].id, "NEW");
        let sc = score(&items[50], &ctx);
        assert!(
            sc.reasons.contains(&("扬言极端（今天）".to_string(), 40)),
            "{sc:?}"
        );
        assert!(sc
            .reasons
            .contains(&("新发现，待研判（今天）".to_string(), 300)));
    }

    #[test]
    fn signs_fade_with_the_days_since_they_were_recorded() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let at = |days: i64| {
            let mut c = case(
                "T",
                Some(RiskLevel::High),
                vec![WarningFlag::ThreatExtreme],
                None,
            );
            c.signal_on = Some(today - chrono::Duration::days(days));
            c
        };
        let (yesterday, months) = (at(1), at(150));
        let items = vec![yesterday.clone(), months.clone()];
        let ctx = RiskContext::new(&items, today, &RiskWeights::default(), false);
        assert!(total(&yesterday, &ctx) > total(&months, &ctx));
        assert!(score(&at(3), &ctx)
            .reasons
            .iter()
            .any(|(r, _)| r == "扬言极端（3天前）"));
        // Never below a quarter.
        assert!(score(&months, &ctx)
            .reasons
            .contains(&("扬言极端（150天前）".into(), 10)));
    }
}
