//! Generates the corpus specs of one shard (the package being built: `corpus-check-<shard>`)
//! with the code path of the crate's `build.rs` and writes one module per spec. A spec
//! listed as invalid in `codegen/tests/corpus.rs` is skipped (the generator stops on it,
//! with a pointer, as it should).
//!
//! `CORPUS_CHECK_ONLY=a.json,b.yaml` restricts the build to those files (to time the
//! compilation of one spec's generated code on its own); unset, every spec is built.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Specs that are invalid as published (see `tests/corpus/README.md`).
const INVALID: &[&str] = &["utoipa-chroma-sync.json"];

/// The shards with specs of their own (one large spec each, or two of ~1 MB): rustc's
/// memory grows with the generated lines of its crate. Every other spec, including any
/// spec added to `tests/corpus` later, is in the shard `rest`.
const SHARDS: &[(&str, &[&str])] = &[
    ("openai", &["openai-openapi.yaml"]),
    (
        "polar-adyen",
        &["fastapi-polar.json", "adyen-management-v3.json"],
    ),
    (
        "openrouter-stackone",
        &["openrouter-openapi.yaml", "speakeasy-stackone.yaml"],
    ),
    ("svix-mistral", &["aide-svix.json", "mistral-platform.yaml"]),
    (
        "letta-prefect",
        &["fastapi-letta.json", "fastapi-prefect.json"],
    ),
];

/// Whether `file` belongs to `shard`.
fn in_shard(shard: &str, file: &str) -> bool {
    match SHARDS.iter().find(|(name, _)| *name == shard) {
        Some((_, files)) => files.contains(&file),
        None => !SHARDS.iter().any(|(_, files)| files.contains(&file)),
    }
}

fn main() {
    // This file is `tests/corpus/check/build.rs`, run for `check/shards/<shard>/`.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let package = std::env::var("CARGO_PKG_NAME").expect("CARGO_PKG_NAME");
    let shard = package
        .strip_prefix("corpus-check-")
        .expect("a shard package is named corpus-check-<shard>");
    assert!(
        shard == "rest" || SHARDS.iter().any(|(name, _)| *name == shard),
        "no shard named `{shard}` in build.rs"
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed={}", corpus.display());
    println!("cargo:rerun-if-env-changed=CORPUS_CHECK_ONLY");
    let only: Option<Vec<String>> = std::env::var("CORPUS_CHECK_ONLY")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|f| f.trim().to_string()).collect());
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&corpus)
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
    if let Some(only) = &only {
        for wanted in only {
            if !specs
                .iter()
                .any(|p| p.file_name().and_then(|n| n.to_str()) == Some(wanted.as_str()))
            {
                panic!("CORPUS_CHECK_ONLY names `{wanted}`, which is not a spec in tests/corpus");
            }
        }
        specs.retain(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| only.iter().any(|w| w == n))
        });
    }
    for (_, files) in SHARDS.iter().filter(|(name, _)| *name == shard) {
        for file in *files {
            assert!(
                corpus.join(file).is_file(),
                "build.rs puts `{file}` in shard `{shard}`, but tests/corpus has no such spec"
            );
        }
    }
    specs.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| in_shard(shard, n))
    });
    let mut modules = String::new();
    for spec in specs {
        let file = spec
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if INVALID.contains(&file.as_str()) {
            continue;
        }
        let module = file
            .rsplit_once('.')
            .map_or(file.as_str(), |(stem, _)| stem)
            .replace(['-', '.'], "_");
        let generated = match galileo_export_codegen::generate_file(&spec) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        };
        std::fs::write(out.join(format!("{module}_api.rs")), &generated.api).expect("write");
        std::fs::write(out.join(format!("{module}_spec.rs")), &generated.spec).expect("write");
        let _ = writeln!(
            modules,
            "/// Generated from `tests/corpus/{file}`.\npub mod {module} {{\n    pub mod spec {{ include!(concat!(env!(\"OUT_DIR\"), \"/{module}_spec.rs\")); }}\n    include!(concat!(env!(\"OUT_DIR\"), \"/{module}_api.rs\"));\n}}"
        );
    }
    std::fs::write(out.join("corpus.rs"), modules).expect("write");
}
