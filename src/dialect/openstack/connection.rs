//! One `ipsec_site_connection`, with what it references found by `join` (beside it, in its
//! document's lists or in other inputs). The cloud is `local`; the customer (the peer) is
//! `remote`.

use std::net::IpAddr;
use std::str::FromStr;

use crate::diag::Diagnostic;
use crate::ir::{
    AppliedDefault, At, BgpSpeaker, Connection, Dpd, Endpoint, EspPolicy, IkePolicy, Initiation,
    Side,
};
use crate::tree::Span;

use super::documents::Kind;
use super::endpoints::{self, LocalCidrs};
use super::join::{self, Found, Sources};
use super::policies::{self, CODE_UNSUPPORTED, CODE_VALUE};
use super::resources::{Fact, Group, Resources, Service};
use super::vocab;
use crate::dialect::defaults::Defaults;
use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::value_rules::{in_range, representable};
use crate::dialect::PeerFacts;

/// Keys of the connection that do not affect the tunnel.
const IGNORED: &[&str] = &[
    "id",
    "tenant_id",
    "project_id",
    "description",
    "status",
    "created_at",
    "updated_at",
    "order_id",
    "product_id",
];

/// Where ipsecgen's own choices come from (Neutron has no such field).
const OWN_SOURCE: &str = "ipsecgen default: the API has no such setting";

/// The objects pasted beside a single connection (`ikepolicy`, `local_ep_group`, ...): they
/// are its own, whatever their ids.
#[derive(Default)]
pub struct Beside {
    pub ike: Option<Fact<IkePolicy>>,
    pub esp: Option<Fact<EspPolicy>>,
    pub service: Option<Fact<Service>>,
    pub local_group: Option<Fact<Group>>,
    pub peer_group: Option<Fact<Group>>,
}

/// What a connection's document gives it besides its own fields.
pub struct Context<'a> {
    pub file: &'a str,
    pub beside: &'a Beside,
    /// The objects of the connection's document, in lists.
    pub own: &'a Resources,
    /// The objects of the other inputs.
    pub joined: &'a Resources,
    pub local_cidrs: LocalCidrs<'a>,
}

fn sources<'a, T>(
    beside: Option<&'a Fact<T>>,
    own: &'a [Fact<T>],
    joined: &'a [Fact<T>],
) -> Sources<'a, T> {
    Sources {
        single: beside,
        own,
        joined,
    }
}

