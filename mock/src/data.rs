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
//! others are its children. Hierarchy links are by id only: the three root
//! types have independent timelines.

use std::fmt;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::text;

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

/// Vocabulary of `tags` (the `collection` column).
pub const TAGS: [&str; 6] = ["prod", "beta", "staging", "eval", "canary", "internal"];
/// Values of `user_metadata.region`.
pub const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-northeast-1", "sa-east-1"];
/// Values of `user_metadata.model`.
pub(crate) const MODELS: [&str; 5] = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-3-5-sonnet",
    "llama-3.1-70b",
    "mistral-large",
];
/// Values of `user_metadata.locale` (absent on one record in five).
pub(crate) const LOCALES: [&str; 5] = ["en-US", "fr-FR", "ja-JP", "de-DE", "pt-BR"];

const SESSION_NAMES: [&str; 6] = [
    "support-chat",
    "onboarding",
    "research-assistant",
    "code-review",
    "travel-planner",
    "sales-copilot",
];
const TRACE_NAMES: [&str; 8] = [
    "chat_completion",
    "rag_query",
    "summarize_document",
    "agent_run",
    "classify_ticket",
    "translate",
    "extract_entities",
    "answer_faq",
];
/// Span step types other than the per-trace root `workflow` span.
const SPAN_KINDS: [&str; 5] = ["llm", "llm", "tool", "retriever", "agent"];

const PURPOSE_BLOCK: u64 = 0xB10C;
const PURPOSE_CORE: u64 = 0xC0DE;
const PURPOSE_TEXT: u64 = 0x7E47;
const PURPOSE_JITTER: u64 = 0x5117;

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

/// Every non-text field of a record.
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
    pub kind: &'static str,
    pub name: &'static str,
    pub latency_ms: u32,
    /// `None` for tool / retriever spans (no model call, no tokens, no cost).
    pub tokens: Option<(u32, u32)>,
    /// Cost in micro-dollars; `None` exactly when `tokens` is `None`.
    pub cost_micros: Option<u32>,
    pub status_code: u16,
    pub has_error: bool,
    /// Indices into [`TAGS`], ascending.
    pub tags: [u8; 6],
    pub ntags: u8,
    pub user: u32,
    pub region: u8,
    pub model: u8,
    pub locale: Option<u8>,
    pii: bool,
    hostile: bool,
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
            kind: "",
            name: "",
            latency_ms: 0,
            tokens: None,
            cost_micros: None,
            status_code: 200,
            has_error: false,
            tags: [0; 6],
            ntags: 0,
            user: 0,
            region: 0,
            model: 0,
            locale: None,
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

    /// `cost` in dollars.
    pub fn cost(&self) -> Option<f64> {
        self.cost_micros.map(|m| m as f64 / 1e6)
    }
}

/// The `input` / `output` texts of a record (reusable buffers).
#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    pub input: String,
    pub output: String,
}

