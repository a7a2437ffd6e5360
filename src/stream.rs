//! Consuming an export: a record stream over the byte stream, and streaming the bytes to
//! a file (atomically) or a writer.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::body::BodyStream;
use crate::error::Error;
use crate::progress::Progress;
use crate::records::{CsvDecoder, DecodeStream, RecordDecoder, RecordError};

/// An async stream of decoded records. Items are `Result<record, Error>`: a bad record
/// ([`Error::Record`], with its line number) or a cut ([`Error::Cut`], with the number of
/// records delivered before it) ends the stream.
pub struct RecordStream<D> {
    inner: DecodeStream<BodyStream, D>,
    state: Arc<crate::progress::ProgressState>,
    count_records: bool,
    failed: bool,
}

impl<D: std::fmt::Debug> std::fmt::Debug for RecordStream<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordStream")
            .field("decoder", self.inner.decoder())
            .field("progress", &self.state.snapshot(false))
            .finish()
    }
}

impl<D: RecordDecoder> RecordStream<D> {
    pub(crate) fn new(body: BodyStream, decoder: D) -> Self {
        let state = body.state().clone();
        let count_records = !body.counts_records();
        let body = body.into_decoder_input();
        Self {
            inner: DecodeStream::new(body, decoder),
            state,
            count_records,
            failed: false,
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> Progress {
        self.state.snapshot(false)
    }
}

impl<R> RecordStream<CsvDecoder<R>> {
    /// The CSV header, once the first row has been read.
    pub fn csv_header(&self) -> Option<&Arc<[String]>> {
        self.inner.decoder().header()
    }
}

impl<D: RecordDecoder + Unpin> Stream for RecordStream<D> {
    type Item = Result<D::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        let item = futures::ready!(Pin::new(&mut this.inner).poll_next(cx));
        if !matches!(item, Some(Ok(_))) {
            this.state.notify(true);
        }
        Poll::Ready(match item {
            Some(Ok(record)) => {
                if this.count_records {
                    this.state.records.fetch_add(1, Ordering::Relaxed);
                }
                Some(Ok(record))
            }
            Some(Err(RecordError::Transport { source })) => {
                this.failed = true;
                let error = match source.downcast::<Error>() {
                    Ok(error) => match *error {
                        Error::Cut { bytes, reason, .. } => Error::Cut {
                            records: this.state.records.load(Ordering::Relaxed),
                            bytes,
                            reason,
                        },
                        other => other,
                    },
                    Err(other) => Error::Record(RecordError::Transport { source: other }),
                };
                Some(Err(error))
            }
            Some(Err(e)) => {
                // A bad record ends the export: what follows cannot be trusted to line up.
                this.failed = true;
                Some(Err(Error::Record(e)))
            }
            None => None,
        })
    }
}

/// What a finished export delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportSummary {
    /// Records delivered (JSON Lines: lines; `None` for CSV and other formats read as bytes).
    pub records: Option<u64>,
    /// Bytes delivered.
    pub bytes: u64,
    /// How long it took.
    pub elapsed: Duration,
    /// Requests retried before data arrived.
    pub retries: u32,
    /// Times the export was resumed after a cut.
    pub resumes: u32,
}

fn summary(body: &BodyStream) -> ExportSummary {
    let p = body.progress();
    ExportSummary {
        records: body.counts_records().then_some(p.records),
        bytes: p.bytes,
        elapsed: p.elapsed,
        retries: p.retries,
        resumes: p.resumes,
    }
}

pub(crate) async fn write_to<W>(
    mut body: BodyStream,
    mut writer: W,
    name: &str,
) -> Result<ExportSummary, Error>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let io = |source| Error::Io {
        path: name.to_string(),
        source,
    };
    while let Some(chunk) = body.next().await {
        writer.write_all(&chunk?).await.map_err(io)?;
    }
    writer.flush().await.map_err(io)?;
    Ok(summary(&body))
}

/// Removes the temporary file unless the export was committed (also when the future is
/// dropped half-way).
struct TempFile {
    path: PathBuf,
    committed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub(crate) async fn save(body: BodyStream, path: &Path) -> Result<ExportSummary, Error> {
    let display = path.display().to_string();
    let io = |source| Error::Io {
        path: display.clone(),
        source,
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::InvalidRequest(format!("`{display}` is not a file path")))?
        .to_string_lossy()
        .into_owned();
    let temp = TempFile {
        path: path.with_file_name(format!(
            ".{file_name}.{}.{:08x}.part",
            std::process::id(),
            rand::random::<u32>()
        )),
        committed: false,
    };
    let mut temp = temp;
    let file = tokio::fs::File::create(&temp.path).await.map_err(io)?;
    // One blocking-pool round trip per 1 MiB rather than per network chunk.
    let file = tokio::io::BufWriter::with_capacity(1 << 20, file);
    let summary = write_to(body, file, &display).await?;
    tokio::fs::rename(&temp.path, path).await.map_err(io)?;
    temp.committed = true;
    Ok(summary)
}
