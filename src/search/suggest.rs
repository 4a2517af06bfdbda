//! "是不是：…": the names on a list closest to what an officer typed, for
//! a value that is not on it. Closeness counts the distinctive characters
//! both share (not 村, 社区, 所 …, which every entry has) and characters that
//! sound the same (东/冬), so a typo or a homophone finds its entry.

use pinyin::ToPinyin;

/// Characters most list entries share; they say nothing about which one.
const GENERIC: &str = "村社区居委会组镇乡街道办所站局队中心";

/// At most this many suggestions.
const MAX: usize = 3;

/// The entries of `list` closest to `value`, joined by 、; None when nothing
/// is close.
pub fn suggest(list: &[String], value: &str) -> Option<String> {
    let typed: Vec<char> = value.chars().filter(|c| !c.is_whitespace()).collect();
    let mut scored: Vec<(u32, usize)> = list
        .iter()
        .enumerate()
        .map(|(i, item)| (closeness(item, &typed), i))
        .filter(|(score, _)| *score >= 2)
        .collect();
    // Closest first; the list's own order among equals.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let near: Vec<&str> = scored
        .iter()
        .take(MAX)
        .map(|&(_, i)| list[i].as_str())
        .collect();
    (!near.is_empty()).then(|| near.join("、"))
}

/// The officer's hint for a value missing from its list.
pub fn hint(list: &[String], value: &str) -> String {
    match suggest(list, value) {
        Some(near) => format!("是不是：{near}"),
        None => "请先由管理员加入名录".to_string(),
    }
}

fn closeness(item: &str, typed: &[char]) -> u32 {
    let mut score = 0;
    for &c in typed {
        if GENERIC.contains(c) {
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

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn suggests_by_distinctive_and_sounding_characters() {
        let villages = list(&["北山村", "西岗村", "东岗村", "南湖社区"]);
        // 冬 sounds like 东; 村 says nothing.
        assert_eq!(
            suggest(&villages, "冬岗村").as_deref(),
            Some("东岗村、西岗村")
        );
        assert_eq!(suggest(&villages, "南湖").as_deref(), Some("南湖社区"));
        assert_eq!(suggest(&villages, "石桥村"), None);
        let units = list(&["司法所", "派出所", "信访办", "劳动保障所"]);
        assert_eq!(suggest(&units, "派出").as_deref(), Some("派出所"));
    }
}
