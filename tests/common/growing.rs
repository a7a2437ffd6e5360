//! A server whose data set grows between runs (records added with newer and with equal
//! timestamps), answering like Galileo (the `created_at` filters applied, newest first),
//! as JSON Lines or as a pandas-made CSV, and cut on demand. Shared by the library's
//! `tests/pipelines.rs` and the CLI's `cli/tests/pipelines.rs` (included by path), so
//! that both run against the same model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use galileo_export_mock::hostile::{RecordedRequest, Reply};
use serde_json::{json, Value};

/// The server's records and how it misbehaves: `cut_after` records, then a broken body.
#[derive(Default)]
pub struct Data {
    /// The records, in the order they were added.
    pub records: Vec<Value>,
    /// Cut the next answer after this many records.
    pub cut_after: Option<usize>,
}

/// The timestamp of `second` past 12:00 on 2026-03-01.
pub fn at(second: u32) -> String {
    format!("2026-03-01T12:00:{second:02}.000000Z")
}

/// Add records `ids` (`r-NNN`, `n` = the index) at `second`.
pub fn add(data: &Arc<Mutex<Data>>, ids: std::ops::Range<usize>, second: u32) {
    let mut data = data.lock().expect("lock");
    for i in ids {
        data.records
            .push(json!({"id": format!("r-{i:03}"), "created_at": at(second), "n": i}));
    }
}

/// The instant of an RFC 3339 JSON string.
pub fn time_of(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a date"))
        .expect("date")
        .to_utc()
}

/// Answer an export like Galileo: the records that pass the `created_at` filters, newest
/// first (ties by id, descending), as JSON Lines.
pub fn answer(data: &Arc<Mutex<Data>>, request: &RecordedRequest) -> Reply {
    let body = request.json();
    let mut data = data.lock().expect("lock");
    let mut records: Vec<Value> = data
        .records
        .iter()
        .filter(|r| {
            let t = time_of(&r["created_at"]);
            body["filters"].as_array().into_iter().flatten().all(|f| {
                if f["column_id"] != "created_at" {
                    return true;
                }
                let bound = time_of(&f["value"]);
                match f["operator"].as_str() {
                    Some("gte") => t >= bound,
                    Some("gt") => t > bound,
                    Some("lte") => t <= bound,
                    Some("lt") => t < bound,
                    other => panic!("unexpected operator {other:?}"),
                }
            })
        })
        .cloned()
        .collect();
    records.sort_by(|a, b| {
        (time_of(&b["created_at"]), b["id"].as_str())
            .cmp(&(time_of(&a["created_at"]), a["id"].as_str()))
    });
    if body["export_format"] == "csv" {
        return csv_answer(&records, data.cut_after.take());
    }
    let mut text: String = records.iter().map(|r| format!("{r}\n")).collect();
    match data.cut_after.take() {
        Some(n) => {
            text = records[..n.min(records.len())]
                .iter()
                .map(|r| format!("{r}\n"))
                .collect();
            text.push_str("{\"id\":\"r-");
            Reply::status(200).close_delimited().body(text)
        }
        None => Reply::status(200).body(text),
    }
}

/// The records as CSV, as a pandas-made export writes it: a header, timestamps with a
/// space, a quoted field with a comma, quotes and a line break, CRLF line ends.
pub fn csv_answer(records: &[Value], cut_after: Option<usize>) -> Reply {
    let row = |r: &Value| {
        format!(
            "\"note, \"\"{}\"\"\nline 2\",{},{}\r\n",
            r["n"],
            r["created_at"]
                .as_str()
                .expect("date")
                .replacen('T', " ", 1)
                .replace('Z', "+00:00"),
            r["id"].as_str().expect("id")
        )
    };
    let mut text = String::from("\u{feff}note,created_at,id\r\n");
    match cut_after {
        Some(n) => {
            text.extend(records[..n.min(records.len())].iter().map(row));
            text.push_str("\"note, cut");
            Reply::status(200).close_delimited().body(text)
        }
        None => {
            text.extend(records.iter().map(row));
            Reply::status(200).body(text)
        }
    }
}

/// Asserts that over `runs` every one of `total` ids arrived, and none twice.
pub fn exactly_once(runs: &[Vec<String>], total: usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in runs.iter().flatten() {
        *counts.entry(id).or_default() += 1;
    }
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "delivered more than once: {repeated:?}"
    );
    assert_eq!(counts.len(), total, "every record, once: {runs:?}");
}
