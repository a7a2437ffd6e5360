//! Finding the innermost object `openapiv3` refuses. Its untagged enums (a parameter's
//! `schema` or `content`, `$ref` or inline) make `serde` report a failure at the
//! enclosing map (often a bare `#/paths`); this module parses path items, operations,
//! parameters, request bodies, responses and component entries one by one, and names
//! the deepest one that fails on its own.
//!
//! Invariant: the pointer returned is the deepest object that fails to parse alone, and
//! is no shallower than the one `serde` reported.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::escape_pointer;

/// Parses one kind of object; the error's text when it fails.
type Check = fn(&Value) -> Option<String>;

/// Try `T` on `value`; the error's text when it fails.
fn fails<T: DeserializeOwned>(value: &Value) -> Option<String> {
    serde_json::from_value::<T>(value.clone())
        .err()
        .map(|e| e.to_string())
}

/// The deepest object under `doc` that `openapiv3` refuses on its own, with why.
pub fn innermost_failure(doc: &Value) -> Option<(String, String)> {
    use openapiv3::{
        Header, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema,
        SecurityScheme,
    };
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_ptr = format!("#/paths/{}", escape_pointer(path));
            let Some(why) = fails::<PathItem>(item) else {
                continue;
            };
            if let Some(params) = item.get("parameters").and_then(Value::as_array) {
                for (i, p) in params.iter().enumerate() {
                    if let Some(why) = fails::<ReferenceOr<Parameter>>(p) {
                        return Some((format!("{item_ptr}/parameters/{i}"), why));
                    }
                }
            }
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                let Some(op) = item.get(method) else { continue };
                let op_ptr = format!("{item_ptr}/{method}");
                let Some(why) = fails::<Operation>(op) else {
                    continue;
                };
                return Some(operation_part(op, &op_ptr).unwrap_or((op_ptr, why)));
            }
            return Some((item_ptr, why));
        }
    }
    let components = doc.get("components")?.as_object()?;
    let checks: [(&str, Check); 6] = [
        ("schemas", fails::<ReferenceOr<Schema>>),
        ("parameters", fails::<ReferenceOr<Parameter>>),
        ("requestBodies", fails::<ReferenceOr<RequestBody>>),
        ("responses", fails::<ReferenceOr<Response>>),
        ("headers", fails::<ReferenceOr<Header>>),
        ("securitySchemes", fails::<ReferenceOr<SecurityScheme>>),
    ];
    for (section, check) in checks {
        let Some(entries) = components.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in entries {
            if let Some(why) = check(entry) {
                let ptr = format!("#/components/{section}/{}", escape_pointer(name));
                return Some((ptr, why));
            }
        }
    }
    None
}

/// The part of a failing operation that fails alone: a parameter, the request body or
/// a response.
fn operation_part(op: &Value, op_ptr: &str) -> Option<(String, String)> {
    use openapiv3::{Parameter, ReferenceOr, RequestBody, Response};
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        for (i, p) in params.iter().enumerate() {
            if let Some(why) = fails::<ReferenceOr<Parameter>>(p) {
                return Some((format!("{op_ptr}/parameters/{i}"), why));
            }
        }
    }
    if let Some(body) = op.get("requestBody") {
        if let Some(why) = fails::<ReferenceOr<RequestBody>>(body) {
            return Some((format!("{op_ptr}/requestBody"), why));
        }
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            if let Some(why) = fails::<ReferenceOr<Response>>(response) {
                let ptr = format!("{op_ptr}/responses/{}", escape_pointer(status));
                return Some((ptr, why));
            }
        }
    }
    None
}
