//! A realistic typed record: what a user would write for Galileo's trace export (the
//! typed path's target), after the spec's `ExtendedTraceRecordWithChildren`: the
//! trace's own fields, its spans (nested, told apart by `type`), `metrics` and
//! `metric_info`; the fields a report does not need are skipped by serde.

use super::*;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct Trace {
    pub(crate) spans: Vec<Span>,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) input: Content,
    pub(crate) output: Option<Content>,
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) user_metadata: HashMap<String, String>,
    pub(crate) tags: Vec<String>,
    pub(crate) status_code: Option<u16>,
    pub(crate) metrics: Metrics,
    pub(crate) id: Uuid,
    pub(crate) session_id: Uuid,
    pub(crate) trace_id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) run_id: Uuid,
    pub(crate) updated_at: Option<DateTime<Utc>>,
    pub(crate) metric_info: Option<HashMap<String, MetricResult>>,
    pub(crate) num_spans: Option<u64>,
}

/// A span of any kind: the fields every kind has, its input and output kept as JSON
/// (their shape depends on `type`), its own children.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct Span {
    #[serde(default)]
    pub(crate) spans: Vec<Span>,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) input: Value,
    pub(crate) output: Value,
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) metrics: Metrics,
    pub(crate) id: Uuid,
    pub(crate) parent_id: Uuid,
    pub(crate) model: Option<String>,
}

/// `input` / `output` of a trace: a string or a list of content parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
pub(crate) enum Content {
    Text(String),
    Parts(Vec<Value>),
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct Metrics {
    pub(crate) duration_ns: Option<u64>,
    pub(crate) num_input_tokens: Option<u64>,
    pub(crate) num_output_tokens: Option<u64>,
    pub(crate) num_total_tokens: Option<u64>,
    pub(crate) cost: Option<f64>,
}

/// One `metric_info` entry: its result kind and, when it has one, its value.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct MetricResult {
    pub(crate) status_type: String,
    pub(crate) value: Option<Value>,
}
