//! The nested detail of a record: `metrics`, `tags`, `user_metadata`, `metric_info` (every result kind of the spec's
//! union, every value kind of `MetricSuccess.value`), feedback, annotations and their
//! aggregates, files, LLM events and tool definitions.
//!
//! Invariant: each block draws from its own generator keyed by `(seed, root, block,
//! index)`, so a block renders the same alone (a CSV cell) as inside the JSON line,
//! and the values filters read ([`metric_score`]) are the ones written.

use uuid::Uuid;

use super::json::{write_cost, write_f64, write_json_str, write_timestamp, write_u64, write_uuid};
use super::record::{extra, Core, Kind};
use super::seed::{Mini, PURPOSE_DETAIL};
use super::spec::key;
use super::vocab::{
    CONTENT_TYPES, ERROR_TYPES, EVENT_STATUSES, FEEDBACK_KEYS, FILE_SOURCES, FILE_STATUSES, LABELS,
    LOCALES, META_EXTRA, METRIC_NAMES, MODALITIES, MODELS, NUMERIC_METRICS, RATING_TYPES, REGIONS,
    SEVERITIES,
};

const D_BATCH: u64 = 1;
const D_FEEDBACK: u64 = 2;
const D_ANNOTATIONS: u64 = 3;
const D_FILES: u64 = 4;
const D_EVENTS: u64 = 5;
const D_METRIC: u64 = 0x100;

fn mini(seed: u64, c: &Core, block: u64) -> Mini {
    Mini::new(seed, c.root as u64 + 1, PURPOSE_DETAIL + block, c.index)
}

/// The record's metrics batch id (and, keyed differently, its previous session's id).
pub(crate) fn batch_id(seed: u64, c: &Core) -> Uuid {
    mini(seed, c, D_BATCH).uuid()
}

/// The `n`-th file id of a record (the same in `input`'s file parts and `files`).
pub(crate) fn file_id(c: &Core, n: u64) -> Uuid {
    Mini::new(c.id.as_u128() as u64, n, PURPOSE_DETAIL + D_FILES, c.index).uuid()
}

fn file_count(c: &Core) -> u64 {
    if c.has(extra::FILES) {
        1 + c.index % 2
    } else {
        0
    }
}

fn modality(c: &Core, n: u64) -> usize {
    (c.index as usize + n as usize * 2) % MODALITIES.len()
}

/// Appends `file_ids`.
pub(crate) fn write_file_ids(_seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'[');
    for n in 0..file_count(c) {
        if n > 0 {
            out.push(b',');
        }
        write_uuid(out, &file_id(c, n));
    }
    out.push(b']');
}

/// Appends `file_modalities`.
pub(crate) fn write_file_modalities(_seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'[');
    for n in 0..file_count(c) {
        if n > 0 {
            out.push(b',');
        }
        write_json_str(out, MODALITIES[modality(c, n)]);
    }
    out.push(b']');
}

