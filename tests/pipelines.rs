//! Incremental exports against a server whose data set grows between runs (records
//! added with newer and with equal timestamps): across runs every record arrives exactly
//! once, in the library (`after`, `ExportSummary::checkpoint`) and in the CLI (`--state`),
//! also when a run is cut in the middle. And `--since`/`--until` as sent.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::hostile::{HostileServer, RecordedRequest, Reply};
use futures::TryStreamExt;
use galileo_export::Checkpoint;
use serde_json::{json, Map, Value};

use common::LOG_STREAM;

/// The server's records and how it misbehaves: `cut_after` records, then a broken body.
#[derive(Default)]
struct Data {
    records: Vec<Value>,
    cut_after: Option<usize>,
}

fn at(second: u32) -> String {
    format!("2026-03-01T12:00:{second:02}.000000Z")
}

fn add(data: &Arc<Mutex<Data>>, ids: std::ops::Range<usize>, second: u32) {
    let mut data = data.lock().expect("lock");
    for i in ids {
        data.records
            .push(json!({"id": format!("r-{i:03}"), "created_at": at(second), "n": i}));
    }
}

fn time_of(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a date"))
        .expect("date")
        .to_utc()
}

/// Answer an export like Galileo: the records that pass the `created_at` filters, newest
/// first (ties by id, descending), as JSON Lines.
fn answer(data: &Arc<Mutex<Data>>, request: &RecordedRequest) -> Reply {
    let body = request.json();
    let mut data = data.lock().expect("lock");
    let mut records: Vec<Value> = data
        .records
        .iter()
        .filter(|r| {
            let t = time_of(&r["created_at"]);
            body["filters"].as_array().into_iter().flatten().all(|f| {
                if f["column_id"] != "created_at" {
                    return true;
                }
                let bound = time_of(&f["value"]);
                match f["operator"].as_str() {
                    Some("gte") => t >= bound,
                    Some("gt") => t > bound,
                    Some("lte") => t <= bound,
                    Some("lt") => t < bound,
                    other => panic!("unexpected operator {other:?}"),
                }
            })
        })
        .cloned()
        .collect();
    records.sort_by(|a, b| {
        (time_of(&b["created_at"]), b["id"].as_str())
            .cmp(&(time_of(&a["created_at"]), a["id"].as_str()))
    });
    if body["export_format"] == "csv" {
        return csv_answer(&records, data.cut_after.take());
    }
    let mut text: String = records.iter().map(|r| format!("{r}\n")).collect();
    match data.cut_after.take() {
        Some(n) => {
            text = records[..n.min(records.len())]
                .iter()
                .map(|r| format!("{r}\n"))
                .collect();
            text.push_str("{\"id\":\"r-");
            Reply::status(200).close_delimited().body(text)
        }
        None => Reply::status(200).body(text),
    }
}

/// The records as CSV, as a pandas-made export writes it: a header, timestamps with a
/// space, a quoted field with a comma, quotes and a line break, CRLF line ends.
fn csv_answer(records: &[Value], cut_after: Option<usize>) -> Reply {
    let row = |r: &Value| {
        format!(
            "\"note, \"\"{}\"\"\nline 2\",{},{}\r\n",
            r["n"],
            r["created_at"]
                .as_str()
                .expect("date")
                .replacen('T', " ", 1)
                .replace('Z', "+00:00"),
            r["id"].as_str().expect("id")
        )
    };
    let mut text = String::from("\u{feff}note,created_at,id\r\n");
    match cut_after {
        Some(n) => {
            text.extend(records[..n.min(records.len())].iter().map(row));
            text.push_str("\"note, cut");
            Reply::status(200).close_delimited().body(text)
        }
        None => {
            text.extend(records.iter().map(row));
            Reply::status(200).body(text)
        }
    }
}

async fn growing_server() -> (HostileServer, Arc<Mutex<Data>>) {
    let data = Arc::new(Mutex::new(Data::default()));
    let shared = data.clone();
    let server = HostileServer::start_with(move |request, _| answer(&shared, request)).await;
    (server, data)
}

/// One library run: the ids it delivered and the next checkpoint.
async fn run(
    server: &HostileServer,
    after: Option<&Checkpoint>,
) -> (Vec<String>, Option<Checkpoint>) {
    let mut export = common::hostile_export(&server.base_url());
    if let Some(checkpoint) = after {
        export = export.after(checkpoint);
    }
    let mut stream = export.records().await.expect("export starts");
    let mut ids = Vec::new();
    while let Some(record) = stream.try_next().await.expect("record") {
        ids.push(record["id"].as_str().expect("id").to_string());
    }
    (ids, stream.checkpoint().cloned())
}

