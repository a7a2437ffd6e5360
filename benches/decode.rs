//! Throughput of the records layer, from memory: ~100,000 deterministic,
//! realistic ~2 KB trace records fed in 64 KiB chunks.
//!
//! Run with `cargo bench --bench decode`. Kept short (10 flat samples) so it
//! does not hog a small machine.

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use galileo_export::records::{CsvDecoder, CsvRow, JsonLinesDecoder, LineFramer, RawRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[path = "shared/feed.rs"]
mod feed;
use feed::feed;

const RECORDS: usize = 100_000;

/// splitmix64: a tiny deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    fn timestamp(&mut self) -> String {
        let s = 1_735_689_600 + self.below(90 * 86_400); // Q1 2025
        let (days, rem) = (s / 86_400 - 20_089, s % 86_400); // days since 2025-01-01
        let (month, day) = match days {
            0..=30 => (1, days + 1),
            31..=58 => (2, days - 30),
            _ => (3, days - 58),
        };
        format!(
            "2025-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60,
            self.below(1_000_000)
        )
    }

    /// Prose of about `len` bytes, mostly ASCII with some accents, CJK,
    /// emoji, quotes, commas and line breaks.
    fn text(&mut self, len: usize) -> String {
        const WORDS: &[&str] = &[
            "the",
            "model",
            "answer",
            "retrieval",
            "context",
            "user",
            "question",
            "latency",
            "token",
            "prompt",
            "policy",
            "refund",
            "order",
            "shipping",
            "account",
            "password",
            "invoice",
            "summary",
            "please",
            "thanks",
            "could",
            "would",
            "because",
            "however",
            "données",
            "résumé",
            "naïve",
            "café",
            "Straße",
            "東京",
            "日本語",
            "😀",
            "✓",
            "—",
            "\"quoted\"",
            "comma,",
            "x=1;",
            "e.g.",
            "100%",
            "$42.50",
            "https://example.com/a?b=c",
        ];
        let mut out = String::with_capacity(len + 16);
        while out.len() < len {
            out.push_str(self.pick(WORDS));
            out.push_str(match self.below(20) {
                0 => ".\n",
                1 => ", ",
                2 => ". ",
                _ => " ",
            });
        }
        out
    }
}

#[derive(Serialize, Deserialize)]
struct Metrics {
    duration_ns: u64,
    num_input_tokens: u32,
    num_output_tokens: u32,
    num_total_tokens: u32,
    cost: f64,
    time_to_first_token_ns: u64,
    context_adherence: f64,
}

#[derive(Serialize, Deserialize)]
struct Trace {
    id: String,
    trace_id: String,
    session_id: String,
    parent_id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    created_at: String,
    updated_at: String,
    input: String,
    output: String,
    model: String,
    metrics: Metrics,
    tags: Vec<String>,
    user_metadata: Map<String, Value>,
    status_code: u16,
    has_children: bool,
}

fn trace(rng: &mut Rng) -> Trace {
    const TAGS: &[&str] = &["prod", "staging", "v2", "rag", "chat", "eval", "beta", "eu"];
    let input_tokens = 50 + rng.below(400) as u32;
    let output_tokens = 20 + rng.below(300) as u32;
    let mut user_metadata = Map::new();
    user_metadata.insert(
        "customer".into(),
        format!("cust-{:05}", rng.below(50_000)).into(),
    );
    user_metadata.insert(
        "region".into(),
        rng.pick(&["us-east-1", "eu-west-1", "ap-northeast-1"])
            .into(),
    );
    user_metadata.insert(
        "app_version".into(),
        format!("3.{}.{}", rng.below(20), rng.below(10)).into(),
    );
    let (input_len, output_len) = (600 + rng.below(300) as usize, 600 + rng.below(300) as usize);
    Trace {
        id: rng.uuid(),
        trace_id: rng.uuid(),
        session_id: rng.uuid(),
        parent_id: (rng.below(4) != 0).then(|| rng.uuid()),
        kind: rng.pick(&["trace", "llm", "retriever", "tool"]).into(),
        name: rng
            .pick(&[
                "chat_completion",
                "answer_question",
                "search_docs",
                "summarize",
            ])
            .into(),
        created_at: rng.timestamp(),
        updated_at: rng.timestamp(),
        input: rng.text(input_len),
        output: rng.text(output_len),
        model: rng
            .pick(&[
                "gpt-4o",
                "gpt-4o-mini",
                "claude-3-5-sonnet",
                "llama-3.1-70b",
            ])
            .into(),
        metrics: Metrics {
            duration_ns: 100_000_000 + rng.below(5_000_000_000),
            num_input_tokens: input_tokens,
            num_output_tokens: output_tokens,
            num_total_tokens: input_tokens + output_tokens,
            cost: rng.below(100_000) as f64 / 1e7,
            time_to_first_token_ns: 50_000_000 + rng.below(900_000_000),
            context_adherence: rng.below(1000) as f64 / 1000.0,
        },
        tags: (0..1 + rng.below(4))
            .map(|_| rng.pick(TAGS).to_owned())
            .collect(),
        user_metadata,
        status_code: if rng.below(50) == 0 { 500 } else { 200 },
        has_children: rng.below(2) == 0,
    }
}

