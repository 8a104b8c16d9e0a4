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

/// A dual-stack connection with BGP: IPv4 and IPv6 on both sides (customer's IPv6 on line 14).
const DUAL: &str = "connections:
  - name: dual
    cloud:
      gateway: 203.0.113.5
      subnets:
        - 10.9.0.0/24
        - fd00:9::/64
      asn: 64600
      bgp_ip: 169.254.40.1
    customer:
      gateway: 198.51.100.5
      subnets:
        - 10.8.0.0/24
        - fd00:8::/64
      asn: 65101
      bgp_ip: 169.254.40.2
    bgp: {enabled: true, tunnel_cidr: 169.254.40.0/30}
    psk: Zr5tW8yBn3QxL6vDkk99
";

fn family_of(cidr: &str) -> bool {
    cidr.contains(':')
}

/// A family present on one side only is an error at each subnet of that family.
#[test]
fn subnets_of_one_family_on_one_side_only_are_errors() {
    let one_sided = "connections:
  - name: mixed
    cloud:
      gateway: 203.0.113.5
      subnets:
        - 10.9.0.0/24
        - fd00:9::/64
    customer:
      gateway: 198.51.100.5
      subnets:
        - 10.8.0.0/24
    psk: Zr5tW8yBn3QxL6vDkk99
";
    let (code, diags) = check("c.yaml", one_sided);
    assert_eq!(code, Some(1));
    assert_eq!(
        errors(&diags),
        [("addressing.family-mismatch", Some(7))],
        "{diags:?}"
    );
    let crossed = one_sided
        .replace("        - 10.8.0.0/24", "        - fd00:8::/64")
        .replace("        - fd00:9::/64\n", "");
    let (code, diags) = check("c.yaml", &crossed);
    assert_eq!(code, Some(1));
    assert_eq!(
        errors(&diags),
        [
            ("addressing.family-mismatch", Some(6)),
            ("addressing.family-mismatch", Some(10))
        ],
        "{diags:?}"
    );
    let d = &diags[0];
    assert!(
        d.message.contains("10.9.0.0/24 is IPv4") && d.message.contains("no IPv4 block"),
        "{}",
        d.message
    );
    // Both families on both sides pass verify.
    let (code, diags) = check("c.yaml", DUAL);
    assert_eq!(code, Some(0), "{diags:?}");
}

/// Every target that writes ACLs, prefix lists or IPv4-only selectors refuses an IPv6 subnet
/// with target.unsupported at that subnet; none prints an IPv4 rule with IPv6 operands.
#[test]
fn targets_without_ipv6_refuse_ipv6_subnets() {
    let refuse = [
        "cisco-asa",
        "cisco-ios-xe",
        "fortios",
        "frr",
        "h3c-comware",
        "huawei-vrp",
        "juniper-srx",
        "libreswan",
        "mikrotik",
        "panos",
        "vyos",
    ];
    for target in ipsecgen::render::registry().targets() {
        let name = target.name.as_str();
        let (code, diags, stdout) = run(
            &["render", "--target", name, "--tunnel-mode", "policy"],
            "dual.yaml",
            DUAL,
        );
        if refuse.contains(&name) {
            assert!(!target.features.ipv6, "{name}");
            assert_eq!(code, Some(1), "{name}: {stdout}");
            // The ASA also refuses BGP over a policy-based tunnel (no interface for the BGP
            // address): a second, separate refusal.
            let want: &[(&str, Option<usize>)] = if name == "cisco-asa" {
                &[
                    ("target.unsupported", Some(14)),
                    ("target.unsupported", None),
                ]
            } else {
                &[("target.unsupported", Some(14))]
            };
            assert_eq!(errors(&diags), want, "{name}: {diags:?}");
            assert!(!stdout.contains("fd00:"), "{name} printed IPv6: {stdout}");
        } else {
            assert!(
                ["swanctl", "json"].contains(&name),
                "new target {name}: decide"
            );
            assert_eq!(code, Some(0), "{name}: {diags:?}");
        }
    }
}

