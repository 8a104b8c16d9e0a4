//! DownloadVpnConnectionConfig: the parameters Alibaba hands the customer for configuring
//! their own gateway (`VpnConnectionConfig`). It is written from the customer's side: `Local`
//! and `LocalSubnet` are the customer gateway and its networks, `Remote` and `RemoteSubnet`
//! the Alibaba VPN gateway and the VPC's; `IkeConfig.LocalId` is the customer's identity.
//! The connection is read in that view (the customer side is `local`). A dual-tunnel
//! connection's download (`TunnelsConfig`) is read by `download_tunnels`.

use ipnetwork::IpNetwork;

use crate::ir::{At, BgpSpeaker, Connection, Dpd, Endpoint, Initiation, Side, TunnelGroup};

use super::connection::Tunnel;
use super::phases;
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::peer_fact::flag_or;
use crate::dialect::PeerFacts;

// The download describes the connection itself: the same words, defaults and error codes.
// DPD is not in it; the connection's documented default (on) is rendered with the same timers.
use super::connection::{DPD_INTERVAL, DPD_TIMEOUT, RULES};

/// The name of a downloaded connection: the document carries neither Name nor ID.
pub(super) const NAME: &str = "vpn-connection";

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    root.ignore(&["RequestId"]);
    let cfg = root.object(ctx, "VpnConnectionConfig");
    root.finish(ctx);
    let Some(cfg) = cfg else {
        return Vec::new();
    };
    if ctx.explore {
        // Schema mode explores both forms.
        let _ = super::download_tunnels::read(ctx, &cfg, facts);
    }
    if super::download_tunnels::is_dual(&cfg) {
        return super::download_tunnels::read(ctx, &cfg, facts);
    }
    single(ctx, &cfg, facts).into_iter().collect()
}

/// The single-tunnel form: one set of values for the whole connection.
fn single(ctx: &Ctx, cfg: &Obj, facts: &PeerFacts) -> Option<Connection> {
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let customer_subnets = cfg.cidr_list(ctx, "LocalSubnet", "IllegalParam.LocalSubnet");
    let cloud_subnets = cfg.cidr_list(ctx, "RemoteSubnet", "IllegalParam.RemoteSubnet");
    let customer_ip = flag_or(facts.customer_ip, Some(cfg), "Local", |o| {
        o.ip(ctx, "Local", "input.peer-fact")
    });
    let cloud_ip = flag_or(facts.cloud_ip, Some(cfg), "Remote", |o| {
        o.ip(ctx, "Remote", "input.peer-fact")
    });
    let ike_obj = cfg.object(ctx, "IkeConfig");
    // In this document LocalId is the customer's identity and RemoteId Alibaba's.
    let phase1 = phases::ike(ctx, ike_obj.as_ref(), &mut d, &RULES);
    let esp_obj = cfg.object(ctx, "IpsecConfig");
    let esp = phases::esp(ctx, esp_obj.as_ref(), &mut d, &RULES);
    cfg.finish(ctx);
    let tunnel = Tunnel {
        phase1,
        esp,
        bgp: None,
        cloud: BgpSpeaker::default(),
        customer: BgpSpeaker {
            asn: facts.customer_asn.map(At::bare),
            ip: None,
        },
        cloud_ip,
        customer_ip,
        enable_dpd: None,
        enable_nat: None,
    };
    let subnets = Subnets {
        customer: customer_subnets.unwrap_or_default(),
        cloud: cloud_subnets.unwrap_or_default(),
    };
    Some(connection(NAME.into(), tunnel, d, &subnets, None))
}

/// The networks of both sides, which the tunnels of a connection share.
pub(super) struct Subnets {
    pub customer: Vec<At<IpNetwork>>,
    pub cloud: Vec<At<IpNetwork>>,
}

/// One connection (a whole single-tunnel one, or one tunnel of two) in the customer's view.
/// The download states neither DPD, NAT-T nor EffectImmediately: the connection's documented
/// defaults stand and are recorded.
pub(super) fn connection(
    name: String,
    t: Tunnel,
    mut d: Defaults,
    subnets: &Subnets,
    group: Option<TunnelGroup>,
) -> Connection {
    let dpd_on = d.or(t.enable_dpd, "EnableDpd", "true", true);
    let nat = d.or(t.enable_nat, "EnableNatTraversal", "true", true);
    let effect = d.or(None, "EffectImmediately", "false", false);
    let customer = Endpoint {
        side: Side::Customer,
        gateway: t.customer_ip,
        id: t.phase1.local_id,
        subnets: subnets.customer.clone(),
        bgp: t.customer,
    };
    let cloud = Endpoint {
        side: Side::Cloud,
        gateway: t.cloud_ip,
        id: t.phase1.remote_id,
        subnets: subnets.cloud.clone(),
        bgp: t.cloud,
    };
    Connection {
        name,
        title: None,
        dialect: "aliyun-connection".into(),
        view: Side::Customer,
        local: customer,
        remote: cloud,
        ike: t.phase1.policy,
        esp: t.esp,
        psk: t.phase1.psk,
        dpd: Dpd {
            enabled: dpd_on,
            interval: At::bare(DPD_INTERVAL),
            timeout: DPD_TIMEOUT,
        },
        nat_traversal: nat,
        cloud_initiation: At::new(Initiation::OnTraffic, effect.span),
        bgp: t.bgp,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group,
        defaults: d.into_vec(),
    }
}
