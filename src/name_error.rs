//! Why a name did not resolve to one project, log stream or experiment: none has it
//! (with the near matches), several have it, or a project has no log stream to default
//! to. Names came from the server or the user: every one shown is capped and has its
//! control characters escaped.

use std::fmt;

use uuid::Uuid;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A project.
    Project,
    /// A log stream of a project.
    LogStream,
    /// An experiment of a project.
    Experiment,
}

impl NameKind {
    /// `project`, `log stream` or `experiment`.
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Project => "project",
            NameKind::LogStream => "log stream",
            NameKind::Experiment => "experiment",
        }
    }
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Characters of a name shown in a message.
const NAME_CHARS: usize = 80;
/// Near matches or ids listed in a message.
pub(crate) const LISTED: usize = 5;

/// A name that did not resolve to exactly one project, log stream or experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing has this name (names match exactly, case included).
    Missing {
        /// What was looked for.
        kind: NameKind,
        /// The name asked for.
        name: String,
        /// The project searched, for a log stream or an experiment.
        project: Option<Uuid>,
        /// Names that come close (case, a part, a typo), nearest first, at most five.
        near: Vec<String>,
    },
    /// Several have this name.
    Ambiguous {
        /// What was looked for.
        kind: NameKind,
        /// The name asked for.
        name: String,
        /// The project searched, for a log stream or an experiment.
        project: Option<Uuid>,
        /// The ids of all that have it.
        ids: Vec<Uuid>,
    },
    /// The project has no log stream, so there is none to choose by default.
    NoLogStream {
        /// The project.
        project: Uuid,
    },
}

fn shown(name: &str) -> String {
    format!("\"{}\"", crate::text::sanitize(name, NAME_CHARS))
}

struct Within(Option<Uuid>);

impl fmt::Display for Within {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(project) => write!(f, " in project {project}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Missing {
                kind,
                name,
                project,
                near,
            } => {
                write!(f, "no {kind} named {}{}", shown(name), Within(*project))?;
                if near.is_empty() {
                    write!(f, " (names match exactly; none comes close)")
                } else {
                    let listed: Vec<String> = near.iter().take(LISTED).map(|n| shown(n)).collect();
                    write!(f, "; near: {}", listed.join(", "))
                }
            }
            NameError::Ambiguous {
                kind,
                name,
                project,
                ids,
            } => {
                let listed: Vec<String> = ids.iter().take(LISTED).map(Uuid::to_string).collect();
                let more = if ids.len() > LISTED { ", …" } else { "" };
                write!(
                    f,
                    "{} {kind}s are named {}{} ({}{more}): give the UUID instead",
                    ids.len(),
                    shown(name),
                    Within(*project),
                    listed.join(", ")
                )
            }
            NameError::NoLogStream { project } => write!(
                f,
                "project {project} has no log stream to export from by default: name one, or \
                 an experiment"
            ),
        }
    }
}

impl std::error::Error for NameError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cap_and_escape_what_they_show() {
        let missing = NameError::Missing {
            kind: NameKind::LogStream,
            name: "prod\u{1b}[2J".into(),
            project: Some(Uuid::nil()),
            near: (0..9).map(|i| format!("prod-{i}")).collect(),
        };
        assert_eq!(
            missing.to_string(),
            "no log stream named \"prod\\u{1b}[2J\" in project 00000000-0000-0000-0000-000000000000; \
             near: \"prod-0\", \"prod-1\", \"prod-2\", \"prod-3\", \"prod-4\""
        );
        let long = NameError::Missing {
            kind: NameKind::Project,
            name: "x".repeat(500),
            project: None,
            near: vec![],
        };
        let text = long.to_string();
        assert!(text.len() < 200, "{text}");
        assert!(text.ends_with("(names match exactly; none comes close)"));
        let ambiguous = NameError::Ambiguous {
            kind: NameKind::Experiment,
            name: "run".into(),
            project: None,
            ids: (1..=7).map(Uuid::from_u128).collect(),
        };
        let text = ambiguous.to_string();
        assert!(
            text.starts_with("7 experiments are named \"run\" ("),
            "{text}"
        );
        assert!(text.ends_with(", …): give the UUID instead"), "{text}");
    }
}
