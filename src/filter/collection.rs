//! Collection filters: [`CollectionFilter`], its wire form and
//! [`CollectionFilterBuilder`].
//!
//! Invariants: `one_of`/`not_in` hold a list; `eq` and `contains` hold a string
//! or, as the spec allows, a list.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::error::{check_column, check_non_empty, shape_error, FilterError};
use super::methods::operator_methods;
use super::string::{string_builder_common, string_filter_common, string_list, StringWire};
use super::value::TextValue;
use super::vocabulary::{CollectionOperator, FilterKind};
use super::wire::CollectionTag;
#[cfg(doc)]
use super::Filter;

/// A filter on a column holding a list of strings:
/// `{"type": "collection", "column_id", "operator", "value", "case_sensitive"}`.
/// Built by [`Filter::collection`].
///
/// `one_of`/`not_in` hold a list; `eq` and `contains` hold a string or, as the
/// spec allows, a list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct CollectionFilter {
    column_id: String,
    operator: CollectionOperator,
    value: TextValue,
    case_sensitive: bool,
}

string_filter_common!(
    CollectionFilter,
    CollectionOperator,
    CollectionTag,
    Collection,
    expected_shape
);

/// The shape `value` must have for `operator`, when it has another.
fn expected_shape(operator: CollectionOperator, value: &TextValue) -> Option<&'static str> {
    match (operator, value) {
        (CollectionOperator::OneOf | CollectionOperator::NotIn, TextValue::Single(_)) => {
            Some("an array of strings")
        }
        _ => None,
    }
}

/// Builds a [`CollectionFilter`]; returned by [`Filter::collection`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct CollectionFilterBuilder {
    column_id: String,
    case_sensitive: bool,
}

string_builder_common!(
    CollectionFilterBuilder -> CollectionFilter, CollectionOperator, "the collection holds"
);

impl CollectionFilterBuilder {
    operator_methods! {
        CollectionFilterBuilder -> CollectionFilter, value: impl Into<TextValue> => build;
        /// `eq`: the collection equals `value`, a string or a list of strings
        /// (the spec allows both).
        eq / equals => CollectionOperator::Eq;
    }

    /// `contains`: the collection contains `value`.
    pub fn contains(self, value: impl Into<String>) -> CollectionFilter {
        self.single(CollectionOperator::Contains, value)
    }
}
