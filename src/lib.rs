//! galileo-export: typed, streaming client for Galileo's Export Records API.
#![warn(missing_docs)]

/// The client and types generated at build time from the OpenAPI spec in `openapi/`
/// (or the file named by `GALILEO_OPENAPI_SPEC`) by progenitor, after normalization.
///
/// Every operation of the spec is a method of [`api::Client`] with a clean name
/// (`export_records`, not `export_records_v2_projects__project_id__export_records_post`);
/// request and response types are in [`api::types`].
#[allow(
    missing_docs,
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

pub mod auth;
mod body;
pub mod client;
pub mod error;
pub mod export;
pub mod filter;
pub mod progress;
pub mod records;
pub mod retry;
pub mod stream;

pub use auth::{Credentials, Secret};
pub use body::BodyStream;
pub use client::{Client, ClientBuilder};
pub use error::{Error, FieldError};
pub use export::{ExportBuilder, ExportFormat, RootType};
pub use filter::Filter;
pub use progress::Progress;
pub use retry::RetryPolicy;
pub use stream::{ExportSummary, RecordStream};

#[cfg(feature = "mock-server")]
pub mod mock;
