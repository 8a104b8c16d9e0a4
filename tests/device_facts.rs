//! Device facts (`render --device KEY=VALUE`, `[device]` in ipsecgen.toml): each fact reaches
//! every target that uses it, the header says where each value came from, unknown facts get a
//! did-you-mean, and the precedence is flag > config > target default.

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c
}

/// BGP over the tunnel, and no customer gateway address: the WAN interface is the tunnel source.
const BGP: &str = "connections:
  - name: dc-facts
    cloud: {gateway: 203.0.113.147, subnets: [10.70.0.0/16], asn: 64512, bgp_ip: 169.254.70.1}
    customer: {subnets: [172.20.0.0/16], asn: 65070}
    psk: Mz5Rq8Lw3Nc7Yt2Gv6Kb9Xd4
    bgp: {enabled: true, tunnel_cidr: 169.254.70.0/30}
";
const STATIC: &str = "examples/aliyun/connection-static.json";

/// Every fact, with a value no default has.
const FACTS: &[(&str, &str)] = &[
    ("wan", "wan9/9"),
    ("lan", "lan9"),
    ("wan-zone", "zwan"),
    ("vpn-zone", "zvpn"),
    ("lan-zone", "zlan"),
    ("virtual-router", "vr9"),
    ("loopback", "Loop9"),
    ("tunnel-prefix", "Tun9/"),
    ("nat-acl", "PAT-OUT9"),
    ("platform", "firewall"),
    ("zone-priority", "20"),
];

/// (target, input (None: BGP), tunnel mode, header comment leader, facts listed in the
/// header, lines the output must hold).
type Case = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const CASES: &[Case] = &[
    (
        "panos",
        None,
        "route",
        "#",
        &["wan", "vpn-zone", "lan-zone", "virtual-router"],
        &[
            "set network ike gateway dc-facts local-address interface wan9/9",
            "set network virtual-router vr9 interface tunnel.2967",
            "set zone zvpn network layer3 tunnel.2967",
            "set network virtual-router vr9 protocol bgp enable yes",
            "set rulebase security rules dc-facts-out from zlan to zvpn source [ dc-facts-l1 ] destination [ dc-facts-r1 ] application any service any action allow",
            "set rulebase security rules dc-facts-in from zvpn to zlan source [ dc-facts-r1 ] destination [ dc-facts-l1 ] application any service any action allow",
        ],
    ),
    (
        "fortios",
        None,
        "route",
        "#",
        &["wan", "lan"],
        &[
            "        set interface \"wan9/9\"",
            "        set srcintf \"lan9\"",
            "        set dstintf \"lan9\"",
        ],
    ),
    (
        "h3c-comware",
        None,
        "route",
        "#",
        &["wan", "lan", "wan-zone", "vpn-zone", "lan-zone", "platform"],
        &[
            " source wan9/9",
            "security-zone name zwan",
            " import interface wan9/9",
            "security-zone name zlan",
            " import interface lan9",
            "security-zone name zvpn",
            " import interface Tunnel1",
            "  source-zone zlan",
            "  destination-zone zvpn",
        ],
    ),
    (
        "h3c-comware",
        None,
        "policy",
        "#",
        &["wan", "lan", "wan-zone", "lan-zone", "loopback", "platform"],
        &[
            "interface wan9/9",
            " peer 169.254.70.1 connect-interface Loop9",
            "security-zone name zwan",
            "  destination-zone zwan",
        ],
    ),
    (
        "huawei-vrp",
        None,
        "route",
        "#",
        &[
            "wan",
            "lan",
            "wan-zone",
            "vpn-zone",
            "lan-zone",
            "tunnel-prefix",
            "platform",
            "zone-priority",
        ],
        &[
            "interface Tun9/1",
            " source wan9/9",
            " peer 169.254.70.1 connect-interface Tun9/1",
            "firewall zone name zwan",
            " set priority 20",
            " add interface wan9/9",
            "firewall zone name zlan",
            " set priority 21",
            " add interface lan9",
            "firewall zone name zvpn",
            " set priority 22",
            " add interface Tun9/1",
            "# zone priority 20, 21, 22 = held by no other security zone (`display zone`);",
            "  source-zone zlan",
            "  destination-zone zvpn",
        ],
    ),
    (
        "huawei-vrp",
        None,
        "policy",
        "#",
        &[
            "wan",
            "lan",
            "wan-zone",
            "lan-zone",
            "loopback",
            "platform",
            "zone-priority",
        ],
        &[
            "interface wan9/9",
            " peer 169.254.70.1 connect-interface Loop9",
            "firewall zone name zwan",
            " set priority 20",
            " set priority 21",
            "  destination-zone zwan",
        ],
    ),
    (
        "cisco-ios-xe",
        None,
        "route",
        "!",
        &["wan"],
        &[" tunnel source wan9/9"],
    ),
    (
        "cisco-ios-xe",
        Some(STATIC),
        "policy",
        "!",
        &["wan", "nat-acl"],
        &[
            "ip access-list extended PAT-OUT9",
            " 1 deny ip 10.1.3.0 0.0.0.255 10.1.1.0 0.0.0.255",
            "! ip access-list resequence PAT-OUT9 100 10).",
        ],
    ),
    (
        "cisco-asa",
        None,
        "route",
        "!",
        &["wan"],
        &["crypto ikev2 enable wan9/9", " tunnel source interface wan9/9"],
    ),
    (
        "cisco-asa",
        Some(STATIC),
        "policy",
        "!",
        &["wan", "lan"],
        &[
            "crypto map hangzhou-to-dc1 interface wan9/9",
            "nat (lan9,wan9/9) 1 source static hangzhou-to-dc1-local hangzhou-to-dc1-local destination static hangzhou-to-dc1-remote hangzhou-to-dc1-remote no-proxy-arp route-lookup",
        ],
    ),
    (
        "juniper-srx",
        None,
        "route",
        "#",
        &["wan", "wan-zone", "vpn-zone", "lan-zone"],
        &[
            "set security ike gateway dc-facts external-interface wan9/9",
            "set security zones security-zone zwan host-inbound-traffic system-services ike",
            "set security zones security-zone zvpn interfaces st0.2967",
            "set security policies from-zone zlan to-zone zvpn policy dc-facts-out then permit",
            "set security policies from-zone zvpn to-zone zlan policy dc-facts-in then permit",
        ],
    ),
];

