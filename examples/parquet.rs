//! Save a log stream as a Parquet file (feature `parquet`), the schema inferred from the
//! records, anything that does not fit a column kept in the `_unmapped` column:
//!
//! ```text
//! GALILEO_API_KEY=... cargo run --example parquet --features parquet -- PROJECT_ID LOG_STREAM_ID traces.parquet
//! ```

use galileo_export::columnar::ParquetOptions;
use galileo_export::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, log_stream, path] = args.as_slice() else {
        return Err("usage: parquet PROJECT_ID LOG_STREAM_ID FILE.parquet".into());
    };
    let summary = Client::from_env()?
        .export(project.parse()?)
        .log_stream(log_stream.parse()?)
        .resume(true)
        .save_parquet(path, ParquetOptions::default())
        .await?;
    println!(
        "{:?} records -> {path} ({} values kept as JSON in _unmapped)",
        summary.records, summary.unmapped_values
    );
    Ok(())
}
