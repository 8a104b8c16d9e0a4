//! The dual-tunnel form of DownloadVpnConnectionConfig (issue 15): `TunnelsConfig.TunnelConfig[]`
//! and `BgpConfigs.BgpConfig[]` read as two tunnels in the customer's view, each from its own
//! entry, the BGP configuration joined by TunnelId; the roles from the DescribeVpnGateway
//! document given beside it (InternetIp = master, DisasterRecoveryInternetIp = slave), and an
//! error naming what to add when they cannot be told. The example is
//! examples/walkthrough/aliyun/download-dual.json with dual-gw.json.

use assert_cmd::cargo::cargo_bin_cmd;
use ipsecgen::dialect::PeerFacts;
use ipsecgen::ir::{Cipher, Connection, Integrity, Side, TunnelRole};
use ipsecgen::render::RenderOptions;
use ipsecgen::source::Source;
use ipsecgen::{Checked, LoadOptions};
use serde_json::{json, Value};

const DIR: &str = "examples/walkthrough/aliyun";

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).expect("example")
}

fn download() -> Value {
    serde_json::from_str(&read("download-dual.json")).expect("json")
}

fn gateway() -> Value {
    serde_json::from_str(&read("dual-gw.json")).expect("json")
}

fn tunnel(v: &mut Value, i: usize) -> &mut Value {
    &mut v["VpnConnectionConfig"]["TunnelsConfig"]["TunnelConfig"][i]
}

/// The download (first) with the other documents, read together as `render a b c` does.
fn joined_with(conn: &Value, docs: &[Value], facts: PeerFacts) -> Vec<Checked> {
    let mut sources = vec![Source::new(
        "download.json",
        serde_json::to_string_pretty(conn).expect("serializes"),
    )];
    sources.extend(
        docs.iter()
            .enumerate()
            .map(|(i, d)| Source::new(format!("gw{i}.json"), d.to_string())),
    );
    ipsecgen::check_joined(
        sources,
        &LoadOptions {
            facts,
            ..Default::default()
        },
    )
}

fn joined(conn: &Value, docs: &[Value]) -> Vec<Checked> {
    joined_with(conn, docs, PeerFacts::default())
}

/// The error codes of a check, each with the text its label points at.
fn errors(c: &Checked) -> Vec<(String, String)> {
    c.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let at = d.label.as_ref().map_or(String::new(), |(s, _)| {
                c.source.text[s.offset..s.offset + s.len].to_owned()
            });
            (d.code.clone(), at)
        })
        .collect()
}

fn codes(c: &Checked) -> Vec<String> {
    errors(c).into_iter().map(|(code, _)| code).collect()
}

fn gw(c: &Connection, side: Side) -> Option<String> {
    c.endpoint(side)
        .gateway
        .as_ref()
        .map(|g| g.value.to_string())
}

fn role(c: &Connection) -> (TunnelRole, u8) {
    let g = c.group.as_ref().expect("a tunnel of a group");
    (g.role.value, g.index)
}

