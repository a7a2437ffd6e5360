//! References: path items given by `$ref` inlined, `$defs` hoisted to components,
//! dangling discriminator mappings repaired, every reference checked, and shared
//! parameters and responses inlined so later rules see each operation whole.
//!
//! Invariant: after these steps every `$ref` left in the document resolves inside it and
//! points at a component schema.

use std::collections::BTreeSet;

use serde_json::Value;

use super::naming::pascal_case;
use super::report::{NormalizeError, Report};
use super::walk::{for_each_operation, visit_schemas, SCHEMA_PREFIX};
use super::Rule;
use crate::error::escape_pointer;

/// [`Rule::PathItemRef`]: `paths./x: {$ref: ..}` → the path item it points at (its own
/// keys, other than `$ref`, win).
pub(super) fn inline_path_item_refs(doc: &mut Value, report: &mut Report) {
    let any = doc
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| paths.values().any(|item| item.get("$ref").is_some()));
    if !any {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(target) = item.get("$ref").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        let Some(Value::Object(resolved)) = resolve_ref(&snapshot, &target).cloned() else {
            continue; // left for the reference check
        };
        let Some(own) = item.as_object_mut() else {
            continue;
        };
        own.remove("$ref");
        for (key, value) in resolved {
            own.entry(key).or_insert(value);
        }
        report.record(
            Rule::PathItemRef,
            &format!("#/paths/{}", escape_pointer(path)),
        );
    }
}

/// [`Rule::HoistDefs`]: `components.schemas.P.$defs.D` → `components.schemas.PD`.
pub(super) fn hoist_defs(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let mut taken: BTreeSet<String> = schemas.keys().cloned().collect();
    for (parent, schema) in schemas.iter_mut() {
        let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs"))
        else {
            continue;
        };
        for (def, body) in defs {
            let base = format!("{parent}{}", pascal_case(&def));
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            let old = format!(
                "{SCHEMA_PREFIX}{}/$defs/{}",
                escape_pointer(parent),
                escape_pointer(&def)
            );
            report.record(Rule::HoistDefs, &old);
            renames.push((old, format!("{SCHEMA_PREFIX}{}", escape_pointer(&name))));
            hoisted.push((name, body));
        }
    }
    if renames.is_empty() {
        return;
    }
    schemas.extend(hoisted);
    fn rewrite(node: &mut Value, renames: &[(String, String)]) {
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "$ref" {
                        if let Value::String(target) = value {
                            if let Some((_, new)) = renames.iter().find(|(old, _)| old == target) {
                                *target = new.clone();
                            }
                        }
                    } else {
                        rewrite(value, renames);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, renames)),
            _ => {}
        }
    }
    rewrite(doc, &renames);
}

/// Whether some discriminator mapping below `node` names a target `doc` lacks.
pub(super) fn has_dangling_mapping(doc: &Value, node: &Value) -> bool {
    match node {
        Value::Object(map) => {
            let dangling = map
                .get("discriminator")
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object)
                .is_some_and(|mapping| {
                    mapping.values().any(|v| {
                        let target = match v {
                            Value::String(s) => Some(s.as_str()),
                            Value::Object(o) => o.get("$ref").and_then(Value::as_str),
                            _ => None,
                        };
                        target.is_some_and(|t| resolve_ref(doc, t).is_none())
                    })
                });
            dangling || map.values().any(|v| has_dangling_mapping(doc, v))
        }
        Value::Array(items) => items.iter().any(|v| has_dangling_mapping(doc, v)),
        _ => false,
    }
}

