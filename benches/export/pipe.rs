//! `pipe`: an export written to stdout into a pipe, the CLI against curl.

use super::*;

/// One way of writing the export to a process's stdout.
pub(crate) struct Writer {
    pub(crate) label: String,
    /// Whether its stdout gets the export (false: it writes to `/dev/null` itself).
    pub(crate) to_stdout: bool,
    pub(crate) command: Box<dyn Fn() -> Command>,
}

/// Spawns `command` with its stdout a pipe, drains the pipe here (128 KiB reads, like
/// `cat`), and times from spawn to exit. Returns the bytes read and the time.
pub(crate) fn drained(command: &mut Command) -> (u64, Duration) {
    use std::io::Read;
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 128 << 10];
    let mut bytes = 0u64;
    loop {
        match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => bytes += k as u64,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("reading the pipe: {e}"),
        }
    }
    let status = child.wait().expect("wait");
    let elapsed = start.elapsed();
    assert!(status.success(), "{command:?}: {status}");
    (bytes, elapsed)
}

/// `base`'s command with `extra` arguments after its own.
fn with_args<S: AsRef<std::ffi::OsStr>>(
    base: impl Fn() -> Command + 'static,
    extra: impl IntoIterator<Item = S>,
) -> Box<dyn Fn() -> Command> {
    let extra: Vec<std::ffi::OsString> = extra.into_iter().map(|a| a.as_ref().to_owned()).collect();
    Box::new(move || {
        let mut c = base();
        c.args(&extra);
        c
    })
}

pub(crate) fn pipe(opts: &Opts) {
    let n: u64 = opts.get("--records", 100_000);
    let runs: usize = opts.get("--runs", 9);
    let seed: u64 = opts.get("--seed", DEFAULT_SEED);
    let (tmin, tmax) = opts.text_len();
    let cli_bin = opts.str("--cli-bin").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/galileo-export")
    });
    assert!(
        cli_bin.exists(),
        "{} is missing: cargo build --release -p galileo-export-cli (or pass --cli-bin)",
        cli_bin.display()
    );
    let me = std::env::current_exe().expect("current exe");

    // Pre-rendered, on its own thread and runtime, as in `throughput`.
    let server = prerendered(n, seed, (tmin, tmax))
        .build()
        .start_blocking()
        .expect("mock server");
    let t = Target::of(&server);

    let curl = {
        let t = t.clone();
        move || {
            let mut c = Command::new("curl");
            c.args(["-s", "-S", "--fail", "-X", "POST"])
                .arg(t.export_url())
                .arg("-H")
                .arg(format!("{}: {}", t.api_key_header, t.api_key))
                .args(["-H", "Content-Type: application/json", "-d"])
                .arg(t.body("jsonl"));
            c
        }
    };
    let cli = {
        let t = t.clone();
        move || {
            let mut c = Command::new(&cli_bin);
            for var in ["GALILEO_API_URL", "GALILEO_CONSOLE_URL", "GALILEO_API_KEY"] {
                c.env_remove(var);
            }
            c.env("GALILEO_API_KEY", &t.api_key)
                // Uncompressed, like curl without --compressed.
                .args(["--quiet", "--no-compression", "--base-url", &t.base_url])
                .args(["--project", &t.project_id.to_string()])
                .args(["--log-stream", &t.log_stream_id.to_string()]);
            c
        }
    };
    let child = |how: &'static str| {
        let t = t.clone();
        let me = me.clone();
        move || {
            let mut c = Command::new(&me);
            c.args(["pipe-child", how, "--base-url", &t.base_url])
                .args(["--project-id", &t.project_id.to_string()])
                .args(["--log-stream-id", &t.log_stream_id.to_string()])
                .args(["--api-key", &t.api_key]);
            c
        }
    };
    // To a file on this disk (overwritten by every run, removed at the end).
    let file = scratch_path("pipe-file");
    let file = file.as_os_str();
    let writer = |label: &str, to_stdout: bool, command: Box<dyn Fn() -> Command>| Writer {
        label: label.into(),
        to_stdout,
        command,
    };
    let writers = vec![
        writer(
            "`curl -s -X POST …` → stdout → pipe",
            true,
            Box::new(curl.clone()),
        ),
        writer(
            "`galileo-export --quiet …` (release CLI) → stdout → pipe",
            true,
            Box::new(cli.clone()),
        ),
        writer(
            "`galileo-export --quiet --check shape …` (release CLI) → stdout → pipe",
            true,
            with_args(cli.clone(), ["--check", "shape"]),
        ),
        writer(
            "library, before: `write_to(tokio::io::stdout())`, current-thread runtime → pipe",
            true,
            Box::new(child("old")),
        ),
        writer(
            "library, after: `write_to_std(File(dup of fd 1))`, current-thread runtime → pipe",
            true,
            Box::new(child("new")),
        ),
        writer(
            "*reference:* `curl … -o /dev/null`",
            false,
            with_args(curl.clone(), ["-o", "/dev/null"]),
        ),
        writer(
            "*reference:* `galileo-export --output /dev/null`",
            false,
            with_args(cli.clone(), ["--output", "/dev/null"]),
        ),
        writer(
            "*reference:* `galileo-export --check shape --output /dev/null`",
            false,
            with_args(cli.clone(), ["--check", "shape", "--output", "/dev/null"]),
        ),
        writer(
            "to a file: `curl … -o <file>`",
            false,
            with_args(curl.clone(), ["-o".as_ref(), file]),
        ),
        writer(
            "to a file: `galileo-export --output <file>`",
            false,
            with_args(cli.clone(), ["--output".as_ref(), file]),
        ),
        writer(
            "to a file: `galileo-export --check shape --output <file>`",
            false,
            with_args(
                cli.clone(),
                [
                    "--check".as_ref(),
                    "shape".as_ref(),
                    "--output".as_ref(),
                    file,
                ],
            ),
        ),
    ];

    // Warm-up: the first request renders the server's cache; each writer runs once.
    let (body_len, warm) = drained(&mut (writers[0].command)());
    eprintln!(
        "warm-up (renders the cache): {:.1} MB in {:.2} s",
        mb(body_len),
        warm.as_secs_f64()
    );
    for w in &writers {
        let (bytes, _) = drained(&mut (w.command)());
        assert_eq!(bytes, if w.to_stdout { body_len } else { 0 }, "{}", w.label);
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); writers.len()];
    for run in 0..runs {
        // Alternate: rotate the order so no writer always follows the same other one.
        let mut order: Vec<usize> = (0..writers.len()).collect();
        order.rotate_left(run % writers.len());
        for i in order {
            let w = &writers[i];
            let (bytes, elapsed) = drained(&mut (w.command)());
            assert_eq!(bytes, if w.to_stdout { body_len } else { 0 }, "{}", w.label);
            eprintln!(
                "run {}/{runs} {:>7.3} s  {}",
                run + 1,
                elapsed.as_secs_f64(),
                w.label
            );
            times[i].push(elapsed.as_secs_f64());
        }
    }

    // Each row against curl writing to the same target: a pipe, /dev/null or a file.
    let sink = |label: &str| {
        if label.contains("/dev/null") {
            "null"
        } else if label.starts_with("to a file") {
            "file"
        } else {
            "pipe"
        }
    };
    let curl_median = |label: &str| {
        writers
            .iter()
            .zip(&times)
            .find(|(w, _)| sink(&w.label) == sink(label) && w.label.contains("curl"))
            .map_or(f64::NAN, |(_, v)| median(v))
    };
    println!();
    println!(
        "### Export to stdout into a pipe ({}; {runs} runs each, alternated; wall time from spawn to exit, the pipe drained by the bench in 128 KiB reads)",
        machine_line()
    );
    println!();
    println!(
        "{n} trace records, {:.1} MB of JSON Lines, pre-rendered mock server in the bench process. MB = 10^6 bytes.",
        mb(body_len)
    );
    println!();
    println!("| writer | median s | min–max s | MB/s (median) | ÷ curl, same target |");
    println!("|---|---:|---:|---:|---:|");
    for (w, v) in writers.iter().zip(&times) {
        let m = median(v);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {m:.3} | {lo:.3}–{hi:.3} | {:.0} | {:.2} |",
            w.label,
            mb(body_len) / m,
            m / curl_median(&w.label)
        );
    }
    let _ = std::fs::remove_file(file);
    server.shutdown_blocking();
}

