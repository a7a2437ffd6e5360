//! Decoding JSON Lines records in place.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};

use super::error::excerpt;
use super::{Counters, Eof, Line, LineFramer, RecordDecoder, RecordError, Truncation};

/// How a record type is built from one framed JSON Lines [`Line`].
///
/// Implemented for every `T: DeserializeOwned` (including
/// [`serde_json::Map`] and [`serde_json::Value`]), for [`RawRecord`], and for
/// [`Line`] itself (framing only, no validation).
///
/// To decode lines your own way, implement it for your type and report
/// failures with the line's [`number`](Line::number) (for instance by
/// validating with [`RawRecord::from_line`] and decoding with
/// [`RawRecord::parse`]).
pub trait FromJsonLine: Sized {
    /// Decodes one non-blank line.
    fn from_line(line: Line) -> Result<Self, RecordError>;
}

impl<T: DeserializeOwned> FromJsonLine for T {
    fn from_line(line: Line) -> Result<Self, RecordError> {
        let text = utf8(&line)?;
        let (number, offset, terminated) = (line.number(), line.offset(), line.has_line_break());
        check_object(text).map_err(|e| json_error(e, text, number, offset, terminated))?;
        parse_json(text, number, offset, terminated)
    }
}

/// What a record's visitor expects: the same words on every path that reads records.
const A_RECORD: &str = "a record (a JSON object)";

/// A JSON object, skipped: builds nothing.
struct IgnoredRecord;

impl<'de> serde::Deserialize<'de> for IgnoredRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = IgnoredRecord;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(A_RECORD)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<IgnoredRecord, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IgnoredRecord)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The rule every path applies to a JSON Lines record before anything else: a record is
/// a JSON object. A line that starts like one passes here (its JSON is checked by the
/// parse that follows); any other is the error a record's decoder reports for it
/// (`invalid type: sequence, expected a record (a JSON object)`, or the syntax error that
/// comes first).
pub(crate) fn check_object(text: &str) -> Result<(), serde_json::Error> {
    match text
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        Some(b'{') | None => Ok(()),
        Some(_) => serde_json::from_str::<IgnoredRecord>(text).map(|_| ()),
    }
}

/// A `serde_json` error on line `line` as a [`RecordError`]: an unterminated last line
/// whose JSON ends early is [`RecordError::Truncated`], anything else a
/// [`RecordError::Json`] with its position and an excerpt.
pub(crate) fn json_error(
    source: serde_json::Error,
    text: &str,
    line: u64,
    offset: u64,
    terminated: bool,
) -> RecordError {
    if !terminated && source.is_eof() {
        return RecordError::Truncated {
            line,
            what: Truncation::JsonRecord,
        };
    }
    let column = source.column() as u64;
    RecordError::Json {
        line,
        column,
        offset,
        excerpt: excerpt(text.as_bytes(), source.column().saturating_sub(1)),
        source,
        path: None,
    }
}

