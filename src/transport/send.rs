//! The transport: the only layer that sends. It issues the export request, retries
//! what may succeed later (per the [`RetryPolicy`]), resumes after a cut with the
//! request narrowed by [`ExportRequest::narrowed`], decodes a compressed body as it
//! arrives ([`crate::compression`]) and counts wire bytes, retries and resumes.
//!
//! Invariants: every attempt runs inside [`context::scope`], so the hooks see the
//! export's extras and the answer's status is known even when progenitor drops it; a
//! resumed request is always the original narrowed once (one bound, not one per
//! resume); the stall rule applies from the moment a request is sent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;

use super::answer::{body_excerpt, content_type_mismatch, map_api_error};
use super::stall::StallWatch;
use crate::client::Client;
use crate::compression::{BodyFailure, Coding, DecodedBody};
use crate::context::{self, ExportExtras};
use crate::error::Error;
use crate::progress::ProgressState;
use crate::request::{ExportFormat, ExportRequest};
use crate::retry::RetryPolicy;

/// Sending, retrying and resuming the export request, and reading raw chunks.
pub(super) struct Transport {
    client: Client,
    /// The request as the caller made it.
    original: ExportRequest,
    /// The request of the next attempt (the original narrowed after a resume).
    request: ExportRequest,
    retry: RetryPolicy,
    /// The export's progress counters.
    pub(super) state: Arc<ProgressState>,
    current: Option<DecodedBody>,
    /// Status and content type of the answer being read.
    pub(super) answer: (u16, Option<String>),
    stall: StallWatch,
    /// Failed attempts since the last progress.
    pub(super) failures: u32,
}

/// What a broken body read says, with its causes, and never a URL.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no data arrived within the read timeout (stalled)".into();
    }
    match std::error::Error::source(error) {
        Some(source) => format!(
            "the connection broke: {}",
            crate::error::source_chain(source)
        ),
        None => "the connection broke".into(),
    }
}

impl Transport {
    /// A transport for `request`, counting into `state`; nothing is sent yet.
    pub(super) fn new(
        client: Client,
        request: ExportRequest,
        retry: RetryPolicy,
        state: Arc<ProgressState>,
    ) -> Self {
        Transport {
            stall: StallWatch::new(client.low_speed_limit()),
            client,
            original: request.clone(),
            request,
            retry,
            state,
            current: None,
            answer: (0, None),
            failures: 0,
        }
    }

    /// The deadline's error, with the counts so far.
    pub(super) fn timed_out(&self, after: Duration) -> Error {
        Error::TimedOut {
            after,
            records: self.state.records.load(Ordering::Relaxed),
            bytes: self.state.bytes.load(Ordering::Relaxed),
        }
    }

    /// The requested format.
    pub(super) fn format(&self) -> &ExportFormat {
        self.request.format()
    }

