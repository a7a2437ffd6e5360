//! Walks over the document: every path item, every operation, and every schema
//! position, structurally.
//!
//! Invariant: property names and mapping keys are never taken for keywords; a callback
//! runs on a node before its children, so the rewrites it makes are visited.

use serde_json::{Map, Value};

use crate::error::escape_pointer;

/// Where component schemas live; a `$ref` to one starts with this.
pub(super) const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The methods of a path item that hold operations.
pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f` on every path item that is a mapping, with its path template.
pub(super) fn for_each_path_item(
    doc: &mut Value,
    mut f: impl FnMut(&str, &mut Map<String, Value>),
) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if let Some(item) = item.as_object_mut() {
            f(path, item);
        }
    }
}

/// Where an operation is: its path template, its method, and its JSON pointer.
pub(super) struct OperationAt<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method, lower case.
    pub method: &'static str,
    /// `#/paths/<path>/<method>`.
    pub ptr: String,
}

/// Calls `f` on every operation (a mapping) with where it is, in document order.
pub(super) fn for_each_operation_in(
    doc: &mut Value,
    mut f: impl FnMut(&mut Map<String, Value>, &OperationAt<'_>),
) {
    for_each_path_item(doc, |path, item| {
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(*method) {
                let ptr = format!("#/paths/{}/{method}", escape_pointer(path));
                f(op, &OperationAt { path, method, ptr });
            }
        }
    });
}

/// Calls `f` on every operation with its JSON pointer.
pub(super) fn for_each_operation(
    doc: &mut Value,
    mut f: impl FnMut(&mut Map<String, Value>, &str),
) {
    for_each_operation_in(doc, |op, at| f(op, &at.ptr));
}

// ---------------------------------------------------------------------------------------
// Schema walk

/// Visit every schema position of the document, structurally: component schemas (with
/// `top_level = true`), component parameters/headers/responses/request bodies, path and
/// operation parameters, request and response bodies, response headers — and inside
/// each schema its properties, items, `additionalProperties`, `allOf`/`anyOf`/`oneOf`
/// members and `not`. The callback runs on a node before its children, so rewrites it
/// makes are visited. Property names and mapping keys are never taken for keywords.
pub fn visit_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str, bool)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let ptr = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
            visit_schema_tree(schema, &ptr, true, f);
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for section in ["parameters", "headers", "responses", "requestBodies"] {
            if let Some(Value::Object(map)) = components.get_mut(section) {
                for (name, item) in map.iter_mut() {
                    let ptr = format!("#/components/{section}/{}", escape_pointer(name));
                    visit_container(item, &ptr, f);
                }
            }
        }
    }
    for_each_path_item(doc, |path, item| {
        let base = format!("#/paths/{}", escape_pointer(path));
        visit_parameters(item, &base, f);
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("{base}/{method}");
            visit_parameters(op, &ptr, f);
            if let Some(body) = op.get_mut("requestBody") {
                visit_container(body, &format!("{ptr}/requestBody"), f);
            }
            if let Some(Value::Object(responses)) = op.get_mut("responses") {
                for (status, response) in responses.iter_mut() {
                    visit_container(
                        response,
                        &format!("{ptr}/responses/{}", escape_pointer(status)),
                        f,
                    );
                }
            }
        }
    });
}

/// The `parameters` of a path item or an operation at `ptr`.
fn visit_parameters(
    owner: &mut Map<String, Value>,
    ptr: &str,
    f: &mut dyn FnMut(&mut Value, &str, bool),
) {
    if let Some(Value::Array(params)) = owner.get_mut("parameters") {
        for (i, p) in params.iter_mut().enumerate() {
            visit_container(p, &format!("{ptr}/parameters/{i}"), f);
        }
    }
}

/// A parameter, header, request body or response: its `schema`, its `content.*.schema`,
/// and its `headers.*.schema`.
fn visit_container(item: &mut Value, ptr: &str, f: &mut dyn FnMut(&mut Value, &str, bool)) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    if let Some(schema) = item.get_mut("schema") {
        visit_schema_tree(schema, &format!("{ptr}/schema"), false, f);
    }
    for section in ["content", "headers"] {
        let Some(Value::Object(entries)) = item.get_mut(section) else {
            continue;
        };
        for (key, entry) in entries.iter_mut() {
            if let Some(schema) = entry.get_mut("schema") {
                let at = format!("{ptr}/{section}/{}/schema", escape_pointer(key));
                visit_schema_tree(schema, &at, false, f);
            }
        }
    }
}

fn visit_schema_tree(
    node: &mut Value,
    ptr: &str,
    top_level: bool,
    f: &mut dyn FnMut(&mut Value, &str, bool),
) {
    f(node, ptr, top_level);
    let Some(map) = node.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            visit_schema_tree(
                prop,
                &format!("{ptr}/properties/{}", escape_pointer(name)),
                false,
                f,
            );
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            if child.is_object() {
                visit_schema_tree(child, &format!("{ptr}/{key}"), false, f);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            for (i, m) in members.iter_mut().enumerate() {
                visit_schema_tree(m, &format!("{ptr}/{key}/{i}"), false, f);
            }
        }
    }
}

pub(super) fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
