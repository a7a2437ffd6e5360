//! End-to-end export benchmarks over loopback against the local Galileo server
//! ([`galileo_export_mock`]): throughput of every way to consume an export, and the
//! peak memory of one very large export.
//!
//! ```sh
//! # throughput: ~100,000 ~2 KB trace records, every path interleaved over 5 rounds
//! cargo bench --bench export -- throughput
//! # memory: one ~1 GiB export through one path, the server in another process
//! cargo build --release -p galileo-export-mock --example mock_server
//! cargo bench --bench export -- memory map
//! # peak RSS of the client process only
//! /usr/bin/time -v target/release/deps/export-<hash> memory map --gib 1
//! /usr/bin/time -v target/release/deps/export-<hash> memory save --gib 0.1
//! # pipe: the release CLI writing to stdout into a pipe vs curl, alternated
//! cargo build --release -p galileo-export-cli
//! cargo bench --bench export -- pipe --runs 9
//! ```
//!
//! `pipe` options: `--runs N` (9), `--records N` (100000), `--text-len`, `--seed`,
//! `--cli-bin PATH` (default: `target/release/galileo-export`). Each writer's stdout is a
//! pipe drained by the bench; the time is from spawn to exit. It also times the library's
//! old stdout path (`write_to(tokio::io::stdout())`) against `write_to_std`, in child
//! processes (this binary's `pipe-child` mode).
//!
//! `throughput` options: `--records N` (100000), `--rounds R` (5), `--text-len MIN:MAX`
//! (record size), `--rt multi|current|multi-spawn` (the client's Tokio runtime: default
//! `multi`, what `#[tokio::main]` gives, with the consumer on the `block_on` thread;
//! `multi-spawn` runs the consumer in a spawned task), `--drain-repeat K` (5: the raw
//! drains and curl are timed K exports back to back per sample), `--no-csv`,
//! `--no-curl`, `--seed S`, `--only rawrecords,map,…` (only these paths, by the names
//! printed per round, plus the `bytes()` drain).
//!
//! `memory <raw|save|map|typed|raw_records>` options: `--gib G` (1.0; the record count
//! is computed from the average record size so the body is at least G GiB),
//! `--records N` (instead of `--gib`), `--text-len MIN:MAX`, `--seed S`,
//! `--server-bin PATH` (default: `examples/mock_server` next to this binary's `deps/`),
//! or an already running server: `--base-url URL --project-id UUID --log-stream-id UUID
//! --api-key KEY`. The spawned server is killed but deliberately not waited for, so that
//! `/usr/bin/time -v` (which reports the largest of a process and its *waited-for*
//! descendants) measures the client only. The bench also prints its own peak RSS
//! (`VmHWM` from `/proc/self/status`).

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use galileo_export::records::{JsonLinesDecoder, RawRecord, RecordDecoder};
use galileo_export::{Client, ExportFormat, RootType};
use galileo_export_mock::{ContentCoding, MockServer};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// `input`/`output` lengths giving trace records of ~2 KB on average (like the issue's
/// 203 MB for 100,000 traces).
const DEFAULT_TEXT_LEN: (usize, usize) = (300, 950);
const DEFAULT_SEED: u64 = 7;

