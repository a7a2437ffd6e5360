//! A faithful local Galileo server for tests, demos and benchmarks of
//! [`galileo_export`].
//!
//! Add it as a dev-dependency next to `galileo-export`:
//!
//! ```toml
//! [dev-dependencies]
//! galileo-export-mock = "0.1"
//! ```
//!
//! [`MockServer`] serves the spec's `export_records` operation (path and
//! method come from the generated [`galileo_export::spec`] constants, never hard-coded)
//! over plain HTTP on `127.0.0.1` with an ephemeral port, on a dedicated thread
//! with its own Tokio runtime, so it works from `#[tokio::test]`, from
//! blocking code and from benchmarks alike, and keeps serving while the
//! caller's runtime is busy.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use galileo_export_mock::{Fault, MockServer, RootType};
//!
//! let server = MockServer::builder()
//!     .records(10_000)
//!     .seed(42)
//!     .api_key("secret")
//!     .build()
//!     .start()
//!     .await?;
//! server.push_fault(Fault::status(503).with_retry_after("1"));
//! server.push_fault(Fault::cut_after(10_000));
//! // third request succeeds
//! let body = server.request_json(RootType::Trace);
//! let expected = server.expected_records(&body)?;
//! assert_eq!(expected.len(), 10_000);
//! println!("POST {}", server.export_url());
//! # Ok(()) }
//! ```
//!
//! # What it checks, in FastAPI's order
//!
//! 1. A body that is not JSON (with a JSON or missing content type) → 422
//!    `json_invalid` (FastAPI parses the body before running dependencies).
//! 2. Authentication → 401 `{"detail": "Not authenticated"}` without
//!    credentials, `{"detail": "Could not validate credentials"}` with wrong
//!    ones. Accepted: the spec's API-key header
//!    ([`galileo_export::spec::security::API_KEY_HEADER`]) carrying the API key,
//!    `Authorization: Bearer <token>` (if the spec declares bearer auth), and
//!    HTTP Basic (if declared).
//! 3. A well-formed but foreign `project_id` → 404 `{"detail": "Project … not found"}`.
//! 4. Path and body validation → 422 with pydantic v2 errors
//!    (`{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}`); see below.
//! 5. A run id (log stream / experiment / metrics testing) other than this data
//!    set's → 404; unknown columns, filters on columns of another kind,
//!    unsortable columns and `fully_annotated` → 400 `{"detail": "..."}`.
//!
//! Body validation follows the spec's `LogRecordsExportRequest`: `root_type`
//! required (`session|trace|span`), `export_format` `csv|jsonl` (default
//! `jsonl`), `redact` (default true), `file_name`, `column_ids` (CSV only),
//! `sort` (`column_id` required, `ascending` default true, `sort_type` the
//! literal `column`), and `filters`, a union discriminated by `type` (an unknown
//! tag gives `union_tag_invalid` listing the expected tags; errors inside a
//! filter are located at `["body", "filters", i, "<tag>", field]` as pydantic
//! v2 does). Each filter kind has its own operator enum: the kinds, their
//! operators and defaults are the library's vocabulary
//! ([`galileo_export::filter::FilterKind`]). Model-level checks
//! (`value_error`): exactly one of `log_stream_id`, `experiment_id`,
//! `metrics_testing_id`; `between` needs `[lo, hi]`; scalar operators reject
//! lists. For `id` filters, `eq`/`ne`/`one_of`/`not_in` values must parse as
//! UUIDs (`uuid_parsing` at the value); `contains` takes any substring.
//! Request-body ids (`log_stream_id` …) and the `project_id` path parameter
//! are `uuid4`: a non-UUID is `uuid_parsing`, another UUID version
//! `uuid_version`.
//!
//! # Data
//!
//! See [`Dataset`] for the record layout and the native order, and
//! [`Dataset::export_records`] for the columns and the filter/sort semantics.
//!
//! # Response
//!
//! `200` with a chunked body (~64 KiB chunks, written without building the
//! export in memory): JSONL is one compact JSON object per line terminated by
//! `\n`; CSV is a header of the column ids then one row per record, RFC 4180
//! quoting (fields with `,` `"` CR or LF are quoted, quotes doubled), `\r\n`
//! line ends, nested values as compact JSON text, nulls empty. The
//! `Content-Type` is `application/json` by default — the only 200 media type
//! the published spec/docs declare for this operation — see
//! [`ResponseContentType`] for the alternatives. When `file_name` is given a
//! `Content-Disposition: attachment; filename="<file_name>.<ext>"` header is
//! added.

