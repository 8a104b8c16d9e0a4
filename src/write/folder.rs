//! The folders of an output directory, opened once and used through their handles: DIR itself
//! (the path the user gave, links in it followed like any path they type), then every folder
//! below it opened relative to its parent's handle, never through a link (`O_NOFOLLOW`). A
//! folder swapped for a link during a run cannot redirect a write: the handle still points
//! to the folder that was checked.

use std::collections::HashMap;
use std::fs;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags};
use rustix::io::Errno;

use super::{errno, io};
use crate::diag::Diagnostic;

const FOLDER: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// DIR, opened (and made, with its missing parents, when asked).
pub struct Root {
    pub fd: OwnedFd,
    pub path: PathBuf,
    /// The folders `open` made for DIR, outermost first.
    made: Vec<PathBuf>,
}

fn not_a_folder(dir: &Path) -> Diagnostic {
    Diagnostic::error(
        "output.exists",
        format!("{} is a file; -o takes a folder", dir.display()),
    )
    .help("pass the folder the files go into (it is made when missing)")
}

impl Root {
    /// Open DIR; `None` when it does not exist and `create` is false.
    pub fn open(dir: &Path, create: bool) -> Result<Option<Root>, Diagnostic> {
        let mut made = Vec::new();
        if create && fs::symlink_metadata(dir).is_err() {
            let mut missing = Vec::new();
            let mut p = dir;
            while fs::symlink_metadata(p).is_err() {
                missing.push(p.to_path_buf());
                match p.parent() {
                    Some(q) if !q.as_os_str().is_empty() => p = q,
                    _ => break,
                }
            }
            for m in missing.iter().rev() {
                match fs::create_dir(m) {
                    Ok(()) => made.push(m.clone()),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                        remove_made(&made);
                        return Err(not_a_folder(p));
                    }
                    Err(e) => {
                        remove_made(&made);
                        return Err(io(m, &e));
                    }
                }
            }
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rfs::open(dir, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(Root {
                fd,
                path: dir.to_path_buf(),
                made,
            })),
            Err(Errno::NOENT) if !create => Ok(None),
            Err(Errno::NOTDIR) if fs::metadata(dir).is_ok_and(|m| !m.is_dir()) => {
                remove_made(&made);
                Err(not_a_folder(dir))
            }
            Err(e) => {
                remove_made(&made);
                Err(errno(dir, e))
            }
        }
    }

    /// Remove the folders `open` made for DIR (after a failure); only empty ones go.
    pub fn remove_made(&self) {
        remove_made(&self.made);
    }
}

fn remove_made(made: &[PathBuf]) {
    for m in made.iter().rev() {
        let _ = fs::remove_dir(m);
    }
}

/// One folder below DIR (or DIR itself, with an empty `rel`).
pub struct Folder {
    /// Its path relative to DIR, `/`-separated.
    pub rel: String,
    parent: Option<usize>,
    name: String,
    /// Its handle; `None` while it does not exist.
    pub fd: Option<OwnedFd>,
    /// This run made it.
    made: bool,
}

/// Every folder a run looks at, each opened once.
pub struct Folders {
    pub list: Vec<Folder>,
    index: HashMap<String, usize>,
    shown: PathBuf,
}

/// A name ipsecgen may create inside DIR: one plain component.
pub fn check_name(name: &str, shown: &Path) -> Result<(), Diagnostic> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Diagnostic::error(
            "output.write",
            format!("{}: `{name}` is not a plain file name", shown.display()),
        ));
    }
    Ok(())
}

impl Folders {
    /// `root` is DIR's handle, or `None` when DIR does not exist (every folder is missing).
    pub fn new(root: Option<&Root>, shown: &Path) -> Result<Folders, Diagnostic> {
        let fd = match root {
            Some(r) => {
                Some(rfs::openat(&r.fd, ".", FOLDER, Mode::empty()).map_err(|e| errno(shown, e))?)
            }
            None => None,
        };
        let mut index = HashMap::new();
        index.insert(String::new(), 0);
        Ok(Folders {
            list: vec![Folder {
                rel: String::new(),
                parent: None,
                name: String::new(),
                fd,
                made: false,
            }],
            index,
            shown: shown.to_path_buf(),
        })
    }

    /// The path of a folder or of a file in it, for messages.
    pub fn shown(&self, i: usize, file: Option<&str>) -> PathBuf {
        let mut p = self.shown.clone();
        if !self.list[i].rel.is_empty() {
            p.push(&self.list[i].rel);
        }
        if let Some(f) = file {
            p.push(f);
        }
        p
    }

