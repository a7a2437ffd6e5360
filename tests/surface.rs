//! The shape of the public API as a user relies on it: an export is a value that can be
//! returned and moved into a task, record streams are named by their record type, and
//! the counts in progress and in errors are exact whichever way the export is read.
//! Against the raw test server of `galileo_export_mock::hostile`, over real sockets.

mod common;

use futures::{StreamExt, TryStreamExt};
use galileo_export::{Error, ExportBuilder, ExportFormat, Order, RecordStream};
use galileo_export_mock::hostile::{HostileServer, Reply};

fn jsonl(count: usize) -> String {
    (0..count)
        .map(|i| format!("{{\"id\":\"r{i}\",\"created_at\":\"2026-01-01T00:00:00Z\",\"n\":{i}}}\n"))
        .collect()
}

/// An export built in a function of its own: the builder owns its client (the client
/// itself is gone when the function returns).
fn prepared(base_url: &str) -> ExportBuilder {
    common::hostile_export(base_url)
}

#[tokio::test]
async fn an_export_moves_into_a_task_and_its_records_come_back() {
    let server = HostileServer::start(vec![Reply::status(200).body(jsonl(5))]).await;
    let export = prepared(&server.base_url()).sort("created_at", Order::Descending);
    let task = tokio::spawn(async move {
        let stream: RecordStream<serde_json::Map<String, serde_json::Value>> =
            export.records().await?;
        stream.try_collect::<Vec<_>>().await
    });
    let records = task.await.expect("task ran").expect("export succeeded");
    let ids: Vec<&str> = records.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["r0", "r1", "r2", "r3", "r4"]);
    let sent = server.requests()[0].json();
    assert_eq!(
        sent["sort"],
        serde_json::json!({"column_id": "created_at", "ascending": false, "sort_type": "column"})
    );
}

#[tokio::test]
async fn a_record_stream_moves_into_a_task_too() {
    #[derive(serde::Deserialize)]
    struct Rec {
        n: u64,
    }
    let server = HostileServer::start(vec![Reply::status(200).body(jsonl(4))]).await;
    let stream: RecordStream<Rec> = prepared(&server.base_url())
        .records_as::<Rec>()
        .await
        .expect("export starts");
    assert!(stream.csv_header().is_none());
    let sum = tokio::spawn(async move {
        let mut stream = stream;
        let mut sum = 0;
        while let Some(rec) = stream.next().await {
            sum += rec.expect("record").n;
        }
        (sum, stream.progress().records)
    })
    .await
    .expect("task ran");
    assert_eq!(sum, (1 + 2 + 3, 4));
}

/// A body cut after 3 whole records and half of a fourth.
fn cut_after_three() -> Reply {
    let mut body = jsonl(3);
    body.push_str("{\"id\":\"r3\",\"crea");
    Reply::status(200).close_delimited().body(body)
}

#[tokio::test]
async fn a_cut_counts_the_records_delivered_before_it_for_every_reader() {
    // Records decoded into maps, raw records, typed records and raw bytes: the cut says
    // 3 records, and exactly 3 came before it.
    for reader in ["records", "raw_records", "records_as", "bytes"] {
        let server = HostileServer::start(vec![cut_after_three()]).await;
        let export = prepared(&server.base_url());
        let (delivered, error) = match reader {
            "records" => drain(export.records().await.expect("starts")).await,
            "raw_records" => drain(export.raw_records().await.expect("starts")).await,
            "records_as" => {
                drain(
                    export
                        .records_as::<serde_json::Value>()
                        .await
                        .expect("starts"),
                )
                .await
            }
            _ => {
                let mut body = export.bytes().await.expect("starts");
                let mut bytes = Vec::new();
                let mut error = None;
                while let Some(chunk) = body.next().await {
                    match chunk {
                        Ok(chunk) => bytes.extend_from_slice(&chunk),
                        Err(e) => error = Some(e),
                    }
                }
                assert_eq!(body.progress().records, 3, "{reader}");
                (bytes.iter().filter(|b| **b == b'\n').count() as u64, error)
            }
        };
        assert_eq!(delivered, 3, "{reader}");
        match error {
            Some(Error::Cut { records, .. }) => assert_eq!(records, 3, "{reader}"),
            other => panic!("{reader}: expected a cut, got {other:?}"),
        }
    }
}

async fn drain<T>(mut stream: RecordStream<T>) -> (u64, Option<Error>) {
    let mut delivered = 0;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => delivered += 1,
            Err(e) => return (delivered, Some(e)),
        }
    }
    (delivered, None)
}

#[tokio::test]
async fn progress_counts_records_the_same_whoever_reads_them() {
    for reader in ["records", "csv_rows", "save"] {
        let (reply, format) = if reader == "csv_rows" {
            let csv = "id,n\r\nr0,0\r\nr1,1\r\n\"r2\",\"2\"\r\n";
            (
                Reply::status(200)
                    .header("content-type", "text/csv")
                    .body(csv),
                ExportFormat::Csv,
            )
        } else {
            (Reply::status(200).body(jsonl(3)), ExportFormat::Jsonl)
        };
        let server = HostileServer::start(vec![reply]).await;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let observed = seen.clone();
        let export = prepared(&server.base_url())
            .format(format)
            .on_progress(move |p| {
                observed.lock().expect("lock").push((p.records, p.finished));
            });
        match reader {
            "records" => assert_eq!(drain(export.records().await.expect("starts")).await.0, 3),
            "csv_rows" => {
                let stream = export.csv_rows().await.expect("starts");
                let rows: Vec<_> = stream.try_collect().await.expect("rows");
                assert_eq!(rows.len(), 3);
            }
            _ => {
                let dir = tempfile::tempdir().expect("tempdir");
                let summary = export
                    .save(dir.path().join("x.jsonl"))
                    .await
                    .expect("saved");
                assert_eq!(summary.records, Some(3));
            }
        }
        let seen = seen.lock().expect("lock").clone();
        // One final call, last, with the exact count.
        assert_eq!(
            seen.iter().filter(|(_, finished)| *finished).count(),
            1,
            "{reader}"
        );
        assert_eq!(seen.last(), Some(&(3, true)), "{reader}");
    }
}
