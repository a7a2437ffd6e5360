//! Request-body validation that mimics FastAPI + pydantic v2.
//!
//! Validation works on a `serde_json::Value`, never on a typed struct, so that
//! every error carries the exact `loc` pydantic would report, e.g.
//! `["body", "filters", 0, "text", "operator"]` (pydantic v2 puts the
//! discriminator tag of a tagged union into the location). Errors are reported
//! in model field order, all at once, the way FastAPI collects them, each as
//! `{"type", "loc", "msg", "input"[, "ctx"]}`.
//!
//! Coercions follow pydantic's lax (python) mode, which is what FastAPI uses
//! for JSON bodies: `"5"` is a valid integer, `"yes"` a valid boolean, a unix
//! timestamp a valid datetime; numbers are never valid strings.

use galileo_export::filter::{FilterKind, FullyAnnotatedFilter, Operator};
use serde_json::{json, Value};
use uuid::Uuid;

use super::data::RootType;

/// Requested output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ExportFormat {
    Csv,
    Jsonl,
}

/// Which request field named the log stream / experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunField {
    LogStream,
    Experiment,
    MetricsTesting,
}

impl RunField {
    pub fn label(self) -> &'static str {
        match self {
            RunField::LogStream => "Log stream",
            RunField::Experiment => "Experiment",
            RunField::MetricsTesting => "Metrics testing run",
        }
    }
}

/// A number filter's operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NumOp {
    /// `eq`, `ne`, `gt`, `gte`, `lt` or `lte` and the number compared with.
    Cmp(Operator, f64),
    Between(f64, f64),
}

/// One schema-valid filter.
#[derive(Clone, Debug)]
pub(crate) enum FilterReq {
    Id {
        column_id: String,
        op: Operator,
        /// Parsed uuids for eq/ne/one_of/not_in; empty for contains.
        ids: Vec<Uuid>,
        /// The raw string for contains.
        needle: String,
    },
    Date {
        column_id: String,
        op: Operator,
        value_us: i64,
    },
    Number {
        column_id: String,
        op: NumOp,
    },
    Boolean {
        column_id: String,
        eq: bool,
        value: bool,
    },
    Collection {
        column_id: String,
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
    Text {
        column_id: String,
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
    FullyAnnotated,
}

/// The sort clause.
#[derive(Clone, Debug)]
pub(crate) struct SortReq {
    pub column_id: String,
    pub ascending: bool,
}

/// A schema-valid export request.
#[derive(Clone, Debug)]
pub(crate) struct ExportRequest {
    pub root: RootType,
    pub format: ExportFormat,
    pub redact: bool,
    pub file_name: Option<String>,
    pub run: (RunField, Uuid),
    pub filters: Vec<FilterReq>,
    pub sort: Option<SortReq>,
    pub column_ids: Option<Vec<String>>,
}

/// Accumulates pydantic-style error objects.
#[derive(Default, Debug)]
pub(crate) struct Errors {
    pub items: Vec<Value>,
}

type Loc = Vec<Value>;

fn at(loc: &[Value], seg: impl Into<Value>) -> Loc {
    let mut l = loc.to_vec();
    l.push(seg.into());
    l
}

impl Errors {
    fn push(
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
    fn absorb_labelled(&mut self, other: Errors, depth: usize, label: &str) {
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
fn expected_list(choices: &[&str]) -> String {
    let quoted: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

fn v_enum<'c>(e: &mut Errors, loc: Loc, v: &Value, choices: &[&'c str]) -> Option<&'c str> {
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

fn v_literal(e: &mut Errors, loc: Loc, v: &Value, lit: &str) -> bool {
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

fn v_str(e: &mut Errors, loc: Loc, v: &Value) -> Option<String> {
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

fn v_bool(e: &mut Errors, loc: Loc, v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_i64() == Some(0) || n.as_f64() == Some(0.0) => Some(false),
        Value::Number(n) if n.as_i64() == Some(1) || n.as_f64() == Some(1.0) => Some(true),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
            "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
            _ => {
                e.push(
                    loc,
                    "bool_parsing",
                    "Input should be a valid boolean, unable to interpret input",
                    v,
                    None,
                );
                None
            }
        },
        Value::Number(_) => {
            e.push(
                loc,
                "bool_parsing",
                "Input should be a valid boolean, unable to interpret input",
                v,
                None,
            );
            None
        }
        _ => {
            e.push(loc, "bool_type", "Input should be a valid boolean", v, None);
            None
        }
    }
}

/// `UUID4` (pydantic's `uuid4` string format): any textual UUID form the
/// `uuid` crate accepts (pydantic-core uses the same crate and the same error
/// texts), and version 4.
fn v_uuid4(e: &mut Errors, loc: Loc, v: &Value) -> Option<Uuid> {
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

fn uuid_parsing(e: &mut Errors, loc: Loc, v: &Value, err: &uuid::Error) {
    let msg = err.to_string();
    e.push(
        loc,
        "uuid_parsing",
        format!("Input should be a valid UUID, {msg}"),
        v,
        Some(json!({ "error": msg })),
    );
}

fn v_opt_uuid4(e: &mut Errors, loc: Loc, v: Option<&Value>) -> Option<Option<Uuid>> {
    match v {
        None | Some(Value::Null) => Some(None),
        Some(v) => v_uuid4(e, loc, v).map(Some),
    }
}

/// Lax integer.
fn v_int(e: &mut Errors, loc: Loc, v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => {
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
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(i) => Some(i as f64),
            Err(_) => {
                e.push(
                    loc,
                    "int_parsing",
                    "Input should be a valid integer, unable to parse string as an integer",
                    v,
                    None,
                );
                None
            }
        },
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => {
            e.push(loc, "int_type", "Input should be a valid integer", v, None);
            None
        }
    }
}

/// Lax float.
fn v_float(e: &mut Errors, loc: Loc, v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) => Some(f),
            Err(_) => {
                e.push(
                    loc,
                    "float_parsing",
                    "Input should be a valid number, unable to parse string as a number",
                    v,
                    None,
                );
                None
            }
        },
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => {
            e.push(loc, "float_type", "Input should be a valid number", v, None);
            None
        }
    }
}

fn v_list<T>(
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

/// Parses a datetime the way pydantic's lax mode does: RFC 3339 / ISO 8601
/// (`T`, `t`, `_` or space separator; `Z` or `±HH:MM` offset; naive values
/// are taken as UTC), a bare date (midnight UTC), or a unix timestamp in
/// seconds (milliseconds when larger than 2e10). Returns µs since the epoch.
pub(crate) fn parse_datetime(v: &Value) -> Result<i64, (&'static str, String)> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if !f.is_finite() {
                return Err(("datetime_parsing", "invalid timestamp".into()));
            }
            let secs = if f.abs() > 2e10 { f / 1000.0 } else { f };
            Ok((secs * 1e6).round() as i64)
        }
        Value::String(s) => parse_datetime_str(s.trim()).map_err(|m| ("datetime_parsing", m)),
        _ => Err(("datetime_type", String::new())),
    }
}