/// [`Rule::DanglingMapping`]: a mapping target that does not resolve is replaced by the
/// union member (a `$ref`) whose own discriminator property is that tag (`const: tag` or
/// `enum: [tag]`), or, failing that, by the single member no other entry names. Anything
/// ambiguous is left for the reference check to report.
pub(super) fn repair_dangling_mappings(doc: &mut Value, report: &mut Report) {
    if !has_dangling_mapping(doc, doc) {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    let tag_of = |member: &str, property: &str| -> Option<Value> {
        let schema = resolve_ref(&snapshot, member)?;
        let prop = schema.get("properties")?.get(property)?;
        match (prop.get("const"), prop.get("enum")) {
            (Some(c), _) => Some(c.clone()),
            (None, Some(Value::Array(e))) if e.len() == 1 => Some(e[0].clone()),
            _ => None,
        }
    };
    let target = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("$ref").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    visit_schemas(doc, &mut |node, ptr, _| {
        let members: Vec<String> = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| node.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(|m| m.get("$ref").and_then(Value::as_str).map(str::to_string))
            .collect();
        let property = node
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let (Some(property), Some(Value::Object(mapping))) =
            (property, node.pointer_mut("/discriminator/mapping"))
        else {
            return;
        };
        let dangling: Vec<String> = mapping
            .iter()
            .filter(|(_, v)| target(v).is_some_and(|t| resolve_ref(&snapshot, &t).is_none()))
            .map(|(k, _)| k.clone())
            .collect();
        for tag in dangling {
            let by_tag: Vec<&String> = members
                .iter()
                .filter(|m| tag_of(m, &property) == Some(Value::String(tag.clone())))
                .collect();
            let mapped: BTreeSet<String> = mapping.values().filter_map(target).collect();
            let unmapped: Vec<&String> = members.iter().filter(|m| !mapped.contains(*m)).collect();
            let chosen = match (by_tag.as_slice(), unmapped.as_slice()) {
                ([one], _) => (*one).clone(),
                ([], [only]) => (*only).clone(),
                _ => continue,
            };
            mapping.insert(tag.clone(), Value::String(chosen));
            report.record(
                Rule::DanglingMapping,
                &format!("{ptr}/discriminator/mapping/{}", escape_pointer(&tag)),
            );
        }
    });
}

/// Every `$ref` of a schema, parameter, body or response (and every discriminator
/// mapping) must resolve inside the document.
pub(super) fn check_refs(doc: &Value) -> Result<(), NormalizeError> {
    let mut scratch = doc.clone();
    let mut first_error = None;
    let mut check = |node: &Value, ptr: &str| {
        if first_error.is_some() {
            return;
        }
        if let Some(Value::String(target)) = node.get("$ref") {
            if resolve_ref(doc, target).is_none() {
                first_error = Some(NormalizeError::new(
                    format!("{ptr}/$ref"),
                    dangling_reason(target),
                ));
                return;
            }
        }
        if let Some(Value::Object(mapping)) =
            node.get("discriminator").and_then(|d| d.get("mapping"))
        {
            for (tag, target) in mapping {
                let here = format!("{ptr}/discriminator/mapping/{}", escape_pointer(tag));
                let target = match target {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => o.get("$ref").and_then(Value::as_str),
                    _ => None,
                };
                match target {
                    None => {
                        first_error = Some(NormalizeError::new(
                            here,
                            "a discriminator mapping value must be a reference",
                        ));
                        return;
                    }
                    Some(t) if resolve_ref(doc, t).is_none() => {
                        first_error = Some(NormalizeError::new(here, dangling_reason(t)));
                        return;
                    }
                    Some(_) => {}
                }
            }
        }
    };
    visit_schemas(&mut scratch, &mut |node, ptr, _| check(node, ptr));
    // Shared parameters, bodies and responses referenced from operations.
    for_each_operation(&mut scratch, |op, ptr| {
        for (key, value) in op.iter() {
            let entries: Vec<(String, &Value)> = match (key.as_str(), value) {
                ("parameters", Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("parameters/{i}"), v))
                    .collect(),
                ("responses", Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| (format!("responses/{}", escape_pointer(k)), v))
                    .collect(),
                ("requestBody", v) => vec![("requestBody".to_string(), v)],
                _ => continue,
            };
            for (seg, entry) in entries {
                check(entry, &format!("{ptr}/{seg}"));
            }
        }
    });
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub(super) fn dangling_reason(target: &str) -> String {
    if target.starts_with('#') {
        format!("dangling $ref `{target}`: nothing in the document has that path")
    } else {
        format!("external $ref `{target}` is not supported: only references inside the document (`#/...`)")
    }
}

/// Resolve a local reference (`#/a/b`).
pub fn resolve_ref<'a>(doc: &'a Value, target: &str) -> Option<&'a Value> {
    let pointer = target.strip_prefix('#')?;
    doc.pointer(pointer)
}

pub(super) fn schema_name(target: &str) -> Option<&str> {
    target.strip_prefix(SCHEMA_PREFIX)
}

// ---------------------------------------------------------------------------------------
// Shared responses and parameters are inlined so later rules see each operation whole.

pub(super) fn inline_shared_refs(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    for_each_operation(doc, |op, ptr| {
        for key in ["parameters", "responses"] {
            let Some(container) = op.get_mut(key) else {
                continue;
            };
            let entries: Vec<(String, &mut Value)> = match container {
                Value::Array(a) => a
                    .iter_mut()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
                Value::Object(m) => m.iter_mut().map(|(k, v)| (escape_pointer(k), v)).collect(),
                _ => continue,
            };
            for (seg, entry) in entries {
                if let Some(target) = entry.get("$ref").and_then(Value::as_str) {
                    if let Some(resolved) = resolve_ref(&snapshot, target) {
                        *entry = resolved.clone();
                        report.record(Rule::InlineRef, &format!("{ptr}/{key}/{seg}"));
                    }
                }
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            if let Some(target) = body.get("$ref").and_then(Value::as_str) {
                if let Some(resolved) = resolve_ref(&snapshot, target) {
                    *body = resolved.clone();
                    report.record(Rule::InlineRef, &format!("{ptr}/requestBody"));
                }
            }
        }
    });
    // Path-level parameters are merged into each operation by progenitor; inline them too.
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(Value::Array(params)) = item.get_mut("parameters") {
                for (i, p) in params.iter_mut().enumerate() {
                    if let Some(target) = p.get("$ref").and_then(Value::as_str) {
                        if let Some(resolved) = resolve_ref(&snapshot, target) {
                            *p = resolved.clone();
                            report.record(
                                Rule::InlineRef,
                                &format!("#/paths/{}/parameters/{i}", escape_pointer(path)),
                            );
                        }
                    }
                }
            }
        }
    }
}
