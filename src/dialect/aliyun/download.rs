//! DownloadVpnConnectionConfig: the parameters Alibaba hands the customer for configuring
//! their own gateway (`VpnConnectionConfig`). It is written from the customer's side: `Local`
//! and `LocalSubnet` are the customer gateway and its networks, `Remote` and `RemoteSubnet`
//! the Alibaba VPN gateway and the VPC's; `IkeConfig.LocalId` is the customer's identity.
//! The connection is read in that view (the customer side is `local`).

use crate::ir::{At, BgpSpeaker, Connection, Dpd, Endpoint, Initiation, Side};

use super::phases;
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::peer_fact::flag_or;
use crate::dialect::PeerFacts;

// The download describes the connection itself: the same words, defaults and error codes.
// DPD is not in it; the connection's documented default (on) is rendered with the same timers.
use super::connection::{DPD_INTERVAL, DPD_TIMEOUT, RULES};

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Option<Connection> {
    root.ignore(&["RequestId"]);
    let cfg = root.object(ctx, "VpnConnectionConfig");
    root.finish(ctx);
    let cfg = cfg?;
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let customer_subnets = cfg.cidr_list(ctx, "LocalSubnet", "IllegalParam.LocalSubnet");
    let cloud_subnets = cfg.cidr_list(ctx, "RemoteSubnet", "IllegalParam.RemoteSubnet");
    let customer_ip = flag_or(facts.customer_ip, Some(&cfg), "Local", |o| {
        o.ip(ctx, "Local", "input.peer-fact")
    });
    let cloud_ip = flag_or(facts.cloud_ip, Some(&cfg), "Remote", |o| {
        o.ip(ctx, "Remote", "input.peer-fact")
    });
    let ike_obj = cfg.object(ctx, "IkeConfig");
    // In this document LocalId is the customer's identity and RemoteId Alibaba's.
    let phase1 = phases::ike(ctx, ike_obj.as_ref(), &mut d, &RULES);
    let esp_obj = cfg.object(ctx, "IpsecConfig");
    let esp = phases::esp(ctx, esp_obj.as_ref(), &mut d, &RULES);
    cfg.finish(ctx);
    let dpd_on = d.or(None, "EnableDpd", "true", true);
    let nat = d.or(None, "EnableNatTraversal", "true", true);
    let effect = d.or(None, "EffectImmediately", "false", false);

    let customer = Endpoint {
        side: Side::Customer,
        gateway: customer_ip,
        id: phase1.local_id,
        subnets: customer_subnets.unwrap_or_default(),
        bgp: BgpSpeaker {
            asn: facts.customer_asn.map(At::bare),
            ip: None,
        },
    };
    let cloud = Endpoint {
        side: Side::Cloud,
        gateway: cloud_ip,
        id: phase1.remote_id,
        subnets: cloud_subnets.unwrap_or_default(),
        bgp: BgpSpeaker::default(),
    };
    Some(Connection {
        name: "vpn-connection".into(),
        title: None,
        dialect: "aliyun-connection".into(),
        view: Side::Customer,
        local: customer,
        remote: cloud,
        ike: phase1.policy,
        esp,
        psk: phase1.psk,
        dpd: Dpd {
            enabled: dpd_on,
            interval: At::bare(DPD_INTERVAL),
            timeout: DPD_TIMEOUT,
        },
        nat_traversal: nat,
        cloud_initiation: At::new(Initiation::OnTraffic, effect.span),
        bgp: None,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group: None,
        defaults: d.into_vec(),
    })
}
