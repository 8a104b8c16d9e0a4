//! Huawei Cloud VPN API v5 words (as Open Telekom Cloud's Enterprise VPN API reference prints
//! them: `api_reference_enterprise_edition_vpn/api/vpn_connection/creating_a_vpn_connection.rst`),
//! with the documented defaults; see docs/dialects.md.

use crate::ir::{Cipher, DhGroup, IkeMode, IkeVersion, Integrity};

/// The API's error code for an invalid input parameter ("VPN.0001 invalid request", the only
/// code its error table names for a request it refuses).
pub const CODE_INVALID: &str = "VPN.0001";
/// ipsecgen's code for a documented value it cannot express.
pub const CODE_UNSUPPORTED: &str = "huawei.unsupported";

pub const DEFAULTS_SOURCE: &str = "Huawei Cloud VPN API v5 default (CreateVpnConnection)";

/// How the connection routes: `style` (the request spells it in lower case, responses in
/// upper case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Policy,
    Static,
    Bgp,
}

pub const STYLES: &[(&str, Style)] = &[
    ("policy", Style::Policy),
    ("static", Style::Static),
    ("bgp", Style::Bgp),
    ("POLICY", Style::Policy),
    ("STATIC", Style::Static),
    ("BGP", Style::Bgp),
];

pub const IKE_VERSIONS: &[(&str, IkeVersion)] =
    &[("v1", IkeVersion::Ikev1), ("v2", IkeVersion::Ikev2)];

pub const PHASE1_MODES: &[(&str, IkeMode)] =
    &[("main", IkeMode::Main), ("aggressive", IkeMode::Aggressive)];

/// IkePolicy and IpsecPolicy `authentication_algorithm`.
pub const AUTH: &[(&str, Integrity)] = &[
    ("sha2-512", Integrity::Sha512),
    ("sha2-384", Integrity::Sha384),
    ("sha2-256", Integrity::Sha256),
    ("sha1", Integrity::Sha1),
    ("md5", Integrity::Md5),
];

/// IkePolicy and IpsecPolicy `encryption_algorithm`.
pub const CIPHERS: &[(&str, Cipher)] = &[
    ("aes-256-gcm-16", Cipher::Aes256Gcm16),
    ("aes-128-gcm-16", Cipher::Aes128Gcm16),
    ("aes-256", Cipher::Aes256),
    ("aes-192", Cipher::Aes192),
    ("aes-128", Cipher::Aes128),
    ("3des", Cipher::TripleDes),
];

/// IkePolicy `dh_group`.
pub const DH_GROUPS: &[(&str, DhGroup)] = &[
    ("group1", DhGroup(1)),
    ("group2", DhGroup(2)),
    ("group5", DhGroup(5)),
    ("group14", DhGroup(14)),
    ("group15", DhGroup(15)),
    ("group16", DhGroup(16)),
    ("group19", DhGroup(19)),
    ("group20", DhGroup(20)),
    ("group21", DhGroup(21)),
];

/// IpsecPolicy `pfs`: the same groups, or `disable`.
pub const PFS: &[(&str, Option<DhGroup>)] = &[
    ("group1", Some(DhGroup(1))),
    ("group2", Some(DhGroup(2))),
    ("group5", Some(DhGroup(5))),
    ("group14", Some(DhGroup(14))),
    ("group15", Some(DhGroup(15))),
    ("group16", Some(DhGroup(16))),
    ("group19", Some(DhGroup(19))),
    ("group20", Some(DhGroup(20))),
    ("group21", Some(DhGroup(21))),
    ("disable", None),
];

/// IkePolicy `authentication_method`: pre-shared keys only.
pub const AUTH_METHODS: &[(&str, ())] = &[("pre-share", ())];

/// `local_id_type` / `peer_id_type`: `fqdn` is documented as "currently not supported".
pub const ID_TYPES: &[(&str, bool)] = &[("ip", true), ("fqdn", false)];

/// IkePolicy `dpd.msg`: the order of the payloads in the cloud's DPD packets. Peers accept
/// either; it does not change what the other end is configured with.
pub const DPD_MSGS: &[(&str, ())] = &[("seq-hash-notify", ()), ("seq-notify-hash", ())];

pub const TRANSFORM_PROTOCOLS: &[(&str, ())] = &[("esp", ())];
pub const ENCAPSULATION_MODES: &[(&str, ())] = &[("tunnel", ())];

/// `ha_role`: on an active/standby gateway, the connection over the active (master) or the
/// standby (slave) EIP; an active-active gateway has only master.
pub const HA_ROLES: &[(&str, ())] = &[("master", ()), ("slave", ())];

/// A customer gateway's `id_type`: `ip` (id_value is its address) or `fqdn`.
pub const CGW_ID_TYPES: &[(&str, bool)] = &[("ip", true), ("fqdn", false)];

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
    ("sha256", "sha2-256"),
    ("sha384", "sha2-384"),
    ("sha512", "sha2-512"),
    ("modp1024", "group2"),
    ("modp1536", "group5"),
    ("modp2048", "group14"),
    ("modp3072", "group15"),
    ("modp4096", "group16"),
    ("ecp256", "group19"),
    ("none", "disable"),
    ("disabled", "disable"),
    ("ikev1", "v1"),
    ("ikev2", "v2"),
    ("psk", "pre-share"),
    ("route", "static"),
];