// ---------------------------------------------------------------------------------------
// A realistic typed record: what a user would write for Galileo's trace export.

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Trace {
    id: Uuid,
    #[serde(rename = "type")]
    kind: String,
    session_id: Uuid,
    trace_id: Option<Uuid>,
    parent_id: Option<Uuid>,
    project_id: Uuid,
    log_stream_id: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    name: String,
    input: String,
    output: String,
    metrics: Metrics,
    latency_ms: Option<u64>,
    cost: Option<f64>,
    status_code: Option<u16>,
    has_error: bool,
    tags: Vec<String>,
    user_metadata: UserMetadata,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Metrics {
    latency_ms: Option<u64>,
    cost: Option<f64>,
    num_input_tokens: Option<u64>,
    num_output_tokens: Option<u64>,
    num_total_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct UserMetadata {
    user_id: String,
    region: String,
    model: String,
    locale: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Small helpers.

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn mb_s(bytes: u64, elapsed: Duration) -> f64 {
    mb(bytes) / elapsed.as_secs_f64()
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `VmHWM` (peak RSS) and `VmRSS` of this process, in KiB.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn scratch_dir() -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let _ = std::fs::create_dir_all(&base);
    base
}

fn scratch_path(what: &str) -> PathBuf {
    scratch_dir().join(format!("bench-export-{what}-{}.jsonl", std::process::id()))
}

/// Minimal option parser: `--name value`, `--name=value`, flags, positionals.
struct Opts {
    positional: Vec<String>,
    named: HashMap<String, String>,
    flags: Vec<String>,
}

impl Opts {
    fn parse() -> Opts {
        const FLAGS: &[&str] = &[
            "--no-csv",
            "--no-curl",
            "--bench",
            "--prerender",
            "--compressed",
        ];
        let mut o = Opts {
            positional: Vec::new(),
            named: HashMap::new(),
            flags: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if let Some((k, v)) = a.split_once('=').filter(|(k, _)| k.starts_with("--")) {
                o.named.insert(k.to_string(), v.to_string());
            } else if FLAGS.contains(&a.as_str()) {
                o.flags.push(a);
            } else if a.starts_with("--") {
                let v = it.next().unwrap_or_else(|| panic!("{a} needs a value"));
                o.named.insert(a, v);
            } else {
                o.positional.push(a);
            }
        }
        o
    }

    fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.named.get(name) {
            Some(v) => v
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: cannot parse `{v}`")),
            None => default,
        }
    }

    fn str(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn text_len(&self) -> (usize, usize) {
        match self.str("--text-len") {
            Some(v) => {
                let (a, b) = v.split_once([':', ',']).expect("--text-len MIN:MAX");
                (a.parse().expect("MIN"), b.parse().expect("MAX"))
            }
            None => DEFAULT_TEXT_LEN,
        }
    }
}

fn main() {
    let opts = Opts::parse();
    let mode = opts
        .positional
        .first()
        .map(String::as_str)
        .unwrap_or("throughput");
    match mode {
        "throughput" => throughput(&opts),
        "memory" => memory(&opts),
        "pipe" => pipe(&opts),
        "pipe-child" => pipe_child(&opts),
        #[cfg(feature = "parquet")]
        "parquet" => parquet_passes(&opts),
        "compression" => compression(&opts),
        other => {
            eprintln!(
                "usage: export [throughput [--records N] [--rounds R] ...] | \
                 [memory raw|save|map|typed|raw_records [--gib G] ...] | \
                 [pipe [--runs N] [--records N] [--cli-bin PATH]] (got `{other}`)"
            );
            std::process::exit(2);
        }
    }
}

fn runtime(kind: &str) -> tokio::runtime::Runtime {
    match kind {
        "current" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        "multi" | "multi-spawn" => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        other => panic!("--rt: `{other}` (expected multi, multi-spawn or current)"),
    }
    .expect("tokio runtime")
}

/// Where the export comes from.
#[derive(Clone)]
struct Target {
    base_url: String,
    project_id: Uuid,
    log_stream_id: Uuid,
    api_key: String,
    api_key_header: String,
}

impl Target {
    /// The export of an in-process local server.
    fn of(server: &MockServer) -> Target {
        Target {
            base_url: server.base_url().to_string(),
            project_id: server.project_id(),
            log_stream_id: server.log_stream_id(),
            api_key: server.api_key().to_string(),
            api_key_header: server
                .api_key_header()
                .unwrap_or("Galileo-API-Key")
                .to_string(),
        }
    }

    /// A client for this target that asks for uncompressed bodies, like the plain
    /// reqwest and curl paths it is compared with (compressed transfer is measured on
    /// its own: `export compression`).
    fn client(&self) -> Client {
        Client::builder()
            .base_url(&self.base_url)
            .api_key(self.api_key.clone())
            .compression(false)
            .build()
            .expect("client")
    }

    fn export_url(&self) -> String {
        format!(
            "{}/v2/projects/{}/export_records",
            self.base_url, self.project_id
        )
    }

    fn body(&self, format: &str) -> String {
        serde_json::json!({
            "root_type": "trace",
            "log_stream_id": self.log_stream_id.to_string(),
            "export_format": format,
        })
        .to_string()
    }
}

/// What one measured export delivered.
#[derive(Clone, Copy, Debug)]
struct Run {
    bytes: u64,
    records: u64,
    elapsed: Duration,
    chunks: u64,
}

// ---------------------------------------------------------------------------------------
// The paths.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathKind {
    /// Plain reqwest, same URL and body: the transport limit.
    Reqwest,
    /// `ExportBuilder::bytes()`: the limit of this client.
    Bytes,
    /// `ExportBuilder::save(path)`.
    Save,
    /// `write_to(BufWriter::with_capacity(1 MiB, tokio::fs::File))`: what `save()` does,
    /// without its temporary file and rename.
    WriteToBuffered,
    /// `bytes()` written with blocking `std::fs::File` writes in the task: no thread
    /// hop per chunk (a reference, not a recommended way to write async code).
    BytesStdFile,
    /// `curl -s -X POST ... -o <file>`: the cost of writing the body to this disk.
    CurlFile,
    /// `records()`: `serde_json::Map`.
    Map,
    /// `records_as::<Trace>()`.
    Typed,
    /// `raw_records()`.
    RawRecords,
    /// `bytes()` of the CSV export (the CSV limit).
    CsvBytes,
    /// `csv_rows()`.
    CsvRows,
    /// `curl -s -X POST ... -o /dev/null` (subprocess).
    Curl,
    /// The same JSON Lines body from memory (64 KiB chunks): decode cost alone.
    MemMap,
    MemTyped,
    MemRaw,
    /// `save_parquet(path, default)` (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl PathKind {
    fn label(self) -> &'static str {
        match self {
            PathKind::Reqwest => "plain reqwest drain (transport limit)",
            PathKind::Bytes => "`bytes()` drain (raw drain, this client's limit)",
            PathKind::Save => "`save(path)`",
            PathKind::WriteToBuffered => {
                "`write_to(BufWriter::with_capacity(1 MiB, tokio::fs::File))` (`save()` without temp file + rename)"
            }
            PathKind::BytesStdFile => "`bytes()` + blocking `std::fs::File::write_all`",
            PathKind::CurlFile => "`curl -s -X POST … -o <file>` (same disk)",
            PathKind::Map => "`records()` → `serde_json::Map`",
            PathKind::Typed => "`records_as::<Trace>()` (typed struct)",
            PathKind::RawRecords => "`raw_records()` (validated raw JSON)",
            PathKind::CsvBytes => "CSV: `bytes()` drain",
            PathKind::CsvRows => "CSV: `csv_rows()`",
            PathKind::Curl => "`curl -s -X POST … -o /dev/null`",
            PathKind::MemMap => "from memory: `JsonLinesDecoder<Map>`",
            PathKind::MemTyped => "from memory: `JsonLinesDecoder<Trace>`",
            PathKind::MemRaw => "from memory: `JsonLinesDecoder<RawRecord>`",
            #[cfg(feature = "parquet")]
            PathKind::Parquet => "`save_parquet(path)` (one pass to a zstd Parquet file)",
        }
    }

    fn is_csv(self) -> bool {
        matches!(self, PathKind::CsvBytes | PathKind::CsvRows)
    }
}

/// One plain reqwest client for the whole run (building one loads TLS roots: not
/// something to time).
fn plain_http() -> &'static reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(reqwest::Client::new)
}

