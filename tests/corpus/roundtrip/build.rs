//! Generates `constructs.yaml` with the code path of the crate's `build.rs`.

use std::path::{Path, PathBuf};

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("constructs.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    match galileo_export_codegen::generate_file(&spec) {
        Ok(generated) => {
            galileo_export_codegen::write_generated(&generated, &out).expect("write");
        }
        Err(e) => panic!("{e}"),
    }
}
