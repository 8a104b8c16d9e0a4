//! What goes through the tunnel: children (traffic selectors), the tunnel interface of
//! route-based tunnels, BGP over the tunnel, and the cloud's health-check probe.

use std::net::IpAddr;

use ipnetwork::IpNetwork;
use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, IkeVersion, Side};
use crate::render::target::Target;

/// The most SAs (subnet pairs) one IKEv1 connection is rendered with on targets that negotiate
/// one selector pair per SA; larger cross products are refused before they are built.
pub const MAX_SUBNET_PAIRS: usize = 1024;

/// How the tunnel carries traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TunnelMode {
    /// an xfrm interface (if_id) with 0.0.0.0/0 selectors; routes or BGP decide what enters it
    Route,
    /// traffic selectors per subnet pair (BGP, if on, runs in a child of the two /32 addresses)
    Policy,
}

/// BGP keepalive and hold time (seconds): fast failover over the tunnel.
const KEEPALIVE: u32 = 10;
const HOLD: u32 = 30;
/// Tunnel interface MTU and the TCP MSS clamped to fit it (ESP in UDP over a 1500-byte path).
const MTU: u32 = 1400;
const MSS: u32 = 1360;

#[derive(Clone, Debug, Serialize)]
pub struct ChildCtx {
    pub name: String,
    pub local_ts: Vec<String>,
    pub remote_ts: Vec<String>,
    /// Why this child exists (printed as a comment).
    pub purpose: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TunnelCtx {
    /// Route-based: an interface with `if_id`, selectors 0.0.0.0/0 unless `selectors`.
    pub route: bool,
    /// The children's selectors are written (policy-based, or a route-based tunnel in
    /// Alibaba's protected-data-flows mode); else the interface negotiates 0.0.0.0/0.
    pub selectors: bool,
    pub if_id: u32,
    pub ifname: String,
    /// The tunnel interface address with its prefix (the BGP address in the tunnel CIDR).
    pub address: Option<String>,
    pub mtu: u32,
    pub mss: u32,
    /// Static routes into the tunnel (remote subnets when BGP is off).
    pub routes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BgpCtx {
    pub local_asn: u32,
    pub remote_asn: u32,
    pub local_ip: String,
    pub remote_ip: String,
    /// The session runs between /32 addresses on loopback (policy mode): multihop + update-source.
    pub multihop: bool,
    pub keepalive: u32,
    pub hold: u32,
    /// This side's subnets: announced, and the only prefixes the outbound policy lets out.
    /// Empty when they are unknown (none, or 0.0.0.0/0 only): nothing is announced, and the
    /// templates say that the user adds their own `network` statements.
    pub networks: Vec<String>,
    /// The peer's subnets: the only prefixes the inbound policy accepts (exactly).
    pub accept: Vec<String>,
    /// The peer's subnets are unknown (none, or 0.0.0.0/0 only: Alibaba's destination routing
    /// mode, a Huawei gateway attached to an enterprise router): the inbound policy accepts any
    /// IPv4 prefix of length 1..32 the peer announces, except the default route (0.0.0.0/0
    /// exactly, which would pull all of this side's traffic into the tunnel) and `reject`.
    /// `accept` is empty then.
    pub accept_any: bool,
    /// With `accept_any`: this side's own subnets, refused with every prefix inside them (a
    /// route to them learned over the tunnel would loop). Rejected before anything is accepted.
    pub reject: Vec<PrefixRange>,
    /// Names of the prefix lists / route maps.
    pub policy_in: String,
    pub policy_out: String,
    /// With `accept_any`, on devices whose import rule has one action (PAN-OS): the rule that
    /// refuses the default route and `reject` before `policy_in` allows the rest.
    pub policy_reject: String,
}

/// A prefix and, when it is shorter than /32, the longest prefix length it covers (`le 32`):
/// `le` is absent for a /32 (devices refuse a range that starts and ends at the prefix length).
#[derive(Clone, Debug, Serialize)]
pub struct PrefixRange {
    pub prefix: String,
    pub len: u8,
    pub le: Option<u8>,
}

impl PrefixRange {
    /// An IPv4 prefix and every prefix inside it.
    fn orlonger(net: &IpNetwork) -> Self {
        PrefixRange {
            prefix: net.to_string(),
            len: net.prefix(),
            le: (net.prefix() < 32).then_some(32),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HealthCtx {
    /// The probe's source on the cloud side and destination on the customer side.
    pub sip: String,
    pub dip: String,
    /// The probe address on this side and on the other side (sip/dip as seen from here).
    pub local_probe: String,
    pub remote_probe: String,
    pub interval: u32,
    pub retry: u32,
    pub revoke_route: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RemoteAccessCtx {
    /// This side is the IPsec server (the cloud); otherwise a client.
    pub server: bool,
    pub pool_name: String,
    /// The client address pool (server side).
    pub pool: Vec<String>,
}

pub struct Topology {
    pub remote_access: Option<RemoteAccessCtx>,
    pub children: Vec<ChildCtx>,
    pub tunnel: TunnelCtx,
    pub bgp: Option<BgpCtx>,
    pub health: Option<HealthCtx>,
}

/// The known IPv4 subnets of a side: BGP here is IPv4, and 0.0.0.0/0 means "unknown".
fn known(nets: &[crate::ir::At<IpNetwork>]) -> impl Iterator<Item = &IpNetwork> {
    nets.iter()
        .map(|n| &n.value)
        .filter(|n| n.is_ipv4() && n.prefix() > 0)
}

fn real(nets: &[String]) -> Vec<String> {
    nets.iter()
        .filter(|n| !n.ends_with("/0"))
        .cloned()
        .collect()
}

/// The interface ids a connection may take: 1..=4000 (what every device's tunnel and
/// priority numbers allow).
pub const IF_IDS: u32 = 4000;

/// A stable interface id in 1..=4000 from the connection name (same input, same id). Several
/// connections rendered together get distinct ids (`crate::render::number_tunnels`).
pub fn if_id(name: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    1 + h % IF_IDS
}

fn host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(_) => format!("{ip}/32"),
        IpAddr::V6(_) => format!("{ip}/128"),
    }
}

fn covered(nets: &[crate::ir::At<IpNetwork>], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.value.contains(ip))
}

/// IPv6 subnets: only targets that declare `features.ipv6` take them, and only in policy-based
/// tunnels (route-based interfaces, static routes and BGP here are IPv4).
fn ipv6(view: &Connection, route: bool, target: &Target, diags: &mut Diagnostics) {
    let Some(net) = view
        .local
        .subnets
        .iter()
        .chain(&view.remote.subnets)
        .find(|n| n.value.is_ipv6())
    else {
        return;
    };
    let feats = &target.features;
    if !(feats.ipsec || feats.bgp) {
        return;
    }
    if !feats.ipv6 {
        let takers: Vec<String> = crate::render::registry()
            .targets()
            .filter(|t| t.features.ipv6)
            .map(|t| format!("`{}`", t.name))
            .collect();
        diags.push(
            crate::render::target::unsupported(&target.name, "IPv6 subnets", &[])
                .at(net.span, "IPv6 subnet")
                .help(format!(
                    "`{}` writes IPv4 selectors, ACLs and routes only; targets that take IPv6 subnets: {}; or leave the IPv6 blocks out",
                    target.name,
                    takers.join(", ")
                )),
        );
    } else if route {
        diags.push(
            crate::render::target::unsupported(
                &target.name,
                "IPv6 subnets in a route-based tunnel",
                &[],
            )
            .at(net.span, "IPv6 subnet")
            .help(format!(
                "the tunnel interface, its routes and BGP are IPv4 here: pass --tunnel-mode policy to `{}`",
                target.name
            )),
        );
    }
}

pub fn build(
    view: &Connection,
    side: Side,
    mode: TunnelMode,
    target: &Target,
    number: Option<u32>,
    diags: &mut Diagnostics,
) -> Topology {
    // Leave room for the suffixes of derived names (-bgp, -pool, -out, -12).
    let name =
        &crate::render::quote::short_name(&view.name, target.max_name.saturating_sub(5).max(8));
    let local: Vec<String> = view
        .local
        .subnets
        .iter()
        .map(|s| s.value.to_string())
        .collect();
    let remote: Vec<String> = view
        .remote
        .subnets
        .iter()
        .map(|s| s.value.to_string())
        .collect();
    let remote_access = view.remote_access.as_ref().map(|ra| RemoteAccessCtx {
        server: side == Side::Cloud,
        pool_name: format!("{name}-pool"),
        pool: ra.pool.iter().map(|p| p.value.to_string()).collect(),
    });
    if remote_access.is_some() && target.features.ipsec && !target.features.remote_access {
        diags.push(crate::render::target::unsupported(
            &target.name,
            "client-to-site (IPsec server) connections",
            &[],
        ));
    }
    // Client-to-site tunnels are always policy-based: the client's address is assigned.
    let route = mode == TunnelMode::Route && remote_access.is_none();
    if route && !target.features.route_based {
        diags.push(
            crate::render::target::unsupported(&target.name, "route-based tunnels", &[]).help(
                format!(
                    "`{}` renders policy-based tunnels only: pass --tunnel-mode policy",
                    target.name
                ),
            ),
        );
    }
    if !route && !target.features.policy_based {
        diags.push(
            crate::render::target::unsupported(&target.name, "policy-based tunnels", &[]).help(
                format!(
                    "`{}` renders route-based tunnels only: pass --tunnel-mode route",
                    target.name
                ),
            ),
        );
    }

    ipv6(view, route, target, diags);
    // Alibaba's protected data flows: the subnets are the selectors in either tunnel mode.
    let protected = super::selectors::protected_flows(view);
    if route && protected {
        super::selectors::check_route(view, target, diags);
    }
    if view.bgp_enabled() && !route && target.features.ipsec && !target.features.policy_bgp {
        diags.push(
            crate::render::target::unsupported(&target.name, "BGP over a policy-based tunnel", &[])
                .help(format!(
                    "the `{}` output has no interface holding this side's /32 BGP address, so the session would leave from the outside address, miss the crypto ACL and go unencrypted: use --tunnel-mode route (a tunnel interface with the BGP address)",
                    target.name
                )),
        );
    }
    let has_tunnel_cidr = view.bgp.as_ref().is_some_and(|b| b.tunnel_cidr.is_some());
    if route
        && !view.bgp_enabled()
        && !has_tunnel_cidr
        && target.features.ipsec
        && !target.features.unnumbered_route
    {
        diags.push(
            crate::render::target::unsupported(
                &target.name,
                "a route-based tunnel without a tunnel address",
                &[],
            )
            .help(format!(
                "`{}` needs an address on the tunnel interface and a next hop in its subnet for every route; without BGP the input has no TunnelCidr: use --tunnel-mode policy",
                target.name
            )),
        );
    }

    // BGP over the tunnel.
    let bgp = if view.bgp_enabled() {
        let cidr = view
            .bgp
            .as_ref()
            .and_then(|b| b.tunnel_cidr.as_ref())
            .map(|c| c.value);
        match (
            view.local.bgp.asn.as_ref(),
            view.remote.bgp.asn.as_ref(),
            view.local.bgp.ip.as_ref(),
            view.remote.bgp.ip.as_ref(),
        ) {
            (Some(la), Some(ra), Some(li), Some(ri)) => {
                let accept = real(&remote);
                let accept_any = accept.is_empty();
                Some(BgpCtx {
                    local_asn: la.value,
                    remote_asn: ra.value,
                    local_ip: li.value.to_string(),
                    remote_ip: ri.value.to_string(),
                    multihop: !route,
                    keepalive: KEEPALIVE,
                    hold: HOLD,
                    networks: real(&local),
                    accept,
                    accept_any,
                    reject: if accept_any {
                        known(&view.local.subnets)
                            .map(PrefixRange::orlonger)
                            .collect()
                    } else {
                        Vec::new()
                    },
                    policy_in: format!("{name}-in"),
                    policy_out: format!("{name}-out"),
                    policy_reject: format!("{name}-rej"),
                })
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "bgp.incomplete",
                        "BGP is enabled but the ASNs or tunnel addresses are incomplete",
                    )
                    .help(format!(
                        "give LocalAsn, LocalBgpIp{} and the customer gateway's ASN",
                        if cidr.is_some() { "" } else { ", TunnelCidr" }
                    )),
                );
                None
            }
        }
    } else {
        None
    };

    // The cloud's health-check probe must cross the tunnel in both directions.
    let health = view
        .health_check
        .as_ref()
        .filter(|h| h.enabled.value)
        .and_then(|h| {
            let (sip, dip) = (
                h.sip.as_ref()?.value.to_string(),
                h.dip.as_ref()?.value.to_string(),
            );
            let (local_probe, remote_probe) = match side {
                Side::Cloud => (sip.clone(), dip.clone()),
                Side::Customer => (dip.clone(), sip.clone()),
            };
            Some(HealthCtx {
                sip,
                dip,
                local_probe,
                remote_probe,
                interval: h.interval.value,
                retry: h.retry.value,
                revoke_route: h.policy.value == crate::ir::HealthPolicy::RevokeRoute,
            })
        });

    let mut children = Vec::new();
    if route && !protected {
        children.push(ChildCtx {
            name: name.clone(),
            local_ts: vec!["0.0.0.0/0".into()],
            remote_ts: vec!["0.0.0.0/0".into()],
            purpose: "route-based: everything routed into the tunnel interface".into(),
        });
    } else if !target.features.ipsec {
        // A routing-only target (FRR) has no traffic selectors.
    } else if let Some(ra) = &remote_access {
        let dynamic = match target.word("ts", "dynamic") {
            Ok(w) => w.to_owned(),
            Err(d) => {
                diags.push(d);
                String::new()
            }
        };
        let (local_ts, remote_ts, purpose) = if ra.server {
            (
                local.clone(),
                vec![dynamic],
                "the VPC subnets, for every client's assigned address",
            )
        } else {
            (
                vec![dynamic],
                remote.clone(),
                "the VPC subnets, from the address the server assigns",
            )
        };
        children.push(ChildCtx {
            name: name.clone(),
            local_ts,
            remote_ts,
            purpose: purpose.into(),
        });
    } else {
        let per_pair =
            view.ike.version.value == IkeVersion::Ikev1 && !target.features.ikev1_multi_ts;
        // One family at a time: a selector pair across families matches no packet, and ACL
        // targets would print IPv4 rules with IPv6 operands (verify reports a family present
        // on one side only).
        for v6 in [false, true] {
            let of = |nets: &[crate::ir::At<IpNetwork>]| -> Vec<String> {
                nets.iter()
                    .filter(|n| n.value.is_ipv6() == v6)
                    .map(|n| n.value.to_string())
                    .collect()
            };
            let (local, remote) = (of(&view.local.subnets), of(&view.remote.subnets));
            if local.is_empty() || remote.is_empty() {
                continue;
            }
            let pairs = local.len().saturating_mul(remote.len());
            if per_pair && pairs > MAX_SUBNET_PAIRS {
                // Refused before anything is built: 200 x 2,000 subnets took 51 s and 661 MiB.
                diags.push(
                    Diagnostic::error(
                        "target.unsupported",
                        format!(
                            "IKEv1 on {} negotiates one SA per subnet pair: {} x {} subnets would be {pairs} SAs, more than the {MAX_SUBNET_PAIRS} ipsecgen writes for one connection",
                            target.name,
                            local.len(),
                            remote.len()
                        ),
                    )
                    .at(view.ike.version.span, "IKEv1")
                    .help("use IKEv2 (one SA carries every subnet), or summarize the subnets into fewer, wider blocks"),
                );
                continue;
            }
            if per_pair && pairs > 1 {
                crate::work::add(crate::work::Unit::Child, pairs);
                for l in &local {
                    for r in &remote {
                        children.push(ChildCtx {
                            name: format!("{name}-{}", children.len() + 1),
                            local_ts: vec![l.clone()],
                            remote_ts: vec![r.clone()],
                            purpose: "one subnet pair (IKEv1 negotiates one selector pair per SA)"
                                .into(),
                        });
                    }
                }
            } else {
                children.push(ChildCtx {
                    name: if children.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}-v6")
                    },
                    local_ts: local,
                    remote_ts: remote,
                    purpose: if v6 {
                        "the protected IPv6 subnets".into()
                    } else {
                        "the protected subnets".into()
                    },
                });
            }
        }
        if let Some(b) = bgp
            .as_ref()
            .filter(|_| super::selectors::bgp_child(view, side))
        {
            children.push(ChildCtx {
                name: format!("{name}-bgp"),
                local_ts: vec![format!("{}/32", b.local_ip)],
                remote_ts: vec![format!("{}/32", b.remote_ip)],
                purpose: super::selectors::bgp_child_purpose(view).into(),
            });
        }
        if let Some(h) = view.health_check.as_ref().filter(|h| h.enabled.value) {
            if let (Some(sip), Some(dip)) = (&h.sip, &h.dip) {
                let (mine, theirs) = match side {
                    Side::Cloud => (sip.value, dip.value),
                    Side::Customer => (dip.value, sip.value),
                };
                if !(covered(&view.local.subnets, mine) && covered(&view.remote.subnets, theirs)) {
                    children.push(ChildCtx {
                        name: format!("{name}-hc"),
                        local_ts: vec![host(mine)],
                        remote_ts: vec![host(theirs)],
                        purpose: "the cloud's health-check probe (sip <-> dip)".into(),
                    });
                }
            }
        }
    }

    let address = view
        .bgp
        .as_ref()
        .and_then(|b| b.tunnel_cidr.as_ref())
        .zip(view.local.bgp.ip.as_ref())
        .map(|(c, ip)| format!("{}/{}", ip.value, c.value.prefix()));
    let tunnel = TunnelCtx {
        route,
        selectors: !route || protected,
        if_id: number.unwrap_or_else(|| if_id(name)),
        ifname: format!("xfrm{}", number.unwrap_or_else(|| if_id(name))),
        address,
        mtu: MTU,
        mss: MSS,
        routes: if bgp.is_none() {
            real(&remote)
        } else {
            Vec::new()
        },
    };
    Topology {
        remote_access,
        children,
        tunnel,
        bgp,
        health,
    }
}
