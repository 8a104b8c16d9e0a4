//! `explain`: the tunnel in plain words as both sides see it, and topology diagrams.

use std::fmt::Write as _;

use crate::diag::Diagnostics;
use crate::ir::{Connection, Initiation, Side};
use crate::render::{find_target, RenderOptions};

/// How `explain` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// plain-language summary
    Text,
    /// a Mermaid flowchart of the topology
    Mermaid,
    /// a Graphviz DOT graph of the topology
    Dot,
}

fn duration(s: u32) -> String {
    match s {
        0 => "no limit (rekeying disabled)".into(),
        s if s % 3600 == 0 => format!("{s} s ({} h)", s / 3600),
        s if s % 60 == 0 => format!("{s} s ({} min)", s / 60),
        s => format!("{s} s"),
    }
}

/// The strongSwan proposals, as a cross-reference for engineers who know those names.
fn strongswan_names(conn: &Connection) -> Option<(String, String)> {
    let t = find_target("swanctl").ok()?;
    let ctx = crate::render::context::build(conn, RenderOptions::side(conn.view), t, "").ok()?;
    Some((ctx.ike?.proposal?, ctx.esp?.proposal?))
}

fn side_block(conn: &Connection, side: Side) -> Vec<String> {
    let ep = conn.endpoint(side);
    let who = match side {
        Side::Cloud if conn.remote_access.is_some() => "Cloud side: the IPsec server",
        Side::Cloud => "Cloud side: the VPN gateway",
        Side::Customer if conn.remote_access.is_some() => "Customer side: the clients",
        Side::Customer => "Customer side: your gateway",
    };
    let mut v = vec![who.to_owned()];
    v.push(format!(
        "  address   {}",
        ep.gateway
            .as_ref()
            .map_or("(not in the input)".to_owned(), |g| g.value.to_string())
    ));
    v.push(format!(
        "  IKE ID    {}",
        ep.id.as_ref().map_or_else(
            || ep
                .gateway
                .as_ref()
                .map_or("(its address)".to_owned(), |g| format!(
                    "{} (its address)",
                    g.value
                )),
            |i| i.value.to_string()
        )
    ));
    let subnets: Vec<String> = ep.subnets.iter().map(|s| s.value.to_string()).collect();
    if let (Side::Customer, Some(ra)) = (side, &conn.remote_access) {
        let pool: Vec<String> = ra.pool.iter().map(|p| p.value.to_string()).collect();
        v.push(format!("  addresses from the pool {}", pool.join(", ")));
    } else {
        v.push(format!(
            "  subnets   {}",
            if subnets.is_empty() {
                "(none)".into()
            } else {
                subnets.join(", ")
            }
        ));
    }
    if conn.bgp_enabled() {
        v.push(format!(
            "  BGP       AS {}, {}",
            ep.bgp
                .asn
                .as_ref()
                .map_or("?".into(), |a| a.value.to_string()),
            ep.bgp
                .ip
                .as_ref()
                .map_or("?".into(), |a| a.value.to_string())
        ));
    }
    v
}

