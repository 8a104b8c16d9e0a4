//! Alibaba dual-tunnel connections (issue 15): the response, request and query-string forms of
//! TunnelOptionsSpecification read as two tunnels with their own values, the API's rules over
//! the pair and per tunnel with their exact codes, the gateway documents and flags per tunnel,
//! and lists with a dual-tunnel item.

use ipsecgen::dialect::PeerFacts;
use ipsecgen::ir::{Cipher, Connection, Integrity, Side, TunnelRole};
use ipsecgen::source::Source;
use ipsecgen::{Checked, LoadOptions};
use serde_json::{json, Value};

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("examples/aliyun/{name}")).expect("example")
}

fn check_with(name: &str, text: &str, facts: PeerFacts) -> Checked {
    ipsecgen::check(
        Source::new(name, text),
        &LoadOptions {
            facts,
            ..Default::default()
        },
    )
}

fn check(name: &str, text: &str) -> Checked {
    check_with(name, text, PeerFacts::default())
}

/// The error codes, each with the text its label points at.
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

/// The request example as JSON, changed by `edit`.
fn request_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&example("dual-tunnel-request.json")).expect("json");
    edit(&mut v);
    serde_json::to_string_pretty(&v).expect("serializes")
}

fn tunnel(v: &mut Value, i: usize) -> &mut Value {
    &mut v["TunnelOptionsSpecification"][i]
}

