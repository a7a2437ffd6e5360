//! A typed, streaming client for Galileo's **Export Records** API
//! (`POST /v2/projects/{project_id}/export_records`): sessions, traces and spans as
//! JSON Lines or CSV, filtered and sorted, with constant memory however large the export.
//!
//! - [`Client`] — configuration and auth ([`Client::builder`], [`Client::from_env`]);
//!   the generated client for every operation of the spec is [`Client::api`].
//! - [`Filter`] — builders for the seven filter kinds, each with its own operators.
//! - [`ExportBuilder`] — the request ([`ExportBuilder::to_json`] shows it) and the ways
//!   to read the answer: [`records`](ExportBuilder::records),
//!   [`records_as`](ExportBuilder::records_as), [`raw_records`](ExportBuilder::raw_records),
//!   [`csv_rows`](ExportBuilder::csv_rows), [`bytes`](ExportBuilder::bytes),
//!   [`save`](ExportBuilder::save), [`write_to`](ExportBuilder::write_to),
//!   [`write_to_std`](ExportBuilder::write_to_std).
//! - [`RecordStream`] (records of one type, decoded as they arrive), [`BodyStream`] (the
//!   checked bytes) and [`ExportSummary`] (what a finished export delivered).
//! - [`Error`] — one error type; a cut export is [`Error::Cut`], never a short result.
//! - [`filter`] — the filter vocabulary (kinds, operators, values) behind [`Filter`].
//! - [`records`] — the record decoders, also for exports saved to disk.
//! - [`api`] and [`spec`] — generated at build time from the OpenAPI spec in `openapi/`.
//! - Names and counts, in builds from a spec with their operations (Galileo's full spec;
//!   [`spec::capabilities`] says which this build has): `Client::project_by_name`,
//!   `log_stream_by_name`, `experiment_by_name`, `default_log_stream` (a name that does
//!   not resolve to one is [`Error::Name`], a [`NameError`]); `ExportBuilder::count` and
//!   `count_total` ([`Progress::total`]).
//! - Features: `blocking` (module `blocking`), `parquet` (module `columnar`: Arrow record
//!   batches and Parquet files). The `galileo-export` binary is the crate
//!   `galileo-export-cli`; the local Galileo server for tests is the crate
//!   `galileo-export-mock`.
//!
//! ```no_run
//! # async fn run() -> Result<(), galileo_export::Error> {
//! use futures::TryStreamExt;
//! use galileo_export::{Client, Filter};
//!
//! let client = Client::from_env()?;
//! let project = uuid::Uuid::parse_str("6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21").unwrap();
//! let log_stream = uuid::Uuid::parse_str("0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d").unwrap();
//! let mut records = client
//!     .export(project)
//!     .log_stream(log_stream)
//!     .filter(Filter::boolean("is_complete").is_true())
//!     .resume(true)
//!     .records()
//!     .await?;
//! while let Some(record) = records.try_next().await? {
//!     println!("{}", record["id"]);
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The client and types generated at build time from the OpenAPI spec in `openapi/`
/// (or the file named by `GALILEO_OPENAPI_SPEC`) by progenitor, after normalization.
///
/// Every operation of the spec is a method of [`api::Client`] with a clean name
/// (`export_records`, not `export_records_v2_projects__project_id__export_records_post`);
/// request and response types are in [`api::types`].
#[allow(
    missing_docs,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rustdoc::broken_intra_doc_links,
    rustdoc::bare_urls,
    rustdoc::invalid_html_tags,
    rustdoc::invalid_rust_codeblocks
)]
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/api.rs"));
}

/// Constants taken from the spec at build time: default base URL, security schemes,
/// the operations on the generated client (and any that were skipped).
pub mod spec {
    include!(concat!(env!("OUT_DIR"), "/spec.rs"));
}

mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod body;
mod checkpoint;
mod client;
#[cfg(feature = "parquet")]
pub mod columnar;
mod compression;
mod context;
#[cfg(galileo_has_counts)]
mod count;
mod error;
mod export;
pub mod filter;
mod framing;
mod hooks;
mod json_check;
#[doc(hidden)]
pub mod multipart;
mod name_error;
#[cfg(galileo_has_project_lookup)]
mod names;
mod output;
mod progress;
pub mod records;
mod request;
mod retry;
mod stream;
mod text;
mod transport;
mod writer_thread;

pub use auth::{Credentials, Secret};
pub use body::{BodyStream, ExportSummary, RecordCheck};
pub use checkpoint::Checkpoint;
pub use client::{
    Client, ClientBuilder, LowSpeedLimit, DEFAULT_USER_AGENT, ENV_API_KEY, ENV_API_URL,
    ENV_CONSOLE_URL,
};
pub use error::{Error, FieldError};
pub use export::{ExportBuilder, DEFAULT_MAX_RECORD_SIZE};
pub use filter::Filter;
pub use name_error::{NameError, NameKind};
#[cfg(galileo_has_project_lookup)]
pub use names::Named;
pub use progress::Progress;
pub use request::{ExportFormat, Order, RootType};
pub use retry::RetryPolicy;
pub use stream::RecordStream;
pub use text::redact_url;
