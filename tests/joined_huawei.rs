//! Huawei Cloud v5: a connection (create / show response) with the ShowVpnGateway and
//! ShowCustomerGateway documents of the gateways it names, given as separate files
//! (examples/walkthrough/huawei/). The EIP address is found by `vgw_ip` (the EIP's ID), the
//! ASNs by `vgw_id` / `cgw_id`; every target renders the BGP and the policy-based connection.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const DIR: &str = "examples/walkthrough/huawei";
const PSK: &str = "Kq7vN2xRt9LmW4pZ-hw";
/// The second tunnel's key in pair.json.
const PSK2: &str = "Zt4pW8mQ2vRx6nLk-hw2";

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn render(files: &[&str], target: &str) -> std::process::Output {
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(files.iter().map(|f| path(f)))
        .args(["--target", target])
        .env("HUAWEI_VPN_PSK", PSK)
        .output()
        .expect("runs")
}

/// Both connections with their gateway documents, for every target: the output, or the
/// target's documented refusal (target.unsupported, target.nothing-to-render) and nothing else.
#[test]
fn bgp_and_policy_connections_with_their_gateway_documents_render_for_every_target() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    for conn in ["bgp-conn.json", "policy-conn.json", "pair.json"] {
        for target in ipsecgen::render::registry().targets() {
            let out = render(&[conn, "vgw.json", "cgw.json"], &target.name);
            let stdout = String::from_utf8(out.stdout).expect("utf-8");
            let stderr = String::from_utf8(out.stderr).expect("utf-8");
            let text = if out.status.success() {
                if target.features.ipsec {
                    assert!(
                        stdout.contains("203.0.113.51"),
                        "{conn} {}:\n{stdout}",
                        target.name
                    );
                    assert!(
                        stdout.contains("198.51.100.21"),
                        "{conn} {}:\n{stdout}",
                        target.name
                    );
                }
                stdout
                    .replace(PSK, "<redacted-psk>")
                    .replace(PSK2, "<redacted-psk-2>")
            } else {
                let codes: Vec<&str> = stderr
                    .lines()
                    .filter(|l| !l.starts_with(' ') && l.contains('.') && !l.contains(' '))
                    .collect();
                assert!(
                    !codes.is_empty()
                        && codes
                            .iter()
                            .all(|c| *c == "target.unsupported" || *c == "target.nothing-to-render"),
                    "{conn} {}: {stderr}",
                    target.name
                );
                assert!(!stderr.contains(PSK));
                codes.join("\n")
            };
            insta::assert_snapshot!(
                format!(
                    "walkthrough_huawei__{}__{}__customer",
                    conn.trim_end_matches(".json"),
                    target.name
                ),
                text
            );
        }
    }
}

/// The command: the policy-based connection for a Huawei router, joined.
#[test]
fn the_policy_connection_renders_for_huawei_vrp_with_the_joined_facts() {
    let out = render(&["policy-conn.json", "vgw.json", "cgw.json"], "huawei-vrp");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("203.0.113.51"), "{stdout}");
    assert!(stdout.contains("192.168.44.0"), "{stdout}");
    assert!(stdout.contains("10.0.0.0"), "{stdout}");
    // The header names the documents the facts came from.
    assert!(stdout.contains("vgw.json (ShowVpnGateway b32d91a4-demo-a8df-va86-e907174eb11d)"));
    assert!(stdout.contains("cgw.json (ShowCustomerGateway 5247ae10-demo-a8df-va86-dd36659a7f5d)"));
}

/// The BGP connection takes both ASNs from the documents, and frr peers with the cloud's.
#[test]
fn the_bgp_connection_takes_both_asns_from_the_documents() {
    let out = render(&["bgp-conn.json", "vgw.json", "cgw.json"], "frr");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("router bgp 65000"), "{stdout}");
    assert!(
        stdout.contains("neighbor 169.254.56.225 remote-as 64512"),
        "{stdout}"
    );
    // Alone it checks clean (check does not join documents), and rendering it names the
    // document that carries each missing fact.
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &path("bgp-conn.json")])
        .assert()
        .success();
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("bgp-conn.json"), "--target", "frr"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("peer.missing"))
        .stderr(predicate::str::contains("ShowVpnGateway"))
        .stderr(predicate::str::contains("ShowCustomerGateway"));
}

