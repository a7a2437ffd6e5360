//! One table of hostile bodies (`galileo_export_mock::hostile::bodies`), fed through
//! every way the library reads an export (`bytes`, `save`, `write_to_std`, `records`,
//! `raw_records`, `csv_rows`, `record_batches`) in several chunkings (a byte per read,
//! 7 bytes per read, the whole body at once), over real sockets: every path and every
//! chunking must come to one outcome, the same records and then the same end (complete,
//! or the same kind of error at the same line), and that outcome is the one the table
//! states. A record rule that only one path applies, or only when a record spans reads,
//! fails here. The CLI's run over the same table is `cli/tests/read_paths.rs`.
#![cfg(feature = "parquet")]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use galileo_export::{ExportBuilder, RecordCheck};
use galileo_export_mock::hostile::bodies::{self, end_of, records_in, End, Format, Outcome};
use serde_json::Value;

/// A `std::io::Write` into a shared buffer.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Read `case` through the library path `path`.
async fn library(path: &str, format: Format, export: ExportBuilder) -> Outcome {
    match path {
        "bytes" => bodies::read_bytes(export, format).await,
        "save" => {
            let dir = tempfile::tempdir().expect("a temp dir");
            let file = dir.path().join("out");
            match export.save(&file).await {
                Ok(_) => {
                    let got = std::fs::read(&file).expect("the file");
                    Outcome::new(Some(records_in(format, &got)), End::Complete)
                }
                Err(e) => {
                    assert!(!file.exists(), "a failed save leaves no file");
                    assert_eq!(common::file_names(dir.path()), Vec::<String>::new());
                    Outcome {
                        records: None,
                        rows: None,
                        end: end_of(&e),
                    }
                }
            }
        }
        "write_to_std" => {
            let out = Shared::default();
            let end = match export.write_to_std(out.clone()).await {
                Ok(_) => End::Complete,
                Err(e) => end_of(&e),
            };
            let got = out.0.lock().expect("lock").clone();
            Outcome::new(Some(records_in(format, &got)), end)
        }
        "records" => match export.records().await {
            Err(e) => Outcome::new(Some(Vec::new()), end_of(&e)),
            Ok(mut records) => {
                let mut got = Vec::new();
                let mut end = End::Complete;
                while let Some(record) = records.next().await {
                    match record {
                        Ok(record) => got.push(Value::Object(record)),
                        Err(e) => {
                            end = end_of(&e);
                            break;
                        }
                    }
                }
                Outcome::new(Some(got), end)
            }
        },
        "raw_records" => match export.raw_records().await {
            Err(e) => Outcome::new(Some(Vec::new()), end_of(&e)),
            Ok(mut records) => {
                let mut got = Vec::new();
                let mut end = End::Complete;
                while let Some(record) = records.next().await {
                    match record {
                        Ok(record) => got.push(
                            serde_json::from_str(record.as_str()).expect("a raw record is JSON"),
                        ),
                        Err(e) => {
                            end = end_of(&e);
                            break;
                        }
                    }
                }
                Outcome::new(Some(got), end)
            }
        },
        "csv_rows" => match export.csv_rows().await {
            Err(e) => Outcome::new(Some(Vec::new()), end_of(&e)),
            Ok(mut rows) => {
                let mut got = Vec::new();
                let mut end = End::Complete;
                while let Some(row) = rows.next().await {
                    match row {
                        Ok(row) => got.push(Value::Object(row.to_map())),
                        Err(e) => {
                            end = end_of(&e);
                            break;
                        }
                    }
                }
                Outcome::new(Some(got), end)
            }
        },
        "record_batches" => {
            let options = galileo_export::columnar::ColumnarOptions::default().batch_size(2);
            match export.record_batches(options).await {
                Err(e) => Outcome {
                    records: None,
                    rows: Some(0),
                    end: end_of(&e),
                },
                Ok(mut batches) => {
                    let mut rows = 0;
                    let mut end = End::Complete;
                    while let Some(batch) = batches.next().await {
                        match batch {
                            Ok(batch) => rows += batch.num_rows(),
                            Err(e) => {
                                end = end_of(&e);
                                break;
                            }
                        }
                    }
                    Outcome {
                        records: None,
                        rows: Some(rows),
                        end,
                    }
                }
            }
        }
        other => panic!("no path {other}"),
    }
}

