//! One test per normalizer rule, each on a tiny inline spec.

use galileo_export_codegen::normalize::{normalize, Report, Rule};
use serde_json::{json, Value};

fn spec_with(schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas}
    })
}

fn norm(doc: Value) -> (Value, Report) {
    normalize(doc).expect("normalizes")
}

fn schema(doc: &Value, name: &str) -> Value {
    doc["components"]["schemas"][name].clone()
}

#[test]
fn openapi_31_becomes_303() {
    let (doc, report) = norm(spec_with(json!({})));
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(report.fired(Rule::OpenApiVersion, "#/openapi"));
}

#[test]
fn type_array_with_null_becomes_nullable() {
    let (doc, report) = norm(spec_with(json!({"A": {"type": "object", "properties": {
        "x": {"type": ["string", "null"]},
        "y": {"type": ["string", "integer"]}
    }}})));
    let a = schema(&doc, "A");
    assert_eq!(
        a["properties"]["x"],
        json!({"type": "string", "nullable": true})
    );
    assert_eq!(
        a["properties"]["y"],
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})
    );
    assert!(report.fired(Rule::TypeArray, "#/components/schemas/A/properties/x"));
}

#[test]
fn nullable_scalar_anyof_merges_member() {
    let (doc, report) = norm(spec_with(json!({"A": {"type": "object", "properties": {
        "id": {"anyOf": [{"type": "string", "format": "uuid4"}, {"type": "null"}], "title": "Id", "description": "d"}
    }}})));
    assert_eq!(
        schema(&doc, "A")["properties"]["id"],
        json!({"description": "d", "type": "string", "format": "uuid", "nullable": true})
    );
    assert!(report.fired(Rule::NullableUnion, "#/components/schemas/A/properties/id"));
}

