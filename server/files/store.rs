//! Where file bytes live. Keys name their content (a SHA-256, plus a suffix for the
//! thumbnail and preview made of it), so storing a key twice stores it once, and nothing
//! stored is ever changed in place.
//!
//! [`LocalDir`] is the store of a single host: a directory under the data dir, or one
//! directory shared by several nodes on that host (set `files_dir`). A store for an
//! S3-compatible service would implement the same three calls with PUT, DELETE and a
//! short-lived pre-signed GET URL that `/files/…` redirects to after its access check.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A place for content-addressed bytes.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key` unless the key is there already.
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()>;
    /// The local file holding `key`, to serve it from.
    fn path(&self, key: &str) -> PathBuf;
    /// Removes `key`; a key already gone is no error.
    fn remove(&self, key: &str) -> io::Result<()>;
}

/// Files in a local directory, fanned out as `ab/cd/abcd…` so no directory grows huge.
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    /// A store in `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl BlobStore for LocalDir {
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.path(key);
        if target.exists() {
            return Ok(());
        }
        let parent = target.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(parent)?;
        // Written beside its place and renamed in, so a reader (or a second upload of the
        // same bytes racing this one) never sees half a file.
        let mut temp = tempfile::NamedTempFile::new_in(parent)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        temp.persist(&target).map_err(|e| e.error)?;
        Ok(())
    }

    fn path(&self, key: &str) -> PathBuf {
        let fan = |range: std::ops::Range<usize>| key.get(range).unwrap_or("__");
        self.root.join(fan(0..2)).join(fan(2..4)).join(key)
    }

    fn remove(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The key of an upload's bytes, or of the thumbnail or preview made of them.
pub fn key(sha256: &str, variant: Option<(&str, &str)>) -> String {
    match variant {
        Some((name, format)) => format!("{sha256}.{name}.{format}"),
        None => sha256.to_owned(),
    }
}

/// Whether a directory is usable as a store (checked at start-up so a wrong path fails
/// loudly instead of at the first upload).
pub fn check_dir(root: &Path) -> io::Result<()> {
    std::fs::create_dir_all(root)?;
    tempfile::NamedTempFile::new_in(root).map(drop)
}