pub fn read(ctx: &Ctx, conn: &Obj, doc: &Context, facts: &PeerFacts) -> Option<Connection> {
    conn.ignore(IGNORED);
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let mut own = Defaults::new(OWN_SOURCE);

    let title = conn.string(ctx, "name").filter(|n| !n.value.is_empty());
    if let Some(t) = title.as_ref().filter(|t| t.value.chars().count() > 64) {
        ctx.push(
            Diagnostic::error(
                "neutron.name",
                "the connection name is longer than 64 characters",
            )
            .at(t.span, "too long")
            .help("Huawei Cloud accepts names of 1 to 64 characters"),
        );
    }
    let psk = conn.required_psk(ctx, "psk", || {
        Diagnostic::error("input.psk-missing", "no pre-shared key is given")
            .at(Some(Span::new(conn.span().offset, 1)), "no psk")
            .help("add `psk` to ipsec_site_connection (Neutron returns it in GET responses), or `psk: {env: VAR}`")
    });
    let initiation = d.or(
        conn.choice_hinted(
            ctx,
            "initiator",
            vocab::INITIATORS,
            vocab::HINTS,
            CODE_VALUE,
        ),
        "ipsec_site_connection.initiator",
        "bi-directional",
        Initiation::Immediately,
    );
    if let Some(up) = conn.boolean(ctx, "admin_state_up").filter(|b| !b.value) {
        ctx.push(
            Diagnostic::warning("lint.admin-down", "the connection is administratively down")
                .at(up.span, "admin_state_up is false")
                .help("the cloud does not bring this tunnel up until admin_state_up is true"),
        );
    }
    representable(
        ctx,
        conn.choice(ctx, "auth_mode", vocab::AUTH_MODES, CODE_VALUE),
        CODE_UNSUPPORTED,
        "ipsec_site_connection.auth_mode",
        "ipsecgen renders pre-shared-key authentication only (auth_mode psk)",
    );
    conn.choice(ctx, "route_mode", vocab::ROUTE_MODES, CODE_VALUE);
    let dpd = dpd(ctx, conn, &mut d);

    // The peer (customer) gateway: an address, or an FQDN Neutron resolves at creation.
    let peer_address = conn.string(ctx, "peer_address");
    let customer_ip = facts.customer_ip.map(At::bare).or_else(|| {
        let p = peer_address.as_ref()?;
        match IpAddr::from_str(p.value.trim()) {
            Ok(ip) => Some(At::new(ip, p.span)),
            Err(_) => {
                ctx.push(
                    Diagnostic::error("neutron.peer-address", format!("peer_address {:?} is not an IP address", p.value))
                        .at(p.span, "not an IP address")
                        .help("Neutron resolves a name once, at creation: write the address it resolved to, or pass --customer-ip"),
                );
                None
            }
        }
    });
    mtu(ctx, conn, customer_ip.as_ref().map(At::get));
    let local_id = conn.identity_or_empty(ctx, "local_id");
    let peer_id = conn.identity_or_empty(ctx, "peer_id");

    // What the connection references by id.
    let (beside, mine, joined) = (doc.beside, doc.own, doc.joined);
    let service_ref = conn.string(ctx, "vpnservice_id");
    let service = join::find(
        ctx,
        Kind::VpnService,
        "vpnservice_id",
        service_ref.as_ref(),
        sources(beside.service.as_ref(), &mine.services, &joined.services),
    );
    let cloud_ip = match (facts.cloud_ip, service.fact()) {
        (Some(ip), _) => Some(At::bare(ip)),
        (None, Some(s)) => {
            let ip = s.value.v4.clone().or_else(|| s.value.v6.clone());
            if ip.is_none() {
                no_address(ctx, s, service_ref.as_ref());
            }
            ip
        }
        (None, None) => None,
    };
    let service_facts = service.fact().map(|s| s.provenance(doc.file));

    let ike_ref = conn.string(ctx, "ikepolicy_id");
    let ike = join::find(
        ctx,
        Kind::IkePolicy,
        "ikepolicy_id",
        ike_ref.as_ref(),
        sources(beside.ike.as_ref(), &mine.ike, &joined.ike),
    );
    let ike = policy(
        ctx,
        ike,
        Kind::IkePolicy,
        ike_ref.as_ref(),
        &mut d,
        doc.file,
    )
    .unwrap_or_else(|| policies::ike(ctx, None, &mut d));
    let esp_ref = conn.string(ctx, "ipsecpolicy_id");
    let esp = join::find(
        ctx,
        Kind::IpsecPolicy,
        "ipsecpolicy_id",
        esp_ref.as_ref(),
        sources(beside.esp.as_ref(), &mine.esp, &joined.esp),
    );
    let esp = policy(
        ctx,
        esp,
        Kind::IpsecPolicy,
        esp_ref.as_ref(),
        &mut d,
        doc.file,
    )
    .unwrap_or_else(|| policies::esp(ctx, None, &mut d));

    let local_ref = conn.string(ctx, "local_ep_group_id");
    let local_group = join::find(
        ctx,
        Kind::EndpointGroup,
        "local_ep_group_id",
        local_ref.as_ref(),
        sources(beside.local_group.as_ref(), &mine.groups, &joined.groups),
    );
    let peer_ref = conn.string(ctx, "peer_ep_group_id");
    let peer_group = join::find(
        ctx,
        Kind::EndpointGroup,
        "peer_ep_group_id",
        peer_ref.as_ref(),
        sources(beside.peer_group.as_ref(), &mine.groups, &joined.groups),
    );
    let group_facts: Vec<AppliedDefault> = [local_group.fact(), peer_group.fact()]
        .into_iter()
        .flatten()
        .flat_map(|g| g.provenance(doc.file))
        .collect();
    let (local_subnets, remote_subnets) =
        endpoints::subnets(ctx, conn, &doc.local_cidrs, local_group, peer_group);
    conn.finish(ctx);

    let nat = own.or(None, "NAT traversal", "on", true);
    let name =
        crate::dialect::sanitize_name(title.as_ref().map_or("neutron-vpn", |t| t.value.as_str()));
    let mut defaults = d.into_vec();
    defaults.extend(service_facts.unwrap_or_default());
    defaults.extend(group_facts);
    defaults.extend(own.into_vec());
    Some(Connection {
        name,
        title,
        dialect: "neutron".into(),
        view: Side::Cloud,
        local: Endpoint {
            side: Side::Cloud,
            gateway: cloud_ip,
            id: local_id,
            subnets: local_subnets,
            bgp: BgpSpeaker::default(),
        },
        remote: Endpoint {
            side: Side::Customer,
            gateway: customer_ip,
            id: peer_id,
            subnets: remote_subnets,
            bgp: BgpSpeaker::default(),
        },
        ike,
        esp,
        psk,
        dpd,
        nat_traversal: nat,
        cloud_initiation: initiation,
        bgp: None,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group: None,
        defaults,
    })
}

