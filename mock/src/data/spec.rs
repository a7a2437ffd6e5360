//! The spec-shaped JSON of a record: the fields of Galileo's `Extended*Record` schemas
//! (`ExtendedSessionRecordWithChildren`, `ExtendedTraceRecordWithChildren`, the span
//! records told apart by `type`), in the models' field order, children first.
//!
//! # Shapes
//!
//! * A session carries its traces (`traces`), a trace its spans (`spans`): the group's
//!   `workflow` span, which carries the group's other spans. Agent, tool and retriever
//!   spans nested in a record carry an empty `spans` list (their `WithChildren`
//!   schema); LLM and control spans have none. Spans exported as root type `span` are
//!   flat (`Extended*SpanRecord`, no `spans`).
//! * Nested children are the records of the same ids at their own root type, with
//!   texts of a quarter of the configured length (so a session stays a few KB).
//! * `input` / `output` take the shapes the schema allows for the kind: a string,
//!   messages (with text and file content parts, tool calls), documents, a control
//!   result, `null`. Text filters read the record's text wherever the shape puts it.
//!
//! Invariant: every field is a pure function of the record's [`Core`] and texts (and
//! the detail generators keyed by the field), so a CSV cell renders exactly what the
//! JSON line holds.

use super::detail;
use super::json::{write_f64, write_json_str, write_timestamp, write_u64, write_uuid};
use super::record::{extra, BlockCache, Core, Kind, Node, Texts, Tri};
use super::vocab::{
    AGENT_NAMES, AGENT_TYPES, APPLIES_TO, CHECK_STAGES, ERROR_TEXTS, EVALUATORS, FINISH_REASONS,
    LLM_MODELS, SELECTORS,
};
use super::{Dataset, RootType, SPANS_PER_TRACE, TRACES_PER_SESSION};
use crate::text::REDACTED;

/// Texts of nested children are the configured length divided by this.
const CHILD_TEXT_DIV: usize = 4;
/// Nesting levels below a root record (session → trace → workflow → span).
pub(crate) const MAX_DEPTH: usize = 3;

/// A top-level field of a record (and a CSV column of the same name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Type,
    Input,
    RedactedInput,
    Output,
    RedactedOutput,
    Name,
    CreatedAt,
    UserMetadata,
    Tags,
    StatusCode,
    Metrics,
    ExternalId,
    DatasetInput,
    DatasetOutput,
    DatasetMetadata,
    Id,
    SessionId,
    TraceId,
    ProjectId,
    RunId,
    UpdatedAt,
    HasChildren,
    MetricsBatchId,
    SessionBatchId,
    FeedbackRatingInfo,
    Annotations,
    FileIds,
    FileModalities,
    AnnotationAggregates,
    AnnotationAgreement,
    OverallAnnotationAgreement,
    AnnotationQueueIds,
    FullyAnnotated,
    ProgressMessage,
    ErrorMessage,
    MetricInfo,
    Files,
    PreviousSessionId,
    NumTraces,
    ParentId,
    IsComplete,
    NumSpans,
    StepNumber,
    Tools,
    Events,
    Model,
    Temperature,
    FinishReason,
    AgentType,
    ToolCallId,
    ControlId,
    AgentName,
    CheckStage,
    AppliesTo,
    EvaluatorName,
    SelectorPath,
}

