//! The fields of a record: blocks of ids and `created_at` runs, the non-text fields
//! ([`Core`]) and the texts ([`Texts`]), generated into reusable [`Scratch`] buffers.
//!
//! Invariant: the record at `(root, index)` depends only on the data set's
//! configuration, never on which records were generated before; the caches only save
//! work.

use rand::RngCore;
use uuid::Uuid;

use super::seed::{
    mix, pick, random_uuid, rng_for, PURPOSE_BLOCK, PURPOSE_CORE, PURPOSE_JITTER, PURPOSE_TEXT,
};
use super::vocab::{
    LOCALES, MODELS, MODELS_SPAN, REGIONS, SESSION_NAMES, SPAN_KINDS, TAGS, TOOL_NAMES, TRACE_NAMES,
};
use super::{Dataset, RootType, BLOCK_LEN, SPANS_PER_TRACE, STEP_US, TRACES_PER_SESSION};
use crate::text;

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
}
