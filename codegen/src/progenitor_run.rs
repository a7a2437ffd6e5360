//! Running progenitor on one document: the settings this crate generates with, the
//! conversion into `openapiv3` (with a JSON pointer on failure), and errors and panics
//! turned into messages. Used by [`crate::generate`] (the whole spec) and
//! [`crate::diagnose`] (schema by schema, to find the culprit).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use proc_macro2::TokenStream;
use serde_json::Value;

use crate::error::CodegenError;

/// Parse a normalized document into `openapiv3`, with a JSON pointer on failure.
pub fn to_openapi(file: &Path, doc: &Value) -> Result<openapiv3::OpenAPI, CodegenError> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(doc, &mut track);
    serde::Deserialize::deserialize(de).map_err(|e: serde_json::Error| {
        let mut pointer = path_to_pointer(&track.path());
        let mut reason = e.to_string();
        // `serde` stops at the enclosing map of an untagged enum: look deeper.
        if let Some((inner, why)) = crate::pinpoint::innermost_failure(doc) {
            if inner.len() > pointer.len() {
                pointer = inner;
                reason = why;
            }
        }
        CodegenError::at(
            file,
            pointer,
            format!("not a valid OpenAPI 3.0 document after normalization: {reason}"),
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
/// `src/hooks/mod.rs`) adds credentials, extra headers and the user agent to every request,
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
