//! The request body as FastAPI sees it before validation.
//!
//! Invariant: a body with a JSON content type (or none) that is not JSON is
//! `json_invalid` at the byte offset serde stopped at; an empty body is a missing body.

use axum::http::{header, HeaderMap};
use serde_json::Value;

/// The request body as FastAPI sees it.
pub(crate) enum ParsedBody {
    /// No body bytes: the body parameter is missing.
    Empty,
    /// A JSON document.
    Json(Value),
    /// JSON content type (or none) but not JSON: `json_invalid`.
    Invalid { pos: usize, error: String },
    /// A non-JSON content type: validated as a (non-object) string.
    Other(Value),
}

pub(super) fn parse_body(headers: &HeaderMap, bytes: &[u8]) -> ParsedBody {
    if bytes.is_empty() {
        return ParsedBody::Empty;
    }
    let is_json = match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(ct) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match mime.split_once('/') {
                Some(("application", sub)) => sub == "json" || sub.ends_with("+json"),
                _ => false,
            }
        }
    };
    if !is_json {
        return ParsedBody::Other(Value::String(String::from_utf8_lossy(bytes).into_owned()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => ParsedBody::Json(v),
        Err(e) => {
            // Byte offset from serde's 1-based line/column.
            let mut pos = 0usize;
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if i + 1 == e.line() {
                    pos += e.column().saturating_sub(1);
                    break;
                }
                pos += line.len() + 1;
            }
            let full = e.to_string();
            let error = match full.find(" at line ") {
                Some(i) => full[..i].to_string(),
                None => full,
            };
            ParsedBody::Invalid { pos, error }
        }
    }
}
