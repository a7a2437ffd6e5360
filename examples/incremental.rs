//! An incremental export: each run appends only the records that are new since the last
//! run to a JSON Lines file, every record exactly once across runs. The checkpoint is
//! stored beside the output and written only after the export completed (a failed run
//! leaves it as it was, and the next run repeats it):
//!
//! ```text
//! GALILEO_API_KEY=... cargo run --example incremental -- PROJECT_ID LOG_STREAM_ID
//! ```

use futures::TryStreamExt;
use galileo_export::{Checkpoint, Client};
use tokio::io::AsyncWriteExt;

const CHECKPOINT: &str = "traces.checkpoint.json";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, log_stream] = args.as_slice() else {
        return Err("usage: incremental PROJECT_ID LOG_STREAM_ID".into());
    };
    let previous: Option<Checkpoint> = match std::fs::read_to_string(CHECKPOINT) {
        Ok(text) => Some(serde_json::from_str(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let mut records = Client::from_env()?
        .export(project.parse()?)
        .log_stream(log_stream.parse()?)
        .incremental(previous.as_ref())
        .resume(true)
        .raw_records()
        .await?;
    // Collected first, appended once the export is complete: a failed run adds nothing.
    let mut new = Vec::new();
    while let Some(record) = records.try_next().await? {
        new.extend_from_slice(record.as_bytes());
        new.push(b'\n');
    }
    let mut out = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open("traces.jsonl")
        .await?;
    out.write_all(&new).await?;
    out.sync_all().await?;
    if let Some(checkpoint) = records.checkpoint() {
        std::fs::write(CHECKPOINT, serde_json::to_string(checkpoint)?)?;
    }
    println!("{} new records", records.progress().records);
    Ok(())
}
