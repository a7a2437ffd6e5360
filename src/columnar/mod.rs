//! Analytics-ready exports (feature `parquet`): records as Arrow
//! [`RecordBatch`]es ([`ExportBuilder::record_batches`](crate::ExportBuilder::record_batches))
//! or a Parquet file ([`ExportBuilder::save_parquet`](crate::ExportBuilder::save_parquet)),
//! in the same single streaming pass as every other export, with bounded memory.
//!
//! JSON Lines is requested from the server and each line is parsed straight into Arrow
//! column builders (a `serde` visitor appends to the builders; no `serde_json::Value` is
//! built per record). Every guarantee of the other paths holds: a cut or a bad record is
//! an error (after the rows before it), [`resume`](crate::ExportBuilder::resume) works, and
//! a failed `save_parquet` leaves no file.
//!
//! # The schema
//!
//! The export's answer is untyped, so the schema comes from the data: the first
//! [`ColumnarOptions::infer_records`] records (default 1,000), or one you give with
//! [`ColumnarOptions::schema`]. The rule:
//!
//! | values seen (nulls ignored) | column |
//! |---|---|
//! | `true`/`false` | `Boolean` |
//! | integers | `Int64` |
//! | numbers, some with a fraction or an exponent | `Float64` |
//! | strings | `Utf8` |
//! | the record's own `created_at` / `updated_at` strings, all RFC 3339 (at most nine fractional digits) | `Timestamp(ns, "UTC")` |
//! | objects and lists in a field named in [`MAP_FIELDS`] (`user_metadata`, `metric_info`, `annotations`, `files`, `metadata`, `input`, …), at any depth, whatever their keys | `Utf8` holding each value's JSON text (see below) |
//! | objects whose keys are field names (`[A-Za-z_][A-Za-z0-9_]*`, at most 64 bytes), at most [`MAX_STRUCT_KEYS`] distinct keys, or objects that all have the same keys | `Struct` of every key seen, in the order they first appear, each nullable (a record without a key has a null there), its fields by the same rule |
//! | lists | `List` of the items' column type: nested records (`spans`, `traces`) are lists of structs |
//! | free-form maps (objects whose keys vary and are data: ids, numbers, labels with `-`, spaces or non-ASCII letters; or more than [`MAX_STRUCT_KEYS`] of them), empty objects, lists of them, only nulls, mixed kinds (a string in some records, a list in others), only integers beyond 64 bits, nesting deeper than 16 levels | `Utf8` holding each value's JSON text as it came, marked with the field metadata [`JSON_TEXT_METADATA_KEY`] |
//!
//! **Galileo's records.** The rule gives the records of Galileo's spec
//! (`Extended*RecordWithChildren`, the span records told apart by `type`) a schema that
//! holds every field the spec defines, and JSON text only where the keys or the kinds
//! of a value are data:
//!
//! * a trace's `spans` and a session's `traces` are lists of structs, nested again for
//!   the spans a workflow or agent span carries: the struct has the union of the fields
//!   of every span type (`model`, `temperature` of LLM spans, `agent_type`,
//!   `tool_call_id`, `control_id`, …), null where a span's type has no such field; the
//!   `spans` of the deepest level (always empty in the sample) is JSON text;
//! * `metrics` is a struct of its keys (`duration_ns`, the token counts, `cost`, …), an
//!   LLM span's `events` a list of structs of the eight event kinds' fields;
//! * the maps of the spec ([`MAP_FIELDS`]: `metric_info`, whose values are a union of
//!   result kinds, `user_metadata`, `dataset_metadata`, `feedback_rating_info`,
//!   `annotations`, `annotation_aggregates`, `annotation_agreement`, `files`, tool
//!   definitions, free-form `metadata`, …) are JSON text, whatever keys the sample had,
//!   so a metric, a user key or an annotator first seen later is a value of the same
//!   column, never a new column or a catch-all entry;
//! * `input` / `output` (and `redacted_input` / `redacted_output`), a string or
//!   messages, documents, a control result: `Utf8` when the sample had only strings,
//!   JSON text otherwise;
//! * the record's own `created_at` / `updated_at` are timestamps; those of nested
//!   records are their RFC 3339 text (`Utf8`), exactly as sent;
//! * a field that was null in every sampled record (`session_batch_id`, a session's
//!   `trace_id`) is JSON text, which holds whatever comes later.
//!
//! CSV exports are rendered by the server: nested columns (`metrics`, `metric_info`,
//! `user_metadata`, `tags`, …) arrive as their JSON text, the same text a JSON text
//! column holds; a session's traces and a trace's spans are not CSV columns.
//!
//! **The column cap.** An inferred schema has at most [`ColumnarOptions::max_columns`]
//! leaf columns (default 1,000, the catch-all included; each field of a struct counts):
//! fields become columns in the order they first appear, a struct or list that would
//! cross the cap is one JSON text column, and the fields beyond it are not columns (their
//! values go to the catch-all). So a server sending 100,000 distinct keys cannot make the
//! schema, or the memory, grow with them.
//!
//! Every schema ends with a catch-all column, [`UNMAPPED_COLUMN`] (JSON text): **nothing
//! is lost silently.** A value that does not fit its column exactly once the schema is
//! fixed — a field that first appears later or beyond the column cap, a float in an
//! integer column, an object in a string column, a string that is not a timestamp in a
//! timestamp column, an integer beyond 64 bits, or one beyond 2^53 in a `Float64` column,
//! a number beyond `f64` (`1e400`), a timestamp with more than nine fractional digits or
//! outside the years 1677–2262 — is set to null in its column and kept, as its original
//! JSON text (number spellings included), in that row's catch-all object. Its key there
//! is the value's path in the record as a JSON pointer (RFC 6901): `/usage/input`,
//! `/tags/3`; in a key, `~` is written `~0` and `/` is written `~1`, so a key `a/b` is
//! `/a~1b`, never the same path as `a` → `b` (`/a/b`). A numeric segment is a list index
//! where the column at the path before it is a list, a key otherwise. Integers in a
//! `Float64` column are widened (exactly, up to 2^53); floats are the correctly rounded
//! double of their text. The number of values kept in the catch-all is
//! [`ExportSummary::unmapped_values`](crate::ExportSummary) and
//! [`RecordBatchStream::unmapped_values`].
//!
//! **Memory.** Batches end at [`ColumnarOptions::batch_size`] rows or
//! [`ColumnarOptions::batch_bytes`] bytes of JSON, whichever comes first, and the Parquet
//! writer flushes a row group once it holds [`ParquetOptions::row_group_bytes`], so memory
//! is bounded whatever the record size or the number of keys (see `BENCHMARKS.md`).
//!
//! ```no_run
//! # async fn run() -> Result<(), galileo_export::Error> {
//! use galileo_export::columnar::{ColumnarOptions, ParquetOptions};
//! use galileo_export::Client;
//!
//! let client = Client::from_env()?;
//! let (project, log_stream) = (uuid::Uuid::nil(), uuid::Uuid::nil());
//! let summary = client
//!     .export(project)
//!     .log_stream(log_stream)
//!     .resume(true)
//!     .save_parquet("traces.parquet", ParquetOptions::default())
//!     .await?;
//! println!("{:?} records, {} values kept as JSON", summary.records, summary.unmapped_values);
//! # Ok(())
//! # }
//! ```

