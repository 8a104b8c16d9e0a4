//! Which traffic selectors a tunnel negotiates: Alibaba's routing mode, read from LocalSubnet
//! and RemoteSubnet (docs/alibaba-reference.md 10.4). Both 0.0.0.0/0 is destination routing (a
//! route-based tunnel proposes 0.0.0.0/0); anything else is protected data flows, where Alibaba
//! negotiates exactly those subnets whatever the tunnel mode and whether BGP runs. The tunnel
//! mode only chooses interface or policies on the customer device.

use crate::diag::Diagnostics;
use crate::ir::{Connection, IkeVersion, Side};
use crate::render::target::{RouteSelectors, Target};

const ALIYUN: &str = "aliyun-connection";

/// Alibaba in protected-data-flows mode: the subnets are the selectors, also for a route-based
/// tunnel. (Other clouds' route-based tunnels keep 0.0.0.0/0: 10.4 holds for Alibaba only.)
pub fn protected_flows(view: &Connection) -> bool {
    view.dialect == ALIYUN
        && view.remote_access.is_none()
        && view
            .local
            .subnets
            .iter()
            .chain(&view.remote.subnets)
            .any(|n| n.value.prefix() > 0)
}

/// The `<name>-bgp` child (the two /32 BGP addresses) is proposed: always, except by the cloud
/// emulation in protected-data-flows mode, because Alibaba is not documented to negotiate it.
pub fn bgp_child(view: &Connection, side: Side) -> bool {
    !(side == Side::Cloud && protected_flows(view))
}

/// The header lines of a target that negotiates one SA per subnet pair, for an Alibaba IKEv2
/// connection with several subnets on a side (docs/alibaba-reference.md 10.4 (c)); the customer
/// side only (the cloud side stands in for Alibaba).
pub fn pair_sas(view: &Connection, side: Side, target: &Target) -> Vec<String> {
    let several = view.local.subnets.len() > 1 || view.remote.subnets.len() > 1;
    if !(side == Side::Customer
        && target.features.ikev2_pair_sas
        && protected_flows(view)
        && several
        && view.ike.version.value == IkeVersion::Ikev2)
    {
        return Vec::new();
    }
    [
        "Several subnets per side (IKEv2): this device negotiates one SA per subnet pair. Alibaba",
        "builds ONE Child SA with every selector (docs/alibaba-reference.md 10.2) and is expected to",
        "narrow or refuse this device's proposals: only the pair proposed is sure to come up. Set up",
        "the Alibaba connection with 0.0.0.0/0 on both fields and routes, or summarize each side into",
        "one subnet (one pair).",
    ]
    .map(String::from)
    .to_vec()
}

/// What the `<name>-bgp` child says of itself.
pub fn bgp_child_purpose(view: &Connection) -> &'static str {
    if protected_flows(view) {
        "the BGP session between the two tunnel addresses (unverified: Alibaba is not documented to negotiate it in protected-data-flows mode)"
    } else {
        "the BGP session between the two tunnel addresses"
    }
}

/// A route-based tunnel in protected-data-flows mode on a target whose tunnel interface cannot
/// carry the subnets as its selectors is refused: 0.0.0.0/0 would not match what Alibaba holds.
pub fn check_route(view: &Connection, target: &Target, diags: &mut Diagnostics) {
    if !target.features.ipsec {
        return;
    }
    let bgp = view.bgp_enabled();
    let (what, why) = match (target.features.route_selectors, bgp) {
        (RouteSelectors::Subnets, _) | (RouteSelectors::WithoutBgp, false) => return,
        (RouteSelectors::WithoutBgp, true) => (
            "specific traffic selectors on a route-based tunnel with BGP",
            "its traffic selectors do not support a dynamic routing protocol on the tunnel interface",
        ),
        (RouteSelectors::Any, _) => (
            "specific traffic selectors on a route-based tunnel",
            "its tunnel interface negotiates 0.0.0.0/0 (any/any) only",
        ),
    };
    let net = view
        .local
        .subnets
        .iter()
        .chain(&view.remote.subnets)
        .find(|n| n.value.prefix() > 0);
    let feats = &target.features;
    let policy = if feats.policy_based && (!bgp || feats.policy_bgp) {
        if bgp {
            "Pass --tunnel-mode policy (BGP in its own /32 child), or set"
        } else {
            "Pass --tunnel-mode policy, or set"
        }
    } else {
        "Set"
    };
    diags.push(
        crate::render::target::unsupported(&target.name, what, &[])
            .at(net.and_then(|n| n.span), "a protected data flow")
            .help(format!(
                "Alibaba negotiates LocalSubnet/RemoteSubnet as the traffic selectors when they are not both 0.0.0.0/0, and `{}` cannot propose them here: {why}. {policy} up the Alibaba connection with LocalSubnet and RemoteSubnet 0.0.0.0/0 (destination routing) and routes{}; see docs/alibaba-reference.md section 10.4",
                target.name,
                if bgp { " or BGP" } else { "" },
            )),
    );
}
