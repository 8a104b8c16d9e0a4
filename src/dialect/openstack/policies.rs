//! Neutron's `ikepolicy` and `ipsecpolicy` objects, with the API's defaults when absent.

use crate::diag::Diagnostic;
use crate::ir::{At, Cipher, DhGroup, EspPolicy, IkeMode, IkePolicy, IkeVersion, Integrity, Prf};

use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::value_rules::{in_range, representable};

pub const CODE_VALUE: &str = "neutron.value";
pub const CODE_UNSUPPORTED: &str = "neutron.unsupported";

/// Keys of both policies that do not affect the tunnel.
const IGNORED: &[&str] = &["id", "tenant_id", "project_id", "name", "description"];

/// Lifetime: `{units: seconds, value}`, 60 s at least (Neutron), at most 604800 (Huawei Cloud).
fn lifetime(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, field: &str) -> At<u32> {
    let life = o.and_then(|o| o.object(ctx, "lifetime"));
    let value = life.as_ref().and_then(|l| {
        l.choice(ctx, "units", vocab::LIFETIME_UNITS, CODE_VALUE);
        in_range(
            ctx,
            l.integer(ctx, "value"),
            60..=604_800,
            "neutron.lifetime",
            &format!("{field}.lifetime.value"),
            "lifetimes are in seconds, from 60 to 604800 (one week)",
        )
    });
    if let Some(l) = &life {
        l.finish(ctx);
    }
    d.or(value, format!("{field}.lifetime"), "3600 seconds", 3600)
}

/// An encryption_algorithm and auth_algorithm pair. AEAD ciphers (GCM) carry their own
/// integrity: the auth algorithm then only names the IKE PRF.
struct Algorithms {
    cipher: At<Cipher>,
    auth: At<Integrity>,
}

fn algorithms(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults, field: &str) -> Algorithms {
    let cipher = o.and_then(|o| {
        o.choice_hinted(
            ctx,
            "encryption_algorithm",
            vocab::CIPHERS,
            vocab::HINTS,
            CODE_VALUE,
        )
    });
    let cipher = representable(
        ctx,
        cipher,
        CODE_UNSUPPORTED,
        &format!("{field}.encryption_algorithm"),
        "supported: 3des, aes-128, aes-192, aes-256 and aes-128/192/256-gcm-16",
    );
    let auth = o.and_then(|o| {
        o.choice_hinted(ctx, "auth_algorithm", vocab::AUTH, vocab::HINTS, CODE_VALUE)
    });
    let auth = representable(
        ctx,
        auth,
        CODE_UNSUPPORTED,
        &format!("{field}.auth_algorithm"),
        "supported: md5, sha1, sha256 (sha2-256), sha384 (sha2-384), sha512 (sha2-512)",
    );
    Algorithms {
        cipher: d.or(
            cipher,
            format!("{field}.encryption_algorithm"),
            "aes-128",
            Cipher::Aes128,
        ),
        auth: d.or(
            auth,
            format!("{field}.auth_algorithm"),
            "sha1",
            Integrity::Sha1,
        ),
    }
}

/// The PFS word: `Some(None)` is "disable".
fn pfs(ctx: &Ctx, o: Option<&Obj>, field: &str) -> Option<At<Option<DhGroup>>> {
    let v = o.and_then(|o| o.choice_hinted(ctx, "pfs", vocab::PFS, vocab::HINTS, CODE_VALUE));
    representable(ctx, v, CODE_UNSUPPORTED, &format!("{field}.pfs"), "")
}

pub fn ike(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> IkePolicy {
    const F: &str = "ikepolicy";
    if let Some(o) = o {
        o.ignore(IGNORED);
    }
    let version = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "ike_version",
                vocab::IKE_VERSIONS,
                vocab::HINTS,
                CODE_VALUE,
            )
        }),
        "ikepolicy.ike_version",
        "v1",
        IkeVersion::Ikev1,
    );
    let mode = d.or(
        o.and_then(|o| {
            o.choice(
                ctx,
                "phase1_negotiation_mode",
                vocab::PHASE1_MODES,
                CODE_VALUE,
            )
        }),
        "ikepolicy.phase1_negotiation_mode",
        "main",
        IkeMode::Main,
    );
    let alg = algorithms(ctx, o, d, F);
    let dh = match pfs(ctx, o, F) {
        Some(At {
            value: Some(g),
            span,
        }) => Some(At::new(g, span)),
        Some(At { value: None, span }) => {
            ctx.push(
                Diagnostic::error(CODE_UNSUPPORTED, "IKE cannot run without a DH group")
                    .at(span, "`disable` is only meaningful for ipsecpolicy.pfs")
                    .help("choose a group such as group14"),
            );
            None
        }
        None => None,
    };
    let dh = d.or(dh, "ikepolicy.pfs", "group5", DhGroup(5));
    let lifetime = lifetime(ctx, o, d, F);
    if let Some(o) = o {
        o.finish(ctx);
    }
    let aead = alg.cipher.value.is_aead();
    IkePolicy {
        version,
        mode,
        // With GCM the auth algorithm is the PRF (Neutron's strongSwan driver does the same).
        integrity: (!aead).then(|| alg.auth.clone()),
        prf: aead.then(|| At::new(Prf::matching(alg.auth.value), alg.auth.span)),
        cipher: alg.cipher,
        dh,
        lifetime,
    }
}

pub fn esp(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> EspPolicy {
    const F: &str = "ipsecpolicy";
    if let Some(o) = o {
        o.ignore(IGNORED);
    }
    let protocol = o.and_then(|o| {
        o.choice(
            ctx,
            "transform_protocol",
            vocab::TRANSFORM_PROTOCOLS,
            CODE_VALUE,
        )
    });
    representable(
        ctx,
        protocol,
        CODE_UNSUPPORTED,
        "ipsecpolicy.transform_protocol",
        "ipsecgen models ESP only; AH gives no confidentiality. Use transform_protocol esp",
    );
    let mode = o.and_then(|o| {
        o.choice(
            ctx,
            "encapsulation_mode",
            vocab::ENCAPSULATION_MODES,
            CODE_VALUE,
        )
    });
    representable(
        ctx,
        mode,
        CODE_UNSUPPORTED,
        "ipsecpolicy.encapsulation_mode",
        "ipsecgen renders site-to-site tunnels; use encapsulation_mode tunnel",
    );
    let alg = algorithms(ctx, o, d, F);
    let pfs = d.or(
        pfs(ctx, o, F),
        "ipsecpolicy.pfs",
        "group5",
        Some(DhGroup(5)),
    );
    let lifetime = lifetime(ctx, o, d, F);
    if let Some(o) = o {
        o.finish(ctx);
    }
    let aead = alg.cipher.value.is_aead();
    EspPolicy {
        integrity: (!aead).then_some(alg.auth),
        cipher: alg.cipher,
        pfs: pfs.value.map(|g| At::new(g, pfs.span)),
        lifetime,
    }
}
