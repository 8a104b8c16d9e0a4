//! Alibaba Cloud VPN Gateway IPsec-VPN connection: the request form (CreateVpnConnection /
//! ModifyVpnAttachmentAttribute parameters, nested configs as JSON strings, booleans and numbers
//! as strings) and the response form (DescribeVpnConnection, nested objects). A connection
//! with two tunnels (`TunnelOptionsSpecification`) is read by `tunnels` from the same parts:
//! the facts the tunnels share (`shared`) and what each tunnel holds of its own (`Tunnel`).

use ipnetwork::IpNetwork;

use crate::ir::{
    AppliedDefault, At, Bgp, BgpSpeaker, Connection, Dpd, Endpoint, EspPolicy, HealthCheck,
    HealthPolicy, IkeVersion, Initiation, Integrity, Side,
};

use super::phases::{self as phases, Phase1, PhaseRules};
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::gateways::{fact, provenance, GatewayDoc, Kind};
use crate::dialect::peer_fact::flag_or;
use crate::dialect::PeerFacts;

/// Keys that identify this dialect (any of them).
pub const SIGNATURE: &[&str] = &[
    "VpnConnectionId",
    "VpnConnections",
    "VpnConnectionConfig",
    "RemoteSubnet",
    "VpnBgpConfig",
    "BgpConfig",
    "VcoHealthCheck",
    "TunnelOptionsSpecification",
];

/// Keys carried by the API but irrelevant to the peer's configuration.
const IGNORED: &[&str] = &[
    "Action",
    "RegionId",
    "VpnConnectionId",
    "VpnGatewayId",
    "CustomerGatewayId",
    "ClientToken",
    "Description",
    "CreateTime",
    "Status",
    "State",
    "AttachType",
    "AttachInstanceId",
    "Spec",
    "ResourceGroupId",
    "RequestId",
    "RemoteCaCert",
    "RemoteCaCertificate",
    "ZoneNo",
    "InternetIp",
    "EnableTunnelsBgp",
    "DryRun",
    "Tags",
    "Tag",
    "TransitRouterId",
    "TransitRouterName",
    "CrossAccountAuthorized",
    "TunnelBandwidth",
];

/// Connections: IKEv1 and MD5 by default (CreateVpnConnection / ModifyVpnAttachmentAttribute).
pub(super) const RULES: PhaseRules = PhaseRules {
    ike_version: ("ikev1", IkeVersion::Ikev1),
    ike_auth: ("md5", Integrity::Md5),
    esp_auth: ("md5", Integrity::Md5),
    pfs_code: "NotSupportVpnConnectionParameter.IpsecPfs",
    esp_auth_code: "NotSupportVpnConnectionParameter.IpsecAuthAlg",
};

/// DPD timers: the API has none; these are the values ipsecgen renders.
pub(super) const DPD_INTERVAL: u32 = 10;
pub(super) const DPD_TIMEOUT: u32 = 30;

/// The documented default ASN of the Alibaba Cloud side.
pub const DEFAULT_LOCAL_ASN: u32 = 45104;

/// Read a connection: one tunnel, or, with `TunnelOptionsSpecification`, two (see `tunnels`).
pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    root.ignore(IGNORED);
    if ctx.explore {
        // Schema mode explores both forms.
        let _ = super::tunnels::read(ctx, root, facts);
    }
    if super::tunnels::is_dual(root) {
        return super::tunnels::read(ctx, root, facts);
    }
    single(ctx, root, facts).into_iter().collect()
}

/// The facts of a connection that its tunnels share: names, subnets, health check, routing.
pub(super) struct Shared {
    pub title: Option<At<String>>,
    /// The sanitized name (Name, else VpnConnectionId).
    pub name: String,
    pub local_subnet: Vec<At<IpNetwork>>,
    pub remote_subnet: Vec<At<IpNetwork>>,
    effect: Option<At<bool>>,
    auto_route: Option<At<bool>>,
    health: Option<HealthCheck>,
    /// The defaults the health check took, recorded in every tunnel.
    pub health_defaults: Vec<AppliedDefault>,
}

