//! `desk-bench train-reader`: trains the category model on the dev half of
//! the reading corpus and chooses how it mixes with the phrase lists by
//! 5-fold cross-validation on that half alone (the test half is never
//! read). Prints the comparison and writes `src/domain/reading/model.tsv`.

use std::path::Path;

use duty_desk::domain::lists::DEFAULT_CATEGORIES;
use duty_desk::domain::reading::{parse_set, read, LabelledCase, Model, Phrases};

const DEV: &str = include_str!("../../tests/data/corpus_dev.toml");
const FOLDS: u64 = 5;
/// Features seen in fewer texts are left out of the shipped file.
pub const MIN_DOCS: u32 = 2;
const ALPHAS: &[f64] = &[0.1, 0.5, 1.0];
const RULE_WEIGHTS: &[f64] = &[0.0, 4.0, 16.0, 64.0, 1000.0];
const CONFIDENCES: &[f64] = &[0.0, 0.5, 0.8, 0.95];
const CATCH_ALL: &str = "其他";

/// One line of the comparison: what was tried and its mean fold accuracy.
pub struct Tried {
    pub name: String,
    pub alpha: f64,
    pub rule_weight: Option<f64>,
    pub min_confidence: f64,
    pub accuracy: f64,
}

fn fold(text: &str) -> u64 {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // The low bit chose the half; fold on the rest.
    (h >> 1) % FOLDS
}

fn pairs(cases: &[&LabelledCase], phrases: &Phrases) -> Vec<(String, String)> {
    cases
        .iter()
        .map(|c| (phrases.normalize(&c.text), c.category.clone()))
        .collect()
}

fn right(case: &LabelledCase, phrases: &Phrases, categories: &[String]) -> bool {
    let got = read(&case.text, phrases, categories)
        .category
        .map(|c| c.value);
    got.as_deref() == Some(case.category.as_str()) || (got.is_none() && case.category == CATCH_ALL)
}

/// Mean accuracy over the folds of one setting; `model` None is the phrase
/// lists alone.
fn cross_validate(
    cases: &[LabelledCase],
    setting: Option<(f64, (f64, f64))>,
    categories: &[String],
) -> f64 {
    let base = Phrases::builtin();
    let mut total = 0.0;
    for k in 0..FOLDS {
        let (train, test): (Vec<&LabelledCase>, Vec<&LabelledCase>) =
            cases.iter().partition(|c| fold(&c.text) != k);
        let mut phrases = base.clone();
        phrases.model = setting.map(|(alpha, mix)| {
            std::sync::Arc::new(Model::train(&pairs(&train, &base), alpha, MIN_DOCS, mix))
        });
        let ok = test
            .iter()
            .filter(|c| right(c, &phrases, categories))
            .count();
        total += ok as f64 / test.len().max(1) as f64;
    }
    total / FOLDS as f64
}

/// Every setting tried, best last among equals of the grid order.
pub fn compare() -> anyhow::Result<Vec<Tried>> {
    let cases = parse_set(DEV)?;
    let categories: Vec<String> = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
    let mut out = vec![Tried {
        name: "只用词表".into(),
        alpha: 0.0,
        rule_weight: None,
        min_confidence: 0.0,
        accuracy: cross_validate(&cases, None, &categories),
    }];
    for &alpha in ALPHAS {
        for &weight in RULE_WEIGHTS {
            for &confidence in CONFIDENCES {
                let name = if weight == 0.0 {
                    "只用模型".to_string()
                } else {
                    format!("词表×{weight} + 模型")
                };
                out.push(Tried {
                    name,
                    alpha,
                    rule_weight: Some(weight),
                    min_confidence: confidence,
                    accuracy: cross_validate(
                        &cases,
                        Some((alpha, (weight, confidence))),
                        &categories,
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Runs the comparison, prints it, trains on the whole dev half with the
/// best mixed setting and writes the model file.
pub fn train_reader(out: &Path) -> anyhow::Result<()> {
    let tried = compare()?;
    println!("五折交叉验证（只在 corpus_dev.toml 上），纠纷类型认对的比例：");
    for t in &tried {
        println!(
            "  {:<16} alpha {:<4} 无词时把握≥{:<4} {:.3}",
            t.name, t.alpha, t.min_confidence, t.accuracy
        );
    }
    let best = tried
        .iter()
        .filter(|t| t.rule_weight.is_some())
        .max_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
        .ok_or_else(|| anyhow::anyhow!("no setting tried"))?;
    let (alpha, weight) = (best.alpha, best.rule_weight.unwrap_or(0.0));
    let confidence = best.min_confidence;
    println!("选用：{} alpha {alpha} 无词时把握≥{confidence}", best.name);
    let cases = parse_set(DEV)?;
    let all: Vec<&LabelledCase> = cases.iter().collect();
    let model = Model::train(
        &pairs(&all, &Phrases::builtin()),
        alpha,
        MIN_DOCS,
        (weight, confidence),
    );
    std::fs::write(out, model.to_text())?;
    println!("已写入 {}", out.display());
    Ok(())
}
