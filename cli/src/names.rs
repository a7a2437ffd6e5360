//! `--project`, `--log-stream` and `--experiment` as a name or a UUID: a UUID is used as
//! it is; a name is resolved by the library (exact match) in builds whose spec has
//! Galileo's project and run lists, and without any source the project's oldest log
//! stream is chosen, as Galileo's SDKs do, and named on stderr. In a build without those
//! operations a name is a usage error that says which operation is missing and how to
//! build with it.
//!
//! Invariant: nothing is looked up when every value is a UUID; a UUID-shaped value is
//! always taken as an id, never as a name.

use galileo_export::Client;
use uuid::Uuid;

use crate::args::Cli;
use crate::exit::Failure;

/// Where the export reads from: the project and exactly one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) project: Uuid,
    pub(crate) source: Source,
}

/// The export's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    LogStream(Uuid),
    Experiment(Uuid),
    MetricsTesting(Uuid),
}

/// A value that is a UUID, or `None` for a name.
fn id(value: &str) -> Option<Uuid> {
    Uuid::parse_str(value.trim()).ok()
}

/// The target of `cli`, names resolved through `client`.
pub(crate) fn target(cli: &Cli, client: &Client) -> Result<Target, Failure> {
    let project = id(&cli.project);
    let source = match (&cli.log_stream, &cli.experiment, cli.metrics_testing) {
        (Some(value), _, _) => id(value).map(Source::LogStream),
        (None, Some(value), _) => id(value).map(Source::Experiment),
        (None, None, Some(run)) => Some(Source::MetricsTesting(run)),
        (None, None, None) => None,
    };
    if let (Some(project), Some(source)) = (project, source) {
        return Ok(Target { project, source });
    }
    lookup(cli, client, project)
}

#[cfg(galileo_has_project_lookup)]
fn lookup(cli: &Cli, client: &Client, project: Option<Uuid>) -> Result<Target, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::local(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let fail = |e: galileo_export::Error| crate::exit::failure(&e, cli);
        let project = match project {
            Some(project) => project,
            None => client.project_by_name(&cli.project).await.map_err(fail)?.id,
        };
        let source = match (&cli.log_stream, &cli.experiment, cli.metrics_testing) {
            (Some(value), _, _) => Source::LogStream(match id(value) {
                Some(id) => id,
                None => {
                    client
                        .log_stream_by_name(project, value)
                        .await
                        .map_err(fail)?
                        .id
                }
            }),
            (None, Some(value), _) => Source::Experiment(match id(value) {
                Some(id) => id,
                None => {
                    client
                        .experiment_by_name(project, value)
                        .await
                        .map_err(fail)?
                        .id
                }
            }),
            (None, None, Some(run)) => Source::MetricsTesting(run),
            (None, None, None) => {
                let chosen = client.default_log_stream(project).await.map_err(fail)?;
                if !cli.quiet {
                    eprintln!(
                        "using log stream \"{}\" ({}), the project's oldest (no --log-stream, \
                         --experiment or --metrics-testing given)",
                        crate::exit::terminal_safe(&chosen.name),
                        chosen.id
                    );
                }
                Source::LogStream(chosen.id)
            }
        };
        Ok::<Target, Failure>(Target { project, source })
    })
}

#[cfg(not(galileo_has_project_lookup))]
fn lookup(cli: &Cli, _client: &Client, project: Option<Uuid>) -> Result<Target, Failure> {
    use galileo_export::spec::capabilities::PROJECT_LOOKUP;
    let given = if project.is_none() {
        format!("--project {:?}", cli.project)
    } else if let Some(name) = &cli.log_stream {
        format!("--log-stream {name:?}")
    } else if let Some(name) = &cli.experiment {
        format!("--experiment {name:?}")
    } else {
        // clap requires a source in this build; this is the last guard.
        "no --log-stream, --experiment or --metrics-testing".to_string()
    };
    let why = PROJECT_LOOKUP
        .unavailable()
        .unwrap_or_else(|| "names cannot be resolved".to_string());
    Err(Failure::usage(format!(
        "{} is not a UUID, and {why}",
        crate::exit::terminal_safe(&given)
    )))
}
