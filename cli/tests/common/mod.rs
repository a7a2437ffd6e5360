//! Helpers shared by the CLI's integration tests (`mod common;` in a test crate). A test
//! crate uses only some of them, hence `dead_code` is allowed here.
#![allow(dead_code)]

/// The `galileo-export` binary as a process, with a clean environment.
pub mod cli;
/// The library tests' raw server whose data set grows between runs.
#[path = "../../../tests/common/growing.rs"]
pub mod growing;
/// The library tests' check of what the spec knows of newer request fields.
#[path = "../../../tests/common/spec.rs"]
pub mod spec;

use std::path::Path;

use galileo_export::{Client, RetryPolicy};
use galileo_export_mock::MockServer;

/// The project of the exports the raw test servers answer.
pub const PROJECT: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
/// The log stream of the exports the raw test servers answer.
pub const LOG_STREAM: &str = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// A local Galileo server with `records` records generated from `seed`, on a thread of
/// its own.
pub fn server_blocking(records: u64, seed: u64) -> MockServer {
    MockServer::builder()
        .records(records)
        .seed(seed)
        .build()
        .start_blocking()
        .expect("mock server starts")
}

/// The bytes a fault-free export of `server`'s log stream returns (what the CLI must
/// write without any other option).
pub fn expected(server: &MockServer) -> Vec<u8> {
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");
    let request = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .to_json()
        .expect("valid request");
    server.expected_body(&request).expect("accepted")
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