#![warn(missing_docs)]

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod data;
mod encoding;
pub mod hostile;
mod query;
mod server;
mod stream;
mod text;
mod validate;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

pub use data::{Dataset, DatasetConfig, RootType, REGIONS, TAGS};
pub use encoding::ContentCoding;
pub use text::REDACTED;

/// Default API key (also the default bearer token and Basic password).
const DEFAULT_API_KEY: &str = "galileo-mock-api-key";
/// Default HTTP Basic user name.
const DEFAULT_BASIC_USER: &str = "mock-user@example.com";

/// Errors starting the mock server.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The generated spec has no `export_records` operation.
    #[error("the OpenAPI spec has no `export_records` operation")]
    MissingOperation,
    /// The spec's method for the operation is not a method axum can route.
    #[error("unsupported HTTP method `{0}` for export_records")]
    UnsupportedMethod(String),
    /// Binding the listener or starting the runtime/thread failed.
    #[error("mock server I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server thread ended before reporting its address.
    #[error("the mock server thread exited during startup")]
    Startup,
}

/// A non-200 outcome of an export request: the HTTP status and the JSON body
/// the server sends (`{"detail": ...}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// HTTP status code (400, 401, 404 or 422).
    pub status: u16,
    /// Response body.
    pub body: Value,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.body)
    }
}

impl std::error::Error for Rejection {}

/// A misbehaviour injected into one response.
///
/// Faults queue up with [`MockServer::push_fault`] and each request to the
/// export endpoint consumes exactly one (in push order), whatever its
/// outcome; with an empty queue requests behave normally. Byte counts refer
/// to body bytes (headers excluded).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// No fault: the request behaves normally (a placeholder in a sequence).
    None,
    /// Answer with `status` before any other check, with an optional
    /// `Retry-After` header value and body (default
    /// `{"detail": "<reason phrase>"}`, content type `application/json`).
    Status {
        /// HTTP status code.
        status: u16,
        /// `Retry-After` header value (seconds or an HTTP date), if any.
        retry_after: Option<String>,
        /// Body to send instead of the default JSON detail.
        body: Option<String>,
        /// Content type of `body` (default `application/json`).
        content_type: Option<String>,
    },
    /// Wait this long before handling the request (response headers are
    /// delayed; useful for timeouts). Then behave normally.
    Delay(Duration),
    /// Stream normally, then abort the connection after this many body bytes
    /// (a chunked body without its terminating chunk). If the body is shorter
    /// the connection is still aborted instead of terminating it.
    CutAfter(u64),
    /// Declare `Content-Length: declared` (instead of chunked), send only
    /// `sent` bytes (at most `declared - 1`, fewer if the export is shorter),
    /// then close the connection.
    ShortBody {
        /// Body bytes actually sent.
        sent: u64,
        /// The announced `Content-Length`.
        declared: u64,
    },
    /// Send `bytes` body bytes, then send nothing while keeping the connection
    /// open, for `resume_after` (then continue normally) or, when `None`, until
    /// the server shuts down (then the connection is aborted).
    StallAfter {
        /// Body bytes sent before stalling.
        bytes: u64,
        /// How long to stall; `None` = until shutdown.
        resume_after: Option<Duration>,
    },
    /// Send the body in pieces of at most `chunk_size` bytes with `delay`
    /// between pieces.
    SlowDrip {
        /// Maximum piece size in bytes.
        chunk_size: usize,
        /// Pause between pieces.
        delay: Duration,
    },
    /// Replace output record `n` (0-based, after filtering and sorting) with a
    /// malformed line: invalid JSON for JSONL, a row with one field too many
    /// for CSV.
    MalformedLine(u64),
}

