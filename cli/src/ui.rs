//! What the user sees while and after a run: the progress spinner on stderr, the note on
//! fields the spec does not know, the one-line summary, and the signals (Ctrl-C, SIGTERM)
//! that stop an export.
//!
//! Invariant: nothing here writes to stdout (it may carry the export), and nothing is
//! shown with `--quiet` but errors; every text from outside is [`terminal_safe`].

use std::io::IsTerminal;
use std::time::Duration;

use galileo_export::{ExportBuilder, ExportFormat, ExportSummary};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::Cli;
use crate::exit::{terminal_safe, Failure};

/// Said once, before the export: the fields the OpenAPI spec this binary was generated
/// from does not know (sent as given; the server decides).
pub(crate) fn note_unchecked_fields(cli: &Cli, export: &ExportBuilder) {
    if cli.quiet {
        return;
    }
    if let Ok(unchecked) = export.unchecked_fields() {
        if !unchecked.is_empty() {
            eprintln!(
                "note: the OpenAPI spec this galileo-export was built from does not know {}; sent as given (the server decides)",
                terminal_safe(&unchecked.join(", "))
            );
        }
    }
}

/// `export` reporting its progress on `bar`: bytes, records and their rate, and the
/// bytes on the wire when they differ (a compressed body).
pub(crate) fn show_progress(export: ExportBuilder, bar: &ProgressBar) -> ExportBuilder {
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

/// Ctrl-C (SIGINT) and, on unix, SIGTERM, caught while exporting.
pub(crate) struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Installs the handlers (in the runtime). One that cannot be installed is never
    /// reported, and that signal keeps its default action.
    pub(crate) fn new() -> Self {
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
    pub(crate) async fn recv(self) -> Failure {
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
pub(crate) fn progress_bar(cli: &Cli, to_stdout: bool) -> Option<ProgressBar> {
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

/// `exported 1234 records, 2.31 MiB (2420113 bytes) in 1.42 s to out.jsonl, 301.2 KiB on
/// the wire (zstd)`, or for formats whose records are not counted, `exported 2.31 MiB of
/// csv (…) in …`.
pub(crate) fn summary_line(
    summary: &ExportSummary,
    format: &ExportFormat,
    destination: &str,
) -> String {
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
