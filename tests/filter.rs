//! Tests of `galileo_export::filter`: exact wire JSON for every kind and
//! operator, deserialization with the spec's defaults, error messages,
//! validation, and JSON round trips (proptest).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use galileo_export::filter::{
    BooleanOperator, CollectionOperator, DateOperator, Filter, FilterError, FilterKind,
    FullyAnnotatedFilter, IdOperator, IdValue, Number, NumberOperator, NumberValue, TextFilter,
    TextOperator, TextValue,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

mod common;

const A: &str = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";
const B: &str = "0b2e1f4c-3d5a-4e6f-8a9b-0c1d2e3f4a5b";

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap()
}

fn to_json(filter: impl Into<Filter>) -> Value {
    serde_json::to_value(filter.into()).unwrap()
}

fn from_json(value: Value) -> Filter {
    serde_json::from_value(value).unwrap()
}

fn from_json_err(value: Value) -> String {
    serde_json::from_value::<Filter>(value)
        .unwrap_err()
        .to_string()
}

fn validate_err(filter: impl Into<Filter>) -> String {
    filter.into().validate().unwrap_err().to_string()
}

fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

// ---------------------------------------------------------------------------
// Serialization: every kind and every operator
// ---------------------------------------------------------------------------

#[test]
fn text_every_operator() {
    assert_eq!(
        to_json(Filter::text("input").contains("refund").case_insensitive()),
        json!({"type": "text", "column_id": "input", "operator": "contains",
               "value": "refund", "case_sensitive": false})
    );
    assert_eq!(
        to_json(Filter::text("input").eq("hello")),
        json!({"type": "text", "column_id": "input", "operator": "eq",
               "value": "hello", "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::text("input").ne("hello")),
        json!({"type": "text", "column_id": "input", "operator": "ne",
               "value": "hello", "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::text("input").contains("refund")),
        json!({"type": "text", "column_id": "input", "operator": "contains",
               "value": "refund", "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::text("name").one_of(["Alice", "Bob"])),
        json!({"type": "text", "column_id": "name", "operator": "one_of",
               "value": ["Alice", "Bob"], "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::text("name").not_in(vec!["Eve".to_string()])),
        json!({"type": "text", "column_id": "name", "operator": "not_in",
               "value": ["Eve"], "case_sensitive": true})
    );
}

#[test]
fn text_aliases_and_case_sensitivity() {
    assert_eq!(Filter::text("c").equals("v"), Filter::text("c").eq("v"),);
    assert_eq!(Filter::text("c").not_equals("v"), Filter::text("c").ne("v"),);
    assert_eq!(
        Filter::text("c").case_insensitive().one_of(["a"]),
        Filter::text("c").one_of(["a"]).case_insensitive(),
    );
    assert_eq!(
        Filter::text("c").case_sensitive(false).eq("v"),
        Filter::text("c").eq("v").case_sensitive(false),
    );
    let insensitive = Filter::text("c").eq("v").case_insensitive();
    assert!(!insensitive.is_case_sensitive());
    assert!(insensitive.clone().case_sensitive(true).is_case_sensitive());
    assert_eq!(insensitive.operator(), TextOperator::Eq);
    assert_eq!(insensitive.value(), &TextValue::Single("v".into()));
    assert_eq!(insensitive.value().as_single(), Some("v"));
    assert_eq!(insensitive.column_id(), "c");
}

#[test]
fn number_every_operator() {
    let cases: Vec<(galileo_export::filter::NumberFilter, &str)> = vec![
        (Filter::number("metrics/duration_ns").eq(5), "eq"),
        (Filter::number("metrics/duration_ns").ne(5), "ne"),
        (Filter::number("metrics/duration_ns").gt(5), "gt"),
        (Filter::number("metrics/duration_ns").gte(5), "gte"),
        (Filter::number("metrics/duration_ns").lt(5), "lt"),
        (Filter::number("metrics/duration_ns").lte(5), "lte"),
    ];
    for (filter, op) in cases {
        assert_eq!(
            to_json(filter),
            json!({"type": "number", "column_id": "metrics/duration_ns", "operator": op, "value": 5})
        );
    }
    assert_eq!(
        to_json(Filter::number("metrics/duration_ns").between(100, 250)),
        json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "between",
               "value": [100, 250]})
    );
}

#[test]
fn number_aliases() {
    assert_eq!(Filter::number("n").equals(1), Filter::number("n").eq(1));
    assert_eq!(Filter::number("n").not_equals(1), Filter::number("n").ne(1));
    assert_eq!(
        Filter::number("n").greater_than(1),
        Filter::number("n").gt(1)
    );
    assert_eq!(
        Filter::number("n").greater_than_or_equal(1),
        Filter::number("n").gte(1)
    );
    assert_eq!(Filter::number("n").less_than(1), Filter::number("n").lt(1));
    assert_eq!(
        Filter::number("n").less_than_or_equal(1),
        Filter::number("n").lte(1)
    );
    assert_eq!(
        Filter::number("n").compare(NumberOperator::Gte, 2),
        Filter::number("n").gte(2)
    );
    assert_eq!(
        Filter::number("n").compare(NumberOperator::Between, 2),
        Filter::number("n").between(2, 2)
    );
}

#[test]
fn integers_stay_integers_and_floats_stay_floats() {
    let int = serde_json::to_string(&Filter::from(Filter::number("n").gt(100))).unwrap();
    assert_eq!(
        int,
        r#"{"type":"number","column_id":"n","operator":"gt","value":100}"#
    );
    let float = serde_json::to_string(&Filter::from(Filter::number("n").gt(100.0))).unwrap();
    assert_eq!(
        float,
        r#"{"type":"number","column_id":"n","operator":"gt","value":100.0}"#
    );
    let mixed = serde_json::to_string(&Filter::from(Filter::number("n").between(1, 2.5))).unwrap();
    assert!(mixed.ends_with(r#""value":[1,2.5]}"#), "{mixed}");
    assert_eq!(
        Filter::number("n").lte(7u8).value(),
        NumberValue::Single(Number::Int(7))
    );
    assert_eq!(
        Filter::number("n").lte(-7i64).value(),
        NumberValue::Single(Number::Int(-7))
    );
    assert_eq!(
        Filter::number("n").lte(0.25f32).value(),
        NumberValue::Single(Number::Float(0.25))
    );
    assert_eq!(
        Filter::number("n").between(i64::MIN, i64::MAX).value(),
        NumberValue::Range {
            low: Number::Int(i64::MIN),
            high: Number::Int(i64::MAX)
        }
    );
}

#[test]
fn date_every_operator() {
    let t = ts(2024, 5, 1, 12, 30, 0);
    let cases = vec![
        (Filter::date("created_at").eq(t), "eq"),
        (Filter::date("created_at").ne(t), "ne"),
        (Filter::date("created_at").after(t), "gt"),
        (Filter::date("created_at").on_or_after(t), "gte"),
        (Filter::date("created_at").before(t), "lt"),
        (Filter::date("created_at").on_or_before(t), "lte"),
    ];
    for (filter, op) in cases {
        assert_eq!(
            to_json(filter),
            json!({"type": "date", "column_id": "created_at", "operator": op,
                   "value": "2024-05-01T12:30:00Z"})
        );
    }
}

#[test]
fn date_aliases_and_str_variants() {
    let t = ts(2024, 5, 1, 0, 0, 0);
    let text = "2024-05-01T00:00:00Z";
    let d = || Filter::date("d");
    assert_eq!(d().equals(t), d().eq(t));
    assert_eq!(d().not_equals(t), d().ne(t));
    assert_eq!(d().gt(t), d().after(t));
    assert_eq!(d().gte(t), d().on_or_after(t));
    assert_eq!(d().lt(t), d().before(t));
    assert_eq!(d().lte(t), d().on_or_before(t));
    assert_eq!(d().eq_str(text).unwrap(), d().eq(t));
    assert_eq!(d().ne_str(text).unwrap(), d().ne(t));
    assert_eq!(d().after_str(text).unwrap(), d().after(t));
    assert_eq!(d().on_or_after_str(text).unwrap(), d().on_or_after(t));
    assert_eq!(d().before_str(text).unwrap(), d().before(t));
    assert_eq!(d().on_or_before_str(text).unwrap(), d().on_or_before(t));
    assert_eq!(d().compare(DateOperator::Lte, t), d().on_or_before(t));
    assert_eq!(d().parse(DateOperator::Gt, text).unwrap(), d().after(t));
    let f = d().after(t);
    assert_eq!(f.operator(), DateOperator::Gt);
    assert_eq!(f.value(), t);
    assert_eq!(f.column_id(), "d");
}

#[test]
fn dates_are_utc_rfc3339_with_z() {
    // An offset is converted to UTC.
    let offset: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2024-05-01T02:00:00+02:00").unwrap();
    assert_eq!(
        to_json(Filter::date("created_at").after(offset))["value"],
        json!("2024-05-01T00:00:00Z")
    );
    assert_eq!(
        to_json(
            Filter::date("created_at")
                .before_str("2024-05-01T00:00:00-05:30")
                .unwrap()
        )["value"],
        json!("2024-05-01T05:30:00Z")
    );
    // Fractions are kept, with as many digits as needed.
    let millis = ts(2024, 5, 1, 0, 0, 0) + chrono::Duration::milliseconds(250);
    assert_eq!(
        to_json(Filter::date("created_at").eq(millis))["value"],
        json!("2024-05-01T00:00:00.250Z")
    );
    let nanos = ts(2024, 5, 1, 0, 0, 0) + chrono::Duration::nanoseconds(1);
    assert_eq!(
        to_json(Filter::date("created_at").eq(nanos))["value"],
        json!("2024-05-01T00:00:00.000000001Z")
    );
    // SystemTime converts too.
    let epoch = std::time::UNIX_EPOCH;
    assert_eq!(
        to_json(Filter::date("created_at").on_or_after(epoch))["value"],
        json!("1970-01-01T00:00:00Z")
    );
}

#[test]
fn date_str_errors_name_the_text_and_column() {
    for bad in ["yesterday", "2024-05-01", "2024-13-01T00:00:00Z", ""] {
        let err = Filter::date("created_at").after_str(bad).unwrap_err();
        assert!(
            matches!(&err, FilterError::InvalidDate { column, text, .. }
                if column == "created_at" && text == bad),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "date filter on column `created_at`: `{bad}` is not an RFC 3339 date-time ("
            )),
            "{message}"
        );
    }
    assert!(Filter::date("d").eq_str("nope").is_err());
    assert!(Filter::date("d").ne_str("nope").is_err());
    assert!(Filter::date("d").on_or_after_str("nope").is_err());
    assert!(Filter::date("d").before_str("nope").is_err());
    assert!(Filter::date("d").on_or_before_str("nope").is_err());
    assert!(Filter::date("d").parse(DateOperator::Eq, "nope").is_err());
}

#[test]
fn id_every_operator() {
    let (a, b) = (uuid(A), uuid(B));
    assert_eq!(
        to_json(Filter::id("trace_id").eq(a)),
        json!({"type": "id", "column_id": "trace_id", "operator": "eq", "value": A})
    );
    assert_eq!(
        to_json(Filter::id("trace_id").ne(a)),
        json!({"type": "id", "column_id": "trace_id", "operator": "ne", "value": A})
    );
    assert_eq!(
        to_json(Filter::id("trace_id").one_of([a, b])),
        json!({"type": "id", "column_id": "trace_id", "operator": "one_of", "value": [A, B]})
    );
    assert_eq!(
        to_json(Filter::id("trace_id").not_in(vec![b])),
        json!({"type": "id", "column_id": "trace_id", "operator": "not_in", "value": [B]})
    );
    assert_eq!(
        to_json(Filter::id("trace_id").contains("6f9619ff")),
        json!({"type": "id", "column_id": "trace_id", "operator": "contains",
               "value": "6f9619ff"})
    );
    assert_eq!(Filter::id("i").equals(a), Filter::id("i").eq(a));
    assert_eq!(Filter::id("i").not_equals(a), Filter::id("i").ne(a));
    let f = Filter::id("i").one_of([a]);
    assert_eq!(f.operator(), IdOperator::OneOf);
    assert_eq!(f.value(), &IdValue::Uuids(vec![a]));
    assert_eq!(f.column_id(), "i");
}

#[test]
fn boolean_every_operator() {
    assert_eq!(
        to_json(Filter::boolean("is_complete").is_true()),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true})
    );
    assert_eq!(
        to_json(Filter::boolean("is_complete").is_false()),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": false})
    );
    assert_eq!(
        to_json(Filter::boolean("is_complete").eq(true)),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true})
    );
    assert_eq!(
        to_json(Filter::boolean("is_complete").ne(true)),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "ne", "value": true})
    );
    assert_eq!(
        Filter::boolean("b").equals(false),
        Filter::boolean("b").is_false()
    );
    assert_eq!(
        Filter::boolean("b").not_equals(false),
        Filter::boolean("b").ne(false)
    );
    let f = Filter::boolean("b").ne(false);
    assert_eq!(
        (f.column_id(), f.operator(), f.value()),
        ("b", BooleanOperator::Ne, false)
    );
}