/// One library run of a CSV export: the ids of its rows and the next checkpoint.
async fn run_csv(
    server: &HostileServer,
    after: Option<&Checkpoint>,
) -> (Vec<String>, Option<Checkpoint>) {
    let mut export =
        common::hostile_export(&server.base_url()).format(galileo_export::ExportFormat::Csv);
    if let Some(checkpoint) = after {
        export = export.after(checkpoint);
    }
    let mut rows = export.csv_rows().await.expect("export starts");
    let mut ids = Vec::new();
    while let Some(row) = rows.try_next().await.expect("row") {
        assert!(
            row.get("note").is_some_and(|n| n.ends_with("\"\nline 2")),
            "{row:?}"
        );
        ids.push(row.get("id").expect("id").to_string());
    }
    (ids, rows.checkpoint().cloned())
}

fn exactly_once(runs: &[Vec<String>], total: usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in runs.iter().flatten() {
        *counts.entry(id).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "delivered more than once: {repeated:?}"
    );
    assert_eq!(counts.len(), total, "every record, once: {runs:?}");
}

#[tokio::test]
async fn three_runs_deliver_every_record_exactly_once() {
    let (server, data) = growing_server().await;
    add(&data, 0..5, 1);
    add(&data, 5..8, 3); // the newest timestamp: 12:00:03
    let (first, checkpoint) = run(&server, None).await;
    let checkpoint = checkpoint.expect("a checkpoint after records");
    assert_eq!(checkpoint.created_at(), time_of(&json!(at(3))));
    assert_eq!(checkpoint.ids(), ["r-005", "r-006", "r-007"]);

    // New records: two at the checkpoint's own timestamp, three newer.
    add(&data, 8..10, 3);
    add(&data, 10..13, 4);
    let (second, checkpoint) = run(&server, Some(&checkpoint)).await;
    assert_eq!(second, ["r-012", "r-011", "r-010", "r-009", "r-008"]);
    let checkpoint = checkpoint.expect("a checkpoint");
    let sent = server.requests()[1].json();
    assert_eq!(
        sent["filters"][0],
        json!({"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-03-01T12:00:03Z"})
    );

    // Nothing new, then records at the newest timestamp only: the checkpoint grows.
    let (nothing, same) = run(&server, Some(&checkpoint)).await;
    assert!(nothing.is_empty());
    assert_eq!(
        same.as_ref(),
        Some(&checkpoint),
        "no record: the checkpoint stays"
    );
    add(&data, 13..15, 4);
    let (third, last) = run(&server, Some(&checkpoint)).await;
    assert_eq!(third, ["r-014", "r-013"]);
    assert_eq!(last.expect("a checkpoint").ids().len(), 5);
    exactly_once(&[first, second, third], 15);
}

#[tokio::test]
async fn csv_runs_deliver_every_record_exactly_once_and_share_checkpoints_with_json_lines() {
    let (server, data) = growing_server().await;
    add(&data, 0..5, 1);
    add(&data, 5..8, 3);
    let (first, checkpoint) = run_csv(&server, None).await;
    let checkpoint = checkpoint.expect("a checkpoint after rows");
    assert_eq!(checkpoint.created_at(), time_of(&json!(at(3))));
    // The same identities as a JSON Lines export of the same records.
    assert_eq!(checkpoint.ids(), ["r-005", "r-006", "r-007"]);

    add(&data, 8..10, 3);
    add(&data, 10..13, 4);
    let (second, checkpoint) = run_csv(&server, Some(&checkpoint)).await;
    assert_eq!(second, ["r-012", "r-011", "r-010", "r-009", "r-008"]);
    let checkpoint = checkpoint.expect("a checkpoint");

    // A checkpoint from CSV continues a JSON Lines export, and back.
    add(&data, 13..15, 4);
    let (third, checkpoint) = run(&server, Some(&checkpoint)).await;
    assert_eq!(third, ["r-014", "r-013"]);
    add(&data, 15..16, 4);
    let (fourth, _) = run_csv(&server, Some(&checkpoint.expect("a checkpoint"))).await;
    assert_eq!(fourth, ["r-015"]);
    exactly_once(&[first, second, third, fourth], 16);

    // A CSV export that cannot carry a checkpoint's keys is refused before sending.
    let no_keys = common::hostile_export(&server.base_url())
        .format(galileo_export::ExportFormat::Csv)
        .columns(["id", "input"])
        .after(&checkpoint_at(1))
        .to_json();
    assert!(no_keys.is_err_and(|e| e.to_string().contains("`created_at` column")));
}

fn checkpoint_at(second: u32) -> Checkpoint {
    serde_json::from_value(json!({"version": 2, "created_at": at(second), "ids": []}))
        .expect("checkpoint")
}

