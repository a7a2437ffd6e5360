//! `$defs` inside an inline schema (pydantic's JSON schema pasted into an operation),
//! referred to as `#/$defs/Name` from within that schema: each definition becomes a
//! component schema of its own (named after it, made unique) and the references inside
//! the schema follow. Component schemas' own `$defs` are `refs::hoist_defs`'s job.
//!
//! Invariant: afterwards no schema under `paths` holds `$defs`; each hoisted definition
//! is reported ([`Rule::HoistDefs`]) at the pointer it had.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::report::Report;
use super::rules::Rule;
use super::walk::SCHEMA_PREFIX;
use crate::error::escape_pointer;

/// [`Rule::HoistDefs`] for inline schemas under `paths`.
pub(super) fn hoist_inline_defs(doc: &mut Value, report: &mut Report) {
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    if let Some(paths) = doc.get_mut("paths") {
        let mut ptr = String::from("#/paths");
        visit(paths, &mut ptr, &mut taken, &mut hoisted, report);
    }
    if hoisted.is_empty() {
        return;
    }
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(schemas) = schemas.as_object_mut() {
        schemas.extend(hoisted);
    }
}

fn visit(
    node: &mut Value,
    ptr: &mut String,
    taken: &mut BTreeSet<String>,
    hoisted: &mut Vec<(String, Value)>,
    report: &mut Report,
) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(defs)) = map.remove("$defs") {
                let mut renames = Vec::new();
                for (def, body) in defs {
                    let mut name = def.clone();
                    let mut n = 2;
                    while !taken.insert(name.clone()) {
                        name = format!("{def}{n}");
                        n += 1;
                    }
                    report.record(
                        Rule::HoistDefs,
                        &format!("{ptr}/$defs/{}", escape_pointer(&def)),
                    );
                    renames.push((
                        format!("#/$defs/{}", escape_pointer(&def)),
                        format!("{SCHEMA_PREFIX}{}", escape_pointer(&name)),
                    ));
                    hoisted.push((name, body));
                }
                // The definitions refer to each other the same way.
                let start = hoisted.len() - renames.len();
                for (_, body) in hoisted[start..].iter_mut() {
                    rewrite(body, &renames);
                }
                for value in map.values_mut() {
                    rewrite(value, &renames);
                }
            }
            for (key, value) in map.iter_mut() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape_pointer(key));
                visit(value, ptr, taken, hoisted, report);
                ptr.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                visit(item, ptr, taken, hoisted, report);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

fn rewrite(node: &mut Value, renames: &[(String, String)]) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), &mut *value) {
                    ("$ref", Value::String(target)) => rename(target, renames),
                    // A discriminator's mapping names its members the same way.
                    ("mapping", Value::Object(mapping)) => {
                        for target in mapping.values_mut() {
                            if let Value::String(target) = target {
                                rename(target, renames);
                            }
                        }
                    }
                    _ => rewrite(value, renames),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite(i, renames)),
        _ => {}
    }
}

fn rename(target: &mut String, renames: &[(String, String)]) {
    if let Some((_, new)) = renames.iter().find(|(old, _)| old == target) {
        *target = new.clone();
    }
}
