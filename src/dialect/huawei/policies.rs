//! A v5 connection's `ikepolicy` (with `dpd`) and `ipsecpolicy`, with the documented defaults
//! when a field or the whole object is absent (a create request may give neither).

use crate::diag::Diagnostic;
use crate::ir::{At, Cipher, DhGroup, Dpd, EspPolicy, IkePolicy, IkeVersion, Integrity, Prf};

use super::super::defaults::Defaults;
use super::super::fields::{Ctx, Obj};
use super::super::value_rules::in_range;
use super::vocab::{self, CODE_INVALID};

/// What the IKE policy holds besides the IR's IkePolicy.
pub struct Ike {
    pub policy: IkePolicy,
    pub local_id: Option<At<crate::ir::Identity>>,
    pub peer_id: Option<At<crate::ir::Identity>>,
    pub dpd: Dpd,
}

fn cipher(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, field: &str) -> At<Cipher> {
    let given = o.and_then(|o| {
        o.choice_hinted(
            ctx,
            "encryption_algorithm",
            vocab::CIPHERS,
            vocab::HINTS,
            CODE_INVALID,
        )
    });
    d.or(
        given,
        format!("{field}.encryption_algorithm"),
        "aes-128",
        Cipher::Aes128,
    )
}

fn auth(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, field: &str) -> At<Integrity> {
    let given = o.and_then(|o| {
        o.choice_hinted(
            ctx,
            "authentication_algorithm",
            vocab::AUTH,
            vocab::HINTS,
            CODE_INVALID,
        )
    });
    d.or(
        given,
        format!("{field}.authentication_algorithm"),
        "sha2-256",
        Integrity::Sha256,
    )
}

fn lifetime(
    ctx: &Ctx,
    o: Option<&Obj>,
    d: &mut Defaults,
    field: &str,
    range: std::ops::RangeInclusive<u64>,
    default: u32,
) -> At<u32> {
    let help = format!(
        "lifetime_seconds is in seconds, from {} to {}",
        range.start(),
        range.end()
    );
    let given = o.and_then(|o| {
        in_range(
            ctx,
            o.integer(ctx, "lifetime_seconds"),
            range,
            CODE_INVALID,
            &format!("{field}.lifetime_seconds"),
            &help,
        )
    });
    d.or(
        given,
        format!("{field}.lifetime_seconds"),
        default.to_string(),
        default,
    )
}

/// An IKE identity of type ip (the only type the API supports): an IPv4 address.
fn identity(
    ctx: &Ctx,
    o: &Obj,
    type_key: &'static str,
    key: &'static str,
) -> Option<At<crate::ir::Identity>> {
    if let Some(t) = o
        .choice(ctx, type_key, vocab::ID_TYPES, CODE_INVALID)
        .filter(|t| !t.value)
    {
        ctx.push(
            Diagnostic::error(
                CODE_INVALID,
                format!("`{}.{type_key}` fqdn is not supported by the API", o.path),
            )
            .at(t.span, "documented as \"currently not supported\"")
            .help("use ip (the default): the identity is then the gateway's IPv4 address"),
        );
    }
    o.identity_or_empty(ctx, key)
}

