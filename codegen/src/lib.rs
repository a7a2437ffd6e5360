//! Build-time generator of `galileo-export`: locate the spec, parse it, normalize it,
//! generate a progenitor client, give discriminated unions tag-dispatching
//! deserializers and the other unions kind-dispatching ones, format it. `build.rs`, `examples/generate_client.rs` and the tests all use
//! [`generate_file`]; the stations are modules of their own.

pub mod capabilities;
pub mod cli;
pub mod consts;
pub mod diagnose;
pub mod error;
pub mod generate;
pub mod locate;
pub mod multipart;
pub mod normalize;
pub mod parse;
pub mod pinpoint;
pub mod progenitor_run;
pub mod requirements;
pub mod unions;
pub mod untagged;

pub use error::{CodegenError, Location};
pub use generate::{generate_file, generate_value, Generated};
pub use locate::{locate_spec, SPEC_ENV_VAR};
pub use normalize::{normalize, Report, Rule};

use std::path::Path;

/// Write the generated modules to `out_dir` (`api.rs` and `spec.rs`).
pub fn write_generated(generated: &Generated, out_dir: &Path) -> std::io::Result<()> {
    write_if_changed(&out_dir.join("api.rs"), &generated.api)?;
    write_if_changed(&out_dir.join("spec.rs"), &generated.spec)
}

fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content)
}
