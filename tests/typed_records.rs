//! Typed records: built from a spec that defines the export's record schemas (Galileo's
//! newer spec, the drop-in build; `build.rs` sets `galileo_record_types` then),
//! `records_as::<api::types::…>()` decodes every record of every root type into the
//! generated types, over HTTP from a local server: spans dispatched by their `type`
//! tag, metric values by the kind of their JSON, and a record that does not fit is an
//! error naming its line and the field path.
#![cfg(galileo_record_types)]

use futures::TryStreamExt;
use galileo_export::api::types::{
    ExtendedSessionRecordWithChildren as Session, ExtendedTraceRecordWithChildren as Trace,
    ExtendedTraceRecordWithChildrenMetricInfoValue as MetricInfo,
    ExtendedTraceRecordWithChildrenSpansItem as Span, MetricSuccessValue as Value,
    MetricSuccessValueVariant11Item as Item,
};
use galileo_export::records::RecordError;
use galileo_export::{Client, Error, RootType};
use galileo_export_mock::hostile::{HostileServer, Reply};
use serde::de::DeserializeOwned;
use serde_json::{json, Value as Json};

mod spec_records {
    //! Records as the newer spec defines them, written from its schemas.
    use serde_json::{json, Value};

    /// A uuid4 of its own for each `n`.
    pub fn uid(n: u64) -> String {
        format!("6f1c2b9e-1d2f-4c3b-9a8e-{n:012x}")
    }

    pub const PROJECT: u64 = 0xa1;
    pub const RUN: u64 = 0xb2;

    /// The fields every record has (`id`, `type`, the ids around it, a time), plus `extra`.
    fn record(kind: &str, id: u64, session: u64, trace: Option<u64>, extra: Value) -> Value {
        let mut record = json!({
            "type": kind,
            "id": uid(id),
            "session_id": uid(session),
            "project_id": uid(PROJECT),
            "run_id": uid(RUN),
            "created_at": format!("2026-03-0{}T10:00:{:02}Z", 1 + id % 9, id % 60),
            "name": format!("{kind} {id}"),
        });
        if let Some(trace) = trace {
            record["trace_id"] = json!(uid(trace));
        }
        for (key, value) in extra.as_object().into_iter().flatten() {
            record[key] = value.clone();
        }
        record
    }

    /// A metric of every status, success values of every kind.
    pub fn metric_info() -> Value {
        json!({
            "toxicity": {"status_type": "success", "scorer_type": "Luna", "value": ["toxic"]},
            "scores": {"status_type": "success", "value": [1, 2, 3, 4]},
            "matrix": {"status_type": "success", "value": [[1, 2], [3, 4]]},
            "mixed": {"status_type": "success", "value": [null, "a", 2.5, true]},
            "segment": {"status_type": "success", "value": {"start": 0, "end": 5, "value": 0.9}},
            "hallucination": {"status_type": "success",
                              "value": {"start": 1, "end": 2, "hallucination": 0.7}},
            "document": {"status_type": "success",
                         "value": {"content": "refund policy", "metadata": {"page": 3}}},
            "label": {"status_type": "success", "value": "helpful"},
            "count": {"status_type": "success", "value": 3},
            "score": {"status_type": "success", "value": 0.93, "explanation": "ok",
                      "cost": 0.0001, "input_tokens": 120},
            "passed": {"status_type": "success", "value": false},
            "ref": {"status_type": "success", "value": uid(0xfeed)},
            "when": {"status_type": "success", "value": "2026-03-01T10:00:00Z"},
            "pending": {"status_type": "pending"},
            "computing": {"status_type": "computing", "message": "Metric is computing."},
            "not_computed": {"status_type": "not_computed"},
            "not_applicable": {"status_type": "not_applicable", "scorer_type": "Plus"},
            "error": {"status_type": "error", "message": "timeout", "ems_error_code": 1001},
            "failed": {"status_type": "failed", "message": null},
            "roll_up": {"status_type": "roll_up", "value": 0.5,
                        "roll_up_metrics": {"mean": 0.5, "counts": {"a": 1}}}
        })
    }

    fn message(role: &str, text: &str) -> Value {
        json!({"role": role, "content": text})
    }