async fn run_path(kind: PathKind, t: &Target, client: &Client, memory: &Bytes) -> Run {
    let start = Instant::now();
    let export = || client.export(t.project_id).log_stream(t.log_stream_id);
    let mut run = Run {
        bytes: 0,
        records: 0,
        elapsed: Duration::ZERO,
        chunks: 0,
    };
    match kind {
        PathKind::Reqwest => {
            let resp = plain_http()
                .post(t.export_url())
                .header(t.api_key_header.as_str(), t.api_key.as_str())
                .header("content-type", "application/json")
                .body(t.body("jsonl"))
                .send()
                .await
                .expect("reqwest send");
            assert!(resp.status().is_success(), "HTTP {}", resp.status());
            let mut body = resp.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("reqwest chunk");
                run.bytes += chunk.len() as u64;
                run.chunks += 1;
            }
        }
        PathKind::Bytes | PathKind::CsvBytes => {
            let format = if kind.is_csv() {
                ExportFormat::Csv
            } else {
                ExportFormat::Jsonl
            };
            let mut body = export().format(format).bytes().await.expect("bytes()");
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("chunk");
                run.bytes += chunk.len() as u64;
                run.chunks += 1;
            }
            if !kind.is_csv() {
                run.records = body.progress().records;
            }
        }
        #[cfg(feature = "parquet")]
        PathKind::Parquet => {
            let path = scratch_path("parquet");
            let summary = export()
                .save_parquet(&path, galileo_export::columnar::ParquetOptions::default())
                .await
                .expect("save_parquet()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
        }
        PathKind::Save => {
            let path = scratch_path("save");
            let summary = export().save(&path).await.expect("save()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            // Count the deletion out: time stops when save() returns.
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::Map => {
            let mut records = export().records().await.expect("records()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::Typed => {
            let mut records = export().records_as::<Trace>().await.expect("records_as()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::RawRecords => {
            let mut records = export().raw_records().await.expect("raw_records()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::CsvRows => {
            let mut rows = export()
                .format(ExportFormat::Csv)
                .csv_rows()
                .await
                .expect("csv_rows()");
            while let Some(r) = rows.next().await {
                black_box(r.expect("row"));
                run.records += 1;
            }
            run.bytes = rows.progress().bytes;
        }
        PathKind::WriteToBuffered => {
            let path = scratch_path("write-to");
            let file = tokio::fs::File::create(&path).await.expect("create");
            let writer = tokio::io::BufWriter::with_capacity(1 << 20, file);
            let summary = export().write_to(writer).await.expect("write_to()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::BytesStdFile => {
            use std::io::Write;
            let path = scratch_path("std-file");
            let mut file = std::fs::File::create(&path).expect("create");
            let mut body = export().bytes().await.expect("bytes()");
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("chunk");
                file.write_all(&chunk).expect("write");
                run.bytes += chunk.len() as u64;
                run.chunks += 1;
            }
            file.flush().expect("flush");
            drop(file);
            run.records = body.progress().records;
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::Curl | PathKind::CurlFile => {
            let path = scratch_path("curl");
            let out = Command::new("curl")
                .args(["-s", "-X", "POST", "--fail"])
                .arg(t.export_url())
                .arg("-H")
                .arg(format!("{}: {}", t.api_key_header, t.api_key))
                .args(["-H", "Content-Type: application/json", "-d"])
                .arg(t.body("jsonl"))
                .arg("-o")
                .arg(if kind == PathKind::Curl {
                    Path::new("/dev/null")
                } else {
                    path.as_path()
                })
                .args(["-w", "%{size_download} %{time_total}"])
                .output()
                .expect("curl");
            let _ = std::fs::remove_file(&path);
            assert!(out.status.success(), "curl failed: {:?}", out);
            let text = String::from_utf8_lossy(&out.stdout);
            let mut it = text.split_whitespace();
            run.bytes = it.next().and_then(|v| v.parse().ok()).expect("size");
            let secs: f64 = it.next().and_then(|v| v.parse().ok()).expect("time");
            run.elapsed = Duration::from_secs_f64(secs);
            return run;
        }
        PathKind::MemMap => {
            run.records = decode_memory(memory, JsonLinesDecoder::<Map<String, Value>>::default());
            run.bytes = memory.len() as u64;
        }
        PathKind::MemTyped => {
            run.records = decode_memory(memory, JsonLinesDecoder::<Trace>::default());
            run.bytes = memory.len() as u64;
        }
        PathKind::MemRaw => {
            run.records = decode_memory(memory, JsonLinesDecoder::<RawRecord>::default());
            run.bytes = memory.len() as u64;
        }
    }
    run.elapsed = start.elapsed();
    run
}

/// Feeds `input` in 64 KiB zero-copy chunks (like `benches/decode.rs`).
fn decode_memory<D: RecordDecoder>(input: &Bytes, mut decoder: D) -> u64 {
    const CHUNK: usize = 64 * 1024;
    let mut n = 0;
    let mut drain = |d: &mut D| {
        while let Some(record) = d.next_record() {
            black_box(record.expect("valid record"));
            n += 1;
        }
    };
    let mut at = 0;
    while at < input.len() {
        let end = (at + CHUNK).min(input.len());
        decoder.push(input.slice(at..end));
        drain(&mut decoder);
        at = end;
    }
    decoder.finish();
    drain(&mut decoder);
    n
}

// ---------------------------------------------------------------------------------------
// throughput

fn machine_line() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores available")
}

fn throughput(opts: &Opts) {
    let n: u64 = opts.get("--records", 100_000);
    let rounds: usize = opts.get("--rounds", 5);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let (tmin, tmax) = opts.text_len();
    let rt_kind = opts.str("--rt").unwrap_or("multi").to_string();
    let with_csv = !opts.flag("--no-csv");
    let with_curl = !opts.flag("--no-curl")
        && Command::new("curl")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());

    let drain_repeat: u32 = opts.get("--drain-repeat", 5);
    let only = opts.str("--only").map(str::to_string);
    let rt = runtime(&rt_kind);
    let spawn = rt_kind == "multi-spawn";
    let bench = async move {
        // The server runs on its own thread with its own runtime; pre-rendered, a
        // request costs it little more than writing reference-counted chunks.
        let server = MockServer::builder()
            .root_counts(0, n, 0)
            .seed(seed)
            .text_len(tmin, tmax)
            .prerender(true)
            .worker_threads(1)
            .start()
            .await
            .expect("mock server");
        let t = Target::of(&server);
        let client = t.client();

        // Warm up: the first request renders the cache; keep one copy of the body for
        // the from-memory paths (it is exactly what the server sends).
        let warm = Instant::now();
        let mut body = client
            .export(t.project_id)
            .log_stream(t.log_stream_id)
            .root_type(RootType::Trace)
            .bytes()
            .await
            .expect("warm-up");
        let mut memory = Vec::new();
        while let Some(chunk) = body.next().await {
            memory.extend_from_slice(&chunk.expect("chunk"));
        }
        let memory = Bytes::from(memory);
        let lines = memchr::memchr_iter(b'\n', &memory).count() as u64;
        eprintln!(
            "warm-up (renders the cache): {} records, {:.1} MB, {} B/record, {:.2} s",
            lines,
            mb(memory.len() as u64),
            memory.len() as u64 / lines.max(1),
            warm.elapsed().as_secs_f64()
        );
        assert_eq!(lines, n, "record count");
        // One more warm pass of the network paths.
        let _ = run_path(PathKind::Bytes, &t, &client, &memory).await;
        let _ = run_path(PathKind::Reqwest, &t, &client, &memory).await;

        let mut kinds = vec![
            PathKind::Reqwest,
            PathKind::Bytes,
            PathKind::Save,
            PathKind::WriteToBuffered,
            PathKind::BytesStdFile,
            PathKind::Map,
            PathKind::Typed,
            PathKind::RawRecords,
        ];
        if with_curl {
            kinds.extend([PathKind::Curl, PathKind::CurlFile]);
        }
        if with_csv {
            kinds.extend([PathKind::CsvBytes, PathKind::CsvRows]);
        }
        kinds.extend([PathKind::MemMap, PathKind::MemTyped, PathKind::MemRaw]);
        if let Some(only) = &only {
            let wanted: Vec<String> = only.split(',').map(|w| w.trim().to_lowercase()).collect();
            kinds.retain(|k| wanted.contains(&format!("{k:?}").to_lowercase()));
            // Keep the raw drain for the ratios.
            if !kinds.contains(&PathKind::Bytes) {
                kinds.insert(0, PathKind::Bytes);
            }
        }

        let mut results: HashMap<&'static str, Vec<Run>> = HashMap::new();
        for round in 0..rounds {
            // Rotate the order so no path always runs right after the same other one.
            let mut order = kinds.clone();
            order.rotate_left(round % kinds.len());
            for &kind in &order {
                // The drains take a few tens of milliseconds: time several back to
                // back as one sample.
                let repeat = if matches!(kind, PathKind::Reqwest | PathKind::Bytes | PathKind::Curl)
                {
                    drain_repeat.max(1)
                } else {
                    1
                };
                let mut run = run_path(kind, &t, &client, &memory).await;
                for _ in 1..repeat {
                    let more = run_path(kind, &t, &client, &memory).await;
                    run.bytes += more.bytes;
                    run.records += more.records;
                    run.chunks += more.chunks;
                    run.elapsed += more.elapsed;
                }
                let per_export = |v: u64| v / u64::from(repeat);
                let run = Run {
                    bytes: per_export(run.bytes),
                    records: per_export(run.records),
                    chunks: per_export(run.chunks),
                    elapsed: run.elapsed / repeat,
                };
                if !kind.is_csv() && !matches!(kind, PathKind::Curl | PathKind::CurlFile) {
                    assert_eq!(run.bytes, memory.len() as u64, "{kind:?}: bytes");
                }
                eprintln!(
                    "round {}/{rounds} {:<12} {:>8.1} MB in {:>6.3} s = {:>7.1} MB/s{}",
                    round + 1,
                    format!("{kind:?}"),
                    mb(run.bytes),
                    run.elapsed.as_secs_f64(),
                    mb_s(run.bytes, run.elapsed),
                    if run.chunks > 0 {
                        format!(" ({} chunks, avg {} B)", run.chunks, run.bytes / run.chunks)
                    } else {
                        String::new()
                    }
                );
                results.entry(kind.label()).or_default().push(run);
            }
        }

        let med = |k: PathKind| -> Option<f64> {
            let runs = results.get(k.label())?;
            Some(median(
                &runs
                    .iter()
                    .map(|r| mb_s(r.bytes, r.elapsed))
                    .collect::<Vec<_>>(),
            ))
        };
        let raw = med(PathKind::Bytes).unwrap_or(f64::NAN);
        let transport = med(PathKind::Reqwest).unwrap_or(f64::NAN);
        let csv_raw = med(PathKind::CsvBytes);

        println!();
        println!(
            "### Throughput over loopback ({}; client runtime: {rt_kind}; {} rounds interleaved, median)",
            machine_line(),
            rounds
        );
        println!();
        println!(
            "JSON Lines body: {n} trace records, {:.1} MB ({} B/record). \
             CSV body: see its rows. MB = 10^6 bytes.",
            mb(memory.len() as u64),
            memory.len() as u64 / n.max(1)
        );
        println!();
        println!("| path | median MB/s | min–max MB/s | records/s (median) | vs `bytes()` drain | vs plain reqwest |");
        println!("|---|---:|---:|---:|---:|---:|");
        for &kind in &kinds {
            let Some(runs) = results.get(kind.label()) else {
                continue;
            };
            let rates: Vec<f64> = runs.iter().map(|r| mb_s(r.bytes, r.elapsed)).collect();
            let m = median(&rates);
            let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = rates.iter().copied().fold(0.0, f64::max);
            let recs = runs.iter().map(|r| r.records).max().unwrap_or(0);
            let rps = if recs > 0 {
                let per: Vec<f64> = runs
                    .iter()
                    .map(|r| r.records as f64 / r.elapsed.as_secs_f64())
                    .collect();
                format!("{:.0}", median(&per))
            } else {
                "–".into()
            };
            let (vs_raw, vs_transport) = if kind.is_csv() {
                (
                    csv_raw.map_or("–".into(), |c| format!("{:.2} (of CSV drain)", m / c)),
                    "–".into(),
                )
            } else {
                (format!("{:.2}", m / raw), format!("{:.2}", m / transport))
            };
            let label = if kind.is_csv() {
                format!(
                    "{} ({:.1} MB body)",
                    kind.label(),
                    mb(runs.first().map_or(0, |r| r.bytes))
                )
            } else {
                kind.label().to_string()
            };
            println!("| {label} | {m:.0} | {lo:.0}–{hi:.0} | {rps} | {vs_raw} | {vs_transport} |");
        }
        println!();
        if let Some(chunks) = results
            .get(PathKind::Bytes.label())
            .and_then(|r| r.first())
            .map(|r| r.chunks)
        {
            println!(
                "`bytes()` delivered {chunks} chunks per export (avg {} B).",
                memory.len() as u64 / chunks.max(1)
            );
        }
        let python = 80.0;
        if let Some(best) = [PathKind::Map, PathKind::Typed, PathKind::RawRecords]
            .iter()
            .filter_map(|&k| med(k).map(|m| (k, m)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
        {
            println!(
                "Fastest record-yielding path: {} at {:.0} MB/s = {:.1}× the Python SDK's ~80 MB/s (target ≥ 10×).",
                best.0.label(),
                best.1,
                best.1 / python
            );
        }
        if let Some(save) = med(PathKind::Save) {
            println!(
                "`save()` = {:.0}% of the `bytes()` drain (target ≥ 90%).",
                100.0 * save / raw
            );
            if let Some(curl_file) = med(PathKind::CurlFile) {
                println!(
                    "`save()` = {:.0}% of curl writing the same body to the same disk.",
                    100.0 * save / curl_file
                );
            }
        }
        server.shutdown().await;
    };
    if spawn {
        // The consumer runs in a task on a worker thread, not on the thread that called
        // `block_on` (which is where `#[tokio::main]` runs `main`).
        rt.block_on(async { tokio::spawn(bench).await.expect("bench task") });
    } else {
        rt.block_on(bench);
    }
}

// ---------------------------------------------------------------------------------------
// memory

/// A mock server in another process; killed (not waited for) on drop.
struct ServerProcess {
    child: Child,
    target: Target,
}

impl ServerProcess {
    fn spawn(bin: &Path, records: u64, seed: u64, text_len: (usize, usize)) -> ServerProcess {
        let mut child = Command::new(bin)
            .args(["--records", &records.to_string()])
            .args(["--seed", &seed.to_string()])
            .args(["--port", "0"])
            .args(["--text-len", &format!("{}:{}", text_len.0, text_len.1)])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}); build it first: \
                     cargo build --release -p galileo-export-mock --example mock_server",
                    bin.display()
                )
            });
        let stdout = child.stdout.take().expect("stdout");
        let mut vars = HashMap::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("server stdout");
            if let Some((k, v)) = line.split_once('=') {
                vars.insert(k.to_string(), v.to_string());
            }
            if line == "READY=1" {
                break;
            }
        }
        let get = |k: &str| {
            vars.get(k)
                .cloned()
                .unwrap_or_else(|| panic!("mock_server did not print {k}"))
        };
        let target = Target {
            base_url: get("BASE_URL"),
            project_id: get("PROJECT_ID").parse().expect("project id"),
            log_stream_id: get("LOG_STREAM_ID").parse().expect("log stream id"),
            api_key: get("API_KEY"),
            api_key_header: vars
                .get("API_KEY_HEADER")
                .cloned()
                .unwrap_or_else(|| "Galileo-API-Key".into()),
        };
        ServerProcess { child, target }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Not waited for on purpose: a waited-for child's peak RSS would be folded into
        // ours by getrusage(RUSAGE_CHILDREN), and so into `/usr/bin/time -v`'s report.
        // The zombie is reaped by init when this process exits.
        let _ = self.child.kill();
    }
}

