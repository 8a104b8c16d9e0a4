//! Facts derived from what the input states, so every target sees the same complete model.

use std::net::Ipv4Addr;

use super::{AppliedDefault, At, Connection, Side};

/// Fill in what can be derived: the customer's BGP address is the other usable address of the
/// /30 tunnel CIDR when the input names only the cloud's.
pub fn complete(conn: &mut Connection) {
    let Some(cidr) = conn
        .bgp
        .as_ref()
        .and_then(|b| b.tunnel_cidr.as_ref())
        .map(At::get)
    else {
        return;
    };
    if cidr.prefix() != 30 {
        return;
    }
    let hosts = [u32::from(cidr.network()) + 1, u32::from(cidr.network()) + 2].map(Ipv4Addr::from);
    let (cloud_ip, customer_ip) = {
        let cloud = conn.endpoint(Side::Cloud);
        let customer = conn.endpoint(Side::Customer);
        (
            cloud.bgp.ip.as_ref().map(At::get),
            customer.bgp.ip.as_ref().map(At::get),
        )
    };
    let derived = match (cloud_ip, customer_ip) {
        (Some(c), None) if hosts.contains(&c) => hosts
            .into_iter()
            .find(|h| *h != c)
            .map(|h| (Side::Customer, h)),
        (None, Some(p)) if hosts.contains(&p) => hosts
            .into_iter()
            .find(|h| *h != p)
            .map(|h| (Side::Cloud, h)),
        _ => None,
    };
    if let Some((side, ip)) = derived {
        let field = match (side, conn.dialect.starts_with("aliyun")) {
            (Side::Cloud, true) => "LocalBgpIp",
            (Side::Customer, true) => "PeerBgpIp",
            (Side::Cloud, false) => "cloud BGP address",
            (Side::Customer, false) => "customer BGP address",
        };
        let ep = if conn.local.side == side {
            &mut conn.local
        } else {
            &mut conn.remote
        };
        ep.bgp.ip = Some(At::bare(ip));
        conn.defaults.push(AppliedDefault {
            field: field.to_owned().into(),
            value: ip.to_string().into(),
            source: format!("derived: the other usable address of TunnelCidr {cidr}").into(),
        });
    }
}
