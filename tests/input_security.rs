//! Hostile inputs around reading: what the input path, PSK references and the project config
//! may point at (FIFOs, devices, files outside the input's folder, planted configs), and the
//! query-string form's repeated parameters.

use predicates::prelude::*;

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c.timeout(std::time::Duration::from_secs(20));
    c
}

const STATIC: &str = "examples/aliyun/connection-static.json";

fn mkfifo(path: &std::path::Path) {
    assert!(std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success());
}

/// A FIFO or a device given as the input is refused at once (it used to hang, or read
/// /dev/zero until memory ran out); standard input from a pipe still works.
#[test]
fn input_path_must_be_a_regular_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("conn.json");
    mkfifo(&fifo);
    let fifo = fifo.to_str().expect("utf-8").to_owned();
    for (path, kind) in [
        (fifo.as_str(), "a FIFO"),
        ("/dev/zero", "a character device"),
    ] {
        ipsecgen()
            .args(["check", "--format", "json", path])
            .assert()
            .code(1)
            .stdout(predicate::str::contains(r#""code":"input.read""#))
            .stdout(predicate::str::contains(format!(
                "`{path}` is {kind}, not a file"
            )));
        ipsecgen()
            .args(["render", path])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("input.read"))
            .stdout(predicate::str::is_empty());
    }
    ipsecgen()
        .args(["render", "-"])
        .write_stdin(std::fs::read(STATIC).expect("example"))
        .assert()
        .success()
        .stdout(predicate::str::contains("from <stdin>"));
}
