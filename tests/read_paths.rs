//! One table of hostile bodies, fed through every way of reading an export (`bytes`,
//! `save`, `write_to_std`, `records`, `raw_records`, `csv_rows`, `record_batches`, the
//! CLI) in several chunkings (a byte per read, 7 bytes per read, the whole body at once),
//! over real sockets: every path and every chunking must come to one outcome, the same
//! records and then the same end (complete, or the same kind of error at the same line),
//! and that outcome is the one the table states. A record rule that only one path
//! applies, or only when a record spans reads, fails here.
#![cfg(all(feature = "cli", feature = "parquet"))]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::hostile::{HostileServer, RecordedRequest, Reply};
use futures::StreamExt;
use galileo_export::records::{CsvDecoder, CsvRow, RecordDecoder, RecordError};
use galileo_export::{Error, ExportBuilder, ExportFormat};
use serde_json::Value;

/// The maximum record size of every export of the table.
const LIMIT: u64 = 64;

/// The chunkings: bytes per read of the body as the server sends it (chunked framing,
/// one chunk per read); `usize::MAX` is the whole body at once.
const CHUNKINGS: [usize; 3] = [1, 7, usize::MAX];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jsonl,
    Csv,
}

/// How the HTTP body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    /// The chunked body ends with its terminator: only what it holds can be wrong.
    Clean,
    /// The connection closes without the terminator: a cut on the wire.
    Abrupt,
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    Complete,
    /// The error's kind and, for errors about one record, its line.
    Failed(&'static str, Option<u64>),
}

/// What one path delivered: the records before the end (`None` when the path does not
/// show them: Arrow batches are counted; a failed `save` leaves no file, so neither),
/// how many, and the end.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    records: Option<Vec<Value>>,
    rows: Option<usize>,
    end: End,
}

struct Case {
    name: &'static str,
    format: Format,
    coding: Option<&'static str>,
    close: Close,
    body: Vec<u8>,
    /// Records delivered before the end.
    records: usize,
    end: End,
}

fn rec(id: &str) -> String {
    format!("{{\"id\":\"{id}\",\"n\":1}}")
}

fn lines(records: &[&str]) -> Vec<u8> {
    records
        .iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut out = Vec::new();
        async_compression::tokio::bufread::BrotliEncoder::new(bytes)
            .read_to_end(&mut out)
            .await
            .expect("brotli");
        out
    })
}

