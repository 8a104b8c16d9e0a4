//! Alibaba Cloud IPsec server (client-to-site): CreateIpsecServer / UpdateIpsecServer parameters,
//! as JSON, YAML or the documented query-string request.

use crate::ir::{
    At, BgpSpeaker, Connection, Dpd, Endpoint, IkeVersion, Initiation, Integrity, RemoteAccess,
    Side,
};

use super::phases::{self as phases, PhaseRules};
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::PeerFacts;

/// Keys that identify this dialect (any of them).
pub const SIGNATURE: &[&str] = &[
    "ClientIpPool",
    "IpsecServerId",
    "IpsecServerName",
    "IpSecServerName",
    "PskEnabled",
    "IpsecServers",
];

const IGNORED: &[&str] = &[
    "Action",
    "RegionId",
    "IpsecServerId",
    "VpnGatewayId",
    "ClientToken",
    "DryRun",
    "RequestId",
    "CreationTime",
    "MultiFactorAuthEnabled",
    "IDaaSInstanceId",
    "IDaaSRegionId",
    "OnlineClientCount",
    "MaxConnections",
];

/// The IPsec server: IKEv2 and SHA1 by default (CreateIpsecServer); other PFS code.
const RULES: PhaseRules = PhaseRules {
    ike_version: ("ikev2", IkeVersion::Ikev2),
    ike_auth: ("sha1", Integrity::Sha1),
    esp_auth: ("sha1", Integrity::Sha1),
    pfs_code: "OperationUnsupported.IpsecPfs",
    esp_auth_code: "IllegalParam.IpsecAuthAlg",
};

/// DPD timers ipsecgen renders (the API has none for the IPsec server).
const DPD_INTERVAL: u32 = 30;
const DPD_TIMEOUT: u32 = 120;

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Option<Connection> {
    root.ignore(IGNORED);
    let mut d = Defaults::new("Alibaba Cloud API default (IPsec server)");
    // Create spells it IpSecServerName, Update IpsecServerName.
    let title = root
        .string(ctx, "IpsecServerName")
        .or_else(|| root.string(ctx, "IpSecServerName"));
    let local_subnet = root.cidr_list(ctx, "LocalSubnet", "IllegalParam.LocalSubnet");
    let pool = root.cidr_list(ctx, "ClientIpPool", "IllegalParam.ClientIpPool");
    let effect = root.boolean(ctx, "EffectImmediately");
    let psk_enabled = root.boolean(ctx, "PskEnabled");
    let top_psk = root.psk(ctx, "Psk");
    let ike_obj = root.object(ctx, "IkeConfig");
    let phase1 = phases::ike(ctx, ike_obj.as_ref(), &mut d, &RULES);
    let esp_obj = root.object(ctx, "IpsecConfig");
    let esp = phases::esp(ctx, esp_obj.as_ref(), &mut d, &RULES);
    // ListIpsecServers items carry the server's address themselves.
    let own_ip = match facts.cloud_ip {
        Some(_) => {
            root.ignore(&["InternetIp"]);
            None
        }
        None => root.ip(ctx, "InternetIp", "input.peer-fact"),
    };
    let cloud_ip = phases::cloud_gateway(ctx, root, facts).or(own_ip);
    let server_id = root.string(ctx, "IpsecServerId");
    root.finish(ctx);

    let effect = d.or(effect, "EffectImmediately", "false", false);
    let name = crate::dialect::sanitize_name(
        title
            .as_ref()
            .or(server_id.as_ref())
            .map_or("ipsec-server", |t| t.value.as_str()),
    );
    let server = Endpoint {
        side: Side::Cloud,
        gateway: cloud_ip,
        id: phase1.local_id,
        subnets: local_subnet.unwrap_or_default(),
        bgp: BgpSpeaker::default(),
    };
    let clients = Endpoint {
        side: Side::Customer,
        gateway: facts.customer_ip.map(At::bare),
        id: phase1.remote_id,
        subnets: Vec::new(),
        bgp: BgpSpeaker::default(),
    };
    Some(Connection {
        name,
        title,
        dialect: "aliyun-ipsec-server".into(),
        view: Side::Cloud,
        local: server,
        remote: clients,
        ike: phase1.policy,
        esp,
        psk: top_psk.or(phase1.psk),
        dpd: Dpd {
            enabled: At::bare(true),
            interval: At::bare(DPD_INTERVAL),
            timeout: DPD_TIMEOUT,
        },
        nat_traversal: At::bare(true),
        // The server never dials clients; EffectImmediately only restarts negotiations.
        cloud_initiation: At::new(Initiation::Respond, effect.span),
        bgp: None,
        health_check: None,
        auto_config_route: None,
        remote_access: Some(RemoteAccess {
            pool: pool.unwrap_or_default(),
            psk_enabled,
        }),
        group: None,
        defaults: d.into_vec(),
    })
}
