//! Writing results to files: the only place pgphase writes to the file system (besides the
//! throwaway cluster's own directory).

pub mod diff_report;
pub mod plan_files;

use std::io::{Seek, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::source::yaml::{Desired, SourceFile};

/// Why a file or a plan folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{} exists already; pass --force to replace it",
        path.display()
    )]
    PlanExists { path: PathBuf },
    /// The cause (printed on its own line by the binary) says what went wrong with the path.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target, so a reader never sees half a file and a failure leaves nothing behind.
///
/// # Errors
/// [`Error::Io`] naming the path.
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    write_file_atomically_with(path, |out| out.write_all(contents))
}

/// [`write_file_atomically`], with the contents written by `write` as they are made.
///
/// # Errors
/// [`Error::Io`] naming the path, when `write` or the file system fails.
pub fn write_file_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let dir = folder_of(path);
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    // A replaced file keeps its permissions; a new one gets the usual 0644 (the temporary file
    // is created 0600).
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
    file.as_file()
        .set_permissions(permissions)
        .map_err(io_error)?;
    let mut out = std::io::BufWriter::new(&mut file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(io_error)?;
    drop(out);
    file.as_file().sync_all().map_err(io_error)?;
    file.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// Writes a plan folder at `dir` from `files` (relative path → text). The folder is built
/// beside `dir` and renamed into place, so a reader never sees half a plan; an existing `dir`
/// is replaced only when `force` is set.
///
/// # Errors
/// [`Error::PlanExists`] when `dir` exists and `force` is not set; [`Error::Io`] naming the path
/// that failed.
pub fn write_plan_folder(
    dir: &Path,
    files: &std::collections::BTreeMap<PathBuf, String>,
    force: bool,
) -> Result<(), Error> {
    let mut folder = StagedFolder::new(dir, force)?;
    folder.write(files)?;
    folder.commit()
}

/// A plan folder being written: its files go into a hidden folder beside `dir`, which takes
/// `dir`'s place only on [`StagedFolder::commit`]. Dropped uncommitted, it is removed and `dir`
/// is left as it was. Files can be written in several rounds, so that a slow one (the desired
/// schema) can be made on another thread while the others are written.
#[derive(Debug)]
pub struct StagedFolder {
    dir: PathBuf,
    parent: PathBuf,
    replaces: bool,
    staging: tempfile::TempDir,
    /// The folders made so far: each once, not once per file (a large plan has thousands of
    /// files in one folder).
    folders: std::collections::BTreeSet<PathBuf>,
}

/// A file of a [`StagedFolder`], written as its text is made.
#[derive(Debug)]
pub struct StagedFile {
    out: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
}

impl StagedFile {
    /// Writes the file's text with `write` and closes it.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file when `write` or the file system fails.
    pub fn write_with(
        mut self,
        write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        write(&mut self.out)
            .and_then(|()| self.out.flush())
            .map_err(io_error(&self.path))
    }
}

/// Writes a plan's `desired.yaml` into `out`: the desired file copied as it was read
/// (`source`), or `desired` written out when there is no file or it was edited since it was
/// read (the plan was made from what was read). Returns whether it had been edited.
///
/// # Errors
/// When the file cannot be read or `out` fails.
pub fn write_desired_yaml(
    out: &mut std::io::BufWriter<std::fs::File>,
    desired: &Desired,
    source: Option<&SourceFile>,
) -> std::io::Result<bool> {
    let edited = match source {
        Some(source) if source.copy_to(out)? => return Ok(false),
        Some(_) => {
            // The copy is the edited text: start the file again.
            out.flush()?;
            out.get_mut().set_len(0)?;
            out.get_mut().rewind()?;
            true
        }
        None => false,
    };
    crate::source::yaml::write_desired_to(desired, out)?;
    Ok(edited)
}

impl StagedFolder {
    /// Starts a plan folder at `dir`.
    ///
    /// # Errors
    /// [`Error::PlanExists`] when `dir` exists and `force` is not set; [`Error::Io`] when the
    /// staging folder cannot be made.
    pub fn new(dir: &Path, force: bool) -> Result<Self, Error> {
        let replaces = dir.exists();
        if replaces && !force {
            return Err(Error::PlanExists {
                path: dir.to_owned(),
            });
        }
        let parent = folder_of(dir);
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let staging = tempfile::Builder::new()
            .prefix(".pgphase-plan-")
            .tempdir_in(parent)
            .map_err(io_error(parent))?;
        Ok(Self {
            dir: dir.to_owned(),
            parent: parent.to_owned(),
            replaces,
            staging,
            folders: std::collections::BTreeSet::new(),
        })
    }

    /// Writes `files` (relative path → text) into the folder. Given by value, each text is
    /// freed once written.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path that failed.
    pub fn write<P: AsRef<Path>, T: AsRef<[u8]>>(
        &mut self,
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Result<(), Error> {
        for (relative, text) in files {
            let (relative, text) = (relative.as_ref(), text.as_ref());
            let path = self.staging.path().join(relative);
            if let Some(folder) = path.parent()
                && !self.folders.contains(folder)
            {
                std::fs::create_dir_all(folder).map_err(io_error(folder))?;
                self.folders.insert(folder.to_owned());
            }
            std::fs::write(&path, text).map_err(io_error(&path))?;
        }
        Ok(())
    }

    /// Creates the file `relative` (in the folder itself, not in one of its folders) for its
    /// text to be written as it is made, rather than held whole first.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path that failed.
    pub fn create_file(&self, relative: &Path) -> Result<StagedFile, Error> {
        let path = self.staging.path().join(relative);
        let file = std::fs::File::create(&path).map_err(io_error(&path))?;
        Ok(StagedFile {
            out: std::io::BufWriter::new(file),
            path,
        })
    }

    /// Puts the folder in `dir`'s place.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path that failed; `dir` is then as it was.
    pub fn commit(self) -> Result<(), Error> {
        let (dir, parent) = (&self.dir, &self.parent);
        std::fs::set_permissions(self.staging.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(io_error(self.staging.path()))?;
        if self.replaces {
            // Move the old folder aside first, so that a failure leaves one of the two in place.
            let old = tempfile::Builder::new()
                .prefix(".pgphase-old-")
                .tempdir_in(parent)
                .map_err(io_error(parent))?;
            let aside = old.path().join("plan");
            std::fs::rename(dir, &aside).map_err(io_error(dir))?;
            if let Err(source) = std::fs::rename(self.staging.path(), dir) {
                let _ = std::fs::rename(&aside, dir);
                return Err(Error::Io {
                    path: dir.to_owned(),
                    source,
                });
            }
            drop(old);
        } else {
            std::fs::rename(self.staging.path(), dir).map_err(io_error(dir))?;
        }
        // The staging directory was renamed away; forgetting it skips a pointless removal.
        let _ = self.staging.keep();
        Ok(())
    }
}

/// The folder `path` is in: `.` for a bare name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// An [`Error::Io`] maker for `path`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_owned();
    move |source| Error::Io { path, source }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

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
        let error = write_file_atomically(Path::new("/nonexistent/dir/x.yaml"), b"x").unwrap_err();
        assert_eq!(error.to_string(), "/nonexistent/dir/x.yaml");
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        assert!(
            cause
                .as_deref()
                .is_some_and(|c| c.starts_with("No such file or directory")),
            "{cause:?}"
        );
    }

    fn files(text: &str) -> BTreeMap<PathBuf, String> {
        BTreeMap::from([
            (PathBuf::from("README.md"), text.to_owned()),
            (PathBuf::from("gates/a/1.md"), text.to_owned()),
            (PathBuf::from("gates/b.md"), text.to_owned()),
        ])
    }

    #[test]
    fn a_plan_folder_is_not_replaced_without_force() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plans/one");
        write_plan_folder(&dir, &files("first"), false).unwrap();
        let error = write_plan_folder(&dir, &files("second"), false).unwrap_err();
        assert!(matches!(error, Error::PlanExists { .. }), "{error}");
        assert_eq!(
            std::fs::read_to_string(dir.join("README.md")).unwrap(),
            "first"
        );
        write_plan_folder(&dir, &files("second"), true).unwrap();
        for file in ["README.md", "gates/a/1.md", "gates/b.md"] {
            assert_eq!(
                std::fs::read_to_string(dir.join(file)).unwrap(),
                "second",
                "{file}"
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(root.path().join("plans"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("one")]);
    }

    #[test]
    fn a_staged_folder_takes_files_in_rounds_and_leaves_nothing_when_dropped() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        write_plan_folder(&dir, &files("first"), false).unwrap();
        let mut dropped = StagedFolder::new(&dir, true).unwrap();
        dropped.write(&files("second")).unwrap();
        drop(dropped);
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
        assert_eq!(
            std::fs::read_to_string(dir.join("README.md")).unwrap(),
            "first"
        );
        let mut folder = StagedFolder::new(&dir, true).unwrap();
        folder.write(&files("second")).unwrap();
        let late = BTreeMap::from([(PathBuf::from("gates/a/2.md"), "late".to_owned())]);
        folder.write(&late).unwrap();
        folder.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("gates/a/1.md")).unwrap(),
            "second"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("gates/a/2.md")).unwrap(),
            "late"
        );
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_streamed_file_is_in_the_folder_when_written_and_names_itself_when_it_fails() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        let mut folder = StagedFolder::new(&dir, false).unwrap();
        let file = folder.create_file(Path::new("desired.yaml")).unwrap();
        file.write_with(|out| out.write_all(b"streamed")).unwrap();
        let failing = folder.create_file(Path::new("broken.yaml")).unwrap();
        let error = failing
            .write_with(|_| Err(std::io::Error::other("disk full")))
            .unwrap_err();
        assert!(error.to_string().ends_with("broken.yaml"), "{error}");
        folder.write(&files("other")).unwrap();
        folder.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("desired.yaml")).unwrap(),
            "streamed"
        );
    }

    #[test]
    fn desired_yaml_is_the_file_as_read_or_else_the_schema_written_out() {
        let root = tempfile::tempdir().unwrap();
        let text = "pgphase: 1\nschemas:\n  public:\n    tables:\n      t:\n        columns:\n          \
                    id: { type: bigint }\n";
        let source_path = root.path().join("desired.yaml");
        std::fs::write(&source_path, text).unwrap();
        let desired = crate::source::yaml::parse(text, "desired.yaml").unwrap();
        let source = SourceFile::new(&source_path, text);
        let written = |source: Option<&SourceFile>| {
            let dir = root.path().join("plan");
            let folder = StagedFolder::new(&dir, true).unwrap();
            let file = folder.create_file(Path::new("desired.yaml")).unwrap();
            let mut edited = None;
            file.write_with(|out| {
                edited = Some(write_desired_yaml(out, &desired, source)?);
                Ok(())
            })
            .unwrap();
            folder.commit().unwrap();
            let yaml = std::fs::read_to_string(dir.join("desired.yaml")).unwrap();
            (yaml, edited.unwrap())
        };
        assert_eq!(written(Some(&source)), (text.to_owned(), false));
        let schema_written = crate::source::yaml::write_desired(&desired);
        assert_ne!(
            schema_written, text,
            "the copy is not the schema written out"
        );
        assert_eq!(written(None), (schema_written.clone(), false));
        // Edited after it was read, and longer: the copy is started again, none of it left.
        std::fs::write(
            &source_path,
            format!("{text}# edited\n{}", "#\n".repeat(50_000)),
        )
        .unwrap();
        assert_eq!(written(Some(&source)), (schema_written, true));
    }

    #[test]
    fn a_file_written_as_it_is_made_is_whole_or_not_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schema.yaml");
        write_file_atomically_with(&path, |out| {
            out.write_all(b"one, ")?;
            out.write_all(b"two")
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one, two");
        let error = write_file_atomically_with(&path, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("cut off"))
        })
        .unwrap_err();
        assert_eq!(error.to_string(), path.display().to_string());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one, two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
