//! A blocking facade for programs without an async runtime (feature `blocking`), in the
//! spirit of `reqwest::blocking`: the same [`Client`](crate::Client) and
//! [`ExportBuilder`], with terminal methods that return an
//! [`Iterator`] of records or block until a file is written.
//!
//! ```no_run
//! use galileo_export::blocking::BlockingExport;
//! use galileo_export::{Client, Filter};
//!
//! let client = Client::from_env()?;
//! let project = uuid::Uuid::parse_str("6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21").unwrap();
//! let stream = uuid::Uuid::parse_str("0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").unwrap();
//! for record in client
//!     .export(project)
//!     .log_stream(stream)
//!     .filter(Filter::boolean("has_error").is_true())
//!     .records_blocking()?
//! {
//!     let record = record?;
//!     println!("{}", record["id"]);
//! }
//! # Ok::<(), galileo_export::Error>(())
//! ```
//!
//! Each export runs on a small runtime of its own, owned by the iterator. Calling these
//! methods from inside an async runtime is an error (use the async methods there).

use std::path::Path;

use futures::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::export::ExportBuilder;
use crate::records::{
    CsvDecoder, CsvRow, FromJsonLine, JsonLinesDecoder, RawRecord, RecordDecoder,
};
use crate::stream::{ExportSummary, RecordStream};

/// An [`Iterator`] of records, driving an export on its own runtime.
pub struct RecordIter<D> {
    runtime: tokio::runtime::Runtime,
    stream: RecordStream<D>,
}

impl<D: std::fmt::Debug> std::fmt::Debug for RecordIter<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordIter")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<D> RecordIter<D> {
    /// Progress so far.
    pub fn progress(&self) -> crate::Progress
    where
        D: RecordDecoder,
    {
        self.stream.progress()
    }
}

impl<D: RecordDecoder + Unpin> Iterator for RecordIter<D> {
    type Item = Result<D::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::Config(
            "a blocking export was started inside an async runtime; use the async methods (records(), save(), ...) there".into(),
        ));
    }
    // The caller's thread decodes (or checks) what the body task, on the one worker,
    // reads ahead: the two overlap.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| {
            Error::Config(format!(
                "cannot start a runtime for the blocking export: {e}"
            ))
        })
}

/// Blocking terminal methods for [`ExportBuilder`].
pub trait BlockingExport: Sized {
    /// JSON Lines records as `serde_json::Map`s.
    fn records_blocking(self) -> Result<RecordIter<JsonLinesDecoder<Map<String, Value>>>, Error>;
    /// JSON Lines records deserialized into your type.
    fn records_as_blocking<T: DeserializeOwned>(
        self,
    ) -> Result<RecordIter<JsonLinesDecoder<T>>, Error>;
    /// JSON Lines records as validated raw JSON.
    fn raw_records_blocking(self) -> Result<RecordIter<JsonLinesDecoder<RawRecord>>, Error>;
    /// CSV rows keyed by the header.
    fn csv_rows_blocking(self) -> Result<RecordIter<CsvDecoder<CsvRow>>, Error>;
    /// Stream the export into a file (atomically), blocking until done.
    fn save_blocking(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error>;
}

fn json<T: FromJsonLine>(
    builder: ExportBuilder<'_>,
) -> Result<RecordIter<JsonLinesDecoder<T>>, Error> {
    let runtime = runtime()?;
    let stream = runtime.block_on(async { builder.bytes_for_json().await })?;
    Ok(RecordIter {
        stream: RecordStream::new(stream, JsonLinesDecoder::<T>::default()),
        runtime,
    })
}

impl BlockingExport for ExportBuilder<'_> {
    fn records_blocking(self) -> Result<RecordIter<JsonLinesDecoder<Map<String, Value>>>, Error> {
        json(self)
    }

    fn records_as_blocking<T: DeserializeOwned>(
        self,
    ) -> Result<RecordIter<JsonLinesDecoder<T>>, Error> {
        json(self)
    }

    fn raw_records_blocking(self) -> Result<RecordIter<JsonLinesDecoder<RawRecord>>, Error> {
        json(self)
    }

    fn csv_rows_blocking(self) -> Result<RecordIter<CsvDecoder<CsvRow>>, Error> {
        let runtime = runtime()?;
        let stream = runtime.block_on(async { self.csv_rows().await })?;
        Ok(RecordIter { runtime, stream })
    }

    fn save_blocking(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error> {
        let runtime = runtime()?;
        runtime.block_on(self.save(path))
    }
}
