//! The export's response body as a stream of byte chunks: the transport layer, where
//! requests are sent, retried and resumed, so the consumer never knows a connection was
//! replaced. Framing ([`crate::framing`]) decides what may be handed on.
//!
//! Every way a body can go wrong ends in an error, never a quietly short result: a reset
//! connection, a body shorter than its `Content-Length`, a chunked body without its
//! terminator, a body that ends inside a record (also a close-delimited one), a stall
//! (the [`LowSpeedLimit`](crate::LowSpeedLimit)), the deadline
//! ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)), an answer that
//! is not an export.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::{Map, Value};
use tokio::time::Instant;
use uuid::Uuid;

use crate::client::{Client, LowSpeedLimit};
use crate::error::{from_status, Error};
use crate::export::{typed_request, ExportFormat};
use crate::filter::{DateOperator, Filter};
use crate::framing::{CsvFraming, FrameError, Framing, JsonLinesFraming, LineCheck};
use crate::hooks::{ResponseMeta, LAST_RESPONSE};
use crate::progress::{Progress, ProgressFn, ProgressState};
use crate::retry::{parse_retry_after, RetryPolicy};

/// Everything the body stream needs to (re)issue the export.
pub(crate) struct BodyConfig {
    pub(crate) client: Client,
    pub(crate) project_id: Uuid,
    /// The request body as sent (serialized generated request).
    pub(crate) body: Value,
    /// Extra fields set by name (checked against the generated type on every attempt).
    pub(crate) extra: Map<String, Value>,
    pub(crate) format: ExportFormat,
    /// The consumer takes raw bytes (`bytes()`, `save()`, `write_to()`): framing checks
    /// every record and counts them. A record decoder does both itself.
    pub(crate) raw_consumer: bool,
    pub(crate) resume: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_record_size: u64,
    pub(crate) progress: Option<ProgressFn>,
}

struct Body {
    cfg: BodyConfig,
    state: Arc<ProgressState>,
    /// The body of the next request (narrowed after a resume).
    request: Value,
    current: Option<progenitor_client::ByteStream>,
    /// Status and content type of the answer being read.
    answer: (u16, Option<String>),
    out: VecDeque<Bytes>,
    framing: Framing,
    stall: StallWatch,
    /// Failed attempts since the last progress.
    failures: u32,
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

/// The raw bytes of an export, exactly as the server sent them (after retries and
/// resume; for JSON Lines, chunks end at a line break, so their boundaries may differ
/// from the network's). A cut is an [`Error::Cut`] item, a malformed record an
/// [`Error::Record`] with its line number. Get one from
/// [`ExportBuilder::bytes`](crate::ExportBuilder::bytes).
///
/// The body is read by a task of its own, at most a few chunks ahead; dropping the
/// stream stops it and closes the connection.
pub struct BodyStream {
    chunks: tokio::sync::mpsc::Receiver<Result<Bytes, Error>>,
    reader: tokio::task::JoinHandle<()>,
    state: Arc<ProgressState>,
    count_lines: bool,
    /// Whether this stream tells the observer the export has ended (false when a record
    /// decoder reads it: the decoder's stream ends later).
    reports_end: bool,
    /// JSON Lines read as bytes: every line is checked here, on the consumer's side.
    line_check: Option<LineCheck>,
    /// A bad line, reported after the lines before it.
    bad_line: Option<Error>,
    ended: bool,
}

impl Drop for BodyStream {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl BodyStream {
    pub(crate) async fn open(cfg: BodyConfig) -> Result<Self, Error> {
        let state = ProgressState::new(cfg.progress.clone());
        let count_lines = cfg.raw_consumer && (cfg.format.is_json_lines() || cfg.format.is_csv());
        let line_check = cfg.raw_consumer && cfg.format.is_json_lines();
        let framing = if cfg.format.is_json_lines() {
            Framing::JsonLines(JsonLinesFraming::new(cfg.resume, cfg.max_record_size))
        } else if cfg.format.is_csv() {
            Framing::Csv(CsvFraming::new(cfg.raw_consumer, cfg.max_record_size))
        } else {
            Framing::Opaque
        };
        let deadline = cfg
            .client
            .total_timeout()
            .and_then(|after| Instant::now().checked_add(after).map(|at| (at, after)));
        let mut body = Body {
            request: cfg.body.clone(),
            stall: StallWatch::new(cfg.client.low_speed_limit()),
            cfg,
            state: state.clone(),
            current: None,
            answer: (0, None),
            out: VecDeque::new(),
            framing,
            failures: 0,
            delivered_any: false,
            progressed: false,
            finished: false,
            failed: None,
        };
        // The first response is awaited here, so auth and validation errors surface
        // from `bytes()` / `records()` themselves.
        let connected = match deadline {
            Some((at, after)) => match tokio::time::timeout_at(at, body.connect()).await {
                Ok(result) => result,
                Err(_) => Err(body.timed_out(after)),
            },
            None => body.connect().await,
        };
        match connected {
            Ok(stream) => {
                body.current = Some(stream);
                body.stall.restart();
            }
            Err(e) => {
                state.notify(true);
                return Err(e);
            }
        }
        let (sender, chunks) = tokio::sync::mpsc::channel(READ_AHEAD_CHUNKS);
        let reader = tokio::spawn(async move {
            let pump = async {
                loop {
                    match body.next_chunk().await {
                        Ok(Some(chunk)) => {
                            if sender.send(Ok(chunk)).await.is_err() {
                                return; // the consumer is gone
                            }
                        }
                        Ok(None) => return,
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
                        let _ = sender.send(Err(body.timed_out(after))).await;
                    }
                }
                None => pump.await,
            }
        });
        Ok(Self {
            chunks,
            reader,
            state,
            count_lines,
            reports_end: true,
            line_check: line_check.then(LineCheck::default),
            bad_line: None,
            ended: false,
        })
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.state.snapshot(false)
    }

