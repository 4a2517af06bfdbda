//! Fuzzy + pinyin search over an in-memory index. Officers type `zs` for 张三
//! or `zhaozhuang` for 赵庄村: the name fields are matched as Chinese, as
//! full pinyin and as pinyin initials; the rest (编号, 矛盾情况) as typed.
//! Naming one entry of a list (and "是不是：…") is `domain::names`.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use pinyin::ToPinyin;

/// One searchable record: `names` (people, places, titles) get pinyin too.
pub struct Doc {
    pub names: String,
    pub rest: String,
}

/// Boxed, not `String`/`Vec`: no spare capacity is kept, which at 100 000
/// records is a tenth of the desk's memory.
struct Item {
    /// `names` + ' ' + `rest`, lowercased; highlight indices are char indices here.
    text: Box<str>,
    /// One initial per char of the names part (non-Chinese chars as
    /// themselves), joiners left out: 劳资/欠薪 is `lzqx` to an officer.
    initials: Box<str>,
    /// Full pinyin of the names part, chars concatenated, joiners left out.
    full: Box<str>,
    /// For each char of the names part, how many chars it became in `full`
    /// (a joiner none).
    full_lens: Box<[u8]>,
    /// Which chars occur anywhere in the item (`char_mask`): a query with a
    /// char the item lacks cannot match, and is turned away with one AND
    /// instead of three string searches and a fuzzy match.
    mask: u128,
}

/// A bit for each char: one per ASCII letter and digit, one for any other
/// ASCII char, the other 91 shared by hash among the rest (Chinese).
fn char_bit(c: char) -> u128 {
    let bit = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        _ if c.is_ascii() => 36,
        _ => 37 + (c as u32).wrapping_mul(2_654_435_761) % 91,
    };
    1u128 << bit
}

fn char_mask(text: &str) -> u128 {
    text.chars().fold(0, |m, c| m | char_bit(c))
}

fn build(doc: &Doc) -> Item {
    let names = doc.names.to_lowercase();
    let mut initials = String::with_capacity(names.len());
    let mut full = String::with_capacity(names.len() * 2);
    let mut full_lens = Vec::with_capacity(names.chars().count());
    for c in names.chars() {
        if JOINERS.contains(&c) {
            full_lens.push(0);
            continue;
        }
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
    let mask = char_mask(&text) | char_mask(&initials) | char_mask(&full);
    Item {
        mask,
        text: text.into_boxed_str(),
        initials: initials.into_boxed_str(),
        full: full.into_boxed_str(),
        full_lens: full_lens.into_boxed_slice(),
    }
}

const PINYIN_BASE: i64 = 100_000;

/// A name as its full pinyin, lowercased: names that sound the same (张三,
/// 章三) get the same key.
pub fn pinyin_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 2);
    for c in name.trim().to_lowercase().chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.plain()),
            None if c.is_whitespace() => {}
            None => out.push(c),
        }
    }
    out
}

/// Where `q` runs in the pinyin of the names: (full pinyin?, start char, len),
/// start and len in chars of the full or initials string.
fn pinyin_run(item: &Item, q: &str) -> Option<(bool, usize, usize)> {
    let qlen = q.chars().count();
    if let Some(pos) = item.initials.find(q) {
        return Some((false, item.initials[..pos].chars().count(), qlen));
    }
    item.full
        .find(q)
        .map(|pos| (true, item.full[..pos].chars().count(), qlen))
}

