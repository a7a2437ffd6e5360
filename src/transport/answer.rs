//! The mapping of answers to errors: the generated client's errors to the crate's
//! [`Error`], a `Content-Type` that is clearly not the requested format, and the start
//! of a body that is not an export, for the error message.
//!
//! Invariants: an error body is read at most up to [`ERROR_BODY_CAP`]; what is
//! reported of a body or a header is sanitized and never holds a URL; an error body
//! that does not fit the spec is reported with the status the exec hook recorded
//! ([`context::last_answer`]).

use std::time::Duration;

use futures::StreamExt;

use crate::context;
use crate::error::{from_status, Error};
use crate::hooks::error_body::ERROR_BODY_CAP;
use crate::request::ExportFormat;
use crate::retry::parse_retry_after;

/// A `Content-Type` that is clearly not the requested format.
pub(super) fn content_type_mismatch(
    format: &ExportFormat,
    content_type: Option<&str>,
) -> Option<String> {
    let media = content_type?
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let markup = media == "text/html"
        || media == "application/xhtml+xml"
        || media.ends_with("/xml")
        || media.ends_with("+xml");
    // Not `application/json` for CSV: the spec itself declares the export's answer as
    // `application/json`, whatever the format.
    let problem = media == "application/problem+json";
    let wrong = markup || problem || (format.is_json_lines() && media == "text/csv");
    wrong.then(|| {
        format!(
            "the server sent `Content-Type: {}` for a {} export",
            crate::text::sanitize(&media, 100),
            format
        )
    })
}

/// The start of a body, for an error message: up to 1 KiB, within 2 s.
pub(super) async fn body_excerpt(stream: progenitor_client::ByteStream) -> String {
    let mut head = Vec::new();
    let mut stream = stream;
    let read = async {
        while let Some(Ok(chunk)) = stream.next().await {
            head.extend_from_slice(&chunk[..chunk.len().min(1024 - head.len())]);
            if head.len() >= 1024 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    crate::error::excerpt(&head)
}

/// Map a generated-client error to the crate's [`Error`]. Error bodies were read by the
/// client's hooks up to 64 KiB.
pub(crate) async fn map_api_error<E: serde::Serialize>(
    error: progenitor_client::Error<E>,
) -> Error {
    use progenitor_client::Error as P;
    let retry_after = |headers: &reqwest::header::HeaderMap| {
        headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after)
    };
    match error {
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = serde_json::to_vec(&response.into_inner()).unwrap_or_default();
            from_status(status, retry_after, &body)
        }
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let mut body = Vec::new();
            let mut chunks = response.bytes_stream();
            while let Some(Ok(chunk)) = chunks.next().await {
                body.extend_from_slice(&chunk);
                if body.len() >= ERROR_BODY_CAP {
                    break;
                }
            }
            from_status(status, retry_after, &body)
        }
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            Error::Transport(e.without_url())
        }
        P::InvalidRequest(message) => Error::InvalidRequest(message),
        // An error body that does not fit the spec's error schema: progenitor keeps the
        // body but not the status, which the exec hook recorded.
        P::InvalidResponsePayload(body, _) => match context::last_answer() {
            Some(meta) => from_status(
                meta.status,
                meta.retry_after.as_deref().and_then(parse_retry_after),
                &body,
            ),
            None => Error::Api {
                status: 0,
                message: format!(
                    "an answer whose body does not match the spec: {}",
                    crate::error::excerpt(&body)
                ),
            },
        },
        P::Custom(message) => Error::Config(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_that_are_not_the_format() {
        let jsonl = ExportFormat::Jsonl;
        let csv = ExportFormat::Csv;
        assert!(content_type_mismatch(&jsonl, Some("text/html; charset=utf-8")).is_some());
        assert!(content_type_mismatch(&jsonl, Some("application/problem+json")).is_some());
        assert!(content_type_mismatch(&csv, Some("text/html")).is_some());
        assert!(content_type_mismatch(&jsonl, Some("text/csv")).is_some());
        assert!(content_type_mismatch(&csv, Some("application/json")).is_none());
        assert!(content_type_mismatch(&jsonl, Some("application/json")).is_none());
        assert!(content_type_mismatch(&jsonl, Some("application/x-ndjson")).is_none());
        assert!(content_type_mismatch(&csv, Some("text/csv")).is_none());
        assert!(content_type_mismatch(&csv, Some("application/octet-stream")).is_none());
        assert!(content_type_mismatch(&csv, None).is_none());
    }

    proptest::proptest! {
        /// No `Content-Type` value makes the check panic, and what it reports is
        /// terminal-safe.
        #[test]
        fn content_type_check_never_panics(value in proptest::prelude::any::<String>()) {
            for format in [ExportFormat::Jsonl, ExportFormat::Csv, ExportFormat::Other("x".into())] {
                if let Some(reason) = content_type_mismatch(&format, Some(&value)) {
                    proptest::prop_assert!(!reason.chars().any(char::is_control));
                }
            }
        }
    }
}
