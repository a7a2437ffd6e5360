//! Incremental exports: where the last export stopped, so the next one brings only what
//! is new, each record exactly once across runs.
//!
//! The rules a checkpoint keeps (the same in JSON Lines, CSV and Parquet):
//! - **Time**: a record's place is its `created_at`, RFC 3339 (a space instead of the
//!   `T` is accepted). A timestamp without a zone (`2025-06-01T06:19:42.420444`) is
//!   read as UTC.
//! - **Identity**: a record is its `id`'s *value*, not its spelling: the JSON string
//!   `"caf\u00e9"` and `"café"` are one id, the JSON number `101`, the JSON string
//!   `"101"` and the CSV field `101` are one id (integers are compared by value, so
//!   `1e2` is `100`). A record without an `id` (absent or `null`) is identified by its
//!   whole text: a JSON Lines line, or a CSV row. That text is the format's own, so a
//!   checkpoint that names records without an `id` continues only in the format that
//!   wrote them (JSON Lines and Parquet share one); another format is refused before
//!   anything is sent, never answered with repeats.
//! - **Copies**: identities are counted, not merely collected: when the server sends a
//!   record twice at the boundary (two byte-identical lines without `id`), the
//!   checkpoint says two, and each copy is delivered exactly once.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// The version of the checkpoint format this crate writes (it also reads version 1).
const VERSION: u32 = 2;

/// Where an export left off: the newest `created_at` it delivered and every record
/// delivered at exactly that timestamp. Get the next one from
/// [`ExportSummary::checkpoint`](crate::ExportSummary::checkpoint) (or
/// [`RecordStream::checkpoint`](crate::RecordStream::checkpoint)) once an export has
/// completed, store it (it is `serde`, versioned), and pass it to
/// [`ExportBuilder::after`](crate::ExportBuilder::after) next time: that export brings
/// the records newer than it, plus those at its timestamp that were not delivered yet.
///
/// Records are told apart by their `id`'s value (a record without one by its whole
/// text), counted with their copies, so records that share a timestamp are neither lost
/// nor repeated, whatever order the server gives them and whichever format each run
/// uses. Timestamps without a zone are read as UTC.
///
/// ```
/// use galileo_export::Checkpoint;
///
/// let text = r#"{"version":2,"created_at":"2026-03-01T12:00:00Z","ids":["a","101"]}"#;
/// let checkpoint: Checkpoint = serde_json::from_str(text)?;
/// assert_eq!(checkpoint.created_at().to_rfc3339(), "2026-03-01T12:00:00+00:00");
/// assert_eq!(checkpoint.ids(), ["101", "a"]);
/// assert!(checkpoint.records_without_id().is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct Checkpoint {
    version: u32,
    created_at: DateTime<Utc>,
    /// The ids delivered at `created_at`, sorted; an id delivered twice is here twice.
    ids: Vec<String>,
    /// The JSON Lines records without an id delivered at `created_at` (their text),
    /// sorted, with their copies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    records_without_id: Vec<String>,
    /// The same for CSV rows without an id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    csv_rows_without_id: Vec<String>,
}

/// The serialized form, checked on the way in (version 1 is converted).
#[derive(Deserialize)]
struct Stored {
    version: u32,
    created_at: DateTime<Utc>,
    /// Version 2.
    #[serde(default)]
    ids: Vec<String>,
    /// Version 2.
    #[serde(default)]
    records_without_id: Vec<String>,
    /// Version 2.
    #[serde(default)]
    csv_rows_without_id: Vec<String>,
    /// Version 1: each id's JSON text, or a record's whole text.
    #[serde(default)]
    identities: Vec<String>,
}

impl TryFrom<Stored> for Checkpoint {
    type Error = String;

    fn try_from(stored: Stored) -> Result<Self, String> {
        let mut seen = Identities::default();
        match stored.version {
            1 => {
                for text in &stored.identities {
                    seen.add(Identity::from_v1(text));
                }
            }
            VERSION => {
                for id in stored.ids {
                    seen.add(Identity::Id(id.into()));
                }
                for record in stored.records_without_id {
                    seen.add(Identity::Record(record.into()));
                }
                for row in stored.csv_rows_without_id {
                    seen.add(Identity::CsvRow(row.into()));
                }
            }
            other => {
                return Err(format!(
                    "checkpoint version {other} is not supported (this galileo-export reads versions 1 and {VERSION})"
                ))
            }
        }
        Ok(Checkpoint::new(stored.created_at, &seen))
    }
}