/// swanctl gives each family its own child, in both IKE versions; no selector pair crosses.
#[test]
fn swanctl_children_never_pair_across_families() {
    for ike in ["ikev2", "ikev1"] {
        let doc = DUAL
            .replace(
                "        - 10.8.0.0/24\n",
                "        - 10.8.0.0/24\n        - 10.7.0.0/24\n",
            )
            .replace(
                "    psk:",
                &format!("    ike: {{version: {ike}}}\n    psk:"),
            );
        let (code, diags, out) = run(
            &["render", "--target", "swanctl", "--tunnel-mode", "policy"],
            "dual.yaml",
            &doc,
        );
        assert_eq!(code, Some(0), "{ike}: {diags:?}");
        let ts = |key: &str| -> Vec<String> {
            out.lines()
                .filter_map(|l| l.trim().strip_prefix(key))
                .map(str::to_owned)
                .collect()
        };
        let (local, remote) = (ts("local_ts = "), ts("remote_ts = "));
        assert_eq!(local.len(), remote.len());
        for (l, r) in local.iter().zip(&remote) {
            let fams: Vec<bool> = l.split(',').chain(r.split(',')).map(family_of).collect();
            assert!(fams.iter().all(|f| *f == fams[0]), "{ike}: {l} <-> {r}");
        }
        assert!(local.iter().any(|l| l == "fd00:8::/64"), "{ike}: {out}");
        assert!(remote.iter().any(|r| r == "fd00:9::/64"), "{ike}: {out}");
    }
    // Route-based tunnels (the default with BGP) carry IPv4 only: refused at the subnet.
    let (code, diags, _) = run(&["render", "--target", "swanctl"], "dual.yaml", DUAL);
    assert_eq!(code, Some(1));
    assert_eq!(
        errors(&diags),
        [("target.unsupported", Some(14))],
        "{diags:?}"
    );
}

/// Native fleet: (cloud gateway last octet, customer subnets) per connection, one per line
/// group of 4 lines starting at line 2 (connection i's customer line is 4 + 4 * i).
fn fleet(conns: &[(u8, &str)]) -> String {
    let mut s = String::from("connections:\n");
    for (i, (gw, subnets)) in conns.iter().enumerate() {
        s.push_str(&format!(
            "  - name: c{i}\n    cloud: {{gateway: 203.0.113.{gw}, subnets: [10.200.0.0/16]}}\n    customer: {{gateway: 198.51.100.{i}, subnets: [{subnets}]}}\n    psk: Zr5tW8yBn3QxL6vDkk{i:02}\n"
        ));
    }
    s
}

fn warnings<'a>(diags: &'a [JsonDiag], code: &str) -> Vec<(&'a str, Option<usize>)> {
    diags
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.severity.as_str(), d.line))
        .collect()
}

/// Equal or nested customer subnets on one cloud gateway are a warning at the later subnet,
/// naming both connections; other gateways, other blocks and the other family are fine.
#[test]
fn overlapping_customer_subnets_on_one_gateway_are_a_lint() {
    let text = fleet(&[
        (5, "10.8.0.0/16"),
        (5, "10.1.0.0/24"),
        (6, "10.8.0.0/16"),              // another gateway: fine
        (5, "10.8.3.0/24"),              // inside c0's
        (5, "10.9.0.0/24, 10.1.0.0/24"), // the same as c1's
        (5, "10.10.0.0/24"),
    ]);
    let (code, diags) = check("fleet.yaml", &text);
    assert_eq!(code, Some(0), "{diags:?}");
    assert_eq!(
        warnings(&diags, "lint.overlapping-subnets"),
        [("warning", Some(16)), ("warning", Some(20))],
        "{diags:?}"
    );
    let messages: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "lint.overlapping-subnets")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "connection \"c3\": customer subnet 10.8.3.0/24 is inside 10.8.0.0/16 of connection \"c0\" (line 4), on the same cloud gateway 203.0.113.5",
            "connection \"c4\": customer subnet 10.1.0.0/24 is the same block as 10.1.0.0/24 of connection \"c1\" (line 8), on the same cloud gateway 203.0.113.5",
        ]
    );
    // No overlap, no lint.
    let (_, diags) = check(
        "fleet.yaml",
        &fleet(&[(5, "10.8.0.0/24"), (5, "10.8.1.0/24")]),
    );
    assert!(
        warnings(&diags, "lint.overlapping-subnets").is_empty(),
        "{diags:?}"
    );
}

/// The lint is configurable in ipsecgen.toml like the others: allow drops it, deny fails.
#[test]
fn overlapping_subnets_lint_level_comes_from_the_project_config() {
    let text = fleet(&[(5, "10.8.0.0/16"), (5, "10.8.0.0/16")]);
    for (level, exit, want) in [("allow", 0, vec![]), ("deny", 1, vec![("error", Some(8))])] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("ipsecgen.toml"),
            format!("[lints]\n\"lint.overlapping-subnets\" = \"{level}\"\n"),
        )
        .expect("config");
        std::fs::write(dir.path().join("fleet.yaml"), &text).expect("input");
        let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .current_dir(dir.path())
            .args(["check", "--format", "json", "fleet.yaml"])
            .output()
            .expect("runs");
        let diags: Vec<JsonDiag> = String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(out.status.code(), Some(exit), "{level}: {diags:?}");
        assert_eq!(
            warnings(&diags, "lint.overlapping-subnets"),
            want,
            "{level}: {diags:?}"
        );
    }
}