fn csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The same records as JSON Lines and as CSV (nested values as JSON text).
fn corpus() -> (Bytes, Bytes) {
    let mut rng = Rng(0x5EED_CAFE);
    let mut jsonl = Vec::with_capacity(RECORDS * 2200);
    let mut csv = String::with_capacity(RECORDS * 2200);
    csv.push_str(
        "id,trace_id,session_id,parent_id,type,name,created_at,updated_at,input,output,model,\
         duration_ns,num_input_tokens,num_output_tokens,num_total_tokens,cost,\
         time_to_first_token_ns,context_adherence,tags,user_metadata,status_code,has_children\r\n",
    );
    for _ in 0..RECORDS {
        let t = trace(&mut rng);
        serde_json::to_writer(&mut jsonl, &t).expect("serializable");
        jsonl.push(b'\n');
        let m = &t.metrics;
        let fields = [
            t.id.clone(),
            t.trace_id.clone(),
            t.session_id.clone(),
            t.parent_id.clone().unwrap_or_default(),
            t.kind.clone(),
            t.name.clone(),
            t.created_at.clone(),
            t.updated_at.clone(),
            t.input.clone(),
            t.output.clone(),
            t.model.clone(),
            m.duration_ns.to_string(),
            m.num_input_tokens.to_string(),
            m.num_output_tokens.to_string(),
            m.num_total_tokens.to_string(),
            m.cost.to_string(),
            m.time_to_first_token_ns.to_string(),
            m.context_adherence.to_string(),
            serde_json::to_string(&t.tags).expect("serializable"),
            serde_json::to_string(&t.user_metadata).expect("serializable"),
            t.status_code.to_string(),
            t.has_children.to_string(),
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                csv.push(',');
            }
            csv_field(&mut csv, f);
        }
        csv.push_str("\r\n");
    }
    (Bytes::from(jsonl), Bytes::from(csv))
}

fn bench(c: &mut Criterion) {
    let (jsonl, csv) = corpus();
    eprintln!(
        "corpus: {RECORDS} records, JSON Lines {:.1} MB ({} B/record), CSV {:.1} MB",
        jsonl.len() as f64 / 1e6,
        jsonl.len() / RECORDS,
        csv.len() as f64 / 1e6
    );

    let mut g = c.benchmark_group("jsonl");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    g.bench_function("frame", |b| {
        b.iter(|| assert_eq!(feed(&jsonl, LineFramer::new()), RECORDS as u64))
    });
    g.bench_function("raw_record", |b| {
        b.iter(|| {
            assert_eq!(
                feed(&jsonl, JsonLinesDecoder::<RawRecord>::default()),
                RECORDS as u64
            )
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| {
            assert_eq!(
                feed(&jsonl, JsonLinesDecoder::<Trace>::default()),
                RECORDS as u64
            )
        })
    });
    g.bench_function("map", |b| {
        b.iter(|| assert_eq!(feed(&jsonl, JsonLinesDecoder::new()), RECORDS as u64))
    });
    g.finish();

    let mut g = c.benchmark_group("csv");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("rows", |b| {
        b.iter(|| assert_eq!(feed(&csv, CsvDecoder::<CsvRow>::default()), RECORDS as u64))
    });
    g.bench_function("raw_rows", |b| {
        b.iter(|| {
            assert_eq!(
                feed(&csv, CsvDecoder::<Vec<String>>::default()),
                RECORDS as u64
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    targets = bench
}
criterion_main!(benches);