    /// A span of `kind` with `children`, in trace `trace` of session `session`.
    pub fn span(
        kind: &str,
        id: u64,
        parent: u64,
        trace: u64,
        session: u64,
        children: Vec<Value>,
    ) -> Value {
        let mut extra = match kind {
            "llm" => json!({
                "input": [message("system", "be brief"), message("user", "refund?")],
                "output": {"role": "assistant", "content": [{"type": "text", "text": "yes"}],
                           "tool_calls": [{"id": "c1", "function": {"name": "lookup", "arguments": "{}"}}]},
                "metrics": {"duration_ns": 1200, "num_input_tokens": 20, "num_output_tokens": 4},
                "metric_info": metric_info(),
            }),
            "retriever" => json!({
                "input": "refund policy",
                "output": [{"content": "30 days", "metadata": {"source": "kb", "score": 0.8, "page": 2, "ok": true}}],
            }),
            "tool" => json!({"input": "{\"q\": 1}", "output": null, "status_code": 200}),
            "control" => json!({
                "input": "check",
                "output": {"action": "observe", "matched": false, "confidence": null},
                "agent_type": "judge",
            }),
            "agent" => {
                json!({"input": [{"type": "text", "text": "plan"}], "agent_type": "planner"})
            }
            _ => json!({"input": "step", "output": [{"content": "doc"}]}),
        };
        extra["parent_id"] = json!(uid(parent));
        if kind != "llm" && kind != "control" {
            extra["spans"] = Value::Array(children);
        }
        record(kind, id, session, Some(trace), extra)
    }

    /// A trace with a span of every type, nested (workflow > agent > llm, tool, …).
    pub fn trace(id: u64, session: u64) -> Value {
        let s = |n: u64| id * 100 + n;
        let spans = vec![
            span(
                "workflow",
                s(1),
                id,
                id,
                session,
                vec![
                    span(
                        "agent",
                        s(2),
                        s(1),
                        id,
                        session,
                        vec![
                            span("llm", s(3), s(2), id, session, vec![]),
                            span(
                                "tool",
                                s(4),
                                s(2),
                                id,
                                session,
                                vec![span("retriever", s(5), s(4), id, session, vec![])],
                            ),
                        ],
                    ),
                    span("control", s(6), s(1), id, session, vec![]),
                ],
            ),
            span("llm", s(7), id, id, session, vec![]),
        ];
        let mut extra = json!({
            "spans": spans,
            "input": "Where is my refund?",
            "output": null,
            "user_metadata": {"tier": "gold"},
            "tags": ["prod", "refunds"],
            "status_code": 200,
            "metrics": {"duration_ns": 5000, "custom_ms": 12.5},
            "dataset_metadata": {},
            "annotations": {uid(0xa0): {uid(0xa1): {"annotation_type": "tags",
                "value": ["polite", "short"], "explanation": null}}},
            "feedback_rating_info": {uid(0xf0): {"feedback_type": "like_dislike",
                "value": true, "explanation": "good"}},
            "files": {uid(0xf1): {"file_id": uid(0xf1), "modality": "image",
                "source": "direct_upload", "status": "complete", "size_bytes": 1024}},
            "file_modalities": ["image"],
            "metric_info": metric_info(),
            "num_spans": 7,
            "is_complete": true,
        });
        if id.is_multiple_of(2) {
            // Optional members absent or null.
            for key in ["files", "metric_info", "output"] {
                extra[key] = Value::Null;
            }
            extra.as_object_mut().map(|m| m.remove("user_metadata"));
        }
        record("trace", id, session, Some(id), extra)
    }

    /// A session with `traces` traces.
    pub fn session(id: u64, traces: u64) -> Value {
        let traces: Vec<Value> = (0..traces).map(|t| trace(id * 10 + t, id)).collect();
        record(
            "session",
            id,
            id,
            None,
            json!({
                "traces": traces,
                "previous_session_id": null,
                "num_traces": 2,
                "input": [{"role": "user", "content": "hi"}],
            }),
        )
    }
}

use spec_records::{session, span, trace, uid};

/// The body of an export: one record a line.
fn jsonl(records: &[Json]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// Export `root` from a server answering `body`, decoded as `T`; the records decoded
/// and the error that ended the export, if any.
async fn export_as<T: DeserializeOwned + Send + 'static>(
    root: RootType,
    body: String,
) -> (Vec<T>, Option<Error>) {
    let server = HostileServer::start(vec![Reply::status(200)
        .header("Content-Type", "application/jsonl")
        .body(body)])
    .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("k")
        .build()
        .expect("client builds");
    let mut stream = client
        .export(uuid::Uuid::nil())
        .log_stream(uuid::Uuid::nil())
        .root_type(root)
        .records_as::<T>()
        .await
        .expect("export starts");
    let mut records = Vec::new();
    loop {
        match stream.try_next().await {
            Ok(Some(record)) => records.push(record),
            Ok(None) => return (records, None),
            Err(e) => return (records, Some(e)),
        }
    }
}

