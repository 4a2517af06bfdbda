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
    /// Which pairs of adjacent letters occur in the initials, the pinyin or
    /// the text (`pair_mask`): a pinyin query (`xiao`) must have each of
    /// its pairs there, so most items are turned away before a search.
    pairs: u128,
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

/// A bit (of 128, shared by hash) for each pair of adjacent ASCII letters.
fn pair_mask(text: &str) -> u128 {
    let b = text.as_bytes();
    b.windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_lowercase())
        .fold(0, |m, w| {
            let pair = u32::from(w[0] - b'a') * 26 + u32::from(w[1] - b'a');
            m | 1u128 << (pair.wrapping_mul(2_654_435_761) >> 25)
        })
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
        match name_pinyin(c) {
            Some((plain, first)) => {
                initials.push_str(first);
                full.push_str(plain);
                full_lens.push(plain.chars().count() as u8);
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
    let pairs = pair_mask(&text) | pair_mask(&initials) | pair_mask(&full);
    Item {
        mask,
        pairs,
        text: text.into_boxed_str(),
        initials: initials.into_boxed_str(),
        full: full.into_boxed_str(),
        full_lens: full_lens.into_boxed_slice(),
    }
}

/// Readings names take where the dictionary's first reading is another:
/// 长 in 朱长江, 长安村 is cháng (zhǎng is 村长); 曾 as a surname is zēng.
const NAME_READINGS: [(char, &str, &str); 2] = [('长', "chang", "c"), ('曾', "zeng", "z")];

/// A char's pinyin as names read it: (full, first letter), or None.
fn name_pinyin(c: char) -> Option<(&'static str, &'static str)> {
    if let Some(&(_, full, first)) = NAME_READINGS.iter().find(|(k, _, _)| *k == c) {
        return Some((full, first));
    }
    c.to_pinyin().map(|p| (p.plain(), p.first_letter()))
}

const PINYIN_BASE: i64 = 100_000;

/// A name as its full pinyin, lowercased: names that sound the same (张三,
/// 章三) get the same key.
pub fn pinyin_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 2);
    for c in name.trim().to_lowercase().chars() {
        match name_pinyin(c) {
            Some((plain, _)) => out.push_str(plain),
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

/// A query as matched: its text, char and letter-pair masks, and a
/// substring finder built once for every item.
struct Query<'q> {
    text: &'q str,
    mask: u128,
    pairs: u128,
    ascii: bool,
    one_char: bool,
    finder: memchr::memmem::Finder<'q>,
}

impl<'q> Query<'q> {
    /// `text` is normalized already (`normalize`).
    fn new(text: &'q str) -> Query<'q> {
        Query {
            text,
            mask: char_mask(text),
            pairs: pair_mask(text),
            ascii: text.is_ascii(),
            one_char: text.chars().nth(1).is_none(),
            finder: memchr::memmem::Finder::new(text.as_bytes()),
        }
    }
}

/// Candidates of a search: (place in the list searched, doc), in doc order.
pub type Places = Vec<(u32, u32)>;

/// A list's docs as candidates (`Places`).
pub fn places(list: &[usize]) -> Places {
    let mut p: Places = list
        .iter()
        .enumerate()
        .map(|(at, &i)| (at as u32, i as u32))
        .collect();
    p.sort_unstable_by_key(|&(_, i)| i);
    p
}

/// A matching doc and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub score: i64,
    pub i: usize,
}

/// The query as matched: lowercase, without spaces.
pub fn normalize(query: &str) -> String {
    query
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The best `keep` hits, best first; equal scores keep the hits' order.
pub fn top(hits: &[Hit], keep: usize) -> Vec<usize> {
    // (score, place in the list): equal scores keep the list's order.
    let mut ranked: Vec<(std::cmp::Reverse<i64>, usize, usize)> = hits
        .iter()
        .enumerate()
        .map(|(at, h)| (std::cmp::Reverse(h.score), at, h.i))
        .collect();
    if keep == 0 {
        return Vec::new();
    }
    if keep < ranked.len() {
        ranked.select_nth_unstable(keep - 1);
        ranked.truncate(keep);
    }
    ranked.sort_unstable();
    ranked.into_iter().map(|r| r.2).collect()
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
    /// `q` is the query prepared once for all items.
    fn scored(&self, item: &Item, q: &Query) -> Option<i64> {
        // Every way of matching needs each of the query's chars somewhere,
        // and letters match as a run: each adjacent pair is there too.
        if item.mask & q.mask != q.mask || (q.ascii && item.pairs & q.pairs != q.pairs) {
            return None;
        }
        // A pinyin run outscores any text match: the text is not searched.
        let run = |s: &str| {
            q.finder
                .find(s.as_bytes())
                .map(|pos| s[..pos].chars().count())
        };
        if let Some(start) = run(&item.initials).or_else(|| run(&item.full)) {
            return Some(PINYIN_BASE - start as i64);
        }
        // Latin letters and digits are pinyin or 编号: a run, never scattered.
        // One Chinese char is found where it stands, as a letter is: a
        // fuzzy match of one char has nothing to weigh but its place.
        if q.ascii || q.one_char {
            q.finder
                .find(item.text.as_bytes())
                .map(|pos| PINYIN_BASE / 2 - pos as i64)
        } else if subsequence(&item.text, q.text) {
            self.matcher.fuzzy_match(&item.text, q.text)
        } else {
            None
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
        let hits = self.hits(query, scope);
        (top(&hits, keep), hits.len())
    }

    /// What a window of a search needs: the candidates the query matches
    /// (a query typed on matches only among these: the caller may pass
    /// them back), and the best `keep` of them, best first, equal scores in
    /// the list's order. Candidates are read in doc order: front to back
    /// through the index, not at random.
    pub fn narrow(
        &self,
        query: &str,
        candidates: &[(u32, u32)],
        keep: usize,
    ) -> (Places, Vec<usize>) {
        let text = normalize(query);
        let q = Query::new(&text);
        let scored = |part: &[(u32, u32)]| -> Vec<(i64, u32, u32)> {
            part.iter()
                .filter_map(|&(at, i)| {
                    let item = self.items.get(i as usize)?;
                    self.scored(item, &q).map(|score| (score, at, i))
                })
                .collect()
        };
        // Large lists are matched on both cores.
        let hits = if candidates.len() < 20_000 || text.is_empty() {
            if text.is_empty() {
                candidates.iter().map(|&(at, i)| (0, at, i)).collect()
            } else {
                scored(candidates)
            }
        } else {
            let (a, b) = candidates.split_at(candidates.len() / 2);
            std::thread::scope(|sc| {
                let back = sc.spawn(|| scored(b));
                let mut front = scored(a);
                front.extend(back.join().unwrap_or_default());
                front
            })
        };
        let mut ranked: Vec<(std::cmp::Reverse<i64>, u32, u32)> = hits
            .iter()
            .map(|&(score, at, i)| (std::cmp::Reverse(score), at, i))
            .collect();
        let best = if keep == 0 {
            Vec::new()
        } else {
            if keep < ranked.len() {
                ranked.select_nth_unstable(keep - 1);
                ranked.truncate(keep);
            }
            ranked.sort_unstable();
            ranked.into_iter().map(|r| r.2 as usize).collect()
        };
        (hits.into_iter().map(|(_, at, i)| (at, i)).collect(), best)
    }

    /// Every doc of `scope` the query matches, with its score, in the
    /// scope's order. A longer query typed on (`zh` after `z`) matches only
    /// among these: the caller may pass them back as its scope.
    pub fn hits(&self, query: &str, scope: &[usize]) -> Vec<Hit> {
        let q = normalize(query);
        if q.is_empty() {
            return scope.iter().map(|&i| Hit { score: 0, i }).collect();
        }
        let q = Query::new(&q);
        let matches = |part: &[usize]| -> Vec<Hit> {
            part.iter()
                .filter_map(|&i| {
                    self.items
                        .get(i)
                        .and_then(|item| self.scored(item, &q))
                        .map(|score| Hit { score, i })
                })
                .collect()
        };
        // Large lists are matched on both cores.
        if scope.len() < 20_000 {
            return matches(scope);
        }
        let (a, b) = scope.split_at(scope.len() / 2);
        std::thread::scope(|sc| {
            let back = sc.spawn(|| matches(b));
            let mut front = matches(a);
            front.extend(back.join().unwrap_or_default());
            front
        })
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
        // Names read 长 as cháng and 曾 as zēng.
        let names = Index::new(
            ["朱长江", "曾国华"]
                .iter()
                .map(|n| Doc {
                    names: n.to_string(),
                    rest: String::new(),
                })
                .collect(),
        );
        assert_eq!(names.search("zhuchangjiang", None), vec![0]);
        assert_eq!(names.search("zcj", None), vec![0]);
        assert_eq!(names.search("zengguohua", None), vec![1]);
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
