//! Where an export's bytes go: a file (written atomically, or in place for devices and
//! pipes), an async writer, or a blocking writer on a thread of its own. Each reads a
//! [`BodyStream`] to its end and returns its [`ExportSummary`].

use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::body::{BodyStream, ExportSummary};
use crate::error::Error;
use crate::writer_thread::ToWriter;

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
    Ok(body.summary())
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

/// Symbolic links followed before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// What `save` finds at its path, symbolic links followed.
enum Destination {
    /// A regular file, or nothing yet (a dangling link: its target): written to a
    /// temporary file next to `path` and renamed over it. `existing`: the metadata of the
    /// file it replaces.
    File {
        path: PathBuf,
        existing: Option<std::fs::Metadata>,
    },
    /// Neither a regular file nor a directory (a character or block device such as
    /// `/dev/null`, a FIFO, a socket): written in place, never replaced.
    InPlace {
        path: PathBuf,
        file_type: std::fs::FileType,
    },
}

/// Follow `path` through symbolic links (a relative link target is relative to the
/// link's directory) to what will be written.
async fn destination(path: &Path) -> std::io::Result<Destination> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_SYMLINKS {
        let metadata = match tokio::fs::symlink_metadata(&current).await {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::File {
                    path: current,
                    existing: None,
                })
            }
            Err(e) => return Err(e),
        };
        let file_type = metadata.file_type();
        if file_type.is_symlink() {
            let target = tokio::fs::read_link(&current).await?;
            // `join` keeps an absolute target as it is.
            current = match current.parent() {
                Some(dir) => dir.join(target),
                None => target,
            };
        } else if file_type.is_file() {
            return Ok(Destination::File {
                path: current,
                existing: Some(metadata),
            });
        } else if file_type.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        } else {
            return Ok(Destination::InPlace {
                path: current,
                file_type,
            });
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Open a device, FIFO or socket for writing, as it is (no temporary file, no rename).
/// Blocking: opening a FIFO waits for its reader.
fn open_in_place(
    path: &Path,
    file_type: std::fs::FileType,
) -> std::io::Result<Box<dyn Write + Send>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        // open(2) refuses a socket (ENXIO): connect to it instead.
        if file_type.is_socket() {
            return Ok(Box::new(std::os::unix::net::UnixStream::connect(path)?));
        }
    }
    let _ = file_type;
    Ok(Box::new(
        std::fs::OpenOptions::new().write(true).open(path)?,
    ))
}

/// Opens the writer of a [`save_with`] destination (on the writer thread).
pub(crate) type Opener = Box<dyn FnOnce() -> std::io::Result<Box<dyn Write + Send>> + Send>;

/// Stream the body to `path` (see [`ExportBuilder::save`](crate::ExportBuilder::save)).
pub(crate) async fn save(body: BodyStream, path: &Path) -> Result<ExportSummary, Error> {
    save_with(path, move |open, name| async move {
        write_via_thread(body, open, &name).await
    })
    .await
}

/// Write an export to `path` with `write`, which gets the destination's opener and its
/// display name: a regular file is written under a temporary name next to it and renamed
/// over it once `write` succeeded (with the owner and mode of the file it replaces from
/// the moment it is created, so the export is never readable by more users than that
/// file is); a device, FIFO or socket is written in place. On failure, or when the future
/// is dropped, no temporary file stays.
pub(crate) async fn save_with<F, Fut>(path: &Path, write: F) -> Result<ExportSummary, Error>
where
    F: FnOnce(Opener, String) -> Fut,
    Fut: std::future::Future<Output = Result<ExportSummary, Error>>,
{
    let display = path.display().to_string();
    let io = |source| Error::Io {
        path: display.clone(),
        source,
    };
    let not_a_file = || Error::InvalidRequest(format!("`{display}` is not a file path"));
    if path.file_name().is_none() {
        return Err(not_a_file());
    }
    let (target, existing) = match destination(path).await.map_err(io)? {
        Destination::InPlace { path, file_type } => {
            // Opened by the writer thread: a FIFO's open blocks until it has a reader,
            // and a dropped export must not leave a runtime thread waiting for one.
            let open: Opener = Box::new(move || open_in_place(&path, file_type));
            return write(open, display.clone()).await;
        }
        Destination::File { path, existing } => (path, existing),
    };
    let file_name = target
        .file_name()
        .ok_or_else(not_a_file)?
        .to_string_lossy()
        .into_owned();
    let mut temp = TempFile {
        path: target.with_file_name(format!(
            ".{file_name}.{}.{:08x}.part",
            std::process::id(),
            rand::random::<u32>()
        )),
        committed: false,
    };
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if existing.is_some() {
        // Owner only until it has the owner, group and mode of the file it replaces
        // (below, before a byte is written): never readable by more than that file.
        options.mode(0o600);
    }
    let file = options.open(&temp.path).await.map_err(io)?.into_std().await;
    if let Some(existing) = &existing {
        // The file being replaced keeps its owner and mode, from the start; a new one
        // gets the umask's.
        keep_owner_and_mode(&temp.path, existing)
            .await
            .map_err(io)?;
    }
    let open: Opener = Box::new(move || Ok(Box::new(file) as Box<dyn Write + Send>));
    let summary = write(open, display.clone()).await?;
    if let Some(existing) = &existing {
        // Again: writing may have cleared set-user-ID and set-group-ID bits.
        tokio::fs::set_permissions(&temp.path, existing.permissions())
            .await
            .map_err(io)?;
    }
    tokio::fs::rename(&temp.path, &target).await.map_err(io)?;
    temp.committed = true;
    Ok(summary)
}

