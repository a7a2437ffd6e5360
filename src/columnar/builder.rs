//! Arrow columns filled straight from each record's JSON text: `serde_json` reads the
//! line's fields as raw JSON text, and each value is classified from its text and
//! appended to its column builder; no `serde_json::Value` is built. A value that does not
//! fit its column exactly is kept, as its original JSON text, in the catch-all column
//! (see the [module docs](super)).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
    TimestampNanosecondBuilder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, SchemaRef, TimeUnit};
use serde_json::value::RawValue;

use super::raw::{self, Kind, Number};
use super::{JSON_TEXT_METADATA_KEY, UNMAPPED_COLUMN};

/// The largest integer a `f64` holds exactly.
const F64_EXACT: u64 = 1 << 53;

/// One column being built.
enum Column {
    Bool(BooleanBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Str(StringBuilder),
    /// Each value's JSON text.
    Json(StringBuilder),
    /// Nanoseconds since the epoch.
    TimestampNs(TimestampNanosecondBuilder),
    /// Microseconds since the epoch (a schema you give).
    TimestampUs(TimestampMicrosecondBuilder),
    List(Box<ListColumn>),
    Struct(Box<StructColumn>),
}

struct ListColumn {
    item: FieldRef,
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
    values: Column,
}

struct StructColumn {
    fields: Fields,
    children: Vec<Column>,
    index: HashMap<String, usize>,
    nulls: NullBufferBuilder,
}

impl Column {
    fn new(field: &Field) -> Result<Column, String> {
        Ok(match field.data_type() {
            DataType::Boolean => Column::Bool(BooleanBuilder::new()),
            DataType::Int64 => Column::Int(Int64Builder::new()),
            DataType::Float64 => Column::Float(Float64Builder::new()),
            DataType::Utf8 if field.metadata().contains_key(JSON_TEXT_METADATA_KEY) => {
                Column::Json(StringBuilder::new())
            }
            DataType::Utf8 => Column::Str(StringBuilder::new()),
            DataType::Timestamp(TimeUnit::Nanosecond, tz) => {
                Column::TimestampNs(TimestampNanosecondBuilder::new().with_timezone_opt(tz.clone()))
            }
            DataType::Timestamp(TimeUnit::Microsecond, tz) => Column::TimestampUs(
                TimestampMicrosecondBuilder::new().with_timezone_opt(tz.clone()),
            ),
            DataType::List(item) => Column::List(Box::new(ListColumn {
                values: Column::new(item)?,
                item: item.clone(),
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
            })),
            DataType::Struct(fields) => Column::Struct(Box::new(StructColumn::new(fields)?)),
            other => {
                return Err(format!(
                    "column `{}` has type {other}; supported: Boolean, Int64, Float64, Utf8 \
                     (JSON text with field metadata `{JSON_TEXT_METADATA_KEY}`), \
                     Timestamp(Nanosecond | Microsecond, _), List and Struct of these",
                    field.name()
                ))
            }
        })
    }

    fn append_null(&mut self) {
        match self {
            Column::Bool(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::Float(b) => b.append_null(),
            Column::Str(b) | Column::Json(b) => b.append_null(),
            Column::TimestampNs(b) => b.append_null(),
            Column::TimestampUs(b) => b.append_null(),
            Column::List(l) => {
                let last = l.offsets.last().copied().unwrap_or(0);
                l.offsets.push(last);
                l.nulls.append_null();
            }
            Column::Struct(s) => {
                for child in &mut s.children {
                    child.append_null();
                }
                s.nulls.append_null();
            }
        }
    }

    fn finish(&mut self) -> Result<ArrayRef, String> {
        Ok(match self {
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::Str(b) | Column::Json(b) => Arc::new(b.finish()),
            Column::TimestampNs(b) => Arc::new(b.finish()),
            Column::TimestampUs(b) => Arc::new(b.finish()),
            Column::List(l) => {
                let values = l.values.finish()?;
                let offsets = std::mem::replace(&mut l.offsets, vec![0]);
                let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
                Arc::new(
                    ListArray::try_new(l.item.clone(), offsets, values, l.nulls.finish())
                        .map_err(|e| e.to_string())?,
                )
            }
            Column::Struct(s) => {
                let children = s
                    .children
                    .iter_mut()
                    .map(Column::finish)
                    .collect::<Result<Vec<_>, _>>()?;
                Arc::new(
                    StructArray::try_new(s.fields.clone(), children, s.nulls.finish())
                        .map_err(|e| e.to_string())?,
                )
            }
        })
    }
}

/// The columns of `fields`, and each one's index by name.
fn columns_of<'a>(
    fields: impl IntoIterator<Item = &'a FieldRef>,
) -> Result<(Vec<Column>, HashMap<String, usize>), String> {
    let mut children = Vec::new();
    let mut index = HashMap::new();
    for (i, field) in fields.into_iter().enumerate() {
        children.push(Column::new(field)?);
        index.insert(field.name().clone(), i);
    }
    Ok((children, index))
}

impl StructColumn {
    fn new(fields: &Fields) -> Result<Self, String> {
        let (children, index) = columns_of(fields.iter())?;
        Ok(Self {
            children,
            index,
            fields: fields.clone(),
            nulls: NullBufferBuilder::new(0),
        })
    }
}

/// Where a value sits in its record, for the catch-all column's keys: a JSON pointer
/// (RFC 6901: `/usage/input`, `/tags/2`, a key `a/b~c` as `/a~1b~0c`). Rendered only for
/// a value that does not fit.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(parent, name) => {
                write!(f, "{parent}/")?;
                for c in name.chars() {
                    match c {
                        '~' => f.write_str("~0")?,
                        '/' => f.write_str("~1")?,
                        c => fmt::Write::write_char(f, c)?,
                    }
                }
                Ok(())
            }
            Path::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

