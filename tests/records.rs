//! Tests of the records framing/decoding layer (`galileo_export::records`).

use bytes::Bytes;
use futures::StreamExt;
use galileo_export::records::{
    Counters, CsvDecoder, CsvRow, Eof, JsonLinesDecoder, Line, LineFramer, RawRecord,
    RecordDecoder, RecordError, Truncation,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Everything a decoder produced, with errors rendered (RecordError is not
/// `PartialEq`), plus how the input ended and the final counters.
#[derive(Debug, PartialEq)]
struct Outcome<T> {
    items: Vec<Result<T, String>>,
    eof: Eof,
    counters: Counters,
}

/// Feeds `chunks` to a fresh decoder, draining after each one.
fn run<D: RecordDecoder + Default>(chunks: &[&[u8]]) -> Outcome<D::Item> {
    let mut decoder = D::default();
    let mut items = Vec::new();
    for chunk in chunks {
        decoder.push(Bytes::copy_from_slice(chunk));
        while let Some(item) = decoder.next_record() {
            items.push(item.map_err(|e| e.to_string()));
        }
    }
    decoder.finish();
    while let Some(item) = decoder.next_record() {
        items.push(item.map_err(|e| e.to_string()));
    }
    assert!(
        decoder.next_record().is_none(),
        "a drained decoder stays drained"
    );
    let eof = decoder.eof().expect("eof is known once drained");
    let counters = decoder.counters();
    assert_eq!(
        counters.bytes,
        chunks.iter().map(|c| c.len() as u64).sum::<u64>(),
        "all bytes are consumed"
    );
    Outcome {
        items,
        eof,
        counters,
    }
}

/// Feeds `input` whole, then split in two at every offset, then one byte at a
/// time, and checks every run gives the same outcome; returns it.
fn same_at_every_split<D>(input: &[u8]) -> Outcome<D::Item>
where
    D: RecordDecoder + Default,
    D::Item: PartialEq + std::fmt::Debug,
{
    let whole = run::<D>(&[input]);
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        assert_eq!(run::<D>(&[a, b]), whole, "split at byte {at}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run::<D>(&bytes), whole, "one byte at a time");
    whole
}

fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn decode_one<T>(decoder: &mut impl RecordDecoder<Item = T>) -> Result<T, RecordError> {
    decoder.next_record().expect("a record is ready")
}

type MapDecoder = JsonLinesDecoder<Map<String, Value>>;

// ---------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------

/// A small export exercising most of the framing rules: CRLF, empty lines
/// (plain and CRLF), 2-, 3- and 4-byte UTF-8, U+2028 / U+2029 / U+0085 and an
/// escaped form feed inside strings, and no final newline.
const JSONL: &str = concat!(
    "{\"id\":1,\"text\":\"caf\u{e9} \u{2014} \u{1F600}\"}\r\n",
    "\n",
    "{\"id\":2,\"text\":\"a\u{2028}b\u{2029}c\u{85}d\\fe\"}\n",
    "\r\n",
    "\n",
    "{\"id\":3,\"nested\":{\"k\":[1,2,{\"x\":null}]},\"text\":\"\u{65e5}\u{672c}\"}\r\n",
    "{\"id\":4,\"text\":\"last\"}",
);

fn jsonl_expected() -> Vec<(u64, Value)> {
    vec![
        (1, json!({"id": 1, "text": "caf\u{e9} \u{2014} \u{1F600}"})),
        (
            3,
            json!({"id": 2, "text": "a\u{2028}b\u{2029}c\u{85}d\u{c}e"}),
        ),
        (
            6,
            json!({"id": 3, "nested": {"k": [1, 2, {"x": null}]}, "text": "\u{65e5}\u{672c}"}),
        ),
        (7, json!({"id": 4, "text": "last"})),
    ]
}

#[test]
fn json_lines_maps_are_the_same_at_every_split() {
    let out = same_at_every_split::<MapDecoder>(JSONL.as_bytes());
    let expected: Vec<Result<Map<String, Value>, String>> = jsonl_expected()
        .into_iter()
        .map(|(_, v)| Ok(map(v)))
        .collect();
    assert_eq!(out.items, expected);
    assert!(out.eof.trailing_partial_line);
    assert!(!out.eof.open_quote);
    assert_eq!(out.counters.records, 4);
    assert_eq!(out.counters.line, 7);
}

#[test]
fn json_lines_raw_records_are_the_same_at_every_split() {
    let out = same_at_every_split::<JsonLinesDecoder<RawRecord>>(JSONL.as_bytes());
    let lines: Vec<&str> = JSONL
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let got: Vec<(u64, u64, String)> = out
        .items
        .into_iter()
        .map(|r| {
            let r = r.expect("valid record");
            (r.line(), r.offset(), r.as_str().to_owned())
        })
        .collect();
    let mut offset = 0;
    let mut expected = Vec::new();
    for (i, line) in JSONL.split('\n').enumerate() {
        if !line.trim_end_matches('\r').is_empty() {
            expected.push((i as u64 + 1, offset, lines[i].to_owned()));
        }
        offset += line.len() as u64 + 1;
    }
    assert_eq!(got, expected);
    for ((line, value), (got_line, _, text)) in jsonl_expected().into_iter().zip(&got) {
        assert_eq!(line, *got_line);
        assert_eq!(serde_json::from_str::<Value>(text).unwrap(), value);
    }
}

#[test]
fn json_lines_typed_records() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Rec {
        id: u32,
        text: Option<String>,
    }
    let out = same_at_every_split::<JsonLinesDecoder<Rec>>(JSONL.as_bytes());
    let got: Vec<(u32, Option<String>)> = out
        .items
        .into_iter()
        .map(|r| r.map(|r| (r.id, r.text)).expect("valid record"))
        .collect();
    assert_eq!(got[0], (1, Some("caf\u{e9} \u{2014} \u{1F600}".into())));
    assert_eq!(got[1], (2, Some("a\u{2028}b\u{2029}c\u{85}d\u{c}e".into())));
    assert_eq!(got[3], (4, Some("last".into())));
}

#[test]
fn framing_lines_inside_chunks_are_zero_copy() {
    let chunk = Bytes::from_static(b"{\"a\":1}\n{\"b\":2}\n{\"c\"");
    let mut framer = LineFramer::new();
    framer.push(chunk.clone());
    let a = framer.next_line().unwrap();
    let b = framer.next_line().unwrap();
    assert_eq!(a.as_bytes().as_ptr(), chunk.as_ptr());
    assert_eq!(b.as_bytes().as_ptr(), chunk[8..].as_ptr());
    assert!(framer.next_line().is_none());
    framer.push(Bytes::from_static(b":3}\n"));
    let c = framer.next_line().unwrap();
    assert_eq!(
        (c.as_bytes(), c.number(), c.offset()),
        (&b"{\"c\":3}"[..], 3, 16)
    );
}

#[test]
fn multibyte_utf8_split_across_chunks() {
    // "😀" is F0 9F 98 80: split after each of its bytes.
    let input = "{\"e\":\"\u{1F600}\u{e9}\"}\n".as_bytes();
    let start = input.iter().position(|&b| b == 0xF0).unwrap();
    for at in start + 1..start + 6 {
        let out = run::<MapDecoder>(&[&input[..at], &input[at..]]);
        assert_eq!(out.items, [Ok(map(json!({"e": "\u{1F600}\u{e9}"})))]);
    }
    // Three chunks, each cutting a character.
    let out = run::<JsonLinesDecoder<RawRecord>>(&[
        &input[..start + 1],
        &input[start + 1..start + 5],
        &input[start + 5..],
    ]);
    let raw = out.items[0].as_ref().unwrap();
    assert_eq!(raw.as_str(), "{\"e\":\"\u{1F600}\u{e9}\"}");
}

#[test]
fn crlf_is_stripped_even_when_split_between_chunks() {
    let out = run::<LineFramer>(&[b"{}\r", b"\n[]\r\n\r", b"\n"]);
    let lines: Vec<(Vec<u8>, u64)> = out
        .items
        .into_iter()
        .map(|l| {
            let l = l.unwrap();
            (l.as_bytes().to_vec(), l.number())
        })
        .collect();
    assert_eq!(lines, [(b"{}".to_vec(), 1), (b"[]".to_vec(), 2)]);
    assert!(out.eof.is_clean());
    assert_eq!(out.counters.line, 4);
}

#[test]
fn empty_lines_are_skipped_but_counted() {
    let input = b"\n\n{\"a\":1}\n\r\n\n\n{\"a\":2}\n\n";
    let out = same_at_every_split::<JsonLinesDecoder<RawRecord>>(input);
    let got: Vec<(u64, u64)> = out
        .items
        .iter()
        .map(|r| {
            let r = r.as_ref().unwrap();
            (r.line(), r.offset())
        })
        .collect();
    assert_eq!(got, [(3, 2), (7, 14)]);
    assert_eq!(out.counters.line, 9);
    assert_eq!(out.counters.records, 2);
    assert!(out.eof.is_clean());
}

#[test]
fn no_final_newline_still_yields_the_last_record() {
    let out = run::<MapDecoder>(&[b"{\"a\":1}\n{\"a\":2}"]);
    assert_eq!(
        out.items,
        [Ok(map(json!({"a": 1}))), Ok(map(json!({"a": 2})))]
    );
    assert!(out.eof.trailing_partial_line);
    assert!(!out.eof.is_clean());

    // With the final newline, the end is clean.
    let out = run::<MapDecoder>(&[b"{\"a\":1}\n{\"a\":2}\n"]);
    assert_eq!(out.items.len(), 2);
    assert!(out.eof.is_clean());

    // The last line is only released by finish().
    let mut decoder = JsonLinesDecoder::new();
    decoder.push(Bytes::from_static(b"{\"a\":2}"));
    assert!(decoder.next_record().is_none());
    assert_eq!(decoder.eof(), None);
    decoder.finish();
    assert_eq!(
        decoder.next_record().unwrap().unwrap(),
        map(json!({"a": 2}))
    );
    assert!(decoder.next_record().is_none());
    assert!(decoder.eof().unwrap().trailing_partial_line);
}

#[test]
fn empty_input() {
    let out = run::<MapDecoder>(&[]);
    assert!(out.items.is_empty());
    assert!(out.eof.is_clean());
    assert_eq!(
        (out.counters.records, out.counters.bytes, out.counters.line),
        (0, 0, 1)
    );
    let out = run::<MapDecoder>(&[b"\n\r\n"]);
    assert!(out.items.is_empty());
    assert!(out.eof.is_clean());
}

#[test]
fn a_single_50_mb_record() {
    const SIZE: usize = 50 * 1024 * 1024;
    let mut input = Vec::with_capacity(SIZE + 64);
    input.extend_from_slice(b"{\"id\":\"big\",\"text\":\"");
    while input.len() < SIZE {
        input.extend_from_slice("abcdefgh\u{e9}\u{2028}\\n".as_bytes());
    }
    input.extend_from_slice(b"\"}\n{\"id\":\"small\"}\n");
    let input = Bytes::from(input);
    let big_len = input.len() - b"{\"id\":\"small\"}\n".len() - 1;

    // Raw records, fed in 64 KiB chunks (zero-copy slices of the input).
    let mut decoder = JsonLinesDecoder::raw();
    let mut records = Vec::new();
    for chunk in input.chunks(64 * 1024) {
        decoder.push(input.slice_ref(chunk));
        while let Some(r) = decoder.next_record() {
            records.push(r.unwrap());
        }
    }
    decoder.finish();
    assert!(decoder.next_record().is_none());
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].as_bytes(), &input[..big_len]);
    assert_eq!(records[1].as_str(), "{\"id\":\"small\"}");
    assert_eq!(
        (records[1].line(), records[1].offset()),
        (2, big_len as u64 + 1)
    );
    assert_eq!(decoder.counters().bytes, input.len() as u64);

    // Decoded into a map, in 1 MiB chunks.
    let mut decoder = JsonLinesDecoder::new();
    for chunk in input.chunks(1024 * 1024) {
        decoder.push(input.slice_ref(chunk));
    }
    decoder.finish();
    let big = decoder.next_record().unwrap().unwrap();
    let text = big["text"].as_str().unwrap();
    assert!(text.len() > SIZE / 15 * 14 - 100);
    assert!(text.starts_with("abcdefgh\u{e9}\u{2028}\nabcdefgh"));
    assert_eq!(decoder.next_record().unwrap().unwrap()["id"], "small");
}

