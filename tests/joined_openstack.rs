//! OpenStack bundles: an `ipsec_site_connection` with the IKE and IPsec policies, VPN service
//! and endpoint groups it names, each a document of its own, as a user gets them from the API
//! or `openstack ... -f json` (examples/walkthrough/openstack/: the connection, both policies
//! and the local group in the client's flat form, the VPN service and the peer group wrapped as
//! the API prints them). They are joined by id; every target renders the result, through the
//! same path as tests/joined.rs.

use assert_cmd::cargo::cargo_bin_cmd;
use ipsecgen::ir::Side;
use ipsecgen::render::RenderOptions;
use ipsecgen::source::Source;
use predicates::prelude::*;

const DIR: &str = "examples/walkthrough/openstack";
const BUNDLE: &[&str] = &[
    "connection.json",
    "ikepolicy.json",
    "ipsecpolicy.json",
    "vpnservice.json",
    "epg-local.json",
    "epg-peer.json",
];

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn sources(names: &[&str]) -> Vec<Source> {
    names
        .iter()
        .map(|n| Source::new(path(n), std::fs::read_to_string(path(n)).expect("readable")))
        .collect()
}

fn paths(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| path(n)).collect()
}

/// A copy of the bundle in a scratch folder with one file replaced.
fn variant(replace: &str, with: &str) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut out = Vec::new();
    for name in BUNDLE {
        let p = dir.path().join(name);
        let text = if *name == replace {
            with.to_owned()
        } else {
            std::fs::read_to_string(path(name)).expect("readable")
        };
        std::fs::write(&p, text).expect("write");
        out.push(p.to_string_lossy().into_owned());
    }
    (dir, out)
}

#[test]
fn a_bundle_of_separate_documents_renders_for_every_target() {
    let inputs = ipsecgen::check_joined(sources(BUNDLE), &Default::default());
    for c in &inputs {
        assert!(
            !c.diagnostics.has_errors(),
            "{}: {:#?}",
            c.source.name,
            c.diagnostics
        );
    }
    assert_eq!(inputs[0].connections.len(), 1);
    assert!(inputs[1..].iter().all(|c| c.neutron.is_some()));
    let conn = &inputs[0].connections[0];
    assert_eq!(
        conn.local.gateway.as_ref().map(|g| g.value.to_string()),
        Some("203.0.113.143".into())
    );
    let subnets = |e: &ipsecgen::ir::Endpoint| -> Vec<String> {
        e.subnets.iter().map(|s| s.value.to_string()).collect()
    };
    assert_eq!(subnets(&conn.local), ["10.30.0.0/24", "10.30.1.0/24"]);
    assert_eq!(subnets(&conn.remote), ["172.16.48.0/22"]);
    assert_eq!(conn.ike.lifetime.value, 28800);
    // Values from another file have no place in the connection's file.
    assert!(conn.ike.cipher.span.is_none() && conn.local.subnets[0].span.is_none());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    for target in ipsecgen::render::registry().targets() {
        let text =
            match ipsecgen::render_joined(&inputs, RenderOptions::side(Side::Customer), target) {
                Ok(out) => ipsecgen::write::concatenated(&out, &target.comment)
                    .replace("Rk4Tn8Vw2Xy6Zb9Qc3Hd7Jf5", "<redacted-psk>"),
                Err(d) => d
                    .iter()
                    .map(|x| format!("error[{}]: {}\n", x.code, x.message))
                    .collect(),
            };
        if target.features.ipsec {
            assert!(text.contains("203.0.113.143"), "{}:\n{text}", target.name);
        }
        insta::assert_snapshot!(
            format!("walkthrough_openstack__{}__customer", target.name),
            text
        );
    }
}

