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

fn tunnel(mut conn: Connection, role: TunnelRole, index: u8) -> Connection {
    conn.name = format!("dual-bgp-{index}");
    conn.group = Some(TunnelGroup {
        name: "dual-bgp".into(),
        title: None,
        role: At::bare(role),
        index,
        size: 2,
        tunnel_id: None,
    });
    conn
}

/// The two fixtures as one group, in one `Checked` (as a reader returns them).
pub fn group(roles: [TunnelRole; 2]) -> Checked {
    let mut master = read("tests/dual/master.json");
    let slave = read("tests/dual/slave.json");
    let m = master.connections.remove(0);
    let s = slave.connections.into_iter().next().expect("slave");
    master.connections = vec![tunnel(m, roles[0], 1), tunnel(s, roles[1], 2)];
    master
}

/// The same group with BGP off on both tunnels: a static route per tunnel.
#[allow(dead_code)]
pub fn without_bgp(mut g: Checked) -> Checked {
    for c in &mut g.connections {
        c.bgp = None;
    }
    g
}
