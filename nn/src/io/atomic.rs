//! The one atomic file writer: weights and pictures alike are written to a
//! temporary file in the target's directory, flushed to disk, renamed over
//! the target, and the directory flushed.

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file being written atomically: whatever writes it writes the
/// temporary file [`AtomicFile::temp_path`] (in the target's directory, with
/// the target's extension, so that a renderer choosing its format by
/// extension picks the right one), and [`AtomicFile::commit`] flushes it to
/// disk, renames it over the target and flushes the directory. Dropped
/// without a commit, it removes the temporary file, and the target stays as
/// it was.
///
/// ```
/// let path = std::env::temp_dir().join(format!("nn-atomic-file-doc-{}.txt", std::process::id()));
/// let file = nn::io::AtomicFile::create(&path).unwrap();
/// std::fs::write(file.temp_path(), b"drawn by someone else").unwrap();
/// assert!(!path.exists());
/// file.commit().unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"drawn by someone else");
/// std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    dir: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    committed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `target`.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `target` does not end in a file name;
    /// [`Error::Io`] for `target` if the temporary file cannot be created
    /// (its directory does not exist, which the message says, or cannot be
    /// written).
    pub fn create(target: impl AsRef<Path>) -> Result<Self> {
        let target = target.as_ref();
        let Some(file_name) = target.file_name() else {
            return Err(Error::invalid(
                "file to write",
                "a path ending in a file name",
                target.display(),
            ));
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let extension = target
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let temp = dir.join(format!(
            ".{}.tmp-{}-{}{extension}",
            file_name.to_string_lossy(),
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| {
                let missing = if e.kind() == std::io::ErrorKind::NotFound && !dir.is_dir() {
                    ", which does not exist"
                } else {
                    ""
                };
                context(
                    target,
                    &format!(
                        "cannot create a temporary file in {}{missing}",
                        dir.display()
                    ),
                    e,
                )
            })?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            dir,
            temp,
            file: Some(file),
            committed: false,
        })
    }

    /// The file to write (in the target's directory).
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The file that [`AtomicFile::commit`] replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the temporary file through `write` (buffered).
    ///
    /// # Errors
    /// [`Error::Io`] for the target, naming the step, if `write` or the
    /// flush fails.
    pub fn write(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let file = match self.file.take() {
            Some(f) => f,
            None => OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&self.temp)
                .map_err(|e| context(&self.target, "reopening the temporary file", e))?,
        };
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(|e| context(&self.target, "writing", e))?;
        let file = w
            .into_inner()
            .map_err(|e| context(&self.target, "writing", e.into_error()))?;
        self.file = Some(file);
        Ok(())
    }

    /// Flushes the temporary file to disk, renames it over the target, and
    /// flushes the directory (so the rename survives a crash).
    ///
    /// # Errors
    /// [`Error::Io`] for the target, naming the failing step (syncing or
    /// renaming); the temporary file is then removed and the target is as
    /// it was.
    pub fn commit(mut self) -> Result<()> {
        // the temporary file may have been written through its path by
        // someone else (a renderer): sync what is on disk under that path
        drop(self.file.take());
        let synced = OpenOptions::new()
            .write(true)
            .open(&self.temp)
            .and_then(|f| f.sync_all());
        synced.map_err(|e| context(&self.target, "syncing to disk", e))?;
        fs::rename(&self.temp, &self.target).map_err(|e| {
            context(
                &self.target,
                &format!(
                    "renaming the temporary file {} over it",
                    self.temp.display()
                ),
                e,
            )
        })?;
        self.committed = true;
        // Directories cannot be opened for syncing on every platform, and
        // the data is already safe, so this last step is best effort.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            drop(self.file.take());
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn context(path: &Path, step: &str, e: std::io::Error) -> Error {
    Error::io(path, std::io::Error::new(e.kind(), format!("{step}: {e}")))
}

/// Writes a file atomically: `write` fills a new temporary file in the same
/// directory as `path`, which is then flushed to disk and renamed over
/// `path` (see [`AtomicFile`]). Readers see the old file or the new one,
/// never a partial one; if anything fails (including `write` itself), the
/// temporary file is removed and the old file is left as it was.
///
/// # Errors
/// [`Error::Io`] for the target `path` with the failing step in the message:
/// creating the temporary file (a missing directory), writing, syncing or
/// renaming.
///
/// ```
/// let path = std::env::temp_dir().join(format!("nn-atomic-doc-{}.txt", std::process::id()));
/// nn::io::write_atomic(&path, |w| w.write_all(b"first")).unwrap();
/// let failed = nn::io::write_atomic(&path, |w| {
///     w.write_all(b"half a ")?;
///     Err(std::io::Error::other("disk on fire"))
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read(&path).unwrap(), b"first");
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write_atomic(
    path: impl AsRef<Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write(write)?;
    file.commit()
}
