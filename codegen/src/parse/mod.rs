//! Station 2: read YAML or JSON into a generic JSON value, with line/column on syntax errors.

use std::path::Path;

use serde_json::Value;

mod lossless;

use crate::error::{CodegenError, Location};

/// Read and parse the spec file. JSON is chosen by a `.json` extension, YAML otherwise
/// (YAML is a superset of JSON, so a mislabelled JSON file still parses).
pub fn read_spec(path: &Path) -> Result<Value, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CodegenError::new(path, Location::File, format!("cannot read the spec: {e}"))
    })?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        parse_json(path, &text)
    } else {
        parse_yaml(path, &text)
    }
}

/// Parse JSON text.
pub fn parse_json(path: &Path, text: &str) -> Result<Value, CodegenError> {
    serde_json::from_str(text).map_err(|e| {
        CodegenError::new(
            path,
            Location::LineColumn {
                line: e.line(),
                column: e.column(),
            },
            format!("invalid JSON: {e}"),
        )
    })
}

/// Parse YAML text (YAML 1.2: `no`, `=` and dates are strings). Mapping keys that are
/// not strings (e.g. an unquoted `200:`) become strings; integers beyond 64 bits become
/// the nearest double (the normalizer reports each).
pub fn parse_yaml(path: &Path, text: &str) -> Result<Value, CodegenError> {
    let node: lossless::Node = serde_yaml::from_str(text).map_err(|e| {
        let location = match e.location() {
            Some(l) => Location::LineColumn {
                line: l.line(),
                column: l.column(),
            },
            None => Location::File,
        };
        CodegenError::new(path, location, format!("invalid YAML: {e}"))
    })?;
    Ok(node.0)
}
