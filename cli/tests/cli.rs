//! The `galileo-export` binary as a process, against the local Galileo server: the filter
//! grammar becomes the exact request JSON (in `--dry-run` and on the wire), the output is
//! the server's bytes, and each class of failure has its exit code and message.

mod common;

use assert_cmd::Command;
use common::file_names as files_in;
use galileo_export_mock::{Fault, MockServer};
use serde_json::{json, Value};

fn server(records: u64) -> MockServer {
    common::mock::server_blocking(records, 7)
}

/// The binary with a clean environment: no Galileo or proxy variables from the caller.
fn bare() -> Command {
    Command::from_std(common::cli::bare())
}

/// The binary pointed at `server` with its key, exporting its log stream.
fn cli(server: &MockServer) -> Command {
    Command::from_std(common::cli::for_server(server))
}

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_ok(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "stderr:\n{}", r.stderr);
    r
}

fn dry_run_json(cmd: &mut Command) -> Value {
    let r = run_ok(cmd.arg("--dry-run"));
    serde_json::from_slice(&r.stdout).expect("--dry-run prints JSON")
}

/// `expected` plus the defaults the spec's request type writes for fields the test does
/// not set (a newer spec adds some, e.g. `export_computed_metrics_only: false`), so the
/// comparison stays exact under a drop-in spec.
fn with_spec_defaults(expected: Value) -> Value {
    let minimal: galileo_export::api::types::LogRecordsExportRequest =
        serde_json::from_value(json!({"root_type": "trace"})).expect("minimal request");
    let mut out = serde_json::to_value(minimal).expect("serializes");
    let (Some(out_map), Value::Object(expected)) = (out.as_object_mut(), expected) else {
        panic!("objects expected");
    };
    for (k, v) in expected {
        out_map.insert(k, v);
    }
    out
}

const U1: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
const V4A: &str = "9b2e5f4c-3f1a-4d6e-8c7b-1a2b3c4d5e6f";

