//! The export's response body as a stream of byte chunks — the layer where retries and
//! resume happen, so the framer and the decoder never know a connection was replaced.
//!
//! For JSON Lines the stream is *line aligned*: it only hands on bytes up to the last
//! `\n` it has seen, holding back a partial line (as chunk slices, without copying) until
//! its end arrives. A cut therefore never leaves half a record downstream: the records
//! delivered are exactly the complete lines, and a resumed request can continue after
//! the last of them. The last line of an export may lack its `\n`; it is handed on at
//! the clean end of the body.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::client::Client;
use crate::error::{from_status, Error};
use crate::export::typed_request;
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
    pub(crate) line_aligned: bool,
    /// Count records as lines here (for `bytes()`/`save()`); a record decoder downstream
    /// counts them itself instead.
    pub(crate) count_lines: bool,
    pub(crate) resume: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) progress: Option<ProgressFn>,
}

/// Where a resumed export continues: after the record with this `created_at` and `id`
/// (native order is `created_at`, `id` descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Boundary {
    created_at: chrono::DateTime<chrono::Utc>,
    id: Uuid,
}

#[derive(serde::Deserialize)]
struct RecordKey {
    created_at: chrono::DateTime<chrono::Utc>,
    id: Uuid,
}

fn key_of(line: &[u8]) -> Option<Boundary> {
    let key: RecordKey = serde_json::from_slice(line).ok()?;
    Some(Boundary {
        created_at: key.created_at,
        id: key.id,
    })
}

struct Body {
    cfg: BodyConfig,
    state: Arc<ProgressState>,
    /// The body of the next request (narrowed after a resume).
    request: Value,
    current: Option<progenitor_client::ByteStream>,
    out: VecDeque<Bytes>,
    pending: Vec<Bytes>,
    last_line: Option<Bytes>,
    skip: Option<Boundary>,
    /// Failed attempts since the last progress.
    failures: u32,
    /// Whether any byte was handed on.
    delivered_any: bool,
    /// Whether anything was handed on since the last cut.
    progressed: bool,
    finished: bool,
}

/// Chunks read ahead of the consumer (bounded: memory stays constant). Reading the body
/// in a task of its own lets the network and the decoding run side by side.
const READ_AHEAD_CHUNKS: usize = 16;

/// The raw bytes of an export, exactly as the server sent them (after retries and
/// resume; for JSON Lines, chunks end at a line break, so their boundaries may differ
/// from the network's). A cut is an [`Error::Cut`] item. Get one from
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
        let count_lines = cfg.line_aligned && cfg.count_lines;
        let mut body = Body {
            request: cfg.body.clone(),
            cfg,
            state: state.clone(),
            current: None,
            out: VecDeque::new(),
            pending: Vec::new(),
            last_line: None,
            skip: None,
            failures: 0,
            delivered_any: false,
            progressed: false,
            finished: false,
        };
        // The first response is awaited here, so auth and validation errors surface
        // from `bytes()` / `records()` themselves.
        match body.connect().await {
            Ok(stream) => body.current = Some(stream),
            Err(e) => {
                state.notify(true);
                return Err(e);
            }
        }
        let (sender, chunks) = tokio::sync::mpsc::channel(READ_AHEAD_CHUNKS);
        let reader = tokio::spawn(async move {
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
        });
        Ok(Self {
            chunks,
            reader,
            state,
            count_lines,
            reports_end: true,
        })
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.state.snapshot(false)
    }

    pub(crate) fn state(&self) -> &Arc<ProgressState> {
        &self.state
    }

    /// Whether records are counted by this stream (JSON Lines read as bytes: one per line).
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
        let item = futures::ready!(self.chunks.poll_recv(cx));
        if self.reports_end && !matches!(item, Some(Ok(_))) {
            self.state.notify(true);
        }
        Poll::Ready(item)
    }
}

