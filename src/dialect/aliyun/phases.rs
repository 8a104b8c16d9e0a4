//! Alibaba's IkeConfig and IpsecConfig objects, shared by IPsec-VPN connections and the IPsec
//! server: the same keys and words, with different documented defaults and error codes.

use crate::ir::{
    At, Cipher, DhGroup, EspPolicy, Identity, IkeMode, IkePolicy, IkeVersion, Integrity, Psk,
};

use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};

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

/// One of IkeConfig / IpsecConfig: every field is read from it when present, else defaulted
/// and recorded as `<object>.<key>`.
struct Phase<'a, 'c> {
    ctx: &'a Ctx<'c>,
    o: Option<&'a Obj<'a>>,
    object: &'a str,
}

impl Phase<'_, '_> {
    /// A word from `options` (with `hints` for the "did you mean"), or `default`.
    fn word<T: Copy>(
        &self,
        d: &mut Defaults,
        key: &'static str,
        options: &[(&'static str, T)],
        hints: &[(&str, &'static str)],
        code: &str,
        default: (&'static str, T),
    ) -> At<T> {
        let given = self
            .o
            .and_then(|o| o.choice_hinted(self.ctx, key, options, hints, code));
        d.or(
            given,
            format!("{}.{key}", self.object),
            default.0,
            default.1,
        )
    }

    /// A lifetime in seconds, 86400 by default (both APIs document that default).
    fn lifetime(&self, d: &mut Defaults, key: &'static str, code: &str) -> At<u32> {
        let given = self.o.and_then(|o| o.u32(self.ctx, key, code));
        d.or(given, format!("{}.{key}", self.object), "86400", 86_400)
    }

    fn finish(&self) {
        if let Some(o) = self.o {
            o.finish(self.ctx);
        }
    }
}

pub fn ike(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, rules: &PhaseRules) -> Phase1 {
    ike_at(ctx, o, d, rules, "IkeConfig")
}

/// `ike`, for an object at another path (a dual-tunnel connection's `TunnelIkeConfig`): its
/// defaults are recorded under that path.
pub fn ike_at(
    ctx: &Ctx,
    o: Option<&Obj>,
    d: &mut Defaults,
    rules: &PhaseRules,
    object: &str,
) -> Phase1 {
    let p = Phase { ctx, o, object };
    let h = vocab::HINTS;
    let version = p.word(
        d,
        "IkeVersion",
        vocab::IKE_VERSIONS,
        h,
        "IllegalParam.IkeVersion",
        rules.ike_version,
    );
    let mode = p.word(
        d,
        "IkeMode",
        vocab::IKE_MODES,
        &[],
        "IllegalParam.IkeMode",
        ("main", IkeMode::Main),
    );
    let cipher = p.word(
        d,
        "IkeEncAlg",
        vocab::CIPHERS,
        h,
        "IllegalParam.IkeEncAlg",
        ("aes", Cipher::Aes128),
    );
    let integrity = p.word(
        d,
        "IkeAuthAlg",
        vocab::INTEGRITY,
        h,
        "IllegalParam.IkeAuthAlg",
        rules.ike_auth,
    );
    let dh = p.word(
        d,
        "IkePfs",
        vocab::DH_GROUPS,
        h,
        "IllegalParam.IkePfs",
        ("group2", DhGroup(2)),
    );
    let lifetime = p.lifetime(d, "IkeLifetime", "IllegalParam.IkeLifetime");
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
    p.finish();
    phase
}

pub fn esp(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, rules: &PhaseRules) -> EspPolicy {
    esp_at(ctx, o, d, rules, "IpsecConfig")
}

/// `esp`, for an object at another path (`TunnelIpsecConfig`).
pub fn esp_at(
    ctx: &Ctx,
    o: Option<&Obj>,
    d: &mut Defaults,
    rules: &PhaseRules,
    object: &str,
) -> EspPolicy {
    let p = Phase { ctx, o, object };
    let h = vocab::HINTS;
    let cipher = p.word(
        d,
        "IpsecEncAlg",
        vocab::CIPHERS,
        h,
        "IllegalParam.IpsecEncAlg",
        ("aes", Cipher::Aes128),
    );
    let integrity = p.word(
        d,
        "IpsecAuthAlg",
        vocab::INTEGRITY,
        h,
        rules.esp_auth_code,
        rules.esp_auth,
    );
    let pfs = p.word(
        d,
        "IpsecPfs",
        vocab::PFS,
        h,
        rules.pfs_code,
        ("group2", Some(DhGroup(2))),
    );
    let lifetime = p.lifetime(d, "IpsecLifetime", "IllegalParam.IpsecLifetime");
    p.finish();
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
    facts: &crate::dialect::PeerFacts,
) -> Option<At<std::net::IpAddr>> {
    let vpn_gw = root.object(ctx, "VpnGateway");
    let ip =
        crate::dialect::peer_fact::flag_or(facts.cloud_ip, vpn_gw.as_ref(), "InternetIp", |o| {
            o.ip(ctx, "InternetIp", "input.peer-fact")
        });
    if let Some(o) = vpn_gw.as_ref() {
        o.ignore(&["VpnGatewayId", "Name", "Spec"]);
        o.finish(ctx);
    }
    ip
}
