//! The Arrow schema of an export, inferred from its first records (see the rule in the
//! [module docs](super)).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use serde_json::value::RawValue;

use super::raw::{self, Kind, Number};
use super::{JSON_TEXT_METADATA_KEY, UNMAPPED_COLUMN};

/// Struct and list columns nest at most this deep; deeper values are JSON text.
pub(crate) const MAX_DEPTH: usize = 16;

/// What the sampled values of one field looked like.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// Only nulls (or nothing) seen.
    Null,
    Bool,
    Int,
    /// Integers, some beyond 64 bits (only their text holds them).
    BigInt,
    Float,
    /// Strings; `timestamps`: every one of them is an RFC 3339 date-time that a
    /// nanosecond timestamp holds exactly.
    Str {
        timestamps: bool,
    },
    Object(ObjectShape),
    Array(Box<Shape>),
    /// Values kept as JSON text: kinds that do not share a column type, nesting deeper
    /// than [`MAX_DEPTH`], objects with more keys than the column cap.
    Json,
}

/// Objects whose key sets vary are a struct (of optional fields) only up to this many
/// distinct keys; past it, they are a free-form map (JSON text). See the rule in the
/// [module docs](super).
pub const MAX_STRUCT_KEYS: usize = 256;

/// The fields Galileo's spec types as maps (`additionalProperties`: keys that are data —
/// metric names, template, annotator and file ids, user keys) or as lists of maps, and
/// the union-valued `input` / `output` (and their `redacted_` copies): wherever they
/// appear, at any depth, an object or a list there is JSON text (a string stays `Utf8`), so their keys never become columns (a stable schema whatever keys an
/// export carries).
pub const MAP_FIELDS: [&str; 23] = [
    "annotation_aggregates",
    "annotation_agreement",
    "annotations",
    "arguments",
    "content_parts",
    "context",
    "counts",
    "dataset_metadata",
    "feedback_rating_info",
    "files",
    "images",
    "input",
    "metadata",
    "metric_info",
    "output",
    "redacted_input",
    "redacted_output",
    "result",
    "roll_up_metrics",
    "summary",
    "tool_invocation",
    "tools",
    "user_metadata",
];

/// The union of the fields of the sampled objects, whether every sampled object had the
/// same set of keys, and whether every key looks like a field name.
#[derive(Debug, Clone, PartialEq, Default)]
struct ObjectShape {
    fields: HashMap<String, Shape>,
    order: Vec<String>,
    same_keys: bool,
    field_like: bool,
}

/// A key that names a field rather than carries data: an ASCII letter or `_`, then
/// letters, digits and `_`, at most 64 bytes (not a UUID, a number, a label with `-`,
/// spaces or non-ASCII letters).
fn is_field_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    key.len() <= 64
        && bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl ObjectShape {
    /// Add one field's shape (merged with an earlier one of the same key).
    fn add(&mut self, key: String, shape: Shape, max_keys: usize) {
        match self.fields.get_mut(&key) {
            Some(existing) => {
                let old = std::mem::replace(existing, Shape::Null);
                *existing = merge(old, shape, max_keys);
            }
            None => {
                self.order.push(key.clone());
                self.fields.insert(key, shape);
            }
        }
    }
}