/// Values of the current record that did not fit their column, as the catch-all's JSON
/// object being written (path → JSON text).
#[derive(Default)]
struct Unmapped {
    object: String,
    count: u64,
}

impl Unmapped {
    fn keep(&mut self, path: &Path<'_>, json: &str) {
        self.object.push(if self.count == 0 { '{' } else { ',' });
        self.object
            .push_str(&serde_json::Value::String(path.to_string()).to_string());
        self.object.push(':');
        self.object.push_str(json);
        self.count += 1;
    }
}

/// Fill a struct's children from an object's entries; what has no child or comes twice
/// goes to the catch-all.
fn fill_struct(
    children: &mut [Column],
    index: &HashMap<String, usize>,
    entries: raw::Entries<'_>,
    unmapped: &mut Unmapped,
    path: &Path<'_>,
) -> Result<(), serde_json::Error> {
    let mut seen = vec![false; children.len()];
    for (key, value) in entries {
        fill_entry(children, index, &mut seen, &key, value, unmapped, path)?;
    }
    fill_rest(children, &seen);
    Ok(())
}

/// One entry of an object into its child column (or the catch-all).
fn fill_entry(
    children: &mut [Column],
    index: &HashMap<String, usize>,
    seen: &mut [bool],
    key: &str,
    value: &RawValue,
    unmapped: &mut Unmapped,
    path: &Path<'_>,
) -> Result<(), serde_json::Error> {
    let here = Path::Field(path, key);
    match index.get(key) {
        Some(&i) if !seen[i] => {
            seen[i] = true;
            append(&mut children[i], value, unmapped, &here)
        }
        _ => {
            unmapped.keep(&here, value.get());
            Ok(())
        }
    }
}

/// A null in every child column the object did not have.
fn fill_rest(children: &mut [Column], seen: &[bool]) {
    for (child, seen) in children.iter_mut().zip(seen) {
        if !seen {
            child.append_null();
        }
    }
}

