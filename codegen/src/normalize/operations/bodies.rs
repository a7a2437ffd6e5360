//! Request bodies: one media type per body (the one progenitor expresses best), a
//! multipart body as a typed form with its file fields, an inexpressible body skips its
//! operation.
//!
//! Invariant: every operation left keeps at most one request body media type.

use serde_json::{json, Value};

use super::media::{expressible_body, fill_media_schema, is_multipart, raw_body_schema};
use crate::error::escape_pointer;
use crate::normalize::report::{MultipartOperation, Report};
use crate::normalize::rules::Rule;
use crate::normalize::walk::for_each_operation_in;

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
pub(in crate::normalize) fn bodies_and_operations(doc: &mut Value, report: &mut Report) {
    let mut multipart: Vec<(String, String)> = Vec::new();
    let mut skipped: Vec<(String, &str)> = Vec::new();
    let snapshot = doc.clone();
    for_each_operation_in(doc, |op, at| {
        let ptr = &at.ptr;
        let Some(Value::Object(content)) =
            op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
        else {
            return;
        };
        // [`Rule::PartEncoding`]: progenitor 0.15 takes no `encoding` (per-part content
        // types of a multipart or form body); each part is sent the default way.
        for (media, body) in content.iter_mut() {
            let dropped = body
                .as_object_mut()
                .and_then(|b| b.remove("encoding"))
                .is_some_and(|e| e.as_object().is_some_and(|e| !e.is_empty()));
            if dropped {
                let at = format!(
                    "{ptr}/requestBody/content/{}/encoding",
                    escape_pointer(media)
                );
                report.record(Rule::PartEncoding, &at);
            }
        }
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
                let media_at = format!("{ptr}/requestBody/content/{}", escape_pointer(&key));
                fill_media_schema(&key, &mut media, &media_at, report);
                content.clear();
                content.insert("application/x-www-form-urlencoded".into(), media);
                multipart.push((at.path.to_string(), at.method.to_string()));
                report.record(Rule::MultipartBody, &format!("{ptr}/requestBody"));
            }
            None => {
                let kinds: Vec<String> = content.keys().cloned().collect();
                let reason = format!(
                    "request body media type {} cannot be expressed by progenitor 0.15",
                    kinds.join(", ")
                );
                report.skip(op, at.path, at.method, ptr, reason);
                skipped.push((at.path.to_string(), at.method));
            }
        }
    });
    for (path, method) in skipped {
        let item = doc
            .get_mut("paths")
            .and_then(|paths| paths.get_mut(&path))
            .and_then(Value::as_object_mut);
        if let Some(item) = item {
            item.remove(method);
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
