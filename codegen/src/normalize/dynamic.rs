//! `$recursiveRef` (2019-09) and `$dynamicRef` (2020-12) as static references, which
//! OpenAPI 3.0 and typify know. A reference is resolved the way it resolves when the
//! component is used on its own: `$recursiveRef: "#"` and a `$dynamicRef` whose anchor no
//! component declares point at the enclosing component; `$dynamicRef: "#name"` points at
//! the component that declares `$dynamicAnchor: name` (the enclosing one first).
//!
//! Invariant: afterwards no component schema holds `$recursiveRef`, `$dynamicRef`,
//! `$recursiveAnchor` or `$dynamicAnchor`; each rewrite is reported ([`Rule::DynamicRef`]):
//! a dynamic scope that extends the schema elsewhere is not followed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::report::Report;
use super::rules::Rule;
use super::walk::SCHEMA_PREFIX;
use crate::error::escape_pointer;

/// [`Rule::DynamicRef`] on every component schema.
pub(super) fn dynamic_refs(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    // Anchor name -> the first component declaring it.
    let mut anchors: BTreeMap<String, String> = BTreeMap::new();
    for (name, schema) in schemas.iter() {
        if let Some(anchor) = schema.get("$dynamicAnchor").and_then(Value::as_str) {
            anchors.entry(anchor.to_string()).or_insert(name.clone());
        }
    }
    for (name, schema) in schemas.iter_mut() {
        let own = schema
            .get("$dynamicAnchor")
            .and_then(Value::as_str)
            .map(str::to_string);
        let ptr = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
        let mut at = ptr.clone();
        rewrite(schema, name, own.as_deref(), &anchors, &mut at, report);
    }
}

fn rewrite(
    node: &mut Value,
    component: &str,
    own_anchor: Option<&str>,
    anchors: &BTreeMap<String, String>,
    ptr: &mut String,
    report: &mut Report,
) {
    match node {
        Value::Object(map) => {
            map.remove("$recursiveAnchor");
            map.remove("$dynamicAnchor");
            let target = match (map.remove("$recursiveRef"), map.remove("$dynamicRef")) {
                (_, Some(Value::String(r))) => {
                    let anchor = r.trim_start_matches('#');
                    Some(match anchors.get(anchor) {
                        Some(_) if own_anchor == Some(anchor) => component.to_string(),
                        Some(other) => other.clone(),
                        None => component.to_string(),
                    })
                }
                (Some(Value::String(_)), _) => Some(component.to_string()),
                _ => None,
            };
            if let Some(target) = target {
                map.insert(
                    "$ref".into(),
                    Value::String(format!("{SCHEMA_PREFIX}{}", escape_pointer(&target))),
                );
                report.record(Rule::DynamicRef, ptr);
            }
            for (key, value) in map.iter_mut() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape_pointer(key));
                rewrite(value, component, own_anchor, anchors, ptr, report);
                ptr.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                rewrite(item, component, own_anchor, anchors, ptr, report);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}
