//! What the normalizer reports: every [`Rewrite`] in order, the operations it skipped,
//! the discriminated unions and multipart operations later stations need, and the
//! [`NormalizeError`] of a document it cannot make sense of.
//!
//! Invariant: the report is append-only while the normalizer runs; a rewrite is recorded
//! at the pointer of the input document where it applies.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Rule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The rule applied.
    pub rule: Rule,
    /// Where, as a JSON pointer (`#/components/schemas/...`).
    pub pointer: String,
}

/// An operation left out of the generated client, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedOperation {
    /// The operationId as written in the spec.
    pub operation_id: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Why it cannot be generated.
    pub reason: String,
}

/// A `oneOf` with a `discriminator`, after normalization: a named component whose
/// variants are named components carrying the tag property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscriminatedUnion {
    /// Component schema name of the union.
    pub name: String,
    /// The discriminator property, e.g. `type`.
    pub property: String,
    /// Tag value → component schema name of the variant, in mapping order.
    pub mapping: Vec<(String, String)>,
}

/// An operation whose `multipart/form-data` body is generated as a typed struct and sent
/// as multipart by the generated `send()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartOperation {
    /// The clean method name (filled in once names are assigned).
    pub name: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Body fields that carry files: `name` for one file (`format: binary`), `name[]` for
    /// a list of files.
    pub file_fields: Vec<String>,
}

/// One generated operation: its clean method name and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// The clean method name, e.g. `export_records`.
    pub name: String,
    /// The operationId as written in the spec.
    pub operation_id: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
}

/// What the normalizer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every rewrite, in the order applied.
    pub rewrites: Vec<Rewrite>,
    /// Operations left out.
    pub skipped: Vec<SkippedOperation>,
    /// Discriminated unions to be given tag-dispatching deserializers.
    pub unions: Vec<DiscriminatedUnion>,
    /// The operations that remain, with their clean names.
    pub operations: Vec<OperationInfo>,
    /// Hoisted component name → the pointer it came from.
    pub hoisted: BTreeMap<String, String>,
    /// Operations with `multipart/form-data` bodies.
    pub multipart: Vec<MultipartOperation>,
}

impl Report {
    /// Number of rewrites per rule.
    pub fn counts(&self) -> BTreeMap<Rule, usize> {
        let mut out = BTreeMap::new();
        for r in &self.rewrites {
            *out.entry(r.rule).or_insert(0) += 1;
        }
        out
    }

    /// Whether a rule fired at a pointer.
    pub fn fired(&self, rule: Rule, pointer: &str) -> bool {
        self.rewrites
            .iter()
            .any(|r| r.rule == rule && r.pointer == pointer)
    }

    pub(super) fn record(&mut self, rule: Rule, pointer: &str) {
        self.rewrites.push(Rewrite {
            rule,
            pointer: pointer.to_string(),
        });
    }

    /// Records the operation `op` (at `method` `path`, pointer `ptr`) as left out of the
    /// client, and why ([`Rule::SkippedOperation`]). The caller removes it.
    pub(super) fn skip(
        &mut self,
        op: &Map<String, Value>,
        path: &str,
        method: &str,
        ptr: &str,
        reason: String,
    ) {
        self.skipped.push(SkippedOperation {
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            method: method.to_string(),
            path: path.to_string(),
            reason,
        });
        self.record(Rule::SkippedOperation, ptr);
    }
}

/// A document the normalizer cannot make sense of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeError {
    /// Where, as a JSON pointer.
    pub pointer: String,
    /// Why.
    pub reason: String,
}

impl NormalizeError {
    pub(super) fn new(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }
}
