//! BGP when a side's subnets are unknown (0.0.0.0/0 or none): Alibaba's destination routing mode
//! (LocalSubnet = RemoteSubnet = 0.0.0.0/0, the mode Alibaba recommends with BGP) and a Huawei
//! v5 gateway attached to an enterprise router (no local_subnets). The inbound policy must then
//! accept whatever the peer announces (its VPC's CIDRs) except a default route and this side's
//! own subnets; before, it accepted nothing and the tunnel carried no traffic. When this side's
//! own subnets are unknown, nothing is announced and the header says what to add.

use assert_cmd::cargo::cargo_bin_cmd;

const DEST: &str = "examples/aliyun/connection-bgp-destination-routing.json";
const HUAWEI: &str = "examples/walkthrough/huawei";

fn render(files: &[String], target: &str, extra: &[&str]) -> String {
    let out = cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(files)
        .args(["--target", target])
        .args(extra)
        .env("HUAWEI_VPN_PSK", "Kq7vN2xRt9LmW4pZ-hw")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// This side's (the customer's) subnets known and the peer's unknown (not given), with BGP: the
/// native form, as the destination-routing example's connection. (The Alibaba form would be
/// LocalSubnet 0.0.0.0/0 with a specific RemoteSubnet: protected data flows, which no
/// policy-based output carries (render.policy-all-traffic) and any/any interfaces refuse.)
fn with_own_subnets(dir: &tempfile::TempDir) -> String {
    let text = "connections:
  - name: hangzhou-bgp-dc3
    cloud: {gateway: 203.0.113.90, asn: 45104, bgp_ip: 169.254.30.1}
    customer: {gateway: 198.51.100.90, subnets: [192.168.30.0/24, 10.9.9.9/32], asn: 65530, bgp_ip: 169.254.30.2}
    psk: Mz5Rq8Lw3Nc7Yt2Gv6Kb9Xd4
    bgp: {enabled: true, tunnel_cidr: 169.254.30.0/30}
";
    let path = dir.path().join("own.yaml");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

fn assert_lines(target: &str, out: &str, want: &[&str]) {
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut from = 0;
    for w in want {
        // In this order: a default-route or own-subnet deny after the permit would never match.
        match lines[from..].iter().position(|l| l == w) {
            Some(i) => from += i + 1,
            None => panic!("{target}: `{w}` missing or out of order:\n{out}"),
        }
    }
}

/// Every target that writes BGP: the peer's subnets unknown, the inbound policy refuses the
/// default route and accepts every other IPv4 prefix; nothing denies everything any more.
#[test]
fn destination_routing_accepts_every_prefix_but_the_default_route() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "frr",
            &[],
            &[
                "ip prefix-list hangzhou-bgp-dc3-in seq 5 deny 0.0.0.0/0",
                "ip prefix-list hangzhou-bgp-dc3-in seq 10 permit 0.0.0.0/0 le 32",
            ],
        ),
        (
            "cisco-ios-xe",
            &[],
            &[
                "ip prefix-list hangzhou-bgp-dc3-in seq 5 deny 0.0.0.0/0",
                "ip prefix-list hangzhou-bgp-dc3-in seq 10 permit 0.0.0.0/0 le 32",
            ],
        ),
        (
            "cisco-asa",
            &[],
            &[
                "prefix-list hangzhou-bgp-dc3-in seq 5 deny 0.0.0.0/0",
                "prefix-list hangzhou-bgp-dc3-in seq 10 permit 0.0.0.0/0 le 32",
            ],
        ),
        (
            "huawei-vrp",
            &[],
            &[
                "ip ip-prefix hangzhou-b-328c-in index 10 deny 0.0.0.0 0",
                "ip ip-prefix hangzhou-b-328c-in index 20 permit 0.0.0.0 0 less-equal 32",
            ],
        ),
        (
            "h3c-comware",
            &[],
            &[
                "ip prefix-list hangzhou-bgp-dc3-in index 10 deny 0.0.0.0 0",
                "ip prefix-list hangzhou-bgp-dc3-in index 20 permit 0.0.0.0 0 less-equal 32",
            ],
        ),
        (
            "fortios",
            &[],
            &[
                "            edit 1",
                "                set action deny",
                "                set prefix 0.0.0.0 0.0.0.0",
                "                unset le",
                "            edit 2",
                "                set action permit",
                "                set prefix 0.0.0.0 0.0.0.0",
                "                set le 32",
            ],
        ),
        (
            "juniper-srx",
            &[],
            &[
                "set policy-options policy-statement hangzhou-bgp-dc3-in term default from route-filter 0.0.0.0/0 exact",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term default then reject",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term accept from route-filter 0.0.0.0/0 prefix-length-range /1-/32",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term accept then accept",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term reject then reject",
            ],
        ),
        (
            "panos",
            &[],
            &[
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-rej match address-prefix 0.0.0.0/0 exact yes",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-rej action deny",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-in match address-prefix 0.0.0.0/0 exact no",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-in action allow",
            ],
        ),
        (
            "vyos",
            &[],
            &[
                "set policy prefix-list hangzhou-bgp-dc3-in rule 10 action 'deny'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 10 prefix '0.0.0.0/0'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 20 action 'permit'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 20 prefix '0.0.0.0/0'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 20 le '32'",
                "set policy route-map hangzhou-bgp-dc3-in rule 10 action 'permit'",
            ],
        ),
    ];
    let bgp_targets: Vec<String> = ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.bgp && t.name != "json" && t.name != "mikrotik")
        .map(|t| t.name.clone())
        .collect();
    for t in &bgp_targets {
        assert!(
            cases.iter().any(|(name, _, _)| name == t),
            "{t} writes BGP: add its accept-any lines here"
        );
    }
    for (target, extra, want) in cases {
        let out = render(&[DEST.to_owned()], target, extra);
        assert_lines(target, &out, want);
        for never in [
            "-in seq 5 deny any",
            "-in seq 5 deny 0.0.0.0/0 le 32",
            "-in index 10 deny 0.0.0.0 0 less-equal 32",
            "route-map hangzhou-bgp-dc3-in rule 10 action 'deny'",
            "hangzhou-bgp-dc3-in action deny",
        ] {
            assert!(!out.contains(never), "{target}: `{never}`:\n{out}");
        }
        assert!(
            out.contains("this config announces NOTHING"),
            "{target}: the header must say that nothing is announced:\n{out}"
        );
    }
}

