//! The small learned part of reading a category: a naive Bayes model over
//! character unigrams and bigrams, trained on the dev half of the corpus
//! (`tests/data/corpus_dev.toml`) by `desk-bench train-reader`, shipped as
//! counts in `model.tsv`. It is explained by the n-grams that pulled the
//! category ahead ("字组“漏水”“楼下”"), and it is mixed with the phrase
//! lists' scores with the weight cross-validation chose (`rule_weight`).

use std::collections::{BTreeMap, HashMap};

use crate::domain::DomainError;

const BUILTIN: &str = include_str!("model.tsv");

/// n-grams quoted when the model explains a choice.
const EXPLAINED: usize = 3;

/// A trained model: per class, document counts of each feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub classes: Vec<String>,
    /// Training texts per class.
    pub docs: Vec<u32>,
    /// Feature → (class index, texts of that class holding it).
    pub counts: BTreeMap<String, Vec<(usize, u32)>>,
    /// Additive smoothing.
    pub alpha: f64,
    /// How much one matched cue character weighs against the model's
    /// log-probability; chosen by cross-validation.
    pub rule_weight: f64,
    /// With no cue matched, the model's choice is suggested only when its
    /// probability reaches this; chosen by cross-validation.
    pub min_confidence: f64,
    /// Log-likelihoods derived from the counts.
    log_lik: HashMap<String, Vec<f64>>,
}

