//! Media types: which request bodies progenitor can express, a schema for a media type
//! without one, and the plain string schema progenitor takes for raw (text and
//! octet-stream) bodies.
//!
//! Invariant: a media type's schema is only widened to what the media type says, never
//! narrowed.

use serde_json::{json, Value};

use crate::normalize::refs::resolve_ref;
use crate::normalize::report::Report;
use crate::normalize::rules::Rule;

pub(super) fn expressible_body(media_type: &str) -> Option<u8> {
    let base = media_type.split(';').next().unwrap_or("").trim();
    match base {
        "application/json" => Some(0),
        "application/x-www-form-urlencoded" => Some(1),
        "application/octet-stream" => Some(2),
        "text/plain" | "text/x-markdown" => Some(3),
        _ => None,
    }
}
pub(super) fn is_multipart(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or("").trim() == "multipart/form-data"
}

pub(super) fn is_untyped_schema(schema: Option<&Value>) -> bool {
    match schema {
        None => true,
        Some(Value::Object(m)) => m
            .keys()
            .all(|k| matches!(k.as_str(), "title" | "description" | "example")),
        Some(Value::Bool(true)) => true,
        _ => false,
    }
}
pub(super) fn is_json(media_type: &str) -> bool {
    let base = media_type.split(';').next().unwrap_or("").trim();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}
// Media types without a schema, and raw bodies progenitor only takes as plain strings.

/// [`Rule::MissingMediaSchema`]: the schema that says no more than a media type without
/// one: any JSON value for JSON, a string for text, a map for forms, bytes otherwise.
pub(super) fn fill_media_schema(
    media_type: &str,
    media: &mut Value,
    ptr: &str,
    report: &mut Report,
) {
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
pub(super) fn raw_body_schema(
    doc: &Value,
    media_type: &str,
    media: &mut Value,
    ptr: &str,
    r: &mut Report,
) {
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
