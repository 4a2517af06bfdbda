//! Figures of issue 6: the daily report through the Desk API, and the
//! re-rank of every open case after one change.

use std::time::Instant;

use duty_desk::demo::Rng;
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::desk::{clock, Caller, Local, Request};
use duty_desk::domain::lists::{Channel, ContactKind, RollcallKind, WarningFlag};
use duty_desk::domain::period::SensitivePeriod;
use duty_desk::domain::reports::{Kind, Spec};
use duty_desk::domain::risk::{rank, RiskContext, RiskWeights};
use duty_desk::domain::rollcall::NewRollcall;
use duty_desk::domain::workflow::Status;

use crate::measure::{ms, percentile, round2, Figures};

/// A sensitive period running today and half the villages reported, so the
/// report has a roll-call to write. The first report (every summary decoded)
/// is its own figure; then nine reports, each after one change: median ms.
pub fn daily_report(
    local: &Local,
    caller: &Caller,
    tag: &str,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let today = clock::now().date_naive();
    local.handle(
        caller,
        Request::AddPeriod {
            period: SensitivePeriod::new(
                "性能测试时期",
                today,
                today + chrono::Days::new(3),
                None,
            )?,
        },
    )?;
    let villages = local.lists()?.villages;
    for (i, v) in villages.iter().enumerate().step_by(2) {
        local.handle(
            caller,
            Request::RecordRollcall {
                new: NewRollcall {
                    unit: v.clone(),
                    date: None,
                    kind: if i % 4 == 0 {
                        RollcallKind::Zero
                    } else {
                        RollcallKind::News
                    },
                    channel: Channel::Phone,
                    text: if i % 4 == 0 {
                        String::new()
                    } else {
                        "两户因宅基地争执，已到场调解".into()
                    },
                },
            },
        )?;
    }
    let daily = || Request::Report {
        spec: Spec {
            kind: Kind::Daily,
            date: None,
            from: None,
            since: None,
            to: None,
            officer: None,
        },
    };
    // The first report decodes every summary; later ones only what changed.
    let t = Instant::now();
    local.handle(caller, daily())?;
    figures.insert(format!("daily_report_first_ms_{tag}"), round2(ms(t)));
    let open: Vec<String> = local
        .store()
        .summaries()?
        .into_iter()
        .filter(|s| s.status.is_open() && s.status != Status::PendingClose)
        .map(|s| s.id)
        .collect();
    let mut rng = Rng::new(17);
    let mut samples = Vec::new();
    for i in 0..9 {
        // Each report follows a change, as on a working desk.
        local.handle(
            caller,
            ops::Note {
                kind: ContactKind::Phone,
                text: format!("日报测试前的进展{i}"),
            }
            .on(rng.pick(&open).clone(), None),
        )?;
        let t = Instant::now();
        local.handle(caller, daily())?;
        samples.push(ms(t));
    }
    figures.insert(
        format!("daily_report_ms_{tag}"),
        round2(percentile(&mut samples, 50.0)),
    );
    // The later figures (the screen) measure the desk as it was.
    local.handle(
        caller,
        Request::RemovePeriod {
            name: "性能测试时期".into(),
            from: None,
        },
    )?;
    Ok(())
}

/// One case changes (a flag added), the repeat-party counts follow it, and
/// every open case is scored and sorted again: median of 20. Also the full
/// rebuild (counts from scratch), which a client does at start.
pub fn rank_after_change(local: &Local, tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let mut items = local.store().summaries()?;
    let today = clock::now().date_naive();
    let w = RiskWeights::default();
    let open: Vec<usize> = (0..items.len())
        .filter(|i| items[*i].status.is_open())
        .collect();
    anyhow::ensure!(!open.is_empty(), "生成的数据里没有在办案件");
    let mut full = Vec::new();
    let mut ctx = RiskContext::new(&items, today, &w, false);
    for _ in 0..5 {
        let t = Instant::now();
        ctx = RiskContext::new(&items, today, &w, false);
        std::hint::black_box(rank(&items, &ctx));
        full.push(ms(t));
    }
    let mut rng = Rng::new(6);
    let mut samples = Vec::new();
    for _ in 0..20 {
        let i = *rng.pick(&open);
        let old = items[i].clone();
        let t = Instant::now();
        let s = &mut items[i];
        if s.flags.contains(&WarningFlag::Agitated) {
            s.flags.retain(|f| *f != WarningFlag::Agitated);
        } else {
            s.flags.push(WarningFlag::Agitated);
        }
        ctx.replace(Some(&old), &items[i]);
        std::hint::black_box(rank(&items, &ctx));
        samples.push(ms(t));
    }
    figures.insert(
        format!("rank_ms_{tag}"),
        round2(percentile(&mut samples, 50.0)),
    );
    figures.insert(
        format!("rank_full_ms_{tag}"),
        round2(percentile(&mut full, 50.0)),
    );
    Ok(())
}

/// Issue 12's figure: where a case registered now, whose threat is only in
/// its text, lands in 风险队列 over the generated backlog (1 = the top).
pub fn fresh_threat_position(
    local: &Local,
    caller: &Caller,
    tag: &str,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    use duty_desk::desk::api::Response;
    use duty_desk::domain::dispute::{NewDispute, Party};
    use duty_desk::domain::lists::{PartyRole, Source};
    let village = local.lists()?.villages.first().cloned().unwrap_or_default();
    let new = NewDispute {
        village,
        category: "邻里".into(),
        source: Some(Source::Call),
        summary: "来电称与邻居因宅基地争执多年，今天扬言要喝农药和对方同归于尽".into(),
        parties: vec![Party::new("甲某", PartyRole::Applicant, None)?],
        ..Default::default()
    };
    let Response::Created(id) = local.handle(caller, Request::Register { new })?.response else {
        anyhow::bail!("登记没有返回编号");
    };
    let items = local.store().summaries()?;
    let setup = local.risk_setup(clock::now().date_naive())?;
    let ctx = RiskContext::new(&items, setup.today, &setup.weights, setup.sensitive());
    let position = rank(&items, &ctx)
        .iter()
        .position(|&(i, _)| items[i].id == id)
        .map(|p| p + 1)
        .ok_or_else(|| anyhow::anyhow!("新登记的案件不在风险队列里"))?;
    figures.insert(format!("rank_fresh_threat_position_{tag}"), position as f64);
    Ok(())
}
