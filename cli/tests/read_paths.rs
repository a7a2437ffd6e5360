//! The CLI as one more read path over the table of hostile bodies the library's read
//! paths are tested with (`galileo_export_mock::hostile::bodies`), in the same chunkings
//! (a byte per read, 7 bytes per read, the whole body at once): for every case the CLI
//! comes to the outcome the table states (exit 0, or exit 4 with the same kind of error
//! at the same line) and writes the same records as the library's `bytes()` path.

mod common;

use std::sync::Arc;

use galileo_export_mock::hostile::bodies::{self, records_in, End, Format, Outcome};
use galileo_export_mock::hostile::HostileServer;

/// The end the CLI reported (exit code and stderr).
fn cli_end(code: Option<i32>, stderr: &str) -> End {
    if code == Some(0) {
        return End::Complete;
    }
    assert_eq!(code, Some(4), "{stderr}");
    let line_after = |marker: &str| {
        stderr.split(marker).nth(1).and_then(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
    };
    if stderr.contains("the export was cut after") {
        End::Failed("Cut", None)
    } else if stderr.contains("bad record in the export: ") {
        End::Failed("Record", line_after("bad record in the export: line "))
    } else if stderr.contains("is larger than the maximum record size") {
        End::Failed("RecordTooLarge", line_after("the record at line "))
    } else if stderr.contains("export: ") && stderr.contains("the answer (HTTP") {
        End::Failed("NotAnExport", None)
    } else if stderr.contains("cannot decode the export's") {
        End::Failed("Encoding", None)
    } else {
        panic!("an error outside the table's kinds: {stderr}")
    }
}

/// A runtime for the library's side of the comparison.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// What the CLI, with `extra` arguments, delivers and how it ends for the case `tag` names.
fn cli_outcome(server: &HostileServer, tag: &str, format: Format, extra: &[&str]) -> Outcome {
    let output = common::cli::for_hostile(server, "k")
        .args(["--file-name", tag, "--max-record-size", "64", "--quiet"])
        .args(["--format", format.name()])
        .args(extra)
        .output()
        .expect("the CLI runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let end = cli_end(output.status.code(), &stderr);
    Outcome::new(Some(records_in(format, &output.stdout)), end)
}

#[test]
fn the_cli_comes_to_the_outcome_of_every_case_and_chunking() {
    let cases = Arc::new(bodies::table());
    let server = bodies::server(cases.clone());
    let runtime = runtime();
    let mut runs = 0;
    for (index, case) in cases.iter().enumerate() {
        for chunk in bodies::CHUNKINGS {
            let tag = bodies::tag(index, chunk);
            let export = common::hostile_export(&server.base_url())
                .format(case.format.export_format())
                .file_name(tag.clone())
                .max_record_size(bodies::LIMIT);
            let reference = runtime.block_on(bodies::read_bytes(export, case.format));
            let got = cli_outcome(&server, &tag, case.format, &[]);
            runs += 1;
            bodies::check(case, chunk, "cli", &got, Some(("bytes", &reference)));
        }
    }
    assert_eq!(runs, (20 + 8) * 3);
}

/// `--check shape` over the same table comes to what the library's `bytes()` with
/// `RecordCheck::Shape` comes to (the library's `read_paths` test ties that to the full
/// check): the same records, then the same end.
#[test]
fn the_cli_with_check_shape_comes_to_the_librarys_shape_outcome() {
    let cases = Arc::new(bodies::table());
    let server = bodies::server(cases.clone());
    let runtime = runtime();
    let mut passed_bad_json = 0;
    for (index, case) in cases.iter().enumerate() {
        for chunk in bodies::CHUNKINGS {
            let tag = bodies::tag(index, chunk);
            let export = common::hostile_export(&server.base_url())
                .format(case.format.export_format())
                .file_name(tag.clone())
                .max_record_size(bodies::LIMIT)
                .record_check(galileo_export::RecordCheck::Shape);
            let reference = runtime.block_on(bodies::read_bytes(export, case.format));
            let got = cli_outcome(&server, &tag, case.format, &["--check", "shape"]);
            let at = format!("{} in {chunk}-byte reads", case.name);
            assert_eq!(got, reference, "{at}");
            if got.end != case.end {
                assert_eq!(case.name, "bad JSON", "{at}");
                passed_bad_json += 1;
            }
        }
    }
    assert_eq!(passed_bad_json, bodies::CHUNKINGS.len());
}