#[test]
fn collection_every_operator() {
    assert_eq!(
        to_json(Filter::collection("tags").contains("prod")),
        json!({"type": "collection", "column_id": "tags", "operator": "contains",
               "value": "prod", "case_sensitive": true})
    );
    assert_eq!(
        to_json(
            Filter::collection("tags")
                .contains("prod")
                .case_insensitive()
        ),
        json!({"type": "collection", "column_id": "tags", "operator": "contains",
               "value": "prod", "case_sensitive": false})
    );
    assert_eq!(
        to_json(Filter::collection("tags").eq("prod")),
        json!({"type": "collection", "column_id": "tags", "operator": "eq",
               "value": "prod", "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::collection("tags").eq(["prod", "eu"])),
        json!({"type": "collection", "column_id": "tags", "operator": "eq",
               "value": ["prod", "eu"], "case_sensitive": true})
    );
    assert_eq!(
        to_json(Filter::collection("tags").one_of(["prod", "staging"])),
        json!({"type": "collection", "column_id": "tags", "operator": "one_of",
               "value": ["prod", "staging"], "case_sensitive": true})
    );
    assert_eq!(
        to_json(
            Filter::collection("tags")
                .case_insensitive()
                .not_in(["dev"])
        ),
        json!({"type": "collection", "column_id": "tags", "operator": "not_in",
               "value": ["dev"], "case_sensitive": false})
    );
    assert_eq!(
        Filter::collection("t").equals("x"),
        Filter::collection("t").eq("x")
    );
    let f = Filter::collection("t").case_sensitive(false).one_of(["x"]);
    assert_eq!(f.operator(), CollectionOperator::OneOf);
    assert_eq!(f.value().as_list(), Some(&["x".to_string()][..]));
    assert!(!f.is_case_sensitive());
}

#[test]
fn fully_annotated_serialization() {
    assert_eq!(
        to_json(Filter::fully_annotated()),
        json!({"type": "fully_annotated", "column_id": "fully_annotated"})
    );
    let a = uuid(A);
    let b = uuid(B);
    assert_eq!(
        to_json(Filter::fully_annotated().by_users([a, b])),
        json!({"type": "fully_annotated", "column_id": "fully_annotated", "user_ids": [A, B]})
    );
    let f = Filter::fully_annotated().by_users([a]);
    assert_eq!(f.user_ids(), Some(&[a][..]));
    assert_eq!(f.column_id(), "fully_annotated");
    assert_eq!(Filter::fully_annotated().user_ids(), None);
}

#[test]
fn builders_cover_every_operator() {
    let t = ts(2024, 1, 1, 0, 0, 0);
    let a = uuid(A);

    let id: BTreeSet<_> = [
        Filter::id("c").eq(a),
        Filter::id("c").ne(a),
        Filter::id("c").one_of([a]),
        Filter::id("c").not_in([a]),
        Filter::id("c").contains("x"),
    ]
    .iter()
    .map(|f| f.operator().as_str())
    .collect();
    assert_eq!(id, IdOperator::ALL.iter().map(|o| o.as_str()).collect());

    let date: BTreeSet<_> = [
        Filter::date("c").eq(t),
        Filter::date("c").ne(t),
        Filter::date("c").after(t),
        Filter::date("c").on_or_after(t),
        Filter::date("c").before(t),
        Filter::date("c").on_or_before(t),
    ]
    .iter()
    .map(|f| f.operator().as_str())
    .collect();
    assert_eq!(date, DateOperator::ALL.iter().map(|o| o.as_str()).collect());

    let number: BTreeSet<_> = [
        Filter::number("c").eq(1),
        Filter::number("c").ne(1),
        Filter::number("c").gt(1),
        Filter::number("c").gte(1),
        Filter::number("c").lt(1),
        Filter::number("c").lte(1),
        Filter::number("c").between(1, 2),
    ]
    .iter()
    .map(|f| f.operator().as_str())
    .collect();
    assert_eq!(
        number,
        NumberOperator::ALL.iter().map(|o| o.as_str()).collect()
    );

    let boolean: BTreeSet<_> = [Filter::boolean("c").eq(true), Filter::boolean("c").ne(true)]
        .iter()
        .map(|f| f.operator().as_str())
        .collect();
    assert_eq!(
        boolean,
        BooleanOperator::ALL.iter().map(|o| o.as_str()).collect()
    );

    let collection: BTreeSet<_> = [
        Filter::collection("c").eq("x"),
        Filter::collection("c").contains("x"),
        Filter::collection("c").one_of(["x"]),
        Filter::collection("c").not_in(["x"]),
    ]
    .iter()
    .map(|f| f.operator().as_str())
    .collect();
    assert_eq!(
        collection,
        CollectionOperator::ALL.iter().map(|o| o.as_str()).collect()
    );

    let text: BTreeSet<_> = [
        Filter::text("c").eq("x"),
        Filter::text("c").ne("x"),
        Filter::text("c").contains("x"),
        Filter::text("c").one_of(["x"]),
        Filter::text("c").not_in(["x"]),
    ]
    .iter()
    .map(|f| f.operator().as_str())
    .collect();
    assert_eq!(text, TextOperator::ALL.iter().map(|o| o.as_str()).collect());
}

// ---------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------

#[test]
fn kind_and_column_id() {
    let t = ts(2024, 1, 1, 0, 0, 0);
    let cases: Vec<(Filter, FilterKind, &str, &str)> = vec![
        (
            Filter::id("trace_id").eq(uuid(A)).into(),
            FilterKind::Id,
            "id",
            "trace_id",
        ),
        (
            Filter::date("created_at").after(t).into(),
            FilterKind::Date,
            "date",
            "created_at",
        ),
        (
            Filter::number("metrics/duration_ns").gt(1).into(),
            FilterKind::Number,
            "number",
            "metrics/duration_ns",
        ),
        (
            Filter::boolean("is_complete").is_true().into(),
            FilterKind::Boolean,
            "boolean",
            "is_complete",
        ),
        (
            Filter::collection("tags").contains("a").into(),
            FilterKind::Collection,
            "collection",
            "tags",
        ),
        (
            Filter::text("input").eq("a").into(),
            FilterKind::Text,
            "text",
            "input",
        ),
        (
            Filter::fully_annotated().into(),
            FilterKind::FullyAnnotated,
            "fully_annotated",
            "fully_annotated",
        ),
    ];
    for (filter, kind, name, column) in cases {
        assert_eq!(filter.kind(), kind);
        assert_eq!(filter.kind().as_str(), name);
        assert_eq!(filter.kind().to_string(), name);
        assert_eq!(filter.column_id(), column);
        assert_eq!(to_json(filter)["type"], json!(name));
    }
    assert_eq!(FilterKind::ALL.len(), 7);
}

#[test]
fn kind_structs_serialize_like_filter() {
    let text = Filter::text("input").eq("x");
    assert_eq!(
        serde_json::to_value(&text).unwrap(),
        serde_json::to_value(Filter::from(text)).unwrap()
    );
    let fa = Filter::fully_annotated();
    assert_eq!(
        serde_json::to_value(&fa).unwrap(),
        serde_json::to_value(Filter::from(fa)).unwrap()
    );
}

#[test]
fn operator_names() {
    assert_eq!(TextOperator::OneOf.as_str(), "one_of");
    assert_eq!(TextOperator::NotIn.to_string(), "not_in");
    assert_eq!(NumberOperator::Between.as_str(), "between");
    assert_eq!(DateOperator::Gte.as_str(), "gte");
    assert_eq!(IdOperator::default(), IdOperator::Eq);
    assert_eq!(BooleanOperator::default(), BooleanOperator::Eq);
    assert_eq!(
        serde_json::to_value(CollectionOperator::Contains).unwrap(),
        json!("contains")
    );
}

// ---------------------------------------------------------------------------
// Deserialization
// ---------------------------------------------------------------------------

#[test]
fn deserialize_id_with_default_operator() {
    let filter = from_json(json!({"type": "id", "column_id": "trace_id", "value": A}));
    assert_eq!(filter, Filter::id("trace_id").eq(uuid(A)).into());
    let filter = from_json(
        json!({"type": "id", "column_id": "trace_id", "operator": "not_in",
                                  "value": [A, B]}),
    );
    assert_eq!(
        filter,
        Filter::id("trace_id").not_in([uuid(A), uuid(B)]).into()
    );
    let filter = from_json(
        json!({"type": "id", "column_id": "trace_id", "operator": "contains",
                                  "value": "6F96"}),
    );
    assert_eq!(filter, Filter::id("trace_id").contains("6F96").into());
    // A contains fragment that happens to be a UUID is kept verbatim.
    let upper = A.to_uppercase();
    let filter = from_json(
        json!({"type": "id", "column_id": "trace_id", "operator": "contains",
                                  "value": upper}),
    );
    assert_eq!(to_json(filter)["value"], json!(upper));
}

#[test]
fn deserialize_date() {
    let filter = from_json(
        json!({"type": "date", "column_id": "created_at", "operator": "lte",
                                  "value": "2024-05-01T02:00:00+02:00"}),
    );
    assert_eq!(
        filter,
        Filter::date("created_at")
            .on_or_before(ts(2024, 5, 1, 0, 0, 0))
            .into()
    );
    assert_eq!(
        from_json_err(json!({"type": "date", "column_id": "created_at",
                             "value": "2024-05-01T00:00:00Z"})),
        "missing field `operator`"
    );
}

#[test]
fn deserialize_number_keeps_int_and_float() {
    let int =
        from_json(json!({"type": "number", "column_id": "n", "operator": "gt", "value": 100}));
    assert_eq!(int, Filter::number("n").gt(100).into());
    let float =
        from_json(json!({"type": "number", "column_id": "n", "operator": "gt", "value": 100.0}));
    assert_eq!(float, Filter::number("n").gt(100.0).into());
    assert_ne!(int, float);
    let between = from_json(
        json!({"type": "number", "column_id": "n", "operator": "between",
                                   "value": [1, 2.5]}),
    );
    assert_eq!(between, Filter::number("n").between(1, 2.5).into());
}

#[test]
fn deserialize_boolean_with_default_operator() {
    let filter = from_json(json!({"type": "boolean", "column_id": "is_complete", "value": true}));
    assert_eq!(filter, Filter::boolean("is_complete").is_true().into());
    let filter = from_json(
        json!({"type": "boolean", "column_id": "is_complete", "operator": "ne",
                                  "value": false}),
    );
    assert_eq!(filter, Filter::boolean("is_complete").ne(false).into());
}

#[test]
fn deserialize_collection_with_default_case_sensitivity() {
    let filter = from_json(json!({"type": "collection", "column_id": "tags",
                                  "operator": "contains", "value": "prod"}));
    assert_eq!(filter, Filter::collection("tags").contains("prod").into());
    let filter = from_json(
        json!({"type": "collection", "column_id": "tags", "operator": "eq",
                                  "value": ["a", "b"], "case_sensitive": false}),
    );
    assert_eq!(
        filter,
        Filter::collection("tags")
            .eq(["a", "b"])
            .case_insensitive()
            .into()
    );
}

#[test]
fn deserialize_text_with_default_case_sensitivity() {
    let filter = from_json(
        json!({"type": "text", "column_id": "input", "operator": "eq",
                                  "value": "example input"}),
    );
    assert_eq!(filter, Filter::text("input").eq("example input").into());
    let Filter::Text(text) = &filter else {
        panic!("not a text filter: {filter:?}");
    };
    assert!(text.is_case_sensitive());
    let filter = from_json(
        json!({"type": "text", "column_id": "input", "operator": "one_of",
                                  "value": ["a"], "case_sensitive": false}),
    );
    assert_eq!(
        filter,
        Filter::text("input")
            .one_of(["a"])
            .case_insensitive()
            .into()
    );
}

#[test]
fn deserialize_fully_annotated() {
    let expected: Filter = Filter::fully_annotated().into();
    assert_eq!(from_json(json!({"type": "fully_annotated"})), expected);
    assert_eq!(
        from_json(json!({"type": "fully_annotated", "column_id": "fully_annotated"})),
        expected
    );
    assert_eq!(
        from_json(json!({"type": "fully_annotated", "user_ids": null})),
        expected
    );
    assert_eq!(
        from_json(json!({"type": "fully_annotated", "user_ids": [A]})),
        Filter::fully_annotated().by_users([uuid(A)]).into()
    );
    assert_eq!(
        from_json_err(json!({"type": "fully_annotated", "column_id": "input"})),
        "fully_annotated filter: column_id must be `fully_annotated`, got `input`"
    );
}

#[test]
fn kind_structs_deserialize_alone_with_or_without_type() {
    let with: TextFilter = serde_json::from_value(json!({"type": "text", "column_id": "c",
                                                         "operator": "eq", "value": "v"}))
    .unwrap();
    let without: TextFilter =
        serde_json::from_value(json!({"column_id": "c", "operator": "eq", "value": "v"})).unwrap();
    assert_eq!(with, without);
    assert_eq!(with, Filter::text("c").eq("v"));
    let wrong = serde_json::from_value::<TextFilter>(json!({"type": "number", "column_id": "c",
                                                             "operator": "eq", "value": "v"}))
    .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "unknown variant `number`, expected `text`"
    );
    let fa: FullyAnnotatedFilter = serde_json::from_value(json!({})).unwrap();
    assert_eq!(fa, Filter::fully_annotated());
}

#[test]
fn unknown_type_is_named_with_the_allowed_ones() {
    assert_eq!(
        from_json_err(json!({"type": "foo", "column_id": "x", "value": 1})),
        "unknown variant `foo`, expected one of `id`, `date`, `number`, `boolean`, \
         `collection`, `text`, `fully_annotated`"
    );
    let from_str = serde_json::from_str::<Filter>(r#"{"type":"Text","column_id":"x"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        from_str.starts_with("unknown variant `Text`, expected one of `id`"),
        "{from_str}"
    );
}

#[test]
fn missing_type_is_an_error() {
    assert_eq!(
        from_json_err(json!({"column_id": "input", "operator": "eq", "value": "x"})),
        "missing field `type`"
    );
}

#[test]
fn unknown_operator_lists_the_kinds_operators() {
    assert_eq!(
        from_json_err(
            json!({"type": "text", "column_id": "c", "operator": "between",
                             "value": "x"})
        ),
        "unknown variant `between`, expected one of `eq`, `ne`, `contains`, `one_of`, `not_in`"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "boolean", "column_id": "c", "operator": "gt",
                             "value": true})
        ),
        "unknown variant `gt`, expected `eq` or `ne`"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "collection", "column_id": "c", "operator": "ne",
                             "value": "x"})
        ),
        "unknown variant `ne`, expected one of `eq`, `contains`, `one_of`, `not_in`"
    );
}