/// MikroTik takes BGP in policy mode only, where a 0.0.0.0/0 side is refused; its rules are
/// checked with this side's subnets known and the peer's not given (the policy carries the BGP
/// session only).
#[test]
fn mikrotik_accepts_every_prefix_but_the_default_route_and_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = render(
        &[with_own_subnets(&dir)],
        "mikrotik",
        &["--tunnel-mode", "policy"],
    );
    assert_lines(
        "mikrotik",
        &out,
        &[
            "add chain=hangzhou-bgp-dc3-in rule=\"if (dst == 0.0.0.0/0) { reject }\"",
            "add chain=hangzhou-bgp-dc3-in rule=\"if (dst in 192.168.30.0/24 && dst-len in 24-32) { reject }\"",
            "add chain=hangzhou-bgp-dc3-in rule=\"if (dst in 10.9.9.9/32 && dst-len in 32-32) { reject }\"",
            "add chain=hangzhou-bgp-dc3-in rule=\"if (dst in 0.0.0.0/0 && dst-len in 1-32) { accept }\"",
            "add chain=hangzhou-bgp-dc3-in rule=\"reject\"",
        ],
    );
    assert!(!out.contains("announces NOTHING"), "{out}");
}

/// This side's own subnets are refused from the peer with everything inside them (loop guard),
/// before the catch-all; a /32 without a length range (devices refuse `X/32 le 32`).
#[test]
fn own_subnets_are_refused_before_the_catch_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let own = with_own_subnets(&dir);
    let cases: &[(&str, &[&str])] = &[
        (
            "frr",
            &[
                "ip prefix-list hangzhou-bgp-dc3-in seq 5 deny 0.0.0.0/0",
                "ip prefix-list hangzhou-bgp-dc3-in seq 10 deny 192.168.30.0/24 le 32",
                "ip prefix-list hangzhou-bgp-dc3-in seq 15 deny 10.9.9.9/32",
                "ip prefix-list hangzhou-bgp-dc3-in seq 20 permit 0.0.0.0/0 le 32",
                "ip prefix-list hangzhou-bgp-dc3-out seq 5 permit 192.168.30.0/24",
                "  network 192.168.30.0/24",
            ],
        ),
        (
            "huawei-vrp",
            &[
                "ip ip-prefix hangzhou-b-328c-in index 10 deny 0.0.0.0 0",
                "ip ip-prefix hangzhou-b-328c-in index 20 deny 192.168.30.0 24 less-equal 32",
                "ip ip-prefix hangzhou-b-328c-in index 30 deny 10.9.9.9 32",
                "ip ip-prefix hangzhou-b-328c-in index 40 permit 0.0.0.0 0 less-equal 32",
            ],
        ),
        (
            "juniper-srx",
            &[
                "set policy-options policy-statement hangzhou-bgp-dc3-in term default then reject",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term own from route-filter 192.168.30.0/24 orlonger",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term own from route-filter 10.9.9.9/32 orlonger",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term own then reject",
                "set policy-options policy-statement hangzhou-bgp-dc3-in term accept from route-filter 0.0.0.0/0 prefix-length-range /1-/32",
            ],
        ),
        (
            "panos",
            &[
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-rej match address-prefix 0.0.0.0/0 exact yes",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-rej match address-prefix 192.168.30.0/24 exact no",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-rej action deny",
                "set network virtual-router default protocol bgp policy import rules hangzhou-bgp-dc3-in match address-prefix 0.0.0.0/0 exact no",
            ],
        ),
        (
            "vyos",
            &[
                "set policy prefix-list hangzhou-bgp-dc3-in rule 20 prefix '192.168.30.0/24'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 20 le '32'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 30 action 'deny'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 30 prefix '10.9.9.9/32'",
                "set policy prefix-list hangzhou-bgp-dc3-in rule 40 action 'permit'",
            ],
        ),
    ];
    // Route-based (the BGP default): the peer's subnets unknown, so 0.0.0.0/0 selectors.
    for (target, want) in cases {
        let out = render(std::slice::from_ref(&own), target, &[]);
        assert_lines(target, &out, want);
        assert!(!out.contains("announces NOTHING"), "{target}:\n{out}");
        assert!(out.contains("this side's own subnets"), "{target}:\n{out}");
    }
    // vyos: the /32 takes no `le` (rule 30 has none).
    let vyos = render(std::slice::from_ref(&own), "vyos", &[]);
    assert!(!vyos.contains("rule 30 le"), "{vyos}");
}