/// Reusable scratch state for generating records sequentially.
#[derive(Debug)]
pub(crate) struct Scratch {
    pub core: Core,
    pub texts: Texts,
    pub cache: BlockCache,
    /// Which (root, index, redact) `texts` currently holds.
    texts_for: Option<(RootType, u64, bool)>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            core: Core::empty(),
            texts: Texts::default(),
            cache: BlockCache::default(),
            texts_for: None,
        }
    }
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
        let mut out = Vec::with_capacity(2048);
        self.core_into(root, index, &mut scratch);
        self.texts_into(&mut scratch, redact);
        self.write_jsonl(&scratch.core, &scratch.texts, &mut out);
        serde_json::from_slice(&out).ok()
    }

    /// The `id` of the record of `root` type at `index` (defined for any
    /// index, also past the end).
    #[cfg(test)]
    fn id_at(&self, root: RootType, index: u64) -> Uuid {
        self.compute_block(root, index / BLOCK_LEN).ids[(index % BLOCK_LEN) as usize]
    }

    /// `created_at` (µs since the epoch) of the record of `root` type at `index`.
    #[cfg(test)]
    fn created_at_us(&self, root: RootType, index: u64) -> i64 {
        let b = self.compute_block(root, index / BLOCK_LEN);
        let leader = index - index % BLOCK_LEN + b.leaders[(index % BLOCK_LEN) as usize] as u64;
        self.run_time(root, leader)
    }

    fn compute_block(&self, root: RootType, number: u64) -> Block {
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
        let block_no = index / BLOCK_LEN;
        let pos = (index % BLOCK_LEN) as usize;
        let (id, leader) = {
            let b = scratch.cache.block(self, root, block_no);
            (b.ids[pos], block_no * BLOCK_LEN + b.leaders[pos] as u64)
        };
        let created_us = self.run_time(root, leader);
        let mut rng = rng_for(self.cfg.seed, root.code(), PURPOSE_CORE, index);
        // One independent 32-bit draw per decision.
        let mut w = [0u32; 14];
        for x in w.iter_mut() {
            *x = rng.next_u32();
        }

        let c = &mut scratch.core;
        c.root = root;
        c.index = index;
        c.id = id;
        c.created_us = created_us;
        let (latency_lo, latency_hi, kind, name, tokens_max): (u32, u32, _, _, Option<(u32, u32)>) =
            match root {
                RootType::Session => (
                    2_000,
                    120_000,
                    "session",
                    SESSION_NAMES[pick(w[0], SESSION_NAMES.len())],
                    Some((16_000, 6_000)),
                ),
                RootType::Trace => (
                    200,
                    20_000,
                    "trace",
                    TRACE_NAMES[pick(w[0], TRACE_NAMES.len())],
                    Some((4_000, 1_500)),
                ),
                RootType::Span => {
                    let k = index % SPANS_PER_TRACE;
                    let kind = if k == SPANS_PER_TRACE - 1 {
                        "workflow"
                    } else {
                        SPAN_KINDS[pick(w[0], SPAN_KINDS.len())]
                    };
                    match kind {
                        "llm" => (
                            150,
                            8_000,
                            kind,
                            MODELS_SPAN[pick(w[1], MODELS_SPAN.len())],
                            Some((4_000, 1_500)),
                        ),
                        "tool" => (5, 800, kind, TOOL_NAMES[pick(w[1], TOOL_NAMES.len())], None),
                        "retriever" => (20, 400, kind, "vector_search", None),
                        "agent" => (200, 15_000, kind, "planner", Some((6_000, 2_000))),
                        _ => (200, 15_000, "workflow", "pipeline", Some((8_000, 3_000))),
                    }
                }
            };
        c.kind = kind;
        c.name = name;
        // Skewed towards the low end: lo + u^2 (hi - lo).
        let u = w[2] as f64 / u32::MAX as f64;
        c.latency_ms = latency_lo + ((latency_hi - latency_lo) as f64 * u * u) as u32;
        c.tokens = tokens_max.map(|(imax, omax)| {
            let i = 20 + pick(w[3], imax as usize) as u32;
            let o = 5 + pick(w[4], omax as usize) as u32;
            (i, o)
        });
        c.cost_micros = c.tokens.map(|(i, o)| i * 3 + o * 12);
        let st = w[5] & 0xff;
        c.status_code = match st {
            0..=4 => 400,
            5..=9 => 429,
            10..=14 => 500,
            _ => 200,
        };
        c.has_error = c.status_code >= 400;
        let mut n = 0u8;
        for t in 0..TAGS.len() {
            // Each tag with probability ~0.3, at most four.
            if ((w[6] >> (4 * t)) & 0xf) < 5 && n < 4 {
                c.tags[n as usize] = t as u8;
                n += 1;
            }
        }
        c.ntags = n;
        c.user = pick(w[7], 5_000) as u32;
        c.region = pick(w[8], REGIONS.len()) as u8;
        c.model = pick(w[9], MODELS.len()) as u8;
        c.locale = if w[10] % 5 == 0 {
            None
        } else {
            Some(pick(w[10], LOCALES.len()) as u8)
        };
        c.updated_us = created_us + c.latency_ms as i64 * 1_000 + (w[11] % 500_000) as i64;
        c.pii = w[12] % 16 == 0;
        c.hostile = w[13] % 4 == 0;

        // Hierarchy.
        let (session_id, trace_id, parent_id) = match root {
            RootType::Session => (id, None, None),
            RootType::Trace => {
                let s = scratch
                    .cache
                    .id(self, RootType::Session, index / TRACES_PER_SESSION);
                (s, Some(id), Some(s))
            }
            RootType::Span => {
                let t = index / SPANS_PER_TRACE;
                let trace = scratch.cache.id(self, RootType::Trace, t);
                let session = scratch
                    .cache
                    .id(self, RootType::Session, t / TRACES_PER_SESSION);
                let k = index % SPANS_PER_TRACE;
                let parent = if k == SPANS_PER_TRACE - 1 {
                    trace
                } else {
                    scratch
                        .cache
                        .id(self, RootType::Span, index - k + SPANS_PER_TRACE - 1)
                };
                (session, Some(trace), Some(parent))
            }
        };
        let c = &mut scratch.core;
        c.session_id = session_id;
        c.trace_id = trace_id;
        c.parent_id = parent_id;
        scratch.texts_for = None;
    }

    /// Fills `scratch.texts` for the record currently in `scratch.core`
    /// (no-op when they are already there).
    pub(crate) fn texts_into(&self, scratch: &mut Scratch, redact: bool) {
        let key = (scratch.core.root, scratch.core.index, redact);
        if scratch.texts_for == Some(key) {
            return;
        }
        let c = &scratch.core;
        let t = &mut scratch.texts;
        t.input.clear();
        t.output.clear();
        let mut rng = rng_for(self.cfg.seed, c.root.code(), PURPOSE_TEXT, c.index);
        let (lo, hi) = self.cfg.text_len;
        let (lo, hi) = (lo.min(hi), hi.max(lo));
        let span = (hi - lo + 1) as u64;
        let in_len = lo + ((rng.next_u32() as u64 * span) >> 32) as usize;
        let out_len = lo + ((rng.next_u32() as u64 * span) >> 32) as usize;
        text::fill(&mut rng, &mut t.input, in_len, c.pii, redact, c.hostile);
        text::fill(&mut rng, &mut t.output, out_len, false, redact, c.hostile);
        scratch.texts_for = Some(key);
    }

    /// Appends the JSONL line (with its `\n`) of a record.
    pub(crate) fn write_jsonl(&self, c: &Core, t: &Texts, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        write_uuid(out, &c.id);
        out.extend_from_slice(b",\"type\":\"");
        out.extend_from_slice(c.kind.as_bytes());
        out.extend_from_slice(b"\",\"session_id\":");
        write_uuid(out, &c.session_id);
        out.extend_from_slice(b",\"trace_id\":");
        write_opt_uuid(out, c.trace_id.as_ref());
        out.extend_from_slice(b",\"parent_id\":");
        write_opt_uuid(out, c.parent_id.as_ref());
        out.extend_from_slice(b",\"project_id\":\"");
        out.extend_from_slice(&self.project_hyph);
        out.extend_from_slice(b"\",\"log_stream_id\":\"");
        out.extend_from_slice(&self.log_stream_hyph);
        out.extend_from_slice(b"\",\"created_at\":\"");
        write_timestamp(out, c.created_us);
        out.extend_from_slice(b"\",\"updated_at\":\"");
        write_timestamp(out, c.updated_us);
        out.extend_from_slice(b"\",\"name\":\"");
        out.extend_from_slice(c.name.as_bytes());
        out.extend_from_slice(b"\",\"input\":");
        write_json_str(out, &t.input);
        out.extend_from_slice(b",\"output\":");
        write_json_str(out, &t.output);
        out.extend_from_slice(b",\"metrics\":");
        write_metrics(out, c);
        out.extend_from_slice(b",\"latency_ms\":");
        write_u64(out, c.latency_ms as u64);
        out.extend_from_slice(b",\"cost\":");
        write_opt_cost(out, c.cost_micros);
        out.extend_from_slice(b",\"status_code\":");
        write_u64(out, c.status_code as u64);
        out.extend_from_slice(if c.has_error {
            b",\"has_error\":true,\"tags\":"
        } else {
            b",\"has_error\":false,\"tags\":"
        });
        write_tags(out, c);
        out.extend_from_slice(b",\"user_metadata\":");
        write_user_metadata(out, c);
        out.extend_from_slice(b"}\n");
    }
}

