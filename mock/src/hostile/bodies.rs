//! One table of hostile export bodies and the outcome each must come to, shared by the
//! read-path tests of `galileo-export` (every library path) and of its command line:
//! bodies cut inside a record, over the record-size limit, not JSON Lines, not an
//! export at all, compressed with trailing garbage or without a trailer, as JSON Lines
//! and as CSV. The server ([`server`]) answers each export with the case and chunking its
//! `file_name` names ([`tag`]), in chunks of the given size, over real sockets.
//!
//! Invariant: a case states the records delivered before the end and the end (complete,
//! or the kind of error and, for an error about one record, its line); every path and
//! every chunking must come to exactly that ([`check`]), and where two paths show the
//! records, the same records.

use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use galileo_export::records::{CsvDecoder, CsvRow, RecordDecoder, RecordError};
use galileo_export::{Error, ExportBuilder, ExportFormat};
use serde_json::Value;

use super::{HostileServer, RecordedRequest, Reply};

/// The maximum record size of every export of the table.
pub const LIMIT: u64 = 64;

/// The chunkings: bytes per read of the body as the server sends it (chunked framing,
/// one chunk per read); `usize::MAX` is the whole body at once.
pub const CHUNKINGS: [usize; 3] = [1, 7, usize::MAX];

/// The format of a case's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// The export format asked of the server.
    pub fn export_format(self) -> ExportFormat {
        match self {
            Format::Jsonl => ExportFormat::Jsonl,
            Format::Csv => ExportFormat::Csv,
        }
    }

    /// The format's name on the command line (`--format`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

/// How the HTTP body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// The chunked body ends with its terminator: only what it holds can be wrong.
    Clean,
    /// The connection closes without the terminator: a cut on the wire.
    Abrupt,
}

/// How an export ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Every record arrived and the export ended cleanly.
    Complete,
    /// The error's kind and, for errors about one record, its line.
    Failed(&'static str, Option<u64>),
}

/// What one path delivered: the records before the end (`None` when the path does not
/// show them: Arrow batches are counted; a failed `save` leaves no file, so neither),
/// how many, and the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The records before the end, if the path shows them.
    pub records: Option<Vec<Value>>,
    /// How many records before the end, if the path counts them.
    pub rows: Option<usize>,
    /// How the export ended.
    pub end: End,
}

impl Outcome {
    /// An outcome with these records (their number as `rows`) and this end.
    pub fn new(records: Option<Vec<Value>>, end: End) -> Outcome {
        let rows = records.as_ref().map(Vec::len);
        Outcome { records, rows, end }
    }
}

/// One hostile body and the outcome every read path must come to.
pub struct Case {
    /// What the case is, for messages.
    pub name: &'static str,
    /// The format of the body.
    pub format: Format,
    /// The `Content-Encoding` of the body, if compressed.
    pub coding: Option<&'static str>,
    /// How the HTTP body ends.
    pub close: Close,
    /// The body as sent (compressed, if `coding` says so).
    pub body: Vec<u8>,
    /// Records delivered before the end.
    pub records: usize,
    /// How the export ends.
    pub end: End,
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

/// The table: every case, in a stable order (a case's index is part of its tag).
pub fn table() -> Vec<Case> {
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
pub fn reply(case: &Case, chunk: usize) -> Reply {
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
pub fn tag(case: usize, chunk: usize) -> String {
    format!("{case}/{chunk}")
}

/// The end a library error stands for; panics on an error outside the table's kinds.
pub fn end_of(error: &Error) -> End {
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

/// The records in delivered bytes: JSON Lines lines, or the complete CSV rows.
pub fn records_in(format: Format, bytes: &[u8]) -> Vec<Value> {
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

/// A raw server answering each export with the case and chunking its `file_name` tags
/// ([`tag`]), on a runtime of its own; an export with an unknown tag gets a 500.
pub fn server(cases: Arc<Vec<Case>>) -> HostileServer {
    HostileServer::start_with_blocking(move |request: &RecordedRequest, _| {
        let tag = request.json()["file_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let parsed = tag
            .split_once('/')
            .and_then(|(case, chunk)| Some((case.parse::<usize>().ok()?, chunk.parse().ok()?)));
        match parsed {
            Some((case, chunk)) if case < cases.len() => reply(&cases[case], chunk),
            _ => Reply::status(500).body(format!("no case {tag:?}")),
        }
    })
}

/// The outcome of the library's `bytes()` path: the records in the bytes it delivered,
/// and its end.
pub async fn read_bytes(export: ExportBuilder, format: Format) -> Outcome {
    match export.bytes().await {
        Err(e) => Outcome::new(Some(Vec::new()), end_of(&e)),
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
            Outcome::new(Some(records_in(format, &got)), end)
        }
    }
}

/// Asserts that `got`, what `path` delivered for `case` in `chunk`-byte reads, is the
/// end and the number of records the table states and, where both show the records, the
/// records `reference` (another path's outcome of the same run, by name) delivered.
pub fn check(
    case: &Case,
    chunk: usize,
    path: &str,
    got: &Outcome,
    reference: Option<(&str, &Outcome)>,
) {
    let at = format!("{} in {chunk}-byte reads, {path}", case.name);
    assert_eq!(got.end, case.end, "{at}: the end");
    if let Some(rows) = got.rows {
        assert_eq!(rows, case.records, "{at}: records before the end");
    }
    if let Some((first_path, reference)) = reference {
        if let (Some(theirs), Some(ours)) = (&reference.records, &got.records) {
            assert_eq!(ours, theirs, "{at}: the records {first_path} delivered");
        }
    }
}
