//! Request-body validation that mimics FastAPI + pydantic v2.
//!
//! Validation works on a `serde_json::Value`, never on a typed struct, so that
//! every error carries the exact `loc` pydantic would report, e.g.
//! `["body", "filters", 0, "text", "operator"]` (pydantic v2 puts the
//! discriminator tag of a tagged union into the location). Errors are reported
//! in model field order, all at once, the way FastAPI collects them, each as
//! `{"type", "loc", "msg", "input"[, "ctx"]}`.
//!
//! Coercions follow pydantic's lax (python) mode, which is what FastAPI uses
//! for JSON bodies: `"5"` is a valid integer, `"yes"` a valid boolean, a unix
//! timestamp a valid datetime; numbers are never valid strings.
//!
//! This module validates the body model itself; the parts live beside it: [`errors`]
//! (the error list), [`scalars`] (single fields), [`datetime`], [`filter`] (the
//! `filters` union) and [`request`] (the validated types).

mod datetime;
mod errors;
mod filter;
mod request;
mod scalars;

use serde_json::Value;
use uuid::Uuid;

use crate::data::RootType;
pub(crate) use errors::Errors;
use errors::{at, value_error, Loc};
use filter::v_filter;
pub(crate) use request::{ExportFormat, ExportRequest, FilterReq, NumOp, RunField, SortReq};
use scalars::{v_bool, v_enum, v_list, v_literal, v_object, v_opt_uuid4, v_str, v_uuid4};

fn v_sort(e: &mut Errors, loc: Loc, v: &Value) -> Option<SortReq> {
    let obj = v_object(e, &loc, v)?;
    let column_id = match obj.get("column_id") {
        Some(c) => v_str(e, at(&loc, "column_id"), c),
        None => {
            e.missing(at(&loc, "column_id"), v);
            None
        }
    };
    let ascending = match obj.get("ascending") {
        Some(a) => v_bool(e, at(&loc, "ascending"), a),
        None => Some(true),
    };
    let sort_type_ok = match obj.get("sort_type") {
        Some(s) => v_literal(e, at(&loc, "sort_type"), s, "column"),
        None => true,
    };
    match (column_id, ascending, sort_type_ok) {
        (Some(column_id), Some(ascending), true) => Some(SortReq {
            column_id,
            ascending,
        }),
        _ => None,
    }
}

/// Validates the `project_id` path parameter (`format: uuid4`).
pub(crate) fn validate_project_id(e: &mut Errors, raw: &str) -> Option<Uuid> {
    v_uuid4(
        e,
        vec!["path".into(), "project_id".into()],
        &Value::String(raw.into()),
    )
}

/// The fields of `LogRecordsQueryCountRequest` this server reads (`filter_tree` is not
/// served by the export either); others are ignored, as pydantic ignores extra fields.
const COUNT_FIELDS: [&str; 4] = [
    "log_stream_id",
    "experiment_id",
    "metrics_testing_id",
    "filters",
];

/// Validates the body of a count operation (`LogRecordsQueryCountRequest`: the export's
/// source ids and filters, validated exactly as the export's) for records of `root`.
pub(crate) fn validate_count_body(
    e: &mut Errors,
    body: Option<&Value>,
    root: RootType,
) -> Option<ExportRequest> {
    let Some(Value::Object(obj)) = body else {
        // Missing or not an object: the same errors as the export's.
        return validate_body(e, body);
    };
    let mut shared: serde_json::Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| COUNT_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    shared.insert("root_type".into(), Value::String(root.as_str().into()));
    validate_body(e, Some(&Value::Object(shared)))
}

/// Validates an integer query parameter (lax: `"5"` is 5).
pub(crate) fn validate_query_int(e: &mut Errors, name: &str, raw: &str) -> Option<i64> {
    let v = Value::String(raw.to_string());
    scalars::v_int(e, vec!["query".into(), name.into()], &v).map(|f| f as i64)
}

/// Validates a boolean query parameter (lax: `yes`, `1`, `on` are true).
pub(crate) fn validate_query_bool(e: &mut Errors, name: &str, raw: &str) -> Option<bool> {
    let v = Value::String(raw.to_string());
    v_bool(e, vec!["query".into(), name.into()], &v)
}

/// Validates an enum query parameter.
pub(crate) fn validate_query_enum<'c>(
    e: &mut Errors,
    name: &str,
    raw: &str,
    choices: &[&'c str],
) -> Option<&'c str> {
    let v = Value::String(raw.to_string());
    v_enum(e, vec!["query".into(), name.into()], &v, choices)
}