impl Fault {
    /// [`Fault::Status`] with the default body and no `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
            body: None,
            content_type: None,
        }
    }

    /// Adds a `Retry-After` value to a [`Fault::Status`] (no-op otherwise).
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Self {
        if let Fault::Status { retry_after, .. } = &mut self {
            *retry_after = Some(value.into());
        }
        self
    }

    /// Sets the body (and its content type) of a [`Fault::Status`] (no-op
    /// otherwise).
    pub fn with_body(mut self, new_body: impl Into<String>, new_content_type: &str) -> Self {
        if let Fault::Status {
            body, content_type, ..
        } = &mut self
        {
            *body = Some(new_body.into());
            *content_type = Some(new_content_type.to_string());
        }
        self
    }

    /// [`Fault::CutAfter`].
    pub fn cut_after(bytes: u64) -> Self {
        Fault::CutAfter(bytes)
    }

    /// [`Fault::ShortBody`] announcing 64 KiB more than it sends.
    pub fn short_body(sent: u64) -> Self {
        Fault::ShortBody {
            sent,
            declared: sent + 64 * 1024,
        }
    }

    /// [`Fault::StallAfter`] until shutdown.
    pub fn stall_after(bytes: u64) -> Self {
        Fault::StallAfter {
            bytes,
            resume_after: None,
        }
    }

    /// [`Fault::SlowDrip`].
    pub fn slow_drip(chunk_size: usize, delay: Duration) -> Self {
        Fault::SlowDrip { chunk_size, delay }
    }

    /// [`Fault::MalformedLine`].
    pub fn malformed_line(record: u64) -> Self {
        Fault::MalformedLine(record)
    }
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path (without the query string).
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercase (values decoded lossily).
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    /// The raw body bytes.
    pub raw_body: Bytes,
    /// The fault this request consumed, if any.
    pub fault: Option<Fault>,
    /// Status code of the response (0 if the response was not produced).
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The `Content-Type` of successful export responses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ResponseContentType {
    /// `application/json` for both formats: the only 200 media type the
    /// published spec and docs page declare for this operation. A client
    /// should frame the body by the `export_format` it requested, not by this.
    #[default]
    Documented,
    /// `application/jsonl` for JSONL and `text/csv; charset=utf-8` for CSV.
    PerFormat,
    /// Explicit values per format.
    Custom {
        /// Content type of JSONL exports.
        jsonl: String,
        /// Content type of CSV exports.
        csv: String,
    },
}

/// Builder of a [`MockServerConfig`]; see [`MockServer::builder`].
#[derive(Clone, Debug)]
pub struct MockServerBuilder {
    cfg: MockServerConfig,
}

/// Everything needed to start a [`MockServer`] (cloneable, so one
/// configuration can start several identical servers).
#[derive(Clone, Debug)]
pub struct MockServerConfig {
    seed: u64,
    counts: (u64, u64, u64),
    project_id: Option<Uuid>,
    log_stream_id: Option<Uuid>,
    text_len: (usize, usize),
    api_key: String,
    bearer: Option<String>,
    basic: Option<(String, String)>,
    require_auth: bool,
    content_type: ResponseContentType,
    prerender: bool,
    worker_threads: usize,
    content_codings: Vec<ContentCoding>,
    rate_limit: Option<u64>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            cfg: MockServerConfig {
                seed: 0,
                counts: (1_000, 1_000, 1_000),
                project_id: None,
                log_stream_id: None,
                text_len: (200, 900),
                api_key: DEFAULT_API_KEY.to_string(),
                bearer: None,
                basic: None,
                require_auth: true,
                content_type: ResponseContentType::default(),
                prerender: false,
                worker_threads: 1,
                content_codings: ContentCoding::ALL.to_vec(),
                rate_limit: None,
            },
        }
    }
}

impl MockServerBuilder {
    /// Number of records of every root type (default 1,000). Any size works:
    /// records are generated on the fly from `(seed, index)`.
    pub fn records(mut self, n: u64) -> Self {
        self.cfg.counts = (n, n, n);
        self
    }

    /// Number of sessions, traces and spans separately.
    pub fn root_counts(mut self, sessions: u64, traces: u64, spans: u64) -> Self {
        self.cfg.counts = (sessions, traces, spans);
        self
    }

    /// Seed of the data set (default 0). The same seed gives byte-identical
    /// exports.
    pub fn seed(mut self, seed: u64) -> Self {
        self.cfg.seed = seed;
        self
    }

