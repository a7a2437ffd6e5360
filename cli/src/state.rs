//! `--state FILE`: the checkpoint of an incremental export, and what it was for.
//!
//! The file is JSON: `{"version": 1, "export": {...}, "checkpoint": {...}}`. `export`
//! holds what the checkpoint is about (the project, the log stream / experiment /
//! metrics-testing run, the root type and the `--filter`s, as sent); a state file written
//! for another export is refused. `--since`/`--until` are not part of it (a relative
//! `--since 24h` changes every run).
//!
//! The rules:
//! - **Checked before anything is sent**: a symbolic link is followed (the file it
//!   points to is updated, the link stays); the directory must be writable.
//! - **One run at a time**: a run holds an advisory lock on `.NAME.lock` beside the
//!   state file for its whole length; a second run sharing the file is refused at once
//!   with a clear error (the lock file stays; the lock goes with the process, also when
//!   it is killed).
//! - **Never backwards**: the state is written atomically (a temporary file with the
//!   old file's permissions, renamed over it), only after the export completed, and
//!   never with a checkpoint older than the one on disk. A failed or cut run leaves the
//!   old state and the next run repeats it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use galileo_export::Checkpoint;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

const VERSION: u32 = 1;
/// Symbolic links followed before giving up (as the library's output does).
const MAX_SYMLINKS: usize = 40;

#[derive(Serialize, Deserialize)]
struct StoredState {
    version: u32,
    export: Value,
    checkpoint: Checkpoint,
}

/// What a checkpoint is about, from the request body (before `--since`, `--until` and the
/// checkpoint's own filter are added).
pub(crate) fn identity(project: &uuid::Uuid, body: &Value) -> Value {
    let mut out = Map::new();
    out.insert("project_id".into(), json!(project.to_string()));
    for key in [
        "log_stream_id",
        "experiment_id",
        "metrics_testing_id",
        "root_type",
        "filters",
    ] {
        if let Some(value) = body.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    Value::Object(out)
}

/// A state file held by this run: its lock and what it is for.
pub(crate) struct StateFile {
    /// As given on the command line (for messages).
    shown: PathBuf,
    /// The file written: `--state` with symbolic links followed.
    path: PathBuf,
    identity: Value,
    /// Held for the run; the lock goes when it is dropped or the process ends.
    _lock: File,
}

impl StateFile {
    /// Take the state file at `path` for this run: follow links, check the directory is
    /// writable, lock it, and read the checkpoint stored for this export (`None` if there
    /// is no file yet). Everything here happens before the export is sent.
    pub(crate) fn open(path: &Path, identity: Value) -> Result<(Self, Option<Checkpoint>), String> {
        let shown = path.to_path_buf();
        let path = follow_links(path)
            .map_err(|e| format!("cannot use the state file {}: {e}", shown.display()))?;
        let name = path
            .file_name()
            .ok_or_else(|| format!("`{}` is not a file path", shown.display()))?
            .to_string_lossy()
            .into_owned();
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let lock_path = dir.join(format!(".{name}.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                format!(
                    "cannot use the state file {}: cannot create {} in {}: {e}",
                    shown.display(),
                    lock_path.display(),
                    dir.display()
                )
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "another galileo-export run is using the state file {} (it holds the lock {}); \
                     wait for it to finish, or give this export its own --state file",
                    shown.display(),
                    lock_path.display()
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!(
                    "cannot lock the state file {} ({}): {e}",
                    shown.display(),
                    lock_path.display()
                ))
            }
        }
        let state = StateFile {
            shown,
            path,
            identity,
            _lock: lock,
        };
        // The new state is written beside the old one: find out now, not after the export.
        let probe = state.temp_path();
        File::create(&probe)
            .and_then(|_| std::fs::remove_file(&probe))
            .map_err(|e| {
                format!(
                    "cannot write the state file {}: its directory {} is not writable: {e}",
                    state.shown.display(),
                    dir.display()
                )
            })?;
        let previous = state.read()?;
        Ok((state, previous))
    }

    fn temp_path(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.path
            .with_file_name(format!(".{name}.{}.tmp", std::process::id()))
    }

    /// The checkpoint on disk for this export: `None` if there is no file yet.
    fn read(&self) -> Result<Option<Checkpoint>, String> {
        let shown = self.shown.display();
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read the state file {shown}: {e}")),
        };
        let state: StoredState = serde_json::from_str(&text).map_err(|e| {
            format!("the state file {shown} is not a galileo-export state file: {e}")
        })?;
        if state.version != VERSION {
            return Err(format!(
                "the state file {shown} has version {} (this galileo-export reads version {VERSION})",
                state.version
            ));
        }
        if state.export != self.identity {
            return Err(format!(
                "the state file {shown} was written for another export: it is for {}, this one is {}; \
                 use another --state file for this one",
                state.export, self.identity
            ));
        }
        Ok(Some(state.checkpoint))
    }

    /// Store `checkpoint`, atomically, unless the file already holds a newer one (then
    /// it is kept, and `Ok(false)` says so).
    pub(crate) fn write(&self, checkpoint: &Checkpoint) -> Result<bool, String> {
        // The lock keeps other runs of this version out; whatever else wrote the file
        // meanwhile, a newer checkpoint on disk is never replaced by an older one.
        let on_disk = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str::<StoredState>(&text).ok());
        if on_disk.is_some_and(|state| state.checkpoint.created_at() > checkpoint.created_at()) {
            return Ok(false);
        }
        let state = StoredState {
            version: VERSION,
            export: self.identity.clone(),
            checkpoint: checkpoint.clone(),
        };
        let mut text = serde_json::to_string_pretty(&state)
            .map_err(|e| format!("cannot serialize the state: {e}"))?;
        text.push('\n');
        let temp = self.temp_path();
        let written = create_like(&temp, &self.path)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())?;
                file.sync_all()
            })
            .and_then(|()| std::fs::rename(&temp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(format!(
                "the export completed, but its state could not be written to {}: {e}",
                self.shown.display()
            ));
        }
        Ok(true)
    }
}

/// Create `temp` with the permissions of `like` (if it exists) from the start.
fn create_like(temp: &Path, like: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if let Ok(metadata) = std::fs::metadata(like) {
            options.mode(metadata.permissions().mode() & 0o7777);
        }
    }
    #[cfg(not(unix))]
    let _ = like;
    options.open(temp)
}

/// Follow `path` through symbolic links (a relative target is relative to the link's
/// directory) to the file that is read and replaced.
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_SYMLINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            Ok(metadata) if metadata.is_dir() => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a directory",
                ))
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// For a CSV export body with chosen columns: a key column a checkpoint needs that is
/// not among them.
pub(crate) fn csv_lacks_keys(body: &Value) -> Option<&'static str> {
    if body.get("export_format").and_then(Value::as_str) != Some("csv") {
        return None;
    }
    let columns = body.get("column_ids")?.as_array()?;
    ["created_at", "id"]
        .into_iter()
        .find(|key| !columns.iter().any(|c| c.as_str() == Some(*key)))
}
