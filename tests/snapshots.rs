//! Full-file snapshots: every example under examples/ x every target x both sides.
//! PSK values are redacted in the snapshots (the interop lab checks they work).

use std::path::{Path, PathBuf};

use ipsecgen::ir::Side;
use ipsecgen::source::Source;

fn examples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("examples/ is readable") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            ) {
                out.push(p);
            }
        }
    }
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
        for target in ipsecgen::render::registry().targets() {
            for side in [Side::Customer, Side::Cloud] {
                let out = ipsecgen::render_all(&checked, side, target)
                    .unwrap_or_else(|d| panic!("{name} -> {}: {d:#?}", target.name));
                let text = ipsecgen::write::to_stdout(&out, &target.comment);
                insta::assert_snapshot!(snapshot_name(path, &target.name, side), text);
            }
        }
    }
}

/// The request form and the response form of the same connection give the same IR and output.
#[test]
fn request_and_response_forms_agree() {
    let load = |p: &str| {
        let text = std::fs::read_to_string(p).expect("example is readable");
        let c = ipsecgen::check(Source::new("same-name", text), &Default::default());
        assert!(!c.diagnostics.has_errors(), "{p}: {:#?}", c.diagnostics);
        c
    };
    let req = load("examples/aliyun/connection-static.json");
    let resp = load("examples/aliyun/connection-static.yaml");
    let ir = |c: &ipsecgen::Checked| serde_json::to_value(&c.connections).expect("IR serializes");
    assert_eq!(ir(&req), ir(&resp));
    let target = ipsecgen::render::find_target("swanctl").expect("swanctl target");
    for side in [Side::Customer, Side::Cloud] {
        assert_eq!(
            ipsecgen::render_all(&req, side, target).expect("renders"),
            ipsecgen::render_all(&resp, side, target).expect("renders")
        );
    }
}
