//! A target: a folder of templates plus `target.toml`, the table of its words for every
//! primitive, the features it supports and the files it produces.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diag::Diagnostic;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The name users pass to `--target`.
    pub name: String,
    pub description: String,
    /// The software versions the syntax is written for.
    pub versions: String,
    /// What checks the output, honestly: `real daemon`, `vendor schema` or `docs only`, and by
    /// what (the README's "checked by" column); a user's own target that does not say is
    /// "not stated".
    #[serde(default = "not_stated")]
    pub checked_by: String,
    /// The line-comment prefix of the output files.
    pub comment: String,
    pub files: Vec<OutputFile>,
    pub features: Features,
    /// The target's word for every primitive it supports, by IR id.
    #[serde(default)]
    pub names: Names,
    /// The target's words for semantic values (`[words.<category>] <ir id> = "<word>"`).
    #[serde(default)]
    pub words: BTreeMap<String, BTreeMap<String, String>>,
    /// How proposal strings join their parts (strongSwan: "-"), if the target uses them.
    #[serde(default)]
    pub proposal_separator: Option<String>,
    /// How the PSK is written.
    #[serde(default)]
    pub psk: PskStyle,
    /// Characters a PSK may not contain on this target (with `psk.style = "plain"`).
    #[serde(default)]
    pub psk_forbidden: String,
    /// Prefixes that make the device decode a key instead of reading it as it is (strongSwan:
    /// `0x` hex and `0s` base64, quoted or not; RouterOS: `0x`). A key that starts with one
    /// (in any letter case) is written as `0x` and the hex of its bytes, which such a device
    /// decodes back to the key itself.
    #[serde(default)]
    pub psk_decoded_prefixes: Vec<String>,
    /// The longest object name the target accepts; longer connection names are shortened
    /// deterministically (a hash suffix keeps them distinct).
    #[serde(default = "default_max_name")]
    pub max_name: usize,
    /// How the device expresses the DPD timeout (`[dpd]`).
    #[serde(default)]
    pub dpd: DpdSpec,
    /// Which IKE identities the output configures (`[identity]`).
    #[serde(default)]
    pub identity: IdentitySpec,
    /// Primitives the device knows but refuses in its default configuration (`[blocked]`).
    #[serde(default)]
    pub blocked: Option<Blocked>,
    /// The SA lifetimes (seconds, inclusive) the device accepts (`[lifetime] ike = [a, b]`,
    /// `esp = [a, b]`); outside them a connection is refused rather than written for a device
    /// that rejects the line.
    #[serde(default)]
    pub lifetime: LifetimeRanges,
    /// What a device model needs for a primitive the output uses (`[notes.<table>] <id> =
    /// "..."`): printed in the header when the connection uses it.
    #[serde(default)]
    pub notes: BTreeMap<String, BTreeMap<String, String>>,
}

/// Words of the name tables that the device refuses by default (IOS-XE 17.11+: weak crypto
/// behind `crypto engine compliance shield`): refused with `reason`, never printed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocked {
    /// Why, and what the user can do (printed as the diagnostic's help).
    pub reason: String,
    /// Name-table keys (`ike_dh`, or `ikev2.ike_dh` for one IKE version) to the IR ids blocked.
    pub ids: BTreeMap<String, Vec<String>>,
}

impl Blocked {
    /// Whether `id` of name table `table` is blocked under IKE version `version`.
    pub fn blocks(&self, version: crate::ir::IkeVersion, table: &str, id: &str) -> bool {
        [table.to_owned(), format!("{}.{table}", version.id())]
            .iter()
            .filter_map(|k| self.ids.get(k))
            .any(|ids| ids.iter().any(|i| i == id))
    }
}

/// SA lifetime ranges a device accepts, in seconds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifetimeRanges {
    #[serde(default)]
    pub ike: Option<[u32; 2]>,
    #[serde(default)]
    pub esp: Option<[u32; 2]>,
}

/// Which IKE identities a target's output configures, per IKE version (`[identity]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    #[serde(default)]
    pub ikev1: IdentityScope,
    #[serde(default)]
    pub ikev2: IdentityScope,
}

