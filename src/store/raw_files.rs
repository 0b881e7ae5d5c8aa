//! Raw incoming messages kept as files instead of in the database: `<dir>/ab/<sha256>.eml`,
//! named by the SHA-256 of their bytes, so that a message stored twice is one file, and a
//! copy that no longer matches its name is caught when read.
//!
//! A file is written under a temporary name of its own (random, created exclusively, readable
//! by the service's user only), synced and then renamed, so that a crash leaves either the
//! whole message or none, and two writers of one message on two hosts never share a file. The
//! directories are synced too, so that the name survives a crash as well as the bytes. It is
//! all done before the database row that points to the file is written, so that a row never
//! names a file that was not kept. A crash between the two leaves a file no row names, which a
//! later delivery of the same message reuses.

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
    #[error("{path} cannot be a directory for raw messages: {why}")]
    NotADirectory { path: PathBuf, why: String },
    #[error("{0:?} is not the SHA-256 of a message")]
    BadName(String),
}

impl RawFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The files under `root`, checked so that a path that can never be a directory is
    /// reported when a command starts, not at the first message. A missing directory is made
    /// by the first message kept, so that a command that keeps none makes nothing.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, RawFileError> {
        let root: PathBuf = root.into();
        let blocked = |why: &str| RawFileError::NotADirectory { path: root.clone(), why: why.to_string() };
        match root.ancestors().find(|a| a.as_os_str().is_empty() || a.exists()) {
            Some(a) if a == root && !a.is_dir() => return Err(blocked("it is a file")),
            Some(a) if !a.as_os_str().is_empty() && !a.is_dir() => {
                return Err(blocked(&format!("{} is a file", a.display())));
            }
            _ => {}
        }
        Ok(Self { root })
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

    /// Keeps `raw`, whose SHA-256 is `sha`, unless a sound copy is already there; a copy that
    /// no longer matches is replaced.
    pub fn put(&self, sha: &str, raw: &[u8]) -> Result<(), RawFileError> {
        let path = self.path_of(sha)?;
        let failed = |source| RawFileError::Write { path: path.clone(), source };
        let dir = path.parent().expect("a raw file has a directory");
        if fs::metadata(&path).is_ok_and(|m| m.len() == raw.len() as u64)
            && fs::read(&path).is_ok_and(|kept| kept == raw)
        {
            // Another writer's rename may not be durable yet.
            return sync_dir(dir).map_err(failed);
        }
        let (new_root, new_dir) = (!self.root.exists(), !dir.exists());
        fs::create_dir_all(dir).map_err(failed)?;
        if new_root && let Some(parent) = self.root.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent).map_err(failed)?;
        }
        if new_dir {
            sync_dir(&self.root).map_err(failed)?;
        }
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
        file.write_all(raw).map_err(failed)?;
        file.as_file().sync_all().map_err(failed)?;
        // On failure the temporary file is removed as it is dropped.
        file.persist(&path).map_err(|e| failed(e.error))?;
        sync_dir(dir).map_err(failed)
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

/// A rename or a new entry is durable only once its directory is synced.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "personal data: readable by the service only ({mode:o})");
        }
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
        files.put(&name, raw).unwrap();
        assert_eq!(files.get(&name).unwrap(), raw, "a changed copy is replaced when the message comes again");
        for bad in ["../../etc/passwd", "ab", &name.to_uppercase()] {
            assert!(matches!(files.path_of(bad), Err(RawFileError::BadName(_))), "{bad}");
        }
    }

    #[test]
    fn a_path_that_cannot_be_a_directory_is_refused_at_once_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        for bad in [file.clone(), file.join("raw")] {
            let err = RawFiles::open(&bad).unwrap_err().to_string();
            assert!(err.contains("cannot be a directory") && err.contains("is a file"), "{err}");
        }
        let later = dir.path().join("later").join("raw");
        RawFiles::open(&later).unwrap();
        assert!(!later.exists(), "made by the first message, not by opening");
        RawFiles::open(dir.path()).unwrap();
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
