//! A realistic typed record: what a user would write for Galileo's trace export (the
//! typed path's target).

use super::*;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct Trace {
    pub(crate) id: Uuid,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) session_id: Uuid,
    pub(crate) trace_id: Option<Uuid>,
    pub(crate) parent_id: Option<Uuid>,
    pub(crate) project_id: Uuid,
    pub(crate) log_stream_id: Uuid,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) name: String,
    pub(crate) input: String,
    pub(crate) output: String,
    pub(crate) metrics: Metrics,
    pub(crate) latency_ms: Option<u64>,
    pub(crate) cost: Option<f64>,
    pub(crate) status_code: Option<u16>,
    pub(crate) has_error: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) user_metadata: UserMetadata,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct Metrics {
    pub(crate) latency_ms: Option<u64>,
    pub(crate) cost: Option<f64>,
    pub(crate) num_input_tokens: Option<u64>,
    pub(crate) num_output_tokens: Option<u64>,
    pub(crate) num_total_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub(crate) struct UserMetadata {
    pub(crate) user_id: String,
    pub(crate) region: String,
    pub(crate) model: String,
    pub(crate) locale: Option<String>,
}
