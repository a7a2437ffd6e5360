//! [`Filter`], one entry of the `filters` array, with its constructors and its
//! serde: it serializes as the kind it holds and deserializes by its `"type"`.
//!
//! Invariants: an unknown or missing `"type"` is an error; every kind converts
//! into [`Filter`] with `.into()` and serializes on its own to the same JSON.

use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::boolean::{BooleanFilter, BooleanFilterBuilder};
use super::collection::{CollectionFilter, CollectionFilterBuilder};
use super::date::{DateFilter, DateFilterBuilder};
use super::error::FilterError;
use super::fully_annotated::FullyAnnotatedFilter;
use super::id::{IdFilter, IdFilterBuilder};
use super::number::{NumberFilter, NumberFilterBuilder};
use super::text::{TextFilter, TextFilterBuilder};
use super::vocabulary::FilterKind;

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
        IdFilterBuilder::new(column_id.into())
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
        DateFilterBuilder::new(column_id.into())
    }

    /// Starts a number filter on `column_id` (e.g. `"metrics/duration_ns"`).
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::number("metrics/duration_ns").between(100, 250))?,
    ///     json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "between",
    ///            "value": [100, 250]})
    /// );
    /// assert_eq!(
    ///     serde_json::to_string(&Filter::number("score").greater_than_or_equal(0.8))?,
    ///     r#"{"type":"number","column_id":"score","operator":"gte","value":0.8}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn number(column_id: impl Into<String>) -> NumberFilterBuilder {
        NumberFilterBuilder::new(column_id.into())
    }

    /// Starts a boolean filter on `column_id` (e.g. `"is_complete"`).
    ///
    /// ```
    /// use galileo_export::filter::Filter;
    /// use serde_json::json;
    ///
    /// assert_eq!(
    ///     serde_json::to_value(Filter::boolean("is_complete").is_true())?,
    ///     json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn boolean(column_id: impl Into<String>) -> BooleanFilterBuilder {
        BooleanFilterBuilder::new(column_id.into())
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
        CollectionFilterBuilder::new(column_id.into())
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
        TextFilterBuilder::new(column_id.into())
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
    /// let backwards: Filter = Filter::number("metrics/duration_ns").between(250, 100).into();
    /// assert!(matches!(backwards.validate(), Err(FilterError::InvertedRange { .. })));
    /// assert_eq!(
    ///     backwards.validate().unwrap_err().to_string(),
    ///     "number filter on column `metrics/duration_ns`: `between` needs low <= high, got [250, 100]"
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
    /// let filter = Filter::from(Filter::number("metrics/duration_ns").lt(f64::NAN)).validated();
    /// assert_eq!(
    ///     filter.unwrap_err().to_string(),
    ///     "number filter on column `metrics/duration_ns`: NaN is not a finite number"
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
