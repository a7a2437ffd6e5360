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
use crate::total::Total;

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

/// `export` reporting its progress on `bar`: bytes, records and their rate, done / total
/// with percent and ETA once the count has arrived, and the bytes on the wire when they
/// differ (a compressed body).
pub(crate) fn show_progress(
    export: ExportBuilder,
    bar: &ProgressBar,
    total: Total,
) -> ExportBuilder {
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
            let records = records_progress(p.records, p.records as f64 / secs, total.get());
            bar.set_message(format!("{records}{wire}"));
        }
    })
}

/// `1200 records (300/s)`, or with the count `1200/4800 records (25%, 300/s, ETA 12s)`;
/// past the count, `5000 records (300/s, more than the 4800 counted)`.
pub(crate) fn records_progress(records: u64, rate: f64, total: Option<u64>) -> String {
    match total {
        Some(total) if records <= total && total > 0 => {
            let percent = records as f64 * 100.0 / total as f64;
            let eta = if rate > 0.0 {
                format!(", ETA {}", eta((total - records) as f64 / rate))
            } else {
                String::new()
            };
            format!("{records}/{total} records ({percent:.0}%, {rate:.0}/s{eta})")
        }
        Some(total) => format!("{records} records ({rate:.0}/s, more than the {total} counted)"),
        None => format!("{records} records ({rate:.0}/s)"),
    }
}

/// `45s`, `3m 05s`, `2h 10m`.
fn eta(seconds: f64) -> String {
    let s = seconds.clamp(0.0, 1e9).round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

/// How the records delivered compare with the count: `, 100% of the 500 counted`, or
/// `, 480 of the 490 counted (Galileo's counts may be slightly inaccurate)`.
fn against_count(records: u64, total: u64) -> String {
    if records == total {
        format!(", 100% of the {total} counted")
    } else {
        format!(", {records} of the {total} counted (Galileo's counts may be slightly inaccurate)")
    }
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
/// the wire (zstd)` (`…, 100% of the 1234 counted` after it with the count), or for formats whose records are not counted, `exported 2.31 MiB of
/// csv (…) in …`.
pub(crate) fn summary_line(
    summary: &ExportSummary,
    format: &ExportFormat,
    destination: &str,
    total: Option<u64>,
) -> String {
    let size = HumanBytes(summary.bytes);
    let what = match summary.records {
        Some(records) => format!("{records} records, {size}"),
        None => format!("{size} of {format}"),
    };
    let mut extra = String::new();
    if let (Some(records), Some(total)) = (summary.records, total) {
        extra.push_str(&against_count(records, total));
    }
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
    fn progress_shows_done_total_percent_and_eta_once_counted() {
        assert_eq!(records_progress(1200, 300.0, None), "1200 records (300/s)");
        assert_eq!(
            records_progress(1200, 300.0, Some(4800)),
            "1200/4800 records (25%, 300/s, ETA 12s)"
        );
        assert_eq!(
            records_progress(100, 1.0, Some(4000)),
            "100/4000 records (2%, 1/s, ETA 1h 05m)"
        );
        assert_eq!(
            records_progress(100, 0.5, Some(200)),
            "100/200 records (50%, 0/s, ETA 3m 20s)"
        );
        assert_eq!(
            records_progress(5000, 300.0, Some(4800)),
            "5000 records (300/s, more than the 4800 counted)"
        );
        assert_eq!(
            records_progress(0, 0.0, Some(0)),
            "0 records (0/s, more than the 0 counted)"
        );
    }

    #[test]
    fn the_summary_compares_with_the_count() {
        assert_eq!(against_count(500, 500), ", 100% of the 500 counted");
        assert_eq!(
            against_count(480, 490),
            ", 480 of the 490 counted (Galileo's counts may be slightly inaccurate)"
        );
    }
}