/// Chars that join the parts of one name (劳资/欠薪, 阿卜杜·热合曼): the
/// pinyin strings leave them out, so a run of initials crosses them.
const JOINERS: [char; 3] = ['/', '／', '·'];

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

    /// Chinese, 编号 and other text match fuzzily; pinyin (full or initials)
    /// must match as a run, or `zhaozhuang` would find every name with a z,
    /// an h and an a somewhere. Pinyin runs rank above fuzzy text matches.
    ///
    /// `q_mask` is the query's `char_mask`, worked out once for all items.
    fn scored(&self, item: &Item, q: &str, q_mask: u128) -> Option<i64> {
        // Every way of matching needs each of the query's chars somewhere.
        if item.mask & q_mask != q_mask {
            return None;
        }
        let pinyin = pinyin_run(item, q).map(|(_, start, _)| PINYIN_BASE - start as i64);
        // Latin letters and digits are pinyin or 编号: a run, never scattered.
        let text = if q.is_ascii() {
            item.text.find(q).map(|pos| PINYIN_BASE / 2 - pos as i64)
        } else if subsequence(&item.text, q) {
            self.matcher.fuzzy_match(&item.text, q)
        } else {
            None
        };
        match (pinyin, text) {
            (Some(p), Some(t)) => Some(p.max(t)),
            (p, t) => p.or(t),
        }
    }

    /// Matching docs among `scope` (all when `None`), best first; ties keep order.
    pub fn search(&self, query: &str, scope: Option<&[usize]>) -> Vec<usize> {
        let all: Vec<usize>;
        let scope = match scope {
            Some(s) => s,
            None => {
                all = (0..self.items.len()).collect();
                &all
            }
        };
        self.search_top(query, scope, usize::MAX).0
    }

    /// The first `keep` of what `search` would list, and how many match in
    /// all: a window needs only its rows ordered, not every match (at 10⁶
    /// cases, sorting half a million hits is most of a keystroke).
    pub fn search_top(&self, query: &str, scope: &[usize], keep: usize) -> (Vec<usize>, usize) {
        let q: String = query
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if q.is_empty() {
            return (scope[..keep.min(scope.len())].to_vec(), scope.len());
        }
        // (score, place in the list, doc): equal scores keep the list's order.
        let q_mask = char_mask(&q);
        let matches = |part: &[usize], base: usize| -> Vec<(i64, usize, usize)> {
            part.iter()
                .enumerate()
                .filter_map(|(at, &i)| {
                    self.items
                        .get(i)
                        .and_then(|item| self.scored(item, &q, q_mask))
                        .map(|s| (s, base + at, i))
                })
                .collect()
        };
        // Large lists are matched on both cores.
        let mut hits = if scope.len() < 20_000 {
            matches(scope, 0)
        } else {
            let half = scope.len() / 2;
            let (a, b) = scope.split_at(half);
            std::thread::scope(|sc| {
                let back = sc.spawn(|| matches(b, half));
                let mut front = matches(a, 0);
                front.extend(back.join().unwrap_or_default());
                front
            })
        };
        let total = hits.len();
        let key = |h: &(i64, usize, usize)| (std::cmp::Reverse(h.0), h.1);
        if keep < hits.len() {
            if keep == 0 {
                return (Vec::new(), total);
            }
            hits.select_nth_unstable_by_key(keep - 1, key);
            hits.truncate(keep);
        }
        hits.sort_unstable_by_key(key);
        (hits.into_iter().map(|h| h.2).collect(), total)
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
    let q: String = query
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if q.is_empty() {
        return Vec::new();
    }
    match pinyin_run(item, &q) {
        Some((full, start, len)) => {
            // Map the run back to the names chars it came from (each pinyin
            // char's owner); a joiner inside the run is lit too.
            let mut owner = Vec::with_capacity(item.full.len());
            for (ci, n) in item.full_lens.iter().enumerate() {
                let n = match full {
                    true => *n as usize,
                    false => usize::from(*n > 0),
                };
                owner.extend(std::iter::repeat_n(ci, n));
            }
            match (owner.get(start), owner.get(start + len - 1)) {
                (Some(&first), Some(&last)) => (first..=last).collect(),
                _ => Vec::new(),
            }
        }
        None => matcher
            .fuzzy_indices(&item.text, &q)
            .map(|(_, idx)| idx)
            .unwrap_or_default(),
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
        assert_eq!(ix.search("zs", None), vec![0]);
        assert_eq!(ix.search("zhaozhuang", None), vec![0]);
        assert_eq!(ix.search("zzc", None), vec![0]);
        // Scattered letters are not a pinyin match.
        assert!(ix.search("zhg", None).is_empty());
        assert_eq!(ix.search("wjg", None), vec![1]);
        assert_eq!(ix.search("东河", None), vec![1]);
        assert_eq!(ix.search("000003", None)[0], 2);
        assert_eq!(ix.search("拖欠", None), vec![2]);
        assert!(ix.search("xyzq", None).is_empty());
        assert_eq!(ix.search("", Some(&[2, 0])), vec![2, 0]);
        assert_eq!(ix.search("zs", Some(&[1, 2])), Vec::<usize>::new());
    }

    #[test]
    fn pinyin_initials_run_across_a_slash() {
        let ix = Index::new(vec![
            Doc {
                names: "周德华 西岗村 劳资/欠薪".into(),
                rest: String::new(),
            },
            Doc {
                names: "王建国 东河村 婚姻/家庭".into(),
                rest: String::new(),
            },
        ]);
        assert_eq!(ix.search("lzqx", None), vec![0]);
        assert_eq!(ix.search("laoziqianxin", None), vec![0]);
        assert_eq!(ix.search("hyjt", None), vec![1]);
        // 劳资/欠薪 starts at char 8; the slash inside the run is lit too.
        assert_eq!(ix.highlight(0, "lzqx"), vec![8, 9, 10, 11, 12]);
        assert!(ix.search("lzhy", None).is_empty());
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