/// A native connection whose ike/esp/dpd blocks are `extra` (lines 5 onward).
fn native_numbers(extra: &str) -> String {
    format!(
        "connections:\n  - name: num\n    cloud: {{gateway: 203.0.113.5, subnets: [10.9.0.0/24]}}\n    customer: {{gateway: 198.51.100.5, subnets: [10.8.0.0/24]}}\n{extra}    psk: Zr5tW8yBn3QxL6vDkk99\n"
    )
}

/// Native numbers have documented ranges: outside is an error at the value, never written.
#[test]
fn native_numbers_outside_their_ranges_are_errors() {
    for (extra, want) in [
        (
            "    ike: {lifetime: 4294967295}\n",
            ("native.lifetime", Some(5)),
        ),
        ("    ike: {lifetime: 59}\n", ("native.lifetime", Some(5))),
        (
            "    esp: {lifetime: 604801}\n",
            ("native.lifetime", Some(5)),
        ),
        ("    esp: {lifetime: 0}\n", ("native.lifetime", Some(5))),
        (
            "    dpd: {interval: 0, timeout: 30}\n",
            ("native.dpd", Some(5)),
        ),
        (
            "    dpd: {interval: 3601, timeout: 7200}\n",
            ("native.dpd", Some(5)),
        ),
        (
            "    dpd:\n      interval: 10\n      timeout: 86401\n",
            ("native.dpd", Some(7)),
        ),
    ] {
        let (code, diags) = check("n.yaml", &native_numbers(extra));
        assert_eq!(code, Some(1), "{extra}: {diags:?}");
        assert_eq!(errors(&diags), [want], "{extra}: {diags:?}");
        // Rendering stops too: nothing is written with the value.
        let (code, _, stdout) = run(&["render"], "n.yaml", &native_numbers(extra));
        assert_eq!(code, Some(1), "{extra}");
        assert!(
            stdout
                .lines()
                .all(|l| serde_json::from_str::<JsonDiag>(l).is_ok()),
            "a config was printed: {stdout}"
        );
    }
    for extra in [
        "    ike: {lifetime: 60}\n    esp: {lifetime: 604800}\n",
        "    dpd: {interval: 1, timeout: 2}\n",
        "    dpd: {interval: 3600, timeout: 86400}\n",
    ] {
        let (code, diags) = check("n.yaml", &native_numbers(extra));
        assert_eq!(code, Some(0), "{extra}: {diags:?}");
    }
}

/// A value the input allows but the device cannot take is target.unsupported at the value,
/// naming the device's range; targets without a declared range write it.
#[test]
fn numbers_a_target_cannot_express_are_unsupported() {
    for (extra, line, range) in [
        ("    ike: {lifetime: 172800}\n", 5, "from 120 to 86400"),
        ("    ike: {lifetime: 60}\n", 5, "from 120 to 86400"),
        ("    esp: {lifetime: 90}\n", 5, "from 120 to 2592000"),
        (
            "    dpd: {interval: 5, timeout: 30}\n",
            5,
            "from 10 to 3600",
        ),
    ] {
        let text = native_numbers(extra);
        let (code, diags, stdout) = run(&["render", "--target", "cisco-ios-xe"], "n.yaml", &text);
        assert_eq!(code, Some(1), "{extra}: {stdout}");
        assert_eq!(
            errors(&diags),
            [("target.unsupported", Some(line))],
            "{extra}: {diags:?}"
        );
        let d = diags
            .iter()
            .find(|d| d.code == "target.unsupported")
            .expect("diag");
        assert!(d.message.contains("cisco-ios-xe"), "{}", d.message);
        let (code, diags, stdout) = run(&["render", "--target", "swanctl"], "n.yaml", &text);
        assert_eq!(code, Some(0), "{extra}: {diags:?}");
        assert!(!stdout.is_empty());
        // The human report names the range.
        let out = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .env("NO_COLOR", "1")
            .args(["render", "--target", "cisco-ios-xe", "-"])
            .write_stdin(text.clone())
            .output()
            .expect("runs");
        let stderr = String::from_utf8(out.stderr).expect("utf-8");
        assert!(stderr.contains(range), "{extra}: {stderr}");
    }
    // DPD off: its interval is not written, so not checked.
    let text = native_numbers("    dpd: {enabled: false, interval: 5, timeout: 30}\n");
    let (code, diags, _) = run(&["render", "--target", "cisco-ios-xe"], "n.yaml", &text);
    assert_eq!(code, Some(0), "{diags:?}");
}

