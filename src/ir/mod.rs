//! The intermediate representation: one normalized connection, independent of the input dialect
//! and of the output target.

mod at;
pub mod crypto;
pub mod derive;
mod mirror;

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use ipnetwork::{IpNetwork, Ipv4Network};
use serde::Serialize;

pub use at::At;
pub use crypto::{Cipher, DhGroup, IkeMode, IkeVersion, Integrity, Prf};

/// Which party a view or an endpoint belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The cloud's VPN gateway.
    Cloud,
    /// The customer's (on-premise) gateway.
    Customer,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Cloud => Side::Customer,
            Side::Customer => Side::Cloud,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Side::Cloud => "cloud",
            Side::Customer => "customer",
        }
    }
}

/// An IKE identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Identity {
    Ip(IpAddr),
    Fqdn(String),
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Ip(ip) => write!(f, "{ip}"),
            Identity::Fqdn(s) => f.write_str(s),
        }
    }
}

/// A BGP speaker on one side of the tunnel (the default: none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BgpSpeaker {
    pub asn: Option<At<u32>>,
    /// The speaker's address inside the tunnel CIDR.
    pub ip: Option<At<Ipv4Addr>>,
}

/// One end of the tunnel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub side: Side,
    /// The gateway's public (outside) address.
    pub gateway: Option<At<IpAddr>>,
    /// The IKE identity; the gateway address when absent.
    pub id: Option<At<Identity>>,
    /// The protected networks behind this gateway.
    pub subnets: Vec<At<IpNetwork>>,
    pub bgp: BgpSpeaker,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IkePolicy {
    pub version: At<IkeVersion>,
    pub mode: At<IkeMode>,
    pub cipher: At<Cipher>,
    /// `None` with an AEAD cipher.
    pub integrity: Option<At<Integrity>>,
    /// Explicit PRF; derived from the integrity algorithm when absent.
    pub prf: Option<At<Prf>>,
    pub dh: At<DhGroup>,
    /// IKE SA lifetime in seconds.
    pub lifetime: At<u32>,
}

impl IkePolicy {
    /// The PRF in effect: the explicit one, else the one matching the integrity algorithm.
    pub fn effective_prf(&self) -> Option<Prf> {
        self.prf
            .as_ref()
            .map(At::get)
            .or_else(|| self.integrity.as_ref().map(|i| Prf::matching(i.get())))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EspPolicy {
    pub cipher: At<Cipher>,
    /// `None` with an AEAD cipher.
    pub integrity: Option<At<Integrity>>,
    /// The PFS group; `None` when PFS is disabled.
    pub pfs: Option<At<DhGroup>>,
    /// CHILD SA lifetime in seconds.
    pub lifetime: At<u32>,
}

/// Dead peer detection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dpd {
    pub enabled: At<bool>,
    /// Seconds between liveness checks.
    pub interval: At<u32>,
    /// Seconds without an answer before the peer is declared dead.
    pub timeout: u32,
}

/// Who brings the tunnel up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Initiation {
    /// Negotiate as soon as the configuration is loaded.
    Immediately,
    /// Negotiate when traffic for the tunnel appears.
    OnTraffic,
    /// Never initiate; answer the peer only.
    Respond,
}

impl Initiation {
    pub fn id(self) -> &'static str {
        match self {
            Initiation::Immediately => "immediately",
            Initiation::OnTraffic => "on_traffic",
            Initiation::Respond => "respond",
        }
    }
}

/// BGP over the tunnel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bgp {
    pub enabled: At<bool>,
    /// The /30 (or wider) link network that carries the BGP session.
    pub tunnel_cidr: Option<At<Ipv4Network>>,
}

/// What the cloud does with its routes when the health check fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthPolicy {
    RevokeRoute,
    ReserveRoute,
}

/// The cloud gateway's tunnel probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HealthCheck {
    pub enabled: At<bool>,
    /// Probe source (an address on the cloud side).
    pub sip: Option<At<IpAddr>>,
    /// Probe destination (an address on the customer side).
    pub dip: Option<At<IpAddr>>,
    pub interval: At<u32>,
    pub retry: At<u32>,
    pub policy: At<HealthPolicy>,
}

/// Where a pre-shared key came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", content = "name", rename_all = "lowercase")]
pub enum PskOrigin {
    /// Written in the input file itself.
    Inline,
    /// Read from an environment variable (`Psk: {env: NAME}`).
    Env(String),
    /// Read from a file (`Psk: {file: path}`).
    File(String),
}

/// A pre-shared key. Its `Debug` and `Serialize` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk {
    secret: String,
    pub span: Option<crate::tree::Span>,
    pub origin: PskOrigin,
}

impl Psk {
    /// A PSK written inline in the input.
    pub fn new(secret: String, span: Option<crate::tree::Span>) -> Self {
        Self {
            secret,
            span,
            origin: PskOrigin::Inline,
        }
    }

    /// A PSK read through a reference.
    pub fn referenced(secret: String, span: Option<crate::tree::Span>, origin: PskOrigin) -> Self {
        Self {
            secret,
            span,
            origin,
        }
    }

    /// The secret itself: only renderers that write secrets files call this.
    pub fn expose(&self) -> &str {
        &self.secret
    }

