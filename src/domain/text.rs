//! Text that people type or files bring: sanitising and date parsing.

use chrono::{Datelike, Days, NaiveDate};

use super::DomainError;

/// Strips escape sequences, control characters and bidi overrides from text
/// that may be shown on a terminal. Newlines survive only when `multiline`.
fn sanitise(input: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC introducers behave like ESC [ and ESC ].
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' => skip_string(&mut chars),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push(if multiline { '\n' } else { ' ' });
                }
            }
            '\n' => out.push(if multiline { '\n' } else { ' ' }),
            '\t' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `sanitise` would change anything but the ends. Most text is
/// clean, and an import cleans millions of cells: checking bytes first
/// skips decoding characters except after the few lead bytes that can
/// start an unsafe one (C0/DEL, C1 U+0080–9F, U+061C, U+200E–206F, U+FEFF).
fn needs_sanitising(input: &str) -> bool {
    let suspicious = input
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || matches!(b, 0xC2 | 0xD8 | 0xE2 | 0xEF));
    suspicious && input.chars().any(is_unsafe)
}

/// One-line text (names, summaries in lists, reasons): trimmed, no newlines.
pub fn clean_line(input: &str) -> String {
    if !needs_sanitising(input) {
        return input.trim().to_string();
    }
    sanitise(input, false).trim().to_string()
}

/// Multi-line text (progress notes, plans): keeps line breaks, trims the ends.
pub fn clean_text(input: &str) -> String {
    if !needs_sanitising(input) {
        return input.trim().to_string();
    }
    let text = sanitise(input, true);
    text.trim().to_string()
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200e}' | '\u{200f}' | '\u{061c}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}')
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_until_final(chars),
        Some(']') | Some('P') | Some('_') | Some('^') | Some('X') => skip_string(chars),
        // Two-byte sequences such as ESC c (reset) or ESC ( B: drop the next char too.
        Some('(') | Some(')') | Some('#') | Some('%') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameters and intermediates up to a final byte in 0x40..=0x7e.
fn skip_until_final(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC / DCS strings end with BEL or ST (ESC \ or 0x9c).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Invisible format characters (Unicode category Cf: zero-width space,
/// joiner and non-joiner, BOM, bidi controls, soft hyphen, tags …). Inside a
/// name they make "王五" and "王\u{200d}五" two people to every comparison.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061c}'
        | '\u{06dd}'
        | '\u{070f}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08e2}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}'
        | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}')
}

/// A name as it is kept and compared: one line, invisible characters gone.
/// The one normalising function for names wherever they enter (当事人,
/// 重点人员, officers).
pub fn clean_name(input: &str) -> String {
    let line = clean_line(input);
    if line.is_ascii() || !line.chars().any(is_invisible) {
        return line;
    }
    let kept: String = line.chars().filter(|c| !is_invisible(*c)).collect();
    kept.trim().to_string()
}

/// A required name: cleaned by `clean_name`, at most `MAX_NAME_CHARS`.
pub fn required_name(field: &str, input: &str) -> Result<String, DomainError> {
    let name = clean_name(input);
    if name.is_empty() {
        return Err(DomainError::invalid(format!("{field}不能为空")));
    }
    check_len(field, &name, super::limits::MAX_NAME_CHARS)?;
    Ok(name)
}

/// Cleans a required one-line field and checks its length.
pub fn required_line(field: &str, input: &str, max: usize) -> Result<String, DomainError> {
    let text = clean_line(input);
    if text.is_empty() {
        return Err(DomainError::invalid(format!("{field}不能为空")));
    }
    check_len(field, &text, max)?;
    Ok(text)
}

/// Letters, digits and characters a reason needs at least of, beyond
/// blanks, punctuation and invisible marks.
pub const MIN_REASON_CHARS: usize = 4;

/// A reason that means something (breaking the glass on a key person): at
/// least `MIN_REASON_CHARS` letters, digits or characters once blanks,
/// punctuation and zero-width marks are set aside. The stored text drops
/// the invisible marks.
pub fn meaningful_reason(field: &str, input: &str, max: usize) -> Result<String, DomainError> {
    let text: String = clean_line(input)
        .chars()
        .filter(|&c| !is_invisible(c))
        .collect();
    let text = text.trim().to_string();
    check_len(field, &text, max)?;
    if text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_REASON_CHARS {
        return Err(DomainError::invalid(format!(
            "{field}至少写 {MIN_REASON_CHARS} 个字（标点、空白不算），说明为什么需要查看"
        )));
    }
    Ok(text)
}