fn server_bin(opts: &Opts) -> PathBuf {
    if let Some(p) = opts.str("--server-bin") {
        return PathBuf::from(p);
    }
    // target/release/deps/export-<hash> → target/release/examples/mock_server
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let candidate = profile_dir.join("examples").join("mock_server");
    if candidate.exists() {
        return candidate;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/examples/mock_server")
}

fn memory(opts: &Opts) {
    let path = opts
        .positional
        .get(1)
        .map(String::as_str)
        .unwrap_or("map")
        .to_string();
    let kind = match path.as_str() {
        "raw" | "bytes" => PathKind::Bytes,
        "save" => PathKind::Save,
        "map" => PathKind::Map,
        "typed" => PathKind::Typed,
        "raw_records" => PathKind::RawRecords,
        #[cfg(feature = "parquet")]
        "parquet" => PathKind::Parquet,
        other => panic!("memory: unknown path `{other}` (raw|save|map|typed|raw_records|parquet)"),
    };
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let text_len = opts.text_len();
    let gib: f64 = opts.get("--gib", 1.0);
    let target_bytes = (gib * (1u64 << 30) as f64) as u64;

    // The client's runtime: what `#[tokio::main]` gives.
    let rt = runtime(opts.str("--rt").unwrap_or("multi"));
    let _guard;
    let (t, expected) = if let Some(base_url) = opts.str("--base-url") {
        let t = Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            project_id: opts
                .str("--project-id")
                .expect("--project-id")
                .parse()
                .expect("uuid"),
            log_stream_id: opts
                .str("--log-stream-id")
                .expect("--log-stream-id")
                .parse()
                .expect("uuid"),
            api_key: opts
                .str("--api-key")
                .unwrap_or("galileo-mock-api-key")
                .into(),
            api_key_header: "Galileo-API-Key".into(),
        };
        (t, None)
    } else {
        let bin = server_bin(opts);
        let records = match opts.str("--records") {
            Some(_) => opts.get("--records", 0u64),
            None => {
                // Average record size from a small server with the same seed and text
                // lengths (records are a function of (seed, index), not of the count),
                // streamed and counted, so nothing stays in this process.
                const SAMPLE: u64 = 5_000;
                let small = ServerProcess::spawn(&bin, SAMPLE, seed, text_len);
                let run = rt.block_on(run_path(
                    PathKind::Bytes,
                    &small.target,
                    &small.target.client(),
                    &Bytes::new(),
                ));
                drop(small);
                let avg = run.bytes as f64 / run.records.max(1) as f64;
                let n = (target_bytes as f64 / avg * 1.002).ceil() as u64;
                eprintln!(
                    "sample: {} records, {} B, {avg:.0} B/record → {n} records for {gib} GiB",
                    run.records, run.bytes
                );
                n
            }
        };
        let server = ServerProcess::spawn(&bin, records, seed, text_len);
        let t = server.target.clone();
        _guard = server;
        (t, Some(records))
    };

    let (hwm_before, rss_before) = rss_kib();
    // `--compressed`: ask for a compressed body (the server process compresses with zstd),
    // so the decoder's memory is measured too.
    let client = if opts.flag("--compressed") {
        Client::builder()
            .base_url(&t.base_url)
            .api_key(t.api_key.clone())
            .build()
            .expect("client")
    } else {
        t.client()
    };
    let run = rt.block_on(run_path(kind, &t, &client, &Bytes::new()));
    let (hwm, rss) = rss_kib();
    if let Some(n) = expected {
        assert_eq!(run.records, n, "records delivered");
    }
    println!(
        "memory {path}: {} records, {} bytes ({:.3} GiB), {:.2} s, {:.0} MB/s; \
         peak RSS (VmHWM) {:.1} MiB (before the export {:.1} MiB), RSS at end {:.1} MiB (before {:.1} MiB)",
        run.records,
        run.bytes,
        run.bytes as f64 / (1u64 << 30) as f64,
        run.elapsed.as_secs_f64(),
        mb_s(run.bytes, run.elapsed),
        hwm as f64 / 1024.0,
        hwm_before as f64 / 1024.0,
        rss as f64 / 1024.0,
        rss_before as f64 / 1024.0,
    );
    drop(rt);
}

