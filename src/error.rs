//! The crate's one error type. Each variant says what a user can do about it; none ever
//! contains a credential.

use std::fmt;
use std::time::Duration;

use crate::filter::FilterError;
use crate::records::RecordError;

/// Everything that can go wrong configuring the client, building an export, talking to
/// Galileo or reading the exported records.
///
/// `Display` reads well in a terminal; a FastAPI 422 shows one line per field, e.g.
/// `body.filters.0.value: Input should be a valid UUID`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client cannot be built (e.g. no credentials, a base URL that does not parse).
    #[error("client configuration: {0}")]
    Config(String),

    /// The request was rejected before anything was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A filter failed its checks before anything was sent.
    #[error("invalid filter: {0}")]
    InvalidFilter(#[from] FilterError),

    /// 401 or 403: the credentials were missing, wrong or not allowed.
    #[error("authentication failed (HTTP {status}): {message}")]
    Auth {
        /// 401 or 403.
        status: u16,
        /// The server's message.
        message: String,
    },

    /// 404: the project (or log stream, experiment, ...) does not exist or is not visible.
    #[error("not found (HTTP 404): {message}")]
    NotFound {
        /// The server's message.
        message: String,
    },

    /// 409: the request conflicts with the state of the resource.
    #[error("conflict (HTTP 409): {message}")]
    Conflict {
        /// The server's message.
        message: String,
    },

    /// 429: too many requests (after any retries).
    #[error("rate limited (HTTP 429){}: {message}", RetryAfter(*retry_after))]
    RateLimited {
        /// What the server's `Retry-After` header asked for, if anything.
        retry_after: Option<Duration>,
        /// The server's message.
        message: String,
    },

    /// 422: the server's validation rejected the request, field by field.
    #[error("the server rejected the request (HTTP 422):{}", FieldErrors(errors))]
    Validation {
        /// One entry per rejected field.
        errors: Vec<FieldError>,
    },

    /// 5xx: the server failed (after any retries).
    #[error("server error (HTTP {status}): {message}")]
    Server {
        /// The status code.
        status: u16,
        /// The server's message.
        message: String,
    },

    /// Any other unexpected status.
    #[error("unexpected response (HTTP {status}): {message}")]
    Api {
        /// The status code.
        status: u16,
        /// The server's message, or the start of the body.
        message: String,
    },

    /// The request could not be sent or the response not received (DNS, connect, TLS,
    /// timeout before the response started). `Display` shows the whole chain of causes
    /// (`error sending request: client error (Connect): tcp connect error: Connection
    /// refused (os error 111)`), never the URL.
    #[error("network error: {}", SourceChain(.0))]
    Transport(#[source] reqwest::Error),

    /// The export stopped before its end. The `records` before the cut were delivered.
    #[error("the export was cut after {records} record(s) ({bytes} bytes received): {reason}")]
    Cut {
        /// Records delivered before the cut.
        records: u64,
        /// Body bytes received before the cut.
        bytes: u64,
        /// What happened (connection reset, body shorter than announced, read timeout…).
        reason: String,
    },

    /// The body could not be decompressed: it is not valid for the content coding its
    /// `Content-Encoding` names, or it names a coding this crate cannot decode. (A
    /// compressed body that merely ends early is [`Error::Cut`].) The `records` before
    /// the point where decoding failed were delivered.
    #[error(
        "cannot decode the export's `{encoding}` body after {records} record(s) ({bytes} bytes \
         decoded): {reason}"
    )]
    Encoding {
        /// The content coding, as the server named it (sanitized).
        encoding: String,
        /// Records delivered before the failure.
        records: u64,
        /// Decoded body bytes delivered before the failure.
        bytes: u64,
        /// What the decoder reported.
        reason: String,
    },

    /// An export of an incremental series
    /// ([`ExportBuilder::incremental`](crate::ExportBuilder::incremental),
    /// [`after`](crate::ExportBuilder::after)) got an answer that cannot say where it
    /// stopped: a CSV header without the `created_at` or `id` column, a first record
    /// without a timestamp. Nothing after the header or that record was handed on.
    #[error("no checkpoint can be kept for this incremental export: {0}")]
    NoCheckpoint(String),

    /// A record could not be decoded (malformed line, invalid UTF-8, CSV field count).
    #[error("bad record in the export: {0}")]
    Record(#[from] RecordError),

    /// The server answered with success, but what it sent is not an export of the
    /// requested format: an HTML page from a proxy, a JSON error object, a body of
    /// another content type.
    #[error(
        "the answer (HTTP {status}{}) is not a {format} export: {reason}; it starts: {excerpt}",
        content_type.as_deref().map(|t| format!(", {t}")).unwrap_or_default()
    )]
    NotAnExport {
        /// The HTTP status (a success).
        status: u16,
        /// The format that was requested.
        format: String,
        /// The `Content-Type` the server sent (sanitized), if any.
        content_type: Option<String>,
        /// Why it is not an export.
        reason: String,
        /// The start of the body, capped and with control characters escaped.
        excerpt: String,
    },

    /// A record is larger than the export's maximum record size
    /// ([`ExportBuilder::max_record_size`](crate::ExportBuilder::max_record_size)), so it
    /// was not held in memory.
    #[error(
        "the record at line {line} is larger than the maximum record size ({limit} bytes); \
         raise it with ExportBuilder::max_record_size (CLI: --max-record-size)"
    )]
    RecordTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The line where the record starts (JSON Lines: the line; CSV: the line of
        /// the record's start).
        line: u64,
    },

    /// The export did not finish within its deadline
    /// ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)).
    #[error(
        "the export did not finish within {} s ({records} record(s), {bytes} bytes received); \
         the deadline is set by ClientBuilder::total_timeout (CLI: --timeout)",
        after.as_secs_f64()
    )]
    TimedOut {
        /// The deadline.
        after: Duration,
        /// Records delivered before it.
        records: u64,
        /// Body bytes received before it.
        bytes: u64,
    },

    /// Turning records into Arrow record batches failed for a reason that is not a bad
    /// record (e.g. a given schema with an unsupported column type).
    #[error("columnar export: {0}")]
    Columnar(String),

    /// A project, log stream or experiment name did not resolve to exactly one (none
    /// has it, with the near matches; several have it; no log stream to default to).
    #[error("{0}")]
    Name(#[from] crate::name_error::NameError),

    /// Writing the export failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file being written (or `-` for a writer).
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether retrying the same request later may succeed (429, 502, 503, 504,
    /// connect errors and timeouts before the response).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            Error::Server { status, .. } => matches!(status, 502..=504),
            Error::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            _ => false,
        }
    }

    /// The HTTP status of an API error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Auth { status, .. }
            | Error::Server { status, .. }
            | Error::Api { status, .. } => Some(*status),
            Error::NotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::RateLimited { .. } => Some(429),
            Error::Validation { .. } => Some(422),
            _ => None,
        }
    }
}

