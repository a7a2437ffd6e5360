//! The names the server knows: its projects, the log streams and experiments of its
//! project, and how its list and count operations answer (page size cap, a count that
//! is off on purpose). Served by `GET /projects`, the paginated log stream and
//! experiment lists and the count operations, when the spec has them.
//!
//! Invariant: the data set's project and log stream are always listed, and the data
//! set's log stream is the oldest of its project (so it is the default log stream);
//! every other entry is empty of records. Ids are UUID version 4, derived from the seed.

use uuid::Uuid;

/// The data set's log stream's `created_at`; every other entry is younger.
const FIRST_CREATED: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
/// Between two entries' `created_at`.
const SPACING: i64 = 86_400;

/// One project, log stream or experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Its id (UUID version 4).
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// When it was created, RFC 3339 (`2025-01-01T00:00:00Z`).
    pub created_at: String,
}

/// What the builder collects: names and answers of the list and count operations.
#[derive(Clone, Debug)]
pub(crate) struct CatalogConfig {
    pub project_name: String,
    pub log_stream_name: String,
    pub extra_projects: Vec<String>,
    pub extra_log_streams: Vec<String>,
    pub experiments: Vec<String>,
    pub page_size_cap: u64,
    pub count_offset: i64,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        CatalogConfig {
            project_name: "mock-project".into(),
            log_stream_name: "default".into(),
            extra_projects: Vec::new(),
            extra_log_streams: Vec::new(),
            experiments: Vec::new(),
            page_size_cap: 100,
            count_offset: 0,
        }
    }
}

/// The names served, with ids and times.
#[derive(Clone, Debug)]
pub(crate) struct Catalog {
    /// Every project, the data set's first.
    pub projects: Vec<CatalogEntry>,
    /// The log streams of the data set's project, newest first (as listed).
    pub log_streams: Vec<CatalogEntry>,
    /// The experiments of the data set's project, newest first (as listed).
    pub experiments: Vec<CatalogEntry>,
    /// The largest page the paginated lists give, whatever `limit` asks.
    pub page_size_cap: u64,
    /// Added to every count answered (saturating at 0).
    pub count_offset: i64,
}

/// A UUID version 4 that is a pure function of `(seed, tag, index)`.
fn derived_uuid(seed: u64, tag: u64, index: u64) -> Uuid {
    let mut x = seed ^ tag.rotate_left(32) ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_mut(8) {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        half.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn created_at(step: usize) -> String {
    let at = FIRST_CREATED + step as i64 * SPACING;
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn entries(seed: u64, tag: u64, names: &[String], first_step: usize) -> Vec<CatalogEntry> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| CatalogEntry {
            id: derived_uuid(seed, tag, i as u64),
            name: name.clone(),
            created_at: created_at(first_step + i),
        })
        .collect()
}

impl Catalog {
    /// The catalog of a data set with project `project` and log stream `log_stream`.
    pub(crate) fn new(cfg: &CatalogConfig, seed: u64, project: Uuid, log_stream: Uuid) -> Self {
        let mut projects = vec![CatalogEntry {
            id: project,
            name: cfg.project_name.clone(),
            created_at: created_at(0),
        }];
        projects.extend(entries(seed, 1, &cfg.extra_projects, 1));
        let mut log_streams = vec![CatalogEntry {
            id: log_stream,
            name: cfg.log_stream_name.clone(),
            created_at: created_at(0),
        }];
        log_streams.extend(entries(seed, 2, &cfg.extra_log_streams, 1));
        log_streams.reverse();
        let mut experiments = entries(seed, 3, &cfg.experiments, 1);
        experiments.reverse();
        Catalog {
            projects,
            log_streams,
            experiments,
            page_size_cap: cfg.page_size_cap.max(1),
            count_offset: cfg.count_offset,
        }
    }

    /// `count` as answered: off by the configured offset, never below 0.
    pub(crate) fn answered_count(&self, count: u64) -> u64 {
        let count = i128::from(count) + i128::from(self.count_offset);
        u64::try_from(count.max(0)).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_sets_log_stream_is_the_oldest_and_ids_are_v4() {
        let cfg = CatalogConfig {
            extra_log_streams: vec!["a".into(), "b".into()],
            experiments: vec!["e".into()],
            extra_projects: vec!["p".into()],
            ..CatalogConfig::default()
        };
        let (project, stream) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let catalog = Catalog::new(&cfg, 7, project, stream);
        let oldest = catalog
            .log_streams
            .iter()
            .min_by_key(|e| e.created_at.clone())
            .map(|e| e.id);
        assert_eq!(oldest, Some(stream));
        assert_eq!(catalog.log_streams.last().map(|e| e.id), Some(stream));
        assert_eq!(catalog.log_streams[0].created_at, "2025-01-03T00:00:00Z");
        for e in catalog.projects[1..].iter().chain(&catalog.experiments) {
            assert_eq!(e.id.get_version_num(), 4);
        }
        assert_eq!(catalog.answered_count(5), 5);
        let off = Catalog::new(
            &CatalogConfig {
                count_offset: -9,
                ..CatalogConfig::default()
            },
            0,
            project,
            stream,
        );
        assert_eq!(off.answered_count(5), 0);
    }
}
