//! A property test of the columnar exports (feature `parquet`): arbitrary JSON records —
//! deep nesting, wide and varying keys (`.`, `[`, `/`, `~`, unicode, the empty key),
//! integers beyond 64 bits, floats of every size, numbers beyond `f64`, nanosecond
//! timestamps with any offset, nulls, mixed lists — served as JSON Lines by a raw server
//! on 127.0.0.1, exported with `save_parquet` (read back with the `parquet` crate) and with
//! `record_batches`, under random schema samples, column caps and batch sizes. Every
//! record rebuilt from its columns and the catch-all column equals the input exactly:
//! integers by value, floats as the correctly rounded double of their text, numbers a
//! double cannot hold by their text, timestamps to the nanosecond.
//!
//! The same property holds for records shaped as Galileo's newer spec defines them: the
//! local server's generator (`galileo_export_mock::Dataset`) gives sessions with their
//! traces, traces with their nested spans, spans of every type, of several seeds, mixed
//! in one export, optional fields dropped or nulled at random, under random samples,
//! column caps and batch sizes.
//!
//! The number of cases is `PROPTEST_CASES` (default 64, a few seconds; several records per
//! case).

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

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
use galileo_export_mock::hostile::{HostileServer, Reply};
use galileo_export_mock::{Dataset, DatasetConfig, RootType};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::value::RawValue;

// ---------------------------------------------------------------------------------------
// JSON with its number text: the model of a record

/// A JSON value that keeps every number's text (serde_json's `Value` would round).
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(text) => out.push_str(text),
            J::Str(s) => out.push_str(&serde_json::to_string(s).expect("string")),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            J::Obj(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).expect("key"));
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Parse JSON text keeping number text: each value is read raw first (serde_json's
    /// raw scan has no depth limit), then taken apart one level at a time.
    fn parse(text: &str) -> J {
        let text = text.trim();
        match text.as_bytes().first() {
            Some(b'n') => J::Null,
            Some(b't') => J::Bool(true),
            Some(b'f') => J::Bool(false),
            Some(b'"') => J::Str(serde_json::from_str(text).expect("a JSON string")),
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text).expect("a JSON array");
                J::Arr(items.into_iter().map(|i| J::parse(i.get())).collect())
            }
            Some(b'{') => {
                let entries: BTreeMap<String, &RawValue> =
                    serde_json::from_str(text).expect("a JSON object");
                J::Obj(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k, J::parse(v.get())))
                        .collect(),
                )
            }
            _ => J::Num(text.to_string()),
        }
    }
}

/// What "equal" means: numbers by value (integers exactly, floats as the correctly
/// rounded double of their text, what no double holds by its text), top-level
/// `created_at`/`updated_at` as the instant in nanoseconds, object keys unordered, null
/// object members the same as absent ones (a column has a null where a record has no key).
#[derive(Debug, PartialEq)]
enum C {
    Null,
    Bool(bool),
    F(f64),
    Int(String),
    NumText(String),
    Str(String),
    Time(i64),
    Arr(Vec<C>),
    Obj(BTreeMap<String, C>),
}

fn canon_number(text: &str) -> C {
    if text.contains(['.', 'e', 'E']) {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => C::F(v),
            _ => C::NumText(text.to_string()),
        }
    } else {
        match text.parse::<i128>() {
            Ok(v) if v.unsigned_abs() <= 1 << 53 => C::F(v as f64),
            Ok(v) => C::Int(v.to_string()),
            Err(_) => C::Int(text.to_string()),
        }
    }
}