fn parse_datetime_str(s: &str) -> Result<i64, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if s.len() < 10 {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse::<f64>()
                .map(|f| (f * 1e6) as i64)
                .map_err(|_| "invalid timestamp".to_string());
        }
        return Err("input is too short".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let f: f64 = s.parse().map_err(|_| "invalid timestamp".to_string())?;
        let secs = if f.abs() > 2e10 { f / 1000.0 } else { f };
        return Ok((secs * 1e6).round() as i64);
    }
    let mut norm: String = s.to_string();
    if norm.len() > 10 {
        let sep = norm.as_bytes()[10];
        if matches!(sep, b't' | b' ' | b'_') {
            norm.replace_range(10..11, "T");
        }
    }
    if norm.ends_with('z') {
        norm.pop();
        norm.push('Z');
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&norm) {
        return Ok(dt.timestamp_micros());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&norm, fmt) {
            return Ok(dt.and_utc().timestamp_micros());
        }
    }
    if let Some(offset_dt) = try_offset_without_colon(&norm) {
        return Ok(offset_dt);
    }
    if norm.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(&norm, "%Y-%m-%d") {
            if let Some(dt) = d.and_hms_opt(0, 0, 0) {
                return Ok(dt.and_utc().timestamp_micros());
            }
        }
    }
    let first_bad = norm
        .bytes()
        .take(4)
        .position(|b| !b.is_ascii_digit())
        .map(|_| "invalid character in year");
    Err(first_bad
        .unwrap_or("invalid datetime format, expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]")
        .to_string())
}

fn try_offset_without_colon(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|d| d.timestamp_micros())
}

