//! `serve-shape`: this binary as a JSON Lines server of records of a given shape (for
//! `memory parquet --shape`).

use super::*;

/// Deterministic filler text (words from a small table, picked by an LCG).
pub(crate) fn filler(state: &mut u64, len: usize, out: &mut String) {
    const WORDS: &[&str] = &[
        "the",
        "model",
        "answered",
        "tool",
        "retrieval",
        "latency",
        "context",
        "token",
        "user",
        "asked",
        "about",
        "weather",
        "in",
        "Zürich",
        "é",
        "and",
        "then",
        "called",
    ];
    let start = out.len();
    while out.len() - start < len {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.push_str(WORDS[(*state >> 33) as usize % WORDS.len()]);
        out.push(' ');
    }
}

/// Record `i` of a shape, as one JSON Lines line (with its line break).
pub(crate) fn shape_record(shape: &str, i: u64, keys: u64, state: &mut u64) -> String {
    let mut out = String::new();
    match shape {
        "wide" | "keys" => {
            out.push('{');
            for k in 0..keys {
                if k > 0 {
                    out.push(',');
                }
                if k % 2 == 0 {
                    out.push_str(&format!("\"r{i}k{k}\":{k}"));
                } else {
                    out.push_str(&format!("\"r{i}k{k}\":\"v{k}\""));
                }
            }
            out.push('}');
        }
        "galileo" => {
            let created = 1_780_000_000_000_000_000i64 - i as i64 * 1_000_123;
            let created = chrono::DateTime::from_timestamp_nanos(created)
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            let mut text = |len: usize| {
                let mut t = String::new();
                filler(state, len, &mut t);
                serde_json::Value::String(t).to_string()
            };
            let spans: Vec<String> = (0..3)
                .map(|s| {
                    format!(
                        "{{\"id\":\"{i}-{s}\",\"type\":\"llm\",\"input\":{},\"output\":{},\"k{}\":{s}}}",
                        text(2_000),
                        text(1_000),
                        (i + s) % 5
                    )
                })
                .collect();
            out.push_str(&format!(
                "{{\"id\":\"trace-{i:012}\",\"created_at\":\"{created}\",\"type\":\"trace\",\
                 \"name\":\"chat\",\"input\":{},\"output\":{},\"status_code\":200,\
                 \"metrics\":{{\"duration_ns\":{},\"cost\":{},\"num_total_tokens\":{i},\"m{}\":1.5}},\
                 \"tags\":[\"a\",\"b\"],\"spans\":[{}]}}",
                text(3_000),
                text(3_000),
                i % 1_000 * 1_000_000,
                (i % 97) as f64 / 7.0,
                i % 7,
                spans.join(",")
            ));
        }
        other => panic!("serve-shape: unknown shape `{other}` (wide|keys|galileo)"),
    }
    out.push('\n');
    out
}

/// Serve JSON Lines of one shape to every request (HTTP/1.1, chunked, one request per
/// connection), printing `BASE_URL=…` … `READY=1` like `mock_server`.
pub(crate) fn serve_shape(opts: &Opts) {
    use std::io::Write;
    let shape = opts
        .positional
        .get(1)
        .cloned()
        .unwrap_or_else(|| "wide".into());
    let (records, keys, bytes): (u64, u64, u64) = match shape.as_str() {
        "wide" => (1, opts.get("--keys", 100_000), u64::MAX),
        "keys" => (
            opts.get("--records", 300),
            opts.get("--keys", 100),
            u64::MAX,
        ),
        _ => (
            u64::MAX,
            0,
            (opts.get("--gib", 1.0f64) * (1u64 << 30) as f64) as u64,
        ),
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let addr = listener.local_addr().expect("addr");
    println!("BASE_URL=http://{addr}");
    println!("PROJECT_ID={}", Uuid::nil());
    println!("LOG_STREAM_ID={}", Uuid::nil());
    println!("API_KEY=galileo-mock-api-key");
    println!("READY=1");
    let _ = std::io::stdout().flush();
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let shape = shape.clone();
        std::thread::spawn(move || {
            if read_request(&mut stream).is_none() {
                return;
            }
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stream);
            let _ = out.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/jsonl\r\n\
                  Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            );
            let (mut sent, mut state) = (0u64, 7u64);
            let mut i = 0;
            while i < records && sent < bytes {
                let line = shape_record(&shape, i, keys, &mut state);
                sent += line.len() as u64;
                if write!(out, "{:x}\r\n{line}\r\n", line.len()).is_err() {
                    return;
                }
                i += 1;
            }
            let _ = out.write_all(b"0\r\n\r\n");
            let _ = out.flush();
        });
    }
}
