//! The CLI against servers it did not write, speaking raw HTTP/1.1 over real sockets
//! (`galileo_export_mock::hostile`): exit codes, no file left behind, nothing raw on the
//! terminal, no URL password shown, and the limits (record size, deadline, stall window)
//! as flags. The library's side of each rule is in the library's `tests/edges.rs`.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::cli::bare;
use common::{LOG_STREAM, PROJECT};
use galileo_export_mock::hostile::{HostileServer, Reply, SilentServer};
use serde_json::json;

const KEY: &str = "k-secret-123";

fn record(id: &str, created_at: &str) -> String {
    format!("{{\"id\":\"{id}\",\"created_at\":\"{created_at}\",\"input\":\"q {id}\"}}\n")
}

/// `--speed-time` bounds the wait for the answer from the moment the request is sent
/// (exit 4, the stall named), as the library's stall rule does.
#[tokio::test]
async fn cli_speed_time_bounds_the_wait_for_an_answer() {
    let server = SilentServer::start().await;
    let base_url = server.base_url();
    let output = tokio::task::spawn_blocking(move || {
        bare()
            .env("GALILEO_API_KEY", KEY)
            .args([
                "--project",
                PROJECT,
                "--log-stream",
                LOG_STREAM,
                "--base-url",
            ])
            .arg(base_url)
            .args(["--retries", "0", "--speed-time", "1s", "--quiet"])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    drop(server);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("stalled: no answer arrived within 1 s"),
        "{stderr}"
    );
}

/// A record-size limit of 0 fits no record and a zero stall window calls every export
/// stalled: both are usage errors (exit 2), refused before anything is sent.
#[test]
fn cli_refuses_a_zero_record_size_or_stall_window() {
    let api = HostileServer::start_blocking(vec![]);
    for args in [
        ["--max-record-size", "0"],
        ["--max-record-size", "0MiB"],
        ["--speed-time", "0s"],
    ] {
        let output = bare()
            .env("GALILEO_API_KEY", KEY)
            .args([
                "--project",
                PROJECT,
                "--log-stream",
                LOG_STREAM,
                "--base-url",
            ])
            .arg(api.base_url())
            .args(args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(args[0]), "{args:?}: {stderr}");
    }
    assert_eq!(api.request_count(), 0, "nothing was sent");
}

// ---------------------------------------------------------------------------------
// The CLI: exit codes, no file left, nothing raw on the terminal.

fn cli(api: &HostileServer) -> Command {
    let mut command = common::cli::for_hostile(api, KEY);
    command.arg("--quiet");
    command
}

#[test]
fn cli_exits_4_and_leaves_no_file_when_the_body_ends_inside_a_record() {
    let api = HostileServer::start_blocking(vec![Reply::status(200).close_delimited().body(
        format!("{}{{\"id\":\"b\",", record("a", "2026-01-01T00:00:02Z")),
    )]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let output = cli(&api).arg("--output").arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cut"));
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn cli_exits_4_with_the_line_number_of_a_malformed_line() {
    let api = HostileServer::start_blocking(vec![Reply::status(200).body(format!(
        "{}{{\"id\": nope}}\n",
        record("a", "2026-01-01T00:00:02Z")
    ))]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let output = cli(&api).arg("--output").arg(&path).output().expect("runs");
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!path.exists());
}

/// `--check shape` writes a line shaped like a record whose JSON is malformed (the full
/// check, the default, refuses it), and still refuses a line that is not shaped like one
/// and a cut body.
#[test]
fn cli_check_shape_passes_malformed_json_between_braces_but_not_a_cut_or_an_array() {
    let body = format!(
        "{}{{\"id\": nope}}\n{}",
        record("a", "2026-01-01T00:00:02Z"),
        record("c", "2026-01-01T00:00:01Z")
    );
    let api = HostileServer::start_blocking(vec![
        Reply::status(200).body(body.clone()),
        Reply::status(200).body(body.clone()),
        Reply::status(200).body(format!("{}[1, 2]\n", record("a", "2026-01-01T00:00:02Z"))),
        Reply::status(200).close_delimited().body(format!(
            "{}{{\"id\":\"b\",",
            record("a", "2026-01-01T00:00:02Z")
        )),
    ]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");

    let shape = cli(&api)
        .args(["--check", "shape", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(shape.status.code(), Some(0), "{shape:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("written"), body);
    std::fs::remove_file(&path).expect("remove");

    let full = cli(&api)
        .args(["--check", "full", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(full.status.code(), Some(4), "{full:?}");
    assert!(String::from_utf8_lossy(&full.stderr).contains("line 2"));

    for (what, says) in [("an array", "line 2"), ("a cut", "cut")] {
        let output = cli(&api)
            .args(["--check", "shape", "--output"])
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(4), "{what}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{what}: {stderr}");
        assert!(!path.exists(), "{what}");
    }
}

#[test]
fn cli_prints_no_raw_control_characters_from_the_server() {
    let api = HostileServer::start_blocking(vec![Reply::status(403)
        .json(json!({"detail": "denied\u{1b}]0;owned\u{7}\u{1b}[2J\rfake prompt$ "}))]);
    let output = cli(&api).output().expect("runs");
    assert_eq!(output.status.code(), Some(3));
    assert!(
        !output
            .stderr
            .iter()
            .any(|&b| b == 0x1b || b == 0x07 || b == b'\r'),
        "{:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("denied"));
}

#[test]
fn cli_never_prints_a_url_password() {
    let output = common::cli::dry_run()
        .args(["--base-url", "https://ann:hunter2@api.example.com"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains("hunter2"), "{all}");
    assert!(all.contains("api.example.com"), "{all}");
    let output = bare()
        .args(["--project", PROJECT, "--log-stream", LOG_STREAM])
        .args(["--base-url", "ftp://ann:hunter2@files.example.com"])
        .env("GALILEO_API_KEY", KEY)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hunter2"));
}

#[test]
fn cli_max_record_size_and_timeout_flags() {
    let api = HostileServer::start_blocking(vec![Reply::status(200)
        .close_delimited()
        .body("{\"id\":\"")
        .repeat(vec![b'a'; 64 << 10], 64)]);
    let output = cli(&api)
        .args(["--max-record-size", "1MiB", "--output", "-"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("1048576 bytes"));
    assert!(output.stdout.is_empty());

    let api = HostileServer::start_blocking(vec![Reply::status(200)
        .chunked()
        .body(record("a", "2026-01-01T00:00:02Z"))
        .pause(Duration::from_secs(20))]);
    let started = Instant::now();
    let output = cli(&api)
        .args(["--timeout", "700ms"])
        .output()
        .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(output.status.code(), Some(4), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("did not finish within"));
}
