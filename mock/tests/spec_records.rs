//! Every record the local server produces has the shape Galileo's newer spec
//! (`tests/fixtures/galileo-openapi-full.yaml`) gives the export's records: validated
//! with a JSON Schema 2020-12 validator against the spec's record schemas (its
//! components as `$defs`), made strict so that a field the spec does not define fails
//! too; every union branch appears; a mutated record is rejected.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use galileo_export_mock::{Dataset, DatasetConfig, MockServer, RootType};
use jsonschema::Validator;
use serde_json::{json, Value};

/// The spec's component schemas as `$defs`, every `#/components/schemas/` reference
/// rewritten, and every object schema that leaves `additionalProperties` open closed
/// (the server writes only the fields the models define).
fn defs() -> &'static Value {
    static DEFS: OnceLock<Value> = OnceLock::new();
    DEFS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/galileo-openapi-full.yaml"
        );
        let text = std::fs::read_to_string(path).expect("the spec fixture is readable");
        let spec: Value = serde_yaml::from_str(&text).expect("the spec fixture is YAML");
        let mut schemas = spec["components"]["schemas"].clone();
        assert!(schemas.is_object(), "the spec has components.schemas");
        rewrite(&mut schemas);
        schemas
    })
}

fn rewrite(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    *r = format!("#/$defs/{name}");
                }
            }
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (_, child) in map.iter_mut() {
                rewrite(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite),
        _ => {}
    }
}

/// The schema a record of `root` type must satisfy.
fn schema_for(root: RootType) -> Value {
    let top = match root {
        RootType::Session => json!({"$ref": "#/$defs/ExtendedSessionRecordWithChildren"}),
        RootType::Trace => json!({"$ref": "#/$defs/ExtendedTraceRecordWithChildren"}),
        RootType::Span => json!({"oneOf": [
            {"$ref": "#/$defs/ExtendedAgentSpanRecord"},
            {"$ref": "#/$defs/ExtendedWorkflowSpanRecord"},
            {"$ref": "#/$defs/ExtendedLlmSpanRecord"},
            {"$ref": "#/$defs/ExtendedToolSpanRecord"},
            {"$ref": "#/$defs/ExtendedRetrieverSpanRecord"},
            {"$ref": "#/$defs/ExtendedControlSpanRecord"},
        ]}),
    };
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": defs().clone(),
    });
    if let (Some(obj), Value::Object(top)) = (schema.as_object_mut(), top) {
        obj.extend(top);
    }
    schema
}

fn validator(root: RootType) -> Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .build(&schema_for(root))
        .expect("the spec's record schemas compile")
}

/// Up to five validation errors of `record`, as text.
fn errors(v: &Validator, record: &Value) -> Vec<String> {
    v.iter_errors(record)
        .take(5)
        .map(|e| {
            format!(
                "{} at {} (schema {})",
                e,
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect()
}

/// What the record shows of the spec's unions and optional fields, collected over
/// every nested record.
fn branches(v: &Value, seen: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(t)) = m.get("type") {
                if m.contains_key("run_id") {
                    seen.insert(format!("record:{t}"));
                    for (k, x) in m {
                        let state = if x.is_null() { "null" } else { "value" };
                        seen.insert(format!("field:{k}:{state}"));
                    }
                } else {
                    seen.insert(format!("tagged:{t}"));
                }
            }
            if let Some(Value::Object(info)) = m.get("metric_info") {
                for r in info.values() {
                    seen.insert(format!(
                        "metric:{}",
                        r["status_type"].as_str().unwrap_or("?")
                    ));
                    if let Some(value) = r.get("value") {
                        seen.insert(format!("value:{}", value_kind(value)));
                    }
                }
            }
            for (k, tag) in [
                ("aggregate", "annotation_type"),
                ("aggregate", "feedback_type"),
            ] {
                if let Some(t) = m.get(k).and_then(|a| a.get(tag)).and_then(Value::as_str) {
                    seen.insert(format!("{tag}:{t}"));
                }
            }
            for (k, x) in m {
                if k == "input" || k == "output" {
                    seen.insert(format!("{k}:{}", value_kind(x)));
                }
                branches(x, seen);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| branches(x, seen)),
        _ => {}
    }
}

/// A short name of the JSON shape of `v` (objects by their telling key).
fn value_kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(n) if n.is_f64() => "number".into(),
        Value::Number(_) => "integer".into(),
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => "uuid".into(),
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => "date-time".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => match items.first() {
            Some(first) => format!("[{}]", value_kind(first)),
            None => "[]".into(),
        },
        Value::Object(m) => {
            let tells = [
                "hallucination",
                "start",
                "role",
                "action",
                "rating",
                "aggregate",
                "content",
                "text",
            ];
            let key = tells
                .iter()
                .find(|k| m.contains_key(**k))
                .copied()
                .unwrap_or("object");
            format!("{{{key}}}")
        }
    }
}

/// How many records of each root type the test validates (traces and sessions carry
/// four times as many nested records again).
const COUNTS: [(RootType, u64); 3] = [
    (RootType::Session, 600),
    (RootType::Trace, 3_000),
    (RootType::Span, 4_000),
];

