//! The one resolver for every named list (村(社区), 责任单位, 纠纷类型, 来源,
//! 值班员, 预警情形, 化解结果, 方式): what an officer typed becomes the list's
//! own entry, or a refusal that says what was meant. Matching goes, in order:
//! exact, alias (东河村委会, 邻里纠纷, 劳资), a unique prefix or substring
//! (来访 → 群众来访), pinyin (full or initials, across "/": lzqx → 劳资/欠薪),
//! and otherwise ranked suggestions ("是不是：…").

use pinyin::ToPinyin;

/// How a typed value was understood, for "已理解：东河 → 东河村".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Exact,
    Alias,
    Part,
    Pinyin,
}

/// What a typed value resolves to on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Found {
        index: usize,
        how: How,
    },
    /// Several entries fit equally well; the officer must say which.
    Ambiguous(Vec<usize>),
    /// Nothing fits; the closest entries, best first (maybe none).
    Unknown(Vec<usize>),
}

/// Everyday words officers type for a list's own word (电话 for 来电):
/// taken as that entry wherever the list has it.
/// (A part of the entry, 微信 or 来访, is found without this.)
const EVERYDAY: &[(&str, &str)] = &[("电话", "来电"), ("打电话", "来电"), ("上门", "群众来访")];

/// Characters most list entries share; they say nothing about which one.
const GENERIC: &str = "村社区居委会组镇乡街道办所站局队中心";

/// Words ledgers and officers add that the lists leave off.
const SUFFIXES: &[&str] = &[
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    "委会",
    "纠纷",
    "矛盾",
    "问题",
    "类",
];

/// At most this many suggestions.
const MAX_NEAR: usize = 3;

/// Resolves `typed` on `list`. `aliases` are extra names for an entry (an
/// officer's login), as (entry index, alias).
pub fn resolve_with<S: AsRef<str>>(list: &[S], aliases: &[(usize, &str)], typed: &str) -> Resolved {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = typed.to_lowercase();
    let labels: Vec<&str> = list.iter().map(AsRef::as_ref).collect();
    if typed.is_empty() {
        return Resolved::Unknown(Vec::new());
    }
    // The entry itself, as lists and exports write it: no lowering needed.
    let same = labels.iter().position(|l| *l == typed);
    if let Some(i) = same.or_else(|| labels.iter().position(|l| l.to_lowercase() == lower)) {
        return Resolved::Found {
            index: i,
            how: How::Exact,
        };
    }
    let bare = strip_suffixes(&lower);
    let everyday = EVERYDAY
        .iter()
        .filter(|(word, _)| *word == lower)
        .filter_map(|(_, entry)| labels.iter().position(|l| l == entry));
    let alias_hits = unique(
        aliases
            .iter()
            .filter(|(_, a)| a.to_lowercase() == lower)
            .map(|(i, _)| *i)
            .chain(everyday)
            .chain(
                labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| forms(l).contains(&bare))
                    .map(|(i, _)| i),
            ),
    );
    if let Some(r) = found_or_ambiguous(alias_hits, How::Alias) {
        return r;
    }
    let parts: [fn(&str, &str) -> bool; 2] = [|l, t| l.starts_with(t), |l, t| l.contains(t)];
    for part in parts {
        let hits: Vec<usize> = (0..labels.len())
            .filter(|&i| part(&labels[i].to_lowercase(), &bare))
            .collect();
        if let Some(r) = found_or_ambiguous(hits, How::Part) {
            return r;
        }
    }
    if lower.chars().all(|c| c.is_ascii_alphanumeric()) {
        if let Some(r) = by_pinyin(&labels, aliases, &lower) {
            return r;
        }
    }
    Resolved::Unknown(near(&labels, &typed))
}

/// [`resolve_with`] without extra aliases.
pub fn resolve<S: AsRef<str>>(list: &[S], typed: &str) -> Resolved {
    resolve_with(list, &[], typed)
}

/// The entry `typed` names, or the officer's message: "{what}“x”不在名录中，
/// 是不是：…" (or for a closed list, every choice).
pub fn pick<S: AsRef<str>>(
    what: &str,
    list: &[S],
    aliases: &[(usize, &str)],
    typed: &str,
    closed: bool,
) -> Result<(usize, How), String> {
    let shown = typed.trim();
    let names = |ix: &[usize]| {
        ix.iter()
            .map(|&i| list[i].as_ref())
            .collect::<Vec<_>>()
            .join("、")
    };
    match resolve_with(list, aliases, typed) {
        Resolved::Found { index, how } => Ok((index, how)),
        _ if shown.is_empty() => Err(format!("{what}不能为空")),
        Resolved::Ambiguous(ix) => Err(format!("{what}“{shown}”可以指 {}，请写全", names(&ix))),
        Resolved::Unknown(_) if closed => {
            let all: Vec<usize> = (0..list.len()).collect();
            Err(format!(
                "{what}“{shown}”不在可选范围内，可选：{}",
                names(&all)
            ))
        }
        Resolved::Unknown(near) if near.is_empty() => {
            Err(format!("{what}“{shown}”不在名录中，请先由管理员加入名录"))
        }
        Resolved::Unknown(near) => Err(format!(
            "{what}“{shown}”不在名录中，是不是：{}",
            names(&near)
        )),
    }
}

