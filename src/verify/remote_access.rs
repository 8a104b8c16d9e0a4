//! The IPsec server (client-to-site): the client address pool and the authentication method.

use ipnetwork::IpNetwork;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Connection;

/// The documented netmask range of ClientIpPool.
const POOL_PREFIX: std::ops::RangeInclusive<u8> = 16..=29;

pub fn pool(conn: &Connection, out: &mut Diagnostics) {
    let Some(ra) = &conn.remote_access else {
        return;
    };
    if ra.pool.is_empty() {
        out.push(
            Diagnostic::error("IllegalParam.ClientIpPool", "ClientIpPool is required: clients get their addresses from it")
                .help("add ClientIpPool, e.g. 10.0.0.0/24 (a /16 to /29 that does not overlap LocalSubnet)"),
        );
    }
    for net in &ra.pool {
        let v = net.value;
        if v.network() != v.ip() {
            out.push(
                Diagnostic::error(
                    "IllegalParam.ClientIpPool",
                    format!("the specified ClientIpPool ({v}) is invalid: host bits are set"),
                )
                .at(net.span, "host bits set")
                .help(format!(
                    "did you mean {}?",
                    IpNetwork::new(v.network(), v.prefix())
                        .map_or(String::new(), |n| n.to_string())
                )),
            );
        } else if !POOL_PREFIX.contains(&v.prefix()) || !v.is_ipv4() {
            out.push(
                Diagnostic::error(
                    "ClientIpPool.NetmaskInvalid",
                    format!(
                        "the netmask length of the client IP pool must be 16 to 29, not /{}",
                        v.prefix()
                    ),
                )
                .at(net.span, "netmask out of range")
                .help("use an IPv4 block from /16 to /29, e.g. 10.0.0.0/24"),
            );
        }
        for local in &conn.endpoint(crate::ir::Side::Cloud).subnets {
            if overlaps(&v, &local.value) {
                out.push(
                    Diagnostic::error(
                        "VpnRouteEntry.Conflict",
                        format!(
                            "the client IP pool {v} conflicts with LocalSubnet {}",
                            local.value
                        ),
                    )
                    .at(net.span, "overlaps LocalSubnet")
                    .help("the client CIDR block must not overlap the VPC's CIDR blocks"),
                );
            }
        }
    }
}

fn overlaps(a: &IpNetwork, b: &IpNetwork) -> bool {
    a.contains(b.network()) || b.contains(a.network())
}

/// At least one authentication method: ipsecgen renders PSK authentication only.
pub fn auth_method(conn: &Connection, out: &mut Diagnostics) {
    let Some(ra) = &conn.remote_access else {
        return;
    };
    if let Some(enabled) = &ra.psk_enabled {
        if !enabled.value {
            out.push(
                Diagnostic::error("IllegalParam.AuthMethod", "one authentication method (Psk or IDaaS) should be specified at least")
                    .at(enabled.span, "PSK authentication disabled")
                    .help("set PskEnabled to true (ipsecgen renders PSK authentication; IDaaS is not supported offline)"),
            );
        }
    }
}
