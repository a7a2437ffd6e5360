//! Every way to consume an export (the library's read paths, plain reqwest, curl), each
//! timed as one run.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathKind {
    /// Plain reqwest, same URL and body: the transport limit.
    Reqwest,
    /// `ExportBuilder::bytes()`: the limit of this client.
    Bytes,
    /// `bytes()` with `record_check(RecordCheck::Shape)`.
    BytesShape,
    /// `ExportBuilder::save(path)`.
    Save,
    /// `save(path)` with `record_check(RecordCheck::Shape)`.
    SaveShape,
    /// `write_to(BufWriter::with_capacity(1 MiB, tokio::fs::File))`: what `save()` does,
    /// without its temporary file and rename.
    WriteToBuffered,
    /// `bytes()` written with blocking `std::fs::File` writes in the task: no thread
    /// hop per chunk (a reference, not a recommended way to write async code).
    BytesStdFile,
    /// `curl -s -X POST ... -o <file>`: the cost of writing the body to this disk.
    CurlFile,
    /// `records()`: `serde_json::Map`.
    Map,
    /// `records_as::<Trace>()`.
    Typed,
    /// `raw_records()`.
    RawRecords,
    /// `bytes()` of the CSV export (the CSV limit).
    CsvBytes,
    /// `csv_rows()`.
    CsvRows,
    /// `curl -s -X POST ... -o /dev/null` (subprocess).
    Curl,
    /// The same JSON Lines body from memory (64 KiB chunks): decode cost alone.
    MemMap,
    MemTyped,
    MemRaw,
    /// `save_parquet(path, default)` (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl PathKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            PathKind::Reqwest => "plain reqwest drain (transport limit)",
            PathKind::Bytes => "`bytes()` drain (raw drain, this client's limit)",
            PathKind::BytesShape => "`bytes()` drain, `RecordCheck::Shape`",
            PathKind::Save => "`save(path)`",
            PathKind::SaveShape => "`save(path)`, `RecordCheck::Shape`",
            PathKind::WriteToBuffered => {
                "`write_to(BufWriter::with_capacity(1 MiB, tokio::fs::File))` (`save()` without temp file + rename)"
            }
            PathKind::BytesStdFile => "`bytes()` + blocking `std::fs::File::write_all`",
            PathKind::CurlFile => "`curl -s -X POST … -o <file>` (same disk)",
            PathKind::Map => "`records()` → `serde_json::Map`",
            PathKind::Typed => "`records_as::<Trace>()` (typed struct)",
            PathKind::RawRecords => "`raw_records()` (validated raw JSON)",
            PathKind::CsvBytes => "CSV: `bytes()` drain",
            PathKind::CsvRows => "CSV: `csv_rows()`",
            PathKind::Curl => "`curl -s -X POST … -o /dev/null`",
            PathKind::MemMap => "from memory: `JsonLinesDecoder<Map>`",
            PathKind::MemTyped => "from memory: `JsonLinesDecoder<Trace>`",
            PathKind::MemRaw => "from memory: `JsonLinesDecoder<RawRecord>`",
            #[cfg(feature = "parquet")]
            PathKind::Parquet => "`save_parquet(path)` (one pass to a zstd Parquet file)",
        }
    }

    pub(crate) fn is_csv(self) -> bool {
        matches!(self, PathKind::CsvBytes | PathKind::CsvRows)
    }
}

/// One plain reqwest client for the whole run (building one loads TLS roots: not
/// something to time).
pub(crate) fn plain_http() -> &'static reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(reqwest::Client::new)
}

/// Every chunk of `body`, counted into `run`.
async fn drain(body: &mut galileo_export::BodyStream, run: &mut Run) {
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("chunk");
        run.bytes += chunk.len() as u64;
        run.chunks += 1;
    }
}

