//! Fuzzy + pinyin search over an in-memory index. Officers type `zs` for 张三
//! or `zhaozhuang` for 赵庄村: the name fields are matched as Chinese, as
//! full pinyin and as pinyin initials; the rest (编号, 矛盾情况) as typed.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use pinyin::ToPinyin;

/// One searchable record: `names` (people, places, titles) get pinyin too.
pub struct Doc {
    pub names: String,
    pub rest: String,
}

struct Item {
    /// `names` + ' ' + `rest`, lowercased; highlight indices are char indices here.
    text: String,
    /// One initial per char of the names part (non-Chinese chars as themselves).
    initials: String,
    /// Full pinyin of the names part, chars concatenated.
    full: String,
    /// For each char of the names part, how many chars it became in `full`.
    full_lens: Vec<u8>,
}

fn build(doc: &Doc) -> Item {
    let names = doc.names.to_lowercase();
    let mut initials = String::with_capacity(names.len());
    let mut full = String::with_capacity(names.len() * 2);
    let mut full_lens = Vec::with_capacity(names.chars().count());
    for c in names.chars() {
        match c.to_pinyin() {
            Some(p) => {
                initials.push_str(p.first_letter());
                full.push_str(p.plain());
                full_lens.push(p.plain().chars().count() as u8);
            }
            None => {
                initials.push(c);
                full.push(c);
                full_lens.push(1);
            }
        }
    }
    let text = format!("{names} {}", doc.rest.to_lowercase());
    Item {
        text,
        initials,
        full,
        full_lens,
    }
}

/// Whether `pattern`'s chars appear in order in `text`: a cheap filter before
/// the real matcher, which dominates the cost on large lists.
fn subsequence(text: &str, pattern: &str) -> bool {
    let mut want = pattern.chars();
    let mut next = want.next();
    for c in text.chars() {
        match next {
            None => return true,
            Some(w) if w == c => next = want.next(),
            _ => {}
        }
    }
    next.is_none()
}

pub struct Index {
    items: Vec<Item>,
    matcher: SkimMatcherV2,
}

impl Default for Index {
    fn default() -> Self {
        Index::new(Vec::new())
    }
}

impl Index {
    pub fn new(docs: Vec<Doc>) -> Index {
        Index {
            items: docs.iter().map(build).collect(),
            matcher: SkimMatcherV2::default().ignore_case(),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Replaces (or appends) the doc at `i`.
    pub fn set(&mut self, i: usize, doc: &Doc) {
        let item = build(doc);
        if i < self.items.len() {
            self.items[i] = item;
        } else {
            self.items.push(item);
        }
    }

    fn score(&self, item: &Item, q: &str) -> Option<i64> {
        let mut best: Option<i64> = None;
        for hay in [&item.text, &item.initials, &item.full] {
            if subsequence(hay, q) {
                if let Some(s) = self.matcher.fuzzy_match(hay, q) {
                    best = Some(best.map_or(s, |b| b.max(s)));
                }
            }
        }
        best
    }

    /// Matching docs among `scope` (all when `None`), best first; ties keep order.
    pub fn search(&self, query: &str, scope: Option<&[usize]>) -> Vec<usize> {
        let q: String = query
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let all: Vec<usize>;
        let scope = match scope {
            Some(s) => s,
            None => {
                all = (0..self.items.len()).collect();
                &all
            }
        };
        if q.is_empty() {
            return scope.to_vec();
        }
        let mut hits: Vec<(i64, usize)> = scope
            .iter()
            .filter_map(|&i| {
                self.items
                    .get(i)
                    .and_then(|item| self.score(item, &q))
                    .map(|s| (s, i))
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.into_iter().map(|(_, i)| i).collect()
    }

    /// Char indices of the doc's `names + ' ' + rest` that the query matched.
    pub fn highlight(&self, i: usize, query: &str) -> Vec<usize> {
        match self.items.get(i) {
            Some(item) => highlight_item(&self.matcher, item, query),
            None => Vec::new(),
        }
    }
}

/// Highlights for a doc not in any index: the screen computes them for the
/// few rows it shows, so the index can live on the search thread.
pub fn highlight(doc: &Doc, query: &str) -> Vec<usize> {
    highlight_item(&SkimMatcherV2::default().ignore_case(), &build(doc), query)
}

fn highlight_item(matcher: &SkimMatcherV2, item: &Item, query: &str) -> Vec<usize> {
    {
        let q: String = query
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if q.is_empty() {
            return Vec::new();
        }
        let direct = matcher.fuzzy_indices(&item.text, &q);
        let initials = matcher.fuzzy_indices(&item.initials, &q);
        let full = matcher.fuzzy_indices(&item.full, &q).map(|(s, idx)| {
            // Map positions in the full pinyin back to the names chars they came from.
            let mut owner = Vec::with_capacity(item.full.chars().count());
            for (ci, len) in item.full_lens.iter().enumerate() {
                owner.extend(std::iter::repeat_n(ci, *len as usize));
            }
            let mut mapped: Vec<usize> = idx
                .into_iter()
                .filter_map(|p| owner.get(p).copied())
                .collect();
            mapped.dedup();
            (s, mapped)
        });
        [direct, initials, full]
            .into_iter()
            .flatten()
            .max_by_key(|(s, _)| *s)
            .map(|(_, idx)| idx)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Index {
        Index::new(vec![
            Doc {
                names: "张三 李四 赵庄村 邻里".into(),
                rest: "MD-2026-000001 排水沟堵塞".into(),
            },
            Doc {
                names: "王建国 刘桂兰 东河村 婚姻家庭".into(),
                rest: "MD-2026-000002 离婚财产分割".into(),
            },
            Doc {
                names: "周德华 西岗村 劳资".into(),
                rest: "MD-2026-000003 拖欠工资".into(),
            },
        ])
    }

    #[test]
    fn pinyin_initials_and_full_pinyin_find_chinese_names() {
        let ix = docs();
        assert_eq!(ix.search("zs", None)[0], 0);
        assert_eq!(ix.search("zhaozhuang", None), vec![0]);
        assert_eq!(ix.search("wjg", None), vec![1]);
        assert_eq!(ix.search("东河", None), vec![1]);
        assert_eq!(ix.search("000003", None)[0], 2);
        assert_eq!(ix.search("拖欠", None), vec![2]);
        assert!(ix.search("xyzq", None).is_empty());
        assert_eq!(ix.search("", Some(&[2, 0])), vec![2, 0]);
        assert_eq!(ix.search("zs", Some(&[1, 2])), Vec::<usize>::new());
    }

    #[test]
    fn highlights_point_at_the_chinese_chars_matched() {
        let ix = docs();
        assert_eq!(ix.highlight(0, "zs"), vec![0, 1]);
        // 赵庄村 starts at char 6 of "张三 李四 赵庄村 邻里".
        assert_eq!(ix.highlight(0, "zhaozhuang"), vec![6, 7]);
        assert_eq!(ix.highlight(1, "东河"), vec![8, 9]);
    }
}
