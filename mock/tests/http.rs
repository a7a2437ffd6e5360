//! End-to-end tests of the mock Galileo server over real HTTP (reqwest on
//! 127.0.0.1).

use std::time::{Duration, Instant};

use futures::StreamExt;
use galileo_export_mock::{Fault, MockServer, ResponseContentType, RootType, REDACTED, TAGS};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn server(records: u64) -> MockServer {
    MockServer::builder()
        .records(records)
        .seed(7)
        .api_key("test-key")
        .build()
        .start()
        .await
        .expect("mock server starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn key_header(s: &MockServer) -> &'static str {
    s.api_key_header().expect("spec declares an API-key header")
}

fn post(s: &MockServer, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(s.export_url())
        .header(key_header(s), s.api_key())
        .json(body)
}

async fn post_json(s: &MockServer, body: &Value) -> (u16, Value) {
    let r = post(s, body).send().await.expect("request");
    let status = r.status().as_u16();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, v)
}

async fn detail(s: &MockServer, body: &Value) -> Vec<Value> {
    let (status, v) = post_json(s, body).await;
    assert_eq!(status, 422, "{v}");
    v["detail"].as_array().cloned().unwrap_or_default()
}

fn lines(body: &[u8]) -> Vec<Value> {
    body.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("valid JSON line"))
        .collect()
}

/// Minimal RFC 4180 reader (independent of the server's writer).
fn parse_csv(data: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = data.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                was_quoted = false;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

// ---------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn missing_or_wrong_credentials_are_401() -> TestResult {
    let s = server(10).await;
    let body = s.request_json(RootType::Trace);
    let r = client().post(s.export_url()).json(&body).send().await?;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await?,
        json!({"detail": "Not authenticated"})
    );

    let r = client()
        .post(s.export_url())
        .header(key_header(&s), "wrong")
        .json(&body)
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await?,
        json!({"detail": "Could not validate credentials"})
    );

    let r = client()
        .post(s.export_url())
        .bearer_auth("wrong")
        .json(&body)
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    let r = client()
        .post(s.export_url())
        .basic_auth("mock-user@example.com", Some("wrong"))
        .json(&body)
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    // Auth is checked before body validation.
    let r = client()
        .post(s.export_url())
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(r.status(), 401);
    Ok(())
}

#[tokio::test]
async fn every_declared_scheme_is_accepted() -> TestResult {
    let s = MockServer::builder()
        .records(5)
        .api_key("k1")
        .bearer_token("t1")
        .basic_auth("me", "pw")
        .start()
        .await?;
    let body = s.request_json(RootType::Session);
    let with_key = client()
        .post(s.export_url())
        .header(key_header(&s), "k1")
        .json(&body);
    let with_bearer = client().post(s.export_url()).bearer_auth("t1").json(&body);
    let with_basic = client()
        .post(s.export_url())
        .basic_auth("me", Some("pw"))
        .json(&body);
    for rb in [with_key, with_bearer, with_basic] {
        let r = rb.send().await?;
        assert_eq!(r.status(), 200);
        assert_eq!(lines(&r.bytes().await?).len(), 5);
    }
    let reqs = s.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].header(key_header(&s)), Some("k1"));
    assert_eq!(reqs[1].header("authorization"), Some("Bearer t1"));
    assert_eq!(reqs[2].header("Authorization"), Some("Basic bWU6cHc="));
    assert!(reqs.iter().all(|r| r.body == body && r.status == 200));
    assert!(reqs
        .iter()
        .all(|r| r.method == "POST" && r.path == s.export_path()));

    let open = MockServer::builder()
        .records(1)
        .require_auth(false)
        .start()
        .await?;
    let r = client()
        .post(open.export_url())
        .json(&open.request_json(RootType::Span))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    Ok(())
}

// ---------------------------------------------------------------------------
// Validation

#[tokio::test]
async fn missing_root_type_is_422() {
    let s = server(1).await;
    let body = json!({"log_stream_id": s.log_stream_id()});
    assert_eq!(
        detail(&s, &body).await,
        vec![json!({
            "type": "missing",
            "loc": ["body", "root_type"],
            "msg": "Field required",
            "input": body,
        })]
    );
}

#[tokio::test]
async fn unknown_filter_type_is_union_tag_invalid() {
    let s = server(1).await;
    let mut body = s.request_json(RootType::Trace);
    body["filters"] = json!([{"type": "regex", "column_id": "input", "value": ".*"}]);
    let d = detail(&s, &body).await;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["type"], "union_tag_invalid");
    assert_eq!(d[0]["loc"], json!(["body", "filters", 0]));
    assert_eq!(
        d[0]["msg"],
        "Input tag 'regex' found using 'type' does not match any of the expected tags: \
         'id', 'date', 'number', 'boolean', 'collection', 'text', 'fully_annotated'"
    );
    assert_eq!(d[0]["ctx"]["tag"], "regex");

    body["filters"] = json!([{"column_id": "input", "value": "x"}]);
    let d = detail(&s, &body).await;
    assert_eq!(d[0]["type"], "union_tag_not_found");
}

