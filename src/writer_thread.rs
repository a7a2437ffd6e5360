//! A blocking writer on a thread of its own, fed by an export: the one pattern behind
//! [`write_to_std`](crate::ExportBuilder::write_to_std), [`save`](crate::ExportBuilder::save)
//! and [`save_parquet`](crate::ExportBuilder::save_parquet).
//!
//! The contract:
//! - The export's stream is read on the caller's task and every item is handed to the
//!   thread through a bounded queue, so a slow disk or pipe slows the export down instead
//!   of letting memory grow.
//! - If the writer fails, the queue closes, the export stops being read, and the writer's
//!   error is the result.
//! - If the export fails, its error is the result (it says more than anything the writer
//!   did afterwards); the thread is told to [`Finish`](ToWriter::Finish) only if the
//!   caller wants what was received written out (a pipe), not for a file that must not
//!   be completed (Parquet: no footer).
//! - If the future is dropped, the queue closes and the thread ends without waiting for
//!   anything.

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use crate::error::Error;

/// A message to the writer thread.
pub(crate) enum ToWriter<T> {
    /// Write this.
    Item(T),
    /// The export ended: write out what is buffered and end.
    Finish,
}

/// Run `write` on a new thread, feeding it every item of `stream` through a queue of at
/// most `queue` items. `Err` is the export's error; `Ok` is what the writer returned.
/// `finish_after_error`: tell the writer to finish also when the export failed.
pub(crate) async fn feed<T, S, W>(
    stream: &mut S,
    queue: usize,
    finish_after_error: bool,
    write: W,
) -> Result<std::io::Result<()>, Error>
where
    T: Send + 'static,
    S: Stream<Item = Result<T, Error>> + Unpin,
    W: FnOnce(mpsc::Receiver<ToWriter<T>>) -> std::io::Result<()> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(queue);
    let (done, written) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("galileo-export-writer".into())
        .spawn(move || {
            let _ = done.send(write(receiver));
        });
    if let Err(e) = spawned {
        return Ok(Err(e));
    }
    let mut failed = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => {
                if sender.send(ToWriter::Item(item)).await.is_err() {
                    break; // the writer failed: its error comes below
                }
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    if failed.is_none() || finish_after_error {
        let _ = sender.send(ToWriter::Finish).await;
    }
    drop(sender);
    let written = written
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
    match failed {
        Some(e) => Err(e),
        None => Ok(written),
    }
}
