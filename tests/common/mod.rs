//! Helpers shared by the integration tests (`mod common;` in a test crate). A test crate
//! uses only some of them, hence `dead_code` is allowed here.
#![allow(dead_code)]

/// The `galileo-export` binary as a process, with a clean environment.
#[cfg(feature = "cli")]
pub mod cli;
/// A raw HTTP/1.1 test server that can misbehave on purpose.
pub mod hostile;
/// The local Galileo server (`galileo-export-mock`) and clients pointed at it.
pub mod mock;

use std::path::Path;

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