mod builder;
mod parquet_file;
mod raw;
mod schema;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::error::Error;
use crate::progress::Progress;
use crate::records::{excerpt, RecordError};
use crate::transport::Framed;

pub use arrow_array;
pub use arrow_array::RecordBatch;
pub use arrow_schema;
pub use arrow_schema::SchemaRef;
pub use parquet;
pub use parquet_file::ParquetOptions;
pub use schema::{MAP_FIELDS, MAX_STRUCT_KEYS};

pub(crate) use parquet_file::write_parquet;

use builder::Columns;

/// The catch-all column every schema ends with: per row, a JSON object of the values that
/// did not fit their columns (their original JSON text), keyed by their path in the
/// record as a JSON pointer, e.g. `/usage/input`, `/tags/3`, `/a~1b` (null when all fit).
pub const UNMAPPED_COLUMN: &str = "_unmapped";

/// The field metadata key that marks a `Utf8` column as holding each value's JSON text
/// (value `"true"`). Set it on `Utf8` fields of a schema you give to keep objects and lists
/// as JSON text there.
pub const JSON_TEXT_METADATA_KEY: &str = "galileo_export.json_text";

/// How records become Arrow record batches.
///
/// ```
/// use galileo_export::columnar::ColumnarOptions;
///
/// let options = ColumnarOptions::default().infer_records(5_000).batch_size(4_096);
/// assert_eq!(options.batch_rows(), 4_096);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ColumnarOptions {
    infer_records: usize,
    schema: Option<SchemaRef>,
    batch_size: usize,
    batch_bytes: usize,
    max_columns: usize,
}

/// The most JSON text read to infer a schema: sampling stops at
/// [`ColumnarOptions::infer_records`] records or at this many bytes, whichever comes
/// first (the sampled records are held in memory until the schema is fixed).
pub const INFER_BYTES: usize = 32 << 20;

impl Default for ColumnarOptions {
    fn default() -> Self {
        Self {
            infer_records: 1_000,
            schema: None,
            batch_size: 8_192,
            batch_bytes: 8 << 20,
            max_columns: 1_000,
        }
    }
}