pub(super) fn shared(ctx: &Ctx, root: &Obj) -> Shared {
    let title = root.string(ctx, "Name");
    // Not needed by the peer, but the API refuses anything else.
    let _network_type = root.choice(
        ctx,
        "NetworkType",
        vocab::NETWORK_TYPES,
        "IllegalParam.NetworkType",
    );
    let local_subnet = root.cidr_list(ctx, "LocalSubnet", "IllegalParam.LocalSubnet");
    let remote_subnet = root.cidr_list(ctx, "RemoteSubnet", "IllegalParam.RemoteSubnet");
    let effect = root.boolean(ctx, "EffectImmediately");
    let auto_route = root.boolean(ctx, "AutoConfigRoute");
    // Health check: HealthCheckConfig (request, lowercase keys) or VcoHealthCheck (response).
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let health = match root.object(ctx, "HealthCheckConfig") {
        Some(o) => Some(health(
            ctx,
            &o,
            &mut d,
            ["enable", "sip", "dip", "interval", "retry", "Policy"],
        )),
        None => root.object(ctx, "VcoHealthCheck").map(|o| {
            health(
                ctx,
                &o,
                &mut d,
                ["Enable", "Sip", "Dip", "Interval", "Retry", "Policy"],
            )
        }),
    };
    let conn_id = root.string(ctx, "VpnConnectionId");
    let name = crate::dialect::sanitize_name(
        title
            .as_ref()
            .or(conn_id.as_ref())
            .map_or("vpn", |t| t.value.as_str()),
    );
    Shared {
        title,
        name,
        local_subnet: local_subnet.unwrap_or_default(),
        remote_subnet: remote_subnet.unwrap_or_default(),
        effect,
        auto_route,
        health,
        health_defaults: d.into_vec(),
    }
}

/// What one tunnel holds of its own: proposals, identities, PSK, BGP link, DPD, NAT-T and the
/// two gateways' addresses.
pub(super) struct Tunnel {
    pub phase1: Phase1,
    pub esp: EspPolicy,
    pub bgp: Option<Bgp>,
    pub cloud: BgpSpeaker,
    pub customer: BgpSpeaker,
    pub cloud_ip: Option<At<std::net::IpAddr>>,
    pub customer_ip: Option<At<std::net::IpAddr>>,
    pub enable_dpd: Option<At<bool>>,
    pub enable_nat: Option<At<bool>>,
}

/// The fields of a BGP object (BgpConfig, VpnBgpConfig, TunnelBgpConfig), read as given.
pub(super) struct BgpFields {
    pub tunnel_cidr: Option<At<ipnetwork::Ipv4Network>>,
    pub local_asn: Option<At<u32>>,
    pub local_bgp_ip: Option<At<std::net::Ipv4Addr>>,
    pub peer_bgp_ip: Option<At<std::net::Ipv4Addr>>,
    pub peer_asn: Option<At<u32>>,
}

pub(super) fn bgp_fields(ctx: &Ctx, o: &Obj) -> BgpFields {
    BgpFields {
        tunnel_cidr: o.ipv4_cidr(ctx, "TunnelCidr", "InvalidTunnelCidr.Malformed"),
        local_asn: asn(ctx, o, "LocalAsn", "IllegalParam.LocalAsn"),
        local_bgp_ip: ipv4(ctx, o, "LocalBgpIp", "InvalidLocalBgpIp.Malformed"),
        peer_bgp_ip: ipv4(ctx, o, "PeerBgpIp", "IllegalParam.PeerBgpIp"),
        peer_asn: asn(ctx, o, "PeerAsn", "IllegalParam.PeerAsn"),
    }
}

/// An ASN; an empty string is an unset one (the SDKs type the tunnels' ASNs as strings, and a
/// tunnel without BGP prints `""`).
fn asn(ctx: &Ctx, o: &Obj, key: &'static str, code: &str) -> Option<At<u32>> {
    let empty = matches!(
        o.node(key).map(|n| &n.value),
        Some(crate::tree::Value::Str(s)) if s.trim().is_empty()
    );
    if empty {
        return None;
    }
    o.u32(ctx, key, code)
}

/// The cloud side's ASN: as given, or the documented 45104 when BGP is on.
pub(super) fn local_asn(
    d: &mut Defaults,
    enabled: bool,
    given: Option<At<u32>>,
    field: &str,
) -> Option<At<u32>> {
    if enabled {
        Some(d.or(given, field.to_owned(), "45104", DEFAULT_LOCAL_ASN))
    } else {
        given
    }
}

