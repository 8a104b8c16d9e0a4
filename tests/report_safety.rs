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

/// A valid Alibaba connection (YAML) with `extra` added as its last top-level line.
fn static_yaml_with(extra: &str) -> String {
    let base = std::fs::read_to_string("examples/aliyun/connection-static.yaml").expect("example");
    format!("{base}{extra}\n")
}

/// A file name and a key carrying a workflow command, terminal escapes, a line separator and
/// a bidi override reach no report format as themselves.
#[test]
fn names_and_messages_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "evil\n::warning title=pwned::gotcha\u{1b}[31m,x:y%\u{202e}.yaml";
    // The key holds a raw bidi override; the message quotes it.
    write(
        dir.path(),
        name,
        &static_yaml_with("Bo\u{202e}gus\u{85}: 1"),
    );
    let (code, human, json, github) = check_all_formats(dir.path(), &[name]);
    assert_eq!(code, 1, "{human}");
    for (format, out) in [("human", &human), ("json", &json), ("github", &github)] {
        for bad in ['\u{1b}', '\u{202e}', '\u{85}', '\r'] {
            assert!(!out.contains(bad), "{format} prints {bad:?} raw: {out}");
        }
        assert!(
            !out.lines().any(|l| l.starts_with("::warning")),
            "{format} starts a workflow command: {out}"
        );
    }
    let shown = "evil\\n::warning title=pwned::gotcha\\u{1b}[31m,x:y%\\u{202e}.yaml";
    assert!(human.contains(&format!("[{shown}:")), "{human}");
    assert!(
        human.contains("× unknown field `Bo\\u{202e}gus\\u{85}`"),
        "{human}"
    );
    // The snippet keeps its place: the override is replaced by U+FFFD, U+0085 by `??`.
    assert!(human.contains("│ Bo\u{fffd}gus??: 1"), "{human}");
    // JSON: the same strings, escaped by JSON's own rules.
    let first: serde_json::Value =
        serde_json::from_str(json.lines().next().expect("a line")).expect("json");
    assert_eq!(first["file"], name);
    assert_eq!(first["message"], "unknown field `Bo\u{202e}gus\u{85}`");
    assert!(
        json.contains(r#""file":"evil\n::warning title=pwned::gotcha\u001b[31m,x:y%\u202e.yaml""#),
        "{json}"
    );
    // GitHub: %25, %0D, %0A everywhere; %3A and %2C in properties.
    let first = github.lines().next().expect("a line");
    assert!(
        first.starts_with(
            "::error file=evil%0A%3A%3Awarning title=pwned%3A%3Agotcha\\u{1b}[31m%2Cx%3Ay%25\\u{202e}.yaml,\
             line=34,col=1,title=input.unknown-field::unknown field `Bo\\u{202e}gus\\u{85}` \
             (help: known fields here: $schema, Action,"
        ),
        "{first}"
    );
}

/// GitHub's workflow-command syntax: in the message `%`, CR and LF are escaped; in properties
/// also `:` and `,` (a `,` would start another property, a `:` could end them).
#[test]
fn github_annotations_follow_the_workflow_command_syntax() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "a:b,c%d\r.yaml";
    write(dir.path(), name, &static_yaml_with("\"x%:,\\r\\ny\": 1"));
    let out = ipsecgen()
        .current_dir(dir.path())
        .args(["check", "--format", "github", name])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        stdout,
        "::error file=a%3Ab%2Cc%25d%0D.yaml,line=34,col=1,title=input.unknown-field::\
         unknown field `x%25:,%0D%0Ay` (help: known fields here: $schema, Action, AttachInstanceId, \
         AttachType, AutoConfigRoute, BgpConfig, ClientToken, CreateTime, CrossAccountAuthorized, \
         CustomerGateway, CustomerGatewayId, Description, DryRun, EffectImmediately, EnableDpd, \
         EnableNatTraversal, EnableTunnelsBgp, HealthCheckConfig, IkeConfig, InternetIp, IpsecConfig, \
         LocalSubnet, Name, NetworkType, RegionId, RemoteCaCert, RemoteCaCertificate, RemoteSubnet, \
         RequestId, ResourceGroupId, Spec, State, Status, Tag, Tags, TransitRouterId, TransitRouterName, \
         TunnelBandwidth, TunnelOptionsSpecification, VcoHealthCheck, VpnBgpConfig, VpnConnectionConfig, VpnConnectionId, VpnConnections, VpnGateway, VpnGatewayId, ZoneNo)\n"
    );
}

