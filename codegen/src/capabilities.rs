//! Capabilities beyond Export Records that the handwritten layer offers when the spec has
//! their operations: resolving names (projects, log streams, experiments) and counting
//! records. The decision is made here, from the generated operations, and told to the
//! crate twice: as `cfg` flags (`build.rs` prints [`cargo_directives`], so library code
//! for a capability compiles only when its operations exist) and as constants in the
//! `spec` module (so a program can say which operation is missing).
//!
//! Invariant: a capability is on only when every one of its operations was generated
//! with the clean name, method and path the handwritten layer calls; one missing or
//! different operation turns it off, and is named.

use crate::normalize::Report;

/// One operation a capability calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    /// The clean method name on the generated client.
    pub name: &'static str,
    /// HTTP method, lower case.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
}

/// A capability: its `cfg` flag, what it gives, and the operations it calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    /// The `cfg` flag set when the spec has every operation (`galileo_has_…`).
    pub cfg: &'static str,
    /// The constant's name in `spec::capabilities` (upper case).
    pub constant: &'static str,
    /// What it gives, as a phrase ("resolving project, log stream and experiment names").
    pub what: &'static str,
    /// The operations it calls, all needed.
    pub operations: &'static [Needed],
}

const fn get(name: &'static str, path: &'static str) -> Needed {
    Needed {
        name,
        method: "get",
        path,
    }
}

const fn post(name: &'static str, path: &'static str) -> Needed {
    Needed {
        name,
        method: "post",
        path,
    }
}

/// Resolving names: a project by name (`GET /projects?project_name=`), a log stream or
/// an experiment by name within a project (their paginated lists).
pub const PROJECT_LOOKUP: Capability = Capability {
    cfg: "galileo_has_project_lookup",
    constant: "PROJECT_LOOKUP",
    what: "resolving project, log stream and experiment names",
    operations: &[
        get("get_projects", "/projects"),
        get(
            "list_log_streams_paginated",
            "/projects/{project_id}/log_streams/paginated",
        ),
        get(
            "list_experiments_paginated",
            "/projects/{project_id}/experiments/paginated",
        ),
    ],
};

/// Counting the records an export will deliver (traces, spans, sessions), with the
/// export's filters.
pub const COUNTS: Capability = Capability {
    cfg: "galileo_has_counts",
    constant: "COUNTS",
    what: "counting records (progress as a percentage)",
    operations: &[
        post("count_traces", "/projects/{project_id}/traces/count"),
        post("count_spans", "/projects/{project_id}/spans/count"),
        post("count_sessions", "/projects/{project_id}/sessions/count"),
    ],
};

/// Every capability, in the order the `spec` module lists them.
pub const ALL: &[Capability] = &[PROJECT_LOOKUP, COUNTS];

/// Whether a spec provides a capability, and if not, which operations it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The capability.
    pub capability: Capability,
    /// Its operations the generated client lacks (empty: the capability is on).
    pub missing: Vec<Needed>,
}

