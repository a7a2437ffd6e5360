//! The error type of the records layer.

use std::fmt;

/// Longest excerpt, in characters, carried by [`RecordError::Json`].
pub(crate) const EXCERPT_CHARS: usize = 80;

/// Why a record could not be produced.
///
/// Errors about one record carry the 1-based line number where it starts, so
/// a message like the one below can be acted on in a multi-gigabyte export:
///
/// ```text
/// line 3, column 10 (line starts at byte 57): invalid JSON: expected `,` or `}`; near: {"id": 2 "name": "x"}
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A JSON Lines line is not valid JSON, or does not match the requested
    /// type.
    #[error(
        "line {line}, column {column} (line starts at byte {offset}): {}{}: {}; near: {}",
        json_category(source),
        AtPath(path.as_deref()),
        JsonReason(source, path.is_some()),
        Excerpt(excerpt)
    )]
    Json {
        /// 1-based line number.
        line: u64,
        /// 1-based byte column of the error within the line (as reported by
        /// `serde_json`; for an unexpected end it is the line's length).
        column: u64,
        /// Byte offset, in the whole input, of the start of the line.
        offset: u64,
        /// Up to 80 characters of the line around the error, cut on character
        /// boundaries; `…` marks where the line was cut.
        excerpt: String,
        /// The underlying `serde_json` error.
        source: serde_json::Error,
        /// For valid JSON that does not fit the requested type: where in the record,
        /// as a field path (`spans[2].metric_info.toxicity`, indices in brackets);
        /// `None` for invalid JSON or a mismatch of the record as a whole. The path
        /// stops at a union (a `oneOf`/`anyOf` of the spec): the reason then says which
        /// of its variants failed and why.
        path: Option<String>,
    },

    /// A line (JSON Lines) or a record (CSV) is not valid UTF-8.
    #[error("line {line}: invalid UTF-8{}", Offset(*offset))]
    InvalidUtf8 {
        /// 1-based line number (for CSV: where the record starts).
        line: u64,
        /// Byte offset, in the whole input, of the first invalid byte, when
        /// known (JSON Lines only).
        offset: Option<u64>,
    },

    /// A CSV record does not have as many fields as the header.
    #[error("line {line}: CSV record has {found} field(s), but the header has {expected}")]
    CsvFieldCount {
        /// 1-based line number where the record starts.
        line: u64,
        /// Number of columns in the header.
        expected: usize,
        /// Number of fields in this record.
        found: usize,
    },

    /// The input ended in the middle of a record: the export looks cut off.
    #[error("line {line}: {what}; the export looks cut off")]
    Truncated {
        /// 1-based line number where the unfinished record starts.
        line: u64,
        /// What was left unfinished.
        what: Truncation,
    },

    /// Reading the input itself failed (network, decompression, file I/O).
    /// The decoding adapters end after this error.
    #[error("reading the export failed: {source}")]
    Transport {
        /// The error of the chunk source.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

/// What was left unfinished when the input ended, in a
/// [`RecordError::Truncated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Truncation {
    /// The last JSON Lines line has no line break and its JSON ends early.
    JsonRecord,
    /// A quoted CSV field was still open.
    CsvQuote,
}

impl fmt::Display for Truncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Truncation::JsonRecord => {
                "the input ends inside a JSON record (no final newline and the JSON is incomplete)"
            }
            Truncation::CsvQuote => "the input ends inside a quoted CSV field",
        })
    }
}

fn json_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "record does not match the expected type",
        serde_json::error::Category::Eof => "invalid JSON (unexpected end of line)",
        _ => "invalid JSON",
    }
}

/// `serde_json`'s message without its " at line 1 column N" suffix: the
/// position is reported in terms of the whole input instead.
fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) if e.line() != 0 => msg[..i].to_owned(),
        _ => msg,
    }
}

/// [`json_reason`]; with a path (`true`), without the "at `inner`: " a union of the
/// generated types puts first, since the path shown already ends with it.
struct JsonReason<'a>(&'a serde_json::Error, bool);

