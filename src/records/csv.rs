//! CSV decoding with `csv-core`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use csv_core::{ReadRecordResult, Reader};
use serde_json::{Map, Value};

use super::chunks::Chunks;
use super::{Counters, Eof, RecordDecoder, RecordError, Truncation};

/// How a row type is built from one CSV record; implemented for [`CsvRow`]
/// (header-keyed) and `Vec<String>` (the raw fields).
///
/// This trait is sealed: it cannot be implemented outside this crate.
pub trait FromCsvRecord: Sized + sealed::Sealed {
    #[doc(hidden)]
    fn from_csv_record(header: &Arc<[String]>, text: &str, ends: &[usize], line: u64) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::CsvRow {}
    impl Sealed for Vec<String> {}
    impl Sealed for super::CheckedRow {}
}

/// A CSV record checked (valid UTF-8, as many fields as the header) and dropped: what
/// the byte paths' row check decodes, by the same rules as [`CsvRow`].
#[derive(Debug)]
pub(crate) struct CheckedRow;

impl FromCsvRecord for CheckedRow {
    fn from_csv_record(_: &Arc<[String]>, _: &str, _: &[usize], _: u64) -> Self {
        CheckedRow
    }
}

impl FromCsvRecord for CsvRow {
    fn from_csv_record(header: &Arc<[String]>, text: &str, ends: &[usize], line: u64) -> Self {
        CsvRow {
            header: Arc::clone(header),
            text: text.to_owned(),
            ends: ends.into(),
            line,
        }
    }
}

impl FromCsvRecord for Vec<String> {
    fn from_csv_record(_: &Arc<[String]>, text: &str, ends: &[usize], _: u64) -> Self {
        fields(text, ends).map(str::to_owned).collect()
    }
}

fn fields<'a>(text: &'a str, ends: &'a [usize]) -> impl Iterator<Item = &'a str> + 'a {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts
        .zip(ends.iter().copied())
        .map(move |(start, end)| text.get(start..end).unwrap_or_default())
}

/// One CSV data row keyed by the header: it shares the header
/// (an `Arc<[String]>`) and owns its fields (in one `String`).
///
/// The decoder guarantees the row has exactly as many fields as the header.
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{CsvDecoder, RecordDecoder};
///
/// let mut decoder = CsvDecoder::new();
/// decoder.push(Bytes::from_static(b"id,output\r\nt1,\"Hello, \"\"world\"\"\nbye\"\r\n"));
/// let row = decoder.next_record().unwrap()?;
/// assert_eq!(row.get("output"), Some("Hello, \"world\"\nbye"));
/// assert_eq!(row.get("nope"), None);
/// assert_eq!(row.iter().collect::<Vec<_>>(), [("id", "t1"), ("output", "Hello, \"world\"\nbye")]);
/// assert_eq!(row.to_map()["id"], "t1");
/// # Ok::<(), galileo_export::records::RecordError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CsvRow {
    header: Arc<[String]>,
    text: String,
    /// End of each field in `text`; as many as header columns.
    ends: Box<[usize]>,
    line: u64,
}

impl CsvRow {
    /// The field of the column `name` (the first such column if the header
    /// repeats a name).
    pub fn get(&self, name: &str) -> Option<&str> {
        let index = self.header.iter().position(|h| h == name)?;
        self.field(index)
    }

    /// The field at `index`, in column order.
    pub fn field(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        self.text.get(start..end)
    }

    /// The header shared by all rows of the input.
    pub fn header(&self) -> &Arc<[String]> {
        &self.header
    }

    /// Number of fields (= header columns).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// `true` if the row has no fields (only with an empty header).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The 1-based line on which the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// `(column name, field)` pairs in column order.
    pub fn iter(&self) -> CsvRowIter<'_> {
        CsvRowIter {
            row: self,
            index: 0,
        }
    }

    /// The fields in column order.
    pub fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        fields(&self.text, &self.ends)
    }

    /// The fields as owned strings, in column order.
    pub fn into_fields(self) -> Vec<String> {
        fields(&self.text, &self.ends).map(str::to_owned).collect()
    }

    /// The row as a JSON object of strings, keyed by column name (a repeated
    /// column name keeps its last field). Keys are in column order when
    /// `serde_json`'s `preserve_order` feature is on, sorted otherwise.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect()
    }
}

