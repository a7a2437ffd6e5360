//! Operation names: FastAPI's generated suffix taken off, snake_case, unique.
//!
//! Invariant: every operation left has an `operationId` that is a unique snake_case
//! method name; the original is kept in the report.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::error::escape_pointer;
use crate::normalize::naming::{fastapi_suffix, snake_case};
use crate::normalize::report::{OperationInfo, Report};
use crate::normalize::rules::Rule;
use crate::normalize::walk::METHODS;

pub(in crate::normalize) fn operation_names(doc: &mut Value, report: &mut Report) {
    struct Op {
        path: String,
        method: String,
        original: String,
        clean: String,
    }
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let original = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let clean = match &original {
                    Some(id) => {
                        let suffix = fastapi_suffix(path, method);
                        match id.strip_suffix(&suffix) {
                            Some(name) if !name.is_empty() => snake_case(name),
                            _ => snake_case(id),
                        }
                    }
                    None => snake_case(&format!(
                        "{method}{}",
                        fastapi_suffix(path, "").trim_end_matches('_')
                    )),
                };
                ops.push(Op {
                    path: path.clone(),
                    method: (*method).to_string(),
                    original: original.unwrap_or_default(),
                    clean,
                });
            }
        }
    }
    // Names that repeat: add the method, then the path's distinguishing words.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for op in &ops {
        *counts.entry(op.clean.clone()).or_default() += 1;
    }
    let mut final_names: Vec<String> = Vec::new();
    let mut used: BTreeSet<String> = ops
        .iter()
        .filter(|o| counts[&o.clean] == 1)
        .map(|o| o.clean.clone())
        .collect();
    for op in &ops {
        if counts[&op.clean] == 1 {
            final_names.push(op.clean.clone());
            continue;
        }
        let path_words = snake_case(&op.path.replace(['{', '}'], ""));
        let method_unique_in_group = ops
            .iter()
            .filter(|o| o.clean == op.clean && o.method == op.method)
            .count()
            == 1;
        let mut candidates = Vec::new();
        if method_unique_in_group {
            candidates.push(format!("{}_{}", op.clean, op.method));
        }
        candidates.push(format!("{}_{}", op.clean, path_words));
        candidates.push(format!("{}_{}_{}", op.clean, path_words, op.method));
        let chosen = candidates.into_iter().find(|c| !used.contains(c));
        let mut name =
            chosen.unwrap_or_else(|| format!("{}_{}_{}", op.clean, path_words, op.method));
        let mut n = 2;
        while used.contains(&name) {
            name = format!(
                "{}_{n}",
                name.trim_end_matches(char::is_numeric)
                    .trim_end_matches('_')
            );
            n += 1;
        }
        used.insert(name.clone());
        final_names.push(name);
    }
    for (op, name) in ops.iter().zip(final_names) {
        let ptr = format!(
            "/paths/{}/{}/operationId",
            escape_pointer(&op.path),
            op.method
        );
        if let Some(slot) = doc.pointer_mut(&ptr) {
            if slot.as_str() != Some(name.as_str()) {
                report.record(
                    Rule::OperationName,
                    &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
                );
            }
            *slot = Value::String(name.clone());
        } else if let Some(Value::Object(o)) = doc.pointer_mut(&format!(
            "/paths/{}/{}",
            escape_pointer(&op.path),
            op.method
        )) {
            o.insert("operationId".into(), Value::String(name.clone()));
            report.record(
                Rule::OperationName,
                &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
            );
        }
        for m in report.multipart.iter_mut() {
            if m.path == op.path && m.method == op.method {
                m.name = name.clone();
            }
        }
        report.operations.push(OperationInfo {
            name,
            operation_id: op.original.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
        });
    }
}
