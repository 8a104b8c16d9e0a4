//! Several inputs rendered together (`ipsecgen render vgw.json cgw.json pair.json`): a render
//! error about a value goes with the file the value was read from, and its span points into
//! that file's text, whatever the order of the files on the command line.

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c
}

fn stderr(dir: &str, args: &[&str]) -> String {
    let out = ipsecgen()
        .current_dir(dir)
        .args(["render"])
        .args(args)
        .args(["--no-config", "--target", "huawei-vrp"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty(), "nothing is rendered");
    String::from_utf8(out.stderr).expect("utf-8")
}

/// pair.json's algorithms huawei-vrp cannot express, reported against pair.json (they were
/// reported against vgw.json, the first file, with pair.json's offsets).
const PAIR: &str = r#"target.unsupported

  × target `huawei-vrp` cannot express IKE integrity `sha512`
    ╭─[pair.json:18:45]
 17 │                 "ike_version": "v2",
 18 │                 "authentication_algorithm": "sha2-512",
    ·                                             ─────┬────
    ·                                                  ╰── not supported by huawei-vrp (ike_integrity)
 19 │                 "encryption_algorithm": "aes-256",
    ╰────
  help: `huawei-vrp` supports: sha256
target.unsupported

  × target `huawei-vrp` cannot express IKE DH group `16`
    ╭─[pair.json:20:29]
 19 │                 "encryption_algorithm": "aes-256",
 20 │                 "dh_group": "group16",
    ·                             ────┬────
    ·                                 ╰── not supported by huawei-vrp (ike_dh)
 21 │                 "authentication_method": "pre-share",
    ╰────
  help: `huawei-vrp` supports: 1, 14, 15, 19, 2, 20, 21, 5
target.unsupported

  × target `huawei-vrp` cannot express PFS group `16`
    ╭─[pair.json:34:24]
 33 │                 "encryption_algorithm": "aes-256",
 34 │                 "pfs": "group16",
    ·                        ────┬────
    ·                            ╰── not supported by huawei-vrp (esp_dh)
 35 │                 "transform_protocol": "esp",
    ╰────
  help: `huawei-vrp` supports: 1, 14, 15, 2, 5
"#;

#[test]
fn render_errors_go_with_the_file_of_the_value() {
    let dir = "examples/walkthrough/huawei";
    for order in [
        ["vgw.json", "cgw.json", "pair.json"],
        ["pair.json", "vgw.json", "cgw.json"],
        ["cgw.json", "pair.json", "vgw.json"],
    ] {
        assert_eq!(stderr(dir, &order), PAIR, "{order:?}");
    }
}

/// Two connection files: each one's errors under its own name.
#[test]
fn two_connection_files_each_get_their_own_errors() {
    let err = stderr(
        ".",
        &[
            "examples/huawei/connection-bgp.json",
            "examples/aliyun/connection-bgp.json",
        ],
    );
    let files: Vec<&str> = err
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("╭─["))
        .map(|l| l.split(':').next().expect("name"))
        .collect();
    let count = |name: &str| files.iter().filter(|f| **f == name).count();
    assert_eq!(
        (
            count("examples/huawei/connection-bgp.json"),
            count("examples/aliyun/connection-bgp.json"),
            files.len()
        ),
        (3, 3, 6),
        "{err}"
    );
    // Each file's report shows its own values.
    let (first, second) = err
        .split_once("examples/aliyun/connection-bgp.json")
        .expect("aliyun report");
    assert!(first.contains("\"dh_group\": \"group16\""), "{err}");
    assert!(!second.contains("group16"), "{err}");
}
