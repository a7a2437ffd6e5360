//! From a parsed expression to a [`Filter`]: the kind (from a `KIND:` prefix, or
//! inferred from the operator and the value) and the typed value of that kind. The
//! values as the parser hands them over ([`Scalar`], [`Value`]) are defined here.
//!
//! Invariant: a number is sent exactly as written (an integer beyond 64 bits is an error,
//! never a rounded float); an id is inferred only from a hyphenated UUID; an operator the
//! kind does not allow is an error naming the ones it does.

use std::ops::Range;

use chrono::DateTime;
use galileo_export::filter::{DateOperator, Filter, FilterKind, Number, NumberOperator, Operator};
use uuid::Uuid;

use super::*;

/// One value as written.
#[derive(Debug, Clone)]
pub(super) struct Scalar {
    pub(super) text: String,
    pub(super) quoted: bool,
    pub(super) span: Range<usize>,
}

impl Scalar {
    pub(super) fn bare(&self) -> Option<&str> {
        (!self.quoted).then_some(self.text.as_str())
    }
}

#[derive(Debug, Clone)]
pub(super) enum Value {
    One(Scalar),
    List(Vec<Scalar>, Range<usize>),
    Two(Scalar, Scalar),
}

impl Value {
    pub(super) fn span(&self) -> Range<usize> {
        match self {
            Value::One(s) => s.span.clone(),
            Value::List(_, span) => span.clone(),
            Value::Two(a, b) => a.span.start..b.span.end,
        }
    }
}

/// The kind of an expression without a prefix.
pub(super) fn infer(
    p: &Source<'_>,
    op: Operator,
    insensitive: bool,
    value: &Value,
    op_span: Range<usize>,
) -> Result<FilterKind, ParseError> {
    if insensitive {
        return Ok(FilterKind::Text);
    }
    Ok(match (op, value) {
        (Operator::Between, _) => FilterKind::Number,
        (Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte, Value::One(v)) => {
            if parse_number(&v.text).is_some() {
                FilterKind::Number
            } else if is_date(&v.text) {
                FilterKind::Date
            } else {
                return Err(p
                    .error(
                        v.span.clone(),
                        format!("`{}` is neither a number nor a date-time", v.text),
                    )
                    .expected(format!(
                        "a number or an RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z) after `{}`",
                        &p.expr[op_span]
                    )));
            }
        }
        (Operator::Eq | Operator::Ne, Value::One(v)) => match v.bare() {
            Some(t) if parse_bool(t).is_some() => FilterKind::Boolean,
            Some(t) if parse_hyphenated_uuid(t).is_some() => FilterKind::Id,
            Some(t) if parse_number(t).is_some() => FilterKind::Number,
            Some(t) if is_date(t) => FilterKind::Date,
            _ => FilterKind::Text,
        },
        (Operator::Contains, Value::One(v)) => match v.bare() {
            Some(t) if parse_hyphenated_uuid(t).is_some() => FilterKind::Id,
            _ => FilterKind::Text,
        },
        (Operator::OneOf | Operator::NotIn, Value::List(items, _)) => {
            let all_ids = !items.is_empty()
                && items
                    .iter()
                    .all(|v| v.bare().is_some_and(|t| parse_hyphenated_uuid(t).is_some()));
            if all_ids {
                FilterKind::Id
            } else {
                FilterKind::Text
            }
        }
        // The parser only produces the shapes above.
        _ => FilterKind::Text,
    })
}

