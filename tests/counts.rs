//! Counting an export's records, against the local Galileo server, in builds whose spec
//! has the count operations (the drop-in build): the count's exact JSON on the wire (the
//! export's source and filters), the operation of each root type, the count as
//! `Progress::total` beside an export, a count that disagrees with the export (shown,
//! never an error), and the count's auth and 422.
#![cfg(galileo_has_counts)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use galileo_export::{Error, Filter, Progress, RootType};
use galileo_export_mock::{Fault, MockServer};
use serde_json::{json, Value};

async fn server(offset: i64) -> MockServer {
    MockServer::builder()
        .records(300)
        .seed(5)
        .count_offset(offset)
        .start()
        .await
        .expect("mock server starts")
}

#[tokio::test]
async fn a_count_sends_the_exports_source_and_filters_and_matches_the_export() {
    let server = server(0).await;
    let client = common::mock::client(&server, None, Duration::from_millis(1));
    let export = common::mock::export(&client, &server)
        .root_type(RootType::Span)
        .filter(Filter::number("status_code").gte(400))
        .filter(Filter::number("metrics/duration_ns").gte(100_000_000));
    let counted = export.count().await.expect("counted");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].path,
        format!("/projects/{}/spans/count", server.project_id())
    );
    assert_eq!(
        requests[0].body,
        json!({
            "log_stream_id": server.log_stream_id().to_string(),
            "filters": [
                {"type": "number", "column_id": "status_code", "operator": "gte", "value": 400},
                {"type": "number", "column_id": "metrics/duration_ns", "operator": "gte", "value": 100_000_000},
            ],
        })
    );
    let records: Vec<_> = export
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("export completes");
    assert_eq!(counted, records.len() as u64);
    assert!(
        counted > 0 && counted < 300,
        "the filters select some: {counted}"
    );
}

#[tokio::test]
async fn each_root_type_has_its_count_operation() {
    let server = server(0).await;
    let client = common::mock::client(&server, None, Duration::from_millis(1));
    for (root, path) in [
        (RootType::Trace, "traces"),
        (RootType::Span, "spans"),
        (RootType::Session, "sessions"),
    ] {
        server.clear_requests();
        let counted = common::mock::export(&client, &server)
            .root_type(root)
            .count()
            .await
            .expect("counted");
        assert_eq!(counted, 300);
        assert_eq!(
            server.requests()[0].path,
            format!("/projects/{}/{path}/count", server.project_id())
        );
    }
}

/// The progress reports of an export that asked for the count beside it; the export's
/// answer is held back a while, so the count has arrived before its records.
async fn progress_with_total(server: &MockServer) -> (u64, Vec<Progress>) {
    server.push_fault(Fault::Delay(Duration::from_millis(500)));
    let client = common::mock::client(server, None, Duration::from_millis(1));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let observer = seen.clone();
    let records = common::mock::export(&client, server)
        .count_total(true)
        .on_progress(move |p| observer.lock().expect("lock").push(*p))
        .records()
        .await
        .expect("export starts")
        .try_collect::<Vec<_>>()
        .await
        .expect("export completes");
    let seen = seen.lock().expect("lock").clone();
    (records.len() as u64, seen)
}

#[tokio::test]
async fn the_count_is_the_progress_total() {
    let server = server(0).await;
    let (records, seen) = progress_with_total(&server).await;
    let last = seen.last().expect("a last report");
    assert!(last.finished);
    assert_eq!((last.records, last.total), (records, Some(300)));
    // The count went to its own operation; the export was not held for it.
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("/traces/count")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.ends_with("/export_records")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn a_count_that_disagrees_with_the_export_is_shown_not_an_error() {
    let server = server(7).await;
    let (records, seen) = progress_with_total(&server).await;
    let last = seen.last().expect("a last report");
    assert_eq!(records, 300);
    assert_eq!((last.records, last.total), (300, Some(307)));
}

#[tokio::test]
async fn a_count_that_fails_leaves_no_total_and_the_export_goes_on() {
    let server = server(0).await;
    let client = common::mock::client(&server, None, Duration::from_millis(1));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let observer = seen.clone();
    // A metrics-testing run the server does not have: the count is a 404; so is the
    // export, which reports its own error.
    let err = client
        .export(server.project_id())
        .metrics_testing(uuid::Uuid::new_v4())
        .count_total(true)
        .on_progress(move |p| observer.lock().expect("lock").push(*p))
        .records()
        .await
        .map(|_| ())
        .expect_err("no such run");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(seen.lock().expect("lock").iter().all(|p| p.total.is_none()));
}

#[tokio::test]
async fn counts_have_the_exports_auth_and_422() {
    let server = server(0).await;
    let keyless = galileo_export::Client::builder()
        .base_url(server.base_url())
        .without_credentials()
        .build()
        .expect("client builds");
    let err = common::mock::export(&keyless, &server)
        .count()
        .await
        .expect_err("no key");
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");

    let url = format!(
        "{}/projects/{}/traces/count",
        server.base_url(),
        server.project_id()
    );
    let answer = reqwest::Client::new()
        .post(url)
        .header(
            server.api_key_header().unwrap_or("Galileo-API-Key"),
            server.api_key(),
        )
        .json(&json!({"log_stream_id": "not-a-uuid", "root_type": "ignored", "filters": []}))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 422);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "log_stream_id"]));
    assert_eq!(body["detail"][0]["type"], "uuid_parsing");
    assert_eq!(body["detail"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_count_is_retried_on_429_and_503_by_the_exports_policy() {
    use galileo_export_mock::hostile::{HostileServer, Reply};
    let server = HostileServer::start(vec![
        Reply::status(429).header("Retry-After", "0"),
        Reply::status(503),
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(r#"{"total_count": 17}"#),
    ])
    .await;
    let count = common::hostile_export(&server.base_url())
        .root_type(RootType::Span)
        .retry(common::mock::quick_retries(Duration::from_millis(1)))
        .count()
        .await
        .expect("the third attempt answers");
    assert_eq!(count, 17);
    assert_eq!(server.request_count(), 3);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.path().ends_with("/spans/count")));

    // The export's policy: without retries, the first 503 is the answer.
    let server = HostileServer::start(vec![Reply::status(503), Reply::status(200)]).await;
    let err = common::hostile_export(&server.base_url())
        .count()
        .await
        .expect_err("no retries");
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(server.request_count(), 1);
}
