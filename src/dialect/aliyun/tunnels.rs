//! Dual-tunnel IPsec-VPN connections (VPN gateways created since late 2023): the connection
//! holds two tunnels in `TunnelOptionsSpecification`, a master and a slave, each with its own
//! gateways, proposals, PSK, identities, DPD, NAT-T and BGP link. A connection is read as two
//! `Connection`s, one per tunnel, each from its own entry (nothing is copied from the other
//! tunnel), sharing what the API holds at the connection level (names, subnets, health check,
//! EffectImmediately, AutoConfigRoute). The master comes first.
//!
//! Three spellings of the same list:
//! - the response (DescribeVpnConnection, DescribeVpnConnections items):
//!   `TunnelOptionsSpecification: {TunnelOptions: [...]}` with `TunnelIkeConfig`,
//!   `TunnelIpsecConfig`, `TunnelBgpConfig` objects;
//! - the request as JSON or YAML (CreateVpnConnection, ModifyVpnConnectionAttribute):
//!   `TunnelOptionsSpecification: [...]`;
//! - the request as the reference's repeated-structure query string:
//!   `TunnelOptionsSpecification.1.Role=master&TunnelOptionsSpecification.1.TunnelIkeConfig.Psk=...`,
//!   which `source::query` nests into `{"1": {...}, "2": {...}}`.
//!
//! The rules over the pair (one master and one slave, distinct TunnelCidrs) are in
//! `verify::tunnels`; each tunnel's own values are checked like a single tunnel's.

use std::net::IpAddr;

use crate::diag::Diagnostic;
use crate::ir::{At, Bgp, BgpSpeaker, Connection, TunnelGroup, TunnelRole};
use crate::tree::Value;

use super::connection::{self as conn, Tunnel, RULES};
use super::phases;
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::gateways::Kind;
use crate::dialect::PeerFacts;

const KEY: &str = "TunnelOptionsSpecification";

/// A tunnel entry's keys that are state, not configuration.
const ENTRY_IGNORED: &[&str] = &["State", "Status", "ZoneNo", "TunnelIndex"];

/// Connection-level keys of the single-tunnel request: the dual-tunnel request gives each of
/// them per tunnel (the key it has there).
const SINGLE_TUNNEL_ONLY: &[(&str, &str)] = &[
    ("IkeConfig", "TunnelIkeConfig"),
    ("IpsecConfig", "TunnelIpsecConfig"),
    ("BgpConfig", "TunnelBgpConfig"),
    ("EnableDpd", "EnableDpd"),
    ("EnableNatTraversal", "EnableNatTraversal"),
    ("CustomerGatewayId", "CustomerGatewayId"),
];

/// The same keys in a response: a dual-tunnel connection's Describe response may print
/// connection-level copies; each tunnel's own values are used.
const RESPONSE_IGNORED: &[&str] = &[
    "IkeConfig",
    "IpsecConfig",
    "VpnBgpConfig",
    "EnableDpd",
    "EnableNatTraversal",
    "CustomerGatewayId",
];

pub const ROLES: &[(&str, TunnelRole)] =
    &[("master", TunnelRole::Master), ("slave", TunnelRole::Slave)];

/// Whether the connection is in the dual-tunnel form.
pub fn is_dual(root: &Obj) -> bool {
    root.node(KEY).is_some()
}

