//! Station 3: the normalizer. A pure function from an OpenAPI 3.1 (FastAPI) document to an
//! OpenAPI 3.0 document that `openapiv3` parses and progenitor/typify generate correctly,
//! plus a [`Report`] of every rewrite.
//!
//! Each rule matches one *construct* (never a schema name), rewrites it, and records it.
//! Schema rules run on every schema position (component schemas, properties, items,
//! `allOf`/`anyOf`/`oneOf` members, `additionalProperties`, `not`, parameter, request and
//! response schemas); property names and mapping keys are never mistaken for keywords.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::error::escape_pointer;

/// One kind of rewrite. Each has a one-line description ([`Rule::describe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `openapi: 3.1.x` → `3.0.3` (openapiv3 reads 3.0).
    OpenApiVersion,
    /// `type: [X, 'null']` → `type: X` + `nullable`; several non-null types → `anyOf`.
    TypeArray,
    /// `anyOf`/`oneOf` with a `{type: 'null'}` member → the other member(s) + `nullable`.
    NullableUnion,
    /// A nullable `$ref` → `allOf: [$ref]` + `nullable`.
    NullableRef,
    /// `enum` containing `null` → the other values + `nullable`.
    NullableEnum,
    /// A component schema that is itself nullable → not nullable; its uses become nullable.
    NullableComponent,
    /// `const: v` → `enum: [v]`.
    Const,
    /// `examples: [..]` → `example: <first>`.
    Examples,
    /// Numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + boolean flag.
    ExclusiveBound,
    /// `format: uuid4` (and other uuid versions) → `format: uuid` (a `uuid::Uuid`).
    UuidFormat,
    /// JSON-Schema keywords without an OpenAPI 3.0 meaning are dropped
    /// (`contentMediaType`, `propertyNames`, `$schema`, `pattern`, ...).
    UnsupportedKeyword,
    /// `$ref` with sibling keywords → `allOf: [$ref]` + the siblings (they would be lost).
    RefSiblings,
    /// `anyOf` (overlapping alternatives) → `oneOf` (an untagged enum that round-trips).
    AnyOfToOneOf,
    /// `title` below a component schema is dropped, so inline types are named after
    /// their parent and property (typify would merge every inline `title: Operator`).
    NestedTitle,
    /// A `default` that typify would reject (object/array on unions, `null`, wrong type,
    /// not in the enum, on a `$ref` to a non-enum) is dropped.
    Default,
    /// `discriminator.mapping` values written as `{$ref: ..}` objects → strings.
    DiscriminatorMapping,
    /// The discriminator property of each mapped variant becomes required, single-valued
    /// and default-free, so every variant writes it and deserialization can dispatch on it.
    DiscriminatorTag,
    /// An inline discriminated union is hoisted to a named component schema.
    HoistUnion,
    /// `nullable` on a parameter is dropped (optional already means absent).
    NullableParameter,
    /// An untyped (`{}`) 2xx JSON response → `application/octet-stream` (a byte stream).
    FileResponse,
    /// Responses of one class (success/error) with different kinds: only the first
    /// typed kind is kept; the others arrive as unexpected responses.
    MixedResponses,
    /// A request body with several media types keeps the one progenitor can express.
    BodyMediaType,
    /// A FastAPI operationId (`name_path_method`) → `name`, unique across the spec.
    OperationName,
    /// An operation progenitor cannot express is skipped.
    SkippedOperation,
    /// A `multipart/form-data` body is generated as a form-typed body (sent as multipart
    /// by the post-processing); its binary fields become byte vectors.
    MultipartBody,
    /// A `$ref` to a shared response or parameter is inlined.
    InlineRef,
}

impl Rule {
    /// One line saying what the rule does.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::OpenApiVersion => "openapi 3.1 -> 3.0.3",
            Rule::TypeArray => "type: [X, 'null'] -> type: X + nullable",
            Rule::NullableUnion => "anyOf/oneOf [X, null] -> X + nullable",
            Rule::NullableRef => "nullable $ref -> allOf [$ref] + nullable",
            Rule::NullableEnum => "enum with null -> enum + nullable",
            Rule::NullableComponent => "nullable component -> nullable at its uses",
            Rule::Const => "const -> single-valued enum",
            Rule::Examples => "examples [..] -> example",
            Rule::ExclusiveBound => "numeric exclusiveMinimum/Maximum -> 3.0 form",
            Rule::UuidFormat => "format uuid4 -> uuid",
            Rule::UnsupportedKeyword => "JSON Schema keyword without 3.0 meaning dropped",
            Rule::RefSiblings => "$ref + siblings -> allOf [$ref] + siblings",
            Rule::AnyOfToOneOf => "anyOf -> oneOf",
            Rule::NestedTitle => "nested title dropped (inline types named by parent)",
            Rule::Default => "default typify would reject dropped",
            Rule::DiscriminatorMapping => "discriminator mapping {$ref} -> string",
            Rule::DiscriminatorTag => "discriminator property made required and single-valued",
            Rule::HoistUnion => "inline discriminated union hoisted to a component",
            Rule::NullableParameter => "nullable dropped on a parameter",
            Rule::FileResponse => "untyped {} success response -> byte stream",
            Rule::MixedResponses => "response of a second kind in one class dropped",
            Rule::BodyMediaType => "request body reduced to one expressible media type",
            Rule::OperationName => "FastAPI operationId -> clean method name",
            Rule::SkippedOperation => "operation progenitor cannot express skipped",
            Rule::MultipartBody => "multipart/form-data body generated as a typed form",
            Rule::InlineRef => "shared response/parameter $ref inlined",
        }
    }
}

/// One rewrite: which rule, where (a JSON pointer into the input document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The rule applied.
    pub rule: Rule,
    /// Where, as a JSON pointer (`#/components/schemas/...`).
    pub pointer: String,
}

