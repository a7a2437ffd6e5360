//! The Arrow schema of an export, inferred from its first records (see the rule in the
//! [module docs](super)).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use serde_json::{Map, Value};

use super::{JSON_TEXT_METADATA_KEY, UNMAPPED_COLUMN};

/// What the sampled values of one field looked like.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// Only nulls (or nothing) seen.
    Null,
    Bool,
    Int,
    Float,
    /// Strings; `timestamps`: every one of them is an RFC 3339 date-time.
    Str {
        timestamps: bool,
    },
    /// Objects: the union of their fields, and whether every sampled object had the same
    /// set of keys.
    Object {
        fields: BTreeMap<String, Shape>,
        order: Vec<String>,
        same_keys: bool,
    },
    Array(Box<Shape>),
    /// Values of kinds that do not share a column type.
    Mixed,
}

fn is_timestamp(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

fn shape_of(value: &Value) -> Shape {
    match value {
        Value::Null => Shape::Null,
        Value::Bool(_) => Shape::Bool,
        Value::Number(n) if n.is_i64() => Shape::Int,
        // u64 above i64::MAX and non-integers.
        Value::Number(_) => Shape::Float,
        Value::String(s) => Shape::Str {
            timestamps: is_timestamp(s),
        },
        Value::Array(items) => Shape::Array(Box::new(
            items.iter().map(shape_of).fold(Shape::Null, merge),
        )),
        Value::Object(map) => object_shape(map),
    }
}

fn object_shape(map: &Map<String, Value>) -> Shape {
    Shape::Object {
        fields: map.iter().map(|(k, v)| (k.clone(), shape_of(v))).collect(),
        order: map.keys().cloned().collect(),
        same_keys: true,
    }
}

fn merge(a: Shape, b: Shape) -> Shape {
    use Shape::*;
    match (a, b) {
        (Null, x) | (x, Null) => x,
        (Bool, Bool) => Bool,
        (Int, Int) => Int,
        (Int | Float, Int | Float) => Float,
        (Str { timestamps: a }, Str { timestamps: b }) => Str { timestamps: a && b },
        (
            Object {
                fields: mut fa,
                order: mut oa,
                same_keys: sa,
            },
            Object {
                fields: fb,
                order: ob,
                same_keys: sb,
            },
        ) => {
            let same = sa && sb && fa.len() == fb.len() && fb.keys().all(|k| fa.contains_key(k));
            for key in ob {
                if !fa.contains_key(&key) {
                    oa.push(key);
                }
            }
            for (key, shape) in fb {
                let merged = match fa.remove(&key) {
                    Some(existing) => merge(existing, shape),
                    None => shape,
                };
                fa.insert(key, merged);
            }
            Object {
                fields: fa,
                order: oa,
                same_keys: same,
            }
        }
        (Array(a), Array(b)) => Array(Box::new(merge(*a, *b))),
        _ => Mixed,
    }
}

/// A column holding each value's JSON text.
pub(crate) fn json_text_field(name: &str) -> Field {
    let metadata: std::collections::HashMap<String, String> =
        [(JSON_TEXT_METADATA_KEY.to_string(), "true".to_string())].into();
    Field::new(name, DataType::Utf8, true).with_metadata(metadata)
}

/// The field for a value of `shape`. `top_level`: a field of the record itself, where
/// timestamp columns are recognized.
fn field_of(name: &str, shape: &Shape, top_level: bool) -> Field {
    match shape {
        Shape::Bool => Field::new(name, DataType::Boolean, true),
        Shape::Int => Field::new(name, DataType::Int64, true),
        Shape::Float => Field::new(name, DataType::Float64, true),
        Shape::Str { timestamps } if *timestamps && top_level && is_time_column(name) => {
            Field::new(
                name,
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            )
        }
        Shape::Str { .. } => Field::new(name, DataType::Utf8, true),
        Shape::Object {
            fields,
            order,
            same_keys,
        } if *same_keys && !fields.is_empty() => {
            let children: Vec<Field> = order
                .iter()
                .filter_map(|key| fields.get(key).map(|shape| field_of(key, shape, false)))
                .collect();
            Field::new(name, DataType::Struct(Fields::from(children)), true)
        }
        Shape::Array(item) if !matches!(**item, Shape::Null | Shape::Mixed) => {
            let item = field_of("item", item, false);
            if item.metadata().contains_key(JSON_TEXT_METADATA_KEY) {
                // Items that are free-form maps: the whole list as JSON text.
                json_text_field(name)
            } else {
                Field::new(name, DataType::List(Arc::new(item)), true)
            }
        }
        // Free-form maps (key sets that vary), empty objects, only-null values, lists of
        // only nulls and mixed kinds: JSON text.
        _ => json_text_field(name),
    }
}

/// The record fields read as timestamps when every sampled value is an RFC 3339
/// date-time.
fn is_time_column(name: &str) -> bool {
    matches!(name, "created_at" | "updated_at")
}

/// Infer the schema from sampled records (JSON objects; anything else is ignored by the
/// inference and reported when the record is converted).
pub(crate) fn infer<'a>(records: impl IntoIterator<Item = &'a Map<String, Value>>) -> Schema {
    let mut top: Option<Shape> = None;
    for record in records {
        let shape = object_shape(record);
        top = Some(match top {
            Some(acc) => merge(acc, shape),
            None => shape,
        });
    }
    let mut fields: Vec<Field> = match top {
        Some(Shape::Object { fields, order, .. }) => order
            .iter()
            .filter(|key| key.as_str() != UNMAPPED_COLUMN)
            .filter_map(|key| fields.get(key).map(|shape| field_of(key, shape, true)))
            .collect(),
        _ => Vec::new(),
    };
    fields.push(json_text_field(UNMAPPED_COLUMN));
    Schema::new(fields)
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
    use serde_json::json;

    fn schema_of(records: Value) -> Schema {
        let records: Vec<Map<String, Value>> = records
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_object().unwrap().clone())
            .collect();
        infer(&records)
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
                &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
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
            {"usage": {"in": 1, "out": 2}, "metadata": {"a": "1"}, "tags": ["x"], "spans": [{"k": 1}]},
            {"usage": {"in": 3, "out": 4}, "metadata": {"b": "2"}, "tags": [], "spans": [{"k": 2}, {"j": 1}]}
        ]));
        assert!(matches!(
            schema.field_with_name("usage").unwrap().data_type(),
            DataType::Struct(f) if f.len() == 2
        ));
        assert!(is_json(&schema, "metadata"));
        assert!(matches!(
            schema.field_with_name("tags").unwrap().data_type(),
            DataType::List(item) if item.data_type() == &DataType::Utf8
        ));
        assert!(
            is_json(&schema, "spans"),
            "lists of free-form maps → JSON text"
        );
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
}
