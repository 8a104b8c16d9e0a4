//! ZStack's words for IPsec connections (the `@Param(validValues = ...)` of the Java SDK's
//! ChangeIPsecConnectionAction / CreateIPsecConnectionAction; see docs/dialects.md).
//! `None` marks a documented word the IR cannot represent.

use crate::ir::{Cipher, DhGroup, IkeVersion, Integrity};

/// `ike` is strongSwan's "either": initiate with IKEv2, answer both. The IR has one version, so
/// the peer gets IKEv2, which the ZStack side accepts.
pub const IKE_VERSIONS: &[(&str, IkeVersion)] = &[
    ("ike", IkeVersion::Ikev2),
    ("ikev1", IkeVersion::Ikev1),
    ("ikev2", IkeVersion::Ikev2),
];

pub const CIPHERS: &[(&str, Cipher)] = &[
    ("3des", Cipher::TripleDes),
    ("aes-128", Cipher::Aes128),
    ("aes-192", Cipher::Aes192),
    ("aes-256", Cipher::Aes256),
];

pub const AUTH: &[(&str, Integrity)] = &[
    ("md5", Integrity::Md5),
    ("sha1", Integrity::Sha1),
    ("sha256", Integrity::Sha256),
    ("sha384", Integrity::Sha384),
    ("sha512", Integrity::Sha512),
];

/// `pfs`: `none` or `dh-groupN`.
pub const PFS: &[(&str, Option<DhGroup>)] = &[
    ("none", None),
    ("dh-group2", Some(DhGroup(2))),
    ("dh-group5", Some(DhGroup(5))),
    ("dh-group14", Some(DhGroup(14))),
    ("dh-group15", Some(DhGroup(15))),
    ("dh-group16", Some(DhGroup(16))),
    ("dh-group17", Some(DhGroup(17))),
    ("dh-group18", Some(DhGroup(18))),
    ("dh-group19", Some(DhGroup(19))),
    ("dh-group20", Some(DhGroup(20))),
    ("dh-group21", Some(DhGroup(21))),
    ("dh-group22", Some(DhGroup(22))),
    ("dh-group23", Some(DhGroup(23))),
    ("dh-group24", Some(DhGroup(24))),
    ("dh-group25", Some(DhGroup(25))),
    ("dh-group26", Some(DhGroup(26))),
];

/// `ikeDhGroup` is a plain integer; the groups the same API offers for PFS, and group 1 (the
/// API's own examples use it).
pub const IKE_DH_GROUPS: &[u16] = &[1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];

pub const AUTH_MODES: &[(&str, Option<()>)] = &[("psk", Some(())), ("certs", None)];

pub const ID_TYPES: &[(&str, ())] = &[("ip", ()), ("name", ()), ("fqdn", ())];

pub const POLICY_MODES: &[(&str, Option<()>)] = &[("tunnel", Some(())), ("transport", None)];

pub const TRANSFORM_PROTOCOLS: &[(&str, Option<()>)] =
    &[("esp", Some(())), ("ah", None), ("ah-esp", None)];

pub const DEFAULTS_SOURCE: &str = "ZStack ChangeIPsecConnection default";

/// Other vendors' spellings, for the "did you mean" of a rejected value.
pub const HINTS: &[(&str, &str)] = &[
    ("aes", "aes-128"),
    ("aes128", "aes-128"),
    ("aes192", "aes-192"),
    ("aes256", "aes-256"),
    ("sha", "sha1"),
    ("sha2", "sha256"),
    ("sha-256", "sha256"),
    ("sha2-256", "sha256"),
    ("group2", "dh-group2"),
    ("group5", "dh-group5"),
    ("group14", "dh-group14"),
    ("modp2048", "dh-group14"),
    ("disabled", "none"),
    ("v1", "ikev1"),
    ("v2", "ikev2"),
];