#[test]
fn nullable_ref_becomes_allof_nullable() {
    let (doc, report) = norm(spec_with(json!({
        "B": {"type": "object"},
        "A": {"type": "object", "properties": {
            "b": {"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}], "description": "the b"}
        }}
    })));
    assert_eq!(
        schema(&doc, "A")["properties"]["b"],
        json!({"description": "the b", "allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true})
    );
    assert!(report.fired(Rule::NullableRef, "#/components/schemas/A/properties/b"));
}

#[test]
fn nullable_array_and_several_members() {
    let (doc, _) = norm(spec_with(json!({"A": {"type": "object", "properties": {
        "cols": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
        "v": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
    }}})));
    let a = schema(&doc, "A");
    assert_eq!(
        a["properties"]["cols"],
        json!({"type": "array", "items": {"type": "string"}, "nullable": true})
    );
    assert_eq!(
        a["properties"]["v"],
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
}

#[test]
fn enum_with_null_becomes_nullable() {
    let (doc, report) = norm(spec_with(
        json!({"A": {"type": "string", "enum": ["a", null]}}),
    ));
    assert_eq!(schema(&doc, "A"), json!({"type": "string", "enum": ["a"]}));
    // Nullable at the top level moves to the uses.
    assert!(report.fired(Rule::NullableEnum, "#/components/schemas/A"));
    assert!(report.fired(Rule::NullableComponent, "#/components/schemas/A"));
}

#[test]
fn nullable_component_moves_to_its_uses() {
    let (doc, report) = norm(spec_with(json!({
        "JsonPrimitive": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
        "A": {"type": "object", "properties": {"v": {"$ref": "#/components/schemas/JsonPrimitive"}}}
    })));
    assert_eq!(
        schema(&doc, "JsonPrimitive"),
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})
    );
    assert_eq!(
        schema(&doc, "A")["properties"]["v"],
        json!({"allOf": [{"$ref": "#/components/schemas/JsonPrimitive"}], "nullable": true})
    );
    assert!(report.fired(
        Rule::NullableComponent,
        "#/components/schemas/JsonPrimitive"
    ));
}

#[test]
fn const_becomes_single_enum() {
    let (doc, report) = norm(spec_with(json!({"A": {"type": "string", "const": "x"}})));
    assert_eq!(schema(&doc, "A"), json!({"type": "string", "enum": ["x"]}));
    assert!(report.fired(Rule::Const, "#/components/schemas/A"));
}

#[test]
fn examples_array_becomes_example() {
    let (doc, report) = norm(spec_with(
        json!({"A": {"type": "string", "examples": ["e1", "e2"]}}),
    ));
    assert_eq!(
        schema(&doc, "A"),
        json!({"type": "string", "example": "e1"})
    );
    assert!(report.fired(Rule::Examples, "#/components/schemas/A"));
}

#[test]
fn property_named_like_a_keyword_is_kept() {
    let (doc, _) = norm(spec_with(json!({"A": {"type": "object", "properties": {
        "examples": {"type": "array", "items": {"type": "string"}},
        "default": {"type": "string"},
        "const": {"type": "integer"}
    }}})));
    let props = &schema(&doc, "A")["properties"];
    assert_eq!(
        props["examples"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(props["default"], json!({"type": "string"}));
    assert_eq!(props["const"], json!({"type": "integer"}));
}

#[test]
fn exclusive_bounds_become_30_form() {
    let (doc, report) = norm(spec_with(
        json!({"A": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5}}),
    ));
    assert_eq!(
        schema(&doc, "A"),
        json!({"type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 1.5})
    );
    assert!(report.fired(Rule::ExclusiveBound, "#/components/schemas/A"));
}

#[test]
fn uuid4_format_becomes_uuid() {
    let (doc, report) = norm(spec_with(
        json!({"A": {"type": "string", "format": "uuid4"}}),
    ));
    assert_eq!(
        schema(&doc, "A"),
        json!({"type": "string", "format": "uuid"})
    );
    assert!(report.fired(Rule::UuidFormat, "#/components/schemas/A"));
}

#[test]
fn unsupported_keywords_are_dropped() {
    let (doc, report) = norm(spec_with(json!({"A": {
        "type": "object", "propertyNames": {"pattern": "^a"},
        "properties": {"f": {"type": "string", "contentMediaType": "text/plain", "pattern": "^[a-z]+$"}}
    }})));
    assert_eq!(
        schema(&doc, "A"),
        json!({"type": "object", "properties": {"f": {"type": "string"}}})
    );
    assert!(report.fired(
        Rule::UnsupportedKeyword,
        "#/components/schemas/A/properties/f"
    ));
}

#[test]
fn ref_siblings_are_kept_in_allof() {
    let (doc, report) = norm(spec_with(json!({
        "Fmt": {"type": "string", "enum": ["csv", "jsonl"]},
        "A": {"type": "object", "properties": {
            "f": {"$ref": "#/components/schemas/Fmt", "description": "Export format", "default": "jsonl"}
        }}
    })));
    assert_eq!(
        schema(&doc, "A")["properties"]["f"],
        json!({"description": "Export format", "default": "jsonl", "allOf": [{"$ref": "#/components/schemas/Fmt"}]})
    );
    assert!(report.fired(Rule::RefSiblings, "#/components/schemas/A/properties/f"));
}

#[test]
fn anyof_becomes_oneof() {
    let (doc, report) = norm(spec_with(
        json!({"A": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}),
    ));
    assert_eq!(
        schema(&doc, "A"),
        json!({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
    );
    assert!(report.fired(Rule::AnyOfToOneOf, "#/components/schemas/A"));
}

#[test]
fn nested_titles_are_dropped_top_level_kept() {
    let (doc, report) = norm(spec_with(json!({
        "TextFilter": {"title": "TextFilter", "type": "object", "properties": {
            "operator": {"type": "string", "enum": ["eq", "contains"], "title": "Operator"}
        }}
    })));
    let t = schema(&doc, "TextFilter");
    assert_eq!(t["title"], "TextFilter");
    assert_eq!(
        t["properties"]["operator"],
        json!({"type": "string", "enum": ["eq", "contains"]})
    );
    assert!(report.fired(
        Rule::NestedTitle,
        "#/components/schemas/TextFilter/properties/operator"
    ));
}

#[test]
fn defaults_typify_rejects_are_dropped_others_kept() {
    let (doc, report) = norm(spec_with(json!({
        "Fmt": {"type": "string", "enum": ["csv", "jsonl"]},
        "Obj": {"type": "object"},
        "A": {"type": "object", "properties": {
            "ok_bool": {"type": "boolean", "default": true},
            "ok_enum": {"type": "string", "enum": ["eq", "ne"], "default": "eq"},
            "ok_ref_enum": {"$ref": "#/components/schemas/Fmt", "default": "jsonl"},
            "bad_ref_enum": {"$ref": "#/components/schemas/Fmt", "default": "xml"},
            "bad_ref_object": {"$ref": "#/components/schemas/Obj", "default": {"a": 1}},
            "bad_union": {"anyOf": [{"type": "string"}, {"type": "integer"}], "default": {"x": 1}},
            "bad_type": {"type": "integer", "default": "three"},
            "bad_null": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
            "bad_enum": {"type": "string", "enum": ["a"], "default": "b"}
        }}
    })));
    let props = &schema(&doc, "A")["properties"];
    for kept in ["ok_bool", "ok_enum", "ok_ref_enum"] {
        assert!(
            props[kept].get("default").is_some(),
            "{kept} keeps its default"
        );
    }
    for dropped in [
        "bad_ref_enum",
        "bad_ref_object",
        "bad_union",
        "bad_type",
        "bad_null",
        "bad_enum",
    ] {
        assert!(
            props[dropped].get("default").is_none(),
            "{dropped} loses its default"
        );
        assert!(report.fired(
            Rule::Default,
            &format!("#/components/schemas/A/properties/{dropped}")
        ));
    }
}

fn union_spec(mapping: Value) -> Value {
    spec_with(json!({
        "Req": {"type": "object", "properties": {"filters": {"type": "array", "items": {
            "oneOf": [{"$ref": "#/components/schemas/TextF"}, {"$ref": "#/components/schemas/DateF"}],
            "discriminator": {"propertyName": "type", "mapping": mapping}
        }}}},
        "TextF": {"type": "object", "required": ["value"], "properties": {
            "value": {"type": "string"},
            "type": {"type": "string", "const": "text", "default": "text", "title": "Type"}
        }},
        "DateF": {"type": "object", "properties": {
            "value": {"type": "string", "format": "date-time"},
            "type": {"type": "string", "const": "date", "default": "date"}
        }}
    }))
}

#[test]
fn discriminator_mapping_objects_become_strings() {
    let (doc, report) = norm(union_spec(json!({
        "text": {"$ref": "#/components/schemas/TextF"},
        "date": {"$ref": "#/components/schemas/DateF"}
    })));
    let union = schema(&doc, "ReqFiltersItem");
    assert_eq!(
        union["discriminator"]["mapping"],
        json!({"text": "#/components/schemas/TextF", "date": "#/components/schemas/DateF"})
    );
    assert!(report.fired(
        Rule::DiscriminatorMapping,
        "#/components/schemas/Req/properties/filters/items/discriminator/mapping"
    ));
}

#[test]
fn discriminated_union_is_hoisted_and_tags_required() {
    let (doc, report) = norm(union_spec(json!({
        "text": "#/components/schemas/TextF",
        "date": "#/components/schemas/DateF"
    })));
    assert_eq!(
        schema(&doc, "Req")["properties"]["filters"]["items"],
        json!({"$ref": "#/components/schemas/ReqFiltersItem"})
    );
    let text = schema(&doc, "TextF");
    assert_eq!(
        text["properties"]["type"],
        json!({"type": "string", "enum": ["text"]})
    );
    assert_eq!(text["required"], json!(["value", "type"]));
    assert_eq!(schema(&doc, "DateF")["required"], json!(["type"]));
    assert_eq!(report.unions.len(), 1);
    assert_eq!(report.unions[0].name, "ReqFiltersItem");
    assert_eq!(report.unions[0].property, "type");
    assert_eq!(
        report.unions[0].mapping,
        vec![
            ("text".to_string(), "TextF".to_string()),
            ("date".to_string(), "DateF".to_string())
        ]
    );
    assert!(report.fired(
        Rule::HoistUnion,
        "#/components/schemas/Req/properties/filters/items"
    ));
    assert!(report.fired(
        Rule::DiscriminatorTag,
        "#/components/schemas/TextF/properties/type"
    ));
}

#[test]
fn discriminator_without_mapping_uses_variant_consts() {
    let (_, report) = norm(union_spec(Value::Null).pipe(|mut d| {
        d["components"]["schemas"]["Req"]["properties"]["filters"]["items"]["discriminator"]
            .as_object_mut()
            .map(|m| m.remove("mapping"));
        d
    }));
    assert_eq!(
        report.unions[0].mapping,
        vec![
            ("text".to_string(), "TextF".to_string()),
            ("date".to_string(), "DateF".to_string())
        ]
    );
}

trait Pipe: Sized {
    fn pipe(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }
}
impl Pipe for Value {}

fn op_spec(path: &str, method: &str, op: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {path: {method: op}},
        "components": {"schemas": {"E": {"type": "object"}}}
    })
}

#[test]
fn fastapi_operation_ids_become_clean_names() {
    let (doc, report) = norm(op_spec(
        "/v2/projects/{project_id}/export_records",
        "post",
        json!({"operationId": "export_records_v2_projects__project_id__export_records_post", "responses": {}}),
    ));
    assert_eq!(
        doc["paths"]["/v2/projects/{project_id}/export_records"]["post"]["operationId"],
        "export_records"
    );
    assert_eq!(report.operations[0].name, "export_records");
    assert_eq!(
        report.operations[0].operation_id,
        "export_records_v2_projects__project_id__export_records_post"
    );
}

#[test]
fn repeated_clean_names_stay_unique() {
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/a/{id}": {
                "get": {"operationId": "get_thing_a__id__get", "responses": {}},
                "delete": {"operationId": "get_thing_a__id__delete", "responses": {}}
            },
            "/b/{id}": {"get": {"operationId": "get_thing_b__id__get", "responses": {}}},
            "/c": {"get": {"operationId": "other_c_get", "responses": {}}}
        }
    });
    let (_, report) = norm(doc);
    let names: Vec<&str> = report.operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "get_thing_a_id",
            "get_thing_delete",
            "get_thing_b_id",
            "other"
        ]
    );
}

