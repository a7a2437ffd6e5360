//! The blocking facade: an Iterator of records and a blocking save, no async in sight.

mod common;

use common::mock::{client_builder, server_blocking};
use galileo_export::blocking::BlockingExport;
use galileo_export::{Client, Error, ExportFormat};
use galileo_export_mock::Fault;
use serde_json::Value;

#[test]
fn records_and_rows_as_iterators() {
    let server = server_blocking(30, 3);
    let client = client_builder(&server).build().unwrap();
    let export = || {
        client
            .export(server.project_id())
            .log_stream(server.log_stream_id())
    };
    let request = export().to_json().unwrap();
    let expected = server.expected_records(&request).unwrap();

    let records: Vec<Value> = export()
        .records_blocking()
        .unwrap()
        .map(|r| r.map(Value::Object))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(records, expected);

    let raw = export().raw_records_blocking().unwrap().count();
    assert_eq!(raw, 30);

    let rows = export()
        .format(ExportFormat::Csv)
        .csv_rows_blocking()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows.len(), 30);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    let summary = export().save_blocking(&path).unwrap();
    assert_eq!(summary.records, Some(30));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        server.expected_body(&request).unwrap()
    );
}

#[test]
fn a_cut_ends_the_iterator_with_an_error() {
    let server = server_blocking(60, 3);
    let client = client_builder(&server).build().unwrap();
    server.push_fault(Fault::cut_after(20_000));
    let mut iter = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records_blocking()
        .unwrap();
    let ok = iter.by_ref().take_while(Result::is_ok).count();
    assert!(ok > 0);
    assert!(iter.next().is_none(), "nothing after the error");
}

#[tokio::test]
async fn inside_an_async_runtime_it_says_so() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key("k")
        .build()
        .unwrap();
    let err = client
        .export(uuid::Uuid::nil())
        .log_stream(uuid::Uuid::nil())
        .records_blocking()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