    /// Send the export request, retrying what may succeed later; on success the answer's
    /// body is the one read next.
    ///
    /// The stall rule applies from the moment the request is sent: an answer whose head
    /// (status line and headers) does not arrive within the rule's window is a stall,
    /// retried like a stalled body (and never left to the much longer read timeout).
    pub(super) async fn connect(&mut self) -> Result<(), Error> {
        loop {
            let api = self.client.api();
            let heard = Arc::new(AtomicBool::new(false));
            let extras = ExportExtras {
                unchecked: self.request.sent_as_given(),
                accept_encoding: if self.client.compression() {
                    crate::compression::OFFER
                } else {
                    crate::compression::OFFER_NONE
                },
                heard: heard.clone(),
            };
            let send = api
                .export_records()
                .project_id(self.request.project_id())
                .body(self.request.typed().clone())
                .send();
            let attempt = context::scope(extras, async {
                match send.await {
                    Ok(response) => Ok(response),
                    Err(e) => Err(map_api_error(e).await),
                }
            });
            let window = self.stall.rule.time();
            let answered = {
                let mut attempt = std::pin::pin!(attempt);
                loop {
                    match tokio::time::timeout(window, &mut attempt).await {
                        Ok(answered) => break Some(answered),
                        // An answer's head arrived in this window (a redirect to follow,
                        // an error body being read under its own cap): a new window.
                        Err(_) if heard.swap(false, Ordering::Relaxed) => {}
                        Err(_) => break None,
                    }
                }
            };
            let Some(answered) = answered else {
                let stalled = Error::Cut {
                    records: self.state.records.load(Ordering::Relaxed),
                    bytes: self.state.bytes.load(Ordering::Relaxed),
                    reason: format!(
                        "stalled: no answer arrived within {} s of sending the request",
                        window.as_secs_f64()
                    ),
                };
                self.wait_before_retry(None).await.map_err(|()| stalled)?;
                continue;
            };
            let error = match answered {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let content_type = response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    if let Some(reason) =
                        content_type_mismatch(self.format(), content_type.as_deref())
                    {
                        return Err(Error::NotAnExport {
                            status,
                            format: self.format().to_string(),
                            content_type: content_type.map(|t| crate::text::sanitize(&t, 100)),
                            reason,
                            excerpt: body_excerpt(response.into_inner()).await,
                        });
                    }
                    let encoding = response
                        .headers()
                        .get(reqwest::header::CONTENT_ENCODING)
                        .cloned();
                    let coding = match Coding::from_header(encoding.as_ref().map(|v| v.as_bytes()))
                    {
                        Ok(coding) => coding,
                        Err(reason) => {
                            let named = encoding
                                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                                .unwrap_or_default();
                            return Err(Error::Encoding {
                                encoding: crate::text::sanitize(&named, 40),
                                records: self.state.records.load(Ordering::Relaxed),
                                bytes: self.state.bytes.load(Ordering::Relaxed),
                                reason,
                            });
                        }
                    };
                    self.state.coding.store(coding.number(), Ordering::Relaxed);
                    self.answer = (status, content_type);
                    self.current = Some(DecodedBody::new(
                        response.into_inner().into_inner(),
                        coding,
                        self.state.wire_bytes.clone(),
                    ));
                    self.stall.restart();
                    return Ok(());
                }
                Err(error) => error,
            };
            let retry_after = match &error {
                Error::RateLimited { retry_after, .. } => *retry_after,
                _ => None,
            };
            if !error.is_retryable() {
                return Err(error);
            }
            self.wait_before_retry(retry_after)
                .await
                .map_err(|()| error)?;
        }
    }

    /// Count one failure; sleep before the next attempt, or give up (`Err`) when the
    /// policy's attempts or time budget are spent. A wait that would pass the budget (an
    /// absurd `Retry-After` included) gives up at once.
    pub(super) async fn wait_before_retry(
        &mut self,
        retry_after: Option<Duration>,
    ) -> Result<(), ()> {
        self.failures += 1;
        let policy = &self.retry;
        if self.failures >= policy.attempts() {
            return Err(());
        }
        let delay = policy.delay(self.failures, retry_after);
        match self.state.started.elapsed().checked_add(delay) {
            Some(when) if when <= policy.elapsed_budget() => {}
            _ => return Err(()),
        }
        self.state.retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// The next decoded chunk of the current answer (connecting first if the last one
    /// broke): `Ok(None)` at its end, `Err(reason)` when the read broke, stalled or the
    /// compressed stream was cut; a body that does not decode is an `Error::Encoding`.
    pub(super) async fn read(&mut self) -> Result<Result<Option<Bytes>, String>, Error> {
        if self.current.is_none() {
            self.connect().await?;
        }
        let Some(stream) = self.current.as_mut() else {
            return Ok(Ok(None));
        };
        let wire_before = self.state.wire_bytes.load(Ordering::Relaxed);
        let read = match self.stall.window_end {
            Some(end) => tokio::time::timeout_at(end, stream.next()).await,
            None => Ok(stream.next().await),
        };
        // The stall rule counts what crossed the network, not what it decoded to.
        let arrived = self.state.wire_bytes.load(Ordering::Relaxed) - wire_before;
        self.stall.arrived(arrived as usize);
        Ok(match read {
            Err(_) => {
                self.current = None;
                Err(self.stall.describe())
            }
            Ok(Some(Ok(chunk))) => Ok(Some(chunk)),
            Ok(Some(Err(failure))) => {
                self.current = None;
                match failure {
                    BodyFailure::Transport(e) => Err(describe(&e)),
                    BodyFailure::Truncated(coding) => Err(format!(
                        "the {coding} body ended before its compressed stream did"
                    )),
                    BodyFailure::Corrupt { coding, detail } => {
                        return Err(Error::Encoding {
                            encoding: coding.to_string(),
                            records: self.state.records.load(Ordering::Relaxed),
                            bytes: self.state.bytes.load(Ordering::Relaxed),
                            reason: detail,
                        })
                    }
                }
            }
            Ok(None) => {
                self.current = None;
                Ok(None)
            }
        })
    }

    /// The next request continues after `created_at` (see [`ExportRequest::narrowed`]).
    pub(super) fn resume_from(
        &mut self,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), Error> {
        // Narrowing the original each time keeps one bound, not one per resume.
        self.request = self.original.narrowed(created_at)?;
        self.state.resumes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
