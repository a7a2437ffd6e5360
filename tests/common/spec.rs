//! What the OpenAPI spec the crate was built from knows of the request fields newer
//! Galileo servers accept. Shared by the library's `tests/pipelines.rs` and the CLI's
//! `cli/tests/pipelines.rs` (included by path): the vendored spec lacks them, Galileo's
//! newer full spec (the drop-in run of CI) has them, and both suites assert accordingly.

use serde_json::json;

/// Which of `export_format: jsonl_flat` and `include_code_metric_metadata` the spec the
/// crate was built from lacks: both for the vendored spec, neither for Galileo's newer
/// full spec (the drop-in run of CI).
pub fn unknown_to_spec() -> Vec<String> {
    use galileo_export::api::types::LogRecordsExportRequest;
    let base = json!({"log_stream_id": super::LOG_STREAM, "root_type": "trace"});
    let mut unknown = Vec::new();
    let mut flat = base.clone();
    flat["export_format"] = json!("jsonl_flat");
    if serde_json::from_value::<LogRecordsExportRequest>(flat).is_err() {
        unknown.push("export_format".to_string());
    }
    let mut with_field = base;
    with_field["include_code_metric_metadata"] = json!(true);
    let typed: LogRecordsExportRequest = serde_json::from_value(with_field).expect("valid");
    let back = serde_json::to_value(typed).expect("serializes");
    if back.get("include_code_metric_metadata").is_none() {
        unknown.push("include_code_metric_metadata".to_string());
    }
    unknown
}