/// "东河 → 东河村" when the typed text was not the entry itself.
pub fn understood(typed: &str, entry: &str, how: How) -> Option<String> {
    match how {
        How::Exact => None,
        How::Alias | How::Part | How::Pinyin => Some(format!("{} → {entry}", typed.trim())),
    }
}

fn found_or_ambiguous(mut hits: Vec<usize>, how: How) -> Option<Resolved> {
    hits.dedup();
    match hits.as_slice() {
        [] => None,
        [one] => Some(Resolved::Found { index: *one, how }),
        _ => Some(Resolved::Ambiguous(hits)),
    }
}

fn unique(hits: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = hits.collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn strip_suffixes(text: &str) -> String {
    let mut t = text.replace(['（', '）', '(', ')'], "");
    for s in SUFFIXES {
        if let Some(rest) = t.strip_suffix(s).filter(|r| !r.is_empty()) {
            t = rest.to_string();
        }
    }
    t
}

/// The shorter names an entry goes by: the parts of 经济债务/借贷, the
/// inside and outside of 医疗卫生(医患), 东河 for 东河村, 南湾 for 南湾社区.
fn forms(label: &str) -> Vec<String> {
    let lower = label.to_lowercase();
    let mut out = vec![lower.replace(['（', '）', '(', ')'], "")];
    out.extend(
        lower
            .split(['/', '(', ')', '（', '）', '-'])
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    );
    for v in out.clone() {
        for s in ["社区", "村", "居委会"] {
            if let Some(short) = v.strip_suffix(s).filter(|r| r.chars().count() >= 2) {
                out.push(short.to_string());
            }
        }
    }
    out
}

/// (full pinyin, initials) of a name; Latin letters and digits as
/// themselves, punctuation ("/", "(") dropped, so initials cross "/".
fn pinyin_of(name: &str) -> (String, String) {
    let (mut full, mut initials) = (String::new(), String::new());
    for c in name.to_lowercase().chars() {
        match c.to_pinyin() {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c);
                initials.push(c);
            }
            None => {}
        }
    }
    (full, initials)
}

/// Pinyin in full or as initials: the whole name first, then a unique start.
fn by_pinyin(labels: &[&str], aliases: &[(usize, &str)], typed: &str) -> Option<Resolved> {
    let keys: Vec<(String, String)> = labels.iter().map(|l| pinyin_of(l)).collect();
    let whole = (0..labels.len())
        .filter(|&i| keys[i].0 == typed || keys[i].1 == typed)
        .collect();
    if let Some(r) = found_or_ambiguous(whole, How::Pinyin) {
        return Some(r);
    }
    let start = unique(
        (0..labels.len())
            .filter(|&i| keys[i].0.starts_with(typed) || keys[i].1.starts_with(typed))
            .chain(
                aliases
                    .iter()
                    .filter(|(_, a)| a.to_lowercase().starts_with(typed))
                    .map(|(i, _)| *i),
            ),
    );
    found_or_ambiguous(start, How::Pinyin)
}

/// The entries closest to a value that is on no list, best first: the
/// longest run of distinctive characters shared, then distinctive
/// characters and homophones shared (东/冬); never "shares 村".
fn near(labels: &[&str], typed: &str) -> Vec<usize> {
    let typed: Vec<char> = typed.chars().collect();
    let mut scored: Vec<((usize, u32), usize)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| ((longest_run(l, &typed), closeness(l, &typed)), i))
        .filter(|((run, score), _)| *run >= 2 || *score >= 2)
        .collect();
    // Closest first; the list's own order among equals.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(MAX_NEAR).map(|(_, i)| i).collect()
}

/// The longest run of `typed` found in `label`, counting only distinctive
/// characters.
fn longest_run(label: &str, typed: &[char]) -> usize {
    let mut best = 0;
    for start in 0..typed.len() {
        for end in start + 1..=typed.len() {
            let run: String = typed[start..end].iter().collect();
            let distinctive = typed[start..end]
                .iter()
                .filter(|c| !GENERIC.contains(**c))
                .count();
            if distinctive > best && label.contains(&run) {
                best = distinctive;
            }
        }
    }
    best
}