// ---------------------------------------------------------------------------------------
// pipe: an export written to stdout into a pipe, the CLI against curl

/// One way of writing the export to a process's stdout.
struct Writer {
    label: String,
    /// Whether its stdout gets the export (false: it writes to `/dev/null` itself).
    to_stdout: bool,
    command: Box<dyn Fn() -> Command>,
}

/// Spawns `command` with its stdout a pipe, drains the pipe here (128 KiB reads, like
/// `cat`), and times from spawn to exit. Returns the bytes read and the time.
fn drained(command: &mut Command) -> (u64, Duration) {
    use std::io::Read;
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 128 << 10];
    let mut bytes = 0u64;
    loop {
        match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => bytes += k as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("reading the pipe: {e}"),
        }
    }
    let status = child.wait().expect("wait");
    let elapsed = start.elapsed();
    assert!(status.success(), "{command:?}: {status}");
    (bytes, elapsed)
}

fn pipe(opts: &Opts) {
    let n: u64 = opts.get("--records", 100_000);
    let runs: usize = opts.get("--runs", 9);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let (tmin, tmax) = opts.text_len();
    let cli_bin = opts.str("--cli-bin").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/galileo-export")
    });
    assert!(
        cli_bin.exists(),
        "{} is missing: cargo build --release -p galileo-export-cli (or pass --cli-bin)",
        cli_bin.display()
    );
    let me = std::env::current_exe().expect("current exe");

    // Pre-rendered, on its own thread and runtime, as in `throughput`.
    let server = MockServer::builder()
        .root_counts(0, n, 0)
        .seed(seed)
        .text_len(tmin, tmax)
        .prerender(true)
        .worker_threads(1)
        .build()
        .start_blocking()
        .expect("mock server");
    let t = Target::of(&server);

    let curl = {
        let t = t.clone();
        move || {
            let mut c = Command::new("curl");
            c.args(["-s", "-S", "--fail", "-X", "POST"])
                .arg(t.export_url())
                .arg("-H")
                .arg(format!("{}: {}", t.api_key_header, t.api_key))
                .args(["-H", "Content-Type: application/json", "-d"])
                .arg(t.body("jsonl"));
            c
        }
    };
    let cli = {
        let t = t.clone();
        move || {
            let mut c = Command::new(&cli_bin);
            for var in ["GALILEO_API_URL", "GALILEO_CONSOLE_URL", "GALILEO_API_KEY"] {
                c.env_remove(var);
            }
            c.env("GALILEO_API_KEY", &t.api_key)
                // Uncompressed, like curl without --compressed.
                .args(["--quiet", "--no-compression", "--base-url", &t.base_url])
                .args(["--project", &t.project_id.to_string()])
                .args(["--log-stream", &t.log_stream_id.to_string()]);
            c
        }
    };
    let child = |how: &'static str| {
        let t = t.clone();
        let me = me.clone();
        move || {
            let mut c = Command::new(&me);
            c.args(["pipe-child", how, "--base-url", &t.base_url])
                .args(["--project-id", &t.project_id.to_string()])
                .args(["--log-stream-id", &t.log_stream_id.to_string()])
                .args(["--api-key", &t.api_key]);
            c
        }
    };
    let mut writers = vec![
        Writer {
            label: "`curl -s -X POST …` → stdout → pipe".into(),
            to_stdout: true,
            command: Box::new(curl.clone()),
        },
        Writer {
            label: "`galileo-export --quiet …` (release CLI) → stdout → pipe".into(),
            to_stdout: true,
            command: Box::new(cli.clone()),
        },
    ];
    writers.push(Writer {
        label: "library, before: `write_to(tokio::io::stdout())`, current-thread runtime → pipe"
            .into(),
        to_stdout: true,
        command: Box::new(child("old")),
    });
    writers.extend([
        Writer {
            label:
                "library, after: `write_to_std(File(dup of fd 1))`, current-thread runtime → pipe"
                    .into(),
            to_stdout: true,
            command: Box::new(child("new")),
        },
        Writer {
            label: "*reference:* `curl … -o /dev/null`".into(),
            to_stdout: false,
            command: Box::new(move || {
                let mut c = curl();
                c.args(["-o", "/dev/null"]);
                c
            }),
        },
        Writer {
            label: "*reference:* `galileo-export --output /dev/null`".into(),
            to_stdout: false,
            command: Box::new(move || {
                let mut c = cli();
                c.args(["--output", "/dev/null"]);
                c
            }),
        },
    ]);

    // Warm-up: the first request renders the server's cache; each writer runs once.
    let (body_len, warm) = drained(&mut (writers[0].command)());
    eprintln!(
        "warm-up (renders the cache): {:.1} MB in {:.2} s",
        mb(body_len),
        warm.as_secs_f64()
    );
    for w in &writers {
        let (bytes, _) = drained(&mut (w.command)());
        assert_eq!(bytes, if w.to_stdout { body_len } else { 0 }, "{}", w.label);
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); writers.len()];
    for run in 0..runs {
        // Alternate: rotate the order so no writer always follows the same other one.
        let mut order: Vec<usize> = (0..writers.len()).collect();
        order.rotate_left(run % writers.len());
        for i in order {
            let w = &writers[i];
            let (bytes, elapsed) = drained(&mut (w.command)());
            assert_eq!(bytes, if w.to_stdout { body_len } else { 0 }, "{}", w.label);
            eprintln!(
                "run {}/{runs} {:>7.3} s  {}",
                run + 1,
                elapsed.as_secs_f64(),
                w.label
            );
            times[i].push(elapsed.as_secs_f64());
        }
    }

    let curl_median = median(&times[0]);
    println!();
    println!(
        "### Export to stdout into a pipe ({}; {runs} runs each, alternated; wall time from spawn to exit, the pipe drained by the bench in 128 KiB reads)",
        machine_line()
    );
    println!();
    println!(
        "{n} trace records, {:.1} MB of JSON Lines, pre-rendered mock server in the bench process. MB = 10^6 bytes.",
        mb(body_len)
    );
    println!();
    println!("| writer | median s | min–max s | MB/s (median) | ÷ curl → pipe |");
    println!("|---|---:|---:|---:|---:|");
    for (w, v) in writers.iter().zip(&times) {
        let m = median(v);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {m:.3} | {lo:.3}–{hi:.3} | {:.0} | {:.2} |",
            w.label,
            mb(body_len) / m,
            m / curl_median
        );
    }
    server.shutdown_blocking();
}

