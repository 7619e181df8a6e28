//! Writing results to files: the only place pgphase writes to the file system (besides the
//! throwaway cluster's own directory).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::Error;

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so a reader never sees half a file and a failure leaves nothing behind.
///
/// # Errors
/// [`Error::Io`] naming the path.
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    // A replaced file keeps its permissions; a new one gets the usual 0644 (the temporary file
    // is created 0600).
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
    file.as_file()
        .set_permissions(permissions)
        .map_err(io_error)?;
    file.write_all(contents).map_err(io_error)?;
    file.as_file().sync_all().map_err(io_error)?;
    file.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_whole_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("schema.yaml");
        write_file_atomically(&path, b"first")?;
        write_file_atomically(&path, b"second")?;
        assert_eq!(std::fs::read_to_string(&path)?, "second");
        assert_eq!(
            std::fs::read_dir(dir.path())?.count(),
            1,
            "no temporary file left behind"
        );
        Ok(())
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let result = write_file_atomically(Path::new("/nonexistent/dir/x.yaml"), b"x");
        let message = result.map_err(|e| e.to_string()).err().unwrap_or_default();
        assert!(
            message.starts_with("/nonexistent/dir/x.yaml: "),
            "{message}"
        );
    }
}