#[test]
fn unknown_fields_are_rejected() {
    let err = from_json_err(json!({"type": "text", "name": "input", "operator": "eq",
                                   "value": "x"}));
    assert!(
        err.starts_with("unknown field `name`, expected one of"),
        "{err}"
    );
    let err = from_json_err(
        json!({"type": "text", "column_id": "input", "operator": "eq",
                                   "value": "x", "case_sensitve": false}),
    );
    assert!(err.starts_with("unknown field `case_sensitve`"), "{err}");
}

#[test]
fn values_that_do_not_fit_the_operator_are_rejected() {
    assert_eq!(
        from_json_err(
            json!({"type": "text", "column_id": "input", "operator": "one_of",
                             "value": "x"})
        ),
        "text filter on column `input`: operator `one_of` needs an array of strings"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "text", "column_id": "input", "operator": "contains",
                             "value": ["x"]})
        ),
        "text filter on column `input`: operator `contains` needs a single string"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "collection", "column_id": "tags", "operator": "not_in",
                             "value": "x"})
        ),
        "collection filter on column `tags`: operator `not_in` needs an array of strings"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "number", "column_id": "n", "operator": "between",
                             "value": [1, 2, 3]})
        ),
        "number filter on column `n`: operator `between` needs an array [low, high] of exactly \
         two numbers"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "number", "column_id": "n", "operator": "between",
                             "value": 1})
        ),
        "number filter on column `n`: operator `between` needs an array [low, high] of exactly \
         two numbers"
    );
    assert_eq!(
        from_json_err(json!({"type": "number", "column_id": "n", "operator": "gt",
                             "value": [1]})),
        "number filter on column `n`: operator `gt` needs a single number"
    );
    assert_eq!(
        from_json_err(json!({"type": "number", "column_id": "n", "operator": "gt",
                             "value": "1"})),
        "invalid type: string \"1\", expected a number or an array of numbers"
    );
    assert_eq!(
        from_json_err(
            json!({"type": "id", "column_id": "trace_id", "operator": "one_of",
                             "value": A})
        ),
        "id filter on column `trace_id`: operator `one_of` needs an array of UUID strings"
    );
    assert_eq!(
        from_json_err(json!({"type": "id", "column_id": "trace_id", "value": [A]})),
        "id filter on column `trace_id`: operator `eq` needs a single UUID string"
    );
    let err = from_json_err(
        json!({"type": "id", "column_id": "trace_id", "operator": "not_in",
                                   "value": [A, "abc"]}),
    );
    assert!(
        err.starts_with(
            "id filter on column `trace_id`: operator `not_in` needs UUIDs, but `abc` is not a \
             UUID ("
        ),
        "{err}"
    );
    let err = from_json_err(
        json!({"type": "date", "column_id": "created_at", "operator": "gt",
                                   "value": "2024-05-01"}),
    );
    assert!(
        err.starts_with(
            "date filter on column `created_at`: `2024-05-01` is not an RFC 3339 date-time ("
        ),
        "{err}"
    );
    assert_eq!(
        from_json_err(json!({"type": "boolean", "column_id": "b", "value": "true"})),
        "invalid type: string \"true\", expected a boolean"
    );
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[test]
fn valid_filters_pass() {
    let filters: Vec<Filter> = vec![
        Filter::id("trace_id").one_of([uuid(A)]).into(),
        Filter::id("trace_id").contains("").into(),
        Filter::date("created_at")
            .after(ts(1, 1, 1, 0, 0, 0))
            .into(),
        Filter::date("created_at")
            .after(ts(9999, 12, 31, 23, 59, 59))
            .into(),
        Filter::number("n").between(1, 1).into(),
        Filter::number("n").between(1, 1.5).into(),
        Filter::number("n").between(-0.0, 0).into(),
        Filter::boolean("b").is_true().into(),
        Filter::collection("tags").not_in(["x"]).into(),
        Filter::text("t").one_of([""]).into(),
        Filter::fully_annotated().into(),
        Filter::fully_annotated().by_users([Uuid::new_v4()]).into(),
    ];
    for filter in filters {
        assert_eq!(filter.validate(), Ok(()), "{filter:?}");
        assert_eq!(filter.clone().validated(), Ok(filter));
    }
}

