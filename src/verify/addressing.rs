//! Subnets: valid blocks without host bits, no overlap between the two sides.

use ipnetwork::IpNetwork;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{At, Connection, Side};

fn code(side: Side) -> &'static str {
    match side {
        Side::Cloud => "IllegalParam.LocalSubnet",
        Side::Customer => "IllegalParam.RemoteSubnet",
    }
}

/// The input field that holds a side's subnets.
fn field(side: Side) -> &'static str {
    match side {
        Side::Cloud => "LocalSubnet",
        Side::Customer => "RemoteSubnet",
    }
}

/// Every subnet is a network address (no host bits) and each side has at least one.
pub fn subnets(conn: &Connection, out: &mut Diagnostics) {
    for ep in [&conn.local, &conn.remote] {
        for net in &ep.subnets {
            if net.value.network() != net.value.ip() {
                let fixed = IpNetwork::new(net.value.network(), net.value.prefix())
                    .map_or(String::new(), |n| n.to_string());
                out.push(
                    Diagnostic::error(
                        code(ep.side),
                        format!(
                            "the specified \"{}\" ({}) is invalid: host bits are set",
                            field(ep.side),
                            net.value
                        ),
                    )
                    .at(net.span, "host bits set")
                    .help(format!("did you mean {fixed}?")),
                );
            }
        }
        // Clients of an IPsec server have no subnets: they get an address from the pool.
        let clients = ep.side == Side::Customer && conn.remote_access.is_some();
        if ep.subnets.is_empty() && !conn.bgp_enabled() && !clients {
            out.push(
                Diagnostic::error(
                    code(ep.side),
                    format!(
                        "no {} is given: the tunnel would protect no traffic",
                        field(ep.side)
                    ),
                )
                .help(format!(
                    "add {} with the {} side's CIDR blocks, e.g. 10.1.1.0/24",
                    field(ep.side),
                    ep.side.id()
                )),
            );
        }
    }
}

fn overlaps(a: &IpNetwork, b: &IpNetwork) -> bool {
    match (a, b) {
        (IpNetwork::V4(x), IpNetwork::V4(y)) => x.contains(y.network()) || y.contains(x.network()),
        (IpNetwork::V6(x), IpNetwork::V6(y)) => x.contains(y.network()) || y.contains(x.network()),
        _ => false,
    }
}

/// Local and remote subnets must not overlap (0.0.0.0/0 on both sides is destination routing).
pub fn overlap(conn: &Connection, out: &mut Diagnostics) {
    let all_zero = |v: &[At<IpNetwork>]| v.iter().all(|n| n.value.prefix() == 0);
    if all_zero(&conn.local.subnets) && all_zero(&conn.remote.subnets) {
        return;
    }
    for l in &conn.local.subnets {
        for r in &conn.remote.subnets {
            if overlaps(&l.value, &r.value) && l.value.prefix() != 0 && r.value.prefix() != 0 {
                out.push(
                    Diagnostic::error(
                        "VpnRouteEntry.Conflict",
                        format!("{} ({}) overlaps {} ({})", field(conn.local.side), l.value, field(conn.remote.side), r.value),
                    )
                    .at(r.span.or(l.span), "overlaps the other side")
                    .help("the two sides of a tunnel need distinct address ranges; use NAT or renumber one side"),
                );
            }
        }
    }
}