/// Append one value to its column: exactly one entry, the value or a null (then the
/// value's original JSON text is kept in the catch-all under its path).
fn append(
    column: &mut Column,
    value: &RawValue,
    unmapped: &mut Unmapped,
    path: &Path<'_>,
) -> Result<(), serde_json::Error> {
    let fits = match (&mut *column, raw::kind(value)) {
        (column, Kind::Null) => {
            column.append_null();
            true
        }
        (Column::Json(b), _) => {
            // The value's own text, as it came.
            b.append_value(value.get());
            true
        }
        (Column::Bool(b), Kind::Bool(v)) => {
            b.append_value(v);
            true
        }
        (Column::Int(b), Kind::Number(text)) => match raw::number(text) {
            Number::Int(v) => {
                b.append_value(v);
                true
            }
            _ => false,
        },
        (Column::Float(b), Kind::Number(text)) => match raw::number(text) {
            // Integers widen into a float column only where a double holds them.
            Number::Int(v) if v.unsigned_abs() <= F64_EXACT => {
                b.append_value(v as f64);
                true
            }
            Number::Float(v) => {
                b.append_value(v);
                true
            }
            _ => false,
        },
        (Column::Str(b), Kind::Str(text)) => {
            b.append_value(raw::string(text)?);
            true
        }
        (Column::TimestampNs(b), Kind::Str(text)) => {
            match raw::timestamp_nanos(&raw::string(text)?) {
                Some(nanos) => {
                    b.append_value(nanos);
                    true
                }
                None => false,
            }
        }
        (Column::TimestampUs(b), Kind::Str(text)) => {
            match raw::timestamp_nanos(&raw::string(text)?) {
                Some(nanos) if nanos % 1_000 == 0 => {
                    b.append_value(nanos / 1_000);
                    true
                }
                _ => false,
            }
        }
        (Column::Struct(s), Kind::Object) => {
            let entries = raw::entries(value)?;
            fill_struct(&mut s.children, &s.index, entries, unmapped, path)?;
            s.nulls.append_non_null();
            true
        }
        (Column::List(l), Kind::Array) => {
            let items = raw::items(value)?;
            let count = items.len();
            for (i, item) in items.into_iter().enumerate() {
                append(&mut l.values, item, unmapped, &Path::Index(path, i))?;
            }
            let last = l.offsets.last().copied().unwrap_or(0);
            let next = i32::try_from(count)
                .ok()
                .and_then(|n| last.checked_add(n))
                .ok_or_else(|| {
                    <serde_json::Error as serde::de::Error>::custom(
                        "a list is too long for one Arrow batch",
                    )
                })?;
            l.offsets.push(next);
            l.nulls.append_non_null();
            true
        }
        _ => false,
    };
    if !fits {
        column.append_null();
        unmapped.keep(path, value.get());
    }
    Ok(())
}

/// The columns of the batch being built, from a schema whose last field is the
/// catch-all column.
pub(crate) struct Columns {
    schema: SchemaRef,
    children: Vec<Column>,
    index: HashMap<String, usize>,
    unmapped: StringBuilder,
    rows: usize,
    /// Values kept in the catch-all column so far.
    unmapped_values: u64,
}

impl Columns {
    /// Builders for `schema`, which must end with the catch-all column.
    pub(crate) fn new(schema: SchemaRef) -> Result<Self, String> {
        let fields: Vec<&FieldRef> = schema
            .fields()
            .iter()
            .filter(|f| f.name() != UNMAPPED_COLUMN)
            .collect();
        if schema.fields().last().map(|f| f.name().as_str()) != Some(UNMAPPED_COLUMN) {
            return Err(format!(
                "the schema must end with the `{UNMAPPED_COLUMN}` column"
            ));
        }
        let (children, index) = columns_of(fields)?;
        Ok(Self {
            children,
            index,
            schema,
            unmapped: StringBuilder::new(),
            rows: 0,
            unmapped_values: 0,
        })
    }

