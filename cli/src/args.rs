//! The command line: the clap types of `galileo-export`, its help texts, and the value
//! parsers of sizes, durations, times, sorts, formats and `NAME=VALUE` fields.
//!
//! Invariant: a value that parses here is one the library accepts as it is (a record size
//! of at least one byte, a stall window longer than zero, a sort with a column); what
//! needs the library to decide (a format's name, a field the spec knows) is asked of it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Parser, ValueEnum};
use galileo_export::{Error, ExportFormat, Order, RecordCheck, RootType, ENV_API_KEY};
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

/// Whether names need another build, said where names are asked for.
#[cfg(not(galileo_has_project_lookup))]
macro_rules! needs_full_spec {
    () => {
        " (names need a galileo-export built from Galileo's full OpenAPI spec, which has the \
         project and run lists: GALILEO_OPENAPI_SPEC=/path/to/galileo-openapi.yaml cargo \
         install --path cli)"
    };
}

#[cfg(galileo_has_project_lookup)]
const SOURCE_VALUE: &str = "NAME|UUID";
#[cfg(not(galileo_has_project_lookup))]
const SOURCE_VALUE: &str = "UUID";

#[cfg(galileo_has_project_lookup)]
const PROJECT_HELP: &str = "The project to export from: its name (exact) or UUID.";
#[cfg(not(galileo_has_project_lookup))]
const PROJECT_HELP: &str = concat!(
    "The project to export from: its UUID",
    needs_full_spec!(),
    "."
);

#[cfg(galileo_has_project_lookup)]
const LOG_STREAM_HELP: &str = "Export from this log stream: its name (exact) or UUID. Without \
     --log-stream, --experiment or --metrics-testing: the project's oldest log stream, as \
     Galileo's SDKs choose it (named on stderr).";
#[cfg(not(galileo_has_project_lookup))]
const LOG_STREAM_HELP: &str = concat!(
    "Export from this log stream: its UUID",
    needs_full_spec!(),
    "."
);

#[cfg(galileo_has_project_lookup)]
const EXPERIMENT_HELP: &str = "Export from this experiment: its name (exact) or UUID.";
#[cfg(not(galileo_has_project_lookup))]
const EXPERIMENT_HELP: &str = concat!(
    "Export from this experiment: its UUID",
    needs_full_spec!(),
    "."
);

#[cfg(galileo_has_counts)]
const COUNT_HELP: &str = "Ask Galileo how many records the export selects, beside the export \
     (never delaying it), and say in the summary how the export compared (the default when \
     progress is shown on a terminal, which then shows done/total, percent and ETA).";
#[cfg(not(galileo_has_counts))]
const COUNT_HELP: &str = "Ask Galileo how many records the export selects, for progress as a \
     percentage (needs a galileo-export built from Galileo's full OpenAPI spec, which has the \
     count operations: GALILEO_OPENAPI_SPEC=/path/to/galileo-openapi.yaml cargo install \
     --path cli).";

const AFTER_HELP: &str = "See --help for the --filter grammar and examples.";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RootArg {
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

/// How much each JSON Lines record is checked before it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckArg {
    /// One JSON object in valid UTF-8, its whole grammar checked.
    Full,
    /// Valid UTF-8 that starts with { and ends with }; the JSON between is not checked.
    Shape,
}

impl From<CheckArg> for RecordCheck {
    fn from(check: CheckArg) -> Self {
        match check {
            CheckArg::Full => RecordCheck::Full,
            CheckArg::Shape => RecordCheck::Shape,
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
    after_long_help = crate::filter_expr::GRAMMAR,
)]
// Without a source, a build that resolves names exports the project's oldest log stream;
// a build that cannot requires one.
#[cfg_attr(
    galileo_has_project_lookup,
    command(group(ArgGroup::new("source").args(["log_stream", "experiment", "metrics_testing"])))
)]
#[cfg_attr(
    not(galileo_has_project_lookup),
    command(group(ArgGroup::new("source").required(true).args(["log_stream", "experiment", "metrics_testing"])))
)]
pub(crate) struct Cli {
    #[arg(long, value_name = SOURCE_VALUE, help = PROJECT_HELP)]
    pub(crate) project: String,

