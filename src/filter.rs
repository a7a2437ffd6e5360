//! Typed filters for the `filters` array of an Export Records request.
//!
//! The API (`POST /v2/projects/{project_id}/export_records`) accepts seven
//! kinds of filter, told apart by their `"type"` field: `id`, `date`, `number`,
//! `boolean`, `collection`, `text` and `fully_annotated`. Each kind has its
//! own operator set, and this module gives each kind its own struct with its
//! own operator enum ([`TextOperator`], [`NumberOperator`], …), so a text
//! filter cannot carry a number operator and a number filter cannot carry a
//! string.
//!
//! This module is handwritten from the vendored OpenAPI spec and does not
//! depend on generated code.
//!
//! # Building filters
//!
//! Start from one of the [`Filter`] constructors, which name the column, then
//! pick an operator. The vocabulary follows Galileo's Python SDK
//! (`galileo.shared.filter`), with short aliases:
//!
//! ```
//! use galileo_export::filter::Filter;
//! use serde_json::json;
//!
//! let filters: Vec<Filter> = vec![
//!     Filter::text("input").contains("refund").case_insensitive().into(),
//!     Filter::number("latency_ms").between(100, 250).into(),
//!     Filter::boolean("has_error").is_false().into(),
//!     Filter::date("created_at").after_str("2024-05-01T00:00:00Z")?.into(),
//! ];
//! for filter in &filters {
//!     filter.validate()?;
//! }
//! assert_eq!(
//!     serde_json::to_value(&filters[0])?,
//!     json!({
//!         "type": "text",
//!         "column_id": "input",
//!         "operator": "contains",
//!         "value": "refund",
//!         "case_sensitive": false,
//!     })
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every kind struct ([`TextFilter`], [`NumberFilter`], …) converts into
//! [`Filter`] with `.into()`, and serializes on its own to the same JSON,
//! `"type"` included.
//!
//! # Validation
//!
//! Invalid filters are kept out in two layers:
//!
//! * **Shapes are unrepresentable.** The fields of every filter are private,
//!   and builders and deserialization only produce values whose shape fits the
//!   operator: `one_of`/`not_in` hold a list, `between` holds exactly
//!   `[low, high]`, the other operators hold a single value, id filters hold
//!   [`Uuid`]s (or a text fragment for `contains`), dates are
//!   [`DateTime<Utc>`]. JSON that does not fit is a deserialization error
//!   whose message is a [`FilterError`] naming the column.
//! * **Values are checked by [`Filter::validate`].** The builders never fail
//!   (except the `*_str` date builders, which parse text), so the constraints a
//!   type cannot express are checked by `validate()`: a non-empty `column_id`,
//!   non-empty `one_of`/`not_in` lists, finite numbers, `low <= high` for
//!   `between`, dates within years 1–9999, and a non-empty list of version-4
//!   UUIDs for [`FullyAnnotatedFilter::by_users`]. The export request calls
//!   `validate()` on every filter before it sends anything; call it (or
//!   [`Filter::validated`]) yourself to fail earlier. Deserialized filters go
//!   through the same `validate()`.
//!
//! ```
//! use galileo_export::filter::Filter;
//!
//! let empty: Vec<&str> = Vec::new();
//! let err = Filter::text("input").one_of(empty).validate().unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "text filter on column `input`: operator `one_of` needs a non-empty list of values"
//! );
//!
//! let parsed: Filter = serde_json::from_str(
//!     r#"{"type": "collection", "column_id": "tags", "operator": "not_in", "value": []}"#,
//! )?;
//! assert!(parsed.validate().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Vocabulary
//!
//! Which kinds exist, which operators each allows and which take a list or a
//! range is defined once, here: [`FilterKind`] ([`FilterKind::ALL`],
//! [`FilterKind::operators`], [`FilterKind::default_operator`], …) and
//! [`Operator`] ([`Operator::takes_list`], [`Operator::takes_range`]). The
//! per-kind operator enums convert into [`Operator`] and back
//! ([`TextOperator::from_operator`], …). The `galileo-export` CLI and the
//! `galileo-export-mock` server read the vocabulary from here too.
//!
//! # Deserialization
//!
//! [`Filter`] deserializes by its `"type"`; an unknown or missing type is an
//! error (``unknown variant `foo`, expected one of `id`, `date`, …``). Defaults
//! from the spec apply: `operator` defaults to `eq` for id and boolean
//! filters, `case_sensitive` defaults to `true`, and `column_id` of a
//! fully_annotated filter defaults to `"fully_annotated"`. Unknown fields are
//! rejected, so a typo such as `"case_sensitve"` cannot silently change what a
//! filter matches.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// Kinds and operators
// ---------------------------------------------------------------------------

/// The kind of a [`Filter`], i.e. the value of its `"type"` field.
///
/// ```
/// use galileo_export::filter::{Filter, FilterKind};
///
/// let filter = Filter::number("latency_ms").gt(100);
/// assert_eq!(Filter::from(filter).kind(), FilterKind::Number);
/// assert_eq!(FilterKind::FullyAnnotated.as_str(), "fully_annotated");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterKind {
    /// `"id"`: compares an id column with UUIDs.
    Id,
    /// `"date"`: compares a date-time column.
    Date,
    /// `"number"`: compares a numeric column.
    Number,
    /// `"boolean"`: compares a boolean column.
    Boolean,
    /// `"collection"`: matches a column that holds a list of strings.
    Collection,
    /// `"text"`: matches a string column.
    Text,
    /// `"fully_annotated"`: queue-scoped filter for fully annotated records.
    FullyAnnotated,
}

impl FilterKind {
    /// Every kind, in the order the spec lists them.
    pub const ALL: &'static [FilterKind] = &[
        FilterKind::Id,
        FilterKind::Date,
        FilterKind::Number,
        FilterKind::Boolean,
        FilterKind::Collection,
        FilterKind::Text,
        FilterKind::FullyAnnotated,
    ];

    /// The kind as it appears in the `"type"` field (`"id"`, `"fully_annotated"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            FilterKind::Id => "id",
            FilterKind::Date => "date",
            FilterKind::Number => "number",
            FilterKind::Boolean => "boolean",
            FilterKind::Collection => "collection",
            FilterKind::Text => "text",
            FilterKind::FullyAnnotated => "fully_annotated",
        }
    }
}

impl fmt::Display for FilterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The vocabulary of the API's filters: which kinds exist, which operators each
/// kind allows (in the order the spec lists them), which kinds default their
/// operator, and which carry `case_sensitive`. The library's builders, the
/// `galileo-export` CLI and the `galileo-export-mock` server all read it from
/// here.
///
/// ```
/// use galileo_export::filter::{FilterKind, Operator};
///
/// assert_eq!(FilterKind::from_tag("collection"), Some(FilterKind::Collection));
/// assert_eq!(
///     FilterKind::Collection.operator_names(),
///     ["eq", "contains", "one_of", "not_in"]
/// );
/// assert!(FilterKind::Number.allows(Operator::Between));
/// assert!(!FilterKind::Text.allows(Operator::Between));
/// assert_eq!(FilterKind::Boolean.default_operator(), Some(Operator::Eq));
/// assert_eq!(FilterKind::Text.default_operator(), None);
/// assert!(FilterKind::Text.has_case_sensitive());
/// assert!(FilterKind::FullyAnnotated.operators().is_empty());
/// ```
impl FilterKind {
    /// The kind whose `"type"` tag is `tag` (`"id"`, `"fully_annotated"`, …).
    pub fn from_tag(tag: &str) -> Option<FilterKind> {
        FilterKind::ALL.iter().copied().find(|k| k.as_str() == tag)
    }

