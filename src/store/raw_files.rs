//! Raw incoming messages kept as files instead of in the database: `<dir>/ab/<sha256>.eml`,
//! named by the SHA-256 of their bytes, so that a message stored twice is one file, and a
//! copy that no longer matches its name is caught when read.
//!
//! A file is written under a temporary name, synced and then renamed, so that a crash leaves
//! either the whole message or none; it is written before the database row that points to it,
//! so that a row never names a file that was not kept. A crash between the two leaves a file
//! no row names, which a later delivery of the same message reuses.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct RawFiles {
    root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum RawFileError {
    #[error("the raw message could not be kept in {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("the raw message {path} could not be read: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the raw message {path} has changed since it was stored: its bytes no longer match its name")]
    Changed { path: PathBuf },
    #[error("{0:?} is not the SHA-256 of a message")]
    BadName(String),
}

impl RawFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the message whose SHA-256 is `sha` (64 hex digits) is kept.
    pub fn path_of(&self, sha: &str) -> Result<PathBuf, RawFileError> {
        let hex = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !hex {
            return Err(RawFileError::BadName(sha.to_string()));
        }
        Ok(self.root.join(&sha[..2]).join(format!("{sha}.eml")))
    }

    /// Keeps `raw`, whose SHA-256 is `sha`, unless a whole copy is already there.
    pub fn put(&self, sha: &str, raw: &[u8]) -> Result<(), RawFileError> {
        let path = self.path_of(sha)?;
        if fs::metadata(&path).is_ok_and(|m| m.len() == raw.len() as u64) {
            return Ok(());
        }
        let failed = |source| RawFileError::Write { path: path.clone(), source };
        let dir = path.parent().expect("a raw file has a directory");
        fs::create_dir_all(dir).map_err(failed)?;
        // Named for this process and thread, so that two writers of one message never share it.
        let temp = dir.join(format!(".{sha}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
        let written = (|| {
            let mut file = File::create(&temp)?;
            file.write_all(raw)?;
            file.sync_all()?;
            fs::rename(&temp, &path)?;
            // The rename itself is durable only once the directory is synced.
            File::open(dir)?.sync_all()
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.map_err(failed)
    }

    /// The message whose SHA-256 is `sha`, checked against it.
    pub fn get(&self, sha: &str) -> Result<Vec<u8>, RawFileError> {
        let path = self.path_of(sha)?;
        let raw = fs::read(&path).map_err(|source| RawFileError::Read { path: path.clone(), source })?;
        if hex::encode(Sha256::digest(&raw)) != sha {
            return Err(RawFileError::Changed { path });
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(raw: &[u8]) -> String {
        hex::encode(Sha256::digest(raw))
    }

    #[test]
    fn a_message_is_kept_once_under_its_hash_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let files = RawFiles::new(dir.path());
        let raw = b"Subject: hi\r\n\r\nbody\r\n";
        let name = sha(raw);
        files.put(&name, raw).unwrap();
        files.put(&name, raw).unwrap();
        let path = dir.path().join(&name[..2]).join(format!("{name}.eml"));
        assert_eq!(fs::read(&path).unwrap(), raw);
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
        assert_eq!(files.get(&name).unwrap(), raw);
    }

    #[test]
    fn a_changed_or_missing_copy_and_a_bad_name_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let files = RawFiles::new(dir.path());
        let raw = b"Subject: hi\r\n\r\nbody\r\n";
        let name = sha(raw);
        assert!(matches!(files.get(&name), Err(RawFileError::Read { .. })));
        files.put(&name, raw).unwrap();
        fs::write(files.path_of(&name).unwrap(), b"Subject: ho\r\n\r\nbody\r\n").unwrap();
        assert!(matches!(files.get(&name), Err(RawFileError::Changed { .. })));
        for bad in ["../../etc/passwd", "ab", &name.to_uppercase()] {
            assert!(matches!(files.path_of(bad), Err(RawFileError::BadName(_))), "{bad}");
        }
    }

    #[test]
    fn a_directory_that_cannot_be_written_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"").unwrap();
        let files = RawFiles::new(&blocker);
        let raw = b"x";
        let err = files.put(&sha(raw), raw).unwrap_err().to_string();
        assert!(err.contains("could not be kept in") && err.contains("file"), "{err}");
    }
}
