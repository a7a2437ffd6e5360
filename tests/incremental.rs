//! Incremental exports, tested by construction: a raw server whose data set grows by
//! random steps, and a random sequence of runs (JSON Lines, CSV, Parquet; random cuts,
//! with and without resume), each continuing after the checkpoint of the last run that
//! completed. Over all runs every record arrives exactly once (as a multiset: byte-
//! identical records without `id` are counted), and the checkpoint never goes backwards.
//!
//! The server spells what it may spell freely differently in every answer: ids with and
//! without JSON escapes, numeric ids as numbers or strings, timestamps with `Z`, an
//! offset or no zone at all; records that share a timestamp come in a new order each
//! time. Records without an `id` keep their text (their text is who they are).
//!
//! The rules the model relies on, on the CLI's `--state`, are tested in the CLI's own
//! `cli/tests/incremental.rs`.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use galileo_export::columnar::arrow_array::{Array, Int64Array};
use galileo_export::columnar::ColumnarOptions;
use galileo_export::{Checkpoint, Error, ExportFormat};
use galileo_export_mock::hostile::{HostileServer, RecordedRequest, Reply};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// Who a record is.
#[derive(Debug, Clone)]
enum Id {
    Uuid(String),
    Number(u64),
    /// A string with characters JSON may escape (`é`, `/`), spelled either way.
    Escaped(String),
    Missing,
}

#[derive(Debug, Clone)]
struct Record {
    seq: i64,
    id: Id,
    at: DateTime<Utc>,
    /// For a record without `id`: its timestamp's spelling, fixed (its text is its
    /// identity).
    fixed_spelling: Option<u8>,
}

/// The server's data and its next misbehaviour.
struct Data {
    records: Vec<Record>,
    cut_after: Option<usize>,
    rng: rand::rngs::StdRng,
}

fn base() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().expect("time")
}

/// A timestamp as the server may write it: `Z`, `+00:00`, or no zone (read as UTC).
fn spell_time(at: DateTime<Utc>, how: u8) -> String {
    let text = at.format("%Y-%m-%dT%H:%M:%S%.9f").to_string();
    match how % 3 {
        0 => format!("{text}Z"),
        1 => format!("{text}+00:00"),
        _ => text,
    }
}