#[test]
fn empty_lists_fail_validation() {
    let none: Vec<String> = Vec::new();
    assert_eq!(
        validate_err(Filter::text("input").one_of(none.clone())),
        "text filter on column `input`: operator `one_of` needs a non-empty list of values"
    );
    assert_eq!(
        validate_err(Filter::text("input").not_in(none.clone())),
        "text filter on column `input`: operator `not_in` needs a non-empty list of values"
    );
    assert_eq!(
        validate_err(Filter::collection("tags").one_of(none.clone())),
        "collection filter on column `tags`: operator `one_of` needs a non-empty list of values"
    );
    assert_eq!(
        validate_err(Filter::collection("tags").not_in(none)),
        "collection filter on column `tags`: operator `not_in` needs a non-empty list of values"
    );
    assert_eq!(
        validate_err(Filter::id("trace_id").one_of([])),
        "id filter on column `trace_id`: operator `one_of` needs a non-empty list of values"
    );
    assert_eq!(
        validate_err(Filter::id("trace_id").not_in(Vec::new())),
        "id filter on column `trace_id`: operator `not_in` needs a non-empty list of values"
    );
    assert_eq!(
        Filter::from(Filter::text("input").one_of(Vec::<&str>::new())).validate(),
        Err(FilterError::EmptyList {
            kind: FilterKind::Text,
            column: "input".into(),
            operator: "one_of",
        })
    );
}