pub(crate) async fn run_path(kind: PathKind, t: &Target, client: &Client, memory: &Bytes) -> Run {
    let start = Instant::now();
    let export = || client.export(t.project_id).log_stream(t.log_stream_id);
    let mut run = Run {
        bytes: 0,
        records: 0,
        elapsed: Duration::ZERO,
        chunks: 0,
    };
    match kind {
        PathKind::Reqwest => {
            let resp = plain_http()
                .post(t.export_url())
                .header(t.api_key_header.as_str(), t.api_key.as_str())
                .header("content-type", "application/json")
                .body(t.body("jsonl"))
                .send()
                .await
                .expect("reqwest send");
            assert!(resp.status().is_success(), "HTTP {}", resp.status());
            let mut body = resp.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("reqwest chunk");
                run.bytes += chunk.len() as u64;
                run.chunks += 1;
            }
        }
        PathKind::Bytes | PathKind::CsvBytes => {
            let format = if kind.is_csv() {
                ExportFormat::Csv
            } else {
                ExportFormat::Jsonl
            };
            let mut body = export().format(format).bytes().await.expect("bytes()");
            drain(&mut body, &mut run).await;
            if !kind.is_csv() {
                run.records = body.progress().records;
            }
        }
        PathKind::BytesShape => {
            let mut body = export()
                .record_check(galileo_export::RecordCheck::Shape)
                .bytes()
                .await
                .expect("bytes()");
            drain(&mut body, &mut run).await;
            run.records = body.progress().records;
        }
        #[cfg(feature = "parquet")]
        PathKind::Parquet => {
            let path = scratch_path("parquet");
            let summary = export()
                .save_parquet(&path, galileo_export::columnar::ParquetOptions::default())
                .await
                .expect("save_parquet()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
        }
        PathKind::Save | PathKind::SaveShape => {
            let path = scratch_path("save");
            let check = if kind == PathKind::Save {
                galileo_export::RecordCheck::Full
            } else {
                galileo_export::RecordCheck::Shape
            };
            let summary = export()
                .record_check(check)
                .save(&path)
                .await
                .expect("save()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            // Count the deletion out: time stops when save() returns.
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::Map => {
            let mut records = export().records().await.expect("records()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::Typed => {
            let mut records = export().records_as::<Trace>().await.expect("records_as()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::RawRecords => {
            let mut records = export().raw_records().await.expect("raw_records()");
            while let Some(r) = records.next().await {
                black_box(r.expect("record"));
                run.records += 1;
            }
            run.bytes = records.progress().bytes;
        }
        PathKind::CsvRows => {
            let mut rows = export()
                .format(ExportFormat::Csv)
                .csv_rows()
                .await
                .expect("csv_rows()");
            while let Some(r) = rows.next().await {
                black_box(r.expect("row"));
                run.records += 1;
            }
            run.bytes = rows.progress().bytes;
        }
        PathKind::WriteToBuffered => {
            let path = scratch_path("write-to");
            let file = tokio::fs::File::create(&path).await.expect("create");
            let writer = tokio::io::BufWriter::with_capacity(1 << 20, file);
            let summary = export().write_to(writer).await.expect("write_to()");
            run.bytes = summary.bytes;
            run.records = summary.records.unwrap_or(0);
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::BytesStdFile => {
            use std::io::Write;
            let path = scratch_path("std-file");
            let mut file = std::fs::File::create(&path).expect("create");
            let mut body = export().bytes().await.expect("bytes()");
            while let Some(chunk) = body.next().await {
                let chunk = chunk.expect("chunk");
                file.write_all(&chunk).expect("write");
                run.bytes += chunk.len() as u64;
                run.chunks += 1;
            }
            file.flush().expect("flush");
            drop(file);
            run.records = body.progress().records;
            run.elapsed = start.elapsed();
            let _ = std::fs::remove_file(&path);
            return run;
        }
        PathKind::Curl | PathKind::CurlFile => {
            let path = scratch_path("curl");
            let out = Command::new("curl")
                .args(["-s", "-X", "POST", "--fail"])
                .arg(t.export_url())
                .arg("-H")
                .arg(format!("{}: {}", t.api_key_header, t.api_key))
                .args(["-H", "Content-Type: application/json", "-d"])
                .arg(t.body("jsonl"))
                .arg("-o")
                .arg(if kind == PathKind::Curl {
                    Path::new("/dev/null")
                } else {
                    path.as_path()
                })
                .args(["-w", "%{size_download} %{time_total}"])
                .output()
                .expect("curl");
            let _ = std::fs::remove_file(&path);
            assert!(out.status.success(), "curl failed: {:?}", out);
            let text = String::from_utf8_lossy(&out.stdout);
            let mut it = text.split_whitespace();
            run.bytes = it.next().and_then(|v| v.parse().ok()).expect("size");
            let secs: f64 = it.next().and_then(|v| v.parse().ok()).expect("time");
            run.elapsed = Duration::from_secs_f64(secs);
            return run;
        }
        PathKind::MemMap => {
            run.records = feed(memory, JsonLinesDecoder::<Map<String, Value>>::default());
            run.bytes = memory.len() as u64;
        }
        PathKind::MemTyped => {
            run.records = feed(memory, JsonLinesDecoder::<Trace>::default());
            run.bytes = memory.len() as u64;
        }
        PathKind::MemRaw => {
            run.records = feed(memory, JsonLinesDecoder::<RawRecord>::default());
            run.bytes = memory.len() as u64;
        }
    }
    run.elapsed = start.elapsed();
    run
}
