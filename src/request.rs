//! The export request: what is asked for, checked once, and the one conversion into the
//! generated `LogRecordsExportRequest`.
//!
//! The handwritten model ([`RequestBody`]: sources, [`RootType`], [`Filter`]s, sort,
//! [`ExportFormat`], …) knows nothing of generated type names. The spec names its filter
//! union and its members after pydantic classes, and a newer spec renames them
//! (`LogRecordsTextFilter` today, something else tomorrow); the builders and the CLI
//! must survive that drop-in. The generated request type stays the one thing that checks
//! and serializes the body: the model is turned into JSON and deserialized into
//! `LogRecordsExportRequest` exactly once per request ([`ExportRequest::new`]), so every
//! constraint the spec states (enums, required fields, the filter union's tags) is
//! enforced by the generated code, whatever it is called.
//!
//! A resumed export asks for "the same, up to a timestamp":
//! [`ExportRequest::narrowed`] adds a `created_at` date filter built with the
//! [`filter`](crate::filter) module's own builder and converts once more. Nothing edits
//! JSON by hand.

use std::fmt;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::api::types::LogRecordsExportRequest;
use crate::checkpoint::Checkpoint;
use crate::error::Error;
use crate::filter::{DateOperator, Filter};

/// The spec's description of `column_ids`, quoted when columns are set on a non-CSV export.
const COLUMNS_CSV_ONLY: &str = "Column IDs to include in the export. Applies only to CSV exports.";

/// Which records to export: the root of the step hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RootType {
    /// Sessions.
    Session,
    /// Traces (the default).
    #[default]
    Trace,
    /// Spans.
    Span,
}

impl RootType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            RootType::Session => "session",
            RootType::Trace => "trace",
            RootType::Span => "span",
        }
    }
}

impl fmt::Display for RootType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RootType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "session" => Ok(RootType::Session),
            "trace" => Ok(RootType::Trace),
            "span" => Ok(RootType::Span),
            other => Err(Error::InvalidRequest(format!(
                "unknown root type `{other}` (expected session, trace or span)"
            ))),
        }
    }
}

/// The export file format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExportFormat {
    /// JSON Lines (the default).
    #[default]
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Another format a newer spec offers (e.g. `jsonl_flat`), by its wire value.
    /// Formats whose value starts with `jsonl` are decoded as JSON Lines, `csv` as CSV.
    Other(String),
}

impl ExportFormat {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Other(s) => s,
        }
    }

    /// Whether records of this format are JSON Lines.
    pub fn is_json_lines(&self) -> bool {
        self.as_str().starts_with("jsonl")
    }

    /// Whether records of this format are CSV.
    pub fn is_csv(&self) -> bool {
        self.as_str().starts_with("csv")
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "jsonl" => ExportFormat::Jsonl,
            "csv" => ExportFormat::Csv,
            "" => return Err(Error::InvalidRequest("empty export format".into())),
            other => ExportFormat::Other(other.to_string()),
        })
    }
}

/// Where the records come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    LogStream(Uuid),
    Experiment(Uuid),
    MetricsTesting(Uuid),
}

impl Source {
    pub(crate) fn field(self) -> (&'static str, Uuid) {
        match self {
            Source::LogStream(id) => ("log_stream_id", id),
            Source::Experiment(id) => ("experiment_id", id),
            Source::MetricsTesting(id) => ("metrics_testing_id", id),
        }
    }
}

/// The direction of a sort, for [`ExportBuilder::sort`](crate::ExportBuilder::sort).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// Smallest first (on the wire: `"ascending": true`).
    Ascending,
    /// Largest (for dates: newest) first (on the wire: `"ascending": false`).
    Descending,
}

impl Order {
    /// Whether this is [`Order::Ascending`], the wire field `ascending`.
    ///
    /// ```
    /// use galileo_export::Order;
    ///
    /// assert!(Order::Ascending.is_ascending());
    /// assert!(!Order::Descending.is_ascending());
    /// ```
    pub fn is_ascending(self) -> bool {
        self == Order::Ascending
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Order::Ascending => "ascending",
            Order::Descending => "descending",
        })
    }
}

