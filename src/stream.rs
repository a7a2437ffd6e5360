//! Records of an export: a [`RecordStream`] decodes the framed body as it arrives.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;

use crate::error::Error;
use crate::progress::Progress;
use crate::records::{CsvDecoder, FromCsvRecord, FromJsonLine, JsonLinesDecoder, RecordDecoder};
use crate::transport::Framed;

/// A record decoder that can read an export (JSON Lines or CSV).
pub(crate) trait ExportDecoder: RecordDecoder + Send {
    /// The CSV header, once read (`None` for JSON Lines).
    fn csv_header(&self) -> Option<&Arc<[String]>> {
        None
    }
}

impl<T: FromJsonLine> ExportDecoder for JsonLinesDecoder<T> {}

impl<R: FromCsvRecord> ExportDecoder for CsvDecoder<R> {
    fn csv_header(&self) -> Option<&Arc<[String]>> {
        self.header()
    }
}

/// An async stream of records of type `T`, decoded as the body arrives.
///
/// Get one from [`ExportBuilder::records`](crate::ExportBuilder::records) (`T` a JSON
/// object map), [`records_as`](crate::ExportBuilder::records_as) (your `Deserialize`
/// type), [`raw_records`](crate::ExportBuilder::raw_records) (validated raw JSON,
/// [`RawRecord`](crate::records::RawRecord)) or
/// [`csv_rows`](crate::ExportBuilder::csv_rows) (a
/// [`CsvRow`](crate::records::CsvRow) per CSV row). Items are `Result<T, Error>`: a bad
/// record ([`Error::Record`], with its line number) or a cut ([`Error::Cut`], with the
/// number of records delivered before it) ends the stream, after the records before it.
///
/// ```no_run
/// # async fn run() -> Result<(), galileo_export::Error> {
/// use futures::TryStreamExt;
///
/// #[derive(serde::Deserialize)]
/// struct Trace {
///     id: String,
///     input: Option<String>,
/// }
///
/// let client = galileo_export::Client::from_env()?;
/// let mut traces = client
///     .export(uuid::Uuid::nil())
///     .log_stream(uuid::Uuid::nil())
///     .records_as::<Trace>()
///     .await?;
/// while let Some(trace) = traces.try_next().await? {
///     println!("{} {:?}", trace.id, trace.input);
/// }
/// println!("{} records", traces.progress().records);
/// # Ok(())
/// # }
/// ```
pub struct RecordStream<T> {
    framed: Framed,
    decoder: Box<dyn ExportDecoder<Item = T>>,
    /// The body has ended (`finish` was called) or failed (`failure` holds why).
    input_ended: bool,
    /// The body's error, reported once the records before it are out.
    failure: Option<Error>,
    done: bool,
}

impl<T> std::fmt::Debug for RecordStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordStream")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl<T> RecordStream<T> {
    pub(crate) fn new(framed: Framed, decoder: impl ExportDecoder<Item = T> + 'static) -> Self {
        Self {
            framed,
            decoder: Box::new(decoder),
            input_ended: false,
            failure: None,
            done: false,
        }
    }

    /// Progress so far: records and bytes received (read a few chunks ahead of the
    /// records you have taken), retries, resumes.
    pub fn progress(&self) -> Progress {
        self.framed.state().snapshot(false)
    }

    /// Where this export left off, once the stream has ended without an error (see
    /// [`ExportSummary::checkpoint`](crate::ExportSummary::checkpoint)).
    pub fn checkpoint(&self) -> Option<&crate::Checkpoint> {
        self.framed.checkpoint()
    }

    /// The CSV header of a CSV export, once the first row has been read; `None` for JSON
    /// Lines.
    pub fn csv_header(&self) -> Option<&Arc<[String]>> {
        self.decoder.csv_header()
    }

    fn end(&mut self, item: Option<Result<T, Error>>) -> Poll<Option<Result<T, Error>>> {
        self.done = true;
        self.framed.state().notify(true);
        Poll::Ready(item)
    }
}

impl<T> Stream for RecordStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.decoder.next_record() {
                Some(Ok(record)) => return Poll::Ready(Some(Ok(record))),
                // A bad record ends the export: what follows cannot be trusted to line up.
                Some(Err(e)) => return this.end(Some(Err(Error::Record(e)))),
                None => {}
            }
            if this.input_ended {
                let failure = this.failure.take();
                return this.end(failure.map(Err));
            }
            match futures::ready!(Pin::new(&mut this.framed).poll_next(cx)) {
                Some(Ok(chunk)) => this.decoder.push(chunk),
                // Framing hands on whole records only: the decoder holds no partial one.
                Some(Err(e)) => {
                    this.failure = Some(e);
                    this.input_ended = true;
                }
                None => {
                    this.decoder.finish();
                    this.input_ended = true;
                }
            }
        }
    }
}
