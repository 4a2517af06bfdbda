//! The phrase lists the reader matches, kept as editable TOML data
//! (`src/domain/phrases.toml`), and the cue scan with cheap negation.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::combos::{resolve, Combo, ComboFile};
use super::model::Model;
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
    pub categories: Vec<CategoryCues>,
    pub sources: Vec<(Source, Vec<String>)>,
    /// At this many people the case may turn into a mass incident.
    pub mass_incident_at: u32,
    /// Danger read from words found together (`[[combos]]`).
    pub combos: Vec<Combo>,
    /// A head count this large fills a combination's `#人数` slot.
    pub many_at: u32,
    /// Traditional and variant characters read as their simplified form.
    pub variants: std::collections::HashMap<char, char>,
    /// The `[slots]` word lists, by name, for a flag's `unless`.
    pub slots: BTreeMap<String, Cues>,
    /// The learned category model mixed with the category cues; none for
    /// a phrase file read on its own.
    pub model: Option<std::sync::Arc<Model>>,
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
    /// Words that make a whole sentence reported or denied speech.
    #[serde(default)]
    pub sentence: Vec<String>,
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
    /// Sets of `[slots]` that, all found in a cue's sentence, cancel it.
    #[serde(default)]
    pub unless: Vec<Vec<String>>,
}

/// A category's cues. `weight` below 1 is for categories whose words also
/// name the path a dispute took (上访) rather than what it is about.
#[derive(Debug, Clone, Deserialize)]
pub struct CategoryCues {
    #[serde(skip)]
    pub label: String,
    #[serde(default)]
    pub cues: Vec<String>,
    #[serde(default = "one")]
    pub weight: f64,
    /// Cues that also turn up in other kinds of dispute ("老人", "邻居",
    /// "医院"): each counts `WEAK` as much, so one loud word does not decide.
    #[serde(default)]
    pub weak: Vec<String>,
}

/// What a weak cue's character counts.
pub const WEAK: f64 = 0.3;

fn one() -> f64 {
    1.0
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
    categories: BTreeMap<String, CategoryCues>,
    #[serde(default)]
    sources: BTreeMap<String, Cues>,
    #[serde(default)]
    slots: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    combos: Vec<ComboFile>,
    #[serde(default)]
    variants: VariantsFile,
}

#[derive(Default, Deserialize)]
struct VariantsFile {
    #[serde(default)]
    pairs: String,
}

#[derive(Deserialize)]
struct PeopleFile {
    mass_incident_at: u32,
    #[serde(default = "default_many")]
    many_at: u32,
}

fn default_many() -> u32 {
    10
}

impl Default for PeopleFile {
    fn default() -> Self {
        PeopleFile {
            mass_incident_at: 20,
            many_at: default_many(),
        }
    }
}

impl Phrases {
    /// The lists shipped with the desk.
    pub fn builtin() -> Phrases {
        let mut phrases = Phrases::parse(BUILTIN).expect("the built-in phrases.toml parses");
        phrases.model = Some(std::sync::Arc::new(Model::builtin()));
        phrases
    }

    /// The built-in lists, parsed once per process (the form reads the
    /// summary at every keystroke).
    pub fn shared() -> &'static Phrases {
        static SHARED: std::sync::LazyLock<Phrases> = std::sync::LazyLock::new(Phrases::builtin);
        &SHARED
    }

    /// Parses a phrase file; unknown flag or source labels are refused so a
    /// typo in an edited file is seen, not silently ignored.
    pub fn parse(text: &str) -> Result<Phrases, DomainError> {
        let mut file: File = toml::from_str(text)
            .map_err(|e| DomainError::invalid(format!("词表文件格式有误：{}", e.message())))?;
        tidy(&mut file.negation.words);
        tidy(&mut file.negation.keep);
        tidy(&mut file.negation.breaks);
        tidy(&mut file.negation.sentence);
        for words in file.slots.values_mut() {
            tidy(words);
        }
        for cues in file.flags.values_mut().chain(file.sources.values_mut()) {
            tidy(&mut cues.cues);
            tidy(&mut cues.except);
        }
        for cues in file.categories.values_mut() {
            tidy(&mut cues.cues);
            tidy(&mut cues.weak);
        }
        let mut flags = Vec::new();
        for (label, cues) in file.flags {
            flags.push((WarningFlag::parse(&label)?, cues));
        }
        flags.sort_by_key(|(flag, _)| *flag);
        let mut sources = Vec::new();
        for (label, cues) in file.sources {
            sources.push((Source::parse(&label)?, cues.cues));
        }
        let slots: BTreeMap<String, Cues> = file
            .slots
            .iter()
            .map(|(name, words)| {
                let cues = Cues {
                    cues: words.clone(),
                    ..Cues::default()
                };
                (name.clone(), cues)
            })
            .collect();
        for (flag, cues) in &flags {
            for name in cues.unless.iter().flatten() {
                if !slots.contains_key(name) {
                    return Err(DomainError::invalid(format!(
                        "{}的 unless 里的“{name}”不是词表里的一组词",
                        flag.label()
                    )));
                }
            }
        }
        let categories = file
            .categories
            .into_iter()
            .map(|(label, cues)| CategoryCues { label, ..cues })
            .collect();
        Ok(Phrases {
            negation: file.negation,
            flags,
            categories,
            sources,
            mass_incident_at: file.people.mass_incident_at,
            combos: resolve(file.combos, &file.slots)?,
            many_at: file.people.many_at,
            variants: variants(&file.variants.pairs)?,
            slots,
            model: None,
        })
    }
}