/// What the request asks for, as the builder collected it (unchecked).
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestBody {
    pub(crate) sources: Vec<Source>,
    pub(crate) root_type: RootType,
    pub(crate) filters: Vec<Filter>,
    pub(crate) sort: Option<(String, Order)>,
    pub(crate) format: ExportFormat,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) redact: bool,
    pub(crate) file_name: Option<String>,
    /// Fields set by wire name ([`ExportBuilder::field`](crate::ExportBuilder::field)).
    pub(crate) extra: Map<String, Value>,
    /// Only what is newer than this checkpoint (a `created_at` filter, plus framing's
    /// exclusion of what it names).
    pub(crate) after: Option<Checkpoint>,
    /// One of an incremental series ([`ExportBuilder::incremental`](crate::ExportBuilder::incremental)):
    /// the answer must give a checkpoint.
    pub(crate) incremental: bool,
}

impl RequestBody {
    pub(crate) fn new() -> Self {
        Self {
            redact: true,
            ..Self::default()
        }
    }

    /// The checks the generated type cannot express.
    fn check(&self, resume: bool) -> Result<(), Error> {
        match self.sources.as_slice() {
            [_] => {}
            [] => {
                return Err(Error::InvalidRequest(
                    "choose what to export from: .log_stream(id), .experiment(id) or .metrics_testing(id)".into(),
                ))
            }
            several => {
                let names: Vec<&str> = several.iter().map(|s| s.field().0).collect();
                return Err(Error::InvalidRequest(format!(
                    "exactly one of log_stream_id, experiment_id, metrics_testing_id may be set (got {})",
                    names.join(", ")
                )));
            }
        }
        for filter in &self.filters {
            filter.validate()?;
        }
        if let Some(columns) = &self.columns {
            if !self.format.is_csv() {
                return Err(Error::InvalidRequest(format!(
                    "columns were set for a {} export, but the spec says: \"{COLUMNS_CSV_ONLY}\"",
                    self.format
                )));
            }
            if columns.is_empty() {
                return Err(Error::InvalidRequest("columns: the list is empty".into()));
            }
            if let Some(c) = columns.iter().find(|c| c.trim().is_empty()) {
                return Err(Error::InvalidRequest(format!(
                    "columns: `{c}` is not a column id"
                )));
            }
        }
        if let Some((column, _)) = &self.sort {
            if column.trim().is_empty() {
                return Err(Error::InvalidRequest("sort: the column id is empty".into()));
            }
        }
        if self
            .file_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(Error::InvalidRequest("file_name is empty".into()));
        }
        if self.after.is_some() || self.incremental {
            if !self.format.is_json_lines() && !self.format.is_csv() {
                return Err(Error::InvalidRequest(format!(
                    "an incremental export (after a checkpoint) needs JSON Lines, CSV or Parquet \
                     (records with created_at and id); this one is {}",
                    self.format
                )));
            }
            if let Some(missing) = self.csv_lacks_keys() {
                return Err(Error::InvalidRequest(format!(
                    "an incremental CSV export needs the `{missing}` column: add it to columns"
                )));
            }
            if !self.native_order() {
                return Err(Error::InvalidRequest(
                    "an incremental export (after a checkpoint) needs the native sort (created_at, id descending)".into(),
                ));
            }
            if let Some(why) = self
                .after
                .as_ref()
                .and_then(|after| after.refuses(self.format.is_csv()))
            {
                return Err(Error::InvalidRequest(why));
            }
        }
        if resume {
            if !self.format.is_json_lines() {
                return Err(Error::InvalidRequest(format!(
                    "resume needs a JSON Lines export (records carry created_at and id); this one is {}",
                    self.format
                )));
            }
            if let Some((column, order)) = &self.sort {
                if column != "created_at" || order.is_ascending() {
                    return Err(Error::InvalidRequest(format!(
                        "resume needs the native sort (created_at, id descending) to continue where a cut left off; \
                         sorting by `{column}` {order} has no unique key to resume from"
                    )));
                }
            }
        }
        Ok(())
    }

    /// For a CSV export with chosen columns: a key column a checkpoint needs
    /// (`created_at`, `id`) that is not among them.
    pub(crate) fn csv_lacks_keys(&self) -> Option<&'static str> {
        let columns = self.columns.as_ref().filter(|_| self.format.is_csv())?;
        ["created_at", "id"]
            .into_iter()
            .find(|key| !columns.iter().any(|c| c.trim() == *key))
    }

    /// Whether records come in the native order (`created_at`, `id` descending).
    fn native_order(&self) -> bool {
        match &self.sort {
            None => true,
            Some((column, order)) => column == "created_at" && !order.is_ascending(),
        }
    }

    /// The body as JSON, the input of the generated type's deserializer.
    fn to_json(&self) -> Result<Value, Error> {
        let mut body = Map::new();
        if let [source] = self.sources.as_slice() {
            let (field, id) = source.field();
            body.insert(field.into(), Value::String(id.to_string()));
        }
        body.insert("root_type".into(), json!(self.root_type.as_str()));
        body.insert("export_format".into(), json!(self.format.as_str()));
        body.insert("redact".into(), json!(self.redact));
        let mut filters = self.filters.clone();
        if let Some(after) = &self.after {
            filters.push(
                Filter::date("created_at")
                    .compare(DateOperator::Gte, after.created_at())
                    .into(),
            );
        }
        if !filters.is_empty() {
            let filters = serde_json::to_value(&filters).map_err(|e| {
                Error::InvalidRequest(format!("a filter cannot be serialized: {e}"))
            })?;
            body.insert("filters".into(), filters);
        }
        if let Some((column, order)) = &self.sort {
            body.insert(
                "sort".into(),
                json!({"column_id": column, "ascending": order.is_ascending(), "sort_type": "column"}),
            );
        }
        if let Some(columns) = &self.columns {
            body.insert("column_ids".into(), json!(columns));
        }
        if let Some(name) = &self.file_name {
            body.insert("file_name".into(), json!(name));
        }
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        Ok(Value::Object(body))
    }

    /// The generated request type, and what it cannot carry: fields it does not have
    /// and an export format it does not know, set by the caller by name
    /// ([`ExportBuilder::field`](crate::ExportBuilder::field),
    /// [`ExportFormat::Other`]). Those are sent as given (the server decides); everything
    /// the spec knows is checked by the generated type.
    fn to_typed(&self) -> Result<(LogRecordsExportRequest, Map<String, Value>), Error> {
        let mut json = self.to_json()?;
        let not_fitting = |e: serde_json::Error| {
            Error::InvalidRequest(format!(
                "the request does not fit the spec's LogRecordsExportRequest: {e}"
            ))
        };
        let mut unchecked = Map::new();
        let request: LogRecordsExportRequest = match serde_json::from_value(json.clone()) {
            Ok(request) => request,
            Err(e) => {
                // A format this spec's enum does not have: check the rest with a format it
                // has, and send the caller's.
                let ExportFormat::Other(format) = &self.format else {
                    return Err(not_fitting(e));
                };
                let stand_in = if self.format.is_csv() { "csv" } else { "jsonl" };
                json["export_format"] = Value::String(stand_in.into());
                let request = serde_json::from_value(json).map_err(|_| not_fitting(e))?;
                unchecked.insert("export_format".into(), Value::String(format.clone()));
                request
            }
        };
        if !self.extra.is_empty() {
            let back = serde_json::to_value(&request).map_err(|e| {
                Error::InvalidRequest(format!("the request cannot be serialized: {e}"))
            })?;
            for (name, value) in &self.extra {
                if back.get(name).is_none() {
                    unchecked.insert(name.clone(), value.clone());
                }
            }
        }
        Ok((request, unchecked))
    }

    /// Fields the generated type would alter, as they must be sent: the filters, when a
    /// number filter's value does not survive the generated type (it holds `i64` or
    /// `f64`, so an integer beyond `i64` would go out as a float, and a `between` of an
    /// integer and a float as two floats). Numbers are sent exactly as written.
    fn exact_fields(&self, typed: &LogRecordsExportRequest) -> Result<Map<String, Value>, Error> {
        let mut exact = Map::new();
        let json = self.to_json()?;
        let Some(ours) = json.get("filters").and_then(Value::as_array) else {
            return Ok(exact);
        };
        let back = serde_json::to_value(typed)
            .map_err(|e| Error::InvalidRequest(format!("the request cannot be serialized: {e}")))?;
        let Some(theirs) = back.get("filters").and_then(Value::as_array) else {
            return Ok(exact);
        };
        if theirs.len() != ours.len() {
            return Ok(exact);
        }
        let mut filters = theirs.clone();
        let mut altered = false;
        for (sent, written) in filters.iter_mut().zip(ours) {
            if written.get("type").and_then(Value::as_str) != Some("number") {
                continue;
            }
            if let (Some(sent), Some(written)) = (sent.get_mut("value"), written.get("value")) {
                if sent != written {
                    *sent = written.clone();
                    altered = true;
                }
            }
        }
        if altered {
            exact.insert("filters".into(), Value::Array(filters));
        }
        Ok(exact)
    }
}

