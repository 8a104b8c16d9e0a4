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
        .stdout(predicate::str::contains("from - (target swanctl"));
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

/// Every dialect's PSK field, as (example, the key as written there, the field's name).
const PSK_FIELDS: &[(&str, &str, &str)] = &[
    (
        "examples/aliyun/connection-static.yaml",
        "vK3nT9qLx7RmPz2WcY8s",
        "IkeConfig.Psk",
    ),
    (
        "examples/native/two-connections.yaml",
        "Pw7Kd3Xs9Fm2Qa6Tz4Hc8Vb5",
        "connections[0].psk",
    ),
    (
        "examples/neutron/connection-ikev2-endpoint-groups.yaml",
        "Zq8Lm2Vr5Tx9Nb4Hc7Wd3Ks6",
        "ipsec_site_connection.psk",
    ),
    (
        "examples/zstack/connection-create-params.yaml",
        "Hs4Vn8Qw2Jt6Bz9Mc3Fx7Lp5",
        "params.authKey",
    ),
];

/// Whitespace, line breaks and a byte-order mark around a PSK (inline, in a variable, in a
/// file) are not part of the key in any dialect: the rendered secret is the bare key, with a
/// `lint.psk-whitespace` warning naming the field and never the key. A file's single final
/// line break is its line end (no warning). Nothing left after trimming is an error.
#[test]
fn psk_surrounding_whitespace_is_trimmed_with_a_warning_in_every_dialect() {
    for (example, key, field) in PSK_FIELDS {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = std::fs::read_to_string(example).expect("example");
        assert!(text.contains(key), "{example}");
        let conn = dir.path().join("conn.yaml");
        std::fs::write(dir.path().join("key.psk"), format!("\u{FEFF}{key} \r\n")).expect("write");
        std::fs::write(dir.path().join("plain.psk"), format!("{key}\n")).expect("write");
        std::fs::write(dir.path().join("blank.psk"), " \n\n").expect("write");
        let cases = [
            (format!("\"\\uFEFF {key}\\n\""), true),
            ("{env: IPSECGEN_TEST_PSK}".to_owned(), true),
            ("{file: key.psk}".to_owned(), true),
            ("{file: plain.psk}".to_owned(), false),
        ];
        for (value, warned) in cases {
            std::fs::write(&conn, text.replacen(key, &value, 1)).expect("write");
            let out = ipsecgen()
                .env("IPSECGEN_TEST_PSK", format!("{key}\n"))
                .arg("render")
                .arg(&conn)
                .assert()
                .success()
                .get_output()
                .clone();
            let stdout = String::from_utf8(out.stdout).expect("utf-8");
            let stderr = String::from_utf8(out.stderr).expect("utf-8");
            assert!(
                stdout.contains(&format!("secret = \"{key}\"")),
                "{example} {value}: {stdout}"
            );
            assert!(!stderr.contains(key), "{example} {value}: {stderr}");
            assert_eq!(
                stderr.contains("lint.psk-whitespace"),
                warned,
                "{example} {value}: {stderr}"
            );
            if warned {
                assert!(
                    stderr.contains(&format!("the pre-shared key of `{field}`")),
                    "{example} {value}: {stderr}"
                );
            }
        }
        // Nothing but whitespace: an error, whatever holds it.
        let empty_code = if example.contains("aliyun") {
            "IllegalParam.Psk"
        } else {
            "input.psk"
        };
        for (value, code) in [
            ("\" \\t\"", empty_code),
            ("{env: IPSECGEN_TEST_PSK}", "input.psk-ref"),
            ("{file: blank.psk}", "input.psk-ref"),
        ] {
            std::fs::write(&conn, text.replacen(key, value, 1)).expect("write");
            ipsecgen()
                .env("IPSECGEN_TEST_PSK", " \n")
                .args(["check", "--format", "json"])
                .arg(&conn)
                .assert()
                .code(1)
                .stdout(predicate::str::contains(format!(r#""code":"{code}""#)));
        }
    }
}

/// The project config's overlay PSKs are trimmed the same way, with the overlay named.
#[test]
fn overlay_psk_whitespace_is_trimmed_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = "Qm7Rt2Xc9Lv4Nb8Kd3Ws";
    std::fs::copy(STATIC, dir.path().join("conn.json")).expect("copy");
    std::fs::write(dir.path().join("dc.psk"), format!("  {key}\n")).expect("write");
    std::fs::write(
        dir.path().join("ipsecgen.toml"),
        "[[overlay]]\nmatch = \"*\"\npsk = { file = \"dc.psk\" }\n",
    )
    .expect("write");
    ipsecgen()
        .current_dir(dir.path())
        .args(["render", "conn.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("secret = \"{key}\"")))
        .stderr(predicate::str::contains("lint.psk-whitespace"))
        .stderr(predicate::str::contains(
            "the pre-shared key of `ipsecgen.toml overlay \"*\" psk` (file `dc.psk`)",
        ))
        .stderr(predicate::str::contains(key).not());
}

/// A static Alibaba connection whose PSK is `{file: <reference>}`.
fn conn_with_psk_file(reference: &str) -> String {
    format!("Name: r\nLocalSubnet: 10.0.0.0/24\nRemoteSubnet: 10.0.1.0/24\nIkeConfig: {{IkeVersion: ikev2, Psk: {{file: \"{reference}\"}}}}\nVpnGateway: {{InternetIp: 203.0.113.1}}\n")
}

/// `{file: ...}` PSK references stay inside the input file's folder (symbolic links resolved):
/// `../`, absolute paths, /proc/self/environ and links leading out are refused with
/// input.psk-ref naming where the path leads and the flag that allows it; `--psk-root DIR`
/// allows one more folder. Nothing of the refused file is read or shown.
#[test]
fn psk_file_references_stay_inside_the_input_folder() {
    let top = tempfile::tempdir().expect("tempdir");
    let top_path = std::fs::canonicalize(top.path()).expect("canonical");
    let inputs = top_path.join("inputs");
    let secrets = top_path.join("secrets");
    std::fs::create_dir_all(inputs.join("sub")).expect("mkdir");
    std::fs::create_dir_all(&secrets).expect("mkdir");
    let inside_key = "Xr4Tn8Wq2Lm6Vz9Kc3Hs";
    let outside_key = "Pb7Dk2Fs9Jh4Gw6Qe8Ty";
    std::fs::write(inputs.join("sub/in.psk"), inside_key).expect("write");
    std::fs::write(secrets.join("out.psk"), outside_key).expect("write");
    std::os::unix::fs::symlink(secrets.join("out.psk"), inputs.join("link-out.psk"))
        .expect("symlink");
    std::os::unix::fs::symlink(inputs.join("sub/in.psk"), inputs.join("link-in.psk"))
        .expect("symlink");
    let conn = inputs.join("conn.yaml");
    let out_abs = secrets.join("out.psk").display().to_string();
    let refused = [
        ("../secrets/out.psk", out_abs.as_str()),
        (out_abs.as_str(), out_abs.as_str()),
        ("link-out.psk", out_abs.as_str()),
        ("sub/../../secrets/out.psk", out_abs.as_str()),
        ("/proc/self/environ", "/proc/"),
        ("/etc/passwd", "/etc/passwd"),
    ];
    for (reference, leads_to) in refused {
        std::fs::write(&conn, conn_with_psk_file(reference)).expect("write");
        ipsecgen()
            .args(["check", "--format", "json"])
            .arg(&conn)
            .assert()
            .code(1)
            .stdout(predicate::str::contains(r#""code":"input.psk-ref""#))
            .stdout(predicate::str::contains(format!(
                "the PSK file `{reference}` leads to `{leads_to}"
            )))
            .stdout(predicate::str::contains(format!(
                "outside the input's folder `{}`",
                inputs.display()
            )))
            .stdout(predicate::str::contains("--psk-root DIR"))
            .stdout(predicate::str::contains(outside_key).not())
            .stdout(predicate::str::contains("root:").not());
    }
    // Inside the folder (also through a link that stays inside): read.
    for reference in ["sub/in.psk", "link-in.psk", "./sub/../sub/in.psk"] {
        std::fs::write(&conn, conn_with_psk_file(reference)).expect("write");
        ipsecgen()
            .arg("render")
            .arg(&conn)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "secret = \"{inside_key}\""
            )));
    }
    // --psk-root allows one more folder, for relative, absolute and linked references alike.
    for reference in ["../secrets/out.psk", out_abs.as_str(), "link-out.psk"] {
        std::fs::write(&conn, conn_with_psk_file(reference)).expect("write");
        ipsecgen()
            .arg("render")
            .arg(&conn)
            .arg("--psk-root")
            .arg(&secrets)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "secret = \"{outside_key}\""
            )));
    }
    // Standard input: references are relative to, and stay inside, the current directory.
    for (cwd, ok) in [(&inputs, true), (&secrets, false)] {
        let run = ipsecgen()
            .current_dir(cwd)
            .args(["render", "-"])
            .write_stdin(conn_with_psk_file(
                &inputs.join("sub/in.psk").display().to_string(),
            ))
            .assert();
        if ok {
            run.success();
        } else {
            run.code(1)
                .stderr(predicate::str::contains("outside the current directory"));
        }
    }
}

