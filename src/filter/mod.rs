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
//!     Filter::number("metrics/duration_ns").between(100, 250).into(),
//!     Filter::boolean("is_complete").is_false().into(),
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
//!   [`Uuid`](uuid::Uuid)s (or a text fragment for `contains`), dates are
//!   [`DateTime<Utc>`](chrono::DateTime). JSON that does not fit is a
//!   deserialization error whose message is a [`FilterError`] naming the
//!   column.
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
//!
//! # Layout
//!
//! [`FilterKind`], [`Operator`] and the per-kind operator enums live in
//! `vocabulary`; the values ([`Number`], [`TextValue`], [`IdValue`], dates) in
//! `value`; [`FilterError`] and the checks behind `validate()` in `error`;
//! [`Filter`] and its serde in `entry`. Each kind has its own file with its
//! filter, its wire form and its builder (`id`, `date`, `number`, `boolean`,
//! `collection`, `text`, `fully_annotated`); `string` holds what collection and
//! text filters share, `wire` the private `"type"` tags of the wire forms, and
//! `methods` the one macro that writes every builder's operator methods with
//! their aliases (`eq`/`equals`, `after`/`gt`, …) and `*_str` twins. Every item
//! is re-exported here, so its path is `galileo_export::filter::Item`.

mod methods;

mod boolean;
mod collection;
mod date;
mod entry;
mod error;
mod fully_annotated;
mod id;
mod number;
mod string;
mod text;
mod value;
mod vocabulary;
mod wire;

pub use boolean::{BooleanFilter, BooleanFilterBuilder};
pub use collection::{CollectionFilter, CollectionFilterBuilder};
pub use date::{DateFilter, DateFilterBuilder};
pub use entry::Filter;
pub use error::FilterError;
pub use fully_annotated::FullyAnnotatedFilter;
pub use id::{IdFilter, IdFilterBuilder};
pub use number::{NumberFilter, NumberFilterBuilder};
pub use text::{TextFilter, TextFilterBuilder};
pub use value::{IdValue, Number, NumberValue, TextValue};
pub use vocabulary::{
    BooleanOperator, CollectionOperator, DateOperator, FilterKind, IdOperator, NumberOperator,
    Operator, TextOperator,
};
