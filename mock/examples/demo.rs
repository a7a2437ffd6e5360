//! A tour of galileo-export in a few seconds, with nothing to set up: a local Galileo
//! server with 20,000 seeded traces starts in-process, and two realistic exports run
//! through the real HTTP client.
//!
//! ```sh
//! cargo run -p galileo-export-mock --example demo            # files in $TMPDIR/galileo-export-demo
//! cargo run -p galileo-export-mock --example demo -- ./out   # or in ./out
//! ```
//!
//! 1. JSON Lines: traces whose input mentions "refund" (any case), 0.1–2 s long, tagged
//!    prod or beta, newest first, saved atomically to a file (each trace with its spans).
//! 2. CSV: failed spans (status code 400 and above), chosen columns, slowest first.
//!
//! Every column id is one Galileo's `available_columns` lists (`metrics/duration_ns` is
//! the `duration_ns` key of the records' `metrics`).
//!
//! It prints each request body, records/bytes/time, where the files are, a preview,
//! and the equivalent `galileo-export` command for a real Galileo project.
//!
//! Built from Galileo's full spec, the demo finds the project and the log stream by
//! name and shows progress as a percentage of the count Galileo gives (the server
//! implements those operations too):
//!
//! ```sh
//! GALILEO_OPENAPI_SPEC=$PWD/tests/fixtures/galileo-openapi-full.yaml \
//!   cargo run -p galileo-export-mock --example demo
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use galileo_export::{
    Client, ExportBuilder, ExportFormat, ExportSummary, Filter, Order, Progress, RootType,
};
use galileo_export_mock::MockServer;
use serde_json::Value;
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error>;

const TRACES: u64 = 20_000;
const SEED: u64 = 2026;
/// The names a user would type for the demo's project and log stream.
const PROJECT_NAME: &str = "checkout-bot";
const LOG_STREAM_NAME: &str = "production";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let out_dir = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("galileo-export-demo"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out_dir)?;

    let started = Instant::now();
    let server = MockServer::builder()
        .root_counts(TRACES / 4, TRACES, TRACES)
        .seed(SEED)
        .project_name(PROJECT_NAME)
        .log_stream_name(LOG_STREAM_NAME)
        .extra_log_stream("staging")
        .start()
        .await?;
    println!(
        "Local Galileo server at {} ({TRACES} traces, {TRACES} spans, {} sessions, seed {SEED})",
        server.base_url(),
        TRACES / 4
    );

    // The same client you would use against Galileo: only the URL and the key differ.
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()?;
    let (project, log_stream) = project_and_log_stream(&client, &server).await?;
    println!();
    let export = || with_total(client.export(project).log_stream(log_stream));

    // 1. JSON Lines, filtered and sorted, saved atomically.
    let jsonl = export()
        .root_type(RootType::Trace)
        .filter(Filter::text("input").contains("refund").case_insensitive())
        .filter(Filter::number("metrics/duration_ns").between(100_000_000, 2_000_000_000))
        .filter(Filter::collection("tags").one_of(["prod", "beta"]))
        .sort("created_at", Order::Descending);
    let jsonl_path = out_dir.join("refund-traces.jsonl");
    let summary = run("1. JSON Lines", &server.export_url(), jsonl, &jsonl_path).await?;
    if let Some(first) = first_line(&jsonl_path)? {
        let record: Value = serde_json::from_str(&first)?;
        println!("   first record:");
        for key in ["id", "created_at", "name", "tags", "num_spans"] {
            println!("     {key:<11}{}", record[key]);
        }
        println!(
            "     {:<11}{}",
            "duration", record["metrics"]["duration_ns"]
        );
        let input = match &record["input"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        println!("     {:<11}{}", "input", preview(&input, 90));
    }
    let jsonl_records = summary.records.unwrap_or(0);

    // 2. CSV of chosen columns.
    let columns = [
        "id",
        "created_at",
        "type",
        "name",
        "metrics/duration_ns",
        "status_code",
        "error_message",
    ];
    let csv = export()
        .root_type(RootType::Span)
        .filter(Filter::number("status_code").gte(400))
        .sort("metrics/duration_ns", Order::Descending)
        .format(ExportFormat::Csv)
        .columns(columns);
    let csv_path = out_dir.join("error-spans.csv");
    run("\n2. CSV", &server.export_url(), csv, &csv_path).await?;
    println!("   first rows:");
    for line in std::io::BufReader::new(std::fs::File::open(&csv_path)?)
        .lines()
        .take(4)
    {
        println!("     {}", line?);
    }

    println!(
        "\nDone in {:.2} s: {jsonl_records} matching traces and the error spans are in {}",
        started.elapsed().as_secs_f64(),
        out_dir.display()
    );
    println!(
        "\nThe same two exports from a real Galileo project with the command-line tool\n\
         (cargo install --path cli):\n\n\
         export GALILEO_API_KEY=...   # or GALILEO_CONSOLE_URL / GALILEO_API_URL for other deployments\n\
         galileo-export --project $PROJECT_ID --log-stream $LOG_STREAM_ID \\\n    \
           --filter 'input ~contains refund' --filter 'metrics/duration_ns between 100000000 2000000000' \\\n    \
           --filter 'collection:tags one_of [prod, beta]' --sort created_at:desc \\\n    \
           --base-url https://api.galileo.ai --output refund-traces.jsonl\n\
         galileo-export --project $PROJECT_ID --log-stream $LOG_STREAM_ID --root-type span \\\n    \
           --filter 'status_code >= 400' --sort metrics/duration_ns:desc --format csv \\\n    \
           --columns {} --output error-spans.csv",
        columns.join(",")
    );
    Ok(())
}

