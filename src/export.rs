//! The export builder: what to export and how to run it, and the methods that run it
//! (records, rows, raw bytes, a file, a writer). The request it describes is checked and
//! converted once ([`crate::request`]), then handed to the transport.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::api::types::LogRecordsExportRequest;
use crate::body::{BodyStream, ExportSummary, RecordCheck};
use crate::checkpoint::Checkpoint;
use crate::client::Client;
use crate::error::Error;
use crate::filter::Filter;
use crate::progress::{Progress, ProgressFn};
use crate::records::{
    CsvDecoder, CsvRow, FromCsvRecord, FromJsonLine, JsonLinesDecoder, RawRecord,
};
use crate::request::{ExportFormat, ExportRequest, Order, RequestBody, RootType, Source};
use crate::retry::RetryPolicy;
use crate::stream::RecordStream;
use crate::transport::{Framed, TransportConfig};

/// One export, being configured: what to export (source, root type, filters, sort,
/// format, columns) and how to run it (resume, retries, limits, progress). Get one from
/// [`Client::export`]; it owns a clone of the client, so it can be returned from a
/// function or moved into a task, and it is consumed by one of the methods that run it.
///
/// Exactly one of [`log_stream`](Self::log_stream), [`experiment`](Self::experiment) or
/// [`metrics_testing`](Self::metrics_testing) must be set. Checks run before anything is
/// sent; [`to_json`](Self::to_json) shows the exact body.
///
/// ```
/// use galileo_export::{Client, ExportFormat, Filter, Order, RootType};
/// use serde_json::json;
///
/// let client = Client::builder().api_key("k").build()?;
/// let project = uuid::Uuid::nil();
/// let stream = uuid::Uuid::from_u128(7);
/// let export = client
///     .export(project)
///     .log_stream(stream)
///     .root_type(RootType::Span)
///     .filter(Filter::number("metrics/duration_ns").between(100, 250))
///     .sort("created_at", Order::Descending)
///     .format(ExportFormat::Csv)
///     .columns(["id", "input", "metrics/duration_ns"]);
/// let body = export.to_json()?;
/// assert_eq!(body["root_type"], "span");
/// assert_eq!(body["filters"][0], json!({
///     "type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250]
/// }));
/// assert_eq!(body["column_ids"], json!(["id", "input", "metrics/duration_ns"]));
/// # Ok::<(), galileo_export::Error>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct ExportBuilder {
    pub(crate) client: Client,
    project_id: Uuid,
    body: RequestBody,
    resume: bool,
    pub(crate) retry: Option<RetryPolicy>,
    max_record_size: u64,
    record_check: RecordCheck,
    progress: Option<ProgressFn>,
    /// Ask for the count beside the export ([`ExportBuilder::count_total`]).
    #[cfg(galileo_has_counts)]
    pub(crate) count_total: bool,
}

impl Client {
    /// Start an export of records from a project: an [`ExportBuilder`] holding a clone
    /// of this client (cheap: the connection pool is shared).
    ///
    /// ```
    /// use galileo_export::Client;
    ///
    /// let client = Client::builder().api_key("k").build()?;
    /// let export = client.export(uuid::Uuid::nil());
    /// assert_eq!(export.project_id(), uuid::Uuid::nil());
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn export(&self, project_id: Uuid) -> ExportBuilder {
        ExportBuilder::new(self.clone(), project_id)
    }
}

/// The default [`ExportBuilder::max_record_size`]: 128 MiB.
pub const DEFAULT_MAX_RECORD_SIZE: u64 = 128 << 20;

impl fmt::Debug for ExportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportBuilder")
            .field("project_id", &self.project_id)
            .field("sources", &self.body.sources)
            .field("root_type", &self.body.root_type)
            .field("filters", &self.body.filters)
            .field("sort", &self.body.sort)
            .field("format", &self.body.format)
            .field("columns", &self.body.columns)
            .field("redact", &self.body.redact)
            .field("file_name", &self.body.file_name)
            .field("extra", &self.body.extra)
            .field("resume", &self.resume)
            .field("max_record_size", &self.max_record_size)
            .field("record_check", &self.record_check)
            .finish_non_exhaustive()
    }
}

impl ExportBuilder {
    pub(crate) fn new(client: Client, project_id: Uuid) -> Self {
        Self {
            client,
            project_id,
            body: RequestBody::new(),
            resume: false,
            retry: None,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            record_check: RecordCheck::Full,
            progress: None,
            #[cfg(galileo_has_counts)]
            count_total: false,
        }
    }

