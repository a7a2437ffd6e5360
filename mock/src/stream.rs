//! Incremental rendering of an export body and byte-level fault injection.
//!
//! [`Renderer`] appends whole records to a caller-supplied buffer, reusing one
//! [`Scratch`] (core fields, text buffers, block cache) for the whole export,
//! so the steady state allocates only the ~64 KiB chunk it hands to hyper.
//! [`body_stream`] wraps it into the `Stream` axum turns into a chunked body and
//! applies the byte-level faults.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use tokio::sync::watch;

use super::data::{Dataset, Scratch};
use super::encoding::{ContentCoding, Encoder};
use super::query::{columns_need_text, write_cell, write_csv_field, Plan};
use super::validate::ExportFormat;

/// Per-connection write state, shared between the connection's IO object and
/// the response body of requests on that connection.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    /// True between a write to the socket and the next completed flush, i.e.
    /// while hyper may still hold bytes it has not handed to the kernel.
    dirty: AtomicBool,
}

impl ConnState {
    /// Whether everything hyper wrote has been flushed to the socket.
    pub fn is_flushed(&self) -> bool {
        !self.dirty.load(Ordering::Acquire)
    }

    /// The connection's IO object wrote bytes (not yet flushed).
    pub(crate) fn mark_written(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// The connection's IO object completed a flush.
    pub(crate) fn mark_flushed(&self) {
        self.dirty.store(false, Ordering::Release);
    }
}

/// Target size of one body chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
/// Candidates examined per chunk before yielding to the runtime (bounds the
/// time one poll can take when a filter matches rarely).
const SCAN_BUDGET: u64 = 16 * 1024;

/// Renders the records of a plan, in order, into byte buffers.
pub(crate) struct Renderer {
    ds: Arc<Dataset>,
    plan: Arc<Plan>,
    s: Scratch,
    pos: u64,
    emitted: u64,
    malformed_at: Option<u64>,
    header_pending: bool,
    csv_needs_text: bool,
    cell: Vec<u8>,
    done: bool,
}

impl Renderer {
    /// A renderer for `plan` (whose order must be materialised). Output record
    /// number `malformed_at` (0-based), if any, is replaced by a malformed line.
    pub fn new(ds: Arc<Dataset>, plan: Arc<Plan>, malformed_at: Option<u64>) -> Self {
        let csv = plan.format == ExportFormat::Csv;
        Renderer {
            csv_needs_text: csv && columns_need_text(&plan.columns),
            header_pending: csv,
            ds,
            plan,
            s: Scratch::default(),
            pos: 0,
            emitted: 0,
            malformed_at,
            cell: Vec::with_capacity(4096),
            done: false,
        }
    }