/// The tunnel entries and whether they come in the request form.
fn entries<'a>(ctx: &Ctx, root: &'a Obj) -> (Vec<Obj<'a>>, bool) {
    if ctx.explore {
        // Schema mode: the request's list, then the response's object.
        let mut all = root.objects(ctx, KEY).unwrap_or_default();
        if let Some(o) = root.object(ctx, KEY) {
            let options = o.objects(ctx, "TunnelOptions").unwrap_or_default();
            all.extend(options.into_iter().map(Obj::into_owned));
            o.finish(ctx);
        }
        return (all, true);
    }
    let Some(node) = root.node(KEY) else {
        return (Vec::new(), false);
    };
    match &node.value {
        Value::Seq(_) => (root.objects(ctx, KEY).unwrap_or_default(), true),
        Value::Map(m) if !m.is_empty() && m.iter().all(|(k, _)| is_index(&k.name)) => {
            // The query string's `TunnelOptionsSpecification.N.Field`, in N's order.
            let mut items: Vec<(u32, Obj)> = m
                .iter()
                .filter(|(_, n)| matches!(n.value, Value::Map(_)))
                .map(|(k, n)| {
                    let i = k.name.parse().unwrap_or(u32::MAX);
                    (i, Obj::borrowed(n, format!("{KEY}.{}", k.name)))
                })
                .collect();
            for (k, n) in m {
                if !matches!(n.value, Value::Map(_)) {
                    ctx.push(
                        Diagnostic::error(
                            "input.type",
                            format!("`{KEY}.{}` must be a tunnel's object of fields", k.name),
                        )
                        .at(Some(n.span), "expected TunnelOptionsSpecification.N.Field=...")
                        .help("give each field of the tunnel as TunnelOptionsSpecification.N.Field=value"),
                    );
                }
            }
            items.sort_by_key(|(i, _)| *i);
            (items.into_iter().map(|(_, o)| o).collect(), true)
        }
        _ => {
            let list = root.object(ctx, KEY).map(|o| {
                let items = o.objects(ctx, "TunnelOptions").unwrap_or_default();
                o.finish(ctx);
                items.into_iter().map(Obj::into_owned).collect::<Vec<_>>()
            });
            (list.unwrap_or_default(), false)
        }
    }
}

fn is_index(key: &str) -> bool {
    !key.is_empty() && key.len() <= 3 && key.bytes().all(|b| b.is_ascii_digit())
}

/// The VPN gateway's two addresses as the document's own `VpnGateway` object states them.
struct CloudSibling {
    internet_ip: Option<At<IpAddr>>,
    second_ip: Option<At<IpAddr>>,
}

/// The customer gateway as the document's own `CustomerGateway` object states it; it applies
/// to every tunnel, or only to those naming its `CustomerGatewayId` when it gives one.
struct CustomerSibling {
    id: Option<At<String>>,
    ip: Option<At<IpAddr>>,
    asn: Option<At<u32>>,
}