fn paths(format: Format) -> &'static [&'static str] {
    match format {
        Format::Jsonl => &[
            "bytes",
            "save",
            "write_to_std",
            "records",
            "raw_records",
            "record_batches",
        ],
        Format::Csv => &["bytes", "save", "write_to_std", "csv_rows"],
    }
}

/// A runtime for the library's read paths.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn every_read_path_and_chunking_comes_to_one_outcome() {
    let cases = Arc::new(bodies::table());
    let server = bodies::server(cases.clone());
    let runtime = runtime();
    let mut runs = 0;
    for (index, case) in cases.iter().enumerate() {
        for chunk in bodies::CHUNKINGS {
            let mut first: Option<(&str, Outcome)> = None;
            for &path in paths(case.format) {
                let export = common::hostile_export(&server.base_url())
                    .format(case.format.export_format())
                    .file_name(bodies::tag(index, chunk))
                    .max_record_size(bodies::LIMIT);
                let got = runtime.block_on(library(path, case.format, export));
                runs += 1;
                let reference = first.as_ref().map(|(name, outcome)| (*name, outcome));
                bodies::check(case, chunk, path, &got, reference);
                if first.is_none() {
                    first = Some((path, got));
                }
            }
        }
    }
    assert_eq!(runs, 20 * 3 * 6 + 8 * 3 * 4);
}

/// `RecordCheck::Shape` over the same table through `bytes()`: the same outcome as the
/// full check on every body except where the first bad line is valid UTF-8 from `{` to
/// `}` (only "bad JSON" in the table), where it delivers that line and those after it.
/// It never refuses earlier, never refuses differently, and never loses a record.
#[test]
fn the_shape_check_comes_to_the_full_checks_outcome_but_for_json_between_braces() {
    let cases = Arc::new(bodies::table());
    let server = bodies::server(cases.clone());
    let runtime = runtime();
    let mut differing = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        if case.format != Format::Jsonl {
            continue;
        }
        for chunk in bodies::CHUNKINGS {
            let export = |check| {
                common::hostile_export(&server.base_url())
                    .format(case.format.export_format())
                    .file_name(bodies::tag(index, chunk))
                    .max_record_size(bodies::LIMIT)
                    .record_check(check)
            };
            let full = runtime.block_on(bodies::read_bytes(export(RecordCheck::Full), case.format));
            let shape =
                runtime.block_on(bodies::read_bytes(export(RecordCheck::Shape), case.format));
            let at = format!("{} in {chunk}-byte reads", case.name);
            bodies::check(case, chunk, "bytes (full)", &full, None);
            if shape == full {
                continue;
            }
            let Some(End::Failed("Record", Some(line))) = Some(&full.end) else {
                panic!("{at}: shape {shape:?}, full {full:?}");
            };
            let (ours, theirs) = (shape.records.as_deref(), full.records.as_deref());
            let (Some(ours), Some(theirs)) = (ours, theirs) else {
                panic!("{at}: records not shown");
            };
            assert!(ours.len() > theirs.len(), "{at}: shape delivered {ours:?}");
            assert_eq!(
                &ours[..theirs.len()],
                theirs,
                "{at}: the records before line {line}"
            );
            if let End::Failed(_, Some(later)) = shape.end {
                assert!(later > *line, "{at}: shape ended at line {later}");
            }
            differing.push(case.name);
        }
    }
    differing.dedup();
    assert_eq!(differing, ["bad JSON"]);
}
