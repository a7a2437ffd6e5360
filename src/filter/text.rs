//! Text filters: [`TextFilter`], its wire form and [`TextFilterBuilder`].
//!
//! Invariants: `one_of`/`not_in` hold a list; `eq`, `ne` and `contains` hold one
//! string.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::error::{check_column, check_non_empty, shape_error, FilterError};
use super::methods::operator_methods;
use super::string::{string_builder_common, string_filter_common, string_list, StringWire};
use super::value::TextValue;
use super::vocabulary::{FilterKind, TextOperator};
use super::wire::TextTag;
#[cfg(doc)]
use super::Filter;

/// A filter on a string column:
/// `{"type": "text", "column_id", "operator", "value", "case_sensitive"}`.
/// Built by [`Filter::text`].
///
/// `one_of`/`not_in` hold a list; `eq`, `ne` and `contains` hold one string.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct TextFilter {
    column_id: String,
    operator: TextOperator,
    value: TextValue,
    case_sensitive: bool,
}

string_filter_common!(TextFilter, TextOperator, TextTag, Text, expected_shape);

/// The shape `value` must have for `operator`, when it has another.
fn expected_shape(operator: TextOperator, value: &TextValue) -> Option<&'static str> {
    match (operator, value) {
        (TextOperator::OneOf | TextOperator::NotIn, TextValue::Single(_)) => {
            Some("an array of strings")
        }
        (TextOperator::Eq | TextOperator::Ne | TextOperator::Contains, TextValue::List(_)) => {
            Some("a single string")
        }
        _ => None,
    }
}

/// Builds a [`TextFilter`]; returned by [`Filter::text`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct TextFilterBuilder {
    column_id: String,
    case_sensitive: bool,
}

string_builder_common!(TextFilterBuilder -> TextFilter, TextOperator, "the text equals");

impl TextFilterBuilder {
    operator_methods! {
        TextFilterBuilder -> TextFilter, value: impl Into<String> => single;
        /// `eq`: the text equals `value`.
        eq / equals => TextOperator::Eq;
        /// `ne`: the text differs from `value`.
        ne / not_equals => TextOperator::Ne;
    }

    /// `contains`: the text contains the substring `value`.
    pub fn contains(self, value: impl Into<String>) -> TextFilter {
        self.single(TextOperator::Contains, value)
    }
}
