//! Rules over the tunnels of one connection (Alibaba's dual-tunnel connections): exactly two
//! tunnels, one master and one slave, and a BGP link of their own each. Every tunnel's own
//! values (its /30, its BGP addresses, its proposals) are checked by the other rules, tunnel
//! by tunnel.
//!
//! Alibaba's CreateVpnConnection reference requires "the master tunnel and the slave tunnel"
//! and at most those two, and a TunnelCidr unique per tunnel within a gateway; its published
//! error table names no code for the pair, so the pair's codes are ipsecgen's own
//! (`input.tunnel-count`, `input.tunnel-roles`), and a repeated TunnelCidr is the API's
//! `IllegalParam.TunnelCidr`.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, TunnelRole};

/// The connections of an input, in groups: consecutive tunnels of one group together, and each
/// single-tunnel connection alone.
pub fn groups(conns: &[Connection]) -> Vec<&[Connection]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=conns.len() {
        let same = i < conns.len()
            && match (&conns[i - 1].group, &conns[i].group) {
                (Some(a), Some(b)) => a.name == b.name && b.index > a.index,
                _ => false,
            };
        if !same {
            out.push(&conns[start..i]);
            start = i;
        }
    }
    out
}

/// Every rule over every group of tunnels in `conns`.
pub fn check(conns: &[Connection]) -> Diagnostics {
    let mut out = Diagnostics::default();
    for g in groups(conns) {
        if g.first().is_some_and(|c| c.group.is_some()) {
            count(g, &mut out);
            roles(g, &mut out);
            cidrs(g, &mut out);
        }
    }
    out
}

fn title(g: &[Connection]) -> String {
    g[0].group
        .as_ref()
        .map(|t| t.title.as_ref().map_or(t.name.clone(), |x| x.value.clone()))
        .unwrap_or_default()
}

fn count(g: &[Connection], out: &mut Diagnostics) {
    if g.len() == 2 {
        return;
    }
    let span = g
        .get(2)
        .or(g.first())
        .and_then(|c| c.group.as_ref())
        .and_then(|t| t.role.span);
    out.push(
        Diagnostic::error(
            "input.tunnel-count",
            format!(
                "connection {} has {} tunnel{}: a dual-tunnel connection has exactly two, a master and a slave",
                crate::render::quote::comment_safe(&title(g)),
                g.len(),
                if g.len() == 1 { "" } else { "s" }
            ),
        )
        .at(span, if g.len() > 2 { "one tunnel too many" } else { "the only tunnel" })
        .help("give TunnelOptionsSpecification two entries, one with Role master and one with Role slave"),
    );
}

fn roles(g: &[Connection], out: &mut Diagnostics) {
    for want in [TunnelRole::Master, TunnelRole::Slave] {
        let same: Vec<_> = g
            .iter()
            .filter_map(|c| c.group.as_ref())
            .filter(|t| t.role.value == want)
            .collect();
        let other = match want {
            TunnelRole::Master => "slave",
            _ => "master",
        };
        if same.len() > 1 {
            out.push(
                Diagnostic::error(
                    "input.tunnel-roles",
                    format!(
                        "connection {} has {} {} tunnels: it needs one master and one slave",
                        crate::render::quote::comment_safe(&title(g)),
                        same.len(),
                        want.id()
                    ),
                )
                .at(same[1].role.span, format!("a second {}", want.id()))
                .help(format!("make this tunnel's Role \"{other}\"")),
            );
        }
    }
}

fn cidrs(g: &[Connection], out: &mut Diagnostics) {
    let links: Vec<_> = g
        .iter()
        .filter(|c| c.bgp_enabled())
        .filter_map(|c| c.bgp.as_ref()?.tunnel_cidr.as_ref().map(|n| (c, n)))
        .collect();
    for (i, (_, b)) in links.iter().enumerate() {
        for (a_conn, a) in &links[..i] {
            let overlap =
                a.value.contains(b.value.network()) || b.value.contains(a.value.network());
            if overlap {
                let role = a_conn.group.as_ref().map_or("other", |t| t.role.value.id());
                out.push(
                    Diagnostic::error(
                        "IllegalParam.TunnelCidr",
                        format!(
                            "TunnelCidr {} overlaps the {role} tunnel's {}: each tunnel needs its own /30",
                            b.value, a.value
                        ),
                    )
                    .at(b.span, "the same link network as the other tunnel")
                    .help("give each tunnel its own /30 inside 169.254.0.0/16, e.g. 169.254.10.0/30 and 169.254.20.0/30"),
                );
            }
        }
    }
}
