//! OpenStack Neutron VPNaaS (also Huawei Cloud / Open Telekom Cloud's
//! `/v2.0/vpn/ipsec-site-connections`): an `ipsec_site_connection`, or the list response
//! `ipsec_site_connections` (a fleet), and the objects a connection references by id: IKE and
//! IPsec policies, the VPN service (the cloud gateway's address) and endpoint groups. They come
//! as the API prints them (`{"ikepolicy": {...}}`, `{"ikepolicies": [...]}`, several wrappers in
//! one document) or as the `openstack` client prints them (`-f json`: the bare object with the
//! client's column names), beside the connection or as other inputs, joined by id.

mod client;
mod connection;
pub mod documents;
mod endpoints;
mod join;
mod policies;
pub mod resources;
mod vocab;

use crate::diag::Diagnostic;
use crate::ir::Connection;
use crate::tree::{Node, Span};

use self::connection::{Beside, Context};
use self::documents::{Item, Kind};
use self::endpoints::LocalCidrs;
use super::fields::{Ctx, Obj};
use super::PeerFacts;
pub use resources::Resources;

/// Keys that identify a connection document of this dialect (the API's wrappers; the client's
/// flat form is told by its columns, `is_flat`).
pub const SIGNATURE: &[&str] = &["ipsec_site_connection", "ipsec_site_connections"];

/// Whether a document is an object in the `openstack` client's flat form.
pub fn is_flat(root: &Node) -> bool {
    documents::flat_kind(root).is_some()
}

/// Whether a text may be an OpenStack VPNaaS document (a wrapper key or a client column as a
/// JSON/YAML key): `check` verifies these together, joined by id.
pub fn mentions(text: &str) -> bool {
    documents::WRAPPERS
        .iter()
        .chain(client::MARKS.iter().map(|(k, _)| k))
        .any(|k| text.contains(&format!("\"{k}\"")) || text.contains(&format!("{k}:")))
}

/// Whether a document holds only objects connections reference (policies, services,
/// endpoint groups): facts for the connections of other inputs.
pub fn facts_only(root: &Node) -> bool {
    documents::facts_only(root)
}

/// Read such a document (its own diagnostics; joined to connections by `check_joined`).
pub fn read_facts(ctx: &Ctx, root: &Obj, file: &str) -> Resources {
    resources::read_document(ctx, root, file)
}

pub fn read(ctx: &Ctx, root: &Obj, facts: &PeerFacts, file: &str) -> Vec<Connection> {
    let joined = &facts.gateways.neutron;
    if documents::flat_kind(root.whole()) == Some(Kind::Connection) {
        let item = documents::flat(root, Kind::Connection);
        let doc = Context {
            file,
            beside: &Beside::default(),
            own: &Resources::default(),
            joined,
            local_cidrs: LocalCidrs {
                owner: &item.obj,
                place: "to the connection document",
            },
        };
        return connection::read(ctx, &item.obj, &doc, facts)
            .into_iter()
            .collect();
    }
    let single = root.object(ctx, "ipsec_site_connection");
    let list = root.objects(ctx, "ipsec_site_connections");
    if single.is_none() && list.is_none() {
        ctx.push(
            Diagnostic::error("input.dialect", "no `ipsec_site_connection` object or `ipsec_site_connections` list")
                .at(Some(Span::new(root.span().offset, 1)), "expected ipsec_site_connection")
                .help("paste the body of GET /v2.0/vpn/ipsec-site-connections/{id} (or of the list), or the output of `openstack vpn ipsec site connection show <id> -f json`"),
        );
        root.finish(ctx);
        return Vec::new();
    }
    // The other objects of the document: those pasted beside one connection are its own
    // (whatever their ids); beside a list, and in lists, they are found by id.
    let alone = list.is_none() || ctx.explore;
    let mut items: Vec<Item> = Kind::FACTS
        .iter()
        .flat_map(|k| documents::wrapped(ctx, root, *k))
        .collect();
    for (key, kind) in [
        ("local_ep_group", Kind::EndpointGroup),
        ("peer_ep_group", Kind::EndpointGroup),
    ] {
        if let Some(obj) = root.object(ctx, key) {
            items.push(Item {
                kind,
                obj: obj.into_owned(),
                listed: false,
            });
        }
    }
    let (beside_items, listed): (Vec<Item>, Vec<Item>) =
        // A single `endpoint_group` wrapper is found by id, like the list's.
        items
            .into_iter()
            .partition(|i| alone && !i.listed && i.obj.path != "endpoint_group");
    let mut beside = Beside::default();
    for item in beside_items {
        let mut one = resources::Resources::default();
        resources::read_item(ctx, &item, file, false, &mut one);
        let group_side = item.obj.path.as_str();
        match item.kind {
            Kind::IkePolicy => beside.ike = one.ike.pop(),
            Kind::IpsecPolicy => beside.esp = one.esp.pop(),
            Kind::VpnService => beside.service = one.services.pop(),
            Kind::EndpointGroup if group_side == "local_ep_group" => {
                beside.local_group = one.groups.pop()
            }
            Kind::EndpointGroup if group_side == "peer_ep_group" => {
                beside.peer_group = one.groups.pop()
            }
            Kind::EndpointGroup | Kind::Connection => {}
        }
    }
    let own = resources::read_all(ctx, &listed, file, false, false);

    let mut out = Vec::new();
    if let Some(conn) = &single {
        let doc = Context {
            file,
            beside: &beside,
            own: &own,
            joined,
            local_cidrs: LocalCidrs {
                owner: root,
                place: "beside ipsec_site_connection",
            },
        };
        out.extend(connection::read(ctx, conn, &doc, facts));
    }
    if let Some(items) = &list {
        out.extend(fleet(ctx, items, &own, joined, facts, file));
    }
    root.finish(ctx);
    out
}

/// A list response: each item is a connection with `local_cidrs` inside it; a connection whose
/// name is empty or repeated in the list is named by its id (its output folder is).
fn fleet(
    ctx: &Ctx,
    items: &[Obj],
    own: &Resources,
    joined: &Resources,
    facts: &PeerFacts,
    file: &str,
) -> Vec<Connection> {
    let mut read: Vec<(Connection, Option<String>)> = Vec::new();
    for item in items {
        let id = item.string(ctx, "id").map(|i| i.value);
        let doc = Context {
            file,
            beside: &Beside::default(),
            own,
            joined,
            local_cidrs: LocalCidrs {
                owner: item,
                place: "to this connection in the list",
            },
        };
        if let Some(c) = connection::read(ctx, item, &doc, facts) {
            read.push((c, id));
        }
    }
    super::distinct_names(read)
}
