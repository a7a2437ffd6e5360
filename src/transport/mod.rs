//! The transport layer and the reader task: where the export request is sent, retried and
//! resumed, so the consumer never knows a connection was replaced.
//!
//! The run-time flow is one straight line, and this module holds its first two stages:
//!
//! ```text
//! ExportBuilder ─► ExportRequest ─► Transport ─► Framing ─► Framed ─► BodyStream / RecordStream / file
//!  (builder)        (checked once)   (sends,      (counts,    (read-ahead  (line check or decoding,
//!                                    retries,     cuts)       channel)     writing, end of progress)
//!                                    resumes)
//! ```
//!
//! - [`Transport`] is the only layer that sends: the first request, retries of what may
//!   succeed later, and resumed requests narrowed by [`ExportRequest::narrowed`]. It
//!   decodes a compressed body as it arrives ([`crate::compression`]) and counts wire
//!   bytes, retries and resumes.
//! - [`Framing`] is the only layer that knows where records end: it counts records and
//!   lines and checks that what is handed on is an export. When a connection breaks it tells the reader
//!   where a resumed request must start ([`Framing::resume_point`]).
//! - The reader task runs both, a few chunks ahead of the consumer ([`Framed`]); errors
//!   travel down the same channel as the data, after the records before them, so every
//!   count in an error is final when it is built. Nothing downstream patches it.
//!
//! Every way a body can go wrong ends in an error, never a quietly short result: a reset
//! connection, a body shorter than its `Content-Length`, a chunked body without its
//! terminator, a body that ends inside a record (also a close-delimited one), a stall
//! (the [`LowSpeedLimit`]), the deadline
//! ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)), an answer that
//! is not an export.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::time::Instant;

use crate::checkpoint::Checkpoint;
use crate::client::{Client, LowSpeedLimit};
use crate::compression::{BodyFailure, Coding, DecodedBody};
use crate::error::{from_status, Error};
use crate::framing::{FrameError, Framing};
use crate::hooks::{ExportExtras, ResponseMeta, EXPORT_EXTRAS, LAST_RESPONSE};
use crate::progress::{ProgressFn, ProgressState};
use crate::request::{ExportFormat, ExportRequest};
use crate::retry::{parse_retry_after, RetryPolicy};

/// Everything the reader task needs to (re)issue the export and frame its answer.
pub(crate) struct TransportConfig {
    pub(crate) client: Client,
    /// The checked request.
    pub(crate) request: ExportRequest,
    /// Resume after a cut (JSON Lines with the native order: checked with the request).
    pub(crate) resume: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_record_size: u64,
    pub(crate) progress: Option<ProgressFn>,
}

/// Sending, retrying and resuming the export request, and reading raw chunks.
struct Transport {
    client: Client,
    /// The request as the caller made it.
    original: ExportRequest,
    /// The request of the next attempt (the original narrowed after a resume).
    request: ExportRequest,
    retry: RetryPolicy,
    state: Arc<ProgressState>,
    current: Option<DecodedBody>,
    /// Status and content type of the answer being read.
    answer: (u16, Option<String>),
    stall: StallWatch,
    /// Failed attempts since the last progress.
    failures: u32,
}

/// The reader task's state: the transport, the framing, and what is ready to hand on.
struct Reader {
    transport: Transport,
    framing: Framing,
    resume: bool,
    max_record_size: u64,
    out: VecDeque<Bytes>,
    /// Whether any byte was handed on.
    delivered_any: bool,
    /// Whether anything was handed on since the last cut.
    progressed: bool,
    finished: bool,
    /// An error to report once the records before it are handed on.
    failed: Option<Error>,
}

/// The stall rule: the body must bring `bytes` within every window of `time`.
struct StallWatch {
    rule: LowSpeedLimit,
    window_end: Option<Instant>,
    window_bytes: u64,
}

impl StallWatch {
    fn new(rule: LowSpeedLimit) -> Self {
        Self {
            rule,
            window_end: None,
            window_bytes: 0,
        }
    }

    fn restart(&mut self) {
        self.window_end = Instant::now().checked_add(self.rule.time());
        self.window_bytes = 0;
    }

    fn arrived(&mut self, bytes: usize) {
        self.window_bytes += bytes as u64;
        if self.window_bytes >= self.rule.bytes() {
            self.restart();
        }
    }

    fn describe(&self) -> String {
        format!(
            "stalled: fewer than {} bytes arrived in {} s",
            self.rule.bytes(),
            self.rule.time().as_secs_f64()
        )
    }
}

/// Chunks read ahead of the consumer (bounded: memory stays constant). Reading the body
/// in a task of its own lets the network and the decoding run side by side.
const READ_AHEAD_CHUNKS: usize = 16;