/// Appends `files`: `FileMetadata` by file id, or `null` without files.
pub(crate) fn write_files(seed: u64, c: &Core, out: &mut Vec<u8>) {
    if !c.has(extra::FILES) {
        out.extend_from_slice(b"null");
        return;
    }
    let mut r = mini(seed, c, D_FILES);
    out.push(b'{');
    for n in 0..file_count(c) {
        if n > 0 {
            out.push(b',');
        }
        let id = file_id(c, n);
        let mut idbuf = [0u8; 36];
        id.hyphenated().encode_lower(&mut idbuf);
        out.push(b'"');
        out.extend_from_slice(&idbuf);
        out.extend_from_slice(b"\":{\"file_id\":");
        write_uuid(out, &id);
        let m = modality(c, n);
        out.extend_from_slice(b",\"modality\":");
        write_json_str(out, MODALITIES[m]);
        out.extend_from_slice(b",\"content_type\":");
        write_json_str(out, CONTENT_TYPES[m]);
        if r.chance(1, 2) {
            out.extend_from_slice(b",\"url\":\"https://files.example.com/");
            out.extend_from_slice(&idbuf);
            out.extend_from_slice(b"?sig=a%2Fb\",\"url_expires_at\":\"");
            write_timestamp(out, c.created_us + 3_600_000_000);
            out.push(b'"');
        } else {
            out.extend_from_slice(b",\"url\":null");
        }
        out.extend_from_slice(b",\"size_bytes\":");
        write_u64(out, 1_000 + r.below(5_000_000) as u64);
        out.extend_from_slice(b",\"filename\":");
        if r.chance(1, 3) {
            out.extend_from_slice(b"null");
        } else {
            write_json_str(out, "relevé de compte, mars \"final\".pdf");
        }
        out.extend_from_slice(b",\"source\":");
        write_json_str(out, r.of(&FILE_SOURCES));
        out.extend_from_slice(b",\"status\":");
        write_json_str(out, r.of(&FILE_STATUSES));
        out.push(b'}');
    }
    out.push(b'}');
}

/// Appends a rating value of type `kind` (an index into [`RATING_TYPES`]).
fn write_rating_value(out: &mut Vec<u8>, r: &mut Mini, kind: usize) {
    match RATING_TYPES[kind] {
        "like_dislike" => out.extend_from_slice(if r.chance(1, 2) { b"true" } else { b"false" }),
        "star" => write_u64(out, 1 + r.below(5) as u64),
        "score" => write_u64(out, r.below(101) as u64),
        "tags" => {
            out.push(b'[');
            write_json_str(out, r.of(&LABELS));
            out.push(b',');
            write_json_str(out, r.of(&LABELS));
            out.push(b']');
        }
        "text" => write_json_str(out, "Great answer, but cite the «source»\u{2028}next time."),
        _ => write_json_str(out, r.of(&LABELS)),
    }
}

/// Appends `feedback_rating_info`: `{}` or a few `FeedbackRatingInfo` by key.
pub(crate) fn write_feedback(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'{');
    if c.has(extra::FEEDBACK) {
        let mut r = mini(seed, c, D_FEEDBACK);
        let mut first = true;
        for (k, name) in FEEDBACK_KEYS.iter().enumerate() {
            if k > 0 && r.chance(1, 2) {
                continue;
            }
            key(out, &mut first, name);
            let kind = [0, 1, 4][k];
            out.extend_from_slice(b"{\"feedback_type\":");
            write_json_str(out, RATING_TYPES[kind]);
            out.extend_from_slice(b",\"value\":");
            write_rating_value(out, &mut r, kind);
            out.extend_from_slice(b",\"explanation\":");
            if r.chance(1, 2) {
                out.extend_from_slice(b"null");
            } else {
                write_json_str(out, "user clicked 👍 after the 2nd answer");
            }
            out.push(b'}');
        }
    }
    out.push(b'}');
}

/// The annotation templates of a record with annotations: (template id, rating type).
fn templates(seed: u64, c: &Core) -> [(Uuid, usize); 2] {
    let mut r = mini(seed, c, D_ANNOTATIONS);
    let a = r.uuid();
    let b = r.uuid();
    let k = c.index as usize % RATING_TYPES.len();
    [(a, k), (b, (k + 3) % RATING_TYPES.len())]
}

fn write_uuid_key(out: &mut Vec<u8>, first: &mut bool, id: &Uuid) {
    let mut buf = [0u8; 36];
    id.hyphenated().encode_lower(&mut buf);
    if let Ok(s) = std::str::from_utf8(&buf) {
        key(out, first, s);
    }
}

