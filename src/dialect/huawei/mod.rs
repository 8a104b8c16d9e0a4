//! Huawei Cloud VPN API v5 (enterprise edition; also Open Telekom Cloud's Enterprise VPN):
//! `vpn_connection` (create request, create / show response), `vpn_connections` (the list
//! response with `page_info`, a batch create request or response), and the gateway documents
//! a connection names by ID (`vpn_gateway`, `customer_gateway`), given as other inputs or
//! beside `vpn_connection`. The two connections of a dual pair (one per gateway EIP) are one
//! connection with two tunnels (`pairs.rs`).

pub mod connection;
pub mod gateways;
mod pairs;
mod policies;
pub mod vocab;

use crate::diag::Diagnostic;
use crate::ir::Connection;
use crate::tree::Span;

use super::fields::{Ctx, Obj};
use super::gateways::Kind;
use super::PeerFacts;
use connection::Siblings;

pub const DIALECT: &str = "huawei-vpn";

/// Keys that identify this dialect.
pub const SIGNATURE: &[&str] = &["vpn_connection", "vpn_connections"];

/// Keys of the response wrapper around the connection(s).
const WRAPPER: &[&str] = &["request_id", "total_count"];

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts, file: &str) -> Vec<Connection> {
    root.ignore(WRAPPER);
    let siblings = siblings(ctx, root, file);
    if ctx.explore {
        // Schema mode: the list form too (the single form is explored below).
        let items = root.objects(ctx, "vpn_connections").unwrap_or_default();
        list(ctx, &items, &siblings, facts);
        page_info(ctx, root);
    }
    let out = if let Some(conn) = root.object(ctx, "vpn_connection") {
        connection::read(ctx, &conn, &siblings, facts, "huawei-vpn")
            .into_iter()
            .collect()
    } else if let Some(items) = root.objects(ctx, "vpn_connections") {
        page_info(ctx, root);
        list(ctx, &items, &siblings, facts)
    } else {
        ctx.push(
            Diagnostic::error("input.dialect", "no `vpn_connection` object or `vpn_connections` list")
                .at(Some(Span::new(root.span().offset, 1)), "expected vpn_connection")
                .help("paste the body of GET /v5/{project_id}/vpn-connection/{id} (or of the list, or of a create request)"),
        );
        Vec::new()
    };
    root.finish(ctx);
    out
}

/// The list response's paging: nothing about the tunnels.
fn page_info(ctx: &Ctx, root: &Obj) {
    if let Some(page) = root.object(ctx, "page_info") {
        page.ignore(&["next_marker", "previous_marker", "current_count"]);
        page.finish(ctx);
    }
}

/// `vpn_gateway`, `customer_gateway` and `local_subnets` beside the connection(s).
fn siblings(ctx: &Ctx, root: &Obj, file: &str) -> Siblings {
    let vgw = root
        .object(ctx, "vpn_gateway")
        .and_then(|o| gateways::read_object(ctx, &o, Kind::HuaweiVpn, file));
    let cgw = root
        .object(ctx, "customer_gateway")
        .and_then(|o| gateways::read_object(ctx, &o, Kind::HuaweiCustomer, file));
    let local_subnets = root.cidr_list(ctx, "local_subnets", vocab::CODE_INVALID);
    Siblings {
        vgw,
        cgw,
        local_subnets,
    }
}

/// A list or batch: each item is a connection; one without a name is named by its ID, or by
/// its place in the list (a batch create request has neither).
fn list(ctx: &Ctx, items: &[Obj], siblings: &Siblings, facts: &PeerFacts) -> Vec<Connection> {
    let mut out: Vec<(Connection, pairs::PairKey, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = item.string(ctx, "id");
        let fallback = id
            .as_ref()
            .map_or_else(|| format!("huawei-vpn-{}", i + 1), |id| id.value.clone());
        if let Some(c) = connection::read(ctx, item, siblings, facts, &fallback) {
            out.push((c, pairs::PairKey::read(ctx, item), fallback));
        }
    }
    // Names repeated in the list: those connections are named by their ID or place instead.
    let mut count = std::collections::HashMap::new();
    for (c, _, _) in &out {
        *count.entry(c.name.clone()).or_insert(0) += 1;
    }
    for (c, _, fallback) in out.iter_mut() {
        if count[&c.name] > 1 {
            c.name = super::sanitize_name(fallback);
        }
    }
    pairs::group(out.into_iter().map(|(c, k, _)| (c, k)).collect())
}
