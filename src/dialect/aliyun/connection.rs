//! Alibaba Cloud VPN Gateway IPsec-VPN connection: the request form (CreateVpnConnection /
//! ModifyVpnAttachmentAttribute parameters, nested configs as JSON strings, booleans and numbers
//! as strings) and the response form (DescribeVpnConnection, nested objects).

use crate::ir::{
    At, Bgp, BgpSpeaker, Connection, Dpd, Endpoint, HealthCheck, HealthPolicy, IkeVersion,
    Initiation, Integrity, Side,
};

use super::phases::{self as phases, PhaseRules};
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::gateways::{fact, provenance, Kind};
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

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Option<Connection> {
    root.ignore(IGNORED);
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);

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
    let enable_dpd = root.boolean(ctx, "EnableDpd");
    let enable_nat = root.boolean(ctx, "EnableNatTraversal");
    let auto_route = root.boolean(ctx, "AutoConfigRoute");

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
    let (mut local_asn, mut local_bgp_ip, mut peer_asn, mut peer_bgp_ip) = (None, None, None, None);
    if let Some(o) = bgp_obj.as_ref() {
        o.ignore(&["Status", "AuthKey", "BgpStatus"]);
        let enabled = d.or(
            o.boolean(ctx, "EnableBgp"),
            &format!("{bgp_key}.EnableBgp"),
            "false",
            false,
        );
        let tunnel_cidr = o.ipv4_cidr(ctx, "TunnelCidr", "InvalidTunnelCidr.Malformed");
        let asn = o.u32(ctx, "LocalAsn", "IllegalParam.LocalAsn");
        local_asn = if enabled.value {
            Some(d.or(
                asn,
                &format!("{bgp_key}.LocalAsn"),
                "45104",
                DEFAULT_LOCAL_ASN,
            ))
        } else {
            asn
        };
        local_bgp_ip = ipv4(ctx, o, "LocalBgpIp", "InvalidLocalBgpIp.Malformed");
        peer_bgp_ip = ipv4(ctx, o, "PeerBgpIp", "IllegalParam.PeerBgpIp");
        peer_asn = o.u32(ctx, "PeerAsn", "IllegalParam.PeerAsn");
        o.finish(ctx);
        bgp = Some(Bgp {
            enabled,
            tunnel_cidr,
        });
    }

    // Health check: HealthCheckConfig (request, lowercase keys) or VcoHealthCheck (response).
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
    let cloud_ip = cloud_ip.or_else(|| {
        let doc = vpn_doc?;
        let ip = doc.ip?;
        d.joined(provenance("VpnGateway.InternetIp", ip, doc));
        fact(Some(ip))
    });
    let customer_ip = customer_ip.or_else(|| {
        let doc = cgw_doc?;
        let ip = doc.ip?;
        d.joined(provenance("CustomerGateway.IpAddress", ip, doc));
        fact(Some(ip))
    });
    let customer_asn = customer_asn.or_else(|| {
        let doc = cgw_doc?;
        let asn = doc.asn?;
        d.joined(provenance("CustomerGateway.Asn", asn, doc));
        fact(Some(asn))
    });
    if let Some(o) = cgw.as_ref() {
        o.ignore(&["CustomerGatewayId", "Name", "Description"]);
        o.finish(ctx);
    }
    root.finish(ctx);

    let nat = d.or(enable_nat, "EnableNatTraversal", "true", true);
    let dpd_on = d.or(enable_dpd, "EnableDpd", "true", true);
    let effect = d.or(effect, "EffectImmediately", "false", false);
    let auto_route = d.or(auto_route, "AutoConfigRoute", "true", true);
    let conn_id = root.string(ctx, "VpnConnectionId");
    let name = crate::dialect::sanitize_name(
        title
            .as_ref()
            .or(conn_id.as_ref())
            .map_or("vpn", |t| t.value.as_str()),
    );

    let cloud = Endpoint {
        side: Side::Cloud,
        gateway: cloud_ip,
        id: phase1.local_id,
        subnets: local_subnet.unwrap_or_default(),
        bgp: BgpSpeaker {
            asn: local_asn,
            ip: local_bgp_ip,
        },
    };
    let customer = Endpoint {
        side: Side::Customer,
        gateway: customer_ip,
        id: phase1.remote_id,
        subnets: remote_subnet.unwrap_or_default(),
        bgp: BgpSpeaker {
            asn: customer_asn,
            ip: peer_bgp_ip,
        },
    };
    Some(Connection {
        name,
        title,
        dialect: "aliyun-connection".into(),
        view: Side::Cloud,
        local: cloud,
        remote: customer,
        ike: phase1.policy,
        esp,
        psk: phase1.psk,
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
        bgp,
        health_check: health,
        auto_config_route: Some(auto_route),
        remote_access: None,
        group: None,
        defaults: d.into_vec(),
    })
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
        &format!("{path}.{enable}"),
        "false",
        false,
    );
    // A disabled check is printed with empty addresses and zeros: nothing of it is defaulted
    // (or stated in the outputs' headers); what is given is still read and type-checked.
    let mut or_default = |given: Option<At<u32>>, key: &str, shown: &str, v: u32| match given {
        None if !enabled.value => At::bare(v),
        given => d.or(given, &format!("{path}.{key}"), shown, v),
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
            &format!("{path}.{policy}"),
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
