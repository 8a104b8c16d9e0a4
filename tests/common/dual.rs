//! A connection with two tunnels built from two single-tunnel fixtures (tests/dual/master.json,
//! slave.json: their own gateways, PSKs, IKE proposals and BGP links), independent of any
//! dialect's reader.

use ipsecgen::ir::{At, Connection, TunnelGroup, TunnelRole};
use ipsecgen::source::Source;
use ipsecgen::Checked;

fn read(path: &str) -> Checked {
    let text = std::fs::read_to_string(path).expect("fixture");
    let c = ipsecgen::check(Source::new(path, text), &Default::default());
    assert!(!c.diagnostics.has_errors(), "{path}: {:?}", c.diagnostics);
    c
}

fn tunnel(mut conn: Connection, group: &str, role: TunnelRole, index: u8) -> Connection {
    conn.name = format!("{group}-{index}");
    conn.group = Some(TunnelGroup {
        name: group.into(),
        title: None,
        role: At::bare(role),
        index,
        size: 2,
        tunnel_id: None,
    });
    conn
}

/// Two fixtures (`tests/dual/<prefix>master.json`, `<prefix>slave.json`) as one group named
/// `name`, in one `Checked` (as a reader returns them).
fn pair(prefix: &str, name: &str, roles: [TunnelRole; 2]) -> Checked {
    let mut master = read(&format!("tests/dual/{prefix}master.json"));
    let slave = read(&format!("tests/dual/{prefix}slave.json"));
    let m = master.connections.remove(0);
    let s = slave.connections.into_iter().next().expect("slave");
    master.connections = vec![tunnel(m, name, roles[0], 1), tunnel(s, name, roles[1], 2)];
    master
}

/// With BGP over each tunnel.
pub fn group(roles: [TunnelRole; 2]) -> Checked {
    pair("", "dual-bgp", roles)
}

/// Without BGP: a static route per tunnel.
#[allow(dead_code)]
pub fn static_group(roles: [TunnelRole; 2]) -> Checked {
    pair("static-", "dual-static", roles)
}

/// With BGP over each tunnel, in Alibaba's destination routing (LocalSubnet and RemoteSubnet
/// 0.0.0.0/0): the selectors are 0.0.0.0/0, so the targets whose tunnel interface is any/any
/// render it (tests/dual/routed-master.json, routed-slave.json).
#[allow(dead_code)]
pub fn routed_group(roles: [TunnelRole; 2]) -> Checked {
    pair("routed-", "dual-routed", roles)
}