#[test]
fn deserialized_filters_are_validated_too() {
    for value in [
        json!({"type": "text", "column_id": "input", "operator": "one_of", "value": []}),
        json!({"type": "collection", "column_id": "tags", "operator": "not_in", "value": []}),
        json!({"type": "id", "column_id": "trace_id", "operator": "one_of", "value": []}),
        json!({"type": "number", "column_id": "n", "operator": "between", "value": [2, 1]}),
        json!({"type": "fully_annotated", "user_ids": []}),
        json!({"type": "fully_annotated", "user_ids": ["00000000-0000-0000-0000-000000000000"]}),
        json!({"type": "boolean", "column_id": "", "value": true}),
        json!({"type": "date", "column_id": "d", "operator": "eq",
               "value": "0000-06-01T00:00:00Z"}),
    ] {
        let filter = from_json(value.clone());
        assert!(filter.validate().is_err(), "{value}");
    }
    let filter = from_json(
        json!({"type": "text", "column_id": "input", "operator": "one_of",
                                  "value": []}),
    );
    assert_eq!(
        filter.validate().unwrap_err().to_string(),
        "text filter on column `input`: operator `one_of` needs a non-empty list of values"
    );
}

#[test]
fn between_needs_ordered_finite_bounds() {
    assert_eq!(
        validate_err(Filter::number("metrics/duration_ns").between(250, 100)),
        "number filter on column `metrics/duration_ns`: `between` needs low <= high, got [250, 100]"
    );
    assert_eq!(
        validate_err(Filter::number("score").between(0.9, 0.1)),
        "number filter on column `score`: `between` needs low <= high, got [0.9, 0.1]"
    );
    assert_eq!(
        validate_err(Filter::number("score").between(2, 1.5)),
        "number filter on column `score`: `between` needs low <= high, got [2, 1.5]"
    );
    assert_eq!(
        validate_err(Filter::number("score").between(1.5, 1)),
        "number filter on column `score`: `between` needs low <= high, got [1.5, 1]"
    );
    // Exact comparison between an integer and a float beyond 2^53.
    let big = 9_007_199_254_740_993_i64; // 2^53 + 1, not representable as f64
    assert!(
        Filter::from(Filter::number("n").between(big, 9_007_199_254_740_992.0))
            .validate()
            .is_err()
    );
    assert!(
        Filter::from(Filter::number("n").between(9_007_199_254_740_992.0, big))
            .validate()
            .is_ok()
    );
    assert!(Filter::from(Filter::number("n").between(i64::MAX, 9.3e18))
        .validate()
        .is_ok());
    assert!(Filter::from(Filter::number("n").between(9.3e18, i64::MAX))
        .validate()
        .is_err());
    assert_eq!(
        validate_err(Filter::number("score").between(f64::NAN, 1)),
        "number filter on column `score`: NaN is not a finite number"
    );
    assert_eq!(
        validate_err(Filter::number("score").between(0, f64::INFINITY)),
        "number filter on column `score`: inf is not a finite number"
    );
}

