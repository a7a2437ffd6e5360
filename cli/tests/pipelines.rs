//! The CLI's incremental runs against the server whose data set grows between runs (the
//! library's `tests/common/growing.rs`, included by path): across `--state` runs every
//! record arrives exactly once, also when a run is cut in the middle, for JSON Lines and
//! CSV; `--since`/`--until` and unknown fields as sent (`--dry-run`).

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::cli::with_state as cli;
use common::growing::{add, answer, exactly_once, time_of, Data};
use common::spec::unknown_to_spec;
use common::LOG_STREAM;
use galileo_export_mock::hostile::HostileServer;
use serde_json::{json, Map, Value};

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

/// The ids in a CSV export written by `csv_answer` (the last field of each row).
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