#[test]
fn line_separators_and_form_feeds_are_data() {
    // The framer only breaks on \n: raw U+2028, U+2029, U+0085, form feed
    // and a lone \r stay inside the line.
    let input = "a\u{2028}b\u{2029}c\u{85}d\u{c}e\rf\n".as_bytes();
    let out = same_at_every_split::<LineFramer>(input);
    assert_eq!(out.items.len(), 1);
    assert_eq!(
        out.items[0].as_ref().unwrap().as_bytes(),
        "a\u{2028}b\u{2029}c\u{85}d\u{c}e\rf".as_bytes()
    );

    // In JSON strings, U+2028/U+2029/U+0085 may appear raw.
    let out = run::<MapDecoder>(&["{\"s\":\"1\u{2028}2\u{2029}3\u{85}4\\f5\"}\n".as_bytes()]);
    assert_eq!(
        out.items,
        [Ok(map(json!({"s": "1\u{2028}2\u{2029}3\u{85}4\u{c}5"})))]
    );

    // A raw form feed in a JSON string is invalid JSON (control character),
    // reported on its line, and does not break the line.
    let mut decoder = JsonLinesDecoder::raw();
    decoder.push(Bytes::from_static(b"{}\n{\"s\":\"a\x0cb\"}\n{}\n"));
    assert!(decode_one(&mut decoder).is_ok());
    match decode_one(&mut decoder) {
        Err(RecordError::Json { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(decode_one(&mut decoder).unwrap().line(), 3);
}

#[test]
fn malformed_line_is_an_error_with_line_offset_and_excerpt() {
    let input = b"{\"id\":1}\n\n{\"id\": 2 \"name\": \"x\"}\n{\"id\":3}\n";
    let mut decoder = JsonLinesDecoder::new();
    decoder.push(Bytes::from_static(input));
    decoder.finish();
    assert_eq!(decode_one(&mut decoder).unwrap()["id"], 1);
    let err = decode_one(&mut decoder).unwrap_err();
    match &err {
        RecordError::Json {
            line,
            column,
            offset,
            excerpt,
            ..
        } => {
            assert_eq!(*line, 3);
            assert_eq!(*offset, 10);
            assert_eq!(*column, 10);
            assert_eq!(excerpt, "{\"id\": 2 \"name\": \"x\"}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "line 3, column 10 (line starts at byte 10): invalid JSON: expected `,` or `}`; \
         near: {\"id\": 2 \"name\": \"x\"}"
    );
    // Not skipped, and decoding goes on.
    assert_eq!(decode_one(&mut decoder).unwrap()["id"], 3);
    assert!(decoder.next_record().is_none());
    assert_eq!(decoder.counters().records, 2);
}

#[test]
fn malformed_long_line_excerpt_is_cut_around_the_error() {
    let mut line = String::from("{\"text\":\"");
    line.push_str(&"\u{e9}".repeat(100));
    line.push_str("\",,\"more\":\"");
    line.push_str(&"x".repeat(100));
    line.push_str("\"}");
    let input = format!("{{}}\n{line}\n");
    let out = run::<JsonLinesDecoder<RawRecord>>(&[input.as_bytes()]);
    assert!(out.items[0].is_ok());
    let err = JsonLinesDecoder::raw()
        .decode_iter([Ok::<_, std::io::Error>(Bytes::from(input))])
        .nth(1)
        .unwrap()
        .unwrap_err();
    let RecordError::Json {
        line: 2,
        excerpt,
        offset: 3,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(excerpt.chars().count(), 80);
    let expected = format!(
        "\u{2026}{}\",,\"more\":\"{}\u{2026}",
        "\u{e9}".repeat(28),
        "x".repeat(39)
    );
    assert_eq!(excerpt, &expected);
}

#[test]
fn typed_mismatch_is_an_error_with_the_line() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Rec {
        id: u32,
    }
    let mut decoder = JsonLinesDecoder::typed::<Rec>();
    decoder.push(Bytes::from_static(b"{\"id\":1}\n{\"id\":\"two\"}\n"));
    assert!(decode_one(&mut decoder).is_ok());
    let err = decode_one(&mut decoder).unwrap_err();
    assert!(matches!(err, RecordError::Json { line: 2, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "line 2, column 11 (line starts at byte 9): record does not match the expected type \
         at `id`: invalid type: string \"two\", expected u32; near: {\"id\":\"two\"}"
    );

    // The path reaches into nested records and lists; a record that is not an object at
    // all, or invalid JSON, has none.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Trace {
        spans: Vec<Span>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Span {
        status_code: Option<i64>,
    }
    let mut decoder = JsonLinesDecoder::typed::<Trace>();
    decoder.push(Bytes::from_static(
        b"{\"spans\":[{\"status_code\":200},{\"status_code\":12345678901234567890}]}\n[1]\n{\"spans\":[}\n",
    ));
    let err = decode_one(&mut decoder).unwrap_err();
    assert!(
        matches!(&err, RecordError::Json { line: 1, path: Some(p), .. } if p == "spans[1].status_code"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(
            "record does not match the expected type at `spans[1].status_code`: invalid value: \
             integer `12345678901234567890`, expected i64"
        ),
        "{err}"
    );
    for line in [2, 3] {
        let err = decode_one(&mut decoder).unwrap_err();
        assert!(
            matches!(&err, RecordError::Json { line: l, path: None, .. } if *l == line),
            "{err:?}"
        );
    }

    // RawRecord::parse reports its own line too.
    let mut decoder = JsonLinesDecoder::raw();
    decoder.push(Bytes::from_static(b"\n{\"id\":[1,2]}\n"));
    let raw = decode_one(&mut decoder).unwrap();
    assert!(matches!(
        raw.parse::<Rec>(),
        Err(RecordError::Json {
            line: 2,
            offset: 1,
            ..
        })
    ));
    assert_eq!(raw.into_map().unwrap()["id"], serde_json::json!([1, 2]));
}

/// A record is a JSON object, whatever it is decoded into: an array, a number or a
/// string in its place is the same error, with its line, for a map, a `Value`, any type
/// and a raw record (and a bad line that is not an object either reports what comes
/// first, the same way everywhere).
#[test]
fn a_line_that_is_not_an_object_is_the_same_error_for_every_record_type() {
    fn first_error<T: galileo_export::records::FromJsonLine>(input: &'static [u8]) -> String {
        let mut decoder = JsonLinesDecoder::typed::<T>();
        decoder.push(Bytes::from_static(input));
        decoder.finish();
        std::iter::from_fn(|| decoder.next_record())
            .find_map(Result::err)
            .map(|e| e.to_string())
            .unwrap_or_else(|| "no error".into())
    }
    for (line, expected) in [
        (
            &b"{\"id\":1}\n\n[1,2]\n{\"id\":3}\n"[..],
            "line 3, column 0 (line starts at byte 10): record does not match the expected \
             type: invalid type: sequence, expected a record (a JSON object); near: [1,2]",
        ),
        (
            b"{\"id\":1}\n42\n",
            "line 2, column 2 (line starts at byte 9): record does not match the expected \
             type: invalid type: integer `42`, expected a record (a JSON object); near: 42",
        ),
        (
            b"{\"id\":1}\n\"text\"\n",
            "line 2, column 6 (line starts at byte 9): record does not match the expected \
             type: invalid type: string \"text\", expected a record (a JSON object); near: \"text\"",
        ),
        (
            b"{\"id\":1}\nnope\n",
            "line 2, column 2 (line starts at byte 9): invalid JSON: expected ident; near: nope",
        ),
    ] {
        assert_eq!(first_error::<serde_json::Map<String, Value>>(line), expected);
        assert_eq!(first_error::<Value>(line), expected);
        assert_eq!(first_error::<RawRecord>(line), expected);
        assert_eq!(first_error::<std::collections::HashMap<String, u8>>(line), expected);
    }
}

#[test]
fn trailing_garbage_on_a_line_is_an_error() {
    let out = run::<JsonLinesDecoder<RawRecord>>(&[b"{\"a\":1} {\"b\":2}\n"]);
    assert!(out.items[0]
        .as_ref()
        .unwrap_err()
        .contains("trailing characters"));
    // A line of nothing but whitespace is blank, not a bad record: skipped (and counted
    // in line numbers), as the byte paths' line check and framing's count have it.
    let out = run::<JsonLinesDecoder<RawRecord>>(&[b"   \n\t\r\n{\"a\":1}\n"]);
    assert_eq!(out.items.len(), 1);
    assert_eq!(out.items[0].as_ref().map(RawRecord::line), Ok(3));
}

#[test]
fn invalid_utf8_is_an_error_with_the_line() {
    let input = b"{\"a\":\"ok\"}\n{\"a\":\"\xff\"}\n{\"a\":\"\xc3\"}\n{\"a\":\"fine\"}\n";
    for which in 0..2 {
        let mut items: Vec<Result<u64, RecordError>> = Vec::new();
        if which == 0 {
            let mut d = JsonLinesDecoder::raw();
            d.push(Bytes::from_static(input));
            d.finish();
            while let Some(r) = d.next_record() {
                items.push(r.map(|r| r.line()));
            }
        } else {
            let mut d = JsonLinesDecoder::new();
            d.push(Bytes::from_static(input));
            d.finish();
            let mut n = 0;
            while let Some(r) = d.next_record() {
                n += 1;
                items.push(r.map(|_| n));
            }
        }
        assert_eq!(items.len(), 4);
        assert!(items[0].is_ok());
        assert!(matches!(
            items[1],
            Err(RecordError::InvalidUtf8 {
                line: 2,
                offset: Some(17)
            })
        ));
        assert!(matches!(
            items[2],
            Err(RecordError::InvalidUtf8 {
                line: 3,
                offset: Some(27)
            })
        ));
        assert!(items[3].is_ok());
    }
    let err = RecordError::InvalidUtf8 {
        line: 2,
        offset: Some(17),
    };
    assert_eq!(err.to_string(), "line 2: invalid UTF-8 at byte 17");
}

#[test]
fn cut_last_json_line_is_truncated() {
    let out = run::<MapDecoder>(&[b"{\"a\":1}\n{\"a\":\"cut her"]);
    assert_eq!(out.items[0], Ok(map(json!({"a": 1}))));
    assert_eq!(
        out.items[1],
        Err(
            "line 2: the input ends inside a JSON record (no final newline and the JSON is \
             incomplete); the export looks cut off"
                .to_owned()
        )
    );
    assert!(out.eof.trailing_partial_line);

    let mut d = JsonLinesDecoder::raw();
    d.push(Bytes::from_static(b"{\"a\":[1,"));
    d.finish();
    assert!(matches!(
        decode_one(&mut d),
        Err(RecordError::Truncated {
            line: 1,
            what: Truncation::JsonRecord
        })
    ));

    // The same incomplete JSON *with* a newline is plain malformed JSON.
    let mut d = JsonLinesDecoder::raw();
    d.push(Bytes::from_static(b"{\"a\":[1,\n"));
    assert!(matches!(
        decode_one(&mut d),
        Err(RecordError::Json { line: 1, .. })
    ));
}

#[test]
fn counters_progress_while_reading() {
    let mut d = JsonLinesDecoder::raw();
    assert_eq!(
        (d.counters().records, d.counters().bytes, d.counters().line),
        (0, 0, 1)
    );
    d.push(Bytes::from_static(b"{}\n\n{\"a\""));
    assert!(decode_one(&mut d).is_ok());
    assert_eq!(
        (d.counters().records, d.counters().bytes, d.counters().line),
        (1, 3, 2)
    );
    assert!(d.next_record().is_none());
    // The partial line was taken out of the chunk: consumed.
    assert_eq!(
        (d.counters().records, d.counters().bytes, d.counters().line),
        (1, 8, 3)
    );
    d.push(Bytes::from_static(b":1}\n"));
    assert_eq!(decode_one(&mut d).unwrap().line(), 3);
    assert_eq!(
        (d.counters().records, d.counters().bytes, d.counters().line),
        (2, 12, 4)
    );
}

#[test]
fn pushing_without_draining_queues_chunks() {
    let mut d = JsonLinesDecoder::raw();
    for chunk in [&b"{\"a\":"[..], b"1}\n{", b"}\n", b"", b"{\"b\":[]}"] {
        d.push(Bytes::copy_from_slice(chunk));
    }
    d.finish();
    let got: Vec<(String, u64)> = std::iter::from_fn(|| d.next_record())
        .map(|r| {
            let r = r.unwrap();
            (r.as_str().to_owned(), r.line())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("{\"a\":1}".to_owned(), 1),
            ("{}".to_owned(), 2),
            ("{\"b\":[]}".to_owned(), 3)
        ]
    );
}

#[test]
fn framer_as_decoder_of_lines() {
    let mut d = JsonLinesDecoder::typed::<Line>();
    d.push(Bytes::from_static(b"not json\n"));
    let line = decode_one(&mut d).unwrap();
    assert_eq!(line.as_bytes(), b"not json");
    assert!(line.has_line_break());
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// Quoted fields with embedded LF, CRLF, commas and doubled quotes; LF and
/// CRLF record ends; an empty line; multi-byte UTF-8; empty fields.
const CSV: &str = concat!(
    "id,input,output\r\n",
    "1,\"Hello, world\",\"He said \"\"hi\"\"\"\r\n",
    "2,\"multi\nline\r\ninput\",plain\n",
    "\n",
    "3,caf\u{e9} \u{1F600},\"\"\n",
    "4,,\"a\u{2028}b, \"\"c\"\"\n\"\n",
);

fn csv_expected() -> Vec<(u64, [&'static str; 3])> {
    vec![
        (2, ["1", "Hello, world", "He said \"hi\""]),
        (3, ["2", "multi\nline\r\ninput", "plain"]),
        (7, ["3", "caf\u{e9} \u{1F600}", ""]),
        (8, ["4", "", "a\u{2028}b, \"c\"\n"]),
    ]
}

#[test]
fn csv_rows_are_the_same_at_every_split() {
    let out = same_at_every_split::<CsvDecoder<CsvRow>>(CSV.as_bytes());
    let rows: Vec<CsvRow> = out.items.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    for (row, (line, fields)) in rows.iter().zip(csv_expected()) {
        assert_eq!(row.line(), line);
        assert_eq!(row.fields().collect::<Vec<_>>(), fields);
        assert_eq!(row.len(), 3);
        assert_eq!(row.get("id"), Some(fields[0]));
        assert_eq!(row.get("input"), Some(fields[1]));
        assert_eq!(row.get("output"), Some(fields[2]));
        assert_eq!(row.get("missing"), None);
        assert_eq!(row.field(3), None);
        assert_eq!(
            row.iter().collect::<Vec<_>>(),
            [
                ("id", fields[0]),
                ("input", fields[1]),
                ("output", fields[2])
            ]
        );
        assert_eq!(
            row.to_map(),
            map(json!({"id": fields[0], "input": fields[1], "output": fields[2]}))
        );
    }
    assert_eq!(&rows[0].header()[..], ["id", "input", "output"]);
    // The header is shared, not copied.
    assert!(std::sync::Arc::ptr_eq(rows[0].header(), rows[3].header()));
    assert!(out.eof.is_clean());
    assert_eq!(out.counters.records, 4);
    assert_eq!(out.counters.line, 10);
}

#[test]
fn csv_raw_rows_are_the_same_at_every_split() {
    let out = same_at_every_split::<CsvDecoder<Vec<String>>>(CSV.as_bytes());
    let expected: Vec<Result<Vec<String>, String>> = csv_expected()
        .into_iter()
        .map(|(_, f)| Ok(f.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(out.items, expected);
}

#[test]
fn csv_without_final_line_break() {
    let out = same_at_every_split::<CsvDecoder<Vec<String>>>(b"a,b\n1,\"x\ny\"");
    assert_eq!(out.items, [Ok(vec!["1".to_owned(), "x\ny".to_owned()])]);
    assert!(out.eof.trailing_partial_line);
    assert!(!out.eof.open_quote);

    let out = run::<CsvDecoder<Vec<String>>>(&[b"a,b\r\n1,2"]);
    assert_eq!(out.items, [Ok(vec!["1".to_owned(), "2".to_owned()])]);
    assert!(out.eof.trailing_partial_line);

    // CR alone ends a record too.
    let out = run::<CsvDecoder<Vec<String>>>(&[b"a,b\r1,2\r"]);
    assert_eq!(out.items, [Ok(vec!["1".to_owned(), "2".to_owned()])]);
    assert!(out.eof.is_clean());
}

#[test]
fn csv_field_count_mismatch_is_an_error_with_the_line() {
    let input = b"a,b,c\n1,\"two\nlines\",3\n4,5\n6,7,8,9\n10,11,12\n";
    let out = same_at_every_split::<CsvDecoder<Vec<String>>>(input);
    let s = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        out.items,
        [
            s(&["1", "two\nlines", "3"]),
            Err("line 4: CSV record has 2 field(s), but the header has 3".to_owned()),
            Err("line 5: CSV record has 4 field(s), but the header has 3".to_owned()),
            s(&["10", "11", "12"]),
        ]
    );
    let mut d = CsvDecoder::new();
    d.push(Bytes::from_static(input));
    assert!(decode_one(&mut d).is_ok());
    assert!(matches!(
        decode_one(&mut d),
        Err(RecordError::CsvFieldCount {
            line: 4,
            expected: 3,
            found: 2
        })
    ));
}

#[test]
fn csv_open_quote_at_eof_is_an_error() {
    let input = b"id,text\r\n1,\"complete\"\r\n2,\"cut in the\r\nmiddle, of";
    let out = same_at_every_split::<CsvDecoder<Vec<String>>>(input);
    assert_eq!(
        out.items,
        [
            Ok(vec!["1".to_owned(), "complete".to_owned()]),
            Err(
                "line 3: the input ends inside a quoted CSV field; the export looks cut off"
                    .to_owned()
            ),
        ]
    );
    assert!(out.eof.open_quote);
    assert!(out.eof.trailing_partial_line);

    let mut d = CsvDecoder::new();
    d.push(Bytes::from_static(b"a\n\"x\"\"\n"));
    d.finish();
    assert!(matches!(
        decode_one(&mut d),
        Err(RecordError::Truncated {
            line: 2,
            what: Truncation::CsvQuote
        })
    ));
    assert!(d.next_record().is_none());

    // An open quote in the header.
    let out = run::<CsvDecoder<CsvRow>>(&[b"\"a,b\n1,2\n"]);
    assert_eq!(out.items.len(), 1);
    assert!(out.items[0].as_ref().unwrap_err().starts_with("line 1: "));
    assert!(out.eof.open_quote);

    // A closed quote right at the end is fine.
    let out = run::<CsvDecoder<Vec<String>>>(&[b"a\n\"x\"\"\""]);
    assert_eq!(out.items, [Ok(vec!["x\"".to_owned()])]);
    assert!(!out.eof.open_quote);
}

#[test]
fn csv_invalid_utf8_is_an_error_with_the_line() {
    let input = b"a,b\n1,\"x\ny\"\n2,\xff\n3,ok\n";
    let out = same_at_every_split::<CsvDecoder<Vec<String>>>(input);
    assert_eq!(out.items.len(), 3);
    assert_eq!(out.items[1], Err("line 4: invalid UTF-8".to_owned()));
    assert_eq!(out.items[2], Ok(vec!["3".to_owned(), "ok".to_owned()]));

    // Each field must be valid on its own: "é" cut in two by a delimiter.
    let out = run::<CsvDecoder<Vec<String>>>(&[b"a,b\n\xc3,\xa9\n"]);
    assert_eq!(out.items, [Err("line 2: invalid UTF-8".to_owned())]);
    let mut d = CsvDecoder::new();
    d.push(Bytes::from_static(b"a,b\n\xc3,\xa9\n"));
    assert!(matches!(
        decode_one(&mut d),
        Err(RecordError::InvalidUtf8 {
            line: 2,
            offset: None
        })
    ));
}

#[test]
fn csv_header_only_and_empty_input() {
    let out = run::<CsvDecoder<CsvRow>>(&[]);
    assert!(out.items.is_empty());
    assert!(out.eof.is_clean());

    let mut d = CsvDecoder::new();
    d.push(Bytes::from_static(b"x,y\n"));
    d.finish();
    assert!(d.next_record().is_none());
    assert_eq!(&d.header().unwrap()[..], ["x", "y"]);
}

#[test]
fn csv_bom_is_dropped_even_when_split() {
    let input = b"\xef\xbb\xbfid,name\n1,Ada\n";
    let out = same_at_every_split::<CsvDecoder<CsvRow>>(input);
    let row = out.items[0].as_ref().unwrap();
    assert_eq!(row.get("id"), Some("1"));
    assert_eq!(row.get("name"), Some("Ada"));
}

#[test]
fn csv_large_field_has_no_limit() {
    let big = "x\"y,\n".repeat(400_000); // 2 MB
    let quoted = big.replace('"', "\"\"");
    let input = format!("id,big\n1,\"{quoted}\"\n");
    let bytes = Bytes::from(input);
    let mut d = CsvDecoder::new();
    for chunk in bytes.chunks(8192) {
        d.push(bytes.slice_ref(chunk));
    }
    d.finish();
    let row = decode_one(&mut d).unwrap();
    assert_eq!(row.get("big"), Some(big.as_str()));
    assert!(d.next_record().is_none());
}

#[test]
fn csv_row_conversions() {
    let mut d = CsvDecoder::new();
    d.push(Bytes::from_static(b"k,v\na,1\n"));
    let row = decode_one(&mut d).unwrap();
    let pairs: Vec<(&str, &str)> = (&row).into_iter().collect();
    assert_eq!(pairs, [("k", "a"), ("v", "1")]);
    assert_eq!(row.iter().len(), 2);
    assert_eq!(Map::from(row.clone()), map(json!({"k": "a", "v": "1"})));
    assert_eq!(row.into_fields(), ["a", "1"]);
}

// ---------------------------------------------------------------------------
// Adapters
// ---------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
#[error("connection reset")]
struct Reset;

#[test]
fn stream_adapter_decodes_and_reports_eof() {
    futures::executor::block_on(async {
        let chunks = ["{\"id\":1}\n{\"i", "d\":2}\n", "", "{\"id\":3}"];
        let body = futures::stream::iter(chunks.map(|c| Ok::<_, Reset>(Bytes::from(c))));
        let mut records = JsonLinesDecoder::new().decode_stream(body);
        let mut ids = Vec::new();
        while let Some(r) = records.next().await {
            ids.push(r.unwrap()["id"].as_u64().unwrap());
            assert_eq!(records.counters().records, ids.len() as u64);
        }
        assert_eq!(ids, [1, 2, 3]);
        assert!(records.eof().unwrap().trailing_partial_line);
        assert!(records.next().await.is_none());
    });
}

#[test]
fn stream_adapter_ends_after_a_transport_error() {
    futures::executor::block_on(async {
        let body = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"a,b\n1,2\n3,")),
            Err(Reset),
            Ok(Bytes::from_static(b"4\n")),
        ]);
        let mut rows = CsvDecoder::raw().decode_stream(body);
        assert_eq!(rows.next().await.unwrap().unwrap(), ["1", "2"]);
        let err = rows.next().await.unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "reading the export failed: connection reset"
        );
        assert!(matches!(err, RecordError::Transport { .. }));
        assert!(std::error::Error::source(&err).is_some());
        assert!(rows.next().await.is_none());
        assert_eq!(rows.eof(), None);
    });
}

#[test]
fn stream_adapter_yields_record_errors_and_goes_on() {
    futures::executor::block_on(async {
        let body = futures::stream::iter([Ok::<_, Reset>(Bytes::from_static(b"{}\nnope\n{}\n"))]);
        let items: Vec<_> = JsonLinesDecoder::raw().decode_stream(body).collect().await;
        assert_eq!(items.len(), 3);
        assert!(matches!(items[1], Err(RecordError::Json { line: 2, .. })));
        assert!(items[2].is_ok());
    });
}

#[tokio::test]
async fn stream_adapter_is_send_and_works_on_tokio() {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, Reset>>(2);
    let producer = tokio::spawn(async move {
        for chunk in ["{\"n\":", "1}\n{\"n\":2}", "\n"] {
            tx.send(Ok(Bytes::from(chunk))).await.unwrap();
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let records = JsonLinesDecoder::new().decode_stream(body);
    let handle = tokio::spawn(async move {
        records
            .map(|r| r.map(|m| m["n"].as_u64().unwrap()))
            .collect::<Vec<_>>()
            .await
    });
    let got: Vec<u64> = handle
        .await
        .unwrap()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    producer.await.unwrap();
    assert_eq!(got, [1, 2]);
}

/// A reader returning at most `step` bytes per call, with an optional error
/// at a given position.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
    fail_at: Option<usize>,
    pos: usize,
    interrupted: bool,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.interrupted {
            self.interrupted = true;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if self.fail_at.is_some_and(|at| self.pos >= at) {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn reader_adapter_matches_whole_input() {
    for step in [1, 2, 3, 7, 64, 100_000] {
        let reader = Trickle {
            data: CSV.as_bytes(),
            step,
            fail_at: None,
            pos: 0,
            interrupted: false,
        };
        let mut rows = CsvDecoder::raw().decode_reader(reader);
        let got: Vec<Vec<String>> = rows.by_ref().map(|r| r.unwrap()).collect();
        let expected: Vec<Vec<String>> = csv_expected()
            .into_iter()
            .map(|(_, f)| f.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(got, expected, "step {step}");
        assert!(rows.eof().unwrap().is_clean());
        assert_eq!(rows.counters().bytes, CSV.len() as u64);
    }
}

#[test]
fn reader_adapter_reports_read_errors() {
    let reader = Trickle {
        data: JSONL.as_bytes(),
        step: 10,
        fail_at: Some(60),
        pos: 0,
        interrupted: false,
    };
    let items: Vec<_> = JsonLinesDecoder::new().decode_reader(reader).collect();
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert_eq!(
        items[1].as_ref().unwrap_err().to_string(),
        "reading the export failed: disk on fire"
    );
}

#[test]
fn iter_adapter_matches_whole_input() {
    let chunks: Vec<Result<Bytes, std::convert::Infallible>> = JSONL
        .as_bytes()
        .chunks(5)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let mut it = JsonLinesDecoder::new().decode_iter(chunks);
    let got: Vec<Value> = it.by_ref().map(|r| Value::Object(r.unwrap())).collect();
    let expected: Vec<Value> = jsonl_expected().into_iter().map(|(_, v)| v).collect();
    assert_eq!(got, expected);
    assert!(it.eof().unwrap().trailing_partial_line);
    assert_eq!(it.counters().records, 4);
}

// ---------------------------------------------------------------------------
// Property tests: random chunkings give the same records as one chunk.
// ---------------------------------------------------------------------------

/// Strings mixing ASCII, JSON/CSV metacharacters, line separators and
/// multi-byte characters.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        "0",
        " ",
        ",",
        "\"",
        "\\",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\u{c}",
        "\u{0}",
        "{",
        "}",
        "\u{e9}",
        "\u{2014}",
        "\u{65e5}",
        "\u{1F600}",
        "\u{2028}",
        "\u{2029}",
        "\u{85}",
        "\u{feff}",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Quarters round-trip exactly through text.
        any::<i32>().prop_map(|i| Value::from(f64::from(i) / 4.0)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_record() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(text(), json_value(), 0..5).prop_map(|m| m.into_iter().collect())
}

/// Cuts `input` at the given (unsorted, possibly repeated) points.
fn chunked(input: &[u8], cuts: &[prop::sample::Index]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
    at.sort_unstable();
    let mut chunks = Vec::new();
    let mut prev = 0;
    for cut in at.into_iter().chain([input.len()]) {
        chunks.push(input[prev..cut].to_vec());
        prev = cut;
    }
    chunks
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_lines_any_chunking_gives_the_same_records(
        records in prop::collection::vec(json_record(), 0..12),
        crlf in prop::collection::vec(any::<bool>(), 12),
        blank in prop::collection::vec(0usize..3, 12),
        final_newline in any::<bool>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let mut input = Vec::new();
        for (i, record) in records.iter().enumerate() {
            for _ in 0..blank[i] {
                input.extend_from_slice(if crlf[i] { b"\r\n" } else { b"\n" });
            }
            input.extend_from_slice(serde_json::to_string(record).unwrap().as_bytes());
            if i + 1 < records.len() || final_newline {
                input.extend_from_slice(if crlf[i] { b"\r\n" } else { b"\n" });
            }
        }
        let chunks = chunked(&input, &cuts);
        let chunk_refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();

        let whole = run::<MapDecoder>(&[&input]);
        let expected: Vec<Result<Map<String, Value>, String>> =
            records.iter().cloned().map(Ok).collect();
        prop_assert_eq!(&whole.items, &expected);
        prop_assert_eq!(run::<MapDecoder>(&chunk_refs), whole);

        let raw_whole = run::<JsonLinesDecoder<RawRecord>>(&[&input]);
        prop_assert_eq!(run::<JsonLinesDecoder<RawRecord>>(&chunk_refs), raw_whole);
    }

    #[test]
    fn csv_any_chunking_gives_the_same_rows(
        rows in prop::collection::vec(prop::collection::vec(text(), 3), 0..10),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut input = format!("a,b,c{eol}");
        for (i, row) in rows.iter().enumerate() {
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            input.push_str(&fields.join(","));
            if i + 1 < rows.len() || final_newline {
                input.push_str(eol);
            }
        }
        let chunks = chunked(input.as_bytes(), &cuts);
        let chunk_refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();

        let whole = run::<CsvDecoder<Vec<String>>>(&[input.as_bytes()]);
        let expected: Vec<Result<Vec<String>, String>> = rows.iter().cloned().map(Ok).collect();
        prop_assert_eq!(&whole.items, &expected);
        prop_assert!(!whole.eof.open_quote);
        prop_assert_eq!(run::<CsvDecoder<Vec<String>>>(&chunk_refs), whole);

        let keyed = run::<CsvDecoder<CsvRow>>(&chunk_refs);
        for (row, fields) in keyed.items.iter().zip(&rows) {
            let row = row.as_ref().unwrap();
            prop_assert_eq!(row.get("a"), Some(fields[0].as_str()));
            prop_assert_eq!(row.get("c"), Some(fields[2].as_str()));
        }
    }
}

#[test]
fn error_display_escapes_control_characters() {
    let mut d = JsonLinesDecoder::raw();
    d.push(Bytes::from_static(b"\x1b[31mred\t\n"));
    let err = decode_one(&mut d).unwrap_err();
    let RecordError::Json { excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(excerpt, "\u{1b}[31mred\t");
    assert_eq!(
        err.to_string(),
        "line 1, column 1 (line starts at byte 0): invalid JSON: expected value; \
         near: \\u{1b}[31mred\\t"
    );
}

#[test]
fn csv_bom_before_a_quoted_header_and_wide_rows() {
    let mut input = b"\xef\xbb\xbf\"id\",name\n\"1\",Ada\n".to_vec();
    let out = same_at_every_split::<CsvDecoder<CsvRow>>(&input);
    assert_eq!(out.items[0].as_ref().unwrap().get("id"), Some("1"));

    // A partial BOM is data (here: invalid UTF-8 in the header, which ends
    // decoding since no row can be checked without a header).
    input = b"\xef\xbbx\n1\n".to_vec();
    for at in 0..=input.len() {
        let mut d = CsvDecoder::raw();
        d.push(Bytes::copy_from_slice(&input[..at]));
        d.push(Bytes::copy_from_slice(&input[at..]));
        d.finish();
        assert!(matches!(
            decode_one(&mut d),
            Err(RecordError::InvalidUtf8 { line: 1, .. })
        ));
        assert!(d.next_record().is_none());
    }

    // 100 columns (more field ends than the initial buffer holds).
    let header: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..100).map(|i| format!("\"v,{i}\"")).collect();
    let input = format!("{}\n{}\n", header.join(","), row.join(","));
    let out = run::<CsvDecoder<CsvRow>>(&[input.as_bytes()]);
    let row = out.items[0].as_ref().unwrap();
    assert_eq!(row.len(), 100);
    assert_eq!(row.get("c99"), Some("v,99"));
}

#[test]
fn adapters_stop_reading_once_the_decoder_gives_up() {
    // An unreadable CSV header ends decoding; the adapter reads no further.
    let pulled = std::cell::Cell::new(0);
    let chunks = (0..100).map(|i| {
        pulled.set(pulled.get() + 1);
        Ok::<_, std::io::Error>(Bytes::from_static(if i == 0 {
            b"a,\xff\n"
        } else {
            b"1,2\n"
        }))
    });
    let items: Vec<_> = CsvDecoder::new().decode_iter(chunks).collect();
    assert_eq!(items.len(), 1);
    assert!(matches!(
        items[0],
        Err(RecordError::InvalidUtf8 { line: 1, .. })
    ));
    assert_eq!(pulled.get(), 1);
}

#[test]
fn types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RecordError>();
    send_sync::<LineFramer>();
    send_sync::<JsonLinesDecoder>();
    send_sync::<JsonLinesDecoder<RawRecord>>();
    send_sync::<CsvDecoder>();
    send_sync::<CsvDecoder<Vec<String>>>();
    send_sync::<CsvRow>();
    send_sync::<RawRecord>();
    send_sync::<Line>();
}
