//! The export's body as the caller reads it: line-aligned, checked byte chunks
//! ([`BodyStream`]), and what a finished export delivered ([`ExportSummary`]).

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;

use crate::checkpoint::Checkpoint;
use crate::compression::Coding;
use crate::error::Error;
use crate::framing::{CsvCheck, LineCheck};
use crate::progress::Progress;
use crate::records::RecordError;
use crate::request::ExportFormat;
use crate::transport::Framed;

/// The raw bytes of an export, exactly as the server sent them (after retries and
/// resume; for JSON Lines, chunks end at a line break, so their boundaries may differ
/// from the network's). Get one from [`ExportBuilder::bytes`](crate::ExportBuilder::bytes)
/// when you want the bytes themselves (to hash, upload or pipe them); to read records,
/// use [`records`](crate::ExportBuilder::records) and its siblings.
///
/// Every record is checked on the way, by the rules the record decoders apply: a JSON
/// Lines line is one JSON object in valid UTF-8 (or only shaped like one, at
/// [`RecordCheck::Shape`]), a CSV record is valid UTF-8 with as many fields as the header. Items are `Result<Bytes, Error>`: a cut is an [`Error::Cut`]
/// item, a malformed record an [`Error::Record`] with its line number, each after the
/// chunks before it; an error ends the stream. The body is read by a task of its own, at
/// most a few chunks ahead; dropping the stream stops it and closes the connection.
///
/// ```no_run
/// # async fn run() -> Result<(), galileo_export::Error> {
/// use futures::TryStreamExt;
///
/// let client = galileo_export::Client::from_env()?;
/// let mut body = client
///     .export(uuid::Uuid::nil())
///     .log_stream(uuid::Uuid::nil())
///     .bytes()
///     .await?;
/// let mut total = 0;
/// while let Some(chunk) = body.try_next().await? {
///     total += chunk.len();
/// }
/// assert_eq!(total as u64, body.progress().bytes);
/// # Ok(())
/// # }
/// ```
pub struct BodyStream {
    framed: Framed,
    /// Every JSON Lines line or CSV record is checked here, on the consumer's side of the
    /// read-ahead channel.
    check: Check,
    /// A bad line, reported after the lines before it.
    bad_line: Option<Error>,
    ended: bool,
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

/// How much the byte paths ([`bytes`](crate::ExportBuilder::bytes),
/// [`save`](crate::ExportBuilder::save), [`write_to`](crate::ExportBuilder::write_to),
/// [`write_to_std`](crate::ExportBuilder::write_to_std)) check each JSON Lines record
/// before handing it on; set with
/// [`ExportBuilder::record_check`](crate::ExportBuilder::record_check).
///
/// Whatever the depth, the body is framed the same way: only whole lines are handed on,
/// each held to [`max_record_size`](crate::ExportBuilder::max_record_size), records are
/// counted, the first record must be a JSON object (not an HTML page or an error object),
/// and a cut body is an [`Error::Cut`], never a short result. The record paths
/// ([`records`](crate::ExportBuilder::records), [`raw_records`](crate::ExportBuilder::raw_records),
/// Parquet, …) always check in full: they parse every record. CSV records are always
/// checked in full (valid UTF-8, as many fields as the header).
///
/// ```
/// use galileo_export::RecordCheck;
///
/// assert_eq!(RecordCheck::default(), RecordCheck::Full);
/// let export = galileo_export::Client::builder()
///     .api_key("k")
///     .build()?
///     .export(uuid::Uuid::nil())
///     .record_check(RecordCheck::Shape);
/// # let _ = export;
/// # Ok::<(), galileo_export::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RecordCheck {
    /// Every line is one JSON object in valid UTF-8, its whole grammar checked (the
    /// default): a malformed line is an [`Error::Record`] with its line number, column
    /// and an excerpt, after the lines before it.
    #[default]
    Full,
    /// Every line is valid UTF-8 and, without the whitespace around it, starts with `{`
    /// and ends with `}`; the JSON between is not checked. For a consumer that parses the
    /// records anyway (`jq`, a database loader): the grammar check costs several times
    /// the rest of the byte path on token-dense records (see the README's performance
    /// section). A line that fails is reported with the same error as under `Full`.
    Shape,
}

/// What a raw-byte consumer checks, by format.
enum Check {
    Lines(LineCheck),
    Csv(Box<CsvCheck>),
    /// A format this crate does not know.
    Nothing,
}