/// A checked request, ready to send: built once per export (and once more per resume).
#[derive(Debug, Clone)]
pub(crate) struct ExportRequest {
    project_id: Uuid,
    body: RequestBody,
    typed: LogRecordsExportRequest,
    /// Fields the spec does not know, sent as given on top of `typed`.
    unchecked: Map<String, Value>,
    /// Fields the generated type would alter, sent as written on top of `typed`.
    exact: Map<String, Value>,
}

impl ExportRequest {
    /// Check `body` (with the resume rules if `resume`) and convert it.
    pub(crate) fn new(project_id: Uuid, body: RequestBody, resume: bool) -> Result<Self, Error> {
        body.check(resume)?;
        let (typed, unchecked) = body.to_typed()?;
        let exact = body.exact_fields(&typed)?;
        Ok(Self {
            project_id,
            body,
            typed,
            unchecked,
            exact,
        })
    }

    pub(crate) fn project_id(&self) -> Uuid {
        self.project_id
    }

    pub(crate) fn format(&self) -> &ExportFormat {
        &self.body.format
    }

    /// Fields (and an export format) the spec does not know, sent as given.
    pub(crate) fn unchecked(&self) -> &Map<String, Value> {
        &self.unchecked
    }

    /// What is sent as given on top of the generated type's JSON: the unchecked fields,
    /// and the fields the generated type would alter (numbers exactly as written).
    pub(crate) fn sent_as_given(&self) -> Map<String, Value> {
        let mut fields = self.unchecked.clone();
        for (name, value) in &self.exact {
            fields.insert(name.clone(), value.clone());
        }
        fields
    }

