//! Huawei Cloud v5 gateway documents: ShowVpnGateway (`vpn_gateway`: its EIPs `eip1`/`eip2` by
//! ID with their addresses, or a private gateway's `access_private_ip_1`/`_2`; its `bgp_asn`;
//! a VPC-attached gateway's `local_subnets`) and ShowCustomerGateway / CreateCustomerGateway
//! (`customer_gateway`: `id_type` ip with the address in `id_value`, `bgp_asn`). A connection
//! names them by `vgw_id` (and the EIP by `vgw_ip`) and `cgw_id`. They are read into the same
//! `GatewayDoc` the Alibaba documents use, given as other inputs or beside `vpn_connection`.

use crate::tree::Node;

use super::super::fields::{Ctx, Obj};
use super::vocab::{self, CODE_INVALID};
use crate::dialect::gateways::{GatewayDoc, Kind};

/// What kind of Huawei gateway document `root` is, if it is one (and no connection).
pub fn detect(root: &Node) -> Option<Kind> {
    let has = |k: &str| root.get(k).is_some();
    if super::SIGNATURE.iter().any(|k| has(k)) {
        return None;
    }
    if has("vpn_gateway") {
        Some(Kind::HuaweiVpn)
    } else if has("customer_gateway") {
        Some(Kind::HuaweiCustomer)
    } else {
        None
    }
}

/// Read a whole document (`{"vpn_gateway": {...}, "request_id": ...}`).
pub fn read(ctx: &Ctx, root: &Obj, kind: Kind, file: &str) -> Option<GatewayDoc> {
    let key = match kind {
        Kind::HuaweiCustomer => "customer_gateway",
        _ => "vpn_gateway",
    };
    root.ignore(&["request_id"]);
    let doc = root
        .object(ctx, key)
        .and_then(|obj| read_object(ctx, &obj, kind, file));
    root.finish(ctx);
    doc
}

/// Read the gateway object itself: the fields that feed a connection (masked or malformed
/// values get their diagnostics); the others the API documents are known and not read
/// (docs/dialects.md lists them); an unknown one is an error, as in a connection.
pub fn read_object(ctx: &Ctx, o: &Obj, kind: Kind, file: &str) -> Option<GatewayDoc> {
    let id = o.string(ctx, "id");
    let asn = o.u32(ctx, "bgp_asn", CODE_INVALID);
    let mut doc = GatewayDoc {
        kind,
        id: id.map(|i| i.value).unwrap_or_default(),
        file: file.to_owned(),
        ip: None,
        second_ip: None,
        asn: asn.map(|a| a.value),
        addresses: Vec::new(),
        subnets: Vec::new(),
    };
    match kind {
        Kind::HuaweiCustomer => {
            o.ignore(CUSTOMER_GATEWAY_IGNORED);
            let by_ip = o.choice(ctx, "id_type", vocab::CGW_ID_TYPES, CODE_INVALID);
            // `id_value` is the address when id_type is ip; the Show response also prints `ip`.
            doc.ip = match by_ip.map(|t| t.value) {
                Some(true) | None => o.ip(ctx, "id_value", CODE_INVALID),
                Some(false) => None,
            }
            .or_else(|| o.ip(ctx, "ip", CODE_INVALID))
            .map(|a| a.value);
        }
        _ => {
            o.ignore(VPN_GATEWAY_IGNORED);
            for key in ["eip1", "eip2"] {
                let key: &'static str = key;
                let Some(eip) = o.object(ctx, key) else {
                    continue;
                };
                if let (Some(eid), Some(ip)) = (
                    eip.string(ctx, "id"),
                    eip.ip(ctx, "ip_address", CODE_INVALID),
                ) {
                    doc.addresses.push((eid.value, ip.value));
                }
                eip.ignore(EIP_IGNORED);
                eip.finish(ctx);
            }
            for key in ["access_private_ip_1", "access_private_ip_2"] {
                let key: &'static str = key;
                if let Some(ip) = o.ip(ctx, key, CODE_INVALID) {
                    doc.addresses.push((ip.value.to_string(), ip.value));
                }
            }
            doc.subnets = o
                .cidr_list(ctx, "local_subnets", CODE_INVALID)
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.value)
                .collect();
        }
    }
    o.finish(ctx);
    (!doc.id.is_empty()).then_some(doc)
}

/// Fields of a ShowVpnGateway `vpn_gateway` that say nothing the peer needs (docs/dialects.md).
const VPN_GATEWAY_IGNORED: &[&str] = &[
    "name",
    "network_type",
    "status",
    "attachment_type",
    "ip_version",
    "vpc_id",
    "er_id",
    "connect_subnet",
    "flavor",
    "availability_zone_ids",
    "connection_number",
    "used_connection_number",
    "used_connection_group",
    "enterprise_project_id",
    "created_at",
    "updated_at",
    "access_vpc_id",
    "access_subnet_id",
    "ha_mode",
    "tags",
];

const EIP_IGNORED: &[&str] = &[
    "ip_version",
    "type",
    "charge_mode",
    "bandwidth_id",
    "bandwidth_size",
    "bandwidth_name",
];

/// Fields of a `customer_gateway` that say nothing the peer needs.
const CUSTOMER_GATEWAY_IGNORED: &[&str] =
    &["name", "created_at", "updated_at", "tags", "route_mode"];
