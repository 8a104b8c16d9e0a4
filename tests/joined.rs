//! Several inputs that belong together: a DescribeVpnConnection(s) response with the
//! DescribeVpnGateway and DescribeCustomerGateway responses of the gateways it names, as a user
//! gets them from the `aliyun` CLI (examples/walkthrough/aliyun/). The gateways' addresses are
//! joined to the connection by ID; every target renders the result.

use assert_cmd::cargo::cargo_bin_cmd;
use ipsecgen::ir::Side;
use ipsecgen::render::RenderOptions;
use ipsecgen::source::Source;
use predicates::prelude::*;

const DIR: &str = "examples/walkthrough/aliyun";

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn sources(names: &[&str]) -> Vec<Source> {
    names
        .iter()
        .map(|n| Source::new(path(n), std::fs::read_to_string(path(n)).expect("readable")))
        .collect()
}

/// The walkthrough connection with its two gateway documents renders for every target, with
/// the gateways' addresses where the peers go.
#[test]
fn a_connection_with_its_gateway_documents_renders_for_every_target() {
    let inputs = ipsecgen::check_joined(
        sources(&["conn.json", "gw.json", "cgw.json"]),
        &Default::default(),
    );
    for c in &inputs {
        assert!(
            !c.diagnostics.has_errors(),
            "{}: {:#?}",
            c.source.name,
            c.diagnostics
        );
    }
    assert_eq!(inputs[0].connections.len(), 1);
    assert!(inputs[1].gateway.is_some() && inputs[2].gateway.is_some());
    let conn = &inputs[0].connections[0];
    assert_eq!(
        conn.local.gateway.as_ref().map(|g| g.value.to_string()),
        Some("203.0.113.50".into())
    );
    assert_eq!(
        conn.remote.gateway.as_ref().map(|g| g.value.to_string()),
        Some("198.51.100.60".into())
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    for target in ipsecgen::render::registry().targets() {
        let text =
            match ipsecgen::render_joined(&inputs, RenderOptions::side(Side::Customer), target) {
                Ok(out) => ipsecgen::write::concatenated(&out, &target.comment)
                    .replace("Kq7vN2xRt9LmW4pZ", "<redacted-psk>"),
                Err(d) => d
                    .iter()
                    .map(|x| format!("error[{}]: {}\n", x.code, x.message))
                    .collect(),
            };
        if target.features.ipsec {
            assert!(text.contains("203.0.113.50"), "{}:\n{text}", target.name);
        }
        insta::assert_snapshot!(
            format!("walkthrough_aliyun__{}__customer", target.name),
            text
        );
    }
}

/// The DescribeVpnConnections list of a gateway is a fleet: a folder per connection, named by
/// Name, each joined to its own customer gateway.
#[test]
fn a_list_response_renders_a_folder_per_connection() {
    let out = tempfile::tempdir().expect("tempdir");
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("all.json"), &path("gw.json")])
        .args([&path("cgw.json"), &path("cgw-dc2.json")])
        .args(["--target", "swanctl,frr", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let read = |p: &str| std::fs::read_to_string(out.path().join(p)).expect(p);
    let dc1 = read("swanctl/hangzhou-to-dc1/swanctl.conf");
    let dc2 = read("swanctl/hangzhou-to-dc2/swanctl.conf");
    assert!(
        dc1.contains("remote_addrs = 203.0.113.50") && dc1.contains("local_addrs = 198.51.100.60")
    );
    assert!(
        dc2.contains("remote_addrs = 203.0.113.50") && dc2.contains("local_addrs = 198.51.100.70")
    );
    // Only the BGP connection has an frr configuration, with its own customer ASN.
    let bgp = read("frr/hangzhou-to-dc2/bgpd.conf");
    assert!(bgp.contains("router bgp 65070"), "{bgp}");
    assert!(!out.path().join("frr/hangzhou-to-dc1").exists());
}

/// Names that repeat (or are empty) in a list make folders named by the connection's ID.
#[test]
fn repeated_names_in_a_list_fall_back_to_the_connection_id() {
    let text = std::fs::read_to_string(path("all.json"))
        .expect("readable")
        .replace("hangzhou-to-dc2", "hangzhou-to-dc1");
    let c = ipsecgen::check(Source::new("all.json", text), &Default::default());
    let names: Vec<&str> = c.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["vco-bp1bbi27hojx80nck", "vco-bp1k2m6gq5nhw3xzt"]);
}

