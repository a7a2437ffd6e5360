//! `throughput`: every path interleaved over rounds against one in-process server.

use super::*;

pub(crate) fn throughput(opts: &Opts) {
    let n: u64 = opts.get("--records", 100_000);
    let rounds: usize = opts.get("--rounds", 5);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let (tmin, tmax) = opts.text_len();
    let rt_kind = opts.str("--rt").unwrap_or("multi").to_string();
    let with_csv = !opts.flag("--no-csv");
    let with_curl = !opts.flag("--no-curl")
        && Command::new("curl")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());

    let drain_repeat: u32 = opts.get("--drain-repeat", 5);
    let only = opts.str("--only").map(str::to_string);
    let rt = runtime(&rt_kind);
    let spawn = rt_kind == "multi-spawn";
    let bench = async move {
        // The server runs on its own thread with its own runtime; pre-rendered, a
        // request costs it little more than writing reference-counted chunks.
        let server = prerendered(n, seed, (tmin, tmax))
            .start()
            .await
            .expect("mock server");
        let t = Target::of(&server);
        let client = t.client();

        // Warm up: the first request renders the cache; keep one copy of the body for
        // the from-memory paths (it is exactly what the server sends).
        let warm = Instant::now();
        let memory = Bytes::from(whole_body(&t, &client).await);
        let lines = memchr::memchr_iter(b'\n', &memory).count() as u64;
        eprintln!(
            "warm-up (renders the cache): {} records, {:.1} MB, {} B/record, {:.2} s",
            lines,
            mb(memory.len() as u64),
            memory.len() as u64 / lines.max(1),
            warm.elapsed().as_secs_f64()
        );
        assert_eq!(lines, n, "record count");
        // One more warm pass of the network paths.
        let _ = run_path(PathKind::Bytes, &t, &client, &memory).await;
        let _ = run_path(PathKind::Reqwest, &t, &client, &memory).await;

        let mut kinds = vec![
            PathKind::Reqwest,
            PathKind::Bytes,
            PathKind::BytesShape,
            PathKind::Save,
            PathKind::SaveShape,
            PathKind::WriteToBuffered,
            PathKind::BytesStdFile,
            PathKind::Map,
            PathKind::Typed,
            PathKind::RawRecords,
        ];
        if with_curl {
            kinds.extend([PathKind::Curl, PathKind::CurlFile]);
        }
        if with_csv {
            kinds.extend([PathKind::CsvBytes, PathKind::CsvRows]);
        }
        kinds.extend([PathKind::MemMap, PathKind::MemTyped, PathKind::MemRaw]);
        if let Some(only) = &only {
            let wanted: Vec<String> = only.split(',').map(|w| w.trim().to_lowercase()).collect();
            kinds.retain(|k| wanted.contains(&format!("{k:?}").to_lowercase()));
            // Keep the raw drain for the ratios.
            if !kinds.contains(&PathKind::Bytes) {
                kinds.insert(0, PathKind::Bytes);
            }
        }

        let mut results: HashMap<&'static str, Vec<Run>> = HashMap::new();
        for round in 0..rounds {
            // Rotate the order so no path always runs right after the same other one.
            let mut order = kinds.clone();
            order.rotate_left(round % kinds.len());
            for &kind in &order {
                // The drains take a few tens of milliseconds: time several back to
                // back as one sample.
                let repeat = if matches!(
                    kind,
                    PathKind::Reqwest | PathKind::Bytes | PathKind::BytesShape | PathKind::Curl
                ) {
                    drain_repeat.max(1)
                } else {
                    1
                };
                let mut run = run_path(kind, &t, &client, &memory).await;
                for _ in 1..repeat {
                    let more = run_path(kind, &t, &client, &memory).await;
                    run.bytes += more.bytes;
                    run.records += more.records;
                    run.chunks += more.chunks;
                    run.elapsed += more.elapsed;
                }
                let per_export = |v: u64| v / u64::from(repeat);
                let run = Run {
                    bytes: per_export(run.bytes),
                    records: per_export(run.records),
                    chunks: per_export(run.chunks),
                    elapsed: run.elapsed / repeat,
                };
                if !kind.is_csv() && !matches!(kind, PathKind::Curl | PathKind::CurlFile) {
                    assert_eq!(run.bytes, memory.len() as u64, "{kind:?}: bytes");
                }
                eprintln!(
                    "round {}/{rounds} {:<12} {:>8.1} MB in {:>6.3} s = {:>7.1} MB/s{}",
                    round + 1,
                    format!("{kind:?}"),
                    mb(run.bytes),
                    run.elapsed.as_secs_f64(),
                    mb_s(run.bytes, run.elapsed),
                    if run.chunks > 0 {
                        format!(" ({} chunks, avg {} B)", run.chunks, run.bytes / run.chunks)
                    } else {
                        String::new()
                    }
                );
                results.entry(kind.label()).or_default().push(run);
            }
        }

        let med = |k: PathKind| -> Option<f64> {
            let runs = results.get(k.label())?;
            Some(median(
                &runs
                    .iter()
                    .map(|r| mb_s(r.bytes, r.elapsed))
                    .collect::<Vec<_>>(),
            ))
        };
        let raw = med(PathKind::Bytes).unwrap_or(f64::NAN);
        let transport = med(PathKind::Reqwest).unwrap_or(f64::NAN);
        let csv_raw = med(PathKind::CsvBytes);

        println!();
        println!(
            "### Throughput over loopback ({}; client runtime: {rt_kind}; {} rounds interleaved, median)",
            machine_line(),
            rounds
        );
        println!();
        println!(
            "JSON Lines body: {n} trace records, {:.1} MB ({} B/record). \
             CSV body: see its rows. MB = 10^6 bytes.",
            mb(memory.len() as u64),
            memory.len() as u64 / n.max(1)
        );
        println!();
        println!("| path | median MB/s | min–max MB/s | records/s (median) | vs `bytes()` drain | vs plain reqwest |");
        println!("|---|---:|---:|---:|---:|---:|");
        for &kind in &kinds {
            let Some(runs) = results.get(kind.label()) else {
                continue;
            };
            let rates: Vec<f64> = runs.iter().map(|r| mb_s(r.bytes, r.elapsed)).collect();
            let m = median(&rates);
            let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = rates.iter().copied().fold(0.0, f64::max);
            let recs = runs.iter().map(|r| r.records).max().unwrap_or(0);
            let rps = if recs > 0 {
                let per: Vec<f64> = runs
                    .iter()
                    .map(|r| r.records as f64 / r.elapsed.as_secs_f64())
                    .collect();
                format!("{:.0}", median(&per))
            } else {
                "–".into()
            };
            let (vs_raw, vs_transport) = if kind.is_csv() {
                (
                    csv_raw.map_or("–".into(), |c| format!("{:.2} (of CSV drain)", m / c)),
                    "–".into(),
                )
            } else {
                (format!("{:.2}", m / raw), format!("{:.2}", m / transport))
            };
            let label = if kind.is_csv() {
                format!(
                    "{} ({:.1} MB body)",
                    kind.label(),
                    mb(runs.first().map_or(0, |r| r.bytes))
                )
            } else {
                kind.label().to_string()
            };
            println!("| {label} | {m:.0} | {lo:.0}–{hi:.0} | {rps} | {vs_raw} | {vs_transport} |");
        }
        println!();
        if let Some(chunks) = results
            .get(PathKind::Bytes.label())
            .and_then(|r| r.first())
            .map(|r| r.chunks)
        {
            println!(
                "`bytes()` delivered {chunks} chunks per export (avg {} B).",
                memory.len() as u64 / chunks.max(1)
            );
        }
        if let Some(best) = [PathKind::Map, PathKind::Typed, PathKind::RawRecords]
            .iter()
            .filter_map(|&k| med(k).map(|m| (k, m)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
        {
            println!(
                "Fastest record-yielding path: {} at {:.0} MB/s (the Python SDK on the same \
                 records: `export sdk`).",
                best.0.label(),
                best.1,
            );
        }
        if let Some(save) = med(PathKind::Save) {
            println!(
                "`save()` = {:.0}% of the `bytes()` drain (target ≥ 90%).",
                100.0 * save / raw
            );
            if let Some(curl_file) = med(PathKind::CurlFile) {
                println!(
                    "`save()` = {:.0}% of curl writing the same body to the same disk.",
                    100.0 * save / curl_file
                );
            }
        }
        server.shutdown().await;
    };
    if spawn {
        // The consumer runs in a task on a worker thread, not on the thread that called
        // `block_on` (which is where `#[tokio::main]` runs `main`).
        rt.block_on(async { tokio::spawn(bench).await.expect("bench task") });
    } else {
        rt.block_on(bench);
    }
}
