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

mod operations;
mod schema;
mod unions;

use operations::{bodies_and_operations, operation_names, parameters, responses};
pub use operations::{fastapi_suffix, snake_case};
pub use schema::{apply_schema_rules, typify_variant_names_unique};
use schema::{defaults, nullable_components};
use unions::discriminators;
pub use unions::pascal_case;

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
    /// An `enum` next to `allOf`/`anyOf`/`oneOf` (a referenced type narrowed to some of
    /// its values): the values determine the type, the composition is dropped.
    EnumNarrows,
    /// A string `enum` whose values typify cannot name as distinct Rust variants (e.g.
    /// `.` and `X`) is generated as a plain string.
    EnumAsString,
    /// A schema that allows only `null` (`type: 'null'`, `enum: [null]`, `const: null`):
    /// no Rust type but `()` holds it, which typify cannot emit; it becomes any JSON
    /// value (`serde_json::Value`, which holds `null`).
    NullOnly,
    /// A discriminator mapping entry whose target does not exist (pydantic writes
    /// `X-Input` for a member it then names `X`) is pointed at the union member whose own
    /// tag property has that value, or at the one member no other entry maps. Ambiguous
    /// cases stay an error.
    DanglingMapping,
    /// `not` (other than `not: {}`, the `false` schema): a negation no Rust type
    /// expresses; it is dropped (the server validates it), so the schema admits more.
    NotDropped,
    /// `$defs` inside a component schema are hoisted to components of their own
    /// (`Parent` + `Def`), and `$ref`s into them follow.
    HoistDefs,
    /// A path item that is a `$ref` (to `components/pathItems` or elsewhere) is inlined.
    PathItemRef,
    /// A header parameter whose schema is an array is sent as one string, the values
    /// joined by commas (OpenAPI's `simple` style).
    HeaderArray,
    /// A 3.1 document without `paths` (only `webhooks` and/or `components`) gets an
    /// empty `paths`: a client without operations.
    EmptyPaths,
    /// An OAuth2 flow without `scopes` gets the empty map (required, may be empty).
    OAuthScopes,
    /// A request or response media type without `schema` gets the schema that says no
    /// more: `{}` for JSON, a string for `text/*`, a map for forms, bytes otherwise.
    MissingMediaSchema,
    /// A text or octet-stream request body whose schema is not the plain string (binary)
    /// progenitor takes is sent as a plain string (bytes): its constraints are not checked.
    RawBodySchema,
    /// A `deepObject` query parameter → one `name[prop]` query parameter per scalar
    /// property (its wire form).
    DeepObjectParameter,
    /// An optional object-typed query parameter (style `form`, exploded: `prop=value`)
    /// → one optional query parameter per scalar property; progenitor has no optional
    /// struct parameters.
    OptionalStructParameter,
    /// A parameter (or some of an object parameter's properties) progenitor cannot send
    /// is dropped when optional; when required, the operation is skipped instead.
    DroppedParameter,
}

impl Rule {
    /// Whether the rule approximates: the generated Rust type (or operation) admits or
    /// sends something other than what the spec says — constraints left to the server,
    /// a type widened to a string or any JSON value, a guess at a broken reference, an
    /// operation or parameter left out. The generator's report lists each with its
    /// pointer, so a drop-in can be judged before building on it.
    pub fn approximates(self) -> bool {
        matches!(
            self,
            Rule::UnsupportedKeyword
                | Rule::Default
                | Rule::MixedResponses
                | Rule::SkippedOperation
                | Rule::EnumAsString
                | Rule::NullOnly
                | Rule::DanglingMapping
                | Rule::NotDropped
                | Rule::HeaderArray
                | Rule::RawBodySchema
                | Rule::DroppedParameter
        )
    }

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
            Rule::EnumNarrows => "enum next to allOf/anyOf/oneOf: the enum's values kept",
            Rule::EnumAsString => {
                "enum without distinct Rust variant names -> string (approximated)"
            }
            Rule::NullOnly => "null-only schema -> any JSON value (approximated)",
            Rule::DanglingMapping => "dangling discriminator mapping -> the member with that tag",
            Rule::NotDropped => "not {..} dropped (approximated: the type admits more)",
            Rule::HoistDefs => "$defs hoisted to components, $refs into them rewritten",
            Rule::PathItemRef => "path item $ref inlined",
            Rule::HeaderArray => "array header parameter -> comma-joined string",
            Rule::EmptyPaths => "3.1 document without paths -> empty paths (no operations)",
            Rule::OAuthScopes => "OAuth2 flow without scopes -> empty scopes",
            Rule::MissingMediaSchema => "media type without schema -> {} (JSON), string or bytes",
            Rule::RawBodySchema => {
                "text/octet-stream body schema -> plain string/bytes (approximated)"
            }
            Rule::DeepObjectParameter => "deepObject query parameter -> name[prop] parameters",
            Rule::OptionalStructParameter => {
                "optional object query parameter -> one parameter per property"
            }
            Rule::DroppedParameter => {
                "optional parameter (or property) progenitor cannot send dropped (approximated)"
            }
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
    operations::document(&mut doc, &mut report)?;
    repair_dangling_mappings(&mut doc, &mut report);
    inline_path_item_refs(&mut doc, &mut report);
    hoist_defs(&mut doc, &mut report);
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

/// [`Rule::PathItemRef`]: `paths./x: {$ref: ..}` → the path item it points at (its own
/// keys, other than `$ref`, win).
fn inline_path_item_refs(doc: &mut Value, report: &mut Report) {
    let any = doc
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| paths.values().any(|item| item.get("$ref").is_some()));
    if !any {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(target) = item.get("$ref").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        let Some(Value::Object(resolved)) = resolve_ref(&snapshot, &target).cloned() else {
            continue; // left for the reference check
        };
        let Some(own) = item.as_object_mut() else {
            continue;
        };
        own.remove("$ref");
        for (key, value) in resolved {
            own.entry(key).or_insert(value);
        }
        report.record(
            Rule::PathItemRef,
            &format!("#/paths/{}", escape_pointer(path)),
        );
    }
}