/// Validates a request body (`None` when the body was empty).
pub(crate) fn validate_body(e: &mut Errors, body: Option<&Value>) -> Option<ExportRequest> {
    let base: Loc = vec!["body".into()];
    let body = match body {
        None => {
            e.missing(base, &Value::Null);
            return None;
        }
        Some(b) => b,
    };
    let obj = v_object(e, &base, body)?;
    let before = e.items.len();
    // Field order of LogRecordsExportRequest.
    let column_ids = match obj.get("column_ids") {
        None | Some(Value::Null) => Some(None),
        Some(c) => v_list(e, at(&base, "column_ids"), c, v_str).map(Some),
    };
    let format = match obj.get("export_format") {
        None => Some(ExportFormat::Jsonl),
        Some(f) => v_enum(e, at(&base, "export_format"), f, &["csv", "jsonl"]).map(|f| {
            if f == "csv" {
                ExportFormat::Csv
            } else {
                ExportFormat::Jsonl
            }
        }),
    };
    let redact = match obj.get("redact") {
        None => Some(true),
        Some(r) => v_bool(e, at(&base, "redact"), r),
    };
    let file_name = match obj.get("file_name") {
        None | Some(Value::Null) => Some(None),
        Some(f) => v_str(e, at(&base, "file_name"), f).map(Some),
    };
    let log_stream = v_opt_uuid4(e, at(&base, "log_stream_id"), obj.get("log_stream_id"));
    let experiment = v_opt_uuid4(e, at(&base, "experiment_id"), obj.get("experiment_id"));
    let metrics_testing = v_opt_uuid4(
        e,
        at(&base, "metrics_testing_id"),
        obj.get("metrics_testing_id"),
    );
    let filters = match obj.get("filters") {
        None => Some(Vec::new()),
        Some(f) => v_list(e, at(&base, "filters"), f, v_filter),
    };
    let sort = match obj.get("sort") {
        None | Some(Value::Null) => Some(None),
        Some(s) => v_sort(e, at(&base, "sort"), s).map(Some),
    };
    let root = match obj.get("root_type") {
        Some(r) => v_enum(e, at(&base, "root_type"), r, &["session", "trace", "span"])
            .and_then(RootType::parse),
        None => {
            e.missing(at(&base, "root_type"), body);
            None
        }
    };
    if e.items.len() != before {
        return None;
    }
    let (
        Some(column_ids),
        Some(format),
        Some(redact),
        Some(file_name),
        Some(log_stream),
        Some(experiment),
        Some(metrics_testing),
        Some(filters),
        Some(sort),
        Some(root),
    ) = (
        column_ids,
        format,
        redact,
        file_name,
        log_stream,
        experiment,
        metrics_testing,
        filters,
        sort,
        root,
    )
    else {
        return None;
    };
    // Model-level validator: exactly one run id.
    let runs: Vec<(RunField, Uuid)> = [
        (RunField::LogStream, log_stream),
        (RunField::Experiment, experiment),
        (RunField::MetricsTesting, metrics_testing),
    ]
    .into_iter()
    .filter_map(|(f, id)| id.map(|id| (f, id)))
    .collect();
    if runs.len() != 1 {
        value_error(
            e,
            base,
            body,
            &format!(
                "Exactly one of log_stream_id, experiment_id or metrics_testing_id must be provided (got {})",
                runs.len()
            ),
        );
        return None;
    }
    Some(ExportRequest {
        root,
        format,
        redact,
        file_name,
        run: runs[0],
        filters,
        sort,
        column_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errs(body: Value) -> Vec<Value> {
        let mut e = Errors::default();
        let r = validate_body(&mut e, Some(&body));
        assert!(r.is_none() || e.is_empty());
        e.items
    }

    #[test]
    fn number_union_errors() {
        let ls = "6f1c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";
        let e = errs(json!({"root_type": "trace", "log_stream_id": ls,
            "filters": [{"type": "number", "column_id": "cost", "operator": "eq", "value": "abc"}]}));
        let locs: Vec<_> = e.iter().map(|x| x["loc"].clone()).collect();
        assert_eq!(locs.len(), 4, "{e:?}");
        assert_eq!(
            locs[0],
            json!(["body", "filters", 0, "number", "value", "int"])
        );
        assert_eq!(
            locs[3],
            json!(["body", "filters", 0, "number", "value", "list[float]"])
        );
    }

    #[test]
    fn number_lists() {
        let ls = "6f1c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";
        for v in [json!([1, 2]), json!([1.5, 2]), json!(["1", "2.5"])] {
            let e = errs(json!({"root_type": "trace", "log_stream_id": ls,
                "filters": [{"type": "number", "column_id": "cost", "operator": "between", "value": v}]}));
            assert!(e.is_empty(), "{e:?}");
        }
    }
}
