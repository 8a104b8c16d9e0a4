//! The rendering of a connection with two tunnels, independent of any dialect's reader: two
//! single-tunnel connections (tests/dual/master.json, slave.json: their own gateways, PSKs,
//! IKE proposals and BGP links) are made one group, master and slave, and rendered together.

#[path = "common/dual.rs"]
mod dual;

use dual::{group, routed_group, static_group};
use ipsecgen::ir::{At, IkeVersion, Side, TunnelRole};
use ipsecgen::render::{find_target, RenderOptions, TunnelMode};
use ipsecgen::Checked;

fn render(checked: &Checked, target: &str, side: Side) -> String {
    let target = find_target(target).expect("target");
    match ipsecgen::render_all(checked, RenderOptions::side(side), target) {
        Ok(files) => files
            .iter()
            .map(|(dir, f)| format!("==> {dir}/{}\n{}", f.path, f.content))
            .collect(),
        Err(d) => format!("{d:?}"),
    }
}

fn codes(checked: &Checked, target: &str, opts: RenderOptions) -> Vec<String> {
    let target = find_target(target).expect("target");
    match ipsecgen::render_all(checked, opts, target) {
        Ok(_) => vec![],
        Err(d) => d.iter().map(|x| x.code.clone()).collect(),
    }
}

#[test]
fn both_tunnels_are_written_with_their_own_values() {
    let g = group([TunnelRole::Master, TunnelRole::Slave]);
    let targets = two_tunnel_targets(false);
    assert!(targets.len() >= 3, "{targets:?}");
    for target in &targets {
        for side in [Side::Customer, Side::Cloud] {
            insta::assert_snapshot!(format!("{target}-{}", side.id()), render(&g, target, side));
        }
    }
}

/// The targets whose templates write both tunnels of a connection (`ipsec`: only those that
/// configure IPsec, not routing alone).
fn two_tunnel_targets(ipsec: bool) -> Vec<String> {
    ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.tunnels >= 2 && (t.features.ipsec || !ipsec))
        .map(|t| t.name.clone())
        .collect()
}

/// The same tunnels without BGP.
fn without_bgp(mut g: Checked) -> Checked {
    for c in &mut g.connections {
        c.bgp = None;
    }
    g
}

/// The slave negotiates IKEv1 (aes128, sha1, group 14, main mode), the master IKEv2: two
/// peers of one connection need not share an IKE version, and every device target can express
/// this slave (some refuse the fixture's sha1 under IKEv2).
fn slave_ikev1(mut g: Checked) -> Checked {
    g.connections[1].ike.version = At::bare(IkeVersion::Ikev1);
    g
}

/// Each tunnel keeps its own IKE version too (the master IKEv2, the slave IKEv1).
#[test]
fn each_tunnel_keeps_its_ike_version() {
    let g = slave_ikev1(group([TunnelRole::Master, TunnelRole::Slave]));
    for target in two_tunnel_targets(true) {
        insta::assert_snapshot!(
            format!("{target}-mixed-customer"),
            render(&g, &target, Side::Customer)
        );
    }
}

/// The two tunnels without BGP: each gets its own static routes, the master's preferred.
#[test]
fn without_bgp_each_tunnel_routes_into_its_own_interface() {
    let g = without_bgp(slave_ikev1(group([TunnelRole::Master, TunnelRole::Slave])));
    for target in two_tunnel_targets(true) {
        insta::assert_snapshot!(
            format!("{target}-static-customer"),
            render(&g, &target, Side::Customer)
        );
    }
}

#[test]
fn static_tunnels_prefer_the_master_route_while_its_sa_is_up() {
    let g = static_group([TunnelRole::Master, TunnelRole::Slave]);
    for target in &two_tunnel_targets(true) {
        insta::assert_snapshot!(
            format!("static-{target}"),
            render(&g, target, Side::Customer)
        );
    }
}

#[test]
fn active_active_tunnels_balance() {
    let g = group([TunnelRole::Active, TunnelRole::Active]);
    insta::assert_snapshot!(render(&g, "frr", Side::Customer));
    // Every device target: equal preferences and multipath, with BGP and with static routes.
    let b = slave_ikev1(group([TunnelRole::Active, TunnelRole::Active]));
    let s = without_bgp(slave_ikev1(group([TunnelRole::Active, TunnelRole::Active])));
    for target in two_tunnel_targets(true) {
        insta::assert_snapshot!(
            format!("{target}-active-customer"),
            render(&b, &target, Side::Customer)
        );
        insta::assert_snapshot!(
            format!("{target}-active-static-customer"),
            render(&s, &target, Side::Customer)
        );
    }
}

