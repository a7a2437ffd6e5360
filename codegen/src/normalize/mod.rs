//! Station 3: the normalizer. A pure function from an OpenAPI 3.1 (FastAPI) document to an
//! OpenAPI 3.0 document that `openapiv3` parses and progenitor/typify generate correctly,
//! plus a [`Report`] of every rewrite.
//!
//! Each rule matches one *construct* (never a schema name), rewrites it, and records it.
//! Schema rules run on every schema position (component schemas, properties, items,
//! `allOf`/`anyOf`/`oneOf` members, `additionalProperties`, `not`, parameter, request and
//! response schemas); property names and mapping keys are never mistaken for keywords.
//!
//! The stations of the normalizer, one module each: `rules` and `report` (what it
//! records), `naming` (case conversions), `walk` (the document walks), `refs`
//! (references), `dynamic` (`$recursiveRef`/`$dynamicRef`), `inline_defs` (`$defs` of inline
//! schemas), `inline_names` (inline types named like a component), `schema` (single schemas),
//! `numbers` (numbers Rust cannot hold, foreign formats), `unions` (discriminated
//! unions), `operations` (the document level, parameters, bodies, responses and names).
//! Imports run one way,
//! from this module down to `rules`, `report` and `naming`.

use serde_json::{json, Value};

mod dynamic;
mod inline_defs;
mod inline_names;
mod naming;
mod numbers;
mod operations;
mod refs;
mod report;
mod rules;
mod schema;
mod unions;
mod walk;

pub use naming::{fastapi_suffix, pascal_case, snake_case};
use operations::{
    bodies_and_operations, colliding_parameters, document, operation_names, parameters, responses,
};
pub use refs::resolve_ref;
use refs::{
    check_refs, hoist_defs, inline_path_item_refs, inline_shared_refs, repair_dangling_mappings,
};
pub use report::{
    DiscriminatedUnion, MultipartOperation, NormalizeError, OperationInfo, Report, Rewrite,
    SkippedOperation,
};
pub use rules::Rule;
pub use schema::{apply_schema_rules, typify_variant_names_unique};
use schema::{defaults, nullable_components, walk_all_schemas};
use unions::discriminators;
pub use walk::visit_schemas;

/// Normalize a whole document. Pure: the input is consumed, a new document returned.
pub fn normalize(mut doc: Value) -> Result<(Value, Report), NormalizeError> {
    let mut report = Report::default();
    let Some(root) = doc.as_object() else {
        return Err(NormalizeError::new("#", "the document is not a mapping"));
    };
    let version = root
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(NormalizeError::new(
            "#/openapi",
            format!("unsupported OpenAPI version `{version}` (3.0.x or 3.1.x expected)"),
        ));
    }
    numbers::wide_numbers(&doc, &mut report);
    document(&mut doc, &mut report)?;
    repair_dangling_mappings(&mut doc, &mut report);
    inline_path_item_refs(&mut doc, &mut report);
    hoist_defs(&mut doc, &mut report);
    inline_defs::hoist_inline_defs(&mut doc, &mut report);
    dynamic::dynamic_refs(&mut doc, &mut report);
    let original = doc.clone();
    check_refs(&original)?;

    if version.starts_with("3.1") {
        doc["openapi"] = json!("3.0.3");
        report.record(Rule::OpenApiVersion, "#/openapi");
    }
    if let Some(root) = doc.as_object_mut() {
        root.remove("webhooks");
        root.remove("jsonSchemaDialect");
    }

    inline_shared_refs(&mut doc, &mut report);
    walk_all_schemas(&mut doc, &mut report);
    nullable_components(&mut doc, &mut report);
    discriminators(&mut doc, &mut report)?;
    defaults(&mut doc, &mut report);
    parameters(&mut doc, &mut report);
    colliding_parameters(&mut doc, &mut report);
    bodies_and_operations(&mut doc, &mut report);
    responses(&mut doc, &mut report);
    operation_names(&mut doc, &mut report);
    inline_names::inline_name_collisions(&mut doc, &mut report);
    Ok((doc, report))
}