#[tokio::test]
async fn operator_not_valid_for_kind_is_enum_error() {
    let s = server(1).await;
    let mut body = s.request_json(RootType::Trace);
    body["filters"] = json!([
        {"type": "boolean", "column_id": "is_complete", "operator": "gt", "value": true},
        {"type": "number", "column_id": "metrics/cost", "operator": "contains", "value": 1},
        {"type": "text", "column_id": "input", "value": "x"},
    ]);
    let d = detail(&s, &body).await;
    assert_eq!(d.len(), 3, "{d:?}");
    assert_eq!(
        d[0]["loc"],
        json!(["body", "filters", 0, "boolean", "operator"])
    );
    assert_eq!(d[0]["type"], "enum");
    assert_eq!(d[0]["msg"], "Input should be 'eq' or 'ne'");
    assert_eq!(
        d[1]["loc"],
        json!(["body", "filters", 1, "number", "operator"])
    );
    assert_eq!(
        d[1]["msg"],
        "Input should be 'eq', 'ne', 'gt', 'gte', 'lt', 'lte' or 'between'"
    );
    // text filters have no default operator.
    assert_eq!(
        d[2]["loc"],
        json!(["body", "filters", 2, "text", "operator"])
    );
    assert_eq!(d[2]["type"], "missing");
}

#[tokio::test]
async fn non_uuid_ids_are_uuid_parsing() {
    let s = server(1).await;
    let body = json!({"root_type": "trace", "log_stream_id": "not-a-uuid"});
    let d = detail(&s, &body).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["loc"], json!(["body", "log_stream_id"]));
    assert_eq!(d[0]["type"], "uuid_parsing");
    let msg = d[0]["msg"].as_str().unwrap_or_default();
    assert!(msg.starts_with("Input should be a valid UUID, "), "{msg}");

    // uuid4 is enforced: the nil UUID of the spec's example is version 0.
    let body =
        json!({"root_type": "trace", "log_stream_id": "00000000-0000-0000-0000-000000000000"});
    assert_eq!(detail(&s, &body).await[0]["type"], "uuid_version");

    let mut body = s.request_json(RootType::Trace);
    body["filters"] = json!([
        {"type": "id", "column_id": "id", "value": "abc"},
        {"type": "id", "column_id": "trace_id", "operator": "one_of",
         "value": [s.log_stream_id(), "nope"]},
    ]);
    let d = detail(&s, &body).await;
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0]["loc"], json!(["body", "filters", 0, "id", "value"]));
    assert_eq!(d[0]["type"], "uuid_parsing");
    assert_eq!(d[1]["loc"], json!(["body", "filters", 1, "id", "value", 1]));

    // Path parameter.
    let url = s.export_url().replace(&s.project_id().to_string(), "xyz");
    let r = client()
        .post(url)
        .header(key_header(&s), s.api_key())
        .json(&s.request_json(RootType::Trace))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["detail"][0]["loc"], json!(["path", "project_id"]));
}

#[tokio::test]
async fn both_log_stream_and_experiment_is_422() {
    let s = server(1).await;
    let body = json!({
        "root_type": "span",
        "log_stream_id": s.log_stream_id(),
        "experiment_id": s.experiment_id(),
    });
    let d = detail(&s, &body).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["loc"], json!(["body"]));
    assert_eq!(d[0]["type"], "value_error");
    let msg = d[0]["msg"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with(
            "Value error, Exactly one of log_stream_id, experiment_id or metrics_testing_id"
        ),
        "{msg}"
    );

    let d = detail(&s, &json!({"root_type": "span"})).await;
    assert_eq!(d[0]["type"], "value_error");

    // Addressing the data set as an experiment works.
    let (status, _) = post_json(
        &s,
        &json!({"root_type": "span", "experiment_id": s.experiment_id()}),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_project_and_run_are_404_and_bad_columns_400() -> TestResult {
    let s = server(1).await;
    let other = "3f0e9a8e-0f5c-4b8f-9a57-2a1e8b7c6d5e";
    let url = s.export_url().replace(&s.project_id().to_string(), other);
    let r = client()
        .post(url)
        .header(key_header(&s), s.api_key())
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    assert!(r.json::<Value>().await?["detail"].is_string());

    let (status, v) = post_json(&s, &json!({"root_type": "trace", "log_stream_id": other})).await;
    assert_eq!(status, 404);
    assert_eq!(v["detail"], format!("Log stream {other} not found"));

    for filters in [
        json!([{"type": "text", "column_id": "nope", "operator": "eq", "value": "x"}]),
        json!([{"type": "number", "column_id": "input", "operator": "gt", "value": 1}]),
        json!([{"type": "fully_annotated"}]),
    ] {
        let mut body = s.request_json(RootType::Trace);
        body["filters"] = filters;
        let (status, v) = post_json(&s, &body).await;
        assert_eq!(status, 400, "{v}");
        assert!(v["detail"].is_string());
    }
    let mut body = s.request_json(RootType::Trace);
    body["sort"] = json!({"column_id": "tags"});
    assert_eq!(post_json(&s, &body).await.0, 400);
    Ok(())
}

#[tokio::test]
async fn malformed_bodies_never_panic() -> TestResult {
    let s = server(3).await;
    let raw_bodies: Vec<(&str, Option<&str>)> = vec![
        ("{", None),
        ("not json", Some("application/json")),
        ("", Some("application/json")),
        ("[1,2,3]", None),
        ("null", None),
        ("\"root_type\"", None),
        ("{\"root_type\": \"trace\"}", Some("text/plain")),
    ];
    for (raw, ct) in raw_bodies {
        let mut rb = client()
            .post(s.export_url())
            .header(key_header(&s), s.api_key())
            .body(raw.to_string());
        if let Some(ct) = ct {
            rb = rb.header("content-type", ct);
        }
        let r = rb.send().await?;
        assert_eq!(r.status(), 422, "{raw}");
        let v: Value = r.json().await?;
        assert!(v["detail"].is_array(), "{v}");
    }
    let ls = s.log_stream_id();
    let weird = [
        json!({"root_type": 5, "log_stream_id": ls}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": {}}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [null, 1, "x", []]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": null}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "number", "column_id": 1, "operator": "between", "value": [1]}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "number", "column_id": "metrics/cost", "operator": "between", "value": [1, "a"]}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "date", "column_id": "created_at", "operator": "gt", "value": "yesterday"}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "date", "column_id": "created_at", "operator": "gt", "value": {}}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "text", "column_id": "name", "operator": "eq", "value": ["a"]}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "filters": [{"type": "fully_annotated", "user_ids": []}]}),
        json!({"root_type": "trace", "log_stream_id": ls, "sort": "created_at"}),
        json!({"root_type": "trace", "log_stream_id": ls, "sort": {"column_id": "id", "sort_type": "x"}}),
        json!({"root_type": "trace", "log_stream_id": ls, "export_format": "parquet", "redact": "maybe", "column_ids": [1], "file_name": 3}),
        json!({"root_type": "trace", "log_stream_id": 12}),
    ];
    for body in weird {
        let (status, v) = post_json(&s, &body).await;
        assert_eq!(status, 422, "{body} -> {v}");
        let d = v["detail"].as_array().cloned().unwrap_or_default();
        assert!(!d.is_empty());
        for e in d {
            assert!(
                e["loc"].is_array() && e["msg"].is_string() && e["type"].is_string(),
                "{e}"
            );
            assert_eq!(e["loc"][0], "body", "{e}");
        }
    }
    // The JSON decode error carries a position, like FastAPI.
    let r = client()
        .post(s.export_url())
        .header(key_header(&s), s.api_key())
        .header("content-type", "application/json")
        .body("{\"root_type\": }")
        .send()
        .await?;
    let v: Value = r.json().await?;
    assert_eq!(v["detail"][0]["type"], "json_invalid");
    assert_eq!(v["detail"][0]["loc"], json!(["body", 14]));
    // Still alive and well.
    let r = post(&s, &s.request_json(RootType::Trace)).send().await?;
    assert_eq!(lines(&r.bytes().await?).len(), 3);
    Ok(())
}

