//! Operations: nullable parameters, request bodies (one media type; multipart as a typed
//! form), responses (untyped → byte stream; one kind per class), clean unique names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::*;
use crate::error::escape_pointer;

pub(super) fn parameters(doc: &mut Value, report: &mut Report) {
    let fix = |params: &mut Value, base: &str, report: &mut Report| {
        let Value::Array(params) = params else { return };
        for (i, p) in params.iter_mut().enumerate() {
            if let Some(Value::Object(schema)) = p.get_mut("schema") {
                if schema.remove("nullable").is_some() {
                    // An optional parameter is already `Option<T>`; a nullable `$ref`
                    // wrapper is unwrapped back to the plain reference.
                    if let Some(Value::Array(all_of)) = schema.get("allOf") {
                        if all_of.len() == 1 && schema.len() == 1 {
                            let inner = all_of[0].clone();
                            *schema = inner.as_object().cloned().unwrap_or_default();
                        }
                    }
                    report.record(
                        Rule::NullableParameter,
                        &format!("{base}/parameters/{i}/schema"),
                    );
                }
            }
        }
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters") {
                fix(params, &format!("#/paths/{}", escape_pointer(path)), report);
            }
        }
    }
    for_each_operation(doc, |op, ptr| {
        if let Some(params) = op.get_mut("parameters") {
            fix(params, ptr, report);
        }
    });
}
fn expressible_body(media_type: &str) -> Option<u8> {
    let base = media_type.split(';').next().unwrap_or("").trim();
    match base {
        "application/json" => Some(0),
        "application/x-www-form-urlencoded" => Some(1),
        "application/octet-stream" => Some(2),
        "text/plain" | "text/x-markdown" => Some(3),
        _ => None,
    }
}
fn is_multipart(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or("").trim() == "multipart/form-data"
}
fn is_binary(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("binary")
}
/// Binary fields of a multipart body become `Vec<u8>` (`array` of `uint8`), arrays of
/// them `Vec<Vec<u8>>`; returns the fields that carry files (`name`, or `name[]` for lists).
fn bytes_fields(schema: &mut Value) -> Vec<String> {
    let bytes = || json!({"type": "array", "items": {"type": "integer", "format": "uint8"}});
    let mut files = Vec::new();
    let Some(Value::Object(props)) = schema.get_mut("properties") else {
        return files;
    };
    for (name, prop) in props.iter_mut() {
        let binary = is_binary(prop);
        let Some(map) = prop.as_object_mut() else {
            continue;
        };
        if binary {
            map.remove("format");
            map.insert("type".into(), json!("array"));
            map.insert(
                "items".into(),
                json!({"type": "integer", "format": "uint8"}),
            );
            files.push(name.clone());
        } else if map.get("items").is_some_and(is_binary) {
            map.insert("items".into(), bytes());
            files.push(format!("{name}[]"));
        }
    }
    files
}
pub(super) fn bodies_and_operations(doc: &mut Value, report: &mut Report) {
    let mut multipart: Vec<(String, String)> = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("#/paths/{}/{method}", escape_pointer(path));
            let Some(Value::Object(content)) =
                op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
            else {
                continue;
            };
            let best = content
                .keys()
                .filter_map(|k| expressible_body(k).map(|rank| (rank, k.clone())))
                .min();
            match best {
                Some((_, keep)) => {
                    if content.len() > 1 {
                        content.retain(|k, _| *k == keep);
                        report.record(Rule::BodyMediaType, &format!("{ptr}/requestBody"));
                    }
                }
                None if content.keys().any(|k| is_multipart(k)) => {
                    let key = content
                        .keys()
                        .find(|k| is_multipart(k))
                        .cloned()
                        .unwrap_or_default();
                    let media = content.remove(&key).unwrap_or_default();
                    content.clear();
                    content.insert("application/x-www-form-urlencoded".into(), media);
                    multipart.push((path.clone(), (*method).to_string()));
                    report.record(Rule::MultipartBody, &format!("{ptr}/requestBody"));
                }
                None => {
                    let kinds: Vec<String> = content.keys().cloned().collect();
                    let op_id = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    report.skipped.push(SkippedOperation {
                        operation_id: op_id,
                        method: (*method).to_string(),
                        path: path.clone(),
                        reason: format!(
                            "request body media type {} cannot be expressed by progenitor 0.15",
                            kinds.join(", ")
                        ),
                    });
                    report.record(Rule::SkippedOperation, &ptr);
                    skipped.push((path.clone(), (*method).to_string()));
                }
            }
        }
    }
    for (path, method) in skipped {
        if let Some(item) = paths.get_mut(&path).and_then(Value::as_object_mut) {
            item.remove(&method);
        }
    }
    for (path, method) in multipart {
        let at = format!(
            "/paths/{}/{method}/requestBody/content/application~1x-www-form-urlencoded/schema",
            escape_pointer(&path)
        );
        let target = doc
            .pointer(&at)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .map(str::to_string)
            .unwrap_or(at);
        let file_fields = doc
            .pointer_mut(&target)
            .map(bytes_fields)
            .unwrap_or_default();
        report.multipart.push(MultipartOperation {
            name: String::new(),
            method,
            path,
            file_fields,
        });
    }
}
fn is_untyped_schema(schema: Option<&Value>) -> bool {
    match schema {
        None => true,
        Some(Value::Object(m)) => m
            .keys()
            .all(|k| matches!(k.as_str(), "title" | "description" | "example")),
        Some(Value::Bool(true)) => true,
        _ => false,
    }
}
fn is_json(media_type: &str) -> bool {
    let base = media_type.split(';').next().unwrap_or("").trim();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}