/// Every field with its name.
pub(crate) const FIELDS: [(&str, Field); 56] = [
    ("type", Field::Type),
    ("input", Field::Input),
    ("redacted_input", Field::RedactedInput),
    ("output", Field::Output),
    ("redacted_output", Field::RedactedOutput),
    ("name", Field::Name),
    ("created_at", Field::CreatedAt),
    ("user_metadata", Field::UserMetadata),
    ("tags", Field::Tags),
    ("status_code", Field::StatusCode),
    ("metrics", Field::Metrics),
    ("external_id", Field::ExternalId),
    ("dataset_input", Field::DatasetInput),
    ("dataset_output", Field::DatasetOutput),
    ("dataset_metadata", Field::DatasetMetadata),
    ("id", Field::Id),
    ("session_id", Field::SessionId),
    ("trace_id", Field::TraceId),
    ("project_id", Field::ProjectId),
    ("run_id", Field::RunId),
    ("updated_at", Field::UpdatedAt),
    ("has_children", Field::HasChildren),
    ("metrics_batch_id", Field::MetricsBatchId),
    ("session_batch_id", Field::SessionBatchId),
    ("feedback_rating_info", Field::FeedbackRatingInfo),
    ("annotations", Field::Annotations),
    ("file_ids", Field::FileIds),
    ("file_modalities", Field::FileModalities),
    ("annotation_aggregates", Field::AnnotationAggregates),
    ("annotation_agreement", Field::AnnotationAgreement),
    (
        "overall_annotation_agreement",
        Field::OverallAnnotationAgreement,
    ),
    ("annotation_queue_ids", Field::AnnotationQueueIds),
    ("fully_annotated", Field::FullyAnnotated),
    ("progress_message", Field::ProgressMessage),
    ("error_message", Field::ErrorMessage),
    ("metric_info", Field::MetricInfo),
    ("files", Field::Files),
    ("previous_session_id", Field::PreviousSessionId),
    ("num_traces", Field::NumTraces),
    ("parent_id", Field::ParentId),
    ("is_complete", Field::IsComplete),
    ("num_spans", Field::NumSpans),
    ("step_number", Field::StepNumber),
    ("tools", Field::Tools),
    ("events", Field::Events),
    ("model", Field::Model),
    ("temperature", Field::Temperature),
    ("finish_reason", Field::FinishReason),
    ("agent_type", Field::AgentType),
    ("tool_call_id", Field::ToolCallId),
    ("control_id", Field::ControlId),
    ("agent_name", Field::AgentName),
    ("check_stage", Field::CheckStage),
    ("applies_to", Field::AppliesTo),
    ("evaluator_name", Field::EvaluatorName),
    ("selector_path", Field::SelectorPath),
];

impl Field {
    /// The field named `name`.
    pub fn parse(name: &str) -> Option<Field> {
        FIELDS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The field's name.
    pub fn name(self) -> &'static str {
        FIELDS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }
}

/// The fields every record has, in the models' order (after the children).
const COMMON: [Field; 37] = [
    Field::Type,
    Field::Input,
    Field::RedactedInput,
    Field::Output,
    Field::RedactedOutput,
    Field::Name,
    Field::CreatedAt,
    Field::UserMetadata,
    Field::Tags,
    Field::StatusCode,
    Field::Metrics,
    Field::ExternalId,
    Field::DatasetInput,
    Field::DatasetOutput,
    Field::DatasetMetadata,
    Field::Id,
    Field::SessionId,
    Field::TraceId,
    Field::ProjectId,
    Field::RunId,
    Field::UpdatedAt,
    Field::HasChildren,
    Field::MetricsBatchId,
    Field::SessionBatchId,
    Field::FeedbackRatingInfo,
    Field::Annotations,
    Field::FileIds,
    Field::FileModalities,
    Field::AnnotationAggregates,
    Field::AnnotationAgreement,
    Field::OverallAnnotationAgreement,
    Field::AnnotationQueueIds,
    Field::FullyAnnotated,
    Field::ProgressMessage,
    Field::ErrorMessage,
    Field::MetricInfo,
    Field::Files,
];

/// The fields after [`COMMON`] of each kind.
fn tail(kind: Kind) -> &'static [Field] {
    use Field::*;
    match kind {
        Kind::Session => &[PreviousSessionId, NumTraces],
        Kind::Trace => &[IsComplete, NumSpans],
        Kind::Llm => &[
            ParentId,
            IsComplete,
            StepNumber,
            Tools,
            Events,
            Model,
            Temperature,
            FinishReason,
        ],
        Kind::Agent => &[ParentId, IsComplete, StepNumber, AgentType],
        Kind::Tool => &[ParentId, IsComplete, StepNumber, ToolCallId],
        Kind::Workflow | Kind::Retriever => &[ParentId, IsComplete, StepNumber],
        Kind::Control => &[
            ParentId,
            IsComplete,
            StepNumber,
            ControlId,
            AgentName,
            CheckStage,
            AppliesTo,
            EvaluatorName,
            SelectorPath,
        ],
    }
}

