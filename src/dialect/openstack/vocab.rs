//! OpenStack Neutron VPNaaS words (neutron-lib `api/definitions/vpn.py`) and the Huawei Cloud /
//! Open Telekom Cloud flavour of the same API (md5, sha2-256..., group1, disable); see
//! docs/dialects.md. `None` marks a documented word the IR cannot represent.

use crate::ir::{Cipher, DhGroup, IkeMode, IkeVersion, Initiation, Integrity};

pub const IKE_VERSIONS: &[(&str, IkeVersion)] =
    &[("v1", IkeVersion::Ikev1), ("v2", IkeVersion::Ikev2)];

pub const PHASE1_MODES: &[(&str, IkeMode)] =
    &[("main", IkeMode::Main), ("aggressive", IkeMode::Aggressive)];

/// Neutron's full list; only CBC and 16-octet-ICV GCM have an IR value.
pub const CIPHERS: &[(&str, Option<Cipher>)] = &[
    ("3des", Some(Cipher::TripleDes)),
    ("aes-128", Some(Cipher::Aes128)),
    ("aes-192", Some(Cipher::Aes192)),
    ("aes-256", Some(Cipher::Aes256)),
    ("aes-128-gcm-16", Some(Cipher::Aes128Gcm16)),
    ("aes-192-gcm-16", Some(Cipher::Aes192Gcm16)),
    ("aes-256-gcm-16", Some(Cipher::Aes256Gcm16)),
    ("aes-128-gcm-8", None),
    ("aes-192-gcm-8", None),
    ("aes-256-gcm-8", None),
    ("aes-128-gcm-12", None),
    ("aes-192-gcm-12", None),
    ("aes-256-gcm-12", None),
    ("aes-128-ccm-8", None),
    ("aes-192-ccm-8", None),
    ("aes-256-ccm-8", None),
    ("aes-128-ccm-12", None),
    ("aes-192-ccm-12", None),
    ("aes-256-ccm-12", None),
    ("aes-128-ccm-16", None),
    ("aes-192-ccm-16", None),
    ("aes-256-ccm-16", None),
    ("aes-128-ctr", None),
    ("aes-192-ctr", None),
    ("aes-256-ctr", None),
];

/// `sha256`.. are Neutron's words, `sha2-256`.. and `md5` Huawei Cloud's.
pub const AUTH: &[(&str, Option<Integrity>)] = &[
    ("md5", Some(Integrity::Md5)),
    ("sha1", Some(Integrity::Sha1)),
    ("sha256", Some(Integrity::Sha256)),
    ("sha384", Some(Integrity::Sha384)),
    ("sha512", Some(Integrity::Sha512)),
    ("sha2-256", Some(Integrity::Sha256)),
    ("sha2-384", Some(Integrity::Sha384)),
    ("sha2-512", Some(Integrity::Sha512)),
    ("aes-xcbc", None),
    ("aes-cmac", None),
];

/// Neutron: group2, group5, group14..group31; Huawei Cloud adds group1 and `disable`.
/// `Some(None)` is "no PFS" (ipsecpolicy only).
pub const PFS: &[(&str, Option<Option<DhGroup>>)] = &[
    ("disable", Some(None)),
    ("group1", Some(Some(DhGroup(1)))),
    ("group2", Some(Some(DhGroup(2)))),
    ("group5", Some(Some(DhGroup(5)))),
    ("group14", Some(Some(DhGroup(14)))),
    ("group15", Some(Some(DhGroup(15)))),
    ("group16", Some(Some(DhGroup(16)))),
    ("group17", Some(Some(DhGroup(17)))),
    ("group18", Some(Some(DhGroup(18)))),
    ("group19", Some(Some(DhGroup(19)))),
    ("group20", Some(Some(DhGroup(20)))),
    ("group21", Some(Some(DhGroup(21)))),
    ("group22", Some(Some(DhGroup(22)))),
    ("group23", Some(Some(DhGroup(23)))),
    ("group24", Some(Some(DhGroup(24)))),
    ("group25", Some(Some(DhGroup(25)))),
    ("group26", Some(Some(DhGroup(26)))),
    ("group27", Some(Some(DhGroup(27)))),
    ("group28", Some(Some(DhGroup(28)))),
    ("group29", Some(Some(DhGroup(29)))),
    ("group30", Some(Some(DhGroup(30)))),
    ("group31", Some(Some(DhGroup(31)))),
];

/// Only `seconds` exists (kilobyte lifetimes were removed from Neutron).
pub const LIFETIME_UNITS: &[(&str, ())] = &[("seconds", ())];

/// ESP only: the IR models ESP SAs.
pub const TRANSFORM_PROTOCOLS: &[(&str, Option<()>)] =
    &[("esp", Some(())), ("ah", None), ("ah-esp", None)];

pub const ENCAPSULATION_MODES: &[(&str, Option<()>)] = &[("tunnel", Some(())), ("transport", None)];

/// `response-only`: the cloud never initiates.
pub const INITIATORS: &[(&str, Initiation)] = &[
    ("bi-directional", Initiation::Immediately),
    ("response-only", Initiation::Respond),
];

/// DPD actions: only `disabled` changes what the IR holds (the others are the cloud's local
/// reaction to a dead peer).
pub const DPD_ACTIONS: &[(&str, bool)] = &[
    ("hold", true),
    ("clear", true),
    ("restart", true),
    ("restart-by-peer", true),
    ("disabled", false),
];

/// Neutron documents only `psk`; `cert` appears in some clouds' responses.
pub const AUTH_MODES: &[(&str, Option<()>)] = &[("psk", Some(())), ("cert", None)];

pub const ROUTE_MODES: &[(&str, ())] = &[("static", ())];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupType {
    Subnet,
    Cidr,
    Other,
}

/// Endpoint group types (neutron-vpnaas `services/vpn/common/constants.py`).
pub const GROUP_TYPES: &[(&str, GroupType)] = &[
    ("subnet", GroupType::Subnet),
    ("cidr", GroupType::Cidr),
    ("network", GroupType::Other),
    ("router", GroupType::Other),
    ("vlan", GroupType::Other),
];

pub const DEFAULTS_SOURCE: &str = "OpenStack Neutron VPNaaS default";

/// Other vendors' spellings, for the "did you mean" of a rejected value.
pub const HINTS: &[(&str, &str)] = &[
    ("aes", "aes-128"),
    ("aes128", "aes-128"),
    ("aes192", "aes-192"),
    ("aes256", "aes-256"),
    ("aes128gcm16", "aes-128-gcm-16"),
    ("aes256gcm16", "aes-256-gcm-16"),
    ("sha", "sha1"),
    ("sha-1", "sha1"),
    ("sha2", "sha256"),
    ("sha-256", "sha256"),
    ("modp1024", "group2"),
    ("modp1536", "group5"),
    ("modp2048", "group14"),
    ("none", "disable"),
    ("disabled", "disable"),
    ("ikev1", "v1"),
    ("ikev2", "v2"),
    ("bidirectional", "bi-directional"),
];
