//! Date filters: [`DateFilter`], its wire form and [`DateFilterBuilder`].
//!
//! Invariants: the value is a [`DateTime<Utc>`], written as RFC 3339 in UTC with
//! a `Z` suffix and read back from RFC 3339 text only; years outside 1–9999 are
//! refused by [`DateFilter::validate`].

use chrono::{DateTime, Datelike, Utc};
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::error::{check_column, FilterError};
use super::methods::operator_methods;
use super::value::{format_date, parse_date};
use super::vocabulary::{DateOperator, FilterKind};
use super::wire::{serialize_filter, DateTag};
#[cfg(doc)]
use super::Filter;

/// A filter on a date-time column:
/// `{"type": "date", "column_id", "operator", "value"}`, with the value
/// written as RFC 3339 in UTC (`2024-05-01T00:00:00Z`). Built by
/// [`Filter::date`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct DateFilter {
    column_id: String,
    operator: DateOperator,
    value: DateTime<Utc>,
}

impl DateFilter {
    /// The column filtered on.
    pub fn column_id(&self) -> &str {
        &self.column_id
    }

    /// The operator.
    pub fn operator(&self) -> DateOperator {
        self.operator
    }

    /// The date-time compared with.
    pub fn value(&self) -> DateTime<Utc> {
        self.value
    }

    /// Checks a non-empty column and a year within 1–9999; see [`Filter::validate`].
    pub fn validate(&self) -> Result<(), FilterError> {
        check_column(FilterKind::Date, &self.column_id)?;
        if !(1..=9999).contains(&self.value.year()) {
            return Err(FilterError::DateOutOfRange {
                column: self.column_id.clone(),
                value: self.value,
            });
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateWire {
    #[serde(rename = "type", default)]
    _type: Option<DateTag>,
    column_id: String,
    operator: DateOperator,
    value: String,
}

impl Serialize for DateFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_filter(
            serializer,
            "DateFilter",
            FilterKind::Date,
            &self.column_id,
            self.operator,
            &format_date(&self.value),
        )
    }
}

impl<'de> Deserialize<'de> for DateFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = DateWire::deserialize(deserializer)?;
        let value = date_in(&wire.column_id, &wire.value).map_err(de::Error::custom)?;
        Ok(DateFilter {
            column_id: wire.column_id,
            operator: wire.operator,
            value,
        })
    }
}

/// `text` read as RFC 3339, or [`FilterError::InvalidDate`] naming `column`.
fn date_in(column: &str, text: &str) -> Result<DateTime<Utc>, FilterError> {
    parse_date(text).map_err(|e| FilterError::InvalidDate {
        column: column.to_owned(),
        text: text.to_owned(),
        reason: e.to_string(),
    })
}

/// Builds a [`DateFilter`]; returned by [`Filter::date`].
///
/// Each operator takes anything that converts into [`DateTime<Utc>`]
/// (`DateTime<FixedOffset>`, `DateTime<Local>`, `SystemTime`, …) and has a
/// fallible `*_str` twin that parses RFC 3339 text.
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct DateFilterBuilder {
    column_id: String,
}

impl DateFilterBuilder {
    /// A builder for a filter on `column_id`.
    pub(super) fn new(column_id: String) -> Self {
        DateFilterBuilder { column_id }
    }

    fn build(self, operator: DateOperator, value: DateTime<Utc>) -> DateFilter {
        DateFilter {
            column_id: self.column_id,
            operator,
            value,
        }
    }

    /// A filter with any [`DateOperator`], e.g. one chosen at run time.
    pub fn compare(self, operator: DateOperator, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(operator, value.into())
    }

    /// [`DateFilterBuilder::compare`] with RFC 3339 `text`; fails with
    /// [`FilterError::InvalidDate`] naming the text if it does not parse.
    pub fn parse(self, operator: DateOperator, text: &str) -> Result<DateFilter, FilterError> {
        let value = date_in(&self.column_id, text)?;
        Ok(self.build(operator, value))
    }

    operator_methods! {
        DateFilterBuilder -> DateFilter, value: impl Into<DateTime<Utc>> => compare;
        /// `eq`: the date equals `value`.
        eq / equals, text eq_str => DateOperator::Eq;
        /// `ne`: the date differs from `value`.
        ne / not_equals, text ne_str => DateOperator::Ne;
        /// `gt`: the date is strictly after `value`.
        after / gt, text
        ///
        /// ```
        /// use galileo_export::filter::Filter;
        ///
        /// let err = Filter::date("created_at").after_str("2024-13-01").unwrap_err();
        /// assert!(err.to_string().starts_with(
        ///     "date filter on column `created_at`: `2024-13-01` is not an RFC 3339 date-time"
        /// ));
        /// ```
        after_str => DateOperator::Gt;
        /// `gte`: the date is on or after `value`.
        on_or_after / gte, text on_or_after_str => DateOperator::Gte;
        /// `lt`: the date is strictly before `value`.
        before / lt, text before_str => DateOperator::Lt;
        /// `lte`: the date is on or before `value`.
        on_or_before / lte, text on_or_before_str => DateOperator::Lte;
    }
}
