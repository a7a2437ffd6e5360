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
//!     .filter(Filter::boolean("is_complete").is_true())
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

use crate::body::ExportSummary;
use crate::error::Error;
use crate::export::ExportBuilder;
use crate::records::{CsvRow, RawRecord};
use crate::stream::RecordStream;

/// An [`Iterator`] of records of type `T`, driving an export on a runtime of its own
/// (the blocking twin of [`RecordStream`]).
pub struct RecordIter<T> {
    runtime: tokio::runtime::Runtime,
    stream: RecordStream<T>,
}

impl<T> std::fmt::Debug for RecordIter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordIter")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl<T> RecordIter<T> {
    /// Progress so far.
    pub fn progress(&self) -> crate::Progress {
        self.stream.progress()
    }

    /// The CSV header of a CSV export, once the first row has been read; `None` for JSON
    /// Lines.
    pub fn csv_header(&self) -> Option<&std::sync::Arc<[String]>> {
        self.stream.csv_header()
    }
}

impl<T> Iterator for RecordIter<T> {
    type Item = Result<T, Error>;

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
    // The caller's thread decodes what the reader task, on the one worker, reads ahead:
    // the two overlap.
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

/// Start an export on a runtime of its own and iterate its records.
fn iter<T, F>(open: F) -> Result<RecordIter<T>, Error>
where
    F: std::future::Future<Output = Result<RecordStream<T>, Error>>,
{
    let runtime = runtime()?;
    let stream = runtime.block_on(open)?;
    Ok(RecordIter { runtime, stream })
}

/// Blocking terminal methods for [`ExportBuilder`]: bring the trait into scope and call
/// them instead of the async ones.
pub trait BlockingExport: Sized {
    /// JSON Lines records as JSON object maps (see
    /// [`ExportBuilder::records`]).
    fn records_blocking(self) -> Result<RecordIter<Map<String, Value>>, Error>;
    /// JSON Lines records deserialized into your type (see
    /// [`ExportBuilder::records_as`]).
    fn records_as_blocking<T: DeserializeOwned + 'static>(self) -> Result<RecordIter<T>, Error>;
    /// JSON Lines records as validated raw JSON (see [`ExportBuilder::raw_records`]).
    fn raw_records_blocking(self) -> Result<RecordIter<RawRecord>, Error>;
    /// CSV rows keyed by the header (see [`ExportBuilder::csv_rows`]).
    fn csv_rows_blocking(self) -> Result<RecordIter<CsvRow>, Error>;
    /// Stream the export into a file (atomically), blocking until done (see
    /// [`ExportBuilder::save`]).
    fn save_blocking(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error>;
    /// Arrow record batches (feature `parquet`; see [`ExportBuilder::record_batches`]).
    #[cfg(feature = "parquet")]
    fn record_batches_blocking(
        self,
        options: crate::columnar::ColumnarOptions,
    ) -> Result<RecordBatchIter, Error>;
    /// Stream the export into a Parquet file, blocking until done (feature `parquet`; see
    /// [`ExportBuilder::save_parquet`]).
    #[cfg(feature = "parquet")]
    fn save_parquet_blocking(
        self,
        path: impl AsRef<Path>,
        options: crate::columnar::ParquetOptions,
    ) -> Result<ExportSummary, Error>;
}

/// An [`Iterator`] of Arrow record batches, driving an export on a runtime of its own
/// (the blocking twin of [`RecordBatchStream`](crate::columnar::RecordBatchStream)).
#[cfg(feature = "parquet")]
#[derive(Debug)]
pub struct RecordBatchIter {
    runtime: tokio::runtime::Runtime,
    stream: crate::columnar::RecordBatchStream,
}

#[cfg(feature = "parquet")]
impl RecordBatchIter {
    /// The schema of every batch.
    pub fn schema(&self) -> crate::columnar::SchemaRef {
        self.stream.schema()
    }

    /// Values kept in the catch-all column so far.
    pub fn unmapped_values(&self) -> u64 {
        self.stream.unmapped_values()
    }

    /// Progress so far.
    pub fn progress(&self) -> crate::Progress {
        self.stream.progress()
    }
}

#[cfg(feature = "parquet")]
impl Iterator for RecordBatchIter {
    type Item = Result<crate::columnar::RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.runtime.block_on(self.stream.next())
    }
}

impl BlockingExport for ExportBuilder {
    fn records_blocking(self) -> Result<RecordIter<Map<String, Value>>, Error> {
        iter(self.records())
    }

    fn records_as_blocking<T: DeserializeOwned + 'static>(self) -> Result<RecordIter<T>, Error> {
        iter(self.records_as::<T>())
    }

    fn raw_records_blocking(self) -> Result<RecordIter<RawRecord>, Error> {
        iter(self.raw_records())
    }

    fn csv_rows_blocking(self) -> Result<RecordIter<CsvRow>, Error> {
        iter(self.csv_rows())
    }

    fn save_blocking(self, path: impl AsRef<Path>) -> Result<ExportSummary, Error> {
        let runtime = runtime()?;
        runtime.block_on(self.save(path))
    }

    #[cfg(feature = "parquet")]
    fn record_batches_blocking(
        self,
        options: crate::columnar::ColumnarOptions,
    ) -> Result<RecordBatchIter, Error> {
        let runtime = runtime()?;
        let stream = runtime.block_on(self.record_batches(options))?;
        Ok(RecordBatchIter { runtime, stream })
    }

    #[cfg(feature = "parquet")]
    fn save_parquet_blocking(
        self,
        path: impl AsRef<Path>,
        options: crate::columnar::ParquetOptions,
    ) -> Result<ExportSummary, Error> {
        let runtime = runtime()?;
        runtime.block_on(self.save_parquet(path, options))
    }
}