/// The identities an output can configure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityScope {
    /// IP and FQDN identities, whatever the gateway address.
    #[default]
    Any,
    /// Only the gateway's own address (what the device sends and expects by default): any
    /// other identity is refused (`target.unsupported`) rather than left to a comment.
    Gateway,
}

/// How a device says when a silent peer is dead (`[dpd]` in target.toml).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpdSpec {
    /// The device's word for the timeout, for IKEv1 (and IKEv2 unless `timeout_ikev2` is given).
    #[serde(default)]
    pub timeout: DpdTimeout,
    /// The same under IKEv2, where it differs.
    #[serde(default)]
    pub timeout_ikev2: Option<DpdTimeout>,
    /// The retry counts the device accepts (`timeout = "retries"`), inclusive.
    #[serde(default)]
    pub retries_range: Option<[u32; 2]>,
}

/// What a device's DPD timeout setting is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DpdTimeout {
    /// The number of unanswered probes, sent every interval (dead after retries x interval).
    Retries,
    /// The timeout itself, in seconds.
    Seconds,
    /// Printed, but the daemon does not use it (strongSwan and libreswan under IKEv2: the
    /// retransmission schedule decides).
    Ignored,
    /// Not expressible: the device's own fixed retries decide; the header says so.
    #[default]
    None,
}

fn not_stated() -> String {
    "not stated".to_owned()
}

fn default_max_name() -> usize {
    40
}

/// The PSK notation of a target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PskStyle {
    /// strongSwan: `"text"` when unambiguous, otherwise `0x` hex (any byte is safe).
    #[default]
    Strongswan,
    /// Written as it is: a PSK with a forbidden character (`psk_forbidden`, whitespace or control
    /// characters) is refused for this target.
    Plain,
    /// Inside double quotes: `"` and `\` and forbidden characters are refused.
    Quoted,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    /// The output file name.
    pub path: String,
    /// The template, relative to the target's folder.
    pub template: String,
    /// The file contains secrets (written 0600).
    #[serde(default)]
    pub secret: bool,
    /// The file is a script (written 0755, or 0700 with secrets).
    #[serde(default)]
    pub executable: bool,
    /// Produce the file only when the connection needs it.
    #[serde(default)]
    pub when: Option<When>,
    /// For inputs with several connections, also write one file with all of them (the target's
    /// syntax merges repeated sections, e.g. swanctl's `connections { }`, FRR's `router bgp`).
    #[serde(default)]
    pub combine: bool,
}

/// Conditions for optional output files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The tunnel is route-based (an interface carries the traffic).
    RouteBased,
    /// BGP runs over the tunnel.
    Bgp,
    /// A static route-based tunnel whose cloud side revokes routes on failed health checks:
    /// this side mirrors it with a monitor.
    HealthMonitor,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// The target configures IPsec itself (false for routing-only targets such as FRR).
    pub ipsec: bool,
    /// The target configures BGP.
    pub bgp: bool,
    /// Route-based tunnels (an interface per tunnel).
    pub route_based: bool,
    /// Policy-based tunnels (traffic selectors per subnet pair).
    pub policy_based: bool,
    /// Client-to-site: an IPsec server with an address pool, and its clients.
    #[serde(default)]
    pub remote_access: bool,
    /// The target prints the normalized model itself (`ir` in the context).
    #[serde(default)]
    pub ir: bool,
    pub ikev1: bool,
    pub ikev2: bool,
    pub aggressive: bool,
    /// Several traffic-selector pairs in one IKEv1 SA (most implementations: no).
    pub ikev1_multi_ts: bool,
    /// BGP in policy mode (a /32 address of this device in its own child): the device can hold
    /// that address and source the session from it.
    #[serde(default = "yes")]
    pub policy_bgp: bool,
    /// A route-based tunnel without a tunnel address (no BGP, so no TunnelCidr): the device's
    /// tunnel interface and routes work unnumbered.
    #[serde(default = "yes")]
    pub unnumbered_route: bool,
}