#[test]
fn non_fastapi_ids_are_snake_cased() {
    let (_, report) = norm(op_spec(
        "/x",
        "get",
        json!({"operationId": "listThings", "responses": {}}),
    ));
    assert_eq!(report.operations[0].name, "list_things");
}

#[test]
fn untyped_success_response_becomes_byte_stream() {
    let (doc, report) = norm(op_spec(
        "/x",
        "post",
        json!({"operationId": "x_x_post", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {}}}}
        }}),
    ));
    assert_eq!(
        doc["paths"]["/x"]["post"]["responses"]["200"]["content"],
        json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
    );
    assert!(report.fired(Rule::FileResponse, "#/paths/~1x/post/responses/200"));
}

#[test]
fn typed_success_response_is_left_alone() {
    let (doc, _) = norm(op_spec(
        "/x",
        "get",
        json!({"operationId": "x", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
        }}),
    ));
    assert!(
        doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"].is_object()
    );
}

#[test]
fn mixed_error_responses_keep_the_typed_kind() {
    let (doc, report) = norm(op_spec(
        "/x",
        "get",
        json!({"operationId": "x", "responses": {
            "200": {"description": "ok"},
            "404": {"description": "not found"},
            "422": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
        }}),
    ));
    let responses = &doc["paths"]["/x"]["get"]["responses"];
    assert!(responses.get("404").is_none());
    assert!(responses.get("422").is_some());
    assert!(report.fired(Rule::MixedResponses, "#/paths/~1x/get/responses/404"));
}

