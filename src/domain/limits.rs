//! Every limit on what officers, files and connections may bring, in one
//! place. The domain checks records against them when they are made (so
//! registration, edits, imports and persons all meet the same limits, and
//! the server enforces them whatever a client sends); the file reader and
//! the server bound what they hold with the size limits. The README's
//! 输入上限 table is `readme_table()`, and a test keeps the two the same.

use super::DomainError;

/// Names: 当事人, 重点人员, officers, villages, categories, units.
pub const MAX_NAME_CHARS: usize = 50;
/// One-line text: reasons, plan steps, comments.
pub const MAX_LINE_CHARS: usize = 500;
/// Long text: 矛盾情况, progress notes, 化解情况, visit findings.
pub const MAX_TEXT_CHARS: usize = 5000;
/// Digits of a phone number.
pub const MIN_PHONE_DIGITS: usize = 7;
pub const MAX_PHONE_DIGITS: usize = 13;
/// 涉及人数 of one case: more than a township's people is a typing slip.
pub const MAX_PEOPLE: u32 = 100_000;
/// 涉及金额 of one case, in yuan (10 亿元).
pub const MAX_AMOUNT_YUAN: u64 = 1_000_000_000;
/// 当事人 named in one case (a group dispute names its representatives).
pub const MAX_PARTIES: usize = 200;
/// Data rows in one import: a township ledger is thousands.
pub const MAX_IMPORT_ROWS: usize = 200_000;
/// Bytes of one cell of an imported file (Excel's own limit is 32 767 characters).
pub const MAX_CELL_BYTES: usize = 32 * 1024;
/// Bytes of an import file as it lies on disk (the client reads it whole).
pub const MAX_IMPORT_FILE_BYTES: u64 = 200 * 1024 * 1024;
/// Bytes one worksheet of an xlsx may unpack to (streamed, never held; a
/// zip bomb stops here).
pub const MAX_XLSX_SHEET_BYTES: u64 = 512 * 1024 * 1024;
/// Bytes any other part of an xlsx may unpack to: the shared-strings table,
/// the workbook and the styles are held in memory whole.
pub const MAX_XLSX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Rows of one sheet, blank ones included (Excel's own limit): a cell placed
/// at row four billion does not make the reader walk to it.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;
/// Columns of one row of an imported sheet: the ledger has a few dozen; a
/// row of millions of tiny cells under a normal header is refused as it is
/// read, before it is held.
pub const MAX_ROW_CELLS: u32 = 256;
/// Cells with a value in one imported sheet (200 000 rows of a ledger's
/// few dozen columns fit); counted as the sheet streams.
pub const MAX_SHEET_CELLS: u64 = 10_000_000;
/// Bytes of unfinished import rows (their text and cells, as received) the
/// server holds for one officer; 100 000 ledger rows are about 110 MB.
pub const MAX_STAGED_BYTES: usize = 256 * 1024 * 1024;
/// Bytes of one kept draft (an unsent form).
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

/// Checks a count or amount against its limit: `field` names it, `unit`
/// follows the number ("人", "元").
pub fn check_at_most(field: &str, value: u64, max: u64, unit: &str) -> Result<(), DomainError> {
    if value > max {
        return Err(DomainError::invalid(format!(
            "{field}过大（{}{unit}），最多 {}{unit}",
            plain_number(value),
            plain_number(max)
        )));
    }
    Ok(())
}

/// 涉及金额: at most `MAX_AMOUNT_YUAN`.
pub fn check_amount(yuan: u64) -> Result<(), DomainError> {
    if yuan > MAX_AMOUNT_YUAN {
        return Err(DomainError::invalid(format!(
            "涉及金额过大（{}元），最多 {}元（10亿元）",
            plain_number(yuan),
            plain_number(MAX_AMOUNT_YUAN)
        )));
    }
    Ok(())
}

/// 涉及人数: at most `MAX_PEOPLE`.
pub fn check_people(people: u64) -> Result<(), DomainError> {
    check_at_most("涉及人数", people, u64::from(MAX_PEOPLE), "人")
}

/// 当事人: at most `MAX_PARTIES` in one case.
pub fn check_parties(count: usize) -> Result<(), DomainError> {
    if count > MAX_PARTIES {
        return Err(DomainError::invalid(format!(
            "当事人过多（{count} 名），一件纠纷最多 {MAX_PARTIES} 名；群体性纠纷请填代表，其余写进矛盾情况"
        )));
    }
    Ok(())
}

/// 12345678 → "12,345,678": long numbers read at a glance.
fn plain_number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in the officers' units: "64 KB", "200 MB", "1 GB".
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= 1024 * MB && bytes.is_multiple_of(1024 * MB) {
        format!("{} GB", bytes / (1024 * MB))
    } else if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// The README's 输入上限 table, made from the limits above.
pub fn readme_table() -> String {
    let rows: Vec<(&str, String)> = vec![
        (
            "姓名、村(社区)、类型、单位等名称",
            format!("{MAX_NAME_CHARS} 个字"),
        ),
        (
            "理由、方案步骤、意见等单行文字",
            format!("{MAX_LINE_CHARS} 个字"),
        ),
        (
            "矛盾情况、进展、化解情况、走访情况",
            format!("{MAX_TEXT_CHARS} 个字"),
        ),
        (
            "电话",
            format!("{MIN_PHONE_DIGITS} 到 {MAX_PHONE_DIGITS} 位数字"),
        ),
        (
            "涉及人数",
            format!("{} 人", plain_number(u64::from(MAX_PEOPLE))),
        ),
        (
            "涉及金额",
            format!("{} 元（10亿元），不能为负数", plain_number(MAX_AMOUNT_YUAN)),
        ),
        ("一件纠纷的当事人", format!("{MAX_PARTIES} 名")),
        (
            "一次导入的数据行",
            format!("{} 行", plain_number(MAX_IMPORT_ROWS as u64)),
        ),
        ("导入文件的一个单元格", size_text(MAX_CELL_BYTES as u64)),
        ("导入文件本身", size_text(MAX_IMPORT_FILE_BYTES)),
        ("xlsx 中一个工作表解压后", size_text(MAX_XLSX_SHEET_BYTES)),
        (
            "xlsx 的共享字符串表等其他部件解压后",
            size_text(MAX_XLSX_PART_BYTES),
        ),
        (
            "一个工作表的行号",
            format!(
                "{} 行（Excel 的上限）",
                plain_number(u64::from(MAX_SHEET_ROWS))
            ),
        ),
        (
            "导入的一个工作表中一行的列数",
            format!("{MAX_ROW_CELLS} 列"),
        ),
        (
            "导入的一个工作表中有值的单元格",
            format!("{} 个", plain_number(MAX_SHEET_CELLS)),
        ),
        (
            "服务端为一名值班员暂存的未完成导入",
            size_text(MAX_STAGED_BYTES as u64),
        ),
        (
            "一份草稿（未提交的表单）",
            size_text(MAX_DRAFT_BYTES as u64),
        ),
    ];
    let mut out = String::from("| 项目 | 上限 |\n|---|---|\n");
    for (what, limit) in rows {
        out.push_str(&format!("| {what} | {limit} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_field_and_the_limit() {
        let e = check_amount(10_000_000_000).unwrap_err().to_string();
        assert!(
            e.contains("涉及金额") && e.contains("1,000,000,000元"),
            "{e}"
        );
        assert!(check_amount(MAX_AMOUNT_YUAN).is_ok());
        let e = check_people(u64::from(u32::MAX)).unwrap_err().to_string();
        assert!(e.contains("涉及人数") && e.contains("100,000人"), "{e}");
        assert!(check_people(u64::from(MAX_PEOPLE)).is_ok());
        let e = check_parties(20_000).unwrap_err().to_string();
        assert!(e.contains("20000 名") && e.contains("最多 200 名"), "{e}");
        assert!(check_parties(MAX_PARTIES).is_ok());
    }

    #[test]
    fn sizes_and_numbers_read_plainly() {
        assert_eq!(plain_number(1_000_000_000), "1,000,000,000");
        assert_eq!(plain_number(999), "999");
        assert_eq!(size_text(64 * 1024), "64 KB");
        assert_eq!(size_text(200 * 1024 * 1024), "200 MB");
        assert_eq!(size_text(1024 * 1024 * 1024), "1 GB");
    }

    /// The README lists the limits as this module holds them.
    #[test]
    fn readme_lists_these_limits() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&readme_table()),
            "README 的“输入上限”表与 domain::limits 不一致，应为：\n{}",
            readme_table()
        );
    }
}
