//! The fields of a record: blocks of ids and `created_at` runs, the non-text fields
//! ([`Core`]) and the texts ([`Texts`]), generated into reusable [`Scratch`] buffers.
//!
//! Span kinds other than the per-trace `workflow` are drawn from [`SPAN_KINDS`].
//!
//! Invariant: the record at `(root, index)` depends only on the data set's
//! configuration, never on which records were generated before; the caches only save
//! work.

use rand::RngCore;
use uuid::Uuid;

use super::seed::{
    mix, random_uuid, rng_for, Mini, PURPOSE_BLOCK, PURPOSE_CORE, PURPOSE_JITTER, PURPOSE_TEXT,
};
use super::vocab::{
    AGENT_NAMES, AGENT_TYPES, APPLIES_TO, CHECK_STAGES, ERROR_TEXTS, EVALUATORS, FINISH_REASONS,
    LLM_MODELS, LLM_NAMES, LOCALES, META_EXTRA, METRIC_NAMES, MODELS, REGIONS, SELECTORS,
    SESSION_NAMES, TAGS, TOOL_NAMES, TRACE_NAMES,
};
use super::{Dataset, RootType, BLOCK_LEN, SPANS_PER_TRACE, STEP_US, TRACES_PER_SESSION};
use crate::text;

/// Span kinds other than the per-trace root `workflow` span (LLM calls twice as often).
const SPAN_KINDS: [Kind; 6] = [
    Kind::Llm,
    Kind::Llm,
    Kind::Tool,
    Kind::Retriever,
    Kind::Agent,
    Kind::Control,
];

/// One block of [`BLOCK_LEN`] records: ids (sorted descending within runs)
/// and, for each position, the position of the run's first record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Block {
    root: RootType,
    number: u64,
    ids: [Uuid; BLOCK_LEN as usize],
    leaders: [u8; BLOCK_LEN as usize],
}

/// Remembers the last block computed per root type, so that sequential
/// generation (and parent-id lookups) compute each block once.
#[derive(Debug, Default)]
pub(crate) struct BlockCache {
    slots: [Option<Block>; 3],
}

impl BlockCache {
    fn block(&mut self, ds: &Dataset, root: RootType, number: u64) -> &Block {
        let slot = &mut self.slots[root.slot()];
        let hit = matches!(slot, Some(b) if b.number == number && b.root == root);
        if !hit {
            *slot = Some(ds.compute_block(root, number));
        }
        match slot {
            Some(b) => b,
            None => unreachable!("slot filled above"),
        }
    }

    fn id(&mut self, ds: &Dataset, root: RootType, index: u64) -> Uuid {
        let b = self.block(ds, root, index / BLOCK_LEN);
        b.ids[(index % BLOCK_LEN) as usize]
    }
}

/// The record kind: the value of its `type` field, which tells the spec's schemas apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Session,
    Trace,
    Llm,
    Tool,
    Retriever,
    Workflow,
    Agent,
    Control,
}

impl Kind {
    /// The `type` tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Session => "session",
            Kind::Trace => "trace",
            Kind::Llm => "llm",
            Kind::Tool => "tool",
            Kind::Retriever => "retriever",
            Kind::Workflow => "workflow",
            Kind::Agent => "agent",
            Kind::Control => "control",
        }
    }

    /// True for span kinds.
    pub fn is_span(self) -> bool {
        !matches!(self, Kind::Session | Kind::Trace)
    }
}

/// A field that may be absent, `null` or a value (pydantic models with
/// `exclude_unset` leave fields out; others write `null`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tri<T> {
    Absent,
    Null,
    Value(T),
}

/// Bits of [`Core::extras`]: which optional blocks a record carries.
pub(crate) mod extra {
    pub const FEEDBACK: u32 = 1;
    pub const ANNOTATIONS: u32 = 1 << 1;
    pub const FILES: u32 = 1 << 2;
    pub const EVENTS: u32 = 1 << 3;
    pub const TOOLS: u32 = 1 << 4;
    pub const REDACTED_NULL: u32 = 1 << 5;
    pub const REDACTED_ABSENT: u32 = 1 << 6;
    pub const METRIC_INFO_NULL: u32 = 1 << 7;
    pub const BATCH: u32 = 1 << 8;
    pub const PROGRESS: u32 = 1 << 9;
    pub const PREVIOUS_SESSION: u32 = 1 << 10;
    pub const UPDATED_NULL: u32 = 1 << 11;
    pub const FULLY_ANNOTATED: u32 = 1 << 12;
}

