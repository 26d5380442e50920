//! The only module that reads the file system for analysis: rule files, the workspace
//! configuration, indexed source files, and the files the command line names.
//!
//! A repository is untrusted input (linters run on pull requests), so a file it names is read
//! only when it is a regular file, at most a given size, and, when it is a workspace file,
//! inside the workspace once every symbolic link is resolved. That keeps a rule file linked to
//! `/proc/self/environ` from being read (and then quoted in a parse error), and a configuration
//! that is a FIFO, `/dev/zero` or `/proc/self/pagemap` from hanging the reader or exhausting
//! memory. Files are opened without blocking (a FIFO with no writer would block `open` itself)
//! and checked with `fstat` on the opened descriptor, so a file swapped after a first look is
//! still refused.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest rule or configuration file read.
pub const MAX_RULE_BYTES: u64 = 1 << 20;
/// The largest source file read.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;
/// The largest saved machine state read.
pub const MAX_STATE_BYTES: u64 = 256 << 20;

/// Why a file was not read. Messages name the file's kind or size, never its content.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file or a folder above it does not exist (the system's message).
    #[error("{0}")]
    NotFound(std::io::Error),
    #[error("not a regular file")]
    NotRegular,
    #[error("resolves outside the workspace {}", .0.display())]
    OutsideWorkspace(PathBuf),
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> ReadError {
        if e.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound(e)
        } else {
            ReadError::Io(e)
        }
    }
}

/// Reads `path`, a file a workspace names, if it is a regular file of at most `limit` bytes
/// whose real path (symbolic links resolved) lies inside the real path of `root`.
pub fn read_in_workspace(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let root = root.canonicalize()?;
    let real = path.canonicalize()?;
    if !real.starts_with(&root) {
        return Err(ReadError::OutsideWorkspace(root));
    }
    read_regular(&real, limit)
}

/// The modification time and length of `path` when it is a regular file, without reading it:
/// what a cache of files read from disk is keyed by.
pub fn stamp(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file()
        .then(|| Some((meta.modified().ok()?, meta.len())))
        .flatten()
}

/// Reads `path` if it is a regular file of at most `limit` bytes, following symbolic links:
/// for files a user names on the command line, whose location is the user's choice.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    // Some regular files (`/proc` ones) report a length of 0 and read without end: the cap
    // holds whatever the length said.
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Only `open` must not block on a FIFO; a regular file's reads never block, and anything
    // else is refused before it is read.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn reads_regular_files_inside_the_workspace() {
        let dir = temp();
        std::fs::write(dir.path().join("a.edn"), "{}").expect("write");
        let bytes = read_in_workspace(dir.path(), &dir.path().join("a.edn"), 10).expect("read");
        assert_eq!(bytes, b"{}");
        assert!(matches!(
            read_in_workspace(dir.path(), &dir.path().join("b.edn"), 10),
            Err(ReadError::NotFound(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_links_out_of_the_workspace_devices_and_oversized_files() {
        let dir = temp();
        let root = dir.path();
        std::os::unix::fs::symlink("/etc/hostname", root.join("out.edn")).expect("link");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.edn")).expect("link");
        std::fs::write(root.join("big.edn"), "x".repeat(11)).expect("write");
        std::fs::write(root.join("in.edn"), "1").expect("write");
        std::os::unix::fs::symlink(root.join("in.edn"), root.join("link.edn")).expect("link");
        let read =
            |name: &str| read_in_workspace(root, &root.join(name), 10).map_err(|e| e.to_string());
        assert!(read("out.edn").is_err_and(|e| e.starts_with("resolves outside")));
        assert!(read("big.edn").is_err_and(|e| e == "larger than 10 bytes"));
        assert_eq!(read("link.edn"), Ok(b"1".to_vec()));
        let zero = read_regular(&root.join("zero.edn"), 10).map_err(|e| e.to_string());
        assert_eq!(zero, Err("not a regular file".to_owned()));
        // `/proc` files are regular and claim a length of 0 whatever they hold: the cap on
        // what is read stops them.
        if Path::new("/proc/self/maps").exists() {
            let maps = read_regular(Path::new("/proc/self/maps"), 10);
            assert!(matches!(maps, Err(ReadError::TooLarge(10))), "{maps:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = temp();
        let fifo = dir.path().join("config.edn");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(ReadError::NotRegular)
        ));
    }
}