    /// Appends output until `out` holds at least `target` bytes, `budget`
    /// candidate records were examined, or the export ends. Returns true once
    /// the export is complete.
    pub fn fill(&mut self, out: &mut Vec<u8>, target: usize, mut budget: u64) -> bool {
        if self.done {
            return true;
        }
        if self.header_pending {
            self.header_pending = false;
            for (i, (name, _)) in self.plan.columns.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_csv_field(out, name.as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        let plan = Arc::clone(&self.plan);
        let ds = Arc::clone(&self.ds);
        while out.len() < target && budget > 0 {
            let Some((index, filter)) = plan.candidate(self.pos) else {
                self.done = true;
                return true;
            };
            self.pos += 1;
            budget -= 1;
            if !plan.load_and_match(&ds, &mut self.s, index, filter) {
                continue;
            }
            if self.malformed_at == Some(self.emitted) {
                self.write_malformed(out);
            } else {
                self.write_record(&ds, &plan, out);
            }
            self.emitted += 1;
        }
        if plan.candidate(self.pos).is_none() {
            self.done = true;
        }
        self.done
    }

    fn write_record(&mut self, ds: &Dataset, plan: &Plan, out: &mut Vec<u8>) {
        match plan.format {
            ExportFormat::Jsonl => {
                ds.texts_into(&mut self.s, plan.redact);
                self.s.write_jsonl(ds, plan.redact, out);
            }
            ExportFormat::Csv => {
                if self.csv_needs_text {
                    ds.texts_into(&mut self.s, plan.redact);
                }
                for (i, (_, col)) in plan.columns.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    self.cell.clear();
                    write_cell(*col, &mut self.s, ds, &mut self.cell);
                    write_csv_field(out, &self.cell);
                }
                out.extend_from_slice(b"\r\n");
            }
        }
    }

    fn write_malformed(&mut self, out: &mut Vec<u8>) {
        match self.plan.format {
            ExportFormat::Jsonl => {
                // Starts like a record, then is not JSON at all.
                out.extend_from_slice(b"{\"id\":\"");
                let mut buf = [0u8; 36];
                self.s.core.id.hyphenated().encode_lower(&mut buf);
                out.extend_from_slice(&buf);
                out.extend_from_slice(b"\",\"input\": <<malformed record from mock fault>>\n");
            }
            ExportFormat::Csv => {
                // One field more than the header declares.
                for i in 0..=self.plan.columns.len() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(b"malformed");
                }
                out.extend_from_slice(b"\r\n");
            }
        }
    }
}

/// Renders a whole export into memory (tests, expectations, the cache).
pub(crate) fn render_all(ds: Arc<Dataset>, plan: Arc<Plan>) -> Vec<u8> {
    let mut r = Renderer::new(ds, plan, None);
    let mut out = Vec::new();
    while !r.fill(&mut out, usize::MAX, u64::MAX) {}
    out
}

/// Renders a whole export as ~[`CHUNK`]-sized chunks (the pre-render cache).
pub(crate) fn render_chunks(ds: Arc<Dataset>, plan: Arc<Plan>) -> Vec<Bytes> {
    let mut r = Renderer::new(ds, plan, None);
    let mut chunks = Vec::new();
    loop {
        let mut buf = Vec::with_capacity(CHUNK + 8 * 1024);
        let done = r.fill(&mut buf, CHUNK, u64::MAX);
        if !buf.is_empty() {
            chunks.push(Bytes::from(buf));
        }
        if done {
            return chunks;
        }
    }
}

/// Where body bytes come from.
pub(crate) enum Source {
    /// Generated on the fly.
    Render(Box<Renderer>),
    /// Pre-rendered chunks.
    Cached {
        chunks: Arc<Vec<Bytes>>,
        next: usize,
    },
}

impl Source {
    async fn next_chunk(&mut self) -> Option<Bytes> {
        match self {
            Source::Render(r) => loop {
                let mut buf = Vec::with_capacity(CHUNK + 8 * 1024);
                let done = r.fill(&mut buf, CHUNK, SCAN_BUDGET);
                if !buf.is_empty() {
                    return Some(Bytes::from(buf));
                }
                if done {
                    return None;
                }
                tokio::task::yield_now().await;
            },
            Source::Cached { chunks, next } => {
                let c = chunks.get(*next).cloned();
                *next += 1;
                c
            }
        }
    }
}

/// The byte-level part of a [`super::Fault`].
#[derive(Clone, Debug)]
pub(crate) enum StreamFault {
    None,
    CutAfter(u64),
    ShortBody(u64),
    StallAfter(u64, Option<Duration>),
    SlowDrip(usize, Duration),
}

/// How the body goes on the wire: compressed, and at most how fast.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Wire {
    pub(crate) coding: Option<ContentCoding>,
    /// Bytes per second, counted on the wire (after compression).
    pub(crate) rate_limit: Option<u64>,
}

struct BodyState {
    src: Source,
    encoder: Option<Encoder>,
    /// The encoder's trailer was sent (or must never be).
    encoder_done: bool,
    rate_limit: Option<u64>,
    /// Wire bytes sent, and since when (the rate limit's clock).
    wire_sent: u64,
    wire_started: Option<tokio::time::Instant>,
    pending: Bytes,
    sent: u64,
    fault: StreamFault,
    stalled: bool,
    finished: bool,
    shutdown: watch::Receiver<bool>,
    conn: Arc<ConnState>,
}

fn aborted(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, what.to_string())
}

