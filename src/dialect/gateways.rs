//! Gateway documents given beside a connection, shared by the API families that have them
//! (Alibaba here; Huawei v5's kinds are read in `huawei::gateways`): a DescribeVpnGateway
//! response supplies the Alibaba side's addresses (InternetIp; DisasterRecoveryInternetIp on dual-tunnel gateways), a
//! DescribeCustomerGateway response the customer side's IpAddress and Asn. A connection finds
//! them by its VpnGatewayId / CustomerGatewayId. Read alone, such a document holds no tunnel.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::diag::Diagnostic;
use crate::ir::{AppliedDefault, At};
use crate::tree::Node;

use crate::dialect::fields::{Ctx, Obj};

/// Which gateway a document describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Vpn,
    Customer,
    /// Huawei Cloud v5 ShowVpnGateway (`vpn_gateway`), joined by `vgw_id`.
    HuaweiVpn,
    /// Huawei Cloud v5 ShowCustomerGateway (`customer_gateway`), joined by `cgw_id`.
    HuaweiCustomer,
}

impl Kind {
    /// The API call that prints such a document, and the ID key it is joined by.
    pub fn call_and_key(self) -> (&'static str, &'static str) {
        match self {
            Kind::Vpn => ("DescribeVpnGateway", "VpnGatewayId"),
            Kind::Customer => ("DescribeCustomerGateway", "CustomerGatewayId"),
            Kind::HuaweiVpn => ("ShowVpnGateway", "vgw_id"),
            Kind::HuaweiCustomer => ("ShowCustomerGateway", "cgw_id"),
        }
    }
}

/// One gateway document, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayDoc {
    pub kind: Kind,
    pub id: String,
    /// The input file it came from (as named on the command line).
    pub file: String,
    /// The (first) public address: InternetIp or IpAddress.
    pub ip: Option<IpAddr>,
    /// The second IPsec address of a dual-tunnel VPN gateway.
    pub second_ip: Option<IpAddr>,
    /// The customer gateway's ASN (Huawei: also the VPN gateway's own `bgp_asn`).
    pub asn: Option<u32>,
    /// Huawei VPN gateways: each address a connection can name in `vgw_ip`, by that name (an
    /// EIP's ID, or a private gateway's private address itself).
    pub addresses: Vec<(String, IpAddr)>,
    /// Huawei VPN gateways attached to a VPC: the cloud side's subnets (`local_subnets`).
    pub subnets: Vec<ipnetwork::IpNetwork>,
}

/// Keys no connection document has at its top level: a document with an ID key and one of
/// these, and none of a connection's keys, is a gateway document.
const VPN_GATEWAY_KEYS: &[&str] = &[
    "InternetIp",
    "DisasterRecoveryInternetIp",
    "VpcId",
    "VSwitchId",
    "SslMaxConnections",
    "BusinessStatus",
];
const CUSTOMER_GATEWAY_KEYS: &[&str] = &["IpAddress", "Asn", "AuthKey"];

/// What kind of gateway document `root` is, if it is one.
pub fn detect(root: &Node) -> Option<Kind> {
    let has = |k: &str| root.get(k).is_some();
    let connection = super::aliyun::connection::SIGNATURE
        .iter()
        .chain(super::aliyun::ipsec_server::SIGNATURE)
        .any(|k| has(k));
    if connection {
        return None;
    }
    if has("VpnGatewayId") && VPN_GATEWAY_KEYS.iter().any(|k| has(k)) {
        Some(Kind::Vpn)
    } else if has("CustomerGatewayId") && CUSTOMER_GATEWAY_KEYS.iter().any(|k| has(k)) {
        Some(Kind::Customer)
    } else {
        None
    }
}

/// Read the facts of a gateway document. Only those fields are read (masked or malformed
/// values get their diagnostics); the many others a Describe response carries are not.
pub fn read(ctx: &Ctx, root: &Obj, kind: Kind, file: &str) -> Option<GatewayDoc> {
    if matches!(kind, Kind::HuaweiVpn | Kind::HuaweiCustomer) {
        return crate::dialect::huawei::gateways::read(ctx, root, kind, file);
    }
    let (_, id_key) = kind.call_and_key();
    let id = root.string(ctx, id_key)?;
    let (ip, second_ip, asn) = match kind {
        Kind::Vpn => (
            root.ip(ctx, "InternetIp", "input.peer-fact"),
            root.ip(ctx, "DisasterRecoveryInternetIp", "input.peer-fact"),
            None,
        ),
        Kind::Customer => (
            root.ip(ctx, "IpAddress", "input.peer-fact"),
            None,
            root.u32(ctx, "Asn", "IllegalParam.PeerAsn"),
        ),
        Kind::HuaweiVpn | Kind::HuaweiCustomer => unreachable!("read by huawei::gateways"),
    };
    Some(GatewayDoc {
        kind,
        id: id.value,
        file: file.to_owned(),
        ip: ip.map(|a| a.value),
        second_ip: second_ip.map(|a| a.value),
        asn: asn.map(|a| a.value),
        addresses: Vec::new(),
        subnets: Vec::new(),
    })
}