fn v_datetime(e: &mut Errors, loc: Loc, v: &Value) -> Option<i64> {
    match parse_datetime(v) {
        Ok(us) => Some(us),
        Err(("datetime_type", _)) => {
            e.push(
                loc,
                "datetime_type",
                "Input should be a valid datetime",
                v,
                None,
            );
            None
        }
        Err((ty, msg)) => {
            e.push(
                loc,
                ty,
                format!("Input should be a valid datetime, {msg}"),
                v,
                Some(json!({ "error": msg })),
            );
            None
        }
    }
}

/// Value that is either one string or a list of strings (smart union
/// `Union[str, List[str]]`).
enum StrOrList {
    One(String),
    Many(Vec<String>),
}

fn v_str_or_list(e: &mut Errors, loc: Loc, v: &Value) -> Option<StrOrList> {
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
enum NumValue {
    One(f64),
    Many(Vec<f64>),
}

fn v_number_value(e: &mut Errors, loc: Loc, v: &Value) -> Option<NumValue> {
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

fn value_error(e: &mut Errors, loc: Loc, input: &Value, msg: &str) {
    e.push(
        loc,
        "value_error",
        format!("Value error, {msg}"),
        input,
        Some(json!({ "error": {} })),
    );
}

fn field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key)
}

fn v_filter(e: &mut Errors, loc: Loc, v: &Value) -> Option<FilterReq> {
    let obj = match v {
        Value::Object(o) => o,
        _ => {
            e.push(
                loc,
                "model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from",
                v,
                None,
            );
            return None;
        }
    };
    let tag_v = match obj.get("type") {
        Some(t) => t,
        None => {
            e.push(
                loc,
                "union_tag_not_found",
                "Unable to extract tag using discriminator 'type'",
                v,
                Some(json!({ "discriminator": "'type'" })),
            );
            return None;
        }
    };
    let tag_str = match tag_v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Some(kind) = FilterKind::from_tag(&tag_str) else {
        let expected = FilterKind::ALL
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        e.push(
            loc,
            "union_tag_invalid",
            format!(
                "Input tag '{tag_str}' found using 'type' does not match any of the expected tags: {expected}"
            ),
            v,
            Some(json!({ "discriminator": "'type'", "tag": tag_str, "expected_tags": expected })),
        );
        return None;
    };
    let tag = kind.as_str();
    let loc = at(&loc, tag);
    let before = e.items.len();

    if kind == FilterKind::FullyAnnotated {
        if let Some(c) = field(obj, "column_id") {
            v_literal(e, at(&loc, "column_id"), c, FullyAnnotatedFilter::COLUMN_ID);
        }
        match field(obj, "user_ids") {
            None | Some(Value::Null) => {}
            Some(u) => {
                if let Some(list) = v_list(e, at(&loc, "user_ids"), u, v_uuid4) {
                    if list.is_empty() {
                        e.push(
                            at(&loc, "user_ids"),
                            "too_short",
                            "List should have at least 1 item after validation, not 0",
                            u,
                            Some(
                                json!({"field_type": "List", "min_length": 1, "actual_length": 0}),
                            ),
                        );
                    }
                }
            }
        }
        return (e.items.len() == before).then_some(FilterReq::FullyAnnotated);
    }

    let column_id = match field(obj, "column_id") {
        Some(c) => v_str(e, at(&loc, "column_id"), c),
        None => {
            e.missing(at(&loc, "column_id"), v);
            None
        }
    };
    let op = match field(obj, "operator") {
        Some(o) => {
            v_enum(e, at(&loc, "operator"), o, kind.operator_names()).and_then(Operator::from_name)
        }
        None => match kind.default_operator() {
            Some(op) => Some(op),
            None => {
                e.missing(at(&loc, "operator"), v);
                None
            }
        },
    };
    let value = field(obj, "value");
    if value.is_none() {
        e.missing(at(&loc, "value"), v);
    }
    let case_sensitive = if kind.has_case_sensitive() {
        match field(obj, "case_sensitive") {
            Some(c) => v_bool(e, at(&loc, "case_sensitive"), c),
            None => Some(true),
        }
    } else {
        Some(true)
    };
    let vloc = at(&loc, "value");
    let result = match kind {
        FilterKind::Id => {
            let parsed = value.and_then(|val| v_id_value(e, vloc.clone(), val));
            match (column_id, op, parsed, value) {
                (Some(column_id), Some(op), Some(strs), Some(raw)) => {
                    id_filter(e, &loc, raw, column_id, op, strs)
                }
                _ => None,
            }
        }
        FilterKind::Date => {
            let t = value.and_then(|val| v_datetime(e, vloc.clone(), val));
            match (column_id, op, t) {
                (Some(column_id), Some(op), Some(value_us)) => Some(FilterReq::Date {
                    column_id,
                    op,
                    value_us,
                }),
                _ => None,
            }
        }
        FilterKind::Number => {
            let n = value.and_then(|val| v_number_value(e, vloc.clone(), val));
            match (column_id, op, n) {
                (Some(column_id), Some(op), Some(n)) => {
                    let op = match (op, n) {
                        (op, NumValue::Many(l)) if op.takes_range() && l.len() == 2 => {
                            Some(NumOp::Between(l[0], l[1]))
                        }
                        (op, _) if op.takes_range() => {
                            value_error(
                                e,
                                loc.clone(),
                                v,
                                "operator 'between' requires a list of exactly two numbers [low, high]",
                            );
                            None
                        }
                        (op, NumValue::One(x)) => Some(NumOp::Cmp(op, x)),
                        (op, NumValue::Many(_)) => {
                            value_error(
                                e,
                                loc.clone(),
                                v,
                                &format!("operator '{op}' requires a single number, not a list"),
                            );
                            None
                        }
                    };
                    op.map(|op| FilterReq::Number { column_id, op })
                }
                _ => None,
            }
        }
        FilterKind::Boolean => {
            let b = value.and_then(|val| v_bool(e, vloc.clone(), val));
            match (column_id, op, b) {
                (Some(column_id), Some(op), Some(value)) => Some(FilterReq::Boolean {
                    column_id,
                    eq: op == Operator::Eq,
                    value,
                }),
                _ => None,
            }
        }
        _ => {
            // text / collection
            let sl = value.and_then(|val| v_str_or_list(e, vloc.clone(), val));
            match (column_id, op, sl, case_sensitive) {
                (Some(column_id), Some(op), Some(sl), Some(case_sensitive)) => {
                    let values = match (kind, sl) {
                        (FilterKind::Text, StrOrList::Many(_)) if !op.takes_list() => {
                            value_error(
                                e,
                                loc.clone(),
                                v,
                                &format!(
                                    "operator '{op}' requires a single string value, not a list"
                                ),
                            );
                            None
                        }
                        (_, StrOrList::One(s)) => Some(vec![s]),
                        (_, StrOrList::Many(l)) => Some(l),
                    };
                    values.map(|values| {
                        if kind == FilterKind::Text {
                            FilterReq::Text {
                                column_id,
                                op,
                                values,
                                case_sensitive,
                            }
                        } else {
                            FilterReq::Collection {
                                column_id,
                                op,
                                values,
                                case_sensitive,
                            }
                        }
                    })
                }
                _ => None,
            }
        }
    };
    if e.items.len() == before {
        result
    } else {
        None
    }
}