/// How `input` is shaped for kinds that allow several shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Text,
    Messages,
    Parts,
    Message,
    Documents,
    Control,
    Null,
}

fn input_shape(c: &Core) -> Shape {
    match c.kind {
        Kind::Llm => Shape::Messages,
        Kind::Tool | Kind::Retriever => Shape::Text,
        Kind::Trace if c.input_shape < 200 => Shape::Text,
        Kind::Trace => Shape::Parts,
        _ => match c.input_shape {
            0..=149 => Shape::Text,
            150..=214 => Shape::Messages,
            _ => Shape::Parts,
        },
    }
}

fn output_shape(c: &Core) -> Shape {
    match c.kind {
        Kind::Llm => Shape::Message,
        Kind::Tool if c.output_shape < 25 => Shape::Null,
        Kind::Tool => Shape::Text,
        Kind::Retriever => Shape::Documents,
        Kind::Control if c.output_shape < 40 => Shape::Null,
        Kind::Control => Shape::Control,
        Kind::Trace => match c.output_shape {
            0..=179 => Shape::Text,
            180..=229 => Shape::Parts,
            _ => Shape::Null,
        },
        _ => match c.output_shape {
            0..=119 => Shape::Text,
            120..=159 => Shape::Message,
            160..=184 => Shape::Documents,
            185..=209 => Shape::Parts,
            210..=229 => Shape::Control,
            _ => Shape::Null,
        },
    }
}

/// True when the record's `output` holds no text (`null`, or a control result): text
/// filters then see no value.
pub(crate) fn output_is_null(c: &Core) -> bool {
    matches!(output_shape(c), Shape::Null | Shape::Control)
}

/// Appends `,"name":` (no comma for the first key of an object).
pub(crate) fn key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

impl Dataset {
    /// Appends the JSONL line (with its `\n`) of the record in `c` / `t`, its nested
    /// children generated into `kids` (one [`Node`] per level below it).
    pub(crate) fn write_jsonl(
        &self,
        c: &Core,
        t: &Texts,
        cache: &mut BlockCache,
        kids: &mut Vec<Node>,
        redact: bool,
        out: &mut Vec<u8>,
    ) {
        while kids.len() < MAX_DEPTH {
            kids.push(Node::new());
        }
        self.write_record(c, t, cache, kids, true, redact, out);
        out.push(b'\n');
    }

    #[allow(clippy::too_many_arguments)]
    fn write_record(
        &self,
        c: &Core,
        t: &Texts,
        cache: &mut BlockCache,
        kids: &mut [Node],
        root: bool,
        redact: bool,
        out: &mut Vec<u8>,
    ) {
        out.push(b'{');
        let mut first = true;
        match (c.kind, root && c.root == RootType::Span) {
            (Kind::Session, _) => {
                key(out, &mut first, "traces");
                let lo = c.index * TRACES_PER_SESSION;
                let ids = (lo..lo + c.num_children as u64).rev();
                self.write_children(RootType::Trace, ids, cache, kids, redact, out);
            }
            (Kind::Trace, _) => {
                key(out, &mut first, "spans");
                let lo = c.index * SPANS_PER_TRACE;
                let hi = lo + c.num_children as u64;
                if c.num_children as u64 == SPANS_PER_TRACE {
                    // The workflow span, which carries the others.
                    self.write_children(RootType::Span, hi - 1..hi, cache, kids, redact, out);
                } else {
                    self.write_children(RootType::Span, (lo..hi).rev(), cache, kids, redact, out);
                }
            }
            (Kind::Workflow, false) => {
                key(out, &mut first, "spans");
                let lo = c.index + 1 - SPANS_PER_TRACE;
                let ids = (lo..c.index).rev();
                self.write_children(RootType::Span, ids, cache, kids, redact, out);
            }
            (Kind::Agent | Kind::Tool | Kind::Retriever, false) => {
                key(out, &mut first, "spans");
                out.extend_from_slice(b"[]");
            }
            _ => {}
        }
        for &f in COMMON.iter().chain(tail(c.kind)) {
            let mark = out.len();
            let was_first = first;
            key(out, &mut first, f.name());
            if !self.write_field(f, c, t, out) {
                out.truncate(mark);
                first = was_first;
            }
        }
        out.push(b'}');
    }

