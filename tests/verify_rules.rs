//! Verify rules found by the security review (issue 18): invisible characters in names,
//! subnets of one address family on one side only, native numbers outside their ranges and
//! what targets can express, and overlapping customer subnets in a fleet. Every case runs the
//! real binary and asserts the exact code and line.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct JsonDiag {
    code: String,
    severity: String,
    line: Option<usize>,
    message: String,
}

/// `ipsecgen <args> --format json FILE` on `text` written to a temporary file: the exit code
/// and the diagnostics.
fn run(args: &[&str], name: &str, text: &str) -> (Option<i32>, Vec<JsonDiag>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write input");
    let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
        .args(args)
        .args(["--format", "json"])
        .arg(&path)
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    let diags = stdout
        .lines()
        .chain(stderr.lines())
        .filter_map(|l| serde_json::from_str::<JsonDiag>(l).ok())
        .collect();
    (out.status.code(), diags, stdout)
}

fn check(name: &str, text: &str) -> (Option<i32>, Vec<JsonDiag>) {
    let (code, diags, _) = run(&["check"], name, text);
    (code, diags)
}

fn errors(diags: &[JsonDiag]) -> Vec<(&str, Option<usize>)> {
    diags
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| (d.code.as_str(), d.line))
        .collect()
}

/// A native connection (JSON, one key per line): `name` is written as a JSON string literal.
fn native_named(name_literal: &str) -> String {
    format!(
        "{{\"connections\": [{{\n\"name\": {name_literal},\n\"cloud\": {{\"gateway\": \"203.0.113.5\", \"subnets\": [\"10.9.0.0/24\"]}},\n\"customer\": {{\"gateway\": \"198.51.100.5\", \"subnets\": [\"10.8.0.0/24\"]}},\n\"psk\": \"Zr5tW8yBn3QxL6vDkk99\"\n}}]}}\n"
    )
}

/// Invisible characters (Unicode Cf, U+2028/2029, U+0085) in a name are errors at the name.
#[test]
fn invisible_characters_in_names_are_rejected() {
    for esc in [
        "\\u202e", "\\u202a", "\\u2066", "\\u200b", "\\u200d", "\\u2060", "\\ufeff", "\\u00ad",
        "\\u2028", "\\u2029", "\\u0085",
    ] {
        let (code, diags) = check("c.json", &native_named(&format!("\"dc{esc}a\"")));
        assert_eq!(code, Some(1), "{esc}: {diags:?}");
        assert_eq!(
            errors(&diags),
            [("input.name", Some(2))],
            "{esc}: {diags:?}"
        );
    }
    // Alibaba's own code for a bad Name.
    let doc = serde_json::json!({
        "Name": "pay\u{202E}gnp.exe",
        "LocalSubnet": "10.1.1.0/24",
        "RemoteSubnet": "10.1.3.0/24",
        "IkeConfig": {"Psk": "Zr5tW8yBn3QxL6vDkk"},
        "VpnGateway": {"InternetIp": "203.0.113.10"},
        "CustomerGateway": {"IpAddress": "198.51.100.20"}
    });
    let text = serde_json::to_string_pretty(&doc).expect("json");
    let line = 1 + text
        .lines()
        .position(|l| l.contains("\"Name\""))
        .expect("Name");
    let (code, diags) = check("a.json", &text);
    assert_eq!(code, Some(1));
    assert_eq!(errors(&diags), [("InvalidName", Some(line))], "{diags:?}");
    let d = diags
        .iter()
        .find(|d| d.code == "InvalidName")
        .expect("diag");
    assert!(d.message.contains("U+202E"), "{}", d.message);
    // Visible non-ASCII names stay fine.
    let (code, diags) = check("ok.json", &native_named("\"Zürich–Büro 中\""));
    assert_eq!(code, Some(0), "{diags:?}");
}