#[test]
fn dry_run_prints_the_exact_request_without_credentials() {
    let project = "11111111-2222-4333-8444-555555555555";
    let stream = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    let r = run_ok(bare().args([
        "--project",
        project,
        "--log-stream",
        stream,
        "--root-type",
        "span",
        "--filter",
        r#"input contains "refund""#,
        "--filter",
        "input ~contains Refund",
        "--filter",
        "metrics/duration_ns between 100 250",
        "--filter",
        "metrics/duration_ns > 100",
        "--filter",
        "created_at >= 2026-01-01T00:00:00Z",
        "--filter",
        "collection:tags one_of [prod, beta]",
        "--filter",
        &format!("trace_id = {U1}"),
        "--filter",
        "is_complete = true",
        "--filter",
        r#"input not_in ["a", "b"]"#,
        "--filter",
        "fully_annotated",
        "--filter",
        &format!("fully_annotated by [{V4A}]"),
        "--filter",
        "text:status_code = 200",
        "--sort",
        "metrics/duration_ns:desc",
        "--no-redact",
        "--file-name",
        "spans",
        "--dry-run",
    ]));
    let body: Value = serde_json::from_slice(&r.stdout).expect("JSON on stdout");
    assert_eq!(
        body,
        with_spec_defaults(json!({
            "log_stream_id": stream,
            "root_type": "span",
            "export_format": "jsonl",
            "redact": false,
            "file_name": "spans",
            "sort": {"column_id": "metrics/duration_ns", "ascending": false, "sort_type": "column"},
            "filters": [
                {"type": "text", "column_id": "input", "operator": "contains", "value": "refund", "case_sensitive": true},
                {"type": "text", "column_id": "input", "operator": "contains", "value": "Refund", "case_sensitive": false},
                {"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250]},
                {"type": "number", "column_id": "metrics/duration_ns", "operator": "gt", "value": 100},
                {"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-01-01T00:00:00Z"},
                {"type": "collection", "column_id": "tags", "operator": "one_of", "value": ["prod", "beta"], "case_sensitive": true},
                {"type": "id", "column_id": "trace_id", "operator": "eq", "value": U1},
                {"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true},
                {"type": "text", "column_id": "input", "operator": "not_in", "value": ["a", "b"], "case_sensitive": true},
                {"type": "fully_annotated", "column_id": "fully_annotated"},
                {"type": "fully_annotated", "column_id": "fully_annotated", "user_ids": [V4A]},
                {"type": "text", "column_id": "status_code", "operator": "eq", "value": "200", "case_sensitive": true},
            ],
        }))
    );
    assert!(
        r.stderr.contains(&format!(
            "would POST {}{}",
            galileo_export::spec::DEFAULT_BASE_URL,
            galileo_export::spec::operation("export_records")
                .map(|o| o.path)
                .unwrap_or_default()
                .replace("{project_id}", project)
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn sort_without_suffix_is_ascending_and_csv_columns_are_sent() {
    let body = dry_run_json(bare().args([
        "--project",
        "11111111-2222-4333-8444-555555555555",
        "--experiment",
        "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "--sort",
        "metrics/duration_ns",
        "--format",
        "csv",
        "--columns",
        "id, input,metrics/duration_ns",
    ]));
    assert_eq!(
        body,
        with_spec_defaults(json!({
            "experiment_id": "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "root_type": "trace",
            "export_format": "csv",
            "redact": true,
            "sort": {"column_id": "metrics/duration_ns", "ascending": true, "sort_type": "column"},
            "column_ids": ["id", "input", "metrics/duration_ns"],
        }))
    );
}

#[test]
fn the_server_receives_the_dry_run_request_and_stdout_is_its_body() {
    let server = server(300);
    let filters = [
        "input ~contains the",
        "metrics/duration_ns between 50000000 5000000000",
        "created_at >= 2025-01-01T00:00:00Z",
        "collection:tags one_of [prod, beta, eval]",
        "is_complete = true",
        &format!("id not_in [{U1}]"),
    ];
    let with_filters = |mut cmd: Command| {
        for f in filters {
            cmd.args(["--filter", f]);
        }
        cmd
    };
    let request = dry_run_json(&mut with_filters(cli(&server)));
    assert_eq!(server.request_count(), 0, "a dry run sends nothing");

    let r = run_ok(&mut with_filters(cli(&server)));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].body, request,
        "the wire body is the dry-run body"
    );
    let expected = server.expected_body(&request).expect("the mock accepts it");
    let lines = expected.iter().filter(|b| **b == b'\n').count();
    assert!(
        lines > 0 && lines < 300,
        "the filters select some records: {lines}"
    );
    assert!(
        r.stdout == expected,
        "stdout is the server's body, byte for byte"
    );
    assert!(
        r.stderr.contains(&format!("exported {lines} records")),
        "{}",
        r.stderr
    );
}

#[test]
fn csv_with_columns_is_written_byte_for_byte() {
    let server = server(120);
    let csv = || {
        let mut cmd = cli(&server);
        cmd.args([
            "--format",
            "csv",
            "--columns",
            "id,input,metrics/duration_ns,tags",
            "--sort",
            "metrics/duration_ns:desc",
        ]);
        cmd
    };
    let request = dry_run_json(&mut csv());
    let r = run_ok(&mut csv());
    assert!(r.stdout == server.expected_body(&request).expect("accepted"));
    assert!(r
        .stdout
        .starts_with(b"id,input,metrics/duration_ns,tags\r\n"));
    assert!(r.stderr.starts_with("exported "), "{}", r.stderr);
    // CSV rows are counted (records, not lines: quoted fields may hold line breaks).
    use galileo_export::records::RecordDecoder as _;
    let rows = galileo_export::records::CsvDecoder::<galileo_export::records::CsvRow>::new()
        .decode_iter([Ok::<_, std::convert::Infallible>(bytes::Bytes::from(
            r.stdout.clone(),
        ))])
        .count();
    assert!(rows > 0);
    assert!(
        r.stderr.contains(&format!("exported {rows} records, ")),
        "{}",
        r.stderr
    );
}

#[test]
fn output_file_is_written_atomically() {
    let server = server(200);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.jsonl");
    let request = dry_run_json(&mut cli(&server));
    let r = run_ok(cli(&server).args(["--output", path.to_str().expect("utf-8 path")]));
    assert!(r.stdout.is_empty(), "nothing on stdout with --output");
    let written = std::fs::read(&path).expect("the file exists");
    assert!(written == server.expected_body(&request).expect("accepted"));
    assert!(r.stderr.contains("exported 200 records"), "{}", r.stderr);
    assert!(r.stderr.contains("traces.jsonl"), "{}", r.stderr);
    assert_eq!(files_in(dir.path()), vec!["traces.jsonl".to_string()]);

    // A cut export leaves neither the file nor a temporary file behind.
    let failed = dir.path().join("cut.jsonl");
    server.push_fault(Fault::cut_after(150_000));
    let r = run(cli(&server).args(["-o", failed.to_str().expect("utf-8 path")]));
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(!failed.exists());
    assert_eq!(files_in(dir.path()), vec!["traces.jsonl".to_string()]);
}

#[test]
fn quiet_prints_nothing_on_stderr() {
    let server = server(50);
    let r = run_ok(cli(&server).arg("--quiet"));
    assert_eq!(r.stderr, "");
    assert!(!r.stdout.is_empty());
    let r = run_ok(cli(&server).args(["--quiet", "--dry-run"]));
    assert_eq!(r.stderr, "");
}

#[test]
fn a_bad_filter_is_a_usage_error_with_a_caret() {
    let server = server(10);
    let r = run(cli(&server).args([
        "--filter",
        "is_complete = true",
        "--filter",
        "metrics/duration_ns => 100",
    ]));
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.starts_with(
            "error: invalid filter: unknown operator `=>`\n  metrics/duration_ns => 100\n                      ^^\n  expected an operator"
        ),
        "{}",
        r.stderr
    );
    let r = run(cli(&server).args(["--filter", "metrics/duration_ns between 250 100"]));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("low <= high"), "{}", r.stderr);
    let caret = format!("\n  {}{}\n", " ".repeat(28), "^".repeat(7));
    assert!(r.stderr.contains(&caret), "{}", r.stderr);
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[test]
fn usage_errors_exit_2() {
    let server = server(10);
    let project = server.project_id().to_string();
    let stream = server.log_stream_id().to_string();
    // Two sources.
    let r = run(cli(&server).args(["--experiment", &stream]));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
    // No source.
    let r = run(bare().args(["--project", &project]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    // Not a UUID.
    let r = run(bare().args(["--project", "nope", "--log-stream", &stream]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    // Columns on JSON Lines (the library's check).
    let r = run(cli(&server).args(["--columns", "id"]));
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.starts_with("error: invalid request: columns"),
        "{}",
        r.stderr
    );
    // Resume with a sort it cannot continue.
    let r = run(cli(&server).args(["--resume", "--sort", "metrics/duration_ns"]));
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("resume needs the native sort"),
        "{}",
        r.stderr
    );
    // Bad sort direction.
    let r = run(cli(&server).args(["--sort", "metrics/duration_ns:up"]));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("unknown direction `up`"), "{}", r.stderr);
    // No key.
    let r = run(bare().args([
        "--base-url",
        server.base_url(),
        "--project",
        &project,
        "--log-stream",
        &stream,
    ]));
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: client configuration: no credentials: the GALILEO_API_KEY environment variable is not set\n"
    );
    assert_eq!(server.request_count(), 0);
}

#[test]
fn api_key_env_names_the_variable_and_env_urls_are_used() {
    let server = server(20);
    let project = server.project_id().to_string();
    let stream = server.log_stream_id().to_string();
    let r = run_ok(
        bare()
            .env("TEAM_GALILEO_KEY", server.api_key())
            .env("GALILEO_API_URL", server.base_url())
            .args([
                "--api-key-env",
                "TEAM_GALILEO_KEY",
                "--project",
                &project,
                "--log-stream",
                &stream,
                "-q",
            ]),
    );
    assert!(!r.stdout.is_empty());
    let sent = server.requests();
    assert_eq!(
        sent[0].header(galileo_export::spec::security::API_KEY_HEADER.unwrap_or_default()),
        Some(server.api_key()),
        "the key is sent in the spec's header"
    );
    // The named variable is the only source of the key.
    let r = run(bare().env("GALILEO_API_URL", server.base_url()).args([
        "--api-key-env",
        "TEAM_GALILEO_KEY",
        "--project",
        &project,
        "--log-stream",
        &stream,
    ]));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("TEAM_GALILEO_KEY"), "{}", r.stderr);
    // The key never shows up in messages.
    let r = run(cli(&server).env("GALILEO_API_KEY", "wrong-secret-key"));
    assert!(!r.stderr.contains("wrong-secret-key"), "{}", r.stderr);
}

#[test]
fn api_errors_exit_3() {
    let server = server(10);
    // Wrong key: 401.
    let r = run(cli(&server).env("GALILEO_API_KEY", "not-the-key"));
    assert_eq!(r.code, Some(3));
    assert!(
        r.stderr.starts_with(
            "error: authentication failed (HTTP 401): Could not validate credentials\n"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: check the API key in $GALILEO_API_KEY"),
        "{}",
        r.stderr
    );
    // A 422 shows every field path.
    let detail = json!({"detail": [
        {"type": "uuid_parsing", "loc": ["body", "filters", 0, "value"], "msg": "Input should be a valid UUID", "input": "x"},
        {"type": "missing", "loc": ["body", "root_type"], "msg": "Field required", "input": {}}
    ]});
    server.push_fault(Fault::status(422).with_body(detail.to_string(), "application/json"));
    let r = run(cli(&server).args(["--filter", "trace_id contains x"]));
    assert_eq!(r.code, Some(3));
    assert_eq!(
        r.stderr,
        "error: the server rejected the request (HTTP 422):\n  body.filters.0.value: Input should be a valid UUID\n  body.root_type: Field required\n"
    );
    // A project that is not there: 404.
    let r = run(bare().env("GALILEO_API_KEY", server.api_key()).args([
        "--base-url",
        server.base_url(),
        "--project",
        "8a5a7bd6-6a0b-4c1e-9f57-2a1d3e4b5c6d",
        "--log-stream",
        &server.log_stream_id().to_string(),
    ]));
    assert_eq!(r.code, Some(3));
    assert!(
        r.stderr.starts_with("error: not found (HTTP 404)"),
        "{}",
        r.stderr
    );
    // The mock refuses fully_annotated outside a queue: 400.
    let r = run(cli(&server).args(["--filter", "fully_annotated"]));
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 400"), "{}", r.stderr);
    // 503 with no retries left.
    server.push_fault(Fault::status(503));
    let r = run(cli(&server).args(["--retries", "0"]));
    assert_eq!(r.code, Some(3));
    assert!(
        r.stderr.starts_with("error: server error (HTTP 503)"),
        "{}",
        r.stderr
    );
}

#[test]
fn retries_retry_before_data() {
    let server = server(30);
    let request = dry_run_json(&mut cli(&server));
    server.push_fault(Fault::status(503));
    let r = run_ok(cli(&server).args(["--retries", "1"]));
    assert_eq!(server.request_count(), 2);
    assert!(r.stdout == server.expected_body(&request).expect("accepted"));
    assert!(r.stderr.contains(", 1 retries"), "{}", r.stderr);
}

#[test]
fn network_failures_exit_4() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let r = run(bare().env("GALILEO_API_KEY", "k").args([
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
        "--project",
        U1,
        "--log-stream",
        U1,
        "--retries",
        "0",
    ]));
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.starts_with("error: network error"), "{}", r.stderr);
}

#[test]
fn a_cut_stream_exits_4_and_resume_completes_it() {
    let server = server(200);
    let request = dry_run_json(&mut cli(&server));
    let expected = server.expected_body(&request).expect("accepted");
    assert!(expected.len() > 200_000, "{} bytes", expected.len());

    // Without --resume: the records before the cut were written, then exit 4.
    server.push_fault(Fault::cut_after(150_000));
    let r = run(&mut cli(&server));
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: the export was cut after "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: run again with --resume"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.is_empty() && r.stdout.len() <= 150_000);
    assert!(
        expected.starts_with(&r.stdout),
        "what was written is a prefix of the export"
    );
    assert!(r.stdout.ends_with(b"\n"), "only whole records were written");

    // With --resume: the full export, byte for byte, to stdout and to a file.
    server.push_faults([Fault::cut_after(70_000), Fault::cut_after(90_000)]);
    let r = run_ok(cli(&server).arg("--resume"));
    assert!(r.stdout == expected, "resumed output is the full export");
    assert!(r.stderr.contains("exported 200 records"), "{}", r.stderr);
    assert!(r.stderr.contains("2 resumes"), "{}", r.stderr);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("all.jsonl");
    server.push_fault(Fault::cut_after(100_000));
    run_ok(
        cli(&server)
            .args(["--resume", "--sort", "created_at:desc", "-q", "-o"])
            .arg(&path),
    );
    assert!(std::fs::read(&path).expect("written") == expected);
    assert_eq!(files_in(dir.path()), vec!["all.jsonl".to_string()]);
}