#[test]
fn non_finite_numbers_fail_validation_and_serialization() {
    assert_eq!(
        validate_err(Filter::number("score").gt(f64::NAN)),
        "number filter on column `score`: NaN is not a finite number"
    );
    assert_eq!(
        validate_err(Filter::number("score").lte(f64::NEG_INFINITY)),
        "number filter on column `score`: -inf is not a finite number"
    );
    assert_eq!(
        Filter::from(Filter::number("score").eq(f32::INFINITY)).validate(),
        Err(FilterError::NonFiniteNumber {
            column: "score".into(),
            value: f64::INFINITY,
        })
    );
    // Serializing an unvalidated NaN fails instead of writing `null`.
    let err = serde_json::to_string(&Filter::from(Filter::number("score").gt(f64::NAN)))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "NaN is not a finite number and cannot be sent");
}

#[test]
fn by_users_needs_non_empty_v4_uuids() {
    assert_eq!(
        validate_err(Filter::fully_annotated().by_users([])),
        "fully_annotated filter: user_ids must not be empty (leave it unset to require \
         annotations from every queue member)"
    );
    assert_eq!(
        validate_err(Filter::fully_annotated().by_users([Uuid::new_v4(), Uuid::nil()])),
        "fully_annotated filter: user id `00000000-0000-0000-0000-000000000000` is not a \
         version-4 UUID, which the API requires"
    );
    // A v1-style UUID is rejected too.
    let v1 = uuid("c232ab00-9414-11ec-b3c8-9e6bdeced846");
    assert_eq!(
        Filter::from(Filter::fully_annotated().by_users([v1])).validate(),
        Err(FilterError::UserIdNotV4 { user_id: v1 })
    );
}

