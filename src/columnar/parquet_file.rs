//! Writing a [`RecordBatchStream`] to a Parquet file, on a thread of its own (encoding
//! and compressing overlap with receiving and decoding).

use std::io::Write;

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{ColumnarOptions, RecordBatch, RecordBatchStream};
use crate::body::ExportSummary;
use crate::error::Error;
use crate::output::Opener;
use crate::writer_thread::ToWriter;

/// How [`ExportBuilder::save_parquet`](crate::ExportBuilder::save_parquet) writes its file.
///
/// ```
/// use galileo_export::columnar::{ColumnarOptions, ParquetOptions};
///
/// let options = ParquetOptions::default()
///     .columnar(ColumnarOptions::default().infer_records(10_000))
///     .zstd_level(9)
///     .row_group_bytes(32 << 20);
/// assert_eq!(options.row_group_limit(), 32 << 20);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ParquetOptions {
    columnar: ColumnarOptions,
    compression: Compression,
    row_group_bytes: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        Self {
            columnar: ColumnarOptions::default(),
            compression: Compression::ZSTD(ZstdLevel::default()),
            row_group_bytes: 16 << 20,
        }
    }
}

impl ParquetOptions {
    /// How records become batches (schema inference, batch size).
    pub fn columnar(mut self, options: ColumnarOptions) -> Self {
        self.columnar = options;
        self
    }

    /// Compress with zstd at `level` (1–22; the default is zstd's default level, 3).
    /// Levels out of range are clamped.
    pub fn zstd_level(mut self, level: i32) -> Self {
        let level = ZstdLevel::try_new(level.clamp(1, 22)).unwrap_or_default();
        self.compression = Compression::ZSTD(level);
        self
    }

    /// Write without compression.
    pub fn uncompressed(mut self) -> Self {
        self.compression = Compression::UNCOMPRESSED;
        self
    }

    /// Flush a row group once the data waiting in memory (encoded pages, and what is
    /// buffered before encoding, such as dictionaries) reaches this many bytes (default
    /// 16 MiB): the bound on the writer's memory.
    pub fn row_group_bytes(mut self, bytes: usize) -> Self {
        self.row_group_bytes = bytes.max(1);
        self
    }

    /// The row-group flush threshold in bytes.
    pub fn row_group_limit(&self) -> usize {
        self.row_group_bytes
    }

    pub(crate) fn columnar_options(&self) -> &ColumnarOptions {
        &self.columnar
    }
}

/// Batches in flight to the writer thread.
const QUEUE_BATCHES: usize = 2;

/// Write the batches of `stream` as a Parquet file to what `open` opens. If the export
/// fails, the file is left incomplete (and removed by `save_with`); the export's error is
/// returned.
pub(crate) async fn write_parquet(
    mut stream: RecordBatchStream,
    open: Opener,
    name: String,
    options: ParquetOptions,
) -> Result<ExportSummary, Error> {
    let io = |source| Error::Io {
        path: name.clone(),
        source,
    };
    let schema = stream.schema();
    let properties = WriterProperties::builder()
        .set_compression(options.compression)
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let limit = options.row_group_bytes;
    let write = move |mut receiver: tokio::sync::mpsc::Receiver<ToWriter<RecordBatch>>| -> std::io::Result<()> {
        let file = std::io::BufWriter::with_capacity(1 << 20, open()?);
        let mut writer = ArrowWriter::try_new(file, schema, Some(properties))
            .map_err(std::io::Error::other)?;
        while let Some(message) = receiver.blocking_recv() {
            match message {
                ToWriter::Item(batch) => {
                    writer.write(&batch).map_err(std::io::Error::other)?;
                    // Encoded pages and what is still buffered unencoded
                    // (dictionaries, keys) alike.
                    let held = writer.memory_size().max(writer.in_progress_size());
                    if held >= limit {
                        writer.flush().map_err(std::io::Error::other)?;
                    }
                }
                ToWriter::Finish => {
                    let mut file = writer.into_inner().map_err(std::io::Error::other)?;
                    return file.flush();
                }
            }
        }
        // The export was dropped: no footer, nothing more written.
        Ok(())
    };
    // The export failed: no `Finish`, so no footer (`save_with` removes the file).
    let written = crate::writer_thread::feed(&mut stream, QUEUE_BATCHES, false, write).await?;
    written.map_err(io)?;
    Ok(stream.summary())
}