fn render(dir: &std::path::Path, case: &Case, extra: &[String]) -> String {
    let (target, input, mode, ..) = case;
    let input = match input {
        Some(path) => std::fs::canonicalize(path)
            .expect("example")
            .display()
            .to_string(),
        None => {
            let p = dir.join("bgp.yaml");
            std::fs::write(&p, BGP).expect("write");
            p.display().to_string()
        }
    };
    let out = ipsecgen()
        .current_dir(dir)
        .args(["render", &input, "--target", target, "--tunnel-mode", mode])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

fn assert_lines(text: &str, case: &Case, source: &str) {
    let (target, _, mode, comment, listed, lines) = case;
    let have: Vec<&str> = text.lines().collect();
    for line in lines.iter() {
        assert!(
            have.contains(line),
            "{target} {mode}: missing line {line:?}\n{text}"
        );
    }
    for key in listed.iter() {
        let value = FACTS.iter().find(|(k, _)| k == key).expect("fact").1;
        let line = format!("{comment}   {key} = {value} ({source})");
        assert!(
            have.contains(&line.as_str()),
            "{target} {mode}: header lacks {line:?}\n{text}"
        );
    }
    // Every fact the header lists came from the same place: none is left at its default.
    assert!(
        !text.contains("(default: replace before applying)"),
        "{target} {mode}: a fact kept its default\n{text}"
    );
}

#[test]
fn facts_from_ipsecgen_toml_reach_every_target_that_uses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut toml = String::from("[device]\n");
    for (k, v) in FACTS {
        toml.push_str(&format!("{k} = \"{v}\"\n"));
    }
    let config = dir.path().join("ipsecgen.toml");
    std::fs::write(&config, toml).expect("write");
    for case in CASES {
        let text = render(
            dir.path(),
            case,
            &["--config".into(), config.display().to_string()],
        );
        assert_lines(&text, case, "ipsecgen.toml");
    }
}

#[test]
fn facts_from_flags_reach_every_target_that_uses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    for case in CASES {
        // Only the facts this target uses: a flag no rendered target uses is an error.
        let mut args = vec!["--no-config".to_owned()];
        for key in case.4 {
            let value = FACTS.iter().find(|(k, _)| k == key).expect("fact").1;
            args.extend(["--device".to_owned(), format!("{key}={value}")]);
        }
        let text = render(dir.path(), case, &args);
        assert_lines(&text, case, "--device");
    }
}

/// With no facts given, the header lists each default as one to replace.
#[test]
fn defaults_are_listed_as_placeholders_to_replace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = &CASES[CASES.len() - 1];
    let text = render(dir.path(), case, &["--no-config".into()]);
    for line in [
        "#   wan = ge-0/0/0.0 (default: replace before applying)",
        "#   wan-zone = untrust (default: replace before applying)",
        "#   vpn-zone = vpn (default: replace before applying)",
        "#   lan-zone = trust (default: replace before applying)",
        "set security ike gateway dc-facts external-interface ge-0/0/0.0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?}\n{text}");
    }
}