fn table() -> Vec<Case> {
    use End::{Complete, Failed};
    let (a, b, c, d) = (rec("a"), rec("b"), rec("c"), rec("d"));
    let three = lines(&[&a, &b, &c]);
    // Exactly at the limit, and one byte over it.
    let at_limit = format!("{{\"id\":\"e\",\"pad\":\"{}\"}}", "x".repeat(64 - 19));
    let over = format!("{{\"id\":\"e\",\"pad\":\"{}\"}}", "x".repeat(65 - 19));
    assert_eq!((at_limit.len(), over.len()), (64, 65));
    let json = |name, body: Vec<u8>, records, end| Case {
        name,
        format: Format::Jsonl,
        coding: None,
        close: Close::Clean,
        body,
        records,
        end,
    };
    let csv = |name, body: &str, records, end| Case {
        name,
        format: Format::Csv,
        coding: None,
        close: Close::Clean,
        body: body.as_bytes().to_vec(),
        records,
        end,
    };
    let mut garbage_gzip = gzip(&three);
    garbage_gzip.extend_from_slice(b"trailing garbage");
    let mut garbage_br = brotli(&three);
    garbage_br.extend_from_slice(b"trailing garbage");
    let whole_gzip = gzip(&three);
    let no_trailer = whole_gzip[..whole_gzip.len() - 4].to_vec();
    let mut invalid_utf8 = lines(&[&a]);
    invalid_utf8.extend_from_slice(b"{\"id\":\"\xff\xfe\"}\n");
    invalid_utf8.extend_from_slice(&lines(&[&c]));
    vec![
        json("valid", three.clone(), 3, Complete),
        json(
            "no final line break",
            format!("{a}\n{b}\n{c}").into_bytes(),
            3,
            Complete,
        ),
        json(
            "blank lines and CRLF",
            format!("{a}\r\n\r\n  \n{b}\r\n").into_bytes(),
            2,
            Complete,
        ),
        json(
            "a record at the limit",
            lines(&[&a, &at_limit, &c]),
            3,
            Complete,
        ),
        json(
            "cut inside a record",
            format!("{a}\n{b}\n{{\"id\":\"c\",\"n\":").into_bytes(),
            2,
            Failed("Cut", None),
        ),
        Case {
            close: Close::Abrupt,
            ..json(
                "connection closed inside a record",
                format!("{a}\n{b}\n{{\"id\":\"c").into_bytes(),
                2,
                Failed("Cut", None),
            )
        },
        json(
            "an array line",
            lines(&[&a, &b, "[1,2]", &d]),
            2,
            Failed("Record", Some(3)),
        ),
        json(
            "a bare number line",
            lines(&[&a, "42", &c]),
            1,
            Failed("Record", Some(2)),
        ),
        json(
            "a bare string line",
            lines(&[&a, "\"text\"", &c]),
            1,
            Failed("Record", Some(2)),
        ),
        json(
            "a record over the limit",
            lines(&[&a, &over, &c]),
            1,
            Failed("RecordTooLarge", Some(2)),
        ),
        json(
            "a last record over the limit",
            format!("{a}\n{over}").into_bytes(),
            1,
            Failed("RecordTooLarge", Some(2)),
        ),
        json("invalid UTF-8", invalid_utf8, 1, Failed("Record", Some(2))),
        json(
            "bad JSON",
            lines(&[&a, &b, "{\"id\": 3 \"x\": 1}"]),
            2,
            Failed("Record", Some(3)),
        ),
        json(
            "garbage after a record",
            lines(&[&a, &format!("{b} x")]),
            1,
            Failed("Record", Some(2)),
        ),
        json(
            "an HTML page",
            b"<html><body>502 Bad Gateway</body></html>\n".to_vec(),
            0,
            Failed("NotAnExport", None),
        ),
        json(
            "an error object",
            b"{\"detail\":\"Not authenticated\"}\n".to_vec(),
            0,
            Failed("NotAnExport", None),
        ),
        json(
            "an array first",
            lines(&["[1,2]", &b]),
            0,
            Failed("NotAnExport", None),
        ),
        Case {
            coding: Some("gzip"),
            ..json(
                "gzip with trailing garbage",
                garbage_gzip,
                3,
                Failed("Encoding", None),
            )
        },
        Case {
            coding: Some("br"),
            ..json(
                "brotli with trailing garbage",
                garbage_br,
                3,
                Failed("Encoding", None),
            )
        },
        Case {
            coding: Some("gzip"),
            ..json(
                "gzip without its trailer",
                no_trailer,
                3,
                Failed("Cut", None),
            )
        },
        csv("CSV: valid", "id,t\r\n1,a\r\n2,\"x\ny\"\r\n", 2, Complete),
        csv(
            "CSV: cut inside quotes",
            "id,t\n1,a\n2,\"x\n",
            1,
            Failed("Cut", None),
        ),
        csv(
            "CSV: no final line break",
            "id,t\n1,a\n2,b",
            1,
            Failed("Cut", None),
        ),
        csv(
            "CSV: a row over the limit",
            &format!("id,t\n1,a\n2,{}\n3,c\n", "y".repeat(70)),
            1,
            Failed("RecordTooLarge", Some(3)),
        ),
        Case {
            body: b"id,t\n1,a\n2,\xff\xfe\n3,c\n".to_vec(),
            ..csv("CSV: invalid UTF-8", "", 1, Failed("Record", Some(3)))
        },
        csv(
            "CSV: a row without all its fields",
            "id,t\n1,a\n2\n3,c\n",
            1,
            Failed("Record", Some(3)),
        ),
        csv(
            "CSV: an HTML page",
            "<!DOCTYPE html><html></html>\n",
            0,
            Failed("NotAnExport", None),
        ),
        csv(
            "CSV: JSON",
            "{\"detail\":\"nope\"}\n",
            0,
            Failed("NotAnExport", None),
        ),
    ]
}

/// The reply for `case` in chunks of `chunk` bytes.
fn reply(case: &Case, chunk: usize) -> Reply {
    let content_type = match case.format {
        Format::Jsonl => "application/json",
        Format::Csv => "text/csv",
    };
    let mut reply = Reply::status(200).header("Content-Type", content_type);
    if let Some(coding) = case.coding {
        reply = reply.header("Content-Encoding", coding);
    }
    reply = match case.close {
        Close::Clean => reply.chunked(),
        Close::Abrupt => reply.chunked_unterminated(),
    };
    for piece in case.body.chunks(chunk.min(case.body.len().max(1))) {
        reply = reply.body(piece.to_vec());
    }
    reply
}

/// The tag of a run, sent as the export's file name: `case/chunking`.
fn tag(case: usize, chunk: usize) -> String {
    format!("{case}/{chunk}")
}

fn end_of(error: &Error) -> End {
    match error {
        Error::Cut { .. } => End::Failed("Cut", None),
        Error::Record(record) => End::Failed("Record", line_of(record)),
        Error::RecordTooLarge { line, .. } => End::Failed("RecordTooLarge", Some(*line)),
        Error::NotAnExport { .. } => End::Failed("NotAnExport", None),
        Error::Encoding { .. } => End::Failed("Encoding", None),
        other => panic!("an error outside the table's kinds: {other:?}"),
    }
}

fn line_of(error: &RecordError) -> Option<u64> {
    match error {
        RecordError::Json { line, .. }
        | RecordError::InvalidUtf8 { line, .. }
        | RecordError::CsvFieldCount { line, .. }
        | RecordError::Truncated { line, .. } => Some(*line),
        _ => None,
    }
}

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