/// Every non-text field of a record (the values filters and sorts read; the
/// detail of nested objects is drawn while rendering, see `detail`).
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub root: RootType,
    pub index: u64,
    pub id: Uuid,
    pub session_id: Uuid,
    pub trace_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub created_us: i64,
    pub updated_us: i64,
    pub kind: Kind,
    pub name: &'static str,
    /// `metrics.duration_ns`.
    pub duration_ns: u64,
    /// Input and output tokens (LLM spans, traces and sessions).
    pub tokens: Option<(u32, u32)>,
    /// `metrics.cost` in micro-dollars (LLM spans, traces and sessions).
    pub cost_micros: Option<u32>,
    /// `metrics.time_to_first_token_ns` (LLM spans only).
    pub ttft_ns: Option<u64>,
    /// `status_code` (null on some records).
    pub status_code: Option<u16>,
    /// Indices into [`TAGS`], ascending.
    pub tags: [u8; 6],
    pub ntags: u8,
    pub user: u32,
    pub region: u8,
    pub model: u8,
    pub locale: Option<u8>,
    /// Which [`META_EXTRA`] keys `user_metadata` has, one bit each.
    pub meta_extra: u8,
    /// `external_id`.
    pub external_id: Tri<u32>,
    /// A dataset row: `dataset_input`, `dataset_output` and `dataset_metadata` set.
    pub dataset_row: Option<u32>,
    pub has_children: Option<bool>,
    pub is_complete: bool,
    /// `num_spans` / `num_traces` of traces / sessions.
    pub num_children: u32,
    pub step_number: Option<u32>,
    /// LLM spans: index into `LLM_MODELS` (or none: `model` null).
    pub llm_model: Option<u8>,
    /// LLM spans: `temperature` in tenths.
    pub temperature: Option<u8>,
    pub finish_reason: Option<u8>,
    /// Tool spans: `tool_call_id` number.
    pub tool_call: Option<u32>,
    pub agent_type: u8,
    pub control_id: Option<u32>,
    pub agent_name: Option<u8>,
    pub check_stage: Option<u8>,
    pub applies_to: Option<u8>,
    pub evaluator: Option<u8>,
    pub selector: Option<u8>,
    /// Which [`METRIC_NAMES`] `metric_info` has, one bit each.
    pub metric_mask: u16,
    /// Shape of `input` / `output` (see `spec::InputShape` / `spec::OutputShape`).
    pub input_shape: u8,
    pub output_shape: u8,
    /// The error text of a failed record (`error_message`; empty when none).
    pub error: Option<u8>,
    /// [`extra`] bits.
    pub extras: u32,
    pub pii: bool,
    pub hostile: bool,
}

impl Core {
    fn empty() -> Self {
        Core {
            root: RootType::Trace,
            index: 0,
            id: Uuid::nil(),
            session_id: Uuid::nil(),
            trace_id: None,
            parent_id: None,
            created_us: 0,
            updated_us: 0,
            kind: Kind::Trace,
            name: "",
            duration_ns: 0,
            tokens: None,
            cost_micros: None,
            ttft_ns: None,
            status_code: None,
            tags: [0; 6],
            ntags: 0,
            user: 0,
            region: 0,
            model: 0,
            locale: None,
            meta_extra: 0,
            external_id: Tri::Absent,
            dataset_row: None,
            has_children: None,
            is_complete: true,
            num_children: 0,
            step_number: None,
            llm_model: None,
            temperature: None,
            finish_reason: None,
            tool_call: None,
            agent_type: 0,
            control_id: None,
            agent_name: None,
            check_stage: None,
            applies_to: None,
            evaluator: None,
            selector: None,
            metric_mask: 0,
            input_shape: 0,
            output_shape: 0,
            error: None,
            extras: 0,
            pii: false,
            hostile: false,
        }
    }

    /// The tags as strings.
    pub fn tag_iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.tags[..self.ntags as usize]
            .iter()
            .map(|&t| TAGS[t as usize])
    }

    /// `metrics.cost` in dollars.
    pub fn cost(&self) -> Option<f64> {
        self.cost_micros.map(|m| m as f64 / 1e6)
    }

    /// True if the record carries the optional block `bit` (an [`extra`] bit).
    pub fn has(&self, bit: u32) -> bool {
        self.extras & bit != 0
    }
}

/// The `input` / `output` texts of a record (reusable buffers).
#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    pub input: String,
    pub output: String,
}

/// A record being rendered as a nested child: its fields and texts.
#[derive(Debug)]
pub(crate) struct Node {
    pub core: Core,
    pub texts: Texts,
}