/// `vgw_ip` names an EIP the gateway document does not have: an error naming both.
#[test]
fn an_eip_the_gateway_does_not_have_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vgw = dir.path().join("vgw.json");
    std::fs::write(
        &vgw,
        std::fs::read_to_string(path("vgw.json"))
            .expect("readable")
            .replace(
                "0c464dad-demo-a8df-va86-c22bb0eb0bde",
                "aaaaaaaa-demo-a8df-va86-c22bb0eb0bde",
            ),
    )
    .expect("write");
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("policy-conn.json")])
        .arg(&vgw)
        .arg(path("cgw.json"))
        .env("HUAWEI_VPN_PSK", PSK)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("input.gateway-missing"))
        .stderr(predicate::str::contains("has no EIP"));
}

/// A private gateway's connection names its private address in vgw_ip: used as it is.
#[test]
fn a_private_gateways_address_is_vgw_ip_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = dir.path().join("conn.json");
    std::fs::write(
        &conn,
        std::fs::read_to_string(path("policy-conn.json"))
            .expect("readable")
            .replace("0c464dad-demo-a8df-va86-c22bb0eb0bde", "192.168.146.45"),
    )
    .expect("write");
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .arg(&conn)
        .arg(path("cgw.json"))
        .env("HUAWEI_VPN_PSK", PSK)
        .assert()
        .success()
        .stdout(predicate::str::contains("remote_addrs = 192.168.146.45"));
}

#[test]
fn a_huawei_gateway_document_alone_says_what_it_is() {
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("vgw.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("input.gateway-only"))
        .stderr(predicate::str::contains("ShowVpnGateway response"));
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &path("vgw.json"), &path("cgw.json")])
        .assert()
        .success();
}

/// pair.json: two BGP connections of one gateway to one customer gateway, one over each EIP
/// (the gateway is active-active, both `ha_role: master`): one connection with two active
/// tunnels, each with its own EIP, PSK, proposals and /30.
#[test]
fn two_connections_over_the_two_eips_are_one_connection_with_two_tunnels() {
    let out = render(&["pair.json", "vgw.json", "cgw.json"], "swanctl");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "remote_addrs = 203.0.113.51",
        "remote_addrs = 203.0.113.102",
        "proposals = aes256-sha512-modp4096",
        "proposals = aes128-sha256-modp2048",
        "vpn-pair-eip1-1 (active)",
        "vpn-pair-eip1-2 (active)",
    ] {
        assert!(stdout.contains(want), "{want}:\n{stdout}");
    }
    let out = render(&["pair.json", "vgw.json", "cgw.json"], "frr");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(stdout.contains("maximum-paths 2"), "{stdout}");
    assert_eq!(stdout.matches("router bgp 65000").count(), 1, "{stdout}");
}

/// `ha_role` master and slave (an active-standby gateway): the master is tunnel 1 wherever it
/// stands in the list, and is preferred.
#[test]
fn ha_roles_make_a_master_and_a_slave() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(path("pair.json")).expect("readable");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let list = doc["vpn_connections"].as_array_mut().expect("list");
    list[0]["ha_role"] = "slave".into();
    list[1]["ha_role"] = "master".into();
    let file = dir.path().join("pair.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .arg(&file)
        .args([path("vgw.json"), path("cgw.json")])
        .args(["--target", "frr"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The master (eip2's connection) comes first and names the connection.
    assert!(
        stdout.contains("!   vpn-pair-eip2-1 (master): AS 65000 (169.254.57.2)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("!   vpn-pair-eip2-2 (slave): AS 65000 (169.254.56.226)"),
        "{stdout}"
    );
    assert!(stdout.contains(" set local-preference 200"), "{stdout}");
    assert!(stdout.contains(" set local-preference 100"), "{stdout}");
    assert!(!stdout.contains("maximum-paths"), "{stdout}");
}

/// Three connections of one gateway pair are not one pair: each is rendered on its own.
#[test]
fn three_connections_of_one_gateway_pair_stay_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(path("pair.json")).expect("readable");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let list = doc["vpn_connections"].as_array_mut().expect("list");
    let mut third = list[1].clone();
    third["name"] = "vpn-pair-third".into();
    third["tunnel_local_address"] = "169.254.58.1/30".into();
    third["tunnel_peer_address"] = "169.254.58.2/30".into();
    list.push(third);
    let file = dir.path().join("three.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .arg(&file)
        .args([path("vgw.json"), path("cgw.json")])
        .args(["--target", "frr", "-o"])
        .arg(dir.path().join("out"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["vpn-pair-eip1", "vpn-pair-eip2", "vpn-pair-third"] {
        assert!(
            dir.path()
                .join("out")
                .join(name)
                .join("bgpd.conf")
                .is_file(),
            "{name}"
        );
    }
}
