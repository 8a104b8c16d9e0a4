//! Every libreswan config ipsecgen renders passes libreswan's own parsers: `addconn --checkconfig`
//! for ipsec.conf, and `algparse` for every ike= / esp= proposal (addconn does not judge them).
//! Needs libreswan unpacked into /opt/libreswan (lab/install-deps.sh); without it the test says so
//! loudly, and fails when IPSECGEN_REQUIRE_LAB=1 (as in CI).

#[path = "common/skip.rs"]
mod skip;

use std::path::Path;
use std::process::Command;

use ipsecgen::ir::{Side, TunnelRole};
use ipsecgen::render::{RenderOptions, TunnelMode};
use ipsecgen::source::Source;

#[path = "common/dual.rs"]
mod dual;
#[path = "common/lab/mod.rs"]
mod lab;

const ADDCONN: &str = "/opt/libreswan/usr/libexec/ipsec/addconn";
const ALGPARSE: &str = "/opt/libreswan/usr/libexec/ipsec/algparse";

fn lab_available() -> bool {
    !skip::did_not_run(
        "the libreswan syntax checks",
        skip::missing_paths(&[ADDCONN, ALGPARSE]),
        "Unpack libreswan into /opt/libreswan with `bash lab/install-deps.sh`.",
    )
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
    // a conn addconn cannot read is reported ("while loading 'x': bad subnet ...") with exit 0
    if out.status.success() && !text.contains("error") && !text.contains("while loading") {
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
    for (entry, checked) in inputs() {
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
                    device: &ipsecgen::render::device::NO_FACTS,
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

const PLUTO: &str = "/opt/libreswan/usr/libexec/ipsec/pluto";

/// A running pluto is available: root (a private network and mount namespace), the unpacked
/// libreswan with its libraries, certutil for the NSS database.
fn pluto_available() -> bool {
    let runs = Command::new(PLUTO)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let certutil = Command::new("certutil").arg("-H").output().is_ok();
    let mut why: Vec<String> = skip::not_root().into_iter().collect();
    if !runs {
        why.push(format!("{PLUTO} --version fails"));
    }
    if !certutil {
        why.push("certutil missing".into());
    }
    !skip::did_not_run(
        "loading every ipsec.conf into pluto",
        (!why.is_empty()).then(|| why.join("; ")),
        "Run as root after `bash lab/install-deps.sh`.",
    )
}

/// Load one ipsec.conf into a fresh pluto (lab/pluto-load.sh in its own network and mount
/// namespace) as an /etc/ipsec.d include, with only the `config setup` lines its header asks
/// for. Ok, or what pluto said about the conns it did not add.
fn pluto_load(dir: &Path, conf: &Path, text: &str) -> Result<(), String> {
    load_with("pluto-load.sh", dir, conf, text)
}

/// `pluto_load` with the loader `script` under lab/ (pluto-load.sh: the unpacked 4.10;
/// pluto5-load.sh: the same script chrooted into the trixie root's libreswan 5).
fn load_with(script: &str, dir: &Path, conf: &Path, text: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("setup.txt"),
        lab::pluto::config_setup_needs(text).join("\n") + "\n",
    )
    .expect("write");
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lab")
        .join(script);
    let out = Command::new("unshare")
        .args(["-n", "-m", "bash"])
        .arg(path)
        .arg(dir)
        .arg(conf)
        .output()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.code() != Some(0) {
        return Err(format!(
            "{script} exit {:?}: {log}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let problems = lab::pluto::problems(text, &log);
    // pluto's own lines from its start (on stderr, or in the `logfile=` once it has read it)
    let started: String = ["pluto.out", "pluto.log"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else if (log.contains("CONFIG_XFRM_INTERFACE")
        || log.contains("xfrmi is not supported")
        || started.contains("xfrmi is not supported"))
        && problems
            .iter()
            .filter(|p| !p.starts_with("conn "))
            .all(|p| p.contains("xfrmi") || p.contains("ipsec-interface"))
    {
        // This kernel has no XFRM interfaces (CONFIG_XFRM_INTERFACE): pluto refuses every
        // ipsec-interface= conn, whatever the file says ("xfrmi is not supported" when the conn
        // is first added; "may be missing CONFIG_XFRM_INTERFACE" when added again). Not a
        // finding about the file: the VM lab loads these into pluto on a kernel that has them.
        // Libreswan 5.2 says it once as pluto starts ("ERROR: xfrmi is not supported, failed to
        // create ipsec-interface ipsec1 bound to lo"), then refuses each such conn with
        // "failed to add connection: ipsec-interface=3339 is not supported".
        Err(NO_XFRMI.to_owned())
    } else {
        Err(problems.join("\n"))
    }
}

const NO_XFRMI: &str = "no XFRM interfaces in this kernel";

/// `addconn --checkconfig` only parses: a running pluto refuses more (an IKEv1 conn that
/// Debian's default `ikev1-policy=drop` forbids, failed before the header named the line to
/// add). Every rendered ipsec.conf (every example, both sides, both tunnel modes) loads.
#[test]
fn every_libreswan_config_loads_into_a_running_pluto() {
    if !lab_available() || !pluto_available() {
        return;
    }
    let target = ipsecgen::render::find_target("libreswan").expect("libreswan target");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut loaded = 0;
    let mut not_loaded = 0;
    let mut failures = Vec::new();
    for (entry, checked) in inputs() {
        for side in [Side::Cloud, Side::Customer] {
            for mode in [TunnelMode::Route, TunnelMode::Policy] {
                let opts = RenderOptions {
                    side,
                    tunnel_mode: Some(mode),
                    device: &ipsecgen::render::device::NO_FACTS,
                };
                let Ok(out) = ipsecgen::render_all(&checked, opts, target) else {
                    continue;
                };
                for (sub, file) in out {
                    if file.path != "ipsec.conf" {
                        continue;
                    }
                    let work = dir.path().join(format!("{loaded}"));
                    let conf = dir.path().join(format!("{loaded}.conf"));
                    std::fs::write(&conf, &file.content).expect("write");
                    loaded += 1;
                    match pluto_load(&work, &conf, &file.content) {
                        Ok(()) => {}
                        Err(e) if e == NO_XFRMI => not_loaded += 1,
                        Err(e) => failures.push(format!("{entry} {sub} ({side:?}, {mode:?}): {e}")),
                    }
                }
            }
        }
    }
    eprintln!(
        "pluto: {} of {loaded} ipsec.conf files loaded",
        loaded - not_loaded
    );
    if not_loaded > 0 {
        eprintln!(
            "\n!!! pluto: {not_loaded} route-based ipsec.conf files (ipsec-interface=) NOT LOADED: \
             this kernel has no XFRM interfaces\n"
        );
    }
    assert!(
        loaded >= 8,
        "expected the examples to render, loaded {loaded}"
    );
    assert!(
        failures.is_empty(),
        "pluto refused:\n{}",
        failures.join("\n")
    );
}

/// The pluto check is real: an IKEv1 conn without `ikev1-policy=accept` is refused.
#[test]
fn pluto_refuses_ikev1_without_the_policy_line() {
    if !lab_available() || !pluto_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("v1.conf");
    let text = "conn v1\n    ikev2=no\n    authby=secret\n    left=192.0.2.10\n    right=192.0.2.20\n    auto=add\n";
    std::fs::write(&conf, text).expect("write");
    let err = pluto_load(&dir.path().join("w"), &conf, text).expect_err("pluto accepted IKEv1");
    assert!(err.contains("ikev1-policy"), "{err}");
}

/// The trixie root lab/trixie-libreswan.sh builds: Debian 13's libreswan 5, whose pluto
/// lab/pluto5-load.sh runs chrooted.
const TRIXIE: &str = "/opt/trixie-libreswan";

/// A libreswan 5 pluto is available: root (namespaces, chroot) and the trixie root.
fn pluto5_available() -> bool {
    let (pluto, certutil) = (
        format!("{TRIXIE}/usr/libexec/ipsec/pluto"),
        format!("{TRIXIE}/usr/bin/certutil"),
    );
    let mut why: Vec<String> = skip::not_root().into_iter().collect();
    why.extend(skip::missing_paths(&[&pluto, &certutil]));
    !skip::did_not_run(
        "loading every version=5 ipsec.conf into a libreswan 5 pluto",
        (!why.is_empty()).then(|| why.join("; ")),
        "Run as root after `bash lab/install-deps.sh` (it builds /opt/trixie-libreswan with \
         lab/trixie-libreswan.sh).",
    )
}

/// The `--device version=5` form (`leftsubnet=a,b`), which 4.10 refuses, loads into a real
/// libreswan 5 pluto (Debian 13's, lab/pluto5-load.sh), judged as the 4.10 loads are: every
/// example and two-tunnel input, customer side, both tunnel modes. A route-based file
/// (ipsec-interface=) on a kernel without XFRM interfaces is counted and said loudly.
#[test]
fn every_version_5_libreswan_config_loads_into_a_libreswan_5_pluto() {
    if !pluto5_available() {
        return;
    }
    let version = Command::new("chroot")
        .arg(TRIXIE)
        .args(["/usr/libexec/ipsec/pluto", "--version"])
        .output()
        .expect("chroot pluto --version");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    assert!(version.starts_with("Libreswan 5."), "{version}");
    // The judge is real there too: an IKEv1 conn without `ikev1-policy=accept` is refused.
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = "conn v1\n    keyexchange=ikev1\n    authby=secret\n    left=192.0.2.10\n    \
              right=192.0.2.20\n    auto=add\n";
    std::fs::write(dir.path().join("v1.conf"), v1).expect("write");
    let err = load_with(
        "pluto5-load.sh",
        &dir.path().join("v1"),
        &dir.path().join("v1.conf"),
        v1,
    )
    .expect_err("libreswan 5 accepted IKEv1 without ikev1-policy=accept");
    assert!(err.contains("ikev1-policy"), "{err}");
    let target = ipsecgen::render::find_target("libreswan").expect("libreswan target");
    let mut device = ipsecgen::render::device::DeviceInput::default();
    device.give_flag("version=5").expect("version=5");
    let (mut rendered, mut loaded, mut not_loaded, mut several) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (entry, checked) in inputs() {
        for mode in [TunnelMode::Route, TunnelMode::Policy] {
            let opts = RenderOptions {
                side: Side::Customer,
                tunnel_mode: Some(mode),
                device: &device,
            };
            let Ok(out) = ipsecgen::render_all(&checked, opts, target) else {
                continue;
            };
            for (sub, file) in out.into_iter().filter(|(_, f)| f.path == "ipsec.conf") {
                assert!(file.content.contains("version = 5"), "{entry} {sub}");
                let conf = dir.path().join(format!("{rendered}.conf"));
                std::fs::write(&conf, &file.content).expect("write");
                let work = dir.path().join(format!("{rendered}"));
                rendered += 1;
                several += usize::from(
                    file.content
                        .lines()
                        .any(|l| l.trim_start().starts_with("leftsubnet=") && l.contains(',')),
                );
                match load_with("pluto5-load.sh", &work, &conf, &file.content) {
                    // (a keyword this pluto ignores or has renamed is a problem too)
                    Ok(()) => loaded += 1,
                    Err(e) if e == NO_XFRMI => not_loaded += 1,
                    Err(e) => failures.push(format!("{entry} {sub} ({mode:?}): {e}")),
                }
            }
        }
    }
    eprintln!(
        "pluto {}: {loaded} of {rendered} version=5 ipsec.conf files loaded ({several} with \
         leftsubnet=a,b)",
        version.split_whitespace().nth(1).unwrap_or("?"),
    );
    if not_loaded > 0 {
        eprintln!(
            "\n!!! pluto 5: {not_loaded} route-based ipsec.conf files (ipsec-interface=) NOT \
             LOADED: this kernel has no XFRM interfaces\n"
        );
    }
    assert!(
        rendered >= 8 && several >= 1,
        "expected the examples to render, {rendered} files, {several} with leftsubnet=a,b"
    );
    assert!(
        failures.is_empty(),
        "libreswan 5's pluto refused:\n{}",
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

/// Every shipped example, and a connection with two tunnels (tests/common/dual.rs: master and
/// slave, with BGP and with a static route per tunnel), each with a label.
fn inputs() -> Vec<(String, ipsecgen::Checked)> {
    let mut out: Vec<(String, ipsecgen::Checked)> = glob_examples()
        .into_iter()
        .map(|entry| {
            let text = std::fs::read_to_string(&entry).expect("readable");
            let checked = ipsecgen::check(Source::new(entry.clone(), text), &Default::default());
            (entry, checked)
        })
        .collect();
    let roles = [TunnelRole::Master, TunnelRole::Slave];
    out.push(("two tunnels, BGP".into(), dual::group(roles)));
    out.push(("two tunnels, static".into(), dual::static_group(roles)));
    out
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

/// The libreswan 5 form (`--device version=5`: `keyexchange=ikev2`, `leftsubnet=a,b` for one
/// Child SA with several selectors) is not 4.10's: its addconn refuses it (at the first of them,
/// keyexchange=), so it is never the default, which passes.
#[test]
fn libreswan_4_refuses_the_version_5_form() {
    if !lab_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (version, refused) in [("4", false), ("5", true)] {
        let out = dir.path().join(version);
        assert_cmd::cargo::cargo_bin_cmd!("ipsecgen")
            .args([
                "render",
                "examples/aliyun/connection-static.json",
                "--target",
                "libreswan",
            ])
            .args([
                "--tunnel-mode",
                "policy",
                "--device",
                &format!("version={version}"),
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        match addconn(&out.join("ipsec.conf")) {
            Ok(()) => assert!(
                !refused,
                "version {version}: addconn accepted leftsubnet=a,b"
            ),
            Err(e) => assert!(
                refused && e.contains("keyword keyexchange, invalid value: ikev2"),
                "version {version}: {e}"
            ),
        }
    }
}