/// [`Rule::HoistDefs`]: `components.schemas.P.$defs.D` → `components.schemas.PD`.
fn hoist_defs(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let mut taken: BTreeSet<String> = schemas.keys().cloned().collect();
    for (parent, schema) in schemas.iter_mut() {
        let Some(Value::Object(defs)) = schema.as_object_mut().and_then(|s| s.remove("$defs"))
        else {
            continue;
        };
        for (def, body) in defs {
            let base = format!("{parent}{}", unions::pascal_case(&def));
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            let old = format!(
                "{SCHEMA_PREFIX}{}/$defs/{}",
                escape_pointer(parent),
                escape_pointer(&def)
            );
            report.record(Rule::HoistDefs, &old);
            renames.push((old, format!("{SCHEMA_PREFIX}{}", escape_pointer(&name))));
            hoisted.push((name, body));
        }
    }
    if renames.is_empty() {
        return;
    }
    schemas.extend(hoisted);
    fn rewrite(node: &mut Value, renames: &[(String, String)]) {
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "$ref" {
                        if let Value::String(target) = value {
                            if let Some((_, new)) = renames.iter().find(|(old, _)| old == target) {
                                *target = new.clone();
                            }
                        }
                    } else {
                        rewrite(value, renames);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, renames)),
            _ => {}
        }
    }
    rewrite(doc, &renames);
}

/// Whether some discriminator mapping below `node` names a target `doc` lacks.
fn has_dangling_mapping(doc: &Value, node: &Value) -> bool {
    match node {
        Value::Object(map) => {
            let dangling = map
                .get("discriminator")
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object)
                .is_some_and(|mapping| {
                    mapping.values().any(|v| {
                        let target = match v {
                            Value::String(s) => Some(s.as_str()),
                            Value::Object(o) => o.get("$ref").and_then(Value::as_str),
                            _ => None,
                        };
                        target.is_some_and(|t| resolve_ref(doc, t).is_none())
                    })
                });
            dangling || map.values().any(|v| has_dangling_mapping(doc, v))
        }
        Value::Array(items) => items.iter().any(|v| has_dangling_mapping(doc, v)),
        _ => false,
    }
}

/// [`Rule::DanglingMapping`]: a mapping target that does not resolve is replaced by the
/// union member (a `$ref`) whose own discriminator property is that tag (`const: tag` or
/// `enum: [tag]`), or, failing that, by the single member no other entry names. Anything
/// ambiguous is left for the reference check to report.
fn repair_dangling_mappings(doc: &mut Value, report: &mut Report) {
    if !has_dangling_mapping(doc, doc) {
        return; // no copy of the document for nothing
    }
    let snapshot = doc.clone();
    let tag_of = |member: &str, property: &str| -> Option<Value> {
        let schema = resolve_ref(&snapshot, member)?;
        let prop = schema.get("properties")?.get(property)?;
        match (prop.get("const"), prop.get("enum")) {
            (Some(c), _) => Some(c.clone()),
            (None, Some(Value::Array(e))) if e.len() == 1 => Some(e[0].clone()),
            _ => None,
        }
    };
    let target = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("$ref").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    visit_schemas(doc, &mut |node, ptr, _| {
        let members: Vec<String> = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| node.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(|m| m.get("$ref").and_then(Value::as_str).map(str::to_string))
            .collect();
        let property = node
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let (Some(property), Some(Value::Object(mapping))) =
            (property, node.pointer_mut("/discriminator/mapping"))
        else {
            return;
        };
        let dangling: Vec<String> = mapping
            .iter()
            .filter(|(_, v)| target(v).is_some_and(|t| resolve_ref(&snapshot, &t).is_none()))
            .map(|(k, _)| k.clone())
            .collect();
        for tag in dangling {
            let by_tag: Vec<&String> = members
                .iter()
                .filter(|m| tag_of(m, &property) == Some(Value::String(tag.clone())))
                .collect();
            let mapped: BTreeSet<String> = mapping.values().filter_map(target).collect();
            let unmapped: Vec<&String> = members.iter().filter(|m| !mapped.contains(*m)).collect();
            let chosen = match (by_tag.as_slice(), unmapped.as_slice()) {
                ([one], _) => (*one).clone(),
                ([], [only]) => (*only).clone(),
                _ => continue,
            };
            mapping.insert(tag.clone(), Value::String(chosen));
            report.record(
                Rule::DanglingMapping,
                &format!("{ptr}/discriminator/mapping/{}", escape_pointer(&tag)),
            );
        }
    });
}

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

fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