    /// The operators this kind allows, in the order the spec lists them; empty
    /// for `fully_annotated`, which has no operator.
    pub const fn operators(self) -> &'static [Operator] {
        match self {
            FilterKind::Id => IdOperator::OPERATORS,
            FilterKind::Date => DateOperator::OPERATORS,
            FilterKind::Number => NumberOperator::OPERATORS,
            FilterKind::Boolean => BooleanOperator::OPERATORS,
            FilterKind::Collection => CollectionOperator::OPERATORS,
            FilterKind::Text => TextOperator::OPERATORS,
            FilterKind::FullyAnnotated => &[],
        }
    }

    /// [`FilterKind::operators`] as they appear in the `"operator"` field.
    pub const fn operator_names(self) -> &'static [&'static str] {
        match self {
            FilterKind::Id => IdOperator::NAMES,
            FilterKind::Date => DateOperator::NAMES,
            FilterKind::Number => NumberOperator::NAMES,
            FilterKind::Boolean => BooleanOperator::NAMES,
            FilterKind::Collection => CollectionOperator::NAMES,
            FilterKind::Text => TextOperator::NAMES,
            FilterKind::FullyAnnotated => &[],
        }
    }

    /// Whether this kind allows `operator`.
    pub fn allows(self, operator: Operator) -> bool {
        self.operators().contains(&operator)
    }

    /// The operator assumed when `"operator"` is absent: `eq` for id and
    /// boolean filters (the spec's default); `None` where it is required (or,
    /// for `fully_annotated`, does not exist).
    pub const fn default_operator(self) -> Option<Operator> {
        match self {
            FilterKind::Id | FilterKind::Boolean => Some(Operator::Eq),
            _ => None,
        }
    }

    /// Whether filters of this kind carry `"case_sensitive"` (text and collection).
    pub const fn has_case_sensitive(self) -> bool {
        matches!(self, FilterKind::Text | FilterKind::Collection)
    }
}

/// Any filter operator, whatever the kind: the union of [`IdOperator`],
/// [`DateOperator`], [`NumberOperator`], [`BooleanOperator`],
/// [`CollectionOperator`] and [`TextOperator`], each of which converts into it.
/// [`FilterKind::operators`] says which kind allows which.
///
/// ```
/// use galileo_export::filter::{NumberOperator, Operator, TextOperator};
///
/// let op = Operator::from_name("one_of").unwrap();
/// assert!(op.takes_list());
/// assert!(Operator::Between.takes_range());
/// assert_eq!(TextOperator::from_operator(op), Some(TextOperator::OneOf));
/// assert_eq!(NumberOperator::from_operator(op), None);
/// assert_eq!(Operator::from(NumberOperator::Gte).as_str(), "gte");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operator {
    /// `eq`: equals.
    Eq,
    /// `ne`: differs.
    Ne,
    /// `gt`: greater than / after.
    Gt,
    /// `gte`: greater than or equal / on or after.
    Gte,
    /// `lt`: less than / before.
    Lt,
    /// `lte`: less than or equal / on or before.
    Lte,
    /// `between`: within `[low, high]`, both ends inclusive.
    Between,
    /// `contains`: contains a fragment (text, id) or a string (collection).
    Contains,
    /// `one_of`: one of a list.
    OneOf,
    /// `not_in`: none of a list.
    NotIn,
}

