//! ipsecgen's own YAML, for connections without a cloud payload: a `connections` list, each
//! stating both endpoints, the proposals in the IR's words, the PSK, DPD, NAT-T, initiation and
//! BGP. Omitted settings get strong defaults (IKEv2, AES-256, SHA-256, group 14), listed in
//! every output.

mod ranges;
mod vocab;

use std::net::{IpAddr, Ipv4Addr};

use crate::diag::Diagnostic;
use crate::ir::{
    At, Bgp, BgpSpeaker, Cipher, Connection, DhGroup, Dpd, Endpoint, EspPolicy, IkeMode, IkePolicy,
    IkeVersion, Initiation, Integrity, Prf, Side,
};
use crate::tree::{Span, Value};

use super::defaults::Defaults;
use super::fields::{Ctx, Obj};
use super::value_rules::in_range;
use super::PeerFacts;

/// Keys that identify this dialect.
pub const SIGNATURE: &[&str] = &["connections"];

const CODE_VALUE: &str = "native.value";

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    let (count, connections): (usize, Vec<Connection>) = if ctx.schema.is_some() {
        // Schema mode records every read in the one context.
        let items = root.objects(ctx, "connections").unwrap_or_default();
        root.finish(ctx);
        let read = items.iter().filter_map(|o| connection(ctx, o, facts));
        (items.len(), read.collect())
    } else {
        // Each connection is read with a context of its own, on every core (a fleet file holds
        // thousands); diagnostics and secrets are gathered in file order.
        let items = root.object_nodes(ctx, "connections").unwrap_or_default();
        root.finish(ctx);
        let (text, secret_files) = (ctx.text, &ctx.secret_files);
        let read = crate::parallel::map_ordered(&items, |(path, node)| {
            let own = Ctx::detached(text, secret_files.clone());
            let conn = connection(&own, &Obj::borrowed(node, path.clone()), facts);
            (conn, own)
        });
        let read = read.into_iter().filter_map(|(conn, own)| {
            ctx.join(own);
            conn
        });
        (items.len(), read.collect())
    };
    if count == 0 {
        ctx.push(
            Diagnostic::error("native.connections", "no connections are given")
                .at(Some(Span::new(root.span().offset, 1)), "empty")
                .help("write `connections:` followed by a list of connections, each with a name"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for c in &connections {
        if !seen.insert(c.name.as_str()) {
            ctx.push(
                Diagnostic::error("native.name", format!("two connections are named {:?}", c.name))
                    .at(c.title.as_ref().and_then(|t| t.span), "used before")
                    .help("names must be unique (after replacing characters other than letters, digits, - and _)"),
            );
        }
    }
    connections
}

fn connection(ctx: &Ctx, o: &Obj, facts: &PeerFacts) -> Option<Connection> {
    let mut d = Defaults::new(vocab::DEFAULTS_SOURCE);
    let title = o.string(ctx, "name");
    let name = title.as_ref().map(|t| super::sanitize_name(&t.value));
    if title.is_none() {
        ctx.push(
            Diagnostic::error("native.name", format!("`{}` has no name", o.path))
                .at(Some(Span::new(o.span().offset, 1)), "no name")
                .help("every connection needs a `name`: it names the config objects and the output folder"),
        );
    }
    let mut cloud = endpoint(ctx, o, "cloud", Side::Cloud);
    let mut customer = endpoint(ctx, o, "customer", Side::Customer);
    if let Some(ip) = facts.cloud_ip {
        cloud.gateway = Some(At::bare(ip));
    }
    if let Some(ip) = facts.customer_ip {
        customer.gateway = Some(At::bare(ip));
    }
    if let Some(asn) = facts.customer_asn {
        customer.bgp.asn = Some(At::bare(asn));
    }
    let ike = ike(ctx, o.object(ctx, "ike").as_ref(), &mut d);
    let esp = esp(ctx, o.object(ctx, "esp").as_ref(), &mut d);
    let psk = o.required_psk(ctx, "psk", || {
        Diagnostic::error(
            "input.psk-missing",
            format!("`{}` has no pre-shared key", o.path),
        )
        .at(Some(Span::new(o.span().offset, 1)), "no psk")
        .help("add `psk: {env: VAR}` (or `{file: path}`, or the key itself)")
    });
    let dpd = dpd(ctx, o.object(ctx, "dpd").as_ref(), &mut d);
    let nat = d.or(
        o.boolean(ctx, "nat_traversal"),
        "nat_traversal",
        "true",
        true,
    );
    let initiation = d.or(
        o.choice_hinted(
            ctx,
            "initiation",
            vocab::INITIATIONS,
            vocab::HINTS,
            CODE_VALUE,
        ),
        "initiation",
        "on_traffic",
        Initiation::OnTraffic,
    );
    let bgp = o.object(ctx, "bgp").map(|b| {
        let enabled = d.or(b.boolean(ctx, "enabled"), "bgp.enabled", "true", true);
        let tunnel_cidr = b.ipv4_cidr(ctx, "tunnel_cidr", "native.bgp");
        b.finish(ctx);
        Bgp {
            enabled,
            tunnel_cidr,
        }
    });
    o.finish(ctx);
    let defaults = d.into_vec();
    Some(Connection {
        name: name?,
        title,
        dialect: "native".into(),
        view: Side::Cloud,
        local: cloud,
        remote: customer,
        ike,
        esp,
        psk,
        dpd,
        nat_traversal: nat,
        cloud_initiation: initiation,
        bgp,
        health_check: None,
        auto_config_route: None,
        remote_access: None,
        group: None,
        defaults,
    })
}

fn endpoint(ctx: &Ctx, conn: &Obj, key: &'static str, side: Side) -> Endpoint {
    let o = conn.object(ctx, key);
    let o = o.as_ref();
    let ep = Endpoint {
        side,
        gateway: o.and_then(|o| o.ip(ctx, "gateway", "native.gateway")),
        id: o.and_then(|o| o.identity(ctx, "id")),
        subnets: o
            .and_then(|o| o.cidr_list(ctx, "subnets", "native.subnets"))
            .unwrap_or_default(),
        bgp: BgpSpeaker {
            asn: o.and_then(|o| o.u32(ctx, "asn", "native.bgp")),
            ip: o.and_then(|o| ipv4(ctx, o, "bgp_ip")),
        },
    };
    match o {
        Some(o) => o.finish(ctx),
        None => ctx.push(
            Diagnostic::error(
                "native.endpoint",
                format!("`{}` has no `{key}` endpoint", conn.path),
            )
            .at(Some(Span::new(conn.span().offset, 1)), format!("no {key}"))
            .help(format!(
                "add `{key}: {{gateway: <public IP>, subnets: [<CIDR>, ...]}}`"
            )),
        ),
    }
    ep
}

fn ipv4(ctx: &Ctx, o: &Obj, key: &'static str) -> Option<At<Ipv4Addr>> {
    let ip = o.ip(ctx, key, "native.bgp")?;
    match ip.value {
        IpAddr::V4(v4) => Some(At::new(v4, ip.span)),
        IpAddr::V6(_) => {
            ctx.push(
                Diagnostic::error(
                    "native.bgp",
                    format!("`{}.{key}` must be an IPv4 address", o.path),
                )
                .at(ip.span, "IPv6 is not supported here"),
            );
            None
        }
    }
}

/// A DH group by IANA number, one ipsecgen knows.
fn dh(ctx: &Ctx, o: &Obj, key: &'static str) -> Option<At<DhGroup>> {
    let n = o.integer(ctx, key)?;
    let known = u16::try_from(n.value)
        .ok()
        .filter(|g| DhGroup::KNOWN.iter().any(|(k, _)| k == g));
    if known.is_none() {
        let valid: Vec<String> = DhGroup::KNOWN.iter().map(|(k, _)| k.to_string()).collect();
        ctx.push(
            Diagnostic::error(
                "native.dh",
                format!(
                    "`{}.{key}` {} is not a DH group ipsecgen knows",
                    o.path, n.value
                ),
            )
            .at(n.span, "unknown DH group")
            .help(format!("write the IANA number: {}", valid.join(", "))),
        );
    }
    known.map(|g| At::new(DhGroup(g), n.span))
}

/// Integrity for a cipher: none with AEAD (an error when given), else the given or SHA-256.
fn integrity_for(
    ctx: &Ctx,
    o: Option<&Obj>,
    cipher: &At<Cipher>,
    d: &mut Defaults,
    field: &str,
) -> Option<At<Integrity>> {
    let words = vocab::integrity();
    let given = o.and_then(|o| o.choice_hinted(ctx, "integrity", &words, vocab::HINTS, CODE_VALUE));
    if !cipher.value.is_aead() {
        return Some(d.or(
            given,
            format!("{field}.integrity"),
            "sha256",
            Integrity::Sha256,
        ));
    }
    if let Some(g) = given {
        ctx.push(
            Diagnostic::error(
                "native.integrity",
                format!(
                    "{} carries its own integrity protection",
                    cipher.value.describe()
                ),
            )
            .at(g.span, "not used with an AEAD cipher")
            .help(format!(
                "remove `{field}.integrity` (for IKE, name the PRF with `prf`)"
            )),
        );
    }
    None
}

fn ike(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> IkePolicy {
    let version = d.or(
        o.and_then(|o| {
            o.choice_hinted(
                ctx,
                "version",
                vocab::IKE_VERSIONS,
                vocab::HINTS,
                CODE_VALUE,
            )
        }),
        "ike.version",
        "ikev2",
        IkeVersion::Ikev2,
    );
    let mode = o.and_then(|o| o.choice(ctx, "mode", vocab::IKE_MODES, CODE_VALUE));
    let mode = if version.value == IkeVersion::Ikev1 {
        d.or(mode, "ike.mode", "main", IkeMode::Main)
    } else {
        mode.unwrap_or(At::bare(IkeMode::Main))
    };
    let ciphers = vocab::ciphers();
    let cipher = d.or(
        o.and_then(|o| o.choice_hinted(ctx, "cipher", &ciphers, vocab::HINTS, CODE_VALUE)),
        "ike.cipher",
        "aes256",
        Cipher::Aes256,
    );
    let integrity = integrity_for(ctx, o, &cipher, d, "ike");
    let prfs = vocab::prfs();
    let prf = o.and_then(|o| o.choice_hinted(ctx, "prf", &prfs, vocab::PRF_HINTS, CODE_VALUE));
    let prf = if cipher.value.is_aead() {
        Some(d.or(prf, "ike.prf", "prfsha256", Prf::Sha256))
    } else {
        prf
    };
    let dh = d.or(
        o.and_then(|o| dh(ctx, o, "dh")),
        "ike.dh",
        "14",
        DhGroup(14),
    );
    let lifetime = d.or(
        o.and_then(|o| lifetime(ctx, o)),
        "ike.lifetime",
        "28800",
        28_800,
    );
    if let Some(o) = o {
        o.finish(ctx);
    }
    IkePolicy {
        version,
        mode,
        cipher,
        integrity,
        prf,
        dh,
        lifetime,
    }
}

/// `lifetime` in seconds, within the native range.
fn lifetime(ctx: &Ctx, o: &Obj) -> Option<At<u32>> {
    in_range(
        ctx,
        o.integer(ctx, "lifetime"),
        ranges::LIFETIME,
        "native.lifetime",
        &format!("{}.lifetime", o.path),
        ranges::LIFETIME_HELP,
    )
}

fn esp(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> EspPolicy {
    let ciphers = vocab::ciphers();
    let cipher = d.or(
        o.and_then(|o| o.choice_hinted(ctx, "cipher", &ciphers, vocab::HINTS, CODE_VALUE)),
        "esp.cipher",
        "aes256",
        Cipher::Aes256,
    );
    let integrity = integrity_for(ctx, o, &cipher, d, "esp");
    let pfs = match o {
        Some(o) if o.is_null("pfs") => Some(At::bare(None)),
        Some(o) => match o.node("pfs").map(|n| &n.value) {
            Some(Value::Str(_)) => o.choice(ctx, "pfs", &[(vocab::NO_PFS, None)], CODE_VALUE),
            Some(_) => dh(ctx, o, "pfs").map(|g| At::new(Some(g.value), g.span)),
            None => None,
        },
        None => None,
    };
    let pfs = d.or(pfs, "esp.pfs", "14", Some(DhGroup(14)));
    let lifetime = d.or(
        o.and_then(|o| lifetime(ctx, o)),
        "esp.lifetime",
        "3600",
        3600,
    );
    if let Some(o) = o {
        o.finish(ctx);
    }
    EspPolicy {
        cipher,
        integrity,
        pfs: pfs.value.map(|g| At::new(g, pfs.span)),
        lifetime,
    }
}

fn dpd(ctx: &Ctx, o: Option<&Obj>, d: &mut Defaults) -> Dpd {
    let enabled = d.or(
        o.and_then(|o| o.boolean(ctx, "enabled")),
        "dpd.enabled",
        "true",
        true,
    );
    let ranged = |o: &Obj, key: &'static str, range, help: &str| {
        let field = format!("{}.{key}", o.path);
        in_range(ctx, o.integer(ctx, key), range, "native.dpd", &field, help)
    };
    let given = |key| o.is_some_and(|o| o.node(key).is_some());
    let (interval, timeout) = (
        o.and_then(|o| {
            ranged(
                o,
                "interval",
                ranges::DPD_INTERVAL,
                ranges::DPD_INTERVAL_HELP,
            )
        }),
        o.and_then(|o| ranged(o, "timeout", ranges::DPD_TIMEOUT, ranges::DPD_TIMEOUT_HELP)),
    );
    // A value already refused is not compared again.
    let refused =
        (given("interval") && interval.is_none()) || (given("timeout") && timeout.is_none());
    let interval = d.or(interval, "dpd.interval", "10", 10);
    let timeout = d.or(timeout, "dpd.timeout", "30", 30);
    if let Some(o) = o {
        o.finish(ctx);
    }
    if enabled.value && !refused && timeout.value <= interval.value {
        ctx.push(
            Diagnostic::error(
                "native.dpd",
                format!(
                    "the DPD timeout ({}s) must be greater than the interval ({}s)",
                    timeout.value, interval.value
                ),
            )
            .at(
                timeout.span.or(interval.span),
                "not greater than the interval",
            )
            .help("e.g. interval 10, timeout 30"),
        );
    }
    Dpd {
        enabled,
        interval,
        timeout: timeout.value,
    }
}