const MODELS_SPAN: [&str; 4] = [
    "openai.chat",
    "anthropic.messages",
    "bedrock.invoke",
    "vertex.generate",
];
const TOOL_NAMES: [&str; 5] = [
    "search_web",
    "get_weather",
    "run_sql",
    "send_email",
    "calculator",
];

/// Maps a uniform 32-bit draw onto `0..n`.
#[inline]
fn pick(r: u32, n: usize) -> usize {
    ((r as u64 * n as u64) >> 32) as usize
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn mix(seed: u64, a: u64, b: u64, c: u64) -> u64 {
    let mut s = seed;
    let x = splitmix64(&mut s) ^ a.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let mut s = x;
    let y = splitmix64(&mut s) ^ b.wrapping_mul(0xA076_1D64_78BD_642F);
    let mut s = y;
    let z = splitmix64(&mut s) ^ c.wrapping_mul(0xE703_7ED1_A0B4_28DB);
    let mut s = z;
    splitmix64(&mut s)
}

/// A ChaCha8 generator keyed by `(seed, a, b, c)`.
fn rng_for(seed: u64, a: u64, b: u64, c: u64) -> ChaCha8Rng {
    let mut s = mix(seed, a, b, c);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut s).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

fn random_uuid(rng: &mut ChaCha8Rng) -> Uuid {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid()
}

// ---------------------------------------------------------------------------
// Low-level writers shared by the JSONL and CSV renderers.

/// JSON escape class per byte: 0 = copy, `u` = `\u00XX`, else the escape letter.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[0x08] = b'b';
    t[0x0c] = b'f';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Appends `s` as a JSON string literal (quotes included).
pub(crate) fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if esc == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.push(b'\\');
            out.push(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a quoted hyphenated lowercase uuid.
pub(crate) fn write_uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buf = [0u8; 36];
    id.hyphenated().encode_lower(&mut buf);
    out.push(b'"');
    out.extend_from_slice(&buf);
    out.push(b'"');
}

fn write_opt_uuid(out: &mut Vec<u8>, id: Option<&Uuid>) {
    match id {
        Some(id) => write_uuid(out, id),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends the decimal representation of `v`.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `micros / 1e6` as the shortest decimal that parses back to the
/// same `f64` (e.g. `0.001234`), which is what `micros as f64 / 1e6` yields.
pub(crate) fn write_cost(out: &mut Vec<u8>, micros: u32) {
    write_u64(out, (micros / 1_000_000) as u64);
    let frac = micros % 1_000_000;
    out.push(b'.');
    if frac == 0 {
        out.push(b'0');
        return;
    }
    let mut digits = [0u8; 6];
    let mut f = frac;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (f % 10) as u8;
        f /= 10;
    }
    let mut end = 6;
    while digits[end - 1] == b'0' {
        end -= 1;
    }
    out.extend_from_slice(&digits[..end]);
}

fn write_opt_cost(out: &mut Vec<u8>, micros: Option<u32>) {
    match micros {
        Some(m) => write_cost(out, m),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_u64(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => write_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// Appends an RFC 3339 UTC timestamp the way pydantic v2 serialises one:
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, without the fraction when it is zero.
pub(crate) fn write_timestamp(out: &mut Vec<u8>, us: i64) {
    let days = us.div_euclid(86_400_000_000);
    let rem = us.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days);
    let secs = (rem / 1_000_000) as u32;
    let micros = (rem % 1_000_000) as u32;
    let y = y.clamp(0, 9999) as u32;
    push_2(out, y / 100);
    push_2(out, y % 100);
    out.push(b'-');
    push_2(out, m);
    out.push(b'-');
    push_2(out, d);
    out.push(b'T');
    push_2(out, secs / 3600);
    out.push(b':');
    push_2(out, secs / 60 % 60);
    out.push(b':');
    push_2(out, secs % 60);
    if micros != 0 {
        out.push(b'.');
        let mut f = micros;
        let mut digits = [0u8; 6];
        for dgt in digits.iter_mut().rev() {
            *dgt = b'0' + (f % 10) as u8;
            f /= 10;
        }
        out.extend_from_slice(&digits);
    }
    out.push(b'Z');
}

/// Appends the `metrics` object.
pub(crate) fn write_metrics(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"latency_ms\":");
    write_u64(out, c.latency_ms as u64);
    out.extend_from_slice(b",\"cost\":");
    write_opt_cost(out, c.cost_micros);
    out.extend_from_slice(b",\"num_input_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| t.0 as u64));
    out.extend_from_slice(b",\"num_output_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| t.1 as u64));
    out.extend_from_slice(b",\"num_total_tokens\":");
    write_opt_u64(out, c.tokens.map(|t| (t.0 + t.1) as u64));
    out.push(b'}');
}

/// Appends the `tags` array.
pub(crate) fn write_tags(out: &mut Vec<u8>, c: &Core) {
    out.push(b'[');
    for (i, t) in c.tag_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(t.as_bytes());
        out.push(b'"');
    }
    out.push(b']');
}

/// The value of `user_metadata.user_id`.
pub(crate) fn user_id_str(c: &Core) -> [u8; 10] {
    let mut buf = *b"user-00000";
    let mut v = c.user;
    for b in buf[5..].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf
}

/// Appends the `user_metadata` object (string values only; `locale` is
/// omitted on one record in five).
pub(crate) fn write_user_metadata(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"user_id\":\"");
    out.extend_from_slice(&user_id_str(c));
    out.extend_from_slice(b"\",\"region\":\"");
    out.extend_from_slice(REGIONS[c.region as usize].as_bytes());
    out.extend_from_slice(b"\",\"model\":\"");
    out.extend_from_slice(MODELS[c.model as usize].as_bytes());
    out.push(b'"');
    if let Some(l) = c.locale {
        out.extend_from_slice(b",\"locale\":\"");
        out.extend_from_slice(LOCALES[l as usize].as_bytes());
        out.push(b'"');
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_chrono() {
        for us in [
            0i64,
            DEFAULT_BASE_TIME_US,
            DEFAULT_BASE_TIME_US - 1,
            951_782_400_123_456, // 2000-02-29
            -1,
        ] {
            let mut out = Vec::new();
            write_timestamp(&mut out, us);
            let s = String::from_utf8(out).unwrap();
            let parsed = chrono::DateTime::parse_from_rfc3339(&s).unwrap();
            assert_eq!(parsed.timestamp_micros(), us, "{s}");
        }
    }

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
    fn cost_text_round_trips() {
        for m in [0u32, 1, 10, 1234, 999_999, 1_000_000, 1_234_567, 40_000] {
            let mut out = Vec::new();
            write_cost(&mut out, m);
            let s = std::str::from_utf8(&out).unwrap();
            assert_eq!(s.parse::<f64>().unwrap(), m as f64 / 1e6, "{s}");
        }
    }

    #[test]
    fn records_parse_and_escape() {
        let ds = Dataset::new(DatasetConfig::new(1, 300));
        for root in RootType::ALL {
            for i in 0..300 {
                let v = ds.record(root, i, true).expect("valid JSON");
                assert!(v["type"].is_string());
            }
        }
    }
}
