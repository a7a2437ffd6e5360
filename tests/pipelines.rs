//! Incremental exports against a server whose data set grows between runs (records
//! added with newer and with equal timestamps, `common::growing`): across runs every
//! record arrives exactly once in the library (`after`, `ExportSummary::checkpoint`), also
//! when a run is cut in the middle. The CLI's side (`--state`, `--since`/`--until`) is in
//! `cli/tests/pipelines.rs`, against the same server.

mod common;

use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use galileo_export::Checkpoint;
use galileo_export_mock::hostile::{HostileServer, Reply};
use serde_json::{json, Map, Value};

use common::growing::{add, answer, at, exactly_once, time_of, Data};
use common::spec::unknown_to_spec;

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
        .sort("metrics/duration_ns", galileo_export::Order::Ascending)
        .to_json();
    assert!(sorted.is_err_and(|e| e.to_string().contains("native sort")));
    let future: Result<Checkpoint, _> =
        serde_json::from_value(json!({"version": 3, "created_at": at(1), "ids": []}));
    assert!(future.is_err_and(|e| e.to_string().contains("version 3")));
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