/// Appends `annotations`: template id → annotator id → `AnnotationRatingInfo`.
pub(crate) fn write_annotations(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'{');
    if c.has(extra::ANNOTATIONS) {
        let mut r = Mini::new(seed, c.index, PURPOSE_DETAIL + D_ANNOTATIONS + 1, 7);
        let mut first = true;
        for (template, kind) in templates(seed, c) {
            write_uuid_key(out, &mut first, &template);
            out.push(b'{');
            let mut inner = true;
            for _ in 0..1 + r.below(2) {
                write_uuid_key(out, &mut inner, &r.uuid());
                out.extend_from_slice(b"{\"annotation_type\":");
                write_json_str(out, RATING_TYPES[kind]);
                out.extend_from_slice(b",\"value\":");
                write_rating_value(out, &mut r, kind);
                out.extend_from_slice(b",\"explanation\":null}");
            }
            out.push(b'}');
        }
    }
    out.push(b'}');
}

/// Appends `annotation_aggregates`: template id → `{"aggregate": <one of seven kinds>}`.
pub(crate) fn write_annotation_aggregates(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'{');
    if c.has(extra::ANNOTATIONS) {
        let mut first = true;
        for (template, kind) in templates(seed, c) {
            write_uuid_key(out, &mut first, &template);
            out.extend_from_slice(b"{\"aggregate\":");
            write_aggregate(out, "annotation_type", kind, c.index, true);
            out.push(b'}');
        }
    }
    out.push(b'}');
}

/// Appends one aggregate of rating type `kind`, tagged by `tag`
/// (`annotation_type` or `feedback_type`); `buckets` for annotation score aggregates.
fn write_aggregate(out: &mut Vec<u8>, tag: &str, kind: usize, n: u64, annotation: bool) {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b"\":");
    write_json_str(out, RATING_TYPES[kind]);
    let unrated = n % 4;
    match RATING_TYPES[kind] {
        "like_dislike" => {
            out.extend_from_slice(b",\"like_count\":3,\"dislike_count\":1");
            if annotation {
                out.extend_from_slice(b",\"tie_count\":null");
            }
        }
        "star" => out.extend_from_slice(b",\"average\":4.25,\"counts\":{\"4\":3,\"5\":1}"),
        "score" => {
            if annotation {
                out.extend_from_slice(
                    b",\"buckets\":[{\"min_inclusive\":0,\"max_exclusive\":50,\"count\":1},{\"min_inclusive\":50,\"max_exclusive\":null,\"count\":2}]",
                );
            }
            out.extend_from_slice(b",\"average\":61.5");
        }
        "text" => out.extend_from_slice(b",\"count\":2"),
        _ => out.extend_from_slice(
            b",\"counts\":{\"helpful\":2,\"off-topic\":1,\"\xe5\xae\x89\xe5\x85\xa8\":1}",
        ),
    }
    out.extend_from_slice(b",\"unrated_count\":");
    write_u64(out, unrated);
    out.push(b'}');
}

/// Appends `annotation_agreement`: template id → score.
pub(crate) fn write_annotation_agreement(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'{');
    if c.has(extra::ANNOTATIONS) {
        let mut first = true;
        for (i, (template, _)) in templates(seed, c).iter().enumerate() {
            write_uuid_key(out, &mut first, template);
            write_f64(out, [0.75, 1.0][i]);
        }
    }
    out.push(b'}');
}

/// `overall_annotation_agreement`: the mean of the templates' agreement, when annotated.
pub(crate) fn overall_agreement(_seed: u64, c: &Core) -> Option<f64> {
    c.has(extra::ANNOTATIONS).then_some(0.875)
}

/// Appends `annotation_queue_ids`.
pub(crate) fn write_queue_ids(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'[');
    if c.has(extra::ANNOTATIONS) {
        write_uuid(out, &templates(seed, c)[0].0);
    }
    out.push(b']');
}

/// Appends an LLM span's `tools` (function definitions, free-form maps).
pub(crate) fn write_tools(out: &mut Vec<u8>) {
    out.extend_from_slice(
        b"[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Current weather for a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]",
    );
}

