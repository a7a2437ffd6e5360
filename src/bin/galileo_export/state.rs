//! `--state FILE`: the checkpoint of an incremental export, and what it was for.
//!
//! The file is JSON: `{"version": 1, "export": {...}, "checkpoint": {...}}`. `export`
//! holds what the checkpoint is about (the project, the log stream / experiment /
//! metrics-testing run, the root type and the `--filter`s, as sent); a state file written
//! for another export is refused. `--since`/`--until` are not part of it (a relative
//! `--since 24h` changes every run). It is written atomically (a temporary file renamed
//! over it) and only after the export completed, so a failed or cut run leaves the old
//! state and the next run repeats it.

use std::path::Path;

use galileo_export::Checkpoint;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct StateFile {
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

/// The checkpoint stored at `path` for this export: `None` if there is no file yet.
pub(crate) fn read(path: &Path, identity: &Value) -> Result<Option<Checkpoint>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read the state file {}: {e}",
                path.display()
            ))
        }
    };
    let state: StateFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "the state file {} is not a galileo-export state file: {e}",
            path.display()
        )
    })?;
    if state.version != VERSION {
        return Err(format!(
            "the state file {} has version {} (this galileo-export reads version {VERSION})",
            path.display(),
            state.version
        ));
    }
    if &state.export != identity {
        return Err(format!(
            "the state file {} was written for another export: it is for {}, this one is {}; \
             use another --state file for this one",
            path.display(),
            state.export,
            identity
        ));
    }
    Ok(Some(state.checkpoint))
}

/// Write the new checkpoint to `path`, atomically.
pub(crate) fn write(path: &Path, identity: &Value, checkpoint: &Checkpoint) -> Result<(), String> {
    let state = StateFile {
        version: VERSION,
        export: identity.clone(),
        checkpoint: checkpoint.clone(),
    };
    let mut text = serde_json::to_string_pretty(&state)
        .map_err(|e| format!("cannot serialize the state: {e}"))?;
    text.push('\n');
    let name = path
        .file_name()
        .ok_or_else(|| format!("`{}` is not a file path", path.display()))?
        .to_string_lossy()
        .into_owned();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!(
            "the export completed, but its state could not be written to {}: {e}",
            path.display()
        ));
    }
    Ok(())
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
