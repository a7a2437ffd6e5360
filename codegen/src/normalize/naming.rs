//! Case conversions of names: FastAPI's generated operation-id suffix, snake_case method
//! names, PascalCase type names.
//!
//! Invariant: pure functions of their input; the results are what the generated code's
//! identifiers are built from, so changing one renames generated items.

/// FastAPI's `generate_unique_id`: `{name}{path with non-word chars as _}_{method}`.
pub fn fastapi_suffix(path: &str, method: &str) -> String {
    let sanitized: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{sanitized}_{method}")
}
/// A Rust-friendly snake_case method name.
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("op_{out}")
    } else if out.is_empty() {
        "operation".into()
    } else {
        out
    }
}

/// `export_records` → `ExportRecords`; keeps existing capitals.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}