/// Appends an LLM span's `events`: one to three events of the spec's eight kinds.
pub(crate) fn write_events(seed: u64, c: &Core, out: &mut Vec<u8>) {
    let mut r = mini(seed, c, D_EVENTS);
    out.push(b'[');
    let n = 1 + r.below(3);
    for i in 0..n {
        if i > 0 {
            out.push(b',');
        }
        let kind = (c.index as usize + i * 3) % 8;
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(
            [
                "message",
                "reasoning",
                "internal_tool_call",
                "web_search_call",
                "image_generation",
                "mcp_call",
                "mcp_list_tools",
                "mcp_approval_request",
            ][kind]
                .as_bytes(),
        );
        out.extend_from_slice(b"\",\"id\":\"evt_");
        write_u64(out, r.below(1 << 30) as u64);
        out.extend_from_slice(b"\",\"status\":");
        if r.chance(1, 4) {
            out.extend_from_slice(b"null");
        } else {
            write_json_str(out, r.of(&EVENT_STATUSES));
        }
        out.extend_from_slice(match kind {
            0 => &b",\"role\":\"assistant\",\"content\":\"Let me check that.\",\"content_parts\":null"[..],
            1 => b",\"content\":null,\"summary\":[{\"type\":\"summary_text\",\"text\":\"weighing options\"}]",
            2 => b",\"name\":\"code_interpreter\",\"input\":{\"code\":\"print(1+1)\"},\"output\":{\"stdout\":\"2\\n\"}",
            3 => b",\"action\":{\"type\":\"search\",\"query\":\"weather Z\xc3\xbcrich\",\"sources\":null}",
            4 => b",\"prompt\":\"a cat in a hat\",\"images\":[{\"url\":\"https://img.example.com/1.png\"}],\"model\":\"gpt-image-1\"",
            5 => b",\"tool_name\":\"lookup\",\"server_name\":\"crm\",\"arguments\":{\"id\":42,\"deep\":true},\"result\":null",
            6 => b",\"server_name\":\"crm\",\"tools\":[{\"name\":\"lookup\"},{\"name\":\"update\"}]",
            _ => b",\"tool_name\":\"update\",\"tool_invocation\":{\"id\":42},\"approved\":null",
        });
        if r.chance(1, 3) {
            out.extend_from_slice(b",\"metadata\":{\"latency_ms\":12,\"provider\":\"openai\"}");
        }
        out.push(b'}');
    }
    out.push(b']');
}

/// The result kind of one metric of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetricStatus {
    Success,
    RollUp,
    NotComputed,
    Pending,
    Computing,
    NotApplicable,
    Error,
    Failed,
}

/// Metric `m` of the record: its result kind and a uniform draw for its value.
fn metric(seed: u64, c: &Core, m: usize) -> Option<(MetricStatus, Mini)> {
    if c.metric_mask & (1 << m) == 0 || c.has(extra::METRIC_INFO_NULL) {
        return None;
    }
    let mut r = mini(seed, c, D_METRIC + m as u64);
    let aggregate = matches!(
        c.kind,
        Kind::Session | Kind::Trace | Kind::Workflow | Kind::Agent
    );
    let status = match r.below(100) {
        0..=54 => MetricStatus::Success,
        55..=64 if aggregate => MetricStatus::RollUp,
        55..=64 => MetricStatus::Success,
        65..=69 => MetricStatus::NotComputed,
        70..=74 => MetricStatus::Pending,
        75..=79 => MetricStatus::Computing,
        80..=86 => MetricStatus::NotApplicable,
        87..=93 => MetricStatus::Error,
        _ => MetricStatus::Failed,
    };
    Some((status, r))
}

