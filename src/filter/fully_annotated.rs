//! Fully-annotated filters: [`FullyAnnotatedFilter`] and its wire form.
//!
//! Invariants: the `column_id` is always `"fully_annotated"` (another one is
//! refused on the way in); `user_ids` is written only when set, and then must be
//! a non-empty list of version-4 UUIDs for [`FullyAnnotatedFilter::validate`].

use serde::de::{self, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::FilterError;
use super::vocabulary::FilterKind;
use super::wire::FullyAnnotatedTag;
#[cfg(doc)]
use super::Filter;

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
