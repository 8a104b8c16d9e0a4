//! Full-file snapshots: every example under examples/ x every target x both sides.
//! PSK values are redacted in the snapshots (the interop lab checks they work).

use std::path::{Path, PathBuf};

use ipsecgen::ir::Side;
use ipsecgen::render::{RenderOptions, TunnelMode};
use ipsecgen::source::Source;

/// The shipped examples (build.rs embeds the same set the library reads schemas from).
fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ipsecgen::render::example_files()
        .iter()
        .map(|(rel, _)| PathBuf::from("examples").join(rel))
        .collect();
    out.sort();
    out
}

fn snapshot_name(path: &Path, target: &str, side: Side) -> String {
    let rel = path
        .strip_prefix("examples")
        .unwrap_or(path)
        .to_string_lossy()
        .replace(['/', '.'], "_");
    format!("{rel}__{target}__{}", side.id())
}

#[test]
fn every_example_renders_for_every_target() {
    let examples = examples();
    assert!(
        examples.len() >= 5,
        "expected the shipped examples, found {examples:?}"
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"(?m)^(\s*secret = ).*$", "${1}<redacted>");
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    for path in &examples {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).expect("example is readable");
        let checked = ipsecgen::check(Source::new(name.clone(), text), &Default::default());
        assert!(
            !checked.diagnostics.has_errors(),
            "{name}: {:#?}",
            checked.diagnostics
        );
        let bgp = checked.connections.iter().any(|c| c.bgp_enabled());
        for target in ipsecgen::render::registry().targets() {
            for side in [Side::Customer, Side::Cloud] {
                let mut modes = vec![(None, "")];
                if bgp {
                    // BGP connections render route-based by default; the policy form is for
                    // kernels without xfrm interfaces (and the interop lab).
                    modes.push((Some(TunnelMode::Policy), "__policy"));
                }
                for (mode, suffix) in modes {
                    let opts = RenderOptions {
                        side,
                        tunnel_mode: mode,
                        device: &ipsecgen::render::device::NO_FACTS,
                    };
                    let text = match ipsecgen::render_all(&checked, opts, target) {
                        Ok(out) => redact_psks(
                            &checked,
                            ipsecgen::write::concatenated(&out, &target.comment),
                        ),
                        Err(diags) => capability_errors(&name, &target.name, side, &diags),
                    };
                    insta::assert_snapshot!(
                        format!("{}{suffix}", snapshot_name(path, &target.name, side)),
                        text
                    );
                }
            }
        }
    }
}

/// Every target writes the PSK in its own syntax: snapshots replace the example's actual key
/// (and its hex form) wherever it stands.
fn redact_psks(checked: &ipsecgen::Checked, mut text: String) -> String {
    for c in &checked.connections {
        if let Some(psk) = c
            .psk
            .as_ref()
            .map(|p| p.expose().to_owned())
            .filter(|p| p.len() >= 8)
        {
            let hex: String = psk.bytes().map(|b| format!("{b:02x}")).collect();
            text = text
                .replace(&psk, "<redacted-psk>")
                .replace(&hex, "<redacted-psk-hex>");
        }
    }
    text
}

/// A target that cannot express a connection must say so with a documented capability error,
/// never with anything else; the snapshot records exactly which. The cloud emulation also refuses
/// a set-up Alibaba documents as unsupported (IKEv1 with several CIDR blocks on a side), and
/// no target writes 0.0.0.0/0 as a policy-based tunnel (the `__policy` renders of BGP examples).
fn capability_errors(
    input: &str,
    target: &str,
    side: Side,
    diags: &ipsecgen::diag::Diagnostics,
) -> String {
    let mut text = String::new();
    for d in diags.iter() {
        assert!(
            matches!(
                (d.code.as_str(), side),
                ("target.unsupported" | "target.nothing-to-render", _)
                    | ("alibaba.ikev1-multi-cidr", Side::Cloud)
                    | ("render.policy-all-traffic", _)
            ),
            "{input} -> {target}: unexpected {}: {}",
            d.code,
            d.message
        );
        text.push_str(&format!("error[{}]: {}\n", d.code, d.message));
    }
    text
}

/// The request form and the response form of the same connection give the same IR and the same
/// configuration. Only the list of applied defaults may differ (a response states what a request
/// leaves to be derived, e.g. PeerBgpIp), and with it the header comments.
#[test]
fn request_and_response_forms_agree() {
    let load = |p: &str| {
        let text = std::fs::read_to_string(p).expect("example is readable");
        let c = ipsecgen::check(Source::new("same-name", text), &Default::default());
        assert!(!c.diagnostics.has_errors(), "{p}: {:#?}", c.diagnostics);
        c
    };
    let ir = |c: &ipsecgen::Checked| {
        let mut v = serde_json::to_value(&c.connections).expect("IR serializes");
        for conn in v.as_array_mut().expect("a list") {
            conn.as_object_mut().expect("an object").remove("defaults");
        }
        v
    };
    let body = |text: String| {
        text.lines()
            .filter(|l| !l.starts_with(['#', '!']))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (request, response) in [
        (
            "examples/aliyun/connection-static.json",
            "examples/aliyun/connection-static.yaml",
        ),
        (
            "examples/aliyun/connection-bgp.json",
            "examples/aliyun/connection-bgp.yaml",
        ),
    ] {
        let (req, resp) = (load(request), load(response));
        assert_eq!(ir(&req), ir(&resp), "{request} vs {response}");
        // Targets that print the model itself (json) carry the defaults list: compared above.
        for target in ipsecgen::render::registry()
            .targets()
            .filter(|t| !t.features.ir)
        {
            for side in [Side::Customer, Side::Cloud] {
                let render = |c: &ipsecgen::Checked| {
                    ipsecgen::render_all(c, RenderOptions::side(side), target)
                        .map(|o| body(ipsecgen::write::concatenated(&o, &target.comment)))
                        .map_err(|d| d.iter().map(|x| x.code.clone()).collect::<Vec<_>>())
                };
                assert_eq!(
                    render(&req),
                    render(&resp),
                    "{request} vs {response}: {} {side:?}",
                    target.name
                );
            }
        }
    }
}