#[test]
fn each_tunnel_is_read_from_its_own_entry_with_its_role_from_the_gateway_document() {
    let out = joined(&download(), &[gateway()]);
    let c = &out[0];
    assert_eq!(codes(c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    assert_eq!(c.connections.len(), 2);
    let (m, s) = (&c.connections[0], &c.connections[1]);
    assert_eq!(role(m), (TunnelRole::Master, 1));
    assert_eq!(role(s), (TunnelRole::Slave, 2));
    assert_eq!(
        (m.name.as_str(), s.name.as_str()),
        ("vpn-connection-1", "vpn-connection-2")
    );
    // The customer's view: Local is the customer, Remote Alibaba.
    assert_eq!(m.view, Side::Customer);
    for (t, cloud) in [(m, "203.0.113.50"), (s, "203.0.113.51")] {
        assert_eq!(gw(t, Side::Cloud).as_deref(), Some(cloud));
        assert_eq!(gw(t, Side::Customer).as_deref(), Some("198.51.100.60"));
        assert_eq!(
            t.endpoint(Side::Customer).subnets[0].value.to_string(),
            "10.10.0.0/24"
        );
        assert_eq!(
            t.endpoint(Side::Cloud).subnets[0].value.to_string(),
            "172.16.0.0/16"
        );
    }
    // Each tunnel its own proposals, lifetimes, PSK and TunnelId.
    assert_eq!(m.ike.cipher.value, Cipher::Aes256);
    assert_eq!(s.ike.cipher.value, Cipher::Aes192);
    assert_eq!(
        m.esp.integrity.as_ref().map(|i| i.value),
        Some(Integrity::Sha256)
    );
    assert_eq!(
        s.esp.integrity.as_ref().map(|i| i.value),
        Some(Integrity::Sha512)
    );
    assert_eq!(m.ike.lifetime.value, 86400);
    assert_eq!(s.ike.lifetime.value, 28800);
    let psk = |c: &Connection| c.psk.as_ref().map(|p| p.expose().to_owned());
    assert_eq!(psk(m).as_deref(), Some("Hm4qT8vRz2NcW6pK"));
    assert_eq!(psk(s).as_deref(), Some("Zc7wP3kLx9RbQ5tV"));
    let tid = |c: &Connection| {
        c.group
            .as_ref()
            .and_then(|g| g.tunnel_id.clone())
            .map(|t| t.value)
    };
    assert_eq!(tid(m).as_deref(), Some("tun-bp1kvyq5t2hm9d3xr****"));
    assert_eq!(tid(s).as_deref(), Some("tun-bp1w3c8nq6yk2fzj5****"));
    // The BGP configuration joined by TunnelId: LocalAsn/LocalBgpIp are the customer's.
    for (t, cidr, cloud_ip, customer_ip) in [
        (m, "169.254.10.0/30", "169.254.10.1", "169.254.10.2"),
        (s, "169.254.20.0/30", "169.254.20.1", "169.254.20.2"),
    ] {
        assert!(t.bgp_enabled(), "{}", t.name);
        let b = t.bgp.as_ref().expect("bgp");
        assert_eq!(
            b.tunnel_cidr
                .as_ref()
                .map(|n| n.value.to_string())
                .as_deref(),
            Some(cidr)
        );
        let speaker = |side| t.endpoint(side).bgp.clone();
        assert_eq!(speaker(Side::Cloud).asn.map(|a| a.value), Some(45104));
        assert_eq!(speaker(Side::Customer).asn.map(|a| a.value), Some(65050));
        assert_eq!(
            speaker(Side::Cloud)
                .ip
                .map(|a| a.value.to_string())
                .as_deref(),
            Some(cloud_ip)
        );
        assert_eq!(
            speaker(Side::Customer)
                .ip
                .map(|a| a.value.to_string())
                .as_deref(),
            Some(customer_ip)
        );
    }
    // Where each role came from.
    let fact = |c: &Connection| {
        c.defaults
            .iter()
            .find(|d| d.field == "Role")
            .map(|d| (d.value.to_string(), d.source.to_string()))
            .expect("the role's source")
    };
    assert_eq!(
        fact(m),
        (
            "master".to_owned(),
            "role from DescribeVpnGateway InternetIp 203.0.113.50, from gw0.json (DescribeVpnGateway 'vpn-bp1dv0f3xgxl2cu7t****')".to_owned()
        )
    );
    assert!(
        fact(s)
            .1
            .starts_with("role from DescribeVpnGateway DisasterRecoveryInternetIp 203.0.113.51"),
        "{:?}",
        fact(s)
    );
}

/// The same connection's DescribeVpnConnections response (dual-all.json, with its gateway
/// documents) and its download give the same tunnels: addresses, identities, proposals,
/// secrets and BGP links, each tunnel its own.
#[test]
fn the_download_and_the_describe_response_agree_tunnel_by_tunnel() {
    let from_download = joined(&download(), &[gateway()]);
    let sources = ["dual-all.json", "dual-gw.json", "cgw.json"]
        .map(|n| Source::new(format!("{DIR}/{n}"), read(n)));
    let from_describe = ipsecgen::check_joined(sources.to_vec(), &Default::default());
    let (a, b) = (&from_download[0].connections, &from_describe[0].connections);
    assert_eq!((a.len(), b.len()), (2, 2));
    for (x, y) in a.iter().zip(b) {
        assert_eq!(role(x), role(y));
        for side in [Side::Cloud, Side::Customer] {
            let (ex, ey) = (x.endpoint(side), y.endpoint(side));
            assert_eq!(gw(x, side), gw(y, side), "{} {side:?}", x.name);
            assert_eq!(
                ex.id.as_ref().map(|i| &i.value),
                ey.id.as_ref().map(|i| &i.value)
            );
            assert_eq!(
                ex.subnets.iter().map(|s| s.value).collect::<Vec<_>>(),
                ey.subnets.iter().map(|s| s.value).collect::<Vec<_>>()
            );
            assert_eq!(
                ex.bgp.asn.as_ref().map(|a| a.value),
                ey.bgp.asn.as_ref().map(|a| a.value)
            );
            assert_eq!(
                ex.bgp.ip.as_ref().map(|a| a.value),
                ey.bgp.ip.as_ref().map(|a| a.value)
            );
        }
        assert_eq!(
            serde_json::to_value(&x.ike).unwrap(),
            serde_json::to_value(&y.ike).unwrap(),
            "{}",
            x.name
        );
        assert_eq!(
            serde_json::to_value(&x.esp).unwrap(),
            serde_json::to_value(&y.esp).unwrap()
        );
        assert_eq!(
            x.psk.as_ref().map(|p| p.expose().to_owned()),
            y.psk.as_ref().map(|p| p.expose().to_owned())
        );
        assert_eq!(
            x.bgp
                .as_ref()
                .and_then(|b| b.tunnel_cidr.as_ref())
                .map(|n| n.value),
            y.bgp
                .as_ref()
                .and_then(|b| b.tunnel_cidr.as_ref())
                .map(|n| n.value)
        );
    }
}

/// Alone, the download is a valid document (`check` reads every file alone, as the pre-commit
/// hook does): its roles are unknown, never taken from the order of the list, and rendering
/// refuses with a diagnostic that names the document to add.
#[test]
fn without_the_gateway_document_the_roles_are_unknown_and_rendering_names_it() {
    let out = joined(&download(), &[]);
    let c = &out[0];
    assert_eq!(codes(c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    let roles: Vec<_> = c.connections.iter().map(role).collect();
    assert_eq!(roles, [(TunnelRole::Unknown, 1), (TunnelRole::Unknown, 2)]);
    let render = |target: &str| {
        let t = ipsecgen::render::registry().target(target).expect("target");
        ipsecgen::render_all(c, RenderOptions::side(Side::Customer), t)
            .map(|_| ())
            .expect_err("refused")
    };
    // IOS-XE's VTI also refuses the download's protected flows (specific LocalSubnet/RemoteSubnet
    // with BGP, docs/alibaba-reference.md 10.4 (a)); the roles come first.
    for (target, want) in [
        ("swanctl", &["input.tunnel-roles"][..]),
        (
            "cisco-ios-xe",
            &["input.tunnel-roles", "target.unsupported"][..],
        ),
        ("json", &["input.tunnel-roles"][..]),
    ] {
        let d = render(target);
        let found: Vec<_> = d.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(found, want, "{target}: {d:#?}");
        let help = d
            .iter()
            .next()
            .and_then(|x| x.help.clone())
            .unwrap_or_default();
        assert!(
            help.contains("aliyun vpc DescribeVpnGateway")
                && help.contains("InternetIp is the master"),
            "{help}"
        );
    }
    // The CLI: check passes, render refuses and writes nothing, explain says the roles are unknown.
    let file = format!("{DIR}/download-dual.json");
    cargo_bin_cmd!("ipsecgen")
        .args(["check", &file])
        .assert()
        .success();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cargo_bin_cmd!("ipsecgen")
        .args(["render", &file, "--target", "swanctl", "-o"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("input.tunnel-roles"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let out = cargo_bin_cmd!("ipsecgen")
        .args(["explain", &file])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  vpn-connection-1 (role unknown): cloud 203.0.113.50")
            && text.contains("Which tunnel is the master is not known"),
        "{text}"
    );
}

#[test]
fn a_remote_that_is_neither_gateway_address_is_named() {
    let mut v = download();
    tunnel(&mut v, 1)["Remote"] = json!("203.0.113.99");
    let out = joined(&v, &[gateway()]);
    let c = &out[0];
    assert_eq!(
        errors(c),
        [(
            "input.tunnel-roles".to_owned(),
            "\"203.0.113.99\"".to_owned()
        )],
        "{:#?}",
        c.diagnostics
    );
    let d = c.diagnostics.iter().find(|d| d.is_error()).expect("error");
    assert!(
        d.message
            .contains("VpnConnectionConfig.TunnelsConfig.TunnelConfig[1].Remote"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("InternetIp 203.0.113.50, DisasterRecoveryInternetIp 203.0.113.51"),
        "{}",
        d.message
    );
    // Another gateway's document: both tunnels are unmatched.
    let other = json!({"VpnGatewayId": "vpn-other", "InternetIp": "192.0.2.1", "DisasterRecoveryInternetIp": "192.0.2.2"});
    let out = joined(&download(), &[other]);
    assert_eq!(codes(&out[0]), ["input.tunnel-roles", "input.tunnel-roles"]);
}

#[test]
fn two_tunnels_to_one_address_are_one_error_not_a_guess() {
    let mut v = download();
    tunnel(&mut v, 1)["Remote"] = json!("203.0.113.50");
    let out = joined(&v, &[gateway()]);
    assert_eq!(
        errors(&out[0]),
        [(
            "input.tunnel-roles".to_owned(),
            "\"203.0.113.50\"".to_owned()
        )],
        "{:#?}",
        out[0].diagnostics
    );
}

#[test]
fn the_slave_listed_first_is_still_tunnel_two() {
    let mut v = download();
    let list = v["VpnConnectionConfig"]["TunnelsConfig"]["TunnelConfig"]
        .as_array_mut()
        .expect("list");
    list.reverse();
    let out = joined(&v, &[gateway()]);
    let c = &out[0];
    assert_eq!(codes(c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    assert_eq!(role(&c.connections[0]), (TunnelRole::Master, 1));
    assert_eq!(
        gw(&c.connections[0], Side::Cloud).as_deref(),
        Some("203.0.113.50")
    );
    assert_eq!(c.connections[0].ike.cipher.value, Cipher::Aes256);
    assert_eq!(
        c.connections[1]
            .bgp
            .as_ref()
            .and_then(|b| b.tunnel_cidr.as_ref())
            .map(|n| n.value.to_string())
            .as_deref(),
        Some("169.254.20.0/30")
    );
}

#[test]
fn a_bgp_configuration_for_no_tunnel_is_refused() {
    let mut v = download();
    v["VpnConnectionConfig"]["BgpConfigs"]["BgpConfig"][1]["TunnelId"] = json!("tun-nowhere");
    let out = joined(&v, &[gateway()]);
    assert_eq!(
        errors(&out[0]),
        [("input.tunnel-id".to_owned(), "\"tun-nowhere\"".to_owned())],
        "{:#?}",
        out[0].diagnostics
    );
    // Without its BgpConfig the slave has no BGP: nothing is copied from the master.
    assert!(!out[0].connections[1].bgp_enabled());
    let mut v = download();
    v["VpnConnectionConfig"]["BgpConfigs"]["BgpConfig"][1]
        .as_object_mut()
        .unwrap()
        .remove("TunnelId");
    assert_eq!(codes(&joined(&v, &[gateway()])[0]), ["input.tunnel-id"]);
}

#[test]
fn without_bgp_configs_each_tunnel_is_static() {
    let mut v = download();
    v["VpnConnectionConfig"]
        .as_object_mut()
        .unwrap()
        .remove("BgpConfigs");
    let out = joined(&v, &[gateway()]);
    let c = &out[0];
    assert_eq!(codes(c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    assert!(c.connections.iter().all(|t| t.bgp.is_none()));
    // Empty strings, as a connection without BGP may print them, are no BGP either.
    let mut v = download();
    for i in 0..2 {
        let b = &mut v["VpnConnectionConfig"]["BgpConfigs"]["BgpConfig"][i];
        for k in [
            "TunnelCidr",
            "LocalAsn",
            "LocalBgpIp",
            "PeerAsn",
            "PeerBgpIp",
        ] {
            b[k] = json!("");
        }
    }
    let out = joined(&v, &[gateway()]);
    assert_eq!(
        codes(&out[0]),
        Vec::<String>::new(),
        "{:#?}",
        out[0].diagnostics
    );
    assert!(out[0].connections.iter().all(|t| !t.bgp_enabled()));
}

#[test]
fn masked_values_say_so_once() {
    let mut v = download();
    tunnel(&mut v, 1)["Remote"] = json!("47.XX.XX.1");
    tunnel(&mut v, 1)["Local"] = json!("139.196.XX.XX");
    v["VpnConnectionConfig"]["BgpConfigs"]["BgpConfig"][0]["LocalBgpIp"] = json!("169.254.XX.XX");
    let out = joined(&v, &[gateway()]);
    assert_eq!(
        codes(&out[0]),
        ["input.masked", "input.masked", "input.masked"],
        "{:#?}",
        out[0].diagnostics
    );
    let messages: Vec<&str> = out[0]
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("VpnConnectionConfig.TunnelsConfig.TunnelConfig[1].Remote")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("VpnConnectionConfig.BgpConfigs.BgpConfig[0].LocalBgpIp")),
        "{messages:#?}"
    );
}

#[test]
fn flags_override_the_customer_side_and_the_masters_address() {
    let facts = PeerFacts {
        customer_ip: Some("198.51.100.77".parse().unwrap()),
        customer_asn: Some(65077),
        cloud_ip: Some("203.0.113.70".parse().unwrap()),
        ..Default::default()
    };
    let out = joined_with(&download(), &[gateway()], facts);
    let c = &out[0];
    assert_eq!(codes(c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    let (m, s) = (&c.connections[0], &c.connections[1]);
    assert_eq!(role(m).0, TunnelRole::Master);
    assert_eq!(gw(m, Side::Cloud).as_deref(), Some("203.0.113.70"));
    assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.51"));
    for t in [m, s] {
        assert_eq!(gw(t, Side::Customer).as_deref(), Some("198.51.100.77"));
        assert_eq!(
            t.endpoint(Side::Customer).bgp.asn.as_ref().map(|a| a.value),
            Some(65077)
        );
    }
}

#[test]
fn explain_says_where_each_role_came_from() {
    let out = cargo_bin_cmd!("ipsecgen")
        .current_dir(DIR)
        .args(["explain", "download-dual.json", "dual-gw.json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.starts_with("Connection vpn-connection: 2 tunnels\n"),
        "{text}"
    );
    assert!(
        text.contains("  vpn-connection-1 (master): cloud 203.0.113.50 <-> customer 198.51.100.60"),
        "{text}"
    );
    assert!(
        text.contains("  Role = master  (role from DescribeVpnGateway InternetIp 203.0.113.50, from dual-gw.json (DescribeVpnGateway 'vpn-bp1dv0f3xgxl2cu7t****'))"),
        "{text}"
    );
    assert!(
        text.contains("  Role = slave  (role from DescribeVpnGateway DisasterRecoveryInternetIp 203.0.113.51, from dual-gw.json"),
        "{text}"
    );
}

/// The download with its gateway document renders both tunnels for every target. The walkthrough's
/// download names specific subnets (protected data flows), which targets without specific
/// selectors on a route-based tunnel refuse; its 0.0.0.0/0 variant renders for every target that
/// writes two tunnels.
#[test]
fn the_download_renders_both_tunnels_for_every_target() {
    render_every_target(
        "download-dual.json",
        "walkthrough_aliyun_download_dual",
        &["Hm4qT8vRz2NcW6pK", "Zc7wP3kLx9RbQ5tV"],
    );
}

#[test]
fn the_all_traffic_download_renders_for_every_two_tunnel_target() {
    let refused = render_every_target(
        "download-dual-any.json",
        "walkthrough_aliyun_download_dual_any",
        &["Rw5nK2xT8qLc4VzB", "Jp9dF3sY6hMv1QtX"],
    );
    let one_tunnel: Vec<String> = ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.tunnels < 2)
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(refused, one_tunnel);
    assert_eq!(one_tunnel, ["mikrotik"]);
}

/// Render `name` with dual-gw.json for every target, snapshot each as `{prefix}__{target}__customer`
/// (the PSKs replaced), and return the targets that refused it.
fn render_every_target(name: &str, prefix: &str, psks: &[&str]) -> Vec<String> {
    let sources = [name, "dual-gw.json"].map(|n| Source::new(format!("{DIR}/{n}"), read(n)));
    let inputs = ipsecgen::check_joined(sources.to_vec(), &Default::default());
    for c in &inputs {
        assert!(
            !c.diagnostics.has_errors(),
            "{}: {:#?}",
            c.source.name,
            c.diagnostics
        );
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    let mut refused = Vec::new();
    for target in ipsecgen::render::registry().targets() {
        let text =
            match ipsecgen::render_joined(&inputs, RenderOptions::side(Side::Customer), target) {
                Ok(out) => {
                    let mut text = ipsecgen::write::concatenated(&out, &target.comment);
                    for (i, psk) in psks.iter().enumerate() {
                        let mark = if i == 0 {
                            "<redacted-psk>".to_owned()
                        } else {
                            format!("<redacted-psk-{}>", i + 1)
                        };
                        text = text.replace(psk, &mark);
                    }
                    if target.features.ipsec {
                        assert!(
                            text.contains("203.0.113.50") && text.contains("203.0.113.51"),
                            "{}:\n{text}",
                            target.name
                        );
                    }
                    text
                }
                // A target that cannot express a tunnel's algorithms says so, with its code.
                Err(d) => {
                    refused.push(target.name.clone());
                    d.iter()
                        .map(|x| {
                            assert_eq!(
                                x.code, "target.unsupported",
                                "{}: {}",
                                target.name, x.message
                            );
                            format!("error[{}]: {}\n", x.code, x.message)
                        })
                        .collect()
                }
            };
        insta::assert_snapshot!(format!("{prefix}__{}__customer", target.name), text);
    }
    refused
}
