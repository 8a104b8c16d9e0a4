//! The published payloads in ../shared/real/ (verbatim API samples; sources in its SOURCES.md),
//! each with its pinned outcome in tests/real/outcomes.toml: the exact error codes `check`
//! gives, why (what the sample lacks), and where the sample only lacks masked values, proof:
//! with them filled in it checks clean, and renders (a snapshot) when the manifest says how.

#[path = "common/skip.rs"]
mod skip;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Outcome {
    errors: Vec<String>,
    why: String,
    #[serde(default)]
    fill: Vec<(String, String)>,
    /// The errors left once filled in (a rule the sample breaks besides its masks).
    #[serde(default)]
    after_fill: Vec<String>,
    /// Flags for rendering the filled sample (`render = []`: it needs none).
    render: Option<Vec<String>>,
    /// Other files of the corpus given with the filled sample (`check` and `render` join them
    /// by id: an OpenStack connection with the policies, service and groups it names).
    #[serde(default)]
    with: Vec<String>,
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real");
    let why = (!dir.is_dir()).then(|| format!("{} is missing", dir.display()));
    if skip::did_not_run(
        "the real-payload corpus test",
        why,
        "CI lays shared/ beside the repository.",
    ) {
        return None;
    }
    Some(dir)
}

/// The error codes of `check --format json` of a file (and the others it is given with),
/// sorted.
fn error_codes(path: &Path, with: &[PathBuf]) -> (Vec<String>, String) {
    let out = cargo_bin_cmd!("ipsecgen")
        .args(["check", "--format", "json"])
        .arg(path)
        .args(with)
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let mut codes: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("one JSON object per line"))
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    codes.sort();
    let want_exit = if codes.is_empty() { 0 } else { 1 };
    assert_eq!(
        out.status.code(),
        Some(want_exit),
        "{}: {stdout}",
        path.display()
    );
    (codes, stdout)
}

#[test]
fn every_published_payload_has_its_pinned_outcome() {
    let Some(dir) = corpus() else { return };
    let manifest: BTreeMap<String, Outcome> =
        toml::from_str(&std::fs::read_to_string("tests/real/outcomes.toml").expect("manifest"))
            .expect("manifest parses");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        manifest.keys().cloned().collect::<Vec<_>>(),
        "every file of ../shared/real has an outcome in tests/real/outcomes.toml, and no other"
    );
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"(?m)^(\s*secret = ).*$", "${1}<redacted>");
    let _guard = settings.bind_to_scope();
    for (file, want) in &manifest {
        assert!(!want.why.trim().is_empty(), "{file}: say why");
        let path = dir.join(file);
        let (codes, report) = error_codes(&path, &[]);
        assert_eq!(codes, want.errors, "{file}: {report}");
        // The other files are copied beside the filled sample and named relatively: their
        // names appear in the rendered headers (which fact came from which file).
        let with: Vec<PathBuf> = want
            .with
            .iter()
            .map(|w| {
                std::fs::copy(dir.join(w), scratch.path().join(w)).expect("copy");
                PathBuf::from(w)
            })
            .collect();
        let with_here: Vec<PathBuf> = with.iter().map(|w| scratch.path().join(w)).collect();
        if want.fill.is_empty() {
            assert!(want.with.is_empty(), "{file}: `with` needs `fill`");
            assert!(
                want.render.is_none(),
                "{file}: rendering needs the filled sample"
            );
            continue;
        }
        let mut text = std::fs::read_to_string(&path).expect("readable");
        for (placeholder, value) in &want.fill {
            assert!(
                text.contains(placeholder.as_str()),
                "{file}: no {placeholder} left to fill"
            );
            text = text.replacen(placeholder.as_str(), value, 1);
        }
        let filled = scratch.path().join(file);
        std::fs::write(&filled, &text).expect("write");
        let (codes, report) = error_codes(&filled, &with_here);
        assert_eq!(codes, want.after_fill, "{file}: filled in: {report}");
        let Some(flags) = &want.render else { continue };
        assert!(
            want.after_fill.is_empty(),
            "{file}: cannot render with errors left"
        );
        let out = cargo_bin_cmd!("ipsecgen")
            .current_dir(scratch.path())
            .args(["render", file.as_str(), "--target", "swanctl"])
            .args(&with)
            .args(flags)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{file}: the filled sample does not render: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::assert_snapshot!(
            format!("real__{}", file.replace('.', "_")),
            String::from_utf8(out.stdout).expect("utf-8")
        );
    }
}
