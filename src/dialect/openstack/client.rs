//! The `openstack` client's flat form of the VPNaaS objects: `openstack vpn ... show -f json`
//! prints the bare object with the client's column names ("ID", "Encryption Algorithm", ...)
//! instead of the API's wrapped object with field names. The names are python-neutronclient's
//! `_attr_map_dict` of `neutronclient/osc/v2/vpnaas/{ipsec_site_connection, ikepolicy,
//! ipsecpolicy, vpnservice, endpoint_group}.py`; every other column the client hides
//! (`location`, `tenant_id`, and for a VPN service `external_v4_ip` / `external_v6_ip`).
//! A flat object is read by renaming its keys to the API's (spans kept), so one reader serves
//! both forms.

use crate::tree::{Key, Node, Value};

use super::documents::Kind;

/// Columns shared by every VPNaaS object.
const COMMON: &[(&str, &str)] = &[
    ("ID", "id"),
    ("Name", "name"),
    ("Description", "description"),
    ("Project", "project_id"),
];

/// `openstack vpn ipsec site connection show`. The client labels `auth_mode`
/// "Authentication Algorithm" and `admin_state_up` "State".
const CONNECTION: &[(&str, &str)] = &[
    ("Peer Address", "peer_address"),
    ("Authentication Algorithm", "auth_mode"),
    ("Status", "status"),
    ("Peer CIDRs", "peer_cidrs"),
    ("VPN Service", "vpnservice_id"),
    ("IPSec Policy", "ipsecpolicy_id"),
    ("IKE Policy", "ikepolicy_id"),
    ("MTU", "mtu"),
    ("Initiator", "initiator"),
    ("State", "admin_state_up"),
    ("Pre-shared Key", "psk"),
    ("Route Mode", "route_mode"),
    ("Local ID", "local_id"),
    ("Peer ID", "peer_id"),
    ("Local Endpoint Group ID", "local_ep_group_id"),
    ("Peer Endpoint Group ID", "peer_ep_group_id"),
    ("DPD", "dpd"),
];

/// `openstack vpn ike policy show`.
const IKE_POLICY: &[(&str, &str)] = &[
    ("Authentication Algorithm", "auth_algorithm"),
    ("Encryption Algorithm", "encryption_algorithm"),
    ("IKE Version", "ike_version"),
    ("Perfect Forward Secrecy (PFS)", "pfs"),
    ("Phase1 Negotiation Mode", "phase1_negotiation_mode"),
    ("Lifetime", "lifetime"),
];

/// `openstack vpn ipsec policy show`.
const IPSEC_POLICY: &[(&str, &str)] = &[
    ("Authentication Algorithm", "auth_algorithm"),
    ("Encapsulation Mode", "encapsulation_mode"),
    ("Transform Protocol", "transform_protocol"),
    ("Encryption Algorithm", "encryption_algorithm"),
    ("Perfect Forward Secrecy (PFS)", "pfs"),
    ("Lifetime", "lifetime"),
];

/// `openstack vpn service show` (it does not print the external addresses).
const VPN_SERVICE: &[(&str, &str)] = &[
    ("Router", "router_id"),
    ("Subnet", "subnet_id"),
    ("Flavor", "flavor_id"),
    ("State", "admin_state_up"),
    ("Status", "status"),
];

/// `openstack vpn endpoint group show`.
const ENDPOINT_GROUP: &[(&str, &str)] = &[("Type", "type"), ("Endpoints", "endpoints")];

fn columns(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::Connection => CONNECTION,
        Kind::IkePolicy => IKE_POLICY,
        Kind::IpsecPolicy => IPSEC_POLICY,
        Kind::VpnService => VPN_SERVICE,
        Kind::EndpointGroup => ENDPOINT_GROUP,
    }
}

/// Columns only the client form of one kind has: they tell which object a flat document is.
pub const MARKS: &[(&str, Kind)] = &[
    ("Peer Address", Kind::Connection),
    ("IKE Policy", Kind::Connection),
    ("Pre-shared Key", Kind::Connection),
    ("IKE Version", Kind::IkePolicy),
    ("Phase1 Negotiation Mode", Kind::IkePolicy),
    ("Transform Protocol", Kind::IpsecPolicy),
    ("Encapsulation Mode", Kind::IpsecPolicy),
    ("Router", Kind::VpnService),
    ("Endpoints", Kind::EndpointGroup),
];

/// Which object a flat client document is, if it is one.
pub fn kind_of(root: &Node) -> Option<Kind> {
    MARKS
        .iter()
        .find(|(k, _)| root.get(k).is_some())
        .map(|(_, kind)| *kind)
}

/// The object with the API's field names: each client column renamed, every other key kept
/// (an unknown one is then reported as such).
pub fn to_api(node: &Node, kind: Kind) -> Node {
    let Value::Map(entries) = &node.value else {
        return node.clone();
    };
    let renamed = entries
        .iter()
        .map(|(k, v)| {
            let name = COMMON
                .iter()
                .chain(columns(kind))
                .find(|(column, _)| *column == k.name)
                .map_or(k.name.as_str(), |(_, field)| field);
            (
                Key {
                    name: name.to_owned(),
                    span: k.span,
                },
                v.clone(),
            )
        })
        .collect();
    Node {
        value: Value::Map(renamed),
        span: node.span,
    }
}
