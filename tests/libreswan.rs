//! Every libreswan config ipsecgen renders passes libreswan's own parsers: `addconn --checkconfig`
//! for ipsec.conf, and `algparse` for every ike= / esp= proposal (addconn does not judge them).
//! Needs libreswan unpacked into /opt/libreswan (lab/install-deps.sh); without it the test says so
//! loudly, and fails when IPSECGEN_REQUIRE_LAB=1 (as in CI).

use std::path::Path;
use std::process::Command;

use ipsecgen::ir::Side;
use ipsecgen::render::{RenderOptions, TunnelMode};
use ipsecgen::source::Source;

const ADDCONN: &str = "/opt/libreswan/usr/libexec/ipsec/addconn";
const ALGPARSE: &str = "/opt/libreswan/usr/libexec/ipsec/algparse";

fn lab_available() -> bool {
    let ok = Path::new(ADDCONN).exists() && Path::new(ALGPARSE).exists();
    if !ok {
        let msg = "libreswan is not unpacked in /opt/libreswan: libreswan syntax checks NOT RUN \
                   (install with lab/install-deps.sh)";
        assert!(
            std::env::var("IPSECGEN_REQUIRE_LAB").as_deref() != Ok("1"),
            "{msg}"
        );
        eprintln!("\n!!! {msg}\n");
    }
    ok
}

/// `addconn --checkconfig` on one file: Ok or libreswan's complaint.
fn addconn(path: &Path) -> Result<(), String> {
    let out = Command::new(ADDCONN)
        .arg("--config")
        .arg(path)
        .arg("--checkconfig")
        .output()
        .map_err(|e| format!("cannot run addconn: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && !text.contains("error") {
        Ok(())
    } else {
        Err(format!(
            "addconn exit {:?}: {}",
            out.status.code(),
            text.trim()
        ))
    }
}

/// `algparse -v2 -pfs 'ike=...'`: Ok or libreswan's complaint (-pfs so esp= DH groups count).
fn algparse(line: &str) -> Result<(), String> {
    let out = Command::new(ALGPARSE)
        .args(["-v2", "-pfs", line])
        .output()
        .map_err(|e| format!("cannot run algparse: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && !text.contains("ERROR") && !text.contains("ignoring") {
        Ok(())
    } else {
        Err(format!(
            "algparse {line:?} exit {:?}: {}",
            out.status.code(),
            text.trim()
        ))
    }
}

/// The ike= and esp= settings of an ipsec.conf.
fn proposals(conf: &str) -> Vec<String> {
    conf.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ike=") || l.starts_with("esp="))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_libreswan_config_passes_addconn_and_algparse() {
    if !lab_available() {
        return;
    }
    let target = ipsecgen::render::find_target("libreswan").expect("libreswan target");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked_files = 0;
    let mut checked_proposals = 0;
    let mut failures = Vec::new();
    for entry in glob_examples() {
        let text = std::fs::read_to_string(&entry).expect("readable");
        let checked = ipsecgen::check(Source::new(entry.clone(), text), &Default::default());
        let bgp = checked.connections.iter().any(|c| c.bgp_enabled());
        for side in [Side::Cloud, Side::Customer] {
            let mut modes = vec![None];
            if bgp {
                modes.push(Some(TunnelMode::Policy));
            } else {
                modes.push(Some(TunnelMode::Route));
            }
            for mode in modes {
                let opts = RenderOptions {
                    side,
                    tunnel_mode: mode,
                };
                // A connection libreswan cannot express is a capability error (snapshotted).
                let Ok(out) = ipsecgen::render_all(&checked, opts, target) else {
                    continue;
                };
                for (sub, file) in out {
                    if file.path != "ipsec.conf" {
                        continue;
                    }
                    let path = dir.path().join(format!("{checked_files}.conf"));
                    std::fs::write(&path, &file.content).expect("write");
                    checked_files += 1;
                    let what = format!("{entry} {sub}/{} ({side:?}, {mode:?})", file.path);
                    if let Err(e) = addconn(&path) {
                        failures.push(format!("{what}: {e}"));
                    }
                    for line in proposals(&file.content) {
                        checked_proposals += 1;
                        if let Err(e) = algparse(&line) {
                            failures.push(format!("{what}: {e}"));
                        }
                    }
                }
            }
        }
    }
    eprintln!("libreswan: {checked_files} ipsec.conf files, {checked_proposals} proposals checked");
    assert!(
        checked_files >= 8 && checked_proposals >= 16,
        "expected the examples to render for libreswan, checked {checked_files} files"
    );
    assert!(
        failures.is_empty(),
        "libreswan rejected:\n{}",
        failures.join("\n")
    );
}

/// The checks are real: a misspelt keyword and a bogus proposal are rejected.
#[test]
fn broken_libreswan_configs_are_rejected() {
    if !lab_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.conf");
    std::fs::write(
        &path,
        "conn broken\n    left=192.0.2.1\n    right=192.0.2.2\n    ikev2=yes\n    salifetimee=3600s\n",
    )
    .expect("write");
    assert!(
        addconn(&path).is_err(),
        "addconn accepted a misspelt keyword"
    );
    assert!(algparse("ike=aes256-sha2_256;modp2048").is_ok());
    assert!(
        algparse("ike=aes256-sha9_999;modp2048").is_err(),
        "algparse accepted a bogus hash"
    );
    assert!(
        algparse("ike=aes128-sha1;modp1024").is_err(),
        "algparse accepted modp1024"
    );
    assert!(
        algparse("esp=aes_gcm256-modp2048").is_err(),
        "algparse accepted a DH group as integrity"
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
