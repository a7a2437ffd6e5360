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
    let counts = report.counts();
    let _ = writeln!(text, "rewrites by rule:");
    for (rule, count) in counts.iter().filter(|(r, _)| !r.approximates()) {
        let _ = writeln!(text, "  {count:>6}  {rule:?}: {}", rule.describe());
    }
    let approximated: Vec<_> = counts.iter().filter(|(r, _)| r.approximates()).collect();
    let _ =
        writeln!(
        text,
        "approximated ({}): the generated code admits or sends something other than the spec says",
        if approximated.is_empty() { "nothing" } else { "see below" }
    );
    const SHOWN: usize = 10;
    for (rule, count) in approximated {
        let _ = writeln!(text, "  {count:>6}  {rule:?}: {}", rule.describe());
        let pointers: Vec<&str> = report
            .rewrites
            .iter()
            .filter(|r| r.rule == *rule)
            .map(|r| r.pointer.as_str())
            .collect();
        for pointer in pointers.iter().take(SHOWN) {
            let _ = writeln!(text, "            at {pointer}");
        }
        if pointers.len() > SHOWN {
            let _ = writeln!(text, "            … and {} more", pointers.len() - SHOWN);
        }
    }
    for op in &report.multipart {
        let fields = format!("file fields {}", op.file_fields.join(", "));
        operation_line(
            &mut text,
            "multipart",
            &op.name,
            &op.method,
            &op.path,
            &fields,
        );
    }
    for s in &report.skipped {
        operation_line(
            &mut text,
            "skipped",
            &s.operation_id,
            &s.method,
            &s.path,
            &s.reason,
        );
    }
    text
}

/// One line about an operation: `<what> <name> (<METHOD> <path>): <detail>`.
fn operation_line(
    text: &mut String,
    what: &str,
    name: &str,
    method: &str,
    path: &str,
    detail: &str,
) {
    use std::fmt::Write as _;
    let method = method.to_uppercase();
    let _ = writeln!(text, "{what} {name} ({method} {path}): {detail}");
}
