//! Firewalls (device fact `platform = firewall`): Huawei USG and H3C SecPath deny traffic
//! between security zones, so the output puts the WAN, LAN and tunnel interfaces in zones and
//! permits IKE/ESP between the gateways, the protected subnets both ways and BGP, for every
//! tunnel of a group. A router (the default) gets none of it.

fn ipsecgen() -> assert_cmd::Command {
    let mut c = assert_cmd::cargo::cargo_bin_cmd!("ipsecgen");
    c.env("NO_COLOR", "1");
    c
}

/// BGP over the tunnel, two subnets on this side.
const BGP: &str = "connections:
  - name: dc-fw
    cloud: {gateway: 203.0.113.147, subnets: [10.70.0.0/16], asn: 64512, bgp_ip: 169.254.70.1}
    customer: {gateway: 198.51.100.9, subnets: [172.20.0.0/16, 172.21.0.0/24], asn: 65070}
    psk: Mz5Rq8Lw3Nc7Yt2Gv6Kb9Xd4
    bgp: {enabled: true, tunnel_cidr: 169.254.70.0/30}
";
const DUAL: &str = "examples/aliyun/dual-tunnel-static.json";

fn render(input: Option<&str>, target: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = match input {
        Some(path) => std::fs::canonicalize(path)
            .expect("example")
            .display()
            .to_string(),
        None => {
            let p = dir.path().join("bgp.yaml");
            std::fs::write(&p, BGP).expect("write");
            p.display().to_string()
        }
    };
    let out = ipsecgen()
        .current_dir(dir.path())
        .args(["render", &input, "--no-config", "--target", target])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

/// `block` appears in `text` as consecutive lines.
fn assert_block(text: &str, block: &str) {
    let have: Vec<&str> = text.lines().collect();
    let want: Vec<&str> = block.lines().collect();
    assert!(
        have.windows(want.len()).any(|w| w == want.as_slice()),
        "missing block:\n{block}\n--- in ---\n{text}"
    );
}

#[test]
fn huawei_firewall_gets_zones_and_policies_for_both_tunnels() {
    // Two tunnel interfaces need Alibaba's destination routing (0.0.0.0/0 on both fields): a
    // Huawei tunnel interface cannot propose dual-tunnel-static.json's protected flows.
    let dir = tempfile::tempdir().expect("tempdir");
    let routed = dir.path().join("dual-destination-routing.json");
    let text = std::fs::read_to_string(DUAL).expect("example");
    let text = text
        .replace(
            "\"LocalSubnet\": \"172.16.0.0/22\"",
            "\"LocalSubnet\": \"0.0.0.0/0\"",
        )
        .replace(
            "\"RemoteSubnet\": \"10.30.0.0/24\"",
            "\"RemoteSubnet\": \"0.0.0.0/0\"",
        );
    assert_eq!(text.matches("0.0.0.0/0").count(), 2, "{DUAL} changed");
    std::fs::write(&routed, text).expect("write");
    let text = render(
        routed.to_str(),
        "huawei-vrp",
        &[
            "--device",
            "platform=firewall",
            "--device",
            "vpn-zone=cloud",
            "--device",
            "lan=GigabitEthernet0/0/3",
        ],
    );
    assert_block(
        &text,
        "firewall zone untrust
 add interface GigabitEthernet0/0/1
#
firewall zone trust
 add interface GigabitEthernet0/0/3
#
firewall zone name cloud
 set priority 10
 add interface Tunnel0/0/1
 add interface Tunnel0/0/2
#",
    );
    // The zone it creates needs a priority no other zone holds: the header says so.
    assert!(
        text.contains("\n#   zone-priority = 10 (default: replace before applying)\n"),
        "{text}"
    );
    assert!(
        text.contains("\n# zone priority 10 = held by no other security zone (`display zone`);\n"),
        "{text}"
    );
    for (name, peer) in [
        ("hangzhou-t-bdb1", "203.0.113.50"),
        ("hangzhou-t-b8f8", "203.0.113.51"),
    ] {
        assert_block(
            &text,
            &format!(
                " rule name {name}-ike-out
  source-zone local
  destination-zone untrust
  source-address 198.51.100.80 32
  destination-address {peer} 32
  service protocol udp destination-port 500 4500
  service protocol 50
  action permit
 rule name {name}-ike-in
  source-zone untrust
  destination-zone local
  source-address {peer} 32
  destination-address 198.51.100.80 32
  service protocol udp destination-port 500 4500
  service protocol 50
  action permit"
            ),
        );
    }
    assert_block(
        &text,
        " rule name hangzhou-t-6193-out
  source-zone trust
  destination-zone cloud
  source-address 0.0.0.0 0
  destination-address 0.0.0.0 0
  action permit
 rule name hangzhou-t-6193-in
  source-zone cloud
  destination-zone trust
  source-address 0.0.0.0 0
  destination-address 0.0.0.0 0
  action permit",
    );
    assert!(
        text.contains("\n#   platform = firewall (--device)\n"),
        "{text}"
    );
}

#[test]
fn h3c_firewall_gets_zones_and_policies_with_bgp() {
    let text = render(None, "h3c-comware", &["--device", "platform=firewall"]);
    assert_block(
        &text,
        "security-zone name Untrust
 import interface GigabitEthernet1/0/1
#
security-zone name Trust
 import interface GigabitEthernet1/0/2
#
security-zone name Untrust
 import interface Tunnel1
#",
    );
    assert_block(
        &text,
        "security-policy ip
 rule name dc-fw-ike-out
  action pass
  source-zone Local
  destination-zone Untrust
  source-ip-host 198.51.100.9
  destination-ip-host 203.0.113.147
 rule name dc-fw-ike-in
  action pass
  source-zone Untrust
  destination-zone Local
  source-ip-host 203.0.113.147
  destination-ip-host 198.51.100.9
 rule name dc-fw-out
  action pass
  source-zone Trust
  destination-zone Untrust
  source-ip-subnet 172.20.0.0 255.255.0.0
  source-ip-subnet 172.21.0.0 255.255.255.0
  destination-ip-subnet 10.70.0.0 255.255.0.0
 rule name dc-fw-in
  action pass
  source-zone Untrust
  destination-zone Trust
  source-ip-subnet 10.70.0.0 255.255.0.0
  destination-ip-subnet 172.20.0.0 255.255.0.0
  destination-ip-subnet 172.21.0.0 255.255.255.0
 rule name dc-fw-bgp-out
  action pass
  source-zone Local
  destination-zone Untrust
  destination-ip-host 169.254.70.1
  service-port tcp destination eq 179
 rule name dc-fw-bgp-in
  action pass
  source-zone Untrust
  destination-zone Local
  source-ip-host 169.254.70.1
  service-port tcp destination eq 179",
    );
}

/// Policy mode has no tunnel interface: the decrypted traffic comes from the WAN's zone.
#[test]
fn policy_mode_permits_the_subnets_to_the_wan_zone_and_puts_no_tunnel_in_a_zone() {
    for (target, zone_line, rule) in [
        (
            "huawei-vrp",
            "firewall zone name outside",
            " rule name dc-fw-in\n  source-zone outside\n  destination-zone trust",
        ),
        (
            "h3c-comware",
            "security-zone name outside",
            " rule name dc-fw-in\n  action pass\n  source-zone outside\n  destination-zone Trust",
        ),
    ] {
        let text = render(
            None,
            target,
            &[
                "--tunnel-mode",
                "policy",
                "--device",
                "platform=firewall",
                "--device",
                "wan-zone=outside",
            ],
        );
        assert!(text.lines().any(|l| l == zone_line), "{target}:\n{text}");
        assert_block(&text, rule);
        assert!(!text.contains("interface Tunnel"), "{target}:\n{text}");
        assert!(
            !text.contains("vpn-zone"),
            "{target}: vpn-zone listed:\n{text}"
        );
    }
}

/// A router (the default) gets no zone or policy command, and the header says how to switch.
#[test]
fn a_router_gets_no_firewall_commands() {
    for (target, hint) in [
        ("huawei-vrp", "# platform = router (an AR): no security zones or policies are written. On a USG or HiSecEngine"),
        ("h3c-comware", "# platform = router (an MSR): no security zones or policies are written. On a SecPath firewall,"),
    ] {
        let text = render(None, target, &[]);
        for word in ["security-policy", "firewall zone", "security-zone", "zone = "] {
            assert!(!text.contains(word), "{target}: {word}\n{text}");
        }
        assert!(
            text.lines()
                .any(|l| l == "#   platform = router (default: replace before applying)"),
            "{target}:\n{text}"
        );
        assert!(text.lines().any(|l| l == hint), "{target}:\n{text}");
    }
}

#[test]
fn a_platform_that_is_neither_is_a_diagnostic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bgp.yaml");
    std::fs::write(&p, BGP).expect("write");
    let out = ipsecgen()
        .args([
            "render",
            p.to_str().expect("path"),
            "--no-config",
            "--target",
            "huawei-vrp",
        ])
        .args(["--device", "platform=firwall"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(err.contains("device.unknown-value"), "{err}");
    assert!(
        err.contains("device fact `platform` cannot be `firwall`"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `firewall`? (platform is one of router, firewall)"),
        "{err}"
    );
}

/// ASA policy mode: the NAT exemption is a twice NAT identity rule in section 1 with
/// `no-proxy-arp route-lookup`, over every local and remote subnet; route mode needs none and
/// says why.
#[test]
fn asa_nat_exemption_keeps_addresses_without_proxy_arp_and_routes_replies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixed = dir.path().join("static.yaml");
    let static_routes = BGP
        .replace(
            "    bgp: {enabled: true, tunnel_cidr: 169.254.70.0/30}\n",
            "",
        )
        .replace(", asn: 64512, bgp_ip: 169.254.70.1", "")
        .replace(", asn: 65070", "");
    std::fs::write(&fixed, static_routes).expect("write");
    let text = render(fixed.to_str(), "cisco-asa", &["--tunnel-mode", "policy"]);
    assert_block(
        &text,
        "object-group network dc-fw-local
 network-object 172.20.0.0 255.255.0.0
 network-object 172.21.0.0 255.255.255.0
object-group network dc-fw-remote
 network-object 10.70.0.0 255.255.0.0
nat (inside,outside) 1 source static dc-fw-local dc-fw-local destination static dc-fw-remote dc-fw-remote no-proxy-arp route-lookup",
    );
    let text = render(None, "cisco-asa", &["--tunnel-mode", "route"]);
    assert!(!text.lines().any(|l| l.starts_with("nat (")), "{text}");
    assert_block(
        &text,
        "!   NAT               none is needed: a PAT rule (inside,outside) does not match traffic routed into
!                     a VTI; one written (inside,any) does: exempt the protected subnets from it.",
    );
}

/// A zone or the LAN interface given while the platform is a router (the default) would do
/// nothing: the output writes no zone. Refused, naming the flag, the value and the way out; a
/// fact another rendered target uses is still accepted.
#[test]
fn a_firewall_fact_on_a_router_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bgp.yaml");
    std::fs::write(&p, BGP).expect("write");
    let p = p.to_str().expect("path");
    for (target, flag) in [
        ("huawei-vrp", "wan-zone=outside"),
        ("huawei-vrp", "huawei-vrp.vpn-zone=cloud"),
        ("h3c-comware", "lan=GigabitEthernet1/0/5"),
    ] {
        let out = ipsecgen()
            .args(["render", p, "--no-config", "--target", target])
            .args(["--device", flag])
            .assert()
            .code(2)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty(), "{target} {flag}: rendered");
        let err = String::from_utf8(out.stderr).expect("utf-8");
        let (key, value) = flag.split_once('=').expect("flag");
        let key = key.rsplit('.').next().expect("key");
        // The report as one line of words (miette wraps it at the terminal width).
        let flat: Vec<&str> = err.split_whitespace().filter(|w| *w != "│").collect();
        assert_eq!(
            flat.join(" "),
            format!(
                "device.router-fact × --device gives device fact `{key}` = {value}, which does \
                 nothing on {target}: its platform is router, whose output writes no security \
                 zones or policies help: if the device is a firewall, add --device \
                 platform=firewall (or `platform = \"firewall\"` in ipsecgen.toml [device]); on a \
                 router, leave out {key}"
            ),
            "{target} {flag}:\n{err}"
        );
        // With platform = firewall the same fact is taken.
        ipsecgen()
            .args(["render", p, "--no-config", "--target", target])
            .args(["--device", flag, "--device", "platform=firewall"])
            .assert()
            .success();
    }
    // juniper-srx writes wan-zone whatever the platform: the flag is not refused.
    let out = tempfile::tempdir().expect("tempdir");
    ipsecgen()
        .args([
            "render",
            p,
            "--no-config",
            "--target",
            "huawei-vrp,juniper-srx",
            "-o",
        ])
        .arg(out.path().join("o"))
        .args(["--device", "wan-zone=outside"])
        .assert()
        .success();
}

