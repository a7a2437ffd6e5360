//! [`Fault`]: one misbehaviour injected into one response.
//!
//! Invariant: faults are data only; the handler ([`crate::server`]) consumes exactly one
//! per export request, in push order, and maps it onto the response or the body stream.

use std::time::Duration;

/// A misbehaviour injected into one response.
///
/// Faults queue up with [`MockServer::push_fault`](crate::MockServer::push_fault) and each request to the
/// export endpoint consumes exactly one (in push order), whatever its
/// outcome; with an empty queue requests behave normally. Byte counts refer
/// to body bytes (headers excluded).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// No fault: the request behaves normally (a placeholder in a sequence).
    None,
    /// Answer with `status` before any other check, with an optional
    /// `Retry-After` header value and body (default
    /// `{"detail": "<reason phrase>"}`, content type `application/json`).
    Status {
        /// HTTP status code.
        status: u16,
        /// `Retry-After` header value (seconds or an HTTP date), if any.
        retry_after: Option<String>,
        /// Body to send instead of the default JSON detail.
        body: Option<String>,
        /// Content type of `body` (default `application/json`).
        content_type: Option<String>,
    },
    /// Wait this long before handling the request (response headers are
    /// delayed; useful for timeouts). Then behave normally.
    Delay(Duration),
    /// Stream normally, then abort the connection after this many body bytes
    /// (a chunked body without its terminating chunk). If the body is shorter
    /// the connection is still aborted instead of terminating it.
    CutAfter(u64),
    /// Declare `Content-Length: declared` (instead of chunked), send only
    /// `sent` bytes (at most `declared - 1`, fewer if the export is shorter),
    /// then close the connection.
    ShortBody {
        /// Body bytes actually sent.
        sent: u64,
        /// The announced `Content-Length`.
        declared: u64,
    },
    /// Send `bytes` body bytes, then send nothing while keeping the connection
    /// open, for `resume_after` (then continue normally) or, when `None`, until
    /// the server shuts down (then the connection is aborted).
    StallAfter {
        /// Body bytes sent before stalling.
        bytes: u64,
        /// How long to stall; `None` = until shutdown.
        resume_after: Option<Duration>,
    },
    /// Send the body in pieces of at most `chunk_size` bytes with `delay`
    /// between pieces.
    SlowDrip {
        /// Maximum piece size in bytes.
        chunk_size: usize,
        /// Pause between pieces.
        delay: Duration,
    },
    /// Replace output record `n` (0-based, after filtering and sorting) with a
    /// malformed line: invalid JSON for JSONL, a row with one field too many
    /// for CSV.
    MalformedLine(u64),
}

impl Fault {
    /// [`Fault::Status`] with the default body and no `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
            body: None,
            content_type: None,
        }
    }

    /// Adds a `Retry-After` value to a [`Fault::Status`] (no-op otherwise).
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Self {
        if let Fault::Status { retry_after, .. } = &mut self {
            *retry_after = Some(value.into());
        }
        self
    }

    /// Sets the body (and its content type) of a [`Fault::Status`] (no-op
    /// otherwise).
    pub fn with_body(mut self, new_body: impl Into<String>, new_content_type: &str) -> Self {
        if let Fault::Status {
            body, content_type, ..
        } = &mut self
        {
            *body = Some(new_body.into());
            *content_type = Some(new_content_type.to_string());
        }
        self
    }

    /// [`Fault::CutAfter`].
    pub fn cut_after(bytes: u64) -> Self {
        Fault::CutAfter(bytes)
    }

    /// [`Fault::ShortBody`] announcing 64 KiB more than it sends.
    pub fn short_body(sent: u64) -> Self {
        Fault::ShortBody {
            sent,
            declared: sent + 64 * 1024,
        }
    }

    /// [`Fault::StallAfter`] until shutdown.
    pub fn stall_after(bytes: u64) -> Self {
        Fault::StallAfter {
            bytes,
            resume_after: None,
        }
    }

    /// [`Fault::SlowDrip`].
    pub fn slow_drip(chunk_size: usize, delay: Duration) -> Self {
        Fault::SlowDrip { chunk_size, delay }
    }

    /// [`Fault::MalformedLine`].
    pub fn malformed_line(record: u64) -> Self {
        Fault::MalformedLine(record)
    }
}