impl BodyState {
    /// The next piece as it goes on the wire: compressed (when asked for), then held
    /// back as long as the rate limit requires. A body that ends short or with an error
    /// leaves its compressed stream unfinished (no trailer), as a cut one would.
    async fn next_wire(&mut self) -> Option<Result<Bytes, io::Error>> {
        if self.encoder_done {
            return None;
        }
        let raw = self.step().await;
        let short = matches!(self.fault, StreamFault::ShortBody(_));
        let out = match (&mut self.encoder, raw) {
            (None, raw) => raw,
            (Some(encoder), Some(Ok(piece))) => Some(encoder.chunk(&piece).await),
            (Some(encoder), None) if !short => {
                self.encoder_done = true;
                Some(encoder.finish().await)
            }
            (Some(_), other) => {
                self.encoder_done = true;
                other
            }
        };
        if let (Some(rate), Some(Ok(piece))) = (self.rate_limit, &out) {
            let started = *self
                .wire_started
                .get_or_insert_with(tokio::time::Instant::now);
            self.wire_sent += piece.len() as u64;
            let due = started + Duration::from_secs_f64(self.wire_sent as f64 / rate.max(1) as f64);
            let mut rx = self.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep_until(due) => {}
                _ = rx.wait_for(|v| *v) => {}
            }
        }
        out
    }

    /// Waits for `d` (or forever when `None`); returns false if the server
    /// is shutting down instead.
    async fn pause(&mut self, d: Option<Duration>) -> bool {
        let mut rx = self.shutdown.clone();
        let shutdown = async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        match d {
            Some(d) => tokio::select! {
                _ = tokio::time::sleep(d) => true,
                _ = shutdown => false,
            },
            None => {
                shutdown.await;
                false
            }
        }
    }

    /// Lets hyper hand everything sent so far to the kernel before the
    /// connection is aborted or the body ends short (hyper drops unflushed
    /// bytes when a body fails). Gives up after 10 s (a client that stopped
    /// reading) or at shutdown.
    async fn drain(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        // Returning Pending at least once makes hyper flush its buffer.
        tokio::time::sleep(Duration::from_millis(1)).await;
        while !self.conn.is_flushed()
            && !*self.shutdown.borrow()
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn take(&mut self, max: u64) -> Bytes {
        let n = (self.pending.len() as u64).min(max) as usize;
        self.sent += n as u64;
        self.pending.split_to(n)
    }

    async fn step(&mut self) -> Option<Result<Bytes, io::Error>> {
        if self.finished {
            return None;
        }
        if *self.shutdown.borrow() {
            self.finished = true;
            return Some(Err(aborted("mock server shutting down")));
        }
        // Limits that act before any more data is fetched.
        match self.fault {
            StreamFault::CutAfter(n) if self.sent >= n => {
                self.finished = true;
                self.drain().await;
                return Some(Err(aborted("mock fault: connection cut")));
            }
            StreamFault::ShortBody(n) if self.sent >= n => {
                self.finished = true;
                self.drain().await;
                return None;
            }
            StreamFault::StallAfter(n, resume) if !self.stalled && self.sent >= n => {
                self.stalled = true;
                if !self.pause(resume).await {
                    self.finished = true;
                    return Some(Err(aborted("mock server shutting down")));
                }
            }
            _ => {}
        }
        if self.pending.is_empty() {
            match self.src.next_chunk().await {
                Some(b) => self.pending = b,
                None => {
                    if let StreamFault::StallAfter(_, resume) = self.fault {
                        // A body shorter than the stall point stalls before
                        // its terminating chunk.
                        if !self.stalled {
                            self.stalled = true;
                            if !self.pause(resume).await {
                                self.finished = true;
                                return Some(Err(aborted("mock server shutting down")));
                            }
                        }
                    }
                    self.finished = true;
                    return match self.fault {
                        // Cut means "never send the terminating chunk".
                        StreamFault::CutAfter(_) => {
                            self.drain().await;
                            Some(Err(aborted("mock fault: connection cut")))
                        }
                        StreamFault::ShortBody(_) => {
                            self.drain().await;
                            None
                        }
                        _ => None,
                    };
                }
            }
        }
        let piece = match self.fault {
            StreamFault::None => {
                self.sent += self.pending.len() as u64;
                std::mem::take(&mut self.pending)
            }
            StreamFault::CutAfter(n) | StreamFault::ShortBody(n) => self.take(n - self.sent),
            StreamFault::StallAfter(n, _) if !self.stalled => self.take(n - self.sent),
            StreamFault::StallAfter(..) => self.take(u64::MAX),
            StreamFault::SlowDrip(size, delay) => {
                if self.sent > 0 && !self.pause(Some(delay)).await {
                    self.finished = true;
                    return Some(Err(aborted("mock server shutting down")));
                }
                self.take(size.max(1) as u64)
            }
        };
        Some(Ok(piece))
    }
}

/// The response body stream: chunks from `src` with `fault` applied, then compressed and
/// paced as `wire` says (faults count the uncompressed bytes). Any
/// pending stall or drip ends (with an error, aborting the connection) when
/// `shutdown` turns true.
pub(crate) fn body_stream(
    src: Source,
    fault: StreamFault,
    wire: Wire,
    shutdown: watch::Receiver<bool>,
    conn: Arc<ConnState>,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send + 'static {
    let st = BodyState {
        src,
        encoder: wire.coding.map(Encoder::new),
        encoder_done: false,
        rate_limit: wire.rate_limit,
        wire_sent: 0,
        wire_started: None,
        pending: Bytes::new(),
        sent: 0,
        fault,
        stalled: false,
        finished: false,
        shutdown,
        conn,
    };
    futures::stream::unfold(st, |mut st| async move {
        let item = st.next_wire().await?;
        Some((item, st))
    })
}