/// A zone priority the device cannot set (a predefined zone's, or out of 1-100) is refused;
/// the zones created after the first take the next free numbers, skipping the predefined ones.
#[test]
fn huawei_zone_priorities_are_free_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bgp.yaml");
    std::fs::write(&p, BGP).expect("write");
    let p = p.to_str().expect("path");
    for bad in ["50", "0", "101", "ten"] {
        let out = ipsecgen()
            .args(["render", p, "--no-config", "--target", "huawei-vrp"])
            .args(["--device", "platform=firewall"])
            .args(["--device", &format!("zone-priority={bad}")])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).expect("utf-8");
        let flat: Vec<&str> = err.split_whitespace().filter(|w| *w != "│").collect();
        assert_eq!(
            flat.join(" "),
            format!(
                "device.unknown-value × --device gives device fact `zone-priority` = {bad}, \
                 which huawei-vrp cannot set help: zone-priority is a number from 1 to 100 that \
                 no security zone of the device has yet (the predefined zones hold 5, 50, 85, 100)"
            )
        );
    }
    let text = render(
        None,
        "huawei-vrp",
        &[
            "--device",
            "platform=firewall",
            "--device",
            "zone-priority=84",
            "--device",
            "wan-zone=outside",
            "--device",
            "lan-zone=inside",
            "--device",
            "vpn-zone=cloud",
        ],
    );
    assert_block(
        &text,
        "firewall zone name outside
 set priority 84
 add interface GigabitEthernet0/0/1
#
firewall zone name inside
 set priority 86
 add interface GigabitEthernet0/0/2
#
firewall zone name cloud
 set priority 87
 add interface Tunnel0/0/1
#",
    );
}

