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
        // Huawei v5: a static connection's cloud subnets are its gateway's (another document):
        // rendering asks for them, as for the gateways' addresses.
        let joined_fact = ep.side == Side::Cloud && conn.dialect == crate::dialect::huawei::DIALECT;
        if ep.subnets.is_empty() && !conn.bgp_enabled() && !clients && !joined_fact {
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

fn family(net: &IpNetwork) -> &'static str {
    if net.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

/// Each address family with subnets on one side has subnets on the other: a selector pair
/// across families (IPv4 here, IPv6 there) matches no packet, and ACL-based targets would print
/// IPv4 rules with IPv6 operands. Clients of an IPsec server get IPv4 addresses from the pool.
pub fn families(conn: &Connection, out: &mut Diagnostics) {
    let cloud = conn.endpoint(Side::Cloud);
    let customer = conn.endpoint(Side::Customer);
    let (other, other_what): (Vec<&IpNetwork>, &str) = match &conn.remote_access {
        Some(ra) => (
            ra.pool.iter().map(|p| &p.value).collect(),
            "the client address pool",
        ),
        None => (
            customer.subnets.iter().map(|s| &s.value).collect(),
            "the customer side",
        ),
    };
    let mine: Vec<&IpNetwork> = cloud.subnets.iter().map(|s| &s.value).collect();
    // A side without subnets (BGP decides what crosses) pairs with nothing; an IPv6 pool is
    // already an error of its own (ClientIpPool.NetmaskInvalid).
    let v6_pool = conn.remote_access.is_some() && other.iter().any(|n| n.is_ipv6());
    if mine.is_empty() || other.is_empty() || v6_pool {
        return;
    }
    let has = |nets: &[&IpNetwork], fam: &str| nets.iter().any(|n| family(n) == fam);
    let mut report = |net: &At<IpNetwork>, side: Side, missing_in: &str| {
        let fam = family(&net.value);
        out.push(
            Diagnostic::error(
                "addressing.family-mismatch",
                format!(
                    "the {} side's subnet {} is {fam}, and {missing_in} has no {fam} block: no packet can match a selector pair across address families",
                    side.id(),
                    net.value
                ),
            )
            .at(net.span, format!("{fam} on one side only"))
            .help(format!(
                "give both sides blocks of the same family ({fam} with {fam}), or remove {}",
                net.value
            )),
        );
    };
    for fam in ["IPv4", "IPv6"] {
        if has(&mine, fam) && !has(&other, fam) {
            for net in cloud.subnets.iter().filter(|n| family(&n.value) == fam) {
                report(net, Side::Cloud, other_what);
            }
        }
        if conn.remote_access.is_none() && has(&other, fam) && !has(&mine, fam) {
            for net in customer.subnets.iter().filter(|n| family(&n.value) == fam) {
                report(net, Side::Customer, "the cloud side");
            }
        }
    }
}