/// An overlay's PSK file stays inside the project config's folder.
#[test]
fn overlay_psk_files_stay_inside_the_config_folder() {
    let top = tempfile::tempdir().expect("tempdir");
    let project = top.path().join("project");
    std::fs::create_dir(&project).expect("mkdir");
    std::fs::write(top.path().join("out.psk"), "Pb7Dk2Fs9Jh4Gw6Qe8Ty").expect("write");
    std::fs::copy(STATIC, project.join("conn.json")).expect("copy");
    std::fs::write(
        project.join("ipsecgen.toml"),
        "[[overlay]]\nmatch = \"*\"\npsk = { file = \"../out.psk\" }\n",
    )
    .expect("write");
    ipsecgen()
        .current_dir(&project)
        .args(["check", "--format", "json", "conn.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(r#""code":"config.psk""#))
        .stdout(predicate::str::contains(format!(
            "the PSK file `../out.psk` leads to `{}`, outside the config's folder `{}`",
            std::fs::canonicalize(top.path().join("out.psk"))
                .expect("canonical")
                .display(),
            std::fs::canonicalize(&project)
                .expect("canonical")
                .display()
        )))
        .stdout(predicate::str::contains("Pb7Dk2Fs9").not());
    ipsecgen()
        .current_dir(&project)
        .args(["render", "conn.json", "--psk-root", ".."])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "secret = \"Pb7Dk2Fs9Jh4Gw6Qe8Ty\"",
        ));
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Whether this process may give files away (root, as in CI): the foreign-owner cases need it.
fn can_chown() -> bool {
    let probe = tempfile::NamedTempFile::new().expect("probe");
    std::os::unix::fs::chown(probe.path(), Some(54_321), None).is_ok()
}

/// A project with a connection file in `top/work`, where the commands run. The config that
/// would be found sets the side to cloud, so using it shows in the output.
fn planted_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let top = tempfile::tempdir().expect("tempdir");
    let work = top.path().join("work");
    std::fs::create_dir(&work).expect("mkdir");
    std::fs::copy(STATIC, work.join("conn.json")).expect("copy");
    (top, work)
}

