//! Scoring the reader against a labelled set (`tests/data/corpus_*.toml`),
//! for the quality test and for `desk bench`.

use serde::Deserialize;

use super::{read, Phrases, DANGER_FLAGS};
use crate::domain::lists::{Source, WarningFlag};
use crate::domain::DomainError;

/// A category nobody can read from words: an empty suggestion counts as it.
const CATCH_ALL: &str = "其他";

#[derive(Debug, Clone, Deserialize)]
pub struct LabelledCase {
    pub text: String,
    pub category: String,
    #[serde(default)]
    pub flags: Vec<WarningFlag>,
    #[serde(default)]
    pub people: Option<u32>,
    #[serde(default)]
    pub amount: Option<u64>,
    #[serde(default)]
    pub parties: Option<Vec<String>>,
    #[serde(default)]
    pub source: Option<Source>,
    /// Where the text came from (a rewritten public case, or composed).
    #[serde(default)]
    pub origin: String,
}

#[derive(Deserialize)]
struct SetFile {
    case: Vec<LabelledCase>,
}

/// The reader's quality on a labelled set. Ratios are 0.0–1.0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetScore {
    pub cases: usize,
    pub category_accuracy: f64,
    /// Recall over 民转刑倾向, 扬言极端 and 可能引发群体性事件 together.
    pub danger_recall: f64,
    /// Recall of each flag that occurs in the set: (flag, found, expected).
    pub flag_recall: Vec<(WarningFlag, usize, usize)>,
    /// Share of suggested flags that were expected.
    pub flag_precision: f64,
    /// Share of labelled people/amount/parties/source values read right.
    pub detail_accuracy: f64,
    /// Share of labelled party names the reading names (in any order).
    pub party_recall: f64,
    /// One line per wrong reading, for a failing test to print.
    pub mistakes: Vec<String>,
}

pub fn parse_set(text: &str) -> Result<Vec<LabelledCase>, DomainError> {
    let file: SetFile = toml::from_str(text)
        .map_err(|e| DomainError::invalid(format!("标注集格式有误：{}", e.message())))?;
    Ok(file.case)
}

#[derive(Default)]
struct Tally {
    category_right: usize,
    suggested: usize,
    suggested_right: usize,
    per_flag: Vec<(WarningFlag, usize, usize)>,
    details: usize,
    details_right: usize,
    parties: usize,
    parties_found: usize,
}

/// Reads every labelled text and compares with its labels.
pub fn score_set(
    labelled: &str,
    phrases: &Phrases,
    categories: &[String],
) -> Result<SetScore, DomainError> {
    let cases = parse_set(labelled)?;
    let mut t = Tally {
        per_flag: WarningFlag::ALL.iter().map(|f| (*f, 0, 0)).collect(),
        ..Tally::default()
    };
    let mut mistakes = Vec::new();
    for case in &cases {
        if let Some(line) = score_case(case, phrases, categories, &mut t) {
            mistakes.push(line);
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let danger = t
        .per_flag
        .iter()
        .filter(|(f, _, _)| DANGER_FLAGS.contains(f));
    let (found, expected) = danger.fold((0, 0), |(a, b), (_, f, e)| (a + f, b + e));
    Ok(SetScore {
        cases: cases.len(),
        category_accuracy: ratio(t.category_right, cases.len()),
        danger_recall: ratio(found, expected),
        flag_recall: t.per_flag.into_iter().filter(|(_, _, e)| *e > 0).collect(),
        flag_precision: ratio(t.suggested_right, t.suggested),
        detail_accuracy: ratio(t.details_right, t.details),
        party_recall: ratio(t.parties_found, t.parties),
        mistakes,
    })
}

fn score_case(
    case: &LabelledCase,
    phrases: &Phrases,
    categories: &[String],
    t: &mut Tally,
) -> Option<String> {
    let reading = read(&case.text, phrases, categories);
    let category = reading.category.as_ref().map(|c| c.value.as_str());
    let category_ok = category == Some(case.category.as_str())
        || (category.is_none() && case.category == CATCH_ALL);
    t.category_right += usize::from(category_ok);
    let got = reading.flag_values();
    t.suggested += got.len();
    t.suggested_right += got.iter().filter(|f| case.flags.contains(f)).count();
    for (flag, found, expected) in &mut t.per_flag {
        if case.flags.contains(flag) {
            *expected += 1;
            *found += usize::from(got.contains(flag));
        }
    }
    if let Some(labelled) = &case.parties {
        t.parties += labelled.len();
        t.parties_found += labelled
            .iter()
            .filter(|p| reading.parties.iter().any(|s| s.value.name == **p))
            .count();
    }
    let details = [
        case.people
            .map(|p| reading.people.as_ref().map(|s| s.value) == Some(p)),
        case.amount
            .map(|a| reading.amount_yuan.as_ref().map(|s| s.value) == Some(a)),
        case.parties.as_ref().map(|p| {
            let names: Vec<&str> = reading
                .parties
                .iter()
                .map(|s| s.value.name.as_str())
                .collect();
            names == p.iter().map(String::as_str).collect::<Vec<_>>()
        }),
        case.source
            .map(|s| reading.source.as_ref().map(|r| r.value) == Some(s)),
    ];
    let details_ok = details.iter().flatten().all(|ok| *ok);
    t.details += details.iter().flatten().count();
    t.details_right += details.iter().flatten().filter(|ok| **ok).count();
    let flags_ok = {
        let mut a = got.clone();
        let mut b = case.flags.clone();
        a.sort();
        b.sort();
        a == b
    };
    (!category_ok || !flags_ok || !details_ok).then(|| {
        let reasons: Vec<String> = reading.reasons().iter().map(|r| r.to_string()).collect();
        format!(
            "{}\n  期望：{} {:?}\n  读出：{}",
            case.text,
            case.category,
            case.flags.iter().map(|f| f.label()).collect::<Vec<_>>(),
            reasons.join("；")
        )
    })
}
