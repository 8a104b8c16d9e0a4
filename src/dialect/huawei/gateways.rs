//! Huawei Cloud v5 gateway documents: ShowVpnGateway (`vpn_gateway`: its EIPs `eip1`/`eip2` by
//! ID with their addresses, or a private gateway's `access_private_ip_1`/`_2`; its `bgp_asn`;
//! a VPC-attached gateway's `local_subnets`) and ShowCustomerGateway / CreateCustomerGateway
//! (`customer_gateway`: `id_type` ip with the address in `id_value`, `bgp_asn`). A connection
//! names them by `vgw_id` (and the EIP by `vgw_ip`) and `cgw_id`. They are read into the same
//! `GatewayDoc` the Alibaba documents use, given as other inputs or beside `vpn_connection`.

use crate::tree::Node;

use super::super::aliyun_gateways::{GatewayDoc, Kind};
use super::super::fields::{Ctx, Obj};
use super::vocab::{self, CODE_INVALID};

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
    let obj = root.object(ctx, key)?;
    read_object(ctx, &obj, kind, file)
}

/// Read the gateway object itself. Only the fields that feed a connection are read (masked or
/// malformed values get their diagnostics); the others a Show response carries are not
/// (docs/dialects.md lists them).
pub fn read_object(ctx: &Ctx, o: &Obj, kind: Kind, file: &str) -> Option<GatewayDoc> {
    let id = o.string(ctx, "id")?;
    let asn = o.u32(ctx, "bgp_asn", CODE_INVALID);
    let mut doc = GatewayDoc {
        kind,
        id: id.value,
        file: file.to_owned(),
        ip: None,
        second_ip: None,
        asn: asn.map(|a| a.value),
        addresses: Vec::new(),
        subnets: Vec::new(),
    };
    match kind {
        Kind::HuaweiCustomer => {
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
    Some(doc)
}
