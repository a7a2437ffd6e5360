//! The expectation helpers: the exact body, or the records, a fault-free export request
//! would receive from a server holding a [`Dataset`].
//!
//! Invariant: they run the handler's own validation, planning and rendering
//! ([`crate::server::prepare`], [`crate::stream::render_all`]), so an expectation can
//! never drift from what the server sends.

use std::sync::Arc;

use serde_json::Value;

use crate::{server, stream, validate, Dataset, Rejection};

impl Dataset {
    /// The exact body a fault-free export request with JSON body `request`
    /// would receive from a server holding this data set, or the rejection
    /// (status and JSON body) it would get. No authentication or project
    /// check is involved.
    ///
    /// Filters, sort and columns behave as described on [`Dataset::export_records`].
    pub fn export(&self, request: &Value) -> Result<Vec<u8>, Rejection> {
        let mut plan = server::prepare(self, None, Some(request))?;
        plan.materialize(self);
        Ok(stream::render_all(Arc::new(self.clone()), Arc::new(plan)))
    }

    /// The records an export request would return, in order, as JSON objects
    /// (whatever the requested format; `column_ids` is ignored).
    ///
    /// Semantics:
    /// * columns (Galileo's column ids): the uuid columns `id`, `session_id`,
    ///   `trace_id`, `parent_id`, `project_id`, `run_id`; dates `created_at`,
    ///   `updated_at`; text `type`, `name`, `input`, `output`, `external_id`,
    ///   `dataset_input`, `dataset_output`, `progress_message`, `error_message` and
    ///   the span kinds' own (`model`, `finish_reason`, `tools`, `agent_type`,
    ///   `tool_call_id`, `agent_name`, `check_stage`, `applies_to`,
    ///   `evaluator_name`, `selector_path`); numbers `status_code`, `step_number`,
    ///   `temperature`, `control_id` and `metrics/<key>` (`duration_ns`,
    ///   `num_input_tokens`, `num_output_tokens`, `num_total_tokens`,
    ///   `time_to_first_token_ns`, `cost`, and the numeric scorers of
    ///   `metric_info` such as `toxicity`); booleans `has_children`,
    ///   `is_complete`; collection `tags`; every other field an object column
    ///   (CSV only).
    /// * nulls match no filter operator (SQL semantics), not even `ne`.
    /// * `text` filters (also usable on uuid columns): `eq`, `ne`, `contains`
    ///   (substring), `one_of`, `not_in`; `case_sensitive: false` lowercases.
    /// * `number`: comparisons, `between [lo, hi]` inclusive.
    /// * `date`: comparisons at microsecond precision; naive times are UTC.
    /// * `id`: `eq`/`ne`/`one_of`/`not_in` on UUIDs, `contains` substring of
    ///   the hyphenated form.
    /// * `collection` (`tags`): `eq` same set, `contains` all of, `one_of` any
    ///   of, `not_in` none of.
    /// * `fully_annotated`: 400 (it needs an annotation queue context).
    /// * sort: by the column then by `id`, both in the requested direction;
    ///   nulls last ascending, first descending. No sort, or `created_at`
    ///   descending, is the native order.
    pub fn export_records(&self, request: &Value) -> Result<Vec<Value>, Rejection> {
        let mut plan = server::prepare(self, None, Some(request))?;
        plan.format = validate::ExportFormat::Jsonl;
        plan.materialize(self);
        let body = stream::render_all(Arc::new(self.clone()), Arc::new(plan));
        Ok(body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect())
    }
}
