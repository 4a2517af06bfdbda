//! Serde for `Time` fields of records: the same RFC 3339 text chrono
//! writes and reads (`2026-11-20T09:00:00+08:00`), with a fast path for the
//! form every desk time has (whole seconds, UTC+8, a four-digit year). A
//! 100 000-case export or import formats and parses a million of them, and
//! chrono's general formatter was a third of the JSON work. Anything else
//! goes through chrono itself, so the text is always what chrono gives.

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone, Timelike};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::dispute::Time;

const CHINA_SECS: i32 = 8 * 3600;
const SUFFIX: &[u8; 6] = b"+08:00";

fn format_fast(t: &Time, buf: &mut [u8; 25]) -> bool {
    if t.offset().local_minus_utc() != CHINA_SECS || t.nanosecond() != 0 {
        return false;
    }
    let n = t.naive_local();
    let year = n.year();
    if !(1000..=9999).contains(&year) {
        return false;
    }
    let mut put = |at: usize, v: u32, digits: usize| {
        let mut v = v;
        for i in (0..digits).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, n.month(), 2);
    put(8, n.day(), 2);
    put(11, n.hour(), 2);
    put(14, n.minute(), 2);
    put(17, n.second(), 2);
    buf[4] = b'-';
    buf[7] = b'-';
    buf[10] = b'T';
    buf[13] = b':';
    buf[16] = b':';
    buf[19..].copy_from_slice(SUFFIX);
    true
}

fn parse_fast(text: &str) -> Option<Time> {
    let b = text.as_bytes();
    if b.len() != 25
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || &b[19..] != SUFFIX
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let day = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let local = day.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    FixedOffset::east_opt(CHINA_SECS)?
        .from_local_datetime(&local)
        .single()
}

/// A `Time` that serialises through the fast path.
pub struct Fast(pub Time);

impl Serialize for Fast {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Fast {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fast, D::Error> {
        deserialize(d).map(Fast)
    }
}

pub fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 25];
    if format_fast(t, &mut buf) {
        s.serialize_str(std::str::from_utf8(&buf).expect("ASCII digits and marks"))
    } else {
        t.serialize(s)
    }
}

struct Visitor;

impl de::Visitor<'_> for Visitor {
    type Value = Time;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Time, E> {
        match parse_fast(value) {
            Some(t) => Ok(t),
            None => value.parse().map_err(E::custom),
        }
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
    d.deserialize_str(Visitor)
}

/// For `Option<Time>` fields.
pub mod option {
    use super::{Fast, Time};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        t.map(Fast).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        Ok(Option::<Fast>::deserialize(d)?.map(|f| f.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    #[test]
    fn writes_and_reads_what_chrono_does() {
        for text in [
            "2026-11-20T09:00:00+08:00",
            "1999-01-02T23:59:59+08:00",
            "2026-11-20T09:00:00.250+08:00",
            "2026-11-20T01:00:00Z",
            "2026-11-20T09:00:00-05:30",
            "0999-01-01T00:00:00+08:00",
        ] {
            let t: Time = DateTime::parse_from_rfc3339(text).unwrap();
            let ours = serde_json::to_string(&Fast(t)).unwrap();
            assert_eq!(ours, serde_json::to_string(&t).unwrap(), "{text}");
            let back: Fast = serde_json::from_str(&ours).unwrap();
            assert_eq!(back.0, t);
            assert_eq!(back.0.offset(), t.offset());
            let theirs: Time = serde_json::from_str(&ours).unwrap();
            assert_eq!(back.0, theirs);
        }
        assert!(serde_json::from_str::<Fast>("\"2026-02-30T09:00:00+08:00\"").is_err());
        assert!(serde_json::from_str::<Fast>("\"not a time\"").is_err());
        let none: Option<Time> = None;
        let mut out = Vec::new();
        option::serialize(&none, &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(out, b"null");
    }
}
