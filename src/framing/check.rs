//! The checks of a raw-byte consumer, after framing: every JSON Lines line is one JSON
//! object in valid UTF-8, or at [`RecordCheck::Shape`] only UTF-8 from `{` to `}`
//! ([`LineCheck`]), every CSV record decodes by the rules of
//! `csv_rows` ([`CsvCheck`]), and the first record of a JSON Lines body is a record, not
//! an HTML page or an error object. They report with the errors and line numbers of the
//! record decoders, so every read path refuses the same bodies the same way.

use bytes::Bytes;
use serde::de::IgnoredAny;

use crate::body::RecordCheck;
use crate::json_check;
use crate::records::{
    check_object, json_error, CheckedRow, CsvDecoder, RecordDecoder, RecordError,
};

use super::lines::{is_blank, ranges, trim};
use super::FrameError;

/// The line check of a raw-byte consumer (see the module docs): every line of the
/// line-aligned chunks it is given must be one JSON object in valid UTF-8
/// ([`RecordCheck::Full`]), or only valid UTF-8 shaped like one
/// ([`RecordCheck::Shape`]). Blank lines pass.
#[derive(Debug, Default)]
pub(crate) struct LineCheck {
    /// How much of each line is checked.
    depth: RecordCheck,
    /// Lines checked.
    lines: u64,
    /// Bytes checked.
    offset: u64,
}

impl LineCheck {
    /// A check of this depth.
    pub(crate) fn new(depth: RecordCheck) -> Self {
        Self {
            depth,
            ..Self::default()
        }
    }

    /// Check a chunk of whole lines (its last line may lack its `\n` at the end of the
    /// body), or say how long the whole lines before the first bad one are, and why it is
    /// bad.
    ///
    /// UTF-8 is checked once for the whole chunk (lines end at `\n`, an ASCII byte, so a
    /// chunk of whole lines in valid UTF-8 is lines in valid UTF-8) and each line's JSON
    /// by the fast validator of [`json_check`](crate::json_check); a line either of them
    /// is not sure of goes through [`validate`], which accepts or reports it as before.
    /// At [`RecordCheck::Shape`], a line passes on its first and last bytes instead of its
    /// grammar; one that does not goes through [`validate_shape`].
    pub(crate) fn check(&mut self, chunk: &[u8]) -> Result<(), (usize, RecordError)> {
        let utf8 = simdutf8::basic::from_utf8(chunk).is_ok();
        let full = self.depth == RecordCheck::Full;
        for (start, end) in ranges(chunk) {
            let content = trim(&chunk[start..end]);
            self.lines += 1;
            let certainly_valid = utf8
                && if full {
                    json_check::is_object(content)
                } else {
                    shaped_like_an_object(content)
                };
            if !(is_blank(content) || certainly_valid) {
                let (line, offset) = (self.lines, self.offset);
                let checked = if full {
                    validate(content, line, offset)
                } else {
                    validate_shape(content, line, offset)
                };
                checked.map_err(|e| (start, e))?;
            }
            self.offset += (end - start) as u64;
        }
        Ok(())
    }
}

/// The row check of a raw-byte consumer of a CSV export: every record is decoded by the
/// rules of [`csv_rows`](crate::ExportBuilder::csv_rows) (valid UTF-8, as many fields as
/// the header) and dropped, so the byte paths refuse what the row path refuses, with the
/// same error and line.
#[derive(Debug, Default)]
pub(crate) struct CsvCheck {
    decoder: CsvDecoder<CheckedRow>,
    /// Bytes checked before the current chunk.
    offset: u64,
}

impl CsvCheck {
    /// Check a chunk, or say how many of its bytes come before the first bad record (whose
    /// start may lie in an earlier chunk: then 0), and why it is bad.
    pub(crate) fn check(&mut self, chunk: &Bytes) -> Result<(), (usize, RecordError)> {
        let start = self.offset;
        self.offset += chunk.len() as u64;
        self.decoder.push(chunk.clone());
        self.drain(start)
    }

    /// The body ended: check its last record.
    pub(crate) fn finish(&mut self) -> Result<(), RecordError> {
        self.decoder.finish();
        self.drain(self.offset).map_err(|(_, e)| e)
    }

