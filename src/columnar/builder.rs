//! Arrow columns filled straight from each record's JSON text: `serde_json` parses the
//! line and its visitor calls append to the column builders; no `serde_json::Value` is
//! built for a record, only for a value that does not fit its column (kept as JSON text
//! in the catch-all column, see the [module docs](super)).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Fields, SchemaRef, TimeUnit};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

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
    Timestamp(TimestampMicrosecondBuilder),
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
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                Column::Timestamp(TimestampMicrosecondBuilder::new().with_timezone_opt(tz.clone()))
            }
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
                     Timestamp(Microsecond, _), List and Struct of these",
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
            Column::Timestamp(b) => b.append_null(),
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
            Column::Timestamp(b) => Arc::new(b.finish()),
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

/// Where a value sits in its record, for the catch-all column's keys: `metadata.a`,
/// `tags[2]`. Rendered only for a value that does not fit.
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
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Values of the current record that did not fit their column: (path, JSON text).
#[derive(Default)]
struct Unmapped {
    entries: Vec<(String, String)>,
}

impl Unmapped {
    fn keep(&mut self, path: &Path<'_>, json: String) {
        self.entries.push((path.to_string(), json));
    }
}

/// An object key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Fill a struct's children from an object; what has no child or comes twice goes to
/// the catch-all.
fn fill_struct<'de, A: MapAccess<'de>>(
    children: &mut [Column],
    index: &HashMap<String, usize>,
    mut map: A,
    unmapped: &mut Unmapped,
    path: &Path<'_>,
) -> Result<(), A::Error> {
    let mut seen = vec![false; children.len()];
    while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
        let here = Path::Field(path, &key);
        match index.get(key.as_ref()) {
            Some(&i) if !seen[i] => {
                seen[i] = true;
                map.next_value_seed(ValueSeed {
                    column: &mut children[i],
                    unmapped: &mut *unmapped,
                    path: &here,
                })?;
            }
            _ => {
                let raw: Box<RawValue> = map.next_value()?;
                unmapped.keep(&here, raw.get().to_owned());
            }
        }
    }
    for (child, seen) in children.iter_mut().zip(seen) {
        if !seen {
            child.append_null();
        }
    }
    Ok(())
}

/// Appends one value to its column (exactly one entry: the value, or a null).
struct ValueSeed<'c, 'p> {
    column: &'c mut Column,
    unmapped: &'c mut Unmapped,
    path: &'p Path<'p>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if let Column::Json(b) = self.column {
            // The value's own text, as it came (no parse into a tree).
            let raw: Box<RawValue> = Deserialize::deserialize(d)?;
            match raw.get() {
                "null" => b.append_null(),
                text => b.append_value(text),
            }
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_, '_> {
    /// The value does not fit the column: a null there, its JSON text in the catch-all.
    fn misfit<E>(self, value: Value) -> Result<(), E> {
        self.column.append_null();
        self.unmapped.keep(self.path, value.to_string());
        Ok(())
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.column.append_null();
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.column {
            Column::Bool(b) => b.append_value(v),
            _ => return self.misfit(Value::Bool(v)),
        }
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match self.column {
            Column::Int(b) => b.append_value(v),
            Column::Float(b) if v.unsigned_abs() <= F64_EXACT => b.append_value(v as f64),
            _ => return self.misfit(Value::from(v)),
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match self.column {
            Column::Int(b) if i64::try_from(v).is_ok() => b.append_value(v as i64),
            Column::Float(b) if v <= F64_EXACT => b.append_value(v as f64),
            _ => return self.misfit(Value::from(v)),
        }
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        match self.column {
            Column::Float(b) => b.append_value(v),
            _ => return self.misfit(Value::from(v)),
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        match self.column {
            Column::Str(b) => b.append_value(v),
            Column::Timestamp(b) => match chrono::DateTime::parse_from_rfc3339(v) {
                Ok(t) => b.append_value(t.timestamp_micros()),
                Err(_) => return self.misfit(Value::String(v.to_owned())),
            },
            _ => return self.misfit(Value::String(v.to_owned())),
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        match self.column {
            Column::Struct(s) => {
                fill_struct(&mut s.children, &s.index, map, self.unmapped, self.path)?;
                s.nulls.append_non_null();
                Ok(())
            }
            _ => {
                let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                self.misfit(value)
            }
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.column {
            Column::List(l) => {
                let mut count: usize = 0;
                loop {
                    let here = Path::Index(self.path, count);
                    let seed = ValueSeed {
                        column: &mut l.values,
                        unmapped: &mut *self.unmapped,
                        path: &here,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        break;
                    }
                    count += 1;
                }
                let last = l.offsets.last().copied().unwrap_or(0);
                let next = i32::try_from(count)
                    .ok()
                    .and_then(|n| last.checked_add(n))
                    .ok_or_else(|| de::Error::custom("a list is too long for one Arrow batch"))?;
                l.offsets.push(next);
                l.nulls.append_non_null();
                Ok(())
            }
            _ => {
                let value = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                self.misfit(value)
            }
        }
    }
}

/// A record: the top-level object, filling every column of a row.
struct RecordSeed<'c> {
    columns: &'c mut Columns,
    unmapped: &'c mut Unmapped,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        fill_struct(
            &mut self.columns.children,
            &self.columns.index,
            map,
            self.unmapped,
            &Path::Root,
        )
    }
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
        let mut de = serde_json::Deserializer::from_slice(line);
        RecordSeed {
            columns: self,
            unmapped: &mut unmapped,
        }
        .deserialize(&mut de)?;
        de.end()?;
        if unmapped.entries.is_empty() {
            self.unmapped.append_null();
        } else {
            self.unmapped_values += unmapped.entries.len() as u64;
            let mut object = String::from("{");
            for (i, (path, json)) in unmapped.entries.iter().enumerate() {
                if i > 0 {
                    object.push(',');
                }
                object.push_str(&Value::String(path.clone()).to_string());
                object.push(':');
                object.push_str(json);
            }
            object.push('}');
            self.unmapped.append_value(object);
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
            serde_json::json!({"id": {"o": 1}, "n": 1.5, "late": "new", "created_at": "soon"})
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
            serde_json::json!({"usage.in": "x", "usage.extra": true, "tags[1]": 5})
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
            r#"{"x":9007199254740993}"#
        );
    }
}