impl Operator {
    /// Every operator: comparisons, `between`, then the string and list operators.
    pub const ALL: &'static [Operator] = &[
        Operator::Eq,
        Operator::Ne,
        Operator::Gt,
        Operator::Gte,
        Operator::Lt,
        Operator::Lte,
        Operator::Between,
        Operator::Contains,
        Operator::OneOf,
        Operator::NotIn,
    ];

    /// The operator as it appears in the `"operator"` field (`"eq"`, `"one_of"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::Ne => "ne",
            Operator::Gt => "gt",
            Operator::Gte => "gte",
            Operator::Lt => "lt",
            Operator::Lte => "lte",
            Operator::Between => "between",
            Operator::Contains => "contains",
            Operator::OneOf => "one_of",
            Operator::NotIn => "not_in",
        }
    }

    /// The operator named `name` as in the `"operator"` field, if any.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.iter().copied().find(|op| op.as_str() == name)
    }

    /// Whether the value is a list: `one_of` and `not_in`.
    pub const fn takes_list(self) -> bool {
        matches!(self, Operator::OneOf | Operator::NotIn)
    }

    /// Whether the value is a range `[low, high]`: `between`.
    pub const fn takes_range(self) -> bool {
        matches!(self, Operator::Between)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a == b`, usable in constants.
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

macro_rules! operator_enum {
    (
        $(#[$meta:meta])*
        $name:ident for $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            #[doc = concat!("Every operator of a ", $kind, " filter, in the order the spec lists them.")]
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// [`Self::ALL`] as [`Operator`]s; see [`FilterKind::operators`].
            pub const OPERATORS: &'static [Operator] = &[$(Operator::$variant,)+];

            /// [`Self::ALL`] as they appear in the `"operator"` field.
            pub const NAMES: &'static [&'static str] = &[$($wire,)+];

            /// The operator as it appears in the `"operator"` field.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            #[doc = concat!("`operator` if a ", $kind, " filter allows it.")]
            pub const fn from_operator(operator: Operator) -> Option<$name> {
                match operator {
                    $(Operator::$variant => Some($name::$variant),)+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }

        // Each wire name is the one of the same operator in [`Operator`].
        const _: () = {
            $(assert!(str_eq($wire, Operator::$variant.as_str()));)+
        };

        impl From<$name> for Operator {
            fn from(operator: $name) -> Operator {
                match operator {
                    $($name::$variant => Operator::$variant,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

operator_enum! {
    /// Operators of an id filter. The spec's default is [`IdOperator::Eq`].
    IdOperator for "id" {
        /// `eq`: the id equals a UUID.
        Eq => "eq",
        /// `ne`: the id differs from a UUID.
        Ne => "ne",
        /// `one_of`: the id is one of a list of UUIDs.
        OneOf => "one_of",
        /// `not_in`: the id is none of a list of UUIDs.
        NotIn => "not_in",
        /// `contains`: the id contains a text fragment.
        Contains => "contains",
    }
}

operator_enum! {
    /// Operators of a date filter.
    DateOperator for "date" {
        /// `eq`: the date equals a date-time.
        Eq => "eq",
        /// `ne`: the date differs from a date-time.
        Ne => "ne",
        /// `gt`: the date is after a date-time.
        Gt => "gt",
        /// `gte`: the date is on or after a date-time.
        Gte => "gte",
        /// `lt`: the date is before a date-time.
        Lt => "lt",
        /// `lte`: the date is on or before a date-time.
        Lte => "lte",
    }
}

operator_enum! {
    /// Operators of a number filter.
    NumberOperator for "number" {
        /// `eq`: the number equals a value.
        Eq => "eq",
        /// `ne`: the number differs from a value.
        Ne => "ne",
        /// `gt`: the number is greater than a value.
        Gt => "gt",
        /// `gte`: the number is greater than or equal to a value.
        Gte => "gte",
        /// `lt`: the number is less than a value.
        Lt => "lt",
        /// `lte`: the number is less than or equal to a value.
        Lte => "lte",
        /// `between`: the number lies in `[low, high]`, both ends inclusive.
        Between => "between",
    }
}

operator_enum! {
    /// Operators of a boolean filter. The spec's default is [`BooleanOperator::Eq`].
    BooleanOperator for "boolean" {
        /// `eq`: the column equals a boolean.
        Eq => "eq",
        /// `ne`: the column differs from a boolean.
        Ne => "ne",
    }
}

operator_enum! {
    /// Operators of a collection filter.
    CollectionOperator for "collection" {
        /// `eq`: the collection equals a value.
        Eq => "eq",
        /// `contains`: the collection contains a string.
        Contains => "contains",
        /// `one_of`: the collection holds one of a list of strings.
        OneOf => "one_of",
        /// `not_in`: the collection holds none of a list of strings.
        NotIn => "not_in",
    }
}

operator_enum! {
    /// Operators of a text filter.
    TextOperator for "text" {
        /// `eq`: the text equals a string.
        Eq => "eq",
        /// `ne`: the text differs from a string.
        Ne => "ne",
        /// `contains`: the text contains a substring.
        Contains => "contains",
        /// `one_of`: the text equals one of a list of strings.
        OneOf => "one_of",
        /// `not_in`: the text equals none of a list of strings.
        NotIn => "not_in",
    }
}

impl Default for IdOperator {
    /// `eq`, the spec's default.
    fn default() -> Self {
        IdOperator::Eq
    }
}

impl Default for BooleanOperator {
    /// `eq`, the spec's default.
    fn default() -> Self {
        BooleanOperator::Eq
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// A JSON number as the API receives it, exactly as written: integers stay
/// integers (`100`, and `12345678901234567890` beyond `i64` too, never a float),
/// floats stay floats (`100.0`).
///
/// Built with `From` from `i8`–`i64`, `u8`–`u64`, `isize`, `usize`, `f32` and
/// `f64`; an integer that fits `i64` is always [`Number::Int`].
///
/// ```
/// use galileo_export::filter::Number;
///
/// assert_eq!(Number::from(100), Number::Int(100));
/// assert_eq!(serde_json::to_string(&Number::from(100))?, "100");
/// assert_eq!(serde_json::to_string(&Number::from(0.5))?, "0.5");
/// assert_eq!(Number::from(12_345_678_901_234_567_890_u64), Number::UInt(12_345_678_901_234_567_890));
/// assert_eq!(serde_json::to_string(&Number::from(u64::MAX))?, "18446744073709551615");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer, written without a fraction.
    Int(i64),
    /// An integer above `i64::MAX` (up to `u64::MAX`), written without a fraction.
    UInt(u64),
    /// A float, written with a fraction or exponent.
    Float(f64),
}

impl Number {
    /// Whether the number can be sent: integers always, floats unless NaN or infinite.
    pub fn is_finite(self) -> bool {
        match self {
            Number::Int(_) | Number::UInt(_) => true,
            Number::Float(x) => x.is_finite(),
        }
    }

