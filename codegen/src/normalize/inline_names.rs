//! Inline types named like a component. typify names the type of an inline property
//! schema after its parent and the property (`Tool` + `type` → `ToolType`) without
//! looking at the names components already hold, so a component called `ToolType` next
//! to it is defined twice and the generated code does not compile (Mistral's spec: a
//! `Tool.type` that is `$ref: ToolTypes` with a `default`, next to a `ToolType` enum).
//!
//! Invariant: such an inline schema gets a `title` no component and no other inline
//! schema holds (`ToolTypeProperty`), which typify names it by; nothing else changes.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::naming::pascal_case;
use super::report::Report;
use super::walk::SCHEMA_PREFIX;
use super::Rule;
use crate::error::escape_pointer;

/// What two type names have in common once cased and stripped for Rust: letters and
/// digits, lowercase (over-approximates typify's casing, so no collision is missed).
fn key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether typify makes a named type of this inline schema (a plain `$ref` or scalar
/// uses an existing type).
fn names_a_type(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    if map.contains_key("$ref") {
        return false;
    }
    ["enum", "allOf", "oneOf", "anyOf", "properties"]
        .iter()
        .any(|k| map.contains_key(*k))
        || map.get("type").and_then(Value::as_str) == Some("object")
}

pub(super) fn inline_name_collisions(doc: &mut Value, report: &mut Report) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut taken: BTreeSet<String> = schemas.keys().map(|n| key(n)).collect();
    let components = taken.clone();
    for (parent, schema) in schemas.iter_mut() {
        let Some(Value::Object(properties)) = schema.get_mut("properties") else {
            continue;
        };
        for (property, sub) in properties.iter_mut() {
            let inline_name = format!("{}{}", pascal_case(parent), pascal_case(property));
            if !components.contains(&key(&inline_name)) || !names_a_type(sub) {
                continue;
            }
            let mut title = format!("{inline_name}Property");
            let mut n = 2;
            while taken.contains(&key(&title)) {
                title = format!("{inline_name}Property{n}");
                n += 1;
            }
            taken.insert(key(&title));
            if let Some(map) = sub.as_object_mut() {
                map.insert("title".into(), json!(title));
            }
            report.record(
                Rule::InlineNameCollision,
                &format!(
                    "{SCHEMA_PREFIX}{}/properties/{}",
                    escape_pointer(parent),
                    escape_pointer(property)
                ),
            );
        }
    }
}
