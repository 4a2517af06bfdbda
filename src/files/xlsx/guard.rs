//! Hostile workbooks: every part of a zip-packed workbook (xlsx, ods) is
//! unpacked through `Guarded`, which stops at the part's size limit (a zip
//! bomb is refused, never inflated) and at the first run of text or tag
//! longer than a cell may be, naming the row. The library that reads cells
//! afterwards buffers a whole cell and the whole shared-strings table, so
//! they are checked before it sees them.

use std::io::Read;

use crate::domain::limits::{size_text, MAX_CELL_BYTES};

/// Why a file is refused, in the officer's words.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The refusal inside an error from reading through a `Guarded`, if any.
pub fn refusal(e: &anyhow::Error) -> Option<String> {
    let io = e.downcast_ref::<std::io::Error>()?;
    io.get_ref()
        .and_then(|inner| inner.downcast_ref::<Refused>())
        .map(|r| r.0.clone())
}

/// What a part holds, for the refusal's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// A worksheet, by the name its tab shows.
    Sheet(&'a str),
    /// The shared-strings table.
    Strings,
    /// Any other XML part, by its path in the package.
    Other(&'a str),
    /// A part that is not XML (an image, a macro project): only its size
    /// is bounded, as nothing here reads its text.
    Binary(&'a str),
}

/// Longest tag head kept to read a row's number from.
const HEAD: usize = 96;

/// A reader over one unpacked part that enforces the limits as bytes pass.
pub struct Guarded<'a, R: Read> {
    inner: std::io::Take<R>,
    part: Part<'a>,
    cap: u64,
    seen: u64,
    in_tag: bool,
    /// Bytes since the last `<` or `>`.
    run: usize,
    head: Vec<u8>,
    /// The row being read (1-based, as the sheet numbers it).
    row: Option<u32>,
    /// Shared strings started so far.
    strings: u64,
}

impl<'a, R: Read> Guarded<'a, R> {
    pub fn new(inner: R, part: Part<'a>, cap: u64) -> Self {
        Guarded {
            // One byte past the cap tells an overflow from a part that fits.
            inner: inner.take(cap + 1),
            part,
            cap,
            seen: 0,
            in_tag: false,
            run: 0,
            head: Vec::with_capacity(HEAD),
            row: None,
            strings: 0,
        }
    }

    fn too_big(&self) -> Refused {
        let what = match self.part {
            Part::Sheet(name) => format!("工作表“{name}”"),
            Part::Strings => "共享字符串表".to_string(),
            Part::Other(path) | Part::Binary(path) => format!("部件“{path}”"),
        };
        Refused(format!(
            "Excel 文件中的{what}解压后超过 {}，可能是恶意构造的压缩文件，拒绝导入",
            size_text(self.cap)
        ))
    }

    fn too_long(&self) -> Refused {
        let cap = size_text(MAX_CELL_BYTES as u64);
        Refused(match (self.part, self.row) {
            (Part::Sheet(name), Some(row)) => {
                format!(
                    "工作表“{name}”第 {row} 行有单元格超过 {cap}，拒绝导入（文件可能是恶意构造的）"
                )
            }
            (Part::Sheet(name), None) => {
                format!("工作表“{name}”的开头有一段超过 {cap} 的内容，拒绝导入")
            }
            (Part::Strings, _) => format!(
                "Excel 文件的共享字符串第 {} 条超过 {cap}，拒绝导入（文件可能是恶意构造的）",
                self.strings.max(1)
            ),
            (Part::Other(path) | Part::Binary(path), _) => {
                format!("Excel 文件的部件“{path}”中有一段超过 {cap} 的内容，拒绝导入")
            }
        })
    }

    /// A tag ended: note a row's number or a shared string's start.
    fn tag_closed(&mut self) {
        let head = self.head.as_slice();
        let end = head
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(head.len());
        let name = &head[..end];
        let local = match name.iter().rposition(|b| *b == b':') {
            Some(p) => &name[p + 1..],
            None => name,
        };
        match local {
            b"row" => {
                let number = super::merges::attr(&head[end..], b"r")
                    .and_then(|r| std::str::from_utf8(r).ok())
                    .and_then(|r| r.trim().parse::<u32>().ok());
                self.row = Some(match number {
                    Some(n) => n,
                    None => self.row.map_or(1, |r| r + 1),
                });
            }
            b"si" => self.strings += 1,
            _ => {}
        }
    }

    fn watch(&mut self, bytes: &[u8]) -> Result<(), Refused> {
        let mut at = 0;
        while at < bytes.len() {
            let next = memchr::memchr2(b'<', b'>', &bytes[at..]).map(|p| at + p);
            let stop = next.unwrap_or(bytes.len());
            let piece = &bytes[at..stop];
            self.run += piece.len();
            if self.in_tag && self.head.len() < HEAD {
                let room = HEAD - self.head.len();
                self.head.extend_from_slice(&piece[..piece.len().min(room)]);
            }
            if self.run > MAX_CELL_BYTES {
                return Err(self.too_long());
            }
            let Some(p) = next else { break };
            if bytes[p] == b'<' {
                self.in_tag = true;
                self.head.clear();
            } else if self.in_tag {
                self.in_tag = false;
                self.tag_closed();
            }
            self.run = 0;
            at = p + 1;
        }
        Ok(())
    }
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > self.cap {
            return Err(std::io::Error::other(self.too_big()));
        }
        if !matches!(self.part, Part::Binary(_)) {
            self.watch(&buf[..n]).map_err(std::io::Error::other)?;
        }
        Ok(n)
    }
}

