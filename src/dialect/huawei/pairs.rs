//! Two connections of one VPN gateway to one customer gateway, one over each of the gateway's
//! EIPs (`vgw_ip`), are one connection with two tunnels (`ir::TunnelGroup`): Huawei's own
//! redundancy ("dual connections", the batch create request). `ha_role` says which is which:
//! `master` and `slave` on an active-standby gateway; an active-active gateway has only
//! `master` (the API's default), so two masters, or no roles at all, are two active tunnels.
//! Pairs are found within one document (a list response or a batch request).

use crate::ir::{At, Connection, TunnelGroup, TunnelRole};

use crate::dialect::fields::{Ctx, Obj};

/// What pairs a connection: its gateways, its EIP and its role, as the item gives them.
pub(super) struct PairKey {
    gateways: Option<(String, String)>,
    eip: Option<String>,
    role: Option<At<String>>,
}

impl PairKey {
    pub(super) fn read(ctx: &Ctx, item: &Obj) -> PairKey {
        let vgw = item.string(ctx, "vgw_id").map(|v| v.value);
        let cgw = item.string(ctx, "cgw_id").map(|v| v.value);
        PairKey {
            gateways: vgw.zip(cgw),
            eip: item.string(ctx, "vgw_ip").map(|v| v.value),
            role: item.string(ctx, "ha_role"),
        }
    }
}

/// The connections in their order, each pair made one group (master first) where it stood.
pub(super) fn group(read: Vec<(Connection, PairKey)>) -> Vec<Connection> {
    // The items of each gateway pair, in one pass (a list may hold thousands).
    let mut by_gateways: std::collections::HashMap<&(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, (_, key)) in read.iter().enumerate() {
        if let Some(g) = &key.gateways {
            by_gateways.entry(g).or_default().push(i);
        }
    }
    let mut partner: Vec<Option<usize>> = vec![None; read.len()];
    for same in by_gateways.values() {
        // Exactly two, over two different EIPs: more are not one pair.
        if let [a, b] = same[..] {
            if read[a].1.eip.is_some() && read[a].1.eip != read[b].1.eip {
                partner[a] = Some(b);
                partner[b] = Some(a);
            }
        }
    }
    let mut slots: Vec<Option<(Connection, PairKey)>> = read.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for i in 0..slots.len() {
        let Some(first) = slots[i].take() else {
            continue;
        };
        let Some(second) = partner[i].and_then(|j| slots[j].take()) else {
            out.push(first.0);
            continue;
        };
        out.extend(pair(first, second));
    }
    out
}

fn role(key: &PairKey) -> Option<&str> {
    key.role.as_ref().map(|r| r.value.as_str())
}

fn pair(a: (Connection, PairKey), b: (Connection, PairKey)) -> [Connection; 2] {
    let (first, second, roles) = match (role(&a.1), role(&b.1)) {
        (Some("master"), Some("slave")) => (a, b, [TunnelRole::Master, TunnelRole::Slave]),
        (Some("slave"), Some("master")) => (b, a, [TunnelRole::Master, TunnelRole::Slave]),
        _ => (a, b, [TunnelRole::Active, TunnelRole::Active]),
    };
    let name = first.0.name.clone();
    let title = match (&first.0.title, &second.0.title) {
        (Some(x), Some(y)) => Some(At::new(format!("{} + {}", x.value, y.value), x.span)),
        (x, _) => x.clone(),
    };
    let mut out = [first, second].map(|(c, k)| (c, k.role));
    for (i, (conn, given)) in out.iter_mut().enumerate() {
        let index = i as u8 + 1;
        conn.name = format!("{name}-{index}");
        conn.group = Some(TunnelGroup {
            name: name.clone(),
            title: title.clone(),
            role: At::new(roles[i], given.as_ref().and_then(|r| r.span)),
            index,
            size: 2,
            tunnel_id: None,
        });
    }
    out.map(|(c, _)| c)
}
