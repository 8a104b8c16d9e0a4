//! A sample connection for unit tests.

use crate::ir::Connection;
use crate::source::Source;

pub fn sample_connection() -> Connection {
    let text = r#"{"Name":"t","LocalSubnet":"10.1.1.0/24","RemoteSubnet":"10.1.3.0/24",
        "VpnGateway":{"InternetIp":"192.0.2.1"},"CustomerGateway":{"IpAddress":"192.0.2.2"}}"#;
    let loaded = super::load(&Source::new("t.json", text), None, &Default::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded
        .connections
        .into_iter()
        .next()
        .expect("one connection")
}