    /// Expected API key (default `galileo-mock-api-key`); also the default bearer
    /// token and Basic password.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.cfg.api_key = key.into();
        self
    }

    /// Expected `Authorization: Bearer` token (default: the API key).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.cfg.bearer = Some(token.into());
        self
    }

    /// Expected HTTP Basic credentials (default: `mock-user@example.com` and
    /// the API key).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.cfg.basic = Some((user.into(), password.into()));
        self
    }

    /// Whether credentials are required (default true).
    pub fn require_auth(mut self, required: bool) -> Self {
        self.cfg.require_auth = required;
        self
    }

    /// Project id (default: derived from the seed).
    pub fn project_id(mut self, id: Uuid) -> Self {
        self.cfg.project_id = Some(id);
        self
    }

    /// Log stream id (default: derived from the seed).
    pub fn log_stream_id(mut self, id: Uuid) -> Self {
        self.cfg.log_stream_id = Some(id);
        self
    }

    /// Approximate length range in bytes of each of `input` and `output`
    /// (default 200..=900, i.e. records of ~1–2 KB).
    pub fn text_len(mut self, min: usize, max: usize) -> Self {
        self.cfg.text_len = (min, max);
        self
    }

    /// `Content-Type` of successful responses (default
    /// [`ResponseContentType::Documented`]).
    pub fn content_type(mut self, ct: ResponseContentType) -> Self {
        self.cfg.content_type = ct;
        self
    }

    /// Cache pre-rendered chunks of unfiltered, natively ordered JSONL exports
    /// (per root type and `redact`), so repeated exports are served by
    /// reference-counted copies. The first such request renders the whole
    /// export into memory. For benchmarks; default off.
    pub fn prerender(mut self, on: bool) -> Self {
        self.cfg.prerender = on;
        self
    }

    /// Runtime worker threads of the server (default 1: a current-thread
    /// runtime on the server's own thread).
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.cfg.worker_threads = n.max(1);
        self
    }

    /// The codings an export body may be compressed with when the request's
    /// `Accept-Encoding` allows, in the server's order of preference (default
    /// [`ContentCoding::ALL`]: zstd, gzip, brotli). Empty: never compress. Each body
    /// chunk is compressed and flushed on its own, so faults act on the same records
    /// whether or not the body is compressed.
    pub fn content_codings(mut self, codings: impl IntoIterator<Item = ContentCoding>) -> Self {
        self.cfg.content_codings = codings.into_iter().collect();
        self
    }

    /// Send every export body at most this many bytes per second, counted on the wire
    /// (after compression): a slow link, for benchmarks of compressed transfer. Default:
    /// no limit.
    pub fn rate_limit(mut self, bytes_per_second: u64) -> Self {
        self.cfg.rate_limit = Some(bytes_per_second.max(1));
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> MockServerConfig {
        self.cfg
    }

    /// Shortcut for `self.build().start()`.
    pub async fn start(self) -> Result<MockServer, MockError> {
        self.cfg.start().await
    }
}

struct Launch {
    shared: Arc<server::Shared>,
    shutdown: watch::Sender<bool>,
    stopped: oneshot::Receiver<()>,
    thread: std::thread::JoinHandle<()>,
}

impl MockServerConfig {
    /// The data set this configuration serves.
    fn dataset(&self) -> Dataset {
        let mut d = DatasetConfig::new(self.seed, 0);
        (d.sessions, d.traces, d.spans) = self.counts;
        if let Some(p) = self.project_id {
            d.project_id = p;
        }
        if let Some(l) = self.log_stream_id {
            d.log_stream_id = l;
        }
        d.text_len = self.text_len;
        Dataset::new(d)
    }