    fn drain(&mut self, chunk_start: u64) -> Result<(), (usize, RecordError)> {
        loop {
            let record_start = self.decoder.counters().bytes;
            match self.decoder.next_record() {
                None => return Ok(()),
                Some(Ok(CheckedRow)) => {}
                // Cut records are framing's to report (as a cut).
                Some(Err(RecordError::Truncated { .. })) => return Ok(()),
                Some(Err(e)) => {
                    let valid = record_start.saturating_sub(chunk_start);
                    return Err((usize::try_from(valid).unwrap_or(0), e));
                }
            }
        }
    }
}

/// One JSON object in valid UTF-8 (a validating parse that builds nothing), checked by
/// the same rules and reported with the same errors as a record decoder's: the slow path
/// behind the fast validator, which decides every line that one is not sure of.
fn validate(content: &[u8], line: u64, offset: u64) -> Result<(), RecordError> {
    let text = simdutf8::compat::from_utf8(content).map_err(|e| RecordError::InvalidUtf8 {
        line,
        offset: Some(offset + e.valid_up_to() as u64),
    })?;
    check_object(text)
        .and_then(|()| serde_json::from_str::<IgnoredAny>(text))
        .map_err(|source| json_error(source, text, line, offset, true))?;
    Ok(())
}

/// Whether `content`, without the JSON whitespace around it, starts with `{` and ends
/// with `}`: what [`RecordCheck::Shape`] asks of a line. Every JSON object passes; so do
/// some lines that are not JSON.
fn shaped_like_an_object(content: &[u8]) -> bool {
    let json_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let first = content.iter().position(|b| !json_ws(b));
    let last = content.iter().rposition(|b| !json_ws(b));
    matches!((first, last), (Some(f), Some(l)) if content[f] == b'{' && content[l] == b'}')
}

/// The slow path of [`RecordCheck::Shape`]: valid UTF-8 (else the error a record decoder
/// reports), shaped like an object (else the error [`validate`] gives the line, which is
/// the full check's, since a line that is not shaped like an object is not one).
fn validate_shape(content: &[u8], line: u64, offset: u64) -> Result<(), RecordError> {
    simdutf8::compat::from_utf8(content).map_err(|e| RecordError::InvalidUtf8 {
        line,
        offset: Some(offset + e.valid_up_to() as u64),
    })?;
    if shaped_like_an_object(content) {
        return Ok(());
    }
    validate(content, line, offset)
}