/// `Union[UUID4, List[Union[UUID4, str]], str]`: accepts any string or list
/// of strings; returns them as strings (uuid checks happen per operator).
fn v_id_value(e: &mut Errors, loc: Loc, v: &Value) -> Option<StrOrList> {
    match v {
        Value::String(s) => Some(StrOrList::One(s.clone())),
        Value::Array(items) => {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, x) in items.iter().enumerate() {
                match x {
                    Value::String(s) => out.push(s.clone()),
                    _ => {
                        ok = false;
                        let l = at(&at(&loc, "list[union[uuid,str]]"), i);
                        e.push(
                            at(&l, "uuid"),
                            "uuid_type",
                            "UUID input should be a string, bytes or UUID object",
                            x,
                            None,
                        );
                        e.push(
                            at(&l, "str"),
                            "string_type",
                            "Input should be a valid string",
                            x,
                            None,
                        );
                    }
                }
            }
            if ok {
                Some(StrOrList::Many(out))
            } else {
                // The scalar members fail too, as pydantic reports.
                e.push(
                    at(&loc, "uuid"),
                    "uuid_type",
                    "UUID input should be a string, bytes or UUID object",
                    v,
                    None,
                );
                e.push(
                    at(&loc, "str"),
                    "string_type",
                    "Input should be a valid string",
                    v,
                    None,
                );
                None
            }
        }
        _ => {
            e.push(
                at(&loc, "uuid"),
                "uuid_type",
                "UUID input should be a string, bytes or UUID object",
                v,
                None,
            );
            e.push(
                at(&loc, "list[union[uuid,str]]"),
                "list_type",
                "Input should be a valid list",
                v,
                None,
            );
            e.push(
                at(&loc, "str"),
                "string_type",
                "Input should be a valid string",
                v,
                None,
            );
            None
        }
    }
}