#[test]
fn compressed_transfer_is_on_by_default_and_off_with_no_compression() {
    let server = server(200);
    let request = dry_run_json(&mut cli(&server));
    let expected = server.expected_body(&request).expect("accepted");

    let r = run_ok(&mut cli(&server));
    assert!(r.stdout == expected, "decoded output is the export");
    assert!(
        r.stderr.contains("on the wire (zstd)"),
        "the summary says what crossed the network: {}",
        r.stderr
    );
    let sent = server.requests();
    assert_eq!(
        sent.last().and_then(|q| q.header("accept-encoding")),
        Some("zstd, gzip, br")
    );

    let r = run_ok(cli(&server).arg("--no-compression"));
    assert!(r.stdout == expected);
    assert!(!r.stderr.contains("on the wire"), "{}", r.stderr);
    let sent = server.requests();
    assert_eq!(
        sent.last().and_then(|q| q.header("accept-encoding")),
        Some("identity")
    );
}

/// A number in a --filter goes out exactly as written: an integer beyond `i64` stays an
/// integer on the wire; one beyond 64 bits is a usage error (exit 2) naming it, never a
/// float sent in silence.
#[test]
fn filter_numbers_go_out_exactly_as_written() {
    use galileo_export_mock::hostile::{HostileServer, Reply};

    let server = HostileServer::start_blocking(vec![
        Reply::status(200).header("Content-Type", "application/json"),
        Reply::status(200).header("Content-Type", "application/json"),
    ]);
    for (expr, value) in [
        (
            "metrics/duration_ns > 12345678901234567890",
            "12345678901234567890",
        ),
        (
            "metrics/duration_ns between 9007199254740993 18446744073709551615",
            "[9007199254740993,18446744073709551615]",
        ),
    ] {
        let output = common::cli::for_hostile(&server, "k")
            .args(["--filter", expr, "--quiet"])
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let sent = server.requests().last().expect("a request").body_text();
        let expected = format!(r#""value":{value}"#);
        assert!(sent.contains(&expected), "{expected} not in {sent}");
    }
    for too_big in ["123456789012345678901234567890", "-9223372036854775809"] {
        let output = common::cli::for_hostile(&server, "k")
            .args(["--filter", &format!("metrics/duration_ns > {too_big}")])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("`{too_big}` is an integer beyond 64 bits")),
            "{stderr}"
        );
    }
    assert_eq!(
        server.request_count(),
        2,
        "the refused filters sent nothing"
    );
}