#[tokio::test]
async fn unknown_paths_and_methods_are_fastapi_style() -> TestResult {
    let s = server(1).await;
    let r = client()
        .get(format!("{}/nope", s.base_url()))
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await?, json!({"detail": "Not Found"}));
    let r = client().get(s.export_url()).send().await?;
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.json::<Value>().await?,
        json!({"detail": "Method Not Allowed"})
    );
    assert_eq!(s.request_count(), 2);
    Ok(())
}

// ---------------------------------------------------------------------------
// Data and exports

#[tokio::test]
async fn native_order_has_ties_and_valid_hierarchy() -> TestResult {
    let s = server(400).await;
    let mut all = std::collections::HashMap::new();
    for root in RootType::ALL {
        let r = post(&s, &s.request_json(root)).send().await?;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["transfer-encoding"], "chunked");
        let recs = lines(&r.bytes().await?);
        assert_eq!(recs.len(), 400);
        let mut ties = 0;
        for w in recs.windows(2) {
            let a = (
                w[0]["created_at"].as_str().unwrap_or(""),
                w[0]["id"].as_str().unwrap_or(""),
            );
            let b = (
                w[1]["created_at"].as_str().unwrap_or(""),
                w[1]["id"].as_str().unwrap_or(""),
            );
            let ta = chrono::DateTime::parse_from_rfc3339(a.0)?;
            let tb = chrono::DateTime::parse_from_rfc3339(b.0)?;
            assert!((ta, a.1) > (tb, b.1), "{a:?} !> {b:?}");
            if ta == tb {
                ties += 1;
            }
        }
        assert!(ties > 40, "{root}: {ties} ties");
        for r in &recs {
            assert!(r["type"].is_string());
            assert_eq!(r["project_id"], s.project_id().to_string());
            assert_eq!(r["run_id"], s.log_stream_id().to_string());
            // A failed record says why; a successful one has an empty error message.
            let failed = r["status_code"].as_u64().unwrap_or(0) >= 400;
            assert_eq!(r["error_message"] != "", failed, "{}", r["error_message"]);
            assert!(r["metrics"]["duration_ns"].as_u64().is_some());
        }
        all.insert(root, recs);
    }
    let ids = |root: RootType| -> std::collections::HashSet<String> {
        all[&root]
            .iter()
            .map(|r| r["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let (sessions, traces) = (ids(RootType::Session), ids(RootType::Trace));
    for t in &all[&RootType::Trace] {
        assert!(sessions.contains(t["session_id"].as_str().unwrap_or("")));
        assert!(t.get("parent_id").is_none());
        assert_eq!(t["trace_id"], t["id"]);
    }
    for sp in &all[&RootType::Span] {
        assert!(traces.contains(sp["trace_id"].as_str().unwrap_or("")));
        assert!(sessions.contains(sp["session_id"].as_str().unwrap_or("")));
    }
    for se in &all[&RootType::Session] {
        assert!(se["trace_id"].is_null() && se.get("parent_id").is_none());
        assert_eq!(se["session_id"], se["id"]);
    }
    // A session carries its traces, a trace its spans (the records of those ids at
    // their own root type, with shorter texts), told apart by `type`.
    let by_id = |root: RootType| -> std::collections::HashMap<String, &Value> {
        all[&root]
            .iter()
            .map(|r| (r["id"].as_str().unwrap_or("").to_string(), r))
            .collect()
    };
    let (trace_by_id, span_by_id) = (by_id(RootType::Trace), by_id(RootType::Span));
    for se in &all[&RootType::Session] {
        let kids = se["traces"].as_array().ok_or("session without traces")?;
        assert_eq!(se["num_traces"].as_u64(), Some(kids.len() as u64));
        for t in kids {
            assert_eq!(t["type"], "trace");
            assert_eq!(t["session_id"], se["id"]);
            let own = trace_by_id
                .get(t["id"].as_str().unwrap_or(""))
                .ok_or("unknown trace")?;
            assert_eq!(t["created_at"], own["created_at"]);
            assert_eq!(t["metric_info"], own["metric_info"]);
        }
    }
    let mut nested_spans = 0;
    for t in &all[&RootType::Trace] {
        let mut stack: Vec<&Value> = t["spans"]
            .as_array()
            .ok_or("trace without spans")?
            .iter()
            .collect();
        let mut count = 0;
        while let Some(sp) = stack.pop() {
            count += 1;
            nested_spans += 1;
            assert_eq!(sp["trace_id"], t["id"]);
            let own = span_by_id
                .get(sp["id"].as_str().unwrap_or(""))
                .ok_or("unknown span")?;
            assert_eq!(sp["type"], own["type"]);
            assert_eq!(sp["parent_id"], own["parent_id"]);
            if let Some(kids) = sp.get("spans").and_then(Value::as_array) {
                for k in kids {
                    assert_eq!(k["parent_id"], sp["id"], "a child names its parent");
                    stack.push(k);
                }
            }
        }
        assert_eq!(t["num_spans"].as_u64(), Some(count));
    }
    assert_eq!(nested_spans, all[&RootType::Span].len());
    Ok(())
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A CSV cell holds a JSON value as: strings verbatim, null (or absent) empty, anything
/// else as its JSON text.
fn assert_cell(cell: &str, v: &Value) -> TestResult {
    match v {
        Value::String(s) => assert_eq!(cell, s),
        Value::Null => assert_eq!(cell, ""),
        _ => assert_eq!(&serde_json::from_str::<Value>(cell)?, v, "{cell}"),
    }
    Ok(())
}

/// The text an `input` / `output` holds, whatever its shape (what text filters read):
/// the string; the user's (or assistant's) message content; the text part; the first
/// document's content. Empty for `null` and control results.
fn text_in(v: &Value) -> String {
    fn parts(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .find(|p| p["type"] == "text")
                .and_then(|p| p["text"].as_str())
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        }
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => match items.first() {
            Some(first) if first.get("role").is_some() => items
                .iter()
                .find(|m| m["role"] == "user")
                .map(|m| parts(&m["content"]))
                .unwrap_or_default(),
            Some(first) if first.get("text").is_some() => parts(v),
            Some(first) => first["content"].as_str().unwrap_or("").to_string(),
            None => String::new(),
        },
        Value::Object(m) if m.contains_key("role") => parts(&v["content"]),
        _ => String::new(),
    }
}

#[tokio::test]
async fn filtered_sorted_jsonl_matches_independent_computation() -> TestResult {
    let s = server(3000).await;
    let all = lines(
        &post(&s, &s.request_json(RootType::Span))
            .send()
            .await?
            .bytes()
            .await?,
    );
    assert_eq!(all.len(), 3000);

    let mut body = s.request_json(RootType::Span);
    body["filters"] = json!([
        {"type": "collection", "column_id": "tags", "operator": "one_of", "value": ["prod", "BETA"], "case_sensitive": false},
        {"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [50e6, 6e9]},
        {"type": "text", "column_id": "type", "operator": "not_in", "value": ["agent"]},
        {"type": "date", "column_id": "created_at", "operator": "lt", "value": "2025-06-01T11:30:00Z"},
        {"type": "boolean", "column_id": "is_complete", "value": true},
    ]);
    body["sort"] = json!({"column_id": "metrics/cost", "ascending": true});
    let r = post(&s, &body).send().await?;
    assert_eq!(r.status(), 200);
    let got = lines(&r.bytes().await?);

    let cutoff = chrono::DateTime::parse_from_rfc3339("2025-06-01T11:30:00Z")?;
    let mut want: Vec<&Value> = all
        .iter()
        .filter(|r| {
            let tags: Vec<&str> = r["tags"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let lat = num(&r["metrics"]["duration_ns"]).unwrap_or(-1.0);
            let created =
                chrono::DateTime::parse_from_rfc3339(r["created_at"].as_str().unwrap_or("")).ok();
            (tags.contains(&"prod") || tags.contains(&"beta"))
                && (50e6..=6e9).contains(&lat)
                && r["type"] != "agent"
                && created.is_some_and(|c| c < cutoff)
                && r["is_complete"] == true
        })
        .collect();
    // cost ascending, nulls last, ties by id ascending.
    want.sort_by(|a, b| {
        let ka = num(&a["metrics"]["cost"]);
        let kb = num(&b["metrics"]["cost"]);
        let ord = match (ka, kb) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        ord.then_with(|| a["id"].as_str().cmp(&b["id"].as_str()))
    });
    assert!(want.len() > 100, "filters too strict: {}", want.len());
    assert!(
        want.iter().any(|r| r["metrics"].get("cost").is_none()),
        "nulls exercised"
    );
    let want: Vec<Value> = want.into_iter().cloned().collect();
    assert_eq!(got.len(), want.len());
    assert!(
        got == want,
        "filtered/sorted export differs from the independent computation"
    );
    assert_eq!(s.expected_records(&body)?, want);

    // Descending = exact reverse (ties broken by id in the same direction).
    body["sort"]["ascending"] = json!(false);
    let desc = lines(&post(&s, &body).send().await?.bytes().await?);
    let mut rev = want.clone();
    rev.reverse();
    // nulls first when descending: reverse of nulls-last ascending.
    assert!(desc == rev);

    // created_at ascending = reverse native order, filters applied.
    let mut body = s.request_json(RootType::Span);
    body["sort"] = json!({"column_id": "created_at", "ascending": true});
    body["filters"] = json!([{"type": "id", "column_id": "trace_id", "operator": "one_of",
        "value": [all[0]["trace_id"], all[100]["trace_id"]]}]);
    let asc = lines(&post(&s, &body).send().await?.bytes().await?);
    let mut want: Vec<Value> = all
        .iter()
        .filter(|r| r["trace_id"] == all[0]["trace_id"] || r["trace_id"] == all[100]["trace_id"])
        .cloned()
        .collect();
    want.reverse();
    assert_eq!(asc.len(), 8);
    assert!(asc == want);
    Ok(())
}

#[tokio::test]
async fn text_and_id_filters() -> TestResult {
    let s = server(1500).await;
    let all = lines(
        &post(&s, &s.request_json(RootType::Trace))
            .send()
            .await?
            .bytes()
            .await?,
    );
    let count = |pred: &dyn Fn(&Value) -> bool| all.iter().filter(|r| pred(r)).count();
    let cases: Vec<(Value, usize)> = vec![
        (
            json!({"type": "text", "column_id": "input", "operator": "contains", "value": "CAFÉ", "case_sensitive": false}),
            count(&|r| text_in(&r["input"]).to_lowercase().contains("café")),
        ),
        (
            json!({"type": "text", "column_id": "input", "operator": "contains", "value": "東京"}),
            count(&|r| text_in(&r["input"]).contains("東京")),
        ),
        (
            json!({"type": "text", "column_id": "output", "operator": "contains", "value": "résumé"}),
            count(&|r| text_in(&r["output"]).contains("résumé")),
        ),
        (
            json!({"type": "text", "column_id": "external_id", "operator": "ne", "value": "ext-1"}),
            count(&|r| r["external_id"].as_str().is_some_and(|l| l != "ext-1")),
        ),
        (
            json!({"type": "number", "column_id": "metrics/toxicity", "operator": "lt", "value": 0.5}),
            count(&|r| {
                let m = &r["metric_info"]["toxicity"];
                ["success", "roll_up"].contains(&m["status_type"].as_str().unwrap_or(""))
                    && m["value"].as_f64().is_some_and(|v| v < 0.5)
            }),
        ),
        (
            json!({"type": "boolean", "column_id": "has_children", "value": true}),
            count(&|r| r["has_children"] == true),
        ),
        (
            json!({"type": "text", "column_id": "name", "operator": "one_of", "value": ["rag_query", "translate"]}),
            count(&|r| r["name"] == "rag_query" || r["name"] == "translate"),
        ),
        (
            json!({"type": "id", "column_id": "id", "operator": "ne", "value": all[5]["id"]}),
            all.len() - 1,
        ),
        (
            json!({"type": "id", "column_id": "session_id", "operator": "contains", "value": all[9]["session_id"].as_str().unwrap_or("")[..8].to_uppercase()}),
            count(&|r| {
                r["session_id"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with(&all[9]["session_id"].as_str().unwrap_or("")[..8])
            }),
        ),
        (
            json!({"type": "number", "column_id": "status_code", "operator": "gte", "value": "400"}),
            count(&|r| r["status_code"].as_u64().unwrap_or(0) >= 400),
        ),
        (
            json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": []}),
            count(&|r| r["tags"].as_array().is_some_and(|a| a.is_empty())),
        ),
        (
            json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": ["eval", "prod"]}),
            count(&|r| {
                let t = r["tags"].as_array().cloned().unwrap_or_default();
                t.contains(&json!("eval")) && t.contains(&json!("prod"))
            }),
        ),
        (
            json!({"type": "collection", "column_id": "tags", "operator": "not_in", "value": "staging"}),
            count(&|r| {
                !r["tags"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .contains(&json!("staging"))
            }),
        ),
    ];
    for (filter, want) in cases {
        let mut body = s.request_json(RootType::Trace);
        body["filters"] = json!([filter.clone()]);
        let r = post(&s, &body).send().await?;
        assert_eq!(r.status(), 200, "{filter}");
        let got = lines(&r.bytes().await?);
        assert_eq!(got.len(), want, "{filter}");
        assert!(
            want > 0 || filter["operator"] == "eq",
            "{filter} matches nothing"
        );
    }
    Ok(())
}

#[tokio::test]
async fn csv_honours_column_ids_and_quoting_round_trips() -> TestResult {
    let s = MockServer::builder()
        .records(600)
        .seed(3)
        .content_type(ResponseContentType::PerFormat)
        .start()
        .await?;
    let cols = [
        "id",
        "created_at",
        "input",
        "output",
        "tags",
        "metrics",
        "metrics/cost",
        "external_id",
        "is_complete",
        "parent_id",
    ];
    let mut body = s.request_json(RootType::Span);
    body["export_format"] = json!("csv");
    body["column_ids"] = json!(cols);
    body["file_name"] = json!("spans");
    let r = client()
        .post(s.export_url())
        .header(key_header(&s), s.api_key())
        .json(&body)
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"spans.csv\""
    );
    let raw = r.bytes().await?;
    assert_eq!(raw.as_ref(), s.expected_body(&body)?.as_slice());
    let text = String::from_utf8(raw.to_vec())?;
    assert!(text.ends_with("\r\n"));
    let rows = parse_csv(&text);
    assert_eq!(rows[0], cols);
    let recs = s.expected_records(&body)?;
    assert_eq!(rows.len() - 1, recs.len());
    assert_eq!(recs.len(), 600);
    let mut saw = [false; 4];
    for (row, rec) in rows[1..].iter().zip(&recs) {
        assert_eq!(row.len(), cols.len());
        assert_eq!(row[0], rec["id"].as_str().unwrap_or(""));
        assert_eq!(row[1], rec["created_at"].as_str().unwrap_or(""));
        assert_cell(&row[2], &rec["input"])?;
        assert_cell(&row[3], &rec["output"])?;
        assert_eq!(serde_json::from_str::<Value>(&row[4])?, rec["tags"]);
        assert_eq!(serde_json::from_str::<Value>(&row[5])?, rec["metrics"]);
        match rec["metrics"]["cost"].as_f64() {
            Some(c) => assert_eq!(row[6].parse::<f64>()?, c),
            None => assert_eq!(row[6], ""),
        }
        assert_eq!(row[7], rec["external_id"].as_str().unwrap_or(""));
        assert_eq!(row[8], rec["is_complete"].to_string());
        assert_eq!(row[9], rec["parent_id"].as_str().unwrap_or(""));
        let input = text_in(&rec["input"]);
        saw[0] |= input.contains('\n');
        saw[1] |= input.contains('"');
        saw[2] |= input.contains(',');
        saw[3] |= input.contains('\u{2028}');
    }
    assert_eq!(
        saw, [true; 4],
        "newline, quote, comma and U+2028 all exercised"
    );

    // Default columns: the main fields every record has, each rendered as in the JSON.
    let mut body = s.request_json(RootType::Session);
    body["export_format"] = json!("csv");
    let text = String::from_utf8(s.expected_body(&body)?)?;
    let rows = parse_csv(&text);
    let header = rows[0].clone();
    assert_eq!(
        header,
        [
            "id",
            "type",
            "name",
            "input",
            "output",
            "created_at",
            "updated_at",
            "session_id",
            "trace_id",
            "parent_id",
            "project_id",
            "run_id",
            "status_code",
            "tags",
            "user_metadata",
            "metrics",
            "metric_info"
        ]
    );
    let recs = s.expected_records(&body)?;
    for (row, rec) in rows[1..].iter().zip(&recs) {
        for (cell, col) in row.iter().zip(&header) {
            assert_cell(cell, &rec[col.as_str()])?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn redaction_and_record_size() -> TestResult {
    let s = server(800).await;
    let mut body = s.request_json(RootType::Trace);
    body["redact"] = json!(false);
    let raw = s.expected_body(&body)?;
    // A trace carries its four spans (with texts a quarter as long).
    let avg = raw.len() / 800;
    assert!((3_000..=12_000).contains(&avg), "average trace {avg} bytes");
    let mut spans = s.request_json(RootType::Span);
    spans["redact"] = json!(false);
    let avg = s.expected_body(&spans)?.len() / 800;
    assert!((1_000..=5_000).contains(&avg), "average span {avg} bytes");
    let plain = lines(&raw);
    let redacted = s.expected_records(&s.request_json(RootType::Trace))?;
    let with_pii: Vec<usize> = (0..800)
        .filter(|&i| text_in(&plain[i]["input"]).contains("@example.com"))
        .collect();
    assert!(!with_pii.is_empty());
    for i in with_pii {
        let r = text_in(&redacted[i]["input"]);
        assert!(r.contains(REDACTED) && !r.contains("@example.com"));
        assert_eq!(plain[i]["id"], redacted[i]["id"]);
    }
    let tags: std::collections::HashSet<&str> = plain
        .iter()
        .flat_map(|r| r["tags"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| TAGS.iter().copied().find(|x| t == *x))
        .collect();
    assert_eq!(tags.len(), TAGS.len());
    Ok(())
}

#[tokio::test]
async fn same_seed_same_bytes() -> TestResult {
    let a = MockServer::builder().records(700).seed(99).start().await?;
    let b = MockServer::builder().records(700).seed(99).start().await?;
    let c = MockServer::builder().records(700).seed(100).start().await?;
    let cached = MockServer::builder()
        .records(700)
        .seed(99)
        .prerender(true)
        .start()
        .await?;
    assert_eq!(a.project_id(), b.project_id());
    assert_eq!(a.log_stream_id(), b.log_stream_id());
    let fetch = |s: &MockServer, csv: bool| {
        let mut body = s.request_json(RootType::Span);
        if csv {
            body["export_format"] = json!("csv");
        }
        let rb = post(s, &body);
        async move { rb.send().await?.bytes().await }
    };
    for csv in [false, true] {
        let x = fetch(&a, csv).await?;
        let y = fetch(&b, csv).await?;
        assert!(x == y, "same seed, same bytes (csv={csv})");
        assert!(
            x != fetch(&c, csv).await?,
            "different seed, different bytes"
        );
        assert!(x == fetch(&cached, csv).await?, "prerendered = generated");
        assert!(x == fetch(&cached, csv).await?, "cache hit = generated");
    }
    Ok(())
}

#[tokio::test]
async fn large_export_streams_in_chunks() -> TestResult {
    let s = server(20_000).await;
    let r = post(&s, &s.request_json(RootType::Span)).send().await?;
    let mut stream = r.bytes_stream();
    let (mut n, mut bytes, mut pieces) = (0usize, 0usize, 0usize);
    let mut last = 0u8;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        pieces += 1;
        bytes += chunk.len();
        n += chunk.iter().filter(|&&b| b == b'\n').count();
        last = chunk.last().copied().unwrap_or(last);
    }
    assert_eq!(n, 20_000);
    assert_eq!(last, b'\n');
    assert!(pieces > 10, "{pieces} pieces for {bytes} bytes");
    Ok(())
}

#[tokio::test]
async fn huge_dataset_starts_streaming_immediately() -> TestResult {
    // 50 million spans: nothing is materialised, the first bytes come at once.
    let s = MockServer::builder()
        .records(50_000_000)
        .worker_threads(2)
        .start()
        .await?;
    assert_eq!(s.dataset().len(RootType::Span), 50_000_000);
    let t = Instant::now();
    let mut handles = Vec::new();
    for root in RootType::ALL {
        let rb = post(&s, &s.request_json(root));
        handles.push(tokio::spawn(async move {
            let r = rb.send().await?;
            let mut stream = r.bytes_stream();
            let mut got = Vec::new();
            while got.len() < 200_000 {
                match stream.next().await {
                    Some(c) => got.extend_from_slice(&c?),
                    None => break,
                }
            }
            Ok::<_, reqwest::Error>(got)
        }));
    }
    for h in handles {
        let got = h.await??;
        assert!(got.len() >= 200_000);
        let first = got.split(|&b| b == b'\n').next().unwrap_or_default();
        assert!(serde_json::from_slice::<Value>(first).is_ok());
    }
    assert!(t.elapsed() < Duration::from_secs(20));
    // The last record exists and is reachable by index.
    let last = s.dataset().record(RootType::Span, 49_999_999, true);
    assert!(last.is_some_and(|r| r["type"].is_string()));
    Ok(())
}

// ---------------------------------------------------------------------------
// Faults

async fn read_until_error(r: reqwest::Response) -> (usize, bool) {
    let mut stream = r.bytes_stream();
    let mut got = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => got += c.len(),
            Err(_) => return (got, true),
        }
    }
    (got, false)
}

#[tokio::test]
async fn faults_are_consumed_in_order() -> TestResult {
    let s = server(200).await;
    let body = s.request_json(RootType::Trace);
    let full = s.expected_body(&body)?;
    assert!(full.len() > 100_000);
    s.push_faults([
        Fault::status(503).with_retry_after("7"),
        Fault::cut_after(10_000),
        Fault::short_body(5_000),
        Fault::malformed_line(3),
        Fault::status(429).with_body("slow down", "text/plain"),
        Fault::None,
    ]);
    assert_eq!(s.pending_faults(), 6);

    let r = post(&s, &body).send().await?;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(
        r.json::<Value>().await?,
        json!({"detail": "Service Unavailable"})
    );

    let r = post(&s, &body).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(read_until_error(r).await, (10_000, true));

    let r = post(&s, &body).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-length"],
        (5_000 + 65_536).to_string().as_str()
    );
    assert!(r.headers().get("transfer-encoding").is_none());
    assert_eq!(read_until_error(r).await, (5_000, true));

    let r = post(&s, &body).send().await?;
    let raw = r.bytes().await?;
    let ls: Vec<&[u8]> = raw
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(ls.len(), 200);
    for (i, l) in ls.iter().enumerate() {
        assert_eq!(
            serde_json::from_slice::<Value>(l).is_ok(),
            i != 3,
            "line {i}"
        );
    }

    let r = post(&s, &body).send().await?;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(r.text().await?, "slow down");

    for _ in 0..2 {
        let r = post(&s, &body).send().await?;
        assert_eq!(r.bytes().await?.as_ref(), full.as_slice());
    }
    assert_eq!(s.pending_faults(), 0);
    let reqs = s.requests();
    let statuses: Vec<u16> = reqs.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200, 200, 200, 429, 200, 200]);
    assert_eq!(reqs[1].fault, Some(Fault::CutAfter(10_000)));
    assert_eq!(reqs[6].fault, None);
    Ok(())
}

#[tokio::test]
async fn csv_malformed_row_and_short_export_cut() -> TestResult {
    let s = server(5).await;
    let mut body = s.request_json(RootType::Trace);
    body["export_format"] = json!("csv");
    body["column_ids"] = json!(["id", "name"]);
    s.push_fault(Fault::malformed_line(1));
    let text = post(&s, &body).send().await?.text().await?;
    let rows = parse_csv(&text);
    let widths: Vec<usize> = rows.iter().map(Vec::len).collect();
    assert_eq!(widths, [2, 2, 3, 2, 2, 2]);

    // Cut beyond the end of a short body: terminator withheld, still an error.
    s.push_fault(Fault::cut_after(1 << 30));
    let r = post(&s, &body).send().await?;
    let (got, errored) = read_until_error(r).await;
    assert!(errored);
    assert_eq!(got, s.expected_body(&body)?.len());
    Ok(())
}

#[tokio::test]
async fn stall_slow_drip_and_delay() -> TestResult {
    let s = MockServer::builder()
        .records(20)
        .text_len(50, 100)
        .start()
        .await?;
    let body = s.request_json(RootType::Trace);
    let full = s.expected_body(&body)?;

    // Stall forever: the client's own timeout fires after the first bytes.
    s.push_fault(Fault::stall_after(1_000));
    let r = client()
        .post(s.export_url())
        .header(key_header(&s), s.api_key())
        .json(&body)
        .timeout(Duration::from_millis(1_500))
        .send()
        .await?;
    let (got, errored) = read_until_error(r).await;
    assert!(errored);
    assert_eq!(got, 1_000);

    // Stall then resume.
    s.push_fault(Fault::StallAfter {
        bytes: 500,
        resume_after: Some(Duration::from_millis(300)),
    });
    let t = Instant::now();
    let got = post(&s, &body).send().await?.bytes().await?;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(got.as_ref(), full.as_slice());

    // Slow drip: small pieces, paced.
    s.push_fault(Fault::slow_drip(1_000, Duration::from_millis(10)));
    let t = Instant::now();
    let r = post(&s, &body).send().await?;
    let mut stream = r.bytes_stream();
    let mut got = Vec::new();
    let mut max_piece = 0;
    while let Some(c) = stream.next().await {
        let c = c?;
        max_piece = max_piece.max(c.len());
        got.extend_from_slice(&c);
    }
    assert_eq!(got, full);
    assert!(max_piece <= 1_000);
    let pieces = full.len().div_ceil(1_000) as u32;
    assert!(t.elapsed() >= Duration::from_millis(10) * (pieces - 1));

    s.push_fault(Fault::Delay(Duration::from_millis(250)));
    let t = Instant::now();
    let r = post(&s, &body).send().await?;
    assert!(t.elapsed() >= Duration::from_millis(250));
    assert_eq!(r.bytes().await?.as_ref(), full.as_slice());
    Ok(())
}

#[tokio::test]
async fn shutdown_aborts_stalled_responses() -> TestResult {
    let s = server(50).await;
    s.push_fault(Fault::stall_after(100));
    let r = post(&s, &s.request_json(RootType::Trace)).send().await?;
    let reader = tokio::spawn(read_until_error(r));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let url = s.export_url();
    s.shutdown().await;
    let (got, errored) = tokio::time::timeout(Duration::from_secs(5), reader).await??;
    assert_eq!(got, 100);
    assert!(errored);
    assert!(client().post(url).send().await.is_err(), "listener closed");
    Ok(())
}

#[test]
fn blocking_start_and_drop() {
    let s = MockServer::builder()
        .records(3)
        .build()
        .start_blocking()
        .expect("starts without a runtime");
    let url = s.base_url().to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert_eq!(s.dataset().len(RootType::Span), 3);
    s.shutdown_blocking();
}

/// Server-side generation throughput over loopback (run with
/// `--ignored --nocapture` in release mode).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn throughput_report() -> TestResult {
    for prerender in [false, true] {
        let s = MockServer::builder()
            .records(130_000)
            .prerender(prerender)
            .start()
            .await?;
        for round in 0..2 {
            let t = Instant::now();
            let r = post(&s, &s.request_json(RootType::Span)).send().await?;
            let mut stream = r.bytes_stream();
            let mut bytes = 0usize;
            while let Some(c) = stream.next().await {
                bytes += c?.len();
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "prerender={prerender} round={round}: {:.1} MB in {secs:.2}s = {:.0} MB/s",
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / secs
            );
        }
    }
    Ok(())
}

mod fuzz {
    use galileo_export_mock::{Dataset, DatasetConfig};
    use proptest::prelude::*;
    use serde_json::{json, Map, Value};

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            (-1e12f64..1e12).prop_map(|f| json!(f)),
            "[a-z_]{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "eq",
                "ne",
                "gt",
                "between",
                "one_of",
                "contains",
                "text",
                "id",
                "number",
                "date",
                "boolean",
                "collection",
                "fully_annotated",
                "created_at",
                "cost",
                "tags",
                "input",
                "2025-06-01T11:00:00Z",
                "trace",
                "span",
                "csv",
                "0c3f4f0e-8f3a-4c1e-9d2b-5b6a7c8d9e0f",
            ])
            .prop_map(|s| Value::String(s.to_string())),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(3, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop::sample::select(vec![
                            "type",
                            "column_id",
                            "operator",
                            "value",
                            "case_sensitive",
                            "user_ids",
                            "ascending",
                            "sort_type",
                            "x",
                        ]),
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| {
                    Value::Object(
                        kv.into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect::<Map<_, _>>(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Arbitrary (mostly invalid) request bodies never panic and always
        /// yield either records or a 4xx with a `detail`.
        #[test]
        fn arbitrary_bodies_never_panic(
            fields in prop::collection::vec(
                (prop::sample::select(vec![
                    "root_type", "export_format", "redact", "file_name", "log_stream_id",
                    "experiment_id", "metrics_testing_id", "filters", "sort", "column_ids",
                ]), value()),
                0..6,
            ),
            keep_valid_base in any::<bool>(),
        ) {
            let ds = Dataset::new(DatasetConfig::new(5, 40));
            let mut body = Map::new();
            if keep_valid_base {
                body.insert("root_type".into(), json!("trace"));
                body.insert("log_stream_id".into(), json!(ds.log_stream_id().to_string()));
            }
            for (k, v) in fields {
                body.insert(k.to_string(), v);
            }
            match ds.export(&Value::Object(body)) {
                Ok(bytes) => prop_assert!(bytes.is_empty() || bytes.ends_with(b"\n")),
                Err(r) => {
                    prop_assert!(matches!(r.status, 400 | 404 | 422), "{r}");
                    prop_assert!(r.body.get("detail").is_some());
                }
            }
        }
    }
}