/// explain and the file headers say which file each joined fact came from.
#[test]
fn explain_and_headers_name_the_file_of_each_fact() {
    let explained = cargo_bin_cmd!("ipsecgen")
        .arg("explain")
        .args(paths(BUNDLE))
        .assert()
        .success();
    let out = String::from_utf8(explained.get_output().stdout.clone()).expect("utf-8");
    for line in [
        "ikepolicy.encryption_algorithm = aes-256  (from examples/walkthrough/openstack/ikepolicy.json (ikepolicy b8e2f1c4-3d5a-4b6c-8e7f-9a0b1c2d3e4f))",
        "vpnservice.external_v4_ip = 203.0.113.143  (from examples/walkthrough/openstack/vpnservice.json (vpnservice f2c6d5a8-7b9e-4f0a-8c1d-3e4f5a6b7c8d))",
        "endpoint_group.endpoints = 172.16.48.0/22  (from examples/walkthrough/openstack/epg-peer.json (endpoint_group e1b5c4f7-6a8d-4e9f-9b0c-2d3e4f5a6b7c))",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(paths(BUNDLE))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "#   ipsecpolicy.pfs = group14 (from examples/walkthrough/openstack/ipsecpolicy.json (ipsecpolicy c9f3a2d5-4e6b-4c7d-9f8a-0b1c2d3e4f5a))",
        ));
    // check verifies the bundle together.
    cargo_bin_cmd!("ipsecgen")
        .arg("check")
        .args(paths(BUNDLE))
        .assert()
        .success()
        .stderr(predicate::str::contains("document-missing").not());
}

/// A list response is a fleet: a folder per connection; the second connection's peer group is
/// in the list document itself (several wrappers in one document).
#[test]
fn a_list_response_renders_a_folder_per_connection() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut files = vec!["connections.json"];
    files.extend(&BUNDLE[1..]);
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(paths(&files))
        .args(["--target", "swanctl", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let read = |p: &str| std::fs::read_to_string(out.path().join(p)).expect(p);
    let dc3 = read("prod-to-dc3/swanctl.conf");
    let dc4 = read("prod-to-dc4/swanctl.conf");
    assert!(
        dc3.contains("remote_addrs = 203.0.113.143") && dc3.contains("local_ts = 172.16.48.0/22")
    );
    assert!(
        dc4.contains("remote_addrs = 203.0.113.143") && dc4.contains("local_ts = 172.16.64.0/24")
    );
    assert!(dc4.contains("local_addrs = 198.51.100.144"));
    let combined = read("swanctl.conf");
    assert!(combined.contains("prod-to-dc3 {") && combined.contains("prod-to-dc4 {"));
}

#[test]
fn a_policy_document_alone_says_what_it_is() {
    cargo_bin_cmd!("ipsecgen")
        .args(["render", &path("ikepolicy.json")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("neutron.document-alone"))
        .stderr(predicate::str::contains("an OpenStack IKE policy"))
        .stderr(predicate::str::contains("ikepolicy_id"));
    // check accepts it: it is a valid document.
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &path("ikepolicy.json")])
        .assert()
        .success();
}

#[test]
fn a_referenced_document_that_is_missing_names_the_id_and_the_command() {
    let other = std::fs::read_to_string(path("ikepolicy.json"))
        .expect("readable")
        .replace(
            "b8e2f1c4-3d5a-4b6c-8e7f-9a0b1c2d3e4f",
            "00000000-0000-4000-8000-000000000001",
        );
    let (_dir, files) = variant("ikepolicy.json", &other);
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(&files)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("neutron.document-missing"))
        .stderr(predicate::str::contains(
            "b8e2f1c4-3d5a-4b6c-8e7f-9a0b1c2d3e4f",
        ))
        .stderr(predicate::str::contains("openstack vpn ike policy show"));
    // Without any endpoint group document, each group the connection names is missing.
    let c = ipsecgen::check(
        Source::new(
            path("connection.json"),
            std::fs::read_to_string(path("connection.json")).expect("readable"),
        ),
        &Default::default(),
    );
    let codes: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["neutron.document-missing", "neutron.document-missing"]
    );
}