    /// The number as an `f64` (integers beyond 2^53 lose precision).
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::UInt(u) => u as f64,
            Number::Float(x) => x,
        }
    }

    /// The number as an integer, if it is one.
    fn as_integer(self) -> Option<i128> {
        match self {
            Number::Int(i) => Some(i128::from(i)),
            Number::UInt(u) => Some(i128::from(u)),
            Number::Float(_) => None,
        }
    }

    /// Compares by numeric value, exactly, also between an integer and a float.
    /// `None` if either is NaN.
    fn numeric_cmp(self, other: Number) -> Option<Ordering> {
        match (self.as_integer(), other.as_integer(), self, other) {
            (Some(a), Some(b), _, _) => Some(a.cmp(&b)),
            (Some(a), None, _, Number::Float(b)) => int_float_cmp(a, b),
            (None, Some(b), Number::Float(a), _) => int_float_cmp(b, a).map(Ordering::reverse),
            (_, _, a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

/// Exact comparison of an integer (at most 64 bits wide) with an `f64`.
#[allow(clippy::cast_possible_truncation)]
fn int_float_cmp(a: i128, b: f64) -> Option<Ordering> {
    // 2^64 and -2^63 are exactly representable; every integer compared is within them.
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    const MINUS_TWO_63: f64 = -9_223_372_036_854_775_808.0;
    if b.is_nan() {
        return None;
    }
    if b >= TWO_64 {
        return Some(Ordering::Less);
    }
    if b < MINUS_TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = b.trunc();
    // -2^63 <= whole < 2^64, so the cast is exact.
    let whole_int = whole as i128;
    match a.cmp(&whole_int) {
        Ordering::Equal => 0.0_f64.partial_cmp(&(b - whole)),
        unequal => Some(unequal),
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::UInt(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl From<u64> for Number {
    /// [`Number::Int`] when it fits `i64`, else [`Number::UInt`].
    fn from(value: u64) -> Self {
        i64::try_from(value).map_or(Number::UInt(value), Number::Int)
    }
}

impl From<usize> for Number {
    fn from(value: usize) -> Self {
        // usize is at most 64 bits wide on every target Rust supports.
        Number::from(value as u64)
    }
}

impl From<isize> for Number {
    fn from(value: isize) -> Self {
        Number::Int(value as i64)
    }
}

macro_rules! number_from {
    ($variant:ident as $target:ty: $($source:ty),+) => {
        $(
            impl From<$source> for Number {
                fn from(value: $source) -> Self {
                    Number::$variant(<$target>::from(value))
                }
            }
        )+
    };
}

number_from!(Int as i64: i8, i16, i32, i64, u8, u16, u32);
number_from!(Float as f64: f32, f64);

impl Serialize for Number {
    /// Fails for NaN and infinities rather than writing `null`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::Int(i) => serializer.serialize_i64(i),
            Number::UInt(u) => serializer.serialize_u64(u),
            Number::Float(x) if x.is_finite() => serializer.serialize_f64(x),
            Number::Float(x) => Err(serde::ser::Error::custom(format_args!(
                "{x:?} is not a finite number and cannot be sent"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Ok(Number::Float(v))
    }
}

/// The value of a [`NumberFilter`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum NumberValue {
    /// One number, for every operator but `between`.
    Single(Number),
    /// Inclusive bounds for `between`, written as `[low, high]`.
    Range {
        /// Lower bound.
        low: Number,
        /// Upper bound.
        high: Number,
    },
}

impl Serialize for NumberValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberValue::Single(n) => n.serialize(serializer),
            NumberValue::Range { low, high } => {
                let mut seq = serializer.serialize_seq(Some(2))?;
                seq.serialize_element(low)?;
                seq.serialize_element(high)?;
                seq.end()
            }
        }
    }
}

/// The value of a [`TextFilter`] or [`CollectionFilter`]: one string or a
/// list of strings.
///
/// Converts from `&str`, `String`, `Vec<String>`, `Vec<&str>` and arrays of
/// either, which is what [`CollectionFilterBuilder::eq`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextValue {
    /// A single string.
    Single(String),
    /// A list of strings.
    List(Vec<String>),
}

impl TextValue {
    /// The string, if this is a single string.
    pub fn as_single(&self) -> Option<&str> {
        match self {
            TextValue::Single(s) => Some(s),
            TextValue::List(_) => None,
        }
    }

    /// The list, if this is a list.
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            TextValue::Single(_) => None,
            TextValue::List(list) => Some(list),
        }
    }
}

impl From<&str> for TextValue {
    fn from(value: &str) -> Self {
        TextValue::Single(value.to_owned())
    }
}

impl From<String> for TextValue {
    fn from(value: String) -> Self {
        TextValue::Single(value)
    }
}

impl From<Vec<String>> for TextValue {
    fn from(value: Vec<String>) -> Self {
        TextValue::List(value)
    }
}

impl From<Vec<&str>> for TextValue {
    fn from(value: Vec<&str>) -> Self {
        TextValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[&str; N]> for TextValue {
    fn from(value: [&str; N]) -> Self {
        TextValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[String; N]> for TextValue {
    fn from(value: [String; N]) -> Self {
        TextValue::List(value.into())
    }
}

impl Serialize for TextValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TextValue::Single(s) => serializer.serialize_str(s),
            TextValue::List(list) => list.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for TextValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextValueVisitor)
    }
}

struct TextValueVisitor;

impl<'de> Visitor<'de> for TextValueVisitor {
    type Value = TextValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextValue, E> {
        Ok(TextValue::Single(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TextValue, E> {
        Ok(TextValue::Single(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextValue, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<String>()? {
            list.push(item);
        }
        Ok(TextValue::List(list))
    }
}

/// The value of an [`IdFilter`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdValue {
    /// One UUID, for `eq` and `ne`.
    Uuid(Uuid),
    /// A list of UUIDs, for `one_of` and `not_in`.
    Uuids(Vec<Uuid>),
    /// A text fragment of an id, for `contains`.
    Fragment(String),
}

impl Serialize for IdValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IdValue::Uuid(id) => id.serialize(serializer),
            IdValue::Uuids(ids) => ids.serialize(serializer),
            IdValue::Fragment(text) => serializer.serialize_str(text),
        }
    }
}

/// Writes a date-time as RFC 3339 in UTC with a `Z` suffix and as many
/// fractional digits as needed (0, 3, 6 or 9).
fn format_date(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_date(column: &str, text: &str) -> Result<DateTime<Utc>, FilterError> {
    DateTime::parse_from_rfc3339(text)
        .map(|dt| dt.with_timezone(&Utc))
        .map_err(|e| FilterError::InvalidDate {
            column: column.to_owned(),
            text: text.to_owned(),
            reason: e.to_string(),
        })
}

// ---------------------------------------------------------------------------
// Filter
// ---------------------------------------------------------------------------

/// One entry of the `filters` array of an Export Records request.
///
/// Construct one with the builders ([`Filter::text`], [`Filter::number`],
/// [`Filter::date`], [`Filter::id`], [`Filter::boolean`],
/// [`Filter::collection`], [`Filter::fully_annotated`]) and `.into()`, or
/// deserialize one from JSON. Check it with [`Filter::validate`]; the export
/// request does so before sending.
///
/// ```
/// use galileo_export::filter::{Filter, FilterKind};
///
/// let filter: Filter = Filter::id("trace_id").eq(uuid::Uuid::nil()).into();
/// assert_eq!(filter.kind(), FilterKind::Id);
/// assert_eq!(filter.column_id(), "trace_id");
///
/// let json = serde_json::to_string(&filter)?;
/// let back: Filter = serde_json::from_str(&json)?;
/// assert_eq!(back, filter);
///
/// let err = serde_json::from_str::<Filter>(r#"{"type": "foo", "column_id": "x"}"#).unwrap_err();
/// assert!(err.to_string().starts_with("unknown variant `foo`, expected one of `id`, `date`"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Filter {
    /// `"type": "id"`.
    Id(IdFilter),
    /// `"type": "date"`.
    Date(DateFilter),
    /// `"type": "number"`.
    Number(NumberFilter),
    /// `"type": "boolean"`.
    Boolean(BooleanFilter),
    /// `"type": "collection"`.
    Collection(CollectionFilter),
    /// `"type": "text"`.
    Text(TextFilter),
    /// `"type": "fully_annotated"`.
    FullyAnnotated(FullyAnnotatedFilter),
}

impl Filter {
    /// Starts an id filter on `column_id` (e.g. `"trace_id"`).
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    /// use uuid::Uuid;
    ///
    /// let a = Uuid::parse_str("6f9619ff-8b86-4d11-b42d-00c04fc964ff")?;
    /// assert_eq!(
    ///     serde_json::to_value(Filter::id("trace_id").eq(a))?,
    ///     json!({"type": "id", "column_id": "trace_id", "operator": "eq",
    ///            "value": "6f9619ff-8b86-4d11-b42d-00c04fc964ff"})
    /// );
    /// assert_eq!(
    ///     serde_json::to_value(Filter::id("trace_id").contains("6f9619ff"))?["value"],
    ///     json!("6f9619ff")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(column_id: impl Into<String>) -> IdFilterBuilder {
        IdFilterBuilder {
            column_id: column_id.into(),
        }
    }

    /// Starts a date filter on `column_id` (e.g. `"created_at"`).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// let since = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// assert_eq!(
    ///     serde_json::to_value(Filter::date("created_at").after(since))?,
    ///     json!({"type": "date", "column_id": "created_at", "operator": "gt",
    ///            "value": "2024-05-01T00:00:00Z"})
    /// );
    ///
    /// // Text is parsed as RFC 3339 and converted to UTC.
    /// let until = Filter::date("created_at").on_or_before_str("2024-05-31T23:59:59+02:00")?;
    /// assert_eq!(serde_json::to_value(until)?["value"], json!("2024-05-31T21:59:59Z"));
    /// assert!(Filter::date("created_at").before_str("yesterday").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn date(column_id: impl Into<String>) -> DateFilterBuilder {
        DateFilterBuilder {
            column_id: column_id.into(),
        }
    }

    /// Starts a number filter on `column_id` (e.g. `"latency_ms"`).
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::number("latency_ms").between(100, 250))?,
    ///     json!({"type": "number", "column_id": "latency_ms", "operator": "between",
    ///            "value": [100, 250]})
    /// );
    /// assert_eq!(
    ///     serde_json::to_string(&Filter::number("score").greater_than_or_equal(0.8))?,
    ///     r#"{"type":"number","column_id":"score","operator":"gte","value":0.8}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn number(column_id: impl Into<String>) -> NumberFilterBuilder {
        NumberFilterBuilder {
            column_id: column_id.into(),
        }
    }

    /// Starts a boolean filter on `column_id` (e.g. `"has_error"`).
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::boolean("has_error").is_true())?,
    ///     json!({"type": "boolean", "column_id": "has_error", "operator": "eq", "value": true})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn boolean(column_id: impl Into<String>) -> BooleanFilterBuilder {
        BooleanFilterBuilder {
            column_id: column_id.into(),
        }
    }

    /// Starts a collection filter on `column_id` (e.g. `"tags"`), case-sensitive
    /// unless [`CollectionFilterBuilder::case_insensitive`] is called.
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::collection("tags").contains("prod").case_insensitive())?,
    ///     json!({"type": "collection", "column_id": "tags", "operator": "contains",
    ///            "value": "prod", "case_sensitive": false})
    /// );
    /// assert_eq!(
    ///     serde_json::to_value(Filter::collection("tags").one_of(["prod", "staging"]))?["value"],
    ///     json!(["prod", "staging"])
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn collection(column_id: impl Into<String>) -> CollectionFilterBuilder {
        CollectionFilterBuilder {
            column_id: column_id.into(),
            case_sensitive: true,
        }
    }

    /// Starts a text filter on `column_id` (e.g. `"input"`), case-sensitive
    /// unless [`TextFilterBuilder::case_insensitive`] or
    /// [`TextFilter::case_insensitive`] is called.
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::text("input").contains("refund").case_insensitive())?,
    ///     json!({"type": "text", "column_id": "input", "operator": "contains",
    ///            "value": "refund", "case_sensitive": false})
    /// );
    /// assert_eq!(
    ///     serde_json::to_value(Filter::text("model").not_in(["gpt-3.5", "gpt-4"]))?,
    ///     json!({"type": "text", "column_id": "model", "operator": "not_in",
    ///            "value": ["gpt-3.5", "gpt-4"], "case_sensitive": true})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn text(column_id: impl Into<String>) -> TextFilterBuilder {
        TextFilterBuilder {
            column_id: column_id.into(),
            case_sensitive: true,
        }
    }

    /// A queue-scoped filter for records rated across all queue templates, by
    /// every tracked queue member; narrow it with
    /// [`FullyAnnotatedFilter::by_users`].
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::fully_annotated())?,
    ///     json!({"type": "fully_annotated", "column_id": "fully_annotated"})
    /// );
    /// let reviewer = uuid::Uuid::new_v4();
    /// let by_one = Filter::fully_annotated().by_users([reviewer]);
    /// assert_eq!(serde_json::to_value(&by_one)?["user_ids"], json!([reviewer.to_string()]));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn fully_annotated() -> FullyAnnotatedFilter {
        FullyAnnotatedFilter::default()
    }

    /// The kind of this filter, i.e. its `"type"`.
    pub fn kind(&self) -> FilterKind {
        match self {
            Filter::Id(_) => FilterKind::Id,
            Filter::Date(_) => FilterKind::Date,
            Filter::Number(_) => FilterKind::Number,
            Filter::Boolean(_) => FilterKind::Boolean,
            Filter::Collection(_) => FilterKind::Collection,
            Filter::Text(_) => FilterKind::Text,
            Filter::FullyAnnotated(_) => FilterKind::FullyAnnotated,
        }
    }

    /// The column this filter applies to; `"fully_annotated"` for a
    /// fully_annotated filter.
    pub fn column_id(&self) -> &str {
        match self {
            Filter::Id(f) => f.column_id(),
            Filter::Date(f) => f.column_id(),
            Filter::Number(f) => f.column_id(),
            Filter::Boolean(f) => f.column_id(),
            Filter::Collection(f) => f.column_id(),
            Filter::Text(f) => f.column_id(),
            Filter::FullyAnnotated(f) => f.column_id(),
        }
    }

    /// Checks what the types cannot: a non-empty `column_id`, non-empty
    /// `one_of`/`not_in` lists, finite numbers, `low <= high` for `between`,
    /// dates within years 1–9999, and a non-empty list of version-4 UUIDs for
    /// `user_ids`. Returns the first problem found.
    ///
    /// The export request calls this on every filter before sending.
    ///
    /// ```
    /// use galileo_export::filter::{Filter, FilterError};
    ///
    /// let backwards: Filter = Filter::number("latency_ms").between(250, 100).into();
    /// assert!(matches!(backwards.validate(), Err(FilterError::InvertedRange { .. })));
    /// assert_eq!(
    ///     backwards.validate().unwrap_err().to_string(),
    ///     "number filter on column `latency_ms`: `between` needs low <= high, got [250, 100]"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), FilterError> {
        match self {
            Filter::Id(f) => f.validate(),
            Filter::Date(f) => f.validate(),
            Filter::Number(f) => f.validate(),
            Filter::Boolean(f) => f.validate(),
            Filter::Collection(f) => f.validate(),
            Filter::Text(f) => f.validate(),
            Filter::FullyAnnotated(f) => f.validate(),
        }
    }

    /// [`Filter::validate`]s and returns the filter, for `?` chains.
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    ///
    /// let filter = Filter::from(Filter::number("latency_ms").lt(f64::NAN)).validated();
    /// assert_eq!(
    ///     filter.unwrap_err().to_string(),
    ///     "number filter on column `latency_ms`: NaN is not a finite number"
    /// );
    /// ```
    pub fn validated(self) -> Result<Self, FilterError> {
        self.validate().map(|()| self)
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Filter::Id(f) => f.serialize(serializer),
            Filter::Date(f) => f.serialize(serializer),
            Filter::Number(f) => f.serialize(serializer),
            Filter::Boolean(f) => f.serialize(serializer),
            Filter::Collection(f) => f.serialize(serializer),
            Filter::Text(f) => f.serialize(serializer),
            Filter::FullyAnnotated(f) => f.serialize(serializer),
        }
    }
}

