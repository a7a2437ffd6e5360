//! Helpers shared by the CLI's integration tests (`mod common;` in a test crate): the
//! library tests' helpers (`tests/common`, included by path: the raw test servers'
//! project and log stream, the local Galileo server, the growing data set, what the spec
//! knows) and the binary as a process ([`cli`]). A test crate uses only some of them,
//! hence `dead_code` is allowed here.
#![allow(dead_code)]

/// The `galileo-export` binary as a process, with a clean environment.
pub mod cli;

#[path = "../../../tests/common/mod.rs"]
mod library;

pub use library::*;
