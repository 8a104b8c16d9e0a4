//! Whether a file or folder ipsecgen found by itself (the project config, its templates) can be
//! trusted: owned by the user running ipsecgen or by root, and writable by nobody else. A
//! config planted in a shared folder (/tmp, a world-writable parent) would otherwise choose the
//! templates, output folder and PSK files of someone else's run, root's included.

use std::fs::Metadata;
use std::path::Path;

/// Why `meta` (of `what`) is not trusted, or `None` when it is.
pub fn distrust(meta: &Metadata) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt as _;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let owner = meta.uid();
        if owner != me && owner != 0 {
            return Some(format!(
                "it is owned by uid {owner}, not by you (uid {me}) or root"
            ));
        }
        let mode = meta.mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Some(format!(
                "it is writable by {} (mode {mode:04o})",
                if mode & 0o002 != 0 {
                    "everyone"
                } else {
                    "its group"
                }
            ));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = meta;
    None
}

/// The first path in the tree at `dir` (itself, then everything below, links followed) that is
/// not trusted, with why. At most `limit` entries are looked at; more is itself a reason.
pub fn distrust_tree(dir: &Path, limit: usize) -> Option<(std::path::PathBuf, String)> {
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(p) = stack.pop() {
        seen += 1;
        if seen > limit {
            return Some((
                dir.to_path_buf(),
                format!("it holds more than {limit} entries"),
            ));
        }
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => return Some((p, e.to_string())),
        };
        if let Some(why) = distrust(&meta) {
            return Some((p, why));
        }
        if meta.is_dir() {
            match std::fs::read_dir(&p) {
                Ok(entries) => stack.extend(entries.flatten().map(|e| e.path())),
                Err(e) => return Some((p, e.to_string())),
            }
        }
    }
    None
}
