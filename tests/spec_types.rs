//! The types generated from the spec put on the wire exactly what a FastAPI server expects.
//! These tests hold for the vendored spec and for Galileo's newer full spec alike.

use galileo_export::api::types::{
    LlmExportFormat, LogRecordsDateFilter, LogRecordsDateFilterOperator, LogRecordsExportRequest,
    LogRecordsExportRequestFiltersItem, LogRecordsNumberFilterOperator,
    LogRecordsTextFilterOperator, RootType,
};
use serde_json::{json, Value};

fn roundtrip_filter(filter: Value) -> LogRecordsExportRequestFiltersItem {
    let parsed: LogRecordsExportRequestFiltersItem = serde_json::from_value(filter.clone())
        .unwrap_or_else(|e| panic!("{filter} does not parse: {e}"));
    let back = serde_json::to_value(&parsed).expect("serializes");
    assert_eq!(back, filter, "round trip of {filter}");
    parsed
}

#[test]
fn each_filter_kind_has_its_own_operators() {
    let parse = |op: &str| serde_json::from_value::<LogRecordsTextFilterOperator>(json!(op));
    for op in ["eq", "ne", "contains", "one_of", "not_in"] {
        assert!(parse(op).is_ok(), "text has {op}");
    }
    for op in ["gt", "gte", "lt", "lte", "between"] {
        assert!(parse(op).is_err(), "text has no {op}");
    }
    for op in ["eq", "ne", "gt", "gte", "lt", "lte"] {
        assert!(
            serde_json::from_value::<LogRecordsDateFilterOperator>(json!(op)).is_ok(),
            "date has {op}"
        );
    }
    assert!(serde_json::from_value::<LogRecordsDateFilterOperator>(json!("between")).is_err());
    assert!(serde_json::from_value::<LogRecordsDateFilterOperator>(json!("contains")).is_err());
    for op in ["eq", "ne", "gt", "gte", "lt", "lte", "between"] {
        assert!(
            serde_json::from_value::<LogRecordsNumberFilterOperator>(json!(op)).is_ok(),
            "number has {op}"
        );
    }
    assert!(serde_json::from_value::<LogRecordsNumberFilterOperator>(json!("contains")).is_err());
}

#[test]
fn each_filter_kind_round_trips_with_its_type_tag() {
    let id = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
    let cases = [
        json!({"type": "id", "column_id": "trace_id", "operator": "eq", "value": id}),
        json!({"type": "id", "column_id": "trace_id", "operator": "one_of", "value": [id, id]}),
        json!({"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-01-01T00:00:00Z"}),
        json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250]}),
        json!({"type": "number", "column_id": "metrics/cost", "operator": "lt", "value": 0.25}),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true}),
        json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": "prod", "case_sensitive": true}),
        json!({"type": "text", "column_id": "input", "operator": "contains", "value": "refund", "case_sensitive": false}),
        json!({"type": "fully_annotated", "column_id": "fully_annotated", "user_ids": [id]}),
    ];
    let expected_variant = [
        "IdFilter",
        "IdFilter",
        "DateFilter",
        "NumberFilter",
        "NumberFilter",
        "BooleanFilter",
        "CollectionFilter",
        "TextFilter",
        "FullyAnnotatedFilter",
    ];
    for (case, variant) in cases.into_iter().zip(expected_variant) {
        let parsed = roundtrip_filter(case);
        let debug = format!("{parsed:?}");
        assert!(debug.starts_with(variant), "{debug} is a {variant}");
    }
}

#[test]
fn spec_defaults_fill_in_and_type_is_always_written() {
    // operator defaults to eq for id and boolean filters; case_sensitive to true.
    let parsed: LogRecordsExportRequestFiltersItem = serde_json::from_value(
        json!({"type": "boolean", "column_id": "is_complete", "value": false}),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&parsed).unwrap(),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": false})
    );
    let parsed: LogRecordsExportRequestFiltersItem = serde_json::from_value(
        json!({"type": "text", "column_id": "input", "operator": "eq", "value": "x"}),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&parsed).unwrap()["case_sensitive"],
        json!(true)
    );
}

