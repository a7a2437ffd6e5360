//! The one place the builders' operator methods are written: [`operator_methods!`]
//! turns a table of operators into methods, each with its aliases and, for dates,
//! its `*_str` twin.
//!
//! Invariants: an alias calls its method and nothing else, so `eq` and `equals`
//! (or `after` and `gt`) cannot drift apart; a `*_str` twin parses its text with the
//! builder's `parse` and the same operator as its method, so the twin and the method
//! build the same filter from the same instant.

/// Writes operator methods into a builder's `impl` block.
///
/// ```text
/// operator_methods! {
///     DateFilterBuilder -> DateFilter, value: impl Into<DateTime<Utc>> => compare;
///     /// `gt`: the date is strictly after `value`.
///     after / gt, text after_str => DateOperator::Gt;
/// }
/// ```
///
/// writes `after(value)` as `self.compare(DateOperator::Gt, value)`, `gt` as an alias
/// of `after`, and `after_str(text)` as `self.parse(DateOperator::Gt, text)`. Docs
/// before a method are its docs; docs after `text` are added to the twin's.
macro_rules! operator_methods {
    (
        $builder:ident -> $filter:ident, $value:ident: $value_ty:ty => $make:ident;
        $(
            $(#[$doc:meta])*
            $method:ident $(/ $alias:ident)* $(, text $(#[$twin_doc:meta])* $twin:ident)? => $operator:expr;
        )+
    ) => {
        $(
            $(#[$doc])*
            pub fn $method(self, $value: $value_ty) -> $filter {
                self.$make($operator, $value)
            }

            $(
                #[doc = concat!("Alias of [`", stringify!($builder), "::", stringify!($method), "`].")]
                pub fn $alias(self, $value: $value_ty) -> $filter {
                    self.$method($value)
                }
            )*

            $(
                #[doc = concat!("[`", stringify!($builder), "::", stringify!($method), "`] with RFC 3339 text.")]
                $(#[$twin_doc])*
                pub fn $twin(self, text: &str) -> Result<$filter, FilterError> {
                    self.parse($operator, text)
                }
            )?
        )+
    };
}

pub(super) use operator_methods;
