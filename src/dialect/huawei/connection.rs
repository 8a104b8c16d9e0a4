//! One v5 `vpn_connection` (create request, show / create response, or an item of a list or
//! batch): the cloud is `local`, the customer gateway `remote`. The gateways' addresses, ASNs
//! and (for a VPC-attached gateway) the cloud's subnets come from the gateway documents named by
//! `vgw_id` / `vgw_ip` / `cgw_id`: given beside `vpn_connection` or as other inputs.

use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use ipnetwork::{IpNetwork, Ipv4Network};

use crate::diag::Diagnostic;
use crate::ir::{At, Bgp, BgpSpeaker, Connection, Endpoint, Initiation, Side};
use crate::tree::Span;

use super::super::defaults::Defaults;
use super::super::fields::{Ctx, Obj};
use super::super::PeerFacts;
use super::policies;
use super::vocab::{self, Style, CODE_INVALID};
use crate::dialect::gateways::{fact, provenance, GatewayDoc, Kind};

/// Keys of a connection that do not affect the peer's configuration.
const IGNORED: &[&str] = &[
    // Read when gateway documents are given; without them only known.
    "vgw_id",
    "cgw_id",
    "id",
    "status",
    "created_at",
    "updated_at",
    "enterprise_project_id",
    "tags",
    "enable_hub",
    // Deprecated, "retained for compatibility": vgw_ip, style and style again.
    "eip_id",
    "type",
    "route_mode",
];

/// Subnets read from the document, each with its place.
type Subnets = Vec<At<IpNetwork>>;

/// ipsecgen's own choices where the API has no setting.
const OWN_SOURCE: &str = "ipsecgen assumption: the API has no such setting";

/// Gateway documents given in the same file, beside `vpn_connection`.
pub struct Siblings {
    pub vgw: Option<GatewayDoc>,
    pub cgw: Option<GatewayDoc>,
    /// `local_subnets` beside `vpn_connection`: the cloud's subnets, where no document says.
    pub local_subnets: Option<Vec<At<IpNetwork>>>,
}

