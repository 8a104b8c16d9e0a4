//! The hostile-string corpus through real parsers: every value ipsecgen accepts in a free-text
//! field is rendered and
//! - the frr output is parsed by `vtysh -C` (lab/check-frr.sh) and holds exactly the neighbors
//!   and route-maps of the benign rendering;
//! - the swanctl output of both sides is loaded into two real charon daemons (lab/pair.sh):
//!   the load is clean, each side holds exactly one connection with one child, and the tunnel
//!   comes up. The cloud side's secret is replaced by the intended PSK written as `0x` hex by
//!   this test, so a PSK that ipsecgen quoted or escaped wrongly cannot negotiate.
//!
//! Needs root and lab/install-deps.sh (as tests/interop.rs); without them it says so and passes,
//! unless IPSECGEN_REQUIRE_LAB=1 (CI).

#[path = "common/lab/mod.rs"]
mod lab;
#[path = "common/skip.rs"]
mod skip;

#[path = "common/hostile.rs"]
mod hostile;

use std::path::{Path, PathBuf};
use std::process::Command;

use ipsecgen::ir::Side;
use ipsecgen::render::{find_target, RenderOptions};
use ipsecgen::source::Source;

use lab::scenario::{Impl, Mode, Plan, Scenario};

use hostile::{document_with, FIELDS, HOSTILE};

fn lab_missing() -> bool {
    skip::did_not_run(
        "the hostile lab test",
        lab::host::unavailable(),
        lab::host::HOW,
    )
}

/// The text of one target's primary file for a document, or `None` when ipsecgen rejects it.
fn render(doc: &str, target: &str, side: Side) -> Option<String> {
    let checked = ipsecgen::check(Source::new("hostile.json", doc), &Default::default());
    if checked.diagnostics.has_errors() {
        return None;
    }
    let t = find_target(target).expect("target");
    let files = ipsecgen::render_all(&checked, RenderOptions::side(side), t).ok()?;
    files
        .into_iter()
        .find(|(_, f)| f.path == t.files[0].path)
        .map(|(_, f)| f.content)
}

/// Every (field, value) of the corpus, the 10 kB value included.
fn cases() -> Vec<(&'static str, String)> {
    let mut values: Vec<String> = HOSTILE.iter().map(|v| (*v).to_owned()).collect();
    values.push("A".repeat(10_000));
    // PSKs long enough not to be refused as weak, with the hostile part inside.
    let mut out = Vec::new();
    for field in FIELDS {
        for v in &values {
            let v = if *field == "Psk" {
                format!("Zr5tW8yBn3{v}QxL6vDkk")
            } else {
                v.clone()
            };
            out.push((*field, v));
        }
    }
    // Keys that strongSwan would decode (0x hex, 0s base64) if written as they are: each must
    // negotiate against the reference secret made of its literal bytes.
    for psk in [
        "0x4142434445464748Zr5tW8yB",
        "0X41424344Zr5tW8yBn3",
        "0sQUJDREVGR0hJSktMTU5P",
    ] {
        out.push(("Psk", psk.to_owned()));
    }
    out
}

/// The object lines of an frr config: router, neighbors, route-maps, prefix-lists.
fn frr_objects(text: &str) -> usize {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            [
                "router bgp",
                "neighbor",
                "route-map",
                "ip prefix-list",
                "address-family",
            ]
            .iter()
            .any(|k| l.starts_with(k))
        })
        .count()
}