    #[arg(long, value_name = SOURCE_VALUE, help = LOG_STREAM_HELP)]
    pub(crate) log_stream: Option<String>,

    #[arg(long, value_name = SOURCE_VALUE, help = EXPERIMENT_HELP)]
    pub(crate) experiment: Option<String>,

    /// Export from this metrics-testing run.
    #[arg(long, value_name = "UUID")]
    pub(crate) metrics_testing: Option<Uuid>,

    /// Which records: the root of the step hierarchy.
    #[arg(long, value_enum, default_value_t = RootArg::Trace, value_name = "TYPE")]
    pub(crate) root_type: RootArg,

    /// jsonl (the default), csv, parquet (JSON Lines converted to a Parquet file in the
    /// same pass; also chosen by an --output ending in .parquet), or another format the
    /// server offers (sent as is, e.g. jsonl_flat).
    #[arg(long, value_parser = parse_format, value_name = "FORMAT")]
    pub(crate) format: Option<ExportFormat>,

    /// A filter expression, e.g. 'metrics/duration_ns > 100' (repeatable; all must match).
    /// See --help for the grammar.
    #[arg(long = "filter", value_name = "EXPR")]
    pub(crate) filters: Vec<String>,

    /// Sort by COLUMN, ascending unless :desc is given (the API's default direction).
    /// Without --sort: the server's native order (created_at, id, newest first).
    #[arg(long, value_parser = parse_sort, value_name = "COLUMN[:asc|:desc]")]
    pub(crate) sort: Option<(String, Order)>,

    /// The columns of a CSV export, in order (comma-separated; CSV only).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub(crate) columns: Option<Vec<String>>,

    /// Ask the server not to redact sensitive data (redaction is on by default).
    #[arg(long)]
    pub(crate) no_redact: bool,

    /// The file name the server gives the export (sent as file_name).
    #[arg(long, value_name = "NAME")]
    pub(crate) file_name: Option<String>,

    /// Where to write the export: a file (written atomically; a device or FIFO in place)
    /// or - for stdout.
    #[arg(long, short, default_value = "-", value_name = "PATH")]
    pub(crate) output: PathBuf,

