//! The reader task and the read-ahead channel: the task runs the [`Transport`] and the
//! [`Framing`] a few chunks ahead of the consumer, and [`Framed`] is the consumer's end.
//!
//! Invariants: memory stays constant (at most [`READ_AHEAD_CHUNKS`] chunks wait in the
//! channel); errors travel down the same channel as the data, after the records before
//! them, so every count in an error is final when it is built; at most one error is
//! sent, and it ends the stream; the checkpoint is published before the end is; a read
//! that breaks is retried while nothing was handed on, resumed when resuming is on, and
//! otherwise reported as a cut.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use tokio::time::Instant;

use super::send::Transport;
use crate::checkpoint::Checkpoint;
use crate::client::Client;
use crate::error::Error;
use crate::framing::{FrameError, Framing};
use crate::progress::{ProgressFn, ProgressState};
use crate::request::ExportRequest;
use crate::retry::RetryPolicy;

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
    /// The count of records to report as [`Progress::total`](crate::Progress::total):
    /// run beside the export (never before it), its answer handed to the progress.
    pub(crate) total: Option<TotalFuture>,
}

/// The count of an export's records, asked for beside it; `None` when it failed (the
/// export goes on without a total).
pub(crate) type TotalFuture = futures::future::BoxFuture<'static, Option<u64>>;

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
    /// The task asking for the count, if any (stopped with the export).
    total: Option<tokio::task::AbortHandle>,
}

impl Drop for Framed {
    fn drop(&mut self) {
        self.reader.abort();
        if let Some(total) = &self.total {
            total.abort();
        }
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
        // The count goes out beside the export, never in front of it.
        let total = cfg.total.map(|count| {
            let state = state.clone();
            tokio::spawn(async move {
                if let Some(total) = count.await {
                    state.set_total(total);
                }
            })
            .abort_handle()
        });
        let mut transport = Transport::new(cfg.client, cfg.request, cfg.retry, state.clone());
        let connected = match deadline {
            Some((at, after)) => match tokio::time::timeout_at(at, transport.connect()).await {
                Ok(result) => result,
                Err(_) => Err(transport.timed_out(after)),
            },
            None => transport.connect().await,
        };
        if let Err(e) = connected {
            if let Some(total) = &total {
                total.abort();
            }
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
            total,
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
