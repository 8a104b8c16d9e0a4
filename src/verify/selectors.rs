//! The traffic selectors Alibaba negotiates: LocalSubnet and RemoteSubnet themselves ("used in
//! Phase 2 negotiation"; both 0.0.0.0/0 is destination routing mode), and with IKEv1 only one
//! pair. Evidence and the decision: docs/alibaba-reference.md section 10.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{Connection, IkeVersion, Side};

const ALIYUN: &str = "aliyun-connection";

fn any(net: &ipnetwork::IpNetwork) -> bool {
    net.prefix() == 0
}

/// BGP with specific subnets: Alibaba is in protected-data-flows mode and negotiates the
/// subnets, while the route-based output (BGP's default) proposes 0.0.0.0/0.
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
            "lint.bgp-protected-flows",
            format!(
                "BGP with specific subnets ({}): Alibaba negotiates LocalSubnet and RemoteSubnet as the tunnel's traffic selectors (protected data flows), while the route-based output proposes 0.0.0.0/0, and Alibaba's policy route for these subnets takes precedence over BGP",
                net.value
            ),
        )
        .at(net.span, "a protected data flow")
        .help("for BGP, set LocalSubnet and RemoteSubnet to 0.0.0.0/0 (destination routing mode, the scheme Alibaba recommends with BGP); see docs/alibaba-reference.md section 10"),
    );
}

/// IKEv1 with several subnets on a side: Alibaba supports one local and one remote CIDR block.
pub fn ikev1_one_pair(conn: &Connection, out: &mut Diagnostics) {
    if conn.dialect != ALIYUN || conn.ike.version.value != IkeVersion::Ikev1 {
        return;
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
        out.push(
            Diagnostic::warning(
                "lint.ikev1-one-pair",
                format!(
                    "IKEv1 with {} CIDR blocks in {field}: Alibaba supports one local and one remote CIDR block per IKEv1 connection",
                    nets.len()
                ),
            )
            .at(nets[1].span, "a second CIDR block")
            .help("use IKEv2 (several CIDR blocks), summarize each side into one CIDR block, or use 0.0.0.0/0 with routes (destination routing); see docs/alibaba-reference.md section 10"),
        );
    }
}