#[test]
fn empty_column_fails_validation() {
    let t = ts(2024, 1, 1, 0, 0, 0);
    let cases: Vec<(Filter, &str)> = vec![
        (Filter::id("").eq(uuid(A)).into(), "id"),
        (Filter::date("").eq(t).into(), "date"),
        (Filter::number("").eq(1).into(), "number"),
        (Filter::boolean("").is_true().into(), "boolean"),
        (Filter::collection("").contains("x").into(), "collection"),
        (Filter::text("").contains("x").into(), "text"),
    ];
    for (filter, kind) in cases {
        assert_eq!(
            filter.validate().unwrap_err().to_string(),
            format!("{kind} filter: column_id must not be empty")
        );
    }
}

#[test]
fn dates_outside_python_range_fail_validation() {
    let year_zero = Utc.with_ymd_and_hms(0, 6, 1, 0, 0, 0).unwrap();
    assert_eq!(
        validate_err(Filter::date("created_at").before(year_zero)),
        "date filter on column `created_at`: 0000-06-01 00:00:00 UTC is outside the years 1 to \
         9999 that the API accepts"
    );
    let far = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
    assert!(matches!(
        Filter::from(Filter::date("d").after(far)).validate(),
        Err(FilterError::DateOutOfRange { .. })
    ));
}

// ---------------------------------------------------------------------------
// Property tests: Filter -> JSON -> Filter
// ---------------------------------------------------------------------------

fn column() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.]{0,15}"
}

fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 1..5)
}

fn any_uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn v4_uuid() -> impl Strategy<Value = Uuid> {
    any::<[u8; 16]>().prop_map(|bytes| uuid::Builder::from_random_bytes(bytes).into_uuid())
}

fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |x| x.is_finite())
}

/// Floats with at most 15 significant digits and a small exponent. serde_json's
/// default text parser (without its `float_roundtrip` feature) reads these back
/// exactly; arbitrary `f64`s can come back one ULP off, e.g. `-1.1772365848009561e229`.
fn short_f64() -> impl Strategy<Value = f64> {
    (-999_999_999_999_999_i64..=999_999_999_999_999, 0i32..=15)
        .prop_map(|(m, k)| m as f64 / 10f64.powi(k))
}

fn number(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<u64>().prop_map(Number::from),
        floats.prop_map(Number::Float),
        (-1000i64..1000).prop_map(Number::Int),
        (-1000i32..1000).prop_map(|i| Number::Float(f64::from(i))),
    ]
}

fn date() -> impl Strategy<Value = DateTime<Utc>> {
    // Years 1 to 9999, with nanoseconds.
    (
        -62_135_596_800_i64..=253_402_300_799_i64,
        0u32..1_000_000_000,
    )
        .prop_filter_map("valid timestamp", |(s, n)| DateTime::from_timestamp(s, n))
}

fn id_filter() -> impl Strategy<Value = Filter> {
    (
        column(),
        any_uuid(),
        prop::collection::vec(any_uuid(), 1..4),
        text(),
        0..5u8,
    )
        .prop_map(|(c, id, ids, fragment, op)| {
            let b = Filter::id(c);
            Filter::from(match op {
                0 => b.eq(id),
                1 => b.ne(id),
                2 => b.one_of(ids),
                3 => b.not_in(ids),
                _ => b.contains(fragment),
            })
        })
}

fn date_filter() -> impl Strategy<Value = Filter> {
    (column(), date(), 0..6u8).prop_map(|(c, t, op)| {
        let b = Filter::date(c);
        Filter::from(match op {
            0 => b.eq(t),
            1 => b.ne(t),
            2 => b.after(t),
            3 => b.on_or_after(t),
            4 => b.before(t),
            _ => b.on_or_before(t),
        })
    })
}

