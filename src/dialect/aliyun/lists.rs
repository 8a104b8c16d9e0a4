//! Alibaba list responses, each a fleet with one connection per item: DescribeVpnConnections
//! (`VpnConnections.VpnConnection[]`, also what the English DescribeVpnConnection page prints)
//! and ListIpsecServers (`IpsecServers[]`). Items are read by the single-object readers.

use crate::ir::{At, Connection};

use crate::dialect::fields::{Ctx, Obj};
use crate::dialect::PeerFacts;

/// The paging wrapper around the items.
const WRAPPER: &[&str] = &[
    "PageNumber",
    "PageSize",
    "TotalCount",
    "RequestId",
    "MaxResults",
    "NextToken",
];

/// DescribeVpnConnections: `VpnConnections: {VpnConnection: [...]}`.
pub fn vpn_connections(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    root.ignore(WRAPPER);
    let items = root
        .object(ctx, "VpnConnections")
        .map(|list| {
            let items = list.objects(ctx, "VpnConnection").unwrap_or_default();
            list.finish(ctx);
            items.into_iter().map(Obj::into_owned).collect::<Vec<_>>()
        })
        .unwrap_or_default();
    root.finish(ctx);
    read_items(ctx, &items, "VpnConnectionId", |item| {
        super::connection::read(ctx, item, facts)
    })
}

/// ListIpsecServers: `IpsecServers: [...]`.
pub fn ipsec_servers(ctx: &Ctx, root: &Obj, facts: &PeerFacts) -> Vec<Connection> {
    root.ignore(WRAPPER);
    let items = root.objects(ctx, "IpsecServers").unwrap_or_default();
    root.finish(ctx);
    read_items(ctx, &items, "IpsecServerId", |item| {
        super::ipsec_server::read(ctx, item, facts)
            .into_iter()
            .collect()
    })
}

/// Read every item; a connection whose name is empty or repeated in the list is named by its
/// ID instead (its folder in the output is named after it). An item with two tunnels is one
/// connection: the rule names the pair, and each tunnel after it (`<name>-1`, `<name>-2`).
fn read_items(
    ctx: &Ctx,
    items: &[Obj],
    id_key: &'static str,
    read: impl Fn(&Obj) -> Vec<Connection>,
) -> Vec<Connection> {
    let mut read_ok: Vec<(Vec<Connection>, Option<At<String>>)> = Vec::new();
    for item in items {
        let id = item.string(ctx, id_key);
        let conns = read(item);
        if !conns.is_empty() {
            read_ok.push((conns, id));
        }
    }
    let name = |c: &Connection| c.group.as_ref().map_or(&c.name, |g| &g.name).clone();
    let mut count = std::collections::HashMap::new();
    for (conns, _) in &read_ok {
        *count.entry(name(&conns[0])).or_insert(0) += 1;
    }
    let mut out = Vec::new();
    for (mut conns, id) in read_ok {
        let first = &conns[0];
        let named = first
            .title
            .as_ref()
            .is_some_and(|t| !t.value.trim().is_empty());
        if let Some(id) = id.filter(|_| !named || count[&name(first)] > 1) {
            let renamed = crate::dialect::sanitize_name(&id.value);
            for c in &mut conns {
                super::tunnels::rename(c, renamed.clone());
            }
        }
        out.extend(conns);
    }
    out
}