/// The number a numeric metric (`metrics/<name>`, the first [`NUMERIC_METRICS`]) holds
/// for the record: its value when it succeeded, else `None`.
pub(crate) fn metric_score(seed: u64, c: &Core, m: usize) -> Option<f64> {
    if m >= NUMERIC_METRICS {
        return None;
    }
    match metric(seed, c, m) {
        Some((MetricStatus::Success | MetricStatus::RollUp, mut r)) => {
            Some(r.below(1001) as f64 / 1000.0)
        }
        _ => None,
    }
}

/// Appends `metric_info`: metric name → one of the spec's eight result kinds.
pub(crate) fn write_metric_info(seed: u64, c: &Core, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    for (m, name) in METRIC_NAMES.iter().enumerate() {
        let Some((status, mut r)) = metric(seed, c, m) else {
            continue;
        };
        key(out, &mut first, name);
        let tag = match status {
            MetricStatus::Success => "success",
            MetricStatus::RollUp => "roll_up",
            MetricStatus::NotComputed => "not_computed",
            MetricStatus::Pending => "pending",
            MetricStatus::Computing => "computing",
            MetricStatus::NotApplicable => "not_applicable",
            MetricStatus::Error => "error",
            MetricStatus::Failed => "failed",
        };
        out.extend_from_slice(b"{\"status_type\":\"");
        out.extend_from_slice(tag.as_bytes());
        out.push(b'"');
        let value = if m < NUMERIC_METRICS {
            Some(r.below(1001) as f64 / 1000.0)
        } else {
            None
        };
        match r.below(4) {
            0 => {}
            1 => out.extend_from_slice(b",\"scorer_type\":null"),
            2 => out.extend_from_slice(b",\"scorer_type\":\"Luna\""),
            _ => out
                .extend_from_slice(b",\"scorer_type\":\"Plus\",\"metric_key_alias\":\"alias_v2\""),
        }
        match status {
            MetricStatus::Success | MetricStatus::RollUp => {
                out.extend_from_slice(b",\"value\":");
                match value {
                    Some(v) => write_f64(out, v),
                    None if m == METRIC_NAMES.len() - 1 => {
                        write_value(out, &mut r, (c.index as usize + m) % VALUE_KINDS, 0)
                    }
                    None if m == 7 => out.extend_from_slice(b"[\"none\"]"),
                    None => write_json_str(out, r.of(&LABELS)),
                }
                write_success_extras(out, &mut r, status == MetricStatus::RollUp);
            }
            MetricStatus::NotComputed | MetricStatus::Computing => {
                if r.chance(1, 2) {
                    out.extend_from_slice(b",\"message\":\"Metric not computed.\"");
                }
            }
            MetricStatus::Pending => {}
            MetricStatus::NotApplicable | MetricStatus::Error | MetricStatus::Failed => {
                out.extend_from_slice(b",\"message\":");
                if status != MetricStatus::NotApplicable && r.chance(1, 3) {
                    out.extend_from_slice(b"null");
                } else {
                    write_json_str(out, "LLM judge failed: 429 Too Many Requests — retry later");
                }
                out.extend_from_slice(b",\"ems_error_code\":");
                if r.chance(1, 2) {
                    out.extend_from_slice(b"null");
                } else {
                    write_u64(out, 1000 + r.below(9000) as u64);
                }
                out.extend_from_slice(b",\"standard_error\":");
                if r.chance(1, 2) {
                    out.extend_from_slice(b"null");
                } else {
                    write_standard_error(out, &mut r);
                }
            }
        }
        out.push(b'}');
    }
    out.push(b'}');
}

fn write_standard_error(out: &mut Vec<u8>, r: &mut Mini) {
    out.extend_from_slice(b"{\"error_code\":");
    write_u64(out, 1000 + r.below(9000) as u64);
    out.extend_from_slice(b",\"error_type\":");
    write_json_str(out, r.of(&ERROR_TYPES));
    out.extend_from_slice(b",\"error_group\":\"llm\",\"severity\":");
    write_json_str(out, r.of(&SEVERITIES));
    out.extend_from_slice(
        b",\"message\":\"The judge model's quota is exhausted.\",\"user_action\":null,\"documentation_link\":\"https://docs.example.com/errors#quota\",\"retriable\":true,\"blocking\":false,\"http_status_code\":429,\"source_service\":null,\"context\":{\"model\":\"gpt-4o\",\"attempts\":3}}",
    );
}