/// The instant of an RFC 3339 text that a nanosecond timestamp holds exactly.
fn nanos_of(text: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    let fraction = text.find('.').map_or(0, |dot| {
        text[dot + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
    });
    if fraction > 9 {
        return None;
    }
    t.timestamp_nanos_opt()
}

fn canon(value: &J, top_level: bool) -> C {
    match value {
        J::Null => C::Null,
        J::Bool(b) => C::Bool(*b),
        J::Num(text) => canon_number(text),
        J::Str(s) => C::Str(s.clone()),
        J::Arr(items) => C::Arr(items.iter().map(|i| canon(i, false)).collect()),
        J::Obj(entries) => C::Obj(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v, J::Null))
                .map(|(k, v)| {
                    let c = match (top_level, k.as_str(), v) {
                        (true, "created_at" | "updated_at", J::Str(s)) => {
                            nanos_of(s).map_or_else(|| C::Str(s.clone()), C::Time)
                        }
                        _ => canon(v, false),
                    };
                    (k.clone(), c)
                })
                .collect(),
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Records rebuilt from batches

fn time_text(nanos: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(nanos)
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn to_j(array: &ArrayRef, field: &Field, row: usize) -> J {
    if array.is_null(row) {
        return J::Null;
    }
    match field.data_type() {
        DataType::Boolean => J::Bool(array.as_boolean().value(row)),
        DataType::Int64 => J::Num(array.as_primitive::<Int64Type>().value(row).to_string()),
        // `{:?}` is the shortest text that reads back as the same double.
        DataType::Float64 => J::Num(format!(
            "{:?}",
            array.as_primitive::<Float64Type>().value(row)
        )),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => J::Str(time_text(
            array.as_primitive::<TimestampNanosecondType>().value(row),
        )),
        DataType::Timestamp(TimeUnit::Microsecond, _) => J::Str(time_text(
            array.as_primitive::<TimestampMicrosecondType>().value(row) * 1_000,
        )),
        DataType::Utf8 => {
            let text = array.as_string::<i32>().value(row);
            if field.metadata().contains_key(JSON_TEXT_METADATA_KEY) {
                J::parse(text)
            } else {
                J::Str(text.to_string())
            }
        }
        DataType::List(item) => {
            let list = array.as_list::<i32>().value(row);
            J::Arr((0..list.len()).map(|i| to_j(&list, item, i)).collect())
        }
        DataType::Struct(fields) => J::Obj(
            fields
                .iter()
                .zip(array.as_struct().columns())
                .map(|(f, c)| (f.name().clone(), to_j(c, f, row)))
                .collect(),
        ),
        other => panic!("unexpected column type {other}"),
    }
}

/// Put a value of the catch-all back at its JSON pointer: a segment is an index where
/// the value there is a list, a key otherwise.
fn put_back(record: &mut J, pointer: &str, value: J) {
    assert!(pointer.starts_with('/'), "a JSON pointer, not {pointer:?}");
    let mut target = record;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        target = match target {
            J::Arr(items) => {
                let i: usize = segment.parse().expect("a list index");
                &mut items[i]
            }
            other => {
                if !matches!(other, J::Obj(_)) {
                    *other = J::Obj(Vec::new());
                }
                let J::Obj(entries) = other else {
                    unreachable!()
                };
                let at = match entries.iter().position(|(k, _)| *k == segment) {
                    Some(at) => at,
                    None => {
                        entries.push((segment, J::Null));
                        entries.len() - 1
                    }
                };
                &mut entries[at].1
            }
        };
    }
    *target = value;
}

fn rebuild(batches: &[RecordBatch]) -> Vec<J> {
    let mut records = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut entries = Vec::new();
            let mut kept = None;
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                if field.name() == UNMAPPED_COLUMN {
                    if column.is_valid(row) {
                        kept = Some(column.as_string::<i32>().value(row).to_string());
                    }
                } else {
                    entries.push((field.name().clone(), to_j(column, field, row)));
                }
            }
            let mut record = J::Obj(entries);
            if let Some(kept) = kept {
                // In the stored order (a path never lies inside a value kept before it,
                // but the order is the record's).
                for (pointer, value) in ordered_entries(&kept) {
                    put_back(&mut record, &pointer, J::parse(value.get()));
                }
            }
            records.push(record);
        }
    }
    records
}

/// The entries of a JSON object in their order (keys unescaped, values raw).
fn ordered_entries(text: &str) -> Vec<(String, Box<RawValue>)> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    use serde::Deserializer as _;
    serde_json::Deserializer::from_str(text)
        .deserialize_map(Entries)
        .expect("the catch-all holds a JSON object")
}

// ---------------------------------------------------------------------------------------
// Generators

/// Keys that collide under a dotted or bracketed path, JSON-pointer escapes, unicode,
/// the empty key, numeric keys, the catch-all's own name.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "a", "b", "a.b", "t[1]", "t", "a/b", "~", "~1", "~0/", "é", "日本語", "", "0", "1",
            "k.0", "_unmapped", "x y", "😀",
        ])
        .prop_map(String::from),
        2 => "[a-c./~\\[\\]0-9é]{1,4}",
        1 => ".{0,5}",
    ]
    .boxed()
}

fn int_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<i64>().prop_map(|v| v.to_string()),
        2 => (-1_000i64..1_000).prop_map(|v| v.to_string()),
        1 => Just("-0".to_string()),
        1 => Just("9007199254740993".to_string()),
        2 => "-?[1-9][0-9]{18,40}",
    ]
    .boxed()
}