fn number_filter(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Filter> {
    (column(), number(floats.clone()), number(floats), 0..7u8).prop_map(|(c, x, y, op)| {
        let b = Filter::number(c);
        Filter::from(match op {
            0 => b.eq(x),
            1 => b.ne(x),
            2 => b.gt(x),
            3 => b.gte(x),
            4 => b.lt(x),
            5 => b.lte(x),
            _ => b.between(x, y),
        })
    })
}

fn boolean_filter() -> impl Strategy<Value = Filter> {
    (column(), any::<bool>(), any::<bool>()).prop_map(|(c, value, eq)| {
        let b = Filter::boolean(c);
        Filter::from(if eq { b.eq(value) } else { b.ne(value) })
    })
}

fn collection_filter() -> impl Strategy<Value = Filter> {
    (column(), text(), texts(), any::<bool>(), 0..5u8).prop_map(|(c, one, many, cs, op)| {
        let b = Filter::collection(c).case_sensitive(cs);
        Filter::from(match op {
            0 => b.eq(one),
            1 => b.eq(many),
            2 => b.contains(one),
            3 => b.one_of(many),
            _ => b.not_in(many),
        })
    })
}

fn text_filter() -> impl Strategy<Value = Filter> {
    (column(), text(), texts(), any::<bool>(), 0..5u8).prop_map(|(c, one, many, cs, op)| {
        let b = Filter::text(c);
        let filter = match op {
            0 => b.eq(one),
            1 => b.ne(one),
            2 => b.contains(one),
            3 => b.one_of(many),
            _ => b.not_in(many),
        };
        Filter::from(filter.case_sensitive(cs))
    })
}

fn fully_annotated_filter() -> impl Strategy<Value = Filter> {
    prop::option::of(prop::collection::vec(v4_uuid(), 1..4)).prop_map(|ids| {
        Filter::from(match ids {
            Some(ids) => Filter::fully_annotated().by_users(ids),
            None => Filter::fully_annotated(),
        })
    })
}

/// Every kind and operator; number filters draw their floats from `floats`.
fn filter_with(floats: BoxedStrategy<f64>) -> impl Strategy<Value = Filter> {
    prop_oneof![
        id_filter(),
        date_filter(),
        number_filter(floats),
        boolean_filter(),
        collection_filter(),
        text_filter(),
        fully_annotated_filter(),
    ]
}

fn any_filter() -> impl Strategy<Value = Filter> {
    filter_with(finite_f64().boxed())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trips_through_json_text(filter in filter_with(short_f64().boxed())) {
        let text = serde_json::to_string(&filter).unwrap();
        let back: Filter = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &filter);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }

    #[test]
    fn round_trips_through_json_value(filter in any_filter()) {
        let value = serde_json::to_value(&filter).unwrap();
        prop_assert_eq!(&value["type"], &json!(filter.kind().as_str()));
        prop_assert_eq!(&value["column_id"], &json!(filter.column_id()));
        let back: Filter = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back, filter);
    }

    #[test]
    fn generated_filters_validate(filter in any_filter()) {
        // `between` bounds are random, hence unordered; they have their own properties.
        let is_range = matches!(&filter, Filter::Number(n) if n.operator() == NumberOperator::Between);
        if !is_range {
            prop_assert_eq!(filter.validate(), Ok(()));
        }
    }

    #[test]
    fn between_validates_iff_ordered(a in any::<i64>(), b in any::<i64>()) {
        let result = Filter::from(Filter::number("n").between(a, b)).validate();
        prop_assert_eq!(result.is_ok(), a <= b);
    }

    #[test]
    fn float_between_validates_iff_ordered(a in finite_f64(), b in finite_f64()) {
        let result = Filter::from(Filter::number("n").between(a, b)).validate();
        prop_assert_eq!(result.is_ok(), a <= b);
    }
}

/// Numbers are sent exactly as written, on the wire (not only in `to_json`): an integer
/// beyond `i64` stays an integer (it used to go out as `1.2345678901234567e19`), a
/// `between` of an integer and a float keeps its integer, the largest integers keep
/// every digit. Deserialized filters keep them too.
#[tokio::test]
async fn numbers_go_out_on_the_wire_exactly_as_written() {
    use galileo_export_mock::hostile::{HostileServer, Reply};

    let big = 12_345_678_901_234_567_890_u64;
    let odd = 9_007_199_254_740_993_i64; // 2^53 + 1, not representable as f64
    let cases: Vec<(Filter, &str)> = vec![
        (Filter::number("n").gt(big).into(), "12345678901234567890"),
        (
            Filter::number("n").lte(u64::MAX).into(),
            "18446744073709551615",
        ),
        (
            Filter::number("n").eq(i64::MIN).into(),
            "-9223372036854775808",
        ),
        (Filter::number("n").between(1, 2.5).into(), "[1,2.5]"),
        (
            Filter::number("n").between(odd, 1e19).into(),
            "[9007199254740993,1e+19]",
        ),
        (
            Filter::number("n").between(odd, big).into(),
            "[9007199254740993,12345678901234567890]",
        ),
        (Filter::number("n").gt(0.1).into(), "0.1"),
        (
            from_json(json!({"type": "number", "column_id": "n", "operator": "gte", "value": big})),
            "12345678901234567890",
        ),
    ];
    let replies = (0..cases.len())
        .map(|_| Reply::status(200).header("Content-Type", "application/json"))
        .collect();
    let server = HostileServer::start(replies).await;
    for (i, (filter, value)) in cases.into_iter().enumerate() {
        let export = common::hostile_export(&server.base_url()).filter(filter);
        let shown = export.to_json().expect("a request");
        export.bytes().await.expect("sent");
        let sent = server.requests()[i].body_text();
        let expected = format!(r#""value":{value}"#);
        assert!(sent.contains(&expected), "{expected} not in {sent}");
        // What to_json shows is what went out.
        let wire: Value = serde_json::from_str(&sent).expect("JSON");
        assert_eq!(wire, shown, "{value}");
    }
    assert_eq!(Number::from(big), Number::UInt(big));
    assert_eq!(Number::from(7_u64), Number::Int(7));
    assert_eq!(
        Filter::number("n").between(big, u64::MAX).value(),
        NumberValue::Range {
            low: Number::UInt(big),
            high: Number::UInt(u64::MAX)
        }
    );
    // Exact comparisons with the integers beyond i64.
    assert!(Filter::from(Filter::number("n").between(big, 1.2e19))
        .validate()
        .is_err());
    assert!(Filter::from(Filter::number("n").between(i64::MAX, big))
        .validate()
        .is_ok());
    assert!(
        Filter::from(Filter::number("n").between(1.8446744073709552e19, u64::MAX))
            .validate()
            .is_err()
    );
}