macro_rules! into_filter {
    ($($kind:ident => $variant:ident),+) => {
        $(
            impl From<$kind> for Filter {
                fn from(filter: $kind) -> Self {
                    Filter::$variant(filter)
                }
            }
        )+
    };
}

into_filter!(
    IdFilter => Id,
    DateFilter => Date,
    NumberFilter => Number,
    BooleanFilter => Boolean,
    CollectionFilter => Collection,
    TextFilter => Text,
    FullyAnnotatedFilter => FullyAnnotated
);

/// A private, single-valued `"type"` tag: accepts only its own kind.
macro_rules! type_tag {
    ($name:ident = $wire:literal) => {
        #[derive(Deserialize)]
        enum $name {
            #[serde(rename = $wire)]
            Tag,
        }
    };
}

type_tag!(IdTag = "id");
type_tag!(DateTag = "date");
type_tag!(NumberTag = "number");
type_tag!(BooleanTag = "boolean");
type_tag!(CollectionTag = "collection");
type_tag!(TextTag = "text");
type_tag!(FullyAnnotatedTag = "fully_annotated");

fn default_true() -> bool {
    true
}

fn check_column(kind: FilterKind, column: &str) -> Result<(), FilterError> {
    if column.is_empty() {
        Err(FilterError::EmptyColumnId { kind })
    } else {
        Ok(())
    }
}

