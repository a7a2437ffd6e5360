//! Parameters whose Rust names collide. progenitor names each parameter of an operation
//! after its wire name in snake_case, so `sort.direction` and `sort_direction`, or a
//! `last_event_id` query parameter and a `Last-Event-ID` header, become the same
//! identifier and the generated builder does not compile (Mistral's spec has both).
//!
//! Invariant: of parameters that collide, the first (path-level ones first, then the
//! operation's own, in order) is kept; a later optional one is dropped, a later required
//! one skips the operation; each is reported with its pointer.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::escape_pointer;
use crate::normalize::naming::snake_case;
use crate::normalize::report::Report;
use crate::normalize::rules::Rule;
use crate::normalize::walk::{for_each_path_item, METHODS};

fn name_of(p: &Value) -> Option<&str> {
    p.get("name").and_then(Value::as_str)
}

fn is_required(p: &Value) -> bool {
    p.get("required").and_then(Value::as_bool) == Some(true)
}

pub(in crate::normalize) fn colliding_parameters(doc: &mut Value, report: &mut Report) {
    for_each_path_item(doc, |path, item| {
        let base = format!("#/paths/{}", escape_pointer(path));
        let shared: Vec<Value> = match item.get("parameters") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let mut skipped = Vec::new();
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("{base}/{method}");
            let Some(Value::Array(own)) = op.get("parameters") else {
                continue;
            };
            // Path-level parameters the operation does not override come first.
            let overrides = |p: &Value| {
                own.iter()
                    .any(|o| name_of(o) == name_of(p) && o.get("in") == p.get("in"))
            };
            let mut used: BTreeSet<String> = shared
                .iter()
                .filter(|p| !overrides(p))
                .filter_map(name_of)
                .map(snake_case)
                .collect();
            if op.contains_key("requestBody") {
                used.insert("body".into());
            }
            let mut kept = Vec::new();
            let mut dropped = Vec::new();
            let mut skip = None;
            for (i, p) in own.iter().enumerate() {
                let Some(name) = name_of(p) else {
                    kept.push(p.clone());
                    continue;
                };
                if used.insert(snake_case(name)) {
                    kept.push(p.clone());
                } else if is_required(p) {
                    skip = Some(format!(
                        "required parameter `{name}` has the Rust name of another parameter (`{}`)",
                        snake_case(name)
                    ));
                    break;
                } else {
                    dropped.push(format!("{ptr}/parameters/{i}"));
                }
            }
            if let Some(reason) = skip {
                report.skip(op, path, method, &ptr, reason);
                skipped.push(*method);
                continue;
            }
            if !dropped.is_empty() {
                for at in &dropped {
                    report.record(Rule::DroppedParameter, at);
                }
                op.insert("parameters".into(), Value::Array(kept));
            }
        }
        for method in skipped {
            item.remove(method);
        }
    });
}
