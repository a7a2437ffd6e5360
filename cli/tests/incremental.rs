//! The CLI's `--state` file, one test per rule the library's incremental model (the
//! library's `tests/incremental.rs`) relies on: a CSV answer without the key columns is
//! refused, timestamps without a zone are UTC, one run at a time, never a checkpoint
//! older than the one on disk, an unusable path refused before sending.

mod common;

use galileo_export_mock::hostile::{HostileServer, Reply};
use serde_json::{json, Value};

/// A server that answers every export with `body` (JSON Lines or CSV).
fn fixed(body: &'static str) -> HostileServer {
    HostileServer::start_with_blocking(move |_, _| Reply::status(200).body(body))
}

mod state_file {
    use super::*;
    use crate::common::cli::with_state as cli;

    fn stderr(output: &std::process::Output) -> String {
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    #[test]
    fn a_csv_answer_without_an_id_column_is_refused_and_no_state_is_written() {
        let server =
            fixed("created_at,input\r\n2026-03-01T12:00:00Z,a\r\n2026-03-01T12:00:00Z,a\r\n");
        let dir = tempfile::tempdir().expect("dir");
        let (state, out) = (dir.path().join("state.json"), dir.path().join("out.csv"));
        let output = cli(&server, &state, &out)
            .args(["--format", "csv"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("no `id` column"),
            "{}",
            stderr(&output)
        );
        assert!(!state.exists());
        assert!(!out.exists());
    }

    #[test]
    fn timestamps_without_a_zone_are_utc_and_records_without_a_time_fail_loudly() {
        let server = HostileServer::start_with_blocking(|request, _| {
            let body = request.json();
            let filtered = body["filters"].as_array().is_some_and(|f| !f.is_empty());
            Reply::status(200).body(if filtered {
                // Run 2: the server sends the boundary record again, and one new one.
                "{\"id\":\"b\",\"created_at\":\"2025-06-01T06:19:43.5\"}\n\
                 {\"id\":\"a\",\"created_at\":\"2025-06-01T06:19:42.420444\"}\n"
            } else {
                "{\"id\":\"a\",\"created_at\":\"2025-06-01T06:19:42.420444\"}\n"
            })
        });
        let dir = tempfile::tempdir().expect("dir");
        let state = dir.path().join("state.json");
        let out = |n: u32| dir.path().join(format!("run{n}.jsonl"));
        let first = cli(&server, &state, &out(1)).output().expect("runs");
        assert!(first.status.success(), "{}", stderr(&first));
        let saved: Value =
            serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
        assert_eq!(
            saved["checkpoint"]["created_at"],
            json!("2025-06-01T06:19:42.420444Z")
        );
        let second = cli(&server, &state, &out(2)).output().expect("runs");
        assert!(second.status.success(), "{}", stderr(&second));
        assert_eq!(
            std::fs::read_to_string(out(2)).expect("out"),
            "{\"id\":\"b\",\"created_at\":\"2025-06-01T06:19:43.5\"}\n"
        );

        let server = fixed("{\"id\":\"a\",\"created_at\":\"yesterday\"}\n");
        let state = dir.path().join("other.json");
        let failed = cli(&server, &state, &out(3)).output().expect("runs");
        assert_eq!(failed.status.code(), Some(4), "{}", stderr(&failed));
        assert!(
            stderr(&failed).contains("no `created_at`"),
            "{}",
            stderr(&failed)
        );
        assert!(!state.exists());
    }

    #[test]
    fn a_second_run_on_the_same_state_file_is_refused_while_the_first_holds_it() {
        let server = fixed("{\"id\":\"a\",\"created_at\":\"2026-03-01T12:00:00Z\"}\n");
        let dir = tempfile::tempdir().expect("dir");
        let state = dir.path().join("state.json");
        // The lock a run holds, held here.
        let lock = std::fs::File::create(dir.path().join(".state.json.lock")).expect("lock file");
        lock.try_lock().expect("locked");
        let refused = cli(&server, &state, &dir.path().join("out.jsonl"))
            .output()
            .expect("runs");
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("another galileo-export run is using the state file"));
        assert_eq!(server.request_count(), 0, "refused before sending");
        drop(lock);
        let ran = cli(&server, &state, &dir.path().join("out.jsonl"))
            .output()
            .expect("runs");
        assert!(ran.status.success(), "{}", stderr(&ran));
    }

    #[test]
    fn a_newer_checkpoint_on_disk_is_never_replaced_by_an_older_one() {
        let dir = tempfile::tempdir().expect("dir");
        let state = dir.path().join("state.json");
        let newer = json!({
            "version": 1,
            "export": {"project_id": common::PROJECT, "log_stream_id": common::LOG_STREAM},
            "checkpoint": {"version": 2, "created_at": "2026-03-02T00:00:00Z", "ids": ["z"]}
        });
        let writes = state.clone();
        // While this run exports, something else (a run of an older galileo-export
        // without the lock, a restore) puts a newer checkpoint on disk.
        let server = HostileServer::start_with_blocking(move |_, _| {
            std::fs::write(&writes, newer.to_string()).expect("write");
            Reply::status(200).body("{\"id\":\"a\",\"created_at\":\"2026-03-01T12:00:00Z\"}\n")
        });
        let ran = cli(&server, &state, &dir.path().join("out.jsonl"))
            .output()
            .expect("runs");
        assert!(ran.status.success(), "{}", stderr(&ran));
        let saved: Value =
            serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
        assert_eq!(
            saved["checkpoint"]["created_at"],
            json!("2026-03-02T00:00:00Z")
        );
    }

    #[test]
    fn an_unusable_state_path_is_refused_before_sending_and_a_link_is_followed() {
        let server = fixed("{\"id\":\"a\",\"created_at\":\"2026-03-01T12:00:00Z\"}\n");
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").expect("write");
        let refused = cli(
            &server,
            &file.join("state.json"),
            &dir.path().join("out.jsonl"),
        )
        .output()
        .expect("runs");
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("cannot use the state file"));
        assert_eq!(server.request_count(), 0, "refused before sending");
        assert!(!dir.path().join("out.jsonl").exists());

        #[cfg(unix)]
        {
            let real_dir = dir.path().join("real");
            std::fs::create_dir(&real_dir).expect("dir");
            let link = dir.path().join("state.json");
            std::os::unix::fs::symlink("real/state.json", &link).expect("link");
            let ran = cli(&server, &link, &dir.path().join("out.jsonl"))
                .output()
                .expect("runs");
            assert!(ran.status.success(), "{}", stderr(&ran));
            assert!(std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink());
            let saved: Value = serde_json::from_str(
                &std::fs::read_to_string(real_dir.join("state.json")).expect("state"),
            )
            .expect("json");
            assert_eq!(saved["checkpoint"]["ids"], json!(["a"]));
        }
    }
}
