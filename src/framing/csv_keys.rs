//! The keys of CSV rows, for incremental exports of CSV: each row's `created_at` and
//! identity, read from the columns the header names, so that CSV framing can keep the
//! next [`Checkpoint`](crate::Checkpoint) and drop the rows the previous one names, as
//! JSON Lines framing does.
//!
//! Only what a checkpoint needs is parsed: the header, the leading run of equal
//! timestamps (the newest records, in the native order), and — after a checkpoint —
//! every row's `created_at` until past its timestamp, to find the rows at it. A row's
//! identity is its `id` field's text, which is the value a JSON Lines record's `"id"`
//! has (see [`Identity`]), so a checkpoint carries over between the two formats; a row
//! without an `id` is its own identity (its text), counted with its copies.

use crate::checkpoint::{parse_timestamp, Identity};

use super::boundary::{delivered, note_newest, Boundary, NewestRun, RecordKey};
use super::lines::trim;

/// Where the key columns are, from the header.
#[derive(Debug, Clone, Copy)]
struct KeyColumns {
    created_at: Option<usize>,
    id: Option<usize>,
}

/// What to do with a row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RowDecision {
    Keep,
    /// The checkpoint this export started after names it: delivered before.
    Drop,
}

/// The key bookkeeping of one CSV export.
#[derive(Debug)]
pub(crate) struct CsvKeys {
    columns: Option<KeyColumns>,
    pub(crate) newest: NewestRun,
    pub(crate) exclude: Option<Boundary>,
    /// The copies `exclude` names not met yet; `None` once past its timestamp.
    exclude_left: Option<Boundary>,
    /// A checkpoint must come out of this export: the header needs `created_at` and
    /// `id`, the first row a timestamp.
    required: bool,
    reader: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl CsvKeys {
    pub(crate) fn new(exclude: Option<Boundary>, required: bool) -> Self {
        Self {
            columns: None,
            newest: NewestRun::default(),
            exclude_left: exclude.clone(),
            exclude,
            required,
            reader: csv_core::Reader::new(),
            fields: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Whether rows must still be looked at one by one.
    pub(crate) fn active(&self) -> bool {
        self.columns.is_none() || !self.newest.done || self.exclude_left.is_some()
    }

    /// Look at one complete row (with its line break). The first is the header; an
    /// export after a checkpoint needs its `created_at` column (`Err` says so).
    pub(crate) fn row(&mut self, row: &[u8]) -> Result<RowDecision, String> {
        let content = trim(row);
        let Some(columns) = self.columns else {
            self.header(row)?;
            return Ok(RowDecision::Keep);
        };
        if content.iter().all(u8::is_ascii_whitespace) {
            return Ok(RowDecision::Keep);
        }
        if !self.active() {
            return Ok(RowDecision::Keep);
        }
        self.parse(row);
        let created_at = columns
            .created_at
            .and_then(|i| self.field(i))
            .and_then(|field| parse_timestamp(&String::from_utf8_lossy(field)));
        let identity = match columns.id.and_then(|i| self.field(i)) {
            Some(id) if !id.is_empty() => Identity::Id(String::from_utf8_lossy(id).into()),
            _ => Identity::of_csv_row(content),
        };
        let key = RecordKey {
            created_at,
            identity,
        };
        if delivered(&mut self.exclude_left, &key) {
            return Ok(RowDecision::Drop);
        }
        match created_at {
            Some(t) if !self.newest.done => note_newest(&mut self.newest, t, key.identity),
            None if self.required && self.newest.run.is_none() => {
                return Err(
                    "a row has no `created_at` that reads as a time, so no checkpoint can say \
                     where this export stopped"
                        .into(),
                )
            }
            _ => {} // no timestamp: no place in a checkpoint
        }
        Ok(RowDecision::Keep)
    }

    fn header(&mut self, row: &[u8]) -> Result<(), String> {
        let row = row.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(row);
        self.parse(row);
        let names: Vec<&[u8]> = (0..self.ends.len()).filter_map(|i| self.field(i)).collect();
        let find = |name: &[u8]| names.iter().position(|n| n.trim_ascii() == name);
        let columns = KeyColumns {
            created_at: find(b"created_at"),
            id: find(b"id"),
        };
        let missing: Vec<&str> = [("created_at", columns.created_at), ("id", columns.id)]
            .into_iter()
            .filter(|(_, at)| at.is_none())
            .map(|(name, _)| name)
            .collect();
        if !missing.is_empty() {
            if self.required {
                return Err(format!(
                    "the CSV header has no `{}` column, which an incremental export needs to \
                     tell new records from delivered ones",
                    missing.join("` or `")
                ));
            }
            if columns.created_at.is_none() {
                // Nothing to keep a checkpoint by.
                self.newest.done = true;
            }
        }
        self.columns = Some(columns);
        Ok(())
    }

    /// Split one row (with its line break) into fields (RFC 4180). The buffers are sized
    /// so that one call reads the whole record: unquoting only shrinks a row, and a row
    /// has at most one field more than it has commas.
    fn parse(&mut self, row: &[u8]) {
        self.reader.reset();
        self.fields.clear();
        self.fields.resize(row.len() + 1, 0);
        self.ends.clear();
        self.ends
            .resize(memchr::memchr_iter(b',', row).count() + 1, 0);
        let (result, _, written, ended) =
            self.reader
                .read_record(row, &mut self.fields, &mut self.ends);
        let (written, ended) = match result {
            // No line break at the end: the end of the input ends the record.
            csv_core::ReadRecordResult::InputEmpty => {
                let (_, _, more, more_ends) = self.reader.read_record(
                    &[],
                    &mut self.fields[written..],
                    &mut self.ends[ended..],
                );
                (written + more, ended + more_ends)
            }
            _ => (written, ended),
        };
        self.fields.truncate(written);
        self.ends.truncate(ended);
    }

    fn field(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.fields.get(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Identities;

    fn keys_of(rows: &[&str], exclude: Option<Boundary>) -> (CsvKeys, Vec<RowDecision>) {
        let mut keys = CsvKeys::new(exclude, false);
        let decisions = rows
            .iter()
            .map(|row| keys.row(row.as_bytes()).expect("a row"))
            .collect();
        (keys, decisions)
    }

    #[test]
    fn the_leading_run_of_timestamps_is_kept_by_json_identity() {
        let (keys, decisions) = keys_of(
            &[
                "\u{feff}name,created_at,id\r\n",
                "\"a, quoted\",2026-03-01T12:00:00Z,x1\r\n",
                "b,2026-03-01 12:00:00+00:00,x2\r\n",
                "c,2026-03-01T11:00:00Z,x3\r\n",
            ],
            None,
        );
        assert!(decisions.iter().all(|d| *d == RowDecision::Keep));
        assert!(keys.newest.done);
        assert!(!keys.active());
        let run = keys.newest.run.expect("a run");
        assert_eq!(run.created_at.to_rfc3339(), "2026-03-01T12:00:00+00:00");
        let checkpoint = run.into_checkpoint();
        assert_eq!(checkpoint.ids(), ["x1", "x2"]);
    }

    #[test]
    fn rows_the_checkpoint_names_are_dropped() {
        let at = parse_timestamp("2026-03-01T12:00:00Z").expect("time");
        let exclude = Boundary {
            created_at: at,
            seen: Identities::of(Identity::Id("old".into())),
        };
        let (_, decisions) = keys_of(
            &[
                "id,created_at\n",
                "new,2026-03-01T13:00:00Z\n",
                "old,2026-03-01T12:00:00Z\n",
                "late,2026-03-01T12:00:00Z\n",
            ],
            Some(exclude),
        );
        assert_eq!(
            decisions,
            [
                RowDecision::Keep,
                RowDecision::Keep,
                RowDecision::Drop,
                RowDecision::Keep
            ]
        );
    }

    #[test]
    fn an_incremental_export_needs_created_at() {
        let exclude = Boundary {
            created_at: parse_timestamp("2026-03-01T12:00:00Z").expect("time"),
            seen: Default::default(),
        };
        let mut keys = CsvKeys::new(Some(exclude), true);
        let error = keys.row(b"id,name\n").expect_err("refused");
        assert!(error.contains("created_at"), "{error}");
        // A series needs the id too, checkpoint or not.
        let mut keys = CsvKeys::new(None, true);
        let error = keys.row(b"created_at,name\n").expect_err("refused");
        assert!(error.contains("`id`"), "{error}");
        // And a first row with a timestamp.
        let mut keys = CsvKeys::new(None, true);
        keys.row(b"id,created_at\n").expect("header");
        let error = keys.row(b"a,yesterday\n").expect_err("refused");
        assert!(error.contains("created_at"), "{error}");
        // Outside a series, no column just means no next checkpoint.
        let (keys, _) = keys_of(&["id,name\n", "a,b\n"], None);
        assert!(keys.newest.run.is_none());
    }

    #[test]
    fn rows_with_many_fields_and_escaped_quotes_parse() {
        let mut keys = CsvKeys::new(None, false);
        let header: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
        let header = format!("{},id,created_at\n", header.join(","));
        keys.row(header.as_bytes()).expect("header");
        let values: Vec<String> = (0..300).map(|i| format!("\"v\"\"{i}\"")).collect();
        let row = format!("{},the-id,2026-01-01T00:00:00Z\n", values.join(","));
        keys.row(row.as_bytes()).expect("row");
        let run = keys.newest.run.expect("a run");
        assert_eq!(run.into_checkpoint().ids(), ["the-id"]);
    }
}