/// `pipe-child old|new --base-url URL --project-id UUID --log-stream-id UUID --api-key K`:
/// one export to this process's stdout through the library, in a current-thread runtime
/// like the CLI's: `old` = `write_to(tokio::io::stdout())` (what the CLI did before),
/// `new` = `write_to_std` on a `File` of a duplicate of fd 1 (what it does now).
fn pipe_child(opts: &Opts) {
    let how = opts.positional.get(1).map(String::as_str).unwrap_or("new");
    let arg = |name: &str| {
        opts.str(name)
            .unwrap_or_else(|| panic!("pipe-child needs {name}"))
    };
    let t = Target {
        base_url: arg("--base-url").to_string(),
        project_id: arg("--project-id").parse().expect("uuid"),
        log_stream_id: arg("--log-stream-id").parse().expect("uuid"),
        api_key: arg("--api-key").to_string(),
        api_key_header: "Galileo-API-Key".into(),
    };
    let rt = runtime(opts.str("--rt").unwrap_or("current"));
    let client = t.client();
    let export = client.export(t.project_id).log_stream(t.log_stream_id);
    let summary = match how {
        "old" => rt.block_on(export.write_to(tokio::io::stdout())),
        "new" => {
            use std::os::fd::AsFd;
            let fd = std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .expect("dup stdout");
            rt.block_on(export.write_to_std(std::fs::File::from(fd)))
        }
        other => panic!("pipe-child: unknown writer `{other}`"),
    }
    .expect("export");
    black_box(summary);
}

