//! Alibaba Cloud's words for algorithms and modes (CreateVpnConnection /
//! ModifyVpnAttachmentAttribute and the IPsec server share them; see docs/alibaba-reference.md).

use crate::ir::{Cipher, DhGroup, IkeMode, IkeVersion, Integrity};

pub const IKE_VERSIONS: &[(&str, IkeVersion)] =
    &[("ikev1", IkeVersion::Ikev1), ("ikev2", IkeVersion::Ikev2)];

pub const IKE_MODES: &[(&str, IkeMode)] =
    &[("main", IkeMode::Main), ("aggressive", IkeMode::Aggressive)];

/// `aes` is AES-128-CBC (the API's default key size; no page states it otherwise).
/// `sm4` is accepted only by the "Certified Cryptography" (SM) gateways.
pub const CIPHERS: &[(&str, Cipher)] = &[
    ("aes", Cipher::Aes128),
    ("aes192", Cipher::Aes192),
    ("aes256", Cipher::Aes256),
    ("des", Cipher::Des),
    ("3des", Cipher::TripleDes),
    ("sm4", Cipher::Sm4),
];

pub const INTEGRITY: &[(&str, Integrity)] = &[
    ("md5", Integrity::Md5),
    ("sha1", Integrity::Sha1),
    ("sha256", Integrity::Sha256),
    ("sha384", Integrity::Sha384),
    ("sha512", Integrity::Sha512),
    ("sm3", Integrity::Sm3),
];

pub const DH_GROUPS: &[(&str, DhGroup)] = &[
    ("group1", DhGroup(1)),
    ("group2", DhGroup(2)),
    ("group5", DhGroup(5)),
    ("group14", DhGroup(14)),
];

/// IpsecPfs additionally accepts `disabled` (no PFS).
pub const PFS: &[(&str, Option<DhGroup>)] = &[
    ("disabled", None),
    ("group1", Some(DhGroup(1))),
    ("group2", Some(DhGroup(2))),
    ("group5", Some(DhGroup(5))),
    ("group14", Some(DhGroup(14))),
];

/// NetworkType of a connection: over the Internet or over a private line.
pub const NETWORK_TYPES: &[(&str, ())] = &[("public", ()), ("private", ())];

/// Where the documented defaults come from.
pub const DEFAULTS_SOURCE: &str = "Alibaba Cloud API default";

/// Other vendors' spellings of Alibaba's words, for the "did you mean" of a rejected value.
pub const HINTS: &[(&str, &str)] = &[
    ("aes128", "aes"),
    ("aes-128", "aes"),
    ("aes-cbc-128", "aes"),
    ("aes-192", "aes192"),
    ("aes-256", "aes256"),
    ("aes-cbc-256", "aes256"),
    ("3des-cbc", "3des"),
    ("sha", "sha1"),
    ("sha-1", "sha1"),
    ("sha2", "sha256"),
    ("sha-256", "sha256"),
    ("sha2-256", "sha256"),
    ("sha2_256", "sha256"),
    ("sha-384", "sha384"),
    ("sha-512", "sha512"),
    ("modp1024", "group2"),
    ("modp1536", "group5"),
    ("modp2048", "group14"),
    ("dh2", "group2"),
    ("dh5", "group5"),
    ("dh14", "group14"),
    ("none", "disabled"),
    ("off", "disabled"),
    ("v1", "ikev1"),
    ("v2", "ikev2"),
];
