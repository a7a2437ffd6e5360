//! Run the generator on any spec file and write the formatted client somewhere a person
//! can read it, reporting what the normalizer rewrote (counts by rule) and what was skipped:
//!
//! ```text
//! cargo run --example generate_client -- openapi/export-records.openapi.yaml /tmp/api.rs
//! ```
//!
//! It uses exactly the code path of `build.rs` (`galileo_export_codegen::generate_file`).

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    galileo_export_codegen::cli::main_with_args(&args)
}
