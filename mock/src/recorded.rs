//! [`RecordedRequest`]: one request as the server received it, kept for the tests to
//! inspect.
//!
//! Invariant: every request the router sees is recorded once, in arrival order, whatever
//! route answers it; headers keep their arrival order with lowercase names.

use axum::http::request::Parts;
use bytes::Bytes;
use serde_json::Value;

use crate::Fault;

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path (without the query string).
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order, names lowercase (values decoded lossily).
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    /// The raw body bytes.
    pub raw_body: Bytes,
    /// The fault this request consumed, if any.
    pub fault: Option<Fault>,
    /// Status code of the response (0 if the response was not produced).
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The record of a request from its head and body, before its answer is known
    /// (`status` 0 unless given).
    pub(crate) fn from_parts(
        parts: &Parts,
        body: Value,
        raw_body: Bytes,
        fault: Option<Fault>,
        status: u16,
    ) -> Self {
        RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
            raw_body,
            fault,
            status,
        }
    }
}
