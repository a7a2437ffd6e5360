//! Save a log stream's spans as CSV with chosen columns. The file is written under a
//! temporary name and renamed on success, so a failed export never leaves half a file:
//!
//! ```text
//! GALILEO_API_KEY=... cargo run --example save -- PROJECT_ID LOG_STREAM_ID spans.csv
//! ```

use galileo_export::{Client, ExportFormat, RootType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, log_stream, path] = args.as_slice() else {
        return Err("usage: save PROJECT_ID LOG_STREAM_ID FILE.csv".into());
    };
    let summary = Client::from_env()?
        .export(project.parse()?)
        .log_stream(log_stream.parse()?)
        .root_type(RootType::Span)
        .format(ExportFormat::Csv)
        .columns(["id", "created_at", "name", "input", "output"])
        .save(path)
        .await?;
    println!(
        "{:?} rows, {} bytes -> {path}",
        summary.records, summary.bytes
    );
    Ok(())
}
