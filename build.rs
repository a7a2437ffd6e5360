//! Generates the typed client from the OpenAPI spec in `openapi/` (or the file named by
//! `GALILEO_OPENAPI_SPEC`) into `OUT_DIR`, and sets the `cfg` flags of the capabilities
//! the spec has (`galileo_has_project_lookup`, `galileo_has_counts`). All the work is in
//! `codegen/`.

use std::path::{Path, PathBuf};

use galileo_export_codegen::capabilities::{cargo_directives, decide};
use galileo_export_codegen::requirements::{
    check_export_records, defines_record_types, RECORD_TYPES_CFG,
};
use galileo_export_codegen::{generate_file, locate_spec, write_generated, SPEC_ENV_VAR};

fn main() {
    println!("cargo:rerun-if-env-changed={SPEC_ENV_VAR}");
    println!("cargo:rerun-if-changed=openapi");
    println!("cargo::rustc-check-cfg=cfg({RECORD_TYPES_CFG})");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let override_path = std::env::var_os(SPEC_ENV_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if let Err(message) = run(
        &manifest.join("openapi"),
        override_path.as_deref(),
        &out_dir,
    ) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run(dir: &Path, override_path: Option<&Path>, out_dir: &Path) -> Result<(), String> {
    let spec = locate_spec(dir, override_path).map_err(|e| e.to_string())?;
    println!("cargo:rerun-if-changed={}", spec.display());
    let generated = generate_file(&spec).map_err(|e| e.to_string())?;
    // A spec without the Export Records operation stops here, in one sentence.
    check_export_records(&spec, &generated)?;
    // The spec's record types (the newer spec has them): `records_as` with them is tested.
    if defines_record_types(&generated) {
        println!("cargo::rustc-cfg={RECORD_TYPES_CFG}");
    }
    for skipped in &generated.report.skipped {
        println!(
            "cargo:warning=skipped operation `{}` ({} {}): {}",
            skipped.operation_id,
            skipped.method.to_uppercase(),
            skipped.path,
            skipped.reason
        );
    }
    // Which capabilities beyond the export this spec gives (cfg flags, and the same
    // lists for the CLI's and the mock's build scripts).
    for line in cargo_directives(&decide(&generated.report)) {
        println!("{line}");
    }
    write_generated(&generated, out_dir)
        .map_err(|e| format!("cannot write generated code to {}: {e}", out_dir.display()))
}
