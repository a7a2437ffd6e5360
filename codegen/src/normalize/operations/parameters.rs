//! Parameters: nullable ones unwrapped, header arrays as strings, and the ones
//! progenitor cannot send spread into query parameters, dropped, or their operation
//! skipped.
//!
//! Invariant: every parameter left is one progenitor 0.15 can send as written.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::error::escape_pointer;
use crate::normalize::refs::resolve_ref;
use crate::normalize::report::Report;
use crate::normalize::rules::Rule;
use crate::normalize::walk::{for_each_operation, for_each_path_item, METHODS};

pub(in crate::normalize) fn parameters(doc: &mut Value, report: &mut Report) {
    let fix = |params: &mut Value, base: &str, report: &mut Report| {
        let Value::Array(params) = params else { return };
        for (i, p) in params.iter_mut().enumerate() {
            content_parameter(p, &format!("{base}/parameters/{i}"), report);
            if let Some(Value::Object(schema)) = p.get_mut("schema") {
                if schema.remove("nullable").is_some() {
                    // An optional parameter is already `Option<T>`; a nullable `$ref`
                    // wrapper is unwrapped back to the plain reference.
                    if let Some(Value::Array(all_of)) = schema.get("allOf") {
                        if all_of.len() == 1 && schema.len() == 1 {
                            let inner = all_of[0].clone();
                            *schema = inner.as_object().cloned().unwrap_or_default();
                        }
                    }
                    report.record(
                        Rule::NullableParameter,
                        &format!("{base}/parameters/{i}/schema"),
                    );
                }
            }
            header_array(p, &format!("{base}/parameters/{i}"), report);
        }
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters") {
                fix(params, &format!("#/paths/{}", escape_pointer(path)), report);
            }
        }
    }
    for_each_operation(doc, |op, ptr| {
        if let Some(params) = op.get_mut("parameters") {
            fix(params, ptr, report);
        }
    });
    unsendable_parameters(doc, report);
}

/// Follow a chain of local `$ref`s.
fn resolved<'a>(doc: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => schema = resolve_ref(doc, target)?,
            None => return Some(schema),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Parameters progenitor cannot send as written.

/// The properties of an object schema (through `$ref`s and `allOf`), if it is one.
#[derive(Default)]
struct Shape {
    props: Vec<(String, Value)>,
    required: BTreeSet<String>,
    /// `additionalProperties` allows keys that are not listed.
    open: bool,
}

