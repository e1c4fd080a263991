//! Timestamps as the API prints them.
use chrono::{DateTime, SecondsFormat, Utc};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// `2025-10-05T10:30:00` (UTC, no zone suffix), the guide's `created_at` shape.
pub fn naive_iso(unix_seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix_seconds, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `2025-10-05T12:00:00.000Z`, the guide's health `timestamp` shape.
pub fn rfc3339_millis_now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
