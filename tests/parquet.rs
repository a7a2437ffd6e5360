//! Columnar exports (feature `parquet`): the Parquet file read back with the `parquet`
//! crate's own reader must hold every value of the JSON Lines export of the same data,
//! awkward records included; cuts, bad records and resumes behave as on the other paths;
//! an independent reader (DuckDB, in a venv) agrees when Python can provide it.

mod common;

use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int64Type, TimestampMicrosecondType, TimestampNanosecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, TimeUnit};
use futures::TryStreamExt;
use galileo_export::columnar::{
    arrow_array, arrow_schema, parquet, ColumnarOptions, ParquetOptions, JSON_TEXT_METADATA_KEY,
    UNMAPPED_COLUMN,
};
use galileo_export::{Error, ExportBuilder};
use galileo_export_mock::hostile::{HostileServer, Reply};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Map, Value};

fn export(base_url: &str) -> ExportBuilder {
    common::hostile_export(base_url)
}

const RECORDS: usize = 2_000;
const BIG: usize = 1_700;

fn created_at(i: usize) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .expect("date")
        .to_utc();
    (base - chrono::Duration::microseconds(i as i64 * 1_500_001))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Records with every shape the schema rule must cope with: mixed int/float, a field
/// that appears only after the sample, an integer column that later meets floats, a
/// column of nulls only, deep nesting, free-form maps, non-ASCII text, a 10 MB string.
fn awkward(i: usize) -> Value {
    let mut record = json!({
        "id": format!("rec-{i:05}"),
        "created_at": created_at(i),
        "n": i,
        "x": if i.is_multiple_of(3) { json!(i as f64 + 0.5) } else { json!(i) },
        "switch": if i >= 1_200 && i.is_multiple_of(7) { json!(2.5) } else { json!(i % 10) },
        "nothing": null,
        "ok": i.is_multiple_of(2),
        "deep": {"a": {"b": {"c": {"d": [i, i + 1]}}}},
        "metadata": {format!("k{}", i % 5): i},
        "tags": ["t", format!("日本語 ✓ é 😀 {i}")],
        "text": if i == BIG { "x".repeat(10 << 20) } else { format!("Grüße {i} — «ok»") },
    });
    if i >= 1_500 {
        record["late"] = json!({"arrived": i});
    }
    record
}

fn jsonl(records: impl Iterator<Item = Value>) -> String {
    records.map(|r| format!("{r}\n")).collect()
}

/// How many values cannot fit the inferred schema: `late` (not in the sample) and the
/// floats of `switch` (an integer column in the sample).
fn expected_unmapped() -> u64 {
    let late = RECORDS - 1_500;
    let switch = (1_200..RECORDS).filter(|i| i % 7 == 0).count();
    (late + switch) as u64
}

/// Arrow value → JSON, by the column's type (JSON text columns parsed back).
fn to_json(array: &ArrayRef, field: &Field, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match field.data_type() {
        DataType::Boolean => json!(array.as_boolean().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(array.as_primitive::<Float64Type>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(row);
            let t = chrono::DateTime::from_timestamp_micros(micros).expect("timestamp");
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            let nanos = array.as_primitive::<TimestampNanosecondType>().value(row);
            let t = chrono::DateTime::from_timestamp_nanos(nanos);
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        }
        DataType::Utf8 => {
            let text = array.as_string::<i32>().value(row);
            if field.metadata().contains_key(JSON_TEXT_METADATA_KEY) {
                serde_json::from_str(text).expect("JSON text")
            } else {
                json!(text)
            }
        }
        DataType::List(item) => {
            let list = array.as_list::<i32>().value(row);
            Value::Array((0..list.len()).map(|i| to_json(&list, item, i)).collect())
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), to_json(c, f, row)))
                    .collect(),
            )
        }
        other => panic!("unexpected column type {other}"),
    }
}

/// Put a value kept in the catch-all column back at its path, a JSON pointer (`/a/b`,
/// `/tags/1`, `~1` for `/` and `~0` for `~` in a key): a segment is a list index where
/// the value there is a list, a key otherwise.
fn put_back(record: &mut Value, path: &str, value: Value) {
    let mut target = record;
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    assert!(path.starts_with('/'), "a JSON pointer: {path}");
    for segment in segments {
        target = match target {
            Value::Array(items) => &mut items[segment.parse::<usize>().expect("index")],
            _ => {
                if !target.is_object() {
                    *target = json!({});
                }
                target
                    .as_object_mut()
                    .expect("object")
                    .entry(segment)
                    .or_insert(Value::Null)
            }
        };
    }
    *target = value;
}

