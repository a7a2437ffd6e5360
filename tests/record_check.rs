//! `ExportBuilder::record_check`: what the byte paths hand on and refuse at each depth,
//! against raw HTTP/1.1 servers over real sockets (`galileo_export_mock::hostile`).

mod common;

use futures::StreamExt;
use galileo_export::records::RecordError;
use galileo_export::{Error, ExportBuilder, RecordCheck};
use galileo_export_mock::hostile::{HostileServer, Reply};

fn record(id: &str, created_at: &str) -> String {
    format!("{{\"id\":\"{id}\",\"created_at\":\"{created_at}\",\"input\":\"q {id}\"}}\n")
}

fn export(api: &HostileServer, check: RecordCheck) -> ExportBuilder {
    common::hostile_export(&api.base_url()).record_check(check)
}

/// Every chunk of `bytes()` until the end or the first error, and the records counted.
async fn collect(export: ExportBuilder) -> (Vec<u8>, u64, Option<Error>) {
    let mut body = match export.bytes().await {
        Ok(body) => body,
        Err(e) => return (Vec::new(), 0, Some(e)),
    };
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(e) => return (out, body.progress().records, Some(e)),
        }
    }
    (out, body.progress().records, None)
}

#[tokio::test]
async fn shape_hands_on_malformed_json_between_braces_that_full_refuses() {
    let body = format!(
        "{}{{\"id\": \"b\" \"oops\"}}\n{}",
        record("a", "2026-01-01T00:00:02Z"),
        record("c", "2026-01-01T00:00:01Z")
    );
    let api = HostileServer::start(vec![
        Reply::status(200).body(body.clone()),
        Reply::status(200).body(body.clone()),
    ])
    .await;

    let (out, records, error) = collect(export(&api, RecordCheck::Shape)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(out, body.as_bytes());
    assert_eq!(records, 3);

    let (out, _, error) = collect(export(&api, RecordCheck::Full)).await;
    assert!(
        matches!(
            error,
            Some(Error::Record(RecordError::Json { line: 2, .. }))
        ),
        "{error:?}"
    );
    assert_eq!(out, record("a", "2026-01-01T00:00:02Z").as_bytes());
}

#[tokio::test]
async fn shape_refuses_what_is_not_shaped_like_a_record_with_the_full_checks_error() {
    let first = record("a", "2026-01-01T00:00:02Z");
    let bad_lines: [&[u8]; 4] = [
        b"[1, {}]\n",
        b"42\n",
        b"{\"id\":\"\xff\"}\n",
        b"{\"id\":\"b\"\n",
    ];
    for bad in bad_lines {
        let mut body = first.clone().into_bytes();
        body.extend_from_slice(bad);
        body.extend_from_slice(record("c", "2026-01-01T00:00:01Z").as_bytes());
        let api = HostileServer::start(vec![
            Reply::status(200).body(body.clone()),
            Reply::status(200).body(body),
        ])
        .await;
        let (out, _, shape) = collect(export(&api, RecordCheck::Shape)).await;
        let (_, _, full) = collect(export(&api, RecordCheck::Full)).await;
        let what = String::from_utf8_lossy(bad);
        assert_eq!(out, first.as_bytes(), "{what}");
        match (&shape, &full) {
            (Some(Error::Record(shape)), Some(Error::Record(full))) => {
                assert_eq!(shape.to_string(), full.to_string(), "{what}");
                assert!(shape.to_string().contains("line 2"), "{what}: {shape}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn shape_still_reports_a_cut_and_writes_through_save_and_write_to() {
    let cut = format!("{}{{\"id\":\"b\",", record("a", "2026-01-01T00:00:02Z"));
    let whole = format!("{}{{\"id\": tru}}\n", record("a", "2026-01-01T00:00:02Z"));
    let api = HostileServer::start(vec![
        Reply::status(200).close_delimited().body(cut),
        Reply::status(200).body(whole.clone()),
        Reply::status(200).body(whole.clone()),
    ])
    .await;
    let (_, _, error) = collect(export(&api, RecordCheck::Shape)).await;
    assert!(matches!(error, Some(Error::Cut { .. })), "{error:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let summary = export(&api, RecordCheck::Shape)
        .save(&path)
        .await
        .expect("saved");
    assert_eq!(summary.records, Some(2));
    assert_eq!(std::fs::read_to_string(&path).expect("file"), whole);

    let mut out = Vec::new();
    export(&api, RecordCheck::Shape)
        .write_to(&mut out)
        .await
        .expect("written");
    assert_eq!(out, whole.as_bytes());
}