    /// The schema of the batches.
    pub(crate) fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Rows in the batch being built.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Count values kept in the catch-all column from `base` on (for builders that
    /// replace others mid-export).
    pub(crate) fn count_unmapped_from(&mut self, base: u64) {
        self.unmapped_values = base;
    }

    /// Values kept in the catch-all column so far (all batches).
    pub(crate) fn unmapped_values(&self) -> u64 {
        self.unmapped_values
    }

    /// Add one record (one JSON Lines line, without its line break). A line that is not
    /// one JSON object is an error; the columns are then unusable (the export ends).
    pub(crate) fn push(&mut self, line: &[u8]) -> Result<(), serde_json::Error> {
        let mut unmapped = Unmapped::default();
        let mut seen = vec![false; self.children.len()];
        let (children, index) = (&mut self.children, &self.index);
        raw::each_entry(line, |key, value| {
            fill_entry(
                children,
                index,
                &mut seen,
                &key,
                value,
                &mut unmapped,
                &Path::Root,
            )
            .map_err(|e| e.to_string())
        })?;
        fill_rest(children, &seen);
        if unmapped.count == 0 {
            self.unmapped.append_null();
        } else {
            self.unmapped_values += unmapped.count;
            unmapped.object.push('}');
            self.unmapped.append_value(unmapped.object);
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows so far as a batch; the builders start over.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, String> {
        let mut arrays = self
            .children
            .iter_mut()
            .map(Column::finish)
            .collect::<Result<Vec<_>, _>>()?;
        arrays.push(Arc::new(self.unmapped.finish()));
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType};
    use arrow_array::Array;
    use arrow_schema::Schema;
    use serde_json::Value;

    fn columns(fields: Vec<Field>) -> Columns {
        let mut fields = fields;
        fields.push(super::super::schema::json_text_field(UNMAPPED_COLUMN));
        Columns::new(Arc::new(Schema::new(fields))).unwrap()
    }

    #[test]
    fn values_that_fit_land_in_their_columns_and_the_rest_is_kept() {
        let mut c = columns(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
            Field::new("x", DataType::Float64, true),
            Field::new(
                "created_at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
            super::super::schema::json_text_field("meta"),
        ]);
        c.push(br#"{"id":"a","n":1,"x":2,"created_at":"2026-01-01T00:00:00.000001Z","meta":{"k": [1, 2]}}"#)
            .unwrap();
        c.push(br#"{"id":{"o":1},"n":1.5,"x":null,"late":"new","created_at":"soon","meta":"s"}"#)
            .unwrap();
        assert_eq!(c.unmapped_values(), 4);
        let batch = c.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let id = batch.column(0).as_string::<i32>();
        assert_eq!((id.value(0), id.is_null(1)), ("a", true));
        let n = batch.column(1).as_primitive::<Int64Type>();
        assert_eq!((n.value(0), n.is_null(1)), (1, true));
        let x = batch.column(2).as_primitive::<Float64Type>();
        assert_eq!((x.value(0), x.is_null(1)), (2.0, true));
        let t = batch.column(3).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(t.value(0), 1_767_225_600_000_001);
        let meta = batch.column(4).as_string::<i32>();
        assert_eq!(
            (meta.value(0), meta.value(1)),
            (r#"{"k": [1, 2]}"#, r#""s""#)
        );
        let unmapped = batch.column(5).as_string::<i32>();
        assert!(unmapped.is_null(0));
        let kept: Value = serde_json::from_str(unmapped.value(1)).unwrap();
        assert_eq!(
            kept,
            serde_json::json!({"/id": {"o": 1}, "/n": 1.5, "/late": "new", "/created_at": "soon"})
        );
    }

    #[test]
    fn nested_structs_and_lists_keep_misfits_with_their_paths() {
        let usage = Field::new(
            "usage",
            DataType::Struct(Fields::from(vec![
                Field::new("in", DataType::Int64, true),
                Field::new("out", DataType::Int64, true),
            ])),
            true,
        );
        let tags = Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        );
        let mut c = columns(vec![usage, tags]);
        c.push(br#"{"usage":{"in":1,"out":2},"tags":["a","b"]}"#)
            .unwrap();
        c.push(br#"{"usage":{"in":"x","extra":true},"tags":["c",5]}"#)
            .unwrap();
        c.push(br#"{"usage":null,"tags":null}"#).unwrap();
        c.push(br#"{}"#).unwrap();
        let batch = c.finish().unwrap();
        let usage = batch.column(0).as_struct();
        assert!(usage.is_valid(1) && usage.is_null(2) && usage.is_null(3));
        let inputs = usage.column(0).as_primitive::<Int64Type>();
        assert_eq!((inputs.value(0), inputs.is_null(1)), (1, true));
        let tags = batch.column(1).as_list::<i32>();
        assert_eq!(tags.value_length(0), 2);
        assert_eq!(tags.value_length(1), 2);
        assert!(tags.is_null(2));
        let items = tags.values().as_string::<i32>();
        assert_eq!(items.value(2), "c");
        assert!(items.is_null(3));
        let unmapped = batch.column(2).as_string::<i32>();
        let kept: Value = serde_json::from_str(unmapped.value(1)).unwrap();
        assert_eq!(
            kept,
            serde_json::json!({"/usage/in": "x", "/usage/extra": true, "/tags/1": 5})
        );
    }

    #[test]
    fn a_line_that_is_not_an_object_or_not_json_is_an_error() {
        let mut c = columns(vec![Field::new("id", DataType::Utf8, true)]);
        assert!(c.push(b"[1]").is_err());
        let mut c = columns(vec![Field::new("id", DataType::Utf8, true)]);
        assert!(c.push(br#"{"id":"a"} x"#).is_err());
        let mut c = columns(vec![Field::new("id", DataType::Utf8, true)]);
        assert!(c.push(br#"{"id":"a""#).is_err());
    }

    #[test]
    fn integers_widen_into_float_columns_only_when_exact() {
        let mut c = columns(vec![Field::new("x", DataType::Float64, true)]);
        c.push(br#"{"x":3}"#).unwrap();
        c.push(br#"{"x":9007199254740993}"#).unwrap();
        assert_eq!(c.unmapped_values(), 1);
        let batch = c.finish().unwrap();
        let x = batch.column(0).as_primitive::<Float64Type>();
        assert_eq!(x.value(0), 3.0);
        assert!(x.is_null(1));
        assert_eq!(
            batch.column(1).as_string::<i32>().value(1),
            r#"{"/x":9007199254740993}"#
        );
    }
}
