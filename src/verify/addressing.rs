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

/// A block as (is IPv6, first address, last address), comparable across families.
fn range(net: &IpNetwork) -> (bool, u128, u128) {
    match net {
        IpNetwork::V4(x) => {
            let first = u32::from(x.network());
            (
                false,
                u128::from(first),
                u128::from(first | !u32::from(x.mask())),
            )
        }
        IpNetwork::V6(x) => {
            let first = u128::from(x.network());
            (true, first, first | !u128::from(x.mask()))
        }
    }
}

/// Every (local, remote) index pair whose blocks overlap, /0 blocks left out, in input order.
/// CIDR blocks are nested or disjoint, so a remote block overlaps a local one when it starts
/// inside it (a range of the remotes sorted by start) or contains it (one candidate block per
/// shorter prefix): O((L + R) log R) and the pairs found, not L x R (10,000 subnets a side).
fn overlapping_pairs(local: &[At<IpNetwork>], remote: &[At<IpNetwork>]) -> Vec<(usize, usize)> {
    let mut by_start: Vec<((bool, u128), usize)> = remote
        .iter()
        .enumerate()
        .filter(|(_, r)| r.value.prefix() != 0)
        .map(|(i, r)| {
            let (v6, first, _) = range(&r.value);
            ((v6, first), i)
        })
        .collect();
    by_start.sort_unstable();
    // The remotes by (family, first address, prefix length): the blocks that contain a local
    // one are found by a binary search per shorter prefix (a sorted list, not a map: a million
    // remotes are sorted in one allocation).
    let mut by_block: Vec<((bool, u128, u8), usize)> = remote
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (v6, first, _) = range(&r.value);
            ((v6, first, r.value.prefix()), i)
        })
        .collect();
    by_block.sort_unstable();
    let mut pairs = Vec::new();
    // Blocks looked at: each remote once to sort and index it, then per local block the
    // remotes starting inside it and one lookup per shorter prefix.
    let mut compared = remote.len();
    for (li, l) in local.iter().enumerate() {
        let prefix = l.value.prefix();
        if prefix == 0 {
            continue;
        }
        let (v6, first, last) = range(&l.value);
        // Remote blocks that start inside this one.
        let from = by_start.partition_point(|(k, _)| *k < (v6, first));
        for ((rv6, rfirst), ri) in &by_start[from..] {
            compared += 1;
            if *rv6 != v6 || *rfirst > last {
                break;
            }
            pairs.push((li, *ri));
        }
        compared += usize::from(prefix);
        // Remote blocks that start before this one and contain it.
        let bits = if v6 { 128 } else { 32 };
        for p in 1..prefix {
            let mask =
                (!0u128 << (bits - u32::from(p))) & if v6 { !0 } else { u128::from(u32::MAX) };
            let start = first & mask;
            if start < first {
                let key = (v6, start, p);
                let from = by_block.partition_point(|(k, _)| *k < key);
                pairs.extend(
                    by_block[from..]
                        .iter()
                        .take_while(|(k, _)| *k == key)
                        .map(|(_, ri)| (li, *ri)),
                );
            }
        }
    }
    crate::work::add(crate::work::Unit::SubnetCompare, compared);
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Local and remote subnets must not overlap (0.0.0.0/0 on both sides is destination routing).
pub fn overlap(conn: &Connection, out: &mut Diagnostics) {
    let all_zero = |v: &[At<IpNetwork>]| v.iter().all(|n| n.value.prefix() == 0);
    if all_zero(&conn.local.subnets) && all_zero(&conn.remote.subnets) {
        return;
    }
    for (li, ri) in overlapping_pairs(&conn.local.subnets, &conn.remote.subnets) {
        let (l, r) = (&conn.local.subnets[li], &conn.remote.subnets[ri]);
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
    // Which families each side has, in one pass over each.
    let families_of = |nets: &[&IpNetwork]| {
        nets.iter().fold([false; 2], |mut has, n| {
            has[usize::from(n.is_ipv6())] = true;
            has
        })
    };
    let (mine_has, other_has) = (families_of(&mine), families_of(&other));
    let has = |which: [bool; 2], fam: &str| which[usize::from(fam == "IPv6")];
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
        if has(mine_has, fam) && !has(other_has, fam) {
            for net in cloud.subnets.iter().filter(|n| family(&n.value) == fam) {
                report(net, Side::Cloud, other_what);
            }
        }
        if conn.remote_access.is_none() && has(other_has, fam) && !has(mine_has, fam) {
            for net in customer.subnets.iter().filter(|n| family(&n.value) == fam) {
                report(net, Side::Customer, "the cloud side");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairwise(local: &[At<IpNetwork>], remote: &[At<IpNetwork>]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (li, l) in local.iter().enumerate() {
            for (ri, r) in remote.iter().enumerate() {
                let (a, b) = (&l.value, &r.value);
                let hit = match (a, b) {
                    (IpNetwork::V4(x), IpNetwork::V4(y)) => {
                        x.contains(y.network()) || y.contains(x.network())
                    }
                    (IpNetwork::V6(x), IpNetwork::V6(y)) => {
                        x.contains(y.network()) || y.contains(x.network())
                    }
                    _ => false,
                };
                if hit && a.prefix() != 0 && b.prefix() != 0 {
                    out.push((li, ri));
                }
            }
        }
        out
    }

    fn net() -> impl Strategy<Value = At<IpNetwork>> {
        prop_oneof![
            (0u32..16, 0u8..=32).prop_map(|(a, p)| {
                let ip = std::net::Ipv4Addr::from(0x0a00_0000 | (a << 20));
                At::bare(IpNetwork::V4(ipnetwork::Ipv4Network::new(ip, p).unwrap()))
            }),
            (0u128..16, 0u8..=128).prop_map(|(a, p)| {
                let ip = std::net::Ipv6Addr::from((0xfd00u128 << 112) | (a << 100));
                At::bare(IpNetwork::V6(ipnetwork::Ipv6Network::new(ip, p).unwrap()))
            }),
        ]
        .prop_map(|n| {
            // The network address of the block (host bits cleared), as verify expects.
            let v = match n.value {
                IpNetwork::V4(x) => {
                    IpNetwork::V4(ipnetwork::Ipv4Network::new(x.network(), x.prefix()).unwrap())
                }
                IpNetwork::V6(x) => {
                    IpNetwork::V6(ipnetwork::Ipv6Network::new(x.network(), x.prefix()).unwrap())
                }
            };
            At::bare(v)
        })
    }

    proptest! {
        /// The sorted sweep finds exactly the pairs the L x R comparison finds.
        #[test]
        fn sweep_agrees_with_pairwise(local in prop::collection::vec(net(), 0..12), remote in prop::collection::vec(net(), 0..12)) {
            prop_assert_eq!(overlapping_pairs(&local, &remote), pairwise(&local, &remote));
        }
    }
}