pub fn check_len(field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    let n = text.chars().count();
    if n > max {
        return Err(DomainError::invalid(format!(
            "{field}过长（{n} 个字），最多 {max} 个字"
        )));
    }
    Ok(())
}

const DATE_FORMS: &str =
    "2024-11-28、2024/11/28、2024.11.28、2024年11月28日、11月28日、今天、明天或 +3天";

/// Parses a date as officers type it. `today` anchors the relative forms.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    let text: String = clean_line(input)
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = || {
        DomainError::invalid(format!(
            "无法识别的日期“{}”，请写成 {DATE_FORMS}",
            clean_line(input)
        ))
    };
    match text.as_str() {
        "" => return Err(DomainError::invalid("日期不能为空".to_string())),
        "今天" | "今日" => return Ok(today),
        "明天" | "明日" => return Ok(today + Days::new(1)),
        "后天" => return Ok(today + Days::new(2)),
        "昨天" => return Ok(today - Days::new(1)),
        _ => {}
    }
    if let Some(rest) = text.strip_prefix('+') {
        let digits = rest.strip_suffix('天').unwrap_or(rest);
        let n: u64 = digits.parse().map_err(|_| bad())?;
        if n > 3650 {
            return Err(DomainError::invalid(format!(
                "“{text}”太远了，最多 +3650天"
            )));
        }
        return Ok(today + Days::new(n));
    }
    if let Some(digits) = text.strip_suffix("天后") {
        let n: u64 = digits.parse().map_err(|_| bad())?;
        return Ok(today + Days::new(n.min(3650)));
    }
    let parts: Vec<&str> = text
        .trim_end_matches('日')
        .trim_end_matches('号')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let (y, m, d) = match nums.as_slice() {
        [y, m, d] if parts[0].len() == 4 => (*y as i32, *m, *d),
        // 20241128
        [n] if parts[0].len() == 8 => ((n / 10000) as i32, n / 100 % 100, n % 100),
        // 11月28日: this year.
        [m, d] if text.contains('月') => (today.year(), *m, *d),
        _ => return Err(bad()),
    };
    if !(1900..=2200).contains(&y) {
        return Err(DomainError::invalid(format!(
            "日期“{}”的年份 {y} 不合理",
            clean_line(input)
        )));
    }
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| DomainError::invalid(format!("日期不存在：{y}年{m}月没有{d}日")))
}

/// Parses a moment as officers type it: `08:00` (today), `昨天 20:00`,
/// `2026-11-20 08:00`, `2026-11-20T08:00`, or a date alone (its midnight).
/// `now` anchors the relative forms; the result is China time.
pub fn parse_time(
    input: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<chrono::DateTime<chrono::FixedOffset>, DomainError> {
    use chrono::{NaiveTime, TimeZone};
    let text: String = clean_line(input)
        .chars()
        .map(|c| {
            if c == '：' {
                ':'
            } else {
                fullwidth_to_ascii(c)
            }
        })
        .collect();
    let text = text.trim();
    let bad = || {
        DomainError::invalid(format!(
            "无法识别的时间“{text}”，请写成 08:00、昨天 20:00 或 2026-11-20 08:00"
        ))
    };
    let (day, clock) = match text.rsplit_once([' ', 'T']) {
        Some((d, c)) if c.contains(':') => (Some(d.trim()), Some(c)),
        _ if text.contains(':') => (None, Some(text)),
        _ => (Some(text), None),
    };
    let date = match day.filter(|d| !d.is_empty()) {
        Some(d) => parse_date(d, now.date_naive())?,
        None => now.date_naive(),
    };
    let time = match clock {
        Some(c) => {
            let (h, m) = c.split_once(':').ok_or_else(bad)?;
            let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| {
                DomainError::invalid(format!("时间“{text}”不存在：应为 00:00 到 23:59"))
            })?
        }
        None => NaiveTime::MIN,
    };
    now.offset()
        .from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(bad)
}

