//! The `filters` items: a union discriminated by `type`, one operator enum per kind
//! (the library's vocabulary, [`galileo_export::filter::FilterKind`]), and the checks
//! that depend on the operator.
//!
//! Invariant: errors inside a filter are located at `[..., i, "<tag>", field]`, as
//! pydantic v2 puts the discriminator tag into the location; a filter with any error
//! yields no [`FilterReq`].

use galileo_export::filter::{FilterKind, FullyAnnotatedFilter, Operator};
use serde_json::{json, Value};
use uuid::Uuid;

use super::datetime::v_datetime;
use super::errors::{at, value_error, Errors, Loc};
use super::request::{FilterReq, NumOp};
use super::scalars::{
    uuid_parsing, v_bool, v_enum, v_list, v_literal, v_number_value, v_object, v_str,
    v_str_or_list, v_uuid4, NumValue, StrOrList,
};

fn field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key)
}

pub(super) fn v_filter(e: &mut Errors, loc: Loc, v: &Value) -> Option<FilterReq> {
    let obj = v_object(e, &loc, v)?;
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
    let parsed = value.and_then(|val| match kind {
        FilterKind::Id => v_id_value(e, vloc, val).map(Parsed::Id),
        FilterKind::Date => v_datetime(e, vloc, val).map(Parsed::Date),
        FilterKind::Number => v_number_value(e, vloc, val).map(Parsed::Number),
        FilterKind::Boolean => v_bool(e, vloc, val).map(Parsed::Boolean),
        // text / collection
        _ => v_str_or_list(e, vloc, val).map(Parsed::Strings),
    });
    let (Some(column_id), Some(op), Some(parsed), Some(raw), Some(case_sensitive)) =
        (column_id, op, parsed, value, case_sensitive)
    else {
        return None;
    };
    let result = match parsed {
        Parsed::Id(strs) => id_filter(e, &loc, raw, column_id, op, strs),
        Parsed::Date(value_us) => Some(FilterReq::Date {
            column_id,
            op,
            value_us,
        }),
        Parsed::Number(n) => {
            number_op(e, &loc, v, op, n).map(|op| FilterReq::Number { column_id, op })
        }
        Parsed::Boolean(value) => Some(FilterReq::Boolean {
            column_id,
            eq: op == Operator::Eq,
            value,
        }),
        Parsed::Strings(sl) => {
            let values = match (kind, sl) {
                (FilterKind::Text, StrOrList::Many(_)) if !op.takes_list() => {
                    value_error(
                        e,
                        loc.clone(),
                        v,
                        &format!("operator '{op}' requires a single string value, not a list"),
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
    };
    if e.items.len() == before {
        result
    } else {
        None
    }
}

/// A filter's `value` as its kind's schema reads it.
enum Parsed {
    Id(StrOrList),
    Date(i64),
    Number(NumValue),
    Boolean(bool),
    /// Text and collection values.
    Strings(StrOrList),
}

/// A number filter's operator with its value: `between` takes `[low, high]`, every
/// other operator one number (a `value_error` on the filter at `loc` otherwise).
fn number_op(e: &mut Errors, loc: &[Value], v: &Value, op: Operator, n: NumValue) -> Option<NumOp> {
    match n {
        NumValue::Many(l) if op.takes_range() && l.len() == 2 => Some(NumOp::Between(l[0], l[1])),
        _ if op.takes_range() => {
            value_error(
                e,
                loc.to_vec(),
                v,
                "operator 'between' requires a list of exactly two numbers [low, high]",
            );
            None
        }
        NumValue::One(x) => Some(NumOp::Cmp(op, x)),
        NumValue::Many(_) => {
            value_error(
                e,
                loc.to_vec(),
                v,
                &format!("operator '{op}' requires a single number, not a list"),
            );
            None
        }
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
                        members_reject(e, &l, x, false);
                    }
                }
            }
            if ok {
                Some(StrOrList::Many(out))
            } else {
                // The scalar members fail too, as pydantic reports.
                members_reject(e, &loc, v, false);
                None
            }
        }
        _ => {
            members_reject(e, &loc, v, true);
            None
        }
    }
}

/// The members of `Union[UUID4, List[...], str]` (or of `Union[UUID4, str]` when
/// `with_list` is false) all reject `x`: one error per member, labelled with its name,
/// in the union's order.
fn members_reject(e: &mut Errors, loc: &[Value], x: &Value, with_list: bool) {
    e.push(
        at(loc, "uuid"),
        "uuid_type",
        "UUID input should be a string, bytes or UUID object",
        x,
        None,
    );
    if with_list {
        e.push(
            at(loc, "list[union[uuid,str]]"),
            "list_type",
            "Input should be a valid list",
            x,
            None,
        );
    }
    e.push(
        at(loc, "str"),
        "string_type",
        "Input should be a valid string",
        x,
        None,
    );
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