/// The framed body, read by the reader task a few chunks ahead: line-aligned chunks for
/// JSON Lines, then at most one error, which ends it. Dropping it stops the task and
/// closes the connection.
pub(crate) struct Framed {
    chunks: tokio::sync::mpsc::Receiver<Result<Bytes, Error>>,
    reader: tokio::task::JoinHandle<()>,
    state: Arc<ProgressState>,
    counts_records: bool,
    /// Set by the reader task when the body is complete (JSON Lines, native order).
    checkpoint: Arc<OnceLock<Checkpoint>>,
    ended: bool,
}

impl Drop for Framed {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Framed {
    /// Send the request and start the reader task. The first answer is awaited here, so
    /// auth and validation errors surface from `bytes()` / `records()` themselves.
    pub(crate) async fn open(cfg: TransportConfig) -> Result<Self, Error> {
        let state = ProgressState::new(cfg.progress);
        let incremental = cfg.request.keeps_checkpoint().then(|| cfg.request.after());
        let framing = Framing::new(
            cfg.request.format(),
            cfg.resume,
            incremental,
            cfg.request.needs_checkpoint(),
            cfg.max_record_size,
        );
        let checkpoint = Arc::new(OnceLock::new());
        let counts_records = framing.records().is_some();
        let deadline = cfg
            .client
            .total_timeout()
            .and_then(|after| Instant::now().checked_add(after).map(|at| (at, after)));
        let mut transport = Transport {
            stall: StallWatch::new(cfg.client.low_speed_limit()),
            client: cfg.client,
            original: cfg.request.clone(),
            request: cfg.request,
            retry: cfg.retry,
            state: state.clone(),
            current: None,
            answer: (0, None),
            failures: 0,
        };
        let connected = match deadline {
            Some((at, after)) => match tokio::time::timeout_at(at, transport.connect()).await {
                Ok(result) => result,
                Err(_) => Err(transport.timed_out(after)),
            },
            None => transport.connect().await,
        };
        if let Err(e) = connected {
            state.notify(true);
            return Err(e);
        }
        let mut reader = Reader {
            transport,
            framing,
            resume: cfg.resume,
            max_record_size: cfg.max_record_size,
            out: VecDeque::new(),
            delivered_any: false,
            progressed: false,
            finished: false,
            failed: None,
        };
        let (sender, chunks) = tokio::sync::mpsc::channel(READ_AHEAD_CHUNKS);
        let next_checkpoint = checkpoint.clone();
        let task = tokio::spawn(async move {
            let pump = async {
                loop {
                    match reader.next_chunk().await {
                        Ok(Some(chunk)) => {
                            if sender.send(Ok(chunk)).await.is_err() {
                                return; // the consumer is gone
                            }
                        }
                        Ok(None) => {
                            // Complete: the checkpoint goes down before the end does.
                            if let Some(next) = reader.framing.checkpoint() {
                                let _ = next_checkpoint.set(next);
                            }
                            return;
                        }
                        Err(e) => {
                            let _ = sender.send(Err(e)).await;
                            return;
                        }
                    }
                }
            };
            match deadline {
                Some((at, after)) => {
                    if tokio::time::timeout_at(at, pump).await.is_err() {
                        let _ = sender.send(Err(reader.transport.timed_out(after))).await;
                    }
                }
                None => pump.await,
            }
        });
        Ok(Self {
            chunks,
            reader: task,
            state,
            counts_records,
            checkpoint,
            ended: false,
        })
    }

    /// The export's progress counters (written by the reader task).
    pub(crate) fn state(&self) -> &Arc<ProgressState> {
        &self.state
    }

    /// The checkpoint after this export, once it has completed (JSON Lines in the native
    /// order).
    pub(crate) fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.get()
    }

    /// Whether framing counts records (JSON Lines and CSV).
    pub(crate) fn counts_records(&self) -> bool {
        self.counts_records
    }
}

impl Stream for Framed {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let item = futures::ready!(self.chunks.poll_recv(cx));
        if !matches!(item, Some(Ok(_))) {
            // An error ends the stream; the reader task stops when it is dropped.
            self.ended = true;
        }
        Poll::Ready(item)
    }
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

