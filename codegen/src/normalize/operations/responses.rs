//! Responses: a description for every response, a schema for every media type, an untyped 2xx JSON body as a byte stream,
//! one kind of body per class (success, error).
//!
//! Invariant: within a class every status left has the same kind of body.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::media::{fill_media_schema, is_json, is_untyped_schema};
use crate::error::escape_pointer;
use crate::normalize::report::Report;
use crate::normalize::rules::Rule;
use crate::normalize::walk::for_each_operation;

/// Every response object without `description` (operations, their callbacks, shared
/// responses) gets the empty one: `openapiv3` refuses a response without it.
fn describe_responses(responses: &mut Value, at: &str, report: &mut Report) {
    let Some(responses) = responses.as_object_mut() else {
        return;
    };
    for (key, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if response.contains_key("$ref") || response.contains_key("description") {
            continue;
        }
        response.insert("description".into(), json!(""));
        report.record(
            Rule::ResponseDescription,
            &format!("{at}/{}", escape_pointer(key)),
        );
    }
}

pub(in crate::normalize) fn responses(doc: &mut Value, report: &mut Report) {
    if let Some(shared) = doc.pointer_mut("/components/responses") {
        describe_responses(shared, "#/components/responses", report);
    }
    for_each_operation(doc, |op, ptr| {
        if let Some(Value::Object(callbacks)) = op.get_mut("callbacks") {
            for (name, callback) in callbacks.iter_mut() {
                let Some(callback) = callback.as_object_mut() else {
                    continue;
                };
                for (expression, item) in callback.iter_mut() {
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    for (method, cb_op) in item.iter_mut() {
                        if let Some(r) = cb_op.get_mut("responses") {
                            let at = format!(
                                "{ptr}/callbacks/{}/{}/{method}/responses",
                                escape_pointer(name),
                                escape_pointer(expression)
                            );
                            describe_responses(r, &at, report);
                        }
                    }
                }
            }
        }
        let Some(responses) = op.get_mut("responses") else {
            return;
        };
        describe_responses(responses, &format!("{ptr}/responses"), report);
        let Value::Object(responses) = responses else {
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