pub fn read(
    ctx: &Ctx,
    conn: &Obj,
    siblings: &Siblings,
    facts: &PeerFacts,
    fallback_name: &str,
) -> Option<Connection> {
    conn.ignore(IGNORED);
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let mut own = Defaults::new(OWN_SOURCE);

    let title = conn.string(ctx, "name").filter(|n| !n.value.is_empty());
    if let Some(t) = title.as_ref().filter(|t| t.value.chars().count() > 64) {
        ctx.push(
            Diagnostic::error(
                CODE_INVALID,
                "the connection name is longer than 64 characters",
            )
            .at(t.span, "too long")
            .help("names are 1 to 64 characters: digits, letters, _, - and ."),
        );
    }
    let style = d.or(
        conn.choice_hinted(ctx, "style", vocab::STYLES, vocab::HINTS, CODE_INVALID),
        "vpn_connection.style",
        "static",
        Style::Static,
    );
    conn.choice(ctx, "ha_role", vocab::HA_ROLES, CODE_INVALID);
    conn.boolean(ctx, "enable_nqa");
    let psk = conn.psk(ctx, "psk");
    let peer_subnets = conn.cidr_list(ctx, "peer_subnets", CODE_INVALID);
    let rules = policy_rules(ctx, conn, style.value);
    let tunnel = tunnel_addresses(ctx, conn, style.value);

    let ike_obj = conn.object(ctx, "ikepolicy");
    let ike = policies::ike(ctx, ike_obj.as_ref(), &mut d, &mut own);
    let esp_obj = conn.object(ctx, "ipsecpolicy");
    let esp = policies::esp(ctx, esp_obj.as_ref(), &mut d);

    // The gateways: a document beside the connection, else one given as another input.
    let vgw = gateway(ctx, conn, siblings.vgw.as_ref(), facts, Kind::HuaweiVpn);
    let cgw = gateway(
        ctx,
        conn,
        siblings.cgw.as_ref(),
        facts,
        Kind::HuaweiCustomer,
    );
    let cloud_ip = cloud_address(ctx, conn, vgw, facts, &mut d);
    let customer_ip = facts.customer_ip.map(At::bare).or_else(|| {
        let doc = cgw?;
        let ip = doc.ip?;
        d.joined(provenance("customer_gateway.id_value", ip, doc));
        fact(Some(ip))
    });
    let bgp_on = style.value == Style::Bgp;
    let cloud_asn = vgw.and_then(|doc| {
        let asn = doc.asn?;
        if bgp_on {
            d.joined(provenance("vpn_gateway.bgp_asn", asn, doc));
        }
        fact(Some(asn))
    });
    let customer_asn = facts.customer_asn.map(At::bare).or_else(|| {
        let doc = cgw?;
        let asn = doc.asn?;
        if bgp_on {
            d.joined(provenance("customer_gateway.bgp_asn", asn, doc));
        }
        fact(Some(asn))
    });
    conn.finish(ctx);

    // The protected subnets: policy rules, or the gateway's and the customer's subnets.
    let (local_subnets, remote_subnets) = match (style.value, rules) {
        (Style::Policy, Some((sources, destinations))) => (sources, destinations),
        (Style::Policy, None) => (Vec::new(), Vec::new()),
        _ => {
            let local = siblings.local_subnets.clone().or_else(|| {
                let doc = vgw.filter(|doc| !doc.subnets.is_empty())?;
                let shown: Vec<String> = doc.subnets.iter().map(ToString::to_string).collect();
                d.joined(provenance(
                    "vpn_gateway.local_subnets",
                    shown.join(","),
                    doc,
                ));
                Some(doc.subnets.iter().map(|n| At::bare(*n)).collect())
            });
            // Without them (no document says), rendering asks for them (peer.missing): check
            // does not join documents, so a connection checked alone is not wrong for lacking them.
            let local = local.unwrap_or_default();
            let remote = peer_subnets.clone().unwrap_or_default();
            if remote.is_empty() && !bgp_on {
                ctx.push(
                    Diagnostic::error(
                        CODE_INVALID,
                        "peer_subnets is mandatory for a static-routing connection",
                    )
                    .at(Some(Span::new(conn.span().offset, 1)), "no peer_subnets")
                    .help("add \"peer_subnets\": [\"192.168.44.0/24\"]: the customer's subnets"),
                );
            }
            (local, remote)
        }
    };
    let nat = own.or(None, "NAT traversal", "on", true);
    let initiation = own.or(
        None,
        "who initiates",
        "the customer side (the API does not say whether the cloud starts negotiation)",
        Initiation::OnTraffic,
    );
    let name =
        super::super::sanitize_name(title.as_ref().map_or(fallback_name, |t| t.value.as_str()));
    let (tunnel_cidr, cloud_bgp_ip, customer_bgp_ip) = match tunnel {
        Some(t) if bgp_on => (Some(t.0), Some(t.1), Some(t.2)),
        _ => (None, None, None),
    };
    let bgp = bgp_on.then(|| Bgp {
        enabled: At::new(true, style.span),
        tunnel_cidr,
    });
    let mut defaults = d.into_vec();
    defaults.extend(own.into_vec());
    Some(Connection {
        name,
        title,
        dialect: super::DIALECT.into(),
        view: Side::Cloud,
        local: Endpoint {
            side: Side::Cloud,
            gateway: cloud_ip,
            id: ike.local_id,
            subnets: local_subnets,
            bgp: BgpSpeaker {
                asn: if bgp_on { cloud_asn } else { None },
                ip: cloud_bgp_ip,
            },
        },
        remote: Endpoint {
            side: Side::Customer,
            gateway: customer_ip,
            id: ike.peer_id,
            subnets: remote_subnets,
            bgp: BgpSpeaker {
                asn: if bgp_on { customer_asn } else { None },
                ip: customer_bgp_ip,
            },
        },
        ike: ike.policy,
        esp,
        psk,
        dpd: ike.dpd,
        nat_traversal: nat,
        cloud_initiation: initiation,
        bgp,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group: None,
        defaults,
    })
}