/// Reads a part to its end through the guard, keeping nothing.
pub fn drain(part: impl Read, what: Part, cap: u64) -> anyhow::Result<()> {
    let mut g = Guarded::new(part, what, cap);
    std::io::copy(&mut g, &mut std::io::sink())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal_of(xml: &[u8], part: Part, cap: u64) -> Option<String> {
        drain(xml, part, cap)
            .err()
            .map(|e| refusal(&e).expect("a refusal"))
    }

    #[test]
    fn long_cells_are_refused_naming_the_row() {
        let long = "字".repeat(MAX_CELL_BYTES / 3 + 10);
        let xml = format!(
            "<worksheet><sheetData><row r=\"1\"><c><v>1</v></c></row>\
             <x:row spans=\"1:2\" r=\"7\"><c t=\"inlineStr\"><is><t>{long}</t></is></c></x:row>"
        );
        let e = refusal_of(xml.as_bytes(), Part::Sheet("台账"), 1 << 30).unwrap();
        assert!(
            e.contains("工作表“台账”第 7 行") && e.contains("32 KB"),
            "{e}"
        );
        let fine = format!(
            "<row r=\"1\"><c><is><t>{}</t></is></c></row>",
            "字".repeat(5000)
        );
        assert_eq!(
            refusal_of(fine.as_bytes(), Part::Sheet("台账"), 1 << 30),
            None
        );
    }

    #[test]
    fn a_part_past_its_size_is_refused() {
        let xml = "<sst><si><t>甲</t></si></sst>".repeat(100);
        let e = refusal_of(xml.as_bytes(), Part::Strings, 1000).unwrap();
        assert!(e.contains("共享字符串表解压后超过"), "{e}");
        assert_eq!(refusal_of(xml.as_bytes(), Part::Strings, 1 << 20), None);
        let long = format!(
            "<sst><si><t>1</t></si><si><t>{}</t></si></sst>",
            "a".repeat(40_000)
        );
        let e = refusal_of(long.as_bytes(), Part::Strings, 1 << 20).unwrap();
        assert!(e.contains("共享字符串第 2 条"), "{e}");
        // A picture's bytes are no text: only its size counts.
        let zeros = vec![0u8; 100_000];
        assert_eq!(
            refusal_of(&zeros, Part::Binary("xl/media/image1.emf"), 1 << 20),
            None
        );
        let e = refusal_of(&zeros, Part::Binary("xl/media/image1.emf"), 1000).unwrap();
        assert!(e.contains("部件“xl/media/image1.emf”解压后超过"), "{e}");
    }
}
