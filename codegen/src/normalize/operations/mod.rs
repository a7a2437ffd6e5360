//! The document level (a missing `paths`, OAuth2 flows without `scopes`) and operations:
//! parameters (nullable; the ones progenitor cannot send spread, dropped or skipped),
//! request bodies (one media type; multipart as a typed form; raw bodies as plain strings),
//! media types without a schema, responses (untyped → byte stream; one kind per class),
//! clean unique names.
//!
//! One module per part: [`document`](mod@document), [`parameters`](mod@parameters),
//! [`param_names`] (parameters whose Rust names collide),
//! [`bodies`], [`media`] (shared by bodies and responses), [`responses`](mod@responses),
//! [`names`].
//!
//! Invariant: an operation that cannot be generated is removed and reported as skipped,
//! never half-generated.

mod bodies;
mod document;
mod media;
mod names;
mod param_names;
mod parameters;
mod responses;

pub(in crate::normalize) use bodies::bodies_and_operations;
pub(in crate::normalize) use document::document;
pub(in crate::normalize) use names::operation_names;
pub(in crate::normalize) use param_names::colliding_parameters;
pub(in crate::normalize) use parameters::parameters;
pub(in crate::normalize) use responses::responses;
