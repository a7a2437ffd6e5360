//! Where an export stands in the native order (`created_at`, `id` descending): a
//! record's key (its time and identity), the boundary of a resume or a checkpoint (a
//! timestamp and the multiset of identities delivered at it), and the leading run of
//! timestamps that becomes the next checkpoint. JSON Lines framing and CSV keys both
//! keep their books with these, so the rules (see [`crate::checkpoint`]) are one.

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;

use crate::checkpoint::{parse_timestamp, Checkpoint, Identities, Identity};

/// Where a resumed export continues: the `created_at` of the last record delivered,
/// and who was delivered at that timestamp, with their copies.
#[derive(Debug, Clone)]
pub(crate) struct Boundary {
    pub(crate) created_at: DateTime<Utc>,
    pub(super) seen: Identities,
}

impl Boundary {
    pub(super) fn from_checkpoint(checkpoint: &Checkpoint) -> Self {
        Boundary {
            created_at: checkpoint.created_at(),
            seen: checkpoint.identities(),
        }
    }

    pub(super) fn into_checkpoint(self) -> Checkpoint {
        Checkpoint::new(self.created_at, &self.seen)
    }

    /// One more record delivered: at the boundary's timestamp (or without one), it joins
    /// the run; at another, it starts a new boundary.
    pub(super) fn follow(boundary: &mut Option<Boundary>, key: RecordKey) {
        match (boundary.as_mut(), key.created_at) {
            (Some(b), None) => b.seen.add(key.identity),
            (Some(b), Some(t)) if b.created_at == t => b.seen.add(key.identity),
            (_, Some(t)) => {
                *boundary = Some(Boundary {
                    created_at: t,
                    seen: Identities::of(key.identity),
                })
            }
            (None, None) => {}
        }
    }
}

/// The leading run of an export in the native order: the newest timestamp and who was
/// handed on at it (`done` once an older record was seen).
#[derive(Debug, Default)]
pub(crate) struct NewestRun {
    pub(super) run: Option<Boundary>,
    pub(super) done: bool,
}

/// Follow the leading run through a record handed on at `created_at`.
pub(super) fn note_newest(newest: &mut NewestRun, created_at: DateTime<Utc>, identity: Identity) {
    match &mut newest.run {
        None => {
            newest.run = Some(Boundary {
                created_at,
                seen: Identities::of(identity),
            })
        }
        Some(run) if run.created_at == created_at => run.seen.add(identity),
        Some(_) => newest.done = true,
    }
}

/// Take one delivered copy of a record out of `left` (the part of a boundary not met
/// again yet): whether the record was delivered before. Once past the boundary's
/// timestamp (an older record, in the native order), nothing further was: `left` ends.
pub(super) fn delivered(left: &mut Option<Boundary>, key: &RecordKey) -> bool {
    let Some(boundary) = left.as_mut() else {
        return false;
    };
    match key.created_at {
        Some(t) if t < boundary.created_at => {
            *left = None;
            false
        }
        Some(t) if t > boundary.created_at => false,
        _ => boundary.seen.take(&key.identity),
    }
}

#[derive(serde::Deserialize)]
struct KeyFields<'a> {
    #[serde(borrow, default)]
    created_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

/// A record's place in the native order and who it is.
#[derive(Debug, Clone)]
pub(crate) struct RecordKey {
    /// Its `created_at`, if it has one that reads as a time.
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) identity: Identity,
}

/// The key of a JSON Lines record: its `created_at` (see
/// [`parse_timestamp`]) and its identity (the
/// `id`'s value, else the whole line).
pub(super) fn key_of(line: &[u8]) -> RecordKey {
    let Ok(fields) = serde_json::from_slice::<KeyFields<'_>>(line) else {
        return RecordKey {
            created_at: None,
            identity: Identity::of_record(line),
        };
    };
    let created_at = fields
        .created_at
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .and_then(|text| parse_timestamp(&text));
    let identity = fields
        .id
        .and_then(|id| Identity::from_json_id(id.get()))
        .unwrap_or_else(|| Identity::of_record(line));
    RecordKey {
        created_at,
        identity,
    }
}
