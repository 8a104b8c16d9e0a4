//! PSK reference files (`Psk: {file: path}`, an overlay's `psk = { file = ... }`): where a
//! reference is looked up and which folders it may lead into. A reference is resolved against
//! a base folder (the input file's folder, the current directory for standard input, the
//! config's folder for overlays) and, symbolic links resolved, must lead inside that folder or
//! a folder given with `--psk-root`; then it is read as a small regular file through the same
//! bounded reader as inputs. So an input cannot make ipsecgen read `/etc/shadow`,
//! `../../..` or `/proc/self/environ` into a rendered config.

use std::path::{Path, PathBuf};

use super::file::{self, ReadError};

/// The largest file a PSK reference (`{file: path}`) may point to.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Where references are looked up and where they may lead.
#[derive(Clone, Debug)]
pub struct SecretFiles {
    /// Relative references are resolved against this folder, and must stay inside it.
    pub base: PathBuf,
    /// What the base is, for messages ("the input's folder").
    pub base_kind: &'static str,
    /// More folders references may lead into (`--psk-root`), canonical.
    pub extra_roots: Vec<PathBuf>,
}

impl Default for SecretFiles {
    /// The current directory, as for standard input.
    fn default() -> Self {
        Self {
            base: PathBuf::from("."),
            base_kind: "the current directory",
            extra_roots: Vec::new(),
        }
    }
}

/// Why a reference was not read: the message and its help. Never the file's content.
pub struct SecretFileError {
    pub message: String,
    pub help: String,
}

impl SecretFiles {
    /// The references of an input file (`<stdin>` and names without a folder: the current
    /// directory).
    pub fn for_input(name: &str, extra_roots: &[PathBuf]) -> Self {
        let parent = Path::new(name)
            .parent()
            .filter(|p| name != "<stdin>" && !p.as_os_str().is_empty());
        Self {
            base: parent.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            base_kind: if name == "<stdin>" {
                "the current directory"
            } else {
                "the input's folder"
            },
            extra_roots: extra_roots.to_vec(),
        }
    }

    /// Read the key file `reference` points to, as text (not trimmed).
    pub fn read(&self, reference: &Path) -> Result<String, SecretFileError> {
        let full = self.base.join(reference);
        let unreadable = |why: String| SecretFileError {
            message: format!("cannot read the PSK file `{}`: {why}", full.display()),
            help: "a regular file of at most 64 KiB holding the key; paths are relative to the \
                   input file (the config file for overlays)"
                .into(),
        };
        let root = std::fs::canonicalize(&self.base).map_err(|e| unreadable(e.to_string()))?;
        let mut roots = vec![root.clone()];
        roots.extend(self.extra_roots.iter().cloned());
        let bytes = match file::read_confined(&full, &roots, MAX_SECRET_FILE_BYTES) {
            Ok(b) => b,
            Err(Ok(e)) => return Err(unreadable(read_error(e))),
            Err(Err(resolved)) => {
                return Err(SecretFileError {
                    message: format!(
                        "the PSK file `{}` leads to `{}`, outside {} `{}`",
                        reference.display(),
                        resolved.display(),
                        self.base_kind,
                        root.display()
                    ),
                    help: format!(
                        "PSK files must be inside {} (symbolic links resolved); pass --psk-root \
                         DIR to allow another folder, e.g. --psk-root /run/secrets",
                        self.base_kind
                    ),
                })
            }
        };
        String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".into()))
    }
}

fn read_error(e: ReadError) -> String {
    match e {
        ReadError::TooLarge => format!("it is larger than {} KiB", MAX_SECRET_FILE_BYTES / 1024),
        other => other.to_string(),
    }
}
