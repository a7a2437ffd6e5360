//! Station 2: read YAML or JSON into a generic JSON value, with line/column on syntax errors.

use std::path::Path;

use serde_json::{Map, Value};

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

/// Parse YAML text. Mapping keys that are not strings (e.g. an unquoted `200:`) become strings.
pub fn parse_yaml(path: &Path, text: &str) -> Result<Value, CodegenError> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let location = match e.location() {
            Some(l) => Location::LineColumn {
                line: l.line(),
                column: l.column(),
            },
            None => Location::File,
        };
        CodegenError::new(path, location, format!("invalid YAML: {e}"))
    })?;
    yaml_to_json(path, yaml, &mut String::from("#"))
}

fn yaml_to_json(
    path: &Path,
    yaml: serde_yaml::Value,
    pointer: &mut String,
) -> Result<Value, CodegenError> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        CodegenError::at(
                            path,
                            pointer.clone(),
                            format!("number {f} cannot be represented in JSON"),
                        )
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                out.push(yaml_to_json(path, item, pointer)?);
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(CodegenError::at(
                            path,
                            pointer.clone(),
                            format!("mapping key {other:?} is not a string"),
                        ))
                    }
                };
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::error::escape_pointer(&key));
                let value = yaml_to_json(path, v, pointer)?;
                pointer.truncate(len);
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(path, tagged.value, pointer)?,
    })
}
