//! `galileo-export`: export records from a Galileo project to a file or stdout.
//!
//! A thin shell over the `galileo_export` library: arguments become an
//! [`ExportBuilder`], the bytes go to `--output` exactly as the server sent them.
//! Exit codes: 0 ok; 2 usage or invalid request; 3 API error; 4 network, cut
//! stream, bad record or I/O; 130 / 143 interrupted by SIGINT / SIGTERM.

#[path = "galileo_export/filter_expr.rs"]
mod filter_expr;
#[path = "galileo_export/state.rs"]
mod state;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use galileo_export::{
    Client, Error, ExportBuilder, ExportFormat, ExportSummary, Filter, LowSpeedLimit, Order,
    RetryPolicy, RootType, ENV_API_KEY,
};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use uuid::Uuid;

const ABOUT: &str = "Export sessions, traces or spans from a Galileo project as JSON Lines or CSV";

const LONG_ABOUT: &str = "\
Export sessions, traces or spans from a Galileo project as JSON Lines or CSV.

Streams Galileo's Export Records API (POST /v2/projects/{project_id}/export_records) to a
file (written atomically: a temporary file renamed at the end, keeping an existing file's
mode; a symbolic link is followed; a device, FIFO or socket such as /dev/null is written
in place) or to stdout, byte for byte as the server sends it. Ctrl-C or SIGTERM stops the
export and removes the temporary file.

