//! The rule-based reader: from what the officer typed (矛盾情况, 备注) it
//! suggests the category, warning flags, number of people, amount, parties
//! and source. Every suggestion carries the words it matched, so the officer
//! sees why ("扬言要动刀 → 扬言极端"). No model, no network: substring scans
//! over an editable phrase list (`phrases.toml`).

mod combos;
mod numbers;
pub use numbers::count;
mod parties;
mod phrases;
mod score;

pub use phrases::{CategoryCues, Cues, Negation, Phrases};
pub use score::{parse_set, score_set, LabelledCase, SetScore};

use serde::Serialize;

use super::lists::{Source, WarningFlag};

/// A value read from the text and the words that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggested<T> {
    pub value: T,
    /// The words matched, e.g. "扬言要动刀".
    pub because: String,
}

impl<T> Suggested<T> {
    fn new(value: T, because: impl Into<String>) -> Self {
        Suggested {
            value,
            because: because.into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub category: Option<Suggested<String>>,
    /// In `WarningFlag::ALL` order.
    pub flags: Vec<Suggested<WarningFlag>>,
    pub people: Option<Suggested<u32>>,
    pub amount_yuan: Option<Suggested<u64>>,
    pub parties: Vec<Suggested<String>>,
    pub source: Option<Suggested<Source>>,
}

/// One line of "why": field, suggested value, matched words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub field: &'static str,
    pub value: String,
    pub because: String,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} → {}", self.because, self.value)
    }
}

/// The flags a missed reading costs most: tuned for recall.
pub const DANGER_FLAGS: &[WarningFlag] = &[
    WarningFlag::CriminalTendency,
    WarningFlag::ThreatExtreme,
    WarningFlag::MassIncident,
];

/// How many matched phrases a reason quotes.
const MAX_QUOTED: usize = 3;

impl Reading {
    pub fn flag_values(&self) -> Vec<WarningFlag> {
        self.flags.iter().map(|s| s.value).collect()
    }

    pub fn is_empty(&self) -> bool {
        *self == Reading::default()
    }

    /// Every suggestion with its reason, in form order.
    pub fn reasons(&self) -> Vec<Reason> {
        let mut out = Vec::new();
        let mut add = |field, value: String, because: &str| {
            out.push(Reason {
                field,
                value,
                because: because.to_string(),
            })
        };
        if let Some(c) = &self.category {
            add("纠纷类型", c.value.clone(), &c.because);
        }
        for f in &self.flags {
            add("预警情形", f.value.label().to_string(), &f.because);
        }
        if let Some(p) = &self.people {
            add("涉及人数", p.value.to_string(), &p.because);
        }
        if let Some(a) = &self.amount_yuan {
            add("涉及金额", format!("{}元", a.value), &a.because);
        }
        for p in &self.parties {
            add("当事人", p.value.clone(), &p.because);
        }
        if let Some(s) = &self.source {
            add("来源", s.value.label().to_string(), &s.because);
        }
        out
    }
}

/// Reads one text. `categories` is the township's list: only those are
/// suggested, and only those with cues in `phrases`.
pub fn read(text: &str, phrases: &Phrases, categories: &[String]) -> Reading {
    let normalized = phrases.normalize(text);
    let text = normalized.as_str();
    let people = numbers::people(text).map(|(n, words)| Suggested::new(n, words));
    let chars = phrases::CharSet::new(text);
    let mut flags = read_flags(text, &chars, phrases);
    if let Some(p) = &people {
        let many = p.value >= phrases.mass_incident_at;
        if many && !flags.iter().any(|f| f.value == WarningFlag::MassIncident) {
            flags.push(Suggested::new(WarningFlag::MassIncident, &p.because));
            flags.sort_by_key(|f| f.value);
        }
    }
    Reading {
        category: read_category(text, &chars, phrases, categories),
        flags,
        people,
        amount_yuan: numbers::amount(text).map(|(n, words)| Suggested::new(n, words)),
        parties: parties::parties(text)
            .into_iter()
            .map(|(name, words)| Suggested::new(name, words))
            .collect(),
        source: read_source(text, &chars, phrases),
    }
}

