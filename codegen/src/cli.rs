//! The command behind `cargo run --example generate_client -- SPEC OUT.rs`: the same code path as
//! `build.rs`, writing the formatted code where a person can read it.

use std::path::PathBuf;
use std::process::ExitCode;

/// The `codegen` example: `SPEC OUT.rs` → formatted code + a report on stdout.
pub fn main_with_args(args: &[String]) -> ExitCode {
    let (spec, out) = match args {
        [spec, out] => (PathBuf::from(spec), PathBuf::from(out)),
        _ => {
            eprintln!("usage: cargo run --example generate_client -- SPEC OUT.rs");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let generated = match crate::generate_file(&spec) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    let code = format!("// spec constants (OUT_DIR/spec.rs)\npub mod spec {{\n{}\n}}\n\n// client (OUT_DIR/api.rs)\n{}", generated.spec, generated.api);
    if let Err(e) = std::fs::write(&out, &code) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let report = &generated.report;
    println!(
        "generated {} lines into {} in {:.0?}",
        code.lines().count(),
        out.display(),
        elapsed
    );
    let stations: Vec<String> = generated
        .timings
        .iter()
        .map(|(name, d)| format!("{name} {:.0?}", d))
        .collect();
    println!("stations: {}", stations.join(", "));
    println!(
        "operations: {} generated, {} skipped",
        report.operations.len(),
        report.skipped.len()
    );
    println!(
        "discriminated unions: {} ({} with tag dispatch)",
        report.unions.len(),
        report.unions.len() - generated.untagged_unions.len()
    );
    for name in &generated.untagged_unions {
        println!("  left untagged: {name}");
    }
    println!("rewrites by rule:");
    for (rule, count) in report.counts() {
        println!("  {count:>6}  {rule:?}: {}", rule.describe());
    }
    for s in &report.skipped {
        println!(
            "skipped {} ({} {}): {}",
            s.operation_id,
            s.method.to_uppercase(),
            s.path,
            s.reason
        );
    }
    ExitCode::SUCCESS
}