/// The first record must be a JSON object that is not an error object. `from_here` is
/// the body from the line on, for the excerpt. Malformed JSON is left to the line check
/// or the decoder downstream, which report it with its line number.
pub(super) fn first_record(content: &[u8], from_here: &[u8]) -> Result<(), FrameError> {
    let not_an_export = |reason: &str| FrameError::NotAnExport {
        reason: reason.to_string(),
        excerpt: crate::error::excerpt(from_here),
    };
    let start = content
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(content)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if start == Some(&b'<') {
        return Err(not_an_export("it is an HTML or XML document"));
    }
    let parsed = simdutf8::basic::from_utf8(content)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok());
    match parsed {
        Some(serde_json::Value::Object(map)) => {
            let error_keys = ["detail", "error", "errors"];
            if !map.contains_key("id") && error_keys.iter().any(|k| map.contains_key(*k)) {
                return Err(not_an_export(
                    "the first line is an error object, not a record",
                ));
            }
            Ok(())
        }
        Some(_) => Err(not_an_export(
            "the first line is a JSON value that is not an object, not a record",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Kinds of line a server might send.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Kind {
        Object,
        Padded,
        Blank,
        /// `{…}` that is not JSON: what only the full check refuses.
        ShapedNotJson,
        Array,
        Cut,
        BadUtf8,
        Scalar,
    }

    fn text(kind: Kind, i: usize) -> Vec<u8> {
        match kind {
            Kind::Object => format!("{{\"id\":\"r{i}\",\"n\":{i},\"t\":\"é\\\"}}\"}}").into_bytes(),
            Kind::Padded => format!(" \t{{\"id\":{i}}} ").into_bytes(),
            Kind::Blank => b"  ".to_vec(),
            Kind::ShapedNotJson => format!("{{\"id\": \"r{i}\" \"oops\"}}").into_bytes(),
            Kind::Array => format!("[{i}, {{}}]").into_bytes(),
            Kind::Cut => format!("{{\"id\":\"r{i}").into_bytes(),
            Kind::BadUtf8 => b"{\"id\":\"\xff\xfe\"}".to_vec(),
            Kind::Scalar => format!("{i}").into_bytes(),
        }
    }

    fn full_ok(kind: Kind) -> bool {
        matches!(kind, Kind::Object | Kind::Padded | Kind::Blank)
    }

    fn shape_ok(kind: Kind) -> bool {
        full_ok(kind) || kind == Kind::ShapedNotJson
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            6 => Just(Kind::Object),
            1 => Just(Kind::Padded),
            1 => Just(Kind::Blank),
            2 => Just(Kind::ShapedNotJson),
            1 => Just(Kind::Array),
            1 => Just(Kind::Cut),
            1 => Just(Kind::BadUtf8),
            1 => Just(Kind::Scalar),
        ]
    }

    /// The lines of `body` checked at `depth`, in two chunks split before line `split`:
    /// the first error as (bytes of the body before the bad line, message), or `None`.
    fn outcome(
        depth: RecordCheck,
        body: &[u8],
        starts: &[usize],
        split: usize,
    ) -> Option<(usize, String)> {
        let mut check = LineCheck::new(depth);
        let cut = starts.get(split).copied().unwrap_or(body.len());
        for (chunk, base) in [(&body[..cut], 0), (&body[cut..], cut)] {
            if let Err((valid, e)) = check.check(chunk) {
                return Some((base + valid, e.to_string()));
            }
        }
        None
    }

    proptest! {
        /// Every line the full check accepts, the shape check accepts; the shape check
        /// refuses exactly the lines that are not UTF-8 shaped like an object, with the
        /// error the full check gives when the lines before it are valid JSON.
        #[test]
        fn the_shape_check_refuses_less_and_says_the_same(
            kinds in proptest::collection::vec(kind(), 1..24),
            split in 0usize..24,
        ) {
            let mut body = Vec::new();
            let mut starts = Vec::new();
            for (i, k) in kinds.iter().enumerate() {
                starts.push(body.len());
                body.extend_from_slice(&text(*k, i));
                body.push(b'\n');
            }
            let full = outcome(RecordCheck::Full, &body, &starts, split);
            let shape = outcome(RecordCheck::Shape, &body, &starts, split);
            let first_bad = |ok: fn(Kind) -> bool| kinds.iter().position(|k| !ok(*k));
            prop_assert_eq!(full.as_ref().map(|(at, _)| *at), first_bad(full_ok).map(|i| starts[i]));
            prop_assert_eq!(shape.as_ref().map(|(at, _)| *at), first_bad(shape_ok).map(|i| starts[i]));
            if let Some(bad) = first_bad(shape_ok) {
                let line = format!("line {}", bad + 1);
                prop_assert!(shape.as_ref().is_some_and(|(_, m)| m.contains(&line)), "{:?}", shape);
                if first_bad(full_ok) == Some(bad) {
                    prop_assert_eq!(&shape, &full);
                }
            }
        }
    }

    #[test]
    fn shape_is_the_first_and_last_bytes_without_json_whitespace() {
        for yes in [&b"{}"[..], b" {\"a\":1}\r", b"\t{ x }  ", b"{\"a\": tru}"] {
            assert!(
                shaped_like_an_object(yes),
                "{:?}",
                String::from_utf8_lossy(yes)
            );
        }
        for no in [
            &b"{"[..],
            b"}",
            b"",
            b"  ",
            b"[{}]",
            b"{\"a\":1",
            b"\x0c{}",
            b"{}x",
        ] {
            assert!(
                !shaped_like_an_object(no),
                "{:?}",
                String::from_utf8_lossy(no)
            );
        }
    }
}