/// An operation left out of the generated client, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedOperation {
    /// The operationId as written in the spec.
    pub operation_id: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Why it cannot be generated.
    pub reason: String,
}

/// A `oneOf` with a `discriminator`, after normalization: a named component whose
/// variants are named components carrying the tag property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscriminatedUnion {
    /// Component schema name of the union.
    pub name: String,
    /// The discriminator property, e.g. `type`.
    pub property: String,
    /// Tag value → component schema name of the variant, in mapping order.
    pub mapping: Vec<(String, String)>,
}

/// An operation whose `multipart/form-data` body is generated as a typed struct and sent
/// as multipart by the generated `send()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartOperation {
    /// The clean method name (filled in once names are assigned).
    pub name: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Body fields that carry files: `name` for one file (`format: binary`), `name[]` for
    /// a list of files.
    pub file_fields: Vec<String>,
}

/// One generated operation: its clean method name and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// The clean method name, e.g. `export_records`.
    pub name: String,
    /// The operationId as written in the spec.
    pub operation_id: String,
    /// HTTP method, lower case.
    pub method: String,
    /// The path template.
    pub path: String,
}

/// What the normalizer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every rewrite, in the order applied.
    pub rewrites: Vec<Rewrite>,
    /// Operations left out.
    pub skipped: Vec<SkippedOperation>,
    /// Discriminated unions to be given tag-dispatching deserializers.
    pub unions: Vec<DiscriminatedUnion>,
    /// The operations that remain, with their clean names.
    pub operations: Vec<OperationInfo>,
    /// Hoisted component name → the pointer it came from.
    pub hoisted: BTreeMap<String, String>,
    /// Operations with `multipart/form-data` bodies.
    pub multipart: Vec<MultipartOperation>,
}

impl Report {
    /// Number of rewrites per rule.
    pub fn counts(&self) -> BTreeMap<Rule, usize> {
        let mut out = BTreeMap::new();
        for r in &self.rewrites {
            *out.entry(r.rule).or_insert(0) += 1;
        }
        out
    }

    /// Whether a rule fired at a pointer.
    pub fn fired(&self, rule: Rule, pointer: &str) -> bool {
        self.rewrites
            .iter()
            .any(|r| r.rule == rule && r.pointer == pointer)
    }

    fn record(&mut self, rule: Rule, pointer: &str) {
        self.rewrites.push(Rewrite {
            rule,
            pointer: pointer.to_string(),
        });
    }
}

/// A document the normalizer cannot make sense of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeError {
    /// Where, as a JSON pointer.
    pub pointer: String,
    /// Why.
    pub reason: String,
}

impl NormalizeError {
    fn new(pointer: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            reason: reason.into(),
        }
    }
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Keywords dropped from every schema (JSON Schema 2020-12 with no OpenAPI 3.0 meaning,
/// or `pattern`, whose Python-flavoured regexes would be compiled at run time).
const UNSUPPORTED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$defs",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "propertyNames",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "if",
    "then",
    "else",
    "pattern",
];

/// Normalize a whole document. Pure: the input is consumed, a new document returned.
pub fn normalize(mut doc: Value) -> Result<(Value, Report), NormalizeError> {
    let mut report = Report::default();
    let Some(root) = doc.as_object() else {
        return Err(NormalizeError::new("#", "the document is not a mapping"));
    };
    let version = root.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(NormalizeError::new(
            "#/openapi",
            format!("unsupported OpenAPI version `{version}` (3.0.x or 3.1.x expected)"),
        ));
    }
    if !root.get("paths").is_some_and(Value::is_object) {
        return Err(NormalizeError::new("#/paths", "missing `paths` mapping"));
    }
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
    bodies_and_operations(&mut doc, &mut report);
    responses(&mut doc, &mut report);
    operation_names(&mut doc, &mut report);
    Ok((doc, report))
}

// ---------------------------------------------------------------------------------------
// Reference checks

/// Every `$ref` of a schema, parameter, body or response (and every discriminator
/// mapping) must resolve inside the document.
fn check_refs(doc: &Value) -> Result<(), NormalizeError> {
    let mut scratch = doc.clone();
    let mut first_error = None;
    let mut check = |node: &Value, ptr: &str| {
        if first_error.is_some() {
            return;
        }
        if let Some(Value::String(target)) = node.get("$ref") {
            if resolve_ref(doc, target).is_none() {
                first_error = Some(NormalizeError::new(
                    format!("{ptr}/$ref"),
                    dangling_reason(target),
                ));
                return;
            }
        }
        if let Some(Value::Object(mapping)) =
            node.get("discriminator").and_then(|d| d.get("mapping"))
        {
            for (tag, target) in mapping {
                let here = format!("{ptr}/discriminator/mapping/{}", escape_pointer(tag));
                let target = match target {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => o.get("$ref").and_then(Value::as_str),
                    _ => None,
                };
                match target {
                    None => {
                        first_error = Some(NormalizeError::new(
                            here,
                            "a discriminator mapping value must be a reference",
                        ));
                        return;
                    }
                    Some(t) if resolve_ref(doc, t).is_none() => {
                        first_error = Some(NormalizeError::new(here, dangling_reason(t)));
                        return;
                    }
                    Some(_) => {}
                }
            }
        }
    };
    visit_schemas(&mut scratch, &mut |node, ptr, _| check(node, ptr));
    // Shared parameters, bodies and responses referenced from operations.
    for_each_operation(&mut scratch, |op, ptr| {
        for (key, value) in op.iter() {
            let entries: Vec<(String, &Value)> = match (key.as_str(), value) {
                ("parameters", Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("parameters/{i}"), v))
                    .collect(),
                ("responses", Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| (format!("responses/{}", escape_pointer(k)), v))
                    .collect(),
                ("requestBody", v) => vec![("requestBody".to_string(), v)],
                _ => continue,
            };
            for (seg, entry) in entries {
                check(entry, &format!("{ptr}/{seg}"));
            }
        }
    });
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn dangling_reason(target: &str) -> String {
    if target.starts_with('#') {
        format!("dangling $ref `{target}`: nothing in the document has that path")
    } else {
        format!("external $ref `{target}` is not supported: only references inside the document (`#/...`)")
    }
}