/// The single-tunnel form.
fn single(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Option<Connection> {
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let shared = shared(ctx, root);
    let enable_dpd = root.boolean(ctx, "EnableDpd");
    let enable_nat = root.boolean(ctx, "EnableNatTraversal");

    // IKE (phase 1) and IPsec (phase 2).
    let ike_obj = root.object(ctx, "IkeConfig");
    let phase1 = phases::ike(ctx, ike_obj.as_ref(), &mut d, &RULES);
    let esp_obj = root.object(ctx, "IpsecConfig");
    let esp = phases::esp(ctx, esp_obj.as_ref(), &mut d, &RULES);

    // BGP: BgpConfig (request) or VpnBgpConfig (response).
    let (bgp_obj, bgp_key) = match root.object(ctx, "BgpConfig") {
        Some(o) => (Some(o), "BgpConfig"),
        None => (root.object(ctx, "VpnBgpConfig"), "VpnBgpConfig"),
    };
    let mut bgp = None;
    let (mut cloud, mut customer) = (BgpSpeaker::default(), BgpSpeaker::default());
    let mut peer_asn = None;
    if let Some(o) = bgp_obj.as_ref() {
        o.ignore(&["Status", "AuthKey", "BgpStatus"]);
        let enabled = d.or(
            o.boolean(ctx, "EnableBgp"),
            format!("{bgp_key}.EnableBgp"),
            "false",
            false,
        );
        let f = bgp_fields(ctx, o);
        cloud.asn = local_asn(
            &mut d,
            enabled.value,
            f.local_asn,
            &format!("{bgp_key}.LocalAsn"),
        );
        cloud.ip = f.local_bgp_ip;
        customer.ip = f.peer_bgp_ip;
        peer_asn = f.peer_asn;
        o.finish(ctx);
        bgp = Some(Bgp {
            enabled,
            tunnel_cidr: f.tunnel_cidr,
        });
    }
    d.extend(shared.health_defaults.clone());

    // Facts the API object does not carry: sibling objects, overridden by CLI flags.
    let cloud_ip = phases::cloud_gateway(ctx, root, facts);
    let cgw = root.object(ctx, "CustomerGateway");
    let customer_ip = flag_or(facts.customer_ip, cgw.as_ref(), "IpAddress", |o| {
        o.ip(ctx, "IpAddress", "input.peer-fact")
    });
    let customer_asn = flag_or(facts.customer_asn, cgw.as_ref(), "Asn", |o| {
        o.u32(ctx, "Asn", "IllegalParam.PeerAsn")
    })
    .or(peer_asn);
    // Then the gateway documents given as other inputs, found by the IDs this one names.
    let vpn_doc = facts.gateways.find(ctx, root, Kind::Vpn);
    let cgw_doc = facts.gateways.find(ctx, root, Kind::Customer);
    let cloud_ip =
        cloud_ip.or_else(|| joined_ip(&mut d, vpn_doc, "VpnGateway.InternetIp", |g| g.ip));
    let customer_ip =
        customer_ip.or_else(|| joined_ip(&mut d, cgw_doc, "CustomerGateway.IpAddress", |g| g.ip));
    customer.asn = customer_asn.or_else(|| joined_asn(&mut d, cgw_doc));
    if let Some(o) = cgw.as_ref() {
        o.ignore(&["CustomerGatewayId", "Name", "Description"]);
        o.finish(ctx);
    }
    root.finish(ctx);
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
    let name = shared.name.clone();
    Some(assemble(&shared, tunnel, d, "", name, None))
}

/// A fact from a gateway document (an address), recorded where it came from.
pub(super) fn joined_ip(
    d: &mut Defaults,
    doc: Option<&GatewayDoc>,
    field: &str,
    pick: impl Fn(&GatewayDoc) -> Option<std::net::IpAddr>,
) -> Option<At<std::net::IpAddr>> {
    let doc = doc?;
    let ip = pick(doc)?;
    d.joined(provenance(field, ip, doc));
    fact(Some(ip))
}

/// The customer gateway document's ASN, recorded where it came from.
pub(super) fn joined_asn(d: &mut Defaults, doc: Option<&GatewayDoc>) -> Option<At<u32>> {
    let doc = doc?;
    let asn = doc.asn?;
    d.joined(provenance("CustomerGateway.Asn", asn, doc));
    fact(Some(asn))
}

/// One connection (a whole single-tunnel one, or one tunnel of two): the tunnel's own facts
/// with the shared ones. `prefix` is where the tunnel's DPD and NAT-T keys sit (`""` at the
/// top level), for the defaults' field names.
pub(super) fn assemble(
    shared: &Shared,
    t: Tunnel,
    mut d: Defaults,
    prefix: &str,
    name: String,
    group: Option<crate::ir::TunnelGroup>,
) -> Connection {
    let nat = d.or(
        t.enable_nat,
        format!("{prefix}EnableNatTraversal"),
        "true",
        true,
    );
    let dpd_on = d.or(t.enable_dpd, format!("{prefix}EnableDpd"), "true", true);
    let effect = d.or(shared.effect.clone(), "EffectImmediately", "false", false);
    let auto_route = d.or(shared.auto_route.clone(), "AutoConfigRoute", "true", true);
    let cloud = Endpoint {
        side: Side::Cloud,
        gateway: t.cloud_ip,
        id: t.phase1.local_id,
        subnets: shared.local_subnet.clone(),
        bgp: t.cloud,
    };
    let customer = Endpoint {
        side: Side::Customer,
        gateway: t.customer_ip,
        id: t.phase1.remote_id,
        subnets: shared.remote_subnet.clone(),
        bgp: t.customer,
    };
    Connection {
        name,
        title: shared.title.clone(),
        dialect: "aliyun-connection".into(),
        view: Side::Cloud,
        local: cloud,
        remote: customer,
        ike: t.phase1.policy,
        esp: t.esp,
        psk: t.phase1.psk,
        dpd: Dpd {
            enabled: dpd_on,
            interval: At::bare(DPD_INTERVAL),
            timeout: DPD_TIMEOUT,
        },
        nat_traversal: nat,
        cloud_initiation: At::new(
            if effect.value {
                Initiation::Immediately
            } else {
                Initiation::OnTraffic
            },
            effect.span,
        ),
        bgp: t.bgp,
        health_check: shared.health.clone(),
        auto_config_route: Some(auto_route),
        remote_access: None,
        group,
        defaults: d.into_vec(),
    }
}

fn ipv4(ctx: &Ctx, o: &Obj, key: &'static str, code: &str) -> Option<At<std::net::Ipv4Addr>> {
    let ip = o.ip(ctx, key, code)?;
    match ip.value {
        std::net::IpAddr::V4(v4) => Some(At::new(v4, ip.span)),
        std::net::IpAddr::V6(_) => {
            ctx.push(
                crate::diag::Diagnostic::error(
                    code,
                    format!("`{}.{key}` must be an IPv4 address", o.path),
                )
                .at(ip.span, "IPv6 is not supported here"),
            );
            None
        }
    }
}

fn health(ctx: &Ctx, o: &Obj, d: &mut Defaults, keys: [&'static str; 6]) -> HealthCheck {
    let [enable, sip, dip, interval, retry, policy] = keys;
    o.ignore(&["Status"]);
    let path = o.path.clone();
    let enabled = d.or(
        o.boolean(ctx, enable),
        format!("{path}.{enable}"),
        "false",
        false,
    );
    // A disabled check is printed with empty addresses and zeros: nothing of it is defaulted
    // (or stated in the outputs' headers); what is given is still read and type-checked.
    let mut or_default =
        |given: Option<At<u32>>, key: &str, shown: &'static str, v: u32| match given {
            None if !enabled.value => At::bare(v),
            given => d.or(given, format!("{path}.{key}"), shown, v),
        };
    let interval_v = or_default(
        o.u32(ctx, interval, "IllegalParam.HealthCheckInterval"),
        interval,
        "3",
        3,
    );
    let retry_v = or_default(
        o.u32(ctx, retry, "IllegalParam.HealthCheckRetry"),
        retry,
        "3",
        3,
    );
    let policy_given = o.choice(
        ctx,
        policy,
        &[
            ("revoke_route", HealthPolicy::RevokeRoute),
            ("reserve_route", HealthPolicy::ReserveRoute),
        ],
        "IllegalParam.HealthCheckPolicy",
    );
    let policy_v = match policy_given {
        None if !enabled.value => At::bare(HealthPolicy::RevokeRoute),
        given => d.or(
            given,
            format!("{path}.{policy}"),
            "revoke_route",
            HealthPolicy::RevokeRoute,
        ),
    };
    let hc = HealthCheck {
        enabled,
        sip: o.ip(ctx, sip, "IllegalParam.HealthCheckSip"),
        dip: o.ip(ctx, dip, "IllegalParam.HealthCheckDip"),
        interval: interval_v,
        retry: retry_v,
        policy: policy_v,
    };
    o.finish(ctx);
    hc
}