impl fmt::Display for JsonReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = json_reason(self.0);
        let shown = match self.1 {
            true => reason
                .strip_prefix("at `")
                .and_then(|rest| rest.split_once("`: "))
                .map_or(reason.as_str(), |(_, rest)| rest),
            false => reason.as_str(),
        };
        f.write_str(shown)
    }
}

/// Displays an excerpt with control characters escaped, so that a stray
/// `\r` or escape sequence cannot garble a terminal.
struct Excerpt<'a>(&'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// ` at `path`` after the category, or nothing.
struct AtPath<'a>(Option<&'a str>);

impl fmt::Display for AtPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(path) => write!(f, " at `{}`", Excerpt(path)),
            None => Ok(()),
        }
    }
}

struct Offset(Option<u64>);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(offset) => write!(f, " at byte {offset}"),
            None => Ok(()),
        }
    }
}

/// Characters shown before the error position in an excerpt.
const BEFORE: usize = 30;

/// Up to [`EXCERPT_CHARS`] characters of `line` around byte `at`, cut on
/// character boundaries (invalid UTF-8 is replaced), with `…` where cut.
pub(crate) fn excerpt(line: &[u8], at: usize) -> String {
    let at = at.min(line.len());
    // Work on a bounded byte window so a 50 MB line costs nothing extra.
    let mut start = at.saturating_sub(BEFORE * 4);
    while start > 0 && start < line.len() && is_continuation(line[start]) {
        start += 1;
    }
    let end = (at + EXCERPT_CHARS * 4).min(line.len());
    let window = String::from_utf8_lossy(&line[start..end]);
    let chars: Vec<char> = window.chars().collect();
    // Index of the error position within `chars`.
    let at_char = String::from_utf8_lossy(&line[start..at]).chars().count();
    let first = at_char.saturating_sub(BEFORE).min(chars.len());
    let rest = chars.len() - first;
    let cut_front = start > 0 || first > 0;
    let budget = EXCERPT_CHARS - usize::from(cut_front);
    let cut_back = end < line.len() || rest > budget;
    let take = if cut_back { budget - 1 } else { rest }.min(rest);
    let mut out = String::with_capacity(take + 8);
    if cut_front {
        out.push('…');
    }
    out.extend(&chars[first..first + take]);
    if cut_back {
        out.push('…');
    }
    out
}

fn is_continuation(b: u8) -> bool {
    b & 0b1100_0000 == 0b1000_0000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_line_is_whole() {
        assert_eq!(excerpt(b"{\"a\": x}", 6), "{\"a\": x}");
        assert_eq!(excerpt(b"", 0), "");
    }

    #[test]
    fn long_line_is_cut_around_the_error() {
        let line = "é".repeat(200);
        let e = excerpt(line.as_bytes(), 200);
        assert!(e.starts_with('…') && e.ends_with('…'));
        assert_eq!(e.chars().count(), EXCERPT_CHARS);

        let e = excerpt(line.as_bytes(), 0);
        assert!(!e.starts_with('…') && e.ends_with('…'));
        assert_eq!(e.chars().count(), EXCERPT_CHARS);

        let e = excerpt(line.as_bytes(), line.len());
        assert!(e.starts_with('…') && !e.ends_with('…'));
        assert_eq!(e.chars().count(), BEFORE + 1);
    }

    #[test]
    fn exactly_eighty_chars_is_not_cut() {
        let line = "a".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(line.as_bytes(), 3), line);
        let line = "a".repeat(EXCERPT_CHARS + 1);
        let e = excerpt(line.as_bytes(), 3);
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn any_position_in_any_bytes_is_fine() {
        let mut line = Vec::new();
        for i in 0..300u32 {
            line.extend_from_slice(["a", "é", "日", "😀"][(i % 4) as usize].as_bytes());
            if i % 37 == 0 {
                line.push(0xff);
            }
        }
        for len in [0, 1, 5, 79, 80, 81, 200, line.len()] {
            for at in 0..=len + 2 {
                let e = excerpt(&line[..len], at);
                assert!(e.chars().count() <= EXCERPT_CHARS, "len {len} at {at}");
            }
        }
    }
}