fn siblings(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> (CloudSibling, CustomerSibling) {
    let vpn = root.object(ctx, "VpnGateway");
    let cloud = CloudSibling {
        // `--cloud-ip` is the master's address: the sibling's InternetIp is then not read.
        internet_ip: match (facts.cloud_ip, vpn.as_ref()) {
            (Some(_), Some(o)) => {
                o.ignore(&["InternetIp"]);
                None
            }
            (None, Some(o)) => o.ip(ctx, "InternetIp", "input.peer-fact"),
            (_, None) => None,
        },
        second_ip: vpn
            .as_ref()
            .and_then(|o| o.ip(ctx, "DisasterRecoveryInternetIp", "input.peer-fact")),
    };
    if let Some(o) = vpn.as_ref() {
        o.ignore(&["VpnGatewayId", "Name", "Spec"]);
        o.finish(ctx);
    }
    let cgw = root.object(ctx, "CustomerGateway");
    let customer = CustomerSibling {
        id: cgw
            .as_ref()
            .and_then(|o| o.string(ctx, "CustomerGatewayId")),
        ip: cgw.as_ref().and_then(|o| {
            if facts.customer_ip.is_some() {
                o.ignore(&["IpAddress"]);
                None
            } else {
                o.ip(ctx, "IpAddress", "input.peer-fact")
            }
        }),
        asn: cgw.as_ref().and_then(|o| {
            if facts.customer_asn.is_some() {
                o.ignore(&["Asn"]);
                None
            } else {
                o.u32(ctx, "Asn", "IllegalParam.PeerAsn")
            }
        }),
    };
    if let Some(o) = cgw.as_ref() {
        o.ignore(&["Name", "Description"]);
        o.finish(ctx);
    }
    (cloud, customer)
}

/// Read a dual-tunnel connection: its tunnels, master first.
pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    let (items, request) = entries(ctx, root);
    if request {
        single_tunnel_keys(ctx, root);
    } else {
        root.ignore(RESPONSE_IGNORED);
    }
    let shared = conn::shared(ctx, root);
    let bgp_on = root.boolean(ctx, "EnableTunnelsBgp");
    let (cloud_sib, cgw_sib) = siblings(ctx, root, facts);
    let vpn_doc = facts.gateways.find(ctx, root, Kind::Vpn);

    // Roles first: the master is tunnel 1 whatever the order of the entries.
    let mut tunnels: Vec<(At<TunnelRole>, &Obj)> = items
        .iter()
        .enumerate()
        .map(|(i, o)| (role(ctx, o, i), o))
        .collect();
    tunnels.sort_by_key(|(r, _)| r.value == TunnelRole::Slave);
    let size = u8::try_from(tunnels.len()).unwrap_or(u8::MAX);
    let mut out = Vec::new();
    for (i, (role, o)) in tunnels.into_iter().enumerate() {
        let index = u8::try_from(i + 1).unwrap_or(u8::MAX);
        let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
        let path = o.path.clone();
        o.ignore(ENTRY_IGNORED);
        o.ignore(&["Role", "RemoteCaCertificate"]);
        let tunnel_id = o.string(ctx, "TunnelId");
        let enable_dpd = o.boolean(ctx, "EnableDpd");
        let enable_nat = o.boolean(ctx, "EnableNatTraversal");
        let ike_obj = o.object(ctx, "TunnelIkeConfig");
        let phase1 = phases::ike_at(
            ctx,
            ike_obj.as_ref(),
            &mut d,
            &RULES,
            &format!("{path}.TunnelIkeConfig"),
        );
        let esp_obj = o.object(ctx, "TunnelIpsecConfig");
        let esp = phases::esp_at(
            ctx,
            esp_obj.as_ref(),
            &mut d,
            &RULES,
            &format!("{path}.TunnelIpsecConfig"),
        );

        // BGP: switched on for both tunnels by EnableTunnelsBgp, each with its own /30.
        let bgp_obj = o.object(ctx, "TunnelBgpConfig");
        let (mut cloud, mut customer) = (BgpSpeaker::default(), BgpSpeaker::default());
        let mut peer_asn = None;
        let mut bgp = None;
        if bgp_obj.is_some() || bgp_on.is_some() {
            let enabled = d.or(bgp_on.clone(), "EnableTunnelsBgp", "false", false);
            let mut tunnel_cidr = None;
            if let Some(b) = bgp_obj.as_ref() {
                b.ignore(&["BgpStatus", "Status", "AuthKey"]);
                let f = conn::bgp_fields(ctx, b);
                cloud.asn = conn::local_asn(
                    &mut d,
                    enabled.value,
                    f.local_asn,
                    &format!("{path}.TunnelBgpConfig.LocalAsn"),
                );
                cloud.ip = f.local_bgp_ip;
                customer.ip = f.peer_bgp_ip;
                peer_asn = f.peer_asn;
                tunnel_cidr = f.tunnel_cidr;
                b.finish(ctx);
            } else {
                cloud.asn = conn::local_asn(
                    &mut d,
                    enabled.value,
                    None,
                    &format!("{path}.TunnelBgpConfig.LocalAsn"),
                );
            }
            bgp = Some(Bgp {
                enabled,
                tunnel_cidr,
            });
        }
        d.extend(shared.health_defaults.clone());

        // The cloud side: `--cloud-ip` (the master only), the tunnel's own InternetIp, the
        // document's VpnGateway object, then the DescribeVpnGateway document: InternetIp for
        // the master, DisasterRecoveryInternetIp for the slave.
        let master = role.value == TunnelRole::Master;
        let own_ip = match facts.cloud_ip.filter(|_| master) {
            Some(ip) => {
                o.ignore(&["InternetIp"]);
                Some(At::bare(ip))
            }
            None => o.ip(ctx, "InternetIp", "input.peer-fact"),
        };
        let cloud_ip = own_ip
            .or_else(|| {
                if master {
                    cloud_sib.internet_ip.clone()
                } else {
                    cloud_sib.second_ip.clone()
                }
            })
            .or_else(|| {
                if master {
                    conn::joined_ip(&mut d, vpn_doc, "VpnGateway.InternetIp", |g| g.ip)
                } else {
                    conn::joined_ip(
                        &mut d,
                        vpn_doc,
                        "VpnGateway.DisasterRecoveryInternetIp",
                        |g| g.second_ip,
                    )
                }
            });

        // The customer side: the flags (one customer device for both tunnels), the document's
        // CustomerGateway object, then the DescribeCustomerGateway of this tunnel's
        // CustomerGatewayId (two tunnels may name two customer gateways).
        let cgw_id = o.string(ctx, "CustomerGatewayId");
        let sib_applies = match (&cgw_sib.id, &cgw_id) {
            (Some(a), Some(b)) => a.value == b.value,
            _ => true,
        };
        let cgw_doc = facts.gateways.find(ctx, o, Kind::Customer);
        let customer_ip = facts
            .customer_ip
            .map(At::bare)
            .or_else(|| cgw_sib.ip.clone().filter(|_| sib_applies))
            .or_else(|| conn::joined_ip(&mut d, cgw_doc, "CustomerGateway.IpAddress", |g| g.ip));
        customer.asn = facts
            .customer_asn
            .map(At::bare)
            .or_else(|| cgw_sib.asn.clone().filter(|_| sib_applies))
            .or(peer_asn)
            .or_else(|| conn::joined_asn(&mut d, cgw_doc));
        o.finish(ctx);

        let tunnel = Tunnel {
            phase1,
            esp,
            bgp,
            cloud,
            customer,
            cloud_ip,
            customer_ip,
            enable_dpd,
            enable_nat,
        };
        let group = TunnelGroup {
            name: shared.name.clone(),
            title: shared.title.clone(),
            role,
            index,
            size,
            tunnel_id,
        };
        out.push(conn::assemble(
            &shared,
            tunnel,
            d,
            &format!("{path}."),
            tunnel_name(&shared.name, index),
            Some(group),
        ));
    }
    root.finish(ctx);
    out
}

