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
    let text = report_text(&generated, code.lines().count(), &out, elapsed);
    // A closed stdout (e.g. piped into `head`) is not worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    ExitCode::SUCCESS
}

/// What was generated, what the normalizer rewrote (counts by rule) and what was skipped.
fn report_text(
    generated: &crate::Generated,
    lines: usize,
    out: &std::path::Path,
    elapsed: std::time::Duration,
) -> String {
    use std::fmt::Write as _;
    let report = &generated.report;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "generated {lines} lines into {} in {elapsed:.0?}",
        out.display()
    );
    let stations: Vec<String> = generated
        .timings
        .iter()
        .map(|(name, d)| format!("{name} {d:.0?}"))
        .collect();
    let _ = writeln!(text, "stations: {}", stations.join(", "));
    let _ = writeln!(
        text,
        "operations: {} generated ({} with multipart/form-data bodies), {} skipped",
        report.operations.len(),
        report.multipart.len(),
        report.skipped.len()
    );
    let _ = writeln!(
        text,
        "discriminated unions: {} ({} with tag dispatch)",
        report.unions.len(),
        report.unions.len() - generated.untagged_unions.len()
    );
    for name in &generated.untagged_unions {
        let _ = writeln!(text, "  left untagged: {name}");
    }
    let _ = writeln!(text, "rewrites by rule:");
    for (rule, count) in report.counts() {
        let _ = writeln!(text, "  {count:>6}  {rule:?}: {}", rule.describe());
    }
    for op in &report.multipart {
        let _ = writeln!(
            text,
            "multipart {} ({} {}): file fields {}",
            op.name,
            op.method.to_uppercase(),
            op.path,
            op.file_fields.join(", ")
        );
    }
    for s in &report.skipped {
        let _ = writeln!(
            text,
            "skipped {} ({} {}): {}",
            s.operation_id,
            s.method.to_uppercase(),
            s.path,
            s.reason
        );
    }
    text
}
