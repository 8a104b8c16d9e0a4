//! Reviewed defects of the vendor targets (issue #17): each test asserts the specific line or
//! diagnostic that a device needs, and failed on the output before its fix.

use ipsecgen::ir::Side;
use ipsecgen::render::{find_target, RenderOptions, TunnelMode};
use ipsecgen::source::Source;

/// Render a document for a target (customer side): Ok(all files joined) or the diagnostics as
/// `code: message` lines.
fn render(doc: &str, target: &str, mode: Option<TunnelMode>) -> Result<String, String> {
    render_side(doc, target, mode, Side::Customer)
}

fn render_side(
    doc: &str,
    target: &str,
    mode: Option<TunnelMode>,
    side: Side,
) -> Result<String, String> {
    let checked = ipsecgen::check(Source::new("t.json", doc.to_owned()), &Default::default());
    assert!(
        !checked.diagnostics.has_errors(),
        "{:#?}",
        checked.diagnostics
    );
    let t = find_target(target).expect("target");
    ipsecgen::render_all(
        &checked,
        RenderOptions {
            side,
            tunnel_mode: mode,
        },
        t,
    )
    .map(|o| ipsecgen::write::concatenated(&o, &t.comment))
    .map_err(|d| {
        d.iter()
            .map(|x| format!("{}: {}", x.code, x.message))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn example(path: &str) -> String {
    std::fs::read_to_string(path).expect("example is readable")
}

#[allow(dead_code)]
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim() == line)
}

#[allow(dead_code)]
#[track_caller]
fn assert_line(text: &str, line: &str) {
    assert!(has_line(text, line), "missing line {line:?} in:\n{text}");
}

#[track_caller]
fn assert_no_line_containing(text: &str, part: &str) {
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(['#', '!']) && l.contains(part))
        .collect();
    assert!(bad.is_empty(), "unexpected {part:?} in {bad:#?}");
}

/// VyOS 1.4.0 knows `trap|clear|restart` (T4658 renamed `hold`); the customer side of a
/// connection the cloud initiates re-negotiates on traffic.
#[test]
fn vyos_dpd_action_is_one_vyos_1_4_accepts() {
    let out = render(
        &example("examples/aliyun/connection-bgp.json"),
        "vyos",
        None,
    )
    .expect("renders");
    assert_no_line_containing(&out, "action 'hold'");
    assert!(
        out.lines()
            .any(|l| l.contains("dead-peer-detection action 'trap'")),
        "{out}"
    );
}