const CLOUD_SIDE: &str = "[render]\nside = \"cloud\"\n";

/// An ipsecgen.toml found in a parent that others can write, or owned by someone else, is
/// refused with config.unsafe (exit 2, nothing rendered), saying why and how to fix it.
#[test]
fn discovered_config_must_be_owned_by_the_user_and_not_writable_by_others() {
    let (top, work) = planted_project();
    let config = top.path().join("ipsecgen.toml");
    std::fs::write(&config, CLOUD_SIDE).expect("write");
    chmod(&config, 0o644);
    let shown = config.display().to_string();
    let mut cases: Vec<(&str, String)> = vec![
        (
            "folder 1777",
            format!(
                "refusing {shown}: its folder {} is writable by everyone (mode 1777)",
                top.path().display()
            ),
        ),
        (
            "file 0664",
            format!("refusing {shown}: it is writable by its group (mode 0664)"),
        ),
        (
            "file 0646",
            format!("refusing {shown}: it is writable by everyone (mode 0646)"),
        ),
    ];
    if can_chown() {
        cases.push((
            "owner",
            format!("refusing {shown}: it is owned by uid 54321, not by you"),
        ));
    }
    for (case, message) in cases {
        chmod(
            top.path(),
            if case == "folder 1777" { 0o1777 } else { 0o755 },
        );
        chmod(
            &config,
            match case {
                "file 0664" => 0o664,
                "file 0646" => 0o646,
                _ => 0o644,
            },
        );
        if case == "owner" {
            std::os::unix::fs::chown(&config, Some(54_321), None).expect("chown");
        }
        let out = ipsecgen()
            .current_dir(&work)
            .args(["render", "conn.json", "--format", "json"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("json");
        assert_eq!(report["code"], "config.unsafe", "{case}: {stdout}");
        let text = report["message"].as_str().expect("message");
        assert!(text.starts_with(&message), "{case}: {text}");
        let help = report["help"].as_str().expect("help");
        assert!(help.contains("chmod go-w"), "{case}: {help}");
        assert!(
            help.contains(&format!("--config {shown}")),
            "{case}: {help}"
        );
        // Named explicitly, the same file is used (the user vouches for it), and said so.
        ipsecgen()
            .current_dir(&work)
            .args(["render", "conn.json", "--config"])
            .arg(&config)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!(
                "using config {}",
                std::fs::canonicalize(&config).expect("canonical").display()
            )))
            .stdout(predicate::str::contains("remote_addrs = 198.51.100.20"));
        // --no-config ignores it.
        ipsecgen()
            .current_dir(&work)
            .args(["render", "conn.json", "--no-config"])
            .assert()
            .success()
            .stderr(predicate::str::contains("using config").not());
        if case == "owner" {
            std::os::unix::fs::chown(&config, Some(0), None).expect("chown back");
        }
    }
    // Made safe, it is used, and the run says which file it uses.
    chmod(top.path(), 0o755);
    chmod(&config, 0o644);
    ipsecgen()
        .current_dir(&work)
        .args(["render", "conn.json"])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "using config {}",
            std::fs::canonicalize(&config).expect("canonical").display()
        )))
        .stdout(predicate::str::contains("remote_addrs = 198.51.100.20"));
}

