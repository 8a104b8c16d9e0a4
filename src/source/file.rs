//! Reading a file someone named (an input, a PSK reference): one path for both. The file is
//! opened once, without blocking (a FIFO with no writer would hang the open) and without
//! becoming a controlling terminal; the open handle is checked to be a regular file, its size
//! is checked before reading, and at most `max + 1` bytes are read, so a file that grows while
//! it is read cannot exceed the limit either.

use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Why a file was not read. The texts say what the path is, never what the file holds.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed (missing, no permission, ...).
    Io(std::io::Error),
    /// A directory.
    Directory,
    /// Not a regular file: what it is instead ("a FIFO", "a character device", ...).
    NotRegular(&'static str),
    /// Larger than the limit (before or while reading).
    TooLarge,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Directory => f.write_str("it is a directory, not a file"),
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::TooLarge => f.write_str("it is over the size limit"),
        }
    }
}

/// Open `path` for reading without blocking on a FIFO and without taking a terminal.
pub fn open(path: &Path) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// What a non-regular file is, for messages.
fn kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a plain file"
}

/// Check that an open handle is a regular file of at most `max` bytes; its metadata.
fn check_regular(file: &File, max: u64) -> Result<std::fs::Metadata, ReadError> {
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::Directory);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta)));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge);
    }
    Ok(meta)
}

/// Read at most `max` bytes from an already checked handle; more is `TooLarge`.
pub fn read_bounded(file: File, max: u64) -> Result<Vec<u8>, ReadError> {
    read_sized(file, max, 0)
}

/// `read_bounded` into a buffer sized for `size` bytes (the file's size when it was checked):
/// one read and one to see the end, instead of reads doubling from 32 bytes.
fn read_sized(file: File, max: u64, size: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(max) + 1).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Open a regular file of at most `max` bytes: the handle and its metadata (owner, mode), for
/// callers that check more before reading it with `read_bounded`.
pub fn open_regular(path: &Path, max: u64) -> Result<(File, std::fs::Metadata), ReadError> {
    let file = open(path).map_err(ReadError::Io)?;
    let meta = check_regular(&file, max)?;
    Ok((file, meta))
}

/// Read a regular file of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, max)?;
    read_sized(file, max, meta.len())
}

/// Read a regular file of at most `max` bytes that must lie inside one of `roots` (canonical
/// folders), symbolic links resolved: checked on the path before opening, so nothing outside
/// is even opened, and again on the open handle (`/proc/self/fd`), so a path component swapped
/// for a link in between is caught. `Err(Err(resolved))` names where the path leads instead.
pub fn read_confined(
    path: &Path,
    roots: &[PathBuf],
    max: u64,
) -> Result<Vec<u8>, Result<ReadError, PathBuf>> {
    let inside = |p: &Path| roots.iter().any(|r| p.starts_with(r));
    let resolved = std::fs::canonicalize(path).map_err(|e| Ok(ReadError::Io(e)))?;
    if !inside(&resolved) {
        return Err(Err(resolved));
    }
    let file = open(&resolved).map_err(|e| Ok(ReadError::Io(e)))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        let link = format!("/proc/self/fd/{}", file.as_raw_fd());
        if let Ok(real) = std::fs::read_link(link) {
            if !inside(&real) {
                return Err(Err(real));
            }
        }
    }
    check_regular(&file, max).map_err(Ok)?;
    read_bounded(file, max).map_err(Ok)
}