/// The static example (YAML) with its PSK line replaced by `psk_lines` (indented under
/// IkeConfig) and `extra` lines added at the end.
fn static_yaml_psk(psk_lines: &str, extra: &str) -> String {
    static_yaml_with(extra).replace("  Psk: vK3nT9qLx7RmPz2WcY8s", psk_lines)
}

/// Documents holding the secret `LEAKME` in every notation the inputs allow, each with an
/// error whose snippet shows the secret's line: no report format prints it. (`shown` is text
/// of the secret's line that must be in the human snippet, so the test sees that line.)
#[test]
fn a_secret_never_reaches_a_report_in_any_notation() {
    let json = |s: &str| s.to_owned();
    let cases: Vec<(&str, &str, String, &str)> = vec![
        // Unparsable inputs: the raw scan decides where a value ends.
        ("comma", "a.json", json(r#"{"Name": "x", "Psk": "abc,LEAKME", "X": ]}"#), r#""Psk": ""#),
        ("brace-quote-backslash", "a.json", json(r#"{"Psk": "a}'\"\\LEAKME", "X": ]}"#), r#""Psk": ""#),
        ("escaped-quote-in-ikeconfig", "a.json",
         json(r#"{"IkeConfig": "{\"Psk\":\"a\\\"b,LEAKME\",\"IkeVersion\":\"ikev2\"}", "X": ]}"#), "IkeVersion"),
        ("yaml-single-quoted", "a.yaml", "Psk: 'it''s,LEAKME'\nX: [\n".into(), "Psk: '"),
        ("yaml-double-quoted-lines", "a.yaml", "Psk: \"abc,\n  LEAKME\"\nX: [\n".into(), "********\""),
        ("yaml-plain", "a.yaml", "Psk: abc, LEAKME }\nX: [\n".into(), "Psk: "),
        ("yaml-block", "a.yaml", "Psk: |\n  LEAKME\nX: [\n".into(), "********"),
        ("to-end-of-text", "a.json", "{\"X\": ], \"Psk\": \"abc LEAKME".into(), "\"Psk\""),
        ("query-plain", "a.txt", "Action=CreateVpnConnection&Psk=a,b}LEAKME&IkeConfig={\"x\n".into(), "Psk="),
        ("query-url-encoded", "a.txt",
         "Action=CreateVpnConnection&RemoteSubnet=10.0.0.0/24&IkeConfig=%7B%22Psk%22%3A%22a%5C%22LEAKME%22%2C%22X%22\n".into(),
         "IkeConfig="),
        // Parsed inputs: a PSK that is a list or a map, misspelt keys, an alias.
        ("psk-flow-list", "a.yaml", static_yaml_psk("  Psk: [a, LEAKME]", ""), "Psk: *"),
        ("psk-block-list", "a.yaml", static_yaml_psk("  Psk:\n    - a\n    - LEAKME", ""), "Psk:"),
        ("psk-map", "a.yaml", static_yaml_psk("  Psk: {a: LEAKME}", ""), "Psk: *"),
        ("alias", "a.yaml",
         static_yaml_psk("  Psk: *a", "").replace("Name: hangzhou-to-dc1", "Name: hangzhou-to-dc1\nDescription: &a LEAKME\nBogus: 1"),
         "Description: &"),
    ];
    let mut cases = cases;
    for key in ["Pks", "Psk2", "IkePsk", "SharedKey", "PreSharedKey", "psk_"] {
        cases.push((
            "misspelt",
            "a.yaml",
            static_yaml_psk(&format!("  Psk: xK3nT9qLx7RmPz2WcY8s\n  {key}: LEAKME"), ""),
            key,
        ));
        cases.push((
            "misspelt-in-ikeconfig",
            "a.json",
            std::fs::read_to_string("examples/aliyun/connection-static.json")
                .expect("example")
                .replace(
                    r#"{\"Psk\":"#,
                    &format!(r#"{{\"{key}\":\"LEAKME\",\"Psk\":"#),
                ),
            key,
        ));
    }
    // The same, over 128 KiB: a long text's secret scan runs beside the reading.
    let padded: Vec<(&str, &str, String, &str)> = cases
        .iter()
        .filter(|(_, name, ..)| !name.ends_with(".txt"))
        .map(|(what, name, text, shown)| {
            let pad = if name.ends_with(".yaml") {
                "\n# padding".repeat(14_000)
            } else {
                "\n".repeat(132_000)
            };
            (*what, *name, format!("{text}{pad}"), *shown)
        })
        .collect();
    assert!(padded.iter().all(|(_, _, t, _)| t.len() > 128 * 1024));
    cases.extend(padded);
    let dir = tempfile::tempdir().expect("tempdir");
    for (what, name, text, shown) in &cases {
        write(dir.path(), name, text);
        let (code, human, json, github) = check_all_formats(dir.path(), &[name]);
        assert_eq!(code, 1, "{what}: {human}");
        for (format, out) in [("human", &human), ("json", &json), ("github", &github)] {
            assert!(
                !out.contains("LEAKME"),
                "{what}: {format} prints the secret:\n{out}"
            );
        }
        assert!(
            human
                .lines()
                .any(|l| l.contains(" │ ") && l.contains(shown)),
            "{what}: the snippet shows the secret's line:\n{human}"
        );
    }
}

/// UTF-16 input is named as such (it said "NUL bytes"); a UTF-8 byte-order mark is ignored;
/// a `.json` file must be strict JSON (YAML's `0x10` became a 16 s lifetime); a number in
/// an integer field is shown as written.
#[test]
fn encodings_strict_json_and_numbers_are_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("examples/aliyun/connection-static.json").expect("example");
    let mut utf16 = vec![0xff, 0xfe];
    text.encode_utf16()
        .for_each(|u| utf16.extend(u.to_le_bytes()));
    std::fs::write(dir.path().join("u16.json"), utf16).expect("write");
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    std::fs::write(dir.path().join("bom.json"), bom).expect("write");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut hex = doc.clone();
    hex["IkeConfig"] = serde_json::json!({"Psk": "vK3nT9qLx7RmPz2WcY8s", "IkeLifetime": 0});
    let hex = serde_json::to_string_pretty(&hex)
        .expect("json")
        .replace("\"IkeLifetime\": 0", "\"IkeLifetime\": 0x10");
    write(dir.path(), "hex.json", &hex);
    let mut exp = doc;
    exp["IkeConfig"] = serde_json::json!({"Psk": "vK3nT9qLx7RmPz2WcY8s", "IkeLifetime": 0});
    let exp = serde_json::to_string_pretty(&exp)
        .expect("json")
        .replace("\"IkeLifetime\": 0", "\"IkeLifetime\": 1e3");
    write(dir.path(), "exp.json", &exp);
    let (code, human, json, _) = check_all_formats(
        dir.path(),
        &["u16.json", "bom.json", "hex.json", "exp.json"],
    );
    assert_eq!(code, 1, "{human}");
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let of = |file: &str| -> Vec<&serde_json::Value> {
        lines.iter().filter(|l| l["file"] == file).collect()
    };
    let u16 = of("u16.json");
    assert_eq!(u16.len(), 1, "{json}");
    assert_eq!(u16[0]["code"], "input.encoding");
    assert_eq!(
        u16[0]["message"],
        "`u16.json` is UTF-16 (little-endian) text; ipsecgen reads UTF-8"
    );
    assert!(
        of("bom.json").iter().all(|d| d["severity"] == "warning"),
        "{json}"
    );
    let hex_line = hex.lines().position(|l| l.contains("0x10")).expect("line") + 1;
    let hexd = of("hex.json");
    assert_eq!(hexd.len(), 1, "{json}");
    assert_eq!(hexd[0]["code"], "input.syntax");
    assert_eq!(hexd[0]["line"], hex_line);
    assert!(
        hexd[0]["message"]
            .as_str()
            .expect("msg")
            .starts_with("`hex.json` is not valid JSON: "),
        "{json}"
    );
    assert!(
        hexd[0]["help"].as_str().expect("help").contains("no 0x10"),
        "{json}"
    );
    let expd: Vec<_> = of("exp.json")
        .into_iter()
        .filter(|d| d["code"] == "input.type")
        .collect();
    assert_eq!(
        expd[0]["message"],
        "`IkeConfig.IkeLifetime` must be a non-negative integer, found the number `1e3`"
    );
    assert!(!human.contains("NUL bytes"), "{human}");
}

/// A YAML alias copies the PSK into another field: as an identity it is refused
/// (`input.psk-reused`: an identity is sent and printed in clear), and no diagnostic that
/// quotes a field's value, in any format, nor `explain`, prints it (independent attack, M3).
#[test]
fn a_psk_copied_by_an_alias_is_never_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let as_identity = "Name: aliasdemo\nLocalSubnet: 10.1.1.0/24\nRemoteSubnet: 10.1.3.0/24\n\
        IkeConfig: {Psk: &s SUPERSECRETPSK2xyz, IkeVersion: ikev2, LocalId: *s, RemoteId: *s}\n\
        VpnGateway: {InternetIp: 203.0.113.10}\nCustomerGateway: {IpAddress: 198.51.100.20}\n";
    let as_values = "IkeConfig: {Psk: &s SUPERSECRETPSK3xyz, IkeVersion: ikev2}\n\
        LocalSubnet: *s\nRemoteSubnet: 10.1.3.0/24\nVpnGateway: {InternetIp: *s}\n";
    write(dir.path(), "id.yaml", as_identity);
    write(dir.path(), "values.yaml", as_values);
    for (file, secret) in [
        ("id.yaml", "SUPERSECRETPSK2"),
        ("values.yaml", "SUPERSECRETPSK3"),
    ] {
        for format in ["human", "json", "github"] {
            let out = ipsecgen()
                .current_dir(dir.path())
                .args(["check", "--format", format, file])
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(1), "{file} {format}");
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!shown.contains(secret), "{file} {format}:\n{shown}");
        }
    }
    let out = ipsecgen()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "id.yaml"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("\"code\":\"input.psk-reused\"").count(),
        2,
        "{stdout}"
    );
    let out = ipsecgen()
        .current_dir(dir.path())
        .args(["explain", "id.yaml"])
        .output()
        .expect("run");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("IKE ID    ***"), "{shown}");
    assert!(!shown.contains("SUPERSECRETPSK2"), "{shown}");
}

/// `explain` lists the findings with control characters escaped, as `check` does (a key with a
/// terminal title sequence changed the terminal; independent attack, L2).
#[test]
fn explain_escapes_what_it_quotes_from_the_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "esc.json",
        "{\"Name\":\"x\",\"RemoteSubnet\":\"10.1.3.0/24\",\"LocalSubnet\":\"10.1.1.0/24\",\"X\\u001b]0;pwned\\u0007\\r\":1}",
    );
    let out = ipsecgen()
        .current_dir(dir.path())
        .args([
            "explain",
            "esc.json",
            "--cloud-ip",
            "203.0.113.1",
            "--customer-ip",
            "198.51.100.1",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("unknown field"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\r'),
        "{stdout:?}"
    );
}

/// In a file that does not parse, a secret key written with escapes, as an explicit key, or
/// split from its colon over two lines is still found by the text scan, and its value masked
/// in the human report's snippet (independent attack, L1).
#[test]
fn escaped_and_split_secret_keys_in_broken_files_are_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("c1.yaml", "? Psk\n: LEAKEDSECRET1\nIkeVersion: [\n"),
        ("c2.yaml", "\"P\\x73k\": LEAKEDSECRET2\nIkeVersion: [\n"),
        ("c4.yaml", "\"Psk\"\n  : LEAKEDSECRET4\nIkeVersion: [\n"),
        (
            "c6.json",
            "{\"\\u0050sk\": \"LEAKEDSECRET6\", \"IkeVersion\": [}}\n",
        ),
        (
            "c7.json",
            "{\"Psk\"\n: \"LEAKEDSECRET7\", \"IkeVersion\": [}}\n",
        ),
        (
            "q2.txt",
            "?Action=CreateVpnConnection&RemoteSubnet=10.0.0.0/8&%50sk=QLEAKSECRET2&x=%zz\n",
        ),
    ];
    for (name, text) in cases {
        write(dir.path(), name, text);
        let out = ipsecgen()
            .current_dir(dir.path())
            .args(["check", name])
            .output()
            .expect("run");
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_ne!(out.status.code(), Some(0), "{name}: {shown}");
        assert!(
            !shown.contains("LEAKSECRET") && !shown.contains("LEAKEDSECRET"),
            "{name}:\n{shown}"
        );
    }
}
