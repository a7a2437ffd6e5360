//! Streaming exports over real sockets against the local server: every cut is an error
//! that says how many records came before it; retries before data; resume after data;
//! bad records are errors with their line; files are written atomically.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::mock::export;
use futures::{StreamExt, TryStreamExt};
use galileo_export::{Client, Error, ExportFormat};
use galileo_export_mock::{Fault, MockServer};
use serde_json::{Map, Value};

async fn server(records: u64) -> MockServer {
    common::mock::server(records, 11).await
}

fn client(server: &MockServer) -> Client {
    common::mock::client(
        server,
        Some(Duration::from_millis(500)),
        Duration::from_millis(5),
    )
}

/// Collect records until the stream ends or fails.
async fn drain(
    stream: impl futures::Stream<Item = Result<Map<String, Value>, Error>>,
) -> (Vec<Value>, Option<Error>) {
    let mut records = Vec::new();
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(r) => records.push(Value::Object(r)),
            Err(e) => return (records, Some(e)),
        }
    }
    (records, None)
}

/// Complete lines in the first `n` bytes of `body`.
fn lines_before(body: &[u8], n: usize) -> usize {
    body[..n.min(body.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

#[tokio::test]
async fn a_cut_connection_is_an_error_after_the_records_before_it() {
    let server = server(60).await;
    let client = client(&server);
    let request = export(&client, &server).to_json().unwrap();
    let body = server.expected_body(&request).unwrap();
    let expected = server.expected_records(&request).unwrap();
    for offset in [1usize, 700, body.len() / 2, body.len() - 3] {
        server.push_fault(Fault::cut_after(offset as u64));
        let (records, err) = drain(export(&client, &server).records().await.unwrap()).await;
        let complete = lines_before(&body, offset);
        if complete == 0 {
            // Nothing was delivered: the request was retried and the export completed.
            assert_eq!(err.map(|e| e.to_string()), None, "offset {offset}");
            assert_eq!(records, expected);
            continue;
        }
        let Some(Error::Cut {
            records: n,
            bytes,
            reason,
        }) = err
        else {
            panic!("offset {offset}: expected a cut, got {err:?}");
        };
        assert_eq!(n as usize, complete, "offset {offset}");
        assert_eq!(
            records.len(),
            complete,
            "records before the cut are delivered"
        );
        assert_eq!(records[..], expected[..complete]);
        assert!(bytes as usize <= offset);
        assert!(reason.contains("connection"), "{reason}");
    }
}

#[tokio::test]
async fn a_body_shorter_than_content_length_is_a_cut() {
    let server = server(30).await;
    let client = client(&server);
    server.push_fault(Fault::short_body(20_000));
    let (records, err) = drain(export(&client, &server).records().await.unwrap()).await;
    assert!(matches!(err, Some(Error::Cut { .. })), "{err:?}");
    assert!(!records.is_empty());
}

#[tokio::test]
async fn a_stalled_body_is_a_cut_after_the_read_timeout() {
    let server = server(30).await;
    let client = client(&server);
    server.push_fault(Fault::stall_after(20_000));
    let (records, err) = drain(export(&client, &server).records().await.unwrap()).await;
    let Some(Error::Cut {
        reason, records: n, ..
    }) = err
    else {
        panic!("{err:?}")
    };
    assert!(reason.contains("read timeout"), "{reason}");
    assert_eq!(n as usize, records.len());
}

#[tokio::test]
async fn a_malformed_line_is_an_error_with_its_line_number() {
    let server = server(30).await;
    let client = client(&server);
    server.push_fault(Fault::malformed_line(7));
    let (records, err) = drain(export(&client, &server).records().await.unwrap()).await;
    assert_eq!(records.len(), 7);
    let Some(Error::Record(e)) = err else {
        panic!("{err:?}")
    };
    let text = e.to_string();
    assert!(text.starts_with("line 8"), "{text}");
}

#[tokio::test]
async fn resume_delivers_every_record_exactly_once_whatever_the_cut() {
    let server = server(120).await;
    let client = client(&server);
    let request = export(&client, &server).to_json().unwrap();
    let body = server.expected_body(&request).unwrap();
    let expected = server.expected_records(&request).unwrap();
    assert_eq!(expected.len(), 120);
    for k in 0..20u64 {
        // 20 offsets spread over the body, not aligned on lines.
        let offset = 37 + k * (body.len() as u64 - 100) / 20;
        server.push_fault(Fault::cut_after(offset));
        let stream = export(&client, &server)
            .resume(true)
            .records()
            .await
            .unwrap();
        let (records, err) = drain(stream).await;
        assert!(err.is_none(), "offset {offset}: {err:?}");
        assert_eq!(records.len(), expected.len(), "offset {offset}");
        assert!(
            records == expected,
            "offset {offset}: same records, same order, no duplicates"
        );
    }
    // Several cuts in one export.
    server.push_faults([
        // Each past the first record (a trace with its spans is several KB).
        Fault::cut_after(20_000),
        Fault::cut_after(30_000),
        Fault::cut_after(15_000),
    ]);
    let stream = export(&client, &server)
        .resume(true)
        .records()
        .await
        .unwrap();
    let progress = stream.progress();
    assert_eq!(progress.resumes, 0);
    let (records, err) = drain(stream).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records, expected);
    // The resumed requests narrowed the export with a created_at bound.
    let last = server.requests().pop().unwrap();
    let filters = last.body["filters"].as_array().cloned().unwrap_or_default();
    assert!(
        filters
            .iter()
            .any(|f| f["column_id"] == "created_at" && f["operator"] == "lte"),
        "{filters:?}"
    );
}

#[tokio::test]
async fn save_writes_atomically_and_leaves_nothing_on_failure() {
    let server = server(40).await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("traces.jsonl");
    let request = export(&client, &server).to_json().unwrap();
    let summary = export(&client, &server).save(&path).await.unwrap();
    let written = std::fs::read(&path).unwrap();
    assert_eq!(written, server.expected_body(&request).unwrap());
    assert_eq!(summary.bytes as usize, written.len());
    assert_eq!(summary.records, Some(40));

    let failed = dir.path().join("cut.jsonl");
    server.push_fault(Fault::cut_after(30_000));
    let err = export(&client, &server).save(&failed).await.unwrap_err();
    assert!(matches!(err, Error::Cut { .. }), "{err:?}");
    assert!(!failed.exists(), "nothing under the final name");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("traces.jsonl")],
        "no temporary file left"
    );
}