/// The features of a text: every Han character and every pair of adjacent
/// Han characters, each once.
pub fn features(text: &str) -> Vec<String> {
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if !han(*c) {
            continue;
        }
        out.push(c.to_string());
        if let Some(next) = chars.get(i + 1).filter(|n| han(**n)) {
            out.push([*c, *next].iter().collect());
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Model {
    /// The model shipped with the desk.
    pub fn builtin() -> Model {
        Model::parse(BUILTIN).expect("the built-in model parses")
    }

    /// Trains on (text, category) pairs. Features seen in fewer than
    /// `min_docs` texts are left out, which keeps the file small.
    pub fn train(cases: &[(String, String)], alpha: f64, min_docs: u32, mix: (f64, f64)) -> Model {
        let mut classes: Vec<String> = cases.iter().map(|(_, c)| c.clone()).collect();
        classes.sort();
        classes.dedup();
        let mut docs = vec![0u32; classes.len()];
        let mut per: BTreeMap<String, BTreeMap<usize, u32>> = BTreeMap::new();
        for (text, class) in cases {
            let k = classes.iter().position(|c| c == class).unwrap_or(0);
            docs[k] += 1;
            for f in features(text) {
                *per.entry(f).or_default().entry(k).or_default() += 1;
            }
        }
        let counts = per
            .into_iter()
            .filter(|(_, by)| by.values().sum::<u32>() >= min_docs)
            .map(|(f, by)| (f, by.into_iter().collect()))
            .collect();
        Model::new(classes, docs, counts, alpha, mix)
    }

    fn new(
        classes: Vec<String>,
        docs: Vec<u32>,
        counts: BTreeMap<String, Vec<(usize, u32)>>,
        alpha: f64,
        (rule_weight, min_confidence): (f64, f64),
    ) -> Model {
        // Multinomial over (binarised) features: P(f | class) =
        // (texts of the class holding f + α) / (feature tokens of the class + α·V).
        let vocabulary = counts.len() as f64;
        let mut tokens = vec![0.0f64; classes.len()];
        for by in counts.values() {
            for (k, n) in by {
                tokens[*k] += f64::from(*n);
            }
        }
        let log_unseen: Vec<f64> = tokens
            .iter()
            .map(|t| (alpha / (t + alpha * vocabulary)).ln())
            .collect();
        let log_lik = counts
            .iter()
            .map(|(f, by)| {
                let mut row = log_unseen.clone();
                for (k, n) in by {
                    row[*k] = ((f64::from(*n) + alpha) / (tokens[*k] + alpha * vocabulary)).ln();
                }
                (f.clone(), row)
            })
            .collect();
        Model {
            classes,
            docs,
            counts,
            alpha,
            rule_weight,
            min_confidence,
            log_lik,
        }
    }

    /// Per class, the log-posterior (up to a constant) from the features the
    /// text holds, and those features ranked by how much they favour it.
    pub fn scores(&self, text: &str) -> Vec<(f64, Vec<&str>)> {
        let total: u32 = self.docs.iter().sum();
        let mut score: Vec<f64> = self
            .docs
            .iter()
            .map(|d| (f64::from(*d) / f64::from(total.max(1))).ln())
            .collect();
        let mut held: Vec<(&str, &Vec<f64>)> = Vec::new();
        for f in features(text) {
            if let Some((key, row)) = self.log_lik.get_key_value(&f) {
                for (s, l) in score.iter_mut().zip(row) {
                    *s += l;
                }
                held.push((key.as_str(), row));
            }
        }
        (0..self.classes.len())
            .map(|k| {
                let mut pull: Vec<(f64, &str)> = held
                    .iter()
                    .map(|(f, row)| {
                        let mean = row.iter().sum::<f64>() / row.len() as f64;
                        (row[k] - mean, *f)
                    })
                    .filter(|(p, _)| *p > 0.0)
                    .collect();
                pull.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.len().cmp(&a.1.len())));
                let words = pull.iter().take(EXPLAINED).map(|(_, f)| *f).collect();
                (score[k], words)
            })
            .collect()
    }

    /// The file form: a header line with the parameters, one line of
    /// classes with their text counts, then "feature<TAB>k:n k:n".
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "# 类型模型：desk-bench train-reader 由 tests/data/corpus_dev.toml 生成，勿手改\nalpha\t{}\trule_weight\t{}\tmin_confidence\t{}\n",
            self.alpha, self.rule_weight, self.min_confidence
        );
        let classes: Vec<String> = self
            .classes
            .iter()
            .zip(&self.docs)
            .map(|(c, d)| format!("{c}:{d}"))
            .collect();
        out.push_str(&format!("classes\t{}\n", classes.join("\t")));
        for (f, by) in &self.counts {
            let cells: Vec<String> = by.iter().map(|(k, n)| format!("{k}:{n}")).collect();
            out.push_str(&format!("{f}\t{}\n", cells.join(" ")));
        }
        out
    }

    pub fn parse(text: &str) -> Result<Model, DomainError> {
        let bad = |what: &str| DomainError::invalid(format!("类型模型文件有误：{what}"));
        let mut lines = text.lines().filter(|l| !l.starts_with('#'));
        let head: Vec<&str> = lines
            .next()
            .ok_or_else(|| bad("空文件"))?
            .split('\t')
            .collect();
        let number = |i: usize| head.get(i).and_then(|v| v.parse::<f64>().ok());
        let (alpha, rule_weight, min_confidence) = match (number(1), number(3), number(5)) {
            (Some(a), Some(w), Some(c))
                if head[0] == "alpha"
                    && head[2] == "rule_weight"
                    && head[4] == "min_confidence" =>
            {
                (a, w, c)
            }
            _ => return Err(bad("第一行应为参数")),
        };
        let class_line = lines.next().ok_or_else(|| bad("缺类型行"))?;
        let mut classes = Vec::new();
        let mut docs = Vec::new();
        for cell in class_line.split('\t').skip(1) {
            let (c, d) = cell.rsplit_once(':').ok_or_else(|| bad(cell))?;
            classes.push(c.to_string());
            docs.push(d.parse().map_err(|_| bad(cell))?);
        }
        let mut counts = BTreeMap::new();
        for line in lines {
            let (f, cells) = line.split_once('\t').ok_or_else(|| bad(line))?;
            let by = cells
                .split(' ')
                .map(|cell| {
                    let (k, n) = cell.split_once(':')?;
                    let k: usize = k.parse().ok().filter(|k| *k < classes.len())?;
                    Some((k, n.parse().ok()?))
                })
                .collect::<Option<Vec<(usize, u32)>>>()
                .ok_or_else(|| bad(line))?;
            counts.insert(f.to_string(), by);
        }
        Ok(Model::new(
            classes,
            docs,
            counts,
            alpha,
            (rule_weight, min_confidence),
        ))
    }
}