fn yes() -> bool {
    true
}

/// Per-primitive name tables; a missing key means "not supported".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(Default)]
pub struct Names {
    #[serde(default)]
    pub ike_cipher: BTreeMap<String, String>,
    #[serde(default)]
    pub ike_integrity: BTreeMap<String, String>,
    #[serde(default)]
    pub ike_prf: BTreeMap<String, String>,
    #[serde(default)]
    pub ike_dh: BTreeMap<String, String>,
    #[serde(default)]
    pub esp_cipher: BTreeMap<String, String>,
    #[serde(default)]
    pub esp_integrity: BTreeMap<String, String>,
    #[serde(default)]
    pub esp_dh: BTreeMap<String, String>,
    /// Words that differ under IKEv1 (e.g. IOS-XE `encr aes 256` in an isakmp policy): a
    /// non-empty table here replaces the one above for IKEv1 connections.
    #[serde(default)]
    pub ikev1: Option<Box<Names>>,
    /// Words that differ under IKEv2 (e.g. Huawei's `hmac-sha2-256` in an IKEv2 proposal).
    #[serde(default)]
    pub ikev2: Option<Box<Names>>,
}

impl Names {
    /// The tables in force for an IKE version: the version's own where it has one, else these.
    pub fn for_version(&self, v: crate::ir::IkeVersion) -> NamesView<'_> {
        let o = match v {
            crate::ir::IkeVersion::Ikev1 => self.ikev1.as_deref(),
            crate::ir::IkeVersion::Ikev2 => self.ikev2.as_deref(),
        };
        let choose = |f: fn(&Names) -> &BTreeMap<String, String>| -> &BTreeMap<String, String> {
            match o.map(f) {
                Some(m) if !m.is_empty() => m,
                _ => f(self),
            }
        };
        NamesView {
            ike_cipher: choose(|n| &n.ike_cipher),
            ike_integrity: choose(|n| &n.ike_integrity),
            ike_prf: choose(|n| &n.ike_prf),
            ike_dh: choose(|n| &n.ike_dh),
            esp_cipher: choose(|n| &n.esp_cipher),
            esp_integrity: choose(|n| &n.esp_integrity),
            esp_dh: choose(|n| &n.esp_dh),
        }
    }
}

/// The name tables in force for one IKE version.
pub struct NamesView<'a> {
    pub ike_cipher: &'a BTreeMap<String, String>,
    pub ike_integrity: &'a BTreeMap<String, String>,
    pub ike_prf: &'a BTreeMap<String, String>,
    pub ike_dh: &'a BTreeMap<String, String>,
    pub esp_cipher: &'a BTreeMap<String, String>,
    pub esp_integrity: &'a BTreeMap<String, String>,
    pub esp_dh: &'a BTreeMap<String, String>,
}

impl Target {
    pub fn parse(folder: &str, text: &str) -> Result<Target, String> {
        let t: Target =
            toml::from_str(text).map_err(|e| format!("templates/{folder}/target.toml: {e}"))?;
        if t.name != folder {
            return Err(format!(
                "templates/{folder}/target.toml: name `{}` differs from its folder",
                t.name
            ));
        }
        Ok(t)
    }

    /// The word for a semantic value, or a `target.unsupported` diagnostic.
    pub fn word(&self, category: &str, id: &str) -> Result<&str, Diagnostic> {
        self.words
            .get(category)
            .and_then(|m| m.get(id))
            .map(String::as_str)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .words
                    .get(category)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                unsupported(&self.name, &format!("{category} `{id}`"), &known)
            })
    }
}

/// The error for a value a target cannot express.
pub fn unsupported(target: &str, what: &str, supported: &[&str]) -> Diagnostic {
    Diagnostic::error(
        "target.unsupported",
        format!("target `{target}` cannot express {what}"),
    )
    .help(if supported.is_empty() {
        format!("`{target}` supports no value here; choose another target")
    } else {
        format!("`{target}` supports: {}", supported.join(", "))
    })
}