/// Two tunnels with specific subnets on both sides (Huawei Cloud's two connections over the
/// gateway's two EIPs, two subnets each side): both tunnel interfaces are in the vpn zone, and
/// the rules between the LAN zone and that zone permit every local/remote subnet pair, both
/// ways, whichever tunnel carries it. (Alibaba's dual tunnel with protected data flows cannot
/// reach this output: a Huawei tunnel interface negotiates 0.0.0.0/0 only, see below.)
#[test]
fn huawei_firewall_two_tunnels_permit_every_subnet_pair_on_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = "examples/walkthrough/huawei";
    let read = |f: &str| std::fs::read_to_string(format!("{from}/{f}")).expect("example");
    let vgw = read("vgw.json").replace(
        "\"attachment_type\": \"er\",",
        "\"attachment_type\": \"vpc\",\n        \"local_subnets\": [\"10.60.1.0/24\", \"10.60.2.0/24\"],",
    );
    let pair = read("pair.json")
        // Algorithms huawei-vrp has words for.
        .replace("sha2-512", "sha2-256")
        .replace("group16", "group14")
        .replace(
            "\"192.168.44.0/24\"",
            "\"192.168.44.0/24\", \"192.168.45.0/24\"",
        );
    assert_eq!(
        pair.matches("192.168.45.0/24").count(),
        2,
        "pair.json changed"
    );
    std::fs::write(dir.path().join("vgw.json"), vgw).expect("write");
    std::fs::write(dir.path().join("pair.json"), pair).expect("write");
    std::fs::write(dir.path().join("cgw.json"), read("cgw.json")).expect("write");
    let out = ipsecgen()
        .current_dir(dir.path())
        .args(["render", "pair.json", "vgw.json", "cgw.json", "--no-config"])
        .args(["--target", "huawei-vrp", "--side", "customer"])
        .args([
            "--device",
            "platform=firewall",
            "--device",
            "vpn-zone=cloud",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    // Two route-based tunnels, both in zone cloud.
    for i in [1, 2] {
        assert!(
            text.contains(&format!("\ninterface Tunnel0/0/{i}\n")),
            "{text}"
        );
    }
    assert_block(
        &text,
        "firewall zone name cloud
 set priority 10
 add interface Tunnel0/0/1
 add interface Tunnel0/0/2
#",
    );
    // The subnet rules: from trust to the tunnels' zone and back, every pair.
    let local = ["192.168.44.0", "192.168.45.0"];
    let remote = ["10.60.1.0", "10.60.2.0"];
    let rule = |name: &str| -> Vec<String> {
        let start = format!(" rule name {name}\n");
        let at = text
            .find(&start)
            .unwrap_or_else(|| panic!("no {name}:\n{text}"))
            + start.len();
        text[at..]
            .lines()
            .take_while(|l| l.starts_with("  "))
            .map(|l| l.trim().to_owned())
            .collect()
    };
    let out_rule = rule("vpn-pair-eip1-out");
    let in_rule = rule("vpn-pair-eip1-in");
    assert_eq!(
        out_rule,
        [
            "source-zone trust",
            "destination-zone cloud",
            "source-address 192.168.44.0 24",
            "source-address 192.168.45.0 24",
            "destination-address 10.60.1.0 24",
            "destination-address 10.60.2.0 24",
            "action permit",
        ],
        "{text}"
    );
    assert_eq!(
        in_rule,
        [
            "source-zone cloud",
            "destination-zone trust",
            "source-address 10.60.1.0 24",
            "source-address 10.60.2.0 24",
            "destination-address 192.168.44.0 24",
            "destination-address 192.168.45.0 24",
            "action permit",
        ],
        "{text}"
    );
    // Each pair, on each tunnel: the tunnel's interface is in the zone both rules name, and
    // the rules list the pair's two subnets on the right sides.
    for tunnel in ["Tunnel0/0/1", "Tunnel0/0/2"] {
        let zone = text
            .split("\n#\n")
            .find(|b| b.lines().any(|l| l == format!(" add interface {tunnel}")))
            .and_then(|b| b.lines().next())
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or_else(|| panic!("{tunnel} in no zone:\n{text}"));
        assert!(out_rule.contains(&format!("destination-zone {zone}")));
        assert!(in_rule.contains(&format!("source-zone {zone}")));
        for l in local {
            for r in remote {
                assert!(out_rule.contains(&format!("source-address {l} 24")));
                assert!(out_rule.contains(&format!("destination-address {r} 24")));
                assert!(in_rule.contains(&format!("source-address {r} 24")));
                assert!(in_rule.contains(&format!("destination-address {l} 24")));
            }
        }
    }
    // IKE/ESP and BGP per tunnel, to each cloud EIP.
    for (tunnel, peer, bgp) in [
        ("vpn-pair-eip1-1", "203.0.113.51", "169.254.56.225"),
        ("vpn-pair-eip1-2", "203.0.113.102", "169.254.57.1"),
    ] {
        assert!(
            rule(&format!("{tunnel}-ike-out")).contains(&format!("destination-address {peer} 32"))
        );
        assert!(rule(&format!("{tunnel}-ike-in")).contains(&format!("source-address {peer} 32")));
        assert!(
            rule(&format!("{tunnel}-bgp-out")).contains(&format!("destination-address {bgp} 32"))
        );
    }

    // Alibaba's two tunnels with protected data flows (LocalSubnet/RemoteSubnet not
    // 0.0.0.0/0): refused in route mode (the interfaces negotiate 0.0.0.0/0 only) and in
    // policy mode (the same selectors twice), so no firewall rule is written for them.
    for mode in ["route", "policy"] {
        let out = ipsecgen()
            .args(["render", DUAL, "--no-config", "--target", "huawei-vrp"])
            .args(["--tunnel-mode", mode, "--device", "platform=firewall"])
            .assert()
            .code(1)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty(), "{mode}");
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert!(err.starts_with("target.unsupported\n"), "{mode}:\n{err}");
    }
}
