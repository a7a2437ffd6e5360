//! The validated request: what a schema-valid body says, in the mock's own types.
//!
//! Invariant: a value of these types passed every schema check; the checks that need the
//! data set (columns, run ids) come later, in planning.

use galileo_export::filter::{FilterKind, Operator};
use uuid::Uuid;

use crate::data::RootType;

/// Requested output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ExportFormat {
    Csv,
    Jsonl,
}

/// Which request field named the log stream / experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunField {
    LogStream,
    Experiment,
    MetricsTesting,
}

impl RunField {
    pub fn label(self) -> &'static str {
        match self {
            RunField::LogStream => "Log stream",
            RunField::Experiment => "Experiment",
            RunField::MetricsTesting => "Metrics testing run",
        }
    }
}

/// A number filter's operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NumOp {
    /// `eq`, `ne`, `gt`, `gte`, `lt` or `lte` and the number compared with.
    Cmp(Operator, f64),
    Between(f64, f64),
}

/// One schema-valid filter.
#[derive(Clone, Debug)]
pub(crate) enum FilterReq {
    Id {
        column_id: String,
        op: Operator,
        /// Parsed uuids for eq/ne/one_of/not_in; empty for contains.
        ids: Vec<Uuid>,
        /// The raw string for contains.
        needle: String,
    },
    Date {
        column_id: String,
        op: Operator,
        value_us: i64,
    },
    Number {
        column_id: String,
        op: NumOp,
    },
    Boolean {
        column_id: String,
        eq: bool,
        value: bool,
    },
    Collection {
        column_id: String,
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
    Text {
        column_id: String,
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
    FullyAnnotated,
}

impl FilterReq {
    /// The column the filter tests and the filter's kind; `None` for `fully_annotated`,
    /// which names no column of the record.
    pub fn column(&self) -> Option<(&str, FilterKind)> {
        let (column_id, kind) = match self {
            FilterReq::Id { column_id, .. } => (column_id, FilterKind::Id),
            FilterReq::Date { column_id, .. } => (column_id, FilterKind::Date),
            FilterReq::Number { column_id, .. } => (column_id, FilterKind::Number),
            FilterReq::Boolean { column_id, .. } => (column_id, FilterKind::Boolean),
            FilterReq::Collection { column_id, .. } => (column_id, FilterKind::Collection),
            FilterReq::Text { column_id, .. } => (column_id, FilterKind::Text),
            FilterReq::FullyAnnotated => return None,
        };
        Some((column_id, kind))
    }
}

/// The sort clause.
#[derive(Clone, Debug)]
pub(crate) struct SortReq {
    pub column_id: String,
    pub ascending: bool,
}

/// A schema-valid export request.
#[derive(Clone, Debug)]
pub(crate) struct ExportRequest {
    pub root: RootType,
    pub format: ExportFormat,
    pub redact: bool,
    pub file_name: Option<String>,
    pub run: (RunField, Uuid),
    pub filters: Vec<FilterReq>,
    pub sort: Option<SortReq>,
    pub column_ids: Option<Vec<String>>,
}