impl ColumnarOptions {
    /// Infer the schema from this many first records (default 1,000; at least 1), or from
    /// the first [`INFER_BYTES`] of them if they are larger. They are held in memory
    /// until the schema is fixed.
    pub fn infer_records(mut self, records: usize) -> Self {
        self.infer_records = records.max(1);
        self
    }

    /// Use this schema instead of inferring one. Supported column types: `Boolean`,
    /// `Int64`, `Float64`, `Utf8` (JSON text with [`JSON_TEXT_METADATA_KEY`]),
    /// `Timestamp(Nanosecond | Microsecond, _)`, and `List`/`Struct` of these; the catch-all column
    /// [`UNMAPPED_COLUMN`] is added at the end if it is not there.
    pub fn schema(mut self, schema: SchemaRef) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Rows per record batch (default 8,192; at least 1). A batch also ends once its
    /// records' JSON text reaches [`batch_bytes`](Self::batch_bytes).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// Rows per record batch.
    pub fn batch_rows(&self) -> usize {
        self.batch_size
    }

    /// End a record batch once its records' JSON text reaches this many bytes (default
    /// 8 MiB; at least 1): with large records, batches are sized by bytes, not rows, so
    /// memory stays bounded whatever the record size.
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes.max(1);
        self
    }

    /// The byte size at which a record batch ends.
    pub fn batch_byte_limit(&self) -> usize {
        self.batch_bytes
    }

    /// The most leaf columns an inferred schema has, the catch-all column included
    /// (default 1,000; at least 1; nested struct fields count one each). Fields are
    /// columns in the order they first appear; a struct or list that would cross the
    /// cap becomes one JSON text column, and fields beyond it are not columns: their
    /// values are kept in [`UNMAPPED_COLUMN`]. This bounds memory whatever the number
    /// of distinct keys the server sends.
    pub fn max_columns(mut self, columns: usize) -> Self {
        self.max_columns = columns.max(1);
        self
    }

    /// The column cap of an inferred schema.
    pub fn column_limit(&self) -> usize {
        self.max_columns
    }
}

/// Export records as Arrow [`RecordBatch`]es, decoded as the body arrives. Get one from
/// [`ExportBuilder::record_batches`](crate::ExportBuilder::record_batches). Items are
/// `Result<RecordBatch, Error>`: a cut or a bad record ends the stream, after a last batch
/// with the rows before it.
pub struct RecordBatchStream {
    framed: Framed,
    columns: Columns,
    batch_size: usize,
    batch_bytes: usize,
    /// JSON text of the records in the batch being built.
    bytes_in_batch: usize,
    /// Lines read while inferring the schema, converted first.
    sampled: VecDeque<Bytes>,
    /// The lines of the batch being built: if a line fails half-way into the builders,
    /// the batch is rebuilt from them, so the rows before a bad record are delivered.
    batch_lines: Vec<Bytes>,
    /// Values kept in the catch-all column before the batch being built.
    unmapped_before_batch: u64,
    /// Lines of the body so far (for error positions).
    line: u64,
    /// Bytes of the body so far.
    offset: u64,
    ready: VecDeque<RecordBatch>,
    failure: Option<Error>,
    input_ended: bool,
    done: bool,
}

