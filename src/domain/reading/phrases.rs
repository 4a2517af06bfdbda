//! The phrase lists the reader matches, kept as editable TOML data
//! (`src/domain/phrases.toml`), and the cue scan with cheap negation.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::lists::{Source, WarningFlag};
use crate::domain::DomainError;

const BUILTIN: &str = include_str!("../phrases.toml");

/// Characters that end a clause: negation never reaches across them.
const CLAUSE_ENDS: &[char] = &[
    '，', '。', '；', '！', '？', '、', ',', '.', ';', '!', '?', '\n', '：', ':',
];

/// Words that, just before a threat, attribute it: shown with the cue as the reason.
const THREAT_LEADS: &[&str] = &["扬言", "威胁", "声称", "叫嚷", "称要", "表示要"];

#[derive(Debug, Clone, Default)]
pub struct Phrases {
    pub negation: Negation,
    /// Per flag, in `WarningFlag::ALL` order.
    pub flags: Vec<(WarningFlag, Cues)>,
    /// Per category label.
    pub categories: Vec<(String, Vec<String>)>,
    pub sources: Vec<(Source, Vec<String>)>,
    /// At this many people the case may turn into a mass incident.
    pub mass_incident_at: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Negation {
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub keep: Vec<String>,
    #[serde(default)]
    pub breaks: Vec<String>,
    #[serde(default = "default_window")]
    pub window: usize,
}

fn default_window() -> usize {
    8
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cues {
    #[serde(default)]
    pub cues: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    negation: Negation,
    #[serde(default)]
    people: PeopleFile,
    #[serde(default)]
    flags: BTreeMap<String, Cues>,
    #[serde(default)]
    categories: BTreeMap<String, Cues>,
    #[serde(default)]
    sources: BTreeMap<String, Cues>,
}

#[derive(Deserialize)]
struct PeopleFile {
    mass_incident_at: u32,
}

impl Default for PeopleFile {
    fn default() -> Self {
        PeopleFile {
            mass_incident_at: 20,
        }
    }
}

impl Phrases {
    /// The lists shipped with the desk.
    pub fn builtin() -> Phrases {
        Phrases::parse(BUILTIN).expect("the built-in phrases.toml parses")
    }

    /// Parses a phrase file; unknown flag or source labels are refused so a
    /// typo in an edited file is seen, not silently ignored.
    pub fn parse(text: &str) -> Result<Phrases, DomainError> {
        let file: File = toml::from_str(text)
            .map_err(|e| DomainError::invalid(format!("词表文件格式有误：{}", e.message())))?;
        let mut flags = Vec::new();
        for (label, cues) in file.flags {
            flags.push((WarningFlag::parse(&label)?, cues));
        }
        flags.sort_by_key(|(flag, _)| *flag);
        let mut sources = Vec::new();
        for (label, cues) in file.sources {
            sources.push((Source::parse(&label)?, cues.cues));
        }
        let categories = file
            .categories
            .into_iter()
            .map(|(label, cues)| (label, cues.cues))
            .collect();
        Ok(Phrases {
            negation: file.negation,
            flags,
            categories,
            sources,
            mass_incident_at: file.people.mass_incident_at,
        })
    }
}

/// One place a cue was found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub at: usize,
    /// The words shown as the reason, e.g. "扬言要动刀".
    pub words: String,
}

/// The first occurrence of `cue` that is neither negated nor part of an
/// excepted phrase.
pub fn find_live(text: &str, cue: &str, cues: &Cues, negation: &Negation) -> Option<Hit> {
    text.match_indices(cue)
        .map(|(at, _)| at)
        .find(|&at| !excepted(text, at, cue, &cues.except) && !negated(text, at, negation))
        .map(|at| Hit {
            at,
            words: with_lead(text, at, cue),
        })
}

/// True when the match at `at` lies inside an excepted phrase. "扬言…上访"
/// means "扬言" and then "上访" later in the same clause.
fn excepted(text: &str, at: usize, cue: &str, except: &[String]) -> bool {
    except.iter().any(|phrase| {
        let (head, tail) = phrase.split_once('…').unwrap_or((phrase, ""));
        text.match_indices(head).any(|(start, h)| {
            let inside = start <= at && at + cue.len() <= start + h.len();
            inside && (tail.is_empty() || clause_after(text, start + h.len()).contains(tail))
        })
    })
}

/// The rest of the clause from byte `from`.
fn clause_after(text: &str, from: usize) -> &str {
    let rest = &text[from..];
    rest.find(CLAUSE_ENDS).map_or(rest, |end| &rest[..end])
}

fn clause_start(text: &str, at: usize) -> usize {
    text[..at]
        .rfind(CLAUSE_ENDS)
        .map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0)
}

/// "无过激言行", "未发现…有民转刑倾向", "防止矛盾激化": a negation word a few
/// characters before the cue, in the same clause, with nothing in between that
/// turns the sentence ("如无人处理就喝农药").
fn negated(text: &str, at: usize, negation: &Negation) -> bool {
    let clause = &text[clause_start(text, at)..at];
    negation.words.iter().any(|word| {
        clause.match_indices(word.as_str()).any(|(start, _)| {
            let rest = &clause[start..];
            if negation.keep.iter().any(|k| rest.starts_with(k.as_str())) {
                return false;
            }
            let between = &rest[word.len()..];
            between.chars().count() <= negation.window
                && !negation.breaks.iter().any(|b| between.contains(b.as_str()))
        })
    })
}

/// Widens a threat cue to the word that introduced it: "动刀" -> "扬言要动刀".
fn with_lead(text: &str, at: usize, cue: &str) -> String {
    let clause = &text[clause_start(text, at)..at];
    let lead = THREAT_LEADS
        .iter()
        .filter_map(|lead| clause.rfind(lead))
        .filter(|&i| clause[i..].chars().count() <= 6)
        .min();
    match lead {
        Some(i) => format!("{}{}", &clause[i..], cue),
        None => cue.to_string(),
    }
}