impl fmt::Debug for CsvRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsvRow")
            .field("line", &self.line)
            .field("fields", &DebugFields(self))
            .finish()
    }
}

struct DebugFields<'a>(&'a CsvRow);

impl fmt::Debug for DebugFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl From<CsvRow> for Map<String, Value> {
    fn from(row: CsvRow) -> Self {
        row.to_map()
    }
}

impl<'a> IntoIterator for &'a CsvRow {
    type Item = (&'a str, &'a str);
    type IntoIter = CsvRowIter<'a>;

    fn into_iter(self) -> CsvRowIter<'a> {
        self.iter()
    }
}

/// Iterator over the `(column name, field)` pairs of a [`CsvRow`], from
/// [`CsvRow::iter`].
#[derive(Debug, Clone)]
pub struct CsvRowIter<'a> {
    row: &'a CsvRow,
    index: usize,
}

impl<'a> Iterator for CsvRowIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let name = self.row.header.get(self.index)?;
        let field = self.row.field(self.index)?;
        self.index += 1;
        Some((name, field))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.row.len().saturating_sub(self.index);
        (n, Some(n))
    }
}

impl ExactSizeIterator for CsvRowIter<'_> {}

/// Progress of the check for a UTF-8 byte order mark at the start of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bom {
    /// This many bytes of a BOM were seen (and held back) so far.
    Matched(usize),
    /// Checked (and dropped, if there was one).
    Done,
}

/// Decodes RFC 4180 CSV, record by record, into `R`: header-keyed
/// [`CsvRow`]s (the default) or raw `Vec<String>` rows
/// ([`CsvDecoder::raw`]).
///
/// * The first record is the header; it is not yielded (see
///   [`header`](Self::header)).
/// * Quoted fields may contain commas, doubled quotes and line breaks;
///   records end with LF, CRLF or CR; empty lines are skipped; a UTF-8 BOM
///   at the start is dropped.
/// * No limit on field or record length.
/// * A record with a different field count than the header is a
///   [`RecordError::CsvFieldCount`], invalid UTF-8 a
///   [`RecordError::InvalidUtf8`] (both with the line where the record
///   starts; decoding goes on with the next record). A quote still open at the
///   end of input is a [`RecordError::Truncated`], never a short last record.
///   A header that is not valid UTF-8 is an error that ends decoding (no row
///   can be checked without it): [`eof`](RecordDecoder::eof) is then `Some`
///   and further input is ignored.
///
/// Memory: the current chunk plus the unescaped fields of one record.
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{CsvDecoder, RecordDecoder, RecordError, Truncation};
///
/// let mut decoder = CsvDecoder::raw();
/// decoder.push(Bytes::from_static(b"id,text\n1,\"multi\nline\"\n2,\"cut off"));
/// decoder.finish();
/// assert_eq!(decoder.next_record().unwrap()?, ["1", "multi\nline"]);
/// match decoder.next_record().unwrap() {
///     Err(RecordError::Truncated { line: 4, what: Truncation::CsvQuote }) => {}
///     other => panic!("{other:?}"),
/// }
/// assert!(decoder.next_record().is_none());
/// assert!(decoder.eof().unwrap().open_quote);
/// # Ok::<(), RecordError>(())
/// ```
pub struct CsvDecoder<R = CsvRow> {
    reader: Reader,
    /// The chunks not read yet.
    input: Chunks,
    /// Unescaped fields of the record being read.
    out: Vec<u8>,
    out_len: usize,
    /// Field ends of the record being read.
    ends: Vec<usize>,
    ends_len: usize,
    header: Option<Arc<[String]>>,
    consumed: u64,
    records: u64,
    finishing: bool,
    done: bool,
    /// The end-of-input probe ran (see `probe_end`).
    probed: bool,
    /// Where the check for a leading BOM stands.
    bom: Bom,
    /// csv-core has been given input.
    fed_any: bool,
    open_quote: bool,
    _row: PhantomData<fn() -> R>,
}