/// "與与糾纠…": each traditional character followed by its simplified one.
/// Both must take as many bytes, so positions in the text stay the same.
fn variants(pairs: &str) -> Result<std::collections::HashMap<char, char>, DomainError> {
    let chars: Vec<char> = pairs.chars().filter(|c| !c.is_whitespace()).collect();
    if !chars.len().is_multiple_of(2) {
        return Err(DomainError::invalid("繁简对照要两个字一对".to_string()));
    }
    chars
        .chunks(2)
        .map(|pair| {
            let (from, to) = (pair[0], pair[1]);
            if from.len_utf8() != to.len_utf8() {
                return Err(DomainError::invalid(format!(
                    "繁简对照“{from}{to}”不是一对汉字"
                )));
            }
            Ok((from, to))
        })
        .collect()
}

impl Phrases {
    /// The text with every variant character replaced: same length in bytes.
    pub fn normalize(&self, text: &str) -> String {
        text.chars()
            .map(|c| self.variants.get(&c).copied().unwrap_or(c))
            .collect()
    }
}

/// Trims entries and drops empty ones: an empty cue would match everywhere.
fn tidy(list: &mut Vec<String>) {
    for item in list.iter_mut() {
        *item = item.trim().to_string();
    }
    list.retain(|item| !item.is_empty() && !item.starts_with('…'));
}

/// The distinct characters of a text: a cue with a character the text lacks
/// is skipped without a substring search, which most of the few hundred are.
pub struct CharSet(Vec<char>);

impl CharSet {
    pub fn new(text: &str) -> CharSet {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        CharSet(chars)
    }

    pub fn may_hold(&self, cue: &str) -> bool {
        cue.chars()
            .filter(|c| *c != '…')
            .all(|c| self.0.binary_search(&c).is_ok())
    }

    /// `text.find(cue)`, skipped when it cannot succeed.
    pub fn find(&self, text: &str, cue: &str) -> Option<usize> {
        self.may_hold(cue).then(|| text.find(cue)).flatten()
    }
}

/// One place a cue was found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Byte range of `words` in the text.
    pub at: usize,
    pub end: usize,
    /// The words shown as the reason, e.g. "扬言要动刀".
    pub words: String,
}

impl Hit {
    pub fn new(text: &str, at: usize, end: usize) -> Hit {
        Hit {
            at,
            end,
            words: text[at..end].to_string(),
        }
    }

    pub fn overlaps(&self, other: &Hit) -> bool {
        self.at < other.end && other.at < self.end
    }
}

/// The first occurrence of `cue` that is neither negated nor part of an
/// excepted phrase. A cue "扬言…砸" is "扬言" with "砸" later in the clause;
/// the reason then quotes the words from one to the other.
pub fn find_live(
    text: &str,
    chars: &CharSet,
    cue: &str,
    cues: &Cues,
    negation: &Negation,
) -> Option<Hit> {
    find_live_in(text, 0, text.len(), chars, cue, cues, negation)
}

/// `find_live` for a cue that starts inside `text[from..to]`.
pub fn find_live_in(
    text: &str,
    from: usize,
    to: usize,
    chars: &CharSet,
    cue: &str,
    cues: &Cues,
    negation: &Negation,
) -> Option<Hit> {
    if !chars.may_hold(cue) {
        return None;
    }
    let (head, tail) = cue.split_once('…').unwrap_or((cue, ""));
    text[from..to]
        .match_indices(head)
        .filter_map(|(i, _)| {
            let at = from + i;
            let after = at + head.len();
            let end = after + tail_end(clause_after(text, after), tail)?;
            Some((at, end))
        })
        .find(|&(at, _)| !excepted(text, at, head, &cues.except) && !negated(text, at, negation))
        .map(|(at, end)| Hit::new(text, lead_start(text, at), end))
}

/// A sentence that reports, denies or rules out what it says ("经核实不属实",
/// "只是气话", "劝住了，没有人去"): none of its words raise a flag.
pub fn reported(sentence: &str, negation: &Negation) -> bool {
    negation
        .sentence
        .iter()
        .any(|w| sentence.contains(w.as_str()))
}

/// Where `tail` ends in `clause`; an empty tail ends at once.
fn tail_end(clause: &str, tail: &str) -> Option<usize> {
    if tail.is_empty() {
        return Some(0);
    }
    clause.find(tail).map(|i| i + tail.len())
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
/// Returns where the quoted words start.
fn lead_start(text: &str, at: usize) -> usize {
    let start = clause_start(text, at);
    let clause = &text[start..at];
    THREAT_LEADS
        .iter()
        .filter_map(|lead| clause.rfind(lead))
        .filter(|&i| clause[i..].chars().count() <= 6)
        .min()
        .map_or(at, |i| start + i)
}
