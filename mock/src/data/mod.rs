//! The deterministic synthetic data set served by the mock.
//!
//! Every record is a pure function of `(seed, root type, index)`: nothing is
//! stored, so a data set of ten million spans costs no memory until somebody
//! asks for a custom sort (which materialises `(key, id, index)` triples only).
//!
//! # Layout and native order
//!
//! Records of one root type are numbered `0..len`. Index order *is* the native
//! export order, `created_at` descending then `id` descending:
//!
//! * indices are grouped in blocks of [`BLOCK_LEN`] records; inside a block a
//!   seeded partition cuts the records into runs of 1–8 consecutive records
//!   that share one `created_at` (so keyset resumption on `(created_at, id)`
//!   must handle ties), and the ids of each run are sorted descending;
//! * the run that starts at index `l` has `created_at = base - l * STEP - jitter(l)`
//!   with `0 <= jitter < STEP`, which is strictly decreasing in `l`;
//!   one run in fifty has zero jitter and therefore a whole-second timestamp,
//!   rendered without a fractional part exactly like pydantic does.
//!
//! # Hierarchy
//!
//! Trace `t` belongs to session `t / TRACES_PER_SESSION`; span `s` belongs to
//! trace `s / SPANS_PER_TRACE`. Within each group of [`SPANS_PER_TRACE`] spans
//! the last (oldest) one is a `workflow` span whose parent is the trace; the
//! others are its children (LLM, tool, retriever, agent and control spans). The
//! three root types have independent timelines; a session's record carries its
//! traces, a trace's record its spans, nested the way Galileo's spec shapes them
//! (see [`spec`]).
//!
//! # Modules
//!
//! This module holds the data set and its layout; [`record`] generates the fields of a
//! record, [`spec`] writes them in the shape of Galileo's record schemas, [`detail`]
//! writes their nested detail (metric results, feedback, annotations, files, events),
//! [`json`] holds the low-level writers, [`seed`] keys the randomness and [`vocab`]
//! holds the tables the values come from.

mod detail;
mod json;
mod record;
mod seed;
mod spec;
mod vocab;

use std::fmt;

use uuid::Uuid;

pub(crate) use detail::metric_score;
pub(crate) use json::{write_cost, write_timestamp, write_u64};
pub(crate) use record::{extra, Core, Scratch};
use seed::{random_uuid, rng_for};
pub(crate) use spec::{has_field, output_is_null, Field};
pub(crate) use vocab::NUMERIC_METRICS;
pub use vocab::{METRIC_NAMES, REGIONS, TAGS};

/// The root-level type of an exported record (the request's `root_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RootType {
    /// A session: a conversation made of traces.
    Session,
    /// A trace: one request/response made of spans.
    Trace,
    /// A span: one step (LLM call, tool call, retrieval, …) of a trace.
    Span,
}

impl RootType {
    /// All root types, in the order of the spec's enum.
    pub const ALL: [RootType; 3] = [RootType::Session, RootType::Trace, RootType::Span];

    /// The wire name (`"session"`, `"trace"` or `"span"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RootType::Session => "session",
            RootType::Trace => "trace",
            RootType::Span => "span",
        }
    }

    /// Parses a wire name.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "session" => Some(RootType::Session),
            "trace" => Some(RootType::Trace),
            "span" => Some(RootType::Span),
            _ => None,
        }
    }

    fn code(self) -> u64 {
        match self {
            RootType::Session => 1,
            RootType::Trace => 2,
            RootType::Span => 3,
        }
    }

    fn slot(self) -> usize {
        self.code() as usize - 1
    }
}

impl fmt::Display for RootType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Records per block; runs sharing a `created_at` never cross a block boundary.
pub(crate) const BLOCK_LEN: u64 = 8;
/// Traces per session (trace `t` belongs to session `t / TRACES_PER_SESSION`).
pub(crate) const TRACES_PER_SESSION: u64 = 4;
/// Spans per trace (span `s` belongs to trace `s / SPANS_PER_TRACE`).
pub(crate) const SPANS_PER_TRACE: u64 = 4;
/// Spacing between consecutive `created_at` runs, in microseconds (before jitter).
pub(crate) const STEP_US: i64 = 2_000_000;
/// Default `created_at` upper bound: 2025-06-01T12:00:00Z, in microseconds.
pub(crate) const DEFAULT_BASE_TIME_US: i64 = 1_748_779_200_000_000;

