//! Reports of hostile or broken inputs, through the built binary: no secret in any report
//! format, no panic on huge lines, no terminal or workflow-command injection through names
//! or messages, clear messages for wrong encodings and non-JSON in `.json` files.

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c
}

/// `check` of the files in `dir` (relative names, run inside it) in every report format:
/// (exit code, human stderr, json stdout, github stdout).
fn check_all_formats(dir: &std::path::Path, files: &[&str]) -> (i32, String, String, String) {
    let run = |format: &str| {
        let out = ipsecgen()
            .current_dir(dir)
            .args(["check", "--format", format])
            .args(files)
            .output()
            .expect("run");
        let code = out.status.code().unwrap_or(-1);
        let text = if format == "human" {
            out.stderr
        } else {
            out.stdout
        };
        (code, String::from_utf8_lossy(&text).into_owned())
    };
    let (code, human) = run("human");
    let (jcode, json) = run("json");
    let (gcode, github) = run("github");
    assert_eq!([jcode, gcode], [code, code], "every format exits alike");
    (code, human, json, github)
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write input");
}

/// A minified one-line payload over 64 KiB with errors near its end: miette cannot draw
/// columns past 65,535 and panicked (exit 101), losing the reports of every other file.
#[test]
fn a_minified_line_over_64_kib_is_reported_with_the_other_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let static_json =
        std::fs::read_to_string("examples/aliyun/connection-static.json").expect("example");
    let mut doc: serde_json::Value = serde_json::from_str(&static_json).expect("json");
    doc["Description"] = "x".repeat(70_000).into();
    doc["Zzz"] = 1.into();
    let text = serde_json::to_string(&doc).expect("json");
    assert!(!text.contains('\n') && text.len() > 70_000);
    write(dir.path(), "long.json", &text);
    write(
        dir.path(),
        "other.yaml",
        &std::fs::read_to_string("examples/aliyun/connection-static.yaml")
            .expect("example")
            .replace("Name:", "Bogus: 1\nName:"),
    );
    let (code, human, json, github) = check_all_formats(dir.path(), &["long.json", "other.yaml"]);
    assert_eq!(code, 1, "{human}");
    assert!(!human.contains("panicked"), "{human}");
    let col = text.find("\"Zzz\"").expect("key") + 1;
    assert!(
        human.contains(&format!("[long.json:1:{col}]")),
        "the header gives the real column: {human}"
    );
    assert!(human.contains("unknown field `Zzz`"), "{human}");
    assert!(human.contains("unknown field `Bogus`"), "{human}");
    assert!(human.contains("[other.yaml:"), "{human}");
    // The snippet is a window around the key, not the whole 70 KB line.
    let longest = human.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "longest report line: {longest} characters");
    assert!(
        json.contains(&format!(
            "\"file\":\"long.json\",\"line\":1,\"column\":{col}"
        )),
        "{json}"
    );
    assert!(json.contains("\"file\":\"other.yaml\""), "{json}");
    assert!(
        github.contains(&format!(
            "::error file=long.json,line=1,col={col},title=input.unknown-field::"
        )),
        "{github}"
    );
}