/// A `Content-Type` that is clearly not the requested format.
fn content_type_mismatch(format: &ExportFormat, content_type: Option<&str>) -> Option<String> {
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
async fn body_excerpt(stream: progenitor_client::ByteStream) -> String {
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

impl Transport {
    fn timed_out(&self, after: Duration) -> Error {
        Error::TimedOut {
            after,
            records: self.state.records.load(Ordering::Relaxed),
            bytes: self.state.bytes.load(Ordering::Relaxed),
        }
    }

    fn format(&self) -> &ExportFormat {
        self.request.format()
    }

    /// Send the export request, retrying what may succeed later; on success the answer's
    /// body is the one read next.
    ///
    /// The stall rule applies from the moment the request is sent: an answer whose head
    /// (status line and headers) does not arrive within the rule's window is a stall,
    /// retried like a stalled body (and never left to the much longer read timeout).
    async fn connect(&mut self) -> Result<(), Error> {
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
            let attempt = LAST_RESPONSE.scope(RefCell::new(None), async {
                let send = api
                    .export_records()
                    .project_id(self.request.project_id())
                    .body(self.request.typed().clone())
                    .send();
                let result = EXPORT_EXTRAS.scope(extras, send).await;
                match result {
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
    async fn wait_before_retry(&mut self, retry_after: Option<Duration>) -> Result<(), ()> {
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
    async fn read(&mut self) -> Result<Result<Option<Bytes>, String>, Error> {
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
    fn resume_from(&mut self, created_at: chrono::DateTime<chrono::Utc>) -> Result<(), Error> {
        // Narrowing the original each time keeps one bound, not one per resume.
        self.request = self.original.narrowed(created_at)?;
        self.state.resumes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Reader {
    fn frame_error(&self, error: FrameError) -> Error {
        match error {
            FrameError::TooLarge { line } => Error::RecordTooLarge {
                limit: self.max_record_size,
                line,
            },
            FrameError::NotAnExport { reason, excerpt } => Error::NotAnExport {
                status: self.transport.answer.0,
                format: self.transport.format().to_string(),
                content_type: self
                    .transport
                    .answer
                    .1
                    .as_deref()
                    .map(|t| crate::text::sanitize(t, 100)),
                reason,
                excerpt,
            },
            FrameError::Cut(reason) => self.cut(reason),
            FrameError::NoCheckpoint(reason) => Error::NoCheckpoint(reason),
        }
    }

    fn cut(&self, reason: String) -> Error {
        let state = &self.transport.state;
        Error::Cut {
            records: state.records.load(Ordering::Relaxed),
            bytes: state.bytes.load(Ordering::Relaxed)
                + self.out.iter().map(|b| b.len() as u64).sum::<u64>(),
            reason,
        }
    }

    /// Publish framing's record count to the progress.
    fn count_records(&self) {
        if let Some(records) = self.framing.records() {
            self.transport
                .state
                .records
                .store(records, Ordering::Relaxed);
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if let Some(chunk) = self.out.pop_front() {
                self.delivered_any = true;
                self.progressed = true;
                let state = &self.transport.state;
                state.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                state.notify(false);
                return Ok(Some(chunk));
            }
            if let Some(error) = self.failed.take() {
                return Err(error);
            }
            if self.finished {
                return Ok(None);
            }
            match self.transport.read().await? {
                Err(reason) => self.on_break(reason).await?,
                Ok(Some(chunk)) if chunk.is_empty() => {}
                Ok(Some(chunk)) => {
                    let pushed = self.framing.push(chunk, &mut self.out);
                    self.count_records();
                    if let Err(e) = pushed {
                        self.failed = Some(self.frame_error(e));
                    }
                }
                Ok(None) => {
                    let end = self.framing.finish(&mut self.out);
                    self.count_records();
                    match end {
                        Ok(()) => self.finished = true,
                        Err(FrameError::Cut(reason)) => self.on_break(reason).await?,
                        Err(other) => self.failed = Some(self.frame_error(other)),
                    }
                }
            }
        }
    }

    /// A read broke mid-body: retry, resume, or report the cut.
    async fn on_break(&mut self, reason: String) -> Result<(), Error> {
        // A partial record was never handed on: forget it.
        self.framing.interrupted();
        if !self.delivered_any && self.out.is_empty() {
            // Nothing reached the caller: the request can simply be sent again.
            return match self.transport.wait_before_retry(None).await {
                Ok(()) => Ok(()),
                Err(()) => Err(self.cut(reason)),
            };
        }
        if !self.resume {
            return Err(self.cut(reason));
        }
        let Some(created_at) = self.framing.resume_point() else {
            return Err(self.cut(format!(
                "{reason}; cannot resume: no record delivered so far has a `created_at` to continue from"
            )));
        };
        // Progress since the last cut resets the failure count; a resume that delivered
        // nothing new counts against the retry policy.
        if self.progressed {
            self.transport.failures = 0;
        } else if self.transport.wait_before_retry(None).await.is_err() {
            return Err(self.cut(format!("{reason}; gave up resuming")));
        }
        self.progressed = false;
        self.transport.resume_from(created_at)
    }
}

/// What the exec hook saw of the last answer, inside an export's request scope.
fn last_response() -> Option<ResponseMeta> {
    LAST_RESPONSE
        .try_with(|last| last.borrow().clone())
        .ok()
        .flatten()
}

/// Map a generated-client error to the crate's [`Error`]. Error bodies were read by the
/// client's hooks up to 64 KiB.
async fn map_api_error<E: serde::Serialize>(error: progenitor_client::Error<E>) -> Error {
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
                if body.len() >= crate::hooks::ERROR_BODY_CAP {
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
        P::InvalidResponsePayload(body, _) => match last_response() {
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