fn float_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => any::<u64>().prop_filter_map("finite", |bits| {
            let v = f64::from_bits(bits);
            v.is_finite().then(|| format!("{v:?}"))
        }),
        2 => (-1e6f64..1e6).prop_map(|v| format!("{v:?}")),
        2 => "-?[0-9]\\.[0-9]{1,25}",
        2 => "-?[1-9](\\.[0-9]{1,20})?[eE][+-]?[0-9]{1,3}",
        1 => prop::sample::select(vec![
            "1e400", "-1E400", "1e-400", "5e-324", "-0.0", "1.7976931348623157e308",
            "1.23e29", "0.9452706955539223", "-7322045297955127.0",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

/// RFC 3339 date-times: any offset, 0–9 fractional digits (sometimes 10, which no
/// nanosecond timestamp holds), years 1684–2318 (beyond 2262 is beyond an i64 of ns).
fn time_text_strategy() -> BoxedStrategy<String> {
    (
        -9_000_000_000i64..11_000_000_000,
        0u32..1_000_000_000,
        prop_oneof![9 => 0usize..=9, 1 => Just(10usize)],
        prop_oneof![Just(None), (-719i32..=839).prop_map(Some)],
    )
        .prop_map(|(secs, nanos, digits, offset)| {
            let t = chrono::DateTime::from_timestamp(secs, 0).expect("in chrono's range");
            let offset_secs = offset.unwrap_or(0) * 60;
            let zone = chrono::FixedOffset::east_opt(offset_secs).expect("offset");
            let local = t.with_timezone(&zone);
            let mut text = local.format("%Y-%m-%dT%H:%M:%S").to_string();
            if digits > 0 {
                let fraction = format!("{nanos:09}");
                let shown = &fraction[..digits.min(9)];
                text.push('.');
                text.push_str(shown);
                if digits > 9 {
                    text.push('7');
                }
            }
            match offset {
                None => text.push('Z'),
                Some(_) => text.push_str(&local.format("%:z").to_string()),
            }
            text
        })
        .boxed()
}

fn string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => ".{0,12}",
        1 => any::<String>(),
        1 => Just("a \"quoted\" \\ back/slash \u{0} \u{1f} é 😀".to_string()),
    ]
    .boxed()
}

/// `depth` levels of lists or objects around a number.
fn deep() -> BoxedStrategy<J> {
    (100usize..300, any::<bool>())
        .prop_map(|(depth, objects)| {
            let mut value = J::Num("1".into());
            for _ in 0..depth {
                value = if objects {
                    J::Obj(vec![("d".into(), value)])
                } else {
                    J::Arr(vec![value])
                };
            }
            value
        })
        .boxed()
}

fn any_json() -> BoxedStrategy<J> {
    let leaf = prop_oneof![
        2 => Just(J::Null),
        1 => any::<bool>().prop_map(J::Bool),
        3 => int_text().prop_map(J::Num),
        3 => float_text().prop_map(J::Num),
        3 => string().prop_map(J::Str),
        1 => time_text_strategy().prop_map(J::Str),
        1 => deep(),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(J::Arr),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| J::Obj(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// The shape a field mostly has across the records of one case, so that typed columns
/// (and values that do not fit them) occur, not only JSON text.
#[derive(Clone, Debug)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Time,
    Struct(Vec<(String, Kind)>),
    List(Box<Kind>),
    Any,
}

fn kind() -> BoxedStrategy<Kind> {
    let leaf = prop_oneof![
        Just(Kind::Bool),
        Just(Kind::Int),
        Just(Kind::Float),
        Just(Kind::Str),
        Just(Kind::Time),
        Just(Kind::Any),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::btree_map(key(), inner.clone(), 1..4)
                .prop_map(|m| Kind::Struct(m.into_iter().collect())),
            inner.prop_map(|k| Kind::List(Box::new(k))),
        ]
    })
    .boxed()
}

fn value_of(kind: &Kind) -> BoxedStrategy<J> {
    let typed = match kind {
        Kind::Bool => any::<bool>().prop_map(J::Bool).boxed(),
        Kind::Int => int_text().prop_map(J::Num).boxed(),
        Kind::Float => float_text().prop_map(J::Num).boxed(),
        Kind::Str => string().prop_map(J::Str).boxed(),
        Kind::Time => time_text_strategy().prop_map(J::Str).boxed(),
        Kind::Struct(fields) => fields
            .iter()
            .map(|(k, kind)| {
                (
                    Just(k.clone()),
                    prop::option::weighted(0.85, value_of(kind)),
                )
            })
            .collect::<Vec<_>>()
            .prop_map(|entries| {
                J::Obj(
                    entries
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v)))
                        .collect(),
                )
            })
            .boxed(),
        Kind::List(item) => prop::collection::vec(value_of(item), 0..4)
            .prop_map(J::Arr)
            .boxed(),
        Kind::Any => any_json(),
    };
    prop_oneof![12 => typed, 1 => Just(J::Null), 1 => any_json()].boxed()
}

