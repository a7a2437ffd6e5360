//! `galileo-export`: export records from a Galileo project to a file or stdout.
//!
//! A thin shell over the `galileo_export` library: arguments become an
//! [`ExportBuilder`], the bytes go to `--output` exactly as the server sent them.
//! Exit codes: 0 ok; 2 usage or invalid request; 3 API error; 4 network, cut
//! stream, bad record or I/O.

#[path = "galileo_export/filter_expr.rs"]
mod filter_expr;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use galileo_export::client::ENV_API_KEY;
use galileo_export::{
    Client, Error, ExportBuilder, ExportFormat, ExportSummary, Filter, RetryPolicy, RootType,
};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use uuid::Uuid;

const ABOUT: &str = "Export sessions, traces or spans from a Galileo project as JSON Lines or CSV";

const LONG_ABOUT: &str = "\
Export sessions, traces or spans from a Galileo project as JSON Lines or CSV.

Streams Galileo's Export Records API (POST /v2/projects/{project_id}/export_records) to a
file (written atomically: a temporary file renamed at the end) or to stdout, byte for byte
as the server sends it.

Credentials come from the environment only: GALILEO_API_KEY, or the variable named by
--api-key-env. The API URL is --base-url, else GALILEO_API_URL, else derived from
GALILEO_CONSOLE_URL (console.example.com -> https://api.example.com), else
https://api.galileo.ai (the spec's server).

Exit codes: 0 success; 2 usage error or invalid request (nothing was sent); 3 the API
refused the request (401/403, 404, 409, 422, 429, 5xx…); 4 network error, cut stream,
malformed record or local I/O error.";

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

    /// jsonl, csv, or another format the server offers (sent as is, e.g. jsonl_flat).
    #[arg(long, default_value = "jsonl", value_parser = parse_format, value_name = "FORMAT")]
    format: ExportFormat,

    /// A filter expression, e.g. 'latency_ms > 100' (repeatable; all must match).
    /// See --help for the grammar.
    #[arg(long = "filter", value_name = "EXPR")]
    filters: Vec<String>,

    /// Sort by COLUMN, ascending unless :desc is given (the API's default direction).
    /// Without --sort: the server's native order (created_at, id, newest first).
    #[arg(long, value_parser = parse_sort, value_name = "COLUMN[:asc|:desc]")]
    sort: Option<(String, bool)>,

    /// The columns of a CSV export, in order (comma-separated; CSV only).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    columns: Option<Vec<String>>,

    /// Ask the server not to redact sensitive data (redaction is on by default).
    #[arg(long)]
    no_redact: bool,

    /// The file name the server gives the export (sent as file_name).
    #[arg(long, value_name = "NAME")]
    file_name: Option<String>,

    /// Where to write the export: a file (written atomically) or - for stdout.
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
}

fn parse_format(s: &str) -> Result<ExportFormat, String> {
    s.trim().parse::<ExportFormat>().map_err(|e| match e {
        Error::InvalidRequest(message) => message,
        other => other.to_string(),
    })
}

/// `COLUMN`, `COLUMN:asc` or `COLUMN:desc` → (column, ascending).
fn parse_sort(s: &str) -> Result<(String, bool), String> {
    let (column, ascending) = match s.rsplit_once(':') {
        Some((column, "asc")) => (column, true),
        Some((column, "desc")) => (column, false),
        Some((_, direction)) => {
            return Err(format!(
                "unknown direction `{direction}` (expected COLUMN, COLUMN:asc or COLUMN:desc)"
            ))
        }
        None => (s, true),
    };
    let column = column.trim();
    if column.is_empty() {
        return Err("the column is empty (expected COLUMN[:asc|:desc])".into());
    }
    Ok((column.to_string(), ascending))
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
        Error::Transport(_) | Error::Cut { .. } | Error::Record(_) | Error::Io { .. } => 4,
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
        Error::Cut { .. } if !cli.resume && cli.format.is_json_lines() && resumable_sort(cli) => {
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
        Some((column, ascending)) => column == "created_at" && !ascending,
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
            eprintln!("error: {}", f.message);
            if let Some(hint) = f.hint {
                eprintln!("hint: {hint}");
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
    let export = export(cli, &client, filters);

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
                client.base_url(),
                path.replace("{project_id}", &cli.project.to_string())
            );
        }
        return Ok(());
    }
    // Check the request before showing progress for it.
    export.request().map_err(|e| failure(&e, cli))?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 4,
            message: format!("cannot start the async runtime: {e}"),
            hint: None,
        })?;
    let to_stdout = cli.output.as_os_str() == "-";
    let bar = progress_bar(cli, to_stdout);
    let export = match &bar {
        Some(bar) => {
            let bar = bar.clone();
            export.on_progress(move |p| {
                bar.set_position(p.bytes);
                let secs = p.elapsed.as_secs_f64();
                if p.records > 0 && secs > 0.0 {
                    bar.set_message(format!(
                        "{} records ({:.0}/s)",
                        p.records,
                        p.records as f64 / secs
                    ));
                }
            })
        }
        None => export,
    };
    let result = runtime.block_on(async {
        if to_stdout {
            export.write_to(tokio::io::stdout()).await
        } else {
            export.save(&cli.output).await
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = result.map_err(|e| failure(&e, cli))?;
    if !cli.quiet {
        let destination = if to_stdout {
            "stdout".to_string()
        } else {
            cli.output.display().to_string()
        };
        eprintln!("{}", summary_line(&summary, &cli.format, &destination));
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
    builder.build()
}

fn export<'c>(cli: &Cli, client: &'c Client, filters: Vec<Filter>) -> ExportBuilder<'c> {
    let mut export = client
        .export(cli.project)
        .root_type(cli.root_type.into())
        .format(cli.format.clone())
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
    if let Some((column, ascending)) = &cli.sort {
        export = export.sort(column.clone(), *ascending);
    }
    if let Some(columns) = &cli.columns {
        export = export.columns(columns.iter().map(|c| c.trim().to_string()));
    }
    if let Some(name) = &cli.file_name {
        export = export.file_name(name.clone());
    }
    export
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

/// `exported 1234 records, 2.31 MiB (2420113 bytes) in 1.42 s to out.jsonl`, or for
/// formats whose records are not counted, `exported 2.31 MiB of csv (…) in …`.
fn summary_line(summary: &ExportSummary, format: &ExportFormat, destination: &str) -> String {
    let size = HumanBytes(summary.bytes);
    let what = match summary.records {
        Some(records) => format!("{records} records, {size}"),
        None => format!("{size} of {format}"),
    };
    let mut extra = String::new();
    if summary.retries > 0 {
        extra.push_str(&format!(", {} retries", summary.retries));
    }
    if summary.resumes > 0 {
        extra.push_str(&format!(", {} resumes", summary.resumes));
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
        assert_eq!(parse_sort("created_at"), Ok(("created_at".into(), true)));
        assert_eq!(
            parse_sort("created_at:asc"),
            Ok(("created_at".into(), true))
        );
        assert_eq!(
            parse_sort("created_at:desc"),
            Ok(("created_at".into(), false))
        );
        assert!(parse_sort("created_at:down").is_err());
        assert!(parse_sort(":desc").is_err());
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