fn object_shape(doc: &Value, schema: &Value, depth: usize) -> Option<Shape> {
    if depth > 16 {
        return None;
    }
    let map = resolved(doc, schema)?.as_object()?;
    if ["oneOf", "anyOf", "not"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        return None;
    }
    if map.get("type").is_some_and(|t| t != "object") {
        return None;
    }
    let mut shape = Shape::default();
    if let Some(Value::Object(props)) = map.get("properties") {
        shape.props = props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(Value::Array(required)) = map.get("required") {
        shape.required.extend(
            required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
    }
    shape.open = map
        .get("additionalProperties")
        .is_some_and(|a| a != &Value::Bool(false));
    if let Some(Value::Array(members)) = map.get("allOf") {
        for member in members {
            let inner = object_shape(doc, member, depth + 1)?;
            for (k, v) in inner.props {
                if !shape.props.iter().any(|(p, _)| *p == k) {
                    shape.props.push((k, v));
                }
            }
            shape.required.extend(inner.required);
            shape.open |= inner.open;
        }
    }
    Some(shape)
}

/// An object with properties: typify makes it a struct, with a builder.
fn is_struct(doc: &Value, schema: Option<&Value>) -> bool {
    schema
        .and_then(|s| object_shape(doc, s, 0))
        .is_some_and(|s| !s.props.is_empty())
}

/// A string, number, integer, boolean or enum of those (through `$ref`s and a
/// one-member `allOf`): a value a query string carries as one `key=value`.
fn is_scalar(doc: &Value, schema: &Value, depth: usize) -> bool {
    let Some(map) = resolved(doc, schema).and_then(Value::as_object) else {
        return false;
    };
    if depth > 16
        || ["oneOf", "anyOf", "not", "properties"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return false;
    }
    if let Some(Value::Array(all_of)) = map.get("allOf") {
        return all_of.len() == 1 && is_scalar(doc, &all_of[0], depth + 1);
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string" | "integer" | "number" | "boolean") => true,
        Some(_) => false,
        None => map.get("enum").and_then(Value::as_array).is_some_and(|e| {
            !e.is_empty()
                && e.iter()
                    .all(|v| v.is_string() || v.is_number() || v.is_boolean())
        }),
    }
}

/// [`Rule::HeaderArray`]: a header parameter whose schema is an array. Progenitor 0.15
/// sends a header with `to_string()`, which a `Vec` lacks; OpenAPI's `simple` style
/// sends an array as its items joined by commas, so the parameter becomes that string.
fn header_array(p: &mut Value, at: &str, report: &mut Report) {
    if param_str(p, "in") != Some("header") {
        return;
    }
    let Some(Value::Object(schema)) = p.get_mut("schema") else {
        return;
    };
    if schema.get("type") != Some(&json!("array")) {
        return;
    }
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    *schema = serde_json::Map::new();
    schema.insert("type".into(), json!("string"));
    schema.insert(
        "description".into(),
        json!(format!("{description}(the values joined by commas)")),
    );
    report.record(Rule::HeaderArray, at);
}

/// [`Rule::ContentParameter`]: a parameter with `content` (a media type) instead of
/// `schema`. Its value on the wire is the serialized media type (JSON text for
/// `application/json`), so the parameter becomes that string; the caller serializes.
fn content_parameter(p: &mut Value, at: &str, report: &mut Report) {
    let Some(param) = p.as_object_mut() else {
        return;
    };
    let Some(content) = param.remove("content") else {
        return;
    };
    let media = content
        .as_object()
        .and_then(|c| c.keys().next().cloned())
        .unwrap_or_else(|| "text/plain".to_string());
    let description = param
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    param.insert(
        "schema".into(),
        json!({"type": "string", "description": format!("{description}(serialized as {media})")}),
    );
    for key in ["style", "explode"] {
        param.remove(key);
    }
    report.record(Rule::ContentParameter, at);
}

fn param_str<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn is_required(p: &Value) -> bool {
    param_str(p, "in") == Some("path") || p.get("required") == Some(&Value::Bool(true))
}

fn style(p: &Value) -> &str {
    let default = match param_str(p, "in") {
        Some("query" | "cookie") => "form",
        _ => "simple",
    };
    param_str(p, "style").unwrap_or(default)
}

/// Whether progenitor 0.15 cannot take the parameter as written: a query style other
/// than `form`, a path style other than `simple`, a cookie, or an optional parameter whose
/// type is a struct (its builder has no optional struct setter: `unreachable!()`).
fn unsendable(doc: &Value, p: &Value) -> bool {
    let optional_struct = !is_required(p) && is_struct(doc, p.get("schema"));
    match param_str(p, "in") {
        Some("query") => style(p) != "form" || optional_struct,
        Some("header") => optional_struct,
        Some("path") => style(p) != "simple",
        Some("cookie") => true,
        _ => false,
    }
}

/// The name progenitor derives a Rust identifier from, reduced to what can collide.
fn param_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

enum ParamFix {
    /// Replaced by one query parameter per scalar property; `partial` if some
    /// properties (or free-form keys) cannot be sent.
    Spread {
        params: Vec<Value>,
        rule: Rule,
        partial: bool,
    },
    Drop,
    Skip(String),
}

/// What to do with a parameter [`unsendable`] flagged. `used` holds the keys of the
/// operation's other parameters.
fn fix_parameter(doc: &Value, p: &Value, used: &BTreeSet<String>) -> ParamFix {
    let name = param_str(p, "name").unwrap_or("");
    let location = param_str(p, "in").unwrap_or("");
    let required = is_required(p);
    let style = style(p);
    let cannot = |why: String| {
        if required {
            ParamFix::Skip(format!(
                "required {location} parameter `{name}` {why}, which progenitor 0.15 cannot send"
            ))
        } else {
            ParamFix::Drop
        }
    };
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let (prefix, rule) = match (location, style) {
        ("query", "deepObject") => (Some(name), Rule::DeepObjectParameter),
        ("query", "form") if explode => (None, Rule::OptionalStructParameter),
        ("query", "form") => return cannot("is an object in style form without explode".into()),
        ("query" | "path", _) => return cannot(format!("has style {style}")),
        ("header", _) => return cannot("is an object".into()),
        _ => return cannot("is a cookie".into()),
    };
    let Some(shape) = p.get("schema").and_then(|s| object_shape(doc, s, 0)) else {
        return cannot(format!(
            "has style {style} but is not an object with properties"
        ));
    };
    let mut params = Vec::new();
    let mut partial = shape.open;
    let mut keys = BTreeSet::new();
    for (prop, schema) in &shape.props {
        let prop_required = required && shape.required.contains(prop);
        if !is_scalar(doc, schema, 0) {
            if prop_required {
                return cannot(format!(
                    "has a required property `{prop}` that is not a scalar"
                ));
            }
            partial = true;
            continue;
        }
        let wire = match prefix {
            Some(prefix) => format!("{prefix}[{prop}]"),
            None => prop.clone(),
        };
        let key = param_key(&wire);
        if used.contains(&key) || !keys.insert(key) {
            return cannot(format!(
                "has a property `{prop}` whose name another parameter takes"
            ));
        }
        let mut param = json!({"name": wire, "in": "query", "required": prop_required});
        if let Some(d) = schema.get("description").or_else(|| p.get("description")) {
            param["description"] = d.clone();
        }
        if let Some(d) = p.get("deprecated") {
            param["deprecated"] = d.clone();
        }
        param["schema"] = schema.clone();
        params.push(param);
    }
    if params.is_empty() {
        return cannot(format!(
            "has style {style} and no property that can be sent"
        ));
    }
    ParamFix::Spread {
        params,
        rule,
        partial,
    }
}

/// Parameters progenitor cannot send ([`unsendable`]): an object in `deepObject` style
/// becomes `name[prop]` parameters ([`Rule::DeepObjectParameter`]); an optional object
/// in the default `form` style becomes its properties ([`Rule::OptionalStructParameter`]);
/// anything else is dropped when optional ([`Rule::DroppedParameter`]) and skips the
/// operation when required. Path-level parameters are moved into the operations first.
fn unsendable_parameters(doc: &mut Value, report: &mut Report) {
    let any = doc
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| {
            paths.values().any(|item| {
                let shared = item.get("parameters");
                let own = METHODS
                    .iter()
                    .filter_map(|m| item.get(*m))
                    .filter_map(|op| op.get("parameters"));
                shared
                    .into_iter()
                    .chain(own)
                    .filter_map(Value::as_array)
                    .flatten()
                    .any(|p| unsendable(doc, p))
            })
        });
    if !any {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    for_each_path_item(doc, |path, item| {
        let base = format!("#/paths/{}", escape_pointer(path));
        let shared: Vec<Value> = match item.get("parameters") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let shared_fix: Vec<bool> = shared.iter().map(|p| unsendable(&snapshot, p)).collect();
        let mut skipped = Vec::new();
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("{base}/{method}");
            let own: Vec<Value> = match op.get("parameters") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            let same = |a: &Value, b: &Value| {
                param_str(a, "name") == param_str(b, "name")
                    && param_str(a, "in") == param_str(b, "in")
            };
            // (parameter, where it is in the input, whether it needs a fix, inherited)
            let mut entries: Vec<(Value, String, bool, bool)> = own
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let fix = unsendable(&snapshot, p);
                    (p.clone(), format!("{ptr}/parameters/{i}"), fix, false)
                })
                .collect();
            for (j, p) in shared.iter().enumerate() {
                if !own.iter().any(|o| same(o, p)) {
                    let at = format!("{base}/parameters/{j}");
                    entries.push((p.clone(), at, shared_fix[j], true));
                }
            }
            if !entries.iter().any(|e| e.2) {
                continue;
            }
            let mut used: BTreeSet<String> = entries
                .iter()
                .filter(|e| !e.2)
                .filter_map(|e| param_str(&e.0, "name").map(param_key))
                .collect();
            if op.contains_key("requestBody") {
                used.insert("body".into());
            }
            let mut out = Vec::new();
            let mut skip = None;
            for (p, at, fix, inherited) in entries {
                if !fix {
                    // Path-level parameters that need no fix stay where they are.
                    if !inherited {
                        out.push(p);
                    }
                    continue;
                }
                match fix_parameter(&snapshot, &p, &used) {
                    ParamFix::Spread {
                        params,
                        rule,
                        partial,
                    } => {
                        used.extend(
                            params
                                .iter()
                                .filter_map(|q| param_str(q, "name"))
                                .map(param_key),
                        );
                        out.extend(params);
                        report.record(rule, &at);
                        if partial {
                            report.record(Rule::DroppedParameter, &at);
                        }
                    }
                    ParamFix::Drop => report.record(Rule::DroppedParameter, &at),
                    ParamFix::Skip(reason) => {
                        skip = Some(reason);
                        break;
                    }
                }
            }
            match skip {
                Some(reason) => {
                    report.skip(op, path, method, &ptr, reason);
                    skipped.push(*method);
                }
                None => {
                    op.insert("parameters".into(), Value::Array(out));
                }
            }
        }
        for method in skipped {
            item.remove(method);
        }
        if shared_fix.iter().any(|f| *f) {
            let kept: Vec<Value> = shared
                .into_iter()
                .zip(&shared_fix)
                .filter(|(_, fix)| !**fix)
                .map(|(p, _)| p)
                .collect();
            item.insert("parameters".into(), Value::Array(kept));
        }
    });
}