#[test]
fn a_gateway_document_alone_says_what_it_is() {
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("gw.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("input.gateway-only"))
        .stderr(predicate::str::contains("DescribeVpnGateway response"));
    // check accepts it: it is a valid document.
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &path("gw.json"), &path("cgw.json")])
        .assert()
        .success();
}

#[test]
fn a_connection_without_its_gateway_document_names_the_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let other = dir.path().join("other-gw.json");
    std::fs::write(
        &other,
        std::fs::read_to_string(path("gw.json"))
            .expect("readable")
            .replace("vpn-bp1q8bgx4xnkm2ogj****", "vpn-someotherid"),
    )
    .expect("write");
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("conn.json")])
        .arg(&other)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("input.gateway-missing"))
        .stderr(predicate::str::contains("vpn-bp1q8bgx4xnkm2ogj****"));
    // Without any gateway document the missing address names the document to pass.
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("conn.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("peer.missing"))
        .stderr(predicate::str::contains("DescribeVpnGateway"));
}

#[test]
fn two_documents_for_one_gateway_are_an_error() {
    cargo_bin_cmd!("ipsecgen")
        .args([
            "render",
            &path("conn.json"),
            &path("gw.json"),
            &path("gw.json"),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("input.gateway-duplicate"));
}

/// Flags win over the documents, and the field they override is not an unknown field.
#[test]
fn flags_override_the_documents_without_false_unknown_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = dir.path().join("conn.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("conn.json")).expect("readable"))
            .expect("json");
    doc["VpnGateway"] = serde_json::json!({"InternetIp": "203.0.113.99"});
    doc["CustomerGateway"] = serde_json::json!({"IpAddress": "198.51.100.99", "Asn": 65099});
    std::fs::write(&conn, doc.to_string()).expect("write");
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .arg(&conn)
        .args(["--cloud-ip", "203.0.113.7", "--customer-ip", "198.51.100.7"])
        .args(["--customer-asn", "65007"])
        .assert()
        .success()
        .stdout(predicate::str::contains("remote_addrs = 203.0.113.7"))
        .stdout(predicate::str::contains("local_addrs = 198.51.100.7"))
        .stderr(predicate::str::contains("unknown field").not());
    // ZStack's vip.ip likewise (it was an unknown field with --cloud-ip).
    cargo_bin_cmd!("ipsecgen")
        .args(["check", "examples/zstack/seed-inventory-response.json"])
        .args(["--cloud-ip", "203.0.113.7"])
        .assert()
        .success()
        .stderr(predicate::str::contains("unknown field").not());
}

/// The header's regenerate command names every input the facts came from, not only the
/// connection's file: run as printed, it renders the same file.
#[test]
fn the_regenerate_command_names_every_input() {
    let out = cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args([path("conn.json"), path("gw.json"), path("cgw.json")])
        .args(["--target", "swanctl"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success());
    let line = stdout
        .lines()
        .find(|l| l.contains("Regenerate rather than edit"))
        .expect("regenerate line");
    let cmd = line.split(": ").nth(1).expect("command");
    assert_eq!(
        cmd,
        format!(
            "ipsecgen render {} {} {} --target swanctl --side customer",
            path("conn.json"),
            path("gw.json"),
            path("cgw.json")
        )
    );
    let args: Vec<&str> = cmd.split(' ').skip(1).collect();
    let again = cargo_bin_cmd!("ipsecgen")
        .args(&args)
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8(again.stdout).expect("utf-8"), stdout);
}
