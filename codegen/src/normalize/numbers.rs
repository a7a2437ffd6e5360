//! Numbers Rust cannot hold and formats foreign to their schema's type.
//!
//! * [`wide_numbers`]: every number in the document that was an integer beyond 64 bits in
//!   the spec text (read as the nearest double, see `crate::parse`) is reported with its
//!   pointer: its value is approximated.
//! * [`rule_integer_bounds`]: in an integer schema, a bound, `enum` value or `const` that
//!   is not a 64-bit integer (openapiv3 and the generated `i64`/`u64` hold no other) is
//!   widened to the 64-bit integer it rounds to when there is one, else dropped (a bound
//!   beyond the type's range constrains nothing the type can hold).
//! * [`rule_foreign_format`]: a `format` that belongs to another type (`date-time` on an
//!   object, `int64` on a string is *not* foreign: strings take any format) is dropped.
//!
//! Invariant: every rewrite here is reported ([`Rule::WideInteger`],
//! [`Rule::ForeignFormat`]); both approximate.

use serde_json::{Map, Value};

use super::report::Report;
use super::rules::Rule;
use crate::error::escape_pointer;

/// 2^63: the first magnitude a double holds that no `i64` does.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Formats that only a string carries.
const STRING_FORMATS: &[&str] = &[
    "date",
    "date-time",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "uuid",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "byte",
    "binary",
    "password",
];

/// Formats of integers (as typify names them).
const INTEGER_FORMATS: &[&str] = &[
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
];

/// Formats of non-integer numbers.
const NUMBER_FORMATS: &[&str] = &["float", "double", "decimal"];

/// An integer beyond 64 bits read as a double: integral, of magnitude 2^63 or more.
fn is_wide(n: &serde_json::Number) -> bool {
    n.as_i64().is_none()
        && n.as_u64().is_none()
        && n.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.abs() >= TWO_POW_63)
}

/// Reports every number of the document that is an integer beyond 64 bits read as a
/// double (an integral double of magnitude 2^63 or more).
pub(super) fn wide_numbers(doc: &Value, report: &mut Report) {
    fn walk(node: &Value, ptr: &mut String, report: &mut Report) {
        match node {
            Value::Number(n) if is_wide(n) => report.record(Rule::WideInteger, ptr),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = ptr.len();
                    ptr.push_str(&format!("/{i}"));
                    walk(item, ptr, report);
                    ptr.truncate(len);
                }
            }
            Value::Object(map) => {
                for (key, value) in map {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&escape_pointer(key));
                    walk(value, ptr, report);
                    ptr.truncate(len);
                }
            }
            _ => {}
        }
    }
    walk(doc, &mut String::from("#"), report);
}

/// The 64-bit integer `value` stands for, if any (an integral double inside `i64`'s range
/// counts; `u64` values above `i64::MAX` do not, openapiv3 bounds are `i64`).
fn as_i64(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f)).then_some(f as i64)
}

/// [`Rule::WideInteger`] on an integer schema's bounds, `enum` and `const`.
pub(super) fn rule_integer_bounds(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if map.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        let Some(value @ Value::Number(_)) = map.get(key) else {
            continue;
        };
        match as_i64(value) {
            Some(i) if value.as_i64() == Some(i) => {}
            Some(i) => {
                map.insert(key.into(), Value::from(i));
                report.record(Rule::WideInteger, &format!("{ptr}/{key}"));
            }
            None => {
                map.remove(key);
                report.record(Rule::WideInteger, &format!("{ptr}/{key}"));
            }
        }
    }
    for key in ["enum", "const"] {
        let values = match map.get(key) {
            Some(Value::Array(values)) => values.clone(),
            Some(value) => vec![value.clone()],
            None => continue,
        };
        // Other kinds of values (a string in an integer enum) are typify's to judge.
        let fits = |v: &Value| !v.is_number() || v.as_i64().is_some();
        if values.iter().all(fits) {
            continue;
        }
        // A value no `i64` holds: the set of values cannot be expressed, the type widens.
        map.remove(key);
        report.record(Rule::WideInteger, &format!("{ptr}/{key}"));
    }
}

/// [`Rule::ForeignFormat`]: a `format` that belongs to another type is dropped.
pub(super) fn rule_foreign_format(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let Some(Value::String(format)) = map.get("format") else {
        return;
    };
    let format = format.as_str();
    let foreign = match map.get("type").and_then(Value::as_str) {
        // Strings take any format (typify keeps unknown ones as `String`).
        Some("string") | None => false,
        Some("integer") => !INTEGER_FORMATS.contains(&format),
        Some("number") => {
            !(NUMBER_FORMATS.contains(&format) || INTEGER_FORMATS.contains(&format))
                && STRING_FORMATS.contains(&format)
        }
        // Objects, arrays, booleans and nulls have no format of their own.
        Some(_) => true,
    };
    if foreign {
        map.remove("format");
        report.record(Rule::ForeignFormat, &format!("{ptr}/format"));
    }
}
