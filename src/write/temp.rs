//! Temporary files: every output is first written as `.<name>.ipsecgen-<pid>.tmp` in its own
//! folder (through the folder's handle, created exclusively, never through a link), then
//! renamed over `<name>`. A run that was killed leaves such files behind, holding PSKs; the
//! next run into the same folders removes them (it holds DIR's lock, so no other run is
//! writing them).

use std::io::Write as _;
use std::os::fd::BorrowedFd;
use std::path::Path;

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};

use super::errno;
use crate::diag::Diagnostic;

/// The temporary name of `file` for this process.
pub fn name(file: &str) -> String {
    format!(".{file}.ipsecgen-{}.tmp", std::process::id())
}

/// The name is one of ipsecgen's temporary names (any process's).
pub fn is_temp_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".tmp") else {
        return false;
    };
    let Some((file, pid)) = stem.rsplit_once(".ipsecgen-") else {
        return false;
    };
    file.len() > 1
        && file.starts_with('.')
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
}

/// Write `content` under the temporary name of `file` in `folder`, with `mode`.
pub fn write(
    folder: BorrowedFd<'_>,
    file: &str,
    content: &[u8],
    mode: u32,
    shown: &Path,
) -> Result<(), Diagnostic> {
    let tmp = name(file);
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rfs::openat(folder, tmp.as_str(), flags, Mode::from_raw_mode(mode))
        .map_err(|e| errno(shown, e))?;
    let mut f = std::fs::File::from(fd);
    let result = f.write_all(content).map_err(|e| super::io(shown, &e));
    // Without syncfs (not Linux) each file is flushed on its own.
    #[cfg(not(target_os = "linux"))]
    let result = result.and_then(|()| f.sync_all().map_err(|e| super::io(shown, &e)));
    if result.is_err() {
        remove(folder, file);
    }
    result
}

/// Remove this process's temporary of `file` in `folder`, if it is there.
pub fn remove(folder: BorrowedFd<'_>, file: &str) {
    let _ = rfs::unlinkat(folder, name(file).as_str(), AtFlags::empty());
}

/// Remove every regular file named like an ipsecgen temporary in `folder` (links, folders
/// and anything else are left alone). Returns how many were removed.
pub fn clean_leftovers(folder: BorrowedFd<'_>) -> usize {
    let Ok(dir) = rfs::Dir::read_from(folder) else {
        return 0;
    };
    let mut removed = 0;
    for entry in dir.flatten() {
        let Ok(name) = entry.file_name().to_str() else {
            continue;
        };
        if !is_temp_name(name) {
            continue;
        }
        let regular = match entry.file_type() {
            FileType::Unknown => rfs::statat(folder, name, AtFlags::SYMLINK_NOFOLLOW)
                .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::RegularFile),
            t => t == FileType::RegularFile,
        };
        if regular && rfs::unlinkat(folder, name, AtFlags::empty()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert!(is_temp_name(&name("swanctl.conf")));
        assert!(is_temp_name(".bgpd.conf.ipsecgen-1.tmp"));
        assert!(!is_temp_name(".notes.tmp"));
        assert!(!is_temp_name(".x.ipsecgen-12a.tmp"));
        assert!(!is_temp_name(".x.ipsecgen-.tmp"));
        assert!(!is_temp_name("..ipsecgen-5.tmp"));
        assert!(!is_temp_name("x.ipsecgen-5.tmp"));
        assert!(!is_temp_name(".x.ipsecgen-5.tmp.bak"));
    }
}