fn shape_of(value: &RawValue, depth: usize, max_keys: usize) -> Shape {
    match raw::kind(value) {
        Kind::Null => Shape::Null,
        Kind::Bool(_) => Shape::Bool,
        Kind::Number(text) => match raw::number(text) {
            Number::Int(_) => Shape::Int,
            Number::BigInt => Shape::BigInt,
            Number::Float(_) | Number::OutOfRange => Shape::Float,
        },
        Kind::Str(text) => match raw::string(text) {
            Ok(s) => Shape::Str {
                timestamps: raw::timestamp_nanos(&s).is_some(),
            },
            Err(_) => Shape::Json,
        },
        Kind::Object if depth < MAX_DEPTH => match raw::entries(value) {
            Ok(entries) if entries.len() <= max_keys => {
                let mut object = ObjectShape {
                    same_keys: true,
                    field_like: true,
                    ..ObjectShape::default()
                };
                for (key, item) in entries {
                    object.field_like &= is_field_name(&key);
                    let shape = shape_of(item, depth + 1, max_keys);
                    object.add(key.into_owned(), shape, max_keys);
                }
                Shape::Object(object)
            }
            _ => Shape::Json,
        },
        Kind::Array if depth < MAX_DEPTH => match raw::items(value) {
            Ok(items) => Shape::Array(Box::new(items.iter().fold(Shape::Null, |acc, item| {
                merge(acc, shape_of(item, depth + 1, max_keys), max_keys)
            }))),
            Err(_) => Shape::Json,
        },
        Kind::Object | Kind::Array => Shape::Json,
    }
}

fn merge(a: Shape, b: Shape, max_keys: usize) -> Shape {
    use Shape::*;
    match (a, b) {
        (Null, x) | (x, Null) => x,
        (Bool, Bool) => Bool,
        (Int, Int) => Int,
        (BigInt, BigInt) => BigInt,
        (Int | BigInt, Int | BigInt) => Int,
        (Int | BigInt | Float, Int | BigInt | Float) => Float,
        (Str { timestamps: a }, Str { timestamps: b }) => Str { timestamps: a && b },
        (Object(mut a), Object(b)) => {
            let same = a.same_keys
                && b.same_keys
                && a.fields.len() == b.fields.len()
                && b.fields.keys().all(|k| a.fields.contains_key(k));
            let mut b = b;
            for key in b.order {
                if let Some(shape) = b.fields.remove(&key) {
                    a.add(key, shape, max_keys);
                }
            }
            if a.fields.len() > max_keys {
                return Json;
            }
            a.same_keys = same;
            a.field_like &= b.field_like;
            Object(a)
        }
        (Array(a), Array(b)) => Array(Box::new(merge(*a, *b, max_keys))),
        _ => Json,
    }
}

/// A column holding each value's JSON text.
pub(crate) fn json_text_field(name: &str) -> Field {
    let metadata: std::collections::HashMap<String, String> =
        [(JSON_TEXT_METADATA_KEY.to_string(), "true".to_string())].into();
    Field::new(name, DataType::Utf8, true).with_metadata(metadata)
}

/// The Parquet leaf columns a field takes.
pub(crate) fn leaves(field: &Field) -> usize {
    match field.data_type() {
        DataType::Struct(fields) => fields.iter().map(|f| leaves(f)).sum::<usize>().max(1),
        DataType::List(item) => leaves(item),
        _ => 1,
    }
}

/// The field for a value of `shape`. `top_level`: a field of the record itself, where
/// timestamp columns are recognized; a field taking more than `max_columns` leaf
/// columns is JSON text.
fn field_of(name: &str, shape: &Shape, top_level: bool, max_columns: usize) -> Field {
    match shape {
        Shape::Bool => Field::new(name, DataType::Boolean, true),
        Shape::Int => Field::new(name, DataType::Int64, true),
        Shape::Float => Field::new(name, DataType::Float64, true),
        Shape::Str { timestamps } if *timestamps && top_level && is_time_column(name) => {
            Field::new(
                name,
                DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
                true,
            )
        }
        Shape::Str { .. } => Field::new(name, DataType::Utf8, true),
        Shape::Object(_) | Shape::Array(_) if is_map_field(name) => json_text_field(name),
        Shape::Object(object)
            if !object.fields.is_empty()
                && (object.same_keys
                    || (object.field_like && object.fields.len() <= MAX_STRUCT_KEYS)) =>
        {
            let children: Vec<Field> = object
                .order
                .iter()
                .filter_map(|key| {
                    let shape = object.fields.get(key)?;
                    Some(field_of(key, shape, false, max_columns))
                })
                .collect();
            let field = Field::new(name, DataType::Struct(Fields::from(children)), true);
            if leaves(&field) > max_columns {
                json_text_field(name)
            } else {
                field
            }
        }
        Shape::Array(item) if !matches!(**item, Shape::Null | Shape::Json) => {
            let item = field_of("item", item, false, max_columns);
            if item.metadata().contains_key(JSON_TEXT_METADATA_KEY) {
                // Items that are free-form maps: the whole list as JSON text.
                json_text_field(name)
            } else {
                Field::new(name, DataType::List(Arc::new(item)), true)
            }
        }
        // Free-form maps (key sets that vary with keys that are data, or more than
        // `MAX_STRUCT_KEYS` keys), empty objects, only-null values, lists of only nulls,
        // mixed kinds, integers beyond 64 bits, deep or wide values: JSON text.
        _ => json_text_field(name),
    }
}