fn write_success_extras(out: &mut Vec<u8>, r: &mut Mini, roll_up: bool) {
    out.extend_from_slice(b",\"explanation\":");
    if r.chance(1, 3) {
        out.extend_from_slice(b"null");
    } else {
        write_json_str(
            out,
            "The answer cites the \"refund policy\" verbatim;\u{2028}no unsupported claims — 根拠あり.",
        );
    }
    if r.chance(1, 2) {
        out.extend_from_slice(b",\"cost\":0.00042,\"model_alias\":\"gpt-4o-mini\",\"num_judges\":3,\"multijudge_average\":0.6667,\"input_tokens\":812,\"output_tokens\":64,\"total_tokens\":876");
    }
    if r.chance(1, 8) {
        out.extend_from_slice(b",\"critique\":{\"id\":");
        write_uuid(out, &r.uuid());
        out.extend_from_slice(b",\"is_computed\":true,\"revised_explanation\":null,\"critique_info\":{\"critique\":\"too strict\",\"intended_value\":true,\"original_explanation\":\"missing citation\"}}");
    } else if r.chance(1, 2) {
        out.extend_from_slice(b",\"critique\":null");
    }
    if r.chance(1, 4) {
        out.extend_from_slice(
            b",\"metadata\":{\"threshold\":0.5,\"labels\":[\"a\",\"b\"],\"note\":null}",
        );
    }
    if roll_up {
        out.extend_from_slice(b",\"roll_up_metrics\":{\"average\":0.5,\"max\":1.0,\"counts\":{\"pass\":3,\"fail\":1}}");
    } else if r.chance(1, 3) {
        out.extend_from_slice(b",\"display_value\":\"High\",\"rationale\":null");
    }
}

/// How many kinds of `MetricSuccess.value` [`write_value`] writes.
const VALUE_KINDS: usize = 15;

/// Appends a `MetricSuccess.value` of kind `kind` (`0..VALUE_KINDS`): string,
/// integer, number, boolean, uuid, date-time, segment, hallucination segment,
/// document, feedback rating, feedback aggregate, lists nested one to three deep
/// (with nulls), and null.
fn write_value(out: &mut Vec<u8>, r: &mut Mini, kind: usize, depth: usize) {
    match kind {
        0 => write_json_str(out, r.of(&LABELS)),
        1 => write_u64(out, r.below(1_000_000) as u64),
        2 => write_f64(out, r.below(100_000) as f64 / 64.0),
        3 => out.extend_from_slice(if r.chance(1, 2) { b"true" } else { b"false" }),
        4 => write_uuid(out, &r.uuid()),
        5 => {
            out.push(b'"');
            write_timestamp(out, 1_748_779_200_000_000 - r.below(1 << 30) as i64 * 1_000);
            out.push(b'"');
        }
        6 => {
            out.extend_from_slice(b"{\"start\":3,\"end\":17,\"value\":");
            match r.below(3) {
                0 => write_f64(out, 0.25),
                1 => write_u64(out, 2),
                _ => write_json_str(out, "PII:email"),
            }
            out.extend_from_slice(b",\"prob\":null}");
        }
        7 => out.extend_from_slice(
            b"{\"hallucination_severity\":1,\"start\":0,\"end\":42,\"hallucination\":0.83}",
        ),
        8 => out.extend_from_slice(
            b"{\"metadata\":{\"source\":\"wiki\",\"rank\":1},\"content\":\"Z\xc3\xbcrich is in Switzerland.\"}",
        ),
        9 => {
            let k = r.below(RATING_TYPES.len());
            out.extend_from_slice(b"{\"explanation\":null,\"rating\":{\"feedback_type\":");
            write_json_str(out, RATING_TYPES[k]);
            out.extend_from_slice(b",\"value\":");
            write_rating_value(out, r, k);
            out.extend_from_slice(b"},\"created_at\":\"2025-05-30T08:15:00Z\",\"created_by\":");
            write_uuid(out, &r.uuid());
            out.push(b'}');
        }
        10 => {
            out.extend_from_slice(b"{\"aggregate\":");
            write_aggregate(out, "feedback_type", r.below(RATING_TYPES.len()), 3, false);
            out.push(b'}');
        }
        11..=13 if depth < 3 => {
            // A list of depth (kind - 10): scalars and nulls at the bottom.
            let levels = kind - 10;
            out.push(b'[');
            for i in 0..2 {
                if i > 0 {
                    out.push(b',');
                }
                if levels > 1 {
                    write_value(out, r, kind - 1, depth + 1);
                } else if i == 1 {
                    out.extend_from_slice(b"null");
                } else {
                    let inner = r.below(11);
                    write_value(out, r, inner, depth + 1);
                }
            }
            out.push(b']');
        }
        _ => out.extend_from_slice(b"null"),
    }
}

