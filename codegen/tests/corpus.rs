//! Every spec of the public corpus (`tests/corpus/`, specs nobody here wrote) through the
//! generator's whole code path — the one `build.rs` runs. Each generates, except the ones
//! that are invalid as published, which stop with the pointer to what is wrong. (That
//! the generated code compiles is checked by `tests/corpus/check`, run by `.ci/run`.)

use std::path::{Path, PathBuf};

/// Specs invalid as published: file → the JSON pointer the generator must stop at.
const INVALID: &[(&str, &str)] = &[(
    "utoipa-chroma-sync.json",
    "#/paths/~1api~1v1~1invocations/get/parameters/2/schema/$ref",
)];

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    specs.sort();
    specs
}

#[test]
fn every_corpus_spec_generates_or_names_what_is_invalid() {
    let specs = corpus();
    assert!(specs.len() >= 12, "the corpus holds {} specs", specs.len());
    let mut failures = Vec::new();
    for spec in specs {
        let name = spec
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let result = galileo_export_codegen::generate_file(&spec);
        match (INVALID.iter().find(|(file, _)| *file == name), result) {
            (None, Ok(generated)) => {
                assert!(!generated.api.is_empty(), "{name}: nothing generated");
            }
            (None, Err(e)) => failures.push(format!("{name}: {e}")),
            (Some((_, pointer)), Err(e)) => {
                assert_eq!(
                    e.location,
                    galileo_export_codegen::Location::Pointer((*pointer).to_string()),
                    "{name}: {e}"
                );
            }
            (Some(_), Ok(_)) => failures.push(format!("{name}: listed as invalid but generates")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
