//! Sending `multipart/form-data` bodies for the generated operations that take them
//! (progenitor cannot; the generator routes their body through [`form`]).
//!
//! This module exists for the generated code in [`api`](crate::api) only (it is hidden
//! from the docs and not part of the crate's API); call the generated operations
//! instead.
//!
//! Each field of the body becomes a part: strings as text, numbers and booleans as their
//! text, lists as repeated parts, objects as JSON text; absent (`None`) fields are left
//! out. File fields (`format: binary` in the spec, generated as `Vec<u8>`) become file
//! parts named after the field; a list of files (`name[]`, `Vec<Vec<u8>>`) one part each.

use reqwest::multipart::{Form, Part};
use serde::Serialize;
use serde_json::Value;

fn invalid<E>(message: String) -> progenitor_client::Error<E> {
    progenitor_client::Error::InvalidRequest(message)
}

fn bytes_of(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
        .collect()
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Build the multipart form for a generated body. `file_fields` names the fields that
/// carry files: `"name"` for one file, `"name[]"` for a list of files.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Upload { file: Vec<u8>, note: Option<String>, tags: Vec<String> }
///
/// let body = Upload { file: b"print('hi')".to_vec(), note: None, tags: vec!["a".into()] };
/// let form = galileo_export::multipart::form::<_, ()>(&body, &["file"]).unwrap();
/// assert!(!form.boundary().is_empty());
/// ```
// The error type is the generated `send()`'s, whose `?` this feeds.
#[allow(clippy::result_large_err)]
pub fn form<T: Serialize, E>(
    body: &T,
    file_fields: &[&str],
) -> Result<Form, progenitor_client::Error<E>> {
    let value = serde_json::to_value(body)
        .map_err(|e| invalid(format!("the form cannot be serialized: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(invalid("a multipart body must be an object".into()));
    };
    let mut form = Form::new();
    for (name, value) in fields {
        if value.is_null() {
            continue;
        }
        let is_file = file_fields.contains(&name.as_str());
        let is_file_list = file_fields
            .iter()
            .any(|f| f.strip_suffix("[]") == Some(name.as_str()));
        if is_file || is_file_list {
            let Value::Array(items) = &value else {
                return Err(invalid(format!("file field `{name}` must be bytes")));
            };
            if is_file {
                let bytes = bytes_of(items)
                    .ok_or_else(|| invalid(format!("file field `{name}` must be bytes")))?;
                form = form.part(name.clone(), Part::bytes(bytes).file_name(name.clone()));
                continue;
            }
            for (i, item) in items.iter().enumerate() {
                let bytes = item.as_array().and_then(|b| bytes_of(b)).ok_or_else(|| {
                    invalid(format!("file field `{name}` item {i} must be bytes"))
                })?;
                form = form.part(
                    name.clone(),
                    Part::bytes(bytes).file_name(format!("{name}-{i}")),
                );
            }
            continue;
        }
        match value {
            Value::Array(items) => {
                for item in &items {
                    form = form.text(name.clone(), text_of(item));
                }
            }
            other => form = form.text(name.clone(), text_of(&other)),
        }
    }
    Ok(form)
}
