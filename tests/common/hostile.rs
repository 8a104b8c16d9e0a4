//! The hostile-string corpus and the document it is put into, shared by tests/hardening.rs
//! (every target, line structure) and tests/hostile_lab.rs (real charon and vtysh).

/// An Alibaba connection (request form, nested objects) with `field` set to `value`: `Name`
/// and `Description` at the top, anything else in IkeConfig (Psk, LocalId, RemoteId).
/// `bgp` adds a BgpConfig, so the frr target has something to render.
pub fn document_with(field: &str, value: &str, bgp: bool) -> String {
    let mut doc = serde_json::json!({
        "Name": "hostile",
        "LocalSubnet": "10.1.1.0/24",
        "RemoteSubnet": "10.1.3.0/24",
        "IkeConfig": {"Psk": "Zr5tW8yBn3QxL6vDkk", "IkeVersion": "ikev2", "IkeEncAlg": "aes256", "IkeAuthAlg": "sha256", "IkePfs": "group14", "LocalId": "gw.cloud.example.com", "RemoteId": "198.51.100.20"},
        "IpsecConfig": {"IpsecEncAlg": "aes256", "IpsecAuthAlg": "sha256", "IpsecPfs": "group14"},
        "VpnGateway": {"InternetIp": "203.0.113.10"},
        "CustomerGateway": {"IpAddress": "198.51.100.20", "Asn": 65001}
    });
    if bgp {
        doc["BgpConfig"] = serde_json::json!({"EnableBgp": "true", "TunnelCidr": "169.254.30.0/30", "LocalBgpIp": "169.254.30.1"});
        // destination routing, the set-up Alibaba recommends with BGP: specific subnets would be
        // protected data flows, which any/any tunnel interfaces refuse (alibaba-reference 10.4)
        doc["LocalSubnet"] = "0.0.0.0/0".into();
        doc["RemoteSubnet"] = "0.0.0.0/0".into();
    }
    match field {
        "Name" => doc["Name"] = value.into(),
        "Description" => doc["Description"] = value.into(),
        key => doc["IkeConfig"][key] = value.into(),
    }
    doc.to_string()
}

/// The document with BGP, as the structure tests use it.
#[allow(dead_code)]
pub fn document(field: &str, value: &str) -> String {
    document_with(field, value, true)
}

/// The free-text fields a hostile value is put into.
#[allow(dead_code)]
pub const FIELDS: &[&str] = &["Name", "Description", "Psk", "LocalId", "RemoteId"];

pub const HOSTILE: &[&str] = &[
    "a\nb",
    "a\rb",
    "a\0b",
    "}",
    "{",
    "a\"b",
    "a'b",
    "#x",
    ";x",
    "!x",
    "a\\b",
    "a\u{2028}b",
    "a\u{2029}b",
    "x\n}\nconnections {\n evil {",
    "a\"; reboot; \"",
    "${HOME}",
    "$(reboot)",
    "`id`",
    "a b",
    "\t",
    "é",
    "%0a",
];