#[tokio::test]
async fn a_checkpoint_is_refused_where_it_cannot_hold() {
    let (server, _) = growing_server().await;
    let checkpoint: Checkpoint =
        serde_json::from_value(json!({"version": 2, "created_at": at(1), "ids": []}))
            .expect("checkpoint");
    let export = || common::hostile_export(&server.base_url()).after(&checkpoint);
    let other = export()
        .format(galileo_export::ExportFormat::Other("xml".into()))
        .to_json();
    assert!(other.is_err_and(|e| e.to_string().contains("JSON Lines, CSV or Parquet")));
    let sorted = export()
        .sort("latency_ms", galileo_export::Order::Ascending)
        .to_json();
    assert!(sorted.is_err_and(|e| e.to_string().contains("native sort")));
    let future: Result<Checkpoint, _> =
        serde_json::from_value(json!({"version": 3, "created_at": at(1), "ids": []}));
    assert!(future.is_err_and(|e| e.to_string().contains("version 3")));
}

fn cli(server: &HostileServer, state: &Path, output: &Path) -> Command {
    let mut command = common::cli::for_hostile(server, "k");
    command
        .args(["--quiet", "--state"])
        .arg(state)
        .arg("--output")
        .arg(output);
    command
}

fn ids_in(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("output")
        .lines()
        .map(|l| {
            let record: Map<String, Value> = serde_json::from_str(l).expect("record");
            record["id"].as_str().expect("id").to_string()
        })
        .collect()
}

#[test]
fn the_cli_state_file_survives_a_cut_run_and_refuses_another_export() {
    let data = Arc::new(Mutex::new(Data::default()));
    let shared = data.clone();
    let server = HostileServer::start_with_blocking(move |request, _| answer(&shared, request));
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    add(&data, 0..4, 1);
    add(&data, 4..6, 2);

    let out = |n: u32| dir.path().join(format!("run{n}.jsonl"));
    let status = cli(&server, &state, &out(1)).status().expect("runs");
    assert!(status.success());
    let written = std::fs::read_to_string(&state).expect("state written");
    let saved: Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(saved["export"]["log_stream_id"], LOG_STREAM);
    assert_eq!(saved["checkpoint"]["ids"], json!(["r-004", "r-005"]));

    // Run 2 is cut after 2 records: it fails, leaves no output and the state as it was.
    add(&data, 6..9, 2);
    add(&data, 9..12, 5);
    data.lock().expect("lock").cut_after = Some(2);
    let cut = cli(&server, &state, &out(2)).output().expect("runs");
    assert_eq!(
        cut.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&cut.stderr)
    );
    assert!(!out(2).exists());
    assert_eq!(std::fs::read_to_string(&state).expect("state"), written);

    // Run 3 repeats it; run 4 finds nothing new.
    assert!(cli(&server, &state, &out(3))
        .status()
        .expect("runs")
        .success());
    assert!(cli(&server, &state, &out(4))
        .status()
        .expect("runs")
        .success());
    let runs = [ids_in(&out(1)), ids_in(&out(3)), ids_in(&out(4))];
    assert!(runs[2].is_empty());
    exactly_once(&runs, 12);

    // The same state file for another export is refused, and left alone.
    let before = std::fs::read_to_string(&state).expect("state");
    let other = cli(&server, &state, &out(5))
        .args(["--filter", "n > 3"])
        .output()
        .expect("runs");
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("written for another export"));
    assert_eq!(std::fs::read_to_string(&state).expect("state"), before);
}

/// The CLI's `--dry-run` for the test export with `args` (clean environment, a key set).
fn dry_run(args: &[&str]) -> std::process::Output {
    common::cli::dry_run()
        .args(args)
        .env("GALILEO_API_KEY", "k")
        .output()
        .expect("runs")
}