/// Whether `name` is one of [`MAP_FIELDS`].
fn is_map_field(name: &str) -> bool {
    MAP_FIELDS.contains(&name)
}

/// The record fields read as timestamps when every sampled value is an RFC 3339
/// date-time.
fn is_time_column(name: &str) -> bool {
    matches!(name, "created_at" | "updated_at")
}

/// The schema being inferred from sampled records, one record at a time (only the
/// shapes are kept, at most `max_columns` fields per object).
pub(crate) struct Inference {
    top: ObjectShape,
    max_columns: usize,
}

impl Inference {
    /// No records seen yet; schemas of at most `max_columns` leaf columns.
    pub(crate) fn new(max_columns: usize) -> Self {
        Self {
            top: ObjectShape::default(),
            max_columns: max_columns.max(1),
        }
    }

    /// Add one JSON Lines record (anything but an object is ignored here and reported
    /// when the record is converted).
    pub(crate) fn add(&mut self, line: &[u8]) {
        let (top, max_columns) = (&mut self.top, self.max_columns);
        // A line that is not one object may have added some fields before its error;
        // the record is reported when converted.
        let _ = raw::each_entry(line, |key, value| {
            if key == UNMAPPED_COLUMN {
                return Ok(());
            }
            if !top.fields.contains_key(key.as_ref()) && top.order.len() >= max_columns {
                // Beyond the cap: never a column (its values are kept in `_unmapped`).
                return Ok(());
            }
            let shape = shape_of(value, 1, max_columns);
            top.add(key.into_owned(), shape, max_columns);
            Ok(())
        });
    }

    /// The schema: the fields in the order they first appeared, up to `max_columns`
    /// leaf columns in all (the catch-all column included). A struct or list that would
    /// cross the cap becomes one JSON text column; fields beyond it are not columns.
    pub(crate) fn schema(&self) -> Schema {
        let mut used = 1; // the catch-all column
        let mut fields = Vec::new();
        for key in &self.top.order {
            if used >= self.max_columns {
                break;
            }
            let Some(shape) = self.top.fields.get(key) else {
                continue;
            };
            let mut field = field_of(key, shape, true, self.max_columns);
            if used + leaves(&field) > self.max_columns {
                field = json_text_field(key);
            }
            used += leaves(&field);
            fields.push(field);
        }
        fields.push(json_text_field(UNMAPPED_COLUMN));
        Schema::new(fields)
    }
}

/// Infer the schema from sampled records (JSON Lines lines; anything but an object is
/// ignored by the inference and reported when the record is converted).
#[cfg(test)]
pub(crate) fn infer<'a>(records: impl IntoIterator<Item = &'a [u8]>, max_columns: usize) -> Schema {
    let mut inference = Inference::new(max_columns);
    for record in records {
        inference.add(record);
    }
    inference.schema()
}