/// Active-active: equal preferences and multipath on every target that writes both tunnels
/// and configures IPsec.
#[test]
fn active_active_tunnels_balance_on_every_target() {
    let g = group([TunnelRole::Active, TunnelRole::Active]);
    let targets: Vec<_> = ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.tunnels >= 2 && t.features.ipsec)
        .map(|t| t.name.clone())
        .collect();
    for target in &targets {
        insta::assert_snapshot!(
            format!("balanced-{target}"),
            render(&g, target, Side::Customer)
        );
    }
}

/// The fixtures above have specific subnets (Alibaba's protected data flows), which the any/any
/// tunnel interfaces refuse (docs/alibaba-reference.md 10.4 (a), (b)); in destination routing
/// (0.0.0.0/0) every target that writes two tunnels renders them: the master preferred (BGP and
/// static routes), or both balanced when active-active.
#[test]
fn destination_routing_renders_two_tunnels_on_every_target() {
    let roles = [TunnelRole::Master, TunnelRole::Slave];
    let bgp = routed_group(roles);
    let fixed = without_bgp(routed_group(roles));
    let active = routed_group([TunnelRole::Active, TunnelRole::Active]);
    let targets = two_tunnel_targets(true);
    for t in [
        "cisco-asa",
        "cisco-ios-xe",
        "huawei-vrp",
        "h3c-comware",
        "vyos",
    ] {
        assert!(targets.iter().any(|x| x == t), "{t} writes two tunnels");
    }
    for target in &targets {
        for (name, g) in [
            ("routed", &bgp),
            ("routed-static", &fixed),
            ("routed-active", &active),
        ] {
            // BGP renders on every target; static routes at least on the any/any tunnel
            // interfaces (the ASA needs a tunnel address, which only BGP's TunnelCidr gives, and
            // PAN-OS does not fail over static routes: their refusals are snapshotted)
            let any_any = ["cisco-ios-xe", "huawei-vrp", "h3c-comware", "vyos"];
            if name != "routed-static" || any_any.contains(&target.as_str()) {
                assert_eq!(
                    codes(g, target, RenderOptions::side(Side::Customer)),
                    Vec::<String>::new(),
                    "{name} {target}: {}",
                    render(g, target, Side::Customer)
                );
            }
            insta::assert_snapshot!(
                format!("{name}-{target}"),
                render(g, target, Side::Customer)
            );
        }
    }
}

#[test]
fn a_target_that_writes_one_tunnel_refuses_two() {
    let g = group([TunnelRole::Master, TunnelRole::Slave]);
    let target = find_target("mikrotik").expect("target");
    let err =
        ipsecgen::render_all(&g, RenderOptions::side(Side::Customer), target).expect_err("refused");
    let d: Vec<_> = err.iter().collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "target.unsupported");
    assert!(
        d[0].message.contains("writes one tunnel per connection"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].help.as_deref().unwrap_or("").contains("swanctl"),
        "{:?}",
        d[0].help
    );
    // The device's own reason, from its target.toml, and what to do instead.
    assert!(
        d[0].message.contains("RouterOS IPsec is policy-based only")
            && d[0].message.contains("drop packet and acquire SA"),
        "{}",
        d[0].message
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap_or("")
            .starts_with("render the connection for a device with route-based IPsec"),
        "{:?}",
        d[0].help
    );
}

#[test]
fn two_tunnels_are_never_policy_based() {
    let g = group([TunnelRole::Master, TunnelRole::Slave]);
    let opts = RenderOptions {
        side: Side::Customer,
        tunnel_mode: Some(TunnelMode::Policy),
        device: &ipsecgen::render::device::NO_FACTS,
    };
    assert_eq!(codes(&g, "swanctl", opts), ["target.unsupported"]);
}

#[test]
fn one_router_cannot_speak_two_local_ases() {
    let mut g = group([TunnelRole::Master, TunnelRole::Slave]);
    g.connections[1].remote.bgp.asn = Some(At::bare(65011));
    assert_eq!(
        codes(&g, "frr", RenderOptions::side(Side::Customer)),
        ["target.unsupported"]
    );
    // The cloud side speaks one AS (45104) on both: its view renders.
    assert!(codes(&g, "frr", RenderOptions::side(Side::Cloud)).is_empty());
}