/// Operator-specific checks of an `id` filter: `eq`/`ne` need one UUID,
/// `one_of`/`not_in` a list of UUIDs (a single string counts as a list of
/// one), `contains` a single (partial) string. A value that is not a UUID
/// where one is needed is a `uuid_parsing` error at the value (or item).
fn id_filter(
    e: &mut Errors,
    loc: &[Value],
    raw: &Value,
    column_id: String,
    op: Operator,
    value: StrOrList,
) -> Option<FilterReq> {
    let vloc = at(loc, "value");
    match (op, value) {
        (Operator::Contains, StrOrList::One(needle)) => Some(FilterReq::Id {
            column_id,
            op,
            ids: Vec::new(),
            needle,
        }),
        (op, StrOrList::Many(_)) if !op.takes_list() => {
            value_error(
                e,
                loc.to_vec(),
                raw,
                &format!("operator '{op}' requires a single id, not a list"),
            );
            None
        }
        (_, StrOrList::One(s)) => match Uuid::parse_str(&s) {
            Ok(u) => Some(FilterReq::Id {
                column_id,
                op,
                ids: vec![u],
                needle: String::new(),
            }),
            Err(err) => {
                uuid_parsing(e, vloc, raw, &err);
                None
            }
        },
        (_, StrOrList::Many(list)) => {
            let mut ids = Vec::with_capacity(list.len());
            let mut ok = true;
            for (i, s) in list.iter().enumerate() {
                match Uuid::parse_str(s) {
                    Ok(u) => ids.push(u),
                    Err(err) => {
                        ok = false;
                        uuid_parsing(e, at(&vloc, i), &Value::String(s.clone()), &err);
                    }
                }
            }
            ok.then_some(FilterReq::Id {
                column_id,
                op,
                ids,
                needle: String::new(),
            })
        }
    }
}

fn v_sort(e: &mut Errors, loc: Loc, v: &Value) -> Option<SortReq> {
    let obj = match v {
        Value::Object(o) => o,
        _ => {
            e.push(
                loc,
                "model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from",
                v,
                None,
            );
            return None;
        }
    };
    let column_id = match obj.get("column_id") {
        Some(c) => v_str(e, at(&loc, "column_id"), c),
        None => {
            e.missing(at(&loc, "column_id"), v);
            None
        }
    };
    let ascending = match obj.get("ascending") {
        Some(a) => v_bool(e, at(&loc, "ascending"), a),
        None => Some(true),
    };
    let sort_type_ok = match obj.get("sort_type") {
        Some(s) => v_literal(e, at(&loc, "sort_type"), s, "column"),
        None => true,
    };
    match (column_id, ascending, sort_type_ok) {
        (Some(column_id), Some(ascending), true) => Some(SortReq {
            column_id,
            ascending,
        }),
        _ => None,
    }
}

/// Validates the `project_id` path parameter (`format: uuid4`).
pub(crate) fn validate_project_id(e: &mut Errors, raw: &str) -> Option<Uuid> {
    v_uuid4(
        e,
        vec!["path".into(), "project_id".into()],
        &Value::String(raw.into()),
    )
}