/// Resolve a local reference (`#/a/b`).
pub fn resolve_ref<'a>(doc: &'a Value, target: &str) -> Option<&'a Value> {
    let pointer = target.strip_prefix('#')?;
    doc.pointer(pointer)
}

fn schema_name(target: &str) -> Option<&str> {
    target.strip_prefix(SCHEMA_PREFIX)
}

// ---------------------------------------------------------------------------------------
// Shared responses and parameters are inlined so later rules see each operation whole.

fn inline_shared_refs(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    for_each_operation(doc, |op, ptr| {
        for key in ["parameters", "responses"] {
            let Some(container) = op.get_mut(key) else {
                continue;
            };
            let entries: Vec<(String, &mut Value)> = match container {
                Value::Array(a) => a
                    .iter_mut()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
                Value::Object(m) => m.iter_mut().map(|(k, v)| (escape_pointer(k), v)).collect(),
                _ => continue,
            };
            for (seg, entry) in entries {
                if let Some(target) = entry.get("$ref").and_then(Value::as_str) {
                    if let Some(resolved) = resolve_ref(&snapshot, target) {
                        *entry = resolved.clone();
                        report.record(Rule::InlineRef, &format!("{ptr}/{key}/{seg}"));
                    }
                }
            }
        }
        if let Some(body) = op.get_mut("requestBody") {
            if let Some(target) = body.get("$ref").and_then(Value::as_str) {
                if let Some(resolved) = resolve_ref(&snapshot, target) {
                    *body = resolved.clone();
                    report.record(Rule::InlineRef, &format!("{ptr}/requestBody"));
                }
            }
        }
    });
    // Path-level parameters are merged into each operation by progenitor; inline them too.
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(Value::Array(params)) = item.get_mut("parameters") {
                for (i, p) in params.iter_mut().enumerate() {
                    if let Some(target) = p.get("$ref").and_then(Value::as_str) {
                        if let Some(resolved) = resolve_ref(&snapshot, target) {
                            *p = resolved.clone();
                            report.record(
                                Rule::InlineRef,
                                &format!("#/paths/{}/parameters/{i}", escape_pointer(path)),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn for_each_operation(doc: &mut Value, mut f: impl FnMut(&mut Map<String, Value>, &str)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(*method) {
                f(op, &format!("#/paths/{}/{method}", escape_pointer(path)));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Schema walk

/// Visit every schema position of the document, structurally: component schemas (with
/// `top_level = true`), component parameters/headers/responses/request bodies, path and
/// operation parameters, request and response bodies, response headers — and inside
/// each schema its properties, items, `additionalProperties`, `allOf`/`anyOf`/`oneOf`
/// members and `not`. The callback runs on a node before its children, so rewrites it
/// makes are visited. Property names and mapping keys are never taken for keywords.
pub fn visit_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str, bool)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let ptr = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
            visit_schema_tree(schema, &ptr, true, f);
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for section in ["parameters", "headers", "responses", "requestBodies"] {
            if let Some(Value::Object(map)) = components.get_mut(section) {
                for (name, item) in map.iter_mut() {
                    let ptr = format!("#/components/{section}/{}", escape_pointer(name));
                    visit_container(item, &ptr, f);
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let base = format!("#/paths/{}", escape_pointer(path));
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            if let Some(Value::Array(params)) = item.get_mut("parameters") {
                for (i, p) in params.iter_mut().enumerate() {
                    visit_container(p, &format!("{base}/parameters/{i}"), f);
                }
            }
            for method in METHODS {
                let Some(Value::Object(op)) = item.get_mut(*method) else {
                    continue;
                };
                let ptr = format!("{base}/{method}");
                if let Some(Value::Array(params)) = op.get_mut("parameters") {
                    for (i, p) in params.iter_mut().enumerate() {
                        visit_container(p, &format!("{ptr}/parameters/{i}"), f);
                    }
                }
                if let Some(body) = op.get_mut("requestBody") {
                    visit_container(body, &format!("{ptr}/requestBody"), f);
                }
                if let Some(Value::Object(responses)) = op.get_mut("responses") {
                    for (status, response) in responses.iter_mut() {
                        visit_container(
                            response,
                            &format!("{ptr}/responses/{}", escape_pointer(status)),
                            f,
                        );
                    }
                }
            }
        }
    }
}

/// A parameter, header, request body or response: its `schema`, its `content.*.schema`,
/// and its `headers.*.schema`.
fn visit_container(item: &mut Value, ptr: &str, f: &mut dyn FnMut(&mut Value, &str, bool)) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    if let Some(schema) = item.get_mut("schema") {
        visit_schema_tree(schema, &format!("{ptr}/schema"), false, f);
    }
    if let Some(Value::Object(content)) = item.get_mut("content") {
        for (mt, media) in content.iter_mut() {
            if let Some(schema) = media.get_mut("schema") {
                visit_schema_tree(
                    schema,
                    &format!("{ptr}/content/{}/schema", escape_pointer(mt)),
                    false,
                    f,
                );
            }
        }
    }
    if let Some(Value::Object(headers)) = item.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            if let Some(schema) = header.get_mut("schema") {
                visit_schema_tree(
                    schema,
                    &format!("{ptr}/headers/{}/schema", escape_pointer(name)),
                    false,
                    f,
                );
            }
        }
    }
}

fn visit_schema_tree(
    node: &mut Value,
    ptr: &str,
    top_level: bool,
    f: &mut dyn FnMut(&mut Value, &str, bool),
) {
    f(node, ptr, top_level);
    let Some(map) = node.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            visit_schema_tree(
                prop,
                &format!("{ptr}/properties/{}", escape_pointer(name)),
                false,
                f,
            );
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            if child.is_object() {
                visit_schema_tree(child, &format!("{ptr}/{key}"), false, f);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            for (i, m) in members.iter_mut().enumerate() {
                visit_schema_tree(m, &format!("{ptr}/{key}/{i}"), false, f);
            }
        }
    }
}

/// Apply the per-schema rules to every schema position in the document.
fn walk_all_schemas(doc: &mut Value, report: &mut Report) {
    visit_schemas(doc, &mut |node, ptr, top_level| {
        apply_schema_rules(node, ptr, top_level, report)
    });
}

/// Apply the per-schema rules to one schema node (its children are visited after).
pub fn apply_schema_rules(node: &mut Value, ptr: &str, top_level: bool, report: &mut Report) {
    if let Value::Bool(b) = node {
        // JSON Schema boolean schemas: `true` accepts anything.
        *node = if *b { json!({}) } else { json!({"not": {}}) };
    }
    let Some(map) = node.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(items)) = map.get("items") {
        // 2019-09 tuple form: keep the first as the item schema.
        let first = items.first().cloned().unwrap_or_else(|| json!({}));
        map.insert("items".into(), first);
        report.record(Rule::UnsupportedKeyword, &format!("{ptr}/items"));
    }
    if map
        .get("additionalProperties")
        .is_some_and(Value::is_boolean)
        && map.get("additionalProperties") == Some(&Value::Bool(true))
    {
        map.insert("additionalProperties".into(), json!({}));
    }

    rule_type_array(map, ptr, report);
    rule_nullable_enum(map, ptr, report);
    // Merging the non-null member first lets the rules below see what it brought.
    rule_nullable_union(map, ptr, report);
    rule_const(map, ptr, report);
    rule_examples(map, ptr, report);
    rule_exclusive_bounds(map, ptr, report);
    rule_uuid_format(map, ptr, report);
    rule_unsupported_keywords(map, ptr, report);
    rule_ref_siblings(map, ptr, report);
    rule_anyof_to_oneof(map, ptr, report);
    if !top_level && map.remove("title").is_some() {
        report.record(Rule::NestedTitle, ptr);
    }
}

fn is_null_schema(v: &Value) -> bool {
    match v {
        Value::Object(m) => match m.get("type") {
            Some(Value::String(t)) => t == "null",
            Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
            _ => {
                m.get("enum").is_some_and(|e| e == &json!([null]))
                    || m.get("const") == Some(&Value::Null)
            }
        },
        _ => false,
    }
}

fn rule_type_array(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    let had_null = non_null.len() != types.len();
    match non_null.len() {
        0 => {
            map.remove("type");
        }
        1 => {
            map.insert("type".into(), non_null[0].clone());
        }
        _ => {
            map.remove("type");
            let members = non_null.into_iter().map(|t| json!({ "type": t })).collect();
            map.insert("anyOf".into(), Value::Array(members));
        }
    }
    if had_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
    report.record(Rule::TypeArray, ptr);
}

fn rule_const(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![value]));
        report.record(Rule::Const, ptr);
    }
}

