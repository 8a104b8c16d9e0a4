//! Every document the repository ships or the project collected (the examples, the invalid
//! corpus, the real payloads, the dual-tunnel fixtures, ../shared/real), for the tests that
//! hold a fast reader to the YAML parser (tests/json_tree.rs, tests/event_tree.rs).

use std::path::{Path, PathBuf};

/// Each readable text file's path and text.
pub fn documents() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "examples",
        "tests/invalid",
        "tests/real",
        "tests/dual",
        "../shared/real",
    ] {
        files_under(&root.join(dir), &mut files);
    }
    files
        .iter()
        .filter_map(|f| Some((f.display().to_string(), std::fs::read_to_string(f).ok()?)))
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}