/// An id's JSON as the server may write it (`None`: no `id` field).
fn spell_id(id: &Id, rng: &mut impl Rng) -> Option<String> {
    match id {
        Id::Uuid(u) => Some(format!("\"{u}\"")),
        Id::Number(n) if rng.random_bool(0.5) => Some(n.to_string()),
        Id::Number(n) => Some(format!("\"{n}\"")),
        Id::Escaped(s) if rng.random_bool(0.5) => Some(serde_json::to_string(s).expect("json")),
        Id::Escaped(s) => {
            let escaped: String = s
                .chars()
                .map(|c| match c {
                    '/' => "\\/".to_string(),
                    c if !c.is_ascii() => format!("\\u{:04x}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            Some(format!("\"{escaped}\""))
        }
        Id::Missing => None,
    }
}

fn line(record: &Record, rng: &mut impl Rng) -> String {
    let at = spell_time(
        record.at,
        record.fixed_spelling.unwrap_or_else(|| rng.random()),
    );
    let text = format!("note {}, \"quoted\"\nsecond line", record.seq);
    let text = serde_json::to_string(&text).expect("json");
    match spell_id(&record.id, rng) {
        Some(id) => format!(
            "{{\"id\":{id},\"created_at\":\"{at}\",\"seq\":{},\"text\":{text}}}\n",
            record.seq
        ),
        None => format!(
            "{{\"created_at\":\"{at}\",\"seq\":{},\"text\":{text}}}\n",
            record.seq
        ),
    }
}

fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn row(record: &Record, rng: &mut impl Rng) -> String {
    let at = spell_time(
        record.at,
        record.fixed_spelling.unwrap_or_else(|| rng.random()),
    );
    let id = match &record.id {
        Id::Uuid(u) => u.clone(),
        Id::Number(n) => n.to_string(),
        Id::Escaped(s) => s.clone(),
        Id::Missing => String::new(),
    };
    let text = format!("note {}, \"quoted\"\nsecond line", record.seq);
    format!(
        "{},{},{},{}\r\n",
        record.seq,
        csv_field(&id),
        at,
        csv_field(&text)
    )
}

fn time_of(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a date"))
        .expect("date")
        .to_utc()
}

/// Answer an export like Galileo: the records that pass the `created_at` filters, newest
/// first, records that share a timestamp in a new order each time.
fn answer(data: &Mutex<Data>, request: &RecordedRequest) -> Reply {
    let body = request.json();
    let mut data = data.lock().unwrap_or_else(|e| e.into_inner());
    let data = &mut *data;
    let mut records: Vec<Record> = data
        .records
        .iter()
        .filter(|r| {
            body["filters"].as_array().into_iter().flatten().all(|f| {
                let bound = time_of(&f["value"]);
                match f["operator"].as_str() {
                    Some("gte") => r.at >= bound,
                    Some("lte") => r.at <= bound,
                    Some("gt") => r.at > bound,
                    Some("lt") => r.at < bound,
                    other => panic!("unexpected operator {other:?}"),
                }
            })
        })
        .cloned()
        .collect();
    records.shuffle(&mut data.rng);
    records.sort_by_key(|r| std::cmp::Reverse(r.at));
    let csv = body["export_format"] == "csv";
    let mut text = if csv {
        String::from("seq,id,created_at,text\r\n")
    } else {
        String::new()
    };
    let cut = data.cut_after.take();
    for (i, record) in records.iter().enumerate() {
        if cut == Some(i) {
            text.push_str(if csv { "7,\"cut" } else { "{\"id\":\"cu" });
            return Reply::status(200).close_delimited().body(text);
        }
        text.push_str(&if csv {
            row(record, &mut data.rng)
        } else {
            line(record, &mut data.rng)
        });
    }
    Reply::status(200).body(text)
}

#[derive(Debug, Clone, Copy)]
enum Format {
    JsonLines,
    Csv,
    Parquet,
}

/// One step of the model: the data grows, or a run.
#[derive(Debug, Clone)]
enum Step {
    /// New records: (seconds after the newest, nanoseconds, id kind, a second copy); id
    /// kind 4 is one more copy of a record without id at the newest timestamp.
    Grow(Vec<(u8, u32, u8, bool)>),
    Run {
        format: Format,
        cut: Option<usize>,
        resume: bool,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::collection::vec(
            (
                // Equal timestamps are where records get lost or repeated: mostly those.
                prop_oneof![3 => Just(0u8), 1 => 1u8..3],
                prop_oneof![3 => Just(0u32), 1 => 1u32..3],
                0u8..5,
                any::<bool>()
            ),
            1..7
        )
        .prop_map(Step::Grow),
        (
            prop_oneof![
                Just(Format::JsonLines),
                Just(Format::Csv),
                Just(Format::Parquet)
            ],
            prop::option::weighted(0.4, 0usize..8),
            any::<bool>()
        )
            .prop_map(|(format, cut, resume)| Step::Run {
                format,
                cut,
                resume
            }),
    ]
}

/// What a run delivered (the `seq` of each record) and its next checkpoint, or why it
/// failed.
async fn run(
    server: &HostileServer,
    format: Format,
    resume: bool,
    after: Option<&Checkpoint>,
) -> Result<(Vec<i64>, Option<Checkpoint>), Error> {
    let export = common::hostile_export(&server.base_url()).incremental(after);
    match format {
        Format::JsonLines => {
            let mut stream = export.resume(resume).records().await?;
            let mut seqs = Vec::new();
            while let Some(record) = stream.try_next().await? {
                seqs.push(record["seq"].as_i64().expect("seq"));
            }
            Ok((seqs, stream.checkpoint().cloned()))
        }
        Format::Csv => {
            let mut rows = export.format(ExportFormat::Csv).csv_rows().await?;
            let mut seqs = Vec::new();
            while let Some(row) = rows.try_next().await? {
                seqs.push(row.get("seq").expect("seq").parse().expect("a number"));
            }
            Ok((seqs, rows.checkpoint().cloned()))
        }
        Format::Parquet => {
            let mut batches = export
                .resume(resume)
                .record_batches(ColumnarOptions::default().infer_records(3))
                .await?;
            let mut seqs = Vec::new();
            while let Some(batch) = batches.try_next().await? {
                let column = batch.column_by_name("seq").expect("a seq column");
                let column = column
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .expect("seq is an integer column");
                assert_eq!(column.null_count(), 0);
                seqs.extend(column.values().iter().copied());
            }
            Ok((seqs, batches.checkpoint().cloned()))
        }
    }
}

fn model(steps: Vec<Step>, seed: u64) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let data = Arc::new(Mutex::new(Data {
            records: Vec::new(),
            cut_after: None,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }));
        let shared = data.clone();
        let server = HostileServer::start_with(move |request, _| answer(&shared, request)).await;
        let mut checkpoint: Option<Checkpoint> = None;
        let mut delivered: BTreeMap<i64, usize> = BTreeMap::new();
        let mut seq = 0i64;
        let mut newest = base();
        let final_run = Step::Run {
            format: Format::JsonLines,
            cut: None,
            resume: false,
        };
        for step in steps.iter().chain([&final_run]) {
            match step {
                Step::Grow(new) => {
                    let mut data = data.lock().expect("lock");
                    for &(later, nanos, kind, twice) in new {
                        newest += Duration::seconds(i64::from(later))
                            + Duration::nanoseconds(i64::from(nanos) * 333);
                        // Another copy of a record without id at the newest timestamp,
                        // sent after a run may have delivered the first ones.
                        let copy = data
                            .records
                            .iter()
                            .rev()
                            .find(|r| r.at == newest && matches!(r.id, Id::Missing))
                            .cloned();
                        if let Some(copy) = copy.filter(|_| kind == 4) {
                            data.records.push(copy);
                            continue;
                        }
                        seq += 1;
                        let id = match kind {
                            0 => Id::Uuid(uuid::Uuid::from_u128(seq as u128 * 7919).to_string()),
                            1 => Id::Number(100 + seq as u64),
                            2 => Id::Escaped(format!("café/{seq}")),
                            _ => Id::Missing,
                        };
                        let fixed_spelling = matches!(id, Id::Missing).then_some((seq % 3) as u8);
                        let record = Record {
                            seq,
                            id: id.clone(),
                            at: newest,
                            fixed_spelling,
                        };
                        data.records.push(record.clone());
                        if twice && matches!(id, Id::Missing) {
                            // A byte-identical copy: delivered as often as it is sent.
                            data.records.push(record);
                        }
                    }
                }
                Step::Run {
                    format,
                    cut,
                    resume,
                } => {
                    data.lock().expect("lock").cut_after = *cut;
                    // A checkpoint naming records without id continues only in the
                    // format that wrote them (their text is who they are).
                    let refused_format = checkpoint.as_ref().is_some_and(|c| match format {
                        Format::Csv => !c.records_without_id().is_empty(),
                        _ => !c.csv_rows_without_id().is_empty(),
                    });
                    match run(&server, *format, *resume, checkpoint.as_ref()).await {
                        Ok((seqs, next)) => {
                            prop_assert!(!refused_format, "{format:?} after {checkpoint:?}");
                            for s in &seqs {
                                *delivered.entry(*s).or_default() += 1;
                            }
                            match (&next, &checkpoint) {
                                (Some(next), Some(old)) => prop_assert!(
                                    next.created_at() >= old.created_at(),
                                    "the checkpoint went back: {old:?} -> {next:?}"
                                ),
                                (None, _) => prop_assert!(
                                    seqs.is_empty() && checkpoint.is_none(),
                                    "records delivered, no checkpoint: {seqs:?}"
                                ),
                                _ => {}
                            }
                            if next.is_some() {
                                checkpoint = next;
                            }
                        }
                        Err(Error::InvalidRequest(why)) if refused_format => {
                            prop_assert!(why.contains("without an `id`"), "{why}");
                        }
                        Err(Error::Cut { .. }) if cut.is_some() => {}
                        Err(e) => prop_assert!(false, "{format:?} run failed: {e}"),
                    }
                    // A refused run sent nothing: its cut does not carry over.
                    data.lock().expect("lock").cut_after = None;
                    // A run in the format the checkpoint refuses is followed by a run in
                    // the format that continues it (the model's user does that).
                    if refused_format {
                        let format = if matches!(format, Format::Csv) {
                            Format::JsonLines
                        } else {
                            Format::Csv
                        };
                        let (seqs, next) =
                            run(&server, format, false, checkpoint.as_ref())
                                .await
                                .map_err(|e| TestCaseError::fail(format!("{format:?}: {e}")))?;
                        for s in &seqs {
                            *delivered.entry(*s).or_default() += 1;
                        }
                        if next.is_some() {
                            checkpoint = next;
                        }
                    }
                }
            }
        }
        let mut expected: BTreeMap<i64, usize> = BTreeMap::new();
        for record in &data.lock().expect("lock").records {
            *expected.entry(record.seq).or_default() += 1;
        }
        prop_assert_eq!(
            delivered,
            expected,
            "every record exactly once: {:?}",
            steps
        );
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The model: every record exactly once over any schedule of growth and runs.
    #[test]
    fn every_record_arrives_exactly_once_over_any_schedule_of_runs(
        steps in prop::collection::vec(step(), 1..14),
        seed in any::<u64>(),
    ) {
        model(steps, seed)?;
    }
}

