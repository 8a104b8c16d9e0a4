//! Negative examples: every file in tests/invalid/ produces exactly its expected error code at
//! its expected line, through the real binary (`check --format json`), and exits 1.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
struct Expect {
    code: String,
    line: usize,
}

#[derive(Deserialize)]
struct JsonDiag {
    code: String,
    severity: String,
    line: Option<usize>,
    message: String,
}

#[test]
fn every_invalid_example_fails_with_its_code() {
    let manifest: BTreeMap<String, Expect> =
        toml::from_str(&std::fs::read_to_string("tests/invalid/expected.toml").expect("manifest"))
            .expect("manifest parses");
    let mut files: Vec<String> = std::fs::read_dir("tests/invalid")
        .expect("tests/invalid")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expected.toml")
        .collect();
    files.sort();
    let listed: Vec<&String> = manifest.keys().collect();
    assert_eq!(
        files.iter().collect::<Vec<_>>(),
        listed,
        "every invalid example is in expected.toml and vice versa"
    );
    for (file, want) in &manifest {
        let path = format!("tests/invalid/{file}");
        let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .args(["check", "--format", "json", &path])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{file}: exit code");
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let errors: Vec<JsonDiag> = stdout
            .lines()
            .map(|l| serde_json::from_str::<JsonDiag>(l).expect("one JSON object per line"))
            .filter(|d| d.severity == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{file}: {stdout}");
        assert_eq!(errors[0].code, want.code, "{file}: {}", errors[0].message);
        assert_eq!(
            errors[0].line.unwrap_or(0),
            want.line,
            "{file}: line of {}",
            errors[0].code
        );
        // The test PSK never appears in any diagnostic.
        assert!(
            !stdout.contains("vK3nT9qLx7RmPz2WcY8s"),
            "{file}: PSK leaked: {stdout}"
        );
    }
}

/// The human report, fixed width and without colour, for a few representative errors.
#[test]
fn human_reports() {
    for file in [
        "ike-lifetime-range.json",
        "unknown-field.yaml",
        "subnet-host-bits.yaml",
        "bgp-missing-tunnel-cidr.json",
    ] {
        let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .env("NO_COLOR", "1")
            .args(["check", &format!("tests/invalid/{file}")])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).expect("utf-8");
        assert!(
            !stderr.contains("vK3nT9qLx7RmPz2WcY8s"),
            "{file}: PSK leaked"
        );
        insta::assert_snapshot!(format!("human_report__{file}"), stderr);
    }
}

/// The README's table of codes names every code a negative example expects.
#[test]
fn readme_lists_every_expected_code() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("## Diagnostic codes")
        .nth(1)
        .expect("a Diagnostic codes section");
    let manifest: BTreeMap<String, Expect> =
        toml::from_str(&std::fs::read_to_string("tests/invalid/expected.toml").expect("manifest"))
            .expect("parses");
    for (file, want) in &manifest {
        let last = want.code.rsplit('.').next().unwrap_or(&want.code);
        assert!(
            section.contains(&format!("`{}`", want.code)) || section.contains(&format!("`{last}`")),
            "README's code table misses {} (expected by tests/invalid/{file})",
            want.code
        );
    }
}
