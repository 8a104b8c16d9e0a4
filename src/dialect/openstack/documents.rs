//! The VPNaaS objects a Neutron document can hold, and how it holds them: the API's wrapped
//! form (`{"ikepolicy": {...}}`, a list response `{"ikepolicies": [...]}`, several wrappers in
//! one document) or the `openstack` client's flat form (`client`). A connection names the
//! others by id (`ikepolicy_id`, `ipsecpolicy_id`, `vpnservice_id`, `local_ep_group_id`,
//! `peer_ep_group_id`).

use crate::dialect::fields::{Ctx, Obj};
use crate::tree::Node;

use super::client;

/// One kind of VPNaaS object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Connection,
    IkePolicy,
    IpsecPolicy,
    VpnService,
    EndpointGroup,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Connection,
        Kind::IkePolicy,
        Kind::IpsecPolicy,
        Kind::VpnService,
        Kind::EndpointGroup,
    ];

    /// The kinds a connection references: facts for it, no tunnel of their own.
    pub const FACTS: [Kind; 4] = [
        Kind::IkePolicy,
        Kind::IpsecPolicy,
        Kind::VpnService,
        Kind::EndpointGroup,
    ];

    /// The API's wrapper keys: one object (show, create) and a list response.
    pub fn wrappers(self) -> (&'static str, &'static str) {
        match self {
            Kind::Connection => ("ipsec_site_connection", "ipsec_site_connections"),
            Kind::IkePolicy => ("ikepolicy", "ikepolicies"),
            Kind::IpsecPolicy => ("ipsecpolicy", "ipsecpolicies"),
            Kind::VpnService => ("vpnservice", "vpnservices"),
            Kind::EndpointGroup => ("endpoint_group", "endpoint_groups"),
        }
    }

    /// In words.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Connection => "IPsec site connection",
            Kind::IkePolicy => "IKE policy",
            Kind::IpsecPolicy => "IPsec policy",
            Kind::VpnService => "VPN service",
            Kind::EndpointGroup => "endpoint group",
        }
    }

    /// In words, several.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Connection => "IPsec site connections",
            Kind::IkePolicy => "IKE policies",
            Kind::IpsecPolicy => "IPsec policies",
            Kind::VpnService => "VPN services",
            Kind::EndpointGroup => "endpoint groups",
        }
    }

    /// The `openstack` command that prints one (python-neutronclient's OSC plugin).
    pub fn show_command(self) -> &'static str {
        match self {
            Kind::Connection => "openstack vpn ipsec site connection show",
            Kind::IkePolicy => "openstack vpn ike policy show",
            Kind::IpsecPolicy => "openstack vpn ipsec policy show",
            Kind::VpnService => "openstack vpn service show",
            Kind::EndpointGroup => "openstack vpn endpoint group show",
        }
    }

    /// The connection field that names one of this kind.
    pub fn reference(self) -> &'static str {
        match self {
            Kind::Connection => "id",
            Kind::IkePolicy => "ikepolicy_id",
            Kind::IpsecPolicy => "ipsecpolicy_id",
            Kind::VpnService => "vpnservice_id",
            Kind::EndpointGroup => "local_ep_group_id / peer_ep_group_id",
        }
    }
}

/// The wrapper keys of every kind, for dialect detection and for the documents of facts.
pub const WRAPPERS: &[&str] = &[
    "ipsec_site_connection",
    "ipsec_site_connections",
    "ikepolicy",
    "ikepolicies",
    "ipsecpolicy",
    "ipsecpolicies",
    "vpnservice",
    "vpnservices",
    "endpoint_group",
    "endpoint_groups",
];

/// One object of a document, with the API's field names.
pub struct Item {
    pub kind: Kind,
    pub obj: Obj<'static>,
    /// The item came from a list response (`ikepolicies[2]`).
    pub listed: bool,
}

/// The kind of the client's flat object at the root, if it is one (and no wrapper is there).
pub fn flat_kind(root: &Node) -> Option<Kind> {
    if WRAPPERS.iter().any(|k| root.get(k).is_some()) {
        return None;
    }
    client::kind_of(root)
}

/// Whether a document holds objects a connection references, and no connection.
pub fn facts_only(root: &Node) -> bool {
    match flat_kind(root) {
        Some(kind) => kind != Kind::Connection,
        None => {
            let (one, many) = Kind::Connection.wrappers();
            root.get(one).is_none()
                && root.get(many).is_none()
                && Kind::FACTS.iter().any(|k| {
                    let (one, many) = k.wrappers();
                    root.get(one).is_some() || root.get(many).is_some()
                })
        }
    }
}

/// Every object of `kind` in a wrapped document: the single wrapper, then the list's items.
pub fn wrapped(ctx: &Ctx, root: &Obj, kind: Kind) -> Vec<Item> {
    let (one, many) = kind.wrappers();
    let mut out: Vec<Item> = root
        .object(ctx, one)
        .into_iter()
        .map(|obj| Item {
            kind,
            obj: obj.into_owned(),
            listed: false,
        })
        .collect();
    out.extend(
        root.objects(ctx, many)
            .unwrap_or_default()
            .into_iter()
            .map(|obj| Item {
                kind,
                obj: obj.into_owned(),
                listed: true,
            }),
    );
    out
}

/// The client's flat object as one item with the API's field names (`flat_kind` said which).
pub fn flat(root: &Obj, kind: Kind) -> Item {
    Item {
        kind,
        obj: Obj::new(client::to_api(root.whole(), kind), ""),
        listed: false,
    }
}