pub(super) fn build(
    p: &Source<'_>,
    kind: FilterKind,
    column: &str,
    op: Operator,
    insensitive: bool,
    value: &Value,
    op_span: Range<usize>,
) -> Result<Filter, ParseError> {
    let unsupported = || {
        p.error(
            op_span.clone(),
            format!(
                "{} filters have no `{}` operator",
                kind.as_str(),
                op.as_str()
            ),
        )
        .expected(kind_operators(kind))
    };
    let texts = |items: &[Scalar]| items.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
    let uuid = |s: &Scalar| {
        Uuid::try_parse(&s.text).map_err(|e| {
            p.error(s.span.clone(), format!("`{}` is not a UUID ({e})", s.text))
                .expected("a UUID like 6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21")
        })
    };
    let number = |s: &Scalar| {
        match parse_number(&s.text) {
        Some(Ok(n)) => Ok(n),
        Some(Err(why)) => Err(p.error(s.span.clone(), why).expected(
            "an integer of at most 64 bits, or a float (e.g. 1.2e20) to compare with the nearest double",
        )),
        None => Err(p
            .error(s.span.clone(), format!("`{}` is not a number", s.text))
            .expected("a number like 100, -2.5 or 1e3")),
    }
    };

    let filter: Filter = match (kind, op, value) {
        (FilterKind::Text, _, _) => {
            let b = Filter::text(column).case_sensitive(!insensitive);
            match (op, value) {
                (Operator::Eq, Value::One(v)) => b.eq(v.text.clone()).into(),
                (Operator::Ne, Value::One(v)) => b.ne(v.text.clone()).into(),
                (Operator::Contains, Value::One(v)) => b.contains(v.text.clone()).into(),
                (Operator::OneOf, Value::List(items, _)) => b.one_of(texts(items)).into(),
                (Operator::NotIn, Value::List(items, _)) => b.not_in(texts(items)).into(),
                _ => return Err(unsupported()),
            }
        }
        (FilterKind::Collection, _, _) => {
            let b = Filter::collection(column).case_sensitive(!insensitive);
            match (op, value) {
                (Operator::Eq, Value::One(v)) => b.eq(v.text.clone()).into(),
                (Operator::Eq, Value::List(items, _)) => b.eq(texts(items)).into(),
                (Operator::Contains, Value::One(v)) => b.contains(v.text.clone()).into(),
                (Operator::OneOf, Value::List(items, _)) => b.one_of(texts(items)).into(),
                (Operator::NotIn, Value::List(items, _)) => b.not_in(texts(items)).into(),
                _ => return Err(unsupported()),
            }
        }
        (FilterKind::Number, Operator::Between, Value::Two(low, high)) => Filter::number(column)
            .between(number(low)?, number(high)?)
            .into(),
        (FilterKind::Number, _, Value::One(v)) => {
            // `between` takes two values: a single one never builds a `between`.
            let Some(operator) =
                NumberOperator::from_operator(op).filter(|o| *o != NumberOperator::Between)
            else {
                return Err(unsupported());
            };
            Filter::number(column).compare(operator, number(v)?).into()
        }
        (FilterKind::Date, _, Value::One(v)) => {
            let Some(operator) = DateOperator::from_operator(op) else {
                return Err(unsupported());
            };
            Filter::date(column)
                .parse(operator, &v.text)
                .map_err(|_| {
                    p.error(
                        v.span.clone(),
                        format!("`{}` is not an RFC 3339 date-time", v.text),
                    )
                    .expected("a date-time with a time and an offset, e.g. 2026-01-01T00:00:00Z")
                })?
                .into()
        }
        (FilterKind::Id, Operator::Eq, Value::One(v)) => Filter::id(column).eq(uuid(v)?).into(),
        (FilterKind::Id, Operator::Ne, Value::One(v)) => Filter::id(column).ne(uuid(v)?).into(),
        (FilterKind::Id, Operator::Contains, Value::One(v)) => {
            Filter::id(column).contains(v.text.clone()).into()
        }
        (FilterKind::Id, Operator::OneOf, Value::List(items, _)) => Filter::id(column)
            .one_of(items.iter().map(uuid).collect::<Result<Vec<_>, _>>()?)
            .into(),
        (FilterKind::Id, Operator::NotIn, Value::List(items, _)) => Filter::id(column)
            .not_in(items.iter().map(uuid).collect::<Result<Vec<_>, _>>()?)
            .into(),
        (FilterKind::Boolean, Operator::Eq | Operator::Ne, Value::One(v)) => {
            let Some(b) = parse_bool(&v.text) else {
                return Err(p
                    .error(v.span.clone(), format!("`{}` is not a boolean", v.text))
                    .expected("true or false"));
            };
            let builder = Filter::boolean(column);
            if op == Operator::Eq {
                builder.eq(b).into()
            } else {
                builder.ne(b).into()
            }
        }
        _ => return Err(unsupported()),
    };
    Ok(filter)
}

/// An integer (sent exactly as written: `i64` or `u64`) or a finite float, written as a
/// plain decimal number; `Some(Err(why))` for an integer beyond 64 bits, which cannot be
/// sent exactly (never rounded to a float in silence).
fn parse_number(text: &str) -> Option<Result<Number, String>> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let plain = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !plain {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Ok(Number::Int(i)));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Ok(Number::from(u)));
    }
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(Err(format!(
            "`{text}` is an integer beyond 64 bits ({} to {}), which cannot be sent exactly",
            i64::MIN,
            u64::MAX
        )));
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| Ok(Number::Float(x)))
}

/// A UUID in its hyphenated form (the only form inferred as an id).
fn parse_hyphenated_uuid(text: &str) -> Option<Uuid> {
    if text.len() == 36 {
        Uuid::try_parse(text).ok()
    } else {
        None
    }
}

fn is_date(text: &str) -> bool {
    DateTime::parse_from_rfc3339(text).is_ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
