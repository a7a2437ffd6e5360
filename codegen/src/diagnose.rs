//! When progenitor or typify fail without saying where, find the culprit: generate schema
//! by schema (each with the schemas it references), narrow down inside the smallest
//! failing schema to the deepest failing sub-schema, else operation by operation.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::error::{escape_pointer, CodegenError, Location};
use crate::normalize::Report;
use crate::progenitor_run::{run_progenitor, to_openapi, GenerationFailure};

fn attempt(doc: &Value) -> Result<(), GenerationFailure> {
    let api = to_openapi(Path::new(""), doc).map_err(|e| GenerationFailure(e.reason))?;
    run_progenitor(&api).map(|_| ())
}

fn refs_in(node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    if let Some(name) = v
                        .as_str()
                        .and_then(|s| s.strip_prefix("#/components/schemas/"))
                    {
                        out.insert(name.to_string());
                    }
                } else if k == "mapping" {
                    if let Value::Object(mapping) = v {
                        for t in mapping.values() {
                            if let Some(name) = t
                                .as_str()
                                .and_then(|s| s.strip_prefix("#/components/schemas/"))
                            {
                                out.insert(name.to_string());
                            }
                        }
                    }
                } else if !matches!(k.as_str(), "example" | "default" | "enum") {
                    refs_in(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

fn closure(schemas: &Map<String, Value>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(s) = schemas.get(&name) {
            let mut found = BTreeSet::new();
            refs_in(s, &mut found);
            todo.extend(found.into_iter().filter(|n| !seen.contains(n)));
        }
    }
    seen
}

/// The schemas of `schemas` named in `names`.
fn only(schemas: &Map<String, Value>, names: &BTreeSet<String>) -> Map<String, Value> {
    schemas
        .iter()
        .filter(|(k, _)| names.contains(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn with_schemas(doc: &Value, schemas: Map<String, Value>, paths: Value) -> Value {
    let mut out = doc.clone();
    out["paths"] = paths;
    if let Some(c) = out.get_mut("components").and_then(Value::as_object_mut) {
        c.insert("schemas".into(), Value::Object(schemas));
    }
    out
}

fn children(schema: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(m) = schema.as_object() else {
        return out;
    };
    if let Some(Value::Object(props)) = m.get("properties") {
        for (k, v) in props {
            out.push((format!("/properties/{}", escape_pointer(k)), v.clone()));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(v) = m.get(key).filter(|v| v.is_object()) {
            out.push((format!("/{key}"), v.clone()));
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = m.get(key) {
            for (i, v) in members.iter().enumerate() {
                out.push((format!("/{key}/{i}"), v.clone()));
            }
        }
    }
    out
}

/// Narrow a failing schema down to its deepest failing sub-schema (a relative pointer).
fn narrow(
    doc: &Value,
    schemas: &Map<String, Value>,
    name: &str,
    schema: &Value,
    depth: usize,
) -> String {
    if depth > 16 {
        return String::new();
    }
    for (rel, child) in children(schema) {
        let mut trial = schemas.clone();
        trial.insert(name.to_string(), child.clone());
        if attempt(&with_schemas(doc, trial, json!({}))).is_err() {
            return format!("{rel}{}", narrow(doc, schemas, name, &child, depth + 1));
        }
    }
    String::new()
}

fn hint(original: &Value, pointer: &str) -> String {
    let node = pointer.strip_prefix('#').and_then(|p| original.pointer(p));
    match node.and_then(|n| n.get("default")) {
        Some(d) => format!(" (the schema here has `default: {d}`)"),
        None => String::new(),
    }
}

/// Turn a generation failure into an error naming the culprit's JSON pointer.
pub fn locate_failure(
    file: &Path,
    original: &Value,
    normalized: &Value,
    report: &Report,
    failure: GenerationFailure,
) -> CodegenError {
    let schemas = normalized
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut culprit: Option<(usize, String, GenerationFailure)> = None;
    // One attempt with every schema and no operation: when it passes, no schema fails on
    // its own and the search goes straight to the operations (a large spec's schema by
    // schema search costs minutes).
    let schemas_fail = attempt(&with_schemas(normalized, schemas.clone(), json!({}))).is_err();
    for name in schemas.keys().filter(|_| schemas_fail) {
        let names = closure(&schemas, name);
        if culprit.as_ref().is_some_and(|(n, _, _)| *n <= names.len()) {
            continue;
        }
        let subset: Map<String, Value> = only(&schemas, &names);
        if let Err(f) = attempt(&with_schemas(normalized, subset.clone(), json!({}))) {
            culprit = Some((names.len(), name.clone(), f));
        }
    }
    if let Some((_, name, f)) = culprit {
        let names = closure(&schemas, &name);
        let subset: Map<String, Value> = only(&schemas, &names);
        let schema = subset.get(&name).cloned().unwrap_or_default();
        let rel = narrow(normalized, &subset, &name, &schema, 0);
        let base = report
            .hoisted
            .get(&name)
            .cloned()
            .unwrap_or_else(|| format!("#/components/schemas/{}", escape_pointer(&name)));
        let pointer = format!("{base}{rel}");
        let reason = format!("{}{}", f.0, hint(original, &pointer));
        return CodegenError::new(file, Location::Pointer(pointer), reason);
    }
    // Every schema generates on its own: try operation by operation.
    if let Some(paths) = normalized.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !op.is_object() || method == "parameters" {
                    continue;
                }
                let mut single = item.clone();
                single.retain(|k, v| k == method || !v.is_object() || k == "parameters");
                // The operation with the schemas it reaches, not all of them.
                let mut reached = BTreeSet::new();
                refs_in(&Value::Object(single.clone()), &mut reached);
                let reached: BTreeSet<String> = reached
                    .iter()
                    .flat_map(|name| closure(&schemas, name))
                    .collect();
                let subset: Map<String, Value> = only(&schemas, &reached);
                let trial = with_schemas(normalized, subset, json!({ path: single }));
                if let Err(f) = attempt(&trial) {
                    let id = report
                        .operations
                        .iter()
                        .find(|o| &o.path == path && &o.method == method)
                        .map(|o| format!(" (operationId `{}`)", o.operation_id))
                        .unwrap_or_default();
                    return CodegenError::new(
                        file,
                        Location::Pointer(format!("#/paths/{}/{method}", escape_pointer(path))),
                        format!("{}{id}", f.0),
                    );
                }
            }
        }
    }
    CodegenError::new(file, Location::File, failure.0)
}