    pub(crate) fn state(&self) -> &Arc<ProgressState> {
        &self.state
    }

    /// Whether records are counted by this stream (JSON Lines and CSV read as bytes).
    pub(crate) fn counts_records(&self) -> bool {
        self.count_lines
    }

    /// A record decoder reads this stream and reports the end itself.
    pub(crate) fn into_decoder_input(mut self) -> Self {
        self.reports_end = false;
        self
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let item = if let Some(error) = this.bad_line.take() {
            Some(Err(error))
        } else if this.ended {
            None
        } else {
            match futures::ready!(this.chunks.poll_recv(cx)) {
                Some(Ok(chunk)) => match this.line_check.as_mut().map(|c| c.check(&chunk)) {
                    None => Some(Ok(chunk)),
                    Some(Ok(records)) => {
                        this.state.records.fetch_add(records, Ordering::Relaxed);
                        Some(Ok(chunk))
                    }
                    Some(Err((valid, error))) => {
                        let error = Error::Record(error);
                        if valid > 0 {
                            this.bad_line = Some(error);
                            Some(Ok(chunk.slice(..valid)))
                        } else {
                            Some(Err(error))
                        }
                    }
                },
                // Records are counted here, so the reader's count lags behind: the
                // chunks before the error have all been checked by now.
                Some(Err(Error::Cut { bytes, reason, .. })) if this.line_check.is_some() => {
                    Some(Err(Error::Cut {
                        records: this.state.records.load(Ordering::Relaxed),
                        bytes,
                        reason,
                    }))
                }
                Some(Err(Error::TimedOut { after, bytes, .. })) if this.line_check.is_some() => {
                    Some(Err(Error::TimedOut {
                        after,
                        records: this.state.records.load(Ordering::Relaxed),
                        bytes,
                    }))
                }
                other => other,
            }
        };
        if !matches!(item, Some(Ok(_))) {
            // An error ends the stream; the reader task stops when it is dropped.
            this.ended = true;
            if this.reports_end {
                this.state.notify(true);
            }
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

impl Body {
    fn timed_out(&self, after: Duration) -> Error {
        Error::TimedOut {
            after,
            records: self.state.records.load(Ordering::Relaxed),
            bytes: self.state.bytes.load(Ordering::Relaxed),
        }
    }

    /// Send the export request, retrying what may succeed later.
    async fn connect(&mut self) -> Result<progenitor_client::ByteStream, Error> {
        loop {
            let request = typed_request(&self.request, &self.cfg.extra)?;
            let api = self.cfg.client.api();
            let attempt = LAST_RESPONSE.scope(RefCell::new(None), async {
                let result = api
                    .export_records()
                    .project_id(self.cfg.project_id)
                    .body(request)
                    .send()
                    .await;
                match result {
                    Ok(response) => Ok(response),
                    Err(e) => Err(map_api_error(e).await),
                }
            });
            let error = match attempt.await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let content_type = response
                        .headers()
                        .get(reqwest::header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    if let Some(reason) =
                        content_type_mismatch(&self.cfg.format, content_type.as_deref())
                    {
                        return Err(Error::NotAnExport {
                            status,
                            format: self.cfg.format.to_string(),
                            content_type: content_type.map(|t| crate::text::sanitize(&t, 100)),
                            reason,
                            excerpt: body_excerpt(response.into_inner()).await,
                        });
                    }
                    self.answer = (status, content_type);
                    return Ok(response.into_inner());
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
        let policy = &self.cfg.retry;
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

    fn frame_error(&self, error: FrameError) -> Error {
        match error {
            FrameError::TooLarge { line } => Error::RecordTooLarge {
                limit: self.cfg.max_record_size,
                line,
            },
            FrameError::NotAnExport { reason, excerpt } => Error::NotAnExport {
                status: self.answer.0,
                format: self.cfg.format.to_string(),
                content_type: self
                    .answer
                    .1
                    .as_deref()
                    .map(|t| crate::text::sanitize(t, 100)),
                reason,
                excerpt,
            },
            FrameError::Cut(reason) => self.cut(reason),
        }
    }

    fn cut(&self, reason: String) -> Error {
        Error::Cut {
            records: self.state.records.load(Ordering::Relaxed),
            bytes: self.state.bytes.load(Ordering::Relaxed)
                + self.out.iter().map(|b| b.len() as u64).sum::<u64>(),
            reason,
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if let Some(chunk) = self.out.pop_front() {
                self.delivered_any = true;
                self.progressed = true;
                self.state
                    .bytes
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                self.state.notify(false);
                return Ok(Some(chunk));
            }
            if let Some(error) = self.failed.take() {
                return Err(error);
            }
            if self.finished {
                return Ok(None);
            }
            let Some(stream) = self.current.as_mut() else {
                let stream = self.connect().await?;
                self.current = Some(stream);
                self.stall.restart();
                continue;
            };
            let read = match self.stall.window_end {
                Some(end) => tokio::time::timeout_at(end, stream.next()).await,
                None => Ok(stream.next().await),
            };
            match read {
                Err(_) => {
                    self.current = None;
                    let reason = self.stall.describe();
                    self.on_cut(reason).await?;
                }
                Ok(Some(Ok(chunk))) if chunk.is_empty() => {}
                Ok(Some(Ok(chunk))) => {
                    self.stall.arrived(chunk.len());
                    let pushed = self.framing.push(chunk, &mut self.out);
                    self.count_records();
                    if let Err(e) = pushed {
                        self.failed = Some(self.frame_error(e));
                    }
                }
                Ok(Some(Err(e))) => {
                    self.current = None;
                    self.on_cut(describe(&e)).await?;
                }
                Ok(None) => {
                    self.current = None;
                    let end = self.framing.finish(&mut self.out);
                    self.count_records();
                    match end {
                        Ok(()) => self.finished = true,
                        Err(FrameError::Cut(reason)) => self.on_cut(reason).await?,
                        Err(other) => self.failed = Some(self.frame_error(other)),
                    }
                }
            }
        }
    }

    fn count_records(&self) {
        if let Some(records) = self.framing.records() {
            self.state.records.store(records, Ordering::Relaxed);
        }
    }

    /// A read failed mid-body: retry, resume, or report the cut.
    async fn on_cut(&mut self, reason: String) -> Result<(), Error> {
        // A partial record was never handed on: forget it.
        self.framing.cut();
        if !self.delivered_any && self.out.is_empty() {
            // Nothing reached the caller: the request can simply be sent again.
            return match self.wait_before_retry(None).await {
                Ok(()) => Ok(()),
                Err(()) => Err(self.cut(reason)),
            };
        }
        if !self.cfg.resume {
            return Err(self.cut(reason));
        }
        let Some(created_at) = self
            .framing
            .json_lines()
            .and_then(|f| f.boundary().map(|b| b.created_at))
        else {
            return Err(self.cut(format!(
                "{reason}; cannot resume: no record delivered so far has a `created_at` to continue from"
            )));
        };
        // Progress since the last cut resets the failure count; a resume that delivered
        // nothing new counts against the retry policy.
        if self.progressed {
            self.failures = 0;
        } else if self.wait_before_retry(None).await.is_err() {
            return Err(self.cut(format!("{reason}; gave up resuming")));
        }
        self.progressed = false;
        self.request = narrowed(&self.cfg.body, created_at)?;
        if let Some(framing) = self.framing.json_lines() {
            framing.start_skipping();
        }
        self.state.resumes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The original request plus `created_at <= boundary` (a date filter of the
/// [`filter`](crate::filter) module): with the native order (`created_at`, `id`
/// descending) the server restarts at the boundary timestamp.
fn narrowed(body: &Value, created_at: chrono::DateTime<chrono::Utc>) -> Result<Value, Error> {
    let bound = Filter::from(Filter::date("created_at").compare(DateOperator::Lte, created_at));
    let bound = serde_json::to_value(&bound).map_err(|e| {
        Error::InvalidRequest(format!("the resume filter cannot be serialized: {e}"))
    })?;
    let mut body = body.clone();
    match body.get_mut("filters") {
        Some(Value::Array(filters)) => filters.push(bound),
        _ => {
            if let Some(map) = body.as_object_mut() {
                map.insert("filters".into(), Value::Array(vec![bound]));
            }
        }
    }
    Ok(body)
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
    use serde_json::json;

    #[test]
    fn narrowed_adds_a_created_at_bound() {
        let ts = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .to_utc();
        let body = narrowed(
            &json!({"root_type": "trace", "filters": [{"type": "text"}]}),
            ts,
        )
        .unwrap();
        assert_eq!(
            body["filters"][1],
            json!({"type": "date", "column_id": "created_at", "operator": "lte", "value": "2026-01-02T03:04:05.123456Z"})
        );
        let body = narrowed(&json!({"root_type": "trace"}), ts).unwrap();
        assert_eq!(body["filters"].as_array().map(Vec::len), Some(1));
    }

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