/// A flag beats the config; one target's table beats the table for all.
#[test]
fn flags_beat_the_config_and_a_targets_table_beats_the_generic_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("ipsecgen.toml");
    std::fs::write(
        &config,
        "[device]\nwan = \"ethernet1/2\"\nlan-zone = \"office\"\nvpn-zone = \"cloud\"\n\n[device.panos]\nwan = \"ethernet1/3\"\nlan-zone = \"inside\"\n\n[device.juniper-srx]\nwan = \"ge-0/0/3.0\"\n",
    )
    .expect("write");
    let panos = &CASES[0];
    let text = render(
        dir.path(),
        panos,
        &[
            "--config".into(),
            config.display().to_string(),
            "--device".into(),
            "lan-zone=users".into(),
        ],
    );
    for line in [
        "#   wan = ethernet1/3 (ipsecgen.toml)",
        "#   vpn-zone = cloud (ipsecgen.toml)",
        "#   lan-zone = users (--device)",
        "#   virtual-router = default (default: replace before applying)",
        "set network ike gateway dc-facts local-address interface ethernet1/3",
        "set rulebase security rules dc-facts-out from users to cloud source [ dc-facts-l1 ] destination [ dc-facts-r1 ] application any service any action allow",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?}\n{text}");
    }
    // A flag for one target beats a flag for all.
    let text = render(
        dir.path(),
        panos,
        &[
            "--no-config".into(),
            "--device".into(),
            "panos.wan=ethernet1/7".into(),
            "--device".into(),
            "wan=ethernet1/5".into(),
        ],
    );
    assert!(
        text.lines()
            .any(|l| l == "#   wan = ethernet1/7 (--device)"),
        "{text}"
    );
}

fn failure(args: &[&str], dir: &std::path::Path) -> String {
    let out = ipsecgen()
        .current_dir(dir)
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty(), "nothing is rendered");
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn an_unknown_fact_is_a_diagnostic_with_a_did_you_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = std::fs::canonicalize(STATIC).expect("example");
    let input = input.to_str().expect("path");
    let err = failure(
        &[
            "render",
            input,
            "--no-config",
            "--target",
            "panos",
            "--device",
            "lan-zon=inside",
        ],
        dir.path(),
    );
    assert!(err.contains("device.unknown-fact"), "{err}");
    assert!(err.contains("unknown device fact `lan-zon`"), "{err}");
    assert!(err.contains("did you mean `lan-zone`?"), "{err}");

    // A fact the rendered target does not use did nothing: refused, naming what it uses.
    let err = failure(
        &[
            "render",
            input,
            "--no-config",
            "--target",
            "fortios",
            "--device",
            "lan-zone=inside",
        ],
        dir.path(),
    );
    assert!(err.contains("device.unknown-fact"), "{err}");
    assert!(err.contains("fortios uses wan, lan"), "{err}");

    // A target name that does not exist.
    let err = failure(
        &[
            "render",
            input,
            "--no-config",
            "--target",
            "panos",
            "--device",
            "pano.wan=ethernet1/3",
        ],
        dir.path(),
    );
    assert!(err.contains("did you mean `panos`?"), "{err}");

    // In ipsecgen.toml, the diagnostic points at the key.
    let config = dir.path().join("ipsecgen.toml");
    std::fs::write(
        &config,
        "[device]\nwan = \"ethernet1/3\"\n\n[device.panos]\nvirtual-ruoter = \"vr1\"\n",
    )
    .expect("write");
    let err = failure(
        &[
            "render",
            input,
            "--config",
            config.to_str().expect("path"),
            "--target",
            "panos",
        ],
        dir.path(),
    );
    assert!(err.contains("device.unknown-fact"), "{err}");
    assert!(err.contains("ipsecgen.toml:5:1"), "{err}");
    assert!(err.contains("did you mean `virtual-router`?"), "{err}");
}

/// A number a fact does not take is not a misspelling of one it does (libreswan 6 is not a typo
/// of 4): the help says which versions are accepted, without a did-you-mean.
#[test]
fn an_unknown_version_names_the_accepted_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = std::fs::canonicalize(STATIC).expect("example");
    let err = failure(
        &[
            "render",
            input.to_str().expect("path"),
            "--no-config",
            "--target",
            "libreswan",
            "--device",
            "version=6",
        ],
        dir.path(),
    );
    assert_eq!(
        err,
        "device.unknown-value

  × device fact `version` cannot be `6`
  help: version accepts 4, 5 only (the major version of the device's software, where the output
        depends on it); ipsecgen has no output for version 6
"
    );
}
