//! Run the local Galileo server ([`galileo_export_mock`]) on its own, until killed.
//!
//! It serves the spec's Export Records operation over plain HTTP on `127.0.0.1`, with a
//! deterministic synthetic data set (sessions, traces and spans), the same checks as
//! Galileo (authentication, validation errors, filters, sort, CSV columns), and no state
//! between requests. Point any client at it: this crate, `curl`, Galileo's Python SDK.
//!
//! ```sh
//! cargo run --release -p galileo-export-mock --example mock_server -- --records 100000 --prerender
//! ```
//!
//! Options (all optional):
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `--records N` | records of every root type (session, trace, span) | 1000 |
//! | `--seed S` | seed of the data set: same seed, byte-identical exports | 0 |
//! | `--port P` | listen on `127.0.0.1:P`; `0` = an ephemeral port | 0 |
//! | `--prerender` | cache unfiltered, natively ordered JSON Lines exports in memory after the first request (for benchmarks: the server then costs almost nothing; the first request renders the whole export into memory) | off |
//! | `--text-len MIN:MAX` | approximate length in bytes of each of `input` and `output` | 200:900 (records of ~1–2 KB) |
//! | `--worker-threads N` | server runtime threads | 1 |
//! | `--api-key KEY` | the API key the server accepts | `galileo-mock-api-key` |
//!
//! Once it listens it prints, on stdout, one `KEY=value` line each, then `READY=1`, and
//! flushes:
//!
//! ```text
//! BASE_URL=http://127.0.0.1:41234
//! PROJECT_ID=…
//! LOG_STREAM_ID=…
//! API_KEY=galileo-mock-api-key
//! API_KEY_HEADER=Galileo-API-Key
//! EXPORT_URL=http://127.0.0.1:41234/v2/projects/…/export_records
//! RECORDS=100000
//! READY=1
//! ```
//!
//! Everything else (errors) goes to stderr. With the values above:
//!
//! ```sh
//! curl -s -X POST "$EXPORT_URL" -H "$API_KEY_HEADER: $API_KEY" -H 'Content-Type: application/json' \
//!      -d "{\"root_type\": \"trace\", \"log_stream_id\": \"$LOG_STREAM_ID\"}" -o traces.jsonl
//! GALILEO_API_URL=$BASE_URL GALILEO_API_KEY=$API_KEY \
//!     galileo-export --project $PROJECT_ID --log-stream $LOG_STREAM_ID --output traces.jsonl
//! ```
//!
//! With `--port P` (not 0) the server itself still listens on an ephemeral port and this
//! program forwards `127.0.0.1:P` to it (one more copy per byte; use `--port 0` for
//! benchmarks). Stop it with Ctrl-C or `kill`.

use std::process::ExitCode;

use galileo_export_mock::MockServer;

struct Args {
    records: u64,
    seed: u64,
    port: u16,
    prerender: bool,
    text_len: Option<(usize, usize)>,
    worker_threads: usize,
    api_key: Option<String>,
}

const USAGE: &str = "usage: mock_server [--records N] [--seed S] [--port P] [--prerender] \
                     [--text-len MIN:MAX] [--worker-threads N] [--api-key KEY]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        records: 1_000,
        seed: 0,
        port: 0,
        prerender: false,
        text_len: None,
        worker_threads: 1,
        api_key: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        // Accept both `--name value` and `--name=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "--records" => args.records = number(&name, &value("a number")?)?,
            "--seed" => args.seed = number(&name, &value("a number")?)?,
            "--port" => args.port = number(&name, &value("a port")?)?,
            "--worker-threads" => args.worker_threads = number(&name, &value("a number")?)?,
            "--api-key" => args.api_key = Some(value("a key")?),
            "--text-len" => {
                let v = value("MIN:MAX")?;
                let (lo, hi) = v
                    .split_once([':', ','])
                    .ok_or_else(|| format!("--text-len: expected MIN:MAX, got `{v}`"))?;
                let (lo, hi) = (number(&name, lo)?, number(&name, hi)?);
                if lo > hi {
                    return Err(format!("--text-len: {lo} > {hi}"));
                }
                args.text_len = Some((lo, hi));
            }
            "--prerender" => args.prerender = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{name}: `{text}` is not a valid number"))
}

/// Forward every connection to `127.0.0.1:port` to the mock server at `target`.
async fn forward(port: u16, target: std::net::SocketAddr) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let _ = inbound.set_nodelay(true);
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = outbound.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    Ok(url)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mock_server: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = MockServer::builder()
        .records(args.records)
        .seed(args.seed)
        .prerender(args.prerender)
        .worker_threads(args.worker_threads);
    if let Some((lo, hi)) = args.text_len {
        builder = builder.text_len(lo, hi);
    }
    if let Some(key) = &args.api_key {
        builder = builder.api_key(key.clone());
    }
    let server = match builder.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mock_server: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let base_url = if args.port == 0 {
        server.base_url().to_string()
    } else {
        match forward(args.port, server.addr()).await {
            Ok(url) => url,
            Err(e) => {
                eprintln!("mock_server: cannot listen on 127.0.0.1:{}: {e}", args.port);
                return ExitCode::from(1);
            }
        }
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "BASE_URL={base_url}");
        let _ = writeln!(out, "PROJECT_ID={}", server.project_id());
        let _ = writeln!(out, "LOG_STREAM_ID={}", server.log_stream_id());
        let _ = writeln!(out, "API_KEY={}", server.api_key());
        if let Some(header) = server.api_key_header() {
            let _ = writeln!(out, "API_KEY_HEADER={header}");
        }
        let _ = writeln!(out, "EXPORT_URL={base_url}{}", server.export_path());
        let _ = writeln!(out, "RECORDS={}", args.records);
        let _ = writeln!(out, "READY=1");
        let _ = out.flush();
    }
    // Serve until the process is killed; the server runs on its own thread.
    let _server = server;
    std::future::pending::<ExitCode>().await
}
