//! ZStack as its API prints it: a QueryIPSecConnection reply (`inventories[]`) is a fleet; the
//! published inventory shapes (`ikeDhGroup: 2.0`, `peerCidrs` as objects, `l3NetworkRefs`,
//! dates like "Nov 14, 2017 10:20:57 PM") are read; L3 network UUIDs are named with the
//! zstack-cli query that prints their CIDRs.

use assert_cmd::cargo::cargo_bin_cmd;
use ipsecgen::source::Source;

fn check(name: &str, text: &str) -> ipsecgen::Checked {
    ipsecgen::check(Source::new(name, text), &Default::default())
}

#[test]
fn a_query_reply_is_a_fleet() {
    let text = std::fs::read_to_string("examples/zstack/query-reply.json").expect("readable");
    let c = check("query-reply.json", &text);
    assert!(!c.diagnostics.has_errors(), "{:#?}", c.diagnostics);
    let names: Vec<&str> = c.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["branch-shanghai", "branch-suzhou"]);
    assert_eq!(c.connections[0].ike.dh.value.0, 14);
    // One name twice: the folders are named by uuid.
    let twice = text.replace("branch-suzhou", "branch-shanghai");
    let c = check("query-reply.json", &twice);
    let names: Vec<&str> = c.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "vpn-3293505dd7de3a2aacca821c4a9d8b5e",
            "vpn-4404616ee8ef4b3bbddd932d5b0e9c6f"
        ]
    );
    let out = tempfile::tempdir().expect("tempdir");
    cargo_bin_cmd!("ipsecgen")
        .args(["render", "examples/zstack/query-reply.json", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let shanghai =
        std::fs::read_to_string(out.path().join("branch-shanghai/swanctl.conf")).expect("folder");
    assert!(shanghai.contains("remote_ts = 10.50.0.0/24"), "{shanghai}");
}

/// The published inventory (the Attach sample): a float DH group, peer CIDR objects with
/// dates, l3NetworkRefs. Only its L3 network is unknown offline: the help names the UUID and
/// the query; with the CIDR beside it, it reads clean.
#[test]
fn the_published_inventory_is_read_and_its_l3_network_named() {
    let text = r#"{"inventory": {"uuid": "3293505dd7de3a2aacca821c4a9d8b5e", "name": "Test-IPSec",
 "peerAddress": "100.64.10.10", "authKey": "Xv7Lq2Np9Rt4Wz6Kc3", "vipUuid": "58d827fb56cb3fc394c89429c28c29a4",
 "ikeDhGroup": 2.0,
 "peerCidrs": [{"uuid": "185878e63f1c39c48de641f55f8a870b", "cidr": "192.168.100.0/24",
   "connectionUuid": "3293505dd7de3a2aacca821c4a9d8b5e", "createDate": "Nov 14, 2017 10:20:57 PM",
   "lastOpDate": "Nov 14, 2017 10:20:57 PM"}],
 "l3NetworkRefs": [{"uuid": "a1e9c14d5d9736c0885b6cc67238873e", "connectionUuid": "3293505dd7de3a2aacca821c4a9d8b5e",
   "l3NetworkUuid": "43253fb59d8c36b49f684278747bf209", "createDate": "Nov 14, 2017 10:20:57 PM",
   "lastOpDate": "Nov 14, 2017 10:20:57 PM"}]}}"#;
    let c = check("inventory.json", text);
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "zstack.local-cidrs");
    assert!(errors[0]
        .message
        .contains("43253fb59d8c36b49f684278747bf209"));
    let help = errors[0].help.as_deref().unwrap_or_default();
    assert!(
        help.contains("zstack-cli QueryIpRange l3NetworkUuid=43253fb59d8c36b49f684278747bf209"),
        "{help}"
    );
    let filled = text.replacen('{', r#"{"localCidrs": ["10.0.0.0/24"], "#, 1);
    let c = check("inventory.json", &filled);
    assert!(!c.diagnostics.has_errors(), "{:#?}", c.diagnostics);
    let conn = &c.connections[0];
    assert_eq!(conn.ike.dh.value.0, 2);
    assert_eq!(conn.remote.subnets[0].value.to_string(), "192.168.100.0/24");
}
