//! Compressed transfer over real sockets: what the export asks for, that every coding
//! decodes to the same records, what the progress and the summary count, and that a cut,
//! a corrupt or an unsupported compressed body is an error, never a short or garbled
//! export. The local server compresses with `async-compression`; the raw test server
//! sends bodies made by `flate2`, an encoder independent of the decoder under test.

mod common;

use std::io::Write;
use std::time::Duration;

use common::mock::{client_builder, export, quick_retries};
use futures::TryStreamExt;
use galileo_export::{Error, ExportSummary};
use galileo_export_mock::hostile::{HostileServer, Reply};
use galileo_export_mock::{ContentCoding, Fault, MockServer};
use serde_json::{json, Value};

async fn server(codings: &[ContentCoding]) -> MockServer {
    MockServer::builder()
        .records(400)
        .seed(5)
        .content_codings(codings.iter().copied())
        .start()
        .await
        .expect("mock server starts")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn jsonl(records: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..records {
        let record = json!({
            "id": format!("00000000-0000-4000-8000-{i:012}"),
            "created_at": "2026-11-01T00:00:00Z",
            "input": "the same words again and again ".repeat(8),
        });
        body.extend_from_slice(record.to_string().as_bytes());
        body.push(b'\n');
    }
    body
}

/// A 200 answer of the raw server whose body is in `coding` (its `Content-Encoding`).
fn encoded(coding: &str) -> Reply {
    Reply::status(200)
        .header("Content-Type", "application/json")
        .header("Content-Encoding", coding)
}

async fn save(builder: galileo_export::ExportBuilder) -> (Result<ExportSummary, Error>, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.jsonl");
    let result = builder.save(&path).await;
    let written = std::fs::read(&path).unwrap_or_default();
    (result, written)
}

#[tokio::test]
async fn every_coding_decodes_to_the_uncompressed_export() {
    for coding in ContentCoding::ALL {
        let server = server(&[coding]).await;
        let client = client_builder(&server).build().unwrap();
        let expected = {
            let request = export(&client, &server).to_json().unwrap();
            server.expected_body(&request).unwrap()
        };
        let (summary, written) = save(export(&client, &server)).await;
        let summary = summary.unwrap_or_else(|e| panic!("{coding:?}: {e}"));
        assert!(
            written == expected,
            "{coding:?}: the file differs from the export"
        );
        assert_eq!(summary.records, Some(400));
        assert_eq!(summary.bytes, expected.len() as u64);
        assert_eq!(summary.content_encoding, Some(coding.token()));
        // Records of repeated words: every coding shrinks them by far more than half.
        assert!(
            summary.wire_bytes * 2 < summary.bytes,
            "{coding:?}: {} bytes on the wire for {}",
            summary.wire_bytes,
            summary.bytes
        );
        let sent = server.requests();
        assert_eq!(sent[0].header("accept-encoding"), Some("zstd, gzip, br"));
    }
}

#[tokio::test]
async fn compression_off_asks_for_identity_and_counts_the_same_bytes_twice() {
    let server = server(&ContentCoding::ALL).await;
    let client = client_builder(&server).compression(false).build().unwrap();
    let (summary, written) = save(export(&client, &server)).await;
    let summary = summary.unwrap();
    assert_eq!(
        server.requests()[0].header("accept-encoding"),
        Some("identity")
    );
    assert_eq!(summary.content_encoding, None);
    assert_eq!(summary.wire_bytes, summary.bytes);
    assert_eq!(summary.bytes, written.len() as u64);
}

#[tokio::test]
async fn progress_reports_wire_and_decoded_bytes() {
    let server = server(&[ContentCoding::Gzip]).await;
    let client = client_builder(&server).build().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let mut body = export(&client, &server)
        .on_progress(move |p| log.lock().unwrap().push(*p))
        .bytes()
        .await
        .unwrap();
    let mut decoded = 0u64;
    while let Some(chunk) = body.try_next().await.unwrap() {
        decoded += chunk.len() as u64;
    }
    let last = *seen.lock().unwrap().last().expect("a progress call");
    assert!(last.finished);
    assert_eq!(last.bytes, decoded);
    assert!(
        last.wire_bytes > 0 && last.wire_bytes * 2 < last.bytes,
        "{last:?}"
    );
}

#[tokio::test]
async fn a_compressed_cut_resumes_and_delivers_every_record_once() {
    for coding in ContentCoding::ALL {
        let server = server(&[coding]).await;
        let client = client_builder(&server)
            .retry(quick_retries(Duration::from_millis(5)))
            .build()
            .unwrap();
        let request = export(&client, &server).to_json().unwrap();
        let expected = server.expected_records(&request).unwrap();
        let body_len = server.expected_body(&request).unwrap().len() as u64;
        server.push_faults([
            Fault::cut_after(body_len / 3),
            Fault::short_body(body_len / 3),
        ]);
        let records: Vec<Value> = export(&client, &server)
            .resume(true)
            .records()
            .await
            .unwrap()
            .map_ok(Value::Object)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{coding:?}: {e}"));
        assert_eq!(records.len(), expected.len(), "{coding:?}");
        assert!(records == expected, "{coding:?}: records differ");
        assert_eq!(server.request_count(), 3, "{coding:?}: two resumes");
    }
}

#[tokio::test]
async fn a_compressed_stream_without_its_end_is_a_cut_not_a_short_export() {
    // The local server ends the HTTP body cleanly (chunked terminator) but leaves the
    // compressed stream unfinished.
    let server = server(&[ContentCoding::Zstd]).await;
    let client = client_builder(&server).build().unwrap();
    server.push_fault(Fault::short_body(20_000));
    let (result, written) = save(export(&client, &server)).await;
    let Err(Error::Cut { reason, .. }) = result else {
        panic!("{result:?}")
    };
    assert!(
        reason.contains("zstd body ended before its compressed stream"),
        "{reason}"
    );
    assert!(written.is_empty(), "a failed export leaves no file");

    // A raw server: a gzip body truncated in the middle, with an honest Content-Length
    // for what it sends, after whole records.
    let body = jsonl(200);
    let full = gzip(&body);
    let cut = full[..full.len() * 2 / 3].to_vec();
    let hostile = HostileServer::start(vec![encoded("gzip").body(cut)]).await;
    let mut records = common::hostile_export(&hostile.base_url())
        .records()
        .await
        .unwrap();
    let mut delivered = 0u64;
    let error = loop {
        match records.try_next().await {
            Ok(Some(_)) => delivered += 1,
            Ok(None) => panic!("a truncated gzip body ended as if complete"),
            Err(e) => break e,
        }
    };
    let Error::Cut {
        records: counted,
        reason,
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert!(reason.contains("gzip body ended before"), "{reason}");
    assert_eq!(counted, delivered);
    assert!(delivered > 0 && delivered < 200, "{delivered}");
}

#[tokio::test]
async fn a_corrupt_compressed_body_is_an_error_and_leaves_no_file() {
    let body = jsonl(50);
    let good = gzip(&body);
    // The data decodes, but its CRC-32 (the trailer's first 4 bytes) does not match.
    let mut bad_checksum = good.clone();
    let crc = bad_checksum.len() - 8;
    bad_checksum[crc] ^= 0xff;
    let not_gzip = b"this was never gzip at all, whatever the header says\n".to_vec();
    // Flipped bits inside the deflate data: decoding may go on with garbled text, which
    // the line check stops (a record error) if the decoder does not stop first.
    let mut garbled = good.clone();
    let middle = garbled.len() / 2;
    for byte in &mut garbled[middle..middle + 64] {
        *byte ^= 0x5a;
    }
    for (case, bytes) in [
        ("checksum", bad_checksum),
        ("not gzip", not_gzip),
        ("garbled", garbled),
    ] {
        let hostile = HostileServer::start(vec![encoded("gzip").body(bytes)]).await;
        let (result, written) = save(common::hostile_export(&hostile.base_url())).await;
        match (case, result) {
            (
                _,
                Err(Error::Encoding {
                    encoding, reason, ..
                }),
            ) => {
                assert_eq!(encoding, "gzip");
                assert!(!reason.is_empty());
            }
            ("garbled", Err(Error::Record(e))) => assert!(e.to_string().starts_with("line ")),
            (_, other) => panic!("{case}: {other:?}"),
        }
        assert!(written.is_empty(), "{case}: a failed export leaves no file");
    }
}

#[tokio::test]
async fn an_unsupported_coding_is_refused_not_read_as_the_export() {
    for header in ["deflate", "gzip, br", "compress"] {
        let hostile = HostileServer::start(vec![encoded(header).body(gzip(&jsonl(3)))]).await;
        let error = common::hostile_export(&hostile.base_url())
            .bytes()
            .await
            .expect_err("refused");
        let Error::Encoding { reason, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(reason.contains("Content-Encoding"), "{reason}");
        assert!(
            error
                .to_string()
                .contains(header.split(',').next().unwrap()),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_server_that_compresses_unasked_is_still_decoded() {
    let body = jsonl(20);
    let hostile = HostileServer::start(vec![encoded("gzip").chunked().body(gzip(&body))]).await;
    let client = galileo_export::Client::builder()
        .base_url(hostile.base_url())
        .api_key("k")
        .compression(false)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.jsonl");
    let summary = client
        .export(common::PROJECT.parse().unwrap())
        .log_stream(common::LOG_STREAM.parse().unwrap())
        .save(&path)
        .await
        .unwrap();
    assert_eq!(
        hostile.requests()[0].header("accept-encoding"),
        Some("identity")
    );
    assert_eq!(std::fs::read(&path).unwrap(), body);
    assert_eq!(summary.records, Some(20));
    assert_eq!(summary.content_encoding, Some("gzip"));
}

#[tokio::test]
async fn compressed_error_bodies_are_decoded_for_the_error() {
    let detail = json!({"detail": [{
        "type": "uuid_parsing",
        "loc": ["body", "filters", 0, "value"],
        "msg": "Input should be a valid UUID",
        "input": "nope",
    }]});
    let hostile = HostileServer::start(vec![
        Reply::status(422)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .body(gzip(detail.to_string().as_bytes())),
        Reply::status(500)
            .header("Content-Type", "text/plain")
            .header("Content-Encoding", "gzip")
            .body(gzip(b"database on fire")),
    ])
    .await;
    let error = common::hostile_export(&hostile.base_url())
        .bytes()
        .await
        .expect_err("422");
    let Error::Validation { errors } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(errors[0].path, "body.filters.0.value");
    assert_eq!(errors[0].kind, "uuid_parsing");
    let error = common::hostile_export(&hostile.base_url())
        .bytes()
        .await
        .expect_err("500");
    assert_eq!(error.status(), Some(500));
    assert!(error.to_string().contains("database on fire"), "{error}");
}

#[tokio::test]
async fn a_compression_bomb_in_an_error_body_is_capped() {
    // 100 MB of zeros, ~100 KB compressed: the error reads at most 64 KiB of it.
    let zeros = vec![b'0'; 100 * 1024 * 1024];
    let hostile = HostileServer::start(vec![Reply::status(500)
        .header("Content-Type", "text/plain")
        .header("Content-Encoding", "gzip")
        .body(gzip(&zeros))])
    .await;
    let error = common::hostile_export(&hostile.base_url())
        .bytes()
        .await
        .expect_err("500");
    assert_eq!(error.status(), Some(500));
    assert!(
        error.to_string().len() < 70 * 1024,
        "{}",
        error.to_string().len()
    );
}

#[tokio::test]
async fn odd_but_valid_compressed_bodies_decode() {
    let body = jsonl(30);
    let zipped = gzip(&body);
    // Two gzip members one after the other are one body (RFC 1952).
    let (first, second) = body.split_at(body.len() / 2);
    let mut members = gzip(first);
    members.extend_from_slice(&gzip(second));
    let replies = vec![
        encoded("gzip")
            .chunked()
            .drip(zipped.clone(), Duration::from_millis(0)),
        encoded("GZIP").body(members),
    ];
    let hostile = HostileServer::start(replies).await;
    for case in ["a byte per chunk", "two members"] {
        let (summary, written) = save(common::hostile_export(&hostile.base_url())).await;
        let summary = summary.unwrap_or_else(|e| panic!("{case}: {e}"));
        assert!(written == body, "{case}");
        assert_eq!(summary.records, Some(30), "{case}");
    }
}

#[tokio::test]
async fn an_empty_or_padded_compressed_body_is_not_taken_for_an_export() {
    let body = jsonl(5);
    let mut padded = gzip(&body);
    padded.extend_from_slice(b"trailing bytes that are not another gzip member");
    // The first bytes of a gzip stream, arriving in one piece with the end of the body.
    let stub = gzip(&body)[..12].to_vec();
    for (case, bytes) in [
        ("empty", Vec::new()),
        ("trailing garbage", padded),
        ("a stub", stub),
    ] {
        let hostile = HostileServer::start(vec![encoded("gzip").body(bytes)]).await;
        let (result, written) = save(common::hostile_export(&hostile.base_url())).await;
        match (case, result) {
            // An empty body in any coding is an empty export, as an empty identity one is.
            ("empty", Ok(summary)) => assert_eq!(summary.records, Some(0)),
            ("trailing garbage", Err(Error::Encoding { encoding, .. })) => {
                assert_eq!(encoding, "gzip");
                assert!(written.is_empty());
            }
            (
                "a stub",
                Err(Error::Cut {
                    records: 0, reason, ..
                }),
            ) => {
                assert!(reason.contains("gzip body ended before"), "{reason}");
                assert!(written.is_empty());
            }
            (_, other) => panic!("{case}: {other:?}"),
        }
    }
}

/// `bytes` compressed in `coding` (`br` or `zstd`) by `async-compression`'s encoders.
async fn encode(coding: &str, bytes: &[u8]) -> Vec<u8> {
    use async_compression::tokio::bufread::{BrotliEncoder, ZstdEncoder};
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    match coding {
        "br" => BrotliEncoder::new(bytes).read_to_end(&mut out).await,
        "zstd" => ZstdEncoder::new(bytes).read_to_end(&mut out).await,
        other => panic!("no encoder for {other}"),
    }
    .expect("encodes");
    out
}

/// One rule for every coding: a byte after the end of the compressed stream is an error
/// (brotli has no members, so even another whole brotli stream is refused), never
/// ignored, and no file is left; the same stream alone decodes to every record.
#[tokio::test]
async fn bytes_after_the_end_of_the_compressed_stream_are_refused_in_every_coding() {
    let body = jsonl(20);
    let mut cases = Vec::new();
    for coding in ["br", "zstd", "gzip"] {
        let stream = match coding {
            "gzip" => gzip(&body),
            other => encode(other, &body).await,
        };
        let half = match coding {
            "gzip" => gzip(&body[..body.len() / 2]),
            other => encode(other, &body[..body.len() / 2]).await,
        };
        let mut garbage = stream.clone();
        garbage.extend_from_slice(b"trailing bytes that are not part of the stream");
        // A brotli stream followed by another brotli stream (10 more records).
        let mut two = half.clone();
        two.extend_from_slice(&encode("br", &body[body.len() / 2..]).await);
        cases.push((coding, "alone", stream.clone(), true));
        cases.push((coding, "garbage", garbage, false));
        cases.push((coding, "one zero byte", [stream, vec![0]].concat(), false));
        if coding == "br" {
            cases.push((coding, "two streams", two, false));
        }
    }
    for (coding, case, bytes, ok) in cases {
        // Sent in 7-byte chunks and whole: the outcome does not depend on where reads end.
        for chunk in [7, bytes.len()] {
            let mut reply = encoded(coding).chunked();
            for piece in bytes.chunks(chunk) {
                reply = reply.body(piece.to_vec());
            }
            let hostile = HostileServer::start(vec![reply]).await;
            let (result, written) = save(common::hostile_export(&hostile.base_url())).await;
            match result {
                Ok(summary) if ok => {
                    assert_eq!(summary.records, Some(20), "{coding} {case}");
                    assert!(written == body, "{coding} {case}");
                }
                Err(Error::Encoding {
                    encoding, reason, ..
                }) if !ok => {
                    assert_eq!(encoding, coding, "{case}");
                    assert!(!reason.is_empty(), "{coding} {case}");
                    assert!(written.is_empty(), "{coding} {case}: no file");
                }
                other => panic!("{coding} {case} in {chunk}-byte chunks: {other:?}"),
            }
        }
    }
}