/// The plain-language summary, with every diagnostic (lints included) at the end.
pub fn text(conn: &Connection, input: &str, diags: &Diagnostics) -> String {
    let mut s = String::new();
    let title = conn
        .title
        .as_ref()
        .map(|t| crate::render::quote::comment_safe(&t.value))
        .filter(|t| *t != conn.name)
        .map(|t| format!(" (\"{t}\")"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "Connection {}{title}, read from {} as {}",
        conn.name,
        crate::render::quote::path_word(input),
        conn.dialect
    );
    if let Some(g) = &conn.group {
        let _ = writeln!(
            s,
            "Tunnel {} of {} ({}) of connection {}",
            g.index,
            g.size,
            g.role.value.id(),
            g.name
        );
    }
    let kind = if conn.remote_access.is_some() {
        "client-to-site (IPsec server and clients)"
    } else {
        "site-to-site"
    };
    let _ = writeln!(s, "Kind: {kind}\n");
    let (a, b) = (
        side_block(conn, Side::Cloud),
        side_block(conn, Side::Customer),
    );
    let width = a.iter().map(|l| l.chars().count()).max().unwrap_or(0) + 4;
    for i in 0..a.len().max(b.len()) {
        let l = a.get(i).map_or("", String::as_str);
        let r = b.get(i).map_or("", String::as_str);
        let _ = writeln!(s, "  {l:<width$}{r}");
    }
    let _ = writeln!(s);
    let who = match conn.cloud_initiation.value {
        Initiation::Immediately => "the cloud starts negotiating as soon as the configuration applies (EffectImmediately=true); the customer side answers and also starts on traffic",
        Initiation::OnTraffic => "the cloud waits for traffic (EffectImmediately=false); the customer side starts the tunnel",
        Initiation::Respond => "the cloud only answers; the customer side (the client) starts the tunnel",
    };
    let _ = writeln!(s, "Who initiates: {who}.");
    let ike = &conn.ike;
    let integ = ike
        .integrity
        .as_ref()
        .map_or("(AEAD, no separate integrity)".into(), |i| {
            i.value.describe().to_owned()
        });
    let prf = ike
        .effective_prf()
        .map_or(String::new(), |p| format!(", {}", p.describe()));
    let mode = if ike.version.value == crate::ir::IkeVersion::Ikev1 {
        format!(" {} mode", ike.mode.value.id())
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "IKE (phase 1): {}{mode}, {}, {integ}{prf}, DH {}; lifetime {}",
        ike.version
            .value
            .id()
            .to_uppercase()
            .replace("IKEV", "IKEv"),
        ike.cipher.value.describe(),
        ike.dh.value.describe(),
        duration(ike.lifetime.value)
    );
    let esp = &conn.esp;
    let pfs = esp.pfs.as_ref().map_or("no PFS".into(), |g| {
        format!("PFS with DH {}", g.value.describe())
    });
    let _ = writeln!(
        s,
        "ESP (phase 2):  {}, {}, {pfs}; lifetime {}",
        esp.cipher.value.describe(),
        esp.integrity
            .as_ref()
            .map_or("(AEAD)".into(), |i| i.value.describe().to_owned()),
        duration(esp.lifetime.value)
    );
    if let Some((ike_p, esp_p)) = strongswan_names(conn) {
        let _ = writeln!(
            s,
            "  strongSwan names: proposals = {ike_p}; esp_proposals = {esp_p}"
        );
    }
    let _ = writeln!(
        s,
        "Dead peer detection: {}; NAT traversal: {}",
        if conn.dpd.enabled.value {
            format!(
                "every {} s, dead after {} s",
                conn.dpd.interval.value, conn.dpd.timeout
            )
        } else {
            "off".into()
        },
        if conn.nat_traversal.value {
            "on"
        } else {
            "off"
        }
    );
    if let Some(b) = conn.bgp.as_ref().filter(|b| b.enabled.value) {
        let _ = writeln!(
            s,
            "BGP over the tunnel: link {}; route-based tunnel by default (--tunnel-mode policy for kernels without xfrm interfaces)",
            b.tunnel_cidr.as_ref().map_or("?".into(), |c| c.value.to_string())
        );
    } else if conn.bgp.is_some() {
        let _ = writeln!(
            s,
            "BGP over the tunnel: off (the input's BGP block is disabled)"
        );
    }
    if conn.health_check.as_ref().is_some_and(|h| !h.enabled.value) {
        let _ = writeln!(
            s,
            "Health check: off (the input's health check is disabled)"
        );
    }
    if let Some(h) = conn.health_check.as_ref().filter(|h| h.enabled.value) {
        let _ = writeln!(
            s,
            "Health check: the cloud pings {} from {} every {} s; after {} losses it {}",
            h.dip.as_ref().map_or("?".into(), |a| a.value.to_string()),
            h.sip.as_ref().map_or("?".into(), |a| a.value.to_string()),
            h.interval.value,
            h.retry.value,
            match h.policy.value {
                crate::ir::HealthPolicy::RevokeRoute =>
                    "withdraws its routes to this tunnel (revoke_route)",
                crate::ir::HealthPolicy::ReserveRoute => "keeps its routes (reserve_route)",
            }
        );
    }
    if !conn.defaults.is_empty() {
        let _ = writeln!(s, "\nDefaults applied (the input does not state them):");
        for d in &conn.defaults {
            let _ = writeln!(s, "  {} = {}  ({})", d.field, d.value, d.source);
        }
    }
    if !diags.is_empty() {
        let _ = writeln!(s, "\nFindings:");
        for d in diags.iter() {
            let _ = writeln!(
                s,
                "  {} [{}] {}",
                if d.is_error() { "error" } else { "warning" },
                crate::escape::escaped(&d.code),
                crate::escape::escaped(&d.message)
            );
        }
    }
    s
}

fn nets(conn: &Connection, side: Side) -> Vec<String> {
    match (side, &conn.remote_access) {
        (Side::Customer, Some(ra)) => ra
            .pool
            .iter()
            .map(|p| format!("clients {}", p.value))
            .collect(),
        _ => conn
            .endpoint(side)
            .subnets
            .iter()
            .map(|s| s.value.to_string())
            .collect(),
    }
}

fn gateway_label(conn: &Connection, side: Side, br: &str) -> String {
    let ep = conn.endpoint(side);
    let mut l = match side {
        Side::Cloud => "cloud VPN gateway".to_owned(),
        Side::Customer => "customer gateway".to_owned(),
    };
    if let Some(g) = &ep.gateway {
        l.push_str(&format!("{br}{}", g.value));
    }
    if conn.bgp_enabled() {
        if let (Some(a), Some(ip)) = (&ep.bgp.asn, &ep.bgp.ip) {
            l.push_str(&format!("{br}AS {} / {}", a.value, ip.value));
        }
    }
    l
}

fn link_label(conn: &Connection, br: &str) -> String {
    let mut l = format!(
        "IPsec {}",
        conn.ike.version.value.id().replace("ikev", "IKEv")
    );
    if let Some((ike, esp)) = strongswan_names(conn) {
        l.push_str(&format!("{br}IKE {ike}{br}ESP {esp}"));
    }
    if let Some(c) = conn
        .bgp
        .as_ref()
        .filter(|b| b.enabled.value)
        .and_then(|b| b.tunnel_cidr.as_ref())
    {
        l.push_str(&format!("{br}BGP over {}", c.value));
    }
    l
}

/// The text of a connection with two tunnels: which tunnel carries the traffic, then each
/// tunnel as `text` explains it.
pub fn group_text(conns: &[Connection], input: &str, diags: &Diagnostics) -> String {
    let mut s = String::new();
    if let Some(g) = conns.first().and_then(|c| c.group.as_ref()) {
        let title = g
            .title
            .as_ref()
            .map(|t| crate::render::quote::comment_safe(&t.value))
            .filter(|t| *t != g.name)
            .map(|t| format!(" (\"{t}\")"))
            .unwrap_or_default();
        let _ = writeln!(s, "Connection {}{title}: {} tunnels", g.name, conns.len());
        for c in conns {
            let role = c.group.as_ref().map_or("", |g| g.role.value.id());
            let gw = |side| {
                c.endpoint(side)
                    .gateway
                    .as_ref()
                    .map_or("(address not given)".to_owned(), |a| a.value.to_string())
            };
            let _ = writeln!(
                s,
                "  {} ({role}): cloud {} <-> customer {}",
                c.name,
                gw(Side::Cloud),
                gw(Side::Customer)
            );
        }
        let balanced = g.role.value == crate::ir::TunnelRole::Active;
        let unknown = conns.iter().any(|c| {
            c.group
                .as_ref()
                .is_some_and(|g| g.role.value == crate::ir::TunnelRole::Unknown)
        });
        let _ = writeln!(
            s,
            "{}\n",
            if unknown {
                "Which tunnel is the master is not known (the input states no roles): nothing renders until it is; pass the VPN gateway's DescribeVpnGateway response beside it (its InternetIp is the master's address, DisasterRecoveryInternetIp the slave's)."
            } else if balanced {
                "Both tunnels carry traffic (active-active); the outputs balance over them."
            } else {
                "The cloud forwards over the master and moves to the slave while the master is down; the outputs prefer the master the same way (docs/two-tunnels.md)."
            }
        );
    }
    for c in conns {
        s.push_str(&text(c, input, diags));
        s.push('\n');
    }
    s
}

/// The tunnels of one connection as diagram edges: (cloud gateway node, customer gateway node,
/// label, primary). One tunnel: `cgw`/`ugw`; two: `cgw1`/`cgw2`, and `ugw1`/`ugw2` when the
/// customer side has two addresses.
fn tunnel_edges(conns: &[Connection], br: &str) -> Vec<(String, String, String, bool)> {
    let two_customers = conns.len() > 1
        && conns.windows(2).any(|w| {
            w[0].endpoint(Side::Customer).gateway != w[1].endpoint(Side::Customer).gateway
        });
    conns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n = if conns.len() > 1 {
                (i + 1).to_string()
            } else {
                String::new()
            };
            let u = if two_customers {
                n.clone()
            } else {
                String::new()
            };
            let mut label = link_label(c, br);
            let mut primary = true;
            if let Some(g) = &c.group {
                label = format!("{} ({}){br}{label}", c.name, g.role.value.id());
                primary = g.role.value != crate::ir::TunnelRole::Slave;
            }
            (format!("cgw{n}"), format!("ugw{u}"), label, primary)
        })
        .collect()
}

