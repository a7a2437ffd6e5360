//! Incremental exports: where the last export stopped, so the next one brings only what
//! is new, each record exactly once across runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The version of the checkpoint format this crate writes and reads.
const VERSION: u32 = 1;

/// Where an export left off: the newest `created_at` it delivered and every record
/// delivered at exactly that timestamp. Get the next one from
/// [`ExportSummary::checkpoint`](crate::ExportSummary::checkpoint) (or
/// [`RecordStream::checkpoint`](crate::RecordStream::checkpoint)) once an export has
/// completed, store it (it is `serde`, versioned), and pass it to
/// [`ExportBuilder::after`](crate::ExportBuilder::after) next time: that export brings
/// the records newer than it, plus those at its timestamp that were not delivered yet.
///
/// Records are told apart by their `id` (its JSON text; a record without one by its
/// whole line), so records that share a timestamp are neither lost nor repeated, whatever
/// order the server gives them.
///
/// ```
/// use galileo_export::Checkpoint;
///
/// let text = r#"{"version":1,"created_at":"2026-03-01T12:00:00Z","identities":["\"a\""]}"#;
/// let checkpoint: Checkpoint = serde_json::from_str(text)?;
/// assert_eq!(checkpoint.created_at().to_rfc3339(), "2026-03-01T12:00:00+00:00");
/// assert_eq!(checkpoint.identities(), ["\"a\""]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct Checkpoint {
    version: u32,
    created_at: DateTime<Utc>,
    identities: Vec<String>,
}

/// The serialized form, checked on the way in.
#[derive(Deserialize)]
struct Stored {
    version: u32,
    created_at: DateTime<Utc>,
    identities: Vec<String>,
}

impl TryFrom<Stored> for Checkpoint {
    type Error = String;

    fn try_from(stored: Stored) -> Result<Self, String> {
        if stored.version != VERSION {
            return Err(format!(
                "checkpoint version {} is not supported (this galileo-export reads version {VERSION})",
                stored.version
            ));
        }
        Ok(Checkpoint::new(stored.created_at, stored.identities))
    }
}

impl Checkpoint {
    pub(crate) fn new(created_at: DateTime<Utc>, mut identities: Vec<String>) -> Self {
        identities.sort();
        identities.dedup();
        Self {
            version: VERSION,
            created_at,
            identities,
        }
    }

    /// The newest `created_at` delivered.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The records delivered at [`created_at`](Self::created_at): the JSON text of each
    /// one's `id` (or of the whole record, for one without an `id`), sorted.
    pub fn identities(&self) -> &[String] {
        &self.identities
    }
}