/// Where in `text` decoding it as `T` fails, as a field path (`spans[2].input`), for a
/// `serde_json` error of the data category (valid JSON of the wrong shape). Decodes the
/// record a second time, tracking the path: only on failure, so a record that fits
/// costs nothing. The path inside a union of the generated types (which reads its value
/// whole before choosing a variant) comes in the union's reason and is joined on.
fn field_path<T: DeserializeOwned>(source: &serde_json::Error, text: &str) -> Option<String> {
    if source.classify() != serde_json::error::Category::Data {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let Err(tracked) = serde_path_to_error::deserialize::<_, T>(&mut deserializer) else {
        return None;
    };
    let outer = tracked.path().to_string();
    // A union of the generated types reports the path inside it as "at `inner`: …".
    let reason = tracked.inner().to_string();
    let inner = reason
        .strip_prefix("at `")
        .and_then(|rest| rest.split_once("`: "))
        .map(|(inner, _)| inner);
    match (outer.as_str(), inner) {
        (".", None) => None,
        (".", Some(inner)) => Some(inner.to_string()),
        (outer, None) => Some(outer.to_string()),
        (outer, Some(inner)) => {
            let dot = if inner.starts_with('[') { "" } else { "." };
            Some(format!("{outer}{dot}{inner}"))
        }
    }
}

impl FromJsonLine for RawRecord {
    fn from_line(line: Line) -> Result<Self, RecordError> {
        RawRecord::from_line(line)
    }
}

impl FromJsonLine for Line {
    fn from_line(line: Line) -> Result<Self, RecordError> {
        Ok(line)
    }
}

/// UTF-8 validation with SIMD (`simdutf8`, ~10x `std::str::from_utf8` on export text);
/// the `compat` flavour still reports where the invalid bytes start.
fn utf8(line: &Line) -> Result<&str, RecordError> {
    simdutf8::compat::from_utf8(line.as_bytes()).map_err(|e| RecordError::InvalidUtf8 {
        line: line.number(),
        offset: Some(line.offset() + e.valid_up_to() as u64),
    })
}

fn parse_json<T: DeserializeOwned>(
    text: &str,
    line: u64,
    offset: u64,
    terminated: bool,
) -> Result<T, RecordError> {
    serde_json::from_str(text).map_err(|source| {
        let path = field_path::<T>(&source, text);
        let mut error = json_error(source, text, line, offset, terminated);
        if let RecordError::Json { path: slot, .. } = &mut error {
            *slot = path;
        }
        error
    })
}

/// One JSON Lines record, validated as UTF-8 and as one JSON object (a record is
/// an object: an array, a string or a number in its place is an error) but not
/// decoded: the fastest way to read an export (and to pass records on
/// unchanged).
///
/// It wraps the line's [`Bytes`], so a record inside one chunk is not copied.
/// Decode it later, if at all, with [`parse`](Self::parse) or
/// [`into_map`](Self::into_map).
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{JsonLinesDecoder, RecordDecoder};
///
/// let mut decoder = JsonLinesDecoder::raw();
/// decoder.push(Bytes::from_static(b"{\"id\": \"t1\", \"status_code\": 12}\n"));
/// let record = decoder.next_record().unwrap()?;
/// assert_eq!(record.as_str(), r#"{"id": "t1", "status_code": 12}"#);
/// assert_eq!(record.line(), 1);
///
/// #[derive(serde::Deserialize)]
/// struct Trace { id: String, status_code: u32 }
/// let trace: Trace = record.parse()?;
/// assert_eq!((trace.id.as_str(), trace.status_code), ("t1", 12));
/// assert_eq!(record.into_map()?["status_code"], 12);
/// # Ok::<(), galileo_export::records::RecordError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// Invariant: valid UTF-8 holding exactly one JSON object.
    bytes: Bytes,
    line: u64,
    offset: u64,
}

impl RawRecord {
    /// Validates a framed line: UTF-8 first, then that it is a JSON object and
    /// its JSON syntax (with a fast validator that builds nothing; a line it is not
    /// sure of is parsed with [`serde::de::IgnoredAny`], which reports the error).
    pub fn from_line(line: Line) -> Result<Self, RecordError> {
        let text = utf8(&line)?;
        let (number, offset, terminated) = (line.number(), line.offset(), line.has_line_break());
        // The fast validator accepts only what the parse below accepts; whatever it is
        // not sure of, the parse decides (and reports as it always did).
        if !crate::json_check::is_object(text.as_bytes()) {
            check_object(text).map_err(|e| json_error(e, text, number, offset, terminated))?;
            parse_json::<IgnoredAny>(text, number, offset, terminated)?;
        }
        Ok(RawRecord {
            line: line.number(),
            offset: line.offset(),
            bytes: line.into_bytes(),
        })
    }

    /// The record's JSON text.
    pub fn as_str(&self) -> &str {
        // SAFETY: `bytes` was checked with `simdutf8::compat::from_utf8` in
        // `from_line`, the only constructor, and `Bytes` is immutable.
        unsafe { std::str::from_utf8_unchecked(&self.bytes) }
    }

