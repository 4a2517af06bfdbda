//! Numbers as ledgers write them: "涉及12人", "三十多名", "二十余户", "上百名",
//! "拖欠工资3万元", "12000元", "1.5万", "五千余元".

use crate::domain::text::fullwidth_to_ascii;

/// A number found in the text, with what follows it.
struct Number {
    value: f64,
    /// Char index just past the number and any "多/余/来".
    end: usize,
}

/// Characters after "N万" that mean it counts something other than money.
const NOT_MONEY_AFTER_WAN: &[char] = &[
    '平', '亩', '人', '名', '户', '株', '斤', '头', '只', '方', '吨', '字', '米', '公', '册', '棵',
];
const PEOPLE_UNITS: &[char] = &['人', '名', '户', '位', '口'];

/// The largest number of people mentioned, with the words that say it.
pub fn people(text: &str) -> Option<(u32, String)> {
    let chars: Vec<char> = text.chars().map(fullwidth_to_ascii).collect();
    let mut best: Option<(u32, String)> = None;
    let mut i = 0;
    while i < chars.len() {
        let Some(n) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        let mut end = n.end;
        if chars.get(end) == Some(&'个') && chars.get(end + 1) == Some(&'人') {
            end += 1;
        }
        let ordinal = i > 0 && chars[i - 1] == '第';
        if !ordinal && chars.get(end).is_some_and(|c| PEOPLE_UNITS.contains(c)) {
            let value = n.value.min(f64::from(u32::MAX)) as u32;
            if best.as_ref().is_none_or(|(b, _)| value > *b) {
                best = Some((value, chars[i..=end].iter().collect()));
            }
        }
        i = n.end.max(i + 1);
    }
    best
}

/// A whole text that is one count, as officers write numbers where one is
/// asked: "12", "十", "二十余", "三十多人", "一百二十" (余/多/来 give the
/// stated base). None when anything else is in the text.
pub fn count(text: &str) -> Option<u64> {
    let chars: Vec<char> = text
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| !c.is_whitespace())
        .collect();
    if chars.is_empty() {
        return None;
    }
    let n = number_at(&chars, 0)?;
    let mut end = n.end;
    if chars.get(end) == Some(&'个') {
        end += 1;
    }
    if chars.get(end).is_some_and(|c| PEOPLE_UNITS.contains(c)) {
        end += 1;
    }
    let whole = n.value.fract() == 0.0 && n.value >= 0.0;
    (end == chars.len() && whole).then_some(n.value as u64)
}

/// The largest sum of money mentioned, in whole yuan, with its words.
pub fn amount(text: &str) -> Option<(u64, String)> {
    let chars: Vec<char> = text.chars().map(fullwidth_to_ascii).collect();
    let mut best: Option<(u64, String)> = None;
    let mut i = 0;
    while i < chars.len() {
        let Some(n) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        if let Some((value, end)) = money_after(&chars, &n) {
            if best.as_ref().is_none_or(|(b, _)| value > *b) {
                best = Some((value, chars[i..end].iter().collect()));
            }
        }
        i = n.end.max(i + 1);
    }
    best
}

/// "元"/"块钱" after the number, or "万" not followed by a measure word
/// ("一块空地" is not money).
/// Returns the yuan and the char index past the money words.
fn money_after(chars: &[char], n: &Number) -> Option<(u64, usize)> {
    let mut end = n.end;
    let mut value = n.value;
    if chars.get(end) == Some(&'万') {
        value *= 10_000.0;
        end += 1;
        while chars.get(end).is_some_and(|c| matches!(c, '多' | '余')) {
            end += 1;
        }
        return match chars.get(end) {
            Some('元') => Some((yuan(value), end + 1)),
            Some('块') if chars.get(end + 1) == Some(&'钱') => Some((yuan(value), end + 2)),
            Some(c) if NOT_MONEY_AFTER_WAN.contains(c) => None,
            _ => Some((yuan(value), end)),
        };
    }
    match chars.get(end..end + 2) {
        Some(['元', ..]) => Some((yuan(value), end + 1)),
        Some(['块', '钱']) => Some((yuan(value), end + 2)),
        _ => (chars.get(end) == Some(&'元')).then_some((yuan(value), end + 1)),
    }
}

