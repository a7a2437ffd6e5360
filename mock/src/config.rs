//! The configuration of a server: [`MockServer::builder`](crate::MockServer::builder)
//! gives a [`MockServerBuilder`], which builds a cloneable [`MockServerConfig`], which
//! starts a [`MockServer`] on its own thread.
//!
//! Invariant: a configuration is plain data; starting it twice gives two identical,
//! independent servers (same data set, credentials and behaviour).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use crate::catalog::{Catalog, CatalogConfig};
use crate::handle::Launch;
use crate::server;
use crate::{ContentCoding, Dataset, DatasetConfig, MockError, MockServer, ResponseContentType};

/// Default API key (also the default bearer token and Basic password).
const DEFAULT_API_KEY: &str = "galileo-mock-api-key";
/// Default HTTP Basic user name.
const DEFAULT_BASIC_USER: &str = "mock-user@example.com";

impl MockServer {
    /// A builder with the defaults (1,000 records per root type, seed 0,
    /// `galileo-mock-api-key`).
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }
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
    catalog: CatalogConfig,
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
                catalog: CatalogConfig::default(),
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

    /// The name of the data set's project (default `mock-project`), listed by
    /// `GET /projects` when the spec has it.
    pub fn project_name(mut self, name: impl Into<String>) -> Self {
        self.cfg.catalog.project_name = name.into();
        self
    }

    /// The name of the data set's log stream (default `default`), the oldest of its
    /// project, so the one chosen when none is named.
    pub fn log_stream_name(mut self, name: impl Into<String>) -> Self {
        self.cfg.catalog.log_stream_name = name.into();
        self
    }

    /// Another project (without records), listed after the data set's; repeatable, and
    /// a name may repeat (for ambiguous names).
    pub fn extra_project(mut self, name: impl Into<String>) -> Self {
        self.cfg.catalog.extra_projects.push(name.into());
        self
    }

    /// Another log stream of the project (without records), younger than the data
    /// set's; repeatable, and a name may repeat.
    pub fn extra_log_stream(mut self, name: impl Into<String>) -> Self {
        self.cfg.catalog.extra_log_streams.push(name.into());
        self
    }

    /// An experiment of the project (without records); repeatable, and a name may
    /// repeat.
    pub fn experiment(mut self, name: impl Into<String>) -> Self {
        self.cfg.catalog.experiments.push(name.into());
        self
    }

    /// The largest page the paginated lists give, whatever `limit` asks (default 100).
    pub fn page_size_cap(mut self, items: u64) -> Self {
        self.cfg.catalog.page_size_cap = items;
        self
    }

    /// Answer every count off by `offset` records (never below 0): the spec says a
    /// count "may be slightly inaccurate", and a client must cope.
    pub fn count_offset(mut self, offset: i64) -> Self {
        self.cfg.catalog.count_offset = offset;
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
        let ds = self.dataset();
        let catalog = Catalog::new(
            &self.catalog,
            self.seed,
            ds.project_id(),
            ds.log_stream_id(),
        );
        let shared = Arc::new(server::Shared {
            ds: Arc::new(ds),
            catalog,
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
