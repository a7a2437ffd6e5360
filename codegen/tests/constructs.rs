//! The construct matrix: each JSON Schema 2020-12 / OpenAPI 3.1 construct a spec may use,
//! on a tiny inline spec, through the whole generator (normalize → progenitor → unions →
//! format, the code path of `build.rs`). Each must generate; where the normalizer rewrote
//! or approximated it, the report says so at the construct's pointer.

use std::path::Path;

use galileo_export_codegen::normalize::Rule;
use galileo_export_codegen::{generate_value, Generated};
use serde_json::{json, Value};

/// A spec with one component schema `T` used by one operation's response.
fn with_schema(schema: Value) -> Value {
    with_schemas(json!({ "T": schema }))
}

fn with_schemas(schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/t": {"get": {
            "operationId": "get_t",
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/T"}
            }}}}
        }}},
        "components": {"schemas": schemas}
    })
}

fn generate(doc: Value) -> Generated {
    match generate_value(Path::new("inline.yaml"), doc) {
        Ok(generated) => generated,
        Err(e) => panic!("does not generate: {e}"),
    }
}

/// The generated code with whitespace collapsed, for `contains` checks.
fn code(generated: &Generated) -> String {
    generated
        .api
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn an_enum_narrowing_a_referenced_enum_keeps_its_values() {
    let generated = generate(with_schemas(json!({
        "Scope": {"type": "string", "enum": ["bot", "applications.commands", "email"]},
        "T": {"type": "object", "properties": {"scopes": {
            "type": ["array", "null"],
            "items": {"type": "string", "enum": ["applications.commands", "bot"],
                      "allOf": [{"$ref": "#/components/schemas/Scope"}]}
        }}}
    })));
    assert!(generated.report.fired(
        Rule::EnumNarrows,
        "#/components/schemas/T/properties/scopes/items"
    ));
    let code = code(&generated);
    assert!(
        code.contains("pub scopes: ::std::option::Option<::std::vec::Vec<TScopesItem>>"),
        "{code}"
    );
    assert!(
        code.contains("#[serde(rename = \"applications.commands\")] ApplicationsCommands"),
        "{code}"
    );
}

#[test]
fn enum_values_without_distinct_rust_names_become_a_string() {
    let generated = generate(with_schema(
        json!({"type": "string", "enum": [".", "X", "O"]}),
    ));
    assert!(generated
        .report
        .fired(Rule::EnumAsString, "#/components/schemas/T"));
    assert!(code(&generated).contains("pub struct T(pub ::std::string::String)"));
    // Values typify can name stay an enum.
    let generated = generate(with_schema(
        json!({"type": "string", "enum": ["a.b", "a-c", "X"]}),
    ));
    assert!(!generated.report.counts().contains_key(&Rule::EnumAsString));
}

#[test]
fn typify_naming_is_predicted() {
    use galileo_export_codegen::normalize::typify_variant_names_unique as unique;
    assert!(unique(&["a", "b"]));
    assert!(!unique(&[".", "X"]));
    assert!(!unique(&["a b", "a_b", "AB"]));
    assert!(unique(&["+1", "-1"]));
    assert!(!unique(&["", "x"]));
}

#[test]
fn a_null_only_property_is_any_json_value() {
    for null_only in [
        json!({"type": "null"}),
        json!({"enum": [null]}),
        json!({"const": null}),
    ] {
        let generated = generate(with_schema(json!({"type": "object", "properties": {
            "premium": null_only, "name": {"type": "string"}
        }})));
        assert!(generated
            .report
            .fired(Rule::NullOnly, "#/components/schemas/T/properties/premium"));
        let code = code(&generated);
        assert!(
            code.contains("pub premium: ::std::option::Option<::serde_json::Value>"),
            "{code}"
        );
    }
}

#[test]
fn a_dangling_mapping_is_repaired_from_the_members_own_tags() {
    let generated = generate(with_schemas(json!({
        "Text": {"type": "object", "required": ["type"], "properties": {
            "type": {"const": "text", "type": "string"}, "text": {"type": "string"}}},
        "Image": {"type": "object", "required": ["type"], "properties": {
            "type": {"const": "image", "type": "string"}, "url": {"type": "string"}}},
        "T": {"type": "object", "properties": {"blocks": {"type": "array", "items": {
            "oneOf": [{"$ref": "#/components/schemas/Text"}, {"$ref": "#/components/schemas/Image"}],
            "discriminator": {"propertyName": "type", "mapping": {
                "image": "#/components/schemas/Image-Input",
                "text": "#/components/schemas/Text-Input"
            }}
        }}}}
    })));
    for tag in ["image", "text"] {
        assert!(generated.report.fired(
            Rule::DanglingMapping,
            &format!("#/components/schemas/T/properties/blocks/items/discriminator/mapping/{tag}")
        ));
    }
    let union = generated
        .report
        .unions
        .iter()
        .find(|u| u.property == "type")
        .expect("the union dispatches on its tag");
    let mut mapping = union.mapping.clone();
    mapping.sort();
    assert_eq!(
        mapping,
        [
            ("image".to_string(), "Image".to_string()),
            ("text".to_string(), "Text".to_string())
        ]
    );
}

#[test]
fn an_ambiguous_dangling_mapping_stays_an_error() {
    let doc = with_schemas(json!({
        "A": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "B": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "T": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
              "discriminator": {"propertyName": "kind", "mapping": {
                  "a": "#/components/schemas/A-Input", "b": "#/components/schemas/B-Input"}}}
    }));
    let err = generate_value(Path::new("inline.yaml"), doc).expect_err("ambiguous");
    assert!(err.to_string().contains("dangling $ref"), "{err}");
    assert!(
        err.to_string()
            .contains("#/components/schemas/T/discriminator/mapping/"),
        "{err}"
    );
}

