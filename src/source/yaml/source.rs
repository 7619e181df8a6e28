//! The desired file as it was read, for a plan to carry byte for byte: where it is and a
//! fingerprint of its text, so that a copy made later is known to be the text the plan was made
//! from (the file may have been edited since).

use std::hash::Hasher;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A desired file read from the disk: its path and the fingerprint of the text read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    path: PathBuf,
    fingerprint: Fingerprint,
}

/// The length and a hash of a text: equal for equal texts, and for different ones only by a
/// collision of a 64-bit hash between two versions of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    hash: u64,
}

/// Fingerprints bytes written through it, in any pieces.
#[derive(Default)]
struct Fingerprinting {
    len: u64,
    hasher: std::hash::DefaultHasher,
}

impl Fingerprinting {
    fn add(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        // `write` hashes a stream: pieces give the hash of their concatenation.
        self.hasher.write(bytes);
    }

    fn finish(&self) -> Fingerprint {
        Fingerprint {
            len: self.len,
            hash: self.hasher.finish(),
        }
    }
}

/// A writer that fingerprints what passes through it.
struct Fingerprinted<W> {
    out: W,
    fingerprinting: Fingerprinting,
}

impl<W: Write> Write for Fingerprinted<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.fingerprinting.add(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl SourceFile {
    /// The file at `path`, whose text read was `text`.
    #[must_use]
    pub fn new(path: &Path, text: &str) -> Self {
        let mut fingerprinting = Fingerprinting::default();
        fingerprinting.add(text.as_bytes());
        Self {
            path: path.to_owned(),
            fingerprint: fingerprinting.finish(),
        }
    }

    /// Where the file is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies the file into `out`, streaming, and says whether what was copied is the text that
    /// was read. When it is not (the file was edited since), `out` holds the edited text and
    /// must be written again.
    ///
    /// # Errors
    /// When the file cannot be read or `out` fails.
    pub fn copy_to(&self, out: &mut impl Write) -> io::Result<bool> {
        let mut file = std::fs::File::open(&self.path)?;
        let mut copy = Fingerprinted {
            out,
            fingerprinting: Fingerprinting::default(),
        };
        io::copy(&mut file, &mut copy)?;
        Ok(copy.fingerprinting.finish() == self.fingerprint)
    }

    /// The file's text when it is still the text that was read; `None` when it was edited.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn read_unchanged(&self) -> io::Result<Option<String>> {
        let text = std::fs::read_to_string(&self.path)?;
        Ok((Self::new(&self.path, &text).fingerprint == self.fingerprint).then_some(text))
    }
}

#[allow(clippy::unwrap_used)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_the_text_read_until_the_file_is_edited() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desired.yaml");
        // Longer than the copy's buffer, so that it is hashed in pieces.
        let text = "pgphase: 1\n".repeat(20_000);
        std::fs::write(&path, &text).unwrap();
        let source = SourceFile::new(&path, &text);
        let mut copied = Vec::new();
        assert!(source.copy_to(&mut copied).unwrap());
        assert_eq!(copied, text.as_bytes());
        assert_eq!(source.read_unchanged().unwrap().as_deref(), Some(&*text));

        let edited = text.replacen("pgphase: 1", "pgphase: 2", 1);
        std::fs::write(&path, &edited).unwrap();
        let mut copied = Vec::new();
        assert!(!source.copy_to(&mut copied).unwrap());
        assert_eq!(source.read_unchanged().unwrap(), None);
        std::fs::write(&path, format!("{text}\n")).unwrap();
        assert_eq!(source.read_unchanged().unwrap(), None, "one byte longer");

        std::fs::remove_file(&path).unwrap();
        assert!(source.copy_to(&mut Vec::new()).is_err());
    }
}
