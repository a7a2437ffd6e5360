//! The CLI writing Parquet: an `--output` ending in `.parquet` is converted from JSON
//! Lines (what is asked of the server) in the same pass; `--format parquet` without a
//! file to write is refused. The library's Parquet tests are in the library's
//! `tests/parquet.rs`.

mod common;

use std::process::Command;

use galileo_export::columnar::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use galileo_export_mock::hostile::{HostileServer, Reply};
use serde_json::{json, Value};

fn cli(server: &HostileServer) -> Command {
    common::cli::for_hostile(server, "k")
}

/// Record `i` of the library's Parquet test (`awkward`, as it is for the first records):
/// mixed int/float, nulls, deep nesting, free-form maps, non-ASCII text.
fn awkward(i: usize) -> Value {
    let base = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .expect("date")
        .to_utc();
    let created_at = (base - chrono::Duration::microseconds(i as i64 * 1_500_001))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    json!({
        "id": format!("rec-{i:05}"),
        "created_at": created_at,
        "n": i,
        "x": if i.is_multiple_of(3) { json!(i as f64 + 0.5) } else { json!(i) },
        "switch": i % 10,
        "nothing": null,
        "ok": i.is_multiple_of(2),
        "deep": {"a": {"b": {"c": {"d": [i, i + 1]}}}},
        "metadata": {format!("k{}", i % 5): i},
        "tags": ["t", format!("日本語 ✓ é 😀 {i}")],
        "text": format!("Grüße {i} — «ok»"),
    })
}

/// The rows of the Parquet file at `path`, read with the `parquet` crate's reader.
fn rows_in(path: &std::path::Path) -> usize {
    let file = std::fs::File::open(path).expect("file");
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .map(|batch| batch.expect("a batch").num_rows())
        .sum()
}

#[test]
fn the_cli_writes_parquet_for_a_parquet_output() {
    let body: String = (0..20).map(|i| format!("{}\n", awkward(i))).collect();
    let server = HostileServer::start_blocking(vec![Reply::status(200).body(body)]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.parquet");
    let output = cli(&server)
        .arg("--output")
        .arg(&path)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(rows_in(&path), 20);
    let sent = server.requests()[0].json();
    assert_eq!(
        sent["export_format"], "jsonl",
        "Parquet is converted from JSON Lines"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("exported 20 records"), "{stderr}");

    let refused = cli(&server)
        .args(["--format", "parquet"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--output FILE.parquet"));
}
