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
            items
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
    })
}

/// Read every item; a connection whose name is empty or repeated in the list is named by its
/// ID instead (its folder in the output is named after it).
fn read_items(
    ctx: &Ctx,
    items: &[Obj],
    id_key: &'static str,
    read: impl Fn(&Obj) -> Option<Connection>,
) -> Vec<Connection> {
    let mut read_ok: Vec<(Connection, Option<At<String>>)> = Vec::new();
    for item in items {
        let id = item.string(ctx, id_key);
        if let Some(c) = read(item) {
            read_ok.push((c, id));
        }
    }
    let mut count = std::collections::HashMap::new();
    for (c, _) in &read_ok {
        *count.entry(c.name.clone()).or_insert(0) += 1;
    }
    read_ok
        .into_iter()
        .map(|(mut c, id)| {
            let named = c.title.as_ref().is_some_and(|t| !t.value.trim().is_empty());
            if let Some(id) = id.filter(|_| !named || count[&c.name] > 1) {
                c.name = crate::dialect::sanitize_name(&id.value);
            }
            c
        })
        .collect()
}