fn rule_examples(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if let Some(examples) = map.remove("examples") {
        if !map.contains_key("example") {
            if let Some(first) = examples.as_array().and_then(|a| a.first()) {
                map.insert("example".into(), first.clone());
            }
        }
        report.record(Rule::Examples, ptr);
    }
}

fn rule_exclusive_bounds(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(n)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), Value::Number(n));
            map.insert(exclusive.into(), Value::Bool(true));
            report.record(Rule::ExclusiveBound, ptr);
        }
    }
}

fn rule_uuid_format(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if let Some(Value::String(f)) = map.get("format") {
        if f != "uuid" && f.starts_with("uuid") && f[4..].chars().all(|c| c.is_ascii_digit()) {
            map.insert("format".into(), json!("uuid"));
            report.record(Rule::UuidFormat, ptr);
        }
    }
}

fn rule_unsupported_keywords(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    for key in UNSUPPORTED_KEYWORDS {
        if map.remove(*key).is_some() {
            report.record(Rule::UnsupportedKeyword, ptr);
        }
    }
}

fn rule_nullable_enum(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        if values.iter().any(Value::is_null) && values.len() > 1 {
            values.retain(|v| !v.is_null());
            map.insert("nullable".into(), Value::Bool(true));
            report.record(Rule::NullableEnum, ptr);
        }
    }
}

fn rule_nullable_union(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get(key) else {
            continue;
        };
        if !members.iter().any(is_null_schema) {
            continue;
        }
        let rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_schema(m))
            .cloned()
            .collect();
        map.remove(key);
        match rest.len() {
            0 => {}
            1 => {
                let member = rest.into_iter().next().unwrap_or_default();
                let is_bare_ref = member
                    .as_object()
                    .is_some_and(|m| m.len() == 1 && m.contains_key("$ref"));
                if is_bare_ref {
                    map.insert("allOf".into(), Value::Array(vec![member]));
                    report.record(Rule::NullableRef, ptr);
                } else if let Value::Object(member) = member {
                    for (k, v) in member {
                        // The outer schema's documentation wins; the member brings the type.
                        if matches!(k.as_str(), "title" | "description" | "default")
                            && map.contains_key(&k)
                        {
                            continue;
                        }
                        map.insert(k, v);
                    }
                }
            }
            _ => {
                map.insert(key.into(), Value::Array(rest));
            }
        }
        map.insert("nullable".into(), Value::Bool(true));
        report.record(Rule::NullableUnion, ptr);
    }
}

