//! The vocabulary of the API's filters: [`FilterKind`], [`Operator`] and the
//! per-kind operator enums ([`IdOperator`], [`DateOperator`], …).
//!
//! Invariants: which kinds exist, which operators each allows (in the order the
//! spec lists them) and which take a list or a range is defined here once; each
//! per-kind operator's wire name is checked at compile time to be the one of the
//! same [`Operator`].

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use super::Filter;

// ---------------------------------------------------------------------------
// Kinds and operators
// ---------------------------------------------------------------------------

/// The kind of a [`Filter`], i.e. the value of its `"type"` field.
///
/// ```
/// use galileo_export::filter::{Filter, FilterKind};
///
/// let filter = Filter::number("metrics/duration_ns").gt(100);
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
