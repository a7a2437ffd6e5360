//! From arguments to an export: the [`Client`], the project and source (names resolved
//! by [`names`]) (credentials read through the library's
//! [`Client::api_key_from_env`] and [`Client::base_url_from_env`], never a copy of its
//! environment rules), the [`ExportBuilder`] with the filters parsed, and the `--state`
//! file opened and locked.
//!
//! Invariant: everything that can be refused without the server is refused here, before
//! anything is sent (a bad filter, a missing key, a state file for another export or in
//! use by another run): a [`Plan`] is an export that can start.

use galileo_export::{
    Client, Error, ExportBuilder, Filter, LowSpeedLimit, RetryPolicy, ENV_API_KEY,
};

use crate::args::Cli;
use crate::exit::{failure, Failure};
use crate::names::{self, Source, Target};
use crate::state::{self, StateFile};

/// What a run does: the client, the export, and the state file it continues, if any.
pub(crate) struct Plan {
    /// The client (its base URL is shown by a dry run).
    pub(crate) client: Client,
    /// The export, with `--since`, `--until` and the checkpoint of `--state` applied.
    pub(crate) export: ExportBuilder,
    /// The `--state` file, locked for this run.
    pub(crate) state: Option<StateFile>,
}

/// The plan of `cli`, or why it cannot run (nothing was sent).
pub(crate) fn resolve(cli: &Cli) -> Result<Plan, Failure> {
    #[cfg(not(galileo_has_counts))]
    if cli.count {
        let why = galileo_export::spec::capabilities::COUNTS
            .unavailable()
            .unwrap_or_default();
        return Err(Failure::usage(format!("--count: {why}")));
    }
    let filters = cli
        .filters
        .iter()
        .map(|expr| crate::filter_expr::parse(expr).map_err(|e| Failure::usage(e.to_string())))
        .collect::<Result<Vec<Filter>, _>>()?;
    let client = client(cli).map_err(|e| failure(&e, cli))?;
    let target = names::target(cli, &client)?;
    let mut export = export(cli, &client, target, filters);
    // What a --state file is for: the export before --since, --until and the checkpoint.
    let state = match &cli.state {
        Some(path) => {
            let body = export.to_json().map_err(|e| failure(&e, cli))?;
            if let Some(missing) = state::csv_lacks_keys(&body) {
                return Err(Failure::usage(format!(
                    "--state with a CSV export needs the `{missing}` column: add it to --columns"
                )));
            }
            let identity = state::identity(&target.project, &body);
            let (state, previous) = StateFile::open(path, identity).map_err(Failure::usage)?;
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
    Ok(Plan {
        client,
        export,
        state,
    })
}

/// The client: the key from the environment variable `--api-key-env` names, read by
/// [`Client::api_key_from_env`]; the base URL from `--base-url`, else as
/// [`Client::base_url_from_env`] finds it; retries, deadline, stall rule and compression
/// from their flags.
fn client(cli: &Cli) -> Result<Client, Error> {
    let mut builder = Client::builder();
    match Client::api_key_from_env(&cli.api_key_env) {
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

/// The export the arguments describe (before `--state`, `--since` and `--until`).
fn export(cli: &Cli, client: &Client, target: Target, filters: Vec<Filter>) -> ExportBuilder {
    let mut export = client
        .export(target.project)
        .root_type(cli.root_type.into())
        .format(cli.request_format())
        .redact(!cli.no_redact)
        .filters(filters)
        .resume(cli.resume);
    export = match target.source {
        Source::LogStream(id) => export.log_stream(id),
        Source::Experiment(id) => export.experiment(id),
        Source::MetricsTesting(id) => export.metrics_testing(id),
    };
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
    export.record_check(cli.check.into())
}