    /// The folder `rel`, opened if it exists (never through a link; a file in its place is
    /// refused). Nothing is made.
    pub fn get(&mut self, rel: &str) -> Result<usize, Diagnostic> {
        if let Some(&i) = self.index.get(rel) {
            return Ok(i);
        }
        let (parent, name) = match rel.rsplit_once('/') {
            Some((p, n)) => (self.get(p)?, n),
            None => (0, rel),
        };
        let shown = self.shown(parent, Some(name));
        check_name(name, &shown)?;
        let fd = match &self.list[parent].fd {
            None => None,
            Some(pfd) => open_folder(pfd.as_fd(), name, &shown)?,
        };
        let i = self.list.len();
        self.list.push(Folder {
            rel: rel.to_owned(),
            parent: Some(parent),
            name: name.to_owned(),
            fd,
            made: false,
        });
        self.index.insert(rel.to_owned(), i);
        Ok(i)
    }

    /// Make the missing folders among `wanted` (and their missing parents), a level at a time,
    /// the folders of one level on every core.
    pub fn make(&mut self, wanted: &[usize]) -> Result<(), Diagnostic> {
        let mut missing: Vec<usize> = Vec::new();
        for &w in wanted {
            let mut i = Some(w);
            while let Some(j) = i {
                if self.list[j].fd.is_some() || missing.contains(&j) {
                    break;
                }
                missing.push(j);
                i = self.list[j].parent;
            }
        }
        let depth = |f: &Folder| f.rel.matches('/').count();
        missing.sort_by_key(|&i| (depth(&self.list[i]), i));
        missing.dedup();
        let mut start = 0;
        while start < missing.len() {
            let d = depth(&self.list[missing[start]]);
            let end = start
                + missing[start..]
                    .iter()
                    .take_while(|&&i| depth(&self.list[i]) == d)
                    .count();
            let level = &missing[start..end];
            let this = &*self;
            let results = crate::parallel::map_ordered(level, |&i| {
                let f = &this.list[i];
                let parent = f.parent.and_then(|p| this.list[p].fd.as_ref());
                let Some(pfd) = parent else {
                    return Err(io(
                        &this.shown(i, None),
                        &std::io::Error::other("parent missing"),
                    ));
                };
                make_folder(pfd.as_fd(), &f.name, &this.shown(i, None))
            });
            let mut first_err = None;
            for (&i, r) in level.iter().zip(results) {
                match r {
                    Ok((fd, made)) => {
                        self.list[i].fd = Some(fd);
                        self.list[i].made = made;
                    }
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first_err {
                return Err(e);
            }
            start = end;
        }
        Ok(())
    }

    /// Remove the folders this run made (after a failure), innermost first; only empty ones go.
    pub fn remove_made(&self) {
        for f in self.list.iter().rev().filter(|f| f.made) {
            if let Some(pfd) = f.parent.and_then(|p| self.list[p].fd.as_ref()) {
                let _ = rfs::unlinkat(pfd, f.name.as_str(), AtFlags::REMOVEDIR);
            }
        }
    }

    /// The folder `rel`, if this run looked at it.
    pub fn find(&self, rel: &str) -> Option<usize> {
        self.index.get(rel).copied()
    }
}

/// Open the folder `name` in `parent` without following a link; `None` when it is missing.
pub fn open_folder(
    parent: BorrowedFd<'_>,
    name: &str,
    shown: &Path,
) -> Result<Option<OwnedFd>, Diagnostic> {
    match rfs::openat(parent, name, FOLDER, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(classify(parent, name, shown, e)),
    }
}

/// Why `name` could not be opened as a folder: a link, a file, or an I/O error.
fn classify(parent: BorrowedFd<'_>, name: &str, shown: &Path, e: Errno) -> Diagnostic {
    match rfs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => match rfs::FileType::from_raw_mode(st.st_mode) {
            rfs::FileType::Symlink => super::existing::refuse_link(shown),
            rfs::FileType::Directory => errno(shown, e),
            t => Diagnostic::error(
                "output.exists",
                format!(
                    "{} is {}, where a folder goes",
                    shown.display(),
                    super::existing::kind_name(t)
                ),
            )
            .help("move it away or choose another output directory"),
        },
        Err(_) => errno(shown, e),
    }
}

/// Make the folder `name` in `parent` and open it (never through a link). Returns whether
/// this call made it (someone else may have, in between).
fn make_folder(
    parent: BorrowedFd<'_>,
    name: &str,
    shown: &Path,
) -> Result<(OwnedFd, bool), Diagnostic> {
    let made = match rfs::mkdirat(parent, name, Mode::from_raw_mode(0o777)) {
        Ok(()) => true,
        Err(Errno::EXIST) => false,
        Err(e) => return Err(errno(shown, e)),
    };
    match open_folder(parent, name, shown)? {
        Some(fd) => Ok((fd, made)),
        None => Err(errno(shown, Errno::NOENT)),
    }
}
