//! Rules on single schemas (3.1 nullability, `const`, `examples`, bounds, formats,
//! keywords, `$ref` siblings, `anyOf`), nullable components, and `default`s typify rejects.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::refs::resolve_ref;
use super::report::Report;
use super::rules::Rule;
use super::walk::{visit_schemas, SCHEMA_PREFIX};
use crate::error::escape_pointer;

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

/// Apply the per-schema rules to one schema node (its children are visited after).
pub fn apply_schema_rules(node: &mut Value, ptr: &str, top_level: bool, report: &mut Report) {
    if let Value::Bool(b) = node {
        // JSON Schema boolean schemas: `true` accepts anything.
        *node = if *b { json!({}) } else { json!({"not": {}}) };
    }
    let Some(map) = node.as_object_mut() else {
        return;
    };
    // Boolean schemas where a single schema stands (their children are visited as
    // objects only).
    for key in [
        "items",
        "not",
        "contains",
        "additionalItems",
        "unevaluatedItems",
    ] {
        if let Some(Value::Bool(b)) = map.get(key) {
            let schema = if *b { json!({}) } else { json!({"not": {}}) };
            map.insert(key.into(), schema);
        }
    }
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

    rule_not(map, ptr, report);
    rule_null_only(map, ptr, report);
    rule_type_array(map, ptr, report);
    rule_nullable_enum(map, ptr, report);
    rule_anyof_with_oneof(map, ptr, report);
    // Merging the non-null member first lets the rules below see what it brought.
    rule_nullable_union(map, ptr, report);
    rule_const(map, ptr, report);
    rule_examples(map, ptr, report);
    rule_exclusive_bounds(map, ptr, report);
    super::numbers::rule_integer_bounds(map, ptr, report);
    super::numbers::rule_foreign_format(map, ptr, report);
    rule_uuid_format(map, ptr, report);
    rule_unsupported_keywords(map, ptr, report);
    rule_ref_siblings(map, ptr, report);
    rule_enum_narrows(map, ptr, report);
    rule_enum_names(map, ptr, report);
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
/// [`Rule::NotDropped`]: `not` other than the `false` schema's `not: {}`.
fn rule_not(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let is_false_schema = map.get("not") == Some(&json!({}));
    if map.contains_key("not") && !is_false_schema {
        map.remove("not");
        report.record(Rule::NotDropped, ptr);
    }
}

/// `{type: 'null'}`, `{enum: [null]}` or `{const: null}` alone: any JSON value, nullable.
fn rule_null_only(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let only_null = map.get("type") == Some(&json!("null"))
        || map.get("enum") == Some(&json!([null]))
        || map.get("const") == Some(&Value::Null);
    if !only_null {
        return;
    }
    map.remove("type");
    map.remove("enum");
    map.remove("const");
    map.insert("nullable".into(), Value::Bool(true));
    report.record(Rule::NullOnly, ptr);
}
fn rule_const(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if let Some(value) = map.remove("const") {
        // A `const` without `type` has the type of its value (typify would guess a
        // float for `2`).
        let inferred = match &value {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let (false, Some(t)) = (map.contains_key("type"), inferred) {
            map.insert("type".into(), json!(t));
        }
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
            // Without a `type`, the values say it (typify rejects a nullable enum
            // whose type it must guess).
            let inferred = if values.iter().all(Value::is_string) {
                Some("string")
            } else if values.iter().all(|v| v.is_i64() || v.is_u64()) {
                Some("integer")
            } else if values.iter().all(Value::is_number) {
                Some("number")
            } else if values.iter().all(Value::is_boolean) {
                Some("boolean")
            } else {
                None
            };
            if let (false, Some(t)) = (map.contains_key("type"), inferred) {
                map.insert("type".into(), json!(t));
            }
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
/// `enum` with `allOf`/`anyOf`/`oneOf` beside it (`{type: string, enum: [a, b], allOf:
/// [$ref: Scopes]}`: a referenced enum narrowed to some values). The listed values are
/// the exact set allowed, so they make the type; the composition only repeats it.
fn rule_enum_narrows(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    if !map.get("enum").is_some_and(Value::is_array) {
        return;
    }
    let mut dropped = false;
    for key in ["allOf", "anyOf", "oneOf"] {
        dropped |= map.remove(key).is_some();
    }
    if dropped {
        report.record(Rule::EnumNarrows, ptr);
    }
}

/// A string enum whose values typify cannot turn into distinct variant names is
/// generated as a string: typify would panic rather than emit colliding names.
fn rule_enum_names(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let Some(Value::Array(values)) = map.get("enum") else {
        return;
    };
    let Some(texts) = values
        .iter()
        .map(Value::as_str)
        .collect::<Option<Vec<&str>>>()
    else {
        return;
    };
    if texts.len() < 2 || typify_variant_names_unique(&texts) {
        return;
    }
    map.remove("enum");
    map.insert("type".into(), json!("string"));
    report.record(Rule::EnumAsString, ptr);
}

/// Whether typify 0.8 names these enum values as distinct variants: its
/// `TypeEntryEnum::from_metadata` tries `sanitize(value)`, then `sanitize` with every
/// `_` and non-identifier character turned into `X`, and panics if both collide.
pub fn typify_variant_names_unique(values: &[&str]) -> bool {
    use unicode_ident::is_xid_continue;
    let unique = |names: Vec<String>| names.iter().collect::<BTreeSet<_>>().len() == names.len();
    unique(values.iter().map(|v| typify_sanitize(v)).collect())
        || unique(
            values
                .iter()
                .map(|v| {
                    typify_sanitize(&v.replace(|c: char| c == '_' || !is_xid_continue(c), "X"))
                })
                .collect(),
        )
}

/// typify 0.8's `sanitize(input, Case::Pascal)` (keyword suffixes aside, which do not
/// change uniqueness).
fn typify_sanitize(input: &str) -> String {
    use heck::ToPascalCase;
    use unicode_ident::{is_xid_continue, is_xid_start};
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => input
            .replace('\'', "")
            .replace(|c: char| !is_xid_continue(c), "-")
            .to_pascal_case(),
    };
    match out.chars().next() {
        None => "X".to_string(),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("X{out}"),
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
/// `anyOf` and `oneOf` in one schema (pydantic's `Union` with a `Field(discriminator)`
/// over a subset, as in ElevenLabs' spec): the value must match one `anyOf` member *and*
/// exactly one `oneOf` member. Progenitor asserts that a schema has at most one of them.
/// When every `oneOf` member is also an `anyOf` member, the `oneOf` alone says the same
/// and the `anyOf` goes; otherwise the `oneOf` is kept and the `anyOf` dropped, which
/// admits values the `anyOf` would refuse (reported as an approximation).
fn rule_anyof_with_oneof(map: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let (Some(Value::Array(any_of)), Some(Value::Array(one_of))) =
        (map.get("anyOf"), map.get("oneOf"))
    else {
        return;
    };
    let implied = one_of.iter().all(|member| any_of.contains(member));
    map.remove("anyOf");
    let rule = if implied {
        Rule::AnyOfImpliedByOneOf
    } else {
        Rule::AnyOfBesideOneOf
    };
    report.record(rule, &format!("{ptr}/anyOf"));
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
pub(super) fn nullable_components(doc: &mut Value, report: &mut Report) {
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
// Defaults: kept where typify can check them, dropped where it cannot.
pub(super) fn defaults(doc: &mut Value, report: &mut Report) {
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

/// Apply the per-schema rules to every schema position in the document.
pub(super) fn walk_all_schemas(doc: &mut Value, report: &mut Report) {
    visit_schemas(doc, &mut |node, ptr, top_level| {
        apply_schema_rules(node, ptr, top_level, report)
    });
}
