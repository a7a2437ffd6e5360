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

mod catalog;
mod config;
mod content_type;
mod data;
mod digits;
mod encoding;
mod error;
mod expect;
mod fault;
mod handle;
pub mod hostile;
mod query;
mod recorded;
mod server;
mod stream;
mod text;
mod validate;

pub use catalog::CatalogEntry;
pub use config::{MockServerBuilder, MockServerConfig};
pub use content_type::ResponseContentType;
pub use data::{Dataset, DatasetConfig, RootType, REGIONS, TAGS};
pub use encoding::ContentCoding;
pub use error::{MockError, Rejection};
pub use fault::Fault;
pub use handle::MockServer;
pub use recorded::RecordedRequest;
pub use text::REDACTED;

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
