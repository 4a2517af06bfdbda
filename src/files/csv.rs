//! CSV: written as UTF-8 with a BOM and CRLF, so Excel on Windows shows the
//! Chinese; read in UTF-8, GBK/GB18030 (what Excel on a Chinese Windows saves
//! as "CSV") or UTF-16 with a BOM (Excel's "Unicode text"), comma, tab or
//! semicolon separated.

use std::io::Write;
use std::path::Path;

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

use super::ledger::RowReader;
use super::Table;
use crate::domain::text::clean_text;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Excel runs a cell that starts with = + - @ as a formula; such text is
/// written behind an apostrophe, which the import takes off again.
fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => text,
    }
}

pub fn write(path: &Path, table: &Table) -> anyhow::Result<()> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("无法写入 {}：{e}", path.display());
    let file = crate::private_fs::create_or_replace(path)
        .map_err(|e| fail(&crate::private_fs::describe(&e)))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(BOM).map_err(|e| fail(&e))?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(&table.header).map_err(|e| fail(&e))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| guard(&clean_text(&c.text()))))
            .map_err(|e| fail(&e))?;
    }
    let out = w.into_inner().map_err(|e| fail(&e))?;
    out.into_inner()
        .map_err(|e| fail(&e))?
        .sync_all()
        .map_err(|e| fail(&e))
}

/// The text of a CSV file and the encoding it was in.
pub fn decode(bytes: &[u8], encoding: Option<&str>) -> anyhow::Result<(String, &'static str)> {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return utf8(rest);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, had_errors) = enc.decode_with_bom_removal(bytes);
        anyhow::ensure!(!had_errors, "文件按 UTF-16 读取时有无法识别的字节");
        return Ok((text.into_owned(), "UTF-16"));
    }
    let wanted = encoding.map(|e| e.trim().to_ascii_lowercase().replace(['-', '_'], ""));
    match wanted.as_deref() {
        Some("utf8") => utf8(bytes),
        Some("gbk" | "gb18030" | "gb2312" | "cp936") => gb18030(bytes),
        Some(other) => anyhow::bail!("不支持的编码“{other}”，可选：utf-8、gbk"),
        None => utf8(bytes).or_else(|_| gb18030(bytes)).map_err(|_| {
            anyhow::anyhow!("文件既不是 UTF-8 也不是 GBK 编码，请另存为 UTF-8 的 CSV 后再导入")
        }),
    }
}

fn utf8(bytes: &[u8]) -> anyhow::Result<(String, &'static str)> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), "UTF-8")),
        Err(e) => anyhow::bail!(
            "文件不是有效的 UTF-8（第 {} 个字节起），若是 GBK 编码请加 --encoding gbk",
            e.valid_up_to() + 1
        ),
    }
}

fn gb18030(bytes: &[u8]) -> anyhow::Result<(String, &'static str)> {
    match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), "GBK")),
        None => anyhow::bail!("文件按 GBK 读取时有无法识别的字节，请确认编码"),
    }
}

/// The separator the first lines use most: comma, tab or semicolon.
fn delimiter(text: &str) -> u8 {
    let sample: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    let count = |c: char| sample.iter().map(|l| l.matches(c).count()).sum::<usize>();
    // Ties go to the comma.
    let mut best = (b',', count(','));
    for (d, n) in [(b'\t', count('\t')), (b';', count(';'))] {
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// Reads a CSV file as one sheet into `rows`, record by record.
pub fn read_into(
    bytes: &[u8],
    encoding: Option<&str>,
    name: &str,
    rows: &mut RowReader,
    estimate: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    let (text, _) = decode(bytes, encoding)?;
    estimate(memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    rows.start_sheet(name, 0)?;
    let mut record = ::csv::StringRecord::new();
    let mut line = 0;
    loop {
        line += 1;
        match reader.read_record(&mut record) {
            Ok(true) => rows.row(record.iter().map(|f| unguard(f).to_string()).collect())?,
            Ok(false) => break,
            Err(e) => anyhow::bail!("CSV 第 {line} 行格式有误：{e}"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let (gbk, _, _) = GB18030.encode("村名,矛盾情况\n东河村,邻里纠纷\n");
        let (text, enc) = decode(&gbk, None).unwrap();
        assert_eq!(enc, "GBK");
        assert!(text.starts_with("村名,矛盾情况"));
        let mut bom = BOM.to_vec();
        bom.extend_from_slice("村名\n".as_bytes());
        assert_eq!(decode(&bom, None).unwrap(), ("村名\n".to_string(), "UTF-8"));
        assert!(decode(&gbk, Some("utf-8")).is_err());
        // Excel's "Unicode text": UTF-16LE with a BOM.
        let utf16 = [0xFF, 0xFE, 0x51, 0x67, b'\t', 0];
        assert_eq!(
            decode(&utf16, None).unwrap(),
            ("村\t".to_string(), "UTF-16")
        );
    }

    #[test]
    fn separators_and_formula_guard() {
        assert_eq!(delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(delimiter("a,b;c"), b',');
        assert_eq!(guard("=1+1"), "'=1+1");
        assert_eq!(unguard(&guard("-3天")), "-3天");
        assert_eq!(unguard("'引号开头"), "'引号开头");
    }
}
