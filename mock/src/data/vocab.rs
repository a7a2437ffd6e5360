//! The vocabularies records draw their names, tags, metadata and metric names from.
//!
//! Invariant: a record stores indices into these tables, never strings, so the tables
//! may only grow at the end without changing the records of a seed (the `pub` ones are
//! the values tests filter on).

/// Vocabulary of `tags` (the `collection` column).
pub const TAGS: [&str; 6] = ["prod", "beta", "staging", "eval", "canary", "internal"];
/// Values of `user_metadata.region`.
pub const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-northeast-1", "sa-east-1"];
/// Values of `user_metadata.model`.
pub(crate) const MODELS: [&str; 5] = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-3-5-sonnet",
    "llama-3.1-70b",
    "mistral-large",
];
/// Values of `user_metadata.locale` (absent on one record in five).
pub(crate) const LOCALES: [&str; 5] = ["en-US", "fr-FR", "ja-JP", "de-DE", "pt-BR"];
/// Optional `user_metadata` keys and their values (so the map's keys vary by record).
pub(super) const META_EXTRA: [(&str, &[&str]); 4] = [
    ("plan", &["free", "pro", "enterprise"]),
    ("ab_bucket", &["a", "b"]),
    ("client", &["web", "ios", "android", "cli"]),
    (
        "note",
        &[
            "customer said \"it's broken\", twice",
            "résumé upload — 東京 office",
            "line\u{2028}separated note",
        ],
    ),
];

pub(super) const SESSION_NAMES: [&str; 6] = [
    "support-chat",
    "onboarding",
    "research-assistant",
    "code-review",
    "travel-planner",
    "sales-copilot",
];
pub(super) const TRACE_NAMES: [&str; 8] = [
    "chat_completion",
    "rag_query",
    "summarize_document",
    "agent_run",
    "classify_ticket",
    "translate",
    "extract_entities",
    "answer_faq",
];

/// Names of LLM spans (the integration that made the call).
pub(super) const LLM_NAMES: [&str; 4] = [
    "openai.chat",
    "anthropic.messages",
    "bedrock.invoke",
    "vertex.generate",
];
/// Names of tool spans.
pub(super) const TOOL_NAMES: [&str; 5] = [
    "search_web",
    "get_weather",
    "run_sql",
    "send_email",
    "calculator",
];
/// Values of an LLM span's `model`.
pub(super) const LLM_MODELS: [&str; 5] = [
    "gpt-4o-2024-08-06",
    "gpt-4o-mini",
    "claude-3-5-sonnet-20241022",
    "llama-3.1-70b-instruct",
    "mistral-large-latest",
];
/// Values of an LLM span's `finish_reason`.
pub(super) const FINISH_REASONS: [&str; 4] = ["stop", "length", "tool_calls", "content_filter"];
/// The spec's `AgentType` enum.
pub(super) const AGENT_TYPES: [&str; 8] = [
    "default",
    "planner",
    "react",
    "reflection",
    "router",
    "classifier",
    "supervisor",
    "judge",
];
/// Names of the agents a control span guards.
pub(super) const AGENT_NAMES: [&str; 3] = ["support-agent", "billing-agent", "triage"];
/// The spec's `ControlCheckStage` enum.
pub(super) const CHECK_STAGES: [&str; 2] = ["pre", "post"];
/// The spec's `ControlAppliesTo` enum.
pub(super) const APPLIES_TO: [&str; 2] = ["llm_call", "tool_call"];
/// The spec's `ControlAction` enum.
pub(super) const CONTROL_ACTIONS: [&str; 3] = ["deny", "steer", "observe"];
/// Names of control evaluators.
pub(super) const EVALUATORS: [&str; 3] = ["pii_guard", "toxicity_gate", "prompt_injection"];
/// Selector paths of controls.
pub(super) const SELECTORS: [&str; 3] = ["$.input", "$.output", "$.tool_calls[*].arguments"];

/// Metric names of `metric_info` (the `metrics/<name>` columns); the first
/// [`NUMERIC_METRICS`] succeed with a number in `[0, 1]`.
pub const METRIC_NAMES: [&str; 10] = [
    "toxicity",
    "bleu",
    "completeness_gpt",
    "context_adherence",
    "correctness",
    "tool_selection_quality",
    "agentic_session_success",
    "prompt_injection",
    "input_tone",
    "custom_scorer",
];
/// How many of [`METRIC_NAMES`] (from the start) are numeric scores.
pub(crate) const NUMERIC_METRICS: usize = 7;

/// Feedback keys of `feedback_rating_info`.
pub(super) const FEEDBACK_KEYS: [&str; 3] = ["thumbs", "stars", "comment"];
/// The spec's `FeedbackType` / `AnnotationType` enum.
pub(super) const RATING_TYPES: [&str; 7] = [
    "like_dislike",
    "star",
    "score",
    "tags",
    "text",
    "choice",
    "tree_choice",
];
/// The spec's `ContentModality` enum.
pub(super) const MODALITIES: [&str; 5] = ["text", "document", "image", "audio", "video"];
/// Content types of files, by modality.
pub(super) const CONTENT_TYPES: [&str; 5] = [
    "text/plain",
    "application/pdf",
    "image/png",
    "audio/mpeg",
    "video/mp4",
];
/// The spec's `FileSource` enum.
pub(super) const FILE_SOURCES: [&str; 4] = [
    "direct_upload",
    "external_files_api",
    "external_url",
    "assembled_stream",
];
/// The spec's `FileStatus` enum.
pub(super) const FILE_STATUSES: [&str; 4] = ["complete", "failed", "pending", "not_uploaded"];
/// The spec's `ErrorType` enum (a few).
pub(super) const ERROR_TYPES: [&str; 4] = [
    "llm_api_error",
    "rate_limit_error",
    "not_applicable_reason",
    "system_error",
];
/// The spec's `ErrorSeverity` enum.
pub(super) const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
/// The spec's `EventStatus` enum.
pub(super) const EVENT_STATUSES: [&str; 5] = [
    "in_progress",
    "completed",
    "failed",
    "cancelled",
    "incomplete",
];
/// Short labels for tags, choices and strings inside metric values.
pub(super) const LABELS: [&str; 6] = ["helpful", "concise", "off-topic", "naïve", "安全", "ok"];
/// `error_message` of failed records.
pub(super) const ERROR_TEXTS: [&str; 3] = [
    "upstream returned 429: rate limited",
    "tool \"run_sql\" timed out after 30 s",
    "contenu refusé par le filtre — 内容が拒否されました",
];
