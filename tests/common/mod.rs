//! Helpers shared by the integration tests (`mod common;` in a test crate).
#![allow(dead_code)]

/// A raw HTTP/1.1 test server that can misbehave on purpose.
pub mod hostile;
