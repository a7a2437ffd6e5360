//! The export request: a builder with the checks types cannot express, the exact JSON it
//! sends, and the ways to consume the answer (records, rows, raw bytes, a file).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::api::types::LogRecordsExportRequest;
use crate::body::{BodyConfig, BodyStream};
use crate::client::Client;
use crate::error::Error;
use crate::filter::Filter;
use crate::progress::{Progress, ProgressFn};
use crate::records::{CsvDecoder, CsvRow, JsonLinesDecoder, RawRecord};
use crate::retry::RetryPolicy;
use crate::stream::{ExportSummary, RecordStream};

/// The spec's description of `column_ids`, quoted when columns are set on a non-CSV export.
const COLUMNS_CSV_ONLY: &str = "Column IDs to include in the export. Applies only to CSV exports.";

/// Which records to export: the root of the step hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootType {
    /// Sessions.
    Session,
    /// Traces (the default).
    #[default]
    Trace,
    /// Spans.
    Span,
}

impl RootType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            RootType::Session => "session",
            RootType::Trace => "trace",
            RootType::Span => "span",
        }
    }
}

impl fmt::Display for RootType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RootType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "session" => Ok(RootType::Session),
            "trace" => Ok(RootType::Trace),
            "span" => Ok(RootType::Span),
            other => Err(Error::InvalidRequest(format!(
                "unknown root type `{other}` (expected session, trace or span)"
            ))),
        }
    }
}

/// The export file format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExportFormat {
    /// JSON Lines (the default).
    #[default]
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Another format a newer spec offers (e.g. `jsonl_flat`), by its wire value.
    /// Formats whose value starts with `jsonl` are decoded as JSON Lines, `csv` as CSV.
    Other(String),
}

impl ExportFormat {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Other(s) => s,
        }
    }

    /// Whether records of this format are JSON Lines.
    pub fn is_json_lines(&self) -> bool {
        self.as_str().starts_with("jsonl")
    }

    /// Whether records of this format are CSV.
    pub fn is_csv(&self) -> bool {
        self.as_str().starts_with("csv")
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "jsonl" => ExportFormat::Jsonl,
            "csv" => ExportFormat::Csv,
            "" => return Err(Error::InvalidRequest("empty export format".into())),
            other => ExportFormat::Other(other.to_string()),
        })
    }
}

/// Where the records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    LogStream(Uuid),
    Experiment(Uuid),
    MetricsTesting(Uuid),
}

impl Source {
    fn field(self) -> (&'static str, Uuid) {
        match self {
            Source::LogStream(id) => ("log_stream_id", id),
            Source::Experiment(id) => ("experiment_id", id),
            Source::MetricsTesting(id) => ("metrics_testing_id", id),
        }
    }
}

/// An export being configured; get one from [`Client::export`].
///
/// Exactly one of [`log_stream`](Self::log_stream), [`experiment`](Self::experiment) or
/// [`metrics_testing`](Self::metrics_testing) must be set. Checks run before anything is
/// sent; [`to_json`](Self::to_json) shows the exact body.
///
/// ```
/// use galileo_export::{Client, ExportFormat, Filter, RootType};
/// use serde_json::json;
///
/// let client = Client::builder().api_key("k").build()?;
/// let project = uuid::Uuid::nil();
/// let stream = uuid::Uuid::from_u128(7);
/// let export = client
///     .export(project)
///     .log_stream(stream)
///     .root_type(RootType::Span)
///     .filter(Filter::number("latency_ms").between(100, 250))
///     .sort("created_at", false)
///     .format(ExportFormat::Csv)
///     .columns(["id", "input", "latency_ms"]);
/// let body = export.to_json()?;
/// assert_eq!(body["root_type"], "span");
/// assert_eq!(body["filters"][0], json!({
///     "type": "number", "column_id": "latency_ms", "operator": "between", "value": [100, 250]
/// }));
/// assert_eq!(body["column_ids"], json!(["id", "input", "latency_ms"]));
/// # Ok::<(), galileo_export::Error>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct ExportBuilder<'c> {
    client: &'c Client,
    project_id: Uuid,
    sources: Vec<Source>,
    root_type: RootType,
    filters: Vec<Filter>,
    sort: Option<(String, bool)>,
    format: ExportFormat,
    columns: Option<Vec<String>>,
    redact: bool,
    file_name: Option<String>,
    extra: Map<String, Value>,
    resume: bool,
    retry: Option<RetryPolicy>,
    max_record_size: u64,
    progress: Option<ProgressFn>,
}

