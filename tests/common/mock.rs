//! The local Galileo server (`galileo-export-mock`), clients pointed at it and the
//! export every test starts from.

use std::time::Duration;

use galileo_export::{Client, ClientBuilder, ExportBuilder, RetryPolicy};
use galileo_export_mock::MockServer;

/// A server with `records` records generated from `seed`, started on the caller's
/// runtime.
pub async fn server(records: u64, seed: u64) -> MockServer {
    MockServer::builder()
        .records(records)
        .seed(seed)
        .start()
        .await
        .expect("mock server starts")
}

/// [`server`] for synchronous tests: the server runs on a thread of its own.
pub fn server_blocking(records: u64, seed: u64) -> MockServer {
    MockServer::builder()
        .records(records)
        .seed(seed)
        .build()
        .start_blocking()
        .expect("mock server starts")
}

/// A client builder pointed at `server`, with its API key.
pub fn client_builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
}

/// Retries that do not slow a test down: the default attempts, `initial_backoff`
/// between them, no jitter.
pub fn quick_retries(initial_backoff: Duration) -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(initial_backoff)
        .jitter(false)
}

/// A client for `server` with [`quick_retries`] and, if given, a read timeout.
pub fn client(
    server: &MockServer,
    read_timeout: Option<Duration>,
    initial_backoff: Duration,
) -> Client {
    let mut builder = client_builder(server).retry(quick_retries(initial_backoff));
    if let Some(timeout) = read_timeout {
        builder = builder.read_timeout(timeout);
    }
    builder.build().expect("client builds")
}

/// The export of `server`'s log stream in its project, with nothing else set.
pub fn export(client: &Client, server: &MockServer) -> ExportBuilder {
    client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
}

/// The bytes a fault-free [`export`] returns.
pub fn expected(client: &Client, server: &MockServer) -> Vec<u8> {
    let request = export(client, server).to_json().expect("valid request");
    server.expected_body(&request).expect("accepted")
}
