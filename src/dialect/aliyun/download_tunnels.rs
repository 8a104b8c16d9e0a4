//! The dual-tunnel form of DownloadVpnConnectionConfig: `VpnConnectionConfig.TunnelsConfig.TunnelConfig[]`
//! (each tunnel's `IkeConfig`, `IpsecConfig`, `Local`, `Remote`, `TunnelId`) and
//! `BgpConfigs.BgpConfig[]` (`LocalAsn`, `LocalBgpIp`, `PeerAsn`, `PeerBgpIp`, `TunnelCidr`,
//! `TunnelId`), as the vpc-20160428 SDK models print them. Like the single form it is written
//! for the customer: `Local` is the customer's side of a tunnel, `Remote` Alibaba's.
//!
//! Each tunnel is read from its own `TunnelConfig` and the `BgpConfig` with its `TunnelId`;
//! nothing is copied from the other tunnel. The document has no `Role`: a tunnel's role comes
//! from the DescribeVpnGateway response given as another input, whose `InternetIp` is the
//! master's `Remote` and `DisasterRecoveryInternetIp` the slave's. They are never guessed:
//! without that document the roles are unknown, which `check` (reading each file alone)
//! accepts and rendering refuses (`input.tunnel-roles`, naming the document to add); a tunnel
//! whose `Remote` is neither address of the documents given is an error here.

use std::net::IpAddr;

use crate::diag::Diagnostic;
use crate::ir::{AppliedDefault, At, Bgp, BgpSpeaker, Connection, TunnelGroup, TunnelRole};
use crate::tree::Value;

use super::connection::{self as conn, Tunnel, RULES};
use super::download::{self, Subnets, NAME};
use super::phases;
use super::tunnels::tunnel_name;
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::gateways::{provenance, GatewayDoc, Kind};
use crate::dialect::PeerFacts;

const KEY: &str = "TunnelsConfig";

/// The connection-level copies of what each tunnel states itself: the tunnels' own are used.
const CONNECTION_COPIES: &[&str] = &["Local", "Remote", "IkeConfig", "IpsecConfig"];

/// Whether the download is in the dual-tunnel form.
pub fn is_dual(cfg: &Obj) -> bool {
    cfg.node(KEY).is_some()
}

/// A list nested in an object (`TunnelsConfig.TunnelConfig`, `BgpConfigs.BgpConfig`).
fn nested_list(
    ctx: &Ctx,
    cfg: &Obj,
    outer: &'static str,
    inner: &'static str,
) -> Vec<Obj<'static>> {
    cfg.object(ctx, outer)
        .map(|o| {
            let items = o.objects(ctx, inner).unwrap_or_default();
            o.finish(ctx);
            items.into_iter().map(Obj::into_owned).collect()
        })
        .unwrap_or_default()
}

/// One `BgpConfig`, read, with the tunnel it names.
struct BgpEntry {
    tunnel_id: Option<At<String>>,
    fields: conn::BgpFields,
    path: String,
    /// Whether it states a link (a /30 or an address): a tunnel without BGP prints empty ones.
    on: bool,
    span: crate::tree::Span,
}

fn bgp_entries(ctx: &Ctx, items: Vec<Obj>) -> Vec<BgpEntry> {
    items
        .into_iter()
        .map(|o| {
            let tunnel_id = o.string(ctx, "TunnelId");
            if tunnel_id.is_none() && !ctx.explore {
                ctx.push(
                    Diagnostic::error(
                        "input.tunnel-id",
                        format!("`{}` has no TunnelId", o.path),
                    )
                    .at(Some(o.span()), "this BGP configuration")
                    .help("add the TunnelId of the TunnelsConfig.TunnelConfig entry it belongs to"),
                );
            }
            let stated = |k: &'static str| {
                matches!(o.node(k).map(|n| &n.value), Some(Value::Str(s)) if !s.trim().is_empty())
            };
            let on = stated("TunnelCidr") || stated("LocalBgpIp") || stated("PeerBgpIp");
            let fields = conn::bgp_fields(ctx, &o);
            o.finish(ctx);
            BgpEntry {
                tunnel_id,
                fields,
                path: o.path.clone(),
                on,
                span: o.span(),
            }
        })
        .collect()
}