/// Spans of every nesting depth in a record's JSON, by `type`.
fn span_types(record: &Json, out: &mut Vec<String>) {
    for key in ["spans", "traces"] {
        for child in record[key].as_array().into_iter().flatten() {
            if let Some(kind) = child["type"].as_str().filter(|k| *k != "trace") {
                out.push(kind.to_string());
            }
            span_types(child, out);
        }
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn every_root_type_decodes_into_the_generated_types() {
    // Traces.
    let traces: Vec<Json> = (1..=6).map(|t| trace(t, 100 + t)).collect();
    let (decoded, error) = export_as::<Trace>(RootType::Trace, jsonl(&traces)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(decoded.len(), 6);
    for (typed, sent) in decoded.iter().zip(&traces) {
        assert_eq!(typed.id.to_string(), sent["id"]);
        // Spans dispatched by their tag, in order, at every depth.
        let kinds: Vec<&str> = typed
            .spans
            .iter()
            .map(|s| match s {
                Span::WorkflowSpanRecordWithChildren(_) => "workflow",
                Span::LlmSpanRecord(_) => "llm",
                Span::AgentSpanRecordWithChildren(_) => "agent",
                Span::ToolSpanRecordWithChildren(_) => "tool",
                Span::RetrieverSpanRecordWithChildren(_) => "retriever",
                Span::ControlSpanRecord(_) => "control",
            })
            .collect();
        assert_eq!(kinds, ["workflow", "llm"]);
        let back = serde_json::to_value(typed).expect("serializes");
        let (mut got, mut want) = (Vec::new(), Vec::new());
        span_types(&back, &mut got);
        span_types(sent, &mut want);
        assert_eq!(sorted(got), sorted(want.clone()));
        assert_eq!(want.len(), 7);
    }
    let first = &decoded[0];
    assert_eq!(first.tags, ["prod", "refunds"]);
    assert_eq!(first.status_code, Some(200));
    assert_eq!(first.user_metadata["tier"], "gold");
    assert_eq!(
        first.metrics.as_ref().and_then(|m| m.duration_ns),
        Some(5000)
    );
    assert_eq!(decoded[1].metric_info, None, "null stays absent");
    assert!(decoded[1].user_metadata.is_empty(), "absent is empty");

    // Metric values in the branch their JSON is.
    let info = first.metric_info.as_ref().expect("metric_info");
    let value = |key: &str| match &info[key] {
        MetricInfo::Success(success) => success.value.clone(),
        other => panic!("{key}: {other:?}"),
    };
    assert!(
        matches!(value("toxicity"), Some(Value::Variant11(items)) if items == [Some(Item::String("toxic".into()))]),
        "{:?}",
        value("toxicity")
    );
    assert!(
        matches!(value("scores"), Some(Value::Variant11(items)) if items == [1, 2, 3, 4].map(|n| Some(Item::Integer(n)))),
        "{:?}",
        value("scores")
    );
    assert!(
        matches!(value("matrix"), Some(Value::Variant12(rows)) if rows.len() == 2 && rows[1].len() == 2),
        "{:?}",
        value("matrix")
    );
    assert!(
        matches!(value("mixed"), Some(Value::Variant11(items)) if items == [None, Some(Item::String("a".into())), Some(Item::Number(2.5)), Some(Item::Boolean(true))]),
        "{:?}",
        value("mixed")
    );
    assert!(
        matches!(value("segment"), Some(Value::Variant6(s)) if s.start == 0 && s.end == 5),
        "{:?}",
        value("segment")
    );
    assert!(
        matches!(value("hallucination"), Some(Value::Variant7(s)) if s.hallucination == 0.7),
        "{:?}",
        value("hallucination")
    );
    assert!(
        matches!(value("document"), Some(Value::Variant8(d)) if d.content == "refund policy"),
        "{:?}",
        value("document")
    );
    assert!(matches!(value("label"), Some(Value::Variant0(s)) if s == "helpful"));
    assert!(matches!(value("count"), Some(Value::Variant1(3))));
    assert!(matches!(value("score"), Some(Value::Variant2(f)) if f == 0.93));
    assert!(matches!(value("passed"), Some(Value::Variant3(false))));
    assert!(matches!(value("ref"), Some(Value::Variant4(u)) if u.to_string() == uid(0xfeed)));
    assert!(
        matches!(value("when"), Some(Value::Variant5(t)) if t.to_rfc3339() == "2026-03-01T10:00:00+00:00")
    );
    for (key, ok) in [
        ("pending", matches!(info["pending"], MetricInfo::Pending(_))),
        (
            "computing",
            matches!(info["computing"], MetricInfo::Computing(_)),
        ),
        (
            "not_computed",
            matches!(info["not_computed"], MetricInfo::NotComputed(_)),
        ),
        (
            "not_applicable",
            matches!(info["not_applicable"], MetricInfo::NotApplicable(_)),
        ),
        ("error", matches!(info["error"], MetricInfo::Error(_))),
        ("failed", matches!(info["failed"], MetricInfo::Failed(_))),
        ("roll_up", matches!(info["roll_up"], MetricInfo::RollUp(_))),
    ] {
        assert!(ok, "{key}: {:?}", info[key]);
    }

    // Sessions, with their traces and their spans.
    let sessions: Vec<Json> = (1..=3).map(|s| session(s, 2)).collect();
    let (decoded, error) = export_as::<Session>(RootType::Session, jsonl(&sessions)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(decoded.len(), 3);
    assert!(decoded.iter().all(|s| s.traces.len() == 2));
    let spans: usize = decoded
        .iter()
        .flat_map(|s| &s.traces)
        .map(|t| t.spans.len())
        .sum();
    assert_eq!(spans, 3 * 2 * 2);
    assert_eq!(decoded[2].traces[1].id.to_string(), uid(31));

    // Spans: every type at the top level, each in its variant.
    let spans: Vec<Json> = ["llm", "tool", "retriever", "workflow", "agent", "control"]
        .iter()
        .enumerate()
        .map(|(i, kind)| span(kind, 900 + i as u64, 1, 1, 1, vec![]))
        .collect();
    let (decoded, error) = export_as::<Span>(RootType::Span, jsonl(&spans)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(decoded.len(), 6);
    assert!(
        matches!(&decoded[0], Span::LlmSpanRecord(s) if s.metrics.as_ref().and_then(|m| m.num_input_tokens) == Some(20))
    );
    assert!(
        matches!(&decoded[1], Span::ToolSpanRecordWithChildren(s) if s.status_code == Some(200))
    );
    assert!(
        matches!(&decoded[2], Span::RetrieverSpanRecordWithChildren(s) if s.output[0].content == "30 days")
    );
    assert!(matches!(
        decoded[3],
        Span::WorkflowSpanRecordWithChildren(_)
    ));
    assert!(matches!(decoded[4], Span::AgentSpanRecordWithChildren(_)));
    assert!(
        matches!(&decoded[5], Span::ControlSpanRecord(s) if s.output.as_ref().is_some_and(|o| !o.matched))
    );
}

#[tokio::test]
async fn members_the_spec_does_not_define_are_dropped() {
    let mut record = trace(1, 1);
    record["x_new_member"] = json!({"a": 1});
    let (decoded, error) = export_as::<Trace>(RootType::Trace, jsonl(&[record])).await;
    assert!(error.is_none(), "{error:?}");
    let back = serde_json::to_value(&decoded[0]).expect("serializes");
    assert!(back.get("x_new_member").is_none());
    // Except where the spec itself keeps them (`metrics` has additionalProperties).
    assert_eq!(back["metrics"]["custom_ms"], 12.5);
}

/// The one error an export of `records` as `T` ends with.
async fn failure<T: DeserializeOwned + Send + std::fmt::Debug + 'static>(
    root: RootType,
    records: &[Json],
) -> RecordError {
    let (decoded, error) = export_as::<T>(root, jsonl(records)).await;
    assert_eq!(decoded.len(), records.len() - 1, "{error:?}");
    match error {
        Some(Error::Record(e)) => e,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_record_that_does_not_fit_names_its_line_and_field_path() {
    // An integer beyond i64 in an `integer` field: an error naming the field.
    let mut wide = trace(2, 2);
    wide["status_code"] = json!(12_345_678_901_234_567_890_u64);
    let err = failure::<Trace>(RootType::Trace, &[trace(1, 1), wide]).await;
    assert!(
        matches!(&err, RecordError::Json { line: 2, path: Some(p), .. } if p == "status_code"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(
            "record does not match the expected type at `status_code`: invalid value: \
             integer `12345678901234567890`, expected i64"
        ),
        "{err}"
    );

    // Inside spans (a union read whole): the path goes on through it.
    let mut deep = trace(3, 3);
    deep["spans"][0]["spans"][0]["spans"][1]["status_code"] = json!("two hundred");
    let err = failure::<Trace>(RootType::Trace, &[deep]).await;
    let expected = "spans[0].spans[0].spans[1].status_code";
    assert!(
        matches!(&err, RecordError::Json { line: 1, path: Some(p), .. } if p == expected),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!(
            "at `{expected}`: invalid type: string \"two hundred\", expected i64"
        )),
        "{err}"
    );

    // An unknown span type names the tag and the types there are.
    let mut unknown = trace(4, 4);
    unknown["spans"][1]["type"] = json!("robot");
    let err = failure::<Trace>(RootType::Trace, &[unknown]).await;
    assert!(
        matches!(&err, RecordError::Json { path: Some(p), .. } if p == "spans[1]"),
        "{err:?}"
    );
    assert!(err.to_string().contains("unknown variant `robot`"), "{err}");

    // A metric value of no kind the union has: the kinds it has.
    let mut odd = trace(5, 5);
    odd["metric_info"]["toxicity"]["value"] = json!([{"no": "such"}]);
    let err = failure::<Trace>(RootType::Trace, &[odd]).await;
    assert!(
        matches!(&err, RecordError::Json { path: Some(p), .. } if p.starts_with("metric_info.toxicity")),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("an array matches no variant of `MetricSuccessValue`"),
        "{err}"
    );
}

/// Export `root` from the local Galileo server twice, as JSON maps and as `T`.
async fn served<T: DeserializeOwned + Send + 'static>(
    server: &galileo_export_mock::MockServer,
    root: RootType,
) -> (Vec<Json>, Vec<T>) {
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("client builds");
    let export = || {
        client
            .export(server.project_id())
            .log_stream(server.log_stream_id())
            .root_type(root)
    };
    let raw: Vec<Json> = export()
        .records()
        .await
        .expect("export starts")
        .map_ok(Json::Object)
        .try_collect()
        .await
        .expect("every record arrives as JSON");
    let typed: Vec<T> = export()
        .records_as::<T>()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("every served {root:?} record decodes: {e}"));
    (raw, typed)
}

/// Every record the local server serves (spec-shaped: every span type, every metric
/// kind, optional fields present, absent and null) decodes into the generated type of
/// its root type, and the typed record keeps its id and its tree of spans.
#[tokio::test]
async fn every_record_the_local_server_serves_decodes_into_the_generated_types() {
    let server = galileo_export_mock::MockServer::builder()
        .records(400)
        .seed(21)
        .start()
        .await
        .expect("mock server starts");

    let (raw, typed) = served::<Trace>(&server, RootType::Trace).await;
    assert_eq!(raw.len(), 400);
    assert_eq!(typed.len(), raw.len());
    let mut kinds = std::collections::BTreeSet::new();
    for (typed, sent) in typed.iter().zip(&raw) {
        assert_eq!(typed.id.to_string(), sent["id"]);
        let back = serde_json::to_value(typed).expect("serializes");
        let (mut got, mut want) = (Vec::new(), Vec::new());
        span_types(&back, &mut got);
        span_types(sent, &mut want);
        assert_eq!(sorted(got), sorted(want.clone()), "trace {}", sent["id"]);
        kinds.extend(want);
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["agent", "control", "llm", "retriever", "tool", "workflow"],
        "the server serves every span type"
    );

    let (raw, typed) = served::<Session>(&server, RootType::Session).await;
    assert!(!raw.is_empty());
    assert_eq!(typed.len(), raw.len());
    for (typed, sent) in typed.iter().zip(&raw) {
        assert_eq!(typed.id.to_string(), sent["id"]);
        assert_eq!(
            typed.traces.len(),
            sent["traces"].as_array().map_or(0, Vec::len)
        );
    }

    let (raw, typed) = served::<Span>(&server, RootType::Span).await;
    assert!(!raw.is_empty());
    assert_eq!(typed.len(), raw.len());
    for (typed, sent) in typed.iter().zip(&raw) {
        let kind = match typed {
            Span::WorkflowSpanRecordWithChildren(_) => "workflow",
            Span::LlmSpanRecord(_) => "llm",
            Span::AgentSpanRecordWithChildren(_) => "agent",
            Span::ToolSpanRecordWithChildren(_) => "tool",
            Span::RetrieverSpanRecordWithChildren(_) => "retriever",
            Span::ControlSpanRecord(_) => "control",
        };
        assert_eq!(kind, sent["type"], "span {}", sent["id"]);
    }
}