/// The walk up stops at the repository root (a folder holding .git) and at $HOME, both
/// included: a config above them is not used.
#[test]
fn config_discovery_stops_at_the_repository_root_and_home() {
    for boundary in [".git dir", ".git file", "home"] {
        let (top, work) = planted_project();
        std::fs::write(top.path().join("ipsecgen.toml"), CLOUD_SIDE).expect("write");
        let mut cmd = ipsecgen();
        match boundary {
            ".git dir" => std::fs::create_dir(work.join(".git")).expect("mkdir"),
            ".git file" => {
                std::fs::write(work.join(".git"), "gitdir: /elsewhere\n").expect("write")
            }
            _ => {
                cmd.env("HOME", &work);
            }
        }
        let sub = work.join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        cmd.current_dir(&sub)
            .args(["render", "../conn.json"])
            .assert()
            .success()
            .stderr(predicate::str::contains("using config").not())
            .stdout(predicate::str::contains("remote_addrs = 203.0.113.10"));
        // At the boundary itself, a config is still found.
        std::fs::write(work.join("ipsecgen.toml"), CLOUD_SIDE).expect("write");
        let mut cmd = ipsecgen();
        if boundary == "home" {
            cmd.env("HOME", &work);
        }
        cmd.current_dir(&sub)
            .args(["render", "../conn.json"])
            .assert()
            .success()
            .stderr(predicate::str::contains(format!(
                "using config {}",
                std::fs::canonicalize(work.join("ipsecgen.toml"))
                    .expect("canonical")
                    .display()
            )))
            .stdout(predicate::str::contains("remote_addrs = 198.51.100.20"));
    }
}