fn rule_ref_siblings(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if map.len() < 2 || !map.contains_key("$ref") {
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let mut all_of = vec![json!({ "$ref": reference })];
    if let Some(Value::Array(existing)) = map.remove("allOf") {
        all_of.extend(existing);
    }
    map.insert("allOf".into(), Value::Array(all_of));
    report.record(Rule::RefSiblings, ptr);
}

fn rule_anyof_to_oneof(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if map.contains_key("oneOf") {
        return;
    }
    if let Some(members) = map.remove("anyOf") {
        map.insert("oneOf".into(), members);
        report.record(Rule::AnyOfToOneOf, ptr);
    }
}

// ---------------------------------------------------------------------------------------
// Nullable components: typify emits two types with one name for a nullable top-level union.

fn nullable_components(doc: &mut Value, report: &mut Report) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut nullable = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        if let Some(map) = schema.as_object_mut() {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                map.remove("nullable");
                nullable.insert(format!("{SCHEMA_PREFIX}{name}"));
                report.record(
                    Rule::NullableComponent,
                    &format!("{SCHEMA_PREFIX}{}", escape_pointer(name)),
                );
            }
        }
    }
    if nullable.is_empty() {
        return;
    }
    let mut uses = Vec::new();
    visit_schemas(doc, &mut |node, ptr, _| {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            if nullable.contains(target) {
                uses.push((ptr.to_string(), target.to_string()));
            }
        }
    });
    for (ptr, target) in uses {
        let Some(Value::Object(map)) = doc.pointer_mut(&ptr[1..]) else {
            continue;
        };
        map.remove("$ref");
        map.insert("allOf".into(), json!([{ "$ref": target }]));
        map.insert("nullable".into(), Value::Bool(true));
    }
}

// ---------------------------------------------------------------------------------------
// Discriminated unions