/// `pipe-child old|new --base-url URL --project-id UUID --log-stream-id UUID --api-key K`:
/// one export to this process's stdout through the library, in a current-thread runtime
/// like the CLI's: `old` = `write_to(tokio::io::stdout())` (what the CLI did before),
/// `new` = `write_to_std` on a `File` of a duplicate of fd 1 (what it does now).
pub(crate) fn pipe_child(opts: &Opts) {
    let how = opts.positional.get(1).map(String::as_str).unwrap_or("new");
    let arg = |name: &str| {
        opts.str(name)
            .unwrap_or_else(|| panic!("pipe-child needs {name}"))
    };
    let t = Target {
        base_url: arg("--base-url").to_string(),
        project_id: arg("--project-id").parse().expect("uuid"),
        log_stream_id: arg("--log-stream-id").parse().expect("uuid"),
        api_key: arg("--api-key").to_string(),
        api_key_header: "Galileo-API-Key".into(),
    };
    let rt = runtime(opts.str("--rt").unwrap_or("current"));
    let client = t.client();
    let export = client.export(t.project_id).log_stream(t.log_stream_id);
    let summary = match how {
        "old" => rt.block_on(export.write_to(tokio::io::stdout())),
        "new" => {
            use std::os::fd::AsFd;
            let fd = std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .expect("dup stdout");
            rt.block_on(export.write_to_std(std::fs::File::from(fd)))
        }
        other => panic!("pipe-child: unknown writer `{other}`"),
    }
    .expect("export");
    black_box(summary);
}