/// `schema` with the catch-all column added (if it is not there).
pub(crate) fn with_unmapped(schema: &Schema) -> Schema {
    if schema.field_with_name(UNMAPPED_COLUMN).is_ok() {
        return schema.clone();
    }
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(json_text_field(UNMAPPED_COLUMN));
    Schema::new_with_metadata(fields, schema.metadata().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn schema_of(records: Value) -> Schema {
        schema_capped(records, 1_000)
    }

    fn schema_capped(records: Value, max_columns: usize) -> Schema {
        let lines: Vec<String> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.to_string())
            .collect();
        infer(lines.iter().map(|l| l.as_bytes()), max_columns)
    }

    fn is_json(schema: &Schema, name: &str) -> bool {
        let field = schema.field_with_name(name).unwrap();
        field.data_type() == &DataType::Utf8
            && field.metadata().contains_key(JSON_TEXT_METADATA_KEY)
    }

    #[test]
    fn scalars_timestamps_and_mixed_numbers() {
        let schema = schema_of(json!([
            {"id": "a", "created_at": "2026-01-01T00:00:00Z", "n": 1, "x": 1, "ok": true, "note": null},
            {"id": "b", "created_at": "2026-01-02T00:00:00.5+02:00", "n": 2, "x": 2.5, "ok": false, "note": null}
        ]));
        let types: Vec<(&str, &DataType)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type()))
            .collect();
        assert_eq!(types[0], ("id", &DataType::Utf8));
        assert_eq!(
            types[1],
            (
                "created_at",
                &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
            )
        );
        assert_eq!(types[2], ("n", &DataType::Int64));
        assert_eq!(types[3], ("x", &DataType::Float64));
        assert_eq!(types[4], ("ok", &DataType::Boolean));
        assert!(is_json(&schema, "note"), "null-only → JSON text");
        assert!(is_json(&schema, UNMAPPED_COLUMN));
    }

    #[test]
    fn stable_objects_are_structs_and_free_form_maps_json_text() {
        let schema = schema_of(json!([
            {"usage": {"in": 1, "out": 2}, "attrs": {"a-b": "1"}, "tags": ["x"], "spans": [{"k": 1}]},
            {"usage": {"in": 3, "out": 4}, "attrs": {"c d": "2"}, "tags": [], "spans": [{"k": 2}, {"j": 1}]}
        ]));
        assert!(matches!(
            schema.field_with_name("usage").unwrap().data_type(),
            DataType::Struct(f) if f.len() == 2
        ));
        assert!(is_json(&schema, "attrs"), "keys that are data → JSON text");
        assert!(matches!(
            schema.field_with_name("tags").unwrap().data_type(),
            DataType::List(item) if item.data_type() == &DataType::Utf8
        ));
        let DataType::List(item) = schema.field_with_name("spans").unwrap().data_type() else {
            panic!("spans: a list");
        };
        let DataType::Struct(fields) = item.data_type() else {
            panic!("spans: a list of structs");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            ["k", "j"],
            "optional fields → nullable struct fields"
        );
    }

    #[test]
    fn optional_fields_make_a_struct_and_map_fields_stay_json_text() {
        let schema = schema_of(json!([
            {"metrics": {"duration_ns": 1}, "user_metadata": {"plan": "pro"}, "metric_info": {"bleu": {"status_type": "pending"}}},
            {"metrics": {"duration_ns": 2, "cost": 0.5}, "user_metadata": {"plan": "free"}, "metric_info": {"bleu": {"status_type": "pending"}}},
            {"metrics": {"duration_ns": 3, "num_input_tokens": 7}, "tools": [{"type": "function"}], "files": {"f": {"file_id": "x"}}}
        ]));
        let DataType::Struct(fields) = schema.field_with_name("metrics").unwrap().data_type()
        else {
            panic!("metrics: a struct");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["duration_ns", "cost", "num_input_tokens"]);
        for map in ["user_metadata", "metric_info", "tools", "files"] {
            assert!(
                is_json(&schema, map),
                "{map}: a map field, even with the same keys"
            );
        }
    }

    #[test]
    fn maps_with_more_keys_than_a_struct_takes_are_json_text() {
        let wide = |from: usize| {
            let keys: serde_json::Map<String, Value> = (from..from + MAX_STRUCT_KEYS)
                .map(|i| (format!("k{i}"), json!(i)))
                .collect();
            Value::Object(keys)
        };
        let schema = schema_of(json!([{"m": wide(0)}, {"m": wide(1)}]));
        assert!(is_json(&schema, "m"));
        let schema = schema_of(json!([{"m": wide(0)}, {"m": wide(0)}]));
        assert!(
            matches!(
                schema.field_with_name("m").unwrap().data_type(),
                DataType::Struct(_)
            ),
            "the same keys every time: a struct"
        );
    }

    #[test]
    fn field_names_are_told_from_keys_that_are_data() {
        for name in ["a", "_x", "duration_ns", "Camel9"] {
            assert!(is_field_name(name), "{name}");
        }
        let long = "k".repeat(65);
        for key in [
            "",
            "9a",
            "off-topic",
            "a b",
            "安全",
            "4",
            "1c7b2f0e-3a4d-4b5c-8d9e-0f1a2b3c4d5e",
            long.as_str(),
        ] {
            assert!(!is_field_name(key), "{key}");
        }
    }

    #[test]
    fn a_string_field_not_named_as_a_time_stays_a_string_and_mixed_kinds_are_json() {
        let schema = schema_of(json!([
            {"when": "2026-01-01T00:00:00Z", "v": "a"},
            {"when": "2026-01-01T00:00:00Z", "v": 1}
        ]));
        assert_eq!(
            schema.field_with_name("when").unwrap().data_type(),
            &DataType::Utf8
        );
        assert!(is_json(&schema, "v"));
    }

    #[test]
    fn the_column_cap_turns_a_crossing_struct_into_json_text_and_drops_the_rest() {
        let schema = schema_capped(
            json!([
                {"s": {"a": 1, "b": 2, "c": 3}, "x": 1, "y": 2, "z": 3},
                {"s": {"a": 4, "b": 5, "c": 6}, "w": 1}
            ]),
            3,
        );
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["s", "x", UNMAPPED_COLUMN]);
        assert!(is_json(&schema, "s"), "3 leaves would cross a cap of 3");
        assert_eq!(
            schema.field_with_name("x").unwrap().data_type(),
            &DataType::Int64
        );
    }

    #[test]
    fn deep_values_big_integers_and_exact_timestamps_shape_the_schema() {
        let deep = (0..40).fold(json!(1), |v, _| json!({ "a": v }));
        let first = format!(
            r#"{{"deep":{deep},"big":18446744073709551616,"mixed":1,"created_at":"2026-01-01T00:00:00.123456789Z","updated_at":"2026-01-01T00:00:00.1234567891Z"}}"#
        );
        let second = r#"{"mixed":18446744073709551616}"#;
        let schema = infer([first.as_bytes(), second.as_bytes()], 1_000);
        let mut depth = 0;
        let mut field = schema.field_with_name("deep").unwrap().clone();
        while let DataType::Struct(children) = field.data_type() {
            field = children[0].as_ref().clone();
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH - 1);
        assert!(field.metadata().contains_key(JSON_TEXT_METADATA_KEY));
        assert!(
            is_json(&schema, "big"),
            "only integers beyond 64 bits: text"
        );
        assert_eq!(
            schema.field_with_name("mixed").unwrap().data_type(),
            &DataType::Int64
        );
        assert_eq!(
            schema.field_with_name("created_at").unwrap().data_type(),
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
        );
        assert_eq!(
            schema.field_with_name("updated_at").unwrap().data_type(),
            &DataType::Utf8,
            "ten fractional digits: no timestamp holds them"
        );
    }
}
