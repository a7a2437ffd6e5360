//! Records rebuilt from Arrow batches as JSON, and the comparison with the JSON Lines
//! export (for the columnar tests; included with `#[path]` where the `parquet` feature
//! is on).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int64Type, TimestampMicrosecondType, TimestampNanosecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, TimeUnit};
use galileo_export::columnar::{
    arrow_array, arrow_schema, parquet, JSON_TEXT_METADATA_KEY, UNMAPPED_COLUMN,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Map, Value};

/// The largest integer a double holds exactly.
const F64_EXACT: u64 = 1 << 53;

/// Arrow value → JSON, by the column's type (JSON text columns parsed back).
pub fn to_json(array: &ArrayRef, field: &Field, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match field.data_type() {
        DataType::Boolean => json!(array.as_boolean().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(array.as_primitive::<Float64Type>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(row);
            json!(time_text(micros * 1_000))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            json!(time_text(
                array.as_primitive::<TimestampNanosecondType>().value(row)
            ))
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
        DataType::Struct(fields) => Value::Object(
            fields
                .iter()
                .zip(array.as_struct().columns())
                .map(|(f, c)| (f.name().clone(), to_json(c, f, row)))
                .collect(),
        ),
        other => panic!("unexpected column type {other}"),
    }
}

fn time_text(nanos: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(nanos)
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Put a value kept in the catch-all column back at its path, a JSON pointer: a segment
/// is a list index where the value there is a list, a key otherwise.
pub fn put_back(record: &mut Value, path: &str, value: Value) {
    assert!(path.starts_with('/'), "a JSON pointer: {path}");
    let mut target = record;
    for segment in path.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
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
pub fn rebuild(batches: &[RecordBatch]) -> Vec<Value> {
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

/// The documented normalisations of a columnar export: object members that are null or
/// missing are the same (a struct column has a null where a record has no key); numbers
/// compare by value (an integer in a `Float64` column is the same double); the record's
/// own `created_at` / `updated_at` compare as instants.
pub fn normalized(value: &Value) -> Value {
    normalize(value, true)
}

fn normalize(value: &Value, top_level: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match (top_level, k.as_str(), v) {
                        (true, "created_at" | "updated_at", Value::String(s)) => {
                            match chrono::DateTime::parse_from_rfc3339(s) {
                                Ok(t) => json!(t
                                    .to_utc()
                                    .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)),
                                Err(_) => v.clone(),
                            }
                        }
                        _ => normalize(v, false),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| normalize(i, false)).collect()),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) if i.unsigned_abs() <= F64_EXACT => json!(i as f64),
            (None, Some(u)) if u <= F64_EXACT => json!(u as f64),
            (None, None) => json!(n.as_f64()),
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

/// The batches of a Parquet file, read with the `parquet` crate's reader.
pub fn read_parquet(path: &std::path::Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("file");
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches")
}

/// A short excerpt of a value for a failure message.
pub fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 3_000 {
        return text;
    }
    let head: String = text.chars().take(3_000).collect();
    format!("{head}… ({} bytes)", text.len())
}

/// The first path (JSON pointer) where two normalized values differ, for a failure
/// message.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}/{i}"))),
        _ if a == b => None,
        _ => Some(format!(
            "{path}: {} vs {}",
            excerpt(a).chars().take(300).collect::<String>(),
            excerpt(b).chars().take(300).collect::<String>()
        )),
    }
}

/// A Python that can `import duckdb`: one from a venv under the target directory
/// (created, and duckdb installed from PyPI, the first time); `None` when that fails.
pub fn duckdb_python() -> Option<std::path::PathBuf> {
    use std::process::Command;
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