    /// The record's JSON text as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Gives up the record's JSON text as a shared [`Bytes`] handle.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The 1-based line number of the record.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The byte offset of the record in the whole input.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Decodes the record into `T`. A mismatch is a [`RecordError::Json`]
    /// carrying this record's line number.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, RecordError> {
        parse_json(self.as_str(), self.line, self.offset, true)
    }

    /// Decodes the record into a JSON object.
    pub fn into_map(self) -> Result<Map<String, Value>, RecordError> {
        self.parse()
    }
}

impl fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRecord")
            .field("line", &self.line)
            .field("offset", &self.offset)
            .field("json", &self.as_str())
            .finish()
    }
}

impl fmt::Display for RawRecord {
    /// Writes the JSON text unchanged.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<[u8]> for RawRecord {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<str> for RawRecord {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Decodes JSON Lines input, record by record, into `T`: by default a
/// [`serde_json::Map<String, Value>`]; see [`typed`](JsonLinesDecoder::typed)
/// and [`raw`](JsonLinesDecoder::raw) for the others.
///
/// Each line is framed by a [`LineFramer`] and decoded in place (no copy into
/// a `String`). A line that is not valid UTF-8 is a
/// [`RecordError::InvalidUtf8`]; one that is not valid JSON, not a JSON object
/// (a record is one, whatever `T`) or not a `T` is a [`RecordError::Json`]
/// with its line number, offset and an excerpt; a last line without a line
/// break whose JSON ends early is a [`RecordError::Truncated`]. None of them
/// is skipped; blank lines are not records.
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{JsonLinesDecoder, RecordDecoder, RecordError};
///
/// #[derive(Debug, PartialEq, serde::Deserialize)]
/// struct Trace { id: u32 }
///
/// let mut decoder = JsonLinesDecoder::typed::<Trace>();
/// decoder.push(Bytes::from_static(b"{\"id\": 1}\n{\"id\": oops}\n{\"id\": 3}\n"));
/// decoder.finish();
/// assert_eq!(decoder.next_record().unwrap()?, Trace { id: 1 });
/// match decoder.next_record().unwrap() {
///     Err(RecordError::Json { line, excerpt, .. }) => {
///         assert_eq!(line, 2);
///         assert_eq!(excerpt, r#"{"id": oops}"#);
///     }
///     other => panic!("{other:?}"),
/// }
/// assert_eq!(decoder.next_record().unwrap()?, Trace { id: 3 });
/// assert!(decoder.next_record().is_none());
/// # Ok::<(), RecordError>(())
/// ```
pub struct JsonLinesDecoder<T = Map<String, Value>> {
    framer: LineFramer,
    records: u64,
    _record: PhantomData<fn() -> T>,
}

impl JsonLinesDecoder {
    /// A decoder yielding each record as a [`serde_json::Map`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder yielding each record as a `T`.
    pub fn typed<T: FromJsonLine>() -> JsonLinesDecoder<T> {
        JsonLinesDecoder::default()
    }

    /// A decoder yielding validated but undecoded [`RawRecord`]s.
    pub fn raw() -> JsonLinesDecoder<RawRecord> {
        JsonLinesDecoder::default()
    }
}

impl<T> Default for JsonLinesDecoder<T> {
    fn default() -> Self {
        JsonLinesDecoder {
            framer: LineFramer::new(),
            records: 0,
            _record: PhantomData,
        }
    }
}

impl<T> fmt::Debug for JsonLinesDecoder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLinesDecoder")
            .field("record", &std::any::type_name::<T>())
            .field("framer", &self.framer)
            .field("records", &self.records)
            .finish()
    }
}

impl<T: FromJsonLine> RecordDecoder for JsonLinesDecoder<T> {
    type Item = T;

    fn push(&mut self, chunk: Bytes) {
        self.framer.push(chunk);
    }

    fn finish(&mut self) {
        self.framer.finish();
    }

    fn next_record(&mut self) -> Option<Result<T, RecordError>> {
        let line = self.framer.next_line()?;
        let record = T::from_line(line);
        self.records += u64::from(record.is_ok());
        Some(record)
    }

    fn counters(&self) -> Counters {
        let (bytes, line) = self.framer.position();
        Counters {
            records: self.records,
            bytes,
            line,
        }
    }

    fn eof(&self) -> Option<Eof> {
        self.framer.end_of_input()
    }
}