#[test]
fn hostile_values_survive_vtysh() {
    if lab_missing() {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = render(
        &document_with("Name", "hostile", true),
        "frr",
        Side::Customer,
    )
    .expect("the benign document renders");
    let (mut parsed, mut rejected) = (0, 0);
    for (field, value) in cases() {
        let Some(text) = render(&document_with(field, &value, true), "frr", Side::Customer) else {
            rejected += 1;
            continue;
        };
        let file = dir.path().join("bgpd.conf");
        std::fs::write(&file, &text).expect("write");
        let out = Command::new("bash")
            .arg(root.join("lab/check-frr.sh"))
            .arg(&file)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{field}={value:?}: vtysh -C rejects the frr output: {}\n{text}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(
            frr_objects(&text),
            frr_objects(&baseline),
            "{field}={value:?}: other objects than the benign rendering:\n{text}"
        );
        parsed += 1;
    }
    println!(
        "vtysh -C: {parsed} hostile renderings parsed, {rejected} values rejected by ipsecgen"
    );
    assert!(parsed > 0 && rejected > 0);
}

/// `secret = ...` lines of a swanctl.conf replaced by the given secret in 0x notation.
/// (Checked by hand: a reference that differs in any byte fails to negotiate, except trailing
/// NUL bytes, which charon ignores; ipsecgen refuses control characters in PSKs.)
fn with_reference_secret(swanctl: &str, psk: &str) -> String {
    let hex: String = psk.bytes().map(|b| format!("{b:02x}")).collect();
    swanctl
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("secret = ") {
                let indent = &l[..l.len() - l.trim_start().len()];
                format!("{indent}secret = 0x{hex}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Connections and children in a `swanctl --list-conns` listing.
fn listed(listing: &str) -> (usize, usize) {
    let conns = listing
        .lines()
        .filter(|l| !l.starts_with(' ') && l.contains(": IKE"))
        .count();
    let children = listing
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.contains(": TUNNEL"))
        .count();
    (conns, children)
}

/// One hostile rendering as a host lab scenario: the files as rendered (the cloud's secret in
/// reference form), expectations from the IR of the document, no pings.
fn scenario(
    doc: &str,
    case: &str,
    cloud: &str,
    customer: &str,
    dir: &Path,
) -> Result<Scenario, String> {
    let checked = ipsecgen::check(Source::new("hostile.json", doc), &Default::default());
    let conn = checked.connections.first().ok_or("no connection")?.clone();
    for (side, text) in [("cloud", cloud), ("customer", customer)] {
        std::fs::create_dir_all(dir.join(side)).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(side).join("swanctl.conf"), text).map_err(|e| e.to_string())?;
    }
    let plan = Plan {
        kind: "hostile".into(),
        mode: Mode::Policy,
        mode_flag: false,
        impls: [Impl::Swanctl; 2],
        inputs: [dir, dir],
        only: None,
        rekey: false,
        reverse_ping: false,
        negative: None,
    };
    let mut s = lab::scenario::describe(&conn, &plan, dir, "hostile".into(), case.into())?;
    s.pings.clear();
    s.initiate = vec!["all".into()];
    Ok(s)
}

#[test]
fn hostile_values_load_and_negotiate_in_real_charon() {
    if lab_missing() {
        return;
    }
    let results = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-lab");
    // Name and Description only reach comments and sanitized names: one run per distinct
    // rendering is enough. Every accepted PSK negotiates.
    // (case, document, cloud swanctl.conf, customer swanctl.conf, field)
    let mut runs: Vec<(String, String, String, String, String)> = Vec::new();
    let mut rejected = 0;
    let mut seen = std::collections::HashSet::new();
    for (field, value) in cases() {
        let doc = document_with(field, &value, false);
        let (Some(customer), Some(cloud)) = (
            render(&doc, "swanctl", Side::Customer),
            render(&doc, "swanctl", Side::Cloud),
        ) else {
            rejected += 1;
            continue;
        };
        if !seen.insert(customer.clone()) {
            continue;
        }
        let psk = if field == "Psk" {
            value.clone()
        } else {
            "Zr5tW8yBn3QxL6vDkk".to_owned()
        };
        runs.push((
            format!("{field}={value:.40?}"),
            doc,
            with_reference_secret(&cloud, &psk),
            customer,
            field.to_owned(),
        ));
    }
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .chunks(runs.len().div_ceil(2).max(1))
            .enumerate()
            .map(|(worker, part)| {
                let results = &results;
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for (i, (case, doc, cloud, customer, _)) in part.iter().enumerate() {
                        let dir = results.join(format!("w{worker}-{i}"));
                        let _ = std::fs::remove_dir_all(&dir);
                        let sc = match scenario(doc, case, cloud, customer, &dir) {
                            Ok(sc) => sc,
                            Err(e) => {
                                failures.push(format!("{case}: {e}"));
                                continue;
                            }
                        };
                        let record = lab::host::run(&format!("hostile{worker}"), &sc);
                        let (mut problems, _) = lab::expect::check(&sc, &record);
                        let list = record.file("list-conns-customer.txt");
                        if listed(&list) != (1, 1) {
                            problems
                                .push(format!("not exactly one connection with one child: {list}"));
                        }
                        if !problems.is_empty() {
                            failures.push(format!("{case}: {}", problems.join("; ")));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    println!(
        "charon: {} distinct hostile renderings loaded and negotiated, {rejected} values rejected by ipsecgen",
        runs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        runs.iter().filter(|r| r.4 == "Psk").count() > 5,
        "too few PSK cases ran"
    );
}