/// Records rebuilt from batches: typed columns plus what the catch-all kept.
fn rebuild(batches: &[RecordBatch]) -> Vec<Value> {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut record = Map::new();
            let mut kept = Value::Null;
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                let value = to_json(column, field, row);
                if field.name() == UNMAPPED_COLUMN {
                    kept = value;
                } else {
                    record.insert(field.name().clone(), value);
                }
            }
            let mut record = Value::Object(record);
            if let Value::Object(kept) = kept {
                for (path, value) in kept {
                    put_back(&mut record, &path, value);
                }
            }
            out.push(record);
        }
    }
    out
}

/// Compare as values: object keys that are null or missing are the same, numbers are
/// compared as numbers, `created_at` as an instant.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("created_at", Value::String(s)) => {
                            let t = chrono::DateTime::parse_from_rfc3339(s).expect("date");
                            json!(t
                                .to_utc()
                                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
                        }
                        _ => normalized(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Number(n) => json!(n.as_f64()),
        other => other.clone(),
    }
}

fn read_parquet(path: &std::path::Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("file");
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches")
}

#[tokio::test]
async fn parquet_holds_every_value_of_the_json_lines_export() {
    let body = jsonl((0..RECORDS).map(awkward));
    let server = HostileServer::start(vec![
        Reply::status(200).body(body.clone()),
        Reply::status(200).body(body),
    ])
    .await;
    let jsonl_records: Vec<Map<String, Value>> = export(&server.base_url())
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("JSON Lines export");
    assert_eq!(jsonl_records.len(), RECORDS);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.parquet");
    let summary = export(&server.base_url())
        .save_parquet(&path, ParquetOptions::default().row_group_bytes(4 << 20))
        .await
        .expect("Parquet export");
    assert_eq!(summary.records, Some(RECORDS as u64));
    assert_eq!(summary.unmapped_values, expected_unmapped());

    let batches = read_parquet(&path);
    let schema = batches[0].schema();
    let type_of = |name: &str| {
        schema
            .field_with_name(name)
            .expect(name)
            .data_type()
            .clone()
    };
    assert!(matches!(type_of("created_at"), DataType::Timestamp(_, Some(tz)) if &*tz == "UTC"));
    assert_eq!(type_of("n"), DataType::Int64);
    assert_eq!(type_of("x"), DataType::Float64);
    assert_eq!(type_of("switch"), DataType::Int64);
    assert!(matches!(type_of("deep"), DataType::Struct(_)));
    assert!(matches!(type_of("tags"), DataType::List(_)));
    for json_text in ["nothing", "metadata", UNMAPPED_COLUMN] {
        let field = schema.field_with_name(json_text).expect("field");
        assert!(
            field.metadata().contains_key(JSON_TEXT_METADATA_KEY),
            "{json_text}"
        );
    }
    assert!(
        schema.field_with_name("late").is_err(),
        "`late` came after the sample"
    );

    let rebuilt = rebuild(&batches);
    assert_eq!(rebuilt.len(), RECORDS);
    for (i, (parquet, original)) in rebuilt.iter().zip(&jsonl_records).enumerate() {
        let original = Value::Object(original.clone());
        assert!(
            normalized(parquet) == normalized(&original),
            "record {i} differs:\nparquet:  {}\noriginal: {}",
            excerpt(parquet),
            excerpt(&original)
        );
    }
    let big = rebuilt[BIG]["text"].as_str().expect("text");
    assert_eq!(big.len(), 10 << 20);
}

fn excerpt(value: &Value) -> String {
    value.to_string().chars().take(400).collect()
}

#[tokio::test]
async fn record_batches_stream_with_a_given_schema() {
    let body = jsonl((0..10).map(|i| json!({"id": format!("r{i}"), "n": i, "other": true})));
    let server = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let schema = arrow_schema::Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("n", DataType::Float64, true),
    ]);
    let stream = export(&server.base_url())
        .record_batches(
            ColumnarOptions::default()
                .schema(std::sync::Arc::new(schema))
                .batch_size(4),
        )
        .await
        .expect("export starts");
    assert_eq!(
        stream.schema().fields().len(),
        3,
        "the catch-all column is added"
    );
    let batches: Vec<RecordBatch> = stream.try_collect().await.expect("batches");
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [4, 4, 2]
    );
    let n = batches[2].column(1).as_primitive::<Float64Type>();
    assert_eq!(n.value(1), 9.0);
    let kept = batches[0].column(2).as_string::<i32>();
    assert_eq!(kept.value(0), r#"{"/other":true}"#);
}

