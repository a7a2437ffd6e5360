//! Framing of an export body between the transport and its consumer: the one layer that
//! knows where records end, counts lines and records, and checks what is handed on.
//!
//! - **JSON Lines** is handed on *line aligned*: only bytes up to the last `\n` seen go
//!   out; a partial line is held back (as chunk slices, copied only when it ends) until
//!   its end arrives, at most [`max_record_size`](crate::ExportBuilder::max_record_size)
//!   bytes of it. A cut therefore never leaves half a record downstream. The first record
//!   must be a JSON object (an HTML page or a JSON error object is not an export). At the
//!   end of the body a last line without `\n` is accepted when it is one complete JSON
//!   value (JSON is self-delimiting); an incomplete one means the body was cut.
//! - **Counting**: framing is the one layer that counts records (non-blank JSON Lines
//!   lines, CSV rows after the header) and lines; the counts go to the export's progress
//!   and into the errors that end it, so they are exact whoever consumes the body.
//! - **Line check** ([`LineCheck`], the stage after framing when the consumer takes raw
//!   bytes; a record decoder checks lines itself): every JSON Lines line is one JSON
//!   object (a record) in valid UTF-8, by the rules and with the errors of the record
//!   decoders (a validating parse that builds nothing), or, when the caller asks for
//!   [`RecordCheck::Shape`](crate::RecordCheck::Shape), only valid UTF-8 from `{` to `}`
//!   (a line that fails gets the full check's error). It runs on the
//!   consumer's side of the read-ahead channel, so on two cores it overlaps with reading
//!   the network instead of adding to it. A bad line is an error with its line number,
//!   after the lines before it.
//! - **Resume bookkeeping** (JSON Lines, [`boundary`]): the `created_at` of the last
//!   record delivered, and the identities (the `id`'s value, or the whole line for a
//!   record without `id`, counted with their copies) of every record delivered at that
//!   timestamp. After a resume, each delivered copy at or after the boundary is skipped
//!   once, whatever order the server gives records that share a timestamp. Only the
//!   trailing run of equal timestamps of each block is parsed, so the cost is a few keys
//!   per network chunk.
//! - **CSV checkpoints** ([`csv_keys`]): in the native order, the header and the leading
//!   run of rows are parsed for the next checkpoint; after a checkpoint, every row's
//!   `created_at` too, and the rows it names are dropped (rows are then handed on whole,
//!   a partial one held back).
//! - **CSV** is otherwise handed on as it arrives, while a scan of quotes and line breaks
//!   tracks record boundaries (RFC 4180: a line break inside quotes is data). A CSV row
//!   is not self-delimiting (a cut `a,b` looks complete), so the body must end after a
//!   line break outside quotes (or a last lone `\r`); anything else means it was cut.
//!
//! One file per job: [`json_lines`] and [`csv`] (the two framings), [`boundary`] (record
//! keys, resume boundaries, the leading run of a checkpoint), [`csv_keys`] (the same
//! books for CSV rows), [`check`] (the checks of raw-byte consumers), [`lines`] (what a
//! line is, for all of them).
//!
//! **Why framing and the record decoders both find record ends.** Framing runs for every
//! consumer, also those that take raw bytes (`bytes`, `save`, a pipe): it must know where
//! records end to hand on whole records only, hold each to the size limit, count them,
//! and keep the books of resume and checkpoints. It does that with a scan for `\n` (and
//! quotes, in CSV) and parses only the few keys it needs. A record decoder
//! (`records`, `csv_rows`, Parquet) must split the same bytes again because it builds
//! values from them; handing it framing's offsets would cost a queue of positions per
//! chunk to save a `memchr` pass that runs at memory speed. Both sides use [`lines`], so
//! they agree on what a line is.

use std::collections::VecDeque;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::checkpoint::Checkpoint;

mod boundary;
mod check;
mod csv;
mod csv_keys;
mod json_lines;
pub(crate) mod lines;

use boundary::Boundary;
pub(crate) use check::{CsvCheck, LineCheck};
pub(crate) use csv::CsvFraming;
use csv_keys::CsvKeys;
pub(crate) use json_lines::JsonLinesFraming;

/// Why framing stopped the export.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// A record is larger than the limit; `line` is where it starts.
    TooLarge { line: u64 },
    /// What arrived is not an export of the requested format.
    NotAnExport { reason: String, excerpt: String },
    /// The body ended inside a record.
    Cut(String),
    /// An incremental export's answer lacks what a checkpoint needs (a `created_at`
    /// column, an `id` column, a record's timestamp).
    NoCheckpoint(String),
}

/// The framing of one export, by format.
#[derive(Debug)]
pub(crate) enum Framing {
    JsonLines(Box<JsonLinesFraming>),
    Csv(CsvFraming),
    /// A format this crate does not know: handed on unchecked.
    Opaque,
}