fn check_non_empty(
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

fn shape_error(
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

// ---------------------------------------------------------------------------
// id
// ---------------------------------------------------------------------------

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
            (IdOperator::OneOf | IdOperator::NotIn, TextValue::Single(_)) => {
                return Err(shape_error(
                    FilterKind::Id,
                    &column_id,
                    operator.as_str(),
                    "an array of UUID strings",
                ))
            }
            (IdOperator::Eq | IdOperator::Ne, TextValue::List(_)) => {
                return Err(shape_error(
                    FilterKind::Id,
                    &column_id,
                    operator.as_str(),
                    "a single UUID string",
                ))
            }
            (IdOperator::Contains, TextValue::List(_)) => {
                return Err(shape_error(
                    FilterKind::Id,
                    &column_id,
                    operator.as_str(),
                    "a single string",
                ))
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
        let mut s = serializer.serialize_struct("IdFilter", 4)?;
        s.serialize_field("type", FilterKind::Id.as_str())?;
        s.serialize_field("column_id", &self.column_id)?;
        s.serialize_field("operator", &self.operator)?;
        s.serialize_field("value", &self.value)?;
        s.end()
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
    fn build(self, operator: IdOperator, value: IdValue) -> IdFilter {
        IdFilter {
            column_id: self.column_id,
            operator,
            value,
        }
    }

    /// `eq`: the id equals `id`.
    pub fn eq(self, id: Uuid) -> IdFilter {
        self.build(IdOperator::Eq, IdValue::Uuid(id))
    }

    /// Alias of [`IdFilterBuilder::eq`].
    pub fn equals(self, id: Uuid) -> IdFilter {
        self.eq(id)
    }

    /// `ne`: the id differs from `id`.
    pub fn ne(self, id: Uuid) -> IdFilter {
        self.build(IdOperator::Ne, IdValue::Uuid(id))
    }

    /// Alias of [`IdFilterBuilder::ne`].
    pub fn not_equals(self, id: Uuid) -> IdFilter {
        self.ne(id)
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

// ---------------------------------------------------------------------------
// date
// ---------------------------------------------------------------------------

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
        let mut s = serializer.serialize_struct("DateFilter", 4)?;
        s.serialize_field("type", FilterKind::Date.as_str())?;
        s.serialize_field("column_id", &self.column_id)?;
        s.serialize_field("operator", &self.operator)?;
        s.serialize_field("value", &format_date(&self.value))?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for DateFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = DateWire::deserialize(deserializer)?;
        let value = parse_date(&wire.column_id, &wire.value).map_err(de::Error::custom)?;
        Ok(DateFilter {
            column_id: wire.column_id,
            operator: wire.operator,
            value,
        })
    }
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
    fn build(self, operator: DateOperator, value: DateTime<Utc>) -> DateFilter {
        DateFilter {
            column_id: self.column_id,
            operator,
            value,
        }
    }

    fn build_str(self, operator: DateOperator, text: &str) -> Result<DateFilter, FilterError> {
        let value = parse_date(&self.column_id, text)?;
        Ok(self.build(operator, value))
    }

    /// A filter with any [`DateOperator`], e.g. one chosen at run time.
    pub fn compare(self, operator: DateOperator, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(operator, value.into())
    }

    /// [`DateFilterBuilder::compare`] with RFC 3339 `text`; fails with
    /// [`FilterError::InvalidDate`] naming the text if it does not parse.
    pub fn parse(self, operator: DateOperator, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(operator, text)
    }

    /// `eq`: the date equals `value`.
    pub fn eq(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Eq, value.into())
    }

    /// Alias of [`DateFilterBuilder::eq`].
    pub fn equals(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.eq(value)
    }

    /// `ne`: the date differs from `value`.
    pub fn ne(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Ne, value.into())
    }

    /// Alias of [`DateFilterBuilder::ne`].
    pub fn not_equals(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.ne(value)
    }

    /// `gt`: the date is strictly after `value`.
    pub fn after(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Gt, value.into())
    }

    /// Alias of [`DateFilterBuilder::after`].
    pub fn gt(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.after(value)
    }

    /// `gte`: the date is on or after `value`.
    pub fn on_or_after(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Gte, value.into())
    }

    /// Alias of [`DateFilterBuilder::on_or_after`].
    pub fn gte(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.on_or_after(value)
    }

    /// `lt`: the date is strictly before `value`.
    pub fn before(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Lt, value.into())
    }

    /// Alias of [`DateFilterBuilder::before`].
    pub fn lt(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.before(value)
    }

    /// `lte`: the date is on or before `value`.
    pub fn on_or_before(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.build(DateOperator::Lte, value.into())
    }

    /// Alias of [`DateFilterBuilder::on_or_before`].
    pub fn lte(self, value: impl Into<DateTime<Utc>>) -> DateFilter {
        self.on_or_before(value)
    }

    /// [`DateFilterBuilder::eq`] with RFC 3339 text.
    pub fn eq_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Eq, text)
    }

    /// [`DateFilterBuilder::ne`] with RFC 3339 text.
    pub fn ne_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Ne, text)
    }

    /// [`DateFilterBuilder::after`] with RFC 3339 text.
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    ///
    /// let err = Filter::date("created_at").after_str("2024-13-01").unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "date filter on column `created_at`: `2024-13-01` is not an RFC 3339 date-time"
    /// ));
    /// ```
    pub fn after_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Gt, text)
    }

    /// [`DateFilterBuilder::on_or_after`] with RFC 3339 text.
    pub fn on_or_after_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Gte, text)
    }

    /// [`DateFilterBuilder::before`] with RFC 3339 text.
    pub fn before_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Lt, text)
    }

    /// [`DateFilterBuilder::on_or_before`] with RFC 3339 text.
    pub fn on_or_before_str(self, text: &str) -> Result<DateFilter, FilterError> {
        self.build_str(DateOperator::Lte, text)
    }
}