fn closeness(item: &str, typed: &[char]) -> u32 {
    let mut score = 0;
    for &c in typed {
        if GENERIC.contains(c) || c.is_whitespace() {
            continue;
        }
        if item.contains(c) {
            score += 2;
        } else if let Some(sound) = c.to_pinyin() {
            let homophone = item
                .chars()
                .filter_map(|i| i.to_pinyin())
                .any(|p| p.plain() == sound.plain());
            score += u32::from(homophone);
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    const VILLAGES: &[&str] = &["东河村", "西岗村", "东岗村", "赵庄村", "南湾社区"];
    const CATEGORIES: &[&str] = &["邻里", "经济债务/借贷", "劳资/欠薪", "医疗卫生(医患)"];
    const SOURCES: &[&str] = &["主动排查", "网格员上报", "群众来访", "来电", "上级交办"];

    fn found(list: &[&str], typed: &str) -> Option<(String, How)> {
        match resolve(list, typed) {
            Resolved::Found { index, how } => Some((list[index].to_string(), how)),
            _ => None,
        }
    }

    #[test]
    fn everyday_words_name_the_lists_own() {
        let sources = [
            "主动排查",
            "网格员上报",
            "群众来访",
            "来电",
            "网络(微信/抖音)",
        ];
        assert_eq!(found(&sources, "电话"), Some(("来电".into(), How::Alias)));
        assert_eq!(
            found(&sources, "上门"),
            Some(("群众来访".into(), How::Alias))
        );
        // Only where the list has the entry.
        assert_eq!(found(VILLAGES, "电话"), None);
    }

    #[test]
    fn exact_alias_part_and_pinyin_in_that_order() {
        assert_eq!(
            found(VILLAGES, "东河村"),
            Some(("东河村".into(), How::Exact))
        );
        assert_eq!(found(VILLAGES, "东河"), Some(("东河村".into(), How::Alias)));
        assert_eq!(
            found(VILLAGES, "东河村委会"),
            Some(("东河村".into(), How::Alias))
        );
        assert_eq!(
            found(VILLAGES, "南湾"),
            Some(("南湾社区".into(), How::Alias))
        );
        assert_eq!(
            found(CATEGORIES, "经济债务"),
            Some(("经济债务/借贷".into(), How::Alias))
        );
        assert_eq!(
            found(CATEGORIES, "邻里纠纷"),
            Some(("邻里".into(), How::Alias))
        );
        assert_eq!(
            found(CATEGORIES, "医患"),
            Some(("医疗卫生(医患)".into(), How::Alias))
        );
        assert_eq!(found(SOURCES, "来访"), Some(("群众来访".into(), How::Part)));
        assert_eq!(
            found(SOURCES, "网格"),
            Some(("网格员上报".into(), How::Part))
        );
        assert_eq!(
            found(CATEGORIES, "lzqx"),
            Some(("劳资/欠薪".into(), How::Pinyin))
        );
        assert_eq!(
            found(VILLAGES, "zhaozhuang"),
            Some(("赵庄村".into(), How::Pinyin))
        );
        assert_eq!(found(VILLAGES, "dh"), Some(("东河村".into(), How::Pinyin)));
    }

    #[test]
    fn several_fits_are_ambiguous_not_a_guess() {
        assert_eq!(resolve(VILLAGES, "岗"), Resolved::Ambiguous(vec![1, 2]));
        assert_eq!(resolve(VILLAGES, "d"), Resolved::Ambiguous(vec![0, 2]));
        let err = pick("村(社区)", VILLAGES, &[], "岗", false).unwrap_err();
        assert_eq!(err, "村(社区)“岗”可以指 西岗村、东岗村，请写全");
    }

    #[test]
    fn suggestions_rank_by_distinctive_parts_not_by_village() {
        // 北山村 shares only 村 with every entry: no suggestion.
        assert_eq!(resolve(VILLAGES, "北山村"), Resolved::Unknown(vec![]));
        let err = pick("村(社区)", VILLAGES, &[], "北山村", false).unwrap_err();
        assert_eq!(err, "村(社区)“北山村”不在名录中，请先由管理员加入名录");
        // 冬 sounds like 东; the longer shared run (岗村 → 东岗/西岗) ranks them.
        let Resolved::Unknown(near) = resolve(VILLAGES, "冬岗村") else {
            panic!("冬岗村 is on no list");
        };
        assert_eq!(near, vec![2, 1]);
        let err = pick("村(社区)", VILLAGES, &[], "东河湾", false).unwrap_err();
        assert!(err.ends_with("是不是：东河村、东岗村、南湾社区"), "{err}");
    }

    #[test]
    fn aliases_name_an_entry_and_closed_lists_list_every_choice() {
        let officers = ["郑国庆", "王海"];
        let logins = [(0, "ld1"), (1, "zb1")];
        assert_eq!(
            pick("责任人", &officers, &logins, "zb1", false),
            Ok((1, How::Alias))
        );
        assert_eq!(
            pick("责任人", &officers, &logins, "zgq", false),
            Ok((0, How::Pinyin))
        );
        let err = pick("层级", &["村", "镇", "县"], &[], "省", true).unwrap_err();
        assert_eq!(err, "层级“省”不在可选范围内，可选：村、镇、县");
        assert_eq!(
            understood("东河", "东河村", How::Alias).as_deref(),
            Some("东河 → 东河村")
        );
        assert_eq!(understood("东河村", "东河村", How::Exact), None);
    }
}