    #[arg(
        long,
        value_name = "URL",
        help = "The API URL [default: $GALILEO_API_URL, else derived from $GALILEO_CONSOLE_URL, \
                else https://api.galileo.ai]"
    )]
    pub(crate) base_url: Option<String>,

    /// If the stream is cut, continue where it stopped so every record arrives once
    /// (JSON Lines, native order or --sort created_at:desc only).
    #[arg(long)]
    pub(crate) resume: bool,

    /// Retries of a request that fails before any data arrives (connect errors, 429,
    /// 502/503/504) [default: 3].
    #[arg(long, value_name = "N")]
    pub(crate) retries: Option<u32>,

    /// Print the request JSON that would be sent, and exit. Needs no credentials.
    #[arg(long)]
    pub(crate) dry_run: bool,

    #[arg(long, help = COUNT_HELP)]
    pub(crate) count: bool,

    /// Print nothing on stderr except errors (no progress, no summary).
    #[arg(long, short)]
    pub(crate) quiet: bool,

    /// The environment variable that holds the API key.
    #[arg(long, default_value = ENV_API_KEY, value_name = "NAME")]
    pub(crate) api_key_env: String,

    /// The largest record (a JSON line, a CSV record) held in memory; a larger one fails
    /// the export (exit 4). Bytes, or with a unit: 512KiB, 64MiB, 1GiB [default: 128MiB].
    #[arg(long, value_parser = parse_record_size, value_name = "SIZE")]
    pub(crate) max_record_size: Option<u64>,

    /// How much each JSON Lines record is checked before it is written: full (one JSON
    /// object in valid UTF-8) or shape (valid UTF-8 from { to }, the JSON between not
    /// checked: faster, for a consumer that parses the records anyway). Cuts, record
    /// counts and the size limit are checked either way; Parquet output always parses.
    #[arg(long, value_enum, default_value_t = CheckArg::Full, value_name = "DEPTH")]
    pub(crate) check: CheckArg,

    /// Fail (exit 4) if the whole export takes longer than this (retries and resumes
    /// included), e.g. 90s, 30m, 2h [default: no limit].
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) timeout: Option<Duration>,

    /// With --speed-time: fewer than BYTES arriving within that time is a stall, handled
    /// like a cut (an error, or a resume with --resume) [default: 1024].
    #[arg(long, value_parser = parse_size, value_name = "BYTES")]
    pub(crate) speed_limit: Option<u64>,

    /// The window of --speed-limit, e.g. 60s [default: 60s]. It starts when the request
    /// is sent: no answer within it is a stall too.
    #[arg(long, value_parser = parse_window, value_name = "DURATION")]
    pub(crate) speed_time: Option<Duration>,

    /// Ask for an uncompressed body (Accept-Encoding: identity). By default the export
    /// asks for zstd, gzip or brotli and decodes it as it arrives.
    #[arg(long)]
    pub(crate) no_compression: bool,

    /// Only records created at or after TIME: RFC 3339 (2026-03-01T00:00:00Z) or a
    /// duration back from now (24h, 90m).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only records created before TIME (RFC 3339, or a duration back from now).
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub(crate) until: Option<chrono::DateTime<chrono::Utc>>,

    /// Set a request field by its wire name, NAME=VALUE (VALUE as JSON if it parses, else
    /// as a string; repeatable), e.g. include_code_metric_metadata=true. A field the
    /// spec knows is checked; one it does not know is sent as given.
    #[arg(long = "field", value_parser = parse_field, value_name = "NAME=VALUE")]
    pub(crate) fields: Vec<(String, serde_json::Value)>,

    /// Incremental export: read the checkpoint in FILE (if it exists), export only the
    /// records that are new since, and write the new checkpoint to FILE once the export
    /// has completed (a failed or cut run leaves it as it was). JSON Lines, CSV (with its
    /// created_at and id columns) or Parquet, in the native order. The file says which
    /// export it is for; another one is refused. A run holds a lock on .FILE.lock beside
    /// it: a second run on the same FILE is refused.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,
}

impl Cli {
    /// Whether the export goes to a Parquet file: `--format parquet`, or no `--format` and
    /// an `--output` ending in `.parquet`.
    pub(crate) fn wants_parquet(&self) -> bool {
        match &self.format {
            Some(format) => format.as_str() == "parquet",
            None => self
                .output
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("parquet")),
        }
    }

    /// The format asked of the server: JSON Lines for a Parquet file.
    pub(crate) fn request_format(&self) -> ExportFormat {
        match &self.format {
            _ if self.wants_parquet() => ExportFormat::Jsonl,
            Some(format) => format.clone(),
            None => ExportFormat::Jsonl,
        }
    }

    /// The format the export is written in: the request's, or Parquet.
    pub(crate) fn output_format(&self) -> ExportFormat {
        if self.wants_parquet() {
            ExportFormat::Other("parquet".into())
        } else {
            self.request_format()
        }
    }

    /// Whether the export goes to stdout (`--output -`).
    pub(crate) fn to_stdout(&self) -> bool {
        self.output.as_os_str() == "-"
    }

    /// Whether the order asked for is one a cut export can be resumed in.
    pub(crate) fn resumable_sort(&self) -> bool {
        match &self.sort {
            None => true,
            Some((column, order)) => column == "created_at" && *order == Order::Descending,
        }
    }
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
    fn the_command_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