/// The project and the log stream, found by name as a user would give them, in a build
/// whose spec has the project and log stream lists.
#[cfg(galileo_has_project_lookup)]
async fn project_and_log_stream(
    client: &Client,
    _server: &MockServer,
) -> Result<(Uuid, Uuid), BoxError> {
    let project = client.project_by_name(PROJECT_NAME).await?;
    let log_stream = client
        .log_stream_by_name(project.id, LOG_STREAM_NAME)
        .await?;
    println!("  project    {:?} → {}", project.name, project.id);
    println!("  log stream {:?} → {}", log_stream.name, log_stream.id);
    Ok((project.id, log_stream.id))
}

/// The server's ids: this build's spec has no project or log stream lists, so names
/// cannot be resolved (the sentence printed says which operations are missing).
#[cfg(not(galileo_has_project_lookup))]
async fn project_and_log_stream(
    _client: &Client,
    server: &MockServer,
) -> Result<(Uuid, Uuid), BoxError> {
    println!("  project    {}", server.project_id());
    println!("  log stream {}", server.log_stream_id());
    if let Some(why) = galileo_export::spec::capabilities::PROJECT_LOOKUP.unavailable() {
        println!("  (ids, not names: {why})");
    }
    Ok((server.project_id(), server.log_stream_id()))
}

/// Ask for the count beside the export, for a percentage, where the spec has the count
/// operations.
#[cfg(galileo_has_counts)]
fn with_total(export: ExportBuilder) -> ExportBuilder {
    export.count_total(true)
}

#[cfg(not(galileo_has_counts))]
fn with_total(export: ExportBuilder) -> ExportBuilder {
    export
}

/// Print the request, run the export to `path` with a progress line, print the summary.
async fn run(
    title: &str,
    url: &str,
    export: ExportBuilder,
    path: &Path,
) -> Result<ExportSummary, BoxError> {
    println!("{title}: POST {url}");
    for line in serde_json::to_string_pretty(&export.to_json()?)?.lines() {
        println!("   {line}");
    }
    let counts_records = export.export_format().is_json_lines();
    let summary = export
        .on_progress(progress_printer(counts_records))
        .save(path)
        .await?;
    let records = summary.records.map_or_else(
        || "records not counted (a format this crate does not know)".to_string(),
        |n| format!("{n} records"),
    );
    let wire = summary.content_encoding.map_or_else(
        || " (uncompressed)".to_string(),
        |coding| format!(" ({} on the wire, {coding})", summary.wire_bytes),
    );
    println!(
        "   → {records}, {} bytes{wire} in {:.2} s, saved to {}",
        summary.bytes,
        summary.elapsed.as_secs_f64(),
        path.display()
    );
    Ok(summary)
}

/// A progress observer: an updating line on a terminal (at most every 100 ms), a single
/// line at the end otherwise. Progress goes to stderr, results to stdout.
fn progress_printer(counts_records: bool) -> impl Fn(&Progress) + Send + Sync + 'static {
    let terminal = std::io::stderr().is_terminal();
    let last_ms = Arc::new(AtomicU64::new(0));
    move |p: &Progress| {
        let ms = u64::try_from(p.elapsed.as_millis()).unwrap_or(u64::MAX);
        if !p.finished {
            if !terminal || ms < last_ms.load(Ordering::Relaxed) + 100 {
                return;
            }
            last_ms.store(ms, Ordering::Relaxed);
        }
        let records = match (counts_records, p.total) {
            (false, _) => String::new(),
            (true, Some(total)) if total > 0 => format!(
                "{} of {total} records ({:.0} %), ",
                p.records,
                100.0 * p.records as f64 / total as f64
            ),
            (true, _) => format!("{} records, ", p.records),
        };
        let line = format!(
            "   … {records}{:.1} MiB, {:.1} s",
            p.bytes as f64 / (1024.0 * 1024.0),
            p.elapsed.as_secs_f64()
        );
        let mut err = std::io::stderr().lock();
        let _ = if terminal {
            write!(err, "\r{line}\x1b[K{}", if p.finished { "\n" } else { "" })
        } else {
            writeln!(err, "{line}")
        };
    }
}

fn first_line(path: &Path) -> std::io::Result<Option<String>> {
    std::io::BufReader::new(std::fs::File::open(path)?)
        .lines()
        .next()
        .transpose()
}

/// The first `max` characters of `text` on one line.
fn preview(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(max) {
        Some((cut, _)) => format!("{:?}…", &one_line[..cut]),
        None => format!("{one_line:?}"),
    }
}
