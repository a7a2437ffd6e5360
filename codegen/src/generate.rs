//! Stations 4–6: normalized document → `openapiv3::OpenAPI` → progenitor → tagged unions
//! → untagged unions by kind → prettyplease. On failure, [`crate::diagnose`] finds the culprit.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::CodegenError;
use crate::normalize::{normalize, Report};
use crate::progenitor_run::{run_progenitor, to_openapi};
use crate::{consts, diagnose, multipart, unions, untagged};

/// What generation produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The progenitor client and types, formatted (goes to `OUT_DIR/api.rs`).
    pub api: String,
    /// The spec constants module, formatted (goes to `OUT_DIR/spec.rs`).
    pub spec: String,
    /// What the normalizer rewrote and skipped.
    pub report: Report,
    /// Discriminated unions left without a tag-dispatching deserializer (typify did not
    /// make them an untagged enum of the mapped variants); they deserialize untagged.
    pub untagged_unions: Vec<String>,
    /// Untagged enums (unions without a discriminator) given a `Deserialize` that picks
    /// the variant by the JSON's kind, most specific first (see [`crate::untagged`]).
    pub kind_dispatched: Vec<String>,
    /// Time spent per station (`parse`, `normalize`, `generate`, `format`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// Generate from a spec file (the path is used in messages).
pub fn generate_file(file: &Path) -> Result<Generated, CodegenError> {
    let started = Instant::now();
    let doc = crate::parse::read_spec(file)?;
    let parsed = started.elapsed();
    let mut generated = generate_value(file, doc)?;
    generated.timings.insert(0, ("parse", parsed));
    Ok(generated)
}

/// Generate from an already-parsed document.
pub fn generate_value(file: &Path, doc: Value) -> Result<Generated, CodegenError> {
    let mut clock = Instant::now();
    let mut timings = Vec::new();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let original = doc.clone();
    let (normalized, report) =
        normalize(doc).map_err(|e| CodegenError::at(file, e.pointer, e.reason))?;
    let api = to_openapi(file, &normalized)?;
    lap("normalize");
    let tokens = match run_progenitor(&api) {
        Ok(tokens) => tokens,
        Err(failure) => {
            return Err(diagnose::locate_failure(
                file,
                &original,
                &normalized,
                &report,
                failure,
            ))
        }
    };
    let file_ast: syn::File = syn::parse2(tokens).map_err(|e| {
        CodegenError::new(
            file,
            crate::error::Location::File,
            format!("progenitor produced code that does not parse: {e}"),
        )
    })?;
    let (file_ast, untagged_unions) = unions::tag_dispatch(file_ast, &report.unions);
    let tagged = unions::dispatched_enums(&file_ast, &report.unions, &untagged_unions);
    let (file_ast, kind_dispatched) = untagged::kind_dispatch(file_ast, &tagged);
    let file_ast = if tagged.is_empty() && kind_dispatched.is_empty() {
        file_ast
    } else {
        untagged::helpers::add_helper(file_ast)
    };
    let (file_ast, not_multipart) = multipart::multipart_bodies(file_ast, &report.multipart);
    if let Some(name) = not_multipart.first() {
        return Err(CodegenError::new(
            file,
            crate::error::Location::File,
            format!(
                "internal: the generated body call of multipart operation `{name}` was not found"
            ),
        ));
    }
    lap("generate");
    let api_code = prettyplease::unparse(&file_ast);
    let spec_code = consts::spec_module(file, &normalized, &report);
    lap("format");
    Ok(Generated {
        api: api_code,
        spec: spec_code,
        report,
        untagged_unions,
        kind_dispatched,
        timings,
    })
}
