//! The `suggest` group: the text reader's quality on the labelled corpus
//! and its time per summary. The dev half (`tests/data/corpus_dev.toml`,
//! the texts the reader was tuned and trained on) gives the `suggest_*`
//! figures; the frozen test half (`tests/data/corpus_test.toml`, never used
//! to tune) gives the same figures as `suggest_*_unseen`.

use std::time::Instant;

use duty_desk::domain::lists::DEFAULT_CATEGORIES;
use duty_desk::domain::reading::{parse_set, read, score_set, Phrases};

use crate::measure::{percentile, round2, Figures};

const DEV: &str = include_str!("../../tests/data/corpus_dev.toml");
const UNSEEN: &str = include_str!("../../tests/data/corpus_test.toml");
/// Timed reads of each labelled text.
const ROUNDS: usize = 200;

pub fn suggest_figures(figures: &mut Figures) -> anyhow::Result<()> {
    let phrases = Phrases::builtin();
    let categories: Vec<String> = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
    for (set, suffix) in [(DEV, ""), (UNSEEN, "_unseen")] {
        let score = score_set(set, &phrases, &categories)?;
        let mut put = |name: &str, value: f64| {
            figures.insert(format!("suggest_{name}{suffix}"), round3(value));
        };
        put("category_accuracy", score.category_accuracy);
        put("flag_recall", score.danger_recall);
        put("flag_precision", score.flag_precision);
        put("party_recall", score.party_recall);
    }
    let mut texts: Vec<String> = parse_set(DEV)?.into_iter().map(|c| c.text).collect();
    texts.extend(parse_set(UNSEEN)?.into_iter().map(|c| c.text));
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