/// Huawei v5, gateway attached to an enterprise router (no local_subnets): the cloud's routes
/// were all dropped (`deny any`); now every prefix but the default and 192.168.44.0/24 is taken.
#[test]
fn a_huawei_er_gateway_without_local_subnets_has_its_routes_accepted() {
    let files: Vec<String> = ["bgp-conn.json", "vgw.json", "cgw.json"]
        .iter()
        .map(|f| format!("{HUAWEI}/{f}"))
        .collect();
    let out = render(&files, "frr", &[]);
    assert_lines(
        "frr",
        &out,
        &[
            "ip prefix-list vpn-1655-bgp-in seq 5 deny 0.0.0.0/0",
            "ip prefix-list vpn-1655-bgp-in seq 10 deny 192.168.44.0/24 le 32",
            "ip prefix-list vpn-1655-bgp-in seq 15 permit 0.0.0.0/0 le 32",
            "ip prefix-list vpn-1655-bgp-out seq 5 permit 192.168.44.0/24",
        ],
    );
    assert!(!out.contains("vpn-1655-bgp-in seq 5 deny any"), "{out}");
}

/// Two tunnels: each keeps its own inbound policy and local-preference (master 200, slave 100).
#[test]
fn two_tunnels_in_destination_routing_keep_their_local_preference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("examples/aliyun/dual-tunnel-bgp.json").expect("readable");
    let text = text
        .replace(
            "\"LocalSubnet\": \"172.16.0.0/16\"",
            "\"LocalSubnet\": \"0.0.0.0/0\"",
        )
        .replace(
            "\"RemoteSubnet\": \"10.10.0.0/24\"",
            "\"RemoteSubnet\": \"0.0.0.0/0\"",
        );
    let path = dir.path().join("dual.json");
    std::fs::write(&path, text).expect("write");
    let file = path.to_string_lossy().into_owned();
    let out = render(std::slice::from_ref(&file), "frr", &[]);
    assert_lines(
        "frr",
        &out,
        &[
            "ip prefix-list hangzhou-to-dc1-dual-1-in seq 10 permit 0.0.0.0/0 le 32",
            "ip prefix-list hangzhou-to-dc1-dual-2-in seq 10 permit 0.0.0.0/0 le 32",
            "route-map hangzhou-to-dc1-dual-1-in permit 10",
            " match ip address prefix-list hangzhou-to-dc1-dual-1-in",
            " set local-preference 200",
            "route-map hangzhou-to-dc1-dual-2-in permit 10",
            " match ip address prefix-list hangzhou-to-dc1-dual-2-in",
            " set local-preference 100",
        ],
    );
    let out = render(std::slice::from_ref(&file), "panos", &[]);
    assert_lines(
        "panos",
        &out,
        &[
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-1-rej action deny",
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-1-in match address-prefix 0.0.0.0/0 exact no",
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-1-in action allow update local-preference 200",
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-2-rej action deny",
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-2-in match address-prefix 0.0.0.0/0 exact no",
            "set network virtual-router default protocol bgp policy import rules hangzhou-to-dc1-dual-2-in action allow update local-preference 100",
        ],
    );
    let out = render(std::slice::from_ref(&file), "vyos", &[]);
    assert_lines(
        "vyos",
        &out,
        &[
            "set policy prefix-list hangzhou-to-dc1-dual-1-in rule 20 le '32'",
            "set policy route-map hangzhou-to-dc1-dual-1-in rule 10 action 'permit'",
            "set policy route-map hangzhou-to-dc1-dual-1-in rule 10 set local-preference '200'",
            "set policy prefix-list hangzhou-to-dc1-dual-2-in rule 20 le '32'",
            "set policy route-map hangzhou-to-dc1-dual-2-in rule 10 action 'permit'",
            "set policy route-map hangzhou-to-dc1-dual-2-in rule 10 set local-preference '100'",
        ],
    );
}