/// One field rejected by the server's validation (FastAPI's `detail[]` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where, as a dotted path: `body.filters.0.value`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The validator's error type (e.g. `uuid_parsing`, `missing`).
    pub kind: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

struct FieldErrors<'a>(&'a [FieldError]);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(" (no details)");
        }
        for e in self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// A `reqwest` error with its causes, `: `-separated, each shown once.
struct SourceChain<'a>(&'a reqwest::Error);

impl fmt::Display for SourceChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&source_chain(self.0))
    }
}

/// An error's message followed by its causes (a cause whose text the previous one
/// already contains is skipped), sanitized: a cause may quote a server.
pub(crate) fn source_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut previous = text.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !message.is_empty() && !previous.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        previous = message;
        source = cause.source();
    }
    crate::text::sanitize(&text, 1000)
}

struct RetryAfter(Option<Duration>);

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, ", retry after {}s", d.as_secs()),
            None => Ok(()),
        }
    }
}

/// Field errors kept from one 422 (a hostile body may list millions).
const MAX_FIELD_ERRORS: usize = 50;

/// Parse FastAPI's `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}` (or a plain
/// `{"detail": "..."}`) into field errors, every text capped and sanitized; at most
/// 50 entries, the rest summed up in a last one.
pub(crate) fn field_errors(body: &serde_json::Value) -> Vec<FieldError> {
    use serde_json::Value;
    let clean = |s: &str| crate::text::sanitize(s, crate::text::MESSAGE_CHARS);
    match body.get("detail") {
        Some(Value::Array(items)) => {
            let mut errors: Vec<FieldError> = items
                .iter()
                .take(MAX_FIELD_ERRORS)
                .map(|item| {
                    let path = item
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|loc| {
                            loc.iter()
                                .map(|p| match p {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    FieldError {
                        path: clean(&path),
                        message: clean(
                            item.get("msg").and_then(Value::as_str).unwrap_or("invalid"),
                        ),
                        kind: clean(item.get("type").and_then(Value::as_str).unwrap_or("")),
                    }
                })
                .collect();
            if items.len() > MAX_FIELD_ERRORS {
                errors.push(FieldError {
                    path: String::new(),
                    message: format!("… and {} more", items.len() - MAX_FIELD_ERRORS),
                    kind: String::new(),
                });
            }
            errors
        }
        Some(Value::String(s)) => vec![FieldError {
            path: String::new(),
            message: clean(s),
            kind: String::new(),
        }],
        _ => Vec::new(),
    }
}

/// The human message of an error body: FastAPI's `detail` when present, else the start
/// of the body text; capped at 300 characters, control characters escaped.
pub(crate) fn server_message(body: &[u8]) -> String {
    use crate::text::{sanitize, MESSAGE_CHARS};
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        match value.get("detail").or_else(|| value.get("message")) {
            Some(serde_json::Value::String(s)) => return sanitize(s, MESSAGE_CHARS),
            Some(other) => return sanitize(&other.to_string(), MESSAGE_CHARS),
            None => {}
        }
    }
    excerpt(body)
}

/// The start of a body as text: capped at 300 characters, control characters escaped,
/// invalid UTF-8 replaced (only the first 1,200 bytes are looked at).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(crate::text::MESSAGE_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    let mut shown = crate::text::sanitize(text, crate::text::MESSAGE_CHARS);
    if head.len() < body.len() && !shown.ends_with('…') {
        shown.push('…');
    }
    shown
}

/// Map a non-success response (status, `Retry-After`, body) to an [`Error`].
pub(crate) fn from_status(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Error {
    match status {
        401 | 403 => Error::Auth {
            status,
            message: server_message(body),
        },
        404 => Error::NotFound {
            message: server_message(body),
        },
        409 => Error::Conflict {
            message: server_message(body),
        },
        422 => {
            let errors = serde_json::from_slice::<serde_json::Value>(body)
                .map(|v| field_errors(&v))
                .unwrap_or_default();
            if errors.is_empty() {
                Error::Api {
                    status,
                    message: server_message(body),
                }
            } else {
                Error::Validation { errors }
            }
        }
        429 => Error::RateLimited {
            retry_after,
            message: server_message(body),
        },
        500..=599 => Error::Server {
            status,
            message: server_message(body),
        },
        _ => Error::Api {
            status,
            message: server_message(body),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_errors_show_field_paths() {
        let body = json!({"detail": [
            {"loc": ["body", "filters", 0, "value"], "msg": "Input should be a valid UUID", "type": "uuid_parsing"},
            {"loc": ["body", "root_type"], "msg": "Field required", "type": "missing"}
        ]});
        let err = from_status(422, None, body.to_string().as_bytes());
        assert_eq!(
            err.to_string(),
            "the server rejected the request (HTTP 422):\n  body.filters.0.value: Input should be a valid UUID\n  body.root_type: Field required"
        );
    }

    #[test]
    fn statuses_map_to_classes() {
        assert!(matches!(
            from_status(401, None, br#"{"detail":"Not authenticated"}"#),
            Error::Auth { status: 401, .. }
        ));
        assert!(matches!(
            from_status(403, None, b""),
            Error::Auth { status: 403, .. }
        ));
        assert!(matches!(
            from_status(404, None, b"nope"),
            Error::NotFound { .. }
        ));
        assert!(matches!(
            from_status(409, None, b""),
            Error::Conflict { .. }
        ));
        let limited = from_status(
            429,
            Some(Duration::from_secs(7)),
            br#"{"detail":"slow down"}"#,
        );
        assert_eq!(
            limited.to_string(),
            "rate limited (HTTP 429), retry after 7s: slow down"
        );
        assert!(limited.is_retryable());
        assert!(from_status(503, None, b"").is_retryable());
        assert!(!from_status(500, None, b"").is_retryable());
        assert!(!from_status(400, None, b"").is_retryable());
        assert_eq!(
            from_status(418, None, b"teapot").to_string(),
            "unexpected response (HTTP 418): teapot"
        );
    }
}