impl std::fmt::Debug for RecordBatchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatchStream")
            .field("schema", self.columns.schema())
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl RecordBatchStream {
    /// Read the start of the body (to infer the schema, unless one was given) and set up
    /// the column builders.
    pub(crate) async fn open(mut framed: Framed, options: ColumnarOptions) -> Result<Self, Error> {
        let mut sampled = VecDeque::new();
        let mut failure = None;
        let mut input_ended = false;
        let schema = match options.schema {
            Some(schema) => Arc::new(schema::with_unmapped(&schema)),
            None => {
                let mut inference = schema::Inference::new(options.max_columns);
                let (mut records, mut bytes) = (0, 0);
                while records < options.infer_records && bytes < INFER_BYTES {
                    match framed.next().await {
                        Some(Ok(chunk)) => {
                            for line in lines(&chunk) {
                                if records < options.infer_records && bytes < INFER_BYTES {
                                    // Lines that are not objects are reported when
                                    // converted.
                                    inference.add(line);
                                    records += 1;
                                    bytes += line.len();
                                }
                            }
                            sampled.push_back(chunk);
                        }
                        Some(Err(e)) => {
                            failure = Some(e);
                            input_ended = true;
                            break;
                        }
                        None => {
                            input_ended = true;
                            break;
                        }
                    }
                }
                Arc::new(inference.schema())
            }
        };
        let columns = Columns::new(schema).map_err(Error::Columnar)?;
        Ok(Self {
            framed,
            columns,
            batch_size: options.batch_size,
            batch_bytes: options.batch_bytes,
            bytes_in_batch: 0,
            sampled,
            batch_lines: Vec::new(),
            unmapped_before_batch: 0,
            line: 0,
            offset: 0,
            ready: VecDeque::new(),
            failure,
            input_ended,
            done: false,
        })
    }

    /// The schema of every batch (inferred or given, with the catch-all column last).
    pub fn schema(&self) -> SchemaRef {
        self.columns.schema().clone()
    }

    /// Where this export left off, once the stream has ended without an error (see
    /// [`ExportSummary::checkpoint`](crate::ExportSummary::checkpoint)).
    pub fn checkpoint(&self) -> Option<&crate::Checkpoint> {
        self.framed.checkpoint()
    }

    /// Values kept in the catch-all column so far.
    pub fn unmapped_values(&self) -> u64 {
        self.columns.unmapped_values()
    }

    /// Progress so far: records and bytes received, retries, resumes.
    pub fn progress(&self) -> Progress {
        self.framed.state().snapshot(false)
    }

    /// Whether framing counted the records (always, for JSON Lines).
    /// What the export delivered (once the stream has ended).
    pub(crate) fn summary(&self) -> crate::ExportSummary {
        crate::ExportSummary::of(&self.framed, self.unmapped_values())
    }

    /// Convert the lines of one chunk, queueing full batches.
    fn convert(&mut self, chunk: &Bytes) -> Result<(), Error> {
        let mut start = 0;
        for line in lines_with_breaks(chunk) {
            let (from, to) = (start, start + line.len());
            start = to;
            self.line += 1;
            let content = trim(line);
            if !content.iter().all(u8::is_ascii_whitespace) {
                if let Err(source) = self.columns.push(content) {
                    let error = Error::Record(RecordError::Json {
                        line: self.line,
                        column: source.column() as u64,
                        offset: self.offset,
                        excerpt: excerpt(content, source.column().saturating_sub(1)),
                        source,
                        path: None,
                    });
                    self.rebuild_batch()?;
                    return Err(error);
                }
                self.batch_lines
                    .push(chunk.slice(from..from + content.len()));
                self.bytes_in_batch += content.len();
                if self.columns.rows() >= self.batch_size || self.bytes_in_batch >= self.batch_bytes
                {
                    self.finish_batch()?;
                }
            }
            self.offset += line.len() as u64;
        }
        Ok(())
    }

    fn finish_batch(&mut self) -> Result<(), Error> {
        let batch = self.columns.finish().map_err(Error::Columnar)?;
        self.ready.push_back(batch);
        self.batch_lines.clear();
        self.bytes_in_batch = 0;
        self.unmapped_before_batch = self.columns.unmapped_values();
        Ok(())
    }

    /// A line failed half-way into the builders: start the batch over from its good lines
    /// (they convert as before).
    fn rebuild_batch(&mut self) -> Result<(), Error> {
        let mut columns = Columns::new(self.columns.schema().clone()).map_err(Error::Columnar)?;
        columns.count_unmapped_from(self.unmapped_before_batch);
        for line in &self.batch_lines {
            columns
                .push(line)
                .map_err(|e| Error::Columnar(format!("a record converted before failed: {e}")))?;
        }
        self.columns = columns;
        Ok(())
    }

    fn end(&mut self) -> Poll<Option<Result<RecordBatch, Error>>> {
        self.done = true;
        self.framed.state().notify(true);
        Poll::Ready(self.failure.take().map(Err))
    }
}

impl Stream for RecordBatchStream {
    type Item = Result<RecordBatch, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(batch) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(batch)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(chunk) = this.sampled.pop_front() {
                if let Err(e) = this.convert(&chunk) {
                    this.sampled.clear();
                    this.failure = Some(e);
                    this.input_ended = true;
                }
                continue;
            }
            if this.input_ended {
                if this.columns.rows() > 0 {
                    if let Err(e) = this.finish_batch() {
                        this.failure.get_or_insert(e);
                        return this.end();
                    }
                    continue;
                }
                return this.end();
            }
            match futures::ready!(Pin::new(&mut this.framed).poll_next(cx)) {
                Some(Ok(chunk)) => {
                    if let Err(e) = this.convert(&chunk) {
                        this.failure = Some(e);
                        this.input_ended = true;
                    }
                }
                Some(Err(e)) => {
                    this.failure = Some(e);
                    this.input_ended = true;
                }
                None => this.input_ended = true,
            }
        }
    }
}

/// The lines of a line-aligned chunk, each with its line break (the last one of the body
/// may have none).
fn lines_with_breaks(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = chunk;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The non-blank lines of a chunk, without line breaks.
fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    lines_with_breaks(chunk)
        .map(trim)
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
}

fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
