//! The checks of a raw-byte consumer, after framing: every JSON Lines line is one JSON
//! object in valid UTF-8 ([`LineCheck`]), every CSV record decodes by the rules of
//! `csv_rows` ([`CsvCheck`]), and the first record of a JSON Lines body is a record, not
//! an HTML page or an error object. They report with the errors and line numbers of the
//! record decoders, so every read path refuses the same bodies the same way.

use bytes::Bytes;
use serde::de::IgnoredAny;

use crate::json_check;
use crate::records::{
    check_object, json_error, CheckedRow, CsvDecoder, RecordDecoder, RecordError,
};

use super::lines::{is_blank, ranges, trim};
use super::FrameError;

/// The line check of a raw-byte consumer (see the module docs): every line of the
/// line-aligned chunks it is given must be one JSON object in valid UTF-8. Blank lines
/// pass.
#[derive(Debug, Default)]
pub(crate) struct LineCheck {
    /// Lines checked.
    lines: u64,
    /// Bytes checked.
    offset: u64,
}

impl LineCheck {
    /// Check a chunk of whole lines (its last line may lack its `\n` at the end of the
    /// body), or say how long the whole lines before the first bad one are, and why it is
    /// bad.
    ///
    /// UTF-8 is checked once for the whole chunk (lines end at `\n`, an ASCII byte, so a
    /// chunk of whole lines in valid UTF-8 is lines in valid UTF-8) and each line's JSON
    /// by the fast validator of [`json_check`](crate::json_check); a line either of them
    /// is not sure of goes through [`validate`], which accepts or reports it as before.
    pub(crate) fn check(&mut self, chunk: &[u8]) -> Result<(), (usize, RecordError)> {
        let utf8 = simdutf8::basic::from_utf8(chunk).is_ok();
        for (start, end) in ranges(chunk) {
            let content = trim(&chunk[start..end]);
            self.lines += 1;
            let certainly_valid = utf8 && json_check::is_object(content);
            if !(is_blank(content) || certainly_valid) {
                validate(content, self.lines, self.offset).map_err(|e| (start, e))?;
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