/// Every gateway document of a run, by kind and ID; and the OpenStack objects connections
/// reference (policies, VPN services, endpoint groups), read from documents of their own.
#[derive(Clone, Debug, Default)]
pub struct Joined {
    docs: BTreeMap<(u8, String), GatewayDoc>,
    pub neutron: crate::dialect::openstack::Resources,
}

fn slot(kind: Kind) -> u8 {
    match kind {
        Kind::Vpn => 0,
        Kind::Customer => 1,
        Kind::HuaweiVpn => 2,
        Kind::HuaweiCustomer => 3,
    }
}

impl Joined {
    /// Add a document; a second one for the same gateway is an error that names both files.
    pub fn add(&mut self, doc: GatewayDoc) -> Result<(), Diagnostic> {
        let key = (slot(doc.kind), doc.id.clone());
        if let Some(first) = self.docs.get(&key) {
            let (call, _) = doc.kind.call_and_key();
            return Err(Diagnostic::error(
                "input.gateway-duplicate",
                format!(
                    "two {call} documents describe gateway {}: {} and {}",
                    doc.id, first.file, doc.file
                ),
            )
            .help("pass one document per gateway"));
        }
        self.docs.insert(key, doc);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.neutron.is_empty()
    }

    /// Add the OpenStack objects of one input (their places in it dropped: a connection in
    /// another file has them from here); an id another input already gave is an error.
    pub fn add_neutron(
        &mut self,
        objects: &crate::dialect::openstack::Resources,
    ) -> Vec<Diagnostic> {
        self.neutron.add(objects.detached())
    }

    fn has_kind(&self, kind: Kind) -> bool {
        self.docs.keys().any(|(k, _)| *k == slot(kind))
    }

    /// Every document of one kind, in ID order (for a connection that names no gateway ID,
    /// such as a DownloadVpnConnectionConfig response).
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &GatewayDoc> {
        self.docs
            .iter()
            .filter(move |((k, _), _)| *k == slot(kind))
            .map(|(_, doc)| doc)
    }

    /// The document of the gateway a connection names at `key` (`VpnGatewayId`,
    /// `CustomerGatewayId`). When documents of that kind were given but none for this ID,
    /// that is an error naming the ID. A fact taken from a document is recorded in `joined`.
    pub fn find(&self, ctx: &Ctx, conn: &Obj, kind: Kind) -> Option<&GatewayDoc> {
        if !self.has_kind(kind) {
            return None;
        }
        let (call, key) = kind.call_and_key();
        let id = conn.string(ctx, key)?;
        let found = self.docs.get(&(slot(kind), id.value.clone()));
        if found.is_none() {
            let given: Vec<&str> = self
                .docs
                .iter()
                .filter(|((k, _), _)| *k == slot(kind))
                .map(|((_, id), _)| id.as_str())
                .collect();
            ctx.push(
                Diagnostic::error(
                    "input.gateway-missing",
                    format!(
                        "no {call} document describes gateway {} (given: {})",
                        id.value,
                        given.join(", ")
                    ),
                )
                .at(id.span, "this gateway")
                .help(format!(
                    "pass the {call} response of {} as another input",
                    id.value
                )),
            );
        }
        found
    }
}

/// A fact taken from a gateway document, as `explain` and the file headers list it.
pub fn provenance(field: &str, value: impl std::fmt::Display, doc: &GatewayDoc) -> AppliedDefault {
    let (call, _) = doc.kind.call_and_key();
    AppliedDefault {
        field: field.to_owned().into(),
        value: value.to_string().into(),
        source: format!(
            "from {} ({call} {})",
            crate::render::quote::path_word(&doc.file),
            crate::render::quote::shell_word(&doc.id)
        )
        .into(),
    }
}

/// A fact from a gateway document, as the IR holds it (no span: it is in another file).
pub fn fact<T>(v: Option<T>) -> Option<At<T>> {
    v.map(At::bare)
}