// ---------------------------------------------------------------------------
// number
// ---------------------------------------------------------------------------

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
        let mut s = serializer.serialize_struct("NumberFilter", 4)?;
        s.serialize_field("type", FilterKind::Number.as_str())?;
        s.serialize_field("column_id", &self.column_id)?;
        s.serialize_field("operator", &self.operator)?;
        s.serialize_field("value", &self.value)?;
        s.end()
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

    /// `eq`: the number equals `value`.
    pub fn eq(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Eq, value)
    }

    /// Alias of [`NumberFilterBuilder::eq`].
    pub fn equals(self, value: impl Into<Number>) -> NumberFilter {
        self.eq(value)
    }

    /// `ne`: the number differs from `value`.
    pub fn ne(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Ne, value)
    }

    /// Alias of [`NumberFilterBuilder::ne`].
    pub fn not_equals(self, value: impl Into<Number>) -> NumberFilter {
        self.ne(value)
    }

    /// `gt`: the number is greater than `value`.
    pub fn gt(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Gt, value)
    }

    /// Alias of [`NumberFilterBuilder::gt`].
    pub fn greater_than(self, value: impl Into<Number>) -> NumberFilter {
        self.gt(value)
    }

    /// `gte`: the number is greater than or equal to `value`.
    pub fn gte(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Gte, value)
    }

    /// Alias of [`NumberFilterBuilder::gte`].
    pub fn greater_than_or_equal(self, value: impl Into<Number>) -> NumberFilter {
        self.gte(value)
    }

    /// `lt`: the number is less than `value`.
    pub fn lt(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Lt, value)
    }

    /// Alias of [`NumberFilterBuilder::lt`].
    pub fn less_than(self, value: impl Into<Number>) -> NumberFilter {
        self.lt(value)
    }

    /// `lte`: the number is less than or equal to `value`.
    pub fn lte(self, value: impl Into<Number>) -> NumberFilter {
        self.single(NumberOperator::Lte, value)
    }

    /// Alias of [`NumberFilterBuilder::lte`].
    pub fn less_than_or_equal(self, value: impl Into<Number>) -> NumberFilter {
        self.lte(value)
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

// ---------------------------------------------------------------------------
// boolean
// ---------------------------------------------------------------------------

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
        let mut s = serializer.serialize_struct("BooleanFilter", 4)?;
        s.serialize_field("type", FilterKind::Boolean.as_str())?;
        s.serialize_field("column_id", &self.column_id)?;
        s.serialize_field("operator", &self.operator)?;
        s.serialize_field("value", &self.value)?;
        s.end()
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

    /// `eq`: the column equals `value`.
    pub fn eq(self, value: bool) -> BooleanFilter {
        self.build(BooleanOperator::Eq, value)
    }

    /// Alias of [`BooleanFilterBuilder::eq`].
    pub fn equals(self, value: bool) -> BooleanFilter {
        self.eq(value)
    }

    /// `ne`: the column differs from `value`.
    pub fn ne(self, value: bool) -> BooleanFilter {
        self.build(BooleanOperator::Ne, value)
    }

    /// Alias of [`BooleanFilterBuilder::ne`].
    pub fn not_equals(self, value: bool) -> BooleanFilter {
        self.ne(value)
    }
}

// ---------------------------------------------------------------------------
// collection and text
// ---------------------------------------------------------------------------

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

macro_rules! string_filter_common {
    ($filter:ident, $operator:ident, $kind:expr, $name:literal) => {
        impl $filter {
            /// The column filtered on.
            pub fn column_id(&self) -> &str {
                &self.column_id
            }

            /// The operator.
            pub fn operator(&self) -> $operator {
                self.operator
            }

            /// The value compared with.
            pub fn value(&self) -> &TextValue {
                &self.value
            }

            /// Whether matching is case-sensitive (the default).
            pub fn is_case_sensitive(&self) -> bool {
                self.case_sensitive
            }

            /// Makes matching case-insensitive (`"case_sensitive": false`).
            pub fn case_insensitive(self) -> Self {
                self.case_sensitive(false)
            }

            /// Sets `"case_sensitive"`.
            pub fn case_sensitive(mut self, case_sensitive: bool) -> Self {
                self.case_sensitive = case_sensitive;
                self
            }

            /// Checks a non-empty column and non-empty `one_of`/`not_in`
            /// lists; see [`Filter::validate`].
            pub fn validate(&self) -> Result<(), FilterError> {
                check_column($kind, &self.column_id)?;
                match (self.operator, &self.value) {
                    ($operator::OneOf | $operator::NotIn, TextValue::List(list)) => {
                        check_non_empty($kind, &self.column_id, self.operator.as_str(), list.len())
                    }
                    _ => Ok(()),
                }
            }
        }

        impl Serialize for $filter {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut s = serializer.serialize_struct($name, 5)?;
                s.serialize_field("type", $kind.as_str())?;
                s.serialize_field("column_id", &self.column_id)?;
                s.serialize_field("operator", &self.operator)?;
                s.serialize_field("value", &self.value)?;
                s.serialize_field("case_sensitive", &self.case_sensitive)?;
                s.end()
            }
        }
    };
}

string_filter_common!(
    CollectionFilter,
    CollectionOperator,
    FilterKind::Collection,
    "CollectionFilter"
);
string_filter_common!(TextFilter, TextOperator, FilterKind::Text, "TextFilter");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionWire {
    #[serde(rename = "type", default)]
    _type: Option<CollectionTag>,
    column_id: String,
    operator: CollectionOperator,
    value: TextValue,
    #[serde(default = "default_true")]
    case_sensitive: bool,
}

impl<'de> Deserialize<'de> for CollectionFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = CollectionWire::deserialize(deserializer)?;
        if matches!(
            (wire.operator, &wire.value),
            (
                CollectionOperator::OneOf | CollectionOperator::NotIn,
                TextValue::Single(_)
            )
        ) {
            return Err(de::Error::custom(shape_error(
                FilterKind::Collection,
                &wire.column_id,
                wire.operator.as_str(),
                "an array of strings",
            )));
        }
        Ok(CollectionFilter {
            column_id: wire.column_id,
            operator: wire.operator,
            value: wire.value,
            case_sensitive: wire.case_sensitive,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextWire {
    #[serde(rename = "type", default)]
    _type: Option<TextTag>,
    column_id: String,
    operator: TextOperator,
    value: TextValue,
    #[serde(default = "default_true")]
    case_sensitive: bool,
}

impl<'de> Deserialize<'de> for TextFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = TextWire::deserialize(deserializer)?;
        let expected = match (wire.operator, &wire.value) {
            (TextOperator::OneOf | TextOperator::NotIn, TextValue::Single(_)) => {
                Some("an array of strings")
            }
            (TextOperator::Eq | TextOperator::Ne | TextOperator::Contains, TextValue::List(_)) => {
                Some("a single string")
            }
            _ => None,
        };
        if let Some(expected) = expected {
            return Err(de::Error::custom(shape_error(
                FilterKind::Text,
                &wire.column_id,
                wire.operator.as_str(),
                expected,
            )));
        }
        Ok(TextFilter {
            column_id: wire.column_id,
            operator: wire.operator,
            value: wire.value,
            case_sensitive: wire.case_sensitive,
        })
    }
}

fn string_list<I>(values: I) -> TextValue
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    TextValue::List(values.into_iter().map(Into::into).collect())
}

/// Builds a [`CollectionFilter`]; returned by [`Filter::collection`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct CollectionFilterBuilder {
    column_id: String,
    case_sensitive: bool,
}

