//! `parquet`: one pass (export → Parquet) against two (export → JSON Lines, then DuckDB).

use super::*;

/// A Python with DuckDB (installed from PyPI into a venv the first time).
#[cfg(feature = "parquet")]
pub(crate) fn duckdb_python() -> PathBuf {
    venv_python("duckdb-venv", "duckdb", "duckdb")
}

#[cfg(feature = "parquet")]
pub(crate) fn parquet_passes(opts: &Opts) {
    let runs: usize = opts.get("--runs", 3);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let text_len = opts.text_len();
    let counts: Vec<u64> = opts
        .str("--records")
        .unwrap_or("100000,500000")
        .split(',')
        .map(|n| n.trim().parse().expect("--records N[,N]"))
        .collect();
    let python = duckdb_python();
    let version = Command::new(&python)
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("{}", machine_line());
    println!("DuckDB {version} (PyPI, in a venv); {runs} runs per way, alternated; medians");
    let rt = runtime("multi");
    for records in counts {
        let server = rt.block_on(async {
            prerendered(records, seed, text_len)
                .start()
                .await
                .expect("mock server")
        });
        let t = Target::of(&server);
        let client = t.client();
        let export = || client.export(t.project_id).log_stream(t.log_stream_id);
        let one_path = scratch_path("one-pass.parquet");
        let jsonl_path = scratch_path("two-pass.jsonl");
        let duck_path = scratch_path("two-pass.parquet");
        let (mut one, mut two, mut export_part) = (Vec::new(), Vec::new(), Vec::new());
        let (mut sizes, mut unmapped) = ((0, 0, 0), 0);
        for _ in 0..runs {
            let start = Instant::now();
            let summary = rt
                .block_on(export().save_parquet(
                    &one_path,
                    galileo_export::columnar::ParquetOptions::default(),
                ))
                .expect("save_parquet");
            one.push(start.elapsed().as_secs_f64());
            assert_eq!(summary.records, Some(records));
            unmapped = summary.unmapped_values;

            let start = Instant::now();
            rt.block_on(export().save(&jsonl_path)).expect("save");
            export_part.push(start.elapsed().as_secs_f64());
            let sql = format!(
                "COPY (SELECT * FROM read_json_auto('{}')) TO '{}' (FORMAT parquet)",
                jsonl_path.display(),
                duck_path.display()
            );
            let status = Command::new(&python)
                .args([
                    "-c",
                    "import duckdb, sys; duckdb.connect().execute(sys.argv[1])",
                ])
                .arg(&sql)
                .status()
                .expect("python runs");
            assert!(status.success(), "DuckDB conversion failed");
            two.push(start.elapsed().as_secs_f64());
            let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            sizes = (size(&jsonl_path), size(&one_path), size(&duck_path));
        }
        let (one_m, two_m, export_m) = (median(&one), median(&two), median(&export_part));
        println!(
            "{records} records: one pass (save_parquet) {one_m:.2} s; two passes {two_m:.2} s \
             (save JSON Lines {export_m:.2} s + DuckDB {:.2} s); one/two = {:.2}; \
             sizes: JSON Lines {:.1} MB, our Parquet (zstd) {:.1} MB ({:.1}%), DuckDB's Parquet {:.1} MB; \
             values kept in _unmapped: {unmapped}",
            two_m - export_m,
            one_m / two_m,
            mb(sizes.0),
            mb(sizes.1),
            100.0 * sizes.1 as f64 / sizes.0.max(1) as f64,
            mb(sizes.2),
        );
        for p in [&one_path, &jsonl_path, &duck_path] {
            let _ = std::fs::remove_file(p);
        }
        drop(server);
    }
}