impl Decision {
    /// Whether every operation is there.
    pub fn available(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Decide every capability from the generated operations.
pub fn decide(report: &Report) -> Vec<Decision> {
    ALL.iter()
        .map(|capability| Decision {
            capability: *capability,
            missing: capability
                .operations
                .iter()
                .filter(|needed| {
                    !report.operations.iter().any(|o| {
                        o.name == needed.name && o.method == needed.method && o.path == needed.path
                    })
                })
                .copied()
                .collect(),
        })
        .collect()
}

/// The lines `build.rs` prints: `cargo::rustc-check-cfg` for every flag (so a flag that
/// is off is still a known name), `cargo::rustc-cfg` for each flag that is on, and the
/// same two lists as `cargo::metadata` (`cfg_all`, `cfg_on`) for the crates that depend
/// on the library (its `links` key makes them `DEP_GALILEO_EXPORT_CFG_ALL` and
/// `DEP_GALILEO_EXPORT_CFG_ON` in their build scripts).
pub fn cargo_directives(decisions: &[Decision]) -> Vec<String> {
    let mut lines: Vec<String> = decisions
        .iter()
        .map(|d| format!("cargo::rustc-check-cfg=cfg({})", d.capability.cfg))
        .collect();
    let on: Vec<&str> = decisions
        .iter()
        .filter(|d| d.available())
        .map(|d| d.capability.cfg)
        .collect();
    lines.extend(on.iter().map(|cfg| format!("cargo::rustc-cfg={cfg}")));
    let all: Vec<&str> = decisions.iter().map(|d| d.capability.cfg).collect();
    lines.push(format!("cargo::metadata=cfg_all={}", all.join(",")));
    lines.push(format!("cargo::metadata=cfg_on={}", on.join(",")));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::OperationInfo;

    fn report(ops: &[(&str, &str, &str)]) -> Report {
        Report {
            operations: ops
                .iter()
                .map(|(name, method, path)| OperationInfo {
                    name: name.to_string(),
                    operation_id: format!("{name}_id"),
                    method: method.to_string(),
                    path: path.to_string(),
                })
                .collect(),
            ..Report::default()
        }
    }

    fn all_ops() -> Vec<(&'static str, &'static str, &'static str)> {
        ALL.iter()
            .flat_map(|c| c.operations.iter().map(|o| (o.name, o.method, o.path)))
            .collect()
    }

    #[test]
    fn export_only_spec_has_no_capability() {
        let decisions = decide(&report(&[(
            "export_records",
            "post",
            "/v2/projects/{project_id}/export_records",
        )]));
        assert_eq!(decisions.len(), 2);
        assert!(decisions.iter().all(|d| !d.available()));
        assert_eq!(decisions[1].missing.len(), 3);
        let lines = cargo_directives(&decisions);
        assert_eq!(
            lines,
            [
                "cargo::rustc-check-cfg=cfg(galileo_has_project_lookup)",
                "cargo::rustc-check-cfg=cfg(galileo_has_counts)",
                "cargo::metadata=cfg_all=galileo_has_project_lookup,galileo_has_counts",
                "cargo::metadata=cfg_on=",
            ]
        );
    }

    #[test]
    fn every_operation_turns_everything_on() {
        let decisions = decide(&report(&all_ops()));
        assert!(decisions.iter().all(Decision::available));
        let lines = cargo_directives(&decisions);
        assert!(lines.contains(&"cargo::rustc-cfg=galileo_has_project_lookup".to_string()));
        assert!(lines.contains(&"cargo::rustc-cfg=galileo_has_counts".to_string()));
        assert_eq!(
            lines.last().map(String::as_str),
            Some("cargo::metadata=cfg_on=galileo_has_project_lookup,galileo_has_counts")
        );
    }

    #[test]
    fn one_missing_or_different_operation_turns_its_capability_off() {
        // Counts without sessions/count: counts off, names on.
        let mut ops = all_ops();
        ops.retain(|o| o.0 != "count_sessions");
        let decisions = decide(&report(&ops));
        assert!(decisions[0].available());
        assert_eq!(decisions[1].missing, [COUNTS.operations[2]]);
        // The same name at another method: not the operation the layer calls.
        let mut ops = all_ops();
        for op in &mut ops {
            if op.0 == "get_projects" {
                op.1 = "post";
            }
        }
        let decisions = decide(&report(&ops));
        assert!(!decisions[0].available());
        assert!(decisions[1].available());
        assert_eq!(decisions[0].missing[0].name, "get_projects");
    }

    #[test]
    fn the_full_spec_has_both_and_the_vendored_spec_neither() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let vendored = crate::parse::read_spec(&root.join("openapi/export-records.openapi.yaml"))
            .expect("vendored spec");
        let (_, report) = crate::normalize(vendored).expect("normalizes");
        assert!(decide(&report).iter().all(|d| !d.available()));
        let full = crate::parse::read_spec(&root.join("tests/fixtures/galileo-openapi-full.yaml"))
            .expect("full spec");
        let (_, report) = crate::normalize(full).expect("normalizes");
        let decisions = decide(&report);
        assert!(decisions.iter().all(Decision::available), "{decisions:?}");
    }
}