#[test]
fn since_and_until_become_created_at_filters() {
    let output = dry_run(&["--since", "2026-03-01T00:00:00Z", "--until", "24h"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        body["filters"][0],
        json!({"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-03-01T00:00:00Z"})
    );
    assert_eq!(body["filters"][1]["operator"], "lt");
    let until = time_of(&body["filters"][1]["value"]);
    let expected = chrono::Utc::now() - chrono::Duration::hours(24);
    assert!(
        (until - expected).num_seconds().abs() < 60,
        "{until} vs {expected}"
    );
    let bad = dry_run(&["--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}

#[tokio::test]
async fn newer_fields_and_formats_go_out_as_given_and_jsonl_flat_reads_as_json_lines() {
    let body = "{\"id\":\"a\",\"created_at\":\"2026-03-01T12:00:00Z\",\"metrics.cost\":1.5}\n\
                {\"id\":\"b\",\"created_at\":\"2026-03-01T11:00:00Z\",\"metrics.cost\":2}\n";
    let server = HostileServer::start(vec![
        Reply::status(200).body(body),
        Reply::status(200).body(body),
    ])
    .await;
    let export = || {
        common::hostile_export(&server.base_url())
            .format(galileo_export::ExportFormat::Other("jsonl_flat".into()))
            .field("include_code_metric_metadata", true)
            .field("redact", false)
    };
    assert_eq!(
        export().unchecked_fields().expect("checked"),
        unknown_to_spec()
    );
    let records: Vec<Map<String, Value>> = export()
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("records");
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["metrics.cost"], 2);
    let sent = server.requests()[0].json();
    assert_eq!(sent["export_format"], "jsonl_flat");
    assert_eq!(sent["include_code_metric_metadata"], true);
    assert_eq!(sent["redact"], false, "a known field, checked and sent");
    assert_eq!(
        sent,
        export().to_json().expect("body"),
        "to_json is what is sent"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let summary = export()
        .save(dir.path().join("flat.jsonl"))
        .await
        .expect("saved");
    assert_eq!(
        summary.records,
        Some(2),
        "jsonl_flat is counted as JSON Lines"
    );
}

#[test]
fn the_cli_says_once_what_the_spec_does_not_know() {
    let output = dry_run(&[
        "--format",
        "jsonl_flat",
        "--field",
        "include_code_metric_metadata=true",
        "--field",
        "file_name=\"x\"",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(body["export_format"], "jsonl_flat");
    assert_eq!(body["include_code_metric_metadata"], true);
    assert_eq!(body["file_name"], "x");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let unknown = unknown_to_spec();
    if unknown.is_empty() {
        assert!(!stderr.contains("does not know"), "{stderr}");
    } else {
        assert_eq!(stderr.matches("does not know").count(), 1, "{stderr}");
        assert!(stderr.contains(&unknown.join(", ")), "{stderr}");
    }
}

/// Which of `export_format: jsonl_flat` and `include_code_metric_metadata` the spec the
/// crate was built from lacks: both for the vendored spec, neither for Galileo's newer
/// full spec (the drop-in run of CI).
fn unknown_to_spec() -> Vec<String> {
    use galileo_export::api::types::LogRecordsExportRequest;
    let base = json!({"log_stream_id": LOG_STREAM, "root_type": "trace"});
    let mut unknown = Vec::new();
    let mut flat = base.clone();
    flat["export_format"] = json!("jsonl_flat");
    if serde_json::from_value::<LogRecordsExportRequest>(flat).is_err() {
        unknown.push("export_format".to_string());
    }
    let mut with_field = base;
    with_field["include_code_metric_metadata"] = json!(true);
    let typed: LogRecordsExportRequest = serde_json::from_value(with_field).expect("valid");
    let back = serde_json::to_value(typed).expect("serializes");
    if back.get("include_code_metric_metadata").is_none() {
        unknown.push("include_code_metric_metadata".to_string());
    }
    unknown
}

/// The ids in a CSV export written by [`csv_answer`] (the last field of each row).
fn csv_ids_in(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("output")
        .split("\r\n")
        .filter_map(|line| line.rsplit(',').next())
        .filter(|id| id.starts_with("r-"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_cli_state_file_works_for_csv() {
    let data = Arc::new(Mutex::new(Data::default()));
    let shared = data.clone();
    let server = HostileServer::start_with_blocking(move |request, _| answer(&shared, request));
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let out = |n: u32| dir.path().join(format!("run{n}.csv"));
    let csv = |n: u32| {
        let mut command = cli(&server, &state, &out(n));
        command.args(["--format", "csv"]);
        command
    };
    add(&data, 0..4, 1);
    assert!(csv(1).status().expect("runs").success());
    let written = std::fs::read_to_string(&state).expect("state written");

    // New rows at the checkpoint's timestamp and newer; the run is cut after one row.
    add(&data, 4..6, 1);
    add(&data, 6..8, 2);
    data.lock().expect("lock").cut_after = Some(1);
    let cut = csv(2).output().expect("runs");
    assert_eq!(
        cut.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&cut.stderr)
    );
    assert!(!out(2).exists());
    assert_eq!(std::fs::read_to_string(&state).expect("state"), written);

    assert!(csv(3).status().expect("runs").success());
    let runs = [csv_ids_in(&out(1)), csv_ids_in(&out(3))];
    assert_eq!(runs[1], ["r-007", "r-006", "r-005", "r-004"]);
    exactly_once(&runs, 8);

    // Columns without the keys cannot carry a checkpoint: refused before sending.
    let requests = server.request_count();
    let refused = csv(4)
        .args(["--columns", "id,input"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("`created_at` column"));
    assert_eq!(server.request_count(), requests);
}