/// Reusable scratch state for generating records sequentially.
#[derive(Debug)]
pub(crate) struct Scratch {
    pub core: Core,
    pub texts: Texts,
    pub cache: BlockCache,
    /// Buffers of nested children, one per depth below the record.
    pub nodes: Vec<Node>,
    /// A buffer for rendering one field alone (CSV cells of nested objects).
    pub buf: Vec<u8>,
    /// Which (root, index, redact) `texts` currently holds.
    texts_for: Option<(RootType, u64, bool)>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            core: Core::empty(),
            texts: Texts::default(),
            cache: BlockCache::default(),
            nodes: Vec::new(),
            buf: Vec::new(),
            texts_for: None,
        }
    }
}

impl Node {
    pub(crate) fn new() -> Self {
        Node {
            core: Core::empty(),
            texts: Texts::default(),
        }
    }
}

impl Dataset {
    /// The `id` of the record of `root` type at `index` (defined for any
    /// index, also past the end).
    #[cfg(test)]
    pub(super) fn id_at(&self, root: RootType, index: u64) -> Uuid {
        self.compute_block(root, index / BLOCK_LEN).ids[(index % BLOCK_LEN) as usize]
    }

    /// `created_at` (µs since the epoch) of the record of `root` type at `index`.
    #[cfg(test)]
    pub(super) fn created_at_us(&self, root: RootType, index: u64) -> i64 {
        let b = self.compute_block(root, index / BLOCK_LEN);
        let leader = index - index % BLOCK_LEN + b.leaders[(index % BLOCK_LEN) as usize] as u64;
        self.run_time(root, leader)
    }

    pub(super) fn compute_block(&self, root: RootType, number: u64) -> Block {
        let mut rng = rng_for(self.cfg.seed, root.code(), PURPOSE_BLOCK, number);
        let mut ids = [Uuid::nil(); BLOCK_LEN as usize];
        for id in ids.iter_mut() {
            *id = random_uuid(&mut rng);
        }
        let cuts = rng.next_u64();
        let mut leaders = [0u8; BLOCK_LEN as usize];
        let mut start = 0usize;
        for p in 1..BLOCK_LEN as usize {
            // A new run starts at position p with probability ~0.55.
            if ((cuts >> (8 * p)) & 0xff) < 140 {
                ids[start..p].sort_unstable_by(|a, b| b.cmp(a));
                start = p;
            }
            leaders[p] = start as u8;
        }
        ids[start..].sort_unstable_by(|a, b| b.cmp(a));
        Block {
            root,
            number,
            ids,
            leaders,
        }
    }

    fn run_time(&self, root: RootType, leader: u64) -> i64 {
        let h = mix(self.cfg.seed, root.code(), PURPOSE_JITTER, leader);
        let jitter = if h.is_multiple_of(50) {
            0
        } else {
            ((h >> 8) % STEP_US as u64) as i64
        };
        self.cfg.base_time_us - (leader as i64).wrapping_mul(STEP_US) - jitter
    }

    /// Fills `scratch.core` with the non-text fields of record `index`.
    pub(crate) fn core_into(&self, root: RootType, index: u64, scratch: &mut Scratch) {
        self.core_fill(root, index, &mut scratch.cache, &mut scratch.core);
        scratch.texts_for = None;
    }

