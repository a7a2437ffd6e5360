//! Id filters: [`IdFilter`], its wire form and [`IdFilterBuilder`].
//!
//! Invariants: `eq`/`ne` hold one [`Uuid`], `one_of`/`not_in` a list of them and
//! `contains` a text fragment; the wire form's text is parsed into UUIDs on the
//! way in, so an [`IdFilter`] never holds an id that is not a UUID.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{check_column, check_non_empty, shape_error, FilterError};
use super::methods::operator_methods;
use super::value::{IdValue, TextValue};
use super::vocabulary::{FilterKind, IdOperator};
use super::wire::{serialize_filter, IdTag};
#[cfg(doc)]
use super::Filter;

/// A filter on an id column: `{"type": "id", "column_id", "operator", "value"}`.
///
/// `eq`/`ne` hold one [`Uuid`], `one_of`/`not_in` a list of them, and
/// `contains` a text fragment. Built by [`Filter::id`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct IdFilter {
    column_id: String,
    operator: IdOperator,
    value: IdValue,
}

impl IdFilter {
    /// The column filtered on.
    pub fn column_id(&self) -> &str {
        &self.column_id
    }

    /// The operator.
    pub fn operator(&self) -> IdOperator {
        self.operator
    }

    /// The value compared with.
    pub fn value(&self) -> &IdValue {
        &self.value
    }

    /// Checks a non-empty column and non-empty `one_of`/`not_in` lists; see [`Filter::validate`].
    pub fn validate(&self) -> Result<(), FilterError> {
        check_column(FilterKind::Id, &self.column_id)?;
        if let IdValue::Uuids(ids) = &self.value {
            check_non_empty(
                FilterKind::Id,
                &self.column_id,
                self.operator.as_str(),
                ids.len(),
            )?;
        }
        Ok(())
    }

    fn from_wire(wire: IdWire) -> Result<Self, FilterError> {
        let IdWire {
            column_id,
            operator,
            value,
            ..
        } = wire;
        let parse = |text: &str| {
            Uuid::parse_str(text).map_err(|e| FilterError::InvalidUuid {
                column: column_id.clone(),
                operator: operator.as_str(),
                text: text.to_owned(),
                reason: e.to_string(),
            })
        };
        let value = match (operator, value) {
            (IdOperator::Eq | IdOperator::Ne, TextValue::Single(text)) => {
                IdValue::Uuid(parse(&text)?)
            }
            (IdOperator::OneOf | IdOperator::NotIn, TextValue::List(texts)) => {
                IdValue::Uuids(texts.iter().map(|t| parse(t)).collect::<Result<_, _>>()?)
            }
            (IdOperator::Contains, TextValue::Single(text)) => IdValue::Fragment(text),
            (operator, _) => {
                let expected = match operator {
                    IdOperator::Eq | IdOperator::Ne => "a single UUID string",
                    IdOperator::OneOf | IdOperator::NotIn => "an array of UUID strings",
                    IdOperator::Contains => "a single string",
                };
                let operator = operator.as_str();
                return Err(shape_error(FilterKind::Id, &column_id, operator, expected));
            }
        };
        Ok(IdFilter {
            column_id,
            operator,
            value,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdWire {
    #[serde(rename = "type", default)]
    _type: Option<IdTag>,
    column_id: String,
    #[serde(default)]
    operator: IdOperator,
    value: TextValue,
}

impl Serialize for IdFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_filter(
            serializer,
            "IdFilter",
            FilterKind::Id,
            &self.column_id,
            self.operator,
            &self.value,
        )
    }
}

impl<'de> Deserialize<'de> for IdFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IdFilter::from_wire(IdWire::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}

/// Builds an [`IdFilter`]; returned by [`Filter::id`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct IdFilterBuilder {
    column_id: String,
}

impl IdFilterBuilder {
    /// A builder for a filter on `column_id`.
    pub(super) fn new(column_id: String) -> Self {
        IdFilterBuilder { column_id }
    }

    fn build(self, operator: IdOperator, value: IdValue) -> IdFilter {
        IdFilter {
            column_id: self.column_id,
            operator,
            value,
        }
    }

    fn uuid(self, operator: IdOperator, id: Uuid) -> IdFilter {
        self.build(operator, IdValue::Uuid(id))
    }

    operator_methods! {
        IdFilterBuilder -> IdFilter, id: Uuid => uuid;
        /// `eq`: the id equals `id`.
        eq / equals => IdOperator::Eq;
        /// `ne`: the id differs from `id`.
        ne / not_equals => IdOperator::Ne;
    }

    /// `one_of`: the id is one of `ids`; an empty list fails [`IdFilter::validate`].
    pub fn one_of(self, ids: impl IntoIterator<Item = Uuid>) -> IdFilter {
        self.build(IdOperator::OneOf, IdValue::Uuids(ids.into_iter().collect()))
    }

    /// `not_in`: the id is none of `ids`; an empty list fails [`IdFilter::validate`].
    pub fn not_in(self, ids: impl IntoIterator<Item = Uuid>) -> IdFilter {
        self.build(IdOperator::NotIn, IdValue::Uuids(ids.into_iter().collect()))
    }

    /// `contains`: the id contains the text `fragment` (e.g. a UUID prefix).
    pub fn contains(self, fragment: impl Into<String>) -> IdFilter {
        self.build(IdOperator::Contains, IdValue::Fragment(fragment.into()))
    }
}