impl CsvDecoder {
    /// A decoder yielding header-keyed [`CsvRow`]s.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder yielding each data row as its raw fields.
    pub fn raw() -> CsvDecoder<Vec<String>> {
        CsvDecoder::default()
    }
}

impl<R> Default for CsvDecoder<R> {
    fn default() -> Self {
        CsvDecoder {
            reader: Reader::new(),
            input: Chunks::default(),
            out: vec![0; 1024],
            out_len: 0,
            ends: vec![0; 32],
            ends_len: 0,
            header: None,
            consumed: 0,
            records: 0,
            finishing: false,
            done: false,
            probed: false,
            bom: Bom::Matched(0),
            fed_any: false,
            open_quote: false,
            _row: PhantomData,
        }
    }
}

impl<R> fmt::Debug for CsvDecoder<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsvDecoder")
            .field("row", &std::any::type_name::<R>())
            .field("header", &self.header)
            .field("counters", &self.position())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<R> CsvDecoder<R> {
    /// The header (column names), once the first record has been read.
    pub fn header(&self) -> Option<&Arc<[String]>> {
        self.header.as_ref()
    }

    fn position(&self) -> Counters {
        Counters {
            records: self.records,
            bytes: self.consumed,
            line: self.reader.line(),
        }
    }

    /// Line where the record that just ended started: its end line, minus the
    /// line breaks inside its (quoted) fields, minus its terminating `\n`.
    fn record_start_line(&self, ended_by_lf: bool) -> u64 {
        let inner = memchr::memchr_iter(b'\n', &self.out[..self.out_len]).count() as u64;
        self.reader
            .line()
            .saturating_sub(inner + u64::from(ended_by_lf))
            .max(1)
    }

    /// Called once at the end of input, before telling csv-core the input is
    /// over (which would quietly end an open quoted field as if closed).
    ///
    /// Feeds the reader one synthetic `\n`: inside a quoted field it is
    /// field data (the quote is open), anywhere else it ends the record in
    /// progress exactly as the end of input would (or is skipped between
    /// records). `Reader::clone` cannot be used for this probe: csv-core
    /// 0.1.13's clone of its DFA is incomplete.
    ///
    /// Returns `true` if a record ended (complete, or with an open quote).
    fn probe_end(&mut self) -> bool {
        let line = self.reader.line();
        let (res, nin, nout, nend) = self.reader.read_record(
            b"\n",
            &mut self.out[self.out_len..],
            &mut self.ends[self.ends_len..],
        );
        // The synthetic byte is not input: keep the line count true.
        self.reader.set_line(line);
        match res {
            ReadRecordResult::Record => {
                self.out_len += nout;
                self.ends_len += nend;
                true
            }
            _ if nin == 1 && nout == 1 => {
                // The `\n` became field data: the quote is open. The record
                // is reported as an error, so its data (and the synthetic
                // byte) is left out.
                self.open_quote = true;
                true
            }
            // Between records: nothing pending. (Both buffers have room, so
            // the byte was consumed.)
            _ => false,
        }
    }

    /// Drops a UTF-8 BOM at the start of the input, even if it is split
    /// across chunks; bytes that turn out not to be a BOM are put back.
    fn skip_bom(&mut self) {
        const BOM: &[u8; 3] = b"\xEF\xBB\xBF";
        let Bom::Matched(mut n) = self.bom else {
            return;
        };
        while n < BOM.len() && self.input.current.first() == Some(&BOM[n]) {
            self.input.current.advance(1);
            self.consumed += 1;
            n += 1;
        }
        if n == BOM.len() {
            self.bom = Bom::Done;
        } else if self.input.current.is_empty() && !(self.finishing && self.input.is_empty()) {
            // Need more input to tell.
            self.bom = Bom::Matched(n);
        } else {
            // Not a BOM: the bytes held back are data.
            self.bom = Bom::Done;
            if n > 0 {
                let mut chunk = BOM[..n].to_vec();
                chunk.extend_from_slice(&self.input.current);
                self.input.current = Bytes::from(chunk);
                self.consumed -= n as u64;
            }
        }
    }

    /// Reads until the end of the next record: `Some(ended_by_lf)`, or `None`
    /// if more input is needed or the input is over.
    fn read_record(&mut self) -> Option<bool> {
        loop {
            if self.done {
                return None;
            }
            if !self.input.refill() && !self.finishing {
                return None;
            }
            if self.bom != Bom::Done {
                self.skip_bom();
                continue;
            }
            if self.out_len == self.out.len() {
                let len = self.out.len() * 2;
                self.out.resize(len, 0);
            }
            if self.ends_len == self.ends.len() {
                let len = self.ends.len() * 2;
                self.ends.resize(len, 0);
            }
            let input = &self.input.current[..];
            let at_eof = input.is_empty();
            if at_eof && !self.probed {
                self.probed = true;
                if self.probe_end() {
                    // Ended by the synthetic `\n`, which is not counted.
                    return Some(false);
                }
                continue;
            }
            // The first call gets one byte, so csv-core's own BOM handling
            // never applies: it misreads a first chunk made of exactly a BOM
            // as the end of input (a BOM is dropped by `skip_bom` instead).
            let input = if self.fed_any {
                input
            } else {
                self.fed_any = true;
                &input[..input.len().min(1)]
            };
            let (res, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            let ended_by_lf = nin > 0 && input[nin - 1] == b'\n';
            self.input.current.advance(nin);
            self.consumed += nin as u64;
            self.out_len += nout;
            self.ends_len += nend;
            match res {
                ReadRecordResult::Record => return Some(ended_by_lf),
                // At the end of input csv-core only answers `Record` or
                // `End`; treat anything else as the end too, never spin.
                _ if at_eof => {
                    self.done = true;
                    return None;
                }
                ReadRecordResult::End => {
                    self.done = true;
                    return None;
                }
                // Loop: more input, or a bigger buffer (grown above).
                ReadRecordResult::InputEmpty
                | ReadRecordResult::OutputFull
                | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }
}

impl<R: FromCsvRecord> RecordDecoder for CsvDecoder<R> {
    type Item = R;

    fn push(&mut self, chunk: Bytes) {
        if self.done {
            // After a header that cannot be read, nothing more is decoded.
            return;
        }
        self.input.push(chunk);
    }

    fn finish(&mut self) {
        self.finishing = true;
    }

    fn next_record(&mut self) -> Option<Result<R, RecordError>> {
        loop {
            let ended_by_lf = self.read_record()?;
            let line = self.record_start_line(ended_by_lf);
            let (out_len, ends_len) = (self.out_len, self.ends_len);
            self.out_len = 0;
            self.ends_len = 0;
            if self.open_quote {
                self.done = true;
                return Some(Err(RecordError::Truncated {
                    line,
                    what: Truncation::CsvQuote,
                }));
            }
            let ends = &self.ends[..ends_len];
            let text = match simdutf8::compat::from_utf8(&self.out[..out_len]) {
                // Each field must be valid on its own, not only their concatenation.
                Ok(text) if ends.iter().all(|&end| text.is_char_boundary(end)) => text,
                _ => {
                    if self.header.is_none() {
                        // Without a header no row can be read.
                        self.done = true;
                    }
                    return Some(Err(RecordError::InvalidUtf8 { line, offset: None }));
                }
            };
            let Some(header) = &self.header else {
                self.header = Some(fields(text, ends).map(str::to_owned).collect());
                continue;
            };
            if ends.len() != header.len() {
                return Some(Err(RecordError::CsvFieldCount {
                    line,
                    expected: header.len(),
                    found: ends.len(),
                }));
            }
            self.records += 1;
            return Some(Ok(R::from_csv_record(header, text, ends, line)));
        }
    }

    fn counters(&self) -> Counters {
        self.position()
    }

    fn eof(&self) -> Option<Eof> {
        self.done.then(|| Eof {
            trailing_partial_line: self.input.ends_without(b"\r\n"),
            open_quote: self.open_quote,
        })
    }
}
