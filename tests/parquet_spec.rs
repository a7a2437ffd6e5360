//! Columnar exports of records shaped as Galileo's newer spec defines them (feature
//! `parquet`), over HTTP from the local server: every root type (sessions with their
//! traces, traces with their spans, spans of every type) exported to Parquet, read back
//! with the `parquet` crate and compared record by record with the JSON Lines export of
//! the same server, for several seeds; the schema holds nested children as lists of
//! structs and the map fields as JSON text, and nothing goes to the catch-all column.
//! CSV of every root type has a row per record, its nested columns as the records'
//! JSON text.

#[path = "common/columnar.rs"]
mod columnar;
mod common;

use std::collections::BTreeSet;

use arrow_schema::{DataType, Field, Schema};
use futures::TryStreamExt;
use galileo_export::columnar::{
    arrow_schema, ColumnarOptions, ParquetOptions, JSON_TEXT_METADATA_KEY,
};
use galileo_export::{Client, ExportFormat, RootType};
use galileo_export_mock::MockServer;
use serde_json::{Map, Value};

use columnar::{first_difference, normalized, read_parquet, rebuild};

/// Records of each root type per server.
const RECORDS: u64 = 240;
/// The data sets exported.
const SEEDS: [u64; 3] = [1, 21, 4_242];
const ROOTS: [RootType; 3] = [RootType::Session, RootType::Trace, RootType::Span];

fn client(server: &MockServer) -> Client {
    common::mock::client_builder(server)
        .build()
        .expect("client builds")
}

async fn jsonl(client: &Client, server: &MockServer, root: RootType) -> Vec<Map<String, Value>> {
    common::mock::export(client, server)
        .root_type(root)
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("JSON Lines export")
}

