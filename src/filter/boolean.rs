//! Boolean filters: [`BooleanFilter`], its wire form and [`BooleanFilterBuilder`].
//!
//! Invariants: the value is a JSON boolean; the operator defaults to `eq` on the
//! way in, as the spec says.

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::error::{check_column, FilterError};
use super::methods::operator_methods;
use super::vocabulary::{BooleanOperator, FilterKind};
use super::wire::{serialize_filter, BooleanTag};
#[cfg(doc)]
use super::Filter;

/// A filter on a boolean column:
/// `{"type": "boolean", "column_id", "operator", "value"}`. Built by
/// [`Filter::boolean`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct BooleanFilter {
    column_id: String,
    operator: BooleanOperator,
    value: bool,
}

impl BooleanFilter {
    /// The column filtered on.
    pub fn column_id(&self) -> &str {
        &self.column_id
    }

    /// The operator.
    pub fn operator(&self) -> BooleanOperator {
        self.operator
    }

    /// The boolean compared with.
    pub fn value(&self) -> bool {
        self.value
    }

    /// Checks a non-empty column; see [`Filter::validate`].
    pub fn validate(&self) -> Result<(), FilterError> {
        check_column(FilterKind::Boolean, &self.column_id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BooleanWire {
    #[serde(rename = "type", default)]
    _type: Option<BooleanTag>,
    column_id: String,
    #[serde(default)]
    operator: BooleanOperator,
    value: bool,
}

impl Serialize for BooleanFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_filter(
            serializer,
            "BooleanFilter",
            FilterKind::Boolean,
            &self.column_id,
            self.operator,
            &self.value,
        )
    }
}

impl<'de> Deserialize<'de> for BooleanFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = BooleanWire::deserialize(deserializer)?;
        Ok(BooleanFilter {
            column_id: wire.column_id,
            operator: wire.operator,
            value: wire.value,
        })
    }
}

/// Builds a [`BooleanFilter`]; returned by [`Filter::boolean`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct BooleanFilterBuilder {
    column_id: String,
}

impl BooleanFilterBuilder {
    /// A builder for a filter on `column_id`.
    pub(super) fn new(column_id: String) -> Self {
        BooleanFilterBuilder { column_id }
    }

    fn build(self, operator: BooleanOperator, value: bool) -> BooleanFilter {
        BooleanFilter {
            column_id: self.column_id,
            operator,
            value,
        }
    }

    /// `eq true`: the column is true.
    pub fn is_true(self) -> BooleanFilter {
        self.eq(true)
    }

    /// `eq false`: the column is false.
    pub fn is_false(self) -> BooleanFilter {
        self.eq(false)
    }

    operator_methods! {
        BooleanFilterBuilder -> BooleanFilter, value: bool => build;
        /// `eq`: the column equals `value`.
        eq / equals => BooleanOperator::Eq;
        /// `ne`: the column differs from `value`.
        ne / not_equals => BooleanOperator::Ne;
    }
}
