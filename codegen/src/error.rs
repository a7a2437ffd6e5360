//! The one error type of the generator: which spec file, where in it, and why.

use std::fmt;
use std::path::PathBuf;

/// Where in the spec a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// No finer location is known (e.g. the file could not be read).
    File,
    /// A syntax error: 1-based line and column.
    LineColumn {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A JSON pointer into the document, e.g. `#/components/schemas/Foo/properties/bar`.
    Pointer(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::LineColumn { line, column } => write!(f, ":{line}:{column}"),
            Location::Pointer(p) => write!(f, " at {p}"),
        }
    }
}

/// A spec that cannot be located, read, parsed or generated.
///
/// `Display` gives one line: `<spec file><location>: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodegenError {
    /// The spec file (or the `openapi/` folder when no file could be chosen).
    pub file: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// What is wrong, in words a person can act on.
    pub reason: String,
}

impl CodegenError {
    /// A new error.
    pub fn new(file: impl Into<PathBuf>, location: Location, reason: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            location,
            reason: reason.into(),
        }
    }

    /// An error at a JSON pointer.
    pub fn at(
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(file, Location::Pointer(pointer.into()), reason)
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}: {}",
            self.file.display(),
            self.location,
            self.reason
        )
    }
}

impl std::error::Error for CodegenError {}

/// Escape one JSON-pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