/// One record of a case: the case's fields (each present with probability 0.85) and a
/// few fields of its own.
fn record_of(fields: &[(String, Kind)]) -> BoxedStrategy<J> {
    let typed = fields
        .iter()
        .map(|(k, kind)| {
            (
                Just(k.clone()),
                prop::option::weighted(0.85, value_of(kind)),
            )
        })
        .collect::<Vec<_>>();
    (typed, prop::collection::vec((key(), any_json()), 0..3))
        .prop_map(|(typed, extra)| {
            let mut entries: Vec<(String, J)> = typed
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect();
            for (k, v) in extra {
                if !entries.iter().any(|(e, _)| *e == k) {
                    entries.push((k, v));
                }
            }
            J::Obj(entries)
        })
        .boxed()
}

#[derive(Clone, Debug)]
struct Case {
    records: Vec<J>,
    infer_records: usize,
    batch_size: usize,
    batch_bytes: usize,
    max_columns: usize,
}

fn case() -> BoxedStrategy<Case> {
    (
        prop::collection::btree_map(key(), kind(), 0..8),
        any::<bool>(),
    )
        .prop_flat_map(|(fields, times)| {
            let mut fields: Vec<(String, Kind)> = fields
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "created_at" | "updated_at"))
                .collect();
            if times {
                fields.insert(0, ("created_at".into(), Kind::Time));
                fields.push(("updated_at".into(), Kind::Time));
            }
            (
                prop::collection::vec(record_of(&fields), 1..8),
                1usize..10,
                1usize..6,
                prop_oneof![Just(8usize << 20), 1usize..4_000],
                prop_oneof![Just(1_000usize), 1usize..40],
            )
        })
        .prop_map(
            |(records, infer_records, batch_size, batch_bytes, max_columns)| Case {
                records,
                infer_records,
                batch_size,
                batch_bytes,
                max_columns,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Spec-shaped records

/// Records of each root type in the spec-shaped data sets drawn from.
const SPEC_RECORDS: u64 = 400;

/// The spec-shaped data set of `seed` (cheap to build: records are generated on demand).
fn dataset(seed: u64) -> Dataset {
    Dataset::new(DatasetConfig::new(seed, SPEC_RECORDS))
}

/// A small generator for the edits of one record (xorshift; proptest draws its seed).
struct Edits(u64);

impl Edits {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Drop or null some members of the objects of `value` down to `depth` levels (the
/// optional fields of the spec's records, absent or null), from the generator `edits`.
fn edit(value: &mut J, edits: &mut Edits, depth: usize) {
    match value {
        J::Obj(entries) if depth > 0 => {
            entries.retain(|_| !edits.next().is_multiple_of(9));
            for (_, member) in entries.iter_mut() {
                if edits.next().is_multiple_of(13) {
                    *member = J::Null;
                } else {
                    edit(member, edits, depth - 1);
                }
            }
        }
        J::Arr(items) if depth > 0 => {
            for item in items {
                edit(item, edits, depth - 1);
            }
        }
        _ => {}
    }
}

/// One spec-shaped record: the server's record of `root` at `index`, edited when
/// `edits` is odd.
fn spec_record(seed: u64, root: RootType, index: u64, redact: bool, edits: u64) -> J {
    let value = dataset(seed)
        .record(root, index, redact)
        .expect("an index in range");
    let mut record = J::parse(&value.to_string());
    if edits % 2 == 1 {
        edit(&mut record, &mut Edits(edits | 1), 4);
    }
    record
}

fn spec_case() -> BoxedStrategy<Case> {
    let root = prop::sample::select(vec![RootType::Session, RootType::Trace, RootType::Span]);
    let record = (
        prop::sample::select(vec![1u64, 21, 4_242]),
        root,
        0..SPEC_RECORDS,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(seed, root, index, redact, edits)| {
            spec_record(seed, root, index, redact, edits)
        });
    (
        prop::collection::vec(record, 1..10),
        1usize..12,
        1usize..6,
        prop_oneof![Just(8usize << 20), 1usize..40_000],
        prop_oneof![2 => Just(1_000usize), 1 => 1usize..400],
    )
        .prop_map(
            |(records, infer_records, batch_size, batch_bytes, max_columns)| Case {
                records,
                infer_records,
                batch_size,
                batch_bytes,
                max_columns,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------
// The property

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
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

/// The batches of both ways, for one case.
fn export_both(case: &Case) -> (Vec<RecordBatch>, Vec<RecordBatch>) {
    let body: String = case.records.iter().map(|r| r.text() + "\n").collect();
    let options = ColumnarOptions::default()
        .infer_records(case.infer_records)
        .batch_size(case.batch_size)
        .batch_bytes(case.batch_bytes)
        .max_columns(case.max_columns);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.parquet");
    let rt = runtime();
    let server = rt.block_on(HostileServer::start_with(move |_, _| {
        Reply::status(200).body(body.clone())
    }));
    let streamed = rt.block_on(async {
        let summary = common::hostile_export(&server.base_url())
            .save_parquet(&path, ParquetOptions::default().columnar(options.clone()))
            .await
            .expect("save_parquet");
        assert_eq!(summary.records, Some(case.records.len() as u64));
        common::hostile_export(&server.base_url())
            .record_batches(options)
            .await
            .expect("record_batches starts")
            .try_collect::<Vec<_>>()
            .await
            .expect("record_batches")
    });
    (read_parquet(&path), streamed)
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let (from_file, streamed) = export_both(case);
    for (way, batches) in [("save_parquet", &from_file), ("record_batches", &streamed)] {
        let columns = batches.first().map_or(0, |b| {
            b.schema().fields().iter().map(|f| leaves(f)).sum::<usize>()
        });
        prop_assert!(
            columns <= case.max_columns,
            "{way}: {columns} columns over the cap {}",
            case.max_columns
        );
        let rebuilt = rebuild(batches);
        prop_assert_eq!(rebuilt.len(), case.records.len(), "{}: records", way);
        for (i, (got, want)) in rebuilt.iter().zip(&case.records).enumerate() {
            prop_assert!(
                canon(got, true) == canon(want, true),
                "{way}, record {i} differs\ninput:   {}\nrebuilt: {}",
                excerpt(&want.text()),
                excerpt(&got.text())
            );
        }
    }
    Ok(())
}

fn leaves(field: &Field) -> usize {
    match field.data_type() {
        DataType::Struct(fields) => fields.iter().map(|f| leaves(f)).sum::<usize>().max(1),
        DataType::List(item) => leaves(item),
        _ => 1,
    }
}

fn excerpt(text: &str) -> String {
    if text.len() <= 2_000 {
        return text.to_string();
    }
    let head: String = text.chars().take(2_000).collect();
    format!("{head}… ({} bytes)", text.len())
}

/// Run `cases` of `strategy` through [`check`] (`PROPTEST_CASES` cases, default 64), on a
/// thread with room for the test's own recursion over values 300 levels deep.
fn run_cases(strategy: fn() -> BoxedStrategy<Case>) {
    let run = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let cases = std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(64);
            let mut runner = TestRunner::new(Config {
                cases,
                failure_persistence: None,
                ..Config::default()
            });
            let result = runner.run(&strategy(), |case| check(&case));
            if let Err(e) = result {
                panic!("{e}");
            }
        })
        .expect("thread");
    if let Err(panic) = run.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn every_record_is_rebuilt_exactly_from_its_columns_and_the_catch_all() {
    run_cases(case);
}

#[test]
fn spec_shaped_records_are_rebuilt_exactly_from_their_columns_and_the_catch_all() {
    run_cases(spec_case);
}

/// The model itself: the canonical form tells apart what must differ.
#[test]
fn the_comparison_is_exact() {
    let a = J::parse(
        r#"{"x":0.9452706955539223,"n":18446744073709551616,"created_at":"2026-01-01T00:00:00.000000001Z"}"#,
    );
    let b = J::parse(
        r#"{"x":0.9452706955539224,"n":18446744073709551616,"created_at":"2026-01-01T00:00:00.000000001Z"}"#,
    );
    let c = J::parse(
        r#"{"x":0.9452706955539223,"n":18446744073709551617,"created_at":"2026-01-01T00:00:00.000000001Z"}"#,
    );
    let d = J::parse(
        r#"{"x":0.9452706955539223,"n":18446744073709551616,"created_at":"2026-01-01T00:00:00.000000002Z"}"#,
    );
    let e = J::parse(
        r#"{"created_at":"2026-01-01T01:00:00.000000001+01:00","n":18446744073709551616,"x":0.94527069555392230,"z":null}"#,
    );
    assert_ne!(canon(&a, true), canon(&b, true));
    assert_ne!(canon(&a, true), canon(&c, true));
    assert_ne!(canon(&a, true), canon(&d, true));
    assert_eq!(canon(&a, true), canon(&e, true));
}
