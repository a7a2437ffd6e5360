//! The code generated from the corpus specs of one shard, compiled (see `build.rs`; every
//! shard crate builds this file).
#![allow(warnings, clippy::all)]

/// What the generated clients take as their inner value in the crate itself.
pub mod client {
    /// A stand-in for `galileo_export::client::RequestDefaults`.
    #[derive(Clone, Debug, Default)]
    pub struct RequestDefaults;
}

/// The multipart plumbing the generated code calls.
pub use galileo_export::multipart;

include!(concat!(env!("OUT_DIR"), "/corpus.rs"));