    pub fn len(&self) -> usize {
        self.secret.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.secret.is_empty()
    }
}

impl std::fmt::Debug for Psk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Psk(<redacted>)")
    }
}

impl Serialize for Psk {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Never the value: only where it comes from.
        match &self.origin {
            PskOrigin::Inline => s.serialize_str("<redacted>"),
            origin => origin.serialize(s),
        }
    }
}

/// Client-to-site: the cloud gateway is an IPsec server that gives every client a virtual
/// address from a pool. `local`/`remote` are then the server (cloud) and the clients (customer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemoteAccess {
    /// The client address pool (ClientIpPool).
    pub pool: Vec<At<IpNetwork>>,
    /// PSK authentication is enabled (PskEnabled).
    pub psk_enabled: Option<At<bool>>,
}

/// A default the input did not state, applied from the API's documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedDefault {
    /// The input field, e.g. `IkeConfig.IkeVersion`.
    pub field: Cow<'static, str>,
    pub value: Cow<'static, str>,
    /// Where the default comes from.
    pub source: Cow<'static, str>,
}

/// The role of one tunnel in a connection that has two (Alibaba's dual-tunnel connections,
/// Huawei's pair of connections to one gateway's two EIPs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TunnelRole {
    /// Carries the traffic while it is up (Alibaba `Role: master`, Huawei `ha_role: master`).
    Master,
    /// Takes over when the master is down (Alibaba `slave`, Huawei active-standby `slave`).
    Slave,
    /// Both tunnels carry traffic (Huawei `ha_mode: active-active`).
    Active,
    /// Not stated by the input and not matched yet (an Alibaba DownloadVpnConnectionConfig
    /// read without its gateway's DescribeVpnGateway response): the document is valid, but
    /// nothing renders until the roles are known (`input.tunnel-roles`).
    Unknown,
}

impl TunnelRole {
    pub fn id(self) -> &'static str {
        match self {
            TunnelRole::Master => "master",
            TunnelRole::Slave => "slave",
            TunnelRole::Active => "active",
            TunnelRole::Unknown => "role unknown",
        }
    }
}

/// Where one tunnel stands in a connection with two. Each tunnel is its own `Connection` with
/// its own gateways, proposals, PSK, DPD and BGP link, read from its own part of the input:
/// nothing is copied from the other tunnel. The tunnels of a group are rendered together, into
/// one set of files per target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TunnelGroup {
    /// The connection's name, which the tunnels share (the output folder of a fleet); each
    /// tunnel's own `name` is this name with its index.
    pub name: String,
    /// The connection's title, for messages and headers.
    pub title: Option<At<String>>,
    pub role: At<TunnelRole>,
    /// 1 or 2: the tunnel's position in the group (the master is 1).
    pub index: u8,
    /// The number of tunnels in the group.
    pub size: u8,
    /// The cloud's own ID of the tunnel (Alibaba `TunnelId`), when the input gives it.
    pub tunnel_id: Option<At<String>>,
}

/// One VPN connection, seen from one side (`view`): `local` is that side's endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// A sanitized identifier for the connection (config object names derive from it).
    pub name: String,
    /// The name as the input gives it (Name, IpsecServerName, name), for messages and comments.
    pub title: Option<At<String>>,
    /// The input dialect it came from.
    pub dialect: String,
    /// The side `local` belongs to.
    pub view: Side,
    pub local: Endpoint,
    pub remote: Endpoint,
    pub ike: IkePolicy,
    pub esp: EspPolicy,
    pub psk: Option<Psk>,
    pub dpd: Dpd,
    /// NAT traversal (UDP encapsulation when a NAT is detected).
    pub nat_traversal: At<bool>,
    /// How the cloud gateway starts negotiation.
    pub cloud_initiation: At<Initiation>,
    pub bgp: Option<Bgp>,
    pub health_check: Option<HealthCheck>,
    /// The cloud installs routes for the remote subnets itself.
    pub auto_config_route: Option<At<bool>>,
    /// Client-to-site (an IPsec server with an address pool); `None` for site-to-site.
    pub remote_access: Option<RemoteAccess>,
    /// One tunnel of a connection with two; `None` for a single-tunnel connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<TunnelGroup>,
    pub defaults: Vec<AppliedDefault>,
}

impl Connection {
    /// The endpoint of the given side.
    pub fn endpoint(&self, side: Side) -> &Endpoint {
        if self.local.side == side {
            &self.local
        } else {
            &self.remote
        }
    }

    /// Whether BGP is switched on.
    pub fn bgp_enabled(&self) -> bool {
        self.bgp.as_ref().is_some_and(|b| b.enabled.value)
    }

    /// The first 0.0.0.0/0 (or ::/0) block of either side, if any: Alibaba's destination
    /// routing (docs/alibaba-reference.md 10.1), which only a tunnel interface with routes can
    /// carry.
    pub fn all_traffic(&self) -> Option<&At<IpNetwork>> {
        [&self.local, &self.remote]
            .into_iter()
            .flat_map(|e| e.subnets.iter())
            .find(|n| n.value.prefix() == 0)
    }

    /// This connection seen from `side`.
    pub fn view_from(&self, side: Side) -> Connection {
        if self.view == side {
            self.clone()
        } else {
            self.mirror()
        }
    }
}
