//! Discriminated unions: mapping objects → strings, the tag made required and
//! single-valued in each variant, inline unions hoisted to named components.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::naming::pascal_case;
use super::refs::{resolve_ref, schema_name};
use super::report::{DiscriminatedUnion, NormalizeError, Report};
use super::walk::{unescape_pointer, visit_schemas, SCHEMA_PREFIX};
use super::Rule;
use crate::error::escape_pointer;

pub(super) fn discriminators(doc: &mut Value, report: &mut Report) -> Result<(), NormalizeError> {
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
            // Several unions may name the same variant (each with its tags): each tag once,
            // in the order first seen.
            let mut allowed: Vec<Value> = Vec::new();
            for value in values {
                let value = Value::String(value.clone());
                if !allowed.contains(&value) {
                    allowed.push(value);
                }
            }
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
