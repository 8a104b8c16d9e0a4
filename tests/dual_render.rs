//! The rendering of a connection with two tunnels, independent of any dialect's reader: two
//! single-tunnel connections (tests/dual/master.json, slave.json: their own gateways, PSKs,
//! IKE proposals and BGP links) are made one group, master and slave, and rendered together.

#[path = "common/dual.rs"]
mod dual;

use dual::{group, static_group};
use ipsecgen::ir::{At, Side, TunnelRole};
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
    let targets: Vec<_> = ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.tunnels >= 2)
        .map(|t| t.name.clone())
        .collect();
    assert!(targets.len() >= 3, "{targets:?}");
    for target in &targets {
        for side in [Side::Customer, Side::Cloud] {
            insta::assert_snapshot!(format!("{target}-{}", side.id()), render(&g, target, side));
        }
    }
}

#[test]
fn static_tunnels_prefer_the_master_route_while_its_sa_is_up() {
    let g = static_group([TunnelRole::Master, TunnelRole::Slave]);
    let targets: Vec<_> = ipsecgen::render::registry()
        .targets()
        .filter(|t| t.features.tunnels >= 2 && t.features.ipsec)
        .map(|t| t.name.clone())
        .collect();
    for target in &targets {
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
}

#[test]
fn two_tunnels_are_never_policy_based() {
    let g = group([TunnelRole::Master, TunnelRole::Slave]);
    let opts = RenderOptions {
        side: Side::Customer,
        tunnel_mode: Some(TunnelMode::Policy),
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
