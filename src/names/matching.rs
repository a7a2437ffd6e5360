//! Choosing among listed names: the exact match, the near matches when there is none,
//! the oldest log stream.
//!
//! Invariant: [`pick`] succeeds exactly when one item has the name, byte for byte; the
//! near matches never decide anything, they only help the message.

use uuid::Uuid;

use super::Named;
use crate::name_error::{NameError, NameKind, LISTED};

/// The one item named `name`, or why not.
pub(super) fn pick(
    kind: NameKind,
    name: &str,
    project: Option<Uuid>,
    items: &[Named],
) -> Result<Named, NameError> {
    let exact: Vec<&Named> = items.iter().filter(|n| n.name == name).collect();
    match exact.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(missing(kind, name, project, items)),
        several => Err(NameError::Ambiguous {
            kind,
            name: name.to_string(),
            project,
            ids: several.iter().map(|n| n.id).collect(),
        }),
    }
}

/// No item is named `name`: the error, with the names of `items` that come close.
pub(super) fn missing(
    kind: NameKind,
    name: &str,
    project: Option<Uuid>,
    items: &[Named],
) -> NameError {
    NameError::Missing {
        kind,
        name: name.to_string(),
        project,
        near: near(name, items.iter().map(|n| n.name.as_str())),
    }
}

/// The oldest item: the earliest `created_at` (one without comes last), then the
/// smallest id.
pub(super) fn oldest(items: &[Named]) -> Option<Named> {
    items
        .iter()
        .min_by_key(|n| (n.created_at.is_none(), n.created_at, n.id))
        .cloned()
}

/// Names compared at most this long (a longer one is compared by its start).
const COMPARED_CHARS: usize = 64;

/// Distinct names close to `name`, nearest first, at most [`LISTED`]: the same but for
/// case or surrounding spaces, one containing the other, or a few typos apart.
pub(super) fn near<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = fold(name);
    let mut scored: Vec<(usize, &str)> = names
        .filter(|candidate| *candidate != name)
        .filter_map(|candidate| {
            let folded = fold(candidate);
            let distance = if folded == wanted {
                0
            } else if !wanted.is_empty()
                && !folded.is_empty()
                && (folded.contains(&wanted) || wanted.contains(&folded))
            {
                1
            } else {
                let d = edit_distance(&wanted, &folded);
                let allowed = (wanted.chars().count() / 4).max(1);
                if d > allowed {
                    return None;
                }
                1 + d
            };
            Some((distance, candidate))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(LISTED)
        .map(|(_, n)| n.to_string())
        .collect()
}

fn fold(name: &str) -> String {
    name.trim()
        .chars()
        .take(COMPARED_CHARS)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(names: &[&str]) -> Vec<Named> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| Named {
                id: Uuid::from_u128(i as u128 + 1),
                name: n.to_string(),
                created_at: None,
            })
            .collect()
    }

    #[test]
    fn near_matches_are_case_parts_and_typos_nearest_first() {
        let names = [
            "Production",
            "prod-eu",
            "staging",
            "produktion",
            "dev",
            "prod",
        ];
        assert_eq!(
            near("production", names.iter().copied()),
            ["Production", "prod", "produktion"]
        );
        assert!(near("zzz", names.iter().copied()).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_oldest_is_the_earliest_then_the_smallest_id() {
        let t = |s: &str| Some(s.parse().expect("a time"));
        let mut all = items(&["b", "a", "c"]);
        all[0].created_at = t("2026-01-02T00:00:00Z");
        all[1].created_at = None;
        all[2].created_at = t("2026-01-01T00:00:00Z");
        assert_eq!(oldest(&all).map(|n| n.name), Some("c".into()));
        all[0].created_at = all[2].created_at;
        assert_eq!(oldest(&all).map(|n| n.name), Some("b".into()));
        assert_eq!(oldest(&[]), None);
    }

    proptest! {
        /// `pick` resolves a name exactly when one item has it; otherwise the error says
        /// how many have it (the ids of all) or, when none, lists no exact match as near.
        #[test]
        fn pick_is_exact(names in proptest::collection::vec("[aAbB -]{0,4}", 0..8), name in "[aAbB -]{0,4}") {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let all = items(&names);
            let count = names.iter().filter(|n| **n == name).count();
            match pick(NameKind::LogStream, &name, None, &all) {
                Ok(found) => {
                    prop_assert_eq!(count, 1);
                    prop_assert_eq!(found.name, name);
                }
                Err(NameError::Ambiguous { ids, .. }) => prop_assert_eq!(ids.len(), count),
                Err(NameError::Missing { near, .. }) => {
                    prop_assert_eq!(count, 0);
                    prop_assert!(near.len() <= LISTED);
                    prop_assert!(near.iter().all(|n| *n != name && names.contains(&n.as_str())));
                }
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }
}