/// Give the temporary file the owner and group of the file it replaces (best effort:
/// only root may give a file away, others may pick one of their groups), then its
/// permission bits.
async fn keep_owner_and_mode(path: &Path, existing: &std::fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let current = tokio::fs::metadata(path).await?;
        let uid = (current.uid() != existing.uid()).then_some(existing.uid());
        let gid = (current.gid() != existing.gid()).then_some(existing.gid());
        if uid.is_some() || gid.is_some() {
            let temp = path.to_path_buf();
            // Before the mode: chown clears the set-user-ID and set-group-ID bits.
            let _ = tokio::task::spawn_blocking(move || {
                let _ = std::os::unix::fs::chown(&temp, None, gid);
                let _ = std::os::unix::fs::chown(&temp, uid, None);
            })
            .await;
        }
    }
    tokio::fs::set_permissions(path, existing.permissions()).await
}

/// Network chunks queued for the writer thread (bounded: memory stays constant).
const WRITER_QUEUE_CHUNKS: usize = 64;

/// The writer thread's buffer: queued chunks are coalesced into writes of up to this size.
const WRITER_BUFFER: usize = 1 << 20;

/// Stream `body` into a blocking writer owned by a dedicated thread, which coalesces
/// chunks into large writes. See [`ExportBuilder::write_to_std`](crate::ExportBuilder).
pub(crate) async fn write_to_std<W>(
    body: BodyStream,
    writer: W,
    name: &str,
) -> Result<ExportSummary, Error>
where
    W: std::io::Write + Send + 'static,
{
    write_via_thread(body, move || Ok(writer), name).await
}

/// [`write_to_std`] with the writer opened by the thread itself.
///
/// If the export fails, what arrived before the failure is written and flushed, then the
/// export's error is returned (like [`write_to`]). If the future is dropped, the thread
/// discards what it buffered and ends, without waiting for anything.
async fn write_via_thread<W, F>(
    mut body: BodyStream,
    open: F,
    name: &str,
) -> Result<ExportSummary, Error>
where
    W: std::io::Write + Send + 'static,
    F: FnOnce() -> std::io::Result<W> + Send + 'static,
{
    let io = |source| Error::Io {
        path: name.to_string(),
        source,
    };
    let written = crate::writer_thread::feed(&mut body, WRITER_QUEUE_CHUNKS, true, |receiver| {
        open().and_then(|writer| write_chunks(receiver, writer))
    })
    .await?;
    written.map_err(io)?;
    Ok(body.summary())
}

/// The writer thread: chunks into a large buffer, written whenever it fills up or the
/// queue runs dry (so a slow export still reaches the writer as it arrives).
fn write_chunks<W: std::io::Write>(
    mut receiver: tokio::sync::mpsc::Receiver<ToWriter<Bytes>>,
    writer: W,
) -> std::io::Result<()> {
    use std::io::Write;
    use tokio::sync::mpsc::error::TryRecvError;

    let mut out = std::io::BufWriter::with_capacity(WRITER_BUFFER, writer);
    loop {
        let message = match receiver.try_recv() {
            Ok(message) => message,
            Err(TryRecvError::Empty) => {
                out.flush()?;
                match receiver.blocking_recv() {
                    Some(message) => message,
                    None => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        match message {
            ToWriter::Item(chunk) => out.write_all(&chunk)?,
            ToWriter::Finish => return out.flush(),
        }
    }
    // The export was dropped: discard what is buffered rather than write it.
    drop(out.into_parts());
    Ok(())
}
