//! Station 1: find the spec file.

use std::path::{Path, PathBuf};

use crate::error::{CodegenError, Location};

/// The environment variable that, when set, names the spec file to generate from.
pub const SPEC_ENV_VAR: &str = "GALILEO_OPENAPI_SPEC";

/// File extensions recognised as specs in the `openapi/` folder.
pub const SPEC_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Pick the spec: `override_path` when given (from [`SPEC_ENV_VAR`]), else the single
/// `*.yaml|*.yml|*.json` file in `dir`. Zero or several candidates is an error.
pub fn locate_spec(dir: &Path, override_path: Option<&Path>) -> Result<PathBuf, CodegenError> {
    if let Some(path) = override_path {
        if !path.is_file() {
            return Err(CodegenError::new(
                path,
                Location::File,
                format!("{SPEC_ENV_VAR} names a file that does not exist or is not a file"),
            ));
        }
        return Ok(path.to_path_buf());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CodegenError::new(
            dir,
            Location::File,
            format!("cannot read the spec folder: {e}"),
        )
    })?;
    let mut candidates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            CodegenError::new(
                dir,
                Location::File,
                format!("cannot read the spec folder: {e}"),
            )
        })?;
        let path = entry.path();
        let is_spec = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SPEC_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
        if is_spec && path.is_file() {
            candidates.push(path);
        }
    }
    candidates.sort();
    match candidates.len() {
        1 => Ok(candidates.remove(0)),
        0 => Err(CodegenError::new(
            dir,
            Location::File,
            format!(
                "no OpenAPI spec found: put exactly one *.yaml, *.yml or *.json file here, or set {SPEC_ENV_VAR}"
            ),
        )),
        _ => Err(CodegenError::new(
            dir,
            Location::File,
            format!(
                "{} spec files found ({}): keep exactly one, or set {SPEC_ENV_VAR} to choose",
                candidates.len(),
                candidates
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}
