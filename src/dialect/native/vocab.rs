//! ipsecgen's own words: the IR's ids (`Cipher::id`, `Integrity::id`, `Prf::id`), so the native
//! format can state everything the IR holds. DH groups are written as IANA numbers.

use crate::ir::{Cipher, IkeMode, IkeVersion, Initiation, Integrity, Prf};

pub const IKE_VERSIONS: &[(&str, IkeVersion)] =
    &[("ikev1", IkeVersion::Ikev1), ("ikev2", IkeVersion::Ikev2)];

pub const IKE_MODES: &[(&str, IkeMode)] =
    &[("main", IkeMode::Main), ("aggressive", IkeMode::Aggressive)];

pub const INITIATIONS: &[(&str, Initiation)] = &[
    ("immediately", Initiation::Immediately),
    ("on_traffic", Initiation::OnTraffic),
    ("respond", Initiation::Respond),
];

pub fn ciphers() -> Vec<(&'static str, Cipher)> {
    Cipher::ALL.iter().map(|c| (c.id(), *c)).collect()
}

pub fn integrity() -> Vec<(&'static str, Integrity)> {
    Integrity::ALL.iter().map(|i| (i.id(), *i)).collect()
}

pub fn prfs() -> Vec<(&'static str, Prf)> {
    Prf::ALL.iter().map(|p| (p.id(), *p)).collect()
}

/// `pfs: none` (or null) disables PFS.
pub const NO_PFS: &str = "none";

pub const DEFAULTS_SOURCE: &str = "ipsecgen default";

/// Cloud vendors' spellings of the IR's words, for the "did you mean" of a rejected value.
pub const HINTS: &[(&str, &str)] = &[
    ("aes", "aes128"),
    ("aes-128", "aes128"),
    ("aes-192", "aes192"),
    ("aes-256", "aes256"),
    ("aes-128-gcm-16", "aes128gcm16"),
    ("aes-256-gcm-16", "aes256gcm16"),
    ("sha2-256", "sha256"),
    ("sha-256", "sha256"),
    ("sha2", "sha256"),
    ("sha", "sha1"),
    ("v1", "ikev1"),
    ("v2", "ikev2"),
    ("ike", "ikev2"),
    ("on-traffic", "on_traffic"),
    ("start", "immediately"),
    ("trap", "on_traffic"),
];

/// Integrity words written where a PRF is expected.
pub const PRF_HINTS: &[(&str, &str)] = &[
    ("md5", "prfmd5"),
    ("sha1", "prfsha1"),
    ("sha256", "prfsha256"),
    ("sha384", "prfsha384"),
    ("sha512", "prfsha512"),
];