#[test]
fn the_response_form_reads_two_tunnels_with_their_own_values() {
    let c = check("dual.json", &example("dual-tunnel-bgp.json"));
    assert_eq!(codes(&c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    let [m, s] = c.connections.as_slice() else {
        panic!("two tunnels: {:#?}", c.connections)
    };
    assert_eq!(
        (m.name.as_str(), s.name.as_str()),
        ("hangzhou-to-dc1-dual-1", "hangzhou-to-dc1-dual-2")
    );
    let (gm, gs) = (m.group.as_ref().unwrap(), s.group.as_ref().unwrap());
    assert_eq!(
        (gm.role.value, gs.role.value),
        (TunnelRole::Master, TunnelRole::Slave)
    );
    assert_eq!((gm.index, gs.index, gm.size, gs.size), (1, 2, 2, 2));
    assert_eq!(gm.name, "hangzhou-to-dc1-dual");
    assert_eq!(gs.name, gm.name);
    assert_eq!(
        gm.tunnel_id.as_ref().map(|t| t.value.as_str()),
        Some("tun-bp1kvyq5t2hm9d3xr****")
    );
    // Each tunnel's own gateway, proposals, lifetimes, PSK, NAT-T and BGP link.
    assert_eq!(gw(m, Side::Cloud).as_deref(), Some("203.0.113.50"));
    assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.51"));
    assert_eq!(gw(s, Side::Customer).as_deref(), Some("198.51.100.60"));
    assert_eq!(
        (m.ike.cipher.value, s.ike.cipher.value),
        (Cipher::Aes256, Cipher::Aes192)
    );
    assert_eq!(
        (
            m.esp.integrity.as_ref().unwrap().value,
            s.esp.integrity.as_ref().unwrap().value
        ),
        (Integrity::Sha256, Integrity::Sha512)
    );
    assert_eq!((m.ike.lifetime.value, s.ike.lifetime.value), (86400, 28800));
    assert_eq!((m.esp.lifetime.value, s.esp.lifetime.value), (3600, 7200));
    assert_ne!(
        m.psk.as_ref().unwrap().expose(),
        s.psk.as_ref().unwrap().expose()
    );
    assert_eq!(
        (m.nat_traversal.value, s.nat_traversal.value),
        (true, false)
    );
    let cidr = |c: &Connection| {
        c.bgp
            .as_ref()
            .unwrap()
            .tunnel_cidr
            .as_ref()
            .unwrap()
            .value
            .to_string()
    };
    assert_eq!(
        (cidr(m), cidr(s)),
        ("169.254.10.0/30".into(), "169.254.20.0/30".into())
    );
    assert_eq!(
        s.endpoint(Side::Customer)
            .bgp
            .ip
            .as_ref()
            .map(|i| i.value.to_string()),
        Some("169.254.20.2".into())
    );
    assert_eq!(
        s.endpoint(Side::Customer).bgp.asn.as_ref().map(|a| a.value),
        Some(65050)
    );
    // Shared: subnets and the connection's own title.
    assert_eq!(
        m.endpoint(Side::Cloud).subnets,
        s.endpoint(Side::Cloud).subnets
    );
    assert_eq!(m.title, s.title);
}

#[test]
fn the_static_response_form_has_no_bgp_and_its_own_proposals_per_tunnel() {
    let c = check("static.json", &example("dual-tunnel-static.json"));
    assert_eq!(codes(&c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    let [m, s] = c.connections.as_slice() else {
        panic!("two tunnels")
    };
    assert!(!m.bgp_enabled() && !s.bgp_enabled());
    assert_eq!(m.ike.version.value, ipsecgen::ir::IkeVersion::Ikev2);
    assert_eq!(s.ike.version.value, ipsecgen::ir::IkeVersion::Ikev1);
    assert!(m.esp.pfs.is_some() && s.esp.pfs.is_none());
}

#[test]
fn the_request_form_reads_strings_and_native_types_alike() {
    let strings = check("req.json", &example("dual-tunnel-request.json"));
    assert_eq!(
        codes(&strings),
        Vec::<String>::new(),
        "{:#?}",
        strings.diagnostics
    );
    // The same request with native booleans and numbers.
    let native = request_with(|v| {
        v["EnableTunnelsBgp"] = json!(true);
        v["EffectImmediately"] = json!(true);
        for i in 0..2 {
            let t = tunnel(v, i);
            t["EnableDpd"] = json!(true);
            t["EnableNatTraversal"] = json!(true);
            let life = t["TunnelIkeConfig"]["IkeLifetime"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap();
            t["TunnelIkeConfig"]["IkeLifetime"] = json!(life);
            t["TunnelBgpConfig"]["LocalAsn"] = json!(45104);
        }
    });
    let native = check("native.json", &native);
    assert_eq!(
        codes(&native),
        Vec::<String>::new(),
        "{:#?}",
        native.diagnostics
    );
    for c in [&strings, &native] {
        let [m, s] = c.connections.as_slice() else {
            panic!("two tunnels")
        };
        assert_eq!((m.ike.lifetime.value, s.ike.lifetime.value), (86400, 43200));
        assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.51"));
        assert!(m.bgp_enabled() && s.bgp_enabled());
        assert_eq!(
            m.endpoint(Side::Cloud).bgp.asn.as_ref().map(|a| a.value),
            Some(45104)
        );
        // PeerBgpIp is derived per tunnel from its own /30.
        assert_eq!(
            s.endpoint(Side::Customer)
                .bgp
                .ip
                .as_ref()
                .map(|i| i.value.to_string()),
            Some("169.254.40.2".into())
        );
        assert_eq!(
            s.endpoint(Side::Customer).bgp.asn.as_ref().map(|a| a.value),
            Some(65070)
        );
    }
}

#[test]
fn the_slave_listed_first_is_still_tunnel_two() {
    let text = request_with(|v| {
        let list = v["TunnelOptionsSpecification"].as_array_mut().unwrap();
        list.reverse();
    });
    let c = check("rev.json", &text);
    assert_eq!(codes(&c), Vec::<String>::new());
    let names: Vec<_> = c
        .connections
        .iter()
        .map(|c| (c.name.clone(), gw(c, Side::Cloud)))
        .collect();
    assert_eq!(
        names,
        [
            ("hangzhou-to-dc2-dual-1".into(), Some("203.0.113.50".into())),
            ("hangzhou-to-dc2-dual-2".into(), Some("203.0.113.51".into()))
        ]
    );
}

#[test]
fn the_query_string_form_reads_the_repeated_structure() {
    let text = "https://vpc.aliyuncs.com/?Action=CreateVpnConnection\n\
        &RegionId=cn-hangzhou\n\
        &VpnGatewayId=vpn-bp1dv0f3xgxl2cu7t****\n\
        &Name=qs-dual\n\
        &LocalSubnet=172.16.0.0/16\n\
        &RemoteSubnet=10.10.0.0/24\n\
        &TunnelOptionsSpecification.1.Role=master\n\
        &TunnelOptionsSpecification.1.CustomerGatewayId=cgw-1\n\
        &TunnelOptionsSpecification.1.TunnelIkeConfig.Psk=Wq5eR7tY1uI3oP9a\n\
        &TunnelOptionsSpecification.1.TunnelIkeConfig.IkeVersion=ikev2\n\
        &TunnelOptionsSpecification.1.TunnelIkeConfig.IkeLifetime=3600\n\
        &TunnelOptionsSpecification.2.Role=slave\n\
        &TunnelOptionsSpecification.2.CustomerGatewayId=cgw-1\n\
        &TunnelOptionsSpecification.2.TunnelIkeConfig.Psk=Ls8dF4gH6jK2zX0c\n\
        &TunnelOptionsSpecification.2.TunnelIkeConfig.IkeEncAlg=aes256\n\
        &TunnelOptionsSpecification.2.EnableNatTraversal=false\n\
        &VpnGateway.InternetIp=203.0.113.50\n\
        &VpnGateway.DisasterRecoveryInternetIp=203.0.113.51\n";
    let c = check("req.txt", text);
    assert_eq!(codes(&c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    let [m, s] = c.connections.as_slice() else {
        panic!("two tunnels: {:#?}", c.diagnostics)
    };
    assert_eq!(
        (m.name.as_str(), s.name.as_str()),
        ("qs-dual-1", "qs-dual-2")
    );
    assert_eq!(m.ike.lifetime.value, 3600);
    assert_eq!(s.ike.lifetime.value, 86400);
    assert_eq!(s.ike.cipher.value, Cipher::Aes256);
    assert_eq!(m.ike.cipher.value, Cipher::Aes128);
    assert!(!s.nat_traversal.value && m.nat_traversal.value);
    assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.51"));
    // The defaults say which tunnel's field they stand for.
    assert!(s
        .defaults
        .iter()
        .any(|d| d.field == "TunnelOptionsSpecification.2.TunnelIkeConfig.IkeAuthAlg"));
}

#[test]
fn the_pair_rules_have_their_codes() {
    // Three tunnels: one too many.
    let three = request_with(|v| {
        let third = v["TunnelOptionsSpecification"][1].clone();
        v["TunnelOptionsSpecification"]
            .as_array_mut()
            .unwrap()
            .push(third);
    });
    let c = check("three.json", &three);
    assert!(
        codes(&c).contains(&"input.tunnel-count".to_owned()),
        "{:#?}",
        errors(&c)
    );
    // One tunnel.
    let one = request_with(|v| {
        v["TunnelOptionsSpecification"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
    assert_eq!(codes(&check("one.json", &one)), ["input.tunnel-count"]);
    // Two masters: the second is pointed at.
    let masters = request_with(|v| tunnel(v, 1)["Role"] = json!("master"));
    assert_eq!(
        errors(&check("masters.json", &masters)),
        [("input.tunnel-roles".to_owned(), "\"master\"".to_owned())]
    );
    // A role the API does not have, and a missing one: at read time.
    let word = request_with(|v| tunnel(v, 1)["Role"] = json!("backup"));
    assert_eq!(codes(&check("word.json", &word)), ["input.tunnel-roles"]);
    let missing = request_with(|v| {
        tunnel(v, 1).as_object_mut().unwrap().remove("Role");
    });
    assert_eq!(
        codes(&check("missing.json", &missing)),
        ["input.tunnel-roles"]
    );
}

#[test]
fn each_tunnel_keeps_its_own_bgp_link() {
    // The same /30 twice.
    let same = request_with(|v| {
        tunnel(v, 1)["TunnelBgpConfig"]["TunnelCidr"] = json!("169.254.30.0/30");
        tunnel(v, 1)["TunnelBgpConfig"]["LocalBgpIp"] = json!("169.254.30.1");
    });
    let c = check("same.json", &same);
    assert_eq!(
        errors(&c),
        [(
            "IllegalParam.TunnelCidr".to_owned(),
            "\"169.254.30.0/30\"".to_owned()
        )]
    );
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.message.contains("master tunnel")));
    // Reserved, too wide, outside 169.254.0.0/16: per tunnel, the API's code.
    for cidr in [
        "169.254.6.0/30",
        "169.254.169.252/30",
        "169.254.40.0/29",
        "10.0.0.0/30",
    ] {
        let text = request_with(|v| {
            tunnel(v, 1)["TunnelBgpConfig"]["TunnelCidr"] = json!(cidr);
            tunnel(v, 1)["TunnelBgpConfig"]
                .as_object_mut()
                .unwrap()
                .remove("LocalBgpIp");
        });
        let c = check("cidr.json", &text);
        assert!(
            codes(&c).contains(&"IllegalParam.TunnelCidr".to_owned()),
            "{cidr}: {:#?}",
            errors(&c)
        );
    }
    // The slave's LocalBgpIp outside its own /30 (inside the master's).
    let outside =
        request_with(|v| tunnel(v, 1)["TunnelBgpConfig"]["LocalBgpIp"] = json!("169.254.30.1"));
    assert_eq!(
        errors(&check("outside.json", &outside)),
        [(
            "IllegalParam.LocalBgpIp".to_owned(),
            "\"169.254.30.1\"".to_owned()
        )]
    );
    // BGP on without a /30.
    let no_cidr = request_with(|v| {
        tunnel(v, 0)
            .as_object_mut()
            .unwrap()
            .remove("TunnelBgpConfig");
    });
    assert_eq!(
        codes(&check("nocidr.json", &no_cidr)),
        ["MissingParameter.TunnelCidr"]
    );
    // A malformed ASN in one tunnel.
    let asn = request_with(|v| tunnel(v, 1)["TunnelBgpConfig"]["LocalAsn"] = json!("99999999999"));
    assert_eq!(codes(&check("asn.json", &asn)), ["IllegalParam.LocalAsn"]);
}

#[test]
fn single_tunnel_fields_beside_the_tunnels_are_refused() {
    for key in ["IkeConfig", "IpsecConfig", "BgpConfig"] {
        let text = request_with(|v| v[key] = json!("{}"));
        let c = check("mixed.json", &text);
        assert_eq!(codes(&c), ["input.single-tunnel-field"], "{key}");
        let d = c.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert!(
            d.help.as_deref().unwrap().contains(&format!("Tunnel{key}")),
            "{d:?}"
        );
    }
    for (key, value) in [
        ("EnableDpd", json!("true")),
        ("EnableNatTraversal", json!(true)),
        ("CustomerGatewayId", json!("cgw-x")),
    ] {
        let text = request_with(|v| v[key] = value);
        assert_eq!(
            codes(&check("mixed.json", &text)),
            ["input.single-tunnel-field"],
            "{key}"
        );
    }
    // A response may print connection-level copies: they are not read.
    let mut v: Value = serde_json::from_str(&example("dual-tunnel-bgp.json")).unwrap();
    v["IkeConfig"] = json!({"IkeVersion": "ikev1"});
    v["EnableDpd"] = json!(true);
    v["CustomerGatewayId"] = json!("");
    let c = check("resp.json", &v.to_string());
    assert_eq!(codes(&c), Vec::<String>::new());
    assert!(c
        .connections
        .iter()
        .all(|c| c.ike.version.value == ipsecgen::ir::IkeVersion::Ikev2));
}

#[test]
fn masked_tunnel_values_say_so() {
    let mut v: Value = serde_json::from_str(&example("dual-tunnel-bgp.json")).unwrap();
    let t = &mut v["TunnelOptionsSpecification"]["TunnelOptions"][1];
    t["InternetIp"] = json!("47.XX.XX.1");
    t["TunnelIkeConfig"]["LocalId"] = json!("47.XX.XX.1");
    t["TunnelBgpConfig"]["TunnelCidr"] = json!("169.254.XX.XX/30");
    t["TunnelBgpConfig"]["PeerBgpIp"] = json!("169.254.XX.XX");
    let text = serde_json::to_string_pretty(&v).unwrap();
    let c = check("masked.json", &text);
    assert_eq!(
        codes(&c),
        [
            "input.masked",
            "input.masked",
            "input.masked",
            "input.masked"
        ],
        "{:#?}",
        c.diagnostics
    );
    assert!(c.diagnostics.iter().any(|d| d
        .message
        .contains("TunnelOptionsSpecification.TunnelOptions[1].InternetIp")));
}

#[test]
fn an_empty_peer_asn_of_a_static_tunnel_is_unset() {
    // mc-terrarium's live run printed peer_asn "" for tunnels without BGP.
    let mut v: Value = serde_json::from_str(&example("dual-tunnel-static.json")).unwrap();
    for i in 0..2 {
        v["TunnelOptionsSpecification"]["TunnelOptions"][i]["TunnelBgpConfig"]["PeerAsn"] =
            json!("");
        v["TunnelOptionsSpecification"]["TunnelOptions"][i]["TunnelBgpConfig"]["LocalAsn"] =
            json!("");
    }
    let c = check("static.json", &v.to_string());
    assert_eq!(codes(&c), Vec::<String>::new(), "{:#?}", c.diagnostics);
}

/// Without addresses in the document: the gateway documents, per tunnel.
fn bare_response() -> Value {
    let mut v: Value = serde_json::from_str(&example("dual-tunnel-bgp.json")).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("VpnGateway");
    o.remove("CustomerGateway");
    for t in v["TunnelOptionsSpecification"]["TunnelOptions"]
        .as_array_mut()
        .unwrap()
    {
        t.as_object_mut().unwrap().remove("InternetIp");
        t["TunnelBgpConfig"]
            .as_object_mut()
            .unwrap()
            .remove("PeerAsn");
    }
    v["TunnelOptionsSpecification"]["TunnelOptions"][1]["CustomerGatewayId"] = json!("cgw-second");
    v
}

fn joined(conn: &Value, docs: &[(&str, Value)], facts: PeerFacts) -> Vec<Checked> {
    let mut sources = vec![Source::new("conn.json", conn.to_string())];
    sources.extend(docs.iter().map(|(n, d)| Source::new(*n, d.to_string())));
    ipsecgen::check_joined(
        sources,
        &LoadOptions {
            facts,
            ..Default::default()
        },
    )
}

fn gw_doc() -> Value {
    json!({"VpnGatewayId": "vpn-bp1dv0f3xgxl2cu7t****", "InternetIp": "203.0.113.60", "DisasterRecoveryInternetIp": "203.0.113.61"})
}

fn cgw_doc(id: &str, ip: &str, asn: u32) -> Value {
    json!({"CustomerGatewayId": id, "IpAddress": ip, "Asn": asn})
}

#[test]
fn gateway_documents_give_each_tunnel_its_addresses() {
    let conn = bare_response();
    let docs = [
        ("gw.json", gw_doc()),
        (
            "cgw1.json",
            cgw_doc("cgw-bp1pvpl9r9adju6l5****", "198.51.100.61", 65061),
        ),
        ("cgw2.json", cgw_doc("cgw-second", "198.51.100.62", 65062)),
    ];
    let out = joined(&conn, &docs, PeerFacts::default());
    assert_eq!(
        codes(&out[0]),
        Vec::<String>::new(),
        "{:#?}",
        out[0].diagnostics
    );
    let [m, s] = out[0].connections.as_slice() else {
        panic!("two tunnels")
    };
    assert_eq!(gw(m, Side::Cloud).as_deref(), Some("203.0.113.60"));
    assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.61"));
    assert_eq!(gw(m, Side::Customer).as_deref(), Some("198.51.100.61"));
    assert_eq!(gw(s, Side::Customer).as_deref(), Some("198.51.100.62"));
    assert_eq!(
        s.endpoint(Side::Customer).bgp.asn.as_ref().map(|a| a.value),
        Some(65062)
    );
    assert!(s.defaults.iter().any(
        |d| d.field == "VpnGateway.DisasterRecoveryInternetIp" && d.source.contains("gw.json")
    ));

    // --cloud-ip is the master's; the slave keeps the document's second address.
    let facts = PeerFacts {
        cloud_ip: Some("192.0.2.1".parse().unwrap()),
        ..Default::default()
    };
    let out = joined(&conn, &docs, facts);
    let [m, s] = out[0].connections.as_slice() else {
        panic!("two tunnels")
    };
    assert_eq!(gw(m, Side::Cloud).as_deref(), Some("192.0.2.1"));
    assert_eq!(gw(s, Side::Cloud).as_deref(), Some("203.0.113.61"));

    // --customer-ip and --customer-asn are the one customer device of both tunnels.
    let facts = PeerFacts {
        customer_ip: Some("192.0.2.9".parse().unwrap()),
        customer_asn: Some(64999),
        ..Default::default()
    };
    let out = joined(&conn, &docs, facts);
    for c in &out[0].connections {
        assert_eq!(gw(c, Side::Customer).as_deref(), Some("192.0.2.9"));
        assert_eq!(
            c.endpoint(Side::Customer).bgp.asn.as_ref().map(|a| a.value),
            Some(64999)
        );
    }
}

#[test]
fn a_tunnels_missing_customer_gateway_document_is_named() {
    let conn = bare_response();
    let docs = [
        ("gw.json", gw_doc()),
        (
            "cgw1.json",
            cgw_doc("cgw-bp1pvpl9r9adju6l5****", "198.51.100.61", 65061),
        ),
    ];
    let out = joined(&conn, &docs, PeerFacts::default());
    let e = errors(&out[0]);
    assert_eq!(
        e,
        [(
            "input.gateway-missing".to_owned(),
            "\"cgw-second\"".to_owned()
        )],
        "{:#?}",
        out[0].diagnostics
    );
}

#[test]
fn the_slave_has_no_address_without_its_own_or_the_second_one() {
    // A DescribeVpnGateway of a gateway without DisasterRecoveryInternetIp.
    let conn = bare_response();
    let docs = [(
        "gw.json",
        json!({"VpnGatewayId": "vpn-bp1dv0f3xgxl2cu7t****", "InternetIp": "203.0.113.60"}),
    )];
    let out = joined(&conn, &docs, PeerFacts::default());
    let [m, s] = out[0].connections.as_slice() else {
        panic!("two tunnels")
    };
    assert_eq!(gw(m, Side::Cloud).as_deref(), Some("203.0.113.60"));
    assert_eq!(gw(s, Side::Cloud), None);
}

#[test]
fn a_list_with_a_dual_item_names_the_pair_and_its_tunnels() {
    let dual: Value = serde_json::from_str(&example("dual-tunnel-bgp.json")).unwrap();
    let mut single: Value = serde_json::from_str(&example("seed-describe-response.json")).unwrap();
    single["Name"] = json!("hangzhou-to-dc1-dual");
    single["IkeConfig"]["Psk"] = json!("Aa1Bb2Cc3Dd4Ee5F");
    single["VpnBgpConfig"]["PeerAsn"] = json!(65001);
    single.as_object_mut().unwrap().remove("RequestId");
    let mut item = dual.clone();
    item.as_object_mut().unwrap().remove("RequestId");
    let list = json!({
        "RequestId": "x", "TotalCount": 2, "PageNumber": 1, "PageSize": 10,
        "VpnConnections": {"VpnConnection": [item, single]}
    });
    let c = check("all.json", &list.to_string());
    assert_eq!(codes(&c), Vec::<String>::new(), "{:#?}", c.diagnostics);
    // The two share a Name: both are named by their VpnConnectionId, the pair's tunnels too.
    let names: Vec<_> = c
        .connections
        .iter()
        .map(|c| (c.name.clone(), c.group.as_ref().map(|g| g.name.clone())))
        .collect();
    assert_eq!(
        names,
        [
            (
                "vco-bp1h7zk2hq0c8m6e4-1".to_owned(),
                Some("vco-bp1h7zk2hq0c8m6e4".to_owned())
            ),
            (
                "vco-bp1h7zk2hq0c8m6e4-2".to_owned(),
                Some("vco-bp1h7zk2hq0c8m6e4".to_owned())
            ),
            ("vco-p0w5112fgnl2ihlmf".to_owned(), None),
        ]
    );
    // With distinct names, the Name stays.
    let mut list2 = list.clone();
    list2["VpnConnections"]["VpnConnection"][1]["Name"] = json!("other");
    let c = check("all.json", &list2.to_string());
    assert_eq!(c.connections[0].name, "hangzhou-to-dc1-dual-1");
    assert_eq!(c.connections[2].name, "other");
}

#[test]
fn a_shared_fact_is_reported_once_not_once_per_tunnel() {
    let text = request_with(|v| {
        v["LocalSubnet"] = json!("172.16.0.1/16");
        v["Name"] = json!("https://dual");
    });
    let c = check("shared.json", &text);
    let e = errors(&c);
    assert_eq!(e.len(), 2, "{e:#?}");
    // (serde_json writes the keys in alphabetical order: LocalSubnet before Name.)
    assert!(e[0].1.contains("172.16.0.1/16"), "{e:#?}");
    assert_eq!(e[1].1, "\"https://dual\"");
}

/// The walkthrough's dual-tunnel set, as `aliyun vpc DescribeVpnConnections`,
/// `DescribeVpnGateway` and `DescribeCustomerGateway` print it: the gateway document gives the
/// master InternetIp and the slave DisasterRecoveryInternetIp.
#[test]
fn the_walkthrough_list_takes_both_addresses_from_the_gateway_document() {
    let dir = "examples/walkthrough/aliyun";
    let sources = ["dual-all.json", "dual-gw.json", "cgw.json"].map(|n| {
        let path = format!("{dir}/{n}");
        Source::new(
            path.clone(),
            std::fs::read_to_string(&path).expect("readable"),
        )
    });
    let out = ipsecgen::check_joined(sources.to_vec(), &LoadOptions::default());
    for c in &out {
        assert_eq!(
            codes(c),
            Vec::<String>::new(),
            "{}: {:#?}",
            c.source.name,
            c.diagnostics
        );
    }
    let got: Vec<_> = out[0]
        .connections
        .iter()
        .map(|c| (c.name.clone(), gw(c, Side::Cloud), gw(c, Side::Customer)))
        .collect();
    assert_eq!(
        got,
        [
            (
                "hangzhou-to-dc1-dual-1".to_owned(),
                Some("203.0.113.50".to_owned()),
                Some("198.51.100.60".to_owned())
            ),
            (
                "hangzhou-to-dc1-dual-2".to_owned(),
                Some("203.0.113.51".to_owned()),
                Some("198.51.100.60".to_owned())
            ),
        ]
    );
}