pub(super) fn responses(doc: &mut Value, report: &mut Report) {
    for_each_operation(doc, |op, ptr| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        // Untyped 2xx JSON → a byte stream: `{}` says nothing about the body, which may be
        // a file of any size; the caller decides how to read it.
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(Value::Object(content)) = response.get_mut("content") else {
                continue;
            };
            let json_key = content.keys().find(|k| is_json(k)).cloned();
            if let Some(key) = json_key {
                if is_untyped_schema(content.get(&key).and_then(|m| m.get("schema"))) {
                    content.clear();
                    content.insert(
                        "application/octet-stream".into(),
                        json!({"schema": {"type": "string", "format": "binary"}}),
                    );
                    report.record(
                        Rule::FileResponse,
                        &format!("{ptr}/responses/{}", escape_pointer(status)),
                    );
                }
            }
        }
        // One kind per class.
        for success in [true, false] {
            let in_class = |s: &str| {
                if s == "default" {
                    return true;
                }
                if success {
                    s.starts_with('2') || s == "101"
                } else {
                    s.starts_with('4') || s.starts_with('5')
                }
            };
            let mut codes: Vec<String> =
                responses.keys().filter(|s| in_class(s)).cloned().collect();
            codes.sort_by_key(|s| {
                if s == "default" {
                    1000
                } else {
                    s.replace('X', "0").parse::<u32>().unwrap_or(999)
                }
            });
            let kind = |r: &Value| -> String {
                match r.get("content").and_then(Value::as_object) {
                    None => "none".into(),
                    Some(c) if c.is_empty() => "none".into(),
                    Some(c) => match c.iter().find(|(k, _)| is_json(k)) {
                        Some((_, m)) => {
                            format!("json:{}", m.get("schema").cloned().unwrap_or_default())
                        }
                        None => "raw".into(),
                    },
                }
            };
            let kinds: Vec<String> = codes.iter().map(|c| kind(&responses[c])).collect();
            let distinct: BTreeSet<&String> = kinds.iter().collect();
            if distinct.len() <= 1 {
                continue;
            }
            let keep = kinds
                .iter()
                .find(|k| k.starts_with("json:"))
                .or_else(|| kinds.iter().find(|k| *k == "raw"))
                .cloned()
                .unwrap_or_default();
            for (code, k) in codes.iter().zip(&kinds) {
                if *k != keep {
                    responses.remove(code);
                    report.record(
                        Rule::MixedResponses,
                        &format!("{ptr}/responses/{}", escape_pointer(code)),
                    );
                }
            }
        }
    });
}
/// FastAPI's `generate_unique_id`: `{name}{path with non-word chars as _}_{method}`.
pub fn fastapi_suffix(path: &str, method: &str) -> String {
    let sanitized: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{sanitized}_{method}")
}
/// A Rust-friendly snake_case method name.
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("op_{out}")
    } else if out.is_empty() {
        "operation".into()
    } else {
        out
    }
}
pub(super) fn operation_names(doc: &mut Value, report: &mut Report) {
    struct Op {
        path: String,
        method: String,
        original: String,
        clean: String,
    }
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let original = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let clean = match &original {
                    Some(id) => {
                        let suffix = fastapi_suffix(path, method);
                        match id.strip_suffix(&suffix) {
                            Some(name) if !name.is_empty() => snake_case(name),
                            _ => snake_case(id),
                        }
                    }
                    None => snake_case(&format!(
                        "{method}{}",
                        fastapi_suffix(path, "").trim_end_matches('_')
                    )),
                };
                ops.push(Op {
                    path: path.clone(),
                    method: (*method).to_string(),
                    original: original.unwrap_or_default(),
                    clean,
                });
            }
        }
    }
    // Names that repeat: add the method, then the path's distinguishing words.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for op in &ops {
        *counts.entry(op.clean.clone()).or_default() += 1;
    }
    let mut final_names: Vec<String> = Vec::new();
    let mut used: BTreeSet<String> = ops
        .iter()
        .filter(|o| counts[&o.clean] == 1)
        .map(|o| o.clean.clone())
        .collect();
    for op in &ops {
        if counts[&op.clean] == 1 {
            final_names.push(op.clean.clone());
            continue;
        }
        let path_words = snake_case(&op.path.replace(['{', '}'], ""));
        let method_unique_in_group = ops
            .iter()
            .filter(|o| o.clean == op.clean && o.method == op.method)
            .count()
            == 1;
        let mut candidates = Vec::new();
        if method_unique_in_group {
            candidates.push(format!("{}_{}", op.clean, op.method));
        }
        candidates.push(format!("{}_{}", op.clean, path_words));
        candidates.push(format!("{}_{}_{}", op.clean, path_words, op.method));
        let chosen = candidates.into_iter().find(|c| !used.contains(c));
        let mut name =
            chosen.unwrap_or_else(|| format!("{}_{}_{}", op.clean, path_words, op.method));
        let mut n = 2;
        while used.contains(&name) {
            name = format!(
                "{}_{n}",
                name.trim_end_matches(char::is_numeric)
                    .trim_end_matches('_')
            );
            n += 1;
        }
        used.insert(name.clone());
        final_names.push(name);
    }
    for (op, name) in ops.iter().zip(final_names) {
        let ptr = format!(
            "/paths/{}/{}/operationId",
            escape_pointer(&op.path),
            op.method
        );
        if let Some(slot) = doc.pointer_mut(&ptr) {
            if slot.as_str() != Some(name.as_str()) {
                report.record(
                    Rule::OperationName,
                    &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
                );
            }
            *slot = Value::String(name.clone());
        } else if let Some(Value::Object(o)) = doc.pointer_mut(&format!(
            "/paths/{}/{}",
            escape_pointer(&op.path),
            op.method
        )) {
            o.insert("operationId".into(), Value::String(name.clone()));
            report.record(
                Rule::OperationName,
                &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
            );
        }
        for m in report.multipart.iter_mut() {
            if m.path == op.path && m.method == op.method {
                m.name = name.clone();
            }
        }
        report.operations.push(OperationInfo {
            name,
            operation_id: op.original.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
        });
    }
}