#[test]
fn two_documents_for_one_id_are_an_error() {
    let mut files = paths(BUNDLE);
    files.push(path("ikepolicy.json"));
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(&files)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("neutron.document-duplicate"));
}

#[test]
fn a_subnet_endpoint_group_names_its_uuids_and_the_command() {
    let subnet = r#"{
  "Description": "",
  "Endpoints": ["a3da778c-adfb-46db-88b3-d2ce53290a89", "b4eb889d-befc-47ec-99c4-e3df64301b9a"],
  "ID": "d0a4b3e6-5f7c-4d8e-8a9b-1c2d3e4f5a6b",
  "Name": "vpc-prod-subnets",
  "Project": "7c9e6679f1a54b1c8c1e5e3b0f7a2d11",
  "Type": "subnet"
}"#;
    let (_dir, files) = variant("epg-local.json", subnet);
    let out = cargo_bin_cmd!("ipsecgen")
        .args(["check", "--format", "json"])
        .args(&files)
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    let errors: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .filter(|d: &serde_json::Value| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{stdout}");
    assert_eq!(errors[0]["code"], "neutron.local-cidrs");
    let text = errors[0].to_string();
    for want in [
        "a3da778c-adfb-46db-88b3-d2ce53290a89, b4eb889d-befc-47ec-99c4-e3df64301b9a",
        "openstack subnet show a3da778c-adfb-46db-88b3-d2ce53290a89 -f value -c cidr",
        "openstack subnet show b4eb889d-befc-47ec-99c4-e3df64301b9a -f value -c cidr",
        "local_cidrs",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // With the CIDRs the commands print, the bundle renders.
    let conn = std::fs::read_to_string(&files[0])
        .expect("readable")
        .replacen(
            "{",
            "{\n  \"local_cidrs\": [\"10.30.0.0/24\", \"10.30.1.0/24\"],",
            1,
        );
    std::fs::write(&files[0], conn).expect("write");
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(&files)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "remote_ts = 10.30.0.0/24,10.30.1.0/24",
        ));
}

/// A create request carries no id: no connection can name it.
#[test]
fn a_document_without_id_is_refused() {
    let request = r#"{"ikepolicy": {"name": "ikepolicy1", "ike_version": "v2"}}"#;
    let (_dir, files) = variant("ikepolicy.json", request);
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &files[1]])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("neutron.document-id"));
}

/// The client's `openstack vpn service show` does not print the external address.
#[test]
fn a_client_vpn_service_without_address_says_how_to_get_it() {
    let client = r#"{
  "Description": "",
  "Flavor": null,
  "ID": "f2c6d5a8-7b9e-4f0a-8c1d-3e4f5a6b7c8d",
  "Name": "vpc-prod-vpn",
  "Project": "7c9e6679f1a54b1c8c1e5e3b0f7a2d11",
  "Router": "a3d7e6b9-8c0f-4a1b-9d2e-4f5a6b7c8d9e",
  "State": true,
  "Status": "ACTIVE",
  "Subnet": null
}"#;
    let (_dir, files) = variant("vpnservice.json", client);
    // The JSON report keeps the help on one line.
    cargo_bin_cmd!("ipsecgen")
        .args(["render", "--format", "json"])
        .args(&files)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("neutron.cloud-address"))
        .stdout(predicate::str::contains(
            "openstack router show a3d7e6b9-8c0f-4a1b-9d2e-4f5a6b7c8d9e -f json -c external_gateway_info",
        ))
        .stdout(predicate::str::contains("peer.missing"));
    cargo_bin_cmd!("ipsecgen")
        .arg("render")
        .args(&files)
        .args(["--cloud-ip", "203.0.113.143"])
        .assert()
        .success()
        .stdout(predicate::str::contains("remote_addrs = 203.0.113.143"));
}
