//! Timestamps passed in by the host. The core never reads a clock.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::error::Error;

/// Milliseconds since the Unix epoch, parsed from an RFC 3339 `now`.
pub(crate) fn parse_ms(value: &str) -> Result<i64, Error> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc).timestamp_millis())
        .map_err(|_| Error::InvalidTimestamp { value: value.to_owned() })
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-23T02:00:00.000Z` (Make's own format).
pub(crate) fn format_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// RFC 3339 UTC to the second, e.g. `2026-11-23T02:00:00Z` (GitHub commit dates).
pub(crate) fn format_secs(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Secs, true),
        None => "1970-01-01T00:00:00Z".to_owned(),
    }
}

/// Parses an HTTP date (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`) into epoch ms.
pub(crate) fn parse_http_date_ms(value: &str) -> Option<i64> {
    DateTime::parse_from_rfc2822(value.trim()).ok().map(|t| t.timestamp_millis())
}