#[test]
fn the_tag_decides_the_variant_not_the_shape() {
    // A text filter and a collection filter have the same shape; only "type" tells them apart.
    let text: LogRecordsExportRequestFiltersItem = serde_json::from_value(
        json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": "a", "case_sensitive": true}),
    )
    .unwrap();
    assert!(matches!(
        text,
        LogRecordsExportRequestFiltersItem::CollectionFilter(_)
    ));
    // The wrong tag for the shape is an error, not a guess.
    let err = serde_json::from_value::<LogRecordsExportRequestFiltersItem>(
        json!({"type": "date", "column_id": "c", "operator": "eq", "value": 3}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
}

#[test]
fn unknown_filter_type_is_named_in_the_error() {
    let err = serde_json::from_value::<LogRecordsExportRequestFiltersItem>(
        json!({"type": "regex", "column_id": "input", "operator": "eq", "value": "x"}),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown variant `regex`"), "{err}");
    for tag in [
        "boolean",
        "collection",
        "date",
        "fully_annotated",
        "id",
        "number",
        "text",
    ] {
        assert!(err.contains(&format!("`{tag}`")), "{err} lists {tag}");
    }
    let missing =
        serde_json::from_value::<LogRecordsExportRequestFiltersItem>(json!({"column_id": "x"}))
            .unwrap_err()
            .to_string();
    assert!(missing.contains("missing field `type`"), "{missing}");
}

#[test]
fn every_request_field_serializes_as_fastapi_expects() {
    let id = "00000000-0000-4000-8000-000000000001";
    let body = json!({
        "column_ids": ["input", "output", "created_at"],
        "export_format": "csv",
        "redact": false,
        "file_name": "traces.csv",
        "log_stream_id": id,
        "filters": [
            {"type": "text", "column_id": "input", "operator": "eq", "value": "example input", "case_sensitive": true}
        ],
        "sort": {"column_id": "created_at", "ascending": false, "sort_type": "column"},
        "root_type": "span"
    });
    let request: LogRecordsExportRequest = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(request.export_format, LlmExportFormat::Csv);
    assert_eq!(request.root_type, RootType::Span);
    let wire = serde_json::to_value(&request).unwrap();
    for (key, value) in body.as_object().unwrap() {
        assert_eq!(&wire[key], value, "field {key}");
    }
    let experiment = json!({"root_type": "trace", "experiment_id": id, "metrics_testing_id": id});
    let wire = serde_json::to_value(
        serde_json::from_value::<LogRecordsExportRequest>(experiment).unwrap(),
    )
    .unwrap();
    assert_eq!(wire["experiment_id"], id);
    assert_eq!(wire["metrics_testing_id"], id);
}

#[test]
fn spec_defaults_of_the_request() {
    let request: LogRecordsExportRequest =
        serde_json::from_value(json!({"root_type": "trace"})).unwrap();
    assert_eq!(request.export_format, LlmExportFormat::Jsonl);
    assert!(request.redact);
    let wire = serde_json::to_value(&request).unwrap();
    assert_eq!(wire["root_type"], "trace");
    assert_eq!(wire["export_format"], "jsonl");
    assert_eq!(wire["redact"], true);
    // Absent optionals stay absent rather than being sent as null.
    for absent in [
        "log_stream_id",
        "experiment_id",
        "metrics_testing_id",
        "sort",
        "file_name",
        "column_ids",
        "filters",
    ] {
        assert!(wire.get(absent).is_none(), "{absent} is not sent");
    }
    assert!(
        serde_json::from_value::<LogRecordsExportRequest>(json!({})).is_err(),
        "root_type is required"
    );
}

#[test]
fn uuid4_fields_are_uuids_and_date_times_are_chrono() {
    let request: LogRecordsExportRequest = serde_json::from_value(
        json!({"root_type": "trace", "log_stream_id": "00000000-0000-4000-8000-000000000001"}),
    )
    .unwrap();
    let _: Option<uuid::Uuid> = request.log_stream_id;
    assert!(serde_json::from_value::<LogRecordsExportRequest>(
        json!({"root_type": "trace", "log_stream_id": "nope"})
    )
    .is_err());
    let date: LogRecordsDateFilter = serde_json::from_value(
        json!({"type": "date", "column_id": "created_at", "operator": "lt", "value": "2026-03-04T05:06:07.123456Z"}),
    )
    .unwrap();
    let value: chrono::DateTime<chrono::Utc> = date.value;
    assert_eq!(value.timestamp_subsec_micros(), 123456);
}

#[test]
fn spec_constants_come_from_the_spec() {
    use galileo_export::spec;
    assert!(spec::DEFAULT_BASE_URL.starts_with("https://"));
    let export = spec::operation("export_records").expect("export_records is generated");
    assert_eq!(export.method, "post");
    assert!(
        export
            .path
            .ends_with("/projects/{project_id}/export_records"),
        "{}",
        export.path
    );
    assert!(export.operation_id.starts_with("export_records_"));
    assert!(spec::security::API_KEY_HEADER.is_some_and(|h| h.ends_with("-API-Key")));
    let (bearer, basic) = (spec::security::BEARER, spec::security::BASIC);
    assert_eq!(
        (bearer, basic),
        (true, true),
        "the spec accepts bearer tokens and HTTP basic"
    );
    // Clean names are unique.
    let mut names: Vec<&str> = spec::OPERATIONS.iter().map(|o| o.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len());
}