    /// Export from a log stream.
    pub fn log_stream(mut self, id: Uuid) -> Self {
        self.body.sources.push(Source::LogStream(id));
        self
    }

    /// Export from an experiment.
    pub fn experiment(mut self, id: Uuid) -> Self {
        self.body.sources.push(Source::Experiment(id));
        self
    }

    /// Export from a metrics-testing run.
    pub fn metrics_testing(mut self, id: Uuid) -> Self {
        self.body.sources.push(Source::MetricsTesting(id));
        self
    }

    /// Sessions, traces (default) or spans.
    pub fn root_type(mut self, root_type: RootType) -> Self {
        self.body.root_type = root_type;
        self
    }

    /// Add a filter (repeatable; all filters must match).
    pub fn filter(mut self, filter: impl Into<Filter>) -> Self {
        self.body.filters.push(filter.into());
        self
    }

    /// Add several filters.
    pub fn filters<I, F>(mut self, filters: I) -> Self
    where
        I: IntoIterator<Item = F>,
        F: Into<Filter>,
    {
        self.body
            .filters
            .extend(filters.into_iter().map(Into::into));
        self
    }

    /// Sort by a column, in the given [`Order`]. Without it the server's native order
    /// applies: `created_at`, then `id`, newest first (the only order
    /// [`resume`](Self::resume) can continue; `created_at` with [`Order::Descending`] is
    /// the same).
    ///
    /// ```
    /// use galileo_export::{Client, Order};
    ///
    /// let client = Client::builder().api_key("k").build()?;
    /// let body = client
    ///     .export(uuid::Uuid::nil())
    ///     .log_stream(uuid::Uuid::from_u128(1))
    ///     .sort("metrics/duration_ns", Order::Ascending)
    ///     .to_json()?;
    /// assert_eq!(body["sort"], serde_json::json!({
    ///     "column_id": "metrics/duration_ns", "ascending": true, "sort_type": "column"
    /// }));
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn sort(mut self, column: impl Into<String>, order: Order) -> Self {
        self.body.sort = Some((column.into(), order));
        self
    }

