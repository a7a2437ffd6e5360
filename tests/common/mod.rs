//! Helpers shared by the integration tests (`mod common;` in a test crate), also by the
//! CLI's (`cli/tests/common`, which includes this module by path). A test crate uses only
//! some of them, hence `dead_code` is allowed here.
#![allow(dead_code)]

/// A raw test server whose data set grows between runs (also used by the CLI's tests).
pub mod growing;
/// The local Galileo server (`galileo-export-mock`) and clients pointed at it.
pub mod mock;
/// What the spec the crate was built from knows of newer request fields.
pub mod spec;

use std::path::Path;
use std::time::Duration;

use galileo_export::{Client, ExportBuilder, RetryPolicy};

/// The project of the exports the raw test servers answer.
pub const PROJECT: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
/// The log stream of the exports the raw test servers answer.
pub const LOG_STREAM: &str = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// An export of [`LOG_STREAM`] from `base_url` with the key `k` and no retries (for the
/// raw test servers of `galileo_export_mock::hostile`, which answer whatever they are
/// scripted to).
pub fn hostile_export(base_url: &str) -> ExportBuilder {
    Client::builder()
        .base_url(base_url)
        .api_key("k")
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
        .export(PROJECT.parse().expect("uuid"))
        .log_stream(LOG_STREAM.parse().expect("uuid"))
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

/// The temporary files (`.part`) in `dir`, sorted.
pub fn part_files(dir: &Path) -> Vec<String> {
    file_names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".part"))
        .collect()
}

/// Runs `f` on a thread; the closure returned waits at most `limit` for its result (a
/// blocked FIFO or socket reader, a process that does not stop, must fail the test, not
/// hang it).
pub fn on_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> impl FnOnce(Duration) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    move |limit| {
        rx.recv_timeout(limit)
            .expect("the thread finished in time (a reader reached the end, a process stopped)")
    }
}