/// What a broken body read says, with its causes, and never a URL.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no data arrived within the read timeout (stalled)".into();
    }
    let mut text = String::from("the connection broke");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Body {
    /// Send the export request, retrying what may succeed later.
    async fn connect(&mut self) -> Result<progenitor_client::ByteStream, Error> {
        loop {
            let request = typed_request(&self.request, &self.cfg.extra)?;
            let result = self
                .cfg
                .client
                .api()
                .export_records()
                .project_id(self.cfg.project_id)
                .body(request)
                .send()
                .await;
            let error = match result {
                Ok(response) => return Ok(response.into_inner()),
                Err(e) => map_api_error(e).await,
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
    /// policy's attempts or time budget are spent.
    async fn wait_before_retry(&mut self, retry_after: Option<Duration>) -> Result<(), ()> {
        self.failures += 1;
        let policy = &self.cfg.retry;
        if self.failures >= policy.attempts() {
            return Err(());
        }
        let delay = policy.delay(self.failures, retry_after);
        if self.state.started.elapsed() + delay > policy.elapsed_budget() {
            return Err(());
        }
        self.state.retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if let Some(chunk) = self.out.pop_front() {
                self.delivered_any = true;
                self.progressed = true;
                self.state
                    .bytes
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if self.cfg.line_aligned && self.cfg.count_lines {
                    let lines = memchr::memchr_iter(b'\n', &chunk).count() as u64;
                    self.state.records.fetch_add(lines, Ordering::Relaxed);
                }
                self.state.notify(false);
                return Ok(Some(chunk));
            }
            if self.finished {
                return Ok(None);
            }
            let Some(stream) = self.current.as_mut() else {
                let stream = self.connect().await?;
                self.current = Some(stream);
                continue;
            };
            match stream.next().await {
                Some(Ok(chunk)) if chunk.is_empty() => {}
                Some(Ok(chunk)) => {
                    if self.cfg.line_aligned {
                        self.accept(chunk);
                    } else {
                        self.out.push_back(chunk);
                    }
                }
                Some(Err(e)) => {
                    self.current = None;
                    self.on_cut(&e).await?;
                }
                None => {
                    self.current = None;
                    self.finished = true;
                    self.end_of_body();
                }
            }
        }
    }

    /// Line-aligned intake: hand on everything up to the last `\n`, hold the rest.
    fn accept(&mut self, chunk: Bytes) {
        let Some(i) = memchr::memrchr(b'\n', &chunk) else {
            self.pending.push(chunk);
            return;
        };
        let mut region = std::mem::take(&mut self.pending);
        region.push(chunk.slice(..=i));
        if i + 1 < chunk.len() {
            self.pending.push(chunk.slice(i + 1..));
        }
        if self.skip.is_some() {
            region = self.skip_delivered(region);
        }
        region.retain(|b| !b.is_empty());
        if self.cfg.resume {
            if let Some(line) = last_line(&region) {
                self.last_line = Some(line);
            }
        }
        self.out.extend(region);
    }

    /// After a resume, drop the leading lines that were delivered before the cut.
    fn skip_delivered(&mut self, region: Vec<Bytes>) -> Vec<Bytes> {
        let Some(boundary) = self.skip else {
            return region;
        };
        let joined = join(region);
        let mut start = 0;
        while start < joined.len() {
            let end =
                memchr::memchr(b'\n', &joined[start..]).map_or(joined.len(), |p| start + p + 1);
            let line = trim_line(&joined[start..end]);
            if line.is_empty() {
                start = end;
                continue;
            }
            match key_of(line) {
                Some(key)
                    if key.created_at > boundary.created_at
                        || (key.created_at == boundary.created_at && key.id >= boundary.id) =>
                {
                    start = end; // delivered before the cut
                }
                _ => {
                    self.skip = None;
                    break;
                }
            }
        }
        vec![joined.slice(start..)]
    }

    fn end_of_body(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut tail = std::mem::take(&mut self.pending);
        if self.skip.is_some() {
            tail = self.skip_delivered(tail);
        }
        let tail: Vec<Bytes> = tail.into_iter().filter(|b| !b.is_empty()).collect();
        if !tail.is_empty() && self.cfg.count_lines {
            // The final line without its newline is a record too.
            self.state.records.fetch_add(1, Ordering::Relaxed);
        }
        self.out.extend(tail);
    }

    /// A read failed mid-body: retry, resume, or report the cut.
    async fn on_cut(&mut self, error: &reqwest::Error) -> Result<(), Error> {
        let reason = describe(error);
        // A partial line was never handed on: forget it.
        self.pending.clear();
        let cut = |s: &Self, reason: String| Error::Cut {
            records: s.state.records.load(Ordering::Relaxed),
            bytes: s.state.bytes.load(Ordering::Relaxed)
                + s.out.iter().map(|b| b.len() as u64).sum::<u64>(),
            reason,
        };
        let nothing_delivered =
            !self.delivered_any && self.out.is_empty() && self.last_line.is_none();
        if nothing_delivered && self.skip.is_none() {
            // Nothing reached the caller: the request can simply be sent again.
            return match self.wait_before_retry(None).await {
                Ok(()) => Ok(()),
                Err(()) => Err(cut(self, reason)),
            };
        }
        if !self.cfg.resume {
            return Err(cut(self, reason));
        }
        let Some(line) = self.last_line.clone() else {
            return Err(cut(self, reason));
        };
        let Some(boundary) = key_of(trim_line(&line)) else {
            return Err(cut(
                self,
                format!("{reason}; cannot resume: the last record delivered has no `created_at` and `id` to continue from"),
            ));
        };
        // Progress since the last cut resets the failure count; a resume that delivered
        // nothing new counts against the retry policy.
        if self.progressed {
            self.failures = 0;
        } else if self.wait_before_retry(None).await.is_err() {
            return Err(cut(self, format!("{reason}; gave up resuming")));
        }
        self.progressed = false;
        self.request = narrowed(&self.cfg.body, boundary.created_at);
        self.skip = Some(boundary);
        self.state.resumes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The original request plus `created_at <= boundary`: with the native order
/// (`created_at`, `id` descending) the server restarts at the boundary timestamp.
fn narrowed(body: &Value, created_at: chrono::DateTime<chrono::Utc>) -> Value {
    let mut body = body.clone();
    let bound = json!({
        "type": "date",
        "column_id": "created_at",
        "operator": "lte",
        "value": created_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    });
    match body.get_mut("filters") {
        Some(Value::Array(filters)) => filters.push(bound),
        _ => {
            if let Some(map) = body.as_object_mut() {
                map.insert("filters".into(), json!([bound]));
            }
        }
    }
    body
}

fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn join(parts: Vec<Bytes>) -> Bytes {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut out = BytesMut::with_capacity(parts.iter().map(Bytes::len).sum());
    for p in parts {
        out.extend_from_slice(&p);
    }
    out.freeze()
}

/// The last complete line of a region that ends with `\n` (copied only when it spans
/// several chunks).
fn last_line(region: &[Bytes]) -> Option<Bytes> {
    let (last, before) = region.split_last()?;
    let body = &last[..last.len().saturating_sub(1)];
    if let Some(j) = memchr::memrchr(b'\n', body) {
        return Some(last.slice(j + 1..last.len() - 1));
    }
    // The line started in an earlier piece.
    let mut pieces = vec![last.slice(..last.len().saturating_sub(1))];
    for piece in before.iter().rev() {
        match memchr::memrchr(b'\n', piece) {
            Some(j) => {
                pieces.push(piece.slice(j + 1..));
                break;
            }
            None => pieces.push(piece.clone()),
        }
    }
    pieces.reverse();
    Some(join(pieces))
}

/// Map a generated-client error to the crate's [`Error`], reading an error body (up to
/// 64 KiB) for the server's message.
async fn map_api_error<E: serde::Serialize>(error: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let body = serde_json::to_vec(&response.into_inner()).unwrap_or_default();
            from_status(status, retry_after, &body)
        }
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut body = Vec::new();
            let mut chunks = response.bytes_stream();
            while let Some(Ok(chunk)) = chunks.next().await {
                body.extend_from_slice(&chunk);
                if body.len() > 64 * 1024 {
                    break;
                }
            }
            from_status(status, retry_after, &body)
        }
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            Error::Transport(e.without_url())
        }
        P::InvalidRequest(message) => Error::InvalidRequest(message),
        P::InvalidResponsePayload(_, e) => Error::Api {
            status: 200,
            message: format!("the response does not match the spec: {e}"),
        },
        P::Custom(message) => Error::Config(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_within_and_across_pieces() {
        let region = vec![
            Bytes::from_static(b"{\"a\":1}\n{\"b\""),
            Bytes::from_static(b":2}\n"),
        ];
        assert_eq!(
            last_line(&region).unwrap(),
            Bytes::from_static(b"{\"b\":2}")
        );
        let region = vec![Bytes::from_static(b"x\ny\nz\n")];
        assert_eq!(last_line(&region).unwrap(), Bytes::from_static(b"z"));
        let region = vec![Bytes::from_static(b"abc"), Bytes::from_static(b"def\n")];
        assert_eq!(last_line(&region).unwrap(), Bytes::from_static(b"abcdef"));
    }

    #[test]
    fn narrowed_adds_a_created_at_bound() {
        let ts = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .to_utc();
        let body = narrowed(
            &json!({"root_type": "trace", "filters": [{"type": "text"}]}),
            ts,
        );
        assert_eq!(
            body["filters"][1],
            json!({"type": "date", "column_id": "created_at", "operator": "lte", "value": "2026-01-02T03:04:05.123456Z"})
        );
        let body = narrowed(&json!({"root_type": "trace"}), ts);
        assert_eq!(body["filters"].as_array().map(Vec::len), Some(1));
    }
}
