//! The reader: from what the officer typed (矛盾情况, 备注) it suggests the
//! category, warning flags, number of people, amount, parties and source.
//! Every suggestion carries the words it matched, so the officer sees why
//! ("扬言要动刀 → 扬言极端", "各叫…对峙 → 可能引发群体性事件"). No
//! network: substring scans over an editable phrase list (`phrases.toml`),
//! its combinations of word groups within a sentence (`combos`), and for the
//! category a small naive Bayes model shipped as counts (`model`).

mod combos;
mod model;
mod numbers;
pub use numbers::count;
mod parties;
mod phrases;
mod score;

pub use model::{features, Model};
pub use phrases::{CategoryCues, Cues, Negation, Phrases};
pub use score::{parse_set, score_set, LabelledCase, SetScore};

use serde::Serialize;

use super::lists::{PartyRole, Source, WarningFlag};

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
    pub parties: Vec<Suggested<NamedParty>>,
    pub source: Option<Suggested<Source>>,
}

/// A party the text names, with the side it gives ("申请人张某").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedParty {
    pub name: String,
    pub role: Option<PartyRole>,
}

impl std::fmt::Display for NamedParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.role {
            Some(role) => write!(f, "{}（{}）", self.name, role.label()),
            None => write!(f, "{}", self.name),
        }
    }
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
            add("当事人", p.value.to_string(), &p.because);
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
        parties: read_parties_normalized(text),
        source: read_source(text, &chars, phrases),
    }
}

/// Per flag, the combinations that hold and the single cues found live,
/// both quoted: "十几个亲戚…对峙、拉横幅".
/// The parties a text names, with their sides: what `read` gives as
/// `parties`, for callers that need nothing else (the 排查表 import).
pub fn read_parties(text: &str, phrases: &Phrases) -> Vec<Suggested<NamedParty>> {
    read_parties_normalized(&phrases.normalize(text))
}

fn read_parties_normalized(text: &str) -> Vec<Suggested<NamedParty>> {
    parties::parties(text)
        .into_iter()
        .map(|f| {
            let party = NamedParty {
                name: f.name,
                role: f.role,
            };
            Suggested::new(party, f.words)
        })
        .collect()
}

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

/// A category nobody reads from words: never suggested.
const CATCH_ALL: &str = "其他";

/// The category with the best mix of the phrase lists' score (the
/// characters its matched cues cover, longer cues weighing more, times the
/// category's weight) and the learned model's log-probability. Explained
/// by its matched cues, or by the model's n-grams when no cue matched.
fn read_category(
    text: &str,
    chars: &phrases::CharSet,
    phrases: &Phrases,
    categories: &[String],
) -> Option<Suggested<String>> {
    let rules = rule_scores(text, chars, phrases, categories);
    let Some(model) = &phrases.model else {
        let (label, _, hits) = rules
            .into_iter()
            .filter(|(_, s, _)| *s > 0.0)
            .max_by(|a, b| {
                a.1.total_cmp(&b.1)
                    .then(first_at(&b.2).cmp(&first_at(&a.2)))
            })?;
        return Some(Suggested::new(label.to_string(), quote(hits)?));
    };
    let nb = model.scores(text);
    let any_cue = rules.iter().any(|(_, s, _)| *s > 0.0);
    let scored: Vec<(&String, f64, Vec<phrases::Hit>, Vec<&str>)> = model
        .classes
        .iter()
        .zip(nb)
        .filter(|(c, _)| categories.contains(c))
        .map(|(c, (score, words))| {
            let (rule, hits) = rules
                .iter()
                .find(|(l, _, _)| l == c)
                .map(|(_, s, h)| (*s, h.clone()))
                .unwrap_or_default();
            (c, score + model.rule_weight * rule, hits, words)
        })
        .collect();
    let best = scored.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let mass: f64 = scored.iter().map(|s| (s.1 - best).exp()).sum();
    let (label, _, hits, words) = scored.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    // With no cue to go on, only a confident model speaks.
    if !any_cue && 1.0 / mass < model.min_confidence {
        return None;
    }
    if label == CATCH_ALL {
        return None;
    }
    let because = quote(hits).unwrap_or_else(|| format!("字组 {}", words.join("、")));
    Some(Suggested::new(label.clone(), because))
}

fn first_at(hits: &[phrases::Hit]) -> usize {
    hits.iter().map(|h| h.at).min().unwrap_or(usize::MAX)
}

/// Per township category with cues: its score and matched cues. A cue
/// inside a longer matched cue of the same category adds nothing.
fn rule_scores<'a>(
    text: &str,
    chars: &phrases::CharSet,
    phrases: &'a Phrases,
    categories: &[String],
) -> Vec<(&'a str, f64, Vec<phrases::Hit>)> {
    phrases
        .categories
        .iter()
        .filter(|c| categories.contains(&c.label))
        .map(|category| {
            let find = |cue: &String| {
                chars
                    .find(text, cue)
                    .map(|at| phrases::Hit::new(text, at, at + cue.len()))
            };
            let strong: Vec<phrases::Hit> = category.cues.iter().filter_map(find).collect();
            let weak: Vec<phrases::Hit> = category.weak.iter().filter_map(find).collect();
            let all: Vec<&phrases::Hit> = strong.iter().chain(&weak).collect();
            let inside_longer = |h: &phrases::Hit| {
                all.iter()
                    .any(|o| o.words.len() > h.words.len() && o.words.contains(&h.words))
            };
            let covered = |hits: &[phrases::Hit]| -> f64 {
                hits.iter()
                    .filter(|h| !inside_longer(h))
                    .map(|h| h.words.chars().count() as f64)
                    .sum()
            };
            let covered = covered(&strong) + phrases::WEAK * covered(&weak);
            let hits: Vec<phrases::Hit> = strong.into_iter().chain(weak).collect();
            (category.label.as_str(), covered * category.weight, hits)
        })
        .collect()
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