impl Checkpoint {
    pub(crate) fn new(created_at: DateTime<Utc>, seen: &Identities) -> Self {
        let mut ids = Vec::new();
        let mut records_without_id = Vec::new();
        let mut csv_rows_without_id = Vec::new();
        for (identity, &copies) in &seen.counts {
            let (list, text) = match identity {
                Identity::Id(id) => (&mut ids, id),
                Identity::Record(record) => (&mut records_without_id, record),
                Identity::CsvRow(row) => (&mut csv_rows_without_id, row),
            };
            list.extend(std::iter::repeat_n(text.to_string(), copies as usize));
        }
        ids.sort();
        records_without_id.sort();
        csv_rows_without_id.sort();
        Self {
            version: VERSION,
            created_at,
            ids,
            records_without_id,
            csv_rows_without_id,
        }
    }

    /// The newest `created_at` delivered.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The ids of the records delivered at [`created_at`](Self::created_at), as text
    /// (a JSON string's value, an integer's decimal digits), sorted; an id the server
    /// sent twice is listed twice.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The JSON Lines records without an `id` delivered at
    /// [`created_at`](Self::created_at): each one's line, sorted, once per copy
    /// delivered.
    pub fn records_without_id(&self) -> &[String] {
        &self.records_without_id
    }

    /// The CSV rows without an `id` delivered at [`created_at`](Self::created_at): each
    /// one's text, sorted, once per copy delivered.
    pub fn csv_rows_without_id(&self) -> &[String] {
        &self.csv_rows_without_id
    }

    /// Why an export of this format cannot continue after this checkpoint: it names
    /// records without an `id` in another format's text, which this one cannot
    /// recognise.
    pub(crate) fn refuses(&self, csv: bool) -> Option<String> {
        let (count, written, other) = if csv {
            (self.records_without_id.len(), "JSON Lines", "a CSV export")
        } else {
            (
                self.csv_rows_without_id.len(),
                "CSV",
                "a JSON Lines or Parquet export",
            )
        };
        (count > 0).then(|| {
            format!(
                "the checkpoint names {count} record(s) without an `id` as {written} text, \
                 which {other} cannot recognise (they would be delivered again): continue \
                 this series in {written}"
            )
        })
    }

    /// Who was delivered at the checkpoint's timestamp, as counts.
    pub(crate) fn identities(&self) -> Identities {
        let mut seen = Identities::default();
        for id in &self.ids {
            seen.add(Identity::Id(id.as_str().into()));
        }
        for record in &self.records_without_id {
            seen.add(Identity::Record(record.as_str().into()));
        }
        for row in &self.csv_rows_without_id {
            seen.add(Identity::CsvRow(row.as_str().into()));
        }
        seen
    }
}

/// Who a record is, for telling delivered records from new ones (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Identity {
    /// The value of the record's `id`, as text.
    Id(Box<str>),
    /// A JSON Lines record without an `id`: its line.
    Record(Box<str>),
    /// A CSV row without an `id`: its text.
    CsvRow(Box<str>),
}

impl Identity {
    /// The identity of an `id` given as JSON text (`"a"`, `101`, `"caf\u00e9"`); `None`
    /// for `null`, which is no id.
    pub(crate) fn from_json_id(raw: &str) -> Option<Identity> {
        let raw = raw.trim();
        if raw == "null" {
            return None;
        }
        if raw.starts_with('"') {
            if let Ok(text) = serde_json::from_str::<String>(raw) {
                return Some(Identity::Id(text.into()));
            }
        } else if let Some(integer) = integer_value(raw) {
            return Some(Identity::Id(integer.into()));
        } else if let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) {
            // A non-integer number, `true`, an object: its compact JSON text.
            return Some(Identity::Id(value.to_string().into()));
        }
        Some(Identity::Id(raw.into()))
    }

    /// The identity of a JSON Lines record without `id`: its line.
    pub(crate) fn of_record(content: &[u8]) -> Identity {
        Identity::Record(String::from_utf8_lossy(content).into())
    }

    /// The identity of a CSV row without `id`: its text.
    pub(crate) fn of_csv_row(content: &[u8]) -> Identity {
        Identity::CsvRow(String::from_utf8_lossy(content).into())
    }

    /// A version 1 identity: an `id`'s JSON text, or a whole record's text.
    fn from_v1(text: &str) -> Identity {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return Identity::Record(text.into());
        }
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => Identity::from_json_id(text).unwrap_or_else(|| Identity::Record(text.into())),
            // Not JSON: a CSV row without an id.
            Err(_) => Identity::CsvRow(text.into()),
        }
    }
}

/// The decimal digits of an integer written in JSON (`101`, `-0`, `1e2`, `1.0E3`), if the
/// text is one and fits 128 bits.
fn integer_value(raw: &str) -> Option<String> {
    if let Ok(n) = raw.parse::<i128>() {
        return Some(n.to_string());
    }
    if !raw
        .bytes()
        .next()
        .is_some_and(|b| b == b'-' || b.is_ascii_digit())
    {
        return None;
    }
    let value: f64 = raw.parse().ok()?;
    // Written with a fraction or exponent but an integer below 2^53: exact as i64.
    (value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0)
        .then(|| (value as i64).to_string())
}