    fn launch(
        self,
    ) -> Result<(Launch, oneshot::Receiver<Result<SocketAddr, MockError>>), MockError> {
        let (op_path, op_method) = server::export_operation()?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let bearer = self.bearer.clone().unwrap_or_else(|| self.api_key.clone());
        let basic = self
            .basic
            .clone()
            .unwrap_or_else(|| (DEFAULT_BASIC_USER.to_string(), self.api_key.clone()));
        let shared = Arc::new(server::Shared {
            ds: Arc::new(self.dataset()),
            auth: server::AuthConfig {
                required: self.require_auth,
                api_key: self.api_key.clone(),
                bearer,
                basic,
            },
            content_type: self.content_type.clone(),
            prerender: self.prerender,
            cache: Mutex::new(HashMap::new()),
            faults: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            shutdown: shutdown_rx.clone(),
            op_path,
            op_method,
            content_codings: self.content_codings.clone(),
            rate_limit: self.rate_limit,
        });
        let (ready_tx, ready_rx) = oneshot::channel();
        let (stopped_tx, stopped_rx) = oneshot::channel();
        let thread = server::spawn(
            Arc::clone(&shared),
            self.worker_threads,
            shutdown_rx,
            ready_tx,
            stopped_tx,
        )?;
        Ok((
            Launch {
                shared,
                shutdown: shutdown_tx,
                stopped: stopped_rx,
                thread,
            },
            ready_rx,
        ))
    }

    /// Starts the server on its own thread and waits until it listens.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let (launch, ready) = self.launch()?;
        let addr = ready.await.map_err(|_| MockError::Startup)??;
        Ok(MockServer::new(launch, addr))
    }

    /// Blocking variant of [`MockServerConfig::start`] for synchronous code.
    /// Must not be called from within an async context.
    pub fn start_blocking(self) -> Result<MockServer, MockError> {
        let (launch, ready) = self.launch()?;
        let addr = ready.blocking_recv().map_err(|_| MockError::Startup)??;
        Ok(MockServer::new(launch, addr))
    }
}

