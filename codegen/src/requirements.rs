//! What the handwritten layer of `galileo-export` needs from a spec: the Export Records
//! operation and its request type. `build.rs` checks them right after generation, so a
//! dropped-in spec without them stops the build with one clear message instead of dozens
//! of type errors in the handwritten code.

use std::path::Path;

use crate::Generated;

/// The clean name of the operation the handwritten layer calls.
pub const EXPORT_OPERATION: &str = "export_records";

/// The generated request type the handwritten layer converts its requests into.
pub const EXPORT_REQUEST_TYPE: &str = "LogRecordsExportRequest";

/// Check that `generated` (from `spec`) has what the handwritten layer is built on.
pub fn check_export_records(spec: &Path, generated: &Generated) -> Result<(), String> {
    let report = &generated.report;
    if let Some(skipped) = report
        .skipped
        .iter()
        .find(|s| s.operation_id.starts_with(EXPORT_OPERATION))
    {
        return Err(format!(
            "{}: the spec's `{}` operation ({} {}) could not be generated ({}); galileo-export's \
             client is built on it",
            spec.display(),
            skipped.operation_id,
            skipped.method.to_uppercase(),
            skipped.path,
            skipped.reason
        ));
    }
    let found = report
        .operations
        .iter()
        .find(|o| o.name == EXPORT_OPERATION);
    let Some(operation) = found else {
        let names: Vec<&str> = report
            .operations
            .iter()
            .take(8)
            .map(|o| o.name.as_str())
            .collect();
        return Err(format!(
            "{}: the spec has no `{EXPORT_OPERATION}` operation (Galileo's Export Records API, \
             POST /v2/projects/{{project_id}}/export_records), which galileo-export's client is built \
             on; it has {} operation(s){}{}. Point GALILEO_OPENAPI_SPEC (or the file in openapi/) at a \
             Galileo API spec",
            spec.display(),
            report.operations.len(),
            if names.is_empty() { "" } else { ": " },
            names.join(", ")
        ));
    };
    if operation.method != "post" {
        return Err(format!(
            "{}: `{EXPORT_OPERATION}` is `{} {}`, but galileo-export sends it as a POST",
            spec.display(),
            operation.method.to_uppercase(),
            operation.path
        ));
    }
    if !generated
        .api
        .contains(&format!("pub struct {EXPORT_REQUEST_TYPE} {{"))
    {
        return Err(format!(
            "{}: the spec has no `{EXPORT_REQUEST_TYPE}` schema (the body of `{EXPORT_OPERATION}`), \
             which galileo-export's requests are converted into",
            spec.display()
        ));
    }
    Ok(())
}

/// The generated types of export records, one per root type (`session`, `trace`, `span`),
/// when the spec defines them (Galileo's newer spec does; the vendored one, whose export
/// answer is an untyped byte stream, does not).
pub const RECORD_TYPES: [(&str, &str); 3] = [
    ("session", "ExtendedSessionRecordWithChildren"),
    ("trace", "ExtendedTraceRecordWithChildren"),
    ("span", "ExtendedTraceRecordWithChildrenSpansItem"),
];

/// The `--cfg` `build.rs` sets when `generated` has every type of [`RECORD_TYPES`]
/// (the typed-records tests and docs are compiled only then).
pub const RECORD_TYPES_CFG: &str = "galileo_record_types";

/// Whether `generated` has every type of [`RECORD_TYPES`] (a struct or an enum of that
/// name in its `types` module).
pub fn defines_record_types(generated: &Generated) -> bool {
    RECORD_TYPES.iter().all(|(_, name)| {
        generated.api.contains(&format!("pub struct {name} {{"))
            || generated.api.contains(&format!("pub enum {name} {{"))
    })
}