/// A tunnel's own name: the connection's with its index (`vco-x-1`, `vco-x-2`).
pub fn tunnel_name(connection: &str, index: u8) -> String {
    format!("{connection}-{index}")
}

/// Give a connection read from a list another name (its ID): the group and its tunnels.
pub fn rename(c: &mut Connection, name: String) {
    match c.group.as_mut() {
        Some(g) => {
            c.name = tunnel_name(&name, g.index);
            g.name = name;
        }
        None => c.name = name,
    }
}

/// A tunnel's Role; a missing or unknown one is reported, and the entry's position stands in
/// (first master, then slave) so that the rest is still read and checked.
fn role(ctx: &Ctx, o: &Obj, position: usize) -> At<TunnelRole> {
    let fallback = At::bare(if position == 0 {
        TunnelRole::Master
    } else {
        TunnelRole::Slave
    });
    if ctx.explore {
        let _ = o.choice(ctx, "Role", ROLES, "input.tunnel-roles");
        return fallback;
    }
    if o.node("Role").is_none() {
        ctx.push(
            Diagnostic::error("input.tunnel-roles", format!("`{}` has no Role", o.path))
                .at(Some(o.span()), "this tunnel")
                .help(
                    "add \"Role\": \"master\" to one tunnel and \"Role\": \"slave\" to the other",
                ),
        );
        return fallback;
    }
    o.choice(ctx, "Role", ROLES, "input.tunnel-roles")
        .unwrap_or(fallback)
}

/// The single-tunnel request's connection-level keys, given beside TunnelOptionsSpecification.
fn single_tunnel_keys(ctx: &Ctx, root: &Obj) {
    for (key, per_tunnel) in SINGLE_TUNNEL_ONLY {
        // Asked for, so that the key is not also reported as unknown.
        let Some(n) = root.node(key) else { continue };
        ctx.push(
            Diagnostic::error(
                "input.single-tunnel-field",
                format!("`{key}` is a field of the single-tunnel form; the dual-tunnel form (TunnelOptionsSpecification) takes it per tunnel"),
            )
            .at(Some(n.span), "not read beside TunnelOptionsSpecification")
            .help(format!(
                "move it into each TunnelOptionsSpecification entry as `{per_tunnel}` (each tunnel has its own)"
            )),
        );
    }
}