/// The document of the gateway `kind` the connection names: the one beside it (which must be
/// the one it names), else one given as another input.
fn gateway<'a>(
    ctx: &Ctx,
    conn: &Obj,
    sibling: Option<&'a GatewayDoc>,
    facts: &'a PeerFacts,
    kind: Kind,
) -> Option<&'a GatewayDoc> {
    let (call, key) = kind.call_and_key();
    if let Some(doc) = sibling {
        if let Some(id) = conn.string(ctx, key).filter(|id| id.value != doc.id) {
            ctx.push(
                Diagnostic::error(
                    "input.gateway-missing",
                    format!(
                        "`{key}` is {:?} but the {call} object beside it describes {:?}",
                        id.value, doc.id
                    ),
                )
                .at(id.span, "a different gateway")
                .help(format!("put the {call} response of {} beside it", id.value)),
            );
            return None;
        }
        return Some(doc);
    }
    facts.gateways.find(ctx, conn, kind)
}

/// The cloud gateway's address: the flag, a private gateway's `vgw_ip` itself, or the address
/// of the EIP whose ID `vgw_ip` names in the gateway document.
fn cloud_address(
    ctx: &Ctx,
    conn: &Obj,
    vgw: Option<&GatewayDoc>,
    facts: &PeerFacts,
    d: &mut Defaults,
) -> Option<At<IpAddr>> {
    let vgw_ip = conn.string(ctx, "vgw_ip");
    if let Some(ip) = facts.cloud_ip {
        return Some(At::bare(ip));
    }
    let vgw_ip = vgw_ip?;
    if let Ok(ip) = IpAddr::from_str(vgw_ip.value.trim()) {
        return Some(At::new(ip, vgw_ip.span));
    }
    let doc = vgw?;
    match doc.addresses.iter().find(|(id, _)| *id == vgw_ip.value) {
        Some((_, ip)) => {
            d.joined(provenance("vpn_gateway EIP of vgw_ip", ip, doc));
            fact(Some(*ip))
        }
        None => {
            let known: Vec<&str> = doc.addresses.iter().map(|(id, _)| id.as_str()).collect();
            ctx.push(
                Diagnostic::error(
                    "input.gateway-missing",
                    format!(
                        "VPN gateway {} has no EIP {} (its EIPs: {})",
                        doc.id,
                        vgw_ip.value,
                        if known.is_empty() { "none given".to_owned() } else { known.join(", ") }
                    ),
                )
                .at(vgw_ip.span, "this EIP ID")
                .help("vgw_ip is the ID of eip1 or eip2 of the VPN gateway: pass that gateway's ShowVpnGateway response"),
            );
            None
        }
    }
}

/// `policy_rules`: the sources are the cloud's subnets, the destinations the customer's.
/// Rendered as every source with every destination, so each source must have the same
/// destinations (otherwise a pair the cloud has no rule for would be negotiated).
fn policy_rules(ctx: &Ctx, conn: &Obj, style: Style) -> Option<(Subnets, Subnets)> {
    let items = conn.objects(ctx, "policy_rules").unwrap_or_default();
    let mut rules: Vec<(At<IpNetwork>, Vec<At<IpNetwork>>)> = Vec::new();
    for item in &items {
        item.ignore(&["rule_index"]);
        let source = item
            .cidr_list(ctx, "source", CODE_INVALID)
            .unwrap_or_default();
        let destination = item
            .cidr_list(ctx, "destination", CODE_INVALID)
            .unwrap_or_default();
        item.finish(ctx);
        for s in source {
            rules.push((s, destination.clone()));
        }
    }
    if style != Style::Policy {
        return None;
    }
    if rules.is_empty() {
        ctx.push(
            Diagnostic::error(CODE_INVALID, "policy_rules is mandatory for a policy-based connection")
                .at(Some(Span::new(conn.span().offset, 1)), "no policy_rules")
                .help("add \"policy_rules\": [{\"source\": \"10.0.0.0/24\", \"destination\": [\"192.168.44.0/24\"]}]: the cloud subnet and the customer subnets it reaches"),
        );
        return None;
    }
    let mut sources: Vec<At<IpNetwork>> = Vec::new();
    let mut destinations: Vec<At<IpNetwork>> = Vec::new();
    let set = |v: &[At<IpNetwork>]| {
        let mut s: Vec<IpNetwork> = v.iter().map(|n| n.value).collect();
        s.sort();
        s.dedup();
        s
    };
    let first = set(&rules[0].1);
    for (source, dest) in &rules {
        if set(dest) != first {
            ctx.push(
                Diagnostic::error(
                    vocab::CODE_UNSUPPORTED,
                    "policy rules with different destinations per source cannot be rendered yet",
                )
                .at(source.span, "its destinations differ from the first rule's")
                .help("ipsecgen renders every source with every destination; split the connection, or give each rule the same destinations"),
            );
            return None;
        }
        if !sources.iter().any(|s| s.value == source.value) {
            sources.push(source.clone());
        }
        for n in dest {
            if !destinations.iter().any(|x| x.value == n.value) {
                destinations.push(n.clone());
            }
        }
    }
    Some((sources, destinations))
}