/// The template folder a discovered config names obeys the same rule, and stays relative to
/// the config's folder when the command runs in a subfolder.
#[test]
fn discovered_config_templates_must_be_trusted_and_are_relative_to_the_config() {
    let (_top, work) = planted_project();
    std::fs::write(work.join(".git"), "gitdir: /elsewhere\n").expect("write");
    std::fs::write(
        work.join("ipsecgen.toml"),
        "[render]\ntemplates = \"tpl\"\n",
    )
    .expect("write");
    let tpl = work.join("tpl/swanctl");
    std::fs::create_dir_all(&tpl).expect("mkdir");
    let export = work.join("export");
    ipsecgen()
        .args(["templates", "export"])
        .arg(&export)
        .assert()
        .success();
    let builtin =
        std::fs::read_to_string(export.join("swanctl/swanctl.conf.j2")).expect("exported");
    let template = tpl.join("swanctl.conf.j2");
    std::fs::write(&template, format!("# ACME header\n{builtin}")).expect("write");
    chmod(&template, 0o644);
    let sub = work.join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    ipsecgen()
        .current_dir(&sub)
        .args(["render", "../conn.json"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# ACME header\n"));
    chmod(&template, 0o666);
    ipsecgen()
        .current_dir(&sub)
        .args(["render", "../conn.json", "--format", "json"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(r#""code":"config.unsafe""#))
        .stdout(predicate::str::contains(format!(
            "its render.templates folder holds {}, which is writable by everyone (mode 0666)",
            template.display()
        )));
}

/// A template override that is a FIFO is refused (template.override), not waited on.
#[test]
fn template_overrides_must_be_regular_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("swanctl")).expect("mkdir");
    mkfifo(&dir.path().join("swanctl/swanctl.conf.j2"));
    ipsecgen()
        .args(["render", STATIC, "--format", "json", "--templates"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(r#""code":"template.override""#))
        .stdout(predicate::str::contains("it is a FIFO, not a regular file"));
}

/// A project config can allow or deny lints (warnings), never allow an error away: one
/// checked in with the inputs made `check` pass a broken file (independent attack, L3).
#[test]
fn a_config_cannot_allow_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("ipsecgen.toml"),
        "[lints]\n\"input.syntax\" = \"allow\"\n\"IllegalParam.LocalSubnet\" = \"allow\"\n\"lint.psk-plaintext\" = \"allow\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("broken.json"), "{\"broken").expect("write");
    std::fs::write(
        dir.path().join("bad-subnet.json"),
        "{\"Name\":\"x\",\"LocalSubnet\":\"10.1.1.1/24\",\"RemoteSubnet\":\"10.1.3.0/24\"}",
    )
    .expect("write");
    for file in ["broken.json", "bad-subnet.json"] {
        let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .current_dir(dir.path())
            .args([
                "check",
                "--format",
                "json",
                file,
                "--config",
                "ipsecgen.toml",
            ])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// An input may read only environment variables meant for a PSK: `{env: GITHUB_TOKEN}` wrote
/// a CI runner's token into the rendered config (independent attack, M2).
#[test]
fn psk_references_read_only_psk_variables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = "Name: envdemo\nLocalSubnet: 10.1.1.0/24\nRemoteSubnet: 10.1.3.0/24\n\
        IkeConfig: {Psk: {env: GITHUB_TOKEN}, IkeVersion: ikev2}\n\
        VpnGateway: {InternetIp: 203.0.113.10}\nCustomerGateway: {IpAddress: 198.51.100.20}\n";
    std::fs::write(dir.path().join("conn.yaml"), conn).expect("write");
    let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
        .current_dir(dir.path())
        .env("GITHUB_TOKEN", "ghp_RunnerTokenXyz123456")
        .args(["render", "conn.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("input.psk-ref"), "{shown}");
    assert!(!shown.contains("ghp_RunnerToken"), "{shown}");
    // A PSK variable is read as before.
    std::fs::write(
        dir.path().join("conn.yaml"),
        conn.replace("GITHUB_TOKEN", "DC1_PSK"),
    )
    .expect("write");
    assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
        .current_dir(dir.path())
        .env("DC1_PSK", "Zr5tW8yBn3QxL6vDkk")
        .args(["render", "conn.yaml"])
        .assert()
        .success();
}
