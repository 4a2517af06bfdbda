//! The `suggest` group: the text reader's quality on the labelled set
//! (`tests/data/readings.toml`, embedded) and its time per summary.

use std::time::Instant;

use duty_desk::domain::lists::DEFAULT_CATEGORIES;
use duty_desk::domain::reading::{parse_set, read, score_set, Phrases};

use crate::measure::{percentile, round2, Figures};

const LABELLED: &str = include_str!("../../tests/data/readings.toml");
/// Timed reads of each labelled text.
const ROUNDS: usize = 200;

pub fn suggest_figures(figures: &mut Figures) -> anyhow::Result<()> {
    let phrases = Phrases::builtin();
    let categories: Vec<String> = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
    let score = score_set(LABELLED, &phrases, &categories)?;
    figures.insert(
        "suggest_category_accuracy".into(),
        round3(score.category_accuracy),
    );
    figures.insert("suggest_flag_recall".into(), round3(score.danger_recall));
    figures.insert(
        "suggest_flag_precision".into(),
        round3(score.flag_precision),
    );
    let texts: Vec<String> = parse_set(LABELLED)?.into_iter().map(|c| c.text).collect();
    let mut samples = Vec::with_capacity(texts.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for text in &texts {
            let t = Instant::now();
            let reading = read(text, &phrases, &categories);
            samples.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(reading);
        }
    }
    figures.insert(
        "suggest_us_p95".into(),
        round2(percentile(&mut samples, 95.0)),
    );
    Ok(())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
