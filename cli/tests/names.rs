//! Names instead of UUIDs and the count beside the export, on the command line. In a
//! build whose spec has the project and run lists and the count operations (the drop-in
//! build): `--project`, `--log-stream` and `--experiment` by name, the default log
//! stream named on stderr, ambiguous and missing names, the summary against the count.
//! In the vendored build: the help and the errors say what needs Galileo's full spec.

mod common;

use assert_cmd::Command;
use galileo_export_mock::MockServer;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn server() -> MockServer {
    MockServer::builder()
        .records(60)
        .seed(23)
        .project_name("checkout-bot")
        .log_stream_name("production")
        .extra_log_stream("staging")
        .extra_log_stream("dup")
        .extra_log_stream("dup")
        .experiment("baseline")
        .build()
        .start_blocking()
        .expect("mock server starts")
}

/// The binary pointed at `server` with its key, and nothing else.
fn against(server: &MockServer) -> Command {
    let mut cmd = Command::from_std(common::cli::bare());
    cmd.env("GALILEO_API_KEY", server.api_key())
        .args(["--base-url", server.base_url()]);
    cmd
}

#[cfg(galileo_has_project_lookup)]
mod names {
    use super::*;

    #[test]
    fn a_project_and_a_log_stream_by_name_export_their_records() {
        let server = server();
        let r =
            run(against(&server).args(["--project", "checkout-bot", "--log-stream", "production"]));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert_eq!(r.stdout.lines().count(), 60);
        let export = server
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/export_records"))
            .expect("the export was sent");
        assert_eq!(export.path, server.export_path());
        assert_eq!(
            export.body["log_stream_id"],
            server.log_stream_id().to_string()
        );
    }

    #[test]
    fn without_a_source_the_oldest_log_stream_is_used_and_named() {
        let server = server();
        let r = run(against(&server).args(["--project", &server.project_id().to_string()]));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!(
                "using log stream \"production\" ({}), the project's oldest",
                server.log_stream_id()
            )),
            "{}",
            r.stderr
        );
        assert_eq!(r.stdout.lines().count(), 60);
    }

    #[test]
    fn an_experiment_by_name_is_sent_as_its_id() {
        let server = server();
        let r = run(against(&server).args([
            "--project",
            "checkout-bot",
            "--experiment",
            "baseline",
            "--dry-run",
        ]));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let body: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(
            body["experiment_id"],
            server.experiments()[0].id.to_string()
        );
    }

    #[test]
    fn ambiguous_and_missing_names_are_usage_errors_that_say_why() {
        let server = server();
        let r = run(against(&server).args(["--project", "checkout-bot", "--log-stream", "dup"]));
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(
            r.stderr
                .starts_with("error: 2 log streams are named \"dup\" in project "),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("give the UUID instead"), "{}", r.stderr);
        let r = run(against(&server).args(["--project", "checkout-bot", "--log-stream", "stagin"]));
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(r.stderr.contains("near: \"staging\""), "{}", r.stderr);
        let r = run(against(&server).args([
            "--project",
            "checkout\u{1b}[2J",
            "--log-stream",
            "staging",
        ]));
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(
            r.stderr.contains("no project named \"checkout\\u{1b}[2J\""),
            "{}",
            r.stderr
        );
        // Nothing was exported.
        assert!(!server
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/export_records")));
    }
}

#[cfg(galileo_has_counts)]
mod counts {
    use super::*;

    #[test]
    fn the_summary_says_the_percentage_of_the_count() {
        let server = server();
        let r = run(against(&server).args([
            "--project",
            &server.project_id().to_string(),
            "--log-stream",
            &server.log_stream_id().to_string(),
            "--filter",
            "status_code >= 400",
            "--count",
        ]));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let lines = r.stdout.lines().count();
        assert!(lines > 0 && lines < 60, "{lines}");
        assert!(
            r.stderr.contains(&format!(", 100% of the {lines} counted")),
            "{}",
            r.stderr
        );
        let count = server
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/traces/count"))
            .expect("the count was sent");
        assert_eq!(
            count.body,
            serde_json::json!({
                "log_stream_id": server.log_stream_id().to_string(),
                "filters": [{"type": "number", "column_id": "status_code", "operator": "gte", "value": 400}],
            })
        );
    }

    #[test]
    fn a_count_that_disagrees_is_shown_and_the_export_succeeds() {
        let server = MockServer::builder()
            .records(60)
            .count_offset(-5)
            .build()
            .start_blocking()
            .expect("mock server starts");
        let r = run(Command::from_std(common::cli::for_server(&server)).arg("--count"));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stderr
                .contains(", 60 of the 55 counted (Galileo's counts may be slightly inaccurate)"),
            "{}",
            r.stderr
        );
    }

    #[test]
    fn without_count_or_a_terminal_no_count_is_asked() {
        let server = server();
        let r = run(&mut Command::from_std(common::cli::for_server(&server)));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(!r.stderr.contains("counted"), "{}", r.stderr);
        assert_eq!(server.requests().len(), 1);
    }
}

#[cfg(not(galileo_has_project_lookup))]
mod vendored {
    use super::*;

    #[test]
    fn the_help_says_names_need_the_full_spec() {
        let r = run(Command::from_std(common::cli::bare()).arg("--help"));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let help = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            help.contains("The project to export from: its UUID (names need a galileo-export built from Galileo's full OpenAPI spec"),
            "{help}"
        );
        assert!(help.contains("GALILEO_OPENAPI_SPEC="), "{help}");
    }

    #[test]
    fn a_name_is_a_usage_error_naming_the_missing_operations() {
        let server = server();
        let r = run(against(&server).args([
            "--project",
            "checkout-bot",
            "--log-stream",
            &server.log_stream_id().to_string(),
        ]));
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(
            r.stderr.starts_with("error: --project \"checkout-bot\" is not a UUID, and resolving project, log stream and experiment names needs the GET /projects (get_projects), "),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("GALILEO_OPENAPI_SPEC="), "{}", r.stderr);
        assert!(server.requests().is_empty(), "nothing was sent");
    }
}

#[cfg(not(galileo_has_counts))]
#[test]
fn count_is_a_usage_error_naming_the_missing_operations() {
    let server = server();
    let r = run(Command::from_std(common::cli::for_server(&server)).arg("--count"));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: --count: counting records (progress as a percentage) needs the POST /projects/{project_id}/traces/count (count_traces), "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("GALILEO_OPENAPI_SPEC="), "{}", r.stderr);
    assert!(server.requests().is_empty(), "nothing was sent");
}
