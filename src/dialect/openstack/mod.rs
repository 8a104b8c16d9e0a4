//! OpenStack Neutron VPNaaS `ipsec_site_connection` (also Huawei Cloud / Open Telekom Cloud's
//! `/v2.0/vpn/ipsec-site-connections`), with the sibling objects the connection only references
//! by id: `ikepolicy`, `ipsecpolicy`, `vpnservice`, endpoint groups; plus `local_cidrs`.
//! The cloud is `local`; the customer (the peer) is `remote`.

mod endpoints;
mod policies;
mod vocab;

use std::net::IpAddr;
use std::str::FromStr;

use crate::diag::Diagnostic;
use crate::ir::{At, BgpSpeaker, Connection, Dpd, Endpoint, Initiation, Side};
use crate::tree::Span;

use self::policies::{CODE_UNSUPPORTED, CODE_VALUE};
use super::defaults::Defaults;
use super::fields::{Ctx, Obj};
use super::value_rules::{in_range, representable};
use super::PeerFacts;

/// Keys that identify this dialect.
pub const SIGNATURE: &[&str] = &["ipsec_site_connection"];

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

const VPNSERVICE_IGNORED: &[&str] = &[
    "id",
    "tenant_id",
    "project_id",
    "name",
    "description",
    "router_id",
    "subnet_id",
    "flavor_id",
    "admin_state_up",
    "status",
];

/// Where ipsecgen's own choices come from (Neutron has no such field).
const OWN_SOURCE: &str = "ipsecgen default: the API has no such setting";

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Option<Connection> {
    let Some(conn) = root.object(ctx, "ipsec_site_connection") else {
        ctx.push(
            Diagnostic::error("input.dialect", "no `ipsec_site_connection` object")
                .at(
                    Some(Span::new(root.span().offset, 1)),
                    "expected ipsec_site_connection",
                )
                .help("paste the body of GET /v2.0/vpn/ipsec-site-connections/{id}"),
        );
        root.finish(ctx);
        return None;
    };
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
    let dpd = dpd(ctx, &conn, &mut d);

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
    mtu(ctx, &conn, customer_ip.as_ref().map(At::get));
    let local_id = conn.identity_or_empty(ctx, "local_id");
    let peer_id = conn.identity_or_empty(ctx, "peer_id");

    // Sibling objects the connection references by id.
    let vpnservice = root.object(ctx, "vpnservice");
    same_reference(ctx, &conn, "vpnservice_id", vpnservice.as_ref());
    let cloud_ip = facts.cloud_ip.map(At::bare).or_else(|| {
        let v = vpnservice.as_ref()?;
        v.ip(ctx, "external_v4_ip", "input.peer-fact")
            .or_else(|| v.ip(ctx, "external_v6_ip", "input.peer-fact"))
    });
    if let Some(v) = &vpnservice {
        v.ignore(VPNSERVICE_IGNORED);
        v.ignore(&["external_v4_ip", "external_v6_ip"]);
        v.finish(ctx);
    }
    let ikepolicy = root.object(ctx, "ikepolicy");
    same_reference(ctx, &conn, "ikepolicy_id", ikepolicy.as_ref());
    let ike = policies::ike(ctx, ikepolicy.as_ref(), &mut d);
    let ipsecpolicy = root.object(ctx, "ipsecpolicy");
    same_reference(ctx, &conn, "ipsecpolicy_id", ipsecpolicy.as_ref());
    let esp = policies::esp(ctx, ipsecpolicy.as_ref(), &mut d);
    let (local_subnets, remote_subnets) = self::endpoints::subnets(ctx, root, &conn);
    conn.finish(ctx);
    root.finish(ctx);

    let nat = own.or(None, "NAT traversal", "on", true);
    let name = super::sanitize_name(title.as_ref().map_or("neutron-vpn", |t| t.value.as_str()));
    let mut defaults = d.into_vec();
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

/// A sibling object must be the one the connection references (`ikepolicy_id` = `ikepolicy.id`).
fn same_reference(ctx: &Ctx, conn: &Obj, key: &'static str, obj: Option<&Obj>) {
    let reference = conn.string(ctx, key);
    let id = obj.and_then(|o| o.string(ctx, "id"));
    if let (Some(r), None, Some(policy)) = (&reference, obj, key.strip_suffix("_id")) {
        if policy != "vpnservice" {
            ctx.push(
                Diagnostic::warning(
                    "lint.policy-assumed",
                    format!("`{key}` references a {policy} that is not in the document"),
                )
                .at(r.span, "only an id")
                .help(format!(
                    "the API's defaults are assumed for it; paste the {policy} object (GET /v2.0/vpn/{}s/{{id}}) beside ipsec_site_connection",
                    policy.replace("policy", "policie")
                )),
            );
        }
    }
    if let (Some(r), Some(id)) = (reference, id) {
        if r.value != id.value {
            let what = obj.map_or(String::new(), |o| o.path.clone());
            ctx.push(
                Diagnostic::error(
                    "neutron.reference",
                    format!("`{key}` is {:?} but `{what}.id` is {:?}", r.value, id.value),
                )
                .at(id.span, "a different object")
                .help(format!("paste the {what} the connection references")),
            );
        }
    }
}