/// Parses an amount of money as ledgers write it: `30000`, `3万`, `3.5万元`,
/// `1,200元`. Returns whole yuan.
pub fn parse_amount(input: &str) -> Result<u64, DomainError> {
    let text: String = clean_line(input)
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    let bad = || {
        DomainError::invalid(format!(
            "金额“{}”看不懂，请写成 30000、3万 或 3.5万元",
            clean_line(input)
        ))
    };
    let body = text.trim_end_matches('元');
    let (number, scale) = match body.strip_suffix('万') {
        Some(n) => (n, 10_000.0),
        None => (body, 1.0),
    };
    if number.starts_with('-') {
        return Err(DomainError::invalid(format!(
            "涉及金额不能为负数（“{}”），请写 0 或正数，如 3万元",
            clean_line(input)
        )));
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    if !value.is_finite() {
        return Err(bad());
    }
    // Saturates: anything beyond u64 is refused by the limit all the same.
    let yuan = (value * scale).round() as u64;
    super::limits::check_amount(yuan)?;
    Ok(yuan)
}

/// Parses a number of people: `5`, `5人`. Negative or beyond the limit is
/// refused, each with its own message.
pub fn parse_people(input: &str) -> Result<u32, DomainError> {
    let t: String = clean_line(input).chars().map(fullwidth_to_ascii).collect();
    let t = t.trim_end_matches('人').trim_end_matches(".0").trim();
    if t.is_empty() {
        return Ok(0);
    }
    if t.starts_with('-') && t[1..].chars().all(|c| c.is_ascii_digit()) && t.len() > 1 {
        return Err(DomainError::invalid(format!("涉及人数不能为负数（“{t}”）")));
    }
    let n = if t.chars().all(|c| c.is_ascii_digit()) {
        // All digits: too long for u64 is beyond the limit too.
        t.parse::<u64>().unwrap_or(u64::MAX)
    } else {
        // In Chinese: 十, 二十余, 三十多 (the stated base).
        super::reading::count(t).ok_or_else(|| {
            DomainError::invalid(format!("涉及人数“{t}”应为整数，如 5、5人、十、二十余"))
        })?
    };
    super::limits::check_people(n)?;
    Ok(n as u32)
}

pub(crate) fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' => '-',
        '／' => '/',
        '．' | '。' => '.',
        '＋' => '+',
        _ => c,
    }
}