pub fn ike(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, own: &mut Defaults) -> Ike {
    const F: &str = "ikepolicy";
    let version = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "ike_version",
                vocab::IKE_VERSIONS,
                vocab::HINTS,
                CODE_INVALID,
            )
        }),
        "ikepolicy.ike_version",
        "v2",
        IkeVersion::Ikev2,
    );
    let mode = o.and_then(|o| {
        o.choice(
            ctx,
            "phase1_negotiation_mode",
            vocab::PHASE1_MODES,
            CODE_INVALID,
        )
    });
    let mode = d.or(
        mode,
        "ikepolicy.phase1_negotiation_mode",
        "main",
        crate::ir::IkeMode::Main,
    );
    let auth = auth(ctx, o, d, F);
    let cipher = cipher(ctx, o, d, F);
    let dh = o.and_then(|o| {
        o.choice_hinted(
            ctx,
            "dh_group",
            vocab::DH_GROUPS,
            vocab::HINTS,
            CODE_INVALID,
        )
    });
    let dh = d.or(dh, "ikepolicy.dh_group", "group15", DhGroup(15));
    if let Some(o) = o {
        o.choice_hinted(
            ctx,
            "authentication_method",
            vocab::AUTH_METHODS,
            vocab::HINTS,
            CODE_INVALID,
        );
    }
    let lifetime = lifetime(ctx, o, d, F, 60..=604_800, 86_400);
    let local_id = o.and_then(|o| identity(ctx, o, "local_id_type", "local_id"));
    let peer_id = o.and_then(|o| identity(ctx, o, "peer_id_type", "peer_id"));
    let dpd = dpd(ctx, o, d, own);
    if let Some(o) = o {
        o.finish(ctx);
    }
    let aead = cipher.value.is_aead();
    Ike {
        policy: IkePolicy {
            version,
            mode,
            // With GCM the authentication algorithm is the PRF.
            integrity: (!aead).then(|| auth.clone()),
            prf: aead.then(|| At::new(Prf::matching(auth.value), auth.span)),
            cipher,
            dh,
            lifetime,
        },
        local_id,
        peer_id,
        dpd,
    }
}

/// `ikepolicy.dpd {timeout, interval, msg}`: timeout 2..60 (default 15) is the cloud's
/// retransmission interval, interval 10..3600 (default 30) the idle time before a probe. The
/// API has no way to turn DPD off.
fn dpd(ctx: &Ctx, ike: Option<&Obj>, d: &mut Defaults, own: &mut Defaults) -> Dpd {
    let o = ike.and_then(|o| o.object(ctx, "dpd"));
    let timeout = o.as_ref().and_then(|o| {
        in_range(
            ctx,
            o.integer(ctx, "timeout"),
            2..=60,
            CODE_INVALID,
            "ikepolicy.dpd.timeout",
            "the DPD retransmission interval, from 2 to 60 seconds",
        )
    });
    let interval = o.as_ref().and_then(|o| {
        in_range(
            ctx,
            o.integer(ctx, "interval"),
            10..=3600,
            CODE_INVALID,
            "ikepolicy.dpd.interval",
            "the DPD idle time, from 10 to 3600 seconds",
        )
    });
    if let Some(o) = &o {
        o.choice(ctx, "msg", vocab::DPD_MSGS, CODE_INVALID);
        o.finish(ctx);
    }
    let _retransmit = d.or(timeout, "ikepolicy.dpd.timeout", "15", 15);
    let interval = d.or(interval, "ikepolicy.dpd.interval", "30", 30);
    // The API's dpd.timeout is the cloud's retransmission interval, not a time after which the
    // peer is dead: the peer's own dead-peer time is ipsecgen's choice.
    let dead = interval.value.saturating_mul(4);
    own.or(
        None,
        "DPD dead-peer time",
        format!("{dead} s (4 x ikepolicy.dpd.interval)"),
        (),
    );
    Dpd {
        enabled: At::bare(true),
        interval,
        timeout: dead,
    }
}

pub fn esp(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> EspPolicy {
    const F: &str = "ipsecpolicy";
    let auth = auth(ctx, o, d, F);
    let cipher = cipher(ctx, o, d, F);
    let pfs = o.and_then(|o| o.choice_hinted(ctx, "pfs", vocab::PFS, vocab::HINTS, CODE_INVALID));
    let pfs = d.or(pfs, "ipsecpolicy.pfs", "group15", Some(DhGroup(15)));
    if let Some(o) = o {
        o.choice(
            ctx,
            "transform_protocol",
            vocab::TRANSFORM_PROTOCOLS,
            CODE_INVALID,
        );
        o.choice(
            ctx,
            "encapsulation_mode",
            vocab::ENCAPSULATION_MODES,
            CODE_INVALID,
        );
    }
    let lifetime = lifetime(ctx, o, d, F, 30..=604_800, 3600);
    if let Some(o) = o {
        o.finish(ctx);
    }
    let aead = cipher.value.is_aead();
    EspPolicy {
        integrity: (!aead).then_some(auth),
        cipher,
        pfs: pfs.value.map(|g| At::new(g, pfs.span)),
        lifetime,
    }
}