impl Framing {
    /// The framing of `format`. `resume`: keep the resume boundary (JSON Lines);
    /// `incremental`: keep the next checkpoint (JSON Lines and CSV in the native order),
    /// after the given one, whose records are not handed on again. `required`: the
    /// export is one of an incremental series, so an answer that cannot give a
    /// checkpoint (no `created_at`/`id` column, a first record without a timestamp) is an
    /// error instead of an export without one.
    pub(crate) fn new(
        format: &crate::request::ExportFormat,
        resume: bool,
        incremental: Option<Option<&Checkpoint>>,
        required: bool,
        max_record: u64,
    ) -> Self {
        let required = required || incremental.is_some_and(|after| after.is_some());
        let after = |after: Option<&Checkpoint>| after.map(Boundary::from_checkpoint);
        if format.is_json_lines() {
            let mut framing = JsonLinesFraming::new(resume, max_record);
            if let Some(checkpoint) = incremental {
                framing.keep_checkpoint(after(checkpoint), required);
            }
            Framing::JsonLines(Box::new(framing))
        } else if format.is_csv() {
            let mut framing = CsvFraming::new(max_record);
            if let Some(checkpoint) = incremental {
                framing.keep_checkpoint(CsvKeys::new(after(checkpoint), required));
            }
            Framing::Csv(framing)
        } else {
            Framing::Opaque
        }
    }

    pub(crate) fn push(
        &mut self,
        chunk: Bytes,
        out: &mut VecDeque<Bytes>,
    ) -> Result<(), FrameError> {
        match self {
            Framing::JsonLines(f) => f.push(chunk, out),
            Framing::Csv(f) => f.push(chunk, out),
            Framing::Opaque => {
                out.push_back(chunk);
                Ok(())
            }
        }
    }

