//! The desk's clock: China Standard Time (UTC+8, no daylight saving), whatever
//! the server's own time zone. `DESK_NOW` (RFC 3339) pins it for tests and demos.

use chrono::{DateTime, FixedOffset, Utc};

use crate::domain::dispute::Time;

pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

pub fn now() -> Time {
    if let Ok(pinned) = std::env::var("DESK_NOW") {
        if let Ok(t) = DateTime::parse_from_rfc3339(pinned.trim()) {
            return t.with_timezone(&china());
        }
    }
    Utc::now().with_timezone(&china())
}
