//! The document level, checked and repaired before anything else.
//!
//! Invariant: afterwards the document has a `paths` mapping and every OAuth2 flow has
//! `scopes`.

use serde_json::{json, Value};

use crate::error::escape_pointer;
use crate::normalize::report::{NormalizeError, Report};
use crate::normalize::rules::Rule;

/// [`Rule::InfoText`]: an `info` field YAML read as a number or boolean (an unquoted
/// `version: 1.10` is the number 1.1 in YAML 1.1 and 1.2 alike) becomes its text.
fn info_text(doc: &mut Value, report: &mut Report) {
    let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["title", "version", "description"] {
        if let Some(value @ (Value::Number(_) | Value::Bool(_))) = info.get_mut(key) {
            *value = Value::String(value.to_string());
            report.record(Rule::InfoText, &format!("#/info/{key}"));
        }
    }
}

/// The document-level checks and repairs done before anything else: a missing `paths`
/// ([`Rule::EmptyPaths`]) and OAuth2 flows without `scopes` ([`Rule::OAuthScopes`]).
pub(in crate::normalize) fn document(
    doc: &mut Value,
    report: &mut Report,
) -> Result<(), NormalizeError> {
    info_text(doc, report);
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