/// Masks the middle of a phone or ID number: 13800001234 -> 138****1234.
pub fn mask_digits(text: &str, keep_head: usize, keep_tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_head + keep_tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i >= chars.len() - keep_tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_needs_four_visible_characters() {
        for empty in [
            ".",
            "\u{200b}",
            "。。。。",
            "a.b",
            " ？！ \u{200b}\u{200d}x ",
            "１２３",
        ] {
            let e = meaningful_reason("理由", empty, 500).unwrap_err();
            assert!(e.to_string().contains("至少写 4 个字"), "{empty:?}: {e}");
        }
        assert_eq!(
            meaningful_reason("理由", "\u{200b}核查 线索\u{200b}。", 500).unwrap(),
            "核查 线索。"
        );
        assert!(meaningful_reason("理由", "case 1234", 500).is_ok());
    }

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn strips_escapes_controls_and_bidi() {
        assert_eq!(clean_line("张三\u{1b}[31m红\u{1b}[0m"), "张三红");
        assert_eq!(clean_line("\u{1b}]0;evil title\u{7}标题"), "标题");
        assert_eq!(clean_line("a\u{202e}b\u{2066}c\u{0}d\u{9b}2Je"), "abcde");
        assert_eq!(clean_line("  多\n行\r\n文本\t "), "多 行 文本");
        assert_eq!(clean_text("第一行\r\n第二行\n"), "第一行\n第二行");
        assert_eq!(clean_line("\u{1b}c重置"), "重置");
    }

    #[test]
    fn the_clean_text_shortcut_agrees_with_sanitising() {
        for s in [
            " 东河村 ",
            "“引号”…—",
            "a\tb\r\nc",
            "x\u{200e}y\u{2066}z\u{feff}",
            "\u{9b}31m红",
            "\u{061c}阿",
            "é ü ©",
            "",
        ] {
            assert_eq!(clean_line(s), sanitise(s, false).trim(), "{s:?}");
            assert_eq!(clean_text(s), sanitise(s, true).trim(), "{s:?}");
        }
    }

    #[test]
    fn parses_every_form_officers_type() {
        let today = d(2026, 11, 22);
        for form in [
            "2024-11-28",
            "2024/11/28",
            "2024.11.28",
            "2024年11月28日",
            "2024年11月28号",
            " ２０２４－１１－２８ ",
            "20241128",
        ] {
            assert_eq!(parse_date(form, today).unwrap(), d(2024, 11, 28), "{form}");
        }
        assert_eq!(parse_date("11月28日", today).unwrap(), d(2026, 11, 28));
        assert_eq!(parse_date("今天", today).unwrap(), today);
        assert_eq!(parse_date("明天", today).unwrap(), d(2026, 11, 23));
        assert_eq!(parse_date("+3天", today).unwrap(), d(2026, 11, 25));
        assert_eq!(parse_date("+10", today).unwrap(), d(2026, 12, 2));
    }

    #[test]
    fn rejects_bad_dates_in_chinese() {
        let today = d(2026, 11, 22);
        let err = parse_date("2024-02-30", today).unwrap_err().to_string();
        assert_eq!(err, "日期不存在：2024年2月没有30日");
        let err = parse_date("下周三", today).unwrap_err().to_string();
        assert!(err.starts_with("无法识别的日期“下周三”"), "{err}");
        assert_eq!(
            parse_date("", today).unwrap_err().to_string(),
            "日期不能为空"
        );
        assert!(parse_date("0024-01-01", today).is_err());
        assert!(parse_date("28/11/2024", today).is_err());
        assert!(parse_date("+99999天", today).is_err());
    }

    #[test]
    fn invisible_characters_leave_names() {
        for dressed in [
            "王\u{200d}五",
            "王\u{200b}五",
            "\u{feff}王五",
            "王\u{200c}五\u{2060}",
            "王\u{202e}五",
            "王\u{00ad}五",
            "王\u{e0041}五",
        ] {
            assert_eq!(clean_name(dressed), "王五", "{dressed:?}");
        }
        assert_eq!(clean_name(" 张 三 "), "张 三");
        assert!(required_name("姓名", "\u{200b}\u{200d}").is_err());
    }

    #[test]
    fn length_limits_are_errors() {
        let long = "张".repeat(500);
        let err = required_name("姓名", &long).unwrap_err().to_string();
        assert_eq!(err, "姓名过长（500 个字），最多 50 个字");
        assert_eq!(
            required_line("姓名", " \u{1b}[0m ", 50)
                .unwrap_err()
                .to_string(),
            "姓名不能为空"
        );
    }

    #[test]
    fn amounts_as_ledgers_write_them() {
        assert_eq!(parse_amount("30000").unwrap(), 30000);
        assert_eq!(parse_amount("3万元").unwrap(), 30000);
        assert_eq!(parse_amount("3.5万").unwrap(), 35000);
        assert_eq!(parse_amount("1,200元").unwrap(), 1200);
        assert_eq!(parse_amount("１２万").unwrap(), 120000);
        assert!(parse_amount("很多").is_err());
        let neg = parse_amount("-5万元").unwrap_err().to_string();
        assert!(neg.contains("不能为负数"), "{neg}");
        let big = parse_amount("1e10").unwrap_err().to_string();
        assert!(big.contains("涉及金额过大"), "{big}");
        let huge = parse_amount("9999999999万元").unwrap_err().to_string();
        assert!(
            huge.contains("涉及金额过大") && huge.contains("最多 1,000,000,000元"),
            "{huge}"
        );
        assert_eq!(parse_amount("100000万").unwrap(), 1_000_000_000);
        assert_eq!(parse_people("12人").unwrap(), 12);
        assert!(parse_people("-5")
            .unwrap_err()
            .to_string()
            .contains("不能为负数"));
        let many = parse_people("4294967295").unwrap_err().to_string();
        assert!(
            many.contains("涉及人数过大") && many.contains("100,000"),
            "{many}"
        );
        assert!(parse_people("99999999999999999999999").is_err());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_digits("13800001234", 3, 4), "138****1234");
        assert_eq!(mask_digits("12", 3, 4), "**");
    }

    #[test]
    fn times_as_officers_type_them() {
        use chrono::{FixedOffset, TimeZone};
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        let now = cst.with_ymd_and_hms(2026, 11, 20, 21, 5, 0).unwrap();
        let at = |s: &str| parse_time(s, now).map(|t| t.to_rfc3339());
        assert_eq!(at("08:00").unwrap(), "2026-11-20T08:00:00+08:00");
        assert_eq!(at("昨天 20:30").unwrap(), "2026-11-19T20:30:00+08:00");
        assert_eq!(at("2026-11-18T7:05").unwrap(), "2026-11-18T07:05:00+08:00");
        assert_eq!(
            at("2026/11/18 ０７：０５").unwrap(),
            "2026-11-18T07:05:00+08:00"
        );
        assert_eq!(at("11月19日").unwrap(), "2026-11-19T00:00:00+08:00");
        assert_eq!(
            at("25:00").unwrap_err().to_string(),
            "时间“25:00”不存在：应为 00:00 到 23:59"
        );
        assert!(at("早上")
            .unwrap_err()
            .to_string()
            .starts_with("无法识别的日期"));
        assert!(at("8点").is_err());
    }
}