    /// Fills `c` with the non-text fields of the record of `root` type at `index`.
    pub(crate) fn core_fill(
        &self,
        root: RootType,
        index: u64,
        cache: &mut BlockCache,
        c: &mut Core,
    ) {
        let block_no = index / BLOCK_LEN;
        let pos = (index % BLOCK_LEN) as usize;
        let (id, leader) = {
            let b = cache.block(self, root, block_no);
            (b.ids[pos], block_no * BLOCK_LEN + b.leaders[pos] as u64)
        };
        let created_us = self.run_time(root, leader);
        let mut r = Mini::new(self.cfg.seed, root.code(), PURPOSE_CORE, index);

        c.root = root;
        c.index = index;
        c.id = id;
        c.created_us = created_us;
        let k = index % SPANS_PER_TRACE;
        let kind = match root {
            RootType::Session => Kind::Session,
            RootType::Trace => Kind::Trace,
            RootType::Span if k == SPANS_PER_TRACE - 1 => Kind::Workflow,
            RootType::Span => SPAN_KINDS[r.below(SPAN_KINDS.len())],
        };
        c.kind = kind;
        // (duration range in ms, tokens max (in, out) or none)
        let (lat_lo, lat_hi, tokens_max): (u64, u64, Option<(u32, u32)>) = match kind {
            Kind::Session => (2_000, 120_000, Some((16_000, 6_000))),
            Kind::Trace => (200, 20_000, Some((4_000, 1_500))),
            Kind::Llm => (150, 8_000, Some((4_000, 1_500))),
            Kind::Tool => (5, 800, None),
            Kind::Retriever => (20, 400, None),
            Kind::Control => (1, 50, None),
            Kind::Agent => (200, 15_000, None),
            Kind::Workflow => (200, 15_000, None),
        };
        c.name = match kind {
            Kind::Session => SESSION_NAMES[r.below(SESSION_NAMES.len())],
            Kind::Trace => TRACE_NAMES[r.below(TRACE_NAMES.len())],
            Kind::Llm => LLM_NAMES[r.below(LLM_NAMES.len())],
            Kind::Tool => TOOL_NAMES[r.below(TOOL_NAMES.len())],
            Kind::Retriever => "vector_search",
            Kind::Control => "guardrail",
            Kind::Agent => "planner",
            Kind::Workflow => "pipeline",
        };
        // Skewed towards the low end: lo + u^2 (hi - lo), in nanoseconds.
        let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
        let ms = lat_lo as f64 + (lat_hi - lat_lo) as f64 * u * u;
        c.duration_ns = (ms * 1e6) as u64 / 1_000 * 1_000;
        c.tokens = tokens_max.map(|(imax, omax)| {
            let i = 20 + r.below(imax as usize) as u32;
            let o = 5 + r.below(omax as usize) as u32;
            (i, o)
        });
        c.cost_micros = c.tokens.map(|(i, o)| i * 3 + o * 12);
        c.ttft_ns = (kind == Kind::Llm).then(|| c.duration_ns / 4 + r.below(1_000) as u64 * 1_000);
        let st = r.below(256);
        c.status_code = match st {
            0..=4 => Some(400),
            5..=9 => Some(429),
            10..=14 => Some(500),
            15..=39 => None,
            _ => Some(200),
        };
        c.error = match c.status_code {
            Some(s) if s >= 400 => Some(r.below(ERROR_TEXTS.len()) as u8),
            _ => None,
        };
        let tag_bits = r.next();
        let mut n = 0u8;
        for t in 0..TAGS.len() {
            // Each tag with probability ~0.3, at most four.
            if ((tag_bits >> (4 * t)) & 0xf) < 5 && n < 4 {
                c.tags[n as usize] = t as u8;
                n += 1;
            }
        }
        c.ntags = n;
        c.user = r.below(5_000) as u32;
        c.region = r.below(REGIONS.len()) as u8;
        c.model = r.below(MODELS.len()) as u8;
        c.locale = if r.chance(1, 5) {
            None
        } else {
            Some(r.below(LOCALES.len()) as u8)
        };
        c.meta_extra = (r.next() & ((1 << META_EXTRA.len()) - 1)) as u8 & (r.next() as u8);
        c.external_id = match r.below(4) {
            0 => Tri::Absent,
            1 => Tri::Null,
            _ => Tri::Value(r.below(1_000_000) as u32),
        };
        c.dataset_row = r.chance(1, 6).then(|| r.below(10_000) as u32);
        c.updated_us = created_us + (c.duration_ns / 1_000) as i64 + r.below(500_000) as i64;
        c.pii = r.chance(1, 16);
        c.hostile = r.chance(1, 4);
        c.is_complete = !r.chance(1, 20);
        c.step_number = (kind.is_span() && !r.chance(1, 5)).then(|| r.below(12) as u32);
        let is_llm = kind == Kind::Llm;
        c.llm_model = (is_llm && !r.chance(1, 10)).then(|| r.below(LLM_MODELS.len()) as u8);
        c.temperature = (is_llm && !r.chance(1, 5)).then(|| r.below(11) as u8);
        c.finish_reason = (is_llm && !r.chance(1, 8)).then(|| r.below(FINISH_REASONS.len()) as u8);
        c.tool_call = (kind == Kind::Tool && !r.chance(1, 4)).then(|| r.below(1 << 24) as u32);
        c.agent_type = r.below(AGENT_TYPES.len()) as u8;
        let is_control = kind == Kind::Control;
        let mut opt = |n: usize| (is_control && !r.chance(1, 5)).then(|| r.below(n) as u8);
        c.agent_name = opt(AGENT_NAMES.len());
        c.check_stage = opt(CHECK_STAGES.len());
        c.applies_to = opt(APPLIES_TO.len());
        c.evaluator = opt(EVALUATORS.len());
        c.selector = opt(SELECTORS.len());
        c.control_id = (is_control && !r.chance(1, 5)).then(|| 1 + r.below(500) as u32);
        let mut mask = 0u16;
        for m in 0..METRIC_NAMES.len() {
            if r.chance(2, 5) {
                mask |= 1 << m;
            }
        }
        c.metric_mask = mask;
        c.input_shape = r.below(256) as u8;
        c.output_shape = r.below(256) as u8;
        let mut extras = 0u32;
        for (bit, num, den) in [
            (extra::FEEDBACK, 1, 5),
            (extra::ANNOTATIONS, 1, 6),
            (extra::FILES, 1, 8),
            (extra::EVENTS, 1, 3),
            (extra::TOOLS, 1, 2),
            (extra::REDACTED_NULL, 1, 3),
            (extra::REDACTED_ABSENT, 1, 3),
            (extra::METRIC_INFO_NULL, 1, 20),
            (extra::BATCH, 1, 2),
            (extra::PROGRESS, 1, 10),
            (extra::PREVIOUS_SESSION, 1, 3),
            (extra::UPDATED_NULL, 1, 25),
            (extra::FULLY_ANNOTATED, 1, 2),
        ] {
            if r.chance(num, den) {
                extras |= bit;
            }
        }
        c.extras = extras;

        // Hierarchy.
        let (session_id, trace_id, parent_id, children) = match root {
            RootType::Session => {
                let first = index * TRACES_PER_SESSION;
                let n = self
                    .len(RootType::Trace)
                    .saturating_sub(first)
                    .min(TRACES_PER_SESSION);
                (id, None, None, n)
            }
            RootType::Trace => {
                let s = cache.id(self, RootType::Session, index / TRACES_PER_SESSION);
                let first = index * SPANS_PER_TRACE;
                let n = self
                    .len(RootType::Span)
                    .saturating_sub(first)
                    .min(SPANS_PER_TRACE);
                (s, Some(id), None, n)
            }
            RootType::Span => {
                let t = index / SPANS_PER_TRACE;
                let trace = cache.id(self, RootType::Trace, t);
                let session = cache.id(self, RootType::Session, t / TRACES_PER_SESSION);
                let last = index - k + SPANS_PER_TRACE - 1;
                let (parent, n) = if k == SPANS_PER_TRACE - 1 {
                    (trace, SPANS_PER_TRACE - 1)
                } else if last < self.len(RootType::Span) {
                    (cache.id(self, RootType::Span, last), 0)
                } else {
                    // The group's workflow span is not in the data set: the span
                    // hangs off the trace directly.
                    (trace, 0)
                };
                (session, Some(trace), Some(parent), n)
            }
        };
        c.session_id = session_id;
        c.trace_id = trace_id;
        c.parent_id = parent_id;
        c.num_children = children as u32;
        c.has_children = match r.below(8) {
            0 => None,
            _ => Some(children > 0),
        };
    }