#[test]
fn nullable_parameters_lose_nullable() {
    let (doc, report) = norm(op_spec(
        "/x",
        "get",
        json!({"operationId": "x", "responses": {}, "parameters": [
            {"name": "q", "in": "query", "required": false, "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
        ]}),
    ));
    assert_eq!(
        doc["paths"]["/x"]["get"]["parameters"][0]["schema"],
        json!({"type": "string"})
    );
    assert!(report.fired(
        Rule::NullableParameter,
        "#/paths/~1x/get/parameters/0/schema"
    ));
}

#[test]
fn multipart_bodies_become_typed_forms_with_byte_files() {
    let (doc, report) = norm(op_spec(
        "/upload",
        "post",
        json!({"operationId": "upload_upload_post", "responses": {},
        "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"},
            "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "note": {"type": "string"}
        }}}}}}),
    ));
    let body = &doc["paths"]["/upload"]["post"]["requestBody"]["content"];
    let schema = &body["application/x-www-form-urlencoded"]["schema"];
    assert_eq!(
        schema["properties"]["file"],
        json!({"type": "array", "items": {"type": "integer", "format": "uint8"}})
    );
    assert_eq!(
        schema["properties"]["more"]["items"],
        json!({"type": "array", "items": {"type": "integer", "format": "uint8"}})
    );
    assert_eq!(schema["properties"]["note"], json!({"type": "string"}));
    assert!(report.skipped.is_empty());
    assert_eq!(report.multipart.len(), 1);
    assert_eq!(report.multipart[0].name, "upload");
    assert_eq!(report.multipart[0].file_fields, ["file", "more[]"]);
    assert!(report.fired(Rule::MultipartBody, "#/paths/~1upload/post/requestBody"));
}

#[test]
fn inexpressible_bodies_are_skipped_with_a_reason() {
    let (doc, report) = norm(op_spec(
        "/xml",
        "post",
        json!({"operationId": "put_xml_xml_post", "responses": {},
        "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}}}}),
    ));
    assert!(doc["paths"]["/xml"].get("post").is_none());
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].operation_id, "put_xml_xml_post");
    assert!(report.skipped[0].reason.contains("application/xml"));
}

#[test]
fn dangling_ref_is_an_error_with_pointer() {
    let err = normalize(spec_with(json!({"A": {"type": "object", "properties": {
        "b": {"$ref": "#/components/schemas/Missing"}
    }}})))
    .unwrap_err();
    assert_eq!(err.pointer, "#/components/schemas/A/properties/b/$ref");
    assert!(
        err.reason.contains("#/components/schemas/Missing"),
        "{}",
        err.reason
    );
}

#[test]
fn normalizing_twice_changes_nothing_more() {
    let seed = union_spec(
        json!({"text": {"$ref": "#/components/schemas/TextF"}, "date": {"$ref": "#/components/schemas/DateF"}}),
    );
    let (once, _) = norm(seed);
    let (twice, _) = norm(once.clone());
    assert_eq!(once, twice);
}
