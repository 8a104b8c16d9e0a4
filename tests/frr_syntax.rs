//! Every FRR config ipsecgen renders passes FRR's own parser (`vtysh -C -f`, via lab/check-frr.sh).
//! Needs the lab packages; without them the test says so loudly, and fails when
//! IPSECGEN_REQUIRE_LAB=1 (as in CI).

#[path = "common/skip.rs"]
mod skip;

#[path = "common/dual.rs"]
mod dual;

use ipsecgen::ir::{Side, TunnelRole};
use ipsecgen::render::{RenderOptions, TunnelMode};
use ipsecgen::source::Source;

fn lab_available() -> bool {
    !skip::did_not_run(
        "the FRR syntax checks",
        skip::missing_paths(&["/usr/bin/vtysh"]),
        "Install FRR with `bash lab/install-deps.sh`.",
    )
}

#[test]
fn every_frr_config_passes_vtysh() {
    if !lab_available() {
        return;
    }
    let frr = ipsecgen::render::find_target("frr").expect("frr target");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked_files = 0;
    let mut failures = Vec::new();
    for entry in glob_examples() {
        let text = std::fs::read_to_string(&entry).expect("readable");
        let checked = ipsecgen::check(Source::new(entry.clone(), text), &Default::default());
        if !checked.connections.iter().any(|c| c.bgp_enabled()) {
            continue;
        }
        // Two tunnels of one connection are route-based only (policy mode is refused).
        let modes: &[TunnelMode] = if checked.connections.iter().any(|c| c.group.is_some()) {
            &[TunnelMode::Route]
        } else {
            &[TunnelMode::Route, TunnelMode::Policy]
        };
        for side in [Side::Cloud, Side::Customer] {
            for &mode in modes {
                let out = ipsecgen::render_all(
                    &checked,
                    RenderOptions {
                        side,
                        tunnel_mode: Some(mode),
                        device: &ipsecgen::render::device::NO_FACTS,
                    },
                    frr,
                )
                .unwrap_or_else(|d| panic!("{entry}: {d:?}"));
                for (sub, file) in out {
                    let path = dir.path().join(format!("{checked_files}.conf"));
                    std::fs::write(&path, &file.content).expect("write");
                    checked_files += 1;
                    let res = std::process::Command::new("bash")
                        .arg("lab/check-frr.sh")
                        .arg(&path)
                        .output()
                        .expect("runs check-frr.sh");
                    if !res.status.success() {
                        failures.push(format!(
                            "{entry} {sub}/{} ({side:?}, {mode:?}): {}{}",
                            file.path,
                            String::from_utf8_lossy(&res.stdout),
                            String::from_utf8_lossy(&res.stderr)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked_files >= 4,
        "expected BGP examples to check, found {checked_files} files"
    );
    assert!(
        failures.is_empty(),
        "vtysh -C rejected:\n{}",
        failures.join("\n")
    );
}

/// The shipped examples, as paths under examples/ (the set build.rs embeds).
fn glob_examples() -> Vec<String> {
    let mut out: Vec<String> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, _)| format!("examples/{rel}"))
        .collect();
    out.sort();
    out
}

/// A connection with two tunnels (tests/dual_render.rs builds it): one router bgp with both
/// neighbors, a route map per tunnel setting its local preference.
#[test]
fn a_two_tunnel_config_passes_vtysh() {
    if !lab_available() {
        return;
    }
    let frr = ipsecgen::render::find_target("frr").expect("frr target");
    let dir = tempfile::tempdir().expect("tempdir");
    for roles in [
        [TunnelRole::Master, TunnelRole::Slave],
        [TunnelRole::Active, TunnelRole::Active],
    ] {
        let checked = dual::group(roles);
        for side in [Side::Cloud, Side::Customer] {
            let out = ipsecgen::render_all(&checked, RenderOptions::side(side), frr)
                .unwrap_or_else(|d| panic!("{d:?}"));
            let path = dir.path().join("dual.conf");
            std::fs::write(&path, &out[0].1.content).expect("write");
            let res = std::process::Command::new("bash")
                .arg("lab/check-frr.sh")
                .arg(&path)
                .output()
                .expect("runs check-frr.sh");
            assert!(
                res.status.success(),
                "{roles:?} {side:?}: {}{}",
                String::from_utf8_lossy(&res.stdout),
                String::from_utf8_lossy(&res.stderr)
            );
        }
    }
}
