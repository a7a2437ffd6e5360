//! How a run ends: a library error becomes an exit code and a message (with a hint where
//! the command line can do better), printed as `error: ...` on stderr.
//!
//! Exit codes: 0 ok; 2 usage or invalid request (nothing was sent); 3 the API refused
//! the request; 4 network, cut stream, bad record or local I/O; 130 / 143 interrupted by
//! SIGINT / SIGTERM. Invariant: every text printed is [`terminal_safe`]: no control
//! character from a server, a file name or an argument reaches the terminal raw.

use std::process::ExitCode;

use galileo_export::Error;

use crate::args::Cli;

/// Why the command failed: the exit code and the text after `error: `.
pub(crate) struct Failure {
    /// The exit code.
    pub(crate) code: u8,
    /// What went wrong, shown after `error: `.
    pub(crate) message: String,
    /// What to try instead, shown after `hint: `.
    pub(crate) hint: Option<String>,
}

impl Failure {
    /// A usage error (exit 2): the command line asks for something that cannot be done.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
            hint: None,
        }
    }

    /// A local failure (exit 4): I/O, the runtime, the state file.
    pub(crate) fn local(message: impl Into<String>) -> Self {
        Failure {
            code: 4,
            message: message.into(),
            hint: None,
        }
    }
}

/// Text for the terminal: every control character but the line breaks the messages are
/// made of escaped (the library already escapes what a server sent; this holds for any
/// text, a file name included).
pub(crate) fn terminal_safe(text: &str) -> String {
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
        Error::Config(_) | Error::InvalidRequest(_) | Error::InvalidFilter(_) | Error::Name(_) => 2,
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

/// The failure of a library error: its exit code, its message (a closed stdout said as
/// such) and a hint where the command line can do better.
pub(crate) fn failure(error: &Error, cli: &Cli) -> Failure {
    let hint = match error {
        Error::Auth { .. } => Some(format!(
            "check the API key in ${} and that it may read this project",
            cli.api_key_env
        )),
        Error::Name(_) => {
            Some("names match exactly, case included; a UUID is taken as it is".into())
        }
        Error::Cut { .. }
            if !cli.resume && cli.request_format().is_json_lines() && cli.resumable_sort() =>
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

/// Print a failure as `error: ...` (and `hint: ...`) on stderr; the exit code of the run.
pub(crate) fn report(result: Result<(), Failure>) -> ExitCode {
    match result {
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

/// A command line clap refused (or `--help`, `--version`): clap's text and exit code.
pub(crate) fn usage(error: &clap::Error) -> ExitCode {
    let code = error.exit_code();
    let _ = error.print();
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
