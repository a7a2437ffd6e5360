//! The export's context: what travels between the transport, which sends an export's
//! request, and the generated client's hooks, which see that request go out and its
//! answer come back. Progenitor's hooks take no argument of ours, so the context rides
//! on two task-locals, and this module is their only owner.
//!
//! # Contract
//!
//! - **One entry point.** [`scope`] sets both task-locals around one attempt of an
//!   export's request (the send and the mapping of its answer to an error), and
//!   nothing else sets them. Outside a [`scope`] (every other operation of
//!   [`api::Client`](crate::api::Client)) the hooks find no context and behave as for
//!   any request: no `Accept-Encoding` is offered (reqwest does not decode what the
//!   other operations read) and no body field is added.
//! - **Transport → hooks: [`ExportExtras`].** Read-only for the hooks: the `pre` hook
//!   reads it through [`with_extras`] (the `Accept-Encoding` to offer, the body fields
//!   to add as given); the `exec` hook calls [`heard`] whenever an answer's head
//!   arrives, a redirect's included, which restarts the transport's stall window.
//! - **Hooks → transport: [`ResponseMeta`].** The `exec` hook records the last answer
//!   with [`answered`] (status, `Retry-After`, whether its error body was capped),
//!   because progenitor forgets the status of an error body that does not fit the
//!   spec; the transport reads it back with [`last_answer`] while still inside the
//!   [`scope`]. Each [`scope`] starts with no answer, so an attempt never sees the
//!   previous attempt's.

use std::cell::RefCell;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What an export's request carries beyond what the generated client builds.
#[derive(Debug, Clone)]
pub(crate) struct ExportExtras {
    /// Body fields to be sent as given: those the spec does not know
    /// ([`ExportBuilder::field`](crate::ExportBuilder::field) and
    /// [`ExportFormat::Other`](crate::ExportFormat::Other) escape hatches), and those the
    /// generated type would alter (a number filter's value beyond `i64`).
    pub(crate) unchecked: serde_json::Map<String, serde_json::Value>,
    /// The `Accept-Encoding` the export offers (see [`crate::compression`]).
    pub(crate) accept_encoding: &'static str,
    /// Set whenever an answer's head (status line and headers) arrives, a redirect's
    /// included: the stall rule's window for the wait for an answer starts again then.
    pub(crate) heard: Arc<AtomicBool>,
}

/// What the last answer to a request said, as seen by the exec hook.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    /// The error body was longer than the hooks' cap (64 KiB), or slower than its time
    /// limit, and was cut.
    pub(crate) body_capped: bool,
}

tokio::task_local! {
    /// Set around an export's request, and only there (see the module's contract).
    static EXTRAS: ExportExtras;

    /// The last answer inside an export's request scope, so that an error body
    /// progenitor cannot parse is still reported with its real status.
    static LAST_ANSWER: RefCell<Option<ResponseMeta>>;
}

/// Runs `attempt`, one attempt of an export's request, inside the export's context:
/// the hooks see `extras`, and [`last_answer`] starts empty.
pub(crate) async fn scope<F: Future>(extras: ExportExtras, attempt: F) -> F::Output {
    LAST_ANSWER
        .scope(RefCell::new(None), EXTRAS.scope(extras, attempt))
        .await
}

/// `f` of the export's extras, or `None` outside a [`scope`] (not an export's request).
pub(crate) fn with_extras<R>(f: impl FnOnce(&ExportExtras) -> R) -> Option<R> {
    EXTRAS.try_with(f).ok()
}

/// An answer's head arrived (inside a [`scope`]; nothing outside one).
pub(crate) fn heard() {
    let _ = EXTRAS.try_with(|extras| extras.heard.store(true, Ordering::Relaxed));
}

/// Records the last answer (inside a [`scope`]; nothing outside one).
pub(crate) fn answered(meta: ResponseMeta) {
    let _ = LAST_ANSWER.try_with(|last| *last.borrow_mut() = Some(meta));
}

/// What the exec hook recorded of the last answer, inside a [`scope`].
pub(crate) fn last_answer() -> Option<ResponseMeta> {
    LAST_ANSWER
        .try_with(|last| last.borrow().clone())
        .ok()
        .flatten()
}
