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
//! `sdk` options: `--records N` (100000), `--rounds R` (3), `--text-len`, `--seed`. Galileo's
//! Python SDK (`galileo` 2.7.0, installed into a venv under the target directory on first
//! use; needs `python3` and PyPI) reads the export with its own `ExportClient.records`,
//! interleaved with this client's `records()`, `records_as::<Trace>()`, `raw_records()` and
//! `bytes()` on the same body, served from memory (see `sdk.rs` for why the body's raw
//! U+2028/U+2029 are escaped first).
//!
//! `compression` options: `--records N` (40000), `--runs R` (3), `--rate BYTES_PER_S`
//! (20000000), `--text-len`. First `save()` against the local server compressing on the
//! fly at that rate on the wire and unpaced, per coding; then the client alone, on the
//! body compressed once with zstd and served from memory, paced and not, with each record
//! check (`--precompressed-only`: only that second part).
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
//!
//! `memory parquet --shape wide|keys|galileo` (feature `parquet`): instead of the mock,
//! the server is this binary in another process (its `serve-shape` mode), answering JSON
//! Lines of a given shape: `wide` is one record of `--keys N` keys (100000); `keys` is
//! `--records N` records (300) of `--keys N` keys (100) that no other record has;
//! `galileo` is records of about 15 KB shaped like Galileo's traces (long input and
//! output, a free-form `metrics` map, a list of nested spans of varying keys), up to
//! `--gib G` (1.0).

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use galileo_export::records::{JsonLinesDecoder, RawRecord};
use galileo_export::{Client, ExportFormat, RecordCheck, RootType};
use galileo_export_mock::{ContentCoding, MockServer};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// `input`/`output` lengths giving trace records of ~2 KB on average (like the issue's
/// 203 MB for 100,000 traces).
const DEFAULT_TEXT_LEN: (usize, usize) = (300, 950);
const DEFAULT_SEED: u64 = 7;

mod compression;
#[path = "../shared/feed.rs"]
mod feed;
mod harness;
mod memory;
#[cfg(feature = "parquet")]
mod parquet_passes;
mod paths;
mod pipe;
mod record;
mod sdk;
mod shapes;
mod throughput;

use compression::*;
use feed::feed;
use harness::*;
use memory::*;
#[cfg(feature = "parquet")]
use parquet_passes::*;
use paths::*;
use pipe::*;
use record::*;
use sdk::*;
use shapes::*;
use throughput::*;

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
        "sdk" => sdk(&opts),
        "serve-shape" => serve_shape(&opts),
        other => {
            eprintln!(
                "usage: export [throughput [--records N] [--rounds R] ...] | \
                 [memory raw|save|map|typed|raw_records [--gib G] ...] | \
                 [pipe [--runs N] [--records N] [--cli-bin PATH]] | [sdk [--rounds R] ...] (got `{other}`)"
            );
            std::process::exit(2);
        }
    }
}
