//! [`MockServer`], the handle of a running server: its addresses, credentials and data
//! set, the fault queue, the recorded requests, and shutdown.
//!
//! Invariant: dropping the handle stops the server; the handle never blocks on the
//! server thread except in [`MockServer::shutdown`] and [`MockServer::shutdown_blocking`].

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use crate::server;
use crate::{Dataset, Fault, RecordedRequest, Rejection, RootType};

/// What a started server thread hands to its [`MockServer`] handle.
pub(crate) struct Launch {
    pub(crate) shared: Arc<server::Shared>,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) stopped: oneshot::Receiver<()>,
    pub(crate) thread: std::thread::JoinHandle<()>,
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
    pub(crate) fn new(l: Launch, addr: SocketAddr) -> Self {
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

    /// Every project served by `GET /projects`, the data set's first.
    pub fn projects(&self) -> &[crate::CatalogEntry] {
        &self.shared.catalog.projects
    }

    /// The log streams of the project, as listed (newest first; the data set's is the
    /// oldest, last).
    pub fn log_streams(&self) -> &[crate::CatalogEntry] {
        &self.shared.catalog.log_streams
    }

    /// The experiments of the project, as listed (newest first).
    pub fn experiments(&self) -> &[crate::CatalogEntry] {
        &self.shared.catalog.experiments
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