/// Appends the `metrics` object: `duration_ns` always; token counts and `cost`
/// where the record has them; an LLM span's time to first token.
pub(crate) fn write_metrics(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"duration_ns\":");
    write_u64(out, c.duration_ns);
    if let Some((i, o)) = c.tokens {
        out.extend_from_slice(b",\"num_input_tokens\":");
        write_u64(out, i as u64);
        out.extend_from_slice(b",\"num_output_tokens\":");
        write_u64(out, o as u64);
        out.extend_from_slice(b",\"num_total_tokens\":");
        write_u64(out, (i + o) as u64);
    }
    if let Some(t) = c.ttft_ns {
        out.extend_from_slice(b",\"time_to_first_token_ns\":");
        write_u64(out, t);
        if c.index.is_multiple_of(3) {
            out.extend_from_slice(b",\"num_image_input_tokens\":null");
        }
    }
    if let Some(m) = c.cost_micros {
        out.extend_from_slice(b",\"cost\":");
        write_cost(out, m);
    }
    out.push(b'}');
}

/// Appends the `tags` array.
pub(crate) fn write_tags(out: &mut Vec<u8>, c: &Core) {
    out.push(b'[');
    for (i, t) in c.tag_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(t.as_bytes());
        out.push(b'"');
    }
    out.push(b']');
}

/// The value of `user_metadata.user_id`.
pub(crate) fn user_id_str(c: &Core) -> [u8; 10] {
    let mut buf = *b"user-00000";
    let mut v = c.user;
    for b in buf[5..].iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf
}

/// Appends the `user_metadata` object (string values only; `locale` is omitted on
/// one record in five, and the extra keys vary by record).
pub(crate) fn write_user_metadata(out: &mut Vec<u8>, c: &Core) {
    out.extend_from_slice(b"{\"user_id\":\"");
    out.extend_from_slice(&user_id_str(c));
    out.extend_from_slice(b"\",\"region\":\"");
    out.extend_from_slice(REGIONS[c.region as usize].as_bytes());
    out.extend_from_slice(b"\",\"model\":\"");
    out.extend_from_slice(MODELS[c.model as usize].as_bytes());
    out.push(b'"');
    if let Some(l) = c.locale {
        out.extend_from_slice(b",\"locale\":\"");
        out.extend_from_slice(LOCALES[l as usize].as_bytes());
        out.push(b'"');
    }
    for (k, (name, values)) in META_EXTRA.iter().enumerate() {
        if c.meta_extra & (1 << k) != 0 {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            write_json_str(out, values[c.index as usize % values.len()]);
        }
    }
    out.push(b'}');
}