/// The gateway nodes of one side: (node, label), each labelled by the first tunnel that uses it.
fn gateway_nodes(conns: &[Connection], side: Side, br: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (conn, (cloud, customer, _, _)) in conns.iter().zip(tunnel_edges(conns, br)) {
        let node = if side == Side::Cloud { cloud } else { customer };
        if !out.iter().any(|(n, _)| *n == node) {
            out.push((node, gateway_label(conn, side, br)));
        }
    }
    out
}

/// A Mermaid flowchart: cloud subnets - cloud gateway == tunnel == customer gateway - customer
/// subnets; a connection with two tunnels has two links (the slave's dotted).
pub fn mermaid(conns: &[Connection]) -> String {
    let conn = &conns[0];
    let mut s = String::from("flowchart LR\n");
    for (side, p) in [(Side::Cloud, "c"), (Side::Customer, "u")] {
        let title = if side == Side::Cloud {
            "Cloud"
        } else {
            "Customer"
        };
        let _ = writeln!(s, "  subgraph {p}side[\"{title}\"]");
        for (node, label) in gateway_nodes(conns, side, "<br/>") {
            let _ = writeln!(s, "    {node}[\"{label}\"]");
        }
        for (i, n) in nets(conn, side).iter().enumerate() {
            let _ = writeln!(s, "    {p}net{i}[\"{n}\"]");
        }
        let _ = writeln!(s, "  end");
    }
    let clouds = gateway_nodes(conns, Side::Cloud, "<br/>");
    let customers = gateway_nodes(conns, Side::Customer, "<br/>");
    for (i, _) in nets(conn, Side::Cloud).iter().enumerate() {
        for (node, _) in &clouds {
            let _ = writeln!(s, "  cnet{i} --- {node}");
        }
    }
    for (cloud, customer, label, primary) in tunnel_edges(conns, "<br/>") {
        let arrow = if primary { "<==>" } else { "<-.->" };
        let _ = writeln!(s, "  {cloud} {arrow}|\"{label}\"| {customer}");
    }
    for (i, _) in nets(conn, Side::Customer).iter().enumerate() {
        for (node, _) in &customers {
            let _ = writeln!(s, "  {node} --- unet{i}");
        }
    }
    s
}

