//! Error answers read under a cap: an error response's body is read only up to
//! [`ERROR_BODY_CAP`] and for at most [`ERROR_BODY_TIME`], so a hostile 50 MB error
//! body costs 64 KiB (a compressed one is decoded, up to 64 KiB), and handed on as a
//! response of its own.
//!
//! Invariants: a rebuilt answer carries its status, version and headers, but no
//! `Content-Length`, `Transfer-Encoding` or (once decoded) `Content-Encoding`, and is
//! marked [`Rebuilt`]: its URL is a placeholder, so the origin check must not read it.

use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, TRANSFER_ENCODING};

use crate::compression::{decode_capped, Coding};

/// The most of an error response's body that is read (64 KiB).
pub(crate) const ERROR_BODY_CAP: usize = 64 * 1024;

/// The longest time spent reading an error response's body.
pub(crate) const ERROR_BODY_TIME: Duration = Duration::from_secs(10);

/// Marks an answer rebuilt by [`capped`] (whose URL is then a placeholder): it came from
/// the origin, or it would not have been rebuilt.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rebuilt;

/// An error answer with its body read up to the cap, as a response of its own.
pub(super) async fn capped(response: reqwest::Response) -> (reqwest::Response, bool) {
    let status = response.status();
    let version = response.version();
    let mut headers = response.headers().clone();
    let mut body = Vec::new();
    let mut capped = false;
    let mut chunks = response.bytes_stream();
    let read = async {
        while let Some(chunk) = chunks.next().await {
            let Ok(chunk) = chunk else { break };
            let room = ERROR_BODY_CAP - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if chunk.len() >= room {
                return true;
            }
        }
        false
    };
    match tokio::time::timeout(ERROR_BODY_TIME, read).await {
        Ok(cut) => capped |= cut,
        Err(_) => capped = true,
    }
    // A compressed error body is decoded here (up to the same cap), so that what
    // progenitor parses and the error shows is the text.
    let coding = Coding::from_header(headers.get(CONTENT_ENCODING).map(HeaderValue::as_bytes));
    if let Ok(coding) = coding {
        if coding != Coding::Identity {
            if let Some(decoded) = decode_capped(coding, &body, ERROR_BODY_CAP).await {
                capped |= decoded.len() >= ERROR_BODY_CAP;
                body = decoded;
                headers.remove(CONTENT_ENCODING);
            }
        }
    }
    headers.remove(CONTENT_LENGTH);
    headers.remove(TRANSFER_ENCODING);
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().insert(Rebuilt);
    (reqwest::Response::from(rebuilt), capped)
}