/// Ids are values, not spellings: a checkpoint from JSON Lines with numeric and escaped
/// ids continues a CSV export (and the escaped spelling continues the plain one)
/// without repeating the boundary.
#[tokio::test]
async fn ids_are_their_value_across_spellings_and_formats() {
    let first = HostileServer::start(vec![Reply::status(200).body(
        "{\"id\":101,\"created_at\":\"2026-03-01T12:00:00Z\"}\n\
         {\"id\":\"caf\\u00e9\",\"created_at\":\"2026-03-01T12:00:00Z\"}\n\
         {\"id\":\"a\\/b\",\"created_at\":\"2026-03-01T12:00:00Z\"}\n",
    )])
    .await;
    let (seqs, checkpoint) = {
        let mut stream = common::hostile_export(&first.base_url())
            .incremental(None)
            .records()
            .await
            .expect("export");
        let mut n = 0;
        while stream.try_next().await.expect("record").is_some() {
            n += 1;
        }
        (n, stream.checkpoint().cloned().expect("a checkpoint"))
    };
    assert_eq!(seqs, 3);
    assert_eq!(checkpoint.ids(), ["101", "a/b", "café"]);
    let csv = HostileServer::start(vec![Reply::status(200).body(
        "id,created_at\r\n101,2026-03-01T12:00:00Z\r\ncafé,2026-03-01T12:00:00Z\r\n\
         a/b,2026-03-01T12:00:00Z\r\nnew,2026-03-01T12:00:00Z\r\n",
    )])
    .await;
    let mut rows = common::hostile_export(&csv.base_url())
        .format(ExportFormat::Csv)
        .after(&checkpoint)
        .csv_rows()
        .await
        .expect("export");
    let mut ids = Vec::new();
    while let Some(row) = rows.try_next().await.expect("row") {
        ids.push(row.get("id").expect("id").to_string());
    }
    assert_eq!(ids, ["new"]);
}

