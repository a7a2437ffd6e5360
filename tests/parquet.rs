//! Columnar exports (feature `parquet`): the Parquet file read back with the `parquet`
//! crate's own reader must hold every value of the JSON Lines export of the same data,
//! awkward records included; cuts, bad records and resumes behave as on the other paths;
//! an independent reader (DuckDB, in a venv) agrees when Python can provide it.

mod common;

use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field};
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
        DataType::Timestamp(..) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(row);
            let t = chrono::DateTime::from_timestamp_micros(micros).expect("timestamp");
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
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

/// Put a value kept in the catch-all column back at its path (`a.b`, `tags[1]`).
fn put_back(record: &mut Value, path: &str, value: Value) {
    let mut target = record;
    let mut segments = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((name, rest)) => {
                segments.push(Err(name.to_string()));
                for index in rest.split('[') {
                    segments.push(Ok(index
                        .trim_end_matches(']')
                        .parse::<usize>()
                        .expect("index")));
                }
            }
            None => segments.push(Err(part.to_string())),
        }
    }
    for segment in segments {
        target = match segment {
            Err(name) => {
                if !target.is_object() {
                    *target = json!({});
                }
                target
                    .as_object_mut()
                    .expect("object")
                    .entry(name)
                    .or_insert(Value::Null)
            }
            Ok(index) => &mut target[index],
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
                                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
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
    assert_eq!(kept.value(0), r#"{"other":true}"#);
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
  SELECT count(*), sum(n), min(epoch_us(created_at)), count(_unmapped),
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
        .timestamp_micros();
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