/// Read a dual-tunnel download: its tunnels, master first.
pub fn read(ctx: &Ctx, cfg: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    cfg.ignore(CONNECTION_COPIES);
    let subnets = Subnets {
        customer: cfg
            .cidr_list(ctx, "LocalSubnet", "IllegalParam.LocalSubnet")
            .unwrap_or_default(),
        cloud: cfg
            .cidr_list(ctx, "RemoteSubnet", "IllegalParam.RemoteSubnet")
            .unwrap_or_default(),
    };
    let items = nested_list(ctx, cfg, KEY, "TunnelConfig");
    let mut bgps: Vec<Option<BgpEntry>> =
        bgp_entries(ctx, nested_list(ctx, cfg, "BgpConfigs", "BgpConfig"))
            .into_iter()
            .map(Some)
            .collect();
    cfg.finish(ctx);

    // Without a DescribeVpnGateway document the roles stay unknown: the download is valid
    // (`check` reads each file alone), and rendering asks for the document.
    let docs: Vec<&GatewayDoc> = facts.gateways.of_kind(Kind::Vpn).collect();
    // Each tunnel's Remote first: the roles come from it.
    let remotes: Vec<Option<At<IpAddr>>> = items
        .iter()
        .map(|o| o.ip(ctx, "Remote", "input.peer-fact"))
        .collect();
    let roles = roles(ctx, &items, &remotes, &docs);
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Master first; tunnels of unknown role stay in the document's order.
    order.sort_by_key(|&i| roles[i].0.value == TunnelRole::Slave);
    let size = u8::try_from(items.len()).unwrap_or(u8::MAX);

    let mut out = Vec::new();
    for (n, i) in order.into_iter().enumerate() {
        let (o, (role, role_fact)) = (&items[i], roles[i].clone());
        let index = u8::try_from(n + 1).unwrap_or(u8::MAX);
        let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
        if let Some(f) = role_fact {
            d.joined(f);
        }
        let path = o.path.clone();
        let tunnel_id = o.string(ctx, "TunnelId");
        let ike_obj = o.object(ctx, "IkeConfig");
        // LocalId is the customer's identity and RemoteId Alibaba's, as in the single form.
        let phase1 = phases::ike_at(
            ctx,
            ike_obj.as_ref(),
            &mut d,
            &RULES,
            &format!("{path}.IkeConfig"),
        );
        let esp_obj = o.object(ctx, "IpsecConfig");
        let esp = phases::esp_at(
            ctx,
            esp_obj.as_ref(),
            &mut d,
            &RULES,
            &format!("{path}.IpsecConfig"),
        );
        let master = role.value == TunnelRole::Master;
        // `--cloud-ip` is the master's address (as for the Describe form); the roles were
        // matched on the document's own Remote.
        let cloud_ip = match facts.cloud_ip.filter(|_| master) {
            Some(ip) => Some(At::bare(ip)),
            None => remotes[i].clone(),
        };
        let customer_ip = match facts.customer_ip {
            Some(ip) => {
                o.ignore(&["Local"]);
                Some(At::bare(ip))
            }
            None => o.ip(ctx, "Local", "input.peer-fact"),
        };
        o.finish(ctx);

        // This tunnel's BGP configuration, found by its TunnelId. In this document Local is
        // the customer: LocalAsn and LocalBgpIp are the customer's, PeerAsn and PeerBgpIp
        // Alibaba's (the reverse of the Describe form's TunnelBgpConfig).
        let entry = tunnel_id.as_ref().and_then(|id| {
            bgps.iter_mut()
                .find(|b| {
                    b.as_ref()
                        .and_then(|b| b.tunnel_id.as_ref())
                        .map(|t| &t.value)
                        == Some(&id.value)
                })
                .and_then(Option::take)
        });
        let (mut cloud, mut customer) = (BgpSpeaker::default(), BgpSpeaker::default());
        let mut bgp = None;
        if let Some(b) = entry {
            cloud.asn = conn::local_asn(
                &mut d,
                b.on,
                b.fields.peer_asn,
                &format!("{}.PeerAsn", b.path),
            );
            cloud.ip = b.fields.peer_bgp_ip;
            customer.ip = b.fields.local_bgp_ip;
            customer.asn = b.fields.local_asn;
            bgp = Some(Bgp {
                enabled: At::new(b.on, Some(b.span)),
                tunnel_cidr: b.fields.tunnel_cidr,
            });
        }
        if let Some(asn) = facts.customer_asn {
            customer.asn = Some(At::bare(asn));
        }
        let tunnel = Tunnel {
            phase1,
            esp,
            bgp,
            cloud,
            customer,
            cloud_ip,
            customer_ip,
            enable_dpd: None,
            enable_nat: None,
        };
        let group = TunnelGroup {
            name: NAME.into(),
            title: None,
            role,
            index,
            size,
            tunnel_id,
        };
        out.push(download::connection(
            tunnel_name(NAME, index),
            tunnel,
            d,
            &subnets,
            Some(group),
        ));
    }
    // A BGP configuration no tunnel took: a TunnelId that names no tunnel, or a second one.
    for b in bgps.into_iter().flatten() {
        if let Some(id) = b.tunnel_id {
            ctx.push(
                Diagnostic::error(
                    "input.tunnel-id",
                    format!(
                        "`{}.TunnelId` {:?} is not the TunnelId of one tunnel of TunnelsConfig, or that tunnel already has a BgpConfig",
                        b.path, id.value
                    ),
                )
                .at(id.span, "no tunnel takes this BGP configuration")
                .help("give each TunnelsConfig.TunnelConfig entry at most one BgpConfig, with the entry's TunnelId"),
            );
        }
    }
    out
}