/// A policy found: its facts (and where they came from) join the connection's defaults. Not
/// found: the API's defaults are assumed, with a warning when the connection names one.
fn policy<T: Clone>(
    ctx: &Ctx,
    found: Found<T>,
    kind: Kind,
    reference: Option<&At<String>>,
    d: &mut Defaults,
    file: &str,
) -> Option<T> {
    match found {
        Found::Fact(f) => {
            for p in f.provenance(file) {
                d.joined(p);
            }
            Some(f.value.clone())
        }
        Found::Reported => None,
        Found::NotGiven => {
            if let Some(r) = reference {
                let (one, _) = kind.wrappers();
                ctx.push(
                    Diagnostic::warning(
                        "lint.policy-assumed",
                        format!(
                            "`{}` references {one} {} that is not among the inputs",
                            kind.reference(),
                            r.value
                        ),
                    )
                    .at(r.span, "only an id")
                    .help(format!(
                        "the API's defaults are assumed for it; pass it as another input (`{} {} -f json > {one}.json`) or paste the object beside ipsec_site_connection as `{one}`",
                        kind.show_command(),
                        crate::render::quote::shell_word(&r.value)
                    )),
                );
            }
            None
        }
    }
}

/// A VPN service that gives no address: the client's `openstack vpn service show` does not
/// print `external_v4_ip` / `external_v6_ip`.
fn no_address(ctx: &Ctx, s: &Fact<Service>, reference: Option<&At<String>>) {
    if !s.value.client_form {
        return;
    }
    let router = s.value.router.as_deref().unwrap_or("<router id>");
    ctx.push(
        Diagnostic::warning(
            "neutron.cloud-address",
            format!(
                "the VPN service {} ({}) gives no external address: `openstack vpn service show` does not print external_v4_ip",
                s.id(),
                crate::render::quote::path_word(&s.file)
            ),
        )
        .at(reference.and_then(|r| r.span), "this VPN service")
        .help(format!(
            "pass --cloud-ip with the router's external address (`openstack router show {} -f json -c external_gateway_info`: its external_fixed_ips), or the API's answer (GET /v2.0/vpn/vpnservices/{}) as the VPN service document",
            crate::render::quote::shell_word(router),
            s.id()
        )),
    );
}

/// `dpd {action, interval, timeout}`: defaults hold / 30 / 120; the timeout must exceed the
/// interval (Neutron's IPsecSiteConnectionDpdIntervalValueError).
fn dpd(ctx: &Ctx, conn: &Obj, d: &mut Defaults) -> Dpd {
    let o = conn.object(ctx, "dpd");
    let action = o
        .as_ref()
        .and_then(|o| o.choice_hinted(ctx, "action", vocab::DPD_ACTIONS, vocab::HINTS, CODE_VALUE));
    let interval = o.as_ref().and_then(|o| o.u32(ctx, "interval", CODE_VALUE));
    let timeout = o.as_ref().and_then(|o| o.u32(ctx, "timeout", CODE_VALUE));
    if let Some(o) = &o {
        o.finish(ctx);
    }
    let enabled = d.or(action, "ipsec_site_connection.dpd.action", "hold", true);
    let interval = d.or(interval, "ipsec_site_connection.dpd.interval", "30", 30);
    let timeout = d.or(timeout, "ipsec_site_connection.dpd.timeout", "120", 120);
    if timeout.value <= interval.value {
        ctx.push(
            Diagnostic::error(
                "neutron.dpd",
                format!(
                    "the DPD timeout ({}s) must be greater than the DPD interval ({}s)",
                    timeout.value, interval.value
                ),
            )
            .at(timeout.span.or(interval.span), "not greater than the interval")
            .help("Neutron rejects this (IPsecSiteConnectionDpdIntervalValueError); e.g. interval 30, timeout 120"),
        );
    }
    Dpd {
        enabled,
        interval,
        timeout: timeout.value,
    }
}

/// `mtu`: at least 68 for IPv4 and 1280 for IPv6 (Neutron's IPsecSiteConnectionMtuError), at
/// most 65535 (an IP packet's maximum size). The IR has no MTU: it is checked, not rendered.
fn mtu(ctx: &Ctx, conn: &Obj, peer: Option<IpAddr>) {
    let min = if peer.is_some_and(|p| p.is_ipv6()) {
        1280
    } else {
        68
    };
    in_range(
        ctx,
        conn.integer(ctx, "mtu"),
        min..=65_535,
        "neutron.mtu",
        "ipsec_site_connection.mtu",
        "the MTU of the tunnel: at least 68 (IPv4) or 1280 (IPv6); Neutron's default is 1500",
    );
}
