//! Rules over a whole fleet (every connection of one input): two connections to the same cloud
//! gateway whose customer subnets are equal or nested leave the gateway unable to tell which
//! tunnel a packet belongs to (`lint.overlapping-subnets`).
//!
//! O(n log n): every customer subnet becomes an address interval; CIDR blocks are either nested
//! or disjoint, so after sorting by (gateway, family, start, widest first) a stack of the blocks
//! still open holds exactly the blocks enclosing the current one.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, Side};
use crate::line_index::LineIndex;
use crate::tree::Span;

struct Block<'c> {
    gateway: IpAddr,
    v6: bool,
    start: u128,
    end: u128,
    conn: usize,
    net: IpNetwork,
    span: Option<Span>,
    name: &'c str,
}

fn interval(net: &IpNetwork) -> (u128, u128) {
    match net {
        IpNetwork::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNetwork::V6(n) => {
            let start = u128::from(n.network());
            let host_bits = 128 - u32::from(n.prefix());
            let span = if host_bits == 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            (start, start | span)
        }
    }
}

/// Customer subnets that equal or lie inside another connection's on the same cloud gateway.
/// `lines` places the other connection's subnet in the message.
pub fn overlapping_subnets(conns: &[Connection], lines: &LineIndex<'_>) -> Diagnostics {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    for (i, c) in conns.iter().enumerate() {
        // Clients of an IPsec server have pool addresses, not subnets; without the cloud
        // gateway's address, which connections share a gateway is unknown.
        let Some(gw) = c.endpoint(Side::Cloud).gateway.as_ref() else {
            continue;
        };
        if c.remote_access.is_some() {
            continue;
        }
        for s in &c.endpoint(Side::Customer).subnets {
            // 0.0.0.0/0 (destination routing) covers everything by design.
            if s.value.prefix() == 0 {
                continue;
            }
            let (start, end) = interval(&s.value);
            blocks.push(Block {
                gateway: gw.value,
                v6: s.value.is_ipv6(),
                start,
                end,
                conn: i,
                net: s.value,
                span: s.span,
                name: c
                    .title
                    .as_ref()
                    .map_or(c.name.as_str(), |t| t.value.as_str()),
            });
        }
    }
    blocks.sort_by(|a, b| {
        (a.gateway, a.v6, a.start, std::cmp::Reverse(a.end), a.conn).cmp(&(
            b.gateway,
            b.v6,
            b.start,
            std::cmp::Reverse(b.end),
            b.conn,
        ))
    });
    let mut out = Diagnostics::default();
    // Indexes into `blocks` of the blocks enclosing the current one, outermost first.
    let mut open: Vec<usize> = Vec::new();
    // Blocks looked at: each once, each stack entry once more when popped or walked past.
    let mut compared = blocks.len();
    for (i, b) in blocks.iter().enumerate() {
        while let Some(&top) = open.last() {
            compared += 1;
            let t = &blocks[top];
            if t.gateway != b.gateway || t.v6 != b.v6 || t.end < b.start {
                open.pop();
            } else {
                break;
            }
        }
        // The innermost enclosing block of another connection (a connection's own blocks on
        // the stack are strictly nested, so this walk is bounded by the prefix length).
        let other = open.iter().rev().position(|&o| blocks[o].conn != b.conn);
        compared += other.map_or(open.len(), |p| p + 1);
        if let Some(p) = other {
            out.push(diagnostic(&blocks[open[open.len() - 1 - p]], b, lines));
        }
        open.push(i);
    }
    crate::work::add(crate::work::Unit::SubnetCompare, compared);
    out
}

fn diagnostic(outer: &Block<'_>, inner: &Block<'_>, lines: &LineIndex<'_>) -> Diagnostic {
    let relation = if outer.net == inner.net {
        "the same block as"
    } else {
        "inside"
    };
    let place = outer
        .span
        .map(|s| format!(" (line {})", lines.line_col(s.offset).0))
        .unwrap_or_default();
    Diagnostic::warning(
        "lint.overlapping-subnets",
        format!(
            "connection {:?}: customer subnet {} is {relation} {} of connection {:?}{place}, on the same cloud gateway {}",
            inner.name, inner.net, outer.net, outer.name, inner.gateway
        ),
    )
    .at(inner.span, format!("overlaps {:?}", outer.name))
    .help("the cloud gateway routes each destination into one tunnel only: give each customer site its own address range, or merge the connections")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sweep reports exactly the subnets a pairwise comparison finds enclosed by (or equal
    /// to, from an earlier connection) a block of another connection on the same gateway.
    #[test]
    fn sweep_agrees_with_pairwise_comparison() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..40 {
            let mut text = String::from("connections:\n");
            for i in 0..30 {
                let mut subnets = Vec::new();
                for _ in 0..1 + next(3) {
                    let prefix = [8, 16, 24, 28][next(4) as usize];
                    let net = match prefix {
                        8 => "10.0.0.0/8".to_owned(),
                        16 => format!("10.{}.0.0/16", next(3)),
                        24 => format!("10.{}.{}.0/24", next(3), next(3)),
                        _ => format!("10.{}.{}.{}/28", next(3), next(3), 16 * next(3)),
                    };
                    if !subnets.contains(&net) {
                        subnets.push(net);
                    }
                }
                text.push_str(&format!(
                    "  - name: c{i}\n    cloud: {{gateway: 203.0.113.{}, subnets: [172.16.0.0/16]}}\n    customer: {{gateway: 198.51.100.{i}, subnets: [{}]}}\n    psk: Zr5tW8yBn3QxL6vDkk99\n",
                    next(2),
                    subnets.join(", ")
                ));
            }
            let checked = crate::check(
                crate::source::Source::new("fleet.yaml", text.clone()),
                &crate::LoadOptions::default(),
            );
            let conns = &checked.connections;
            assert_eq!(conns.len(), 30, "{text}");
            let lines = LineIndex::new("fleet.yaml", &text);
            let mut got: Vec<usize> = overlapping_subnets(conns, &lines)
                .iter()
                .filter_map(|d| d.label.as_ref().map(|(s, _)| s.offset))
                .collect();
            got.sort_unstable();
            let mut want = Vec::new();
            for (i, a) in conns.iter().enumerate() {
                for s in &a.remote.subnets {
                    let hit = conns.iter().enumerate().any(|(j, b)| {
                        j != i
                            && b.local.gateway.as_ref().map(|g| g.value)
                                == a.local.gateway.as_ref().map(|g| g.value)
                            && b.remote.subnets.iter().any(|o| {
                                o.value.prefix() <= s.value.prefix()
                                    && o.value.contains(s.value.network())
                                    && (o.value != s.value || j < i)
                            })
                    });
                    if hit {
                        want.push(s.span.map_or(0, |sp| sp.offset));
                    }
                }
            }
            want.sort_unstable();
            assert_eq!(got, want, "round {round}:\n{text}");
        }
    }
}
