//! The client against the local Galileo server over real sockets: exact JSON on the wire,
//! auth per scheme, every error class, retries.

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use galileo_export::{Client, Error, ExportFormat, Filter, RetryPolicy, RootType};
use galileo_export_mock::{Fault, MockServer};
use serde_json::{json, Value};

async fn server(records: u64) -> MockServer {
    common::mock::server(records, 7).await
}

fn client(server: &MockServer) -> Client {
    common::mock::client(server, None, Duration::from_millis(10))
}

#[tokio::test]
async fn builder_sends_exact_json_and_headers() {
    let server = server(50).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .header("X-Team", "data-eng")
        .build()
        .unwrap();
    let since = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let trace = uuid::Uuid::from_u128(0x6f1c_2b9e_1d2f_4c3b_9a8e_7d6c_5b4a_3f21);
    let export = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .root_type(RootType::Span)
        .filter(Filter::text("input").contains("refund").case_insensitive())
        .filter(Filter::number("metrics/duration_ns").between(100, 250))
        .filter(Filter::date("created_at").after(since))
        .filter(Filter::id("trace_id").not_in([trace]))
        .filter(Filter::boolean("is_complete").is_false())
        .filter(Filter::collection("tags").contains("prod"))
        .sort("metrics/duration_ns", galileo_export::Order::Ascending)
        .format(ExportFormat::Csv)
        .columns(["id", "input", "metrics/duration_ns"])
        .redact(false)
        .file_name("spans.csv");
    let expected = json!({
        "log_stream_id": server.log_stream_id().to_string(),
        "root_type": "span",
        "export_format": "csv",
        "redact": false,
        "filters": [
            {"type": "text", "column_id": "input", "operator": "contains", "value": "refund", "case_sensitive": false},
            {"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250]},
            {"type": "date", "column_id": "created_at", "operator": "gt", "value": "2026-01-01T00:00:00Z"},
            {"type": "id", "column_id": "trace_id", "operator": "not_in", "value": [trace.to_string()]},
            {"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": false},
            {"type": "collection", "column_id": "tags", "operator": "contains", "value": "prod", "case_sensitive": true}
        ],
        "sort": {"column_id": "metrics/duration_ns", "ascending": true, "sort_type": "column"},
        "column_ids": ["id", "input", "metrics/duration_ns"],
        "file_name": "spans.csv"
    });
    let dry_run = export.to_json().unwrap();
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&dry_run[key], value, "to_json field {key}");
    }
    let rows: Vec<_> = export
        .csv_rows()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    let path = galileo_export::spec::operation("export_records")
        .unwrap()
        .path;
    assert_eq!(
        sent.path,
        path.replace("{project_id}", &server.project_id().to_string())
    );
    assert_eq!(
        sent.body, dry_run,
        "the wire body is exactly what to_json shows"
    );
    let header = galileo_export::spec::security::API_KEY_HEADER.unwrap();
    assert_eq!(sent.header(header), Some(server.api_key()));
    assert_eq!(sent.header("x-team"), Some("data-eng"));
    assert_eq!(
        sent.header("user-agent"),
        Some(concat!("galileo-export/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));

    let expected_rows = server.expected_body(&dry_run).unwrap();
    let header_line = String::from_utf8_lossy(&expected_rows)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(header_line, "id,input,metrics/duration_ns");
    assert!(rows.iter().all(|r| r.len() == 3));
}

#[tokio::test]
async fn each_auth_scheme_is_sent_as_the_spec_says() {
    let server = server(3).await;
    let (user, password) = server.basic_credentials();
    let clients = [
        Client::builder()
            .base_url(server.base_url())
            .api_key(server.api_key())
            .build()
            .unwrap(),
        Client::builder()
            .base_url(server.base_url())
            .bearer_token(server.bearer_token())
            .build()
            .unwrap(),
        Client::builder()
            .base_url(server.base_url())
            .basic_auth(user, password)
            .build()
            .unwrap(),
    ];
    for client in &clients {
        let records: Vec<_> = client
            .export(server.project_id())
            .log_stream(server.log_stream_id())
            .records()
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(records.len(), 3);
    }
    let requests = server.requests();
    let header = galileo_export::spec::security::API_KEY_HEADER.unwrap();
    assert_eq!(requests[0].header(header), Some(server.api_key()));
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {}", server.bearer_token()).as_str())
    );
    let basic = requests[2].header("authorization").unwrap();
    assert!(basic.starts_with("Basic "), "{basic}");
    assert_eq!(requests[2].header(header), None);
}

#[tokio::test]
async fn wrong_key_is_an_auth_error_without_the_key() {
    let server = server(3).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("wrong-key-123")
        .build()
        .unwrap();
    let err = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");
    assert!(!err.to_string().contains("wrong-key-123"));
    assert!(!format!("{err:?}").contains("wrong-key-123"));
    assert!(!format!("{client:?}").contains("wrong-key-123"));
    assert_eq!(server.request_count(), 1, "401 is not retried");
}

#[tokio::test]
async fn unknown_project_is_not_found() {
    let server = server(3).await;
    let other_project = uuid::Uuid::parse_str("00000000-0000-4000-8000-00000000002a").unwrap();
    let err = client(&server)
        .export(other_project)
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn server_side_validation_422_names_the_field() {
    let server = server(3).await;
    // The spec says `format: uuid4`; a version-1 UUID passes the client's type but not
    // the server's validation.
    let v1 = uuid::Uuid::parse_str("c232ab00-9414-11ec-b3c8-9f6bdeced846").unwrap();
    let err = client(&server)
        .export(v1)
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    let Error::Validation { errors } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors[0].path, "path.project_id");
    assert!(err.to_string().contains("path.project_id: "), "{err}");
}

#[tokio::test]
async fn server_422_is_shown_by_field_path() {
    let server = server(3).await;
    server.push_fault(Fault::status(422).with_body(
        json!({"detail": [{"loc": ["body", "filters", 0, "value"], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}]})
            .to_string(),
        "application/json",
    ));
    let err = client(&server)
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    let Error::Validation { errors } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors[0].path, "body.filters.0.value");
    assert_eq!(errors[0].kind, "uuid_parsing");
    assert!(
        err.to_string()
            .contains("body.filters.0.value: Input should be a valid UUID"),
        "{err}"
    );
}

