//! The document level (a missing `paths`, OAuth2 flows without `scopes`) and operations:
//! parameters (nullable; the ones progenitor cannot send spread, dropped or skipped),
//! request bodies (one media type; multipart as a typed form; raw bodies as plain strings),
//! media types without a schema, responses (untyped → byte stream; one kind per class),
//! clean unique names.

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
            header_array(p, &format!("{base}/parameters/{i}"), report);
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
    unsendable_parameters(doc, report);
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
    let snapshot = doc.clone();
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
                    let at = format!("{ptr}/requestBody/content/{}", escape_pointer(&keep));
                    if let Some(media) = content.get_mut(&keep) {
                        fill_media_schema(&keep, media, &at, report);
                        raw_body_schema(&snapshot, &keep, media, &at, report);
                    }
                }
                None if content.keys().any(|k| is_multipart(k)) => {
                    let key = content
                        .keys()
                        .find(|k| is_multipart(k))
                        .cloned()
                        .unwrap_or_default();
                    let mut media = content.remove(&key).unwrap_or_default();
                    let at = format!("{ptr}/requestBody/content/{}", escape_pointer(&key));
                    fill_media_schema(&key, &mut media, &at, report);
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
        for (status, response) in responses.iter_mut() {
            let Some(Value::Object(content)) = response.get_mut("content") else {
                continue;
            };
            for (mt, media) in content.iter_mut() {
                let at = format!(
                    "{ptr}/responses/{}/content/{}",
                    escape_pointer(status),
                    escape_pointer(mt)
                );
                fill_media_schema(mt, media, &at, report);
            }
        }
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
            // A kind, and whether it is a typed JSON body (not an untyped `{}`).
            let kind = |r: &Value| -> (String, bool) {
                match r.get("content").and_then(Value::as_object) {
                    None => ("none".into(), false),
                    Some(c) if c.is_empty() => ("none".into(), false),
                    Some(c) => match c.iter().find(|(k, _)| is_json(k)) {
                        Some((_, m)) => (
                            format!("json:{}", m.get("schema").cloned().unwrap_or_default()),
                            !is_untyped_schema(m.get("schema")),
                        ),
                        None => ("raw".into(), false),
                    },
                }
            };
            let kinds: Vec<(String, bool)> = codes.iter().map(|c| kind(&responses[c])).collect();
            let distinct: BTreeSet<&String> = kinds.iter().map(|(k, _)| k).collect();
            if distinct.len() <= 1 {
                continue;
            }
            let keep = kinds
                .iter()
                .find(|(_, typed)| *typed)
                .or_else(|| kinds.iter().find(|(k, _)| k.starts_with("json:")))
                .or_else(|| kinds.iter().find(|(k, _)| k == "raw"))
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            for (code, (k, _)) in codes.iter().zip(&kinds) {
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

// ---------------------------------------------------------------------------------------
// Document level: `paths` and security schemes.

/// The document-level checks and repairs done before anything else: a missing `paths`
/// ([`Rule::EmptyPaths`]) and OAuth2 flows without `scopes` ([`Rule::OAuthScopes`]).
pub(super) fn document(doc: &mut Value, report: &mut Report) -> Result<(), NormalizeError> {
    let v31 = doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"));
    match doc.get("paths") {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(NormalizeError::new("#/paths", "`paths` is not a mapping")),
        None if !v31 => {
            return Err(NormalizeError::new(
                "#/paths",
                "missing `paths` mapping (required by OpenAPI 3.0)",
            ))
        }
        None => {
            // OpenAPI 3.1 requires one of `paths`, `components`, `webhooks`: a document
            // of webhooks or reusable components only is a client without operations.
            let other = ["components", "webhooks"]
                .iter()
                .any(|k| doc.get(*k).is_some_and(Value::is_object));
            if !other {
                return Err(NormalizeError::new(
                    "#",
                    "the document has none of `paths`, `components`, `webhooks` \
                     (OpenAPI 3.1 requires at least one)",
                ));
            }
            doc["paths"] = json!({});
            report.record(Rule::EmptyPaths, "#");
        }
    }
    oauth_scopes(doc, report);
    Ok(())
}

/// An OAuth2 flow without `scopes` gets the empty map (the field is required, and "MAY
/// be empty"); any other missing field is left for the 3.0 parse to report.
fn oauth_scopes(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemes)) = doc.pointer_mut("/components/securitySchemes") else {
        return;
    };
    for (name, scheme) in schemes.iter_mut() {
        if scheme.get("type").and_then(Value::as_str) != Some("oauth2") {
            continue;
        }
        let Some(Value::Object(flows)) = scheme.get_mut("flows") else {
            continue;
        };
        for (flow_name, flow) in flows.iter_mut() {
            let Some(flow) = flow.as_object_mut() else {
                continue;
            };
            if !flow.contains_key("scopes") {
                flow.insert("scopes".into(), json!({}));
                report.record(
                    Rule::OAuthScopes,
                    &format!(
                        "#/components/securitySchemes/{}/flows/{}",
                        escape_pointer(name),
                        escape_pointer(flow_name)
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Media types without a schema, and raw bodies progenitor only takes as plain strings.

/// [`Rule::MissingMediaSchema`]: the schema that says no more than a media type without
/// one: any JSON value for JSON, a string for text, a map for forms, bytes otherwise.
fn fill_media_schema(media_type: &str, media: &mut Value, ptr: &str, report: &mut Report) {
    let Some(media) = media.as_object_mut() else {
        return;
    };
    if media.contains_key("schema") {
        return;
    }
    let base = media_type.split(';').next().unwrap_or("").trim();
    let schema = if is_json(media_type) {
        json!({})
    } else if base.starts_with("text/") {
        json!({"type": "string"})
    } else if base == "application/x-www-form-urlencoded" || is_multipart(media_type) {
        json!({"type": "object"})
    } else {
        json!({"type": "string", "format": "binary"})
    };
    media.insert("schema".into(), schema);
    report.record(Rule::MissingMediaSchema, ptr);
}

/// Follow a chain of local `$ref`s.
fn resolved<'a>(doc: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => schema = resolve_ref(doc, target)?,
            None => return Some(schema),
        }
    }
    None
}

/// Whether progenitor takes the schema of a text (`format: None`) or octet-stream
/// (`format: Some("binary")`) body: exactly a string of that format, unconstrained.
fn is_raw_string(doc: &Value, schema: &Value, format: Option<&str>) -> bool {
    // progenitor resolves one `$ref` (to a component schema), not a chain.
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => match resolve_ref(doc, target) {
            Some(s) if s.get("$ref").is_none() => s,
            _ => return false,
        },
        None => schema,
    };
    let Some(map) = schema.as_object() else {
        return false;
    };
    const CONSTRAINTS: &[&str] = &[
        "pattern",
        "enum",
        "minLength",
        "maxLength",
        "default",
        "discriminator",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "properties",
        "items",
    ];
    map.get("type").and_then(Value::as_str) == Some("string")
        && map.get("format").and_then(Value::as_str) == format
        && map.get("nullable") != Some(&Value::Bool(true))
        && !CONSTRAINTS.iter().any(|k| map.contains_key(*k))
}

/// [`Rule::RawBodySchema`]: a text or octet-stream body is sent as a `String` or bytes
/// whatever its schema says; progenitor accepts only the plain string schema there.
fn raw_body_schema(doc: &Value, media_type: &str, media: &mut Value, ptr: &str, r: &mut Report) {
    let format = match expressible_body(media_type) {
        Some(2) => Some("binary"),
        Some(3) => None,
        _ => return,
    };
    let Some(schema) = media.get_mut("schema") else {
        return;
    };
    if is_raw_string(doc, schema, format) {
        return;
    }
    let mut plain = json!({"type": "string"});
    if let Some(f) = format {
        plain["format"] = json!(f);
    }
    if let Some(d) = schema.get("description") {
        plain["description"] = d.clone();
    }
    *schema = plain;
    r.record(Rule::RawBodySchema, &format!("{ptr}/schema"));
}

// ---------------------------------------------------------------------------------------
// Parameters progenitor cannot send as written.

/// The properties of an object schema (through `$ref`s and `allOf`), if it is one.
#[derive(Default)]
struct Shape {
    props: Vec<(String, Value)>,
    required: BTreeSet<String>,
    /// `additionalProperties` allows keys that are not listed.
    open: bool,
}

fn object_shape(doc: &Value, schema: &Value, depth: usize) -> Option<Shape> {
    if depth > 16 {
        return None;
    }
    let map = resolved(doc, schema)?.as_object()?;
    if ["oneOf", "anyOf", "not"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        return None;
    }
    if map.get("type").is_some_and(|t| t != "object") {
        return None;
    }
    let mut shape = Shape::default();
    if let Some(Value::Object(props)) = map.get("properties") {
        shape.props = props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(Value::Array(required)) = map.get("required") {
        shape.required.extend(
            required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
    }
    shape.open = map
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    if let Some(Value::Array(members)) = map.get("allOf") {
        for member in members {
            let inner = object_shape(doc, member, depth + 1)?;
            for (k, v) in inner.props {
                if !shape.props.iter().any(|(p, _)| *p == k) {
                    shape.props.push((k, v));
                }
            }
            shape.required.extend(inner.required);
            shape.open |= inner.open;
        }
    }
    Some(shape)
}

/// An object with properties: typify makes it a struct, with a builder.
fn is_struct(doc: &Value, schema: Option<&Value>) -> bool {
    schema
        .and_then(|s| object_shape(doc, s, 0))
        .is_some_and(|s| !s.props.is_empty())
}

/// A string, number, integer, boolean or enum of those (through `$ref`s and a
/// one-member `allOf`): a value a query string carries as one `key=value`.
fn is_scalar(doc: &Value, schema: &Value, depth: usize) -> bool {
    let Some(map) = resolved(doc, schema).and_then(Value::as_object) else {
        return false;
    };
    if depth > 16
        || ["oneOf", "anyOf", "not", "properties"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return false;
    }
    if let Some(Value::Array(all_of)) = map.get("allOf") {
        return all_of.len() == 1 && is_scalar(doc, &all_of[0], depth + 1);
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => true,
        Some(_) => false,
        None => map.get("enum").and_then(Value::as_array).is_some_and(|e| {
            !e.is_empty()
                && e.iter()
                    .all(|v| v.is_string() || v.is_number() || v.is_boolean())
        }),
    }
}

/// [`Rule::HeaderArray`]: a header parameter whose schema is an array. Progenitor 0.15
/// sends a header with `to_string()`, which a `Vec` lacks; OpenAPI's `simple` style
/// sends an array as its items joined by commas, so the parameter becomes that string.
fn header_array(p: &mut Value, at: &str, report: &mut Report) {
    if param_str(p, "in") != Some("header") {
        return;
    }
    let Some(Value::Object(schema)) = p.get_mut("schema") else {
        return;
    };
    if schema.get("type") != Some(&json!("array")) {
        return;
    }
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    *schema = serde_json::Map::new();
    schema.insert("type".into(), json!("string"));
    schema.insert(
        "description".into(),
        json!(format!("{description}(the values joined by commas)")),
    );
    report.record(Rule::HeaderArray, at);
}

fn param_str<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn is_required(p: &Value) -> bool {
    param_str(p, "in") == Some("path") || p.get("required") == Some(&Value::Bool(true))
}

fn style(p: &Value) -> &str {
    let default = match param_str(p, "in") {
        Some("query" | "cookie") => "form",
        _ => "simple",
    };
    param_str(p, "style").unwrap_or(default)
}

/// Whether progenitor 0.15 cannot take the parameter as written: a query style other
/// than `form`, a path style other than `simple`, a cookie, or an optional parameter whose
/// type is a struct (its builder has no optional struct setter: `unreachable!()`).
fn unsendable(doc: &Value, p: &Value) -> bool {
    let optional_struct = !is_required(p) && is_struct(doc, p.get("schema"));
    match param_str(p, "in") {
        Some("query") => style(p) != "form" || optional_struct,
        Some("header") => optional_struct,
        Some("path") => style(p) != "simple",
        Some("cookie") => true,
        _ => false,
    }
}

/// The name progenitor derives a Rust identifier from, reduced to what can collide.
fn param_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

enum ParamFix {
    /// Replaced by one query parameter per scalar property; `partial` if some
    /// properties (or free-form keys) cannot be sent.
    Spread {
        params: Vec<Value>,
        rule: Rule,
        partial: bool,
    },
    Drop,
    Skip(String),
}

/// What to do with a parameter [`unsendable`] flagged. `used` holds the keys of the
/// operation's other parameters.
fn fix_parameter(doc: &Value, p: &Value, used: &BTreeSet<String>) -> ParamFix {
    let name = param_str(p, "name").unwrap_or("");
    let location = param_str(p, "in").unwrap_or("");
    let required = is_required(p);
    let style = style(p);
    let cannot = |why: String| {
        if required {
            ParamFix::Skip(format!(
                "required {location} parameter `{name}` {why}, which progenitor 0.15 cannot send"
            ))
        } else {
            ParamFix::Drop
        }
    };
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let (prefix, rule) = match (location, style) {
        ("query", "deepObject") => (Some(name), Rule::DeepObjectParameter),
        ("query", "form") if explode => (None, Rule::OptionalStructParameter),
        ("query", "form") => return cannot("is an object in style form without explode".into()),
        ("query" | "path", _) => return cannot(format!("has style {style}")),
        ("header", _) => return cannot("is an object".into()),
        _ => return cannot("is a cookie".into()),
    };
    let Some(shape) = p.get("schema").and_then(|s| object_shape(doc, s, 0)) else {
        return cannot(format!(
            "has style {style} but is not an object with properties"
        ));
    };
    let mut params = Vec::new();
    let mut partial = shape.open;
    let mut keys = BTreeSet::new();
    for (prop, schema) in &shape.props {
        let prop_required = required && shape.required.contains(prop);
        if !is_scalar(doc, schema, 0) {
            if prop_required {
                return cannot(format!(
                    "has a required property `{prop}` that is not a scalar"
                ));
            }
            partial = true;
            continue;
        }
        let wire = match prefix {
            Some(prefix) => format!("{prefix}[{prop}]"),
            None => prop.clone(),
        };
        let key = param_key(&wire);
        if used.contains(&key) || !keys.insert(key) {
            return cannot(format!(
                "has a property `{prop}` whose name another parameter takes"
            ));
        }
        let mut param = json!({"name": wire, "in": "query", "required": prop_required});
        if let Some(d) = schema.get("description").or_else(|| p.get("description")) {
            param["description"] = d.clone();
        }
        if let Some(d) = p.get("deprecated") {
            param["deprecated"] = d.clone();
        }
        param["schema"] = schema.clone();
        params.push(param);
    }
    if params.is_empty() {
        return cannot(format!(
            "has style {style} and no property that can be sent"
        ));
    }
    ParamFix::Spread {
        params,
        rule,
        partial,
    }
}

/// Parameters progenitor cannot send ([`unsendable`]): an object in `deepObject` style
/// becomes `name[prop]` parameters ([`Rule::DeepObjectParameter`]); an optional object
/// in the default `form` style becomes its properties ([`Rule::OptionalStructParameter`]);
/// anything else is dropped when optional ([`Rule::DroppedParameter`]) and skips the
/// operation when required. Path-level parameters are moved into the operations first.
fn unsendable_parameters(doc: &mut Value, report: &mut Report) {
    let any = doc
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| {
            paths.values().any(|item| {
                let shared = item.get("parameters");
                let own = METHODS
                    .iter()
                    .filter_map(|m| item.get(*m))
                    .filter_map(|op| op.get("parameters"));
                shared
                    .into_iter()
                    .chain(own)
                    .filter_map(Value::as_array)
                    .flatten()
                    .any(|p| unsendable(doc, p))
            })
        });
    if !any {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let base = format!("#/paths/{}", escape_pointer(path));
        let shared: Vec<Value> = match item.get("parameters") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let shared_fix: Vec<bool> = shared.iter().map(|p| unsendable(&snapshot, p)).collect();
        let mut skipped = Vec::new();
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("{base}/{method}");
            let own: Vec<Value> = match op.get("parameters") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            let same = |a: &Value, b: &Value| {
                param_str(a, "name") == param_str(b, "name")
                    && param_str(a, "in") == param_str(b, "in")
            };
            // (parameter, where it is in the input, whether it needs a fix, inherited)
            let mut entries: Vec<(Value, String, bool, bool)> = own
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let fix = unsendable(&snapshot, p);
                    (p.clone(), format!("{ptr}/parameters/{i}"), fix, false)
                })
                .collect();
            for (j, p) in shared.iter().enumerate() {
                if !own.iter().any(|o| same(o, p)) {
                    let at = format!("{base}/parameters/{j}");
                    entries.push((p.clone(), at, shared_fix[j], true));
                }
            }
            if !entries.iter().any(|e| e.2) {
                continue;
            }
            let mut used: BTreeSet<String> = entries
                .iter()
                .filter(|e| !e.2)
                .filter_map(|e| param_str(&e.0, "name").map(param_key))
                .collect();
            if op.contains_key("requestBody") {
                used.insert("body".into());
            }
            let mut out = Vec::new();
            let mut skip = None;
            for (p, at, fix, inherited) in entries {
                if !fix {
                    // Path-level parameters that need no fix stay where they are.
                    if !inherited {
                        out.push(p);
                    }
                    continue;
                }
                match fix_parameter(&snapshot, &p, &used) {
                    ParamFix::Spread {
                        params,
                        rule,
                        partial,
                    } => {
                        used.extend(
                            params
                                .iter()
                                .filter_map(|q| param_str(q, "name"))
                                .map(param_key),
                        );
                        out.extend(params);
                        report.record(rule, &at);
                        if partial {
                            report.record(Rule::DroppedParameter, &at);
                        }
                    }
                    ParamFix::Drop => report.record(Rule::DroppedParameter, &at),
                    ParamFix::Skip(reason) => {
                        skip = Some(reason);
                        break;
                    }
                }
            }
            match skip {
                Some(reason) => {
                    report.skipped.push(SkippedOperation {
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        method: (*method).to_string(),
                        path: path.clone(),
                        reason,
                    });
                    report.record(Rule::SkippedOperation, &ptr);
                    skipped.push(*method);
                }
                None => {
                    op.insert("parameters".into(), Value::Array(out));
                }
            }
        }
        for method in skipped {
            item.remove(method);
        }
        if shared_fix.iter().any(|f| *f) {
            let kept: Vec<Value> = shared
                .into_iter()
                .zip(&shared_fix)
                .filter(|(_, fix)| !**fix)
                .map(|(p, _)| p)
                .collect();
            item.insert("parameters".into(), Value::Array(kept));
        }
    }
}
