//! Where the CLI writes an export, the binary as a process against the local Galileo
//! server: stdout exactly the server's bytes (a closed pipe reported as such), a device
//! written in place, and a clean stop on SIGINT and SIGTERM that leaves neither the
//! output nor a temporary file. The library's side is in the library's
//! `tests/output_targets.rs`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::for_server as cli_command;
use common::file_names as names;
use common::{on_thread, part_files};
use galileo_export_mock::Fault;

/// `/dev/null` is written in place: every byte counted, the device still a device.
#[cfg(unix)]
#[test]
fn the_cli_writes_a_character_device_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let is_char_device =
        |path: &Path| std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device());
    let server = common::mock::server_blocking(300, 23);
    let client = common::mock::client(&server, None, Duration::from_millis(5));
    let body = common::mock::expected(&client, &server);
    let dev_null = Path::new("/dev/null");
    assert!(
        is_char_device(dev_null),
        "precondition: /dev/null is a device"
    );
    let out = cli_command(&server)
        .args(["--output", "/dev/null"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("exported 300 records"), "{stderr}");
    assert!(
        stderr.contains(&format!("({} bytes)", body.len())),
        "{stderr}"
    );
    assert!(is_char_device(dev_null), "/dev/null is still a device");
}

#[test]
fn the_cli_writes_stdout_exactly_and_reports_a_closed_pipe() {
    let server = common::mock::server_blocking(3_000, 23);
    let client = common::mock::client(&server, None, Duration::from_millis(5));
    let body = common::mock::expected(&client, &server);

    let out = cli_command(&server).output().expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), body.len());
    assert!(out.stdout == body, "stdout has the server's bytes");

    // The reader goes away: a broken pipe, reported as such.
    let mut child = cli_command(&server)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waited");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("error: stdout was closed before the export finished"),
        "{stderr}"
    );
}

/// Starts the CLI saving a slow export into a fresh directory, waits until its temporary
/// file has bytes, sends `signal`, and returns the exit code, stderr and what the
/// directory holds afterwards.
#[cfg(unix)]
fn interrupt_cli(signal: &str) -> (Option<i32>, String, Vec<String>) {
    let server = common::mock::server_blocking(200, 23);
    // ~300 KB in 2 KB pieces every 100 ms: some 15 s, far longer than the test waits.
    server.push_fault(Fault::slow_drip(2_000, Duration::from_millis(100)));
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("traces.jsonl");
    let child = cli_command(&server)
        .arg("--output")
        .arg(&output)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");

    let start = Instant::now();
    let writing = loop {
        let written = part_files(dir.path())
            .iter()
            .any(|n| std::fs::metadata(dir.path().join(n)).is_ok_and(|m| m.len() > 0));
        if written || start.elapsed() > Duration::from_secs(10) {
            break written;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal}");
    assert!(
        writing,
        "the CLI was writing its temporary file when signalled"
    );
    let waited = on_thread(move || child.wait_with_output().expect("waited"));
    let out = waited(Duration::from_secs(10));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        names(dir.path()),
    )
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_cli_with_143_and_leaves_nothing() {
    let (code, stderr, left) = interrupt_cli("TERM");
    assert_eq!(
        code,
        Some(143),
        "exit code (None: killed by the signal): {stderr}"
    );
    assert!(stderr.contains("error: terminated"), "{stderr}");
    assert!(
        left.is_empty(),
        "neither the output nor a .part file: {left:?}"
    );
}

#[cfg(unix)]
#[test]
fn sigint_stops_the_cli_with_130_and_leaves_nothing() {
    let (code, stderr, left) = interrupt_cli("INT");
    assert_eq!(
        code,
        Some(130),
        "exit code (None: killed by the signal): {stderr}"
    );
    assert!(stderr.contains("error: interrupted"), "{stderr}");
    assert!(
        left.is_empty(),
        "neither the output nor a .part file: {left:?}"
    );
}