    pub(crate) fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        match self {
            Framing::JsonLines(f) => f.finish(out),
            Framing::Csv(f) => f.finish(out),
            Framing::Opaque => Ok(()),
        }
    }

    /// The connection broke: forget a partial record held back.
    pub(crate) fn interrupted(&mut self) {
        if let Framing::JsonLines(f) = self {
            f.interrupted();
        }
    }

    /// Where a resumed request must start: the `created_at` of the last record handed
    /// on. From now on, records at or after it that were handed on are skipped. `None`
    /// when there is nothing to resume from (not JSON Lines, no timestamp seen).
    pub(crate) fn resume_point(&mut self) -> Option<DateTime<Utc>> {
        match self {
            Framing::JsonLines(f) => f.resume_point(),
            _ => None,
        }
    }

    /// The checkpoint after what was handed on (see [`Checkpoint`]): the newest
    /// timestamp and who was delivered at it, merged with the checkpoint this export
    /// started after. `None` when not kept, or when nothing was ever delivered.
    pub(crate) fn checkpoint(&self) -> Option<Checkpoint> {
        let (newest, exclude) = match self {
            Framing::JsonLines(f) => f.checkpoint_books()?,
            Framing::Csv(f) => f.checkpoint_books()?,
            Framing::Opaque => return None,
        };
        let boundary = match (newest.run.as_ref(), exclude) {
            (Some(new), Some(old)) if new.created_at == old.created_at => {
                // Copies delivered by earlier exports, plus those delivered now.
                let mut seen = old.seen.clone();
                seen.extend(new.seen.clone());
                Boundary {
                    created_at: new.created_at,
                    seen,
                }
            }
            (Some(new), Some(old)) if new.created_at < old.created_at => old.clone(),
            (Some(new), _) => new.clone(),
            (None, Some(old)) => old.clone(),
            (None, None) => return None,
        };
        Some(boundary.into_checkpoint())
    }

    /// Records handed on so far; `None` for a format this crate does not know.
    pub(crate) fn records(&self) -> Option<u64> {
        match self {
            Framing::JsonLines(f) => Some(f.records()),
            Framing::Csv(f) => Some(f.records()),
            Framing::Opaque => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Identities, Identity};
    use crate::records::RecordError;

    fn run_json(chunks: &[&[u8]]) -> (Vec<u8>, Result<(), FrameError>) {
        let mut f = JsonLinesFraming::new(true, 1 << 20);
        let mut out = VecDeque::new();
        for c in chunks {
            if let Err(e) = f.push(Bytes::copy_from_slice(c), &mut out) {
                return (out.concat(), Err(e));
            }
        }
        let end = f.finish(&mut out);
        (out.iter().flat_map(|b| b.to_vec()).collect(), end)
    }

    trait Concat {
        fn concat(&self) -> Vec<u8>;
    }
    impl Concat for VecDeque<Bytes> {
        fn concat(&self) -> Vec<u8> {
            self.iter().flat_map(|b| b.to_vec()).collect()
        }
    }

    #[test]
    fn lines_pass_whole_and_partial_lines_wait() {
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\"", b":2}\n"]);
        assert_eq!(out, b"{\"id\":1}\n{\"id\":2}\n");
        assert!(end.is_ok());
    }

    #[test]
    fn an_incomplete_last_line_is_a_cut_and_a_complete_one_a_record() {
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\":"]);
        assert_eq!(out, b"{\"id\":1}\n");
        assert!(matches!(end, Err(FrameError::Cut(m)) if m.contains("line 2")));
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\":2}"]);
        assert_eq!(out, b"{\"id\":1}\n{\"id\":2}");
        assert!(end.is_ok());
    }

    #[test]
    fn malformed_lines_are_errors_with_their_number() {
        let mut check = LineCheck::default();
        assert!(check.check(b"{\"id\":1}\n\n").is_ok());
        match check.check(b"{\"id\":2}\n{\"id\" 3}\n") {
            Err((valid, RecordError::Json { line, offset, .. })) => {
                // The whole lines before the bad one may be handed on.
                assert_eq!((valid, line, offset), (9, 4, 19));
            }
            other => panic!("{other:?}"),
        }
        let mut check = LineCheck::default();
        assert!(matches!(
            check.check(b"{\"id\":1}\n{\"x\":\"\xff\"}"),
            Err((
                9,
                RecordError::InvalidUtf8 {
                    line: 2,
                    offset: Some(15)
                }
            ))
        ));
    }

    #[test]
    fn records_are_counted_with_and_without_resume_tracking() {
        for track in [false, true] {
            let mut f = JsonLinesFraming::new(track, 1 << 20);
            let mut out = VecDeque::new();
            f.push(Bytes::from_static(b"{\"id\":1}\n \r\n{\"id\""), &mut out)
                .unwrap();
            f.push(Bytes::from_static(b":2}\n\n{\"id\":3}"), &mut out)
                .unwrap();
            f.finish(&mut out).unwrap();
            assert_eq!((f.records, f.lines), (3, 4), "track = {track}");
        }
        let mut f = Framing::Csv(CsvFraming::new(1 << 20));
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"id,text\n1,\"a\nb\"\n2,c\n"), &mut out)
            .unwrap();
        assert_eq!(f.records(), Some(2));
        assert_eq!(Framing::Opaque.records(), None);
    }

    #[test]
    fn error_objects_and_html_are_not_exports() {
        for body in [
            &b"{\"detail\":\"Not authenticated\"}\n"[..],
            b"<html><body>502</body></html>\n",
            b"[1,2]\n",
        ] {
            let (_, end) = run_json(&[body]);
            assert!(
                matches!(end, Err(FrameError::NotAnExport { .. })),
                "{body:?}"
            );
        }
    }

    #[test]
    fn the_boundary_holds_every_id_at_the_last_timestamp() {
        let mut f = JsonLinesFraming::new(true, 1 << 20);
        let mut out = VecDeque::new();
        let lines = b"{\"id\":\"a\",\"created_at\":\"2026-01-01T00:00:03Z\"}\n\
                      {\"id\":\"c\",\"created_at\":\"2026-01-01T00:00:02Z\"}\n\
                      {\"id\":\"b\",\"created_at\":\"2026-01-01T00:00:02+00:00\"}\n";
        f.push(Bytes::from_static(lines), &mut out).unwrap();
        f.push(
            Bytes::from_static(b"{\"id\":7,\"created_at\":\"2026-01-01T00:00:02Z\"}\n"),
            &mut out,
        )
        .unwrap();
        let b = f.tail.clone().unwrap();
        assert_eq!(b.created_at.to_rfc3339(), "2026-01-01T00:00:02+00:00");
        assert_eq!(b.into_checkpoint().ids(), ["7", "b", "c"]);
    }

    #[test]
    fn csv_must_end_outside_quotes_after_a_line_break() {
        let mut f = CsvFraming::new(1 << 20);
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"id,text\n1,\"a\nb\"\n2,c\n"), &mut out)
            .unwrap();
        assert!(f.finish(&mut out).is_ok());
        assert_eq!(f.boundaries, 3);
        let mut f = CsvFraming::new(1 << 20);
        f.push(Bytes::from_static(b"id,text\n1,\"a\n"), &mut out)
            .unwrap();
        assert!(matches!(f.finish(&mut out), Err(FrameError::Cut(m)) if m.contains("quoted")));
        let mut f = CsvFraming::new(1 << 20);
        f.push(Bytes::from_static(b"id,text\n1,ab"), &mut out)
            .unwrap();
        assert!(matches!(f.finish(&mut out), Err(FrameError::Cut(m)) if m.contains("line 2")));
    }

    #[test]
    fn records_over_the_limit_stop_the_export() {
        let mut f = JsonLinesFraming::new(false, 10);
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"{\"id\":1}\n{\"id\":"), &mut out)
            .unwrap();
        let e = f.push(Bytes::from_static(b"\"0123456789\""), &mut out);
        assert!(matches!(e, Err(FrameError::TooLarge { line: 2 })));
        let mut f = CsvFraming::new(10);
        let e = f.push(Bytes::from_static(b"a\n\"0123456789abc"), &mut out);
        assert!(matches!(e, Err(FrameError::TooLarge { line: 2 })));
    }

    /// A record over the limit is refused also when it arrives whole in one read (and
    /// when it spans reads and ends in the next one), after the records before it; one
    /// exactly at the limit passes. The same at every split of the body.
    #[test]
    fn every_record_is_held_to_the_limit_at_any_chunk_split() {
        let json: &[u8] = b"{\"a\":1}\n{\"b\":22}\n{\"c\":\"0123456789\"}\n{\"d\":4}\n";
        let csv: &[u8] = b"id,t\n1,ab\n2,\"x\ny\"\n3,0123456789\n4,d\n";
        for split in 0..=json.len() {
            let mut f = JsonLinesFraming::new(false, 9);
            let mut out = VecDeque::new();
            let mut result = Ok(());
            for part in [&json[..split], &json[split..]] {
                if !part.is_empty() && result.is_ok() {
                    result = f.push(Bytes::copy_from_slice(part), &mut out);
                }
            }
            assert!(
                matches!(result, Err(FrameError::TooLarge { line: 3 })),
                "split {split}: {result:?}"
            );
            assert_eq!(out.concat(), b"{\"a\":1}\n{\"b\":22}\n", "split {split}");
        }
        for split in 0..=csv.len() {
            let mut f = CsvFraming::new(8);
            let mut out = VecDeque::new();
            let mut result = Ok(());
            for part in [&csv[..split], &csv[split..]] {
                if !part.is_empty() && result.is_ok() {
                    result = f.push(Bytes::copy_from_slice(part), &mut out);
                }
            }
            assert!(
                matches!(result, Err(FrameError::TooLarge { line: 5 })),
                "split {split}: {result:?}"
            );
            // CSV goes on as it arrives: the rows before, then at most the start of the
            // one over the limit (never its end).
            let got = out.concat();
            let rows: &[u8] = b"id,t\n1,ab\n2,\"x\ny\"\n";
            assert!(got.starts_with(rows), "split {split}");
            assert!(
                b"3,0123456789".starts_with(&got[rows.len()..]),
                "split {split}"
            );
        }
    }

    /// A CSV export after a checkpoint, split into chunks at every place: the rows the
    /// checkpoint names are dropped, everything else arrives byte for byte, the counts
    /// and the next checkpoint are the same whatever the split.
    #[test]
    fn csv_rows_a_checkpoint_names_are_dropped_at_any_chunk_split() {
        let body: &[u8] = b"id,created_at,note\r\n\
            n1,2026-03-01T12:00:09Z,\"new, \"\"quoted\"\"\nrow\"\r\n\
            n2,2026-03-01T12:00:09Z,x\r\n\
            old1,2026-03-01T12:00:05Z,dropped\r\n\
            n3,2026-03-01T12:00:05Z,\"kept\nthough at the same time\"\r\n\
            old2,2026-03-01T12:00:05Z,dropped\r";
        let expected: &[u8] = b"id,created_at,note\r\n\
            n1,2026-03-01T12:00:09Z,\"new, \"\"quoted\"\"\nrow\"\r\n\
            n2,2026-03-01T12:00:09Z,x\r\n\
            n3,2026-03-01T12:00:05Z,\"kept\nthough at the same time\"\r\n";
        let mut seen = Identities::default();
        seen.add(Identity::Id("old1".into()));
        seen.add(Identity::Id("old2".into()));
        let checkpoint = Checkpoint::new("2026-03-01T12:00:05Z".parse().expect("time"), &seen);
        let csv = crate::request::ExportFormat::Csv;
        for split in 0..=body.len() {
            let mut framing = Framing::new(&csv, false, Some(Some(&checkpoint)), true, 1 << 20);
            let mut out = VecDeque::new();
            for part in [&body[..split], &body[split..]] {
                if !part.is_empty() {
                    framing
                        .push(Bytes::copy_from_slice(part), &mut out)
                        .expect("framed");
                }
            }
            framing.finish(&mut out).expect("complete");
            let got: Vec<u8> = out.iter().flat_map(|b| b.to_vec()).collect();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(expected),
                "split at {split}"
            );
            assert_eq!(framing.records(), Some(3), "split at {split}");
            let next = framing.checkpoint().expect("a checkpoint");
            assert_eq!(next.created_at().to_rfc3339(), "2026-03-01T12:00:09+00:00");
            assert_eq!(next.ids(), ["n1", "n2"], "split at {split}");
        }
    }
}
