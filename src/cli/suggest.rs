//! `desk suggest`: what the rule-based reader makes of a 矛盾情况, each
//! suggestion with the words that gave it. Also the category `desk add
//! dispute` takes when none is given.

use clap::Args;
use serde_json::{json, Value};

use super::Printed;
use crate::desk::{Desk, DeskExt};
use crate::domain::reading::{read, Phrases, Reading, Suggested};

#[derive(Args)]
pub struct Suggest {
    /// 矛盾情况（原文）
    #[arg(value_name = "文字")]
    text: String,
}

pub fn suggest(desk: &mut dyn Desk, a: Suggest) -> anyhow::Result<Printed> {
    let categories = desk.lists()?.categories;
    let reading = read(&a.text, Phrases::shared(), &categories);
    Ok(Printed::new(reading_json(&reading), reading_text(&reading)))
}

/// Exactly `category`, `flags`, `people`, `amount_yuan`, `parties`, `reasons`.
pub fn reading_json(r: &Reading) -> Value {
    let value = |s: &Option<Suggested<String>>| s.as_ref().map(|s| s.value.clone());
    json!({
        "category": value(&r.category),
        "flags": r.flags.iter().map(|f| f.value.label()).collect::<Vec<_>>(),
        "people": r.people.as_ref().map(|p| p.value),
        "amount_yuan": r.amount_yuan.as_ref().map(|a| a.value),
        "parties": r.parties.iter().map(|p| p.value.name.clone()).collect::<Vec<_>>(),
        "reasons": r.reasons(),
    })
}

/// One line per suggestion: "预警情形：扬言极端（文字“扬言要动刀”）".
pub fn reading_text(r: &Reading) -> String {
    let reasons = r.reasons();
    if reasons.is_empty() {
        return "没有从文字中读出可建议的内容".to_string();
    }
    reasons
        .iter()
        .map(|x| format!("{}：{}（文字“{}”）", x.field, x.value, x.because))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The category read from `summary`, or a Chinese error asking for
/// `--category`.
pub fn category_of(summary: &str, categories: &[String]) -> anyhow::Result<Suggested<String>> {
    read(summary, Phrases::shared(), categories)
        .category
        .ok_or_else(|| {
            anyhow::anyhow!(
                "没能从矛盾情况中认出纠纷类型，请用 --category 写明（如 --category 邻里）"
            )
        })
}
