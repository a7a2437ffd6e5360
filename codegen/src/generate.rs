//! Stations 4–6: normalized document → `openapiv3::OpenAPI` → progenitor → tagged unions
//! → prettyplease. On failure, [`crate::diagnose`] finds the culprit.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;
use serde_json::Value;

use crate::error::CodegenError;
use crate::normalize::{normalize, Report};
use crate::{consts, diagnose, multipart, unions};

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
    /// Time spent per station (`parse`, `normalize`, `generate`, `format`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// Parse a normalized document into `openapiv3`, with a JSON pointer on failure.
pub fn to_openapi(file: &Path, doc: &Value) -> Result<openapiv3::OpenAPI, CodegenError> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(doc, &mut track);
    serde::Deserialize::deserialize(de).map_err(|e: serde_json::Error| {
        let path = track.path();
        CodegenError::at(
            file,
            path_to_pointer(&path),
            format!("not a valid OpenAPI 3.0 document after normalization: {e}"),
        )
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("#");
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&crate::error::escape_pointer(key));
            }
            Segment::Enum { variant } => {
                out.push('/');
                out.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// The progenitor settings this crate generates with: builder interface, merged tags,
/// `PartialEq` on every type, and the handwritten layer's `crate::client::RequestDefaults`
/// as the client's inner value: the handwritten `impl ClientHooks for Client` (in
/// `src/hooks.rs`) adds credentials, extra headers and the user agent to every request,
/// whichever `reqwest::Client` sends it, and follows redirects without leaking them.
pub fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("PartialEq")
        .with_inner_type(quote::quote!(crate::client::RequestDefaults));
    settings
}

/// Why progenitor/typify failed, in words.
#[derive(Debug, Clone)]
pub struct GenerationFailure(pub String);

/// Run progenitor on one document, turning both errors and panics into a message.
pub fn run_progenitor(api: &openapiv3::OpenAPI) -> Result<TokenStream, GenerationFailure> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut generator = progenitor::Generator::new(&settings());
        generator.generate_tokens(api)
    }));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(GenerationFailure(explain(&e))),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(GenerationFailure(format!("progenitor panicked: {msg}")))
        }
    }
}

fn explain(e: &progenitor::Error) -> String {
    match e {
        progenitor::Error::TypeError(typify::Error::InvalidValue) => {
            "typify rejected a `default` or `enum` value that does not conform to the schema's type"
                .into()
        }
        other => other.to_string(),
    }
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
        timings,
    })
}