/// Every construct of the matrix generates (a panic or a stopped build fails the test,
/// naming the construct).
#[test]
fn every_construct_generates() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "boolean schema true",
            json!({"type": "object", "properties": {"a": true}}),
        ),
        (
            "boolean schema false",
            json!({"type": "object", "properties": {"a": false}}),
        ),
        (
            "additionalProperties false",
            json!({"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}),
        ),
        (
            "additionalProperties true",
            json!({"type": "object", "additionalProperties": true}),
        ),
        ("items: true", json!({"type": "array", "items": true})),
        ("type null alone", json!({"type": "null"})),
        (
            "type array one non-null",
            json!({"type": ["integer", "null"], "format": "int64"}),
        ),
        (
            "type array several",
            json!({"type": ["string", "integer", "null"]}),
        ),
        (
            "type array with items",
            json!({"type": ["array", "null"], "items": {"type": "string"}}),
        ),
        (
            "type array with additionalProperties",
            json!({"type": ["object", "null"], "additionalProperties": {"type": "integer"}}),
        ),
        (
            "type array with propertyNames",
            json!({"type": ["object", "null"], "propertyNames": {"pattern": "^[a-z]+$"}, "additionalProperties": {"type": "string"}}),
        ),
        (
            "oneOf null first",
            json!({"oneOf": [{"type": "null"}, {"type": "string"}]}),
        ),
        (
            "anyOf null first",
            json!({"anyOf": [{"type": "null"}, {"type": "integer"}]}),
        ),
        (
            "const without type",
            json!({"type": "object", "properties": {"kind": {"const": "x"}}}),
        ),
        ("enum with null", json!({"enum": ["a", "b", null]})),
        (
            "enum with null as a property",
            json!({"type": "object", "properties": {"e": {"enum": ["a", "b", null]}, "n": {"enum": [1, 2, null]}}}),
        ),
        (
            "prefixItems",
            json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}),
        ),
        (
            "unevaluatedProperties",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "unevaluatedProperties": false}),
        ),
        (
            "patternProperties",
            json!({"type": "object", "patternProperties": {"^x-": {"type": "string"}}}),
        ),
        (
            "dependentRequired",
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "dependentRequired": {"a": ["b"]}}),
        ),
        (
            "if/then/else",
            json!({"type": "object", "properties": {"a": {"type": "string"}}, "if": {"properties": {"a": {"const": "x"}}}, "then": {"required": ["a"]}, "else": {}}),
        ),
        (
            "not",
            json!({"type": "object", "properties": {"a": {"not": {"type": "string"}}}}),
        ),
        (
            "contentMediaType/contentEncoding",
            json!({"type": "string", "contentMediaType": "image/png", "contentEncoding": "base64"}),
        ),
        (
            "examples",
            json!({"type": "string", "examples": ["a", "b"]}),
        ),
        (
            "$ref with siblings",
            json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/U", "description": "d", "default": {"x": 1}}}}),
        ),
        (
            "enum narrowing allOf",
            json!({"type": "string", "enum": ["x"], "allOf": [{"$ref": "#/components/schemas/U"}]}),
        ),
        (
            "exclusive bounds",
            json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}),
        ),
    ];
    let mut failures = Vec::new();
    for (name, schema) in cases {
        let doc = with_schemas(json!({
            "T": schema,
            "U": {"type": "object", "properties": {"x": {"type": "integer"}}}
        }));
        if let Err(e) = generate_value(Path::new("inline.yaml"), doc) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Schema constructs that involve several schemas.
#[test]
fn every_composite_construct_generates() {
    let cat = json!({"type": "object", "required": ["kind"], "properties": {
        "kind": {"type": "string", "const": "cat"}, "lives": {"type": "integer"}}});
    let dog = json!({"type": "object", "required": ["kind"], "properties": {
        "kind": {"type": "string", "const": "dog"}, "bark": {"type": "string"}}});
    let cases: Vec<(&str, Value)> = vec![
        (
            "recursive schema",
            json!({
                "T": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/T"}}}}
            }),
        ),
        (
            "$defs and local refs into them",
            json!({
                "T": {"type": "object", "$defs": {"D": {"type": "string"}},
                      "properties": {"d": {"$ref": "#/components/schemas/T/$defs/D"}}}
            }),
        ),
        (
            "allOf [$ref to a oneOf, inline object]",
            json!({
                "Cat": cat.clone(), "Dog": dog.clone(),
                "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
                "T": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"owner": {"type": "string"}}}]}
            }),
        ),
        (
            "discriminator without mapping",
            json!({
                "Cat": cat.clone(), "Dog": dog.clone(),
                "T": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                      "discriminator": {"propertyName": "kind"}}
            }),
        ),
        (
            "discriminator on anyOf",
            json!({
                "Cat": cat.clone(), "Dog": dog.clone(),
                "T": {"anyOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                      "discriminator": {"propertyName": "kind", "mapping": {
                          "cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}}
            }),
        ),
        (
            "inline branches told apart by a const",
            json!({
                "T": {"oneOf": [cat.clone(), dog.clone()]}
            }),
        ),
        (
            "discriminated union inside anyOf-null, as array items",
            json!({
                "Cat": cat.clone(), "Dog": dog.clone(),
                "T": {"type": "object", "properties": {"pets": {"anyOf": [
                    {"type": "array", "items": {
                        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                        "discriminator": {"propertyName": "kind", "mapping": {
                            "cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}}},
                    {"type": "null"}]}}}
            }),
        ),
        (
            "single-branch discriminated union",
            json!({
                "Cat": cat.clone(),
                "T": {"oneOf": [{"$ref": "#/components/schemas/Cat"}],
                      "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}}
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (name, schemas) in cases {
        if let Err(e) = generate_value(Path::new("inline.yaml"), with_schemas(schemas)) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Document-level constructs of OpenAPI 3.1.
#[test]
fn every_document_construct_generates() {
    let base = || with_schema(json!({"type": "string"}));
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut doc = base();
    doc["webhooks"] = json!({"newPet": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}}, "responses": {"200": {"description": "ok"}}}}});
    cases.push(("webhooks", doc));
    let mut doc = base();
    doc["jsonSchemaDialect"] = json!("https://spec.openapis.org/oas/3.1/dialect/base");
    cases.push(("jsonSchemaDialect", doc));
    let mut doc = base();
    doc["paths"]["/u"] = json!({"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "integer"}}}}}}});
    cases.push(("operation without operationId", doc));
    let mut doc = base();
    doc["paths"]["/x"] = json!({"post": {"operationId": "put_xml",
        "requestBody": {"content": {"application/xml": {"schema": {"$ref": "#/components/schemas/T"}}}},
        "responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"type": "string"}}}}}}});
    cases.push(("non-JSON request and response media types", doc));
    let mut doc = base();
    doc["paths"]["/p/{id}"] = json!({
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "get": {"operationId": "get_p", "responses": {"200": {"description": "ok"}}}});
    cases.push(("path-level parameters", doc));
    let mut doc = base();
    doc["components"]["pathItems"] = json!({"Shared": {"get": {"operationId": "shared", "responses": {"200": {"description": "ok"}}}}});
    doc["paths"]["/shared"] = json!({"$ref": "#/components/pathItems/Shared"});
    cases.push(("components/pathItems", doc));
    let mut doc = base();
    doc["paths"]["/problem"] = json!({"get": {"operationId": "problem", "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
        "400": {"description": "bad", "content": {"application/problem+json": {"schema": {"type": "object", "properties": {"title": {"type": "string"}}}}}}}}});
    cases.push(("problem+json error", doc));
    let mut failures = Vec::new();
    for (name, doc) in cases {
        if let Err(e) = generate_value(Path::new("inline.yaml"), doc) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_array_header_parameter_is_a_comma_joined_string() {
    let mut doc = with_schema(json!({"type": "string"}));
    doc["paths"]["/h"] = json!({"get": {"operationId": "get_h",
        "parameters": [{"name": "x-beta", "in": "header", "required": false,
            "schema": {"type": ["array", "null"], "items": {"type": "string"}}}],
        "responses": {"200": {"description": "ok"}}}});
    let generated = generate(doc);
    assert!(generated
        .report
        .fired(Rule::HeaderArray, "#/paths/~1h/get/parameters/0"));
    let code = code(&generated);
    assert!(
        code.contains("x_beta: Result<Option<::std::string::String>, String>"),
        "{code}"
    );
}