Credentials come from the environment only: GALILEO_API_KEY, or the variable named by
--api-key-env. The API URL is --base-url, else GALILEO_API_URL, else derived from
GALILEO_CONSOLE_URL (console.example.com -> https://api.example.com), else
https://api.galileo.ai (the spec's server).

Exit codes: 0 success; 2 usage error or invalid request (nothing was sent); 3 the API
refused the request (401/403, 404, 409, 422, 429, 5xx…); 4 network error, cut stream,
stall, deadline, malformed or oversized record, an answer that is not an export, or local
I/O error; 130/143 interrupted by SIGINT/SIGTERM.";

const AFTER_HELP: &str = "See --help for the --filter grammar and examples.";

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RootArg {
    Trace,
    Span,
    Session,
}

impl From<RootArg> for RootType {
    fn from(root: RootArg) -> Self {
        match root {
            RootArg::Trace => RootType::Trace,
            RootArg::Span => RootType::Span,
            RootArg::Session => RootType::Session,
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "galileo-export",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    after_long_help = filter_expr::GRAMMAR,
    group(ArgGroup::new("source").required(true).args(["log_stream", "experiment", "metrics_testing"])),
)]
struct Cli {
    /// The project to export from.
    #[arg(long, value_name = "UUID")]
    project: Uuid,

    /// Export from this log stream.
    #[arg(long, value_name = "UUID")]
    log_stream: Option<Uuid>,

    /// Export from this experiment.
    #[arg(long, value_name = "UUID")]
    experiment: Option<Uuid>,

    /// Export from this metrics-testing run.
    #[arg(long, value_name = "UUID")]
    metrics_testing: Option<Uuid>,

    /// Which records: the root of the step hierarchy.
    #[arg(long, value_enum, default_value_t = RootArg::Trace, value_name = "TYPE")]
    root_type: RootArg,

    /// jsonl (the default), csv, parquet (JSON Lines converted to a Parquet file in the
    /// same pass; also chosen by an --output ending in .parquet), or another format the
    /// server offers (sent as is, e.g. jsonl_flat).
    #[arg(long, value_parser = parse_format, value_name = "FORMAT")]
    format: Option<ExportFormat>,

    /// A filter expression, e.g. 'latency_ms > 100' (repeatable; all must match).
    /// See --help for the grammar.
    #[arg(long = "filter", value_name = "EXPR")]
    filters: Vec<String>,

    /// Sort by COLUMN, ascending unless :desc is given (the API's default direction).
    /// Without --sort: the server's native order (created_at, id, newest first).
    #[arg(long, value_parser = parse_sort, value_name = "COLUMN[:asc|:desc]")]
    sort: Option<(String, Order)>,

    /// The columns of a CSV export, in order (comma-separated; CSV only).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    columns: Option<Vec<String>>,

    /// Ask the server not to redact sensitive data (redaction is on by default).
    #[arg(long)]
    no_redact: bool,

    /// The file name the server gives the export (sent as file_name).
    #[arg(long, value_name = "NAME")]
    file_name: Option<String>,

    /// Where to write the export: a file (written atomically; a device or FIFO in place)
    /// or - for stdout.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    output: PathBuf,

    #[arg(
        long,
        value_name = "URL",
        help = "The API URL [default: $GALILEO_API_URL, else derived from $GALILEO_CONSOLE_URL, \
                else https://api.galileo.ai]"
    )]
    base_url: Option<String>,

    /// If the stream is cut, continue where it stopped so every record arrives once
    /// (JSON Lines, native order or --sort created_at:desc only).
    #[arg(long)]
    resume: bool,

    /// Retries of a request that fails before any data arrives (connect errors, 429,
    /// 502/503/504) [default: 3].
    #[arg(long, value_name = "N")]
    retries: Option<u32>,

    /// Print the request JSON that would be sent, and exit. Needs no credentials.
    #[arg(long)]
    dry_run: bool,

    /// Print nothing on stderr except errors (no progress, no summary).
    #[arg(long, short)]
    quiet: bool,

    /// The environment variable that holds the API key.
    #[arg(long, default_value = ENV_API_KEY, value_name = "NAME")]
    api_key_env: String,

    /// The largest record (a JSON line, a CSV record) held in memory; a larger one fails
    /// the export (exit 4). Bytes, or with a unit: 512KiB, 64MiB, 1GiB [default: 128MiB].
    #[arg(long, value_parser = parse_record_size, value_name = "SIZE")]
    max_record_size: Option<u64>,

    /// Fail (exit 4) if the whole export takes longer than this (retries and resumes
    /// included), e.g. 90s, 30m, 2h [default: no limit].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    timeout: Option<Duration>,

    /// With --speed-time: fewer than BYTES arriving within that time is a stall, handled
    /// like a cut (an error, or a resume with --resume) [default: 1024].
    #[arg(long, value_parser = parse_size, value_name = "BYTES")]
    speed_limit: Option<u64>,

    /// The window of --speed-limit, e.g. 60s [default: 60s]. It starts when the request
    /// is sent: no answer within it is a stall too.
    #[arg(long, value_parser = parse_window, value_name = "DURATION")]
    speed_time: Option<Duration>,

    /// Ask for an uncompressed body (Accept-Encoding: identity). By default the export
    /// asks for zstd, gzip or brotli and decodes it as it arrives.
    #[arg(long)]
    no_compression: bool,

    /// Only records created at or after TIME: RFC 3339 (2026-03-01T00:00:00Z) or a
    /// duration back from now (24h, 90m).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only records created before TIME (RFC 3339, or a duration back from now).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    until: Option<chrono::DateTime<chrono::Utc>>,

    /// Set a request field by its wire name, NAME=VALUE (VALUE as JSON if it parses, else
    /// as a string; repeatable), e.g. include_code_metric_metadata=true. A field the
    /// spec knows is checked; one it does not know is sent as given.
    #[arg(long = "field", value_parser = parse_field, value_name = "NAME=VALUE")]
    fields: Vec<(String, serde_json::Value)>,

    /// Incremental export: read the checkpoint in FILE (if it exists), export only the
    /// records that are new since, and write the new checkpoint to FILE once the export
    /// has completed (a failed or cut run leaves it as it was). JSON Lines, CSV (with its
    /// created_at and id columns) or Parquet, in the native order. The file says which
    /// export it is for; another one is refused. A run holds a lock on .FILE.lock beside
    /// it: a second run on the same FILE is refused.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// `NAME=VALUE`: the value as JSON if it parses, else as a string.
fn parse_field(s: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{s}`: the field name is empty"));
    }
    let value = serde_json::from_str(value)
        .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
    Ok((name.to_string(), value))
}

/// An RFC 3339 date-time, or a duration back from now (`24h`, `90m`, `1h30m`).
fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let text = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.to_utc());
    }
    let back = parse_duration(text).map_err(|_| {
        format!("`{text}` is neither an RFC 3339 date-time (2026-03-01T00:00:00Z) nor a duration (24h, 90m)")
    })?;
    chrono::Duration::from_std(back)
        .ok()
        .and_then(|back| chrono::Utc::now().checked_sub_signed(back))
        .ok_or_else(|| format!("`{text}` reaches too far back"))
}

/// `1048576`, `512KiB`, `64MiB`, `1GiB`, `10MB`, `1k`, …
fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: u64 = number.parse().map_err(|_| {
        format!("`{s}` is not a size (expected bytes, or e.g. 512KiB, 64MiB, 1GiB)")
    })?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit `{other}` (expected B, KiB, MiB, GiB, KB, MB, GB)"
            ))
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// A size of at least one byte (no record fits in 0).
fn parse_record_size(s: &str) -> Result<u64, String> {
    match parse_size(s)? {
        0 => Err(format!(
            "`{}` is 0 bytes, which no record fits in",
            s.trim()
        )),
        size => Ok(size),
    }
}

/// A duration longer than zero (a zero window would call every export stalled).
fn parse_window(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(format!("`{}` is no time at all", s.trim())),
        d => Ok(d),
    }
}

/// `90`, `90s`, `1500ms`, `30m`, `2h`, `1h30m`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    let bad = || format!("`{text}` is not a duration (expected e.g. 90s, 1500ms, 30m, 2h, 1h30m)");
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let part = match &rest[..unit] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.saturating_mul(60)),
            "h" => Duration::from_secs(number.saturating_mul(3600)),
            _ => return Err(bad()),
        };
        rest = &rest[unit..];
        total = total.checked_add(part).ok_or_else(bad)?;
    }
    Ok(total)
}

/// Whether the export goes to a Parquet file: `--format parquet`, or no `--format` and an
/// `--output` ending in `.parquet`.
fn wants_parquet(cli: &Cli) -> bool {
    match &cli.format {
        Some(format) => format.as_str() == "parquet",
        None => cli
            .output
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("parquet")),
    }
}

/// The format asked of the server: JSON Lines for a Parquet file.
fn request_format(cli: &Cli) -> ExportFormat {
    match &cli.format {
        _ if wants_parquet(cli) => ExportFormat::Jsonl,
        Some(format) => format.clone(),
        None => ExportFormat::Jsonl,
    }
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    s.trim().parse::<ExportFormat>().map_err(|e| match e {
        Error::InvalidRequest(message) => message,
        other => other.to_string(),
    })
}

/// `COLUMN`, `COLUMN:asc` or `COLUMN:desc` → (column, order).
fn parse_sort(s: &str) -> Result<(String, Order), String> {
    let (column, order) = match s.rsplit_once(':') {
        Some((column, "asc")) => (column, Order::Ascending),
        Some((column, "desc")) => (column, Order::Descending),
        Some((_, direction)) => {
            return Err(format!(
                "unknown direction `{direction}` (expected COLUMN, COLUMN:asc or COLUMN:desc)"
            ))
        }
        None => (s, Order::Ascending),
    };
    let column = column.trim();
    if column.is_empty() {
        return Err("the column is empty (expected COLUMN[:asc|:desc])".into());
    }
    Ok((column.to_string(), order))
}

/// Why the command failed: the exit code and the text after `error: `.
struct Failure {
    code: u8,
    message: String,
    hint: Option<String>,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
            hint: None,
        }
    }
}

/// Text for the terminal: every control character but the line breaks the messages are
/// made of escaped (the library already escapes what a server sent; this holds for any
/// text, a file name included).
fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let unsafe_char = (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if unsafe_char {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// The exit code of a library error.
fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Config(_) | Error::InvalidRequest(_) | Error::InvalidFilter(_) => 2,
        Error::Auth { .. }
        | Error::NotFound { .. }
        | Error::Conflict { .. }
        | Error::RateLimited { .. }
        | Error::Validation { .. }
        | Error::Server { .. }
        | Error::Api { .. } => 3,
        Error::Transport(_)
        | Error::Cut { .. }
        | Error::Record(_)
        | Error::Io { .. }
        | Error::NotAnExport { .. }
        | Error::NoCheckpoint(_)
        | Error::RecordTooLarge { .. }
        | Error::Encoding { .. }
        | Error::TimedOut { .. } => 4,
        // A variant added later: an API error if it has a status, else a local one.
        other if other.status().is_some() => 3,
        _ => 4,
    }
}

fn failure(error: &Error, cli: &Cli) -> Failure {
    let hint = match error {
        Error::Auth { .. } => Some(format!(
            "check the API key in ${} and that it may read this project",
            cli.api_key_env
        )),
        Error::Cut { .. }
            if !cli.resume && request_format(cli).is_json_lines() && resumable_sort(cli) =>
        {
            Some("run again with --resume to continue where a cut stops".into())
        }
        _ => None,
    };
    let message = match error {
        Error::Io { path, source }
            if path == "-" && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            "stdout was closed before the export finished (broken pipe)".to_string()
        }
        // Display has one line per 422 field (`body.filters.0.value: ...`).
        other => other.to_string(),
    };
    Failure {
        code: exit_code(error),
        message,
        hint,
    }
}

fn resumable_sort(cli: &Cli) -> bool {
    match &cli.sort {
        None => true,
        Some((column, order)) => column == "created_at" && *order == Order::Descending,
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", terminal_safe(&f.message));
            if let Some(hint) = f.hint {
                eprintln!("hint: {}", terminal_safe(&hint));
            }
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let filters = cli
        .filters
        .iter()
        .map(|expr| filter_expr::parse(expr).map_err(|e| Failure::usage(e.to_string())))
        .collect::<Result<Vec<Filter>, _>>()?;
    let client = client(cli).map_err(|e| failure(&e, cli))?;
    let mut export = export(cli, &client, filters);
    // What a --state file is for: the export before --since, --until and the checkpoint.
    let state = match &cli.state {
        Some(path) => {
            let body = export.to_json().map_err(|e| failure(&e, cli))?;
            if let Some(missing) = state::csv_lacks_keys(&body) {
                return Err(Failure::usage(format!(
                    "--state with a CSV export needs the `{missing}` column: add it to --columns"
                )));
            }
            let identity = state::identity(&cli.project, &body);
            let (state, previous) =
                state::StateFile::open(path, identity).map_err(Failure::usage)?;
            export = export.incremental(previous.as_ref());
            Some(state)
        }
        None => None,
    };
    if let Some(since) = cli.since {
        export = export.filter(Filter::date("created_at").on_or_after(since));
    }
    if let Some(until) = cli.until {
        export = export.filter(Filter::date("created_at").before(until));
    }
    // Said once: what the spec this binary was generated from does not know.
    if !cli.quiet {
        if let Ok(unchecked) = export.unchecked_fields() {
            if !unchecked.is_empty() {
                eprintln!(
                    "note: the OpenAPI spec this galileo-export was built from does not know {}; sent as given (the server decides)",
                    terminal_safe(&unchecked.join(", "))
                );
            }
        }
    }

    if cli.dry_run {
        let body = export.to_json().map_err(|e| failure(&e, cli))?;
        let text = serde_json::to_string_pretty(&body)
            .map_err(|e| Failure::usage(format!("the request cannot be printed: {e}")))?;
        // Not println!: it panics when stdout is closed.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .map_err(|source| {
                failure(
                    &Error::Io {
                        path: "-".into(),
                        source,
                    },
                    cli,
                )
            })?;
        if !cli.quiet {
            let path = galileo_export::spec::operation("export_records")
                .map_or("/v2/projects/{project_id}/export_records", |operation| {
                    operation.path
                });
            eprintln!(
                "dry run: would POST {}{} (nothing was sent)",
                galileo_export::redact_url(client.base_url()),
                path.replace("{project_id}", &cli.project.to_string())
            );
        }
        return Ok(());
    }
    // Check the request before showing progress for it.
    export.request().map_err(|e| failure(&e, cli))?;

    // The export future (checking the lines, handing them to the writer thread) runs on
    // this thread; the body is read by a task on the one worker, in parallel.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 4,
            message: format!("cannot start the async runtime: {e}"),
            hint: None,
        })?;
    let to_stdout = cli.output.as_os_str() == "-";
    let parquet = wants_parquet(cli);
    if parquet && to_stdout {
        return Err(Failure::usage(
            "a Parquet file is written to a path (its footer comes last, so a pipe cannot \
             use it before the end): pass --output FILE.parquet"
                .to_string(),
        ));
    }
    let bar = progress_bar(cli, to_stdout);
    let export = match &bar {
        Some(bar) => {
            let bar = bar.clone();
            export.on_progress(move |p| {
                bar.set_position(p.bytes);
                let secs = p.elapsed.as_secs_f64();
                if p.records > 0 && secs > 0.0 {
                    let wire = if p.wire_bytes == p.bytes {
                        String::new()
                    } else {
                        format!(", {} on the wire", HumanBytes(p.wire_bytes))
                    };
                    bar.set_message(format!(
                        "{} records ({:.0}/s){wire}",
                        p.records,
                        p.records as f64 / secs
                    ));
                }
            })
        }
        None => export,
    };
    let result = runtime.block_on(async {
        // Registered before anything is sent, so a signal never finds the default
        // action (which would leave the temporary file behind).
        let signals = Signals::new();
        let export = async {
            if parquet {
                save_parquet(export, &cli.output).await
            } else if to_stdout {
                export.write_to_std(stdout_writer()).await
            } else {
                export.save(&cli.output).await
            }
        };
        tokio::select! {
            result = export => result.map_err(|e| failure(&e, cli)),
            // The export future is dropped: the connection closes and the temporary
            // file is removed.
            interrupted = signals.recv() => Err(interrupted),
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = result?;
    if let (Some(state), Some(path)) = (&state, &cli.state) {
        let shown = terminal_safe(&path.display().to_string());
        match summary.checkpoint() {
            Some(checkpoint) => {
                let written = state.write(checkpoint).map_err(|message| Failure {
                    code: 4,
                    message,
                    hint: None,
                })?;
                if !written && !cli.quiet {
                    eprintln!("{shown} already holds a newer checkpoint: kept");
                }
            }
            None if summary.records.unwrap_or(0) > 0 => {
                // The library refuses such answers for a series; this is the last guard.
                return Err(Failure {
                    code: 4,
                    message: format!(
                        "the export delivered records, but none gave a checkpoint: {shown} was not \
                         written, so the next run would export them again"
                    ),
                    hint: None,
                });
            }
            None => {
                if !cli.quiet {
                    eprintln!("no record so far: {shown} not written");
                }
            }
        }
    }
    if !cli.quiet {
        let destination = if to_stdout {
            "stdout".to_string()
        } else {
            cli.output.display().to_string()
        };
        let format = if wants_parquet(cli) {
            ExportFormat::Other("parquet".into())
        } else {
            request_format(cli)
        };
        eprintln!("{}", summary_line(&summary, &format, &destination));
    }
    Ok(())
}

/// The client: key from the environment, base URL as [`Client::builder_from_env`] finds
/// it unless `--base-url` is given, retries from `--retries`.
fn client(cli: &Cli) -> Result<Client, Error> {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut builder = Client::builder();
    match env(&cli.api_key_env) {
        Some(key) => builder = builder.api_key(key),
        // A dry run sends nothing, so it needs no key.
        None if cli.dry_run => builder = builder.without_credentials(),
        None => {
            return Err(Error::Config(format!(
                "no credentials: the {} environment variable is not set{}",
                cli.api_key_env,
                if cli.api_key_env == ENV_API_KEY {
                    ""
                } else {
                    " (named by --api-key-env)"
                }
            )))
        }
    }
    if let Some(url) = cli
        .base_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        builder = builder.base_url(url);
    } else if let Some(url) = Client::base_url_from_env() {
        builder = builder.base_url(url);
    }
    if let Some(retries) = cli.retries {
        builder = builder.retry(RetryPolicy::default().max_attempts(retries.saturating_add(1)));
    }
    if let Some(timeout) = cli.timeout {
        builder = builder.total_timeout(timeout);
    }
    if cli.no_compression {
        builder = builder.compression(false);
    }
    if cli.speed_limit.is_some() || cli.speed_time.is_some() {
        let default = LowSpeedLimit::default();
        builder = builder.low_speed_limit(LowSpeedLimit::new(
            cli.speed_limit.unwrap_or(default.bytes()),
            cli.speed_time.unwrap_or(default.time()),
        ));
    }
    builder.build()
}

fn export(cli: &Cli, client: &Client, filters: Vec<Filter>) -> ExportBuilder {
    let mut export = client
        .export(cli.project)
        .root_type(cli.root_type.into())
        .format(request_format(cli))
        .redact(!cli.no_redact)
        .filters(filters)
        .resume(cli.resume);
    // clap's group makes exactly one of these present.
    if let Some(id) = cli.log_stream {
        export = export.log_stream(id);
    }
    if let Some(id) = cli.experiment {
        export = export.experiment(id);
    }
    if let Some(id) = cli.metrics_testing {
        export = export.metrics_testing(id);
    }
    if let Some((column, order)) = &cli.sort {
        export = export.sort(column.clone(), *order);
    }
    if let Some(columns) = &cli.columns {
        export = export.columns(columns.iter().map(|c| c.trim().to_string()));
    }
    if let Some(name) = &cli.file_name {
        export = export.file_name(name.clone());
    }
    for (name, value) in &cli.fields {
        export = export.field(name.clone(), value.clone());
    }
    if let Some(limit) = cli.max_record_size {
        export = export.max_record_size(limit);
    }
    export
}

/// Stdout for the export's writer thread: on unix a `File` on a duplicate of fd 1 (no
/// line buffering, no lock; the thread writes large blocks), elsewhere `std::io::stdout()`.
fn stdout_writer() -> Box<dyn Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout())
}

/// Ctrl-C (SIGINT) and, on unix, SIGTERM, caught while exporting.
struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Installs the handlers (in the runtime). One that cannot be installed is never
    /// reported, and that signal keeps its default action.
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The first signal, as the failure to report: `interrupted` (exit 130, 128 + SIGINT)
    /// or `terminated` (exit 143, 128 + SIGTERM).
    async fn recv(self) -> Failure {
        let interrupted = || Failure {
            code: 130,
            message: "interrupted".into(),
            hint: None,
        };
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                if let Some(mut signal) = signal {
                    if signal.recv().await.is_some() {
                        return;
                    }
                }
                std::future::pending::<()>().await;
            }
            tokio::select! {
                () = next(self.interrupt) => interrupted(),
                () = next(self.terminate) => Failure {
                    code: 143,
                    message: "terminated".into(),
                    hint: None,
                },
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => interrupted(),
                Err(_) => std::future::pending().await,
            }
        }
    }
}

/// A spinner on stderr with records, bytes, rate and elapsed time, when stderr is a
/// terminal, `--quiet` is not given, and the export is not being printed on the same
/// terminal.
fn progress_bar(cli: &Cli, to_stdout: bool) -> Option<ProgressBar> {
    if cli.quiet
        || !std::io::stderr().is_terminal()
        || (to_stdout && std::io::stdout().is_terminal())
    {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} {elapsed_precise}  {bytes} ({bytes_per_sec})  {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

/// Write a Parquet file (feature `parquet`).
#[cfg(feature = "parquet")]
async fn save_parquet(
    export: ExportBuilder,
    path: &std::path::Path,
) -> Result<ExportSummary, Error> {
    export
        .save_parquet(path, galileo_export::columnar::ParquetOptions::default())
        .await
}

/// Without the `parquet` feature there is no Parquet writer.
#[cfg(not(feature = "parquet"))]
async fn save_parquet(_: ExportBuilder, _: &std::path::Path) -> Result<ExportSummary, Error> {
    Err(Error::InvalidRequest(
        "this galileo-export was built without Parquet support: install it with \
         `--features cli,parquet`"
            .into(),
    ))
}

/// `exported 1234 records, 2.31 MiB (2420113 bytes) in 1.42 s to out.jsonl, 301.2 KiB on
/// the wire (zstd)`, or for formats whose records are not counted, `exported 2.31 MiB of
/// csv (…) in …`.
fn summary_line(summary: &ExportSummary, format: &ExportFormat, destination: &str) -> String {
    let size = HumanBytes(summary.bytes);
    let what = match summary.records {
        Some(records) => format!("{records} records, {size}"),
        None => format!("{size} of {format}"),
    };
    let mut extra = String::new();
    if let Some(coding) = summary.content_encoding {
        extra.push_str(&format!(
            ", {} on the wire ({coding})",
            HumanBytes(summary.wire_bytes)
        ));
    }
    if summary.retries > 0 {
        extra.push_str(&format!(", {} retries", summary.retries));
    }
    if summary.resumes > 0 {
        extra.push_str(&format!(", {} resumes", summary.resumes));
    }
    if summary.unmapped_values > 0 {
        extra.push_str(&format!(
            ", {} values that did not fit their column kept as JSON in _unmapped",
            summary.unmapped_values
        ));
    }
    format!(
        "exported {what} ({} bytes) in {:.2} s to {destination}{extra}",
        summary.bytes,
        summary.elapsed.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_suffixes() {
        assert_eq!(
            parse_sort("created_at"),
            Ok(("created_at".into(), Order::Ascending))
        );
        assert_eq!(
            parse_sort("created_at:asc"),
            Ok(("created_at".into(), Order::Ascending))
        );
        assert_eq!(
            parse_sort("created_at:desc"),
            Ok(("created_at".into(), Order::Descending))
        );
        assert!(parse_sort("created_at:down").is_err());
        assert!(parse_sort(":desc").is_err());
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert!(parse_size("1PiB").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn terminal_text_has_no_control_characters() {
        assert_eq!(
            terminal_safe("a\u{1b}[31mred\r\nb\u{7}"),
            "a\\u{1b}[31mred\\u{d}\nb\\u{7}"
        );
    }

    #[test]
    fn exit_codes_by_class() {
        assert_eq!(exit_code(&Error::Config("x".into())), 2);
        assert_eq!(exit_code(&Error::InvalidRequest("x".into())), 2);
        assert_eq!(
            exit_code(&Error::Auth {
                status: 401,
                message: String::new()
            }),
            3
        );
        assert_eq!(exit_code(&Error::Validation { errors: vec![] }), 3);
        assert_eq!(
            exit_code(&Error::Cut {
                records: 1,
                bytes: 2,
                reason: String::new()
            }),
            4
        );
    }

    #[test]
    fn the_command_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
