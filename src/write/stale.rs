//! Folders of connections that left the input: a fleet writes a folder per connection; when
//! a connection is removed from the input, its folder stays in DIR with the last files
//! ipsecgen generated for it. They are not deleted (a human decides), but named.

use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::AsFd;
use std::path::PathBuf;

use super::existing::{carries_marker, look};
use super::folder::{open_folder, Folders};
use crate::render::Output;

/// Sub-folders of a folder holding this run's connection folders, that this run did not
/// write, and that hold a file of the same name carrying ipsecgen's header line.
pub fn folders(
    folders: &Folders,
    places: &[(usize, String)],
    outputs: &[(String, Output)],
) -> Vec<PathBuf> {
    // For each parent: its connection folders in this run and the file names they hold.
    #[derive(Default)]
    struct Fleet<'a> {
        children: BTreeSet<&'a str>,
        files: BTreeMap<&'a str, (&'a str, usize)>,
    }
    let mut parents: BTreeMap<&str, Fleet> = BTreeMap::new();
    for ((i, name), (_, o)) in places.iter().zip(outputs) {
        let rel = folders.list[*i].rel.as_str();
        if rel.is_empty() {
            continue;
        }
        let (parent, child) = rel.rsplit_once('/').unwrap_or(("", rel));
        let fleet = parents.entry(parent).or_default();
        fleet.children.insert(child);
        fleet.files.entry(name).or_insert((o.marker.as_str(), 0)).1 += 1;
    }
    let mut stale = Vec::new();
    for (parent, fleet) in parents {
        // A fleet: several folders holding files of the same names.
        if fleet.children.len() < 2 || !fleet.files.values().any(|(_, n)| *n >= 2) {
            continue;
        }
        let Some(p) = folders.find(parent) else {
            continue;
        };
        let Some(pfd) = folders.list[p].fd.as_ref() else {
            continue;
        };
        let Ok(dir) = rustix::fs::Dir::read_from(pfd) else {
            continue;
        };
        let mut names: Vec<String> = dir
            .flatten()
            .filter_map(|e| e.file_name().to_str().ok().map(str::to_owned))
            .filter(|n| !n.starts_with('.') && !fleet.children.contains(n.as_str()))
            .collect();
        names.sort();
        for name in names {
            let shown = folders.shown(p, Some(&name));
            let Ok(Some(cfd)) = open_folder(pfd.as_fd(), &name, &shown) else {
                continue;
            };
            let ours = fleet.files.iter().any(|(file, (marker, _))| {
                matches!(look(cfd.as_fd(), file, &shown.join(file)), Ok(Some(f)) if carries_marker(&f.head(), marker))
            });
            if ours {
                stale.push(shown);
            }
        }
    }
    stale
}
