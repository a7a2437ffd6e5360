//! `sdk`: Galileo's Python SDK reading an export (`galileo.export.ExportClient.records`,
//! the loop behind `export_records`) against this client's record paths, on the same
//! body in the same run.
//!
//! The body is the local server's (spec-shaped traces), served from memory by a small
//! server of one fixed body, so neither side waits for rendering. Its text holds raw
//! U+2028 / U+2029 (valid inside JSON strings), at which the SDK's line splitter (httpx
//! `iter_lines`, which splits like `str.splitlines`) cuts records in two: the SDK fails on
//! that body. The bench shows that once, then times every reader on the same records with
//! those characters written as JSON escapes (`\u2028`), which the SDK can read.

use super::*;

/// The SDK release measured (pinned, so a rerun measures the same code).
const SDK_VERSION: &str = "2.7.0";
const SCRIPT: &str = include_str!("python_sdk.py");

/// A Python with the SDK (installed from PyPI into a venv the first time).
fn sdk_python() -> PathBuf {
    venv_python(
        &format!("galileo-sdk-{SDK_VERSION}-venv"),
        &format!("galileo=={SDK_VERSION}"),
        "galileo.export",
    )
}

/// The separators outside ASCII that `str.splitlines` breaks lines at and JSON allows raw
/// inside strings (U+0085, U+2028, U+2029), as UTF-8 and as their JSON escapes.
const SEPARATORS: [(&[u8], &[u8]); 3] = [
    ("\u{85}".as_bytes(), br"\u0085"),
    ("\u{2028}".as_bytes(), br"\u2028"),
    ("\u{2029}".as_bytes(), br"\u2029"),
];

/// `body` with every raw separator of [`SEPARATORS`] written as its JSON escape (they
/// only occur inside strings, so the records are the same), and how many lines had one.
fn escape_separators(body: &[u8]) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(body.len() + body.len() / 64);
    let mut lines = 0;
    for line in body.split_inclusive(|&b| b == b'\n') {
        let mut changed = false;
        let mut rest = line;
        while let Some(at) = rest.iter().position(|&b| b == 0xC2 || b == 0xE2) {
            out.extend_from_slice(&rest[..at]);
            rest = &rest[at..];
            match SEPARATORS.iter().find(|(raw, _)| rest.starts_with(raw)) {
                Some((raw, escaped)) => {
                    out.extend_from_slice(escaped);
                    rest = &rest[raw.len()..];
                    changed = true;
                }
                None => {
                    out.push(rest[0]);
                    rest = &rest[1..];
                }
            }
        }
        out.extend_from_slice(rest);
        lines += u64::from(changed);
    }
    (out, lines)
}

/// One export read by the SDK: records and seconds (from the request to the last record,
/// as the script measures it: the interpreter's start and imports are not counted), or
/// the last line of its error.
fn sdk_run(python: &Path, t: &Target) -> Result<(u64, Duration), String> {
    let out = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(&t.base_url)
        .arg(&t.api_key)
        .arg(t.project_id.to_string())
        .arg(t.log_stream_id.to_string())
        .output()
        .expect("python");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(stderr.lines().last().unwrap_or("?").to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let records = it.next().and_then(|v| v.parse().ok()).expect("records");
    let secs: f64 = it.next().and_then(|v| v.parse().ok()).expect("seconds");
    Ok((records, Duration::from_secs_f64(secs)))
}

pub(crate) fn sdk(opts: &Opts) {
    let n: u64 = opts.get("--records", 100_000);
    let rounds: usize = opts.get("--rounds", 3);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let text_len = opts.text_len();
    let python = sdk_python();
    let rt = runtime("multi");
    rt.block_on(async move {
        // The local server's body, once.
        let server = prerendered(n, seed, text_len)
            .start()
            .await
            .expect("mock server");
        let t = Target::of(&server);
        let original = whole_body(&t, &t.client()).await;
        let (escaped, lines_changed) = escape_separators(&original);
        let target = |body: Vec<u8>| Target {
            base_url: serve_fixed(Bytes::from(body), None, None),
            project_id: t.project_id,
            log_stream_id: t.log_stream_id,
            api_key: t.api_key.clone(),
            api_key_header: t.api_key_header.clone(),
        };

        // The body as the local server sends it.
        let raw_target = target(original.clone());
        let python_for_raw = python.clone();
        let on_raw = tokio::task::spawn_blocking(move || sdk_run(&python_for_raw, &raw_target))
            .await
            .expect("sdk run");
        eprintln!(
            "the SDK on the body as sent ({:.1} MB; {lines_changed} of {n} lines hold a raw \
             U+0085/U+2028/U+2029): {}",
            mb(original.len() as u64),
            match &on_raw {
                Ok((records, elapsed)) =>
                    format!("{records} records in {:.2} s", elapsed.as_secs_f64()),
                Err(e) => format!("failed: {e}"),
            }
        );

        let memory = Bytes::from(escaped);
        let t = target(memory.to_vec());
        let client = t.client();
        let kinds = [
            PathKind::Map,
            PathKind::Typed,
            PathKind::RawRecords,
            PathKind::Bytes,
        ];
        let mut sdk_rates = Vec::new();
        let mut rates: HashMap<&'static str, Vec<f64>> = HashMap::new();
        for round in 0..rounds {
            let python = python.clone();
            let sdk_target = t.clone();
            let (records, elapsed) =
                tokio::task::spawn_blocking(move || sdk_run(&python, &sdk_target))
                    .await
                    .expect("sdk run")
                    .expect("the SDK reads the escaped body");
            assert_eq!(records, n, "the SDK's record count");
            let rate = mb_s(memory.len() as u64, elapsed);
            eprintln!("round {}/{rounds} PythonSdk {rate:>8.1} MB/s", round + 1);
            sdk_rates.push(rate);
            for kind in kinds {
                let run = run_path(kind, &t, &client, &memory).await;
                assert_eq!(run.bytes, memory.len() as u64, "{kind:?}: bytes");
                let rate = mb_s(run.bytes, run.elapsed);
                eprintln!(
                    "round {}/{rounds} {:<12} {rate:>8.1} MB/s",
                    round + 1,
                    format!("{kind:?}")
                );
                rates.entry(kind.label()).or_default().push(rate);
            }
        }

        let sdk = median(&sdk_rates);
        println!();
        println!(
            "### The Python SDK (`galileo` {SDK_VERSION}) and this client on one body ({}; \
             {rounds} rounds interleaved, median)",
            machine_line()
        );
        println!();
        println!(
            "{n} trace records, {:.1} MB with U+0085/U+2028/U+2029 escaped ({:.1} MB as sent). \
             On the body as sent the SDK {}.",
            mb(memory.len() as u64),
            mb(original.len() as u64),
            match &on_raw {
                Ok((records, _)) => format!("read {records} records"),
                Err(e) => format!("fails: `{e}`"),
            }
        );
        println!();
        println!("| reader | median MB/s | min–max MB/s | ÷ SDK |");
        println!("|---|---:|---:|---:|");
        let row = |label: &str, v: &[f64]| {
            let m = median(v);
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            println!("| {label} | {m:.0} | {lo:.0}–{hi:.0} | {:.1} |", m / sdk);
        };
        row(
            "Python SDK: `ExportClient.records` (httpx `iter_lines` + `json.loads`)",
            &sdk_rates,
        );
        for kind in kinds {
            row(kind.label(), &rates[kind.label()]);
        }
    });
}
