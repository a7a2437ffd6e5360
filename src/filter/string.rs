//! What collection and text filters share: both hold a [`TextValue`] and a
//! `case_sensitive` flag, validate and serialize alike, and their builders start
//! case-sensitive and take `one_of`/`not_in` lists of strings.
//!
//! Invariants: `case_sensitive` is always written (default `true`); an empty
//! `one_of`/`not_in` list fails `validate()`.

use serde::Deserialize;

use super::value::TextValue;
use super::wire::default_true;

/// The wire form of a collection or text filter, `T` being its `"type"` tag and
/// `O` its operator enum; the value's shape is checked against the operator after.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    bound = "T: Deserialize<'de>, O: Deserialize<'de>"
)]
pub(super) struct StringWire<T, O> {
    #[serde(rename = "type", default)]
    _type: Option<T>,
    pub(super) column_id: String,
    pub(super) operator: O,
    pub(super) value: TextValue,
    #[serde(default = "default_true")]
    pub(super) case_sensitive: bool,
}

/// The accessors, `case_sensitive` setters, `validate` and serde of a collection
/// or text filter: the five-field wire form
/// `{"type", "column_id", "operator", "value", "case_sensitive"}`. `$shape` names
/// the shape a value must have for its operator when it has another.
macro_rules! string_filter_common {
    ($filter:ident, $operator:ident, $tag:ident, $kind:ident, $shape:path) => {
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
                check_column(FilterKind::$kind, &self.column_id)?;
                match (self.operator, &self.value) {
                    ($operator::OneOf | $operator::NotIn, TextValue::List(list)) => {
                        check_non_empty(
                            FilterKind::$kind,
                            &self.column_id,
                            self.operator.as_str(),
                            list.len(),
                        )
                    }
                    _ => Ok(()),
                }
            }
        }

        impl Serialize for $filter {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut s = serializer.serialize_struct(stringify!($filter), 5)?;
                s.serialize_field("type", FilterKind::$kind.as_str())?;
                s.serialize_field("column_id", &self.column_id)?;
                s.serialize_field("operator", &self.operator)?;
                s.serialize_field("value", &self.value)?;
                s.serialize_field("case_sensitive", &self.case_sensitive)?;
                s.end()
            }
        }

        impl<'de> Deserialize<'de> for $filter {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let wire = StringWire::<$tag, $operator>::deserialize(deserializer)?;
                if let Some(expected) = $shape(wire.operator, &wire.value) {
                    return Err(de::Error::custom(shape_error(
                        FilterKind::$kind,
                        &wire.column_id,
                        wire.operator.as_str(),
                        expected,
                    )));
                }
                Ok($filter {
                    column_id: wire.column_id,
                    operator: wire.operator,
                    value: wire.value,
                    case_sensitive: wire.case_sensitive,
                })
            }
        }
    };
}

/// The constructor, `build`, `single`, the `case_sensitive` setters and the list
/// operators (`one_of`, `not_in`) of a collection or text filter builder;
/// `$what` says how a list operator matches (`"the text equals"` one of the values).
macro_rules! string_builder_common {
    (
        @list $filter:ident, $operator:ident,
        $method:ident, $variant:ident, $what:literal, $which:literal
    ) => {
        #[doc = concat!(
            "`", stringify!($method), "`: ", $what, " ", $which,
            " `values`; an empty list fails\n[`", stringify!($filter), "::validate`]."
        )]
        pub fn $method<I>(self, values: I) -> $filter
        where
            I: IntoIterator,
            I::Item: Into<String>,
        {
            self.build($operator::$variant, string_list(values))
        }
    };
    ($builder:ident -> $filter:ident, $operator:ident, $what:literal) => {
        impl $builder {
            /// A case-sensitive builder for a filter on `column_id`.
            pub(super) fn new(column_id: String) -> Self {
                $builder {
                    column_id,
                    case_sensitive: true,
                }
            }

            fn build(self, operator: $operator, value: impl Into<TextValue>) -> $filter {
                $filter {
                    column_id: self.column_id,
                    operator,
                    value: value.into(),
                    case_sensitive: self.case_sensitive,
                }
            }

            fn single(self, operator: $operator, value: impl Into<String>) -> $filter {
                self.build(operator, TextValue::Single(value.into()))
            }

            #[doc = concat!(
                "Makes matching case-insensitive; same as calling\n[`",
                stringify!($filter),
                "::case_insensitive`] afterwards."
            )]
            pub fn case_insensitive(self) -> Self {
                self.case_sensitive(false)
            }

            /// Sets `"case_sensitive"` (default `true`).
            pub fn case_sensitive(mut self, case_sensitive: bool) -> Self {
                self.case_sensitive = case_sensitive;
                self
            }

            string_builder_common!(@list $filter, $operator, one_of, OneOf, $what, "one of");
            string_builder_common!(@list $filter, $operator, not_in, NotIn, $what, "none of");
        }
    };
}

pub(super) use {string_builder_common, string_filter_common};

/// A list of strings from anything that yields them.
pub(super) fn string_list<I>(values: I) -> TextValue
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    TextValue::List(values.into_iter().map(Into::into).collect())
}