/// A compact view of a field's type, for the assertions and their messages.
fn describe(field: &Field) -> String {
    match field.data_type() {
        DataType::Utf8 if field.metadata().contains_key(JSON_TEXT_METADATA_KEY) => "json".into(),
        DataType::List(item) => format!("[{}]", describe(item)),
        DataType::Struct(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.name(), describe(f)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn field<'a>(fields: &'a [arrow_schema::FieldRef], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name() == name)
        .unwrap_or_else(|| panic!("a field `{name}`"))
}

/// The struct fields of a list-of-structs field.
fn list_of_structs(field: &Field) -> Vec<arrow_schema::FieldRef> {
    match field.data_type() {
        DataType::List(item) => match item.data_type() {
            DataType::Struct(fields) => fields.iter().cloned().collect(),
            _ => panic!(
                "`{}`: a list of structs, not {}",
                field.name(),
                describe(field)
            ),
        },
        _ => panic!(
            "`{}`: a list of structs, not {}",
            field.name(),
            describe(field)
        ),
    }
}

/// What the documented rule makes of a record's fields (at the top level of an export
/// or nested in another record).
fn check_record_fields(fields: &[arrow_schema::FieldRef], top_level: bool, what: &str) {
    for map in [
        "user_metadata",
        "metric_info",
        "annotations",
        "annotation_aggregates",
        "annotation_agreement",
        "feedback_rating_info",
        "dataset_metadata",
    ] {
        assert_eq!(describe(field(fields, map)), "json", "{what}: `{map}`");
    }
    let metrics = describe(field(fields, "metrics"));
    assert!(
        metrics.starts_with("{duration_ns: Int64"),
        "{what}: `metrics` is a struct of its keys: {metrics}"
    );
    assert_eq!(describe(field(fields, "tags")), "[Utf8]", "{what}: tags");
    assert_eq!(describe(field(fields, "file_ids")), "[Utf8]", "{what}");
    let created_at = describe(field(fields, "created_at"));
    if top_level {
        assert_eq!(created_at, "Timestamp(ns, \"UTC\")", "{what}: created_at");
    } else {
        assert_eq!(created_at, "Utf8", "{what}: nested created_at");
    }
}

fn check_schema(schema: &Schema, root: RootType) {
    let fields: Vec<_> = schema.fields().iter().cloned().collect();
    check_record_fields(&fields, true, &format!("{root}"));
    match root {
        RootType::Session => {
            let traces = list_of_structs(field(&fields, "traces"));
            check_record_fields(&traces, false, "session → traces");
            let spans = list_of_structs(field(&traces, "spans"));
            check_record_fields(&spans, false, "trace → spans");
            let children = list_of_structs(field(&spans, "spans"));
            check_record_fields(&children, false, "workflow → spans");
        }
        RootType::Trace => {
            let spans = list_of_structs(field(&fields, "spans"));
            check_record_fields(&spans, false, "trace → spans");
            let children = list_of_structs(field(&spans, "spans"));
            check_record_fields(&children, false, "workflow → spans");
            let names: BTreeSet<&str> = children.iter().map(|f| f.name().as_str()).collect();
            for span_field in [
                "model",
                "temperature",
                "agent_type",
                "tool_call_id",
                "control_id",
            ] {
                assert!(
                    names.contains(span_field),
                    "the union of the span types' fields: `{span_field}` in {names:?}"
                );
            }
        }
        _ => {
            assert!(schema.field_with_name("spans").is_err(), "flat spans");
        }
    }
}

fn assert_same_records(parquet: &[Value], jsonl: &[Map<String, Value>], what: &str) {
    assert_eq!(parquet.len(), jsonl.len(), "{what}: records");
    for (i, (got, want)) in parquet.iter().zip(jsonl).enumerate() {
        let (got, want) = (normalized(got), normalized(&Value::Object(want.clone())));
        if got != want {
            panic!(
                "{what}, record {i} differs: {}",
                first_difference(&got, &want, "").unwrap_or_default()
            );
        }
    }
}

#[tokio::test]
async fn every_root_type_round_trips_through_parquet_record_by_record() {
    for seed in SEEDS {
        let server = common::mock::server(RECORDS, seed).await;
        let client = client(&server);
        for root in ROOTS {
            let what = format!("seed {seed}, {root}");
            let records = jsonl(&client, &server, root).await;
            assert_eq!(records.len() as u64, RECORDS, "{what}");

            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("export.parquet");
            let summary = common::mock::export(&client, &server)
                .root_type(root)
                .save_parquet(&path, ParquetOptions::default())
                .await
                .expect("Parquet export");
            assert_eq!(summary.records, Some(RECORDS), "{what}");
            assert_eq!(
                summary.unmapped_values, 0,
                "{what}: a schema inferred from every record holds every value"
            );
            let batches = read_parquet(&path);
            check_schema(&batches[0].schema(), root);
            assert_same_records(&rebuild(&batches), &records, &what);
        }
    }
}

/// A schema inferred from a few records meets fields it has not seen (kept in the
/// catch-all column), and every value still comes back.
#[tokio::test]
async fn record_batches_from_a_small_sample_keep_every_value() {
    let server = common::mock::server(RECORDS, 7).await;
    let client = client(&server);
    for root in ROOTS {
        let records = jsonl(&client, &server, root).await;
        let options = ColumnarOptions::default().infer_records(3).batch_size(50);
        let batches: Vec<_> = common::mock::export(&client, &server)
            .root_type(root)
            .record_batches(options)
            .await
            .expect("export starts")
            .try_collect()
            .await
            .expect("record batches");
        assert_same_records(&rebuild(&batches), &records, &format!("{root}, 3 sampled"));
    }
}

/// CSV cell → the JSON value it renders (by the JSON Lines value's kind): objects and
/// lists as their JSON text, strings as text, numbers and booleans as their JSON text,
/// null as an empty field.
fn cell_matches(cell: &str, value: Option<&Value>, column: &str) -> bool {
    match value {
        None | Some(Value::Null) => cell.is_empty(),
        Some(Value::String(s)) if column == "created_at" || column == "updated_at" => {
            let instant = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
            instant(cell).is_some() && instant(cell) == instant(s)
        }
        Some(Value::String(s)) => cell == s,
        Some(Value::Number(n)) => cell.parse::<f64>().ok() == n.as_f64(),
        Some(other) => serde_json::from_str::<Value>(cell).ok().as_ref() == Some(other),
    }
}

#[tokio::test]
async fn csv_of_every_root_type_has_a_row_per_record_and_nested_columns_as_json_text() {
    for seed in [1, 21] {
        let server = common::mock::server(RECORDS, seed).await;
        let client = client(&server);
        for root in ROOTS {
            let records = jsonl(&client, &server, root).await;
            // Every top-level field the records have (the children are not CSV columns).
            let mut columns: Vec<String> = Vec::new();
            for record in &records {
                for key in record.keys() {
                    if !columns.contains(key) && key != "spans" && key != "traces" {
                        columns.push(key.clone());
                    }
                }
            }
            let rows: Vec<_> = common::mock::export(&client, &server)
                .root_type(root)
                .format(ExportFormat::Csv)
                .columns(columns.clone())
                .csv_rows()
                .await
                .expect("CSV export starts")
                .try_collect()
                .await
                .expect("CSV export");
            assert_eq!(rows.len(), records.len(), "seed {seed}, {root}: rows");
            let nested: BTreeSet<&str> = ["metric_info", "user_metadata", "metrics", "tags"].into();
            for (i, (row, record)) in rows.iter().zip(&records).enumerate() {
                for column in &columns {
                    let cell = row.get(column).expect("a column of the header");
                    assert!(
                        cell_matches(cell, record.get(column), column),
                        "seed {seed}, {root} row {i}, `{column}`: {cell:?} vs {:?}",
                        record.get(column)
                    );
                    if nested.contains(column.as_str()) && !cell.is_empty() {
                        let parsed: Value = serde_json::from_str(cell).expect("JSON text");
                        assert!(parsed.is_object() || parsed.is_array() || parsed.is_null());
                    }
                }
            }
        }
    }
}

/// An independent reader (DuckDB, from a venv when Python can provide it) reads the
/// nested columns of a trace export: the spans as lists of structs, unnested two levels
/// deep, their struct fields, and the JSON text of `metric_info`.
#[tokio::test]
async fn duckdb_reads_the_nested_spans_of_a_trace_export() {
    let Some(python) = columnar::duckdb_python() else {
        eprintln!("SKIPPED duckdb_reads_the_nested_spans_of_a_trace_export: no python3 with a venv able to install duckdb");
        return;
    };
    let server = common::mock::server(RECORDS, 21).await;
    let client = client(&server);
    let records = jsonl(&client, &server, RootType::Trace).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("traces.parquet");
    common::mock::export(&client, &server)
        .root_type(RootType::Trace)
        .save_parquet(&path, ParquetOptions::default())
        .await
        .expect("Parquet export");
    let script = r#"
import duckdb, json, sys
con = duckdb.connect()
f = sys.argv[1]
top = con.execute("""SELECT count(*), sum(metrics.duration_ns), sum(len(spans)),
  count(*) FILTER (WHERE json_type(metric_info) = 'OBJECT') FROM read_parquet(?)""", [f]).fetchone()
spans = con.execute("""SELECT count(*), sum(s.metrics.duration_ns), count(s.type), sum(len(s.spans))
  FROM (SELECT unnest(spans) AS s FROM read_parquet(?))""", [f]).fetchone()
children = con.execute("""SELECT count(*), sum(c.metrics.duration_ns), count(c.model)
  FROM (SELECT unnest(s.spans) AS c FROM (SELECT unnest(spans) AS s FROM read_parquet(?)))""", [f]).fetchone()
print(json.dumps([int(v or 0) for v in top + spans + children]))
"#;
    let output = std::process::Command::new(&python)
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

    let int = |v: &Value, key: &str| v["metrics"][key].as_i64().unwrap_or(0);
    let list = |v: &Value, key: &str| v[key].as_array().cloned().unwrap_or_default();
    let traces: Vec<Value> = records.into_iter().map(Value::Object).collect();
    let spans: Vec<Value> = traces.iter().flat_map(|t| list(t, "spans")).collect();
    let children: Vec<Value> = spans.iter().flat_map(|s| list(s, "spans")).collect();
    let present = |items: &[Value], key: &str| items.iter().filter(|v| !v[key].is_null()).count();
    let expected: Vec<i64> = vec![
        traces.len() as i64,
        traces.iter().map(|t| int(t, "duration_ns")).sum(),
        spans.len() as i64,
        present(&traces, "metric_info") as i64,
        spans.len() as i64,
        spans.iter().map(|s| int(s, "duration_ns")).sum(),
        present(&spans, "type") as i64,
        children.len() as i64,
        children.len() as i64,
        children.iter().map(|c| int(c, "duration_ns")).sum(),
        present(&children, "model") as i64,
    ];
    assert_eq!(got, expected);
    assert!(children.len() > 100, "nested spans: {}", children.len());
    assert!(expected[10] > 0, "LLM spans among the nested spans");
}
