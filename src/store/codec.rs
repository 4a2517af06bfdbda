//! Record encoding: a small versioned envelope around self-describing JSON, so a
//! record written before a field was added still reads (the field takes its
//! serde default), and bad bytes are an error, never a panic.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;

const MAGIC: &[u8; 2] = b"DD";
/// Envelope format version. Bump only when the envelope itself changes;
/// record shape changes are handled by serde defaults and migrations.
pub const ENVELOPE_VERSION: u8 = 1;

pub fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(MAGIC);
    out.push(ENVELOPE_VERSION);
    // Serialising our own types to JSON cannot fail: no maps with non-string keys.
    serde_json::to_writer(&mut out, value).expect("record serialises to JSON");
    out
}

/// Derived data that is read in bulk (the summary table) uses a compact
/// positional encoding behind its own magic. It is not self-describing, so
/// its format version lives in `meta` and a change rebuilds it from records.
const COMPACT_MAGIC: &[u8; 2] = b"DC";

pub fn encode_compact<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(COMPACT_MAGIC);
    // postcard to a Vec fails only for types serde cannot describe; ours can.
    postcard::to_io(value, &mut out).expect("record serialises to postcard");
    out
}

pub fn decode_compact<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes {
        // postcard's own words are English and name no place: not shown.
        [b'D', b'C', rest @ ..] => postcard::from_bytes(rest)
            .map_err(|_| StoreError::Corrupt(format!("{what}的数据无法解读（格式不符）"))),
        _ => Err(StoreError::Corrupt(format!("{what}的数据头损坏"))),
    }
}

pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, StoreError> {
    let body = match bytes {
        [b'D', b'D', v, rest @ ..] if *v == ENVELOPE_VERSION => rest,
        [b'D', b'D', v, ..] => {
            return Err(StoreError::Corrupt(format!(
                "{what}的编码版本 {v} 比本程序新，请升级 desk"
            )))
        }
        _ => return Err(StoreError::Corrupt(format!("{what}的数据头损坏"))),
    };
    serde_json::from_slice(body).map_err(|e| StoreError::Corrupt(json_fault(what, &e)))
}

/// A record's JSON that does not read, said in Chinese with where (serde's
/// own message is English and can quote the damaged bytes).
fn json_fault(what: &str, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Syntax => "格式错误",
        Category::Eof => "数据不完整",
        Category::Data => "内容与记录的结构不符",
        Category::Io => "读取失败",
    };
    format!(
        "{what}的数据无法解读：{kind}（第 {} 行第 {} 列）",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize)]
    struct Old {
        name: String,
    }

    #[derive(Deserialize, Debug)]
    struct New {
        name: String,
        #[serde(default)]
        visits: Vec<u32>,
    }

    #[test]
    fn a_record_written_before_a_field_was_added_still_reads() {
        let bytes = encode(&Old {
            name: "王建国".into(),
        });
        let new: New = decode("记录", &bytes).unwrap();
        assert_eq!(new.name, "王建国");
        assert!(new.visits.is_empty());
    }

    #[test]
    fn compact_round_trips_and_rejects_garbage() {
        let bytes = encode_compact(&("赵庄村".to_string(), 7u64));
        let back: (String, u64) = decode_compact("摘要", &bytes).unwrap();
        assert_eq!(back, ("赵庄村".to_string(), 7));
        for bad in [&b""[..], b"DC", b"DC\xff\xff\xff\xff\xff\xff", b"DD\x01{}"] {
            assert!(
                decode_compact::<(String, u64)>("摘要", bad).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bad_bytes_are_errors() {
        for bytes in [
            &b""[..],
            b"D",
            b"XX\x01{}",
            b"DD\x01{not json",
            b"DD\x09{}",
            b"DD\x01\xff\xfe",
        ] {
            let r: Result<New, _> = decode("记录", bytes);
            assert!(matches!(r, Err(StoreError::Corrupt(_))), "{bytes:?}");
        }
    }
}