fn discriminators(doc: &mut Value, report: &mut Report) -> Result<(), NormalizeError> {
    // 1. Find every schema with a discriminator (pointer into the normalized document).
    let sites = find_discriminators(doc);

    let mut tags: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut hoist = Vec::new();
    for site in &sites {
        let Some(node) = doc.pointer_mut(&site[1..]) else {
            continue;
        };
        let Some(map) = node.as_object_mut() else {
            continue;
        };
        let Some(disc) = map.get_mut("discriminator").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(property) = disc
            .get("propertyName")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Err(NormalizeError::new(
                format!("{site}/discriminator"),
                "discriminator without `propertyName`",
            ));
        };
        let mut mapping: Vec<(String, String)> = Vec::new();
        if let Some(Value::Object(m)) = disc.get_mut("mapping") {
            let mut rewrote = false;
            for (tag, target) in m.iter_mut() {
                if let Some(r) = target
                    .get("$ref")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                {
                    *target = Value::String(r);
                    rewrote = true;
                }
                if let Some(t) = target.as_str() {
                    mapping.push((tag.clone(), t.to_string()));
                }
            }
            if rewrote {
                report.record(
                    Rule::DiscriminatorMapping,
                    &format!("{site}/discriminator/mapping"),
                );
            }
        }
        let members: Vec<String> = map
            .get("oneOf")
            .or_else(|| map.get("anyOf"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.get("$ref").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let member_count = map
            .get("oneOf")
            .or_else(|| map.get("anyOf"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if members.is_empty() || members.len() != member_count {
            continue; // Inline variants: typify tags those itself when the tag is required.
        }
        // Variants not named in the mapping are tagged by their own single-valued tag.
        for member in &members {
            if mapping.iter().any(|(_, t)| t == member) {
                continue;
            }
            let tag = resolve_ref(doc, member)
                .and_then(|s| s.pointer(&format!("/properties/{}/enum", escape_pointer(&property))))
                .and_then(Value::as_array)
                .filter(|e| e.len() == 1)
                .and_then(|e| e[0].as_str())
                .map(str::to_string);
            match tag {
                Some(tag) => mapping.push((tag, member.clone())),
                None => {
                    // Without a tag for every member the union cannot be dispatched by tag.
                    mapping.clear();
                    break;
                }
            }
        }
        if mapping.is_empty() || mapping.iter().any(|(_, t)| schema_name(t).is_none()) {
            continue;
        }
        for (tag, target) in &mapping {
            tags.entry((target.clone(), property.clone()))
                .or_default()
                .push(tag.clone());
        }
        hoist.push((site.clone(), property, mapping));
    }

    // 2. Each variant: tag property required, single-valued, without default.
    for ((target, property), values) in &tags {
        let Some(name) = schema_name(target) else {
            continue;
        };
        let ptr = format!("/components/schemas/{}", escape_pointer(name));
        let Some(Value::Object(variant)) = doc.pointer_mut(&ptr) else {
            continue;
        };
        let props = variant.entry("properties").or_insert_with(|| json!({}));
        let Some(props) = props.as_object_mut() else {
            continue;
        };
        let prop = props
            .entry(property.clone())
            .or_insert_with(|| json!({"type": "string"}));
        if let Some(prop) = prop.as_object_mut() {
            let mut allowed: Vec<Value> = values.iter().map(|v| Value::String(v.clone())).collect();
            allowed.dedup();
            prop.insert("type".into(), json!("string"));
            prop.insert("enum".into(), Value::Array(allowed));
            prop.remove("default");
            prop.remove("nullable");
            prop.remove("allOf");
            prop.remove("oneOf");
            prop.remove("anyOf");
            prop.remove("$ref");
        }
        let required = variant.entry("required").or_insert_with(|| json!([]));
        if let Some(required) = required.as_array_mut() {
            if !required.iter().any(|r| r == property.as_str()) {
                required.push(Value::String(property.clone()));
            }
        }
        report.record(
            Rule::DiscriminatorTag,
            &format!("#{ptr}/properties/{}", escape_pointer(property)),
        );
    }

    // 3. Inline unions become named components, so their type can be found and given
    //    a tag-dispatching deserializer.
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for (site, property, mapping) in hoist {
        let name = match site.strip_prefix(SCHEMA_PREFIX) {
            Some(rest) if !rest.contains('/') => unescape_pointer(rest),
            _ => {
                let base = name_from_pointer(&site, doc);
                let mut name = base.clone();
                let mut n = 2;
                while taken.contains(&name) {
                    name = format!("{base}{n}");
                    n += 1;
                }
                taken.insert(name.clone());
                let Some(node) = doc.pointer_mut(&site[1..]) else {
                    continue;
                };
                let mut union = node.take();
                let mut use_site = Map::new();
                if let Some(m) = union.as_object_mut() {
                    for key in ["description", "nullable", "default", "example"] {
                        if let Some(v) = m.remove(key) {
                            use_site.insert(key.into(), v);
                        }
                    }
                }
                let reference = json!({ "$ref": format!("{SCHEMA_PREFIX}{name}") });
                *node = if use_site.is_empty() {
                    reference
                } else {
                    use_site.insert("allOf".into(), json!([reference]));
                    Value::Object(use_site)
                };
                if let Some(schemas) = doc
                    .pointer_mut("/components/schemas")
                    .and_then(Value::as_object_mut)
                {
                    schemas.insert(name.clone(), union);
                }
                report.hoisted.insert(name.clone(), site.clone());
                report.record(Rule::HoistUnion, &site);
                name
            }
        };
        report.unions.push(DiscriminatedUnion {
            name,
            property,
            mapping: mapping
                .into_iter()
                .filter_map(|(tag, target)| schema_name(&target).map(|n| (tag, n.to_string())))
                .collect(),
        });
    }
    Ok(())
}

fn find_discriminators(doc: &mut Value) -> Vec<String> {
    let mut out = Vec::new();
    visit_schemas(doc, &mut |node, ptr, _| {
        let has_union = node.get("oneOf").is_some() || node.get("anyOf").is_some();
        if has_union && node.get("discriminator").is_some_and(Value::is_object) {
            out.push(ptr.to_string());
        }
    });
    out
}

fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A type name for an inline schema from where it sits: the owning component or
/// operation, then each property (PascalCase), `Item` for array items.
fn name_from_pointer(ptr: &str, doc: &Value) -> String {
    let segments: Vec<String> = ptr
        .trim_start_matches("#/")
        .split('/')
        .map(unescape_pointer)
        .collect();
    let mut name = String::new();
    let mut i = 0;
    if segments.first().map(String::as_str) == Some("components") && segments.len() > 2 {
        name.push_str(&segments[2]);
        i = 3;
    } else if segments.first().map(String::as_str) == Some("paths") && segments.len() > 2 {
        let op_id = doc
            .pointer(&format!(
                "/paths/{}/{}/operationId",
                escape_pointer(&segments[1]),
                segments[2]
            ))
            .and_then(Value::as_str)
            .unwrap_or("operation");
        name.push_str(&pascal_case(op_id));
        i = 3;
    }
    while i < segments.len() {
        match segments[i].as_str() {
            "properties" if i + 1 < segments.len() => {
                name.push_str(&pascal_case(&segments[i + 1]));
                i += 2;
            }
            "items" => {
                name.push_str("Item");
                i += 1;
            }
            "additionalProperties" => {
                name.push_str("Value");
                i += 1;
            }
            "requestBody" => {
                name.push_str("Body");
                i += 1;
            }
            "responses" if i + 1 < segments.len() => {
                name.push_str("Response");
                name.push_str(&segments[i + 1]);
                i += 2;
            }
            "parameters" if i + 1 < segments.len() => {
                name.push_str("Param");
                name.push_str(&segments[i + 1]);
                i += 2;
            }
            "allOf" | "oneOf" | "anyOf" if i + 1 < segments.len() => {
                name.push_str("Variant");
                name.push_str(&segments[i + 1]);
                i += 2;
            }
            _ => i += 1,
        }
    }
    if name.is_empty() {
        name.push_str("Union");
    }
    name
}

/// `export_records` → `ExportRecords`; keeps existing capitals.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Defaults

fn defaults(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    visit_schemas(doc, &mut |node, ptr, _| {
        let Some(map) = node.as_object_mut() else {
            return;
        };
        let Some(default) = map.get("default") else {
            return;
        };
        if !default_is_typable(map, default, &snapshot) {
            map.remove("default");
            report.record(Rule::Default, ptr);
        }
    });
}

/// Whether typify can check and emit this default: scalars of the schema's own type
/// (and in its enum), arrays of such scalars, and enum defaults through a single `$ref`.
fn default_is_typable(schema: &Map<String, Value>, default: &Value, doc: &Value) -> bool {
    if default.is_null() {
        return false;
    }
    if let Some(Value::Array(all_of)) = schema.get("allOf") {
        if all_of.len() != 1 || schema.contains_key("type") {
            return false;
        }
        let target = all_of[0]
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|t| resolve_ref(doc, t))
            .and_then(Value::as_object);
        return match target {
            Some(t) if t.contains_key("enum") => default_is_typable(t, default, doc),
            _ => false,
        };
    }
    if schema.contains_key("oneOf") || schema.contains_key("anyOf") || schema.contains_key("$ref") {
        return false;
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        if !values.contains(default) {
            return false;
        }
    }
    match (schema.get("type").and_then(Value::as_str), default) {
        (Some("string"), Value::String(_)) => true,
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        (Some("array"), Value::Array(items)) => {
            let item_schema = schema.get("items").and_then(Value::as_object);
            match item_schema {
                Some(s) => items
                    .iter()
                    .all(|i| !i.is_object() && !i.is_array() && default_is_typable(s, i, doc)),
                None => false,
            }
        }
        (Some("object"), Value::Object(m)) => m.is_empty() && !schema.contains_key("properties"),
        (None, _) => {
            schema.is_empty()
                || schema
                    .keys()
                    .all(|k| matches!(k.as_str(), "default" | "description" | "title"))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Parameters, bodies, responses, names

fn parameters(doc: &mut Value, report: &mut Report) {
    let fix = |params: &mut Value, base: &str, report: &mut Report| {
        let Value::Array(params) = params else { return };
        for (i, p) in params.iter_mut().enumerate() {
            if let Some(Value::Object(schema)) = p.get_mut("schema") {
                if schema.remove("nullable").is_some() {
                    // An optional parameter is already `Option<T>`; a nullable `$ref`
                    // wrapper is unwrapped back to the plain reference.
                    if let Some(Value::Array(all_of)) = schema.get("allOf") {
                        if all_of.len() == 1 && schema.len() == 1 {
                            let inner = all_of[0].clone();
                            *schema = inner.as_object().cloned().unwrap_or_default();
                        }
                    }
                    report.record(
                        Rule::NullableParameter,
                        &format!("{base}/parameters/{i}/schema"),
                    );
                }
            }
        }
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(params) = item.get_mut("parameters") {
                fix(params, &format!("#/paths/{}", escape_pointer(path)), report);
            }
        }
    }
    for_each_operation(doc, |op, ptr| {
        if let Some(params) = op.get_mut("parameters") {
            fix(params, ptr, report);
        }
    });
}

fn expressible_body(media_type: &str) -> Option<u8> {
    let base = media_type.split(';').next().unwrap_or("").trim();
    match base {
        "application/json" => Some(0),
        "application/x-www-form-urlencoded" => Some(1),
        "application/octet-stream" => Some(2),
        "text/plain" | "text/x-markdown" => Some(3),
        _ => None,
    }
}

fn is_multipart(media_type: &str) -> bool {
    media_type.split(';').next().unwrap_or("").trim() == "multipart/form-data"
}

fn is_binary(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("binary")
}

/// Binary fields of a multipart body become `Vec<u8>` (`array` of `uint8`), arrays of
/// them `Vec<Vec<u8>>`; returns the fields that carry files (`name`, or `name[]` for lists).
fn bytes_fields(schema: &mut Value) -> Vec<String> {
    let bytes = || json!({"type": "array", "items": {"type": "integer", "format": "uint8"}});
    let mut files = Vec::new();
    let Some(Value::Object(props)) = schema.get_mut("properties") else {
        return files;
    };
    for (name, prop) in props.iter_mut() {
        let binary = is_binary(prop);
        let Some(map) = prop.as_object_mut() else {
            continue;
        };
        if binary {
            map.remove("format");
            map.insert("type".into(), json!("array"));
            map.insert(
                "items".into(),
                json!({"type": "integer", "format": "uint8"}),
            );
            files.push(name.clone());
        } else if map.get("items").is_some_and(is_binary) {
            map.insert("items".into(), bytes());
            files.push(format!("{name}[]"));
        }
    }
    files
}

fn bodies_and_operations(doc: &mut Value, report: &mut Report) {
    let mut multipart: Vec<(String, String)> = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            let Some(Value::Object(op)) = item.get_mut(*method) else {
                continue;
            };
            let ptr = format!("#/paths/{}/{method}", escape_pointer(path));
            let Some(Value::Object(content)) =
                op.get_mut("requestBody").and_then(|b| b.get_mut("content"))
            else {
                continue;
            };
            let best = content
                .keys()
                .filter_map(|k| expressible_body(k).map(|rank| (rank, k.clone())))
                .min();
            match best {
                Some((_, keep)) => {
                    if content.len() > 1 {
                        content.retain(|k, _| *k == keep);
                        report.record(Rule::BodyMediaType, &format!("{ptr}/requestBody"));
                    }
                }
                None if content.keys().any(|k| is_multipart(k)) => {
                    let key = content
                        .keys()
                        .find(|k| is_multipart(k))
                        .cloned()
                        .unwrap_or_default();
                    let media = content.remove(&key).unwrap_or_default();
                    content.clear();
                    content.insert("application/x-www-form-urlencoded".into(), media);
                    multipart.push((path.clone(), (*method).to_string()));
                    report.record(Rule::MultipartBody, &format!("{ptr}/requestBody"));
                }
                None => {
                    let kinds: Vec<String> = content.keys().cloned().collect();
                    let op_id = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    report.skipped.push(SkippedOperation {
                        operation_id: op_id,
                        method: (*method).to_string(),
                        path: path.clone(),
                        reason: format!(
                            "request body media type {} cannot be expressed by progenitor 0.15",
                            kinds.join(", ")
                        ),
                    });
                    report.record(Rule::SkippedOperation, &ptr);
                    skipped.push((path.clone(), (*method).to_string()));
                }
            }
        }
    }
    for (path, method) in skipped {
        if let Some(item) = paths.get_mut(&path).and_then(Value::as_object_mut) {
            item.remove(&method);
        }
    }
    for (path, method) in multipart {
        let at = format!(
            "/paths/{}/{method}/requestBody/content/application~1x-www-form-urlencoded/schema",
            escape_pointer(&path)
        );
        let target = doc
            .pointer(&at)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .map(str::to_string)
            .unwrap_or(at);
        let file_fields = doc
            .pointer_mut(&target)
            .map(bytes_fields)
            .unwrap_or_default();
        report.multipart.push(MultipartOperation {
            name: String::new(),
            method,
            path,
            file_fields,
        });
    }
}

fn is_untyped_schema(schema: Option<&Value>) -> bool {
    match schema {
        None => true,
        Some(Value::Object(m)) => m
            .keys()
            .all(|k| matches!(k.as_str(), "title" | "description" | "example")),
        Some(Value::Bool(true)) => true,
        _ => false,
    }
}

fn is_json(media_type: &str) -> bool {
    let base = media_type.split(';').next().unwrap_or("").trim();
    base == "application/json" || (base.starts_with("application/") && base.ends_with("+json"))
}

fn responses(doc: &mut Value, report: &mut Report) {
    for_each_operation(doc, |op, ptr| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        // Untyped 2xx JSON → a byte stream: `{}` says nothing about the body, which may be
        // a file of any size; the caller decides how to read it.
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(Value::Object(content)) = response.get_mut("content") else {
                continue;
            };
            let json_key = content.keys().find(|k| is_json(k)).cloned();
            if let Some(key) = json_key {
                if is_untyped_schema(content.get(&key).and_then(|m| m.get("schema"))) {
                    content.clear();
                    content.insert(
                        "application/octet-stream".into(),
                        json!({"schema": {"type": "string", "format": "binary"}}),
                    );
                    report.record(
                        Rule::FileResponse,
                        &format!("{ptr}/responses/{}", escape_pointer(status)),
                    );
                }
            }
        }
        // One kind per class.
        for success in [true, false] {
            let in_class = |s: &str| {
                if s == "default" {
                    return true;
                }
                if success {
                    s.starts_with('2') || s == "101"
                } else {
                    s.starts_with('4') || s.starts_with('5')
                }
            };
            let mut codes: Vec<String> =
                responses.keys().filter(|s| in_class(s)).cloned().collect();
            codes.sort_by_key(|s| {
                if s == "default" {
                    1000
                } else {
                    s.replace('X', "0").parse::<u32>().unwrap_or(999)
                }
            });
            let kind = |r: &Value| -> String {
                match r.get("content").and_then(Value::as_object) {
                    None => "none".into(),
                    Some(c) if c.is_empty() => "none".into(),
                    Some(c) => match c.iter().find(|(k, _)| is_json(k)) {
                        Some((_, m)) => {
                            format!("json:{}", m.get("schema").cloned().unwrap_or_default())
                        }
                        None => "raw".into(),
                    },
                }
            };
            let kinds: Vec<String> = codes.iter().map(|c| kind(&responses[c])).collect();
            let distinct: BTreeSet<&String> = kinds.iter().collect();
            if distinct.len() <= 1 {
                continue;
            }
            let keep = kinds
                .iter()
                .find(|k| k.starts_with("json:"))
                .or_else(|| kinds.iter().find(|k| *k == "raw"))
                .cloned()
                .unwrap_or_default();
            for (code, k) in codes.iter().zip(&kinds) {
                if *k != keep {
                    responses.remove(code);
                    report.record(
                        Rule::MixedResponses,
                        &format!("{ptr}/responses/{}", escape_pointer(code)),
                    );
                }
            }
        }
    });
}