#[test]
fn every_record_validates_against_the_spec_and_every_branch_appears() {
    let ds = Dataset::new(DatasetConfig::new(21, 4_000));
    let mut seen = BTreeSet::new();
    for (root, n) in COUNTS {
        let v = validator(root);
        for i in 0..n {
            for redact in [true, false] {
                if !redact && i % 7 != 0 {
                    continue;
                }
                let record = ds.record(root, i, redact).expect("record in range");
                let errs = errors(&v, &record);
                assert!(
                    errs.is_empty(),
                    "{root} record {i} (redact {redact}): {errs:#?}"
                );
                branches(&record, &mut seen);
            }
        }
    }
    let want = [
        "record:session",
        "record:trace",
        "record:llm",
        "record:tool",
        "record:retriever",
        "record:workflow",
        "record:agent",
        "record:control",
        "metric:success",
        "metric:roll_up",
        "metric:not_computed",
        "metric:pending",
        "metric:computing",
        "metric:not_applicable",
        "metric:error",
        "metric:failed",
        "value:string",
        "value:integer",
        "value:number",
        "value:bool",
        "value:uuid",
        "value:date-time",
        "value:{start}",
        "value:{hallucination}",
        "value:{content}",
        "value:{rating}",
        "value:{aggregate}",
        "value:[string]",
        "value:[[string]]",
        "value:null",
        "annotation_type:like_dislike",
        "annotation_type:star",
        "annotation_type:score",
        "annotation_type:tags",
        "annotation_type:text",
        "annotation_type:choice",
        "annotation_type:tree_choice",
        "feedback_type:like_dislike",
        "feedback_type:star",
        "feedback_type:score",
        "feedback_type:tags",
        "feedback_type:text",
        "feedback_type:choice",
        "feedback_type:tree_choice",
        "tagged:text",
        "tagged:file",
        "tagged:message",
        "tagged:reasoning",
        "tagged:internal_tool_call",
        "tagged:web_search_call",
        "tagged:image_generation",
        "tagged:mcp_call",
        "tagged:mcp_list_tools",
        "tagged:mcp_approval_request",
        "input:string",
        "input:[{role}]",
        "input:[{text}]",
        "output:string",
        "output:null",
        "output:{role}",
        "output:[{content}]",
        "output:[{text}]",
        "output:{action}",
        "field:external_id:null",
        "field:external_id:value",
        "field:status_code:null",
        "field:metric_info:null",
        "field:files:null",
        "field:files:value",
        "field:redacted_input:null",
        "field:redacted_input:value",
        "field:updated_at:null",
        "field:dataset_input:value",
        "field:dataset_input:null",
        "field:events:value",
        "field:events:null",
        "field:model:null",
        "field:has_children:null",
    ];
    let missing: Vec<&str> = want
        .iter()
        .copied()
        .filter(|w| !seen.contains(*w))
        .collect();
    assert!(
        missing.is_empty(),
        "never produced: {missing:?}\nseen: {seen:#?}"
    );
}

/// A valid record of each root type, and mutations of it the validator must reject.
#[test]
fn the_validator_rejects_records_that_drift_from_the_spec() {
    let ds = Dataset::new(DatasetConfig::new(21, 64));
    type Mutation = fn(&mut Value);
    let mutations: [(&str, Mutation); 8] = [
        ("status_code as text", |r| r["status_code"] = json!("200")),
        ("an invented top-level field", |r| {
            r["latency_ms"] = json!(12)
        }),
        ("no run_id", |r| {
            r.as_object_mut().map(|m| m.remove("run_id"));
        }),
        ("a tag that is a number", |r| r["tags"] = json!([1])),
        ("created_at not a date-time", |r| {
            r["created_at"] = json!("yesterday")
        }),
        (
            "a metric result of an unknown kind",
            |r| r["metric_info"] = json!({"toxicity": {"status_type": "maybe", "value": 0.5}}),
        ),
        ("a success without its value", |r| {
            r["metric_info"] = json!({"toxicity": {"status_type": "success"}})
        }),
        ("user_metadata with a number", |r| {
            r["user_metadata"] = json!({"n": 1})
        }),
    ];
    for root in RootType::ALL {
        let v = validator(root);
        let record = ds.record(root, 3, true).expect("record in range");
        assert!(
            errors(&v, &record).is_empty(),
            "{root}: the unmutated record is valid"
        );
        for (what, mutate) in mutations {
            let mut bad = record.clone();
            mutate(&mut bad);
            assert!(!v.is_valid(&bad), "{root}: {what} passed validation");
        }
    }
    // A nested span of another kind's shape: an LLM span whose output is a list of
    // documents (a retriever's output).
    let v = validator(RootType::Trace);
    let mut found = false;
    for i in 0..64 {
        let mut trace = ds
            .record(RootType::Trace, i, true)
            .expect("record in range");
        let Some(kids) = trace["spans"][0]["spans"].as_array_mut() else {
            continue;
        };
        if let Some(llm) = kids.iter_mut().find(|s| s["type"] == "llm") {
            llm["output"] = json!([{"content": "a document"}]);
            assert!(
                !v.is_valid(&trace),
                "trace {i}: an LLM span with documents passed"
            );
            found = true;
            break;
        }
    }
    assert!(found, "some trace nests an LLM span");
}

/// What the server sends over HTTP is what the validator accepted: every root type,
/// JSON Lines, parsed line by line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_records_validate() {
    let server = MockServer::builder()
        .seed(5)
        .records(300)
        .start()
        .await
        .expect("server");
    let http = reqwest::Client::new();
    for root in RootType::ALL {
        let v = validator(root);
        let body = http
            .post(server.export_url())
            .header("Galileo-API-Key", server.api_key())
            .json(&json!({"root_type": root.as_str(), "log_stream_id": server.log_stream_id()}))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        let mut n = 0;
        for line in body.lines() {
            let record: Value = serde_json::from_str(line).expect("a JSON line");
            let errs = errors(&v, &record);
            assert!(errs.is_empty(), "{root} line {n}: {errs:#?}");
            n += 1;
        }
        assert_eq!(n, 300, "{root}");
    }
}