/// The records in delivered bytes: JSON Lines lines, or the complete CSV rows.
fn records_in(format: Format, bytes: &[u8]) -> Vec<Value> {
    match format {
        Format::Jsonl => bytes
            .split(|&b| b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .map(|line| {
                serde_json::from_slice(line)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(line).into()))
            })
            .collect(),
        Format::Csv => {
            // Complete rows only: the decoder is not told the input ended.
            let mut decoder = CsvDecoder::<CsvRow>::default();
            decoder.push(Bytes::copy_from_slice(bytes));
            let mut rows = Vec::new();
            while let Some(Ok(row)) = decoder.next_record() {
                rows.push(Value::Object(row.to_map()));
            }
            rows
        }
    }
}

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

fn outcome(records: Option<Vec<Value>>, end: End) -> Outcome {
    let rows = records.as_ref().map(Vec::len);
    Outcome { records, rows, end }
}

/// Read `case` through the library path `path`.
async fn library(path: &str, format: Format, export: ExportBuilder) -> Outcome {
    match path {
        "bytes" => match export.bytes().await {
            Err(e) => outcome(Some(Vec::new()), end_of(&e)),
            Ok(mut body) => {
                let mut got = Vec::new();
                let mut end = End::Complete;
                while let Some(chunk) = body.next().await {
                    match chunk {
                        Ok(chunk) => got.extend_from_slice(&chunk),
                        Err(e) => {
                            end = end_of(&e);
                            break;
                        }
                    }
                }
                outcome(Some(records_in(format, &got)), end)
            }
        },
        "save" => {
            let dir = tempfile::tempdir().expect("a temp dir");
            let file = dir.path().join("out");
            match export.save(&file).await {
                Ok(_) => {
                    let got = std::fs::read(&file).expect("the file");
                    outcome(Some(records_in(format, &got)), End::Complete)
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
            outcome(Some(records_in(format, &got)), end)
        }
        "records" => match export.records().await {
            Err(e) => outcome(Some(Vec::new()), end_of(&e)),
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
                outcome(Some(got), end)
            }
        },
        "raw_records" => match export.raw_records().await {
            Err(e) => outcome(Some(Vec::new()), end_of(&e)),
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
                outcome(Some(got), end)
            }
        },
        "csv_rows" => match export.csv_rows().await {
            Err(e) => outcome(Some(Vec::new()), end_of(&e)),
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
                outcome(Some(got), end)
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
            "cli",
        ],
        Format::Csv => &["bytes", "save", "write_to_std", "csv_rows", "cli"],
    }
}

#[test]
fn every_read_path_and_chunking_comes_to_one_outcome() {
    let cases = Arc::new(table());
    let served = cases.clone();
    let server = HostileServer::start_with_blocking(move |request: &RecordedRequest, _| {
        let tag = request.json()["file_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let parsed = tag
            .split_once('/')
            .and_then(|(case, chunk)| Some((case.parse::<usize>().ok()?, chunk.parse().ok()?)));
        match parsed {
            Some((case, chunk)) if case < served.len() => reply(&served[case], chunk),
            _ => Reply::status(500).body(format!("no case {tag:?}")),
        }
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut runs = 0;
    for (index, case) in cases.iter().enumerate() {
        for chunk in CHUNKINGS {
            let mut first: Option<(&str, Outcome)> = None;
            for &path in paths(case.format) {
                let tag = tag(index, chunk);
                let format = match case.format {
                    Format::Jsonl => ExportFormat::Jsonl,
                    Format::Csv => ExportFormat::Csv,
                };
                let got = if path == "cli" {
                    let output = common::cli::for_hostile(&server, "k")
                        .args(["--file-name", &tag, "--max-record-size", "64", "--quiet"])
                        .args([
                            "--format",
                            match case.format {
                                Format::Jsonl => "jsonl",
                                Format::Csv => "csv",
                            },
                        ])
                        .output()
                        .expect("the CLI runs");
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let end = cli_end(output.status.code(), &stderr);
                    outcome(Some(records_in(case.format, &output.stdout)), end)
                } else {
                    let export = common::hostile_export(&server.base_url())
                        .format(format)
                        .file_name(tag)
                        .max_record_size(LIMIT);
                    runtime.block_on(library(path, case.format, export))
                };
                runs += 1;
                let at = format!("{} in {chunk}-byte reads, {path}", case.name);
                assert_eq!(got.end, case.end, "{at}: the end");
                if let Some(rows) = got.rows {
                    assert_eq!(rows, case.records, "{at}: records before the end");
                }
                match &first {
                    None => first = Some((path, got)),
                    Some((first_path, reference)) => {
                        if let (Some(theirs), Some(ours)) = (&reference.records, &got.records) {
                            assert_eq!(ours, theirs, "{at}: the records {first_path} delivered");
                        }
                    }
                }
            }
        }
    }
    assert_eq!(runs, 20 * 3 * 7 + 8 * 3 * 5);
}
