//! Validators of single fields in pydantic's lax mode: enums and literals, strings,
//! booleans, `uuid4`, integers and floats, lists, and the smart unions of the filter
//! values (`str | list[str]`, `int | float | list[int] | list[float]`).
//!
//! Invariant: each validator either returns the value or pushes its errors at `loc`,
//! never both; a smart union reports the errors of every member, each labelled with the
//! member's name, only when all of them fail.

use serde_json::{json, Value};
use uuid::Uuid;

use super::errors::{at, expected_list, Errors, Loc};

pub(super) fn v_enum<'c>(
    e: &mut Errors,
    loc: Loc,
    v: &Value,
    choices: &[&'c str],
) -> Option<&'c str> {
    if let Value::String(s) = v {
        if let Some(c) = choices.iter().find(|c| **c == s.as_str()) {
            return Some(c);
        }
    }
    let expected = expected_list(choices);
    e.push(
        loc,
        "enum",
        format!("Input should be {expected}"),
        v,
        Some(json!({ "expected": expected })),
    );
    None
}

pub(super) fn v_literal(e: &mut Errors, loc: Loc, v: &Value, lit: &str) -> bool {
    if v.as_str() == Some(lit) {
        return true;
    }
    let expected = format!("'{lit}'");
    e.push(
        loc,
        "literal_error",
        format!("Input should be {expected}"),
        v,
        Some(json!({ "expected": expected })),
    );
    false
}

pub(super) fn v_str(e: &mut Errors, loc: Loc, v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        _ => {
            e.push(
                loc,
                "string_type",
                "Input should be a valid string",
                v,
                None,
            );
            None
        }
    }
}

pub(super) fn v_bool(e: &mut Errors, loc: Loc, v: &Value) -> Option<bool> {
    let (ty, msg) = match v {
        Value::Bool(b) => return Some(*b),
        Value::Number(n) if n.as_i64() == Some(0) || n.as_f64() == Some(0.0) => return Some(false),
        Value::Number(n) if n.as_i64() == Some(1) || n.as_f64() == Some(1.0) => return Some(true),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "off" | "f" | "false" | "n" | "no" => return Some(false),
            "1" | "on" | "t" | "true" | "y" | "yes" => return Some(true),
            _ => BOOL_PARSING,
        },
        Value::Number(_) => BOOL_PARSING,
        _ => ("bool_type", "Input should be a valid boolean"),
    };
    e.push(loc, ty, msg, v, None);
    None
}

/// A string or number that is no boolean.
const BOOL_PARSING: (&str, &str) = (
    "bool_parsing",
    "Input should be a valid boolean, unable to interpret input",
);

/// `UUID4` (pydantic's `uuid4` string format): any textual UUID form the
/// `uuid` crate accepts (pydantic-core uses the same crate and the same error
/// texts), and version 4.
pub(super) fn v_uuid4(e: &mut Errors, loc: Loc, v: &Value) -> Option<Uuid> {
    let s = match v {
        Value::String(s) => s,
        _ => {
            e.push(
                loc,
                "uuid_type",
                "UUID input should be a string, bytes or UUID object",
                v,
                None,
            );
            return None;
        }
    };
    match Uuid::parse_str(s) {
        Ok(u) if u.get_version_num() == 4 => Some(u),
        Ok(_) => {
            e.push(
                loc,
                "uuid_version",
                "UUID version 4 expected",
                v,
                Some(json!({ "expected_version": 4 })),
            );
            None
        }
        Err(err) => {
            uuid_parsing(e, loc, v, &err);
            None
        }
    }
}

pub(super) fn uuid_parsing(e: &mut Errors, loc: Loc, v: &Value, err: &uuid::Error) {
    let msg = err.to_string();
    e.push(
        loc,
        "uuid_parsing",
        format!("Input should be a valid UUID, {msg}"),
        v,
        Some(json!({ "error": msg })),
    );
}

pub(super) fn v_opt_uuid4(e: &mut Errors, loc: Loc, v: Option<&Value>) -> Option<Option<Uuid>> {
    match v {
        None | Some(Value::Null) => Some(None),
        Some(v) => v_uuid4(e, loc, v).map(Some),
    }
}

/// Lax integer.
pub(super) fn v_int(e: &mut Errors, loc: Loc, v: &Value) -> Option<f64> {
    let Value::Number(n) = v else {
        return lax_number(e, loc, v, &INT, |s| s.parse::<i64>().ok().map(|i| i as f64));
    };
    if let Some(i) = n.as_i64() {
        return Some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return Some(u as f64);
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.is_finite() {
        Some(f)
    } else {
        e.push(
            loc,
            "int_from_float",
            "Input should be a valid integer, got a number with a fractional part",
            v,
            None,
        );
        None
    }
}

/// Lax float.
pub(super) fn v_float(e: &mut Errors, loc: Loc, v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        _ => lax_number(e, loc, v, &FLOAT, |s| s.parse::<f64>().ok()),
    }
}

