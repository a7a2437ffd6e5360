//! The errors of the mock: [`MockError`] when a server cannot start, and [`Rejection`],
//! the non-200 answer (status and `{"detail": ...}` body) an export request gets.
//!
//! Invariant: a [`Rejection`] is exactly what the server sends, so the handler and the
//! expectation helpers ([`crate::Dataset::export`]) report the same value.

use std::fmt;

use serde_json::Value;

/// Errors starting the mock server.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The generated spec has no `export_records` operation.
    #[error("the OpenAPI spec has no `export_records` operation")]
    MissingOperation,
    /// The spec's method for the operation is not a method axum can route.
    #[error("unsupported HTTP method `{0}` for export_records")]
    UnsupportedMethod(String),
    /// Binding the listener or starting the runtime/thread failed.
    #[error("mock server I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server thread ended before reporting its address.
    #[error("the mock server thread exited during startup")]
    Startup,
}

/// A non-200 outcome of an export request: the HTTP status and the JSON body
/// the server sends (`{"detail": ...}`).
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// HTTP status code (400, 401, 404 or 422).
    pub status: u16,
    /// Response body.
    pub body: Value,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {}", self.status, self.body)
    }
}

impl std::error::Error for Rejection {}