/// A running mock Galileo server. Dropping it stops the server (in-flight
/// responses are aborted); [`MockServer::shutdown`] also waits for it.
pub struct MockServer {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    base_url: String,
    shutdown: watch::Sender<bool>,
    stopped: Option<oneshot::Receiver<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id())
            .field("log_stream_id", &self.log_stream_id())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// A builder with the defaults (1,000 records per root type, seed 0,
    /// `galileo-mock-api-key`).
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    fn new(l: Launch, addr: SocketAddr) -> Self {
        MockServer {
            shared: l.shared,
            addr,
            base_url: format!("http://{addr}"),
            shutdown: l.shutdown,
            stopped: Some(l.stopped),
            thread: Some(l.thread),
        }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The export path for this server's project, e.g.
    /// `/v2/projects/<project_id>/export_records` (from the spec).
    pub fn export_path(&self) -> String {
        server::fill_path(self.shared.op_path, &self.project_id().to_string())
    }

    /// `base_url() + export_path()`.
    pub fn export_url(&self) -> String {
        format!("{}{}", self.base_url, self.export_path())
    }

    /// The project owning the data set.
    pub fn project_id(&self) -> Uuid {
        self.shared.ds.project_id()
    }

    /// The log stream owning the data set.
    pub fn log_stream_id(&self) -> Uuid {
        self.shared.ds.log_stream_id()
    }

    /// The data set is also addressable as an experiment, and as a metrics
    /// testing run, under this same id (the request must name it in exactly
    /// one of `log_stream_id`, `experiment_id`, `metrics_testing_id`).
    pub fn experiment_id(&self) -> Uuid {
        self.shared.ds.log_stream_id()
    }

    /// The accepted API key.
    pub fn api_key(&self) -> &str {
        &self.shared.auth.api_key
    }

    /// The accepted bearer token.
    pub fn bearer_token(&self) -> &str {
        &self.shared.auth.bearer
    }

    /// The accepted HTTP Basic (user, password).
    pub fn basic_credentials(&self) -> (&str, &str) {
        (&self.shared.auth.basic.0, &self.shared.auth.basic.1)
    }

    /// The API-key header name the server checks (from the spec).
    pub fn api_key_header(&self) -> Option<&'static str> {
        galileo_export::spec::security::API_KEY_HEADER
    }

    /// The served data set.
    pub fn dataset(&self) -> &Dataset {
        &self.shared.ds
    }

    /// A minimal valid request body: `{"root_type": root, "log_stream_id": <id>}`.
    pub fn request_json(&self, root: RootType) -> Value {
        serde_json::json!({
            "root_type": root.as_str(),
            "log_stream_id": self.log_stream_id().to_string(),
        })
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        server::lock(&self.shared.requests).clone()
    }

    /// Number of requests received so far.
    pub fn request_count(&self) -> usize {
        server::lock(&self.shared.requests).len()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        server::lock(&self.shared.requests).clear();
    }

    /// Queues a fault for a future request (consumed one per request, in
    /// order).
    pub fn push_fault(&self, fault: Fault) {
        server::lock(&self.shared.faults).push_back(fault);
    }

    /// Queues several faults.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        server::lock(&self.shared.faults).extend(faults);
    }

    /// Faults still queued.
    pub fn pending_faults(&self) -> usize {
        server::lock(&self.shared.faults).len()
    }

    /// Drops all queued faults.
    pub fn clear_faults(&self) {
        server::lock(&self.shared.faults).clear();
    }

    /// The exact body a fault-free request with this JSON body would receive
    /// (see [`Dataset::export`]).
    pub fn expected_body(&self, request: &Value) -> Result<Vec<u8>, Rejection> {
        self.shared.ds.export(request)
    }

    /// The records a fault-free request with this JSON body would receive, in
    /// order, as JSON objects (see [`Dataset::export_records`]).
    pub fn expected_records(&self, request: &Value) -> Result<Vec<Value>, Rejection> {
        self.shared.ds.export_records(request)
    }

    /// Stops the server and waits until its thread has finished.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(rx) = self.stopped.take() {
            let _ = rx.await;
        }
    }

    /// Blocking variant of [`MockServer::shutdown`] (not from an async context).
    pub fn shutdown_blocking(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl Dataset {
    /// The exact body a fault-free export request with JSON body `request`
    /// would receive from a server holding this data set, or the rejection
    /// (status and JSON body) it would get. No authentication or project
    /// check is involved.
    ///
    /// Filters, sort and columns behave as described on [`Dataset::export_records`].
    pub fn export(&self, request: &Value) -> Result<Vec<u8>, Rejection> {
        let mut plan = server::prepare(self, None, Some(request))?;
        plan.materialize(self);
        Ok(stream::render_all(Arc::new(self.clone()), Arc::new(plan)))
    }

    /// The records an export request would return, in order, as JSON objects
    /// (whatever the requested format; `column_ids` is ignored).
    ///
    /// Semantics:
    /// * columns: the uuid columns `id`, `session_id`, `trace_id`,
    ///   `parent_id`, `project_id`, `log_stream_id`; dates `created_at`,
    ///   `updated_at`; text `type`, `name`, `input`, `output`,
    ///   `user_metadata.{user_id,region,model,locale}`; numbers `latency_ms`,
    ///   `cost`, `status_code`, `metrics.{latency_ms,cost,num_input_tokens,
    ///   num_output_tokens,num_total_tokens}`; boolean `has_error`; collection
    ///   `tags`; objects `metrics`, `user_metadata` (CSV only).
    /// * nulls match no filter operator (SQL semantics), not even `ne`.
    /// * `text` filters (also usable on uuid columns): `eq`, `ne`, `contains`
    ///   (substring), `one_of`, `not_in`; `case_sensitive: false` lowercases.
    /// * `number`: comparisons, `between [lo, hi]` inclusive.
    /// * `date`: comparisons at microsecond precision; naive times are UTC.
    /// * `id`: `eq`/`ne`/`one_of`/`not_in` on UUIDs, `contains` substring of
    ///   the hyphenated form.
    /// * `collection` (`tags`): `eq` same set, `contains` all of, `one_of` any
    ///   of, `not_in` none of.
    /// * `fully_annotated`: 400 (it needs an annotation queue context).
    /// * sort: by the column then by `id`, both in the requested direction;
    ///   nulls last ascending, first descending. No sort, or `created_at`
    ///   descending, is the native order.
    pub fn export_records(&self, request: &Value) -> Result<Vec<Value>, Rejection> {
        let mut plan = server::prepare(self, None, Some(request))?;
        plan.format = validate::ExportFormat::Jsonl;
        plan.materialize(self);
        let body = stream::render_all(Arc::new(self.clone()), Arc::new(plan));
        Ok(body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_sync() {
        fn is<T: Send + Sync>() {}
        is::<MockServer>();
        is::<Dataset>();
        is::<Fault>();
        is::<RecordedRequest>();
    }
}