    /// Fills `scratch.texts` for the record currently in `scratch.core`
    /// (no-op when they are already there).
    pub(crate) fn texts_into(&self, scratch: &mut Scratch, redact: bool) {
        let key = (scratch.core.root, scratch.core.index, redact);
        if scratch.texts_for == Some(key) {
            return;
        }
        self.texts_fill(&scratch.core, &mut scratch.texts, redact, 1);
        scratch.texts_for = Some(key);
    }

    /// Fills `t` with the texts of the record in `c`, of the configured length
    /// divided by `div` (nested children carry shorter texts).
    pub(crate) fn texts_fill(&self, c: &Core, t: &mut Texts, redact: bool, div: usize) {
        t.input.clear();
        t.output.clear();
        let mut rng = rng_for(self.cfg.seed, c.root.code(), PURPOSE_TEXT, c.index);
        let (lo, hi) = self.cfg.text_len;
        let (lo, hi) = (lo.min(hi) / div, hi.max(lo) / div);
        let span = (hi - lo + 1) as u64;
        let in_len = lo + ((rng.next_u32() as u64 * span) >> 32) as usize;
        let out_len = lo + ((rng.next_u32() as u64 * span) >> 32) as usize;
        text::fill(&mut rng, &mut t.input, in_len, c.pii, redact, c.hostile);
        text::fill(&mut rng, &mut t.output, out_len, false, redact, c.hostile);
    }
}

impl Scratch {
    /// Appends the JSONL line of the record in `self.core` / `self.texts` (texts filled).
    pub(crate) fn write_jsonl(&mut self, ds: &Dataset, redact: bool, out: &mut Vec<u8>) {
        let Scratch {
            core,
            texts,
            cache,
            nodes,
            ..
        } = self;
        ds.write_jsonl(core, texts, cache, nodes, redact, out);
    }
}
