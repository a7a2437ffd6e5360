//! The hostile-server suite: the crate against servers it did not write, speaking raw
//! HTTP/1.1 over real sockets (see `galileo_export_mock::hostile`). One test (or a few) per
//! way a server, a proxy or a network can break the promise "never silently wrong".

mod common;

use std::time::{Duration, Instant};

use futures::StreamExt;
use galileo_export::{Client, Error, ExportBuilder, ExportFormat, LowSpeedLimit, RetryPolicy};
use galileo_export_mock::hostile::{HostileServer, RecordedRequest, Reply, SilentServer};
use serde_json::{json, Value};

const KEY: &str = "k-secret-123";
const PROJECT: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
const LOG_STREAM: &str = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// The API-key header the spec names (`Galileo-API-Key` in the vendored spec; a newer
/// spec dropped in may name another).
fn key_header() -> &'static str {
    galileo_export::spec::security::API_KEY_HEADER.expect("the spec has an API-key scheme")
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(5))
        .jitter(false)
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key(KEY)
        .retry(quick_retries())
        .build()
        .expect("client builds")
}

fn client_without_retries(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key(KEY)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

fn export(client: &Client) -> ExportBuilder {
    client
        .export(PROJECT.parse().expect("uuid"))
        .log_stream(LOG_STREAM.parse().expect("uuid"))
}

fn record(id: &str, created_at: &str) -> String {
    format!("{{\"id\":\"{id}\",\"created_at\":\"{created_at}\",\"input\":\"q {id}\"}}\n")
}

/// Every chunk of `bytes()` until the end or the first error.
async fn collect(export: ExportBuilder) -> (Vec<u8>, Option<Error>) {
    let mut body = match export.bytes().await {
        Ok(body) => body,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn has_terminal_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

// ---------------------------------------------------------------------------------
// 1. Credentials never leave their origin.

#[tokio::test]
async fn a_redirect_to_another_origin_never_carries_the_api_key() {
    let other = HostileServer::start(vec![
        Reply::status(200).body(record("a", "2026-01-01T00:00:00Z"))
    ])
    .await;
    let api = HostileServer::start(vec![Reply::redirect(307, &other.url("/exports/1"))]).await;
    let client = client(&api.base_url());
    let (body, error) = collect(export(&client)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(body, record("a", "2026-01-01T00:00:00Z").as_bytes());

    let first = &api.requests()[0];
    assert_eq!(first.header(key_header()), Some(KEY));
    let hop: &RecordedRequest = &other.requests()[0];
    assert_eq!(hop.method, "POST", "307 keeps the method");
    assert_eq!(
        hop.json()["log_stream_id"],
        LOG_STREAM,
        "307 keeps the body"
    );
    for (name, value) in &hop.headers {
        assert!(
            !value.contains(KEY),
            "the key reached the other origin in {name}"
        );
    }
    assert_eq!(hop.header(key_header()), None);
    assert_eq!(hop.header("authorization"), None);
}

#[tokio::test]
async fn a_redirect_to_another_port_strips_bearer_and_sensitive_headers() {
    let other = HostileServer::start(vec![
        Reply::status(200).body(record("a", "2026-01-01T00:00:00Z"))
    ])
    .await;
    let api = HostileServer::start(vec![Reply::redirect(308, &other.url("/x"))]).await;
    let client = Client::builder()
        .base_url(api.base_url())
        .bearer_token("tok-secret-456")
        .sensitive_header("X-Tenant-Key", "tenant-secret-789")
        .header("X-Team", "data")
        .build()
        .expect("client builds");
    let (_, error) = collect(export(&client)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        api.requests()[0].header("authorization"),
        Some("Bearer tok-secret-456")
    );
    assert_eq!(
        api.requests()[0].header("x-tenant-key"),
        Some("tenant-secret-789")
    );
    let hop = &other.requests()[0];
    assert_eq!(hop.header("authorization"), None);
    assert_eq!(hop.header("x-tenant-key"), None);
    assert_eq!(
        hop.header("x-team"),
        Some("data"),
        "non-secret headers stay"
    );
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_the_key() {
    let api = HostileServer::start_with(|request, _| {
        if request.path().ends_with("/export_records") {
            Reply::redirect(307, "/v2/elsewhere")
        } else {
            Reply::status(200).body(record("a", "2026-01-01T00:00:00Z"))
        }
    })
    .await;
    let client = client(&api.base_url());
    let (body, error) = collect(export(&client)).await;
    assert!(error.is_none(), "{error:?}");
    assert!(!body.is_empty());
    let requests = api.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].path(), "/v2/elsewhere");
    assert_eq!(requests[1].header(key_header()), Some(KEY));
}

#[tokio::test]
async fn see_other_becomes_a_get_without_body_or_key() {
    let other = HostileServer::start(vec![
        Reply::status(200).body(record("a", "2026-01-01T00:00:00Z"))
    ])
    .await;
    let api = HostileServer::start(vec![Reply::redirect(303, &other.url("/download/1"))]).await;
    let client = client(&api.base_url());
    let (_, error) = collect(export(&client)).await;
    assert!(error.is_none(), "{error:?}");
    let hop = &other.requests()[0];
    assert_eq!((hop.method.as_str(), hop.body.len()), ("GET", 0));
    assert_eq!(hop.header(key_header()), None);
}

#[tokio::test]
async fn your_own_client_that_follows_redirects_is_refused_at_the_other_origin() {
    let other = HostileServer::start(vec![
        Reply::status(200).body(record("a", "2026-01-01T00:00:00Z"))
    ])
    .await;
    let api = HostileServer::start(vec![Reply::redirect(307, &other.url("/x"))]).await;
    let client = Client::builder()
        .base_url(api.base_url())
        .api_key(KEY)
        .http_client(reqwest::Client::new())
        .build()
        .expect("client builds");
    let (body, error) = collect(export(&client)).await;
    assert!(body.is_empty());
    match error {
        Some(Error::Config(message)) => {
            assert!(message.contains("another origin"), "{message}");
            assert!(message.contains(&other.base_url()), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// 2–3. Server text is escaped and capped; URL passwords are never shown.

#[tokio::test]
async fn server_text_reaches_errors_escaped() {
    let detail = "bad\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nvalue";
    let api = HostileServer::start(vec![
        Reply::status(422).json(
            json!({"detail": [{"loc": ["body", "x\u{1b}[31m"], "msg": detail, "type": "t"}]}),
        ),
        Reply::status(404).json(json!({"detail": detail})),
        Reply::status(500)
            .header("Content-Type", "text/plain")
            .body(format!("oops {detail}")),
    ])
    .await;
    let client = client_without_retries(&api.base_url());
    for expected in [Some(422), Some(404), Some(500)] {
        let (_, error) = collect(export(&client)).await;
        let error = error.expect("an error");
        assert_eq!(error.status(), expected);
        let text = error.to_string();
        assert!(!has_terminal_controls(&text), "{text:?}");
        assert!(text.contains("bad\\u{1b}[2J"), "{text}");
    }
}

#[test]
fn url_passwords_are_redacted_wherever_a_url_is_shown() {
    let client = Client::builder()
        .base_url("https://ann:hunter2@api.example.com")
        .api_key(KEY)
        .build()
        .expect("client builds");
    assert!(!format!("{client:?}").contains("hunter2"));
    let builder = Client::builder().base_url("https://ann:hunter2@api.example.com");
    assert!(!format!("{builder:?}").contains("hunter2"));
    let error = Client::builder()
        .base_url("ftp://ann:hunter2@files.example.com")
        .api_key(KEY)
        .build()
        .expect_err("ftp is refused");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    let error = Client::builder()
        .base_url("https://ann:hunter2@[bad")
        .api_key(KEY)
        .build()
        .expect_err("not a URL");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

// ---------------------------------------------------------------------------------
// 4–5. Success means a complete, well-formed export.

#[tokio::test]
async fn a_close_delimited_body_cut_inside_a_record_is_a_cut() {
    let whole = record("a", "2026-01-01T00:00:02Z");
    let body = format!("{whole}{{\"id\":\"b\",\"created_at\":\"2026-01-");
    let api = HostileServer::start(vec![Reply::status(200).close_delimited().body(body)]).await;
    let client = client(&api.base_url());
    let (delivered, error) = collect(export(&client)).await;
    assert_eq!(delivered, whole.as_bytes(), "only the complete record");
    match error {
        Some(Error::Cut {
            records, reason, ..
        }) => {
            assert_eq!(records, 1);
            assert!(reason.contains("line 2"), "{reason}");
        }
        other => panic!("expected a cut, got {other:?}"),
    }
}

#[tokio::test]
async fn a_correctly_framed_body_ending_inside_a_record_is_a_cut_and_save_leaves_no_file() {
    let body = format!("{}{{\"id\":\"b\"", record("a", "2026-01-01T00:00:02Z"));
    let api = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let client = client(&api.base_url());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let error = export(&client).save(&path).await.expect_err("a cut");
    assert!(matches!(error, Error::Cut { records: 1, .. }), "{error:?}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[tokio::test]
async fn a_complete_last_record_without_newline_is_accepted() {
    let body = format!(
        "{}{}",
        record("a", "2026-01-01T00:00:02Z"),
        record("b", "2026-01-01T00:00:01Z").trim_end()
    );
    let api = HostileServer::start(vec![Reply::status(200)
        .close_delimited()
        .body(body.clone())])
    .await;
    let client = client(&api.base_url());
    let mut out = Vec::new();
    let summary = export(&client).write_to(&mut out).await.expect("complete");
    assert_eq!(out, body.as_bytes());
    assert_eq!(summary.records, Some(2));
}

#[tokio::test]
async fn a_malformed_line_is_a_bad_record_with_its_line_number() {
    let body = format!(
        "{}\n{{\"id\": \"b\" \"oops\"}}\n{}",
        record("a", "2026-01-01T00:00:02Z"),
        record("c", "2026-01-01T00:00:01Z")
    );
    let api = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let client = client(&api.base_url());
    let mut out = Vec::new();
    let error = export(&client)
        .write_to(&mut out)
        .await
        .expect_err("bad record");
    match &error {
        Error::Record(galileo_export::records::RecordError::Json { line, .. }) => {
            assert_eq!(*line, 3)
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("line 3"), "{error}");
    assert_eq!(
        out,
        format!("{}\n", record("a", "2026-01-01T00:00:02Z")).as_bytes()
    );
}

#[tokio::test]
async fn invalid_utf8_is_a_bad_record() {
    let mut body = record("a", "2026-01-01T00:00:02Z").into_bytes();
    body.extend_from_slice(b"{\"id\":\"b\",\"input\":\"\xff\xfe\"}\n");
    let api = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let client = client(&api.base_url());
    let (_, error) = collect(export(&client)).await;
    assert!(
        matches!(
            error,
            Some(Error::Record(
                galileo_export::records::RecordError::InvalidUtf8 { line: 2, .. }
            ))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn csv_ending_inside_a_quoted_field_or_a_row_is_a_cut() {
    let api = HostileServer::start(vec![
        Reply::status(200)
            .close_delimited()
            .body("id,input\n1,\"multi\nline"),
        Reply::status(200)
            .close_delimited()
            .body("id,input\n1,abc\n2,de"),
        Reply::status(200).body("id,input\n1,\"a\nb\"\n2,c\r\n"),
    ])
    .await;
    let client = client_without_retries(&api.base_url());
    let csv = || export(&client).format(ExportFormat::Csv);
    let (_, error) = collect(csv()).await;
    assert!(
        matches!(&error, Some(Error::Cut { reason, .. }) if reason.contains("quoted")),
        "{error:?}"
    );
    let (_, error) = collect(csv()).await;
    assert!(
        matches!(&error, Some(Error::Cut { reason, .. }) if reason.contains("line 3")),
        "{error:?}"
    );
    let mut out = Vec::new();
    let summary = csv().write_to(&mut out).await.expect("a whole CSV");
    assert_eq!(summary.records, Some(2));
}

#[tokio::test]
async fn a_200_that_is_not_an_export_is_refused_with_an_excerpt() {
    let api = HostileServer::start(vec![
        Reply::status(200)
            .header("Content-Type", "text/html; charset=utf-8")
            .body("<html><body><h1>502 Bad Gateway</h1></body></html>"),
        Reply::status(200).json(json!({"detail": "Export failed: worker crashed"})),
        Reply::status(200).body("<!DOCTYPE html>\n<html>proxy login</html>\n"),
    ])
    .await;
    let client = client(&api.base_url());
    for expected in [
        "502 Bad Gateway",
        "worker crashed",
        "<!DOCTYPE html>\\n<html>proxy login",
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.jsonl");
        let error = export(&client)
            .save(&path)
            .await
            .expect_err("not an export");
        assert!(
            matches!(error, Error::NotAnExport { status: 200, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(expected), "{error}");
        assert!(!path.exists());
    }
}

#[tokio::test]
async fn an_empty_200_is_an_empty_export() {
    let api = HostileServer::start(vec![
        Reply::status(200).body(""),
        Reply::status(200).body(""),
    ])
    .await;
    let client = client(&api.base_url());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let summary = export(&client).save(&path).await.expect("empty is fine");
    assert_eq!((summary.records, summary.bytes), (Some(0), 0));
    assert_eq!(std::fs::read(&path).expect("file").len(), 0);
    let mut records = export(&client).records().await.expect("opens");
    assert!(records.next().await.is_none());
}

// ---------------------------------------------------------------------------------
// 6. Error bodies that do not fit the spec keep their status.

#[tokio::test]
async fn a_422_that_does_not_fit_the_spec_reports_422() {
    let api = HostileServer::start(vec![
        Reply::status(422).json(json!({"detail": "project is archived"})),
        Reply::status(422)
            .header("Content-Type", "text/html")
            .body("<h1>Unprocessable \u{1b}[5m</h1>"),
    ])
    .await;
    let client = client(&api.base_url());
    let (_, error) = collect(export(&client)).await;
    let error = error.expect("an error");
    assert_eq!(error.status(), Some(422), "{error:?}");
    assert!(error.to_string().contains("project is archived"), "{error}");
    let (_, error) = collect(export(&client)).await;
    let error = error.expect("an error");
    assert_eq!(error.status(), Some(422), "{error:?}");
    assert!(!has_terminal_controls(&error.to_string()));
}

#[tokio::test]
async fn a_50_mb_error_body_is_read_only_up_to_the_cap() {
    let api = HostileServer::start(vec![Reply::status(422)
        .header("Content-Type", "application/json")
        .body("{\"detail\": \"")
        .repeat(vec![b'x'; 1 << 20], 50)])
    .await;
    let client = client(&api.base_url());
    let (_, error) = collect(export(&client)).await;
    let error = error.expect("an error");
    assert_eq!(error.status(), Some(422));
    let text = error.to_string();
    assert!(text.len() < 2_000, "{} bytes of message", text.len());
}

// ---------------------------------------------------------------------------------
// 7. No header panics the client.

#[tokio::test]
async fn an_absurd_retry_after_is_beyond_the_budget_not_a_panic() {
    for value in [
        "18446744073709551615",
        "99999999999999999999999",
        "-5",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "\u{7f}",
    ] {
        let api = HostileServer::start(vec![
            Reply::status(429)
                .header("Retry-After", value)
                .json(json!({"detail": "slow down"})),
            Reply::status(200).body(record("a", "2026-01-01T00:00:00Z")),
        ])
        .await;
        let client = client(&api.base_url());
        let started = Instant::now();
        let (_, error) = collect(export(&client)).await;
        assert!(started.elapsed() < Duration::from_secs(30));
        match error {
            // A wait past the budget gives up at once.
            Some(Error::RateLimited { .. }) => assert_eq!(api.request_count(), 1, "{value}"),
            // An unparseable header falls back to the backoff.
            None => assert_eq!(api.request_count(), 2, "{value}"),
            other => panic!("{value}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn absurd_headers_are_errors_not_panics() {
    let api = HostileServer::start(vec![
        Reply::status(200)
            .raw_header_line(b"Content-Type: text/\xff\x01html")
            .body(record("a", "2026-01-01T00:00:00Z")),
        Reply::status(200)
            .content_length(u64::MAX)
            .body(record("a", "2026-01-01T00:00:00Z")),
        Reply::status(200)
            .header("X-Padding", &"x".repeat(200_000))
            .body(record("a", "2026-01-01T00:00:00Z")),
        Reply::status(503)
            .header("Retry-After", "1e400")
            .header("Retry-After", "7")
            .body("busy"),
    ])
    .await;
    let client = client_without_retries(&api.base_url());
    for _ in 0..4 {
        // Each answer ends in a value or an error; none panics or hangs.
        let outcome = tokio::time::timeout(Duration::from_secs(20), collect(export(&client))).await;
        let (_, error) = outcome.expect("no hang");
        if let Some(error) = error {
            assert!(!has_terminal_controls(&error.to_string()), "{error}");
        }
    }
}

// ---------------------------------------------------------------------------------
// 8. Bounded memory.

#[tokio::test]
async fn a_gigabyte_line_hits_the_record_size_cap() {
    let api = HostileServer::start(vec![
        Reply::status(200)
            .close_delimited()
            .body("{\"id\":\"")
            .repeat(vec![b'a'; 64 << 10], 16_384),
        Reply::status(200)
            .close_delimited()
            .body("{\"id\":\"")
            .repeat(vec![b'a'; 64 << 10], 16_384),
    ])
    .await;
    let client = client(&api.base_url());
    let (_, error) = collect(export(&client).max_record_size(1 << 20)).await;
    match &error {
        Some(Error::RecordTooLarge { limit, line }) => assert_eq!((*limit, *line), (1 << 20, 1)),
        other => panic!("{other:?}"),
    }
    let message = error.expect("error").to_string();
    assert!(message.contains("max_record_size") && message.contains("--max-record-size"));
    let mut records = export(&client)
        .max_record_size(1 << 20)
        .raw_records()
        .await
        .expect("opens");
    let first = records.next().await.expect("an item");
    assert!(
        matches!(first, Err(Error::RecordTooLarge { .. })),
        "{first:?}"
    );
}

// ---------------------------------------------------------------------------------
// 9. Stalls and deadlines.

#[tokio::test]
async fn a_dripping_server_is_a_stall() {
    let api = HostileServer::start(vec![Reply::status(200)
        .chunked()
        .body(record("a", "2026-01-01T00:00:02Z"))
        .drip(vec![b' '; 1000], Duration::from_millis(50))])
    .await;
    let client = Client::builder()
        .base_url(api.base_url())
        .api_key(KEY)
        .retry(RetryPolicy::none())
        .low_speed_limit(LowSpeedLimit::new(1024, Duration::from_millis(400)))
        .build()
        .expect("client builds");
    let started = Instant::now();
    let (_, error) = collect(export(&client)).await;
    assert!(started.elapsed() < Duration::from_secs(20));
    match error {
        Some(Error::Cut {
            reason, records, ..
        }) => {
            assert!(reason.contains("stalled"), "{reason}");
            assert_eq!(records, 1);
        }
        other => panic!("{other:?}"),
    }
}

/// The stall rule applies from the moment the request is sent: a server that never
/// answers is a stall after the rule's window (each attempt of the retry policy), not
/// after the read timeout.
#[tokio::test]
async fn a_server_that_never_answers_is_a_stall_not_a_read_timeout() {
    for (attempts, policy) in [(1, RetryPolicy::none()), (3, quick_retries())] {
        let server = SilentServer::start().await;
        let client = Client::builder()
            .base_url(server.base_url())
            .api_key(KEY)
            .retry(policy)
            .read_timeout(Duration::from_secs(120))
            .low_speed_limit(LowSpeedLimit::new(1024, Duration::from_millis(300)))
            .build()
            .expect("client builds");
        // Far below the 120 s read timeout: only the stall rule can end it in time.
        let error = tokio::time::timeout(Duration::from_secs(60), export(&client).bytes())
            .await
            .expect("the stall rule ended the wait before the read timeout")
            .expect_err("no answer is an error");
        match &error {
            Error::Cut {
                records: 0,
                bytes: 0,
                reason,
            } => {
                assert!(
                    reason.contains("stalled: no answer arrived within 0.3 s"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // Each attempt of the retry policy waited for its own answer.
        assert_eq!(server.connection_count(), attempts);
    }
}

/// A record-size limit of 0 fits no record: the library refuses it before anything is
/// sent (the CLI's twin: `cli_refuses_a_zero_record_size_or_stall_window`).
#[tokio::test]
async fn a_zero_record_size_limit_or_stall_window_is_refused() {
    let api = HostileServer::start(vec![]).await;
    let error = export(&client_without_retries(&api.base_url()))
        .max_record_size(0)
        .bytes()
        .await
        .expect_err("refused");
    match &error {
        Error::InvalidRequest(message) => {
            assert!(message.contains("max_record_size is 0"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(api.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_stall_is_resumed_like_a_cut() {
    let first = format!(
        "{}{}",
        record("a", "2026-01-01T00:00:03Z"),
        record("b", "2026-01-01T00:00:02Z")
    );
    let api = HostileServer::start(vec![
        Reply::status(200)
            .chunked()
            .body(first)
            .drip(vec![b' '; 100], Duration::from_millis(100)),
        Reply::status(200).body(format!(
            "{}{}",
            record("b", "2026-01-01T00:00:02Z"),
            record("c", "2026-01-01T00:00:01Z")
        )),
    ])
    .await;
    let client = Client::builder()
        .base_url(api.base_url())
        .api_key(KEY)
        .retry(quick_retries())
        .low_speed_limit(LowSpeedLimit::new(1024, Duration::from_millis(300)))
        .build()
        .expect("client builds");
    let mut records = export(&client).resume(true).records().await.expect("opens");
    let mut ids = Vec::new();
    while let Some(record) = records.next().await {
        ids.push(
            record.expect("a record")["id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    assert_eq!(ids, ["a", "b", "c"]);
    let narrowed = api.requests()[1].json();
    assert_eq!(
        narrowed["filters"]
            .as_array()
            .and_then(|f| f.last())
            .cloned(),
        Some(
            json!({"type": "date", "column_id": "created_at", "operator": "lte", "value": "2026-01-01T00:00:02Z"})
        )
    );
}

#[tokio::test]
async fn the_total_timeout_ends_a_slow_export() {
    let api = HostileServer::start(vec![Reply::status(200)
        .chunked()
        .body(record("a", "2026-01-01T00:00:02Z"))
        .pause(Duration::from_secs(20))
        .body(record("b", "2026-01-01T00:00:01Z"))])
    .await;
    let client = Client::builder()
        .base_url(api.base_url())
        .api_key(KEY)
        .total_timeout(Duration::from_millis(500))
        .build()
        .expect("client builds");
    let started = Instant::now();
    let (delivered, error) = collect(export(&client)).await;
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(delivered, record("a", "2026-01-01T00:00:02Z").as_bytes());
    assert!(
        matches!(error, Some(Error::TimedOut { records: 1, .. })),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------
// 10. Errors keep their cause.

#[tokio::test]
async fn a_refused_connection_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key(KEY)
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");
    let (_, error) = collect(export(&client)).await;
    let error = error.expect("an error");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let text = error.to_string().to_lowercase();
    assert!(text.contains("refused"), "{text}");
}

// ---------------------------------------------------------------------------------
// 11. Resume whatever order the server gives records that share a timestamp.

/// 60 records over 8 timestamps (up to 9 records share one), ids of several shapes.
fn dataset() -> Vec<(String, String)> {
    (0..60)
        .map(|i| {
            let ts = format!("2026-03-01T10:00:{:02}.250Z", 59 - i / 8);
            let line = match i {
                // An integer id and a record without an id.
                13 => format!("{{\"id\":{i},\"created_at\":\"{ts}\"}}\n"),
                21 => format!("{{\"created_at\":\"{ts}\",\"input\":\"no id\"}}\n"),
                _ => format!("{{\"id\":\"rec-{i}\",\"created_at\":\"{ts}\",\"input\":\"x\"}}\n"),
            };
            (ts, line)
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum TieOrder {
    Ascending,
    Descending,
    Shuffled,
}

/// A server that filters by the resume bound, orders ties its own way (a new shuffle on
/// every request), and cuts each answer after `cut_every` records.
fn tie_server(
    order: TieOrder,
    cut_every: usize,
) -> impl Fn(&RecordedRequest, usize) -> Reply + Send + Sync {
    move |request, index| {
        let body = request.json();
        let bound = body["filters"]
            .as_array()
            .and_then(|f| {
                f.iter()
                    .find(|f| f["column_id"] == "created_at" && f["operator"] == "lte")
            })
            .and_then(|f| f["value"].as_str())
            .map(|v| chrono::DateTime::parse_from_rfc3339(v).expect("a timestamp"));
        let mut rows: Vec<(String, String)> = dataset()
            .into_iter()
            .filter(|(ts, _)| {
                bound.is_none_or(|b| chrono::DateTime::parse_from_rfc3339(ts).expect("ts") <= b)
            })
            .collect();
        let mut seed = (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        // Reorder each run of equal timestamps.
        let mut start = 0;
        while start < rows.len() {
            let end = (start..rows.len())
                .find(|&j| rows[j].0 != rows[start].0)
                .unwrap_or(rows.len());
            let run = &mut rows[start..end];
            match order {
                TieOrder::Ascending => run.sort_by(|a, b| a.1.cmp(&b.1)),
                TieOrder::Descending => run.sort_by(|a, b| b.1.cmp(&a.1)),
                TieOrder::Shuffled => {
                    for i in (1..run.len()).rev() {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        run.swap(i, (seed % (i as u64 + 1)) as usize);
                    }
                }
            }
            start = end;
        }
        let lines: Vec<String> = rows.into_iter().map(|(_, line)| line).collect();
        if lines.len() > cut_every {
            let partial = &lines[cut_every][..10];
            Reply::status(200)
                .chunked_unterminated()
                .body(lines[..cut_every].concat())
                .body(partial.to_string())
        } else {
            Reply::status(200).chunked().body(lines.concat())
        }
    }
}

#[tokio::test]
async fn resume_is_exactly_once_whatever_the_tie_order() {
    let expected: Vec<String> = {
        let mut lines: Vec<String> = dataset().into_iter().map(|(_, l)| l).collect();
        lines.sort();
        lines
    };
    for order in [
        TieOrder::Ascending,
        TieOrder::Descending,
        TieOrder::Shuffled,
    ] {
        // More records per answer than share one timestamp (8): otherwise a server that
        // repeats its tie order can never get past the boundary, and resume gives up.
        for cut_every in [9, 11, 17, 25] {
            let api = HostileServer::start_with(tie_server(order, cut_every)).await;
            let client = Client::builder()
                .base_url(api.base_url())
                .api_key(KEY)
                .retry(quick_retries())
                .build()
                .expect("client builds");
            let (body, error) = collect(export(&client).resume(true)).await;
            assert!(error.is_none(), "{order:?}/{cut_every}: {error:?}");
            let mut got: Vec<String> = String::from_utf8(body)
                .expect("utf-8")
                .lines()
                .map(|l| format!("{l}\n"))
                .collect();
            got.sort();
            assert_eq!(
                got.len(),
                expected.len(),
                "{order:?}/{cut_every}: duplicates or losses"
            );
            assert_eq!(got, expected, "{order:?}/{cut_every}");
            assert!(api.request_count() > 1);
        }
    }
}

#[tokio::test]
async fn resume_through_records_is_exactly_once_too() {
    let api = HostileServer::start_with(tie_server(TieOrder::Shuffled, 10)).await;
    let client = client(&api.base_url());
    let mut records = export(&client).resume(true).records().await.expect("opens");
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    while let Some(record) = records.next().await {
        let record = Value::Object(record.expect("a record"));
        assert!(seen.insert(record.to_string()), "duplicate {record}");
        count += 1;
    }
    assert_eq!(count, 60);
}
