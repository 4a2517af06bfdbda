//! Danger read from how things combine: a warning flag raised when every
//! slot of a combination is found, live, in one sentence ("双方亲属" with
//! "对峙"; "打" with "住院"; "扬言" with "弄死"). The slots are word lists in
//! `phrases.toml` (`[slots]`), the combinations its `[[combos]]`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::numbers;
use super::phrases::{self, CharSet, Cues, Hit, Negation, Phrases};
use crate::domain::lists::WarningFlag;
use crate::domain::DomainError;

/// Ends a sentence: a combination never reaches across one.
const SENTENCE_ENDS: &[char] = &['。', '；', '！', '？', ';', '!', '?', '\n'];

/// A slot entry standing for "a head count of at least `people.many_at`".
pub const HEAD_COUNT: &str = "#人数";

/// One combination as the file writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct ComboFile {
    pub flag: String,
    /// Slot names, each of which must be found in the sentence.
    pub all: Vec<String>,
    /// Slots whose presence anywhere in the sentence cancels the combination
    /// ("小学生" with "擦破" is a scuffle, not a turn to crime).
    #[serde(default)]
    pub unless: Vec<Vec<String>>,
}

/// A combination with its slots resolved to word lists.
#[derive(Debug, Clone)]
pub struct Combo {
    pub flag: WarningFlag,
    /// (slot name, its words), in the order the combination names them.
    pub all: Vec<(String, Cues)>,
    /// Each inner list is a set of slots that together cancel.
    pub unless: Vec<Vec<Cues>>,
}

/// Resolves slot names; an unknown slot or flag is refused so a typo in an
/// edited file is seen.
pub fn resolve(
    combos: Vec<ComboFile>,
    slots: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Combo>, DomainError> {
    let cues = |name: &String| {
        slots
            .get(name)
            .map(|words| Cues {
                cues: words.clone(),
                ..Cues::default()
            })
            .ok_or_else(|| DomainError::invalid(format!("词表里没有“{name}”这一组词")))
    };
    combos
        .into_iter()
        .map(|c| {
            let all = c
                .all
                .iter()
                .map(|n| Ok((n.clone(), cues(n)?)))
                .collect::<Result<Vec<_>, DomainError>>()?;
            let unless = c
                .unless
                .iter()
                .map(|set| set.iter().map(cues).collect::<Result<Vec<_>, _>>())
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Combo {
                flag: WarningFlag::parse(&c.flag)?,
                all,
                unless,
            })
        })
        .collect()
}

/// The byte ranges of the text's sentences.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if SENTENCE_ENDS.contains(&c) {
            if i > start {
                out.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Where the combinations hold: per flag, the words of the first sentence
/// that satisfies one, e.g. "十几个亲戚…对峙".
pub fn read(
    text: &str,
    chars: &CharSet,
    combos: &[Combo],
    negation: &Negation,
    many_at: u32,
) -> Vec<(WarningFlag, Vec<Hit>)> {
    let mut out: Vec<(WarningFlag, Vec<Hit>)> = Vec::new();
    let spans = sentences(text);
    for combo in combos {
        if out.iter().any(|(f, _)| *f == combo.flag) {
            continue;
        }
        let found = spans.iter().find_map(|&(from, to)| {
            let sentence = &text[from..to];
            if phrases::reported(sentence, negation) {
                return None;
            }
            let cancelled = combo.unless.iter().any(|set| {
                set.iter()
                    .all(|c| first_hit(text, from, to, chars, c, negation, many_at).is_some())
            });
            if cancelled {
                return None;
            }
            combo
                .all
                .iter()
                .map(|(_, cues)| first_hit(text, from, to, chars, cues, negation, many_at))
                .collect::<Option<Vec<Hit>>>()
        });
        if let Some(hits) = found {
            out.push((combo.flag, hits));
        }
    }
    out
}

/// True when every slot of one of `unless`'s sets is found in the sentence
/// around byte `at`.
pub fn cancelled(text: &str, at: usize, unless: &[Vec<String>], phrases: &Phrases) -> bool {
    let (from, to) = sentence_span(text, at);
    let chars = CharSet::new(&text[from..to]);
    unless.iter().any(|set| {
        set.iter().all(|name| {
            phrases.slots.get(name).is_some_and(|cues| {
                first_hit(
                    text,
                    from,
                    to,
                    &chars,
                    cues,
                    &phrases.negation,
                    phrases.many_at,
                )
                .is_some()
            })
        })
    })
}

/// The first live word of a slot inside `text[from..to]`.
fn first_hit(
    text: &str,
    from: usize,
    to: usize,
    chars: &CharSet,
    cues: &Cues,
    negation: &Negation,
    many_at: u32,
) -> Option<Hit> {
    cues.cues
        .iter()
        .filter_map(|cue| {
            if cue == HEAD_COUNT {
                let (n, words) = numbers::people(&text[from..to])?;
                let at = from + text[from..to].find(&words)?;
                return (n >= many_at).then(|| Hit::new(text, at, at + words.len()));
            }
            phrases::find_live_in(text, from, to, chars, cue, cues, negation)
        })
        .min_by_key(|h| (h.at, std::cmp::Reverse(h.end)))
}

/// The sentence around byte `at`.
pub fn sentence_at(text: &str, at: usize) -> &str {
    let (start, end) = sentence_span(text, at);
    &text[start..end]
}

fn sentence_span(text: &str, at: usize) -> (usize, usize) {
    let start = text[..at].rfind(SENTENCE_ENDS).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[at..]
        .find(SENTENCE_ENDS)
        .map_or(text.len(), |i| at + i);
    (start, end)
}
