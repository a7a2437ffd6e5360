//! Framing and decoding of exported records: the hot path between the
//! response body and the caller.
//!
//! A `200` answer of the Export Records API *is* the exported file, JSON Lines
//! or CSV, possibly gigabytes of it. This module turns the body's chunks into
//! records without holding more than one chunk plus one partial record in
//! memory, and without copying a line that lies inside one chunk.
//!
//! # Layers
//!
//! * The **sync core** is a set of push/pull decoders, all implementing
//!   [`RecordDecoder`]: you [`push`](RecordDecoder::push) a chunk, then pull
//!   records with [`next_record`](RecordDecoder::next_record) until it returns
//!   `None`, and call [`finish`](RecordDecoder::finish) once the input ends.
//!   - [`LineFramer`] frames JSON Lines on `\n` and yields [`Line`]s
//!     (zero-copy slices of the chunks).
//!   - [`JsonLinesDecoder<T>`] decodes each line in place into a
//!     [`serde_json::Map`] (the default), any `T: DeserializeOwned`, or a
//!     validated [`RawRecord`] (the fastest).
//!   - [`CsvDecoder<R>`] reads RFC 4180 CSV with
//!     [`csv-core`](https://docs.rs/csv-core) and yields header-keyed
//!     [`CsvRow`]s or raw `Vec<String>` rows.
//! * **Adapters** drive a decoder from a chunk source:
//!   [`DecodeStream`] (an async [`Stream`](futures::Stream) of
//!   `Result<Bytes, E>`, e.g. a response body), [`DecodeIter`] (an
//!   [`Iterator`] of chunks) and [`DecodeReader`] (any [`std::io::Read`]).
//!
//! Every decoder exposes [`Counters`] (records yielded, bytes consumed,
//! current line) at any time, and an end-of-input report ([`Eof`]) that tells
//! a clean end from one that may have been cut (the caller decides what to do
//! with that).
//!
//! # Example
//!
//! ```
//! use bytes::Bytes;
//! use galileo_export::records::{JsonLinesDecoder, RecordDecoder};
//!
//! let mut decoder = JsonLinesDecoder::new();
//! // Chunks may be cut anywhere, even inside a multi-byte character.
//! decoder.push(Bytes::from_static(b"{\"id\": 1, \"name\": \"caf\xC3"));
//! decoder.push(Bytes::from_static(b"\xA9\"}\r\n\n{\"id\": 2}"));
//! decoder.finish();
//!
//! let mut ids = Vec::new();
//! while let Some(record) = decoder.next_record() {
//!     let record = record?; // a serde_json::Map<String, Value>
//!     ids.push(record["id"].as_u64());
//! }
//! assert_eq!(ids, [Some(1), Some(2)]);
//! assert_eq!(decoder.counters().records, 2);
//! // The input did not end with a newline: the caller may treat it as a cut.
//! assert!(decoder.eof().unwrap().trailing_partial_line);
//! # Ok::<(), galileo_export::records::RecordError>(())
//! ```

mod adapters;
mod chunks;
mod csv;
mod error;
mod json;
mod lines;

use bytes::Bytes;

pub use self::adapters::{DecodeIter, DecodeReader, DecodeStream};
pub(crate) use self::csv::CheckedRow;
pub use self::csv::{CsvDecoder, CsvRow, CsvRowIter, FromCsvRecord};
#[cfg(feature = "parquet")]
pub(crate) use self::error::excerpt;
pub use self::error::{RecordError, Truncation};
pub(crate) use self::json::{check_object, json_error};
pub use self::json::{FromJsonLine, JsonLinesDecoder, RawRecord};
pub use self::lines::{Line, LineFramer};

/// Progress counters of a decoder, readable at any time with
/// [`RecordDecoder::counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Counters {
    /// Records successfully yielded so far (errors are not counted; a CSV
    /// header is not a record).
    pub records: u64,
    /// Bytes of input consumed so far: pushed bytes the decoder has taken
    /// out of its chunks (including a partial record it is assembling). Once
    /// the decoder is drained this equals the number of bytes pushed.
    pub bytes: u64,
    /// The 1-based number of the line the decoder is positioned on: the
    /// number of `\n` bytes consumed so far, plus one.
    pub line: u64,
}

