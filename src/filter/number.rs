//! Number filters: [`NumberFilter`], its wire form and [`NumberFilterBuilder`].
//!
//! Invariants: `between` holds exactly `[low, high]` and every other operator one
//! [`Number`]; numbers go out exactly as written (integers stay integers, floats
//! floats); finiteness and `low <= high` are checked by [`NumberFilter::validate`].

use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::error::{check_column, shape_error, FilterError};
use super::methods::operator_methods;
use super::value::{Number, NumberValue, NumberVisitor};
use super::vocabulary::{FilterKind, NumberOperator};
use super::wire::{serialize_filter, NumberTag};
#[cfg(doc)]
use super::Filter;

/// A filter on a numeric column:
/// `{"type": "number", "column_id", "operator", "value"}`, where `between`
/// writes `[low, high]`. Built by [`Filter::number`].
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct NumberFilter {
    column_id: String,
    operator: NumberOperator,
    value: NumberValue,
}

impl NumberFilter {
    /// The column filtered on.
    pub fn column_id(&self) -> &str {
        &self.column_id
    }

    /// The operator.
    pub fn operator(&self) -> NumberOperator {
        self.operator
    }

    /// The value compared with: one number, or the bounds of `between`.
    pub fn value(&self) -> NumberValue {
        self.value
    }

    /// Checks a non-empty column, finite numbers and, for `between`,
    /// `low <= high`; see [`Filter::validate`].
    pub fn validate(&self) -> Result<(), FilterError> {
        check_column(FilterKind::Number, &self.column_id)?;
        let finite = |n: Number| {
            if n.is_finite() {
                Ok(())
            } else {
                Err(FilterError::NonFiniteNumber {
                    column: self.column_id.clone(),
                    value: n.as_f64(),
                })
            }
        };
        match self.value {
            NumberValue::Single(n) => finite(n),
            NumberValue::Range { low, high } => {
                finite(low)?;
                finite(high)?;
                if low.numeric_cmp(high) == Some(Ordering::Greater) {
                    Err(FilterError::InvertedRange {
                        column: self.column_id.clone(),
                        low,
                        high,
                    })
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// A number value as on the wire, before it is matched with its operator.
enum RawNumbers {
    One(Number),
    Many(Vec<Number>),
}

impl<'de> Deserialize<'de> for RawNumbers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawNumbersVisitor;

        impl<'de> Visitor<'de> for RawNumbersVisitor {
            type Value = RawNumbers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or an array of numbers")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNumbers, E> {
                NumberVisitor.visit_i64(v).map(RawNumbers::One)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNumbers, E> {
                NumberVisitor.visit_u64(v).map(RawNumbers::One)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNumbers, E> {
                NumberVisitor.visit_f64(v).map(RawNumbers::One)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNumbers, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
                while let Some(n) = seq.next_element::<Number>()? {
                    list.push(n);
                }
                Ok(RawNumbers::Many(list))
            }
        }

        deserializer.deserialize_any(RawNumbersVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberWire {
    #[serde(rename = "type", default)]
    _type: Option<NumberTag>,
    column_id: String,
    operator: NumberOperator,
    value: RawNumbers,
}

impl Serialize for NumberFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_filter(
            serializer,
            "NumberFilter",
            FilterKind::Number,
            &self.column_id,
            self.operator,
            &self.value,
        )
    }
}

impl<'de> Deserialize<'de> for NumberFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let NumberWire {
            column_id,
            operator,
            value,
            ..
        } = NumberWire::deserialize(deserializer)?;
        let value = match (operator, value) {
            (NumberOperator::Between, RawNumbers::Many(list)) => match list[..] {
                [low, high] => Some(NumberValue::Range { low, high }),
                _ => None,
            },
            (NumberOperator::Between, RawNumbers::One(_)) => None,
            (_, RawNumbers::One(n)) => Some(NumberValue::Single(n)),
            (_, RawNumbers::Many(_)) => None,
        };
        let Some(value) = value else {
            let expected = if operator == NumberOperator::Between {
                "an array [low, high] of exactly two numbers"
            } else {
                "a single number"
            };
            return Err(de::Error::custom(shape_error(
                FilterKind::Number,
                &column_id,
                operator.as_str(),
                expected,
            )));
        };
        Ok(NumberFilter {
            column_id,
            operator,
            value,
        })
    }
}

/// Builds a [`NumberFilter`]; returned by [`Filter::number`].
///
/// Values are anything that converts into [`Number`]: integer types stay
/// integers on the wire (`100`), `f32`/`f64` stay floats (`100.0`).
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct NumberFilterBuilder {
    column_id: String,
}

impl NumberFilterBuilder {
    /// A builder for a filter on `column_id`.
    pub(super) fn new(column_id: String) -> Self {
        NumberFilterBuilder { column_id }
    }

    fn single(self, operator: NumberOperator, value: impl Into<Number>) -> NumberFilter {
        NumberFilter {
            column_id: self.column_id,
            operator,
            value: NumberValue::Single(value.into()),
        }
    }

    /// A filter with any operator but `between`, e.g. one chosen at run
    /// time. Passing [`NumberOperator::Between`] yields `between(value, value)`.
    pub fn compare(self, operator: NumberOperator, value: impl Into<Number>) -> NumberFilter {
        match operator {
            NumberOperator::Between => {
                let value = value.into();
                self.between(value, value)
            }
            _ => self.single(operator, value),
        }
    }

    operator_methods! {
        NumberFilterBuilder -> NumberFilter, value: impl Into<Number> => single;
        /// `eq`: the number equals `value`.
        eq / equals => NumberOperator::Eq;
        /// `ne`: the number differs from `value`.
        ne / not_equals => NumberOperator::Ne;
        /// `gt`: the number is greater than `value`.
        gt / greater_than => NumberOperator::Gt;
        /// `gte`: the number is greater than or equal to `value`.
        gte / greater_than_or_equal => NumberOperator::Gte;
        /// `lt`: the number is less than `value`.
        lt / less_than => NumberOperator::Lt;
        /// `lte`: the number is less than or equal to `value`.
        lte / less_than_or_equal => NumberOperator::Lte;
    }

    /// `between`: the number lies in `[low, high]`, both ends inclusive.
    /// Non-finite bounds or `low > high` fail [`NumberFilter::validate`].
    pub fn between(self, low: impl Into<Number>, high: impl Into<Number>) -> NumberFilter {
        NumberFilter {
            column_id: self.column_id,
            operator: NumberOperator::Between,
            value: NumberValue::Range {
                low: low.into(),
                high: high.into(),
            },
        }
    }
}
