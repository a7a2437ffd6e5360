//! What the wire forms of the filter kinds share: the private `"type"` tags that
//! accept only their own kind, the spec's `case_sensitive` default, and the one
//! way a four-field filter (`type`, `column_id`, `operator`, `value`) is written.
//!
//! Invariants: every filter kind writes `"type"` first and then its fields in the
//! spec's order; a tag deserializes from its own kind's name and nothing else.

use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::vocabulary::FilterKind;

/// A private, single-valued `"type"` tag: accepts only its own kind.
macro_rules! type_tag {
    ($name:ident = $wire:literal) => {
        #[doc = concat!("The `\"type\"` tag `", $wire, "`.")]
        #[derive(Deserialize)]
        pub(super) enum $name {
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

/// `case_sensitive` when the JSON leaves it out: `true`, as the spec says.
pub(super) fn default_true() -> bool {
    true
}

/// Writes `{"type", "column_id", "operator", "value"}`: the wire form of the id,
/// date, number and boolean filters, `name` being the struct's name for serde.
pub(super) fn serialize_filter<S, O, V>(
    serializer: S,
    name: &'static str,
    kind: FilterKind,
    column_id: &str,
    operator: O,
    value: &V,
) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    O: Serialize,
    V: Serialize + ?Sized,
{
    let mut s = serializer.serialize_struct(name, 4)?;
    s.serialize_field("type", kind.as_str())?;
    s.serialize_field("column_id", column_id)?;
    s.serialize_field("operator", &operator)?;
    s.serialize_field("value", value)?;
    s.end()
}