/// The default [`ExportBuilder::max_record_size`]: 128 MiB.
pub const DEFAULT_MAX_RECORD_SIZE: u64 = 128 << 20;

impl fmt::Debug for ExportBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportBuilder")
            .field("project_id", &self.project_id)
            .field("sources", &self.sources)
            .field("root_type", &self.root_type)
            .field("filters", &self.filters)
            .field("sort", &self.sort)
            .field("format", &self.format)
            .field("columns", &self.columns)
            .field("redact", &self.redact)
            .field("file_name", &self.file_name)
            .field("extra", &self.extra)
            .field("resume", &self.resume)
            .field("max_record_size", &self.max_record_size)
            .finish_non_exhaustive()
    }
}

impl<'c> ExportBuilder<'c> {
    pub(crate) fn new(client: &'c Client, project_id: Uuid) -> Self {
        Self {
            client,
            project_id,
            sources: Vec::new(),
            root_type: RootType::default(),
            filters: Vec::new(),
            sort: None,
            format: ExportFormat::default(),
            columns: None,
            redact: true,
            file_name: None,
            extra: Map::new(),
            resume: false,
            retry: None,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            progress: None,
        }
    }

    /// Export from a log stream.
    pub fn log_stream(mut self, id: Uuid) -> Self {
        self.sources.push(Source::LogStream(id));
        self
    }

    /// Export from an experiment.
    pub fn experiment(mut self, id: Uuid) -> Self {
        self.sources.push(Source::Experiment(id));
        self
    }

    /// Export from a metrics-testing run.
    pub fn metrics_testing(mut self, id: Uuid) -> Self {
        self.sources.push(Source::MetricsTesting(id));
        self
    }

    /// Sessions, traces (default) or spans.
    pub fn root_type(mut self, root_type: RootType) -> Self {
        self.root_type = root_type;
        self
    }

    /// Add a filter (repeatable; all filters must match).
    pub fn filter(mut self, filter: impl Into<Filter>) -> Self {
        self.filters.push(filter.into());
        self
    }

    /// Add several filters.
    pub fn filters<I, F>(mut self, filters: I) -> Self
    where
        I: IntoIterator<Item = F>,
        F: Into<Filter>,
    {
        self.filters.extend(filters.into_iter().map(Into::into));
        self
    }

    /// Sort by a column. Default: the server's native sort (`created_at`, `id` descending).
    pub fn sort(mut self, column: impl Into<String>, ascending: bool) -> Self {
        self.sort = Some((column.into(), ascending));
        self
    }