/// FastAPI's `generate_unique_id`: `{name}{path with non-word chars as _}_{method}`.
pub fn fastapi_suffix(path: &str, method: &str) -> String {
    let sanitized: String = path
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{sanitized}_{method}")
}

/// A Rust-friendly snake_case method name.
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("op_{out}")
    } else if out.is_empty() {
        "operation".into()
    } else {
        out
    }
}

fn operation_names(doc: &mut Value, report: &mut Report) {
    struct Op {
        path: String,
        method: String,
        original: String,
        clean: String,
    }
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let original = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let clean = match &original {
                    Some(id) => {
                        let suffix = fastapi_suffix(path, method);
                        match id.strip_suffix(&suffix) {
                            Some(name) if !name.is_empty() => snake_case(name),
                            _ => snake_case(id),
                        }
                    }
                    None => snake_case(&format!(
                        "{method}{}",
                        fastapi_suffix(path, "").trim_end_matches('_')
                    )),
                };
                ops.push(Op {
                    path: path.clone(),
                    method: (*method).to_string(),
                    original: original.unwrap_or_default(),
                    clean,
                });
            }
        }
    }
    // Names that repeat: add the method, then the path's distinguishing words.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for op in &ops {
        *counts.entry(op.clean.clone()).or_default() += 1;
    }
    let mut final_names: Vec<String> = Vec::new();
    let mut used: BTreeSet<String> = ops
        .iter()
        .filter(|o| counts[&o.clean] == 1)
        .map(|o| o.clean.clone())
        .collect();
    for op in &ops {
        if counts[&op.clean] == 1 {
            final_names.push(op.clean.clone());
            continue;
        }
        let path_words = snake_case(&op.path.replace(['{', '}'], ""));
        let method_unique_in_group = ops
            .iter()
            .filter(|o| o.clean == op.clean && o.method == op.method)
            .count()
            == 1;
        let mut candidates = Vec::new();
        if method_unique_in_group {
            candidates.push(format!("{}_{}", op.clean, op.method));
        }
        candidates.push(format!("{}_{}", op.clean, path_words));
        candidates.push(format!("{}_{}_{}", op.clean, path_words, op.method));
        let chosen = candidates.into_iter().find(|c| !used.contains(c));
        let mut name =
            chosen.unwrap_or_else(|| format!("{}_{}_{}", op.clean, path_words, op.method));
        let mut n = 2;
        while used.contains(&name) {
            name = format!(
                "{}_{n}",
                name.trim_end_matches(char::is_numeric)
                    .trim_end_matches('_')
            );
            n += 1;
        }
        used.insert(name.clone());
        final_names.push(name);
    }
    for (op, name) in ops.iter().zip(final_names) {
        let ptr = format!(
            "/paths/{}/{}/operationId",
            escape_pointer(&op.path),
            op.method
        );
        if let Some(slot) = doc.pointer_mut(&ptr) {
            if slot.as_str() != Some(name.as_str()) {
                report.record(
                    Rule::OperationName,
                    &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
                );
            }
            *slot = Value::String(name.clone());
        } else if let Some(Value::Object(o)) = doc.pointer_mut(&format!(
            "/paths/{}/{}",
            escape_pointer(&op.path),
            op.method
        )) {
            o.insert("operationId".into(), Value::String(name.clone()));
            report.record(
                Rule::OperationName,
                &format!("#/paths/{}/{}", escape_pointer(&op.path), op.method),
            );
        }
        for m in report.multipart.iter_mut() {
            if m.path == op.path && m.method == op.method {
                m.name = name.clone();
            }
        }
        report.operations.push(OperationInfo {
            name,
            operation_id: op.original.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
        });
    }
}
