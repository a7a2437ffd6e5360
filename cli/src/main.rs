//! `galileo-export`: export records from a Galileo project to a file or stdout.
//!
//! A thin shell over the `galileo_export` library: arguments become an
//! [`ExportBuilder`], the bytes go to `--output` exactly as the server sent them.
//! Exit codes: 0 ok; 2 usage or invalid request; 3 API error; 4 network, cut
//! stream, bad record or I/O; 130 / 143 interrupted by SIGINT / SIGTERM.
//!
//! The run, one module per stage: [`args`] parses the command line, [`resolve`] turns it
//! into a client and an export (with [`names`] for names instead of UUIDs,
//! [`filter_expr`] for `--filter` and [`state`] for `--state`), [`run`] writes the export
//! (with [`total`], the count beside it), [`ui`] shows progress and the summary and
//! catches signals, [`exit`] turns the outcome into an exit code and a message.

mod args;
mod exit;
mod filter_expr;
mod names;
mod resolve;
mod state;
mod total;
mod ui;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use galileo_export::columnar::ParquetOptions;
use galileo_export::{Client, Error, ExportBuilder, ExportSummary};

use args::Cli;
use exit::{failure, terminal_safe, Failure};
use resolve::Plan;
use state::StateFile;
use ui::Signals;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::usage(&e),
    };
    exit::report(resolve::resolve(&cli).and_then(|plan| run(&cli, plan)))
}

/// Run the plan: a dry run prints the request; an export is written, then the checkpoint
/// of `--state`, then the summary.
fn run(cli: &Cli, plan: Plan) -> Result<(), Failure> {
    let Plan {
        client,
        export,
        state,
    } = plan;
    ui::note_unchecked_fields(cli, &export);
    if cli.dry_run {
        return dry_run(cli, &client, &export);
    }
    // Check the request before showing progress for it.
    export.request().map_err(|e| failure(&e, cli))?;
    let total = total::Total::new();
    let summary = write(cli, export, &total)?;
    if let (Some(state), Some(path)) = (&state, &cli.state) {
        save_checkpoint(cli, state, path, &summary)?;
    }
    if !cli.quiet {
        let destination = if cli.to_stdout() {
            "stdout".to_string()
        } else {
            cli.output.display().to_string()
        };
        eprintln!(
            "{}",
            ui::summary_line(&summary, &cli.output_format(), &destination, total.get())
        );
    }
    Ok(())
}

/// `--dry-run`: the request JSON on stdout, where it would go on stderr; nothing is sent.
fn dry_run(cli: &Cli, client: &Client, export: &ExportBuilder) -> Result<(), Failure> {
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
            path.replace("{project_id}", &export.project_id().to_string())
        );
    }
    Ok(())
}

/// Write the export to `--output` (a Parquet file, stdout, or a file written atomically),
/// with progress, until it ends or a signal stops it.
fn write(cli: &Cli, export: ExportBuilder, total: &total::Total) -> Result<ExportSummary, Failure> {
    // The export future (checking the lines, handing them to the writer thread) runs on
    // this thread; the body is read by a task on the one worker, in parallel.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure::local(format!("cannot start the async runtime: {e}")))?;
    let to_stdout = cli.to_stdout();
    let parquet = cli.wants_parquet();
    if parquet && to_stdout {
        return Err(Failure::usage(
            "a Parquet file is written to a path (its footer comes last, so a pipe cannot \
             use it before the end): pass --output FILE.parquet"
                .to_string(),
        ));
    }
    let bar = ui::progress_bar(cli, to_stdout);
    // The count goes out beside the export, where it is shown: with the progress on a
    // terminal, or in the summary with --count.
    let counting = if !cli.quiet && (cli.count || bar.is_some()) {
        total::start(&runtime, &export, total)
    } else {
        None
    };
    let export = match &bar {
        Some(bar) => ui::show_progress(export, bar, total.clone()),
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
    if result.is_ok() {
        total::finish(&runtime, counting);
    }
    result
}

/// Write the checkpoint of a completed export to the `--state` file at `path` (never
/// an older one over a newer one; no checkpoint is written before the first record).
fn save_checkpoint(
    cli: &Cli,
    state: &StateFile,
    path: &Path,
    summary: &ExportSummary,
) -> Result<(), Failure> {
    let shown = terminal_safe(&path.display().to_string());
    match summary.checkpoint() {
        Some(checkpoint) => {
            let written = state.write(checkpoint).map_err(Failure::local)?;
            if !written && !cli.quiet {
                eprintln!("{shown} already holds a newer checkpoint: kept");
            }
        }
        None if summary.records.unwrap_or(0) > 0 => {
            // The library refuses such answers for a series; this is the last guard.
            return Err(Failure::local(format!(
                "the export delivered records, but none gave a checkpoint: {shown} was not \
                 written, so the next run would export them again"
            )));
        }
        None => {
            if !cli.quiet {
                eprintln!("no record so far: {shown} not written");
            }
        }
    }
    Ok(())
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

/// Write a Parquet file.
async fn save_parquet(export: ExportBuilder, path: &Path) -> Result<ExportSummary, Error> {
    export.save_parquet(path, ParquetOptions::default()).await
}
