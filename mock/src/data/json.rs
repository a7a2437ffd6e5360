//! The JSON text of records: the JSONL line of a record and the low-level writers the
//! JSONL and CSV renderers share (strings, uuids, numbers, costs, timestamps, the nested
//! objects).
//!
//! Invariant: the text is exactly what the real service (pydantic) writes: compact,
//! keys in model order, timestamps without a fractional part when it is zero, costs as
//! the shortest decimal that reads back to the same `f64`.

use uuid::Uuid;

use super::record::{Core, Texts};
use super::vocab::{LOCALES, MODELS, REGIONS};
use super::Dataset;
use crate::digits::decimal;

impl Dataset {
    /// Appends the JSONL line (with its `\n`) of a record.
    pub(crate) fn write_jsonl(&self, c: &Core, t: &Texts, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        write_uuid(out, &c.id);
        out.extend_from_slice(b",\"type\":\"");
        out.extend_from_slice(c.kind.as_bytes());
        out.extend_from_slice(b"\",\"session_id\":");
        write_uuid(out, &c.session_id);
        out.extend_from_slice(b",\"trace_id\":");
        write_opt_uuid(out, c.trace_id.as_ref());
        out.extend_from_slice(b",\"parent_id\":");
        write_opt_uuid(out, c.parent_id.as_ref());
        out.extend_from_slice(b",\"project_id\":\"");
        out.extend_from_slice(&self.project_hyph);
        out.extend_from_slice(b"\",\"log_stream_id\":\"");
        out.extend_from_slice(&self.log_stream_hyph);
        out.extend_from_slice(b"\",\"created_at\":\"");
        write_timestamp(out, c.created_us);
        out.extend_from_slice(b"\",\"updated_at\":\"");
        write_timestamp(out, c.updated_us);
        out.extend_from_slice(b"\",\"name\":\"");
        out.extend_from_slice(c.name.as_bytes());
        out.extend_from_slice(b"\",\"input\":");
        write_json_str(out, &t.input);
        out.extend_from_slice(b",\"output\":");
        write_json_str(out, &t.output);
        out.extend_from_slice(b",\"metrics\":");
        write_metrics(out, c);
        out.extend_from_slice(b",\"latency_ms\":");
        write_u64(out, c.latency_ms as u64);
        out.extend_from_slice(b",\"cost\":");
        write_opt_cost(out, c.cost_micros);
        out.extend_from_slice(b",\"status_code\":");
        write_u64(out, c.status_code as u64);
        out.extend_from_slice(if c.has_error {
            b",\"has_error\":true,\"tags\":"
        } else {
            b",\"has_error\":false,\"tags\":"
        });
        write_tags(out, c);
        out.extend_from_slice(b",\"user_metadata\":");
        write_user_metadata(out, c);
        out.extend_from_slice(b"}\n");
    }
}

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

fn write_opt_uuid(out: &mut Vec<u8>, id: Option<&Uuid>) {
    match id {
        Some(id) => write_uuid(out, id),
        None => out.extend_from_slice(b"null"),
    }
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

fn write_opt_cost(out: &mut Vec<u8>, micros: Option<u32>) {
    match micros {
        Some(m) => write_cost(out, m),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_u64(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => write_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
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

/// Appends the `metrics` object.
pub(crate) fn write_metrics(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"latency_ms\":");
    write_u64(out, c.latency_ms as u64);
    out.extend_from_slice(b",\"cost\":");
    write_opt_cost(out, c.cost_micros);
    out.extend_from_slice(b",\"num_input_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| t.0 as u64));
    out.extend_from_slice(b",\"num_output_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| t.1 as u64));
    out.extend_from_slice(b",\"num_total_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| (t.0 + t.1) as u64));
    out.push(b'}');
}

/// Appends the `tags` array.
pub(crate) fn write_tags(out: &mut Vec<u8>, c: &Core) {
    out.push(b'[');
    for (i, t) in c.tag_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(t.as_bytes());
        out.push(b'"');
    }
    out.push(b']');
}

/// The value of `user_metadata.user_id`.
pub(crate) fn user_id_str(c: &Core) -> [u8; 10] {
    let mut buf = *b"user-00000";
    let mut v = c.user;
    for b in buf[5..].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf
}

/// Appends the `user_metadata` object (string values only; `locale` is
/// omitted on one record in five).
pub(crate) fn write_user_metadata(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"user_id\":\"");
    out.extend_from_slice(&user_id_str(c));
    out.extend_from_slice(b"\",\"region\":\"");
    out.extend_from_slice(REGIONS[c.region as usize].as_bytes());
    out.extend_from_slice(b"\",\"model\":\"");
    out.extend_from_slice(MODELS[c.model as usize].as_bytes());
    out.push(b'"');
    if let Some(l) = c.locale {
        out.extend_from_slice(b",\"locale\":\"");
        out.extend_from_slice(LOCALES[l as usize].as_bytes());
        out.push(b'"');
    }
    out.push(b'}');
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
    fn cost_text_round_trips() {
        for m in [0u32, 1, 10, 1234, 999_999, 1_000_000, 1_234_567, 40_000] {
            let mut out = Vec::new();
            write_cost(&mut out, m);
            let s = std::str::from_utf8(&out).unwrap();
            assert_eq!(s.parse::<f64>().unwrap(), m as f64 / 1e6, "{s}");
        }
    }
}