/// How the input ended, reported by [`RecordDecoder::eof`] once a finished
/// decoder is drained.
///
/// Neither flag is an error by itself: a JSON Lines export without a final
/// newline is still read to its last record. It is up to the caller (who may
/// know the expected size or record count) to decide whether the input was cut.
/// A CSV quote left open is *also* reported as a [`RecordError::Truncated`]
/// error, since the last record cannot be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Eof {
    /// The input was not empty and did not end with a line break (`\n`; for
    /// CSV also `\r`): its last line was read without a terminator.
    pub trailing_partial_line: bool,
    /// CSV only: the input ended inside a quoted field.
    pub open_quote: bool,
}

impl Eof {
    /// `true` if the input ended right after a line break (or was empty) and
    /// no quote was left open.
    ///
    /// ```
    /// use galileo_export::records::Eof;
    ///
    /// assert!(Eof::default().is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        !self.trailing_partial_line && !self.open_quote
    }
}

/// The sync core shared by every decoder: push chunks in, pull records out.
///
/// The protocol is:
///
/// 1. [`push`](Self::push) a chunk of input (any size, cut anywhere);
/// 2. call [`next_record`](Self::next_record) until it returns `None`
///    ("needs more input");
/// 3. repeat; when the input ends, call [`finish`](Self::finish), then drain
///    [`next_record`](Self::next_record) until it returns `None` again (the
///    final unterminated line, if any, comes out then);
/// 4. [`eof`](Self::eof) then reports how the input ended.
///
/// Draining before pushing the next chunk keeps memory bounded by one chunk
/// plus one partial record. Pushing several chunks in a row is allowed and
/// gives the same records, but queues the chunks.
///
/// An `Err` item concerns one record (or the end of input): the decoder stays
/// usable and the next call moves on to the next record, so the caller
/// decides whether to stop. Nothing is ever skipped silently.
///
/// The adapters [`decode_stream`](Self::decode_stream),
/// [`decode_iter`](Self::decode_iter) and
/// [`decode_reader`](Self::decode_reader) run this protocol for you.
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{LineFramer, RecordDecoder};
///
/// let mut framer = LineFramer::new();
/// let mut lines = Vec::new();
/// for chunk in ["{\"a\":", "1}\n{\"b\"", ":2}\n"] {
///     framer.push(Bytes::from(chunk));
///     while let Some(line) = framer.next_record() {
///         lines.push(line?.as_bytes().to_vec());
///     }
/// }
/// framer.finish();
/// assert!(framer.next_record().is_none());
/// assert_eq!(lines, [b"{\"a\":1}".to_vec(), b"{\"b\":2}".to_vec()]);
/// assert!(framer.eof().unwrap().is_clean());
/// # Ok::<(), galileo_export::records::RecordError>(())
/// ```
pub trait RecordDecoder {
    /// What one record decodes to.
    type Item;

    /// Feeds the next chunk of input. Empty chunks are ignored.
    ///
    /// Pushing after [`finish`](Self::finish) is a logic error: the chunk is
    /// still decoded, but [`eof`](Self::eof) and the final-line handling are
    /// then meaningless.
    fn push(&mut self, chunk: Bytes);

    /// Marks the end of input. Records still buffered (including a final line
    /// without a line break) come out of the following
    /// [`next_record`](Self::next_record) calls. Calling it again does nothing.
    fn finish(&mut self);

    /// The next record, `Some(Err(_))` for a record that cannot be decoded,
    /// or `None` when more input is needed (or, after
    /// [`finish`](Self::finish), when everything has been read).
    fn next_record(&mut self) -> Option<Result<Self::Item, RecordError>>;

    /// A snapshot of the progress counters.
    fn counters(&self) -> Counters;

    /// How the input ended: `Some` once [`finish`](Self::finish) has been
    /// called and [`next_record`](Self::next_record) has returned `None`
    /// (or once the decoder stopped for good, see [`CsvDecoder`]).
    fn eof(&self) -> Option<Eof>;

    /// Decodes an async stream of chunks, such as a response body; see
    /// [`DecodeStream`].
    fn decode_stream<S>(self, body: S) -> DecodeStream<S, Self>
    where
        Self: Sized,
    {
        DecodeStream::new(body, self)
    }

    /// Decodes an iterator of chunks, such as a blocking body reader's
    /// output; see [`DecodeIter`].
    fn decode_iter<I>(self, chunks: I) -> DecodeIter<I::IntoIter, Self>
    where
        Self: Sized,
        I: IntoIterator,
    {
        DecodeIter::new(chunks.into_iter(), self)
    }

    /// Decodes everything read from `reader` (a file, a blocking response);
    /// see [`DecodeReader`].
    fn decode_reader<R>(self, reader: R) -> DecodeReader<R, Self>
    where
        Self: Sized,
        R: std::io::Read,
    {
        DecodeReader::new(reader, self)
    }
}