/// Configuration of a synthetic data set; see [`Dataset`].
#[derive(Clone, Debug)]
pub struct DatasetConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of session records.
    pub sessions: u64,
    /// Number of trace records.
    pub traces: u64,
    /// Number of span records.
    pub spans: u64,
    /// Project that owns the data set.
    pub project_id: Uuid,
    /// Log stream (run) that owns the data set.
    pub log_stream_id: Uuid,
    /// `created_at` of the newest record, in microseconds since the Unix epoch.
    pub base_time_us: i64,
    /// Inclusive range of the approximate length in bytes of each of `input`
    /// and `output`.
    pub text_len: (usize, usize),
}

impl DatasetConfig {
    /// A configuration with `records` records of every root type, ids derived
    /// from `seed`, and the default base time and text sizes (records of
    /// roughly 1–2 KB).
    pub fn new(seed: u64, records: u64) -> Self {
        let mut rng = rng_for(seed, 0, 0x1D5, 0);
        DatasetConfig {
            seed,
            sessions: records,
            traces: records,
            spans: records,
            project_id: random_uuid(&mut rng),
            log_stream_id: random_uuid(&mut rng),
            base_time_us: DEFAULT_BASE_TIME_US,
            text_len: (200, 900),
        }
    }
}

/// A deterministic, generated-on-the-fly data set of sessions, traces and
/// spans belonging to one project and one log stream.
#[derive(Clone, Debug)]
pub struct Dataset {
    cfg: DatasetConfig,
    project_hyph: [u8; 36],
    log_stream_hyph: [u8; 36],
}

impl Dataset {
    /// Creates the data set described by `cfg`.
    pub fn new(cfg: DatasetConfig) -> Self {
        let mut project_hyph = [0u8; 36];
        cfg.project_id.hyphenated().encode_lower(&mut project_hyph);
        let mut log_stream_hyph = [0u8; 36];
        cfg.log_stream_id
            .hyphenated()
            .encode_lower(&mut log_stream_hyph);
        Dataset {
            cfg,
            project_hyph,
            log_stream_hyph,
        }
    }

    /// The project owning every record.
    pub(crate) fn project_id(&self) -> Uuid {
        self.cfg.project_id
    }

    /// The seed of every random choice.
    pub(crate) fn seed(&self) -> u64 {
        self.cfg.seed
    }

    /// The log stream owning every record.
    pub fn log_stream_id(&self) -> Uuid {
        self.cfg.log_stream_id
    }

    /// Number of records of `root` type.
    pub fn len(&self, root: RootType) -> u64 {
        match root {
            RootType::Session => self.cfg.sessions,
            RootType::Trace => self.cfg.traces,
            RootType::Span => self.cfg.spans,
        }
    }

    /// True when the data set has no records of `root` type.
    pub fn is_empty(&self, root: RootType) -> bool {
        self.len(root) == 0
    }

    /// The record of `root` type at `index` (native order), rendered as JSON
    /// exactly as the JSONL export renders it, or `None` past the end.
    pub fn record(&self, root: RootType, index: u64, redact: bool) -> Option<serde_json::Value> {
        if index >= self.len(root) {
            return None;
        }
        let mut scratch = Scratch::default();
        let mut out = Vec::with_capacity(4096);
        self.core_into(root, index, &mut scratch);
        self.texts_into(&mut scratch, redact);
        scratch.write_jsonl(self, redact, &mut out);
        serde_json::from_slice(&out).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_order_is_index_order() {
        let ds = Dataset::new(DatasetConfig::new(7, 500));
        for root in RootType::ALL {
            let mut prev: Option<(i64, Uuid)> = None;
            let mut ties = 0;
            for i in 0..500 {
                let key = (ds.created_at_us(root, i), ds.id_at(root, i));
                if let Some(p) = prev {
                    assert!(key < p, "{root} {i}");
                    if key.0 == p.0 {
                        ties += 1;
                    }
                }
                prev = Some(key);
            }
            assert!(ties > 50, "{root}: only {ties} ties");
        }
    }

    #[test]
    fn records_parse_and_escape() {
        let ds = Dataset::new(DatasetConfig::new(1, 300));
        for root in RootType::ALL {
            for i in 0..300 {
                let v = ds.record(root, i, true).expect("valid JSON");
                assert!(v["type"].is_string());
                assert_eq!(v["run_id"], ds.log_stream_id().to_string());
            }
        }
    }
}