#[tokio::test]
async fn two_sources_are_rejected_before_sending() {
    let server = server(3).await;
    let err = client(&server)
        .export(server.project_id())
        .experiment(uuid::Uuid::from_u128(5))
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("exactly one of log_stream_id, experiment_id"),
        "{err}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn error_classes_map_to_variants() {
    let server = server(3).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    type Check = fn(&Error) -> bool;
    let cases: [(u16, Check); 6] = [
        (403, |e| matches!(e, Error::Auth { status: 403, .. })),
        (404, |e| matches!(e, Error::NotFound { .. })),
        (409, |e| matches!(e, Error::Conflict { .. })),
        (
            429,
            |e| matches!(e, Error::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(3)),
        ),
        (500, |e| matches!(e, Error::Server { status: 500, .. })),
        (418, |e| matches!(e, Error::Api { status: 418, .. })),
    ];
    for (status, check) in cases {
        server.push_fault(Fault::status(status).with_retry_after("3"));
        let err = client
            .export(server.project_id())
            .log_stream(server.log_stream_id())
            .records()
            .await
            .unwrap_err();
        assert!(check(&err), "HTTP {status} gave {err:?}");
        assert_eq!(err.status(), Some(status));
    }
}

#[tokio::test]
async fn retryable_statuses_are_retried_then_succeed() {
    let server = server(5).await;
    server.push_faults([
        Fault::status(503),
        Fault::status(429).with_retry_after("0"),
        Fault::status(502),
    ]);
    let records: Vec<_> = client(&server)
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 5);
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn retries_are_bounded_and_other_4xx_never_retried() {
    let server = server(5).await;
    server.push_faults([Fault::status(503), Fault::status(503), Fault::status(503)]);
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let err = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err:?}");
    assert_eq!(server.request_count(), 2);

    server.clear_faults();
    server.clear_requests();
    server.push_fault(Fault::status(400));
    let err = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .records()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn records_equal_the_servers_data() {
    let server = server(40).await;
    let client = client(&server);
    let export = client
        .export(server.project_id())
        .log_stream(server.log_stream_id())
        .filter(Filter::collection("tags").contains("prod"));
    let body = export.to_json().unwrap();
    let records: Vec<serde_json::Map<String, Value>> =
        export.records().await.unwrap().try_collect().await.unwrap();
    let expected = server.expected_records(&body).unwrap();
    assert!(!expected.is_empty());
    let got: Vec<Value> = records.into_iter().map(Value::Object).collect();
    assert_eq!(got, expected);
}

#[test]
fn checks_happen_before_anything_is_sent() {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_key("k")
        .build()
        .unwrap();
    let project = uuid::Uuid::nil();
    let err = client.export(project).to_json().unwrap_err();
    assert!(
        err.to_string().contains("choose what to export from"),
        "{err}"
    );
    let err = client
        .export(project)
        .log_stream(project)
        .columns(["id"])
        .to_json()
        .unwrap_err();
    assert!(
        err.to_string().contains("Applies only to CSV exports"),
        "{err}"
    );
    let err = client
        .export(project)
        .log_stream(project)
        .filter(Filter::number("x").between(5, 1))
        .to_json()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidFilter(_)), "{err:?}");
    // A field the spec knows is checked; one it does not know is sent as given (the
    // escape hatch for fields a newer spec adds) and listed as unchecked.
    let err = client
        .export(project)
        .log_stream(project)
        .field("redact", "yes")
        .to_json()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not fit the spec's LogRecordsExportRequest"),
        "{err}"
    );
    let export = client
        .export(project)
        .log_stream(project)
        .field("no_such_field", true);
    assert_eq!(export.to_json().unwrap()["no_such_field"], true);
    assert_eq!(export.unchecked_fields().unwrap(), ["no_such_field"]);
    let err = client
        .export(project)
        .log_stream(project)
        .resume(true)
        .sort("metrics/duration_ns", galileo_export::Order::Ascending)
        .to_json()
        .unwrap_err();
    assert!(
        err.to_string().contains("resume needs the native sort"),
        "{err}"
    );
}

#[test]
fn missing_credentials_fail_at_build_time() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("no credentials"), "{err}");
    let err = Client::builder().api_key("  ").build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "client configuration: the API key is empty"
    );
    let anonymous = Client::builder().without_credentials().build().unwrap();
    assert!(
        format!("{anonymous:?}").contains("auth: \"none\""),
        "{anonymous:?}"
    );
    let err = Client::builder()
        .api_key("k")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("not a valid URL"), "{err}");
}

#[test]
fn defaults_come_from_the_spec() {
    let client = Client::builder().api_key("k").build().unwrap();
    assert_eq!(client.base_url(), galileo_export::spec::DEFAULT_BASE_URL);
    let body = client
        .export(uuid::Uuid::nil())
        .log_stream(uuid::Uuid::nil())
        .to_json()
        .unwrap();
    assert_eq!(body["root_type"], "trace");
    assert_eq!(body["export_format"], "jsonl");
    assert_eq!(body["redact"], true);
    assert!(body.get("sort").is_none(), "native sort by default");
}
