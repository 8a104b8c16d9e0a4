//! The traffic selectors Alibaba negotiates: LocalSubnet and RemoteSubnet themselves ("used in
//! Phase 2 negotiation"; both 0.0.0.0/0 is destination routing mode), and with IKEv1 only one
//! pair. Evidence and the decision: docs/alibaba-reference.md section 10.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::ir::{Connection, IkeVersion, Side};

const ALIYUN: &str = "aliyun-connection";

fn any(net: &ipnetwork::IpNetwork) -> bool {
    net.prefix() == 0
}

/// BGP with specific subnets: Alibaba is in protected-data-flows mode and negotiates the
/// subnets (the outputs propose them too, docs/alibaba-reference.md 10.4 (a)); its policy route
/// overrides BGP, and how the BGP session's /30 crosses the tunnel is not documented.
pub fn bgp_protected_flows(conn: &Connection, out: &mut Diagnostics) {
    if conn.dialect != ALIYUN || !conn.bgp_enabled() || conn.remote_access.is_some() {
        return;
    }
    let specific = [Side::Cloud, Side::Customer]
        .iter()
        .flat_map(|s| conn.endpoint(*s).subnets.iter())
        .find(|n| !any(&n.value));
    let Some(net) = specific else { return };
    out.push(
        Diagnostic::warning(
            "alibaba.bgp-protected-flows",
            format!(
                "BGP with specific subnets ({}): Alibaba negotiates LocalSubnet and RemoteSubnet as the tunnel's traffic selectors (protected data flows), so the outputs propose them instead of 0.0.0.0/0; Alibaba's policy route for these subnets takes precedence over BGP, and whether the BGP session between the tunnel addresses can cross such a tunnel is not documented (the customer side's BGP child is unverified, the cloud emulation proposes none)",
                net.value
            ),
        )
        .at(net.span, "a protected data flow")
        .help("for BGP, set LocalSubnet and RemoteSubnet to 0.0.0.0/0 (destination routing mode, the scheme Alibaba recommends with BGP); see docs/alibaba-reference.md section 10"),
    );
}

/// IKEv1 with several subnets on a side: Alibaba supports one local and one remote CIDR block
/// ([FAQ], [DTS] in docs/alibaba-reference.md section 10.2).
pub fn ikev1_one_pair(conn: &Connection, out: &mut Diagnostics) {
    out.extend(ikev1_multi_cidr(conn, Severity::Warning));
}

/// `alibaba.ikev1-multi-cidr` for every side of an Alibaba IKEv1 connection with more than one
/// CIDR block: a warning for `check` and the customer side (whose output keeps one SA per
/// pair), an error where ipsecgen emulates the cloud (it cannot emulate a set-up Alibaba
/// documents as unsupported).
pub fn ikev1_multi_cidr(conn: &Connection, severity: Severity) -> Diagnostics {
    let mut out = Diagnostics::default();
    if conn.dialect != ALIYUN || conn.ike.version.value != IkeVersion::Ikev1 {
        return out;
    }
    for side in [Side::Cloud, Side::Customer] {
        let nets = &conn.endpoint(side).subnets;
        if nets.len() < 2 {
            continue;
        }
        let field = match side {
            Side::Cloud => "LocalSubnet",
            Side::Customer => "RemoteSubnet",
        };
        let message = format!(
            "IKEv1 with {} CIDR blocks in {field}: Alibaba supports one local and one remote CIDR block per IKEv1 connection",
            nets.len()
        );
        let (message, label) = match severity {
            Severity::Error => (
                format!("{message}, so the cloud side cannot be emulated"),
                "a second CIDR block Alibaba does not take with IKEv1",
            ),
            _ => (
                format!("{message}; the customer output negotiates one SA per pair, which Alibaba does not document"),
                "a second CIDR block",
            ),
        };
        out.push(
            Diagnostic {
                severity,
                ..Diagnostic::error("alibaba.ikev1-multi-cidr", message)
            }
            .at(nets[1].span, label)
                .help("use IKEv2 (several CIDR blocks), summarize each side into one CIDR block, or use 0.0.0.0/0 with routes (destination routing); see docs/alibaba-reference.md section 10"),
        );
    }
    out
}