/// Per flag, the combinations that hold and the single cues found live,
/// both quoted: "十几个亲戚…对峙、拉横幅".
fn read_flags(
    text: &str,
    chars: &phrases::CharSet,
    phrases: &Phrases,
) -> Vec<Suggested<WarningFlag>> {
    let combos = combos::read(
        text,
        chars,
        &phrases.combos,
        &phrases.negation,
        phrases.many_at,
    );
    let mut out: Vec<Suggested<WarningFlag>> = WarningFlag::ALL
        .iter()
        .filter_map(|flag| {
            let mut words: Vec<String> = combos
                .iter()
                .filter(|(f, _)| f == flag)
                .map(|(_, hits)| {
                    let words: Vec<&str> = hits.iter().map(|h| h.words.as_str()).collect();
                    words.join("…")
                })
                .collect();
            let single = phrases.flags.iter().find(|(f, _)| f == flag);
            if let Some((_, cues)) = single {
                let hits: Vec<phrases::Hit> = cues
                    .cues
                    .iter()
                    .filter_map(|cue| phrases::find_live(text, chars, cue, cues, &phrases.negation))
                    .filter(|h| {
                        !phrases::reported(combos::sentence_at(text, h.at), &phrases.negation)
                    })
                    .filter(|h| !combos::cancelled(text, h.at, &cues.unless, phrases))
                    .collect();
                words.extend(quote(hits));
            }
            (!words.is_empty()).then(|| Suggested::new(*flag, words.join("、")))
        })
        .collect();
    out.sort_by_key(|f| f.value);
    out
}

/// The matched words in text order, dropping any that overlap longer ones
/// ("扬言" inside "扬言要动刀"), at most `MAX_QUOTED`, joined by "、".
fn quote(mut hits: Vec<phrases::Hit>) -> Option<String> {
    if hits.is_empty() {
        return None;
    }
    hits.sort_by_key(|h| h.at);
    let mut kept: Vec<&str> = Vec::new();
    for h in &hits {
        let shadowed = hits
            .iter()
            .any(|o| o.words.len() > h.words.len() && o.overlaps(h));
        if !shadowed && !kept.contains(&h.words.as_str()) {
            kept.push(&h.words);
        }
    }
    kept.truncate(MAX_QUOTED);
    Some(kept.join("、"))
}

/// The category whose cues cover most of the text; longer cues weigh more,
/// and a cue inside a longer matched cue of the same category adds nothing.
fn read_category(
    text: &str,
    chars: &phrases::CharSet,
    phrases: &Phrases,
    categories: &[String],
) -> Option<Suggested<String>> {
    let mut best: Option<(f64, usize, &str, Vec<phrases::Hit>)> = None;
    for category in &phrases.categories {
        if !categories.contains(&category.label) {
            continue;
        }
        let hits: Vec<phrases::Hit> = category
            .cues
            .iter()
            .filter_map(|cue| {
                chars
                    .find(text, cue)
                    .map(|at| phrases::Hit::new(text, at, at + cue.len()))
            })
            .collect();
        let inside_longer = |h: &phrases::Hit| {
            hits.iter()
                .any(|o| o.words.len() > h.words.len() && o.words.contains(&h.words))
        };
        let chars: usize = hits
            .iter()
            .filter(|h| !inside_longer(h))
            .map(|h| h.words.chars().count())
            .sum();
        let score = chars as f64 * category.weight;
        let first = hits.iter().map(|h| h.at).min().unwrap_or(usize::MAX);
        let better = best
            .as_ref()
            .is_none_or(|(s, f, _, _)| score > *s || (score == *s && first < *f));
        if score > 0.0 && better {
            best = Some((score, first, &category.label, hits));
        }
    }
    let (_, _, label, hits) = best?;
    Some(Suggested::new(label.to_string(), quote(hits)?))
}

/// The source whose cue comes first in the text.
fn read_source(
    text: &str,
    chars: &phrases::CharSet,
    phrases: &Phrases,
) -> Option<Suggested<Source>> {
    phrases
        .sources
        .iter()
        .flat_map(|(source, cues)| {
            cues.iter()
                .filter_map(move |cue| chars.find(text, cue).map(|at| (at, *source, cue)))
        })
        .min_by_key(|(at, _, cue)| (*at, usize::MAX - cue.len()))
        .map(|(_, source, cue)| Suggested::new(source, cue.as_str()))
}

#[cfg(test)]
mod tests;