/// Validates a request body (`None` when the body was empty).
pub(crate) fn validate_body(e: &mut Errors, body: Option<&Value>) -> Option<ExportRequest> {
    let base: Loc = vec!["body".into()];
    let body = match body {
        None => {
            e.missing(base, &Value::Null);
            return None;
        }
        Some(b) => b,
    };
    let obj = match body {
        Value::Object(o) => o,
        _ => {
            e.push(
                base,
                "model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from",
                body,
                None,
            );
            return None;
        }
    };
    let before = e.items.len();
    // Field order of LogRecordsExportRequest.
    let column_ids = match obj.get("column_ids") {
        None | Some(Value::Null) => Some(None),
        Some(c) => v_list(e, at(&base, "column_ids"), c, v_str).map(Some),
    };
    let format = match obj.get("export_format") {
        None => Some(ExportFormat::Jsonl),
        Some(f) => v_enum(e, at(&base, "export_format"), f, &["csv", "jsonl"]).map(|f| {
            if f == "csv" {
                ExportFormat::Csv
            } else {
                ExportFormat::Jsonl
            }
        }),
    };
    let redact = match obj.get("redact") {
        None => Some(true),
        Some(r) => v_bool(e, at(&base, "redact"), r),
    };
    let file_name = match obj.get("file_name") {
        None | Some(Value::Null) => Some(None),
        Some(f) => v_str(e, at(&base, "file_name"), f).map(Some),
    };
    let log_stream = v_opt_uuid4(e, at(&base, "log_stream_id"), obj.get("log_stream_id"));
    let experiment = v_opt_uuid4(e, at(&base, "experiment_id"), obj.get("experiment_id"));
    let metrics_testing = v_opt_uuid4(
        e,
        at(&base, "metrics_testing_id"),
        obj.get("metrics_testing_id"),
    );
    let filters = match obj.get("filters") {
        None => Some(Vec::new()),
        Some(f) => v_list(e, at(&base, "filters"), f, v_filter),
    };
    let sort = match obj.get("sort") {
        None | Some(Value::Null) => Some(None),
        Some(s) => v_sort(e, at(&base, "sort"), s).map(Some),
    };
    let root = match obj.get("root_type") {
        Some(r) => v_enum(e, at(&base, "root_type"), r, &["session", "trace", "span"])
            .and_then(RootType::parse),
        None => {
            e.missing(at(&base, "root_type"), body);
            None
        }
    };
    if e.items.len() != before {
        return None;
    }
    let (
        Some(column_ids),
        Some(format),
        Some(redact),
        Some(file_name),
        Some(log_stream),
        Some(experiment),
        Some(metrics_testing),
        Some(filters),
        Some(sort),
        Some(root),
    ) = (
        column_ids,
        format,
        redact,
        file_name,
        log_stream,
        experiment,
        metrics_testing,
        filters,
        sort,
        root,
    )
    else {
        return None;
    };
    // Model-level validator: exactly one run id.
    let runs: Vec<(RunField, Uuid)> = [
        (RunField::LogStream, log_stream),
        (RunField::Experiment, experiment),
        (RunField::MetricsTesting, metrics_testing),
    ]
    .into_iter()
    .filter_map(|(f, id)| id.map(|id| (f, id)))
    .collect();
    if runs.len() != 1 {
        value_error(
            e,
            base,
            body,
            &format!(
                "Exactly one of log_stream_id, experiment_id or metrics_testing_id must be provided (got {})",
                runs.len()
            ),
        );
        return None;
    }
    Some(ExportRequest {
        root,
        format,
        redact,
        file_name,
        run: runs[0],
        filters,
        sort,
        column_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(body: Value) -> Vec<Value> {
        let mut e = Errors::default();
        let r = validate_body(&mut e, Some(&body));
        assert!(r.is_none() || e.is_empty());
        e.items
    }

    #[test]
    fn number_union_errors() {
        let ls = "6f1c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";
        let e = errs(json!({"root_type": "trace", "log_stream_id": ls,
            "filters": [{"type": "number", "column_id": "cost", "operator": "eq", "value": "abc"}]}));
        let locs: Vec<_> = e.iter().map(|x| x["loc"].clone()).collect();
        assert_eq!(locs.len(), 4, "{e:?}");
        assert_eq!(
            locs[0],
            json!(["body", "filters", 0, "number", "value", "int"])
        );
        assert_eq!(
            locs[3],
            json!(["body", "filters", 0, "number", "value", "list[float]"])
        );
    }

    #[test]
    fn number_lists() {
        let ls = "6f1c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";
        for v in [json!([1, 2]), json!([1.5, 2]), json!(["1", "2.5"])] {
            let e = errs(json!({"root_type": "trace", "log_stream_id": ls,
                "filters": [{"type": "number", "column_id": "cost", "operator": "between", "value": v}]}));
            assert!(e.is_empty(), "{e:?}");
        }
    }

    #[test]
    fn datetimes() {
        let p = |s: &str| parse_datetime(&json!(s));
        assert_eq!(p("2025-06-01T12:00:00Z"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01 12:00:00"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01T14:00:00+02:00"), Ok(1_748_779_200_000_000));
        assert_eq!(p("2025-06-01T12:00:00.5Z"), Ok(1_748_779_200_500_000));
        assert_eq!(p("2025-06-01"), Ok(1_748_736_000_000_000));
        assert!(p("yesterday").is_err());
        assert_eq!(
            parse_datetime(&json!(1_748_779_200)),
            Ok(1_748_779_200_000_000)
        );
    }
}
