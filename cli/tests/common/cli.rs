//! The `galileo-export` binary of this package.

use std::path::Path;
use std::process::Command;

use galileo_export_mock::hostile::HostileServer;
use galileo_export_mock::MockServer;

/// The path of the binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_galileo-export");

/// The binary with a clean environment: no Galileo or proxy variables from the caller.
pub fn bare() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "GALILEO_API_KEY",
        "GALILEO_API_URL",
        "GALILEO_CONSOLE_URL",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// [`bare`], pointed at `server` with its key, exporting its log stream.
pub fn for_server(server: &MockServer) -> Command {
    let mut cmd = bare();
    cmd.env("GALILEO_API_KEY", server.api_key()).args([
        "--base-url",
        server.base_url(),
        "--project",
        &server.project_id().to_string(),
        "--log-stream",
        &server.log_stream_id().to_string(),
    ]);
    cmd
}

/// [`bare`], pointed at a raw test server ([`HostileServer`]) with `key`, exporting
/// [`LOG_STREAM`](super::LOG_STREAM) of [`PROJECT`](super::PROJECT), without retries.
pub fn for_hostile(server: &HostileServer, key: &str) -> Command {
    let mut cmd = bare();
    cmd.env("GALILEO_API_KEY", key)
        .args([
            "--project",
            super::PROJECT,
            "--log-stream",
            super::LOG_STREAM,
            "--base-url",
        ])
        .arg(server.base_url())
        .args(["--retries", "0"]);
    cmd
}

/// [`bare`] with `--dry-run` of the export of [`LOG_STREAM`](super::LOG_STREAM) in
/// [`PROJECT`](super::PROJECT): prints the request, sends nothing.
pub fn dry_run() -> Command {
    let mut cmd = bare();
    cmd.args([
        "--project",
        super::PROJECT,
        "--log-stream",
        super::LOG_STREAM,
        "--dry-run",
    ]);
    cmd
}

/// [`for_hostile`] with the key `k`, `--quiet`, continuing the `--state` file `state` and
/// writing the export to `output`.
pub fn with_state(server: &HostileServer, state: &Path, output: &Path) -> Command {
    let mut command = for_hostile(server, "k");
    command
        .args(["--quiet", "--state"])
        .arg(state)
        .arg("--output")
        .arg(output);
    command
}