#[tokio::test]
async fn a_cut_export_is_an_error_and_leaves_no_file() {
    let mut body = jsonl((0..50).map(awkward));
    body.push_str("{\"id\":\"rec-00050\",\"crea");
    let server = HostileServer::start(vec![Reply::status(200).close_delimited().body(body)]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.parquet");
    std::fs::write(&path, b"previous").expect("write");
    let error = export(&server.base_url())
        .save_parquet(&path, ParquetOptions::default())
        .await
        .expect_err("a cut is an error");
    assert!(matches!(error, Error::Cut { records: 50, .. }), "{error}");
    assert_eq!(std::fs::read(&path).expect("read"), b"previous");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

#[tokio::test]
async fn a_bad_record_is_an_error_with_its_line_after_the_rows_before_it() {
    let mut body = jsonl((0..5).map(awkward));
    body.push_str("{\"id\": \"bad\" \"n\": 1}\n");
    body.push_str(&jsonl((6..8).map(awkward)));
    let server = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let mut stream = export(&server.base_url())
        .record_batches(ColumnarOptions::default().infer_records(2))
        .await
        .expect("export starts");
    let mut rows = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(batch)) => rows += batch.num_rows(),
            Ok(None) => panic!("a bad record must end the export with an error"),
            Err(e) => break e,
        }
    };
    assert_eq!(rows, 5);
    assert!(
        matches!(
            error,
            Error::Record(galileo_export::records::RecordError::Json { line: 6, .. })
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_resumed_parquet_export_has_every_record_once() {
    // The first answer breaks after 30 whole records; the resumed request (narrowed to
    // created_at <= the last one delivered) is answered from that record on.
    let records: Vec<Value> = (0..60).map(awkward).collect();
    let mut first = jsonl(records[..30].iter().cloned());
    first.push_str("{\"id\":\"rec-000");
    let second = jsonl(records[29..].iter().cloned());
    let server = HostileServer::start(vec![
        Reply::status(200).close_delimited().body(first),
        Reply::status(200).body(second),
    ])
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("resumed.parquet");
    let summary = export(&server.base_url())
        .resume(true)
        .save_parquet(&path, ParquetOptions::default())
        .await
        .expect("resumed export");
    assert_eq!((summary.records, summary.resumes), (Some(60), 1));
    let rebuilt = rebuild(&read_parquet(&path));
    let ids: Vec<&str> = rebuilt.iter().filter_map(|r| r["id"].as_str()).collect();
    let expected: Vec<String> = (0..60).map(|i| format!("rec-{i:05}")).collect();
    assert_eq!(ids, expected);
    let narrowed = server.requests()[1].json();
    assert_eq!(narrowed["filters"][0]["column_id"], "created_at");
}

/// The file read by an independent implementation: DuckDB, from PyPI, in a virtual
/// environment under the target directory. Skipped (with a message) where Python, venv
/// or the package index is not available.
#[tokio::test]
async fn duckdb_reads_the_file_and_agrees() {
    let Some(python) = duckdb_python() else {
        eprintln!("SKIPPED duckdb_reads_the_file_and_agrees: no python3 with a venv able to install duckdb");
        return;
    };
    let body = jsonl((0..RECORDS).filter(|i| *i != BIG).map(awkward));
    let server = HostileServer::start(vec![Reply::status(200).body(body)]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("duck.parquet");
    export(&server.base_url())
        .save_parquet(&path, ParquetOptions::default())
        .await
        .expect("Parquet export");
    let script = r#"
import duckdb, json, sys
con = duckdb.connect()
row = con.execute("""
  SELECT count(*), sum(n), min(epoch_ns(created_at)), count(_unmapped),
         sum(deep.a.b.c.d[1]), max(length(tags[2]))
  FROM read_parquet(?)""", [sys.argv[1]]).fetchone()
print(json.dumps([int(v) for v in row]))
"#;
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got: Vec<i64> = serde_json::from_slice(&output.stdout).expect("JSON");
    let indices: Vec<usize> = (0..RECORDS).filter(|i| *i != BIG).collect();
    let oldest = chrono::DateTime::parse_from_rfc3339(&created_at(RECORDS - 1))
        .expect("date")
        .timestamp_nanos_opt()
        .expect("in range");
    let unmapped_rows = indices
        .iter()
        .filter(|i| **i >= 1_500 || (**i >= 1_200 && **i % 7 == 0))
        .count();
    let expected = vec![
        indices.len() as i64,
        indices.iter().sum::<usize>() as i64,
        oldest,
        unmapped_rows as i64,
        indices.iter().sum::<usize>() as i64,
        indices
            .iter()
            .map(|i| format!("日本語 ✓ é 😀 {i}").chars().count())
            .max()
            .unwrap_or(0) as i64,
    ];
    assert_eq!(got, expected);
}

/// A Python that can `import duckdb`: one from a venv under the target directory
/// (created, and duckdb installed from PyPI, the first time).
fn duckdb_python() -> Option<std::path::PathBuf> {
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("duckdb-venv");
    let python = venv.join("bin").join("python");
    let works = |python: &std::path::Path| {
        Command::new(python)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&python) {
        return Some(python);
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .is_ok_and(|o| o.status.success());
    if !created {
        return None;
    }
    let installed = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    (installed && works(&python)).then_some(python)
}

#[test]
fn the_blocking_twins_write_and_stream_the_same_rows() {
    use galileo_export::blocking::BlockingExport;

    let body = jsonl((0..30).map(awkward));
    let server = HostileServer::start_blocking(vec![
        Reply::status(200).body(body.clone()),
        Reply::status(200).body(body),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("blocking.parquet");
    let summary = export(&server.base_url())
        .save_parquet_blocking(&path, ParquetOptions::default())
        .expect("Parquet export");
    assert_eq!(summary.records, Some(30));
    let from_file = rebuild(&read_parquet(&path));
    let batches: Vec<RecordBatch> = export(&server.base_url())
        .record_batches_blocking(ColumnarOptions::default().batch_size(7))
        .expect("export starts")
        .collect::<Result<_, _>>()
        .expect("batches");
    assert_eq!(batches.len(), 5);
    assert_eq!(rebuild(&batches), from_file);
}

// ---------------------------------------------------------------------------------------
// Values kept exactly (issue 18, items 7–12)

/// Serve `body` (JSON Lines) to every request.
async fn serve(body: String) -> HostileServer {
    HostileServer::start_with(move |_, _| Reply::status(200).body(body.clone())).await
}

/// The Parquet file of an export of `body`, read back.
async fn parquet_of(body: &str, options: ParquetOptions) -> Vec<RecordBatch> {
    let server = serve(body.to_string()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.parquet");
    export(&server.base_url())
        .save_parquet(&path, options)
        .await
        .expect("Parquet export");
    read_parquet(&path)
}

/// The catch-all of one row: JSON pointer → the value's JSON text, as stored.
fn kept(batch: &RecordBatch, row: usize) -> std::collections::BTreeMap<String, String> {
    let column = batch
        .column_by_name(UNMAPPED_COLUMN)
        .expect("catch-all")
        .as_string::<i32>();
    if column.is_null(row) {
        return Default::default();
    }
    let map: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_str(column.value(row)).expect("a JSON object");
    map.into_iter()
        .map(|(k, v)| (k, v.get().to_string()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn integers_beyond_64_bits_keep_their_exact_text() {
    let body = "{\"n\":1,\"x\":0.5,\"big\":18446744073709551616,\"meta\":{\"k\":1}}\n\
                {\"n\":18446744073709551616,\"x\":123000000000000000000000000000,\"big\":-9223372036854775809,\"meta\":{\"v\":340282366920938463463374607431768211457}}\n\
                {\"n\":-9223372036854775809,\"x\":9007199254740993,\"big\":null,\"meta\":null}\n\
                {\"n\":9223372036854775807,\"x\":-9007199254740992,\"big\":36893488147419103232,\"meta\":null}\n";
    let batches = parquet_of(body, ParquetOptions::default()).await;
    let batch = &batches[0];
    let schema = batch.schema();
    assert_eq!(
        schema.field_with_name("n").expect("n").data_type(),
        &DataType::Int64
    );
    assert_eq!(
        schema.field_with_name("x").expect("x").data_type(),
        &DataType::Float64
    );
    let big = schema.field_with_name("big").expect("big");
    assert!(
        big.metadata().contains_key(JSON_TEXT_METADATA_KEY),
        "integers beyond 64 bits only: JSON text"
    );
    let n = batch
        .column_by_name("n")
        .expect("n")
        .as_primitive::<Int64Type>();
    assert_eq!((n.value(0), n.value(3)), (1, i64::MAX));
    assert!(n.is_null(1) && n.is_null(2));
    let x = batch
        .column_by_name("x")
        .expect("x")
        .as_primitive::<Float64Type>();
    assert_eq!((x.value(0), x.value(3)), (0.5, -9007199254740992.0));
    assert!(x.is_null(1) && x.is_null(2), "beyond 2^53: not rounded");
    let big = batch.column_by_name("big").expect("big").as_string::<i32>();
    assert_eq!(
        (big.value(0), big.value(1), big.value(3)),
        (
            "18446744073709551616",
            "-9223372036854775809",
            "36893488147419103232"
        )
    );
    // `meta`: a struct of the optional fields `k` and `v`; `v` saw only integers beyond
    // 64 bits, so it is JSON text holding the exact digits.
    let meta = batch.column_by_name("meta").expect("meta").as_struct();
    assert_eq!(meta.column_names(), ["k", "v"]);
    let v = meta.column_by_name("v").expect("v").as_string::<i32>();
    assert_eq!(v.value(1), "340282366920938463463374607431768211457");
    assert!(meta.is_null(2) && v.is_null(0));
    assert_eq!(
        kept(batch, 1),
        pairs(&[
            ("/n", "18446744073709551616"),
            ("/x", "123000000000000000000000000000")
        ])
    );
    assert_eq!(
        kept(batch, 2),
        pairs(&[("/n", "-9223372036854775809"), ("/x", "9007199254740993")])
    );
}

#[tokio::test]
async fn timestamps_keep_their_nanoseconds_and_what_a_timestamp_cannot_hold_is_kept() {
    let body = "{\"created_at\":\"2026-06-01T06:19:42.420444123Z\",\"updated_at\":\"2026-06-01T08:19:42.000000001+02:00\"}\n\
                {\"created_at\":\"2026-06-01T06:19:42.999999999Z\",\"updated_at\":\"1970-01-01T00:00:00Z\"}\n\
                {\"created_at\":\"2026-06-01T06:19:42.1234567891Z\",\"updated_at\":\"2300-01-01T00:00:00Z\"}\n";
    let batches = parquet_of(
        body,
        ParquetOptions::default().columnar(ColumnarOptions::default().infer_records(2)),
    )
    .await;
    let batch = &batches[0];
    for name in ["created_at", "updated_at"] {
        assert_eq!(
            batch
                .schema()
                .field_with_name(name)
                .expect(name)
                .data_type(),
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
        );
    }
    let created = batch
        .column_by_name("created_at")
        .expect("created_at")
        .as_primitive::<TimestampNanosecondType>();
    let updated = batch
        .column_by_name("updated_at")
        .expect("updated_at")
        .as_primitive::<TimestampNanosecondType>();
    assert_eq!(created.value(0), 1_780_294_782_420_444_123);
    assert_eq!(created.value(1), 1_780_294_782_999_999_999);
    assert_eq!(updated.value(0), 1_780_294_782_000_000_001);
    assert_eq!(updated.value(1), 0);
    assert!(created.is_null(2) && updated.is_null(2));
    assert_eq!(
        kept(batch, 2),
        pairs(&[
            ("/created_at", "\"2026-06-01T06:19:42.1234567891Z\""),
            ("/updated_at", "\"2300-01-01T00:00:00Z\"")
        ])
    );
}

#[tokio::test]
async fn catch_all_paths_are_json_pointers_that_never_collide() {
    let first = json!({"a": {"b": 1}, "t": [1, 2], "x": 1});
    let second = json!({
        "a": {"b": "nested", "c~d/e": true},
        "a.b": "dotted",
        "a/b": "slashed",
        "t": [3, "item"],
        "t[1]": "bracketed",
        "~1": "tilde",
        "é/日本": [1],
        "_unmapped": {"a user's": "field"},
    });
    let body = jsonl([first.clone(), second.clone()].into_iter());
    let batches = parquet_of(
        &body,
        ParquetOptions::default().columnar(ColumnarOptions::default().infer_records(1)),
    )
    .await;
    assert_eq!(
        kept(&batches[0], 1),
        pairs(&[
            ("/a/b", "\"nested\""),
            ("/a/c~0d~1e", "true"),
            ("/a.b", "\"dotted\""),
            ("/a~1b", "\"slashed\""),
            ("/t/1", "\"item\""),
            ("/t[1]", "\"bracketed\""),
            ("/~01", "\"tilde\""),
            ("/é~1日本", "[1]"),
            ("/_unmapped", "{\"a user's\":\"field\"}"),
        ])
    );
    let rebuilt = rebuild(&batches);
    assert_eq!(normalized(&rebuilt[0]), normalized(&first));
    assert_eq!(normalized(&rebuilt[1]), normalized(&second));
}

/// The shortest text of random doubles (and the two of the issue), as the server would
/// write them.
fn random_double_texts(count: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut texts = vec![
        "0.9452706955539223".to_string(),
        "-7322045297955127.0".to_string(),
    ];
    while texts.len() < count {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let v = f64::from_bits(z);
        if v.is_finite() {
            // `{:?}` is the shortest text that reads back as the same double.
            let text = format!("{v:?}");
            texts.push(if text.contains(['.', 'e']) {
                text
            } else {
                format!("{text}.0")
            });
        }
    }
    texts
}

#[tokio::test]
async fn floats_are_the_correctly_rounded_double_of_their_text_on_every_path() {
    let texts = random_double_texts(5_000);
    let body: String = texts
        .iter()
        .map(|t| format!("{{\"x\":{t},\"nested\":{{\"y\":[{t}]}}}}\n"))
        .collect();
    let expected: Vec<f64> = texts.iter().map(|t| t.parse().expect("a double")).collect();
    let server = serve(body.clone()).await;

    let records: Vec<Map<String, Value>> = export(&server.base_url())
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("records");
    #[derive(serde::Deserialize)]
    struct Typed {
        x: f64,
    }
    let typed: Vec<Typed> = export(&server.base_url())
        .records_as::<Typed>()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("records");
    let batches = parquet_of(&body, ParquetOptions::default()).await;
    let mut from_parquet = Vec::new();
    for batch in &batches {
        let x = batch
            .column_by_name("x")
            .expect("x")
            .as_primitive::<Float64Type>();
        let items = batch
            .column_by_name("nested")
            .expect("nested")
            .as_struct()
            .column(0);
        let items = items.as_list::<i32>();
        for row in 0..batch.num_rows() {
            let y = items.value(row);
            from_parquet.push((x.value(row), y.as_primitive::<Float64Type>().value(0)));
        }
    }
    assert_eq!(from_parquet.len(), texts.len());
    for (i, text) in texts.iter().enumerate() {
        let want = expected[i].to_bits();
        let got = [
            records[i]["x"].as_f64().expect("x").to_bits(),
            typed[i].x.to_bits(),
            from_parquet[i].0.to_bits(),
            from_parquet[i].1.to_bits(),
        ];
        assert_eq!(
            got, [want; 4],
            "{text}: records(), records_as, Parquet, nested Parquet"
        );
    }
}

/// `depth` nested arrays around `1` (`[[[1]]]`), or nested objects (`{"a":{"a":1}}`).
fn nested(depth: usize, objects: bool) -> String {
    if objects {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    } else {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }
}

#[tokio::test]
async fn deep_nesting_and_numbers_beyond_f64_are_kept_not_refused() {
    let deep = nested(200, true);
    let deeper = nested(100_000, false);
    let lines = [
        format!("{{\"id\":\"a\",\"v\":1.5,\"deep\":{deep},\"arr\":[1]}}"),
        format!("{{\"id\":\"b\",\"v\":1e400,\"deep\":{deep},\"arr\":{deeper}}}"),
        format!("{{\"id\":\"c\",\"v\":-1E400,\"late\":{deeper},\"arr\":[1e400]}}"),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // JSON Lines passes it through.
    let server = serve(body.clone()).await;
    let saved = export(&server.base_url()).bytes().await.expect("bytes");
    let saved: Vec<u8> = saved
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .expect("JSON Lines export");
    assert_eq!(saved, body.as_bytes());
    // And so does Parquet, every value kept.
    let batches = parquet_of(
        &body,
        ParquetOptions::default().columnar(ColumnarOptions::default().infer_records(1)),
    )
    .await;
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 3);
    // Structs down to the column depth (16 levels), the rest as JSON text.
    let mut column = batch.column_by_name("deep").expect("deep").clone();
    let mut levels = 0;
    while matches!(column.data_type(), DataType::Struct(_)) {
        column = column.as_struct().column(0).clone();
        levels += 1;
    }
    assert_eq!(levels, 15);
    assert_eq!(
        column.as_string::<i32>().value(1),
        nested(200 - levels, true)
    );
    let v = batch
        .column_by_name("v")
        .expect("v")
        .as_primitive::<Float64Type>();
    assert_eq!(v.value(0), 1.5);
    // (Compared without printing: the values are 100,000 levels deep.)
    let inner = nested(100_000 - 1, false);
    let row1 = kept(batch, 1);
    assert!(
        row1 == pairs(&[("/v", "1e400"), ("/arr/0", inner.as_str())]),
        "row 1 kept {:?}",
        row1.keys().collect::<Vec<_>>()
    );
    let row2 = kept(batch, 2);
    assert!(
        row2 == pairs(&[
            ("/v", "-1E400"),
            ("/late", deeper.as_str()),
            ("/arr/0", "1e400")
        ]),
        "row 2 kept {:?}",
        row2.keys().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_record_with_100000_keys_is_capped_at_the_column_limit_and_kept_whole() {
    let mut wide = Map::new();
    for k in 0..100_000 {
        wide.insert(format!("k{k}"), json!(k));
    }
    let wide = Value::Object(wide);
    let body = jsonl(std::iter::once(wide.clone()));
    let batches = parquet_of(&body, ParquetOptions::default()).await;
    let schema = batches[0].schema();
    assert_eq!(
        schema.fields().len(),
        1_000,
        "the default cap, catch-all included"
    );
    assert_eq!(schema.field(998).name(), "k998");
    assert_eq!(kept(&batches[0], 0).len(), 100_000 - 999);
    assert_eq!(normalized(&rebuild(&batches)[0]), normalized(&wide));

    // 300 records of 100 keys each, none shared, and a cap of 50: nested structs count
    // one column per field.
    let records: Vec<Value> = (0..300)
        .map(|r| {
            let mut record = Map::new();
            record.insert("s".into(), json!({"a": r, "b": {"c": r, "d": r}}));
            for k in 0..100 {
                record.insert(format!("r{r}k{k}"), json!(format!("{r}/{k}")));
            }
            Value::Object(record)
        })
        .collect();
    let body = jsonl(records.iter().cloned());
    let batches = parquet_of(
        &body,
        ParquetOptions::default().columnar(ColumnarOptions::default().max_columns(50)),
    )
    .await;
    let schema = batches[0].schema();
    let leaves: usize = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Struct(_) => 3,
            _ => 1,
        })
        .sum();
    assert_eq!(leaves, 50);
    assert!(matches!(schema.field(0).data_type(), DataType::Struct(_)));
    assert_eq!(schema.fields().len(), 48);
    let rebuilt = rebuild(&batches);
    assert_eq!(rebuilt.len(), 300);
    for (got, want) in rebuilt.iter().zip(&records) {
        assert_eq!(normalized(got), normalized(want));
    }
}

#[tokio::test]
async fn batches_of_large_records_are_sized_by_bytes() {
    // Records of about 15 KB: a batch ends at 1 MiB of JSON (the option), not at 8,192
    // rows.
    let records: Vec<Value> = (0..400)
        .map(|i| json!({"id": i, "spans": [{"text": "x".repeat(15_000), "i": i}]}))
        .collect();
    let body = jsonl(records.iter().cloned());
    let line = body.len() / records.len();
    let server = serve(body).await;
    let batches: Vec<RecordBatch> = export(&server.base_url())
        .record_batches(ColumnarOptions::default().batch_bytes(1 << 20))
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("batches");
    let rows: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    let per_batch = (1 << 20) / (line - 1) + 1;
    assert_eq!(rows.iter().sum::<usize>(), 400);
    assert!(
        rows[..rows.len() - 1].iter().all(|r| *r == per_batch),
        "{rows:?}"
    );
}