/// 200 byte-identical lines without `id` at one timestamp, cut after 100 and resumed:
/// all 200 arrive (not 199, not 100).
#[tokio::test]
async fn identical_records_without_id_are_counted_through_a_resume() {
    let line = "{\"created_at\":\"2026-03-01T12:00:00Z\",\"input\":\"same\"}\n";
    let first = line.repeat(100) + "{\"created_at\":";
    let server = HostileServer::start(vec![
        Reply::status(200).close_delimited().body(first),
        Reply::status(200).body(line.repeat(200)),
    ])
    .await;
    let mut stream = common::hostile_export(&server.base_url())
        .resume(true)
        .records()
        .await
        .expect("export");
    let mut n = 0;
    while stream.try_next().await.expect("record").is_some() {
        n += 1;
    }
    assert_eq!(n, 200);
    assert_eq!(server.request_count(), 2);
    let checkpoint = stream.checkpoint().cloned().expect("a checkpoint");
    assert_eq!(checkpoint.records_without_id().len(), 200);

    // The next run: the server now has a 201st copy; one arrives.
    let next = HostileServer::start(vec![Reply::status(200).body(line.repeat(201))]).await;
    let mut stream = common::hostile_export(&next.base_url())
        .after(&checkpoint)
        .records()
        .await
        .expect("export");
    let mut n = 0;
    while stream.try_next().await.expect("record").is_some() {
        n += 1;
    }
    assert_eq!(n, 1);
    assert_eq!(
        stream
            .checkpoint()
            .expect("a checkpoint")
            .records_without_id()
            .len(),
        201
    );
}