/// A Graphviz DOT graph of the same topology.
pub fn dot(conns: &[Connection]) -> String {
    let conn = &conns[0];
    let name = conn.group.as_ref().map_or(&conn.name, |g| &g.name);
    let mut s = format!("graph \"{name}\" {{\n  rankdir=LR;\n  node [shape=box];\n");
    for (side, p) in [(Side::Cloud, "c"), (Side::Customer, "u")] {
        let title = if side == Side::Cloud {
            "Cloud"
        } else {
            "Customer"
        };
        let _ = writeln!(s, "  subgraph cluster_{p} {{\n    label=\"{title}\";");
        for (node, label) in gateway_nodes(conns, side, "\\n") {
            let _ = writeln!(s, "    {node} [label=\"{label}\"];");
        }
        for (i, n) in nets(conn, side).iter().enumerate() {
            let _ = writeln!(s, "    {p}net{i} [label=\"{n}\"];");
        }
        let _ = writeln!(s, "  }}");
    }
    let clouds = gateway_nodes(conns, Side::Cloud, "\\n");
    let customers = gateway_nodes(conns, Side::Customer, "\\n");
    for (i, _) in nets(conn, Side::Cloud).iter().enumerate() {
        for (node, _) in &clouds {
            let _ = writeln!(s, "  cnet{i} -- {node};");
        }
    }
    for (cloud, customer, label, primary) in tunnel_edges(conns, "\\n") {
        let style = if primary {
            "penwidth=3"
        } else {
            "style=dashed"
        };
        let _ = writeln!(s, "  {cloud} -- {customer} [label=\"{label}\", {style}];");
    }
    for (i, _) in nets(conn, Side::Customer).iter().enumerate() {
        for (node, _) in &customers {
            let _ = writeln!(s, "  {node} -- unet{i};");
        }
    }
    s.push_str("}\n");
    s
}
