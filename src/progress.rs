//! Progress of an export: records, bytes (decoded and on the wire) and elapsed time. Each layer writes its own
//! counters (the transport wire bytes, retries and resumes; the reader bytes handed on; framing records); the layer that
//! hands the caller the last item reports the end.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A snapshot of an export's progress, passed to the observer set with
/// [`ExportBuilder::on_progress`](crate::ExportBuilder::on_progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Records received so far: JSON Lines records (non-blank lines) and CSV rows after
    /// the header, counted as they are framed, whichever way the export is read (0 for a
    /// format this crate does not know).
    pub records: u64,
    /// Body bytes handed on so far, decoded (what a file of the export holds).
    pub bytes: u64,
    /// Body bytes received from the network so far, as sent: compressed when the server
    /// compressed the body, and counting every attempt (a retried or resumed request's
    /// bytes too). Equal to `bytes` for an uncompressed export that was never resumed.
    pub wire_bytes: u64,
    /// Time since the export was started.
    pub elapsed: Duration,
    /// Requests retried before data arrived.
    pub retries: u32,
    /// Times the export was resumed after a cut.
    pub resumes: u32,
    /// `true` for the last call, once the export has ended (successfully or not).
    pub finished: bool,
    /// How many records the export will deliver, as Galileo's count operation said, once
    /// it has answered: only when the export asked for it (`ExportBuilder::count_total`,
    /// in builds whose spec has the count operations, `cfg(galileo_has_counts)`). The spec says the count "may be slightly
    /// inaccurate": `records` may end below or above it.
    pub total: Option<u64>,
}

/// [`ProgressState::total`] before the count is known.
const UNKNOWN: u64 = u64::MAX;

/// A progress observer.
pub(crate) type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Counters shared by the layers of one export, and its observer.
pub(crate) struct ProgressState {
    pub(crate) started: Instant,
    pub(crate) records: AtomicU64,
    pub(crate) bytes: AtomicU64,
    /// Written by the body decoder as bytes arrive.
    pub(crate) wire_bytes: Arc<AtomicU64>,
    /// The content coding of the last answer ([`crate::compression::Coding::number`]).
    pub(crate) coding: AtomicU8,
    pub(crate) retries: AtomicU32,
    pub(crate) resumes: AtomicU32,
    /// The count of records, once known ([`UNKNOWN`] until then).
    pub(crate) total: AtomicU64,
    observer: Option<ProgressFn>,
    ended: AtomicBool,
}

impl std::fmt::Debug for ProgressState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.snapshot(self.ended.load(Ordering::Relaxed)).fmt(f)
    }
}

impl ProgressState {
    pub(crate) fn new(observer: Option<ProgressFn>) -> Arc<Self> {
        Arc::new(Self {
            started: Instant::now(),
            records: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            wire_bytes: Arc::new(AtomicU64::new(0)),
            coding: AtomicU8::new(0),
            retries: AtomicU32::new(0),
            resumes: AtomicU32::new(0),
            total: AtomicU64::new(UNKNOWN),
            observer,
            ended: AtomicBool::new(false),
        })
    }

    /// Tell the observer; the `finished` call comes once, from whoever hands the last
    /// item to the caller, and nothing after it.
    pub(crate) fn notify(&self, finished: bool) {
        let Some(observer) = &self.observer else {
            return;
        };
        if finished {
            if self.ended.swap(true, Ordering::AcqRel) {
                return;
            }
        } else if self.ended.load(Ordering::Acquire) {
            return;
        }
        observer(&self.snapshot(finished));
    }

    /// The count of records has arrived: stored, and the observer told (unless the
    /// export has ended).
    pub(crate) fn set_total(&self, total: u64) {
        self.total.store(total.min(UNKNOWN - 1), Ordering::Relaxed);
        self.notify(false);
    }

    pub(crate) fn snapshot(&self, finished: bool) -> Progress {
        Progress {
            records: self.records.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            wire_bytes: self.wire_bytes.load(Ordering::Relaxed),
            elapsed: self.started.elapsed(),
            retries: self.retries.load(Ordering::Relaxed),
            resumes: self.resumes.load(Ordering::Relaxed),
            finished,
            total: Some(self.total.load(Ordering::Relaxed)).filter(|t| *t != UNKNOWN),
        }
    }
}
