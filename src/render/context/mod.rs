//! The template context: the IR of one side's view, with every primitive already translated
//! into the target's words. Templates only print what is here.

mod crypto;
pub(crate) mod group;
mod ranges;
mod selectors;
pub(crate) mod topology;

pub use topology::{if_id, IF_IDS};

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, Initiation, Side};

use super::quote;
use super::target::Target;

pub use crypto::{EspCtx, IkeCtx};
pub use topology::{BgpCtx, ChildCtx, HealthCtx, RemoteAccessCtx, TunnelCtx, TunnelMode};

/// What to render: whose side, how the tunnel carries traffic, and the device facts given.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions<'a> {
    pub side: Side,
    /// `None`: route-based when BGP runs over the tunnel, policy-based otherwise.
    pub tunnel_mode: Option<TunnelMode>,
    /// The device facts the user gave (`--device`, ipsecgen.toml); the rest are defaults.
    pub device: &'a super::device::DeviceInput,
}

impl RenderOptions<'static> {
    /// `side`, the default tunnel mode and no device facts.
    pub fn side(side: Side) -> Self {
        Self {
            side,
            tunnel_mode: None,
            device: &super::device::NO_FACTS,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    pub version: &'static str,
    pub input: String,
    pub target: String,
    pub side: &'static str,
    pub dialect: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Context {
    pub meta: Meta,
    pub name: String,
    pub title: Option<String>,
    pub local: EndpointCtx,
    pub remote: EndpointCtx,
    /// IKE and ESP (absent for targets that do not configure IPsec).
    pub ike: Option<IkeCtx>,
    pub esp: Option<EspCtx>,
    /// The PSK in the target's safe notation.
    pub psk: Option<String>,
    pub dpd: DpdCtx,
    pub nat_traversal: bool,
    pub start_action: Option<String>,
    pub children: Vec<ChildCtx>,
    pub tunnel: TunnelCtx,
    pub bgp: Option<BgpCtx>,
    pub health: Option<HealthCtx>,
    /// Client-to-site: this side is the server (address pool) or a client (virtual IP).
    pub remote_access: Option<RemoteAccessCtx>,
    /// The normalized model of this side's view, for targets that print it (`features.ir`).
    pub ir: Option<serde_json::Value>,
    /// `field = value (source)` lines for every default that was applied.
    pub defaults: Vec<String>,
    /// What the device (per model) needs for the primitives this connection uses (`[notes]`).
    pub notes: Vec<String>,
    /// Header lines of a device with one SA per subnet pair where Alibaba builds one.
    pub pair_sas: Vec<String>,
    /// The target's words for yes/no.
    pub yes: String,
    pub no: String,
    /// One tunnel of two: its role (`master`, `slave`, `active`) and how this side prefers it.
    pub role: Option<&'static str>,
    pub preference: Option<PreferenceCtx>,
    /// The device facts this target uses, by template name (`device.vpn_zone`).
    pub device: std::collections::BTreeMap<String, String>,
    /// The same facts in header order, each with where its value came from.
    pub device_facts: Vec<super::device::FactCtx>,
    /// The device is a firewall (device fact `platform = firewall`): its zones.
    pub firewall: Option<super::firewall::FirewallCtx>,
}

/// How this side prefers one tunnel of two: the master while it is up, the slave after.
#[derive(Clone, Debug, Serialize)]
pub struct PreferenceCtx {
    /// This tunnel is preferred (the master, or either of two active ones).
    pub primary: bool,
    /// Both tunnels carry traffic (active-active): equal preferences, multipath.
    pub balanced: bool,
    /// BGP local preference of the routes learned over this tunnel (higher wins).
    pub local_pref: u32,
    /// The static routes' preference in the device's terms (lower wins).
    pub route: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct EndpointCtx {
    pub side: &'static str,
    /// The gateway's public address; `None` when unknown (allowed only for the local side).
    pub gateway: Option<String>,
    /// The IKE identity in the target's notation.
    pub id: Option<String>,
    /// The identity is an IP address (else an FQDN): targets spell the two kinds differently.
    pub id_is_ip: bool,
    pub subnets: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DpdCtx {
    pub enabled: bool,
    pub interval: u32,
    pub timeout: u32,
    pub action: Option<String>,
    /// Unanswered probes before the peer is dead (targets whose timeout is a retry count).
    pub retries: u32,
    /// Where the device cannot say what the input says (printed in the header).
    pub deviations: Vec<String>,
}

/// The DPD timeout in the device's terms: a retry count where the device counts probes, and a
/// header line for every way the device deviates from the configured timeout.
fn dpd(view: &Connection, target: &Target, action: Option<String>) -> DpdCtx {
    use super::target::DpdTimeout;
    let d = &view.dpd;
    let iv = d.interval.value;
    let interval = iv.max(1);
    let mut retries = d.timeout.div_ceil(interval).max(1);
    let mut deviations = Vec::new();
    let ikev2 = view.ike.version.value == crate::ir::IkeVersion::Ikev2;
    let mode = match (ikev2, target.dpd.timeout_ikev2) {
        (true, Some(m)) => m,
        _ => target.dpd.timeout,
    };
    if d.enabled.value && target.features.ipsec {
        let t = &target.name;
        match mode {
            DpdTimeout::Retries => {
                if let Some([lo, hi]) = target.dpd.retries_range {
                    let r = retries.clamp(lo, hi);
                    if r != retries {
                        deviations.push(format!(
                            "DPD timeout {}s: {t} counts {lo}-{hi} unanswered probes, so the peer is declared dead after {r} x {}s = {}s",
                            d.timeout, iv, r * iv
                        ));
                        retries = r;
                    }
                }
                if retries * iv != d.timeout && deviations.is_empty() {
                    deviations.push(format!(
                        "DPD timeout {}s is written as {retries} unanswered probes every {}s = {}s",
                        d.timeout,
                        iv,
                        retries * iv
                    ));
                }
            }
            DpdTimeout::Seconds => {}
            DpdTimeout::Ignored => deviations.push(format!(
                "DPD timeout {}s has no effect with IKEv2 on {t}: a silent peer is declared dead when the IKEv2 retransmissions of a DPD probe time out",
                d.timeout
            )),
            DpdTimeout::None => deviations.push(format!(
                "DPD timeout {}s cannot be expressed on {t}: the device declares a silent peer dead after its own fixed retries",
                d.timeout
            )),
        }
    }
    DpdCtx {
        enabled: d.enabled.value,
        interval: iv,
        timeout: d.timeout,
        action,
        retries,
        deviations,
    }
}

fn word(
    target: &Target,
    category: &str,
    id: &str,
    span: Option<crate::tree::Span>,
    diags: &mut Diagnostics,
) -> String {
    match target.word(category, id) {
        Ok(w) => w.to_owned(),
        Err(d) => {
            diags.push(d.at(span, "not expressible here"));
            String::new()
        }
    }
}

/// Identities the target cannot configure are refused, never left to a comment: the device
/// would send its address and a peer that expects the identity rejects it. (A masked value such
/// as `47.XX.XX.2` is the Alibaba dialect's to diagnose, `input.masked`.)
fn check_identities(view: &Connection, target: &Target, diags: &mut Diagnostics) {
    use super::target::IdentityScope;
    let scope = match view.ike.version.value {
        crate::ir::IkeVersion::Ikev1 => target.identity.ikev1,
        crate::ir::IkeVersion::Ikev2 => target.identity.ikev2,
    };
    for (ep, field) in [(&view.local, "local"), (&view.remote, "remote")] {
        let Some(id) = &ep.id else { continue };
        let text = id.value.to_string();
        let is_gateway = ep
            .gateway
            .as_ref()
            .is_some_and(|g| g.value.to_string() == text);
        if scope == IdentityScope::Gateway && !is_gateway {
            diags.push(
                Diagnostic::error(
                    "target.unsupported",
                    format!(
                        "target `{}` cannot express the {field} IKE identity `{text}` ({} {}): its output identifies each side by its gateway address only",
                        target.name,
                        view.ike.version.value.id(),
                        if matches!(id.value, crate::ir::Identity::Ip(_)) { "address other than the gateway's" } else { "FQDN" },
                    ),
                )
                .at(id.span, "not configurable on this target")
                .help("remove LocalId/RemoteId (the gateway addresses are used), or choose a target that configures identities (swanctl, libreswan, vyos, juniper-srx, fortios, mikrotik, panos)"),
            );
        }
    }
}

/// The target's notes (`[notes.<table>]`) for the primitives this connection uses, once each.
fn notes(view: &Connection, target: &Target) -> Vec<String> {
    let (ike, esp) = (&view.ike, &view.esp);
    let used: Vec<(&str, String)> = [
        Some(("ike_cipher", ike.cipher.value.id().to_owned())),
        ike.integrity
            .as_ref()
            .map(|i| ("ike_integrity", i.value.id().to_owned())),
        Some(("ike_dh", ike.dh.value.id())),
        Some(("esp_cipher", esp.cipher.value.id().to_owned())),
        esp.integrity
            .as_ref()
            .map(|i| ("esp_integrity", i.value.id().to_owned())),
        esp.pfs.as_ref().map(|g| ("esp_dh", g.value.id())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut out: Vec<String> = Vec::new();
    for (table, id) in used {
        if let Some(n) = target.notes.get(table).and_then(|m| m.get(&id)) {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
    }
    out
}

/// Huawei v5: the facts only the gateway documents carry, besides the addresses: both BGP ASNs,
/// and a static connection's cloud subnets (a VPC-attached gateway's `local_subnets`).
fn huawei_gateway_facts(view: &Connection) -> Diagnostics {
    let mut out = Diagnostics::default();
    let cloud = view.endpoint(Side::Cloud);
    let customer = view.endpoint(Side::Customer);
    if view.bgp_enabled() {
        if cloud.bgp.asn.is_none() {
            out.push(Diagnostic::error("peer.missing", "the cloud side's BGP ASN is needed for this output: it is the VPN gateway's bgp_asn")
                .help("pass the ShowVpnGateway response of vgw_id as another input (ipsecgen render conn.json vgw.json cgw.json), or put its \"vpn_gateway\" object beside vpn_connection"));
        }
        if customer.bgp.asn.is_none() {
            out.push(Diagnostic::error("peer.missing", "the customer side's BGP ASN is needed for this output: it is the customer gateway's bgp_asn")
                .help("pass the ShowCustomerGateway response of cgw_id as another input, put its \"customer_gateway\" object beside vpn_connection, or pass --customer-asn"));
        }
    } else if cloud.subnets.is_empty() {
        out.push(Diagnostic::error("peer.missing", "the cloud side's subnets are needed for this output: a static connection protects the VPN gateway's local_subnets")
            .help("pass the ShowVpnGateway response of a VPC-attached gateway as another input, or add \"local_subnets\": [\"10.0.0.0/24\"] beside vpn_connection (an ER-attached gateway has none: list the subnets the enterprise router brings)"));
    }
    out
}

/// A tunnel whose role the input does not state (Alibaba's DownloadVpnConnectionConfig has no
/// Role): the output would have to guess which tunnel carries the traffic.
fn unknown_role(g: &crate::ir::TunnelGroup) -> Diagnostic {
    Diagnostic::error(
        "input.tunnel-roles",
        format!(
            "which tunnel of connection `{}` is the master is not known: DownloadVpnConnectionConfig prints no Role",
            g.name
        ),
    )
    .at(g.role.span, "a tunnel of unknown role")
    .help("pass the DescribeVpnGateway response of the connection's VPN gateway as another input (aliyun vpc DescribeVpnGateway --VpnGatewayId vpn-... > gw.json; ipsecgen render download.json gw.json): the tunnel whose Remote is its InternetIp is the master, DisasterRecoveryInternetIp the slave")
}

fn missing_gateway(view: &Connection) -> Diagnostic {
    let (side, dialect) = (view.remote.side, view.dialect.as_str());
    let slave = view
        .group
        .as_ref()
        .filter(|g| g.role.value == crate::ir::TunnelRole::Slave);
    if let (Some(g), Side::Cloud, false) = (slave, side, dialect == crate::dialect::huawei::DIALECT)
    {
        return Diagnostic::error(
            "peer.missing",
            format!("the cloud VPN gateway's second address is needed for the slave tunnel of connection `{}`", g.name),
        )
        .at(g.role.span, "the slave tunnel")
        .help("pass the gateway's DescribeVpnGateway response as another input (its DisasterRecoveryInternetIp is the slave's address), or give the slave's TunnelOptions entry its InternetIp");
    }
    if dialect == crate::dialect::huawei::DIALECT {
        return match side {
            Side::Cloud => Diagnostic::error("peer.missing", "the cloud VPN gateway's address is needed for this output")
                .help("pass the ShowVpnGateway response of vgw_id as another input (ipsecgen render conn.json vgw.json cgw.json): vgw_ip names one of its EIPs; or pass --cloud-ip"),
            Side::Customer => Diagnostic::error("peer.missing", "the customer gateway's address is needed for this output")
                .help("pass the ShowCustomerGateway response of cgw_id as another input (ipsecgen render conn.json vgw.json cgw.json): its id_value is the address; or pass --customer-ip"),
        };
    }
    match side {
        Side::Cloud => Diagnostic::error("peer.missing", "the cloud VPN gateway's public IP address is needed for this output")
            .help("pass the gateway's DescribeVpnGateway response as another input (ipsecgen render conn.json gw.json), add \"VpnGateway\": {\"InternetIp\": \"<gateway public IP>\"} to the document, or pass --cloud-ip"),
        Side::Customer => Diagnostic::error("peer.missing", "the customer gateway's public IP address is needed for this output")
            .help("pass the DescribeCustomerGateway response as another input (ipsecgen render conn.json gw.json cgw.json), add \"CustomerGateway\": {\"IpAddress\": \"<your gateway's public IP>\"} to the document, or pass --customer-ip"),
    }
}

fn endpoint(ep: &crate::ir::Endpoint) -> EndpointCtx {
    // Without an explicit identity the gateway's address is used, which is an IP identity.
    let id_is_ip = ep
        .id
        .as_ref()
        .is_none_or(|i| matches!(i.value, crate::ir::Identity::Ip(_)));
    EndpointCtx {
        side: ep.side.id(),
        gateway: ep.gateway.as_ref().map(|g| g.value.to_string()),
        id: ep
            .id
            .as_ref()
            .map(|i| i.value.to_string())
            .or_else(|| ep.gateway.as_ref().map(|g| g.value.to_string())),
        id_is_ip,
        subnets: ep.subnets.iter().map(|s| s.value.to_string()).collect(),
    }
}

/// How a connection's tunnels carry traffic: two tunnels of one group are route-based (this
/// side chooses between them by route); one tunnel as asked, else route-based when BGP runs
/// over it and policy-based otherwise.
pub fn tunnel_mode(requested: Option<TunnelMode>, conns: &[&Connection]) -> TunnelMode {
    if conns.len() > 1 {
        return TunnelMode::Route;
    }
    requested.unwrap_or(
        if conns
            .iter()
            .any(|c| c.bgp_enabled() || c.all_traffic().is_some())
        {
            TunnelMode::Route
        } else {
            TunnelMode::Policy
        },
    )
}

/// `render.policy-all-traffic`: a policy-based tunnel whose selectors are 0.0.0.0/0 would draw
/// every packet of the device into it, the management and internet traffic too (and Junos
/// refuses a remote 0.0.0.0/0 traffic selector): 10.4 of docs/alibaba-reference.md.
fn policy_all_traffic(conn: &Connection) -> Option<Diagnostic> {
    let net = conn.all_traffic()?;
    Some(
        Diagnostic::error(
            "render.policy-all-traffic",
            format!(
                "a policy-based tunnel with the selector {} would carry all of this device's traffic, not only the other side's",
                net.value
            ),
        )
        .at(net.span, "all traffic")
        .help(
            "drop `--tunnel-mode policy`: with 0.0.0.0/0 (Alibaba's destination routing) the \
             tunnel is route-based and routes or BGP choose what enters it; or give both sides \
             their real subnets",
        ),
    )
}

/// Build the context for `conn` as `opts` asks.
pub fn build(
    conn: &Connection,
    opts: RenderOptions,
    target: &Target,
    input: &str,
) -> Result<Context, Diagnostics> {
    build_numbered(conn, opts, target, input, None)
}

/// `build`, with the tunnel's interface id given (distinct ids for connections rendered
/// together); `None` derives it from the name.
pub fn build_numbered(
    conn: &Connection,
    opts: RenderOptions,
    target: &Target,
    input: &str,
    number: Option<u32>,
) -> Result<Context, Diagnostics> {
    let side = opts.side;
    let view = conn.view_from(side);
    let mut diags = Diagnostics::default();
    let feats = &target.features;

    if !feats.bgp && !feats.ipsec && !feats.ir {
        diags.push(Diagnostic::error(
            "target.config",
            format!("target `{}` configures nothing", target.name),
        ));
    }
    if feats.bgp && !feats.ipsec && !view.bgp_enabled() {
        diags.push(
            Diagnostic::error("target.nothing-to-render", format!("target `{}` configures BGP, and this connection has BGP disabled", target.name))
                .help("enable BGP in the connection (BgpConfig.EnableBgp) or choose an IPsec target such as swanctl"),
        );
    }
    if let Some(g) = view
        .group
        .as_ref()
        .filter(|g| g.role.value == crate::ir::TunnelRole::Unknown)
    {
        diags.push(unknown_role(g));
    }
    let mode = tunnel_mode(opts.tunnel_mode, std::slice::from_ref(&conn));
    if mode == TunnelMode::Policy && feats.ipsec && view.remote_access.is_none() {
        if let Some(d) = policy_all_traffic(conn) {
            diags.push(d);
        }
    }
    if view.dialect == crate::dialect::huawei::DIALECT {
        diags.extend(huawei_gateway_facts(&view));
    }
    if let Some(r) = target
        .reserved_names
        .iter()
        .find(|r| r.eq_ignore_ascii_case(&view.name))
    {
        diags.push(
            Diagnostic::error(
                "target.unsupported",
                format!(
                    "target `{}` cannot name objects `{}`: the device's own {r} objects have that name, and this output would reconfigure them for every tunnel that uses them",
                    target.name, view.name
                ),
            )
            .at(view.title.as_ref().and_then(|t| t.span), "a name the device reserves")
            .help("rename the connection"),
        );
    }
    if side == Side::Cloud && feats.ipsec {
        diags.extend(crate::verify::ikev1_multi_cidr(
            conn,
            crate::diag::Severity::Error,
        ));
    }
    let topo = topology::build(&view, side, mode, target, number, &mut diags);

    // Who initiates: the cloud's EffectImmediately decides; the customer does the opposite, so
    // exactly one side actively brings the tunnel up and the other also reacts to traffic.
    let initiation = match side {
        Side::Cloud => view.cloud_initiation.value,
        Side::Customer => match view.cloud_initiation.value {
            Initiation::Immediately => Initiation::OnTraffic,
            Initiation::OnTraffic | Initiation::Respond => Initiation::Immediately,
        },
    };
    let span = view.cloud_initiation.span;

    let (ike, esp, psk, start_action, dpd_action) = if feats.ipsec {
        // Clients of an IPsec server connect from anywhere: only a client needs the server's address.
        let serves_clients = view.remote_access.is_some() && side == Side::Cloud;
        if view.remote.gateway.is_none() && !serves_clients {
            diags.push(missing_gateway(&view));
        }
        let version = word(
            target,
            "ike_version",
            view.ike.version.value.id(),
            view.ike.version.span,
            &mut diags,
        );
        ranges::check(&view, target, &mut diags);
        let ike = crypto::ike(&view, target, version, &mut diags);
        check_identities(&view, target, &mut diags);
        let esp = crypto::esp(&view, target, &mut diags);
        let psk = match &view.psk {
            Some(p) => target.psk_notation(p.expose()).unwrap_or_else(|| {
                diags.push(
                    Diagnostic::error(
                        "target.unsafe-value",
                        format!("the pre-shared key cannot be written safely for `{}`: it holds a character the target cannot take, or starts like the device's own encrypted keys", target.name),
                    )
                    .at(p.span, "PSK")
                    .help("use letters, digits and common symbols; whitespace, quotes, the target's special characters and its encrypted-key prefixes cannot be written into its config"),
                );
                String::new()
            }),
            None => {
                let help = if view.dialect == crate::dialect::huawei::DIALECT {
                    "the API never returns the PSK: add \"psk\": {\"env\": \"VAR\"} (or the key) to vpn_connection, or an ipsecgen.toml overlay psk"
                } else {
                    "add IkeConfig.Psk; when it was omitted at creation the API generated one: read it with DescribeVpnConnection"
                };
                diags.push(Diagnostic::error("input.psk-missing", "no pre-shared key is given").help(help));
                String::new()
            }
        };
        let start = word(target, "start_action", initiation.id(), span, &mut diags);
        let dpd = word(target, "dpd_action", initiation.id(), span, &mut diags);
        (Some(ike), Some(esp), Some(psk), Some(start), Some(dpd))
    } else {
        (None, None, None, None, None)
    };
    let device = opts.device.resolve(target);
    let firewall = super::firewall::context(target, &device, topo.tunnel.route);
    let yes = word(target, "bool", "true", None, &mut diags);
    let no = word(target, "bool", "false", None, &mut diags);

    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Context {
        meta: Meta {
            version: env!("CARGO_PKG_VERSION"),
            input: quote::input_words(input),
            target: target.name.clone(),
            side: side.id(),
            dialect: view.dialect.clone(),
        },
        name: quote::short_name(&view.name, target.max_name.saturating_sub(5).max(8)),
        title: view
            .title
            .as_ref()
            .map(|t| quote::comment_safe(&t.value))
            .filter(|t| *t != view.name),
        local: endpoint(&view.local),
        remote: endpoint(&view.remote),
        ike,
        esp,
        psk,
        dpd: dpd(&view, target, dpd_action),
        nat_traversal: view.nat_traversal.value,
        start_action,
        children: topo.children,
        tunnel: topo.tunnel,
        bgp: topo.bgp,
        health: topo.health,
        remote_access: topo.remote_access,
        ir: feats.ir.then(|| serde_json::to_value(&view).ok()).flatten(),
        notes: notes(&view, target),
        pair_sas: selectors::pair_sas(&view, side, target),
        defaults: view
            .defaults
            .iter()
            .map(|d| format!("{} = {} ({})", d.field, d.value, d.source))
            .collect(),
        yes,
        no,
        firewall,
        device: device.values,
        device_facts: device.facts,
        role: view.group.as_ref().map(|g| g.role.value.id()),
        preference: view.group.as_ref().map(|g| {
            let balanced = g.role.value == crate::ir::TunnelRole::Active;
            let i = usize::from(g.role.value == crate::ir::TunnelRole::Slave);
            PreferenceCtx {
                primary: i == 0,
                balanced,
                local_pref: target.preference.local_pref[i],
                route: target.preference.route[i],
            }
        }),
    })
}