/// Alibaba negotiates LocalSubnet/RemoteSubnet as the traffic selectors (docs/alibaba-reference.md
/// section 10): BGP with specific subnets is protected-data-flows mode, not the 0.0.0.0/0 the
/// route-based output proposes; with 0.0.0.0/0 (destination routing) there is nothing to say.
#[test]
fn bgp_with_specific_subnets_is_a_protected_data_flow() {
    let text = |local: &str| {
        format!(
            "Name: b\nLocalSubnet: {local}\nRemoteSubnet: 0.0.0.0/0\nIkeConfig: {{Psk: vK3nT9qLx7RmPz2WcY8s, IkeVersion: ikev2}}\nBgpConfig: {{EnableBgp: true, TunnelCidr: 169.254.11.0/30, LocalBgpIp: 169.254.11.1}}\nCustomerGateway: {{Asn: 65010}}\n"
        )
    };
    let (code, diags) = check("bgp.yaml", &text("172.16.0.0/16"));
    assert_eq!(code, Some(0), "{diags:?}");
    assert_eq!(
        warnings(&diags, "alibaba.bgp-protected-flows"),
        [("warning", Some(2))]
    );
    let (_, diags) = check("bgp.yaml", &text("0.0.0.0/0"));
    assert!(
        warnings(&diags, "alibaba.bgp-protected-flows").is_empty(),
        "{diags:?}"
    );
}

/// IKEv1 (Alibaba's default version) takes one local and one remote CIDR block
/// (docs/alibaba-reference.md 10.4 (d)): a warning for `check` and the customer side, whose
/// output keeps one SA per pair; an error for the cloud emulation, which cannot emulate a set-up
/// Alibaba documents as unsupported. One pair, or IKEv2, is fine on both sides.
#[test]
fn ikev1_with_two_subnets_on_a_side_is_named() {
    let text = |version: &str, remote: &str| {
        format!(
            "Name: v1\nLocalSubnet: 10.1.0.0/24\nRemoteSubnet: {remote}\nIkeConfig: {{Psk: vK3nT9qLx7RmPz2WcY8s, IkeVersion: {version}, IkeAuthAlg: sha256, IkePfs: group14}}\nIpsecConfig: {{IpsecAuthAlg: sha256, IpsecPfs: group14}}\nVpnGateway: {{InternetIp: 203.0.113.10}}\nCustomerGateway: {{IpAddress: 198.51.100.20}}\n"
        )
    };
    let two = "10.2.0.0/24,10.3.0.0/24";
    let (code, diags) = check("v1.yaml", &text("ikev1", two));
    assert_eq!(code, Some(0), "{diags:?}");
    assert_eq!(
        warnings(&diags, "alibaba.ikev1-multi-cidr"),
        [("warning", Some(3))]
    );
    let (code, diags, _) = run(&["render"], "v1.yaml", &text("ikev1", two));
    assert_eq!(code, Some(0), "{diags:?}");
    assert_eq!(
        warnings(&diags, "alibaba.ikev1-multi-cidr"),
        [("warning", Some(3))]
    );
    for target in ["swanctl", "libreswan", "vyos"] {
        let (code, diags, stdout) = run(
            &["render", "--side", "cloud", "--target", target],
            "v1.yaml",
            &text("ikev1", two),
        );
        assert_eq!(code, Some(1), "{target}: {diags:?}");
        assert!(!stdout.contains("Generated by"), "{target}: {stdout}");
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == "error")
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(
            errors,
            [("alibaba.ikev1-multi-cidr", Some(3))],
            "{target}: {diags:?}"
        );
        // shown once, as the error: not also as check's warning
        assert_eq!(
            warnings(&diags, "alibaba.ikev1-multi-cidr"),
            [("error", Some(3))],
            "{target}: {diags:?}"
        );
    }
    for (version, remote) in [("ikev2", two), ("ikev1", "10.2.0.0/24")] {
        let (_, diags) = check("ok.yaml", &text(version, remote));
        assert!(
            warnings(&diags, "alibaba.ikev1-multi-cidr").is_empty(),
            "{diags:?}"
        );
        let (code, diags, _) = run(
            &["render", "--side", "cloud"],
            "ok.yaml",
            &text(version, remote),
        );
        assert_eq!(code, Some(0), "{version} {remote}: {diags:?}");
    }
}
