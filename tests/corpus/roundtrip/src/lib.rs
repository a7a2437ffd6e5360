//! The client and types generated from `constructs.yaml` (see `build.rs`).
#![allow(warnings, clippy::all)]

/// What the generated client takes as its inner value in the crate itself.
pub mod client {
    /// A stand-in for `galileo_export::client::RequestDefaults`.
    #[derive(Clone, Debug, Default)]
    pub struct RequestDefaults;
}

/// The multipart plumbing the generated code calls.
pub use galileo_export::multipart;

/// Constants of the spec.
pub mod spec {
    include!(concat!(env!("OUT_DIR"), "/spec.rs"));
}

include!(concat!(env!("OUT_DIR"), "/api.rs"));
