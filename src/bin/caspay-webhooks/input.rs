//! Bodies from files or standard input, read as raw bytes (never re-encoded).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// The body in `file`, or standard input for `-` or no file.
pub fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    match file {
        Some(path) if path.as_os_str() != "-" => read_file(path),
        _ => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
            Ok(body)
        }
    }
}

/// The bytes of a file, or a usage error naming it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}
