//! Datetimes the way pydantic's lax mode reads them.
//!
//! Invariant: every accepted form maps to microseconds since the Unix epoch, UTC; a
//! naive datetime is UTC.

use serde_json::{json, Value};

use super::errors::{Errors, Loc};

/// Parses a datetime the way pydantic's lax mode does: RFC 3339 / ISO 8601
/// (`T`, `t`, `_` or space separator; `Z` or `±HH:MM` offset; naive values
/// are taken as UTC), a bare date (midnight UTC), or a unix timestamp in
/// seconds (milliseconds when larger than 2e10). Returns µs since the epoch.
pub(super) fn parse_datetime(v: &Value) -> Result<i64, (&'static str, String)> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() {
                return Err(("datetime_parsing", "invalid timestamp".into()));
            }
            let secs = if f.abs() > 2e10 { f / 1000.0 } else { f };
            Ok((secs * 1e6).round() as i64)
        }
        Value::String(s) => parse_datetime_str(s.trim()).map_err(|m| ("datetime_parsing", m)),
        _ => Err(("datetime_type", String::new())),
    }
}

fn parse_datetime_str(s: &str) -> Result<i64, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if s.len() < 10 {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse::<f64>()
                .map(|f| (f * 1e6) as i64)
                .map_err(|_| "invalid timestamp".to_string());
        }
        return Err("input is too short".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let f: f64 = s.parse().map_err(|_| "invalid timestamp".to_string())?;
        let secs = if f.abs() > 2e10 { f / 1000.0 } else { f };
        return Ok((secs * 1e6).round() as i64);
    }
    let mut norm: String = s.to_string();
    if norm.len() > 10 {
        let sep = norm.as_bytes()[10];
        if matches!(sep, b't' | b' ' | b'_') {
            norm.replace_range(10..11, "T");
        }
    }
    if norm.ends_with('z') {
        norm.pop();
        norm.push('Z');
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&norm) {
        return Ok(dt.timestamp_micros());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&norm, fmt) {
            return Ok(dt.and_utc().timestamp_micros());
        }
    }
    if let Some(offset_dt) = try_offset_without_colon(&norm) {
        return Ok(offset_dt);
    }
    if norm.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(&norm, "%Y-%m-%d") {
            if let Some(dt) = d.and_hms_opt(0, 0, 0) {
                return Ok(dt.and_utc().timestamp_micros());
            }
        }
    }
    let first_bad = norm
        .bytes()
        .take(4)
        .position(|b| !b.is_ascii_digit())
        .map(|_| "invalid character in year");
    Err(first_bad
        .unwrap_or("invalid datetime format, expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]")
        .to_string())
}

fn try_offset_without_colon(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|d| d.timestamp_micros())
}

pub(super) fn v_datetime(e: &mut Errors, loc: Loc, v: &Value) -> Option<i64> {
    match parse_datetime(v) {
        Ok(us) => Some(us),
        Err(("datetime_type", _)) => {
            e.push(
                loc,
                "datetime_type",
                "Input should be a valid datetime",
                v,
                None,
            );
            None
        }
        Err((ty, msg)) => {
            e.push(
                loc,
                ty,
                format!("Input should be a valid datetime, {msg}"),
                v,
                Some(json!({ "error": msg })),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        let p = |s: &str| parse_datetime(&json!(s));
        assert_eq!(p("2025-06-01T12:00:00Z"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01 12:00:00"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01T14:00:00+02:00"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01T12:00:00.5Z"), Ok(1_748_779_200_500_000));
        assert_eq!(p("2025-06-01"), Ok(1_748_736_000_000_000));
        assert!(p("yesterday").is_err());
        assert_eq!(
            parse_datetime(&json!(1_748_779_200)),
            Ok(1_748_779_200_000_000)
        );
    }
}