/// The error types and messages of one lax number type.
struct NumberErrors {
    parsing: (&'static str, &'static str),
    wrong_type: (&'static str, &'static str),
}

const INT: NumberErrors = NumberErrors {
    parsing: (
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    wrong_type: ("int_type", "Input should be a valid integer"),
};

const FLOAT: NumberErrors = NumberErrors {
    parsing: (
        "float_parsing",
        "Input should be a valid number, unable to parse string as a number",
    ),
    wrong_type: ("float_type", "Input should be a valid number"),
};

/// The non-number inputs lax mode takes for a number: a string `parse` reads (trimmed),
/// a boolean as 0 or 1; anything else is the type's `*_type` error.
fn lax_number(
    e: &mut Errors,
    loc: Loc,
    v: &Value,
    errors: &NumberErrors,
    parse: impl Fn(&str) -> Option<f64>,
) -> Option<f64> {
    let (ty, msg) = match v {
        Value::String(s) => match parse(s.trim()) {
            Some(f) => return Some(f),
            None => errors.parsing,
        },
        Value::Bool(b) => return Some(if *b { 1.0 } else { 0.0 }),
        _ => errors.wrong_type,
    };
    e.push(loc, ty, msg, v, None);
    None
}

/// A model's input: an object, or a `model_attributes_type` error at `loc`.
pub(super) fn v_object<'v>(
    e: &mut Errors,
    loc: &[Value],
    v: &'v Value,
) -> Option<&'v serde_json::Map<String, Value>> {
    if let Value::Object(o) = v {
        return Some(o);
    }
    e.push(
        loc.to_vec(),
        "model_attributes_type",
        "Input should be a valid dictionary or object to extract fields from",
        v,
        None,
    );
    None
}

pub(super) fn v_list<T>(
    e: &mut Errors,
    loc: Loc,
    v: &Value,
    mut item: impl FnMut(&mut Errors, Loc, &Value) -> Option<T>,
) -> Option<Vec<T>> {
    let arr = match v {
        Value::Array(a) => a,
        _ => {
            e.push(loc, "list_type", "Input should be a valid list", v, None);
            return None;
        }
    };
    let mut out = Vec::with_capacity(arr.len());
    let mut ok = true;
    for (i, x) in arr.iter().enumerate() {
        match item(e, at(&loc, i), x) {
            Some(t) => out.push(t),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Value that is either one string or a list of strings (smart union
/// `Union[str, List[str]]`).
pub(super) enum StrOrList {
    One(String),
    Many(Vec<String>),
}

pub(super) fn v_str_or_list(e: &mut Errors, loc: Loc, v: &Value) -> Option<StrOrList> {
    if let Value::String(s) = v {
        return Some(StrOrList::One(s.clone()));
    }
    let mut a = Errors::default();
    let mut b = Errors::default();
    let depth = loc.len();
    let _ = v_str(&mut a, loc.clone(), v);
    if let Some(l) = v_list(&mut b, loc.clone(), v, v_str) {
        return Some(StrOrList::Many(l));
    }
    e.absorb_labelled(a, depth, "str");
    e.absorb_labelled(b, depth, "list[str]");
    None
}

/// Number filter value: smart union `Union[int, float, List[int], List[float]]`.
pub(super) enum NumValue {
    One(f64),
    Many(Vec<f64>),
}

pub(super) fn v_number_value(e: &mut Errors, loc: Loc, v: &Value) -> Option<NumValue> {
    let depth = loc.len();
    let mut int_errs = Errors::default();
    if let Some(f) = v_int(&mut int_errs, loc.clone(), v) {
        return Some(NumValue::One(f));
    }
    let mut float_errs = Errors::default();
    if let Some(f) = v_float(&mut float_errs, loc.clone(), v) {
        return Some(NumValue::One(f));
    }
    let mut int_list_errs = Errors::default();
    if let Some(l) = v_list(&mut int_list_errs, loc.clone(), v, v_int) {
        return Some(NumValue::Many(l));
    }
    let mut float_list_errs = Errors::default();
    if let Some(l) = v_list(&mut float_list_errs, loc.clone(), v, v_float) {
        return Some(NumValue::Many(l));
    }
    e.absorb_labelled(int_errs, depth, "int");
    e.absorb_labelled(float_errs, depth, "float");
    e.absorb_labelled(int_list_errs, depth, "list[int]");
    e.absorb_labelled(float_list_errs, depth, "list[float]");
    None
}
