//! [`FilterError`], why a filter cannot be sent, and the small checks the kinds'
//! `validate()` and deserialization share.
//!
//! Invariants: every message names the filter kind and the column.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::value::Number;
use super::vocabulary::FilterKind;
#[cfg(doc)]
use super::Filter;

/// Why a filter cannot be sent.
///
/// Returned by [`Filter::validate`] and the fallible date builders, and used as
/// the message of deserialization errors for JSON whose value does not fit
/// its operator. Every message names the filter kind and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The `column_id` is the empty string.
    #[error("{kind} filter: column_id must not be empty")]
    EmptyColumnId {
        /// Kind of the filter.
        kind: FilterKind,
    },
    /// A `one_of` or `not_in` filter has an empty list.
    #[error("{kind} filter on column `{column}`: operator `{operator}` needs a non-empty list of values")]
    EmptyList {
        /// Kind of the filter.
        kind: FilterKind,
        /// Column of the filter.
        column: String,
        /// The operator, as on the wire.
        operator: &'static str,
    },
    /// A number is NaN or infinite, which JSON cannot carry.
    #[error("number filter on column `{column}`: {value:?} is not a finite number")]
    NonFiniteNumber {
        /// Column of the filter.
        column: String,
        /// The offending value.
        value: f64,
    },
    /// The bounds of a `between` filter are in the wrong order.
    #[error(
        "number filter on column `{column}`: `between` needs low <= high, got [{low}, {high}]"
    )]
    InvertedRange {
        /// Column of the filter.
        column: String,
        /// Lower bound given.
        low: Number,
        /// Upper bound given.
        high: Number,
    },
    /// A date lies outside years 1 to 9999, which the API cannot represent.
    #[error("date filter on column `{column}`: {value} is outside the years 1 to 9999 that the API accepts")]
    DateOutOfRange {
        /// Column of the filter.
        column: String,
        /// The offending date-time.
        value: DateTime<Utc>,
    },
    /// A date text is not an RFC 3339 date-time.
    #[error("date filter on column `{column}`: `{text}` is not an RFC 3339 date-time ({reason})")]
    InvalidDate {
        /// Column of the filter.
        column: String,
        /// The text that failed to parse.
        text: String,
        /// The parser's explanation.
        reason: String,
    },
    /// An id filter value that must be a UUID is not one.
    #[error("id filter on column `{column}`: operator `{operator}` needs UUIDs, but `{text}` is not a UUID ({reason})")]
    InvalidUuid {
        /// Column of the filter.
        column: String,
        /// The operator, as on the wire.
        operator: &'static str,
        /// The text that failed to parse.
        text: String,
        /// The parser's explanation.
        reason: String,
    },
    /// A value does not have the shape its operator needs, e.g. a single
    /// string for `one_of`, or three numbers for `between`.
    #[error("{kind} filter on column `{column}`: operator `{operator}` needs {expected}")]
    ValueShape {
        /// Kind of the filter.
        kind: FilterKind,
        /// Column of the filter.
        column: String,
        /// The operator, as on the wire.
        operator: &'static str,
        /// What the operator needs, in words.
        expected: &'static str,
    },
    /// A fully_annotated filter has an empty `user_ids` list.
    #[error("fully_annotated filter: user_ids must not be empty (leave it unset to require annotations from every queue member)")]
    EmptyUserIds,
    /// A fully_annotated filter has a user id that is not a version-4 UUID.
    #[error("fully_annotated filter: user id `{user_id}` is not a version-4 UUID, which the API requires")]
    UserIdNotV4 {
        /// The offending user id.
        user_id: Uuid,
    },
    /// A fully_annotated filter has a `column_id` other than `"fully_annotated"`.
    #[error("fully_annotated filter: column_id must be `fully_annotated`, got `{column}`")]
    FullyAnnotatedColumn {
        /// The `column_id` found.
        column: String,
    },
}

/// A non-empty `column_id`, or [`FilterError::EmptyColumnId`].
pub(super) fn check_column(kind: FilterKind, column: &str) -> Result<(), FilterError> {
    if column.is_empty() {
        Err(FilterError::EmptyColumnId { kind })
    } else {
        Ok(())
    }
}

/// A non-empty `one_of`/`not_in` list, or [`FilterError::EmptyList`].
pub(super) fn check_non_empty(
    kind: FilterKind,
    column: &str,
    operator: &'static str,
    len: usize,
) -> Result<(), FilterError> {
    if len == 0 {
        Err(FilterError::EmptyList {
            kind,
            column: column.to_owned(),
            operator,
        })
    } else {
        Ok(())
    }
}

/// The [`FilterError::ValueShape`] of JSON whose value does not fit its operator.
pub(super) fn shape_error(
    kind: FilterKind,
    column: &str,
    operator: &'static str,
    expected: &'static str,
) -> FilterError {
    FilterError::ValueShape {
        kind,
        column: column.to_owned(),
        operator,
        expected,
    }
}
