//! `memory`: the peak RSS of one very large export through one path, the server in
//! another process.

use super::*;

pub(crate) fn memory(opts: &Opts) {
    let path = opts
        .positional
        .get(1)
        .map(String::as_str)
        .unwrap_or("map")
        .to_string();
    let kind = match path.as_str() {
        "raw" | "bytes" => PathKind::Bytes,
        "save" => PathKind::Save,
        "map" => PathKind::Map,
        "typed" => PathKind::Typed,
        "raw_records" => PathKind::RawRecords,
        #[cfg(feature = "parquet")]
        "parquet" => PathKind::Parquet,
        other => panic!("memory: unknown path `{other}` (raw|save|map|typed|raw_records|parquet)"),
    };
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let text_len = opts.text_len();
    let gib: f64 = opts.get("--gib", 1.0);
    let target_bytes = (gib * (1u64 << 30) as f64) as u64;

    // The client's runtime: what `#[tokio::main]` gives.
    let rt = runtime(opts.str("--rt").unwrap_or("multi"));
    let _guard;
    let (t, expected) = if let Some(base_url) = opts.str("--base-url") {
        let t = Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            project_id: opts
                .str("--project-id")
                .expect("--project-id")
                .parse()
                .expect("uuid"),
            log_stream_id: opts
                .str("--log-stream-id")
                .expect("--log-stream-id")
                .parse()
                .expect("uuid"),
            api_key: opts
                .str("--api-key")
                .unwrap_or("galileo-mock-api-key")
                .into(),
            api_key_header: "Galileo-API-Key".into(),
        };
        (t, None)
    } else if let Some(shape) = opts.str("--shape") {
        // This binary as the server, in another process (`serve-shape`).
        let exe = std::env::current_exe().expect("current exe");
        let mut command = Command::new(&exe);
        command.args(["serve-shape", shape]);
        for name in ["--keys", "--records", "--gib"] {
            if let Some(v) = opts.str(name) {
                command.args([name, v]);
            }
        }
        let server = ServerProcess::spawn_command(command, &exe);
        let t = server.target.clone();
        _guard = server;
        (t, None)
    } else {
        let bin = server_bin(opts);
        let records = match opts.str("--records") {
            Some(_) => opts.get("--records", 0u64),
            None => {
                // Average record size from a small server with the same seed and text
                // lengths (records are a function of (seed, index), not of the count),
                // streamed and counted, so nothing stays in this process.
                const SAMPLE: u64 = 5_000;
                let small = ServerProcess::spawn(&bin, SAMPLE, seed, text_len);
                let run = rt.block_on(run_path(
                    PathKind::Bytes,
                    &small.target,
                    &small.target.client(),
                    &Bytes::new(),
                ));
                drop(small);
                let avg = run.bytes as f64 / run.records.max(1) as f64;
                let n = (target_bytes as f64 / avg * 1.002).ceil() as u64;
                eprintln!(
                    "sample: {} records, {} B, {avg:.0} B/record → {n} records for {gib} GiB",
                    run.records, run.bytes
                );
                n
            }
        };
        let server = ServerProcess::spawn(&bin, records, seed, text_len);
        let t = server.target.clone();
        _guard = server;
        (t, Some(records))
    };

    let (hwm_before, rss_before) = rss_kib();
    // `--compressed`: ask for a compressed body (the server process compresses with zstd),
    // so the decoder's memory is measured too.
    let client = if opts.flag("--compressed") {
        Client::builder()
            .base_url(&t.base_url)
            .api_key(t.api_key.clone())
            .build()
            .expect("client")
    } else {
        t.client()
    };
    let run = rt.block_on(run_path(kind, &t, &client, &Bytes::new()));
    let (hwm, rss) = rss_kib();
    if let Some(n) = expected {
        assert_eq!(run.records, n, "records delivered");
    }
    println!(
        "memory {path}: {} records, {} bytes ({:.3} GiB), {:.2} s, {:.0} MB/s; \
         peak RSS (VmHWM) {:.1} MiB (before the export {:.1} MiB), RSS at end {:.1} MiB (before {:.1} MiB)",
        run.records,
        run.bytes,
        run.bytes as f64 / (1u64 << 30) as f64,
        run.elapsed.as_secs_f64(),
        mb_s(run.bytes, run.elapsed),
        hwm as f64 / 1024.0,
        hwm_before as f64 / 1024.0,
        rss as f64 / 1024.0,
        rss_before as f64 / 1024.0,
    );
    drop(rt);
}
