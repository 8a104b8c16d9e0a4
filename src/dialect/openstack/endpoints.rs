//! Neutron's protected subnets: endpoint groups (`local_ep_group_id` / `peer_ep_group_id`) or the
//! legacy `peer_cidrs`, and the `local_cidrs` list ipsecgen accepts where Neutron only has
//! subnet UUIDs (a `subnet` endpoint group, or the VPN service's subnet in the legacy mode).

use ipnetwork::IpNetwork;

use crate::diag::Diagnostic;
use crate::ir::At;
use crate::tree::Span;

use super::documents::Kind;
use super::join::{missing, Found};
use super::resources::Group;
use super::vocab::GroupType;
use crate::dialect::fields::{Ctx, Obj};

pub const CODE_GROUP: &str = "neutron.endpoint-group";
pub const CODE_LOCAL: &str = "neutron.local-cidrs";

/// Where `local_cidrs` is read: beside `ipsec_site_connection` in a document with one
/// connection, in the connection object itself otherwise (the client's flat form, a list).
pub struct LocalCidrs<'a> {
    pub owner: &'a Obj<'a>,
    pub place: &'static str,
}

/// The help for cloud subnets known only by subnet UUID: the command that prints each CIDR,
/// and where to write what it prints.
fn local_cidrs_help(uuids: &[String], place: &str) -> String {
    let commands: Vec<String> = if uuids.is_empty() {
        vec!["openstack subnet show <subnet id> -f value -c cidr".to_owned()]
    } else {
        uuids
            .iter()
            .map(|u| {
                format!(
                    "openstack subnet show {} -f value -c cidr",
                    crate::render::quote::shell_word(u)
                )
            })
            .collect()
    };
    format!(
        "subnet UUIDs cannot be resolved offline: run `{}` and add the CIDRs printed as \"local_cidrs\": [\"10.0.0.0/24\", ...] {place}",
        commands.join("`; `")
    )
}

/// Local (cloud) and remote (customer) subnets.
pub fn subnets(
    ctx: &Ctx,
    conn: &Obj,
    local_cidrs: &LocalCidrs,
    local_group: Found<Group>,
    peer_group: Found<Group>,
) -> (Vec<At<IpNetwork>>, Vec<At<IpNetwork>>) {
    let local_ref = conn.string(ctx, "local_ep_group_id");
    let peer_ref = conn.string(ctx, "peer_ep_group_id");
    let peer_cidrs = conn
        .cidr_list(ctx, "peer_cidrs", "neutron.peer-cidrs")
        .unwrap_or_default();
    let given_local = local_cidrs.owner.cidr_list(ctx, "local_cidrs", CODE_LOCAL);

    // Remote: peer_cidrs (legacy) or a `cidr` endpoint group, never both.
    let remote = match peer_group {
        Found::Fact(g) if !peer_cidrs.is_empty() => {
            ctx.push(
                Diagnostic::error(CODE_GROUP, "peer_cidrs and a peer endpoint group are exclusive")
                    .at(peer_cidrs.first().and_then(|c| c.span), "legacy peer_cidrs")
                    .help("Neutron rejects the mix (PeerCidrsInvalid): keep the endpoint group and empty peer_cidrs"),
            );
            g.value.cidrs.clone()
        }
        Found::Fact(g) => {
            if let Some(k) = g
                .value
                .kind
                .as_ref()
                .filter(|k| k.value == GroupType::Subnet)
            {
                ctx.push(
                    Diagnostic::error(CODE_GROUP, "the peer endpoint group must be of type cidr")
                        .at(k.span.or(peer_ref.as_ref().and_then(|r| r.span)), "subnet groups are for the local side")
                        .help("Neutron rejects this (WrongEndpointGroupType): list the customer's CIDRs in a `cidr` group"),
                );
            }
            g.value.cidrs.clone()
        }
        Found::Reported => Vec::new(),
        Found::NotGiven => {
            if let Some(r) = peer_ref.as_ref().filter(|_| peer_cidrs.is_empty()) {
                ctx.push(missing(Kind::EndpointGroup, "peer_ep_group_id", r));
            }
            peer_cidrs
        }
    };

    // Local: local_cidrs (ipsecgen's fact) or a `cidr` endpoint group.
    let local = match (given_local, local_group) {
        (Some(cidrs), _) => cidrs,
        (None, Found::Fact(g)) => match g.value.kind.as_ref().map(At::get) {
            Some(GroupType::Cidr) => g.value.cidrs.clone(),
            Some(GroupType::Subnet) => {
                let span = g
                    .value
                    .kind
                    .as_ref()
                    .and_then(|k| k.span)
                    .or(local_ref.as_ref().and_then(|r| r.span));
                ctx.push(
                    Diagnostic::error(
                        CODE_LOCAL,
                        format!(
                            "the local endpoint group{} holds subnet UUIDs ({}), not CIDRs",
                            g.id.as_ref()
                                .map_or(String::new(), |i| format!(" {}", i.value)),
                            g.value.endpoints.join(", ")
                        ),
                    )
                    .at(span, "type subnet")
                    .help(local_cidrs_help(&g.value.endpoints, local_cidrs.place)),
                );
                Vec::new()
            }
            _ => Vec::new(),
        },
        (None, Found::Reported) => Vec::new(),
        (None, Found::NotGiven) => {
            match &local_ref {
                Some(r) => {
                    let mut d = missing(Kind::EndpointGroup, "local_ep_group_id", r);
                    d.help = d
                        .help
                        .map(|h| format!("{h}; or add \"local_cidrs\" {}", local_cidrs.place));
                    ctx.push(d);
                }
                None => ctx.push(
                    Diagnostic::error(
                        CODE_LOCAL,
                        "the cloud side's subnets are not in the document",
                    )
                    .at(Some(Span::new(conn.span().offset, 1)), "no local subnets")
                    .help(local_cidrs_help(&[], local_cidrs.place)),
                ),
            }
            Vec::new()
        }
    };
    (local, remote)
}