/// A tunnel's role with the fact it was taken from.
type Role = (At<TunnelRole>, Option<AppliedDefault>);

/// Each tunnel's role, in the entries' order: matched on its Remote against the gateway
/// documents. Without documents every role is unknown; a tunnel that matches none, or whose
/// address another tunnel took, is reported and its role left unknown (never guessed from
/// its position).
fn roles(
    ctx: &Ctx,
    items: &[Obj],
    remotes: &[Option<At<IpAddr>>],
    docs: &[&GatewayDoc],
) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    for (o, remote) in items.iter().zip(remotes) {
        let fallback = At::new(
            TunnelRole::Unknown,
            remote.as_ref().and_then(|r| r.span).or(Some(o.span())),
        );
        if docs.is_empty() || ctx.explore {
            out.push((fallback, None));
            continue;
        }
        let Some(remote) = remote else {
            // A masked or malformed Remote has its own diagnostic; a missing or empty one not.
            let empty = o
                .node("Remote")
                .is_none_or(|n| matches!(&n.value, Value::Str(s) if s.trim().is_empty()));
            if empty {
                ctx.push(
                    Diagnostic::error(
                        "input.tunnel-roles",
                        format!("`{}.Remote` is not given: the tunnel's role cannot be matched", o.path),
                    )
                    .at(Some(o.span()), "this tunnel")
                    .help("put the tunnel's Alibaba-side address in Remote, as DownloadVpnConnectionConfig prints it"),
                );
            }
            out.push((fallback, None));
            continue;
        };
        let found = docs.iter().find_map(|doc| {
            if doc.ip == Some(remote.value) {
                Some((TunnelRole::Master, "InternetIp", *doc))
            } else if doc.second_ip == Some(remote.value) {
                Some((TunnelRole::Slave, "DisasterRecoveryInternetIp", *doc))
            } else {
                None
            }
        });
        let Some((role, field, doc)) = found else {
            ctx.push(unmatched(o, remote, docs));
            out.push((fallback, None));
            continue;
        };
        if out.iter().any(|(r, f)| f.is_some() && r.value == role) {
            ctx.push(
                Diagnostic::error(
                    "input.tunnel-roles",
                    format!(
                        "two tunnels have the {} address {} as Remote: a dual-tunnel connection has one tunnel to InternetIp (master) and one to DisasterRecoveryInternetIp (slave)",
                        role.id(),
                        remote.value
                    ),
                )
                .at(remote.span, format!("a second {} tunnel", role.id()))
                .help(format!(
                    "check that this is the download of a connection of gateway {}: each of its tunnels goes to one of the gateway's two addresses",
                    doc.id
                )),
            );
            out.push((fallback, None));
            continue;
        }
        let source = provenance(&format!("VpnGateway.{field}"), remote.value, doc).source;
        let fact = AppliedDefault {
            field: "Role".into(),
            value: role.id().into(),
            source: format!(
                "role from DescribeVpnGateway {field} {}, {source}",
                remote.value
            )
            .into(),
        };
        out.push((At::new(role, remote.span), Some(fact)));
    }
    out
}

fn unmatched(o: &Obj, remote: &At<IpAddr>, docs: &[&GatewayDoc]) -> Diagnostic {
    let given: Vec<String> = docs
        .iter()
        .map(|d| {
            let ip = |a: Option<IpAddr>| a.map_or("(none)".to_owned(), |a| a.to_string());
            format!(
                "{} in {}: InternetIp {}, DisasterRecoveryInternetIp {}",
                d.id,
                d.file,
                ip(d.ip),
                ip(d.second_ip)
            )
        })
        .collect();
    Diagnostic::error(
        "input.tunnel-roles",
        format!(
            "`{}.Remote` {} is neither InternetIp nor DisasterRecoveryInternetIp of the DescribeVpnGateway documents given ({}): the tunnel's role is unknown",
            o.path,
            remote.value,
            given.join("; ")
        ),
    )
    .at(remote.span, "matches no gateway address")
    .help("pass the DescribeVpnGateway response of the VPN gateway this connection belongs to: its InternetIp is the master tunnel's Remote and its DisasterRecoveryInternetIp the slave's")
}
