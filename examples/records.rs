//! Stream the traces of a log stream as records, filtered, with exact resume over a cut
//! connection:
//!
//! ```text
//! GALILEO_API_KEY=... cargo run --example records -- PROJECT_ID LOG_STREAM_ID
//! ```

use std::io::Write;

use futures::TryStreamExt;
use galileo_export::{Client, Filter, RootType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| uuid::Uuid::parse_str(&a));
    let (Some(project), Some(log_stream)) = (args.next(), args.next()) else {
        return Err("usage: records PROJECT_ID LOG_STREAM_ID".into());
    };
    let client = Client::from_env()?; // GALILEO_API_KEY; GALILEO_API_URL or GALILEO_CONSOLE_URL
    let mut records = client
        .export(project?)
        .log_stream(log_stream?)
        .root_type(RootType::Trace)
        .filter(Filter::text("input").contains("refund").case_insensitive())
        .resume(true)
        .records()
        .await?;
    // `writeln!`, not `println!`: a closed pipe (`| head`) ends the program with an error.
    let mut out = std::io::stdout().lock();
    while let Some(record) = records.try_next().await? {
        writeln!(out, "{} {}", record["id"], record["created_at"])?;
    }
    eprintln!("{} records", records.progress().records);
    Ok(())
}
