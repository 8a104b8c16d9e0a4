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

/// The query-string request form with a parameter given twice, or given both whole and by a
/// dotted part, is an error at the second occurrence (as a repeated JSON/YAML key is), with the
/// first one's place in the help. It used to keep the first value silently.
#[test]
fn query_form_repeated_parameters_are_errors() {
    let seed = std::fs::read_to_string("examples/aliyun-ipsec-server/seed-update-request.txt")
        .expect("example");
    let dir = tempfile::tempdir().expect("tempdir");
    for (extra, line, first, message) in [
        ("&Psk=Other-Key-1234567", 16, 11, "`Psk` is given twice"),
        (
            "&LocalSubnet=10.9.0.0/24",
            16,
            4,
            "`LocalSubnet` is given twice",
        ),
        (
            "&IkeConfig.IkeVersion=ikev1",
            16,
            8,
            "`IkeConfig` is given whole and as `IkeConfig.IkeVersion`",
        ),
        (
            "&VpnGateway=x",
            16,
            15,
            "`VpnGateway` is given whole and as `VpnGateway.InternetIp`",
        ),
    ] {
        let file = dir.path().join("request.txt");
        std::fs::write(&file, format!("{seed}{extra}\n")).expect("write");
        let out = ipsecgen()
            .args(["check", "--format", "json"])
            .arg(&file)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).expect("utf-8");
        let report: serde_json::Value =
            serde_json::from_str(out.lines().next().expect("one line")).expect("json");
        assert_eq!(report["code"], "input.syntax", "{out}");
        assert_eq!(report["line"], line, "{out}");
        assert_eq!(report["message"], message, "{out}");
        assert!(
            report["help"]
                .as_str()
                .expect("help")
                .starts_with(&format!("first given at line {first}, column 2")),
            "{out}"
        );
        assert!(!out.contains("Other-Key"), "{out}");
    }
    // `IkeConfig.X` first, then `IkeConfig`: the same conflict, the other way round.
    let file = dir.path().join("request.txt");
    std::fs::write(
        &file,
        "?Action=UpdateIpsecServer&IkeConfig.IkeVersion=ikev2&IkeConfig={}\n",
    )
    .expect("write");
    ipsecgen()
        .args(["check", "--format", "json"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            r#""message":"`IkeConfig` is given whole and as `IkeConfig.IkeVersion`""#,
        ));
}
