//! The error list of a validation: pydantic v2 error objects
//! (`{"type", "loc", "msg", "input"[, "ctx"]}`) and the locations they carry.
//!
//! Invariant: errors are appended in the order the validators run, which is the model's
//! field order, so the list reads like FastAPI's.

use serde_json::{json, Value};

/// Accumulates pydantic-style error objects.
#[derive(Default, Debug)]
pub(crate) struct Errors {
    pub items: Vec<Value>,
}

pub(super) type Loc = Vec<Value>;

pub(super) fn at(loc: &[Value], seg: impl Into<Value>) -> Loc {
    let mut l = loc.to_vec();
    l.push(seg.into());
    l
}

impl Errors {
    pub(super) fn push(
        &mut self,
        loc: Loc,
        ty: &str,
        msg: impl Into<String>,
        input: &Value,
        ctx: Option<Value>,
    ) {
        let mut e = serde_json::Map::new();
        e.insert("type".into(), Value::String(ty.into()));
        e.insert("loc".into(), Value::Array(loc));
        e.insert("msg".into(), Value::String(msg.into()));
        e.insert("input".into(), input.clone());
        if let Some(ctx) = ctx {
            e.insert("ctx".into(), ctx);
        }
        self.items.push(Value::Object(e));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends all errors of `other`, suffixing each `loc` after position
    /// `depth` with `label` (pydantic's union-member label).
    pub(super) fn absorb_labelled(&mut self, other: Errors, depth: usize, label: &str) {
        for mut e in other.items {
            if let Some(Value::Array(loc)) = e.get_mut("loc") {
                let idx = depth.min(loc.len());
                loc.insert(idx, Value::String(label.into()));
            }
            self.items.push(e);
        }
    }

    pub fn missing(&mut self, loc: Loc, input: &Value) {
        self.push(loc, "missing", "Field required", input, None);
    }
}

/// pydantic's "'a', 'b' or 'c'" rendering of expected values.
pub(super) fn expected_list(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

pub(super) fn value_error(e: &mut Errors, loc: Loc, input: &Value, msg: &str) {
    e.push(
        loc,
        "value_error",
        format!("Value error, {msg}"),
        input,
        Some(json!({ "error": {} })),
    );
}
