//! Alibaba's IkeConfig and IpsecConfig objects, shared by IPsec-VPN connections and the IPsec
//! server: the same keys and words, with different documented defaults and error codes.

use crate::ir::{
    At, Cipher, DhGroup, EspPolicy, Identity, IkeMode, IkePolicy, IkeVersion, Integrity, Psk,
};

use super::aliyun_vocab as vocab;
use super::defaults::Defaults;
use super::fields::{Ctx, Obj};

/// What differs between the APIs that carry these objects.
pub struct PhaseRules {
    pub ike_version: (&'static str, IkeVersion),
    pub ike_auth: (&'static str, Integrity),
    pub esp_auth: (&'static str, Integrity),
    /// The error code of an IpsecPfs value outside the documented set.
    pub pfs_code: &'static str,
    /// The error code of an IpsecAuthAlg value outside the documented set.
    pub esp_auth_code: &'static str,
}

/// Phase 1 as read from IkeConfig.
pub struct Phase1 {
    pub policy: IkePolicy,
    pub local_id: Option<At<Identity>>,
    pub remote_id: Option<At<Identity>>,
    /// IkeConfig.Psk (connections carry the PSK here).
    pub psk: Option<Psk>,
}

pub fn ike(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, rules: &PhaseRules) -> Phase1 {
    let version = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IkeVersion",
                vocab::IKE_VERSIONS,
                vocab::HINTS,
                "IllegalParam.IkeVersion",
            )
        }),
        "IkeConfig.IkeVersion",
        rules.ike_version.0,
        rules.ike_version.1,
    );
    let mode = d.or(
        o.and_then(|o| o.choice(ctx, "IkeMode", vocab::IKE_MODES, "IllegalParam.IkeMode")),
        "IkeConfig.IkeMode",
        "main",
        IkeMode::Main,
    );
    let cipher = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IkeEncAlg",
                vocab::CIPHERS,
                vocab::HINTS,
                "IllegalParam.IkeEncAlg",
            )
        }),
        "IkeConfig.IkeEncAlg",
        "aes",
        Cipher::Aes128,
    );
    let integrity = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IkeAuthAlg",
                vocab::INTEGRITY,
                vocab::HINTS,
                "IllegalParam.IkeAuthAlg",
            )
        }),
        "IkeConfig.IkeAuthAlg",
        rules.ike_auth.0,
        rules.ike_auth.1,
    );
    let dh = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IkePfs",
                vocab::DH_GROUPS,
                vocab::HINTS,
                "IllegalParam.IkePfs",
            )
        }),
        "IkeConfig.IkePfs",
        "group2",
        DhGroup(2),
    );
    let lifetime = d.or(
        o.and_then(|o| o.u32(ctx, "IkeLifetime", "IllegalParam.IkeLifetime")),
        "IkeConfig.IkeLifetime",
        "86400",
        86_400,
    );
    let phase = Phase1 {
        policy: IkePolicy {
            version,
            mode,
            cipher,
            integrity: Some(integrity),
            prf: None,
            dh,
            lifetime,
        },
        local_id: o.and_then(|o| o.identity(ctx, "LocalId")),
        remote_id: o.and_then(|o| o.identity(ctx, "RemoteId")),
        psk: o.and_then(|o| o.psk(ctx, "Psk")),
    };
    if let Some(o) = o {
        o.finish(ctx);
    }
    phase
}

pub fn esp(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, rules: &PhaseRules) -> EspPolicy {
    let cipher = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IpsecEncAlg",
                vocab::CIPHERS,
                vocab::HINTS,
                "IllegalParam.IpsecEncAlg",
            )
        }),
        "IpsecConfig.IpsecEncAlg",
        "aes",
        Cipher::Aes128,
    );
    let integrity = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "IpsecAuthAlg",
                vocab::INTEGRITY,
                vocab::HINTS,
                rules.esp_auth_code,
            )
        }),
        "IpsecConfig.IpsecAuthAlg",
        rules.esp_auth.0,
        rules.esp_auth.1,
    );
    let pfs = d.or(
        o.and_then(|o| o.choice_hinted(ctx, "IpsecPfs", vocab::PFS, vocab::HINTS, rules.pfs_code)),
        "IpsecConfig.IpsecPfs",
        "group2",
        Some(DhGroup(2)),
    );
    let lifetime = d.or(
        o.and_then(|o| o.u32(ctx, "IpsecLifetime", "IllegalParam.IpsecLifetime")),
        "IpsecConfig.IpsecLifetime",
        "86400",
        86_400,
    );
    if let Some(o) = o {
        o.finish(ctx);
    }
    EspPolicy {
        cipher,
        integrity: Some(integrity),
        pfs: pfs.value.map(|g| At::new(g, pfs.span)),
        lifetime,
    }
}

/// The cloud gateway's public IP: `--cloud-ip`, else the `VpnGateway: {InternetIp}` sibling that
/// ipsecgen accepts beside the API object (the object itself does not carry it).
pub fn cloud_gateway(
    ctx: &Ctx,
    root: &Obj,
    facts: &super::PeerFacts,
) -> Option<At<std::net::IpAddr>> {
    let vpn_gw = root.object(ctx, "VpnGateway");
    let ip = facts.cloud_ip.map(At::bare).or_else(|| {
        vpn_gw
            .as_ref()
            .and_then(|o| o.ip(ctx, "InternetIp", "input.peer-fact"))
    });
    if let Some(o) = vpn_gw.as_ref() {
        o.ignore(&["VpnGatewayId", "Name", "Spec"]);
        o.finish(ctx);
    }
    ip
}