    /// The file format. Default [`ExportFormat::Jsonl`].
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.body.format = format;
        self
    }

    /// The columns of a CSV export, in order. Only for CSV.
    pub fn columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Redact sensitive data (default `true`).
    pub fn redact(mut self, redact: bool) -> Self {
        self.body.redact = redact;
        self
    }

    /// The file name the server gives the export.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.body.file_name = Some(name.into());
        self
    }

    /// Set any other request field by its wire name, for fields a newer spec adds
    /// (e.g. `include_code_metric_metadata`, `export_computed_metrics_only`). A field the
    /// spec knows is checked by the generated request type (a wrong value is an error
    /// before anything is sent); one it does not know is sent as given, for the server
    /// to judge ([`unchecked_fields`](Self::unchecked_fields) lists those).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.extra.insert(name.into(), value.into());
        self
    }

    /// Export only what is newer than `checkpoint` (from an earlier export's
    /// [`ExportSummary::checkpoint`]): records created after its timestamp, and those at
    /// its timestamp that it does not name (counting copies). Across runs every record
    /// comes exactly once, also when new records share the checkpoint's timestamp. Needs
    /// the native sort and JSON Lines, Parquet or CSV (with the `created_at` and `id`
    /// columns: a CSV row's identity is its `id`'s value, the same as a JSON record's, so
    /// checkpoints carry over between formats). The same as
    /// [`incremental(Some(checkpoint))`](Self::incremental).
    ///
    /// ```
    /// use galileo_export::{Checkpoint, Client};
    ///
    /// let client = Client::builder().api_key("k").build()?;
    /// let checkpoint: Checkpoint = serde_json::from_str(
    ///     r#"{"version":2,"created_at":"2026-03-01T12:00:00Z","ids":["a"]}"#,
    /// )
    /// .expect("a checkpoint");
    /// let body = client
    ///     .export(uuid::Uuid::nil())
    ///     .log_stream(uuid::Uuid::from_u128(1))
    ///     .after(&checkpoint)
    ///     .to_json()?;
    /// assert_eq!(body["filters"][0], serde_json::json!({
    ///     "type": "date", "column_id": "created_at", "operator": "gte",
    ///     "value": "2026-03-01T12:00:00Z"
    /// }));
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn after(mut self, checkpoint: &Checkpoint) -> Self {
        self.body.after = Some(checkpoint.clone());
        self.body.incremental = true;
        self
    }

    /// Make this export one of an incremental series: it continues after `checkpoint`
    /// (see [`after`](Self::after)) if there is one yet, and its answer must give the
    /// next one. An answer that cannot (a CSV header without the `created_at` or `id`
    /// column, a first record whose `created_at` is missing or not a time) is
    /// [`Error::NoCheckpoint`] before anything past it is handed on, instead of an export
    /// that quietly has no [`ExportSummary::checkpoint`]. The first run of a series
    /// passes `None`.
    ///
    /// ```
    /// use galileo_export::Client;
    ///
    /// let client = Client::builder().api_key("k").build()?;
    /// let export = client
    ///     .export(uuid::Uuid::nil())
    ///     .log_stream(uuid::Uuid::from_u128(1))
    ///     .incremental(None);
    /// // A series needs the native order: sorting by another column is refused.
    /// let sorted = export.sort("updated_at", galileo_export::Order::Descending).to_json();
    /// assert!(sorted.is_err());
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn incremental(mut self, checkpoint: Option<&Checkpoint>) -> Self {
        self.body.after = checkpoint.cloned();
        self.body.incremental = true;
        self
    }

    /// If the stream is cut after records were delivered, re-issue the export narrowed
    /// to what remains (keyset on `created_at`, `id`) so every record is seen exactly once.
    /// Needs JSON Lines and the native sort (or `created_at` descending).
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// The largest record (one JSON Lines line, one CSV record, without its line break)
    /// the export may hold in memory; a larger one fails the export with
    /// [`Error::RecordTooLarge`] instead of growing memory without bound. Every record is
    /// held to it, however the body arrives. Default [`DEFAULT_MAX_RECORD_SIZE`]
    /// (128 MiB). 0 is refused ([`Error::InvalidRequest`], before anything is sent): no
    /// record fits in it.
    pub fn max_record_size(mut self, bytes: u64) -> Self {
        self.max_record_size = bytes;
        self
    }

    /// How much the byte paths ([`bytes`](Self::bytes), [`save`](Self::save),
    /// [`write_to`](Self::write_to), [`write_to_std`](Self::write_to_std)) check each JSON
    /// Lines record: in full (the default) or only its shape, for a consumer that parses
    /// the records anyway. See [`RecordCheck`]; framing, counts and cut detection are the
    /// same either way, and the record paths always check in full.
    pub fn record_check(mut self, check: RecordCheck) -> Self {
        self.record_check = check;
        self
    }

    /// Override the client's retry policy for this export.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Call `observer` as the export progresses (after each chunk received, and once at
    /// the end) with records, bytes and elapsed time.
    pub fn on_progress(mut self, observer: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(observer));
        self
    }

    /// The project.
    pub fn project_id(&self) -> Uuid {
        self.project_id
    }

    /// The format.
    pub fn export_format(&self) -> &ExportFormat {
        &self.body.format
    }

    /// The checked request, built once.
    pub(crate) fn checked(&self) -> Result<ExportRequest, Error> {
        ExportRequest::new(self.project_id, self.body.clone(), self.resume)
    }

    /// The checked request, as the generated type: what is sent, plus the
    /// [`unchecked_fields`](Self::unchecked_fields) the type cannot carry
    /// ([`to_json`](Self::to_json) shows both).
    pub fn request(&self) -> Result<LogRecordsExportRequest, Error> {
        Ok(self.checked()?.typed().clone())
    }

    /// The exact JSON body that will be sent, after every check (nothing is sent),
    /// fields the spec does not know included.
    pub fn to_json(&self) -> Result<Value, Error> {
        self.checked()?.wire_json()
    }

    /// What will be sent unchecked because the spec this crate was built from does not
    /// know it: fields set with [`field`](Self::field) that its request type lacks, and
    /// `export_format` for an [`ExportFormat::Other`] its enum lacks. Empty when the spec
    /// knows everything.
    ///
    /// ```
    /// use galileo_export::{Client, ExportFormat};
    ///
    /// let client = Client::builder().api_key("k").build()?;
    /// let export = client
    ///     .export(uuid::Uuid::nil())
    ///     .log_stream(uuid::Uuid::from_u128(1))
    ///     .format(ExportFormat::Other("jsonl_next".into()))
    ///     .field("next_option", true)
    ///     .field("redact", false);
    /// // No spec knows the first two: they go out as given; `redact` is checked.
    /// assert_eq!(export.unchecked_fields()?, ["export_format", "next_option"]);
    /// let body = export.to_json()?;
    /// assert_eq!((&body["export_format"], &body["next_option"]), (&"jsonl_next".into(), &true.into()));
    /// assert_eq!(body["redact"], false);
    /// # Ok::<(), galileo_export::Error>(())
    /// ```
    pub fn unchecked_fields(&self) -> Result<Vec<String>, Error> {
        Ok(self.checked()?.unchecked().keys().cloned().collect())
    }

    /// Check the request, send it and start reading the answer.
    async fn open(self) -> Result<Framed, Error> {
        let request = self.checked()?;
        if self.max_record_size == 0 {
            return Err(Error::InvalidRequest(
                "max_record_size is 0, which no record fits in: give the largest record size \
                 in bytes (default 128 MiB)"
                    .into(),
            ));
        }
        let retry = self
            .retry
            .unwrap_or_else(|| self.client.retry_policy().clone());
        #[cfg(galileo_has_counts)]
        let total = self
            .count_total
            .then(|| crate::count::total_future(self.client.clone(), retry.clone(), &request));
        #[cfg(not(galileo_has_counts))]
        let total = None;
        Framed::open(TransportConfig {
            client: self.client,
            request,
            resume: self.resume,
            retry,
            max_record_size: self.max_record_size,
            progress: self.progress,
            total,
        })
        .await
    }

    fn expect_format(&self, json_lines: bool, method: &str) -> Result<(), Error> {
        let format = &self.body.format;
        if json_lines && !format.is_json_lines() {
            return Err(Error::InvalidRequest(format!(
                "{method}() reads JSON Lines, but this export is {format}: use csv_rows(), bytes() or save()"
            )));
        }
        if !json_lines && !format.is_csv() {
            return Err(Error::InvalidRequest(format!(
                "{method}() reads CSV, but this export is {format}: use records(), bytes() or save()"
            )));
        }
        Ok(())
    }

    /// Send the request and return the body as a stream of byte chunks, exactly as the
    /// server sent them (retries and resume applied): for when you want the bytes
    /// themselves. Nothing wrong passes silently: for JSON Lines every line is checked to
    /// be one JSON object (a record) in valid UTF-8 (only its shape at
    /// [`RecordCheck::Shape`]), for CSV every record to be valid
    /// UTF-8 with as many fields as the header (a bad one is an [`Error::Record`] with its
    /// line number, after the records before it), the rules the record decoders apply;
    /// for CSV the body must end outside quotes after a line break; a body that ends
    /// inside a record is an [`Error::Cut`]; an answer that is not an export is
    /// [`Error::NotAnExport`].
    pub async fn bytes(self) -> Result<BodyStream, Error> {
        let format = self.body.format.clone();
        let depth = self.record_check;
        Ok(BodyStream::new(self.open().await?, &format, depth))
    }

    /// JSON Lines records as JSON object maps (`serde_json::Map<String, Value>`): pick it
    /// to explore records whose shape you do not fix in a type.
    pub async fn records(self) -> Result<RecordStream<Map<String, Value>>, Error> {
        self.json_records().await
    }

    /// JSON Lines records deserialized into your type: pick it when you know the fields
    /// you need (unknown fields are ignored unless your type says otherwise; a record
    /// that does not fit is an [`Error::Record`] with its line number).
    pub async fn records_as<T: DeserializeOwned + 'static>(self) -> Result<RecordStream<T>, Error> {
        self.json_records().await
    }

    /// JSON Lines records as validated raw JSON ([`RawRecord`]): the fastest way to read
    /// an export, for passing records on unchanged or parsing only what you need with
    /// [`RawRecord::parse`].
    pub async fn raw_records(self) -> Result<RecordStream<RawRecord>, Error> {
        self.json_records().await
    }

    async fn json_records<T: FromJsonLine + 'static>(self) -> Result<RecordStream<T>, Error> {
        self.expect_format(true, "records")?;
        let framed = self.open().await?;
        Ok(RecordStream::new(framed, JsonLinesDecoder::<T>::default()))
    }

    /// CSV rows keyed by the header ([`CsvRow`]); see also
    /// [`RecordStream::csv_header`].
    pub async fn csv_rows(self) -> Result<RecordStream<CsvRow>, Error> {
        self.csv().await
    }

    /// CSV rows as plain field lists, in column order (the header row is not yielded;
    /// see [`RecordStream::csv_header`]).
    pub async fn csv_raw_rows(self) -> Result<RecordStream<Vec<String>>, Error> {
        self.csv().await
    }

    async fn csv<R: FromCsvRecord + 'static>(self) -> Result<RecordStream<R>, Error> {
        self.expect_format(false, "csv_rows")?;
        let framed = self.open().await?;
        Ok(RecordStream::new(framed, CsvDecoder::<R>::default()))
    }

    /// Export records as Arrow record batches (feature `parquet`), decoded straight from
    /// JSON Lines into Arrow builders as the body arrives; the schema is inferred from the
    /// first records or given (see [`columnar`](crate::columnar) for the rule and for
    /// what happens to values that do not fit). Pick it to hand records to an analytics
    /// engine without writing a file.
    #[cfg(feature = "parquet")]
    pub async fn record_batches(
        self,
        options: crate::columnar::ColumnarOptions,
    ) -> Result<crate::columnar::RecordBatchStream, Error> {
        self.expect_format(true, "record_batches")?;
        let framed = self.open().await?;
        crate::columnar::RecordBatchStream::open(framed, options).await
    }

    /// Stream the export into a Parquet file at `path` (feature `parquet`), in one pass:
    /// record batches ([`record_batches`](Self::record_batches)) encoded on a thread of
    /// their own, row groups flushed as they fill, zstd by default. Written atomically
    /// like [`save`](Self::save) (same rules for devices, symbolic links and cleanup: a
    /// failed export leaves no file); the summary counts values kept in the catch-all
    /// column ([`ExportSummary::unmapped_values`]).
    #[cfg(feature = "parquet")]
    pub async fn save_parquet(
        self,
        path: impl AsRef<Path>,
        options: crate::columnar::ParquetOptions,
    ) -> Result<ExportSummary, Error> {
        let stream = self
            .record_batches(options.columnar_options().clone())
            .await?;
        crate::output::save_with(path.as_ref(), move |open, name| {
            crate::columnar::write_parquet(stream, open, name, options)
        })
        .await
    }

    /// Stream the export to `path`, every record checked on the way (see
    /// [`bytes`](Self::bytes)). A regular file is written under a temporary name next to
    /// it and renamed at the end, with an existing file's permission bits (and, where
    /// allowed, owner and group) from the moment it is created, so the export is never
    /// readable by more users than the file it replaces; a symbolic link is followed and its target replaced; a
    /// device, FIFO or socket is written in place. On failure, or when the future is
    /// dropped, an existing file is untouched and no temporary file remains.
    pub async fn save(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error> {
        let body = self.bytes().await?;
        crate::output::save(body, path.as_ref()).await
    }

    /// Stream the export's bytes into a writer (e.g. stdout), flushing at the end.
    pub async fn write_to<W>(self, writer: W) -> Result<ExportSummary, Error>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        let body = self.bytes().await?;
        crate::output::write_to(body, writer, "-").await
    }

    /// Stream the export's bytes into a blocking [`std::io::Write`]r that writes from a
    /// dedicated thread in large blocks: the fastest way to a pipe or a file descriptor.
    ///
    /// The thread owns `writer`; chunks reach it through a bounded queue and are
    /// coalesced into writes of up to 1 MiB (what has arrived is written whenever the
    /// queue runs dry, so a slow export still flows). Flushed at the end. If the export
    /// fails, what arrived before the failure is written and flushed, then the error is
    /// returned; a write error is [`Error::Io`] with path `-`. Dropping the future stops
    /// the export and discards what the thread had buffered.
    ///
    /// `std::io::stdout()` works but is line buffered; for a pipe on fd 1, hand over a
    /// `std::fs::File` of a duplicate of it:
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use galileo_export::Client;
    /// # #[cfg(unix)]
    /// use std::os::fd::AsFd;
    ///
    /// let client = Client::from_env()?;
    /// let (project, log_stream) = (uuid::Uuid::nil(), uuid::Uuid::nil());
    /// # #[cfg(unix)]
    /// let stdout = std::fs::File::from(std::io::stdout().as_fd().try_clone_to_owned()?);
    /// # #[cfg(not(unix))]
    /// # let stdout = std::io::stdout();
    /// let summary = client
    ///     .export(project)
    ///     .log_stream(log_stream)
    ///     .write_to_std(stdout)
    ///     .await?;
    /// eprintln!("{} bytes", summary.bytes);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_to_std<W>(self, writer: W) -> Result<ExportSummary, Error>
    where
        W: std::io::Write + Send + 'static,
    {
        let body = self.bytes().await?;
        crate::output::write_to_std(body, writer, "-").await
    }
}