/// `tunnel_local_address` / `tunnel_peer_address` (`169.254.56.225/30`): the tunnel interface
/// addresses of a route-based connection; the BGP session runs between them. The API requires
/// both in one /30 inside 169.254.0.0/16, host addresses, not in 169.254.195.0/24.
fn tunnel_addresses(
    ctx: &Ctx,
    conn: &Obj,
    style: Style,
) -> Option<(At<Ipv4Network>, At<Ipv4Addr>, At<Ipv4Addr>)> {
    let local = conn.string(ctx, "tunnel_local_address");
    let peer = conn.string(ctx, "tunnel_peer_address");
    if style == Style::Policy {
        // Valid only with STATIC or BGP; a policy-based response prints them anyway.
        return None;
    }
    let parse = |v: &At<String>, key: &str| -> Option<(Ipv4Network, Ipv4Addr)> {
        let bad = |why: &str| {
            if super::super::masked::is_masked(&v.value) {
                ctx.push(super::super::masked::diagnostic(
                    &format!("vpn_connection.{key}"),
                    &v.value,
                    v.span,
                    "a tunnel address such as 169.254.76.1/30",
                ));
            } else {
                ctx.push(
                    Diagnostic::error(CODE_INVALID, format!("`vpn_connection.{key}` {:?} {why}", v.value))
                        .at(v.span, why.to_owned())
                        .help("a host address with mask 30 inside 169.254.0.0/16, not in 169.254.195.0/24, e.g. 169.254.76.1/30"),
                );
            }
            None
        };
        let Some(IpNetwork::V4(net)) = super::super::fields::parse_cidr(v.value.trim()) else {
            return bad("is not an IPv4 address with a mask");
        };
        let host = net.ip();
        let o = host.octets();
        if net.prefix() != 30 {
            return bad("must have mask length 30");
        }
        if o[..2] != [169, 254] || o[2] == 195 {
            return bad("must lie in 169.254.0.0/16, outside 169.254.195.0/24");
        }
        let block = Ipv4Network::new(net.network(), 30).ok()?;
        if host == block.network() || host == block.broadcast() {
            return bad("must be a host address of its /30");
        }
        Some((block, host))
    };
    let l = local
        .as_ref()
        .and_then(|v| parse(v, "tunnel_local_address"));
    let p = peer.as_ref().and_then(|v| parse(v, "tunnel_peer_address"));
    match (l, p) {
        (Some((lb, lh)), Some((pb, ph))) => {
            if lb != pb || lh == ph {
                ctx.push(
                    Diagnostic::error(
                        CODE_INVALID,
                        "tunnel_local_address and tunnel_peer_address must be two addresses of one /30",
                    )
                    .at(peer.as_ref().and_then(|p| p.span), "not the other host of the local address's /30")
                    .help(format!("the other host address of {lb} is the peer's")),
                );
                return None;
            }
            Some((
                At::new(lb, local.as_ref().and_then(|l| l.span)),
                At::new(lh, local.as_ref().and_then(|l| l.span)),
                At::new(ph, peer.as_ref().and_then(|p| p.span)),
            ))
        }
        (None, None) if local.is_none() && peer.is_none() && style == Style::Bgp => {
            ctx.push(
                Diagnostic::error(
                    "peer.missing",
                    "a BGP connection needs tunnel_local_address and tunnel_peer_address",
                )
                .at(Some(Span::new(conn.span().offset, 1)), "this connection")
                .help("the create response and ShowVpnConnection print both: use that response, or add them (e.g. 169.254.56.225/30 and 169.254.56.226/30)"),
            );
            None
        }
        _ => None,
    }
}