    /// The exact body sent: the generated type's JSON, plus what is sent as given.
    pub(crate) fn wire_json(&self) -> Result<Value, Error> {
        let mut json = serde_json::to_value(&self.typed)
            .map_err(|e| Error::InvalidRequest(format!("the request cannot be serialized: {e}")))?;
        if let Value::Object(map) = &mut json {
            for (name, value) in self.sent_as_given() {
                map.insert(name, value);
            }
        }
        Ok(json)
    }

    /// The checkpoint this export continues after.
    pub(crate) fn after(&self) -> Option<&Checkpoint> {
        self.body.after.as_ref()
    }

    /// Whether the export is one of an incremental series, so it must give a checkpoint.
    pub(crate) fn needs_checkpoint(&self) -> bool {
        self.body.incremental || self.body.after.is_some()
    }

    /// Whether a checkpoint is kept: JSON Lines or CSV in the native order.
    pub(crate) fn keeps_checkpoint(&self) -> bool {
        (self.body.format.is_json_lines() || self.body.format.is_csv()) && self.body.native_order()
    }

    /// The body to send, as the generated type.
    pub(crate) fn typed(&self) -> &LogRecordsExportRequest {
        &self.typed
    }

    /// The same request plus `created_at <= boundary`: with the native order
    /// (`created_at`, `id` descending) the server restarts at the boundary timestamp.
    pub(crate) fn narrowed(&self, created_at: DateTime<Utc>) -> Result<Self, Error> {
        let mut body = self.body.clone();
        body.filters.push(
            Filter::date("created_at")
                .compare(DateOperator::Lte, created_at)
                .into(),
        );
        let (typed, unchecked) = body.to_typed()?;
        let exact = body.exact_fields(&typed)?;
        Ok(Self {
            project_id: self.project_id,
            body,
            typed,
            unchecked,
            exact,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(filters: Vec<Filter>) -> ExportRequest {
        let body = RequestBody {
            sources: vec![Source::LogStream(Uuid::from_u128(7))],
            filters,
            ..RequestBody::new()
        };
        ExportRequest::new(Uuid::nil(), body, true).unwrap()
    }

    #[test]
    fn narrowed_adds_a_created_at_bound() {
        let ts = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .to_utc();
        let original = request(vec![Filter::text("input").eq("refund").into()]);
        let narrowed = original.narrowed(ts).unwrap();
        let wire = serde_json::to_value(narrowed.typed()).unwrap();
        assert_eq!(wire["filters"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            wire["filters"][1],
            json!({"type": "date", "column_id": "created_at", "operator": "lte", "value": "2026-01-02T03:04:05.123456Z"})
        );
        // The original is untouched, and narrowing twice keeps one bound per resume.
        let wire = serde_json::to_value(original.typed()).unwrap();
        assert_eq!(wire["filters"].as_array().map(Vec::len), Some(1));
        let wire = serde_json::to_value(request(vec![]).narrowed(ts).unwrap().typed()).unwrap();
        assert_eq!(wire["filters"].as_array().map(Vec::len), Some(1));
    }
}