    /// The file format. Default [`ExportFormat::Jsonl`].
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.format = format;
        self
    }

    /// The columns of a CSV export, in order. Only for CSV.
    pub fn columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Redact sensitive data (default `true`).
    pub fn redact(mut self, redact: bool) -> Self {
        self.redact = redact;
        self
    }

    /// The file name the server gives the export.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Set any other request field by its wire name, for fields a newer spec adds
    /// (e.g. `export_computed_metrics_only`). It must exist in the generated request type.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// If the stream is cut after records were delivered, re-issue the export narrowed
    /// to what remains (keyset on `created_at`, `id`) so every record is seen exactly once.
    /// Needs JSON Lines and the native sort (or `created_at` descending).
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// The largest record (one JSON Lines line, one CSV record) the export may hold in
    /// memory; a larger one fails the export with [`Error::RecordTooLarge`] instead of
    /// growing memory without bound. Default [`DEFAULT_MAX_RECORD_SIZE`] (128 MiB).
    pub fn max_record_size(mut self, bytes: u64) -> Self {
        self.max_record_size = bytes;
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
        &self.format
    }

    fn check(&self) -> Result<(), Error> {
        match self.sources.as_slice() {
            [_] => {}
            [] => {
                return Err(Error::InvalidRequest(
                    "choose what to export from: .log_stream(id), .experiment(id) or .metrics_testing(id)".into(),
                ))
            }
            several => {
                let names: Vec<&str> = several.iter().map(|s| s.field().0).collect();
                return Err(Error::InvalidRequest(format!(
                    "exactly one of log_stream_id, experiment_id, metrics_testing_id may be set (got {})",
                    names.join(", ")
                )));
            }
        }
        for filter in &self.filters {
            filter.validate()?;
        }
        if let Some(columns) = &self.columns {
            if !self.format.is_csv() {
                return Err(Error::InvalidRequest(format!(
                    "columns were set for a {} export, but the spec says: \"{COLUMNS_CSV_ONLY}\"",
                    self.format
                )));
            }
            if columns.is_empty() {
                return Err(Error::InvalidRequest("columns: the list is empty".into()));
            }
            if let Some(c) = columns.iter().find(|c| c.trim().is_empty()) {
                return Err(Error::InvalidRequest(format!(
                    "columns: `{c}` is not a column id"
                )));
            }
        }
        if let Some((column, _)) = &self.sort {
            if column.trim().is_empty() {
                return Err(Error::InvalidRequest("sort: the column id is empty".into()));
            }
        }
        if self
            .file_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(Error::InvalidRequest("file_name is empty".into()));
        }
        if self.resume {
            if !self.format.is_json_lines() {
                return Err(Error::InvalidRequest(format!(
                    "resume needs a JSON Lines export (records carry created_at and id); this one is {}",
                    self.format
                )));
            }
            if let Some((column, ascending)) = &self.sort {
                if column != "created_at" || *ascending {
                    return Err(Error::InvalidRequest(format!(
                        "resume needs the native sort (created_at, id descending) to continue where a cut left off; \
                         sorting by `{column}` {} has no unique key to resume from",
                        if *ascending { "ascending" } else { "descending" }
                    )));
                }
            }
        }
        Ok(())
    }

    /// The request body as JSON, before it is checked against the generated type.
    fn body_json(&self) -> Result<Value, Error> {
        let mut body = Map::new();
        if let [source] = self.sources.as_slice() {
            let (field, id) = source.field();
            body.insert(field.into(), Value::String(id.to_string()));
        }
        body.insert("root_type".into(), json!(self.root_type.as_str()));
        body.insert("export_format".into(), json!(self.format.as_str()));
        body.insert("redact".into(), json!(self.redact));
        if !self.filters.is_empty() {
            let filters = serde_json::to_value(&self.filters).map_err(|e| {
                Error::InvalidRequest(format!("a filter cannot be serialized: {e}"))
            })?;
            body.insert("filters".into(), filters);
        }
        if let Some((column, ascending)) = &self.sort {
            body.insert(
                "sort".into(),
                json!({"column_id": column, "ascending": ascending, "sort_type": "column"}),
            );
        }
        if let Some(columns) = &self.columns {
            body.insert("column_ids".into(), json!(columns));
        }
        if let Some(name) = &self.file_name {
            body.insert("file_name".into(), json!(name));
        }
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        Ok(Value::Object(body))
    }

    /// The checked request, as the generated type.
    pub fn request(&self) -> Result<LogRecordsExportRequest, Error> {
        self.check()?;
        typed_request(&self.body_json()?, &self.extra)
    }

    /// The exact JSON body that will be sent.
    pub fn to_json(&self) -> Result<Value, Error> {
        let request = self.request()?;
        serde_json::to_value(&request)
            .map_err(|e| Error::InvalidRequest(format!("the request cannot be serialized: {e}")))
    }

    fn body_config(&self, raw_consumer: bool) -> Result<BodyConfig, Error> {
        let request = self.request()?;
        let body = serde_json::to_value(&request)
            .map_err(|e| Error::InvalidRequest(format!("the request cannot be serialized: {e}")))?;
        Ok(BodyConfig {
            client: self.client.clone(),
            project_id: self.project_id,
            body,
            extra: self.extra.clone(),
            format: self.format.clone(),
            raw_consumer,
            resume: self.resume,
            retry: self
                .retry
                .clone()
                .unwrap_or_else(|| self.client.retry_policy().clone()),
            max_record_size: self.max_record_size,
            progress: self.progress.clone(),
        })
    }

    /// Send the request and return the body as a stream of raw byte chunks, exactly as
    /// the server sent them (retries and resume applied). Nothing wrong passes silently:
    /// for JSON Lines every line is checked to be one JSON value in valid UTF-8 (a bad one
    /// is an [`Error::Record`] with its line number, after the lines before it); for CSV
    /// the body must end outside quotes after a line break; a body that ends inside a
    /// record is an [`Error::Cut`]; an answer that is not an export is
    /// [`Error::NotAnExport`].
    pub async fn bytes(self) -> Result<BodyStream, Error> {
        BodyStream::open(self.body_config(true)?).await
    }

    /// The body for a record decoder, which counts the records itself.
    async fn body_for_decoder(self) -> Result<BodyStream, Error> {
        BodyStream::open(self.body_config(false)?).await
    }

    /// JSON Lines records as `serde_json::Map`s, the default representation.
    pub async fn records(
        self,
    ) -> Result<RecordStream<JsonLinesDecoder<Map<String, Value>>>, Error> {
        self.json_records().await
    }

    /// JSON Lines records deserialized into your type.
    pub async fn records_as<T: DeserializeOwned>(
        self,
    ) -> Result<RecordStream<JsonLinesDecoder<T>>, Error> {
        self.json_records().await
    }

    /// JSON Lines records as validated raw JSON ([`RawRecord`]): the fastest way to read
    /// an export; parse only what you need with [`RawRecord::parse`].
    pub async fn raw_records(self) -> Result<RecordStream<JsonLinesDecoder<RawRecord>>, Error> {
        self.json_records().await
    }

    async fn json_records<T: crate::records::FromJsonLine>(
        self,
    ) -> Result<RecordStream<JsonLinesDecoder<T>>, Error> {
        let body = self.bytes_for_json().await?;
        Ok(RecordStream::new(body, JsonLinesDecoder::<T>::default()))
    }

    /// The body of a JSON Lines export (an error for other formats).
    pub(crate) async fn bytes_for_json(self) -> Result<BodyStream, Error> {
        if !self.format.is_json_lines() {
            return Err(Error::InvalidRequest(format!(
                "records() reads JSON Lines, but this export is {}: use csv_rows(), bytes() or save()",
                self.format
            )));
        }
        self.body_for_decoder().await
    }

    /// CSV rows keyed by the header.
    pub async fn csv_rows(self) -> Result<RecordStream<CsvDecoder<CsvRow>>, Error> {
        self.csv().await
    }

    /// CSV rows as plain field lists (the header row is not yielded; see
    /// [`RecordStream::csv_header`]).
    pub async fn csv_raw_rows(self) -> Result<RecordStream<CsvDecoder<Vec<String>>>, Error> {
        self.csv().await
    }

    async fn csv<R: crate::records::FromCsvRecord>(
        self,
    ) -> Result<RecordStream<CsvDecoder<R>>, Error> {
        if !self.format.is_csv() {
            return Err(Error::InvalidRequest(format!(
                "csv_rows() reads CSV, but this export is {}: use records(), bytes() or save()",
                self.format
            )));
        }
        let body = self.body_for_decoder().await?;
        Ok(RecordStream::new(body, CsvDecoder::<R>::default()))
    }

    /// Stream the export to `path`, every record checked on the way (see
    /// [`bytes`](Self::bytes)). A regular file is written under a temporary name next to
    /// it and renamed at the end, keeping an existing file's permission bits (and, where
    /// allowed, owner and group); a symbolic link is followed and its target replaced; a
    /// device, FIFO or socket is written in place. On failure, or when the future is
    /// dropped, an existing file is untouched and no temporary file remains.
    pub async fn save(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error> {
        let body = self.bytes().await?;
        crate::stream::save(body, path.as_ref()).await
    }

    /// Stream the export's bytes into a writer (e.g. stdout), flushing at the end.
    pub async fn write_to<W>(self, writer: W) -> Result<ExportSummary, Error>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        let body = self.bytes().await?;
        crate::stream::write_to(body, writer, "-").await
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
        crate::stream::write_to_std(body, writer, "-").await
    }
}

/// Convert a JSON body to the generated request type, checking that every extra field
/// exists in it.
pub(crate) fn typed_request(
    body: &Value,
    extra: &Map<String, Value>,
) -> Result<LogRecordsExportRequest, Error> {
    let request: LogRecordsExportRequest = serde_json::from_value(body.clone()).map_err(|e| {
        Error::InvalidRequest(format!(
            "the request does not fit the spec's LogRecordsExportRequest: {e}"
        ))
    })?;
    if !extra.is_empty() {
        let back = serde_json::to_value(&request)
            .map_err(|e| Error::InvalidRequest(format!("the request cannot be serialized: {e}")))?;
        for name in extra.keys() {
            if back.get(name).is_none() {
                return Err(Error::InvalidRequest(format!(
                    "`{name}` is not a field of LogRecordsExportRequest in this spec ({})",
                    crate::spec::SPEC_FILE
                )));
            }
        }
    }
    Ok(request)
}
