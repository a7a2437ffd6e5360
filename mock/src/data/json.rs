//! The low-level JSON writers the JSONL and CSV renderers share (strings, uuids,
//! numbers, costs, timestamps).
//!
//! Invariant: the text is exactly what the real service (pydantic) writes: compact,
//! keys in model order, timestamps without a fractional part when it is zero, costs as
//! the shortest decimal that reads back to the same `f64`.

use uuid::Uuid;

use crate::digits::decimal;

/// JSON escape class per byte: 0 = copy, `u` = `\u00XX`, else the escape letter.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[0x08] = b'b';
    t[0x0c] = b'f';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Appends `s` as a JSON string literal (quotes included).
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if esc == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.push(b'\\');
            out.push(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a quoted hyphenated lowercase uuid.
pub(crate) fn write_uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buf = [0u8; 36];
    id.hyphenated().encode_lower(&mut buf);
    out.push(b'"');
    out.extend_from_slice(&buf);
    out.push(b'"');
}

/// Appends the decimal representation of `v`.
pub(crate) fn write_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(decimal(v, &mut buf));
}

/// Appends `micros / 1e6` as the shortest decimal that parses back to the
/// same `f64` (e.g. `0.001234`), which is what `micros as f64 / 1e6` yields.
pub(crate) fn write_cost(out: &mut Vec<u8>, micros: u32) {
    write_u64(out, (micros / 1_000_000) as u64);
    let frac = micros % 1_000_000;
    out.push(b'.');
    if frac == 0 {
        out.push(b'0');
        return;
    }
    let mut digits = [0u8; 6];
    let mut f = frac;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (f % 10) as u8;
        f /= 10;
    }
    let mut end = 6;
    while digits[end - 1] == b'0' {
        end -= 1;
    }
    out.extend_from_slice(&digits[..end]);
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends an RFC 3339 UTC timestamp the way pydantic v2 serialises one:
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, without the fraction when it is zero.
pub(crate) fn write_timestamp(out: &mut Vec<u8>, us: i64) {
    let days = us.div_euclid(86_400_000_000);
    let rem = us.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days);
    let secs = (rem / 1_000_000) as u32;
    let micros = (rem % 1_000_000) as u32;
    let y = y.clamp(0, 9999) as u32;
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, secs / 3600);
    out.push(b':');
    push_2(out, secs / 60 % 60);
    out.push(b':');
    push_2(out, secs % 60);
    if micros != 0 {
        out.push(b'.');
        let mut f = micros;
        let mut digits = [0u8; 6];
        for dgt in digits.iter_mut().rev() {
            *dgt = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.extend_from_slice(&digits);
    }
    out.push(b'Z');
}

/// Appends `v` as the shortest decimal that reads back to the same `f64`, with a
/// fractional part always (`1.0`, like Python's `json`); non-finite values as `null`.
pub(crate) fn write_f64(out: &mut Vec<u8>, v: f64) {
    use std::io::Write;
    if !v.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let start = out.len();
    let _ = write!(out, "{v}");
    if !out[start..].iter().any(|&b| b == b'.' || b == b'e') {
        out.extend_from_slice(b".0");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DEFAULT_BASE_TIME_US;

    #[test]
    fn timestamps_match_chrono() {
        for us in [
            0i64,
            DEFAULT_BASE_TIME_US,
            DEFAULT_BASE_TIME_US - 1,
            951_782_400_123_456, // 2000-02-29
            -1,
        ] {
            let mut out = Vec::new();
            write_timestamp(&mut out, us);
            let s = String::from_utf8(out).unwrap();
            let parsed = chrono::DateTime::parse_from_rfc3339(&s).unwrap();
            assert_eq!(parsed.timestamp_micros(), us, "{s}");
        }
    }

    #[test]
    fn floats_round_trip_with_a_fraction() {
        for v in [0.0, 1.0, 0.25, 0.875, 1e-7, 1562.5, 123456789.0] {
            let mut out = Vec::new();
            write_f64(&mut out, v);
            let s = std::str::from_utf8(&out).unwrap();
            assert!(s.contains('.'), "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
    }

    #[test]
    fn cost_text_round_trips() {
        for m in [0u32, 1, 10, 1234, 999_999, 1_000_000, 1_234_567, 40_000] {
            let mut out = Vec::new();
            write_cost(&mut out, m);
            let s = std::str::from_utf8(&out).unwrap();
            assert_eq!(s.parse::<f64>().unwrap(), m as f64 / 1e6, "{s}");
        }
    }
}