#[tokio::test]
async fn write_to_streams_the_exact_bytes() {
    let server = server(25).await;
    let client = client(&server);
    let request = export(&client, &server)
        .format(ExportFormat::Csv)
        .to_json()
        .unwrap();
    let mut out = Vec::new();
    export(&client, &server)
        .format(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap();
    assert_eq!(out, server.expected_body(&request).unwrap());
}

#[tokio::test]
async fn csv_rows_keep_quoted_newlines_and_commas() {
    let server = server(80).await;
    let client = client(&server);
    let columns = ["id", "input", "output", "tags"];
    let builder = export(&client, &server)
        .format(ExportFormat::Csv)
        .columns(columns);
    let request = builder.to_json().unwrap();
    let expected = server.expected_records(&request).unwrap();
    let rows: Vec<_> = builder
        .csv_rows()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), expected.len());
    let mut saw_newline = false;
    for (row, record) in rows.iter().zip(&expected) {
        assert_eq!(row.get("id"), record["id"].as_str());
        // A text input is the cell itself; content parts are their JSON text.
        match &record["input"] {
            serde_json::Value::String(text) => assert_eq!(row.get("input"), Some(text.as_str())),
            parts => {
                let cell = row.get("input").unwrap_or_default();
                assert_eq!(
                    &serde_json::from_str::<serde_json::Value>(cell).unwrap(),
                    parts
                );
            }
        }
        saw_newline |= row.get("input").is_some_and(|t| t.contains('\n'));
    }
    assert!(saw_newline, "the data set has inputs with newlines");
}

#[tokio::test]
async fn typed_and_raw_records() {
    #[derive(serde::Deserialize)]
    struct Trace {
        id: uuid::Uuid,
        created_at: chrono::DateTime<chrono::Utc>,
    }
    let server = server(20).await;
    let client = client(&server);
    let request = export(&client, &server).to_json().unwrap();
    let expected = server.expected_records(&request).unwrap();
    let typed: Vec<Trace> = export(&client, &server)
        .records_as::<Trace>()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let raw: Vec<_> = export(&client, &server)
        .raw_records()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    for ((t, r), e) in typed.iter().zip(&raw).zip(&expected) {
        assert_eq!(t.id.to_string(), e["id"].as_str().unwrap());
        assert!(t.created_at.timestamp() > 0);
        assert_eq!(&serde_json::from_str::<Value>(r.as_str()).unwrap(), e);
    }
}

#[tokio::test]
async fn progress_reports_records_and_bytes() {
    let server = server(30).await;
    let client = client(&server);
    let records = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicU64::new(0));
    let (r, f) = (records.clone(), finished.clone());
    let summary = export(&client, &server)
        .on_progress(move |p| {
            r.store(p.records, Ordering::SeqCst);
            if p.finished {
                f.fetch_add(1, Ordering::SeqCst);
            }
        })
        .write_to(tokio::io::sink())
        .await
        .unwrap();
    assert_eq!(records.load(Ordering::SeqCst), 30);
    assert_eq!(finished.load(Ordering::SeqCst), 1, "one final call");
    assert_eq!(summary.records, Some(30));

    // Read as records (the decoder counts), the final call comes after the last record,
    // for JSON Lines and CSV alike.
    for format in [ExportFormat::Jsonl, ExportFormat::Csv] {
        let last = Arc::new(std::sync::Mutex::new(None));
        let calls_after_end = Arc::new(AtomicU64::new(0));
        let (l, c) = (last.clone(), calls_after_end.clone());
        let builder = export(&client, &server)
            .format(format.clone())
            .on_progress(move |p| {
                let mut last = l.lock().unwrap();
                if last.is_some_and(|prev: galileo_export::Progress| prev.finished) {
                    c.fetch_add(1, Ordering::SeqCst);
                }
                *last = Some(*p);
            });
        let n = if format == ExportFormat::Csv {
            builder
                .csv_rows()
                .await
                .unwrap()
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
                .len()
        } else {
            builder
                .records()
                .await
                .unwrap()
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
                .len()
        };
        assert_eq!(n, 30);
        let last = last.lock().unwrap().expect("progress was reported");
        assert!(last.finished, "{format}: the last call is the final one");
        assert_eq!(
            last.records, 30,
            "{format}: the final call counts every record"
        );
        assert_eq!(
            calls_after_end.load(Ordering::SeqCst),
            0,
            "{format}: nothing after the end"
        );
    }
}