impl Check {
    fn chunk(&mut self, chunk: &Bytes) -> Result<(), (usize, RecordError)> {
        match self {
            Check::Lines(check) => check.check(chunk),
            Check::Csv(check) => check.check(chunk),
            Check::Nothing => Ok(()),
        }
    }

    fn end(&mut self) -> Result<(), RecordError> {
        match self {
            Check::Csv(check) => check.finish(),
            Check::Lines(_) | Check::Nothing => Ok(()),
        }
    }
}

impl BodyStream {
    /// The body of `framed`, checked by the rules of its `format`'s records, JSON Lines
    /// records to `depth`.
    pub(crate) fn new(framed: Framed, format: &ExportFormat, depth: RecordCheck) -> Self {
        let check = if format.is_json_lines() {
            Check::Lines(LineCheck::new(depth))
        } else if format.is_csv() {
            Check::Csv(Box::default())
        } else {
            Check::Nothing
        };
        Self {
            framed,
            check,
            bad_line: None,
            ended: false,
        }
    }

    /// Progress so far: records and bytes received, retries, resumes.
    pub fn progress(&self) -> Progress {
        self.framed.state().snapshot(false)
    }

    /// What the export delivered (read once the stream has ended).
    pub(crate) fn summary(&self) -> ExportSummary {
        ExportSummary::of(&self.framed, 0)
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        let item = match this.bad_line.take() {
            Some(error) => Some(Err(error)),
            None => match futures::ready!(Pin::new(&mut this.framed).poll_next(cx)) {
                Some(Ok(chunk)) => match this.check.chunk(&chunk) {
                    Err((valid, error)) => {
                        let error = Error::Record(error);
                        if valid > 0 {
                            this.bad_line = Some(error);
                            Some(Ok(chunk.slice(..valid)))
                        } else {
                            Some(Err(error))
                        }
                    }
                    Ok(()) => Some(Ok(chunk)),
                },
                None => this.check.end().err().map(|e| Err(Error::Record(e))),
                other => other,
            },
        };
        if !matches!(item, Some(Ok(_))) && this.bad_line.is_none() {
            // The caller has the last item: the observer hears of the end now.
            this.ended = true;
            this.framed.state().notify(true);
        }
        Poll::Ready(item)
    }
}

/// What a finished export delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportSummary {
    /// Records delivered: JSON Lines records (non-blank lines), CSV rows without the
    /// header; `None` for other formats read as bytes.
    pub records: Option<u64>,
    /// Bytes delivered, decoded (what a file of the export holds).
    pub bytes: u64,
    /// Bytes received from the network, as sent (compressed when the server compressed
    /// the body), every attempt included; see [`Progress::wire_bytes`].
    pub wire_bytes: u64,
    /// The content coding the server compressed the body with (`"gzip"`, `"zstd"`,
    /// `"br"`; of the last answer, when the export was resumed); `None` when it was sent
    /// uncompressed. See [`ClientBuilder::compression`](crate::ClientBuilder::compression).
    pub content_encoding: Option<&'static str>,
    /// How long it took.
    pub elapsed: Duration,
    /// Requests retried before data arrived.
    pub retries: u32,
    /// Times the export was resumed after a cut.
    pub resumes: u32,
    /// Values kept as JSON text in the catch-all column of a columnar export because they
    /// did not fit their column (see `columnar`, feature `parquet`); 0 for other exports.
    pub unmapped_values: u64,
    pub(crate) checkpoint: Option<Checkpoint>,
}

impl ExportSummary {
    /// The summary of the export read through `framed`, once it has ended.
    pub(crate) fn of(framed: &Framed, unmapped_values: u64) -> Self {
        let state = framed.state();
        let p = state.snapshot(false);
        ExportSummary {
            records: framed.counts_records().then_some(p.records),
            bytes: p.bytes,
            wire_bytes: p.wire_bytes,
            content_encoding: Coding::from_number(state.coding.load(Ordering::Relaxed)).token(),
            elapsed: p.elapsed,
            retries: p.retries,
            resumes: p.resumes,
            unmapped_values,
            checkpoint: framed.checkpoint().cloned(),
        }
    }

    /// Where this export left off, for the next incremental export
    /// ([`ExportBuilder::after`](crate::ExportBuilder::after)): the newest `created_at`
    /// delivered and who was delivered at it, merged with the checkpoint this export
    /// started after. `None` unless the export was JSON Lines, CSV or Parquet in the native
    /// order, or when no record was ever delivered.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }
}