impl CollectionFilterBuilder {
    fn build(self, operator: CollectionOperator, value: TextValue) -> CollectionFilter {
        CollectionFilter {
            column_id: self.column_id,
            operator,
            value,
            case_sensitive: self.case_sensitive,
        }
    }

    /// Makes matching case-insensitive; same as calling
    /// [`CollectionFilter::case_insensitive`] afterwards.
    pub fn case_insensitive(self) -> Self {
        self.case_sensitive(false)
    }

    /// Sets `"case_sensitive"` (default `true`).
    pub fn case_sensitive(mut self, case_sensitive: bool) -> Self {
        self.case_sensitive = case_sensitive;
        self
    }

    /// `eq`: the collection equals `value`, a string or a list of strings
    /// (the spec allows both).
    pub fn eq(self, value: impl Into<TextValue>) -> CollectionFilter {
        self.build(CollectionOperator::Eq, value.into())
    }

    /// Alias of [`CollectionFilterBuilder::eq`].
    pub fn equals(self, value: impl Into<TextValue>) -> CollectionFilter {
        self.eq(value)
    }

    /// `contains`: the collection contains `value`.
    pub fn contains(self, value: impl Into<String>) -> CollectionFilter {
        self.build(
            CollectionOperator::Contains,
            TextValue::Single(value.into()),
        )
    }

    /// `one_of`: the collection holds one of `values`; an empty list fails
    /// [`CollectionFilter::validate`].
    pub fn one_of<I>(self, values: I) -> CollectionFilter
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.build(CollectionOperator::OneOf, string_list(values))
    }

    /// `not_in`: the collection holds none of `values`; an empty list fails
    /// [`CollectionFilter::validate`].
    pub fn not_in<I>(self, values: I) -> CollectionFilter
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.build(CollectionOperator::NotIn, string_list(values))
    }
}

/// Builds a [`TextFilter`]; returned by [`Filter::text`].
#[derive(Debug, Clone)]
#[must_use = "a filter builder does nothing until an operator method is called"]
pub struct TextFilterBuilder {
    column_id: String,
    case_sensitive: bool,
}

impl TextFilterBuilder {
    fn build(self, operator: TextOperator, value: TextValue) -> TextFilter {
        TextFilter {
            column_id: self.column_id,
            operator,
            value,
            case_sensitive: self.case_sensitive,
        }
    }

    /// Makes matching case-insensitive; same as calling
    /// [`TextFilter::case_insensitive`] afterwards.
    pub fn case_insensitive(self) -> Self {
        self.case_sensitive(false)
    }

    /// Sets `"case_sensitive"` (default `true`).
    pub fn case_sensitive(mut self, case_sensitive: bool) -> Self {
        self.case_sensitive = case_sensitive;
        self
    }

    /// `eq`: the text equals `value`.
    pub fn eq(self, value: impl Into<String>) -> TextFilter {
        self.build(TextOperator::Eq, TextValue::Single(value.into()))
    }

    /// Alias of [`TextFilterBuilder::eq`].
    pub fn equals(self, value: impl Into<String>) -> TextFilter {
        self.eq(value)
    }

    /// `ne`: the text differs from `value`.
    pub fn ne(self, value: impl Into<String>) -> TextFilter {
        self.build(TextOperator::Ne, TextValue::Single(value.into()))
    }

    /// Alias of [`TextFilterBuilder::ne`].
    pub fn not_equals(self, value: impl Into<String>) -> TextFilter {
        self.ne(value)
    }

    /// `contains`: the text contains the substring `value`.
    pub fn contains(self, value: impl Into<String>) -> TextFilter {
        self.build(TextOperator::Contains, TextValue::Single(value.into()))
    }

    /// `one_of`: the text equals one of `values`; an empty list fails
    /// [`TextFilter::validate`].
    pub fn one_of<I>(self, values: I) -> TextFilter
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.build(TextOperator::OneOf, string_list(values))
    }

    /// `not_in`: the text equals none of `values`; an empty list fails
    /// [`TextFilter::validate`].
    pub fn not_in<I>(self, values: I) -> TextFilter
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.build(TextOperator::NotIn, string_list(values))
    }
}

// ---------------------------------------------------------------------------
// fully_annotated
// ---------------------------------------------------------------------------

/// A queue-scoped filter for records rated across all queue templates:
/// `{"type": "fully_annotated", "column_id": "fully_annotated"}` plus
/// `"user_ids"` when set. It only works for annotation-queue searches that
/// provide queue context. Built by [`Filter::fully_annotated`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "a filter does nothing until it is added to an export request"]
pub struct FullyAnnotatedFilter {
    user_ids: Option<Vec<Uuid>>,
}

impl FullyAnnotatedFilter {
    /// The fixed `column_id` of this kind.
    pub const COLUMN_ID: &'static str = "fully_annotated";

    /// Requires full annotation by exactly these queue members instead of all
    /// tracked members visible to the requester. The list must be non-empty
    /// and hold version-4 UUIDs, or [`FullyAnnotatedFilter::validate`] fails.
    pub fn by_users(mut self, user_ids: impl IntoIterator<Item = Uuid>) -> Self {
        self.user_ids = Some(user_ids.into_iter().collect());
        self
    }

    /// Always `"fully_annotated"`.
    pub fn column_id(&self) -> &'static str {
        Self::COLUMN_ID
    }

    /// The queue members required, if narrowed with
    /// [`FullyAnnotatedFilter::by_users`].
    pub fn user_ids(&self) -> Option<&[Uuid]> {
        self.user_ids.as_deref()
    }

    /// Checks that `user_ids`, if set, is non-empty and holds version-4
    /// UUIDs; see [`Filter::validate`].
    pub fn validate(&self) -> Result<(), FilterError> {
        if let Some(ids) = &self.user_ids {
            if ids.is_empty() {
                return Err(FilterError::EmptyUserIds);
            }
            if let Some(&user_id) = ids.iter().find(|id| id.get_version_num() != 4) {
                return Err(FilterError::UserIdNotV4 { user_id });
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullyAnnotatedWire {
    #[serde(rename = "type", default)]
    _type: Option<FullyAnnotatedTag>,
    #[serde(default)]
    column_id: Option<String>,
    #[serde(default)]
    user_ids: Option<Vec<Uuid>>,
}

impl Serialize for FullyAnnotatedFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = if self.user_ids.is_some() { 3 } else { 2 };
        let mut s = serializer.serialize_struct("FullyAnnotatedFilter", len)?;
        s.serialize_field("type", FilterKind::FullyAnnotated.as_str())?;
        s.serialize_field("column_id", Self::COLUMN_ID)?;
        if let Some(ids) = &self.user_ids {
            s.serialize_field("user_ids", ids)?;
        }
        s.end()
    }
}

impl<'de> Deserialize<'de> for FullyAnnotatedFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = FullyAnnotatedWire::deserialize(deserializer)?;
        if let Some(column) = wire.column_id {
            if column != Self::COLUMN_ID {
                return Err(de::Error::custom(FilterError::FullyAnnotatedColumn {
                    column,
                }));
            }
        }
        Ok(FullyAnnotatedFilter {
            user_ids: wire.user_ids,
        })
    }
}
