//! Read records without an async runtime (feature `blocking`): an `Iterator` of records,
//! here into a typed struct of the fields this program needs:
//!
//! ```text
//! GALILEO_API_KEY=... cargo run --example blocking --features blocking -- PROJECT_ID LOG_STREAM_ID
//! ```

use std::io::Write;

use galileo_export::blocking::BlockingExport;
use galileo_export::Client;

/// The fields this program reads; the others are ignored.
#[derive(serde::Deserialize)]
struct Trace {
    id: uuid::Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    input: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, log_stream] = args.as_slice() else {
        return Err("usage: blocking PROJECT_ID LOG_STREAM_ID".into());
    };
    let traces = Client::from_env()?
        .export(project.parse()?)
        .log_stream(log_stream.parse()?)
        .records_as_blocking::<Trace>()?;
    let mut out = std::io::stdout().lock();
    for trace in traces {
        let trace = trace?;
        let input: String = trace.input.unwrap_or_default().chars().take(60).collect();
        writeln!(out, "{} {} {input}", trace.id, trace.created_at)?;
    }
    Ok(())
}
