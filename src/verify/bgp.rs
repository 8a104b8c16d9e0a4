//! BGP over the tunnel: the tunnel CIDR, the BGP addresses and the ASNs.

use std::net::Ipv4Addr;

use ipnetwork::Ipv4Network;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{At, Connection, Side};

/// /30 blocks Alibaba Cloud reserves inside 169.254.0.0/16.
const RESERVED_TUNNEL_CIDRS: &[[u8; 4]] = &[
    [169, 254, 0, 0],
    [169, 254, 1, 0],
    [169, 254, 2, 0],
    [169, 254, 3, 0],
    [169, 254, 4, 0],
    [169, 254, 5, 0],
    [169, 254, 6, 0],
    [169, 254, 169, 252],
];

/// ASN Alibaba Cloud keeps for itself (a customer gateway may not use it).
const ALIBABA_ASN: u32 = 45104;

pub fn tunnel(conn: &Connection, out: &mut Diagnostics) {
    let Some(bgp) = &conn.bgp else { return };
    if !bgp.enabled.value {
        return;
    }
    let Some(cidr) = &bgp.tunnel_cidr else {
        out.push(
            Diagnostic::error("MissingParameter.TunnelCidr", "the parameter TunnelCidr is mandatory when BGP is enabled")
                .at(bgp.enabled.span, "BGP enabled here")
                .help("add \"TunnelCidr\": \"169.254.11.0/30\" (a /30 inside 169.254.0.0/16) to the BGP config"),
        );
        return;
    };
    let net = cidr.value;
    let in_link_local = |ip: Ipv4Addr| ip.octets()[..2] == [169, 254];
    if net.ip() != net.network() {
        out.push(
            Diagnostic::error(
                "InvalidTunnelCidr.Malformed",
                format!("TunnelCidr {net} has host bits set"),
            )
            .at(cidr.span, "host bits set")
            .help(format!("did you mean {}/{}?", net.network(), net.prefix())),
        );
    } else if net.prefix() != 30 || !in_link_local(net.network()) {
        out.push(
            Diagnostic::error(
                "IllegalParam.TunnelCidr",
                format!("TunnelCidr {net} is not a /30 inside 169.254.0.0/16"),
            )
            .at(cidr.span, "must be a /30 in 169.254.0.0/16")
            .help("pick an unused /30 such as 169.254.11.0/30"),
        );
    } else if RESERVED_TUNNEL_CIDRS
        .iter()
        .any(|r| Ipv4Addr::from(*r) == net.network())
    {
        out.push(
            Diagnostic::error("IllegalParam.TunnelCidr", format!("TunnelCidr {net} is reserved by Alibaba Cloud"))
                .at(cidr.span, "reserved block")
                .help("169.254.0.0/30 to 169.254.6.0/30 and 169.254.169.252/30 are reserved; pick another /30"),
        );
    }
    let cloud = conn.endpoint(Side::Cloud);
    let customer = conn.endpoint(Side::Customer);
    match &cloud.bgp.ip {
        None => out.push(
            Diagnostic::error(
                "IllegalParam.LocalBgpIp",
                "LocalBgpIp is required when BGP is enabled",
            )
            .at(cidr.span, "tunnel CIDR given here")
            .help(format!(
                "add \"LocalBgpIp\": \"{}\" (an address inside TunnelCidr)",
                first_host(&net)
            )),
        ),
        Some(ip) => check_host(net, ip, "IllegalParam.LocalBgpIp", "LocalBgpIp", out),
    }
    if let Some(ip) = &customer.bgp.ip {
        check_host(net, ip, "IllegalParam.PeerBgpIp", "PeerBgpIp", out);
        if cloud.bgp.ip.as_ref().is_some_and(|l| l.value == ip.value) {
            out.push(
                Diagnostic::error("IllegalParam.PeerBgpIp", "PeerBgpIp equals LocalBgpIp")
                    .at(ip.span, "same address as LocalBgpIp")
                    .help(
                        "the two BGP speakers need the two different usable addresses of the /30",
                    ),
            );
        }
    }
}

fn first_host(net: &Ipv4Network) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).saturating_add(1))
}

fn check_host(net: Ipv4Network, ip: &At<Ipv4Addr>, code: &str, field: &str, out: &mut Diagnostics) {
    if !net.contains(ip.value) {
        out.push(
            Diagnostic::error(
                code,
                format!("{field} {} is not inside TunnelCidr {net}", ip.value),
            )
            .at(ip.span, "outside the tunnel CIDR")
            .help(format!(
                "use an address of {net}, e.g. {}",
                first_host(&net)
            )),
        );
    } else if net.prefix() < 31 && (ip.value == net.network() || ip.value == net.broadcast()) {
        out.push(
            Diagnostic::error(
                code,
                format!(
                    "{field} {} is the network or broadcast address of {net}",
                    ip.value
                ),
            )
            .at(ip.span, "not a usable host address")
            .help(format!("use {} or the next address", first_host(&net))),
        );
    }
}

pub fn asns(conn: &Connection, out: &mut Diagnostics) {
    if !conn.bgp_enabled() {
        return;
    }
    let cloud = conn.endpoint(Side::Cloud);
    let customer = conn.endpoint(Side::Customer);
    if let Some(asn) = &cloud.bgp.asn {
        asn_value(asn, "IllegalParam.LocalAsn", "LocalAsn", out);
    }
    match &customer.bgp.asn {
        // Huawei v5: the ASNs are the gateway documents' (rendering asks for them).
        None if conn.dialect == crate::dialect::huawei::DIALECT => {}
        None => out.push(
            Diagnostic::error(
                "MissingParam.CustomerGatewayAsn",
                "the customer gateway's ASN is mandatory when BGP is enabled",
            )
            .at(
                conn.bgp.as_ref().and_then(|b| b.enabled.span),
                "BGP enabled here",
            )
            .help(
                "add \"CustomerGateway\": {\"Asn\": 65001} to the document, or pass --customer-asn",
            ),
        ),
        Some(asn) => {
            asn_value(
                asn,
                "IllegalParam.CustomerGatewayAsn",
                "the customer gateway ASN",
                out,
            );
            if asn.value == ALIBABA_ASN {
                out.push(
                    Diagnostic::error("IllegalParam.CustomerGatewayAsn", "ASN 45104 is reserved for Alibaba Cloud")
                        .at(asn.span, "reserved ASN")
                        .help("give the customer gateway another ASN, e.g. a private one from 64512-65534"),
                );
            }
        }
    }
}

fn asn_value(asn: &At<u32>, code: &str, what: &str, out: &mut Diagnostics) {
    match asn.value {
        0 | 23456 => out.push(
            Diagnostic::error(
                code,
                format!("{what} {} cannot be used by a BGP speaker", asn.value),
            )
            .at(
                asn.span,
                if asn.value == 0 {
                    "ASN 0 is invalid (RFC 7607)"
                } else {
                    "AS_TRANS (RFC 6793)"
                },
            )
            .help("use a private ASN from 64512-65534 or 4200000000-4294967294"),
        ),
        65535 | 4_294_967_295 => out.push(
            Diagnostic::warning(
                "lint.asn-reserved",
                format!("{what} {} is a reserved ASN (RFC 7300)", asn.value),
            )
            .at(asn.span, "reserved ASN")
            .help("use a private ASN from 64512-65534 or 4200000000-4294967294"),
        ),
        _ => {}
    }
}