fn yuan(value: f64) -> u64 {
    value.round().clamp(0.0, 1e12) as u64
}

/// A number starting at char `i`: Arabic digits (with "." and thousands
/// commas), or Chinese numerals ("三十", "两万", "上百", "几十").
fn number_at(chars: &[char], i: usize) -> Option<Number> {
    let (value, mut end) = if chars[i].is_ascii_digit() {
        arabic_at(chars, i)?
    } else {
        chinese_at(chars, i)?
    };
    while chars
        .get(end)
        .is_some_and(|c| matches!(c, '多' | '余' | '来'))
    {
        end += 1;
    }
    Some(Number { value, end })
}

fn arabic_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let mut end = i;
    let mut digits = String::new();
    while let Some(&c) = chars.get(end) {
        let comma_group = c == ','
            && chars
                .get(end + 1..end + 4)
                .is_some_and(|g| g.iter().all(char::is_ascii_digit));
        if c.is_ascii_digit() || (c == '.' && !digits.contains('.')) {
            digits.push(c);
        } else if !comma_group {
            break;
        }
        end += 1;
    }
    let value: f64 = digits.trim_end_matches('.').parse().ok()?;
    // "3千元": 千 scales the digits; 万 is left for money_after.
    if chars.get(end) == Some(&'千') {
        return Some((value * 1000.0, end + 1));
    }
    Some((value, end))
}

fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn cn_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Chinese numerals, read as a lower bound: "几十" is 20, "十几" is 10,
/// "上百" is 100. "万" is left to the caller only after Arabic digits; here
/// it scales what came before ("两万").
fn chinese_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let next_is_unit = |j: usize| chars.get(j).and_then(|c| cn_unit(*c)).is_some();
    let mut j = i;
    if matches!(chars[j], '上' | '几' | '数') {
        if !next_is_unit(j + 1) {
            return None;
        }
        // "上百" is one hundred, "几十"/"数十" at least twenty.
        let lead = if chars[j] == '上' { 1 } else { 2 };
        j += 1;
        return chinese_rest(chars, j, Some(lead), i);
    }
    chinese_rest(chars, j, None, i)
}

fn chinese_rest(
    chars: &[char],
    mut j: usize,
    lead: Option<u64>,
    start: usize,
) -> Option<(f64, usize)> {
    let (mut total, mut section, mut current) = (0u64, 0u64, lead);
    while let Some(&c) = chars.get(j) {
        if let Some(d) = cn_digit(c) {
            current = Some(d);
        } else if let Some(unit) = cn_unit(c) {
            section = section.saturating_add(current.unwrap_or(1) * unit);
            current = None;
        } else if c == '万' && j > start && scales_before(chars[j - 1]) {
            // Saturating: "一万一万一万…" typed in a text must not overflow.
            total = total
                .saturating_add(section)
                .saturating_add(current.unwrap_or(0))
                .saturating_mul(10_000);
            section = 0;
            current = None;
        } else if matches!(c, '几' | '数') {
            // "十几": the ones are unknown; keep the lower bound.
            current = None;
        } else {
            break;
        }
        j += 1;
    }
    if j == start {
        return None;
    }
    // A lone "一" in running text ("一起") is harmless: callers require a
    // unit right after the number.
    let value = total
        .saturating_add(section)
        .saturating_add(current.unwrap_or(0));
    Some((value as f64, j))
}

/// "两万元", "三十万": 万 right after a numeral belongs to the number.
fn scales_before(c: char) -> bool {
    cn_digit(c).is_some() || cn_unit(c).is_some()
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_in_chinese_or_digits_give_the_stated_base() {
        for (text, want) in [
            ("12", 12),
            ("十", 10),
            ("二十余", 20),
            ("三十多", 30),
            ("三十多人", 30),
            ("一百二十", 120),
            ("两千", 2000),
            ("１５人", 15),
            ("5名", 5),
        ] {
            assert_eq!(count(text), Some(want), "{text}");
        }
        for text in ["", "十几个村", "3.5", "abc", "五人以上"] {
            assert_eq!(count(text), None, "{text}");
        }
    }
}
