//! The vocabularies records draw their names, tags and metadata from.
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
/// Span step types other than the per-trace root `workflow` span.
pub(super) const SPAN_KINDS: [&str; 5] = ["llm", "llm", "tool", "retriever", "agent"];

pub(super) const MODELS_SPAN: [&str; 4] = [
    "openai.chat",
    "anthropic.messages",
    "bedrock.invoke",
    "vertex.generate",
];
pub(super) const TOOL_NAMES: [&str; 5] = [
    "search_web",
    "get_weather",
    "run_sql",
    "send_email",
    "calculator",
];