    fn write_children(
        &self,
        root: RootType,
        indices: impl Iterator<Item = u64>,
        cache: &mut BlockCache,
        kids: &mut [Node],
        redact: bool,
        out: &mut Vec<u8>,
    ) {
        out.push(b'[');
        let Some((node, below)) = kids.split_first_mut() else {
            out.push(b']');
            return;
        };
        for (n, i) in indices.enumerate() {
            if n > 0 {
                out.push(b',');
            }
            self.core_fill(root, i, cache, &mut node.core);
            self.texts_fill(&node.core, &mut node.texts, redact, CHILD_TEXT_DIV);
            self.write_record(&node.core, &node.texts, cache, below, false, redact, out);
        }
        out.push(b']');
    }

    /// Appends the JSON value of field `f`; false (nothing written) when the
    /// record leaves the field out.
    pub(crate) fn write_field(&self, f: Field, c: &Core, t: &Texts, out: &mut Vec<u8>) -> bool {
        let seed = self.cfg.seed;
        match f {
            Field::Type => write_json_str(out, c.kind.as_str()),
            Field::Input => write_io(out, c, input_shape(c), &t.input, true),
            Field::Output => write_io(out, c, output_shape(c), &t.output, false),
            Field::RedactedInput | Field::RedactedOutput => {
                if c.has(extra::REDACTED_ABSENT) {
                    return false;
                }
                let is_in = f == Field::RedactedInput;
                if c.has(extra::REDACTED_NULL) || !c.pii {
                    out.extend_from_slice(b"null");
                } else if is_in {
                    write_io(out, c, input_shape(c), REDACTED, true);
                } else {
                    write_io(out, c, output_shape(c), REDACTED, false);
                }
            }
            Field::Name => write_json_str(out, c.name),
            Field::CreatedAt => write_ts(out, c.created_us),
            Field::UpdatedAt => {
                if c.has(extra::UPDATED_NULL) {
                    out.extend_from_slice(b"null");
                } else {
                    write_ts(out, c.updated_us);
                }
            }
            Field::UserMetadata => detail::write_user_metadata(out, c),
            Field::Tags => detail::write_tags(out, c),
            Field::StatusCode => write_opt_u64(out, c.status_code.map(u64::from)),
            Field::Metrics => detail::write_metrics(out, c),
            Field::ExternalId => match c.external_id {
                Tri::Absent => return false,
                Tri::Null => out.extend_from_slice(b"null"),
                Tri::Value(v) => {
                    out.extend_from_slice(b"\"ext-");
                    write_u64(out, v as u64);
                    out.push(b'"');
                }
            },
            Field::DatasetInput | Field::DatasetOutput => match c.dataset_row {
                Some(row) => {
                    out.extend_from_slice(if f == Field::DatasetInput {
                        b"\"golden question #"
                    } else {
                        b"\"expected answer #"
                    });
                    write_u64(out, row as u64);
                    out.push(b'"');
                }
                None if c.index.is_multiple_of(2) => return false,
                None => out.extend_from_slice(b"null"),
            },
            Field::DatasetMetadata => match c.dataset_row {
                Some(row) => {
                    out.extend_from_slice(b"{\"dataset\":\"golden-set\",\"row\":\"");
                    write_u64(out, row as u64);
                    out.extend_from_slice(b"\"}");
                }
                None => out.extend_from_slice(b"{}"),
            },
            Field::Id => write_uuid(out, &c.id),
            Field::SessionId => write_uuid(out, &c.session_id),
            Field::TraceId => write_opt_uuid(out, c.trace_id.as_ref()),
            Field::ProjectId | Field::RunId => {
                out.push(b'"');
                out.extend_from_slice(if f == Field::ProjectId {
                    &self.project_hyph
                } else {
                    &self.log_stream_hyph
                });
                out.push(b'"');
            }
            Field::ParentId => write_opt_uuid(out, c.parent_id.as_ref()),
            Field::HasChildren => write_opt_bool(out, c.has_children),
            Field::MetricsBatchId => {
                if c.has(extra::BATCH) {
                    write_uuid(out, &detail::batch_id(seed, c));
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            Field::SessionBatchId => out.extend_from_slice(b"null"),
            Field::FeedbackRatingInfo => detail::write_feedback(seed, c, out),
            Field::Annotations => detail::write_annotations(seed, c, out),
            Field::AnnotationAggregates => detail::write_annotation_aggregates(seed, c, out),
            Field::AnnotationAgreement => detail::write_annotation_agreement(seed, c, out),
            Field::OverallAnnotationAgreement => match detail::overall_agreement(seed, c) {
                Some(v) => write_f64(out, v),
                None => out.extend_from_slice(b"null"),
            },
            Field::AnnotationQueueIds => detail::write_queue_ids(seed, c, out),
            Field::FullyAnnotated => {
                if c.has(extra::ANNOTATIONS) {
                    write_opt_bool(out, Some(c.has(extra::FULLY_ANNOTATED)));
                } else if c.has(extra::FULLY_ANNOTATED) {
                    return false;
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            Field::FileIds => detail::write_file_ids(seed, c, out),
            Field::FileModalities => detail::write_file_modalities(seed, c, out),
            Field::Files => {
                if !c.has(extra::FILES) && c.index.is_multiple_of(3) {
                    return false;
                }
                detail::write_files(seed, c, out);
            }
            Field::ProgressMessage => {
                if c.has(extra::PROGRESS) {
                    out.extend_from_slice(b"\"scored 3/4 metrics\"");
                } else {
                    out.extend_from_slice(b"\"\"");
                }
            }
            Field::ErrorMessage => match c.error {
                Some(e) => write_json_str(out, ERROR_TEXTS[e as usize]),
                None => out.extend_from_slice(b"\"\""),
            },
            Field::MetricInfo => {
                if c.has(extra::METRIC_INFO_NULL) {
                    out.extend_from_slice(b"null");
                } else {
                    detail::write_metric_info(seed, c, out);
                }
            }
            Field::PreviousSessionId => {
                if !c.has(extra::PREVIOUS_SESSION) {
                    return false;
                }
                write_uuid(out, &detail::batch_id(seed ^ 0x5E55, c));
            }
            Field::NumTraces | Field::NumSpans => write_u64(out, c.num_children as u64),
            Field::IsComplete => write_opt_bool(out, Some(c.is_complete)),
            Field::StepNumber => write_opt_u64(out, c.step_number.map(u64::from)),
            Field::Tools => {
                if c.has(extra::TOOLS) {
                    detail::write_tools(out);
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            Field::Events => {
                if c.has(extra::EVENTS) {
                    detail::write_events(seed, c, out);
                } else if c.index.is_multiple_of(2) {
                    return false;
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            Field::Model => write_opt_str(out, c.llm_model.map(|m| LLM_MODELS[m as usize])),
            Field::Temperature => match c.temperature {
                Some(t) => write_f64(out, t as f64 / 10.0),
                None => out.extend_from_slice(b"null"),
            },
            Field::FinishReason => {
                write_opt_str(out, c.finish_reason.map(|m| FINISH_REASONS[m as usize]))
            }
            Field::AgentType => write_json_str(out, AGENT_TYPES[c.agent_type as usize]),
            Field::ToolCallId => match c.tool_call {
                Some(v) => {
                    out.extend_from_slice(b"\"call_");
                    write_u64(out, v as u64);
                    out.push(b'"');
                }
                None => out.extend_from_slice(b"null"),
            },
            Field::ControlId => write_opt_u64(out, c.control_id.map(u64::from)),
            Field::AgentName => write_opt_str(out, c.agent_name.map(|v| AGENT_NAMES[v as usize])),
            Field::CheckStage => {
                write_opt_str(out, c.check_stage.map(|v| CHECK_STAGES[v as usize]))
            }
            Field::AppliesTo => write_opt_str(out, c.applies_to.map(|v| APPLIES_TO[v as usize])),
            Field::EvaluatorName => write_opt_str(out, c.evaluator.map(|v| EVALUATORS[v as usize])),
            Field::SelectorPath => write_opt_str(out, c.selector.map(|v| SELECTORS[v as usize])),
        }
        true
    }
}

/// True if `f` belongs to records of `kind` (a column of another kind reads as null).
pub(crate) fn has_field(kind: Kind, f: Field) -> bool {
    COMMON.contains(&f) || tail(kind).contains(&f)
}

/// Appends `input` / `output` (or their redacted copies, with `text` [`REDACTED`]).
fn write_io(out: &mut Vec<u8>, c: &Core, shape: Shape, text: &str, is_input: bool) {
    match shape {
        Shape::Text => write_json_str(out, text),
        Shape::Null => out.extend_from_slice(b"null"),
        Shape::Messages => {
            out.push(b'[');
            if c.input_shape.is_multiple_of(2) {
                out.extend_from_slice(
                    b"{\"content\":\"You are a helpful assistant.\",\"role\":\"system\"},",
                );
            }
            out.extend_from_slice(b"{\"content\":");
            if c.input_shape.is_multiple_of(3) {
                write_parts(out, c, text);
            } else {
                write_json_str(out, text);
            }
            out.extend_from_slice(b",\"role\":\"user\"}]");
        }
        Shape::Message => {
            out.extend_from_slice(b"{\"content\":");
            write_json_str(out, text);
            out.extend_from_slice(b",\"role\":\"assistant\"");
            match c.output_shape % 4 {
                0 => {
                    out.extend_from_slice(
                        b",\"tool_call_id\":null,\"tool_calls\":[{\"id\":\"call_",
                    );
                    write_u64(out, c.index);
                    out.extend_from_slice(
                        b"\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Z\xc3\xbcrich\\\"}\"}}]",
                    );
                }
                1 => out.extend_from_slice(b",\"tool_calls\":null"),
                _ => {}
            }
            out.push(b'}');
        }
        Shape::Parts => write_parts(out, c, text),
        Shape::Documents => {
            out.extend_from_slice(b"[{\"metadata\":{\"source\":\"kb/article-");
            write_u64(out, c.index % 997);
            out.extend_from_slice(
                b".md\",\"score\":0.87,\"page\":3,\"verified\":true},\"content\":",
            );
            write_json_str(out, text);
            out.extend_from_slice(b"}");
            if c.output_shape.is_multiple_of(2) {
                out.extend_from_slice(
                    b",{\"content\":\"Refunds are issued within 5\xe2\x80\x937 days.\"}",
                );
            }
            out.push(b']');
        }
        Shape::Control => {
            let action = super::vocab::CONTROL_ACTIONS[c.output_shape as usize % 3];
            out.extend_from_slice(b"{\"action\":\"");
            out.extend_from_slice(action.as_bytes());
            out.extend_from_slice(if c.output_shape.is_multiple_of(2) {
                b"\",\"matched\":true,\"confidence\":0.92"
            } else {
                b"\",\"matched\":false,\"confidence\":null"
            });
            if !is_input && c.output_shape.is_multiple_of(5) {
                out.extend_from_slice(b",\"error_message\":\"evaluator timed out\"");
            }
            out.push(b'}');
        }
    }
}

/// Appends a list of content parts: the text, then a file part when the record has files.
fn write_parts(out: &mut Vec<u8>, c: &Core, text: &str) {
    out.extend_from_slice(b"[{\"type\":\"text\",\"text\":");
    write_json_str(out, text);
    out.push(b'}');
    if c.has(extra::FILES) {
        out.extend_from_slice(b",{\"type\":\"file\",\"file_id\":");
        write_uuid(out, &detail::file_id(c, 0));
        out.push(b'}');
    }
    out.push(b']');
}

fn write_ts(out: &mut Vec<u8>, us: i64) {
    out.push(b'"');
    write_timestamp(out, us);
    out.push(b'"');
}

fn write_opt_uuid(out: &mut Vec<u8>, id: Option<&uuid::Uuid>) {
    match id {
        Some(id) => write_uuid(out, id),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_u64(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => write_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_bool(out: &mut Vec<u8>, v: Option<bool>) {
    out.extend_from_slice(match v {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
}

fn write_opt_str(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => write_json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}