// ---------------------------------------------------------------------------------------
// parquet: one pass (export → Parquet) against two (export → JSON Lines, then DuckDB)

/// A Python with DuckDB: a venv under the target directory, created (and DuckDB installed
/// from PyPI) the first time.
#[cfg(feature = "parquet")]
fn duckdb_python() -> PathBuf {
    let venv = scratch_dir().join("duckdb-venv");
    let python = venv.join("bin").join("python");
    let works = |p: &Path| {
        Command::new(p)
            .args(["-c", "import duckdb"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !works(&python) {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "duckdb"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok && works(&python), "cannot set up a venv with duckdb");
    }
    python
}

#[cfg(feature = "parquet")]
fn parquet_passes(opts: &Opts) {
    let runs: usize = opts.get("--runs", 3);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let text_len = opts.text_len();
    let counts: Vec<u64> = opts
        .str("--records")
        .unwrap_or("100000,500000")
        .split(',')
        .map(|n| n.trim().parse().expect("--records N[,N]"))
        .collect();
    let python = duckdb_python();
    let version = Command::new(&python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("{}", machine_line());
    println!("DuckDB {version} (PyPI, in a venv); {runs} runs per way, alternated; medians");
    let rt = runtime("multi");
    for records in counts {
        let server = rt.block_on(async {
            MockServer::builder()
                .root_counts(0, records, 0)
                .seed(seed)
                .text_len(text_len.0, text_len.1)
                .prerender(true)
                .worker_threads(1)
                .start()
                .await
                .expect("mock server")
        });
        let t = Target::of(&server);
        let client = t.client();
        let export = || client.export(t.project_id).log_stream(t.log_stream_id);
        let one_path = scratch_path("one-pass.parquet");
        let jsonl_path = scratch_path("two-pass.jsonl");
        let duck_path = scratch_path("two-pass.parquet");
        let (mut one, mut two, mut export_part) = (Vec::new(), Vec::new(), Vec::new());
        let (mut sizes, mut unmapped) = ((0, 0, 0), 0);
        for _ in 0..runs {
            let start = Instant::now();
            let summary = rt
                .block_on(export().save_parquet(
                    &one_path,
                    galileo_export::columnar::ParquetOptions::default(),
                ))
                .expect("save_parquet");
            one.push(start.elapsed().as_secs_f64());
            assert_eq!(summary.records, Some(records));
            unmapped = summary.unmapped_values;

            let start = Instant::now();
            rt.block_on(export().save(&jsonl_path)).expect("save");
            export_part.push(start.elapsed().as_secs_f64());
            let sql = format!(
                "COPY (SELECT * FROM read_json_auto('{}')) TO '{}' (FORMAT parquet)",
                jsonl_path.display(),
                duck_path.display()
            );
            let status = Command::new(&python)
                .args([
                    "-c",
                    "import duckdb, sys; duckdb.connect().execute(sys.argv[1])",
                ])
                .arg(&sql)
                .status()
                .expect("python runs");
            assert!(status.success(), "DuckDB conversion failed");
            two.push(start.elapsed().as_secs_f64());
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            sizes = (size(&jsonl_path), size(&one_path), size(&duck_path));
        }
        let (one_m, two_m, export_m) = (median(&one), median(&two), median(&export_part));
        println!(
            "{records} records: one pass (save_parquet) {one_m:.2} s; two passes {two_m:.2} s \
             (save JSON Lines {export_m:.2} s + DuckDB {:.2} s); one/two = {:.2}; \
             sizes: JSON Lines {:.1} MB, our Parquet (zstd) {:.1} MB ({:.1}%), DuckDB's Parquet {:.1} MB; \
             values kept in _unmapped: {unmapped}",
            two_m - export_m,
            one_m / two_m,
            mb(sizes.0),
            mb(sizes.1),
            100.0 * sizes.1 as f64 / sizes.0.max(1) as f64,
            mb(sizes.2),
        );
        for p in [&one_path, &jsonl_path, &duck_path] {
            let _ = std::fs::remove_file(p);
        }
        drop(server);
    }
}

// ---------------------------------------------------------------------------------------
// Compressed transfer: `save()` of the same export over a rate-limited link (the local
// server paces its wire bytes) and over plain loopback, uncompressed and in each coding.

fn compression(opts: &Opts) {
    let records: u64 = opts.get("--records", 40_000);
    let runs: usize = opts.get("--runs", 3);
    let rate: u64 = opts.get("--rate", 20_000_000);
    let (tmin, tmax) = opts.text_len();
    let rt = runtime("multi");
    println!(
        "compressed transfer: save() of {records} traces (text {tmin}..{tmax} B), median of {runs} runs"
    );
    println!(
        "{:<22} {:<9} {:>9} {:>11} {:>11} {:>7} {:>10}",
        "link", "coding", "time s", "decoded MB", "wire MB", "ratio", "vs plain"
    );
    for link in [Some(rate), None] {
        let link_name = match link {
            Some(r) => format!("{:.0} MB/s (server-paced)", r as f64 / 1e6),
            None => "loopback, no limit".to_string(),
        };
        let mut plain = None;
        for coding in [
            None,
            Some(ContentCoding::Zstd),
            Some(ContentCoding::Gzip),
            Some(ContentCoding::Brotli),
        ] {
            let (secs, decoded, wire) = rt.block_on(async {
                let mut builder = MockServer::builder()
                    .root_counts(0, records, 0)
                    .seed(7)
                    .text_len(tmin, tmax)
                    .prerender(true)
                    .content_codings(coding);
                if let Some(r) = link {
                    builder = builder.rate_limit(r);
                }
                let server = builder.start().await.expect("mock server");
                let t = Target::of(&server);
                let client = Client::builder()
                    .base_url(&t.base_url)
                    .api_key(t.api_key.clone())
                    .compression(coding.is_some())
                    .build()
                    .expect("client");
                let path = scratch_path("compression");
                let mut times = Vec::new();
                let mut last = None;
                // One warm-up run fills the server's pre-render cache.
                for i in 0..=runs {
                    let start = Instant::now();
                    let summary = client
                        .export(t.project_id)
                        .log_stream(t.log_stream_id)
                        .save(&path)
                        .await
                        .expect("save()");
                    if i > 0 {
                        times.push(start.elapsed().as_secs_f64());
                    }
                    assert_eq!(summary.records, Some(records));
                    assert_eq!(summary.content_encoding, coding.map(ContentCoding::token));
                    last = Some(summary);
                }
                let _ = std::fs::remove_file(&path);
                let summary = last.expect("runs");
                (median(&times), summary.bytes, summary.wire_bytes)
            });
            let base = *plain.get_or_insert(secs);
            println!(
                "{:<22} {:<9} {:>9.2} {:>11.1} {:>11.1} {:>6.1}x {:>9.2}x",
                link_name,
                coding.map_or("identity", ContentCoding::token),
                secs,
                decoded as f64 / 1e6,
                wire as f64 / 1e6,
                decoded as f64 / wire as f64,
                base / secs
            );
        }
    }
}
