//! Neutron's protected subnets: endpoint groups (`local_ep_group_id` / `peer_ep_group_id`) or the
//! legacy `peer_cidrs`, and the `local_cidrs` list ipsecgen accepts where Neutron only has
//! subnet UUIDs.

use ipnetwork::IpNetwork;

use crate::diag::Diagnostic;
use crate::ir::At;
use crate::tree::Span;

use super::policies::{CODE_UNSUPPORTED, CODE_VALUE};
use super::vocab::{self as vocab, GroupType};
use crate::dialect::fields::{Ctx, Obj};

pub const CODE_GROUP: &str = "neutron.endpoint-group";
pub const CODE_LOCAL: &str = "neutron.local-cidrs";

const LOCAL_CIDRS_HELP: &str = "subnet UUIDs cannot be resolved offline: add `local_cidrs: [10.0.0.0/24, ...]` \
    beside ipsec_site_connection with the CIDRs of those subnets (`openstack subnet show <id> -c cidr`)";

/// One endpoint group object.
struct Group {
    id: Option<At<String>>,
    kind: Option<At<GroupType>>,
    /// The CIDRs of a `cidr` group.
    cidrs: Vec<At<IpNetwork>>,
}

fn group(ctx: &Ctx, o: &Obj) -> Group {
    o.ignore(&["tenant_id", "project_id", "name", "description"]);
    let id = o.string(ctx, "id");
    let kind = o.choice(ctx, "type", vocab::GROUP_TYPES, CODE_VALUE);
    let cidrs = match kind.as_ref().map(At::get) {
        Some(GroupType::Cidr) => o
            .cidr_list(ctx, "endpoints", CODE_GROUP)
            .unwrap_or_default(),
        _ => {
            // Subnet UUIDs, networks, routers: nothing to read offline.
            o.ignore(&["endpoints"]);
            Vec::new()
        }
    };
    if let Some(k) = &kind {
        if k.value == GroupType::Other {
            ctx.push(
                Diagnostic::error(
                    CODE_UNSUPPORTED,
                    format!("`{}.type` is not an IPsec endpoint group type", o.path),
                )
                .at(k.span, "not subnet or cidr")
                .help("IPsec connections use a `subnet` group locally and a `cidr` group for the peer"),
            );
        }
    }
    o.finish(ctx);
    Group { id, kind, cidrs }
}

/// The group a connection references: a `local_ep_group`/`peer_ep_group` object, or the entry of
/// `endpoint_groups` with that id.
fn referenced(
    ctx: &Ctx,
    single: Option<Group>,
    list: &mut Vec<Group>,
    reference: Option<&At<String>>,
    key: &str,
) -> Option<Group> {
    if let Some(g) = single {
        if let (Some(r), Some(id)) = (reference, &g.id) {
            if r.value != id.value {
                ctx.push(
                    Diagnostic::error(
                        "neutron.reference",
                        format!(
                            "`{key}` is {:?} but the group given is {:?}",
                            r.value, id.value
                        ),
                    )
                    .at(id.span, "a different endpoint group")
                    .help("paste the endpoint group the connection references"),
                );
            }
        }
        return Some(g);
    }
    let r = reference?;
    let pos = list
        .iter()
        .position(|g| g.id.as_ref().is_some_and(|id| id.value == r.value))?;
    Some(list.swap_remove(pos))
}

/// Local (cloud) and remote (customer) subnets.
pub fn subnets(ctx: &Ctx, root: &Obj, conn: &Obj) -> (Vec<At<IpNetwork>>, Vec<At<IpNetwork>>) {
    let local_ref = conn.string(ctx, "local_ep_group_id");
    let peer_ref = conn.string(ctx, "peer_ep_group_id");
    let peer_cidrs = conn
        .cidr_list(ctx, "peer_cidrs", "neutron.peer-cidrs")
        .unwrap_or_default();

    let mut list: Vec<Group> = root
        .objects(ctx, "endpoint_groups")
        .unwrap_or_default()
        .iter()
        .map(|o| group(ctx, o))
        .collect();
    let local_single = root.object(ctx, "local_ep_group").map(|o| group(ctx, &o));
    let peer_single = root.object(ctx, "peer_ep_group").map(|o| group(ctx, &o));
    let local_group = referenced(
        ctx,
        local_single,
        &mut list,
        local_ref.as_ref(),
        "local_ep_group_id",
    );
    let peer_group = referenced(
        ctx,
        peer_single,
        &mut list,
        peer_ref.as_ref(),
        "peer_ep_group_id",
    );
    let local_cidrs = root.cidr_list(ctx, "local_cidrs", CODE_LOCAL);

    // Remote: peer_cidrs (legacy) or a `cidr` endpoint group, never both.
    let remote = match peer_group {
        Some(g) if !peer_cidrs.is_empty() => {
            ctx.push(
                Diagnostic::error(CODE_GROUP, "peer_cidrs and a peer endpoint group are exclusive")
                    .at(peer_cidrs.first().and_then(|c| c.span), "legacy peer_cidrs")
                    .help("Neutron rejects the mix (PeerCidrsInvalid): keep the endpoint group and empty peer_cidrs"),
            );
            g.cidrs
        }
        Some(g) => {
            if let Some(k) = g.kind.as_ref().filter(|k| k.value == GroupType::Subnet) {
                ctx.push(
                    Diagnostic::error(CODE_GROUP, "the peer endpoint group must be of type cidr")
                        .at(k.span, "subnet groups are for the local side")
                        .help("Neutron rejects this (WrongEndpointGroupType): list the customer's CIDRs in a `cidr` group"),
                );
            }
            g.cidrs
        }
        None => {
            if let Some(r) = peer_ref.as_ref().filter(|_| peer_cidrs.is_empty()) {
                ctx.push(
                    Diagnostic::error(CODE_GROUP, "the peer endpoint group is referenced but not given")
                        .at(r.span, "only an id")
                        .help("add the group: `peer_ep_group: {type: cidr, endpoints: [...]}` or an `endpoint_groups` list"),
                );
            }
            peer_cidrs
        }
    };

    // Local: local_cidrs (ipsecgen's fact) or a `cidr` endpoint group.
    let local = match (local_cidrs, local_group) {
        (Some(cidrs), _) => cidrs,
        (None, Some(g)) => match g.kind.as_ref().map(At::get) {
            Some(GroupType::Cidr) => g.cidrs,
            Some(GroupType::Subnet) => {
                ctx.push(
                    Diagnostic::error(
                        CODE_LOCAL,
                        "the local endpoint group holds subnet UUIDs, not CIDRs",
                    )
                    .at(g.kind.as_ref().and_then(|k| k.span), "type subnet")
                    .help(LOCAL_CIDRS_HELP),
                );
                Vec::new()
            }
            _ => Vec::new(),
        },
        (None, None) => {
            let (span, label) = match &local_ref {
                Some(r) => (r.span, "only an id"),
                None => (Some(Span::new(conn.span().offset, 1)), "no local subnets"),
            };
            ctx.push(
                Diagnostic::error(
                    CODE_LOCAL,
                    "the cloud side's subnets are not in the document",
                )
                .at(span, label)
                .help(LOCAL_CIDRS_HELP),
            );
            Vec::new()
        }
    };
    (local, remote)
}