/// A multiset of identities: who was delivered, with how many copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Identities {
    counts: HashMap<Identity, u32>,
}

impl Identities {
    pub(crate) fn of(identity: Identity) -> Self {
        let mut seen = Self::default();
        seen.add(identity);
        seen
    }

    /// One more copy of `identity`.
    pub(crate) fn add(&mut self, identity: Identity) {
        *self.counts.entry(identity).or_insert(0) += 1;
    }

    /// Take one copy of `identity` away: whether there was one.
    pub(crate) fn take(&mut self, identity: &Identity) -> bool {
        match self.counts.get_mut(identity) {
            Some(count) if *count > 1 => {
                *count -= 1;
                true
            }
            Some(_) => {
                self.counts.remove(identity);
                true
            }
            None => false,
        }
    }

    /// The copies of both.
    pub(crate) fn extend(&mut self, other: Identities) {
        for (identity, copies) in other.counts {
            *self.counts.entry(identity).or_insert(0) += copies;
        }
    }

    /// Copies of `identity`.
    #[cfg(test)]
    pub(crate) fn count(&self, identity: &Identity) -> u32 {
        self.counts.get(identity).copied().unwrap_or(0)
    }
}

/// A record's `created_at` text as a point in time: RFC 3339 (also with a space between
/// date and time); without a zone, UTC.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let mut fixed = text.to_string();
    if fixed.len() > 10 && fixed.as_bytes()[10] == b' ' {
        fixed.replace_range(10..11, "T");
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&fixed) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_their_value_not_their_spelling() {
        let id = |raw: &str| Identity::from_json_id(raw).expect("an id");
        assert_eq!(id("101"), id("\"101\""));
        assert_eq!(id("1e2"), id("100"));
        assert_eq!(id("-0"), id("0"));
        assert_eq!(id(r#""caf\u00e9""#), id("\"café\""));
        assert_eq!(id(r#""a\/b""#), id("\"a/b\""));
        assert_ne!(id("\"a\""), id("\"b\""));
        assert_eq!(
            id("12345678901234567890123"),
            id("\"12345678901234567890123\"")
        );
        assert_eq!(Identity::from_json_id("null"), None);
    }

    #[test]
    fn naive_timestamps_are_utc() {
        let t = parse_timestamp("2025-06-01T06:19:42.420444").expect("naive");
        assert_eq!(t.to_rfc3339(), "2025-06-01T06:19:42.420444+00:00");
        let t = parse_timestamp("2025-06-01 06:19:42.420444789").expect("naive with space");
        assert_eq!(t.to_rfc3339(), "2025-06-01T06:19:42.420444789+00:00");
        assert_eq!(
            parse_timestamp("2025-06-01T08:19:42+02:00"),
            parse_timestamp("2025-06-01T06:19:42Z")
        );
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn copies_are_counted_and_kept_through_serde() {
        let mut seen = Identities::default();
        seen.add(Identity::of_record(b"{\"x\":1}"));
        seen.add(Identity::of_record(b"{\"x\":1}"));
        seen.add(Identity::Id("7".into()));
        let checkpoint =
            Checkpoint::new(parse_timestamp("2026-01-01T00:00:00Z").expect("t"), &seen);
        let text = serde_json::to_string(&checkpoint).expect("json");
        let back: Checkpoint = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, checkpoint);
        assert_eq!(back.records_without_id(), ["{\"x\":1}", "{\"x\":1}"]);
        let mut counts = back.identities();
        assert_eq!(counts.count(&Identity::of_record(b"{\"x\":1}")), 2);
        assert!(counts.take(&Identity::of_record(b"{\"x\":1}")));
        assert!(counts.take(&Identity::of_record(b"{\"x\":1}")));
        assert!(!counts.take(&Identity::of_record(b"{\"x\":1}")));
    }

    #[test]
    fn version_1_checkpoints_are_read() {
        let text = r#"{"version":1,"created_at":"2026-03-01T12:00:00Z",
            "identities":["\"a\"","101","{\"no\":\"id\"}","row,without,id"]}"#;
        let checkpoint: Checkpoint = serde_json::from_str(text).expect("version 1");
        assert_eq!(checkpoint.ids(), ["101", "a"]);
        assert_eq!(checkpoint.records_without_id(), ["{\"no\":\"id\"}"]);
        assert_eq!(checkpoint.csv_rows_without_id(), ["row,without,id"]);
        assert!(checkpoint
            .refuses(true)
            .is_some_and(|why| why.contains("1 record(s)")));
        assert!(checkpoint.refuses(false).is_some());
        let error = serde_json::from_str::<Checkpoint>(
            r#"{"version":9,"created_at":"2026-03-01T12:00:00Z","ids":[]}"#,
        )
        .expect_err("version 9");
        assert!(error.to_string().contains("version 9"), "{error}");
    }
}
